"""Time-ordered ids: version 7, and strictly increasing within a process, even within one millisecond."""

from __future__ import annotations

import threading

from ivr_domain.shared.ids import new_id, uuid7


def test_ids_made_in_one_burst_sort_in_the_order_they_were_made() -> None:
    ids = [new_id() for _ in range(20_000)]  # far more than one per millisecond
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert {i.version for i in ids} == {7}


def test_ids_made_by_several_threads_are_all_distinct() -> None:
    made: list[list[object]] = [[] for _ in range(8)]

    def make(bucket: list[object]) -> None:
        bucket.extend(new_id() for _ in range(5_000))

    threads = [threading.Thread(target=make, args=(bucket,)) for bucket in made]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [i for bucket in made for i in bucket]
    assert len(set(every)) == len(every)
    assert all(bucket == sorted(bucket) for bucket in made)  # type: ignore[type-var]


def test_an_id_for_a_given_instant_carries_that_instant() -> None:
    made = uuid7(unix_ms=1_767_225_600_000)
    assert made.int >> 80 == 1_767_225_600_000
    assert made.version == 7

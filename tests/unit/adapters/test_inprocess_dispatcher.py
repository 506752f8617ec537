"""The embedded dispatcher: inline before it starts, on its thread once started, never raising a handler's failure."""

from __future__ import annotations

import itertools
import threading
from datetime import datetime, timedelta

import pytest
from croniter import croniter

from adapters.events import InProcessDispatcher, cron_every
from ivr_domain.shared.ids import EventId, new_id


class Recorder:
    """Records what the dispatcher asked for, and on which thread."""

    def __init__(self, fail_on: EventId | None = None) -> None:
        self.calls: list[object] = []
        self.threads: set[str] = set()
        self.fail_on = fail_on

    def dispatch(self, event_id: EventId) -> bool:
        self.threads.add(threading.current_thread().name)
        if event_id == self.fail_on:
            raise RuntimeError("handler down")
        self.calls.append(event_id)
        return True

    def replay(self, older_than: timedelta) -> None:
        self.calls.append(older_than)


def test_before_start_events_are_dispatched_inline_and_failures_are_swallowed() -> None:
    broken = EventId(new_id())
    recorder = Recorder(fail_on=broken)
    relay = InProcessDispatcher(recorder.dispatch, recorder.replay)
    first = EventId(new_id())
    relay.notify([broken, first])  # the broken one is left to a replay; the next one still goes
    relay.replay_soon(timedelta(seconds=30))
    assert recorder.calls == [first, timedelta(seconds=30)]
    assert recorder.threads == {threading.current_thread().name}


def test_once_started_it_replays_first_then_dispatches_on_its_thread_and_stops_after_its_queue() -> None:
    recorder = Recorder()
    relay = InProcessDispatcher(recorder.dispatch, recorder.replay, name="test-events")
    relay.start()
    events = [EventId(new_id()) for _ in range(5)]
    relay.notify(events)
    assert relay.drain(timeout=5)
    assert recorder.calls == [timedelta(0), *events]
    assert recorder.threads == {"ivr-test-events"}
    relay.notify([late := EventId(new_id())])
    relay.stop()
    assert not relay.running
    assert recorder.calls[-1] == late


@pytest.mark.parametrize(
    ("seconds", "gap"),
    [(1, 1), (5.2, 5), (15, 15), (300, 300), (900, 900), (3600, 3600), (7200, 7200), (21600, 21600), (86400, 86400)],
)
def test_periodic_jobs_fire_as_often_as_asked(seconds: float, gap: int) -> None:
    # croniter reads the line as procrastinate's periodic tasks do (seconds as a sixth field).
    firings = croniter(cron_every(seconds), datetime(2026, 11, 26, 13, 5, 7))
    times = [firings.get_next(datetime) for _ in range(4)]
    assert {(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)} == {gap}

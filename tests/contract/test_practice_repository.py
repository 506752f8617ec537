"""PracticeRepository contract, for every adapter."""

from __future__ import annotations

from attrs import evolve
from returns.result import Failure, Success

from ivr_domain.shared.actor import Scope
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.paging import PageRequest
from tests.contract import builders
from tests.contract.conftest import UowFactory

ALL = Scope(everything=True)


def test_round_trip_and_scope(uow: UowFactory) -> None:
    practice = builders.practice()
    bare = builders.practice(npi=None, address=None, phone=None)
    with uow() as u:
        u.practices.add(practice)
        u.practices.add(bare)
        u.commit()
    with uow() as u:
        assert u.practices.get(practice.id, scope=ALL) == practice
        assert u.practices.get(bare.id, scope=ALL) == bare
        assert u.practices.get(practice.id, scope=Scope(practice_ids=frozenset({practice.id}))) == practice
        assert u.practices.get(practice.id, scope=Scope(practice_ids=frozenset({bare.id}))) is None
        assert u.practices.get(practice.id, scope=Scope()) is None
        assert u.practice_directory.exists(practice.id)
        assert not u.practice_directory.exists(builders.practice().id)


def test_find_by_name_ignores_case(uow: UowFactory) -> None:
    practice = builders.practice(name="Sunrise Wound Clinic")
    with uow() as u:
        u.practices.add(practice)
        u.commit()
    with uow() as u:
        assert u.practices.find_by_name("SUNRISE wound clinic") == practice
        assert u.practices.find_by_name("Sunrise") is None


def test_save_is_compare_and_set(uow: UowFactory) -> None:
    practice = builders.practice()
    with uow() as u:
        u.practices.add(practice)
        u.commit()
    with uow() as u:
        saved = u.practices.save(evolve(practice, name="Renamed"))
        assert saved == Success(evolve(practice, name="Renamed", version=2))
        assert u.practices.save(evolve(practice, name="Stale")) == Failure(
            Conflict(entity="practice", id=str(practice.id))
        )
        u.commit()
    with uow() as u:
        stored = u.practices.get(practice.id, scope=ALL)
        assert stored is not None
        assert (stored.name, stored.version) == ("Renamed", 2)


def test_list_pages_by_name_and_scope(uow: UowFactory) -> None:
    names = ["delta", "Alpha", "charlie", "bravo", "echo"]
    made = [builders.practice(name=n) for n in names]
    with uow() as u:
        for p in made:
            u.practices.add(p)
        u.commit()
    with uow() as u:
        seen: list[str] = []
        cursor = None
        while True:
            page = u.practices.list(scope=ALL, page=PageRequest(limit=2, cursor=cursor, sort="name"))
            seen.extend(p.name for p in page.items)
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == sorted(names)
        newest_first = u.practices.list(scope=ALL, page=PageRequest(limit=10, sort="-created_at"))
        assert [p.id for p in newest_first.items] == [p.id for p in reversed(made)]
        assert newest_first.next_cursor is None
        some = Scope(practice_ids=frozenset({made[0].id, made[1].id}))
        assert {p.id for p in u.practices.list(scope=some, page=PageRequest()).items} == {made[0].id, made[1].id}
        assert u.practices.list(scope=Scope(), page=PageRequest()).items == ()

"""Keyset paging and scope hold for random data, on every adapter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivr_domain.patients.ports import NameAndBirthDate, PatientFilter
from ivr_domain.shared.actor import Scope
from ivr_domain.shared.paging import PageRequest
from tests.contract import builders
from tests.contract.conftest import Backend

ALL = Scope(everything=True)
FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FEWER = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# few distinct instants, so that many rows tie on the sort value and the id must break ties
instants = st.integers(min_value=0, max_value=4).map(lambda s: builders.T0 + timedelta(seconds=s))
sorts = st.sampled_from(["created_at", "-created_at", "updated_at", "-updated_at"])


def _pages_every_row_once(backend: Backend, data: st.DataObject) -> None:
    uow = backend.fresh()
    practice = builders.practice()
    initial = [
        builders.patient(practice.id, created_at=t, updated_at=t) for t in data.draw(st.lists(instants, max_size=12))
    ]
    with uow() as u:
        u.practices.add(practice)
        for p in initial:
            u.patients.add(p)
        u.commit()
    sort = data.draw(sorts)
    seen: list[object] = []
    cursor = None
    for _ in range(50):
        limit = data.draw(st.integers(min_value=1, max_value=5))
        with uow() as u:
            page = u.patients.list(
                scope=ALL, filters=PatientFilter(), page=PageRequest(limit=limit, sort=sort, cursor=cursor)
            )
            seen.extend(p.id for p in page.items)
            for t in data.draw(st.lists(instants, max_size=2)):
                u.patients.add(builders.patient(practice.id, created_at=t, updated_at=t))
            u.commit()
        if (cursor := page.next_cursor) is None:
            break
    assert len(seen) == len(set(seen))
    assert {p.id for p in initial} <= set(seen)


@pytest.mark.parametrize("backend", ["memory", "sqlite"], indirect=True)
@FEW
@given(data=st.data())
def test_paging_returns_every_existing_row_once(backend: Backend, data: st.DataObject) -> None:
    _pages_every_row_once(backend, data)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
@FEWER
@given(data=st.data())
def test_paging_returns_every_existing_row_once_on_postgresql(backend: Backend, data: st.DataObject) -> None:
    _pages_every_row_once(backend, data)


@FEWER
@given(
    homes=st.lists(st.integers(min_value=0, max_value=2), min_size=1, max_size=8),
    reach=st.frozensets(st.integers(min_value=0, max_value=2)),
)
def test_scope_never_returns_a_patient_outside_its_practices(
    backend: Backend, homes: list[int], reach: frozenset[int]
) -> None:
    uow = backend.fresh()
    practices = [builders.practice() for _ in range(3)]
    patients = [builders.patient(practices[h].id) for h in homes]
    with uow() as u:
        for p in practices:
            u.practices.add(p)
        for p in patients:
            u.patients.add(p)
        u.commit()
    allowed = frozenset(practices[i].id for i in reach)
    scope = Scope(practice_ids=allowed)
    expected = {p.id for p in patients if p.practice_id in allowed}
    query = NameAndBirthDate(last_name="Garcia", date_of_birth=patients[0].date_of_birth)
    with uow() as u:
        listed = u.patients.list(scope=scope, filters=PatientFilter(), page=PageRequest(limit=200)).items
        found = u.patients.search(query, scope=scope, limit=50)
        got = {p.id for p in patients if u.patients.get(p.id, scope=scope) is not None}
    assert {p.id for p in listed} == expected
    assert {p.id for p in found} == expected
    assert got == expected

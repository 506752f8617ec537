"""Over random hierarchies, nobody ever reads a patient outside their reach."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivr_domain.patients.ports import PatientFilter
from ivr_domain.shared.actor import Role
from ivr_domain.shared.paging import PageRequest
from tests.platform import memory_platform, value_of


@st.composite
def hierarchies(draw: st.DrawFn) -> dict[str, list[int | None]]:
    """Draw managers for distributors, salespeople and practices (None: unassigned)."""
    masters = draw(st.integers(1, 2))
    distributors = draw(st.lists(st.one_of(st.none(), st.integers(0, masters - 1)), min_size=1, max_size=3))
    salespeople = draw(st.lists(st.one_of(st.none(), st.integers(0, len(distributors) - 1)), min_size=1, max_size=3))
    practices = draw(st.lists(st.one_of(st.none(), st.integers(0, len(salespeople) - 1)), min_size=1, max_size=4))
    return {
        "masters": [None] * masters,
        "distributors": distributors,
        "salespeople": salespeople,
        "practices": practices,
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=hierarchies())
def test_scope_never_reaches_outside_the_hierarchy(tree: dict[str, list[int | None]]) -> None:
    platform = memory_platform(Path(tempfile.mkdtemp()), now=datetime(2026, 11, 25, 9, tzinfo=UTC))
    masters = [platform.user(f"m{i}@example.org", Role.MASTER_DISTRIBUTOR) for i in range(len(tree["masters"]))]
    dists = [platform.user(f"d{i}@example.org", Role.DISTRIBUTOR) for i in range(len(tree["distributors"]))]
    sales = [platform.user(f"s{i}@example.org", Role.SALESPERSON) for i in range(len(tree["salespeople"]))]
    doctors = [platform.user(f"p{i}@example.org", Role.DOCTOR, practice=f"P{i}") for i in range(len(tree["practices"]))]
    levels = (
        (masters, dists, tree["distributors"]),
        (dists, sales, tree["salespeople"]),
        (sales, doctors, tree["practices"]),
    )
    for managers, members, choice in levels:
        for member, manager in zip(members, choice, strict=True):
            if manager is not None:
                platform.assign(managers[manager], member)
    for doctor in doctors:
        platform.patient(doctor.practice_id)

    def practices_under(level: str, index: int) -> set[int]:
        if level == "sales":
            return {p for p, s in enumerate(tree["practices"]) if s == index}
        if level == "dist":
            return set().union(*(practices_under("sales", s) for s, d in enumerate(tree["salespeople"]) if d == index))
        return set().union(*(practices_under("dist", d) for d, m in enumerate(tree["distributors"]) if m == index))

    expected = {
        **{f"m{i}@example.org": practices_under("master", i) for i in range(len(masters))},
        **{f"d{i}@example.org": practices_under("dist", i) for i in range(len(dists))},
        **{f"s{i}@example.org": practices_under("sales", i) for i in range(len(sales))},
        **{f"p{i}@example.org": {i} for i in range(len(doctors))},
    }
    list_patients = platform.container.list_patients()
    for email, reach in expected.items():
        page = value_of(list_patients(platform.actor(email), PatientFilter(), PageRequest(limit=200)))
        seen = {p.practice_id for p in page.items}
        assert seen == {doctors[i].practice_id for i in reach}

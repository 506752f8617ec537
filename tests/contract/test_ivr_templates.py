"""Template and justification repositories, identical on every adapter (the migrated schema: test_migrations)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from attrs import evolve
from returns.result import Failure, Success

from adapters.codes.code_sets import LibraryCodeSets
from ivr_domain.ivr.model import Diagnosis, Physician, Priority, Product, Signature, Wound, WoundType
from ivr_domain.ivr.templates.justification_cases import JustificationLibrary
from ivr_domain.ivr.templates.model import (
    IvrTemplate,
    JustificationFilter,
    MedicalJustification,
    TemplateContent,
    TemplateFilter,
    TemplateScope,
)
from ivr_domain.ivr.templates.template_cases import CreateTemplate, CreateTemplateHandler
from ivr_domain.ivr.templates.validation import JustificationInput, TemplateInput
from ivr_domain.ivr.validation import FacilityInput
from ivr_domain.shared.actor import SYSTEM_ACTOR, Scope
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.clock import MovableClock
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import IvrTemplateId, JustificationId, PracticeId, UserId, new_id
from ivr_domain.shared.insurance import InsuranceRank
from ivr_domain.shared.paging import PageRequest
from ivr_domain.shared.validation import AddressInput
from tests.contract import builders
from tests.contract.conftest import UowFactory

ALL = Scope(everything=True)
AUTHOR = UserId(new_id())
CONTENT = TemplateContent(
    priority=Priority.URGENT,
    insurance_ranks=(InsuranceRank.PRIMARY,),
    physician=Physician(name="Jane Doe", npi="1234567893"),
    facility=FacilityInput(
        name="Clinic", address=AddressInput(line1="2 Oak Ave", city="Springfield", state="IL", postal_code="62704")
    ),
    wounds=(Wound(type=WoundType.BURN, length_cm=Decimal("4.25"), prior_therapies=("dressings",)),),
    diagnosis_codes=(Diagnosis(code="L97.422", primary=True),),
    anticipated_first_service_date=date(2026, 12, 15),
    products=(Product(hcpcs_code="Q4186", quantity=4, size="4x4 cm"),),
    signature=Signature(signer_name="Jane Doe", signed_at=builders.T0),
    notes="Pre-filled.",
)


def _template(practice_id: PracticeId | None, name: str = "Heel DFU", **changes: object) -> IvrTemplate:
    at = builders.later()
    values: dict[str, object] = {
        "id": IvrTemplateId(new_id()),
        "practice_id": practice_id,
        "name": name,
        "content": CONTENT,
        "created_by": AUTHOR,
        "created_at": at,
        "updated_by": AUTHOR,
        "updated_at": at,
    }
    return IvrTemplate(**{**values, **changes})  # type: ignore[arg-type]


def _justification(title: str, wound_type: WoundType, hcpcs_code: str | None = None) -> MedicalJustification:
    at = builders.later()
    return MedicalJustification(
        id=JustificationId(new_id()),
        title=title,
        wound_type=wound_type,
        hcpcs_code=hcpcs_code,
        text=f"{title}: why.",
        created_by=AUTHOR,
        created_at=at,
        updated_by=AUTHOR,
        updated_at=at,
    )


def _practices(uow: UowFactory, count: int) -> list[PracticeId]:
    made = [builders.practice() for _ in range(count)]
    with uow() as u:
        for practice in made:
            u.practices.add(practice)
        u.commit()
    return [p.id for p in made]


def _store(uow: UowFactory, *templates: IvrTemplate) -> None:
    with uow() as u:
        for template in templates:
            u.ivr_templates.add(template).unwrap()
        u.commit()


def test_a_template_round_trips_with_its_content(uow: UowFactory) -> None:
    (practice,) = _practices(uow, 1)
    template = _template(practice)
    _store(uow, template)

    with uow() as u:
        assert u.ivr_templates.get(template.id, scope=ALL) == template
        assert u.ivr_templates.get(template.id, scope=Scope(practice_ids=frozenset({practice}))) == template
        assert u.ivr_templates.get(template.id, scope=Scope()) is None
        assert u.ivr_templates.get(IvrTemplateId(new_id()), scope=ALL) is None


def test_scope_shows_global_templates_to_everyone_and_a_practice_s_to_its_own(uow: UowFactory) -> None:
    mine, theirs = _practices(uow, 2)
    own, other, shared = _template(mine, "A"), _template(theirs, "B"), _template(None, "C")
    _store(uow, own, other, shared)

    def names(reach: Scope, **filters: object) -> list[str]:
        with uow() as u:
            page = u.ivr_templates.list(scope=reach, filters=TemplateFilter(**filters), page=PageRequest(sort="name"))  # type: ignore[arg-type]
        return [t.name for t in page.items]

    assert names(Scope(practice_ids=frozenset({mine}))) == ["A", "C"]
    assert names(Scope()) == ["C"]
    assert names(ALL) == ["A", "B", "C"]
    assert names(ALL, scope=TemplateScope.GLOBAL) == ["C"]
    assert names(ALL, scope=TemplateScope.PRACTICE) == ["A", "B"]
    assert names(ALL, practice_id=theirs) == ["B"]
    with uow() as u:
        assert u.ivr_templates.get(other.id, scope=Scope(practice_ids=frozenset({mine}))) is None


def test_the_name_filter_matches_a_part_ignoring_case_and_like_wildcards(uow: UowFactory) -> None:
    _store(
        uow,
        _template(None, "Heel DFU"),
        _template(None, "HEEL 100%"),
        _template(None, "Leg_VLU"),
        _template(None, "Straße"),
    )

    def names(part: str) -> list[str]:
        with uow() as u:
            page = u.ivr_templates.list(scope=ALL, filters=TemplateFilter(name=part), page=PageRequest(sort="name"))
        return [t.name for t in page.items]

    assert names("heel") == ["HEEL 100%", "Heel DFU"]
    assert names("0%") == ["HEEL 100%"]
    assert names("%") == ["HEEL 100%"]
    assert names("g_") == ["Leg_VLU"]
    assert names("STRASSE") == ["Straße"]


@pytest.mark.parametrize("sort", ["name", "-name", "created_at", "-updated_at"])
def test_cursor_pages_walk_every_template_once_in_order(uow: UowFactory, sort: str) -> None:
    owners = [None, *_practices(uow, 2)]
    # repeated names (unique per owner: 11 < 3 * 4): the id breaks ties
    made = [_template(owners[n % 3], f"T{n % 4}") for n in range(11)]
    _store(uow, *made)
    seen: list[IvrTemplateId] = []
    cursor = None
    with uow() as u:
        while True:
            page = u.ivr_templates.list(
                scope=ALL, filters=TemplateFilter(), page=PageRequest(limit=3, cursor=cursor, sort=sort)
            )
            seen += [t.id for t in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
    field = sort.lstrip("-")
    expected = sorted(made, key=lambda t: (getattr(t, field), t.id), reverse=sort.startswith("-"))
    assert seen == [t.id for t in expected]


def test_save_and_remove_are_compare_and_set(uow: UowFactory) -> None:
    template = _template(None)
    _store(uow, template)

    with uow() as u:
        saved = u.ivr_templates.save(evolve(template, name="Renamed")).unwrap()
        u.commit()
    with uow() as u:
        assert isinstance(u.ivr_templates.save(template).failure(), Conflict)
        assert isinstance(u.ivr_templates.remove(template).failure(), Conflict)
        assert u.ivr_templates.get(template.id, scope=ALL) == saved
        assert saved.version == 2
        u.ivr_templates.remove(saved).unwrap()
        u.commit()
    with uow() as u:
        assert u.ivr_templates.get(template.id, scope=ALL) is None
        assert isinstance(u.ivr_templates.save(saved).failure(), Conflict)
        assert u.ivr_templates.list(scope=ALL, filters=TemplateFilter(), page=PageRequest()).items == ()


def test_justifications_round_trip_filter_and_page(uow: UowFactory) -> None:
    made = [
        _justification("DFU offloading", WoundType.DIABETIC_FOOT_ULCER, "Q4186"),
        _justification("DFU standard care", WoundType.DIABETIC_FOOT_ULCER),
        _justification("VLU compression", WoundType.VENOUS_LEG_ULCER, "Q4186"),
    ]
    with uow() as u:
        for item in made:
            u.medical_justifications.add(item).unwrap()
        u.commit()

    def titles(**filters: object) -> list[str]:
        with uow() as u:
            page = u.medical_justifications.list(filters=JustificationFilter(**filters), page=PageRequest(sort="title"))  # type: ignore[arg-type]
        return [j.title for j in page.items]

    assert titles() == ["DFU offloading", "DFU standard care", "VLU compression"]
    assert titles(wound_type=WoundType.DIABETIC_FOOT_ULCER) == ["DFU offloading", "DFU standard care"]
    assert titles(hcpcs_code="Q4186") == ["DFU offloading", "VLU compression"]
    with uow() as u:
        assert u.medical_justifications.get(made[0].id) == made[0]
        first = u.medical_justifications.list(filters=JustificationFilter(), page=PageRequest(limit=2, sort="-title"))
        assert [j.title for j in first.items] == ["VLU compression", "DFU standard care"]
        rest = u.medical_justifications.list(
            filters=JustificationFilter(), page=PageRequest(limit=2, sort="-title", cursor=first.next_cursor)
        )
        assert [j.title for j in rest.items] == ["DFU offloading"]
        saved = u.medical_justifications.save(evolve(made[1], text="Changed.")).unwrap()
        assert isinstance(u.medical_justifications.save(made[1]).failure(), Conflict)
        u.medical_justifications.remove(saved).unwrap()
        u.commit()
    with uow() as u:
        assert u.medical_justifications.get(made[1].id) is None


def _refused(result: object, name: str, existing: object) -> None:
    """Assert the add or save failed with the conflict naming its holder, never repeating the name."""
    conflict = result.failure()  # type: ignore[attr-defined]
    assert isinstance(conflict, Conflict)
    assert "is taken" in conflict.detail
    assert name not in conflict.detail
    assert conflict.existing_id == str(existing)


def test_a_name_is_unique_per_owner_ignoring_case_and_spacing(uow: UowFactory) -> None:
    mine, theirs = _practices(uow, 2)
    own, shared = _template(mine, "Heel  DFU"), _template(None, "Heel DFU")
    _store(uow, own, shared)

    with uow() as u:
        _refused(u.ivr_templates.add(_template(mine, "heel dfu")), "heel dfu", own.id)
        _refused(u.ivr_templates.add(_template(None, " HEEL\tdfu ")), " HEEL\tdfu ", shared.id)
        assert u.ivr_templates.named(mine, "HEEL dfu") == own
        assert u.ivr_templates.named(None, "heel   dfu") == shared
        assert u.ivr_templates.named(theirs, "heel dfu") is None
        elsewhere = _template(theirs, "HEEL DFU")
        u.ivr_templates.add(elsewhere).unwrap()
        u.commit()

    with uow() as u:
        page = u.ivr_templates.list(scope=ALL, filters=TemplateFilter(), page=PageRequest(sort="created_at"))
        assert [t.id for t in page.items] == [own.id, shared.id, elsewhere.id]


def test_a_name_taken_within_the_same_transaction_is_refused(uow: UowFactory) -> None:
    (practice,) = _practices(uow, 1)
    first = _template(practice, "Leg VLU")
    with uow() as u:
        u.ivr_templates.add(first).unwrap()
        _refused(u.ivr_templates.add(_template(practice, "LEG VLU")), "LEG VLU", first.id)


def test_a_rename_into_a_taken_name_is_refused_and_keeping_its_own_is_not(uow: UowFactory) -> None:
    (practice,) = _practices(uow, 1)
    heel, leg = _template(practice, "Heel DFU"), _template(practice, "Leg VLU")
    _store(uow, heel, leg)

    with uow() as u:
        _refused(u.ivr_templates.save(evolve(leg, name="HEEL dfu")), "HEEL dfu", heel.id)
    with uow() as u:
        assert u.ivr_templates.get(leg.id, scope=ALL) == leg
        recased = u.ivr_templates.save(evolve(heel, name="heel DFU")).unwrap()
        moved = u.ivr_templates.save(evolve(leg, name="Leg VLU, left")).unwrap()
        u.commit()
    with uow() as u:
        assert u.ivr_templates.get(heel.id, scope=ALL) == recased
        # the name the rename freed is free again
        u.ivr_templates.add(_template(practice, "leg vlu")).unwrap()
        assert moved.name == "Leg VLU, left"
        u.commit()


def test_a_justification_title_is_unique_ignoring_case_and_spacing(uow: UowFactory) -> None:
    dfu = _justification("DFU offloading", WoundType.DIABETIC_FOOT_ULCER)
    vlu = _justification("VLU compression", WoundType.VENOUS_LEG_ULCER)
    with uow() as u:
        u.medical_justifications.add(dfu).unwrap()
        u.medical_justifications.add(vlu).unwrap()
        u.commit()

    with uow() as u:
        twin = _justification("dfu  OFFLOADING", WoundType.BURN)
        _refused(u.medical_justifications.add(twin), "dfu  OFFLOADING", dfu.id)
        _refused(u.medical_justifications.save(evolve(vlu, title="DFU Offloading")), "DFU Offloading", dfu.id)
        assert u.medical_justifications.titled("dfu offloading ") == dfu
        assert u.medical_justifications.titled("Burn") is None
    with uow() as u:
        kept = u.medical_justifications.save(evolve(dfu, title="DFU OFFLOADING", text="Changed.")).unwrap()
        u.commit()
    with uow() as u:
        assert u.medical_justifications.get(dfu.id) == kept
        page = u.medical_justifications.list(filters=JustificationFilter(), page=PageRequest(sort="title"))
        assert [j.title for j in page.items] == ["DFU OFFLOADING", "VLU compression"]


class _ChecksTogether:
    """A repository whose name checks wait for every racer, so all find the name free and all insert."""

    def __init__(self, inner: Any, barrier: threading.Barrier) -> None:
        self._inner = inner
        self._barrier = barrier

    def named(self, *args: Any) -> Any:
        found = self._inner.named(*args)
        self._barrier.wait(timeout=30)
        return found

    def titled(self, title: str) -> Any:
        found = self._inner.titled(title)
        self._barrier.wait(timeout=30)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Racing:
    """A unit of work of the backend under test, its name and title checks synchronised across threads."""

    def __init__(self, uow: UowFactory, barrier: threading.Barrier) -> None:
        self._inner = uow()
        self._barrier = barrier

    def __enter__(self) -> Any:
        u: Any = self._inner.__enter__()
        u.ivr_templates = _ChecksTogether(u.ivr_templates, self._barrier)
        u.medical_justifications = _ChecksTogether(u.medical_justifications, self._barrier)
        return u

    def __exit__(self, *exc: object) -> Any:
        return self._inner.__exit__(*exc)


def test_concurrent_creates_of_one_name_one_wins_the_other_gets_the_conflict(uow: UowFactory) -> None:
    barrier = threading.Barrier(2)
    clock = MovableClock(builders.T0)
    audit = AuditTrail(uow=uow, clock=clock)

    def racing() -> Any:
        return _Racing(uow, barrier)

    create = CreateTemplateHandler(uow=racing, codes=LibraryCodeSets(), clock=clock, audit=audit)
    library = JustificationLibrary(uow=racing, clock=clock, audit=audit)
    names = ["Global DFU", "global  dfu"]
    titles = ["DFU failed care", "dfu FAILED care"]

    with ThreadPoolExecutor(max_workers=2) as pool:
        made = list(
            pool.map(
                lambda name: create(SYSTEM_ACTOR, CreateTemplate(template=TemplateInput(name=name, content=CONTENT))),
                names,
            )
        )
        written = list(
            pool.map(
                lambda title: library.create(
                    SYSTEM_ACTOR, JustificationInput(title=title, wound_type=WoundType.BURN, text="Why.")
                ),
                titles,
            )
        )

    winners = []
    for results, what in ((made, "name"), (written, "title")):
        assert sorted(type(r).__name__ for r in results) == ["Failure", "Success"]
        (lost,) = (r.failure() for r in results if isinstance(r, Failure))
        assert isinstance(lost, Conflict)
        assert lost.detail.startswith(f"the {what} is taken")
        winners += [r.unwrap().id for r in results if isinstance(r, Success)]
    with uow() as u:
        templates = u.ivr_templates.list(scope=ALL, filters=TemplateFilter(), page=PageRequest()).items
        justifications = u.medical_justifications.list(filters=JustificationFilter(), page=PageRequest()).items
    assert [t.id for t in templates] + [j.id for j in justifications] == winners

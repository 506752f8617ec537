"""Template and justification repositories, identical on every adapter; the migration matches the tables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from attrs import evolve

from ivr_domain.ivr.model import Diagnosis, Physician, Priority, Product, Signature, Wound, WoundType
from ivr_domain.ivr.templates.model import (
    IvrTemplate,
    JustificationFilter,
    MedicalJustification,
    TemplateContent,
    TemplateFilter,
    TemplateScope,
)
from ivr_domain.ivr.validation import FacilityInput
from ivr_domain.shared.actor import Scope
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
            u.ivr_templates.add(template)
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
    made = [_template(None, f"T{n % 4}") for n in range(11)]  # repeated names: the id breaks ties
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
            u.medical_justifications.add(item)
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

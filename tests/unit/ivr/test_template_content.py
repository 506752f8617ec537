"""What a template may carry and how it meets an IVR body: properties over every subset of fields."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import attrs
from attrs import evolve
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Failure, Success

from adapters.codes import LibraryCodeSets
from ivr_domain.ivr.model import (
    Diagnosis,
    PatientSnapshot,
    Physician,
    Priority,
    Product,
    RequestType,
    Wound,
    WoundType,
)
from ivr_domain.ivr.templates.content import (
    PATIENT_FIELDS,
    TEMPLATE_FIELDS,
    apply_template,
    given_by_value,
    with_justifications,
)
from ivr_domain.ivr.templates.model import MedicalJustification, TemplateContent
from ivr_domain.ivr.templates.validation import TemplateInput, parse_template
from ivr_domain.ivr.validation import IvrInput
from ivr_domain.patients.model import Insurance, Patient
from ivr_domain.shared.ids import JustificationId, PatientId, UserId
from ivr_domain.shared.insurance import InsuranceRank
from tests.unit.ivr.builders import NOW, complete_ivr

PATIENT = PatientId(UUID(int=7))
BODY = complete_ivr(PATIENT)
# A value for every template field that differs from the body's (and from IvrInput's defaults).
FROM_TEMPLATE = TemplateContent(
    request_type=RequestType.ADDITIONAL_APPLICATIONS,
    priority=Priority.URGENT,
    insurance_ranks=(InsuranceRank.SECONDARY,),
    physician=Physician(name="Template Physician"),
    facility=evolve(BODY.facility, name="Template Facility") if BODY.facility else None,
    wounds=(Wound(type=WoundType.BURN, length_cm=Decimal("2.00"), width_cm=Decimal("2.00")),),
    diagnosis_codes=(Diagnosis(code="L89.154", primary=True),),
    application_cpt_codes=("15271",),
    anticipated_first_service_date=date(2027, 1, 4),
    planned_applications=9,
    products=(Product(hcpcs_code="Q4187", quantity=1),),
    signature=None,
    notes="From the template.",
)
# The complete example's values: any subset of them is a valid draft.
VALID = TemplateContent(**{name: getattr(BODY, name) for name in TEMPLATE_FIELDS})
CODES = LibraryCodeSets()
fields = st.frozensets(st.sampled_from(TEMPLATE_FIELDS))


def _partial(names: frozenset[str]) -> TemplateContent:
    """The template with only these fields set."""
    return TemplateContent(**{name: getattr(FROM_TEMPLATE, name) for name in names})


@given(sent=fields, set_in_template=fields)
def test_body_fields_win_and_the_template_fills_the_rest(sent: frozenset[str], set_in_template: frozenset[str]) -> None:
    template = _partial(set_in_template)

    merged = apply_template(template, BODY, sent)

    assert merged.patient_id == PATIENT
    for name in TEMPLATE_FIELDS:
        from_template = name not in sent and getattr(template, name) is not None
        expected = getattr(template, name) if from_template else getattr(BODY, name)
        assert getattr(merged, name) == expected, name


@given(sent=fields)
def test_a_body_set_to_defaults_still_wins_when_it_names_the_field(sent: frozenset[str]) -> None:
    bare = IvrInput(patient_id=PATIENT)

    merged = apply_template(FROM_TEMPLATE, bare, sent)

    for name in TEMPLATE_FIELDS:
        if name in sent:
            assert getattr(merged, name) == getattr(bare, name), name


def test_without_the_json_the_given_fields_are_those_off_their_default() -> None:
    body = IvrInput(patient_id=PATIENT, priority=Priority.URGENT, notes="n")
    assert given_by_value(body) == {"priority", "notes"}


patient_names = st.frozensets(st.sampled_from(sorted(PATIENT_FIELDS)))


@settings(deadline=None)  # the first example loads the ICD-10-CM code set
@given(patient=patient_names, content=fields)
def test_a_template_naming_any_patient_field_is_refused_field_by_field(
    patient: frozenset[str], content: frozenset[str]
) -> None:
    valid = TemplateContent(**{name: getattr(VALID, name) for name in content})
    raw = TemplateInput(name="T", content=valid, content_fields=patient | content)

    result = parse_template(raw, CODES, NOW)

    if not patient:
        assert isinstance(result, Success)
        return
    assert isinstance(result, Failure)
    refused = [e for e in result.failure().errors if "patient data" in e.message]
    assert [e.field for e in refused] == [f"content.{name}" for name in sorted(patient)]


def test_patient_fields_cover_everything_the_patient_models_hold() -> None:
    not_phi = {"id", "practice_id", "archived", "ivr_submitted", "created_by", "created_at", "updated_at", "version"}
    held = {f.name for f in attrs.fields(Patient)} | {f.name for f in attrs.fields(PatientSnapshot)}
    held |= {f.name for f in attrs.fields(Insurance)} - {"rank", "plan_type"}
    assert held - not_phi <= PATIENT_FIELDS
    assert not PATIENT_FIELDS & set(TEMPLATE_FIELDS)


def test_justifications_are_appended_to_the_notes_with_their_titles() -> None:
    def item(title: str, text: str) -> MedicalJustification:
        return MedicalJustification(
            id=JustificationId(UUID(int=1)),
            title=title,
            wound_type=WoundType.BURN,
            hcpcs_code=None,
            text=text,
            created_by=UserId(UUID(int=2)),
            created_at=NOW,
            updated_by=UserId(UUID(int=2)),
            updated_at=NOW,
        )

    chosen = [item("A", "First."), item("B", "Second.")]
    assert with_justifications(" Own note. ", chosen) == "Own note.\n\nA\nFirst.\n\nB\nSecond."
    assert with_justifications(None, chosen[:1]) == "A\nFirst."
    assert with_justifications("  ", []) is None

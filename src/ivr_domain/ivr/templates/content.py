"""What a template may carry, and how an IVR body, a template and chosen justifications make one IVR input."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import attrs
from attrs import evolve

from ivr_domain.ivr.templates.model import MedicalJustification, TemplateContent
from ivr_domain.ivr.validation import IvrInput
from ivr_domain.shared.errors import FieldError
from ivr_domain.shared.ids import PatientId

# Every field a template can set: the IVR create fields but the patient and the IVR a reverification renews.
TEMPLATE_FIELDS: tuple[str, ...] = tuple(field.name for field in attrs.fields(TemplateContent))

# Names that carry or point at patient data, whatever the patient model calls them (and common synonyms):
# a template's content naming any of them is refused, never silently dropped.
PATIENT_FIELDS = frozenset(
    {
        "patient_id",
        "patient",
        "patient_snapshot",
        "patient_initials",
        "previous_ivr_id",
        "name",
        "first_name",
        "middle_name",
        "last_name",
        "initials",
        "date_of_birth",
        "dob",
        "birth_date",
        "sex",
        "gender",
        "ssn",
        "mrn",
        "medical_record_number",
        "member_id",
        "subscriber_id",
        "group_number",
        "subscriber",
        "subscriber_name",
        "subscriber_date_of_birth",
        "subscriber_relationship",
        "insurance",
        "insurances",
        "payer_name",
        "payer_id",
        "address",
        "phone",
        "email",
        "emergency_contacts",
        "medical_history",
    }
)

PATIENT_DATA_MESSAGE = "templates may not carry patient data; choose the patient when creating the IVR"

# parse_content never reads the patient: a template's values are checked as a draft IVR's with this stand-in.
_NO_PATIENT = PatientId(UUID(int=0))


def patient_field_problems(names: Iterable[str], path: str = "content") -> tuple[FieldError, ...]:
    """Return one problem per patient field a template's content names, in name order."""
    return tuple(
        FieldError(field=f"{path}.{name}", message=PATIENT_DATA_MESSAGE) for name in sorted(set(names) & PATIENT_FIELDS)
    )


def apply_template(template: TemplateContent, body: IvrInput, given: frozenset[str]) -> IvrInput:
    """Return the body with every field it did not give filled from the template (top-level fields of the body win)."""
    filled = {
        name: value for name in TEMPLATE_FIELDS if name not in given and (value := getattr(template, name)) is not None
    }
    return evolve(body, **filled) if filled else body


def as_draft(template: TemplateContent) -> IvrInput:
    """Return a template's content as a draft IVR's input, to check its values with the IVR's own rules."""
    return apply_template(template, IvrInput(patient_id=_NO_PATIENT), frozenset())


def given_by_value(body: IvrInput) -> frozenset[str]:
    """Name the template fields a body sets to something other than the default (for callers without the JSON)."""
    defaults = IvrInput(patient_id=body.patient_id)
    return frozenset(name for name in TEMPLATE_FIELDS if getattr(body, name) != getattr(defaults, name))


def with_justifications(notes: str | None, chosen: Iterable[MedicalJustification]) -> str | None:
    """Append each chosen justification, titled, to the notes, separated by blank lines."""
    parts = [notes.strip()] if notes and notes.strip() else []
    parts.extend(f"{justification.title}\n{justification.text}" for justification in chosen)
    return "\n\n".join(parts) if parts else None

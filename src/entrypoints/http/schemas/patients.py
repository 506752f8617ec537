"""Bodies and answers about patients: the full view, and the masked one the sales hierarchy sees."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import attrs
import msgspec
from attrs import frozen

from entrypoints.http.schemas.common import AddressOut, address_out, utc
from ivr_domain.patients.model import Insurance, MaskedPatient, Patient
from ivr_domain.patients.validation import PatientInput


@frozen(kw_only=True)
class CreatePatientBody(PatientInput):
    """A new patient; admins name the practice, doctors get their own."""

    practice_id: UUID | None = None
    allow_duplicate: bool = False


@frozen(kw_only=True)
class UpdatePatientBody(PatientInput):
    """A patient's full new details."""

    allow_duplicate: bool = False


def patient_input(body: PatientInput) -> PatientInput:
    """Return the core's patient input part of a body."""
    return PatientInput(**{f.name: getattr(body, f.name) for f in attrs.fields(PatientInput)})


class SubscriberOut(msgspec.Struct, kw_only=True):
    """The policy holder when it is not the patient."""

    first_name: str
    last_name: str
    date_of_birth: date


class InsuranceOut(msgspec.Struct, kw_only=True):
    """One coverage of the patient at one rank."""

    rank: str
    payer_name: str
    payer_id: str | None
    member_id: str
    group_number: str | None
    plan_type: str
    subscriber_relationship: str
    subscriber: SubscriberOut | None


class PatientOut(msgspec.Struct, kw_only=True, tag_field="projection", tag="full"):
    """Everything about a patient, for roles entitled to the full view."""

    id: UUID
    practice_id: UUID
    first_name: str
    last_name: str
    date_of_birth: date
    sex: str
    phone: str | None
    email: str | None
    address: AddressOut | None
    insurances: list[InsuranceOut]
    archived: bool
    version: int
    created_at: datetime
    updated_at: datetime


class MaskedPatientOut(msgspec.Struct, kw_only=True, tag_field="projection", tag="masked"):
    """A patient reference without identifying PHI: initials and the platform id."""

    id: UUID
    practice_id: UUID
    initials: str
    archived: bool
    version: int
    created_at: datetime
    updated_at: datetime


PatientViewOut = PatientOut | MaskedPatientOut


class PatientPage(msgspec.Struct, kw_only=True):
    """One page of patients."""

    items: list[PatientViewOut]
    next_cursor: str | None


class PatientMatches(msgspec.Struct, kw_only=True):
    """Patients matching a search."""

    items: list[PatientViewOut]


def _insurance_out(insurance: Insurance) -> InsuranceOut:
    subscriber = insurance.subscriber
    return InsuranceOut(
        rank=insurance.rank.value,
        payer_name=insurance.payer_name,
        payer_id=insurance.payer_id,
        member_id=insurance.member_id,
        group_number=insurance.group_number,
        plan_type=insurance.plan_type.value,
        subscriber_relationship=insurance.subscriber_relationship.value,
        subscriber=None
        if subscriber is None
        else SubscriberOut(
            first_name=subscriber.name.first, last_name=subscriber.name.last, date_of_birth=subscriber.date_of_birth
        ),
    )


def patient_out(view: Patient | MaskedPatient) -> PatientViewOut:
    """Return the wire form of the projection the core chose."""
    if isinstance(view, MaskedPatient):
        return MaskedPatientOut(
            id=view.id,
            practice_id=view.practice_id,
            initials=view.initials,
            archived=view.archived,
            version=view.version,
            created_at=utc(view.created_at),
            updated_at=utc(view.updated_at),
        )
    return PatientOut(
        id=view.id,
        practice_id=view.practice_id,
        first_name=view.name.first,
        last_name=view.name.last,
        date_of_birth=view.date_of_birth,
        sex=view.sex.value,
        phone=view.phone.e164 if view.phone else None,
        email=view.email.value if view.email else None,
        address=address_out(view.address),
        insurances=[_insurance_out(i) for i in view.insurances],
        archived=view.archived,
        version=view.version,
        created_at=utc(view.created_at),
        updated_at=utc(view.updated_at),
    )

"""Patients and their ranked insurances; every field here but the enumerations is PHI."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from attrs import frozen

from ivr_domain.shared.ids import PatientId, PracticeId, UserId
from ivr_domain.shared.insurance import InsuranceRank, PlanType
from ivr_domain.shared.values import Address, Email, PersonName, Phone


class Sex(StrEnum):
    """Administrative sex as recorded by the practice."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class SubscriberRelationship(StrEnum):
    """The patient's relationship to the policy holder."""

    SELF = "self"
    SPOUSE = "spouse"
    CHILD = "child"
    OTHER = "other"


@frozen(kw_only=True)
class Subscriber:
    """The policy holder when it is not the patient."""

    name: PersonName
    date_of_birth: date


@frozen(kw_only=True)
class Insurance:
    """One coverage of the patient at one rank."""

    rank: InsuranceRank
    payer_name: str
    member_id: str
    plan_type: PlanType
    subscriber_relationship: SubscriberRelationship = SubscriberRelationship.SELF
    payer_id: str | None = None
    group_number: str | None = None
    subscriber: Subscriber | None = None


@frozen(kw_only=True)
class Patient:
    """A patient of one practice; archived patients are hidden from lists, never deleted."""

    id: PatientId
    practice_id: PracticeId
    name: PersonName
    date_of_birth: date
    sex: Sex
    phone: Phone | None = None
    email: Email | None = None
    address: Address | None = None
    insurances: tuple[Insurance, ...] = ()
    archived: bool = False
    ivr_submitted: bool = False
    created_by: UserId
    created_at: datetime
    updated_at: datetime
    version: int = 1


@frozen(kw_only=True)
class MaskedPatient:
    """What the sales hierarchy sees of a patient: a reference, never identifying PHI."""

    id: PatientId
    practice_id: PracticeId
    initials: str
    archived: bool
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, patient: Patient) -> MaskedPatient:
        """Return the masked view of a patient."""
        return cls(
            id=patient.id,
            practice_id=patient.practice_id,
            initials=patient.name.initials,
            archived=patient.archived,
            created_at=patient.created_at,
            updated_at=patient.updated_at,
            version=patient.version,
        )


PatientView = Patient | MaskedPatient

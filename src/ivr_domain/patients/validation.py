"""Turning a patient as a client sent it into a valid patient, with every problem at once."""

from __future__ import annotations

from datetime import date

from attrs import frozen
from returns.result import Failure, Result, Success

from ivr_domain.patients.model import (
    Insurance,
    Sex,
    Subscriber,
    SubscriberRelationship,
)
from ivr_domain.shared.errors import ValidationFailed
from ivr_domain.shared.insurance import InsuranceRank, PlanType
from ivr_domain.shared.ports import PhoneNumbers
from ivr_domain.shared.validation import AddressInput, Problems
from ivr_domain.shared.values import Address, Email, PersonName, Phone

OLDEST_BIRTH_YEAR = 1900


@frozen(kw_only=True)
class SubscriberInput:
    """The policy holder as typed."""

    first_name: str
    last_name: str
    date_of_birth: date


@frozen(kw_only=True)
class InsuranceInput:
    """One insurance as typed."""

    rank: InsuranceRank
    payer_name: str
    member_id: str
    plan_type: PlanType
    subscriber_relationship: SubscriberRelationship = SubscriberRelationship.SELF
    payer_id: str | None = None
    group_number: str | None = None
    subscriber: SubscriberInput | None = None


@frozen(kw_only=True)
class PatientInput:
    """A patient as typed: the body of a create or a full update."""

    first_name: str
    last_name: str
    date_of_birth: date
    sex: Sex
    phone: str | None = None
    email: str | None = None
    address: AddressInput | None = None
    insurances: tuple[InsuranceInput, ...] = ()


@frozen(kw_only=True)
class PatientDetails:
    """A patient's validated details."""

    name: PersonName
    date_of_birth: date
    sex: Sex
    phone: Phone | None
    email: Email | None
    address: Address | None
    insurances: tuple[Insurance, ...]


def _birth_date(problems: Problems, value: date, path: str, today: date) -> None:
    if value > today:
        problems.add(path, "must not be in the future")
    elif value.year < OLDEST_BIRTH_YEAR:
        problems.add(path, f"must be in {OLDEST_BIRTH_YEAR} or later")


def _insurance(problems: Problems, raw: InsuranceInput, path: str, today: date) -> Insurance:
    payer_name = problems.text(raw.payer_name, f"{path}.payer_name", max_length=200)
    member_id = problems.text(raw.member_id, f"{path}.member_id", max_length=50)
    payer_id = None if raw.payer_id is None else problems.text(raw.payer_id, f"{path}.payer_id", max_length=50)
    group = None if raw.group_number is None else problems.text(raw.group_number, f"{path}.group_number", max_length=50)
    subscriber = None
    if raw.subscriber_relationship is SubscriberRelationship.SELF:
        if raw.subscriber is not None:
            problems.add(f"{path}.subscriber", "must be absent when the patient is the subscriber")
    elif raw.subscriber is None:
        problems.add(f"{path}.subscriber", "is required when the subscriber is not the patient")
    else:
        first = problems.text(raw.subscriber.first_name, f"{path}.subscriber.first_name", max_length=100)
        last = problems.text(raw.subscriber.last_name, f"{path}.subscriber.last_name", max_length=100)
        _birth_date(problems, raw.subscriber.date_of_birth, f"{path}.subscriber.date_of_birth", today)
        if first and last:
            subscriber = Subscriber(name=PersonName(first=first, last=last), date_of_birth=raw.subscriber.date_of_birth)
    return Insurance(
        rank=raw.rank,
        payer_name=payer_name,
        member_id=member_id,
        plan_type=raw.plan_type,
        subscriber_relationship=raw.subscriber_relationship,
        payer_id=payer_id,
        group_number=group,
        subscriber=subscriber,
    )


def parse_patient(raw: PatientInput, phones: PhoneNumbers, today: date) -> Result[PatientDetails, ValidationFailed]:
    """Validate every field of a patient, collecting all problems."""
    problems = Problems()
    first = problems.text(raw.first_name, "first_name", max_length=100)
    last = problems.text(raw.last_name, "last_name", max_length=100)
    _birth_date(problems, raw.date_of_birth, "date_of_birth", today)
    phone = problems.phone(raw.phone, phones, "phone")
    email = problems.email(raw.email, "email")
    address = problems.address(raw.address, "address")
    insurances = tuple(_insurance(problems, ins, f"insurances[{i}]", today) for i, ins in enumerate(raw.insurances))
    seen: set[InsuranceRank] = set()
    for index, insurance in enumerate(insurances):
        if insurance.rank in seen:
            problems.add(f"insurances[{index}].rank", f"only one {insurance.rank.value} insurance is allowed")
        seen.add(insurance.rank)
    if InsuranceRank.SECONDARY in seen and InsuranceRank.PRIMARY not in seen:
        problems.add("insurances", "a secondary insurance needs a primary one")
    failure = problems.failure()
    if failure is not None:
        return Failure(failure)
    ordered = tuple(sorted(insurances, key=lambda i: list(InsuranceRank).index(i.rank)))
    return Success(
        PatientDetails(
            name=PersonName(first=first, last=last),
            date_of_birth=raw.date_of_birth,
            sex=raw.sex,
            phone=phone,
            email=email,
            address=address,
            insurances=ordered,
        )
    )

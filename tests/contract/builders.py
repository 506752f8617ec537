"""Entities for the contract suites, valid by default, every field overridable."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

from ivr_domain.identity.model import Practice, User
from ivr_domain.patients.model import (
    Insurance,
    InsuranceRank,
    Patient,
    PlanType,
    Sex,
    Subscriber,
    SubscriberRelationship,
)
from ivr_domain.shared.actor import Permission, Role
from ivr_domain.shared.ids import PatientId, PracticeId, UserId, new_id
from ivr_domain.shared.values import Address, Email, Npi, PersonName, Phone

T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
_tick = itertools.count(1)


def later() -> datetime:
    """Return a distinct instant after T0, increasing with each call."""
    return T0 + timedelta(seconds=next(_tick), microseconds=7)


def practice(**overrides: Any) -> Practice:
    at = overrides.pop("created_at", None) or later()
    values: dict[str, Any] = {
        "id": PracticeId(new_id()),
        "name": f"Wound Care {uuid4().hex[:6]}",
        "npi": Npi("1234567893"),
        "address": Address(line1="1 Main St", line2="Suite 2", city="Springfield", state="IL", postal_code="62701"),
        "phone": Phone("+12175550100"),
        "created_at": at,
        "updated_at": at,
    }
    values.update(overrides)
    return Practice(**values)


def user(**overrides: Any) -> User:
    at = overrides.pop("created_at", None) or later()
    values: dict[str, Any] = {
        "id": UserId(new_id()),
        "email": Email(f"user-{uuid4().hex[:10]}@example.com"),
        "name": "Dana Doctor",
        "role": Role.DOCTOR,
        "password_hash": "$argon2id$fake",
        "grants": frozenset({Permission.AUDIT_READ}),
        "revocations": frozenset({Permission.ORDERS_CREATE}),
        "created_at": at,
        "updated_at": at,
        "password_changed_at": at,
    }
    values.update(overrides)
    return User(**values)


def insurance(**overrides: Any) -> Insurance:
    values: dict[str, Any] = {
        "rank": InsuranceRank.PRIMARY,
        "payer_name": "Acme Health",
        "member_id": "ABC-123 456",
        "plan_type": PlanType.COMMERCIAL,
        "subscriber_relationship": SubscriberRelationship.SPOUSE,
        "payer_id": "60054",
        "group_number": "GRP-1",
        "subscriber": Subscriber(name=PersonName(first="Sam", last="Smith"), date_of_birth=date(1950, 2, 3)),
    }
    values.update(overrides)
    return Insurance(**values)


def patient(practice_id: PracticeId, **overrides: Any) -> Patient:
    at = overrides.pop("created_at", None) or later()
    values: dict[str, Any] = {
        "id": PatientId(new_id()),
        "practice_id": practice_id,
        "name": PersonName(first="Ana", last="García"),
        "date_of_birth": date(1948, 7, 14),
        "sex": Sex.FEMALE,
        "phone": Phone("+12175550123"),
        "email": Email("ana@example.com"),
        "address": Address(line1="9 Elm St", line2=None, city="Peoria", state="IL", postal_code="61602"),
        "insurances": (
            insurance(),
            insurance(
                rank=InsuranceRank.SECONDARY,
                payer_name="Medicare",
                member_id="1EG4-TE5-MK73",
                plan_type=PlanType.MEDICARE,
                subscriber_relationship=SubscriberRelationship.SELF,
                payer_id=None,
                group_number=None,
                subscriber=None,
            ),
        ),
        "created_by": UserId(new_id()),
        "created_at": at,
        "updated_at": at,
    }
    values.update(overrides)
    return Patient(**values)

"""A test harness around the real container: accounts, logins and actors in a line each."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from attrs import define
from returns.result import Failure, Result, Success

from adapters.notifications import InMemoryResetNotifier
from entrypoints.container import Container, build_container
from entrypoints.settings import load_settings
from ivr_domain.admin.ports import AuditQuery
from ivr_domain.identity.model import User
from ivr_domain.identity.use_cases.auth import Login, TokenPair
from ivr_domain.identity.use_cases.hierarchy import AssignMember
from ivr_domain.identity.use_cases.users import CreateUser
from ivr_domain.patients.model import Sex
from ivr_domain.patients.use_cases import CreatePatient
from ivr_domain.patients.validation import InsuranceInput, PatientInput
from ivr_domain.shared.actor import SYSTEM_ACTOR, Actor, Role
from ivr_domain.shared.audit import AuditEntry
from ivr_domain.shared.clock import MovableClock
from ivr_domain.shared.ids import PracticeId
from ivr_domain.shared.insurance import InsuranceRank, PlanType
from ivr_domain.shared.paging import MAX_LIMIT, PageRequest

T = TypeVar("T")
E = TypeVar("E")

PASSWORD = "correct horse battery staple"


def settings_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Return the environment of a fast, quiet test platform."""
    return {
        "IVR_DATABASE_URL": "memory",
        "IVR_DATA_DIR": str(tmp_path),
        "IVR_PASSWORD_HASHING": "fast",
        "IVR_SESSION_CACHE_SECONDS": "0",
        "IVR_SESSION_TOUCH_SECONDS": "0",
        "IVR_NOTIFIER": "memory",
        **extra,
    }


def value_of(result: Result[T, object]) -> T:
    """Return a success's value, failing the test with the error otherwise."""
    match result:
        case Success(value):
            return value
        case Failure(error):
            raise AssertionError(f"expected success, got {error!r}")
    raise AssertionError("not a Result")


def error_of(result: Result[object, E]) -> E:
    """Return a failure's error, failing the test when the result succeeded."""
    match result:
        case Failure(error):
            return error
        case Success(value):
            raise AssertionError(f"expected failure, got {value!r}")
    raise AssertionError("not a Result")


@define
class Platform:
    """The container plus a clock the test moves."""

    container: Container
    clock: MovableClock

    @property
    def notifier(self) -> InMemoryResetNotifier:
        """Return the notifier that keeps reset tokens."""
        notifier = self.container.reset_notifier()
        assert isinstance(notifier, InMemoryResetNotifier)
        return notifier

    def user(self, email: str, role: Role, *, practice: str | None = None, name: str = "Test Person") -> User:
        """Create an account as the system actor."""
        cmd = CreateUser(email=email, name=name, role=role, password=PASSWORD, practice_name=practice)
        return value_of(self.container.create_user()(SYSTEM_ACTOR, cmd))

    def login(self, email: str, password: str = PASSWORD, address: str = "203.0.113.7") -> Result[TokenPair, object]:
        """Log in through the real handler."""
        return self.container.login()(Login(email=email, password=password, client_address=address))

    def actor(self, email: str) -> Actor:
        """Log in and authenticate, returning the actor a request would carry."""
        pair = value_of(self.login(email))
        return value_of(self.container.authenticate()(pair.access_token))

    def audit(self, query: AuditQuery | None = None) -> list[AuditEntry]:
        """Return the committed audit entries a query finds, newest first (ties in any order)."""
        with self.container.uow() as uow:
            page = uow.audit_records.search(query or AuditQuery(), PageRequest(limit=MAX_LIMIT, sort="-at"))
        return list(page.items)

    def assign(self, manager: User, member: User) -> None:
        """Put a member under a manager."""
        cmd = AssignMember(manager_id=manager.id, member_user_id=member.id)
        value_of(self.container.assign_member()(SYSTEM_ACTOR, cmd))

    def patient_input(self, first: str = "Ada", last: str = "Sample", born: date = date(1950, 3, 14)) -> PatientInput:
        """Return a complete, valid patient body."""
        return PatientInput(
            first_name=first,
            last_name=last,
            date_of_birth=born,
            sex=Sex.FEMALE,
            phone="+1 217 555 0142",
            email="ada@example.org",
            insurances=(
                InsuranceInput(
                    rank=InsuranceRank.PRIMARY,
                    payer_name="Medicare Part B",
                    payer_id="00952",
                    member_id="1EG4TE5MK73",
                    plan_type=PlanType.MEDICARE,
                ),
            ),
        )

    def patient(self, practice_id: PracticeId | None, **kwargs: object) -> object:
        """Create a patient for a practice as the system actor."""
        body = self.patient_input(**kwargs)  # type: ignore[arg-type]
        cmd = CreatePatient(patient=body, practice_id=practice_id, allow_duplicate=True)
        return value_of(self.container.create_patient()(SYSTEM_ACTOR, cmd))


def memory_platform(tmp_path: Path, *, now: datetime, env: Mapping[str, str] | None = None) -> Platform:
    """Build a platform on the memory profile with a movable clock."""
    clock = MovableClock(now)
    settings = load_settings(settings_env(tmp_path, **(env or {})))
    return Platform(container=build_container(settings, clock=clock), clock=clock)

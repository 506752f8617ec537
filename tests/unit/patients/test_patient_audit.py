"""Every touch of a patient is audited: who, which patients (masked views too), why, how it ended — never PHI."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivr_domain.admin.ports import AuditQuery
from ivr_domain.identity.model import User
from ivr_domain.patients.model import MaskedPatient, Patient
from ivr_domain.patients.ports import MemberIdSearch, NameAndBirthDate, PatientFilter
from ivr_domain.patients.use_cases import ArchivePatient, CreatePatient, UpdatePatient
from ivr_domain.patients.validation import PatientInput
from ivr_domain.shared.actor import Actor, Origin, Purpose, Role
from ivr_domain.shared.audit import AuditEntry, Outcome
from ivr_domain.shared.errors import Conflict, NotFound, NotPermitted, PreconditionFailed, ValidationFailed
from ivr_domain.shared.paging import PageRequest
from tests.platform import Platform, error_of, memory_platform, value_of

CLINIC = "Springfield Wound Clinic"


@pytest.fixture
def doctor_user(platform: Platform) -> User:
    return platform.user("doc@example.org", Role.DOCTOR, practice=CLINIC)


@pytest.fixture
def doctor(platform: Platform, doctor_user: User) -> Actor:
    return platform.actor(doctor_user.email.value)


@pytest.fixture
def seller(platform: Platform, doctor_user: User) -> Actor:
    """A salesperson over the doctor's practice: patients in reach, masked."""
    user = platform.user("seller@example.org", Role.SALESPERSON)
    platform.assign(user, doctor_user)
    return platform.actor(user.email.value)


def _create(platform: Platform, actor: Actor, body: PatientInput | None = None) -> Patient:
    cmd = CreatePatient(patient=body or platform.patient_input(), allow_duplicate=True)
    view = value_of(platform.container.create_patient()(actor, cmd))
    assert isinstance(view, Patient)
    return view


def _entries(platform: Platform, action: str, **query: object) -> list[AuditEntry]:
    return platform.audit(AuditQuery(action=action, **query))  # type: ignore[arg-type]


def _only(platform: Platform, action: str, **query: object) -> AuditEntry:
    found = _entries(platform, action, **query)
    assert len(found) == 1, found
    return found[0]


def test_a_read_writes_one_entry_with_the_actor_the_patient_and_the_purpose(platform: Platform, doctor: Actor) -> None:
    patient = _create(platform, doctor)
    value_of(platform.container.get_patient()(doctor, patient.id))
    entry = _only(platform, "patients.read")
    assert entry.outcome is Outcome.SUCCESS
    assert (entry.user_id, entry.role, entry.session_id) == (doctor.user_id, Role.DOCTOR, doctor.session_id)
    assert entry.patient_ids == (patient.id,)
    assert (entry.resource_type, entry.resource_id) == ("patient", str(patient.id))
    assert entry.purpose is Purpose.TREATMENT
    assert entry.at == platform.clock.now()


def test_a_list_entry_names_every_patient_on_the_page_and_no_other(platform: Platform, doctor: Actor) -> None:
    created = [_create(platform, doctor) for _ in range(3)]
    page = value_of(platform.container.list_patients()(doctor, PatientFilter(), PageRequest(limit=2)))
    entry = _only(platform, "patients.list")
    assert set(entry.patient_ids) == {p.id for p in page.items}
    assert len(entry.patient_ids) == 2
    assert set(entry.patient_ids) < {p.id for p in created}


def test_a_search_entry_names_every_match(platform: Platform, doctor: Actor) -> None:
    twins = [_create(platform, doctor) for _ in range(2)]
    _create(platform, doctor, platform.patient_input(first="Other", last="Person"))
    query = NameAndBirthDate(last_name="Sample", date_of_birth=date(1950, 3, 14))
    found = value_of(platform.container.search_patients()(doctor, query))
    assert {p.id for p in found} == {p.id for p in twins}
    assert set(_only(platform, "patients.search").patient_ids) == {p.id for p in twins}
    value_of(platform.container.search_patients()(doctor, MemberIdSearch(member_id="NOBODY-HAS-THIS")))
    assert any(e.patient_ids == () for e in _entries(platform, "patients.search"))


def test_masked_views_are_audited_like_full_ones(platform: Platform, doctor: Actor, seller: Actor) -> None:
    patient = _create(platform, doctor)
    view = value_of(platform.container.get_patient()(seller, patient.id))
    page = value_of(platform.container.list_patients()(seller, PatientFilter(), PageRequest()))
    assert isinstance(view, MaskedPatient)
    assert all(isinstance(p, MaskedPatient) for p in page.items)
    read = _only(platform, "patients.read", user_id=seller.user_id)
    listed = _only(platform, "patients.list", user_id=seller.user_id)
    assert read.patient_ids == listed.patient_ids == (patient.id,)
    assert (read.role, read.purpose) == (Role.SALESPERSON, Purpose.OPERATIONS)


@pytest.mark.parametrize(
    ("role", "purpose"),
    [
        (Role.DOCTOR, Purpose.TREATMENT),
        (Role.IVR_STAFF, Purpose.PAYMENT),
        (Role.ADMIN, Purpose.OPERATIONS),
        (Role.DISTRIBUTOR, Purpose.OPERATIONS),
        (Role.LOGISTICS, Purpose.OPERATIONS),
    ],
)
def test_each_role_has_a_default_purpose_and_a_stated_one_overrides_it(
    platform: Platform, role: Role, purpose: Purpose
) -> None:
    user = platform.user("someone@example.org", role, practice=CLINIC if role is Role.DOCTOR else None)
    actor = platform.actor(user.email.value)
    platform.container.list_patients()(actor, PatientFilter(), PageRequest())
    assert _only(platform, "patients.list").purpose is purpose
    stated = attrs.evolve(actor, origin=Origin(purpose=Purpose.EMERGENCY, client_address="192.0.2.1"))
    platform.container.list_patients()(stated, PatientFilter(), PageRequest())
    emergency = [e for e in _entries(platform, "patients.list") if e.purpose is Purpose.EMERGENCY]
    assert [e.client_address for e in emergency] == ["192.0.2.1"]


def test_a_foreign_patient_is_a_denied_read_that_changes_nothing_else(platform: Platform, doctor: Actor) -> None:
    patient = _create(platform, doctor)
    platform.user("elsewhere@example.org", Role.DOCTOR, practice="Shelbyville Clinic")
    stranger = platform.actor("elsewhere@example.org")
    before = platform.audit()
    assert isinstance(error_of(platform.container.get_patient()(stranger, patient.id)), NotFound)
    cmd = UpdatePatient(patient_id=patient.id, patient=platform.patient_input(first="Changed"))
    assert isinstance(error_of(platform.container.update_patient()(stranger, cmd)), NotFound)
    after = platform.audit()
    new = [e for e in after if e not in before]
    assert sorted(e.action for e in new) == ["patients.read", "patients.update"]
    for entry in new:
        assert (entry.outcome, entry.reason, entry.user_id) == (Outcome.DENIED, "not_found", stranger.user_id)
        assert (entry.resource_id, entry.patient_ids) == (str(patient.id), (patient.id,))
        assert entry.changed_fields == ()
    assert value_of(platform.container.get_patient()(doctor, patient.id)) == patient


def test_a_forbidden_write_is_denied_with_its_reason_and_changes_nothing(
    platform: Platform, doctor: Actor, seller: Actor
) -> None:
    patient = _create(platform, doctor)
    cmd = UpdatePatient(patient_id=patient.id, patient=platform.patient_input(first="Changed"))
    assert isinstance(error_of(platform.container.update_patient()(seller, cmd)), NotPermitted)
    archive = ArchivePatient(patient_id=patient.id)
    assert isinstance(error_of(platform.container.archive_patient()(seller, archive)), NotPermitted)
    for action in ("patients.update", "patients.archive"):
        entry = _only(platform, action)
        assert (entry.outcome, entry.reason, entry.role) == (Outcome.DENIED, "not_permitted", Role.SALESPERSON)
        assert entry.patient_ids == (patient.id,)
    assert value_of(platform.container.get_patient()(doctor, patient.id)) == patient


def test_writes_record_the_names_of_the_fields_they_set_or_changed(platform: Platform, doctor: Actor) -> None:
    patient = _create(platform, doctor)
    created = _only(platform, "patients.create")
    assert created.patient_ids == (patient.id,)
    assert set(created.changed_fields) == {"name", "date_of_birth", "sex", "phone", "email", "insurances"}
    body = attrs.evolve(platform.patient_input(), phone="+1 217 555 0199")
    cmd = UpdatePatient(patient_id=patient.id, patient=body, expected_version=patient.version)
    value_of(platform.container.update_patient()(doctor, cmd))
    assert _only(platform, "patients.update").changed_fields == ("phone",)
    assert isinstance(error_of(platform.container.update_patient()(doctor, cmd)), PreconditionFailed)
    stale = _only(platform, "patients.update", outcome=Outcome.INVALID)
    assert stale.reason == "precondition_failed"
    value_of(platform.container.archive_patient()(doctor, ArchivePatient(patient_id=patient.id)))
    assert _only(platform, "patients.archive").changed_fields == ("archived",)


def test_a_duplicate_refusal_lists_the_patient_it_disclosed(platform: Platform, doctor: Actor) -> None:
    existing = _create(platform, doctor)
    cmd = CreatePatient(patient=platform.patient_input())
    assert isinstance(error_of(platform.container.create_patient()(doctor, cmd)), Conflict)
    refused = _only(platform, "patients.create", outcome=Outcome.INVALID)
    assert (refused.reason, refused.patient_ids) == ("conflict", (existing.id,))


def test_a_refused_search_or_list_is_audited_without_its_terms(platform: Platform, doctor: Actor) -> None:
    blank = NameAndBirthDate(last_name="  ", date_of_birth=date(1950, 3, 14))
    assert isinstance(error_of(platform.container.search_patients()(doctor, blank)), ValidationFailed)
    assert _only(platform, "patients.search").reason == "validation_failed"
    platform.user("boxes@example.org", Role.LOGISTICS)
    logistics = platform.actor("boxes@example.org")
    error_of(platform.container.list_patients()(logistics, PatientFilter(), PageRequest()))
    denied = _only(platform, "patients.list", outcome=Outcome.DENIED)
    assert (denied.reason, denied.role) == ("not_permitted", Role.LOGISTICS)


# --- no entry of any kind ever holds a patient's PHI -------------------------------------------------------------

NAMES = st.from_regex(r"[A-Z][a-z]{7,15}", fullmatch=True)


@attrs.frozen
class Phi:
    """One patient's identifying details, and the last name an update gives them."""

    first: str
    last: str
    born: date
    phone: str
    member_id: str
    new_last: str

    def values(self) -> tuple[str, ...]:
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        return (
            self.first,
            self.last,
            self.new_last,
            self.member_id,
            self.phone,
            digits,
            digits[1:],
            self.born.isoformat(),
            repr(self.born),
        )


PHI = st.builds(
    Phi,
    first=NAMES,
    last=NAMES,
    born=st.dates(min_value=date(1920, 1, 1), max_value=date(2005, 12, 31)),
    phone=st.sampled_from(["+1 217 555 0142", "+1 312 555 0187", "+1 415 555 0123"]),
    # Leading letters outside hexadecimal, so no id's text can contain one by chance.
    member_id=st.from_regex(r"[G-Z]{2}[0-9][A-Z0-9]{5,9}", fullmatch=True),
    new_last=NAMES,
)


def _phi_platform(tmp: Path) -> tuple[Platform, Actor, Actor, Actor, Actor]:
    platform = memory_platform(tmp, now=datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    doctor_user = platform.user("doc@example.org", Role.DOCTOR, practice=CLINIC)
    seller_user = platform.user("seller@example.org", Role.SALESPERSON)
    platform.assign(seller_user, doctor_user)
    platform.user("elsewhere@example.org", Role.DOCTOR, practice="Shelbyville Clinic")
    platform.user("boxes@example.org", Role.LOGISTICS)
    emails = ("doc@example.org", "seller@example.org", "elsewhere@example.org", "boxes@example.org")
    doctor, seller, stranger, logistics = (platform.actor(e) for e in emails)
    return platform, doctor, seller, stranger, logistics


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(phi=PHI)
def test_no_audit_entry_ever_holds_a_patients_phi(tmp_path_factory: pytest.TempPathFactory, phi: Phi) -> None:
    platform, doctor, seller, stranger, logistics = _phi_platform(tmp_path_factory.mktemp("phi"))
    c = platform.container
    base = platform.patient_input(first=phi.first, last=phi.last, born=phi.born)
    insurance = attrs.evolve(base.insurances[0], member_id=phi.member_id)
    email = f"{phi.first}.{phi.last}@example.org".lower()
    body = attrs.evolve(base, phone=phi.phone, email=email, insurances=(insurance,))
    patient = _create(platform, doctor, body)
    c.create_patient()(doctor, CreatePatient(patient=body))  # a duplicate: refused
    c.create_patient()(doctor, CreatePatient(patient=attrs.evolve(body, date_of_birth=date(2099, 1, 1))))
    name_search = NameAndBirthDate(last_name=phi.last, first_name=phi.first, date_of_birth=phi.born)
    for actor in (doctor, seller, stranger, logistics):
        c.get_patient()(actor, patient.id)
        c.list_patients()(actor, PatientFilter(), PageRequest())
        c.search_patients()(actor, name_search)
        c.search_patients()(actor, MemberIdSearch(member_id=phi.member_id))
    renamed = attrs.evolve(body, last_name=phi.new_last)
    c.update_patient()(seller, UpdatePatient(patient_id=patient.id, patient=renamed))
    value_of(c.update_patient()(doctor, UpdatePatient(patient_id=patient.id, patient=renamed)))
    c.update_patient()(doctor, UpdatePatient(patient_id=patient.id, patient=body, expected_version=1))
    value_of(c.archive_patient()(doctor, ArchivePatient(patient_id=patient.id)))

    entries = platform.audit()
    assert {e.outcome for e in entries} == set(Outcome)
    touched = {e.action for e in entries if patient.id in e.patient_ids}
    assert touched >= {f"patients.{verb}" for verb in ("create", "read", "list", "search", "update", "archive")}
    text = repr([attrs.asdict(e) for e in entries]).lower()
    for value in (*phi.values(), email):
        assert value.lower() not in text, value

"""Patients: validation, duplicates, versions, archive, search, scope and projections."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
import pytest

from adapters.memory.patients import InMemoryPatientRepository
from ivr_domain.patients.model import MaskedPatient, Patient, SubscriberRelationship
from ivr_domain.patients.ports import MemberIdSearch, NameAndBirthDate, PatientFilter
from ivr_domain.patients.use_cases import ArchivePatient, CreatePatient, UpdatePatient
from ivr_domain.patients.validation import SubscriberInput
from ivr_domain.shared.actor import Actor, Role
from ivr_domain.shared.errors import (
    Conflict,
    InvalidQuery,
    NotFound,
    NotPermitted,
    PreconditionFailed,
    ValidationFailed,
)
from ivr_domain.shared.paging import PageRequest
from ivr_domain.shared.validation import AddressInput
from tests.platform import Platform, error_of, value_of


@pytest.fixture
def doctor(platform: Platform) -> Actor:
    platform.user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    return platform.actor("doc@example.org")


def _create(platform: Platform, actor: Actor, **changes: object) -> Patient:
    body = attrs.evolve(platform.patient_input(), **changes)
    view = value_of(platform.container.create_patient()(actor, CreatePatient(patient=body)))
    assert isinstance(view, Patient)
    return view


def test_a_doctor_creates_a_patient_for_their_practice_with_normalised_values(
    platform: Platform, doctor: Actor
) -> None:
    patient = _create(platform, doctor, phone="(217) 555-0142", email=" Ada@Example.org ")
    assert patient.practice_id == doctor.practice_id
    assert patient.phone is not None
    assert patient.phone.e164 == "+12175550142"
    assert patient.email is not None
    assert patient.email.value == "ada@example.org"
    assert patient.version == 1


def test_every_invalid_field_is_reported_at_once(platform: Platform, doctor: Actor) -> None:
    body = attrs.evolve(
        platform.patient_input(),
        first_name=" ",
        date_of_birth=date(2030, 1, 1),
        phone="12",
        email="nope",
        address=AddressInput(line1="", city="Springfield", state="ZZ", postal_code="6270"),
    )
    failure = error_of(platform.container.create_patient()(doctor, CreatePatient(patient=body)))
    assert isinstance(failure, ValidationFailed)
    assert {e.field for e in failure.errors} == {
        "first_name",
        "date_of_birth",
        "phone",
        "email",
        "address.line1",
        "address.state",
        "address.postal_code",
    }


def test_a_subscriber_other_than_the_patient_needs_name_and_birth_date(platform: Platform, doctor: Actor) -> None:
    base = platform.patient_input()
    spouse = attrs.evolve(base.insurances[0], subscriber_relationship=SubscriberRelationship.SPOUSE)
    failure = error_of(
        platform.container.create_patient()(doctor, CreatePatient(patient=attrs.evolve(base, insurances=(spouse,))))
    )
    assert isinstance(failure, ValidationFailed)
    assert failure.errors[0].field == "insurances[0].subscriber"
    with_subscriber = attrs.evolve(
        spouse, subscriber=SubscriberInput(first_name="Bob", last_name="Sample", date_of_birth=date(1948, 1, 2))
    )
    patient = _create(platform, doctor, insurances=(with_subscriber,))
    assert patient.insurances[0].subscriber is not None


def test_two_insurances_of_one_rank_are_refused(platform: Platform, doctor: Actor) -> None:
    base = platform.patient_input()
    failure = error_of(
        platform.container.create_patient()(
            doctor, CreatePatient(patient=attrs.evolve(base, insurances=(base.insurances[0], base.insurances[0])))
        )
    )
    assert isinstance(failure, ValidationFailed)
    assert failure.errors[0].field == "insurances[1].rank"


def test_a_likely_duplicate_answers_conflict_with_the_existing_id_unless_allowed(
    platform: Platform, doctor: Actor
) -> None:
    first = _create(platform, doctor)
    again = attrs.evolve(platform.patient_input(), first_name="ADA ", last_name="sámple")
    conflict = error_of(platform.container.create_patient()(doctor, CreatePatient(patient=again)))
    assert isinstance(conflict, Conflict)
    assert conflict.existing_id == str(first.id)
    allowed = value_of(platform.container.create_patient()(doctor, CreatePatient(patient=again, allow_duplicate=True)))
    assert allowed.id != first.id


def test_updates_are_versioned(platform: Platform, doctor: Actor) -> None:
    patient = _create(platform, doctor)
    body = attrs.evolve(platform.patient_input(), last_name="Lovelace")
    updated = value_of(
        platform.container.update_patient()(
            doctor, UpdatePatient(patient_id=patient.id, patient=body, expected_version=1)
        )
    )
    assert isinstance(updated, Patient)
    assert (updated.name.last, updated.version) == ("Lovelace", 2)
    stale = UpdatePatient(patient_id=patient.id, patient=body, expected_version=1)
    assert isinstance(error_of(platform.container.update_patient()(doctor, stale)), PreconditionFailed)


def test_archived_patients_leave_the_list_and_search_but_can_be_listed_on_request(
    platform: Platform, doctor: Actor
) -> None:
    patient = _create(platform, doctor)
    value_of(platform.container.archive_patient()(doctor, ArchivePatient(patient_id=patient.id)))
    list_patients = platform.container.list_patients()
    assert value_of(list_patients(doctor, PatientFilter(), PageRequest())).items == ()
    archived = value_of(list_patients(doctor, PatientFilter(archived=True), PageRequest())).items
    assert [p.id for p in archived] == [patient.id]
    query = NameAndBirthDate(last_name="Sample", date_of_birth=date(1950, 3, 14))
    assert value_of(platform.container.search_patients()(doctor, query)) == ()


def test_search_matches_normalised_names_and_member_ids(platform: Platform, doctor: Actor) -> None:
    patient = _create(platform, doctor)
    search = platform.container.search_patients()
    by_last = NameAndBirthDate(last_name="  SÁMPLE ", date_of_birth=date(1950, 3, 14))
    by_full = NameAndBirthDate(last_name="sample", first_name="ada", date_of_birth=date(1950, 3, 14))
    wrong_first = NameAndBirthDate(last_name="sample", first_name="eve", date_of_birth=date(1950, 3, 14))
    wrong_date = NameAndBirthDate(last_name="sample", date_of_birth=date(1950, 3, 15))
    assert [p.id for p in value_of(search(doctor, by_last))] == [patient.id]
    assert [p.id for p in value_of(search(doctor, by_full))] == [patient.id]
    assert value_of(search(doctor, wrong_first)) == ()
    assert value_of(search(doctor, wrong_date)) == ()
    assert [p.id for p in value_of(search(doctor, MemberIdSearch(member_id="1eg4-te5mk73")))] == [patient.id]
    assert isinstance(error_of(search(doctor, MemberIdSearch(member_id=" "))), ValidationFailed)


def test_another_practice_sees_nothing(platform: Platform, doctor: Actor) -> None:
    patient = _create(platform, doctor)
    platform.user("other@example.org", Role.DOCTOR, practice="Elsewhere")
    other = platform.actor("other@example.org")
    assert isinstance(error_of(platform.container.get_patient()(other, patient.id)), NotFound)
    body = platform.patient_input()
    assert isinstance(
        error_of(platform.container.update_patient()(other, UpdatePatient(patient_id=patient.id, patient=body))),
        NotFound,
    )
    assert value_of(platform.container.list_patients()(other, PatientFilter(), PageRequest())).items == ()


def test_the_sales_hierarchy_sees_masked_patients_and_cannot_write(platform: Platform, doctor: Actor) -> None:
    patient = _create(platform, doctor)
    sales = platform.user("sales@example.org", Role.SALESPERSON)
    doc_user = value_of(platform.container.get_user()(doctor, doctor.user_id))
    platform.assign(sales, doc_user)
    actor = platform.actor("sales@example.org")
    view = value_of(platform.container.get_patient()(actor, patient.id))
    assert view == MaskedPatient(
        id=patient.id,
        practice_id=patient.practice_id,
        initials="AS",
        archived=False,
        created_at=patient.created_at,
        updated_at=patient.updated_at,
        version=1,
    )
    listed = value_of(platform.container.list_patients()(actor, PatientFilter(), PageRequest())).items
    assert all(isinstance(p, MaskedPatient) for p in listed)
    body = platform.patient_input()
    denied = error_of(platform.container.update_patient()(actor, UpdatePatient(patient_id=patient.id, patient=body)))
    assert isinstance(denied, NotPermitted)


def test_masked_reads_ask_the_store_for_masked_views_only(
    platform: Platform, doctor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    patient = _create(platform, doctor)
    sales = platform.user("sales@example.org", Role.SALESPERSON)
    platform.assign(sales, value_of(platform.container.get_user()(doctor, doctor.user_id)))
    asked: list[str] = []
    for name in ("get_masked", "list_masked", "search_masked"):
        read = getattr(InMemoryPatientRepository, name)

        def watched(
            self: InMemoryPatientRepository, *args: Any, _read: Any = read, _name: str = name, **kwargs: Any
        ) -> Any:
            asked.append(_name)
            return _read(self, *args, **kwargs)

        monkeypatch.setattr(InMemoryPatientRepository, name, watched)
    query = NameAndBirthDate(last_name=patient.name.last, date_of_birth=patient.date_of_birth)
    c = platform.container
    for actor in (doctor, platform.actor("sales@example.org")):
        views = (
            value_of(c.get_patient()(actor, patient.id)),
            *value_of(c.list_patients()(actor, PatientFilter(), PageRequest())).items,
            *value_of(c.search_patients()(actor, query)),
        )
        assert len(views) == 3
        if actor is doctor:
            assert asked == []  # the full projection reads full patients
            assert all(isinstance(v, Patient) for v in views)
        else:
            assert asked == ["get_masked", "list_masked", "search_masked"]
            assert [v.initials for v in views if isinstance(v, MaskedPatient)] == ["AS"] * 3


def test_logistics_gets_403_on_the_list_and_404_on_a_patient(platform: Platform, doctor: Actor) -> None:
    patient = _create(platform, doctor)
    platform.user("ship@example.org", Role.LOGISTICS)
    actor = platform.actor("ship@example.org")
    assert isinstance(error_of(platform.container.list_patients()(actor, PatientFilter(), PageRequest())), NotPermitted)
    assert isinstance(error_of(platform.container.get_patient()(actor, patient.id)), NotFound)


def test_verification_staff_reach_only_patients_with_a_submitted_ivr(platform: Platform, doctor: Actor) -> None:
    patient = _create(platform, doctor)
    platform.user("staff@example.org", Role.IVR_STAFF)
    staff = platform.actor("staff@example.org")
    assert isinstance(error_of(platform.container.get_patient()(staff, patient.id)), NotFound)


def test_bad_sorts_and_cursors_are_invalid_queries(platform: Platform, doctor: Actor) -> None:
    list_patients = platform.container.list_patients()
    assert isinstance(error_of(list_patients(doctor, PatientFilter(), PageRequest(sort="last_name"))), InvalidQuery)
    assert isinstance(error_of(list_patients(doctor, PatientFilter(), PageRequest(cursor="garbage"))), InvalidQuery)


def test_admins_name_the_practice_and_it_must_exist(platform: Platform, doctor: Actor) -> None:
    platform.user("admin@example.org", Role.ADMIN)
    admin = platform.actor("admin@example.org")
    body = platform.patient_input()
    missing = error_of(platform.container.create_patient()(admin, CreatePatient(patient=body)))
    assert isinstance(missing, ValidationFailed)
    assert missing.errors[0].field == "practice_id"
    created = value_of(
        platform.container.create_patient()(admin, CreatePatient(patient=body, practice_id=doctor.practice_id))
    )
    assert created.practice_id == doctor.practice_id

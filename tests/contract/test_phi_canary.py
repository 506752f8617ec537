"""Canary: distinctive PHI values (patients, IVRs, IVR history) must appear nowhere in the database in plaintext."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from adapters.sqlalchemy.tables import metadata
from ivr_domain.ivr.model import InfoRequest, IvrStatus, Physician, Rejection, RejectionReason, Wound
from ivr_domain.patients.model import Patient, Subscriber
from ivr_domain.patients.ports import MemberIdSearch, NameAndBirthDate
from ivr_domain.shared.actor import Scope
from ivr_domain.shared.values import Address, Email, PersonName, Phone
from tests.contract import builders
from tests.contract.conftest import Backend, UowFactory
from tests.contract.stored import stored_values

CANARIES = [
    "Zebulonqx",
    "Quillfeatherby",
    "CANARY98765",
    "Grpcanary55",
    "Payercanaryhealth",
    "Subcanaryname",
    "Canarystreet",
    "Canaryville",
    "canarymail",
    "5559876",
    "1931-05-17",
    "1929-11-02",
    "Ivrnotecanary",
    "Woundsitecanary",
    "Physiciancanary",
    "Inforequestcanary",
    "Historynotecanary",
    "Explanationcanary",
]


def _store_canaries(backend: Backend) -> None:
    uow = backend.fresh()
    patient = _canary_patient(uow)
    _store_canary_ivr(uow, patient)


def _canary_patient(uow: UowFactory) -> Patient:
    practice = builders.practice()
    patient = builders.patient(
        practice.id,
        name=PersonName(first="Zebulonqx", last="Quillfeatherby"),
        date_of_birth=date(1931, 5, 17),
        phone=Phone("+12175559876"),
        email=Email("zeb@canarymail.example.com"),
        address=Address(
            line1="77 Canarystreet", line2="Apt Canary", city="Canaryville", state="IL", postal_code="62701"
        ),
        insurances=(
            builders.insurance(
                member_id="CANARY98765",
                group_number="Grpcanary55",
                payer_name="Payercanaryhealth",
                # Not a canary: the primary payer id is kept in clear on submitted IVRs (ADR 0006).
                payer_id="60054",
                subscriber=Subscriber(
                    name=PersonName(first="Subcanaryname", last="Quillfeatherby"), date_of_birth=date(1929, 11, 2)
                ),
            ),
        ),
    )
    with uow() as u:
        u.practices.add(practice)
        u.patients.add(patient)
        u.commit()
    with uow() as u:
        assert u.patients.get(patient.id, scope=Scope(everything=True)) == patient
        assert u.patients.search(MemberIdSearch(member_id="canary-98765"), scope=Scope(everything=True), limit=1)
        query = NameAndBirthDate(last_name="quillfeatherby", first_name="ZEBULONQX", date_of_birth=date(1931, 5, 17))
        assert u.patients.search(query, scope=Scope(everything=True), limit=1)
    return patient


def _store_canary_ivr(uow: UowFactory, patient: Patient) -> None:
    """An IVR whose form, snapshot, request and rejection, and whose history note, all carry canaries."""
    content = builders.ivr_content(
        notes="Ivrnotecanary prefers mornings",
        physician=Physician(name="Dr. Physiciancanary", npi="1234567893", tin="12-3456789"),
        wounds=(Wound(site="Woundsitecanary left heel", length_cm=Decimal("1.00"), width_cm=Decimal("1.00")),),
    )
    ivr = builders.ivr(
        patient.practice_id,
        patient.id,
        status=IvrStatus.REJECTED,
        content=content,
        patient_initials="ZQ",
        patient_snapshot=builders.patient_snapshot(patient),
        submitted_at=builders.later(),
        info_request=InfoRequest(message="Inforequestcanary photos please", requested_at=builders.later()),
        rejection=Rejection(reason_code=RejectionReason.OTHER, explanation="Explanationcanary is not covered here"),
    )
    entry = builders.history_entry(ivr.id, note="Historynotecanary called the payer")
    with uow() as u:
        u.ivrs.add(ivr)
        u.ivr_history.append(entry)
        u.commit()
    with uow() as u:
        assert u.ivrs.get(ivr.id, scope=Scope(everything=True)) == ivr
        assert u.ivr_history.of(ivr.id) == (entry,)


def _assert_no_canary_in_columns(engine: sa.Engine) -> None:
    for table, column, raw in stored_values(engine):
        for canary in CANARIES:
            assert canary.encode() not in raw, f"{canary} in {table}.{column}"
            assert canary.lower().encode() not in raw.lower(), f"{canary} in {table}.{column}"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_no_phi_in_the_sqlite_file(backend: Backend) -> None:
    _store_canaries(backend)
    assert backend.engine is not None
    with backend.engine.connect() as db:
        db.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(str(backend.engine.url.database))
    files = [p for p in (path, Path(f"{path}-wal")) if p.exists()]
    content = b"".join(p.read_bytes() for p in files).lower()
    assert len(content) > 0
    for canary in CANARIES:
        assert canary.lower().encode() not in content, canary
    _assert_no_canary_in_columns(backend.engine)


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_no_phi_in_postgresql_columns(backend: Backend) -> None:
    _store_canaries(backend)
    assert backend.engine is not None
    _assert_no_canary_in_columns(backend.engine)
    with backend.engine.connect() as db:
        for table in metadata.sorted_tables:
            whole_rows = sa.text(f"SELECT t::text FROM {table.name} AS t")  # noqa: S608 -- names from our own MetaData
            for (text,) in db.execute(whole_rows):
                for canary in CANARIES:
                    assert canary.lower() not in text.lower(), f"{canary} in {table.name}"

"""`ivr audit seal` and `ivr audit verify` over a SQLite database, intact and tampered with."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from adapters.sqlalchemy.tables import audit_log, audit_log_patients
from entrypoints.container import Container
from ivr_domain.shared.actor import SYSTEM_ACTOR
from ivr_domain.shared.ids import PatientId, new_id
from tests.cli.conftest import Invoke


def _write_entries(read_back: Callable[[], Container], count: int) -> Container:
    built = read_back()
    trail = built.audit_trail()
    for n in range(count):
        trail.write(trail.entry(SYSTEM_ACTOR, "users.read", resource_type="user", resource_id=n))
    return built


def test_seal_then_verify_reports_an_intact_chain(
    ivr: Invoke, migrated: None, read_back: Callable[[], Container]
) -> None:
    _write_entries(read_back, 5)
    before = ivr("audit", "verify", "--json")
    assert before.exit_code == 0, before.output
    assert json.loads(before.stdout)["unsealed"] >= 5
    sealed = ivr("audit", "seal")
    assert sealed.exit_code == 0, sealed.output
    assert sealed.stdout.startswith("sealed ")
    assert "not sealed yet" not in sealed.stdout
    after = ivr("audit", "verify")
    assert after.exit_code == 0, after.output
    assert "audit chain intact" in after.stdout
    assert "0 not sealed yet" in after.stdout


def test_verify_exits_non_zero_on_an_edited_entry(
    ivr: Invoke, migrated: None, read_back: Callable[[], Container]
) -> None:
    built = _write_entries(read_back, 5)
    assert ivr("audit", "seal").exit_code == 0
    with built.engine().begin() as db:
        db.execute(sa.update(audit_log).where(audit_log.c.position == 2).values(action="users.create"))
    result = ivr("audit", "verify")
    assert result.exit_code == 1
    assert "altered at position 2" in result.stderr
    assert "TAMPERED" in result.stdout


def test_verify_reports_a_truncated_tail_as_json(
    ivr: Invoke, migrated: None, read_back: Callable[[], Container]
) -> None:
    built = _write_entries(read_back, 5)
    assert ivr("audit", "seal").exit_code == 0
    with built.engine().begin() as db:
        tail = sa.select(audit_log.c.seq).where(audit_log.c.position > 3)
        db.execute(sa.delete(audit_log_patients).where(audit_log_patients.c.audit_seq.in_(tail)))
        db.execute(sa.delete(audit_log).where(audit_log.c.position > 3))
    result = ivr("audit", "verify", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["intact"] is False
    assert {p["finding"] for p in report["problems"]} == {"truncated"}


@pytest.mark.parametrize("tamper", ["delete", "insert"])
def test_verify_exits_non_zero_when_the_patient_index_of_a_sealed_entry_is_changed(
    ivr: Invoke, migrated: None, read_back: Callable[[], Container], tamper: str
) -> None:
    built = read_back()
    trail = built.audit_trail()
    patients = (PatientId(new_id()), PatientId(new_id()))
    for n in range(3):
        read = trail.entry(SYSTEM_ACTOR, "patients.read", resource_type="patient", resource_id=n, patients=patients)
        trail.write(read)
    assert ivr("audit", "seal").exit_code == 0
    with built.engine().begin() as db:
        seq = db.execute(sa.select(audit_log.c.seq).where(audit_log.c.position == 2)).scalar_one()
        index = audit_log_patients.c
        if tamper == "delete":  # the access report stops showing this read of patients[0]
            db.execute(sa.delete(audit_log_patients).where(index.audit_seq == seq, index.patient_id == patients[0]))
        else:
            at = db.execute(sa.select(index.at).where(index.audit_seq == seq).limit(1)).scalar_one()
            db.execute(sa.insert(audit_log_patients).values(audit_seq=seq, patient_id=new_id(), at=at))
    result = ivr("audit", "verify")
    assert result.exit_code == 1
    assert "index_mismatch at position 2: entry " in result.stderr
    assert "TAMPERED (1 findings)" in result.stdout
    assert str(patients[0]) not in result.output

"""The audit log through the real app: what requests record, who may read it, and the chain verifying."""

from __future__ import annotations

import time
from typing import Any

from ivr_domain.shared.actor import Role
from tests.e2e.conftest import API, E2E, PATIENTS, assert_problem

AUDIT = f"{API}/admin/audit-logs"


def _entries(e2e: E2E, **params: Any) -> list[dict[str, Any]]:
    response = e2e.client.get(AUDIT, params={"limit": 200, **params}, headers=e2e.admin_auth)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_reads_writes_and_denials_are_recorded_with_their_patients(e2e: E2E) -> None:
    doctor_id = e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    e2e.create_user("other@example.org", Role.DOCTOR, practice="Riverside Podiatry")
    doctor = e2e.login("doc@example.org")
    patient = e2e.create_patient(doctor)["id"]
    listed = e2e.client.get(PATIENTS, headers={**doctor, "X-Purpose-Of-Use": "payment"})
    assert listed.status_code == 200
    assert_problem(e2e.client.get(f"{PATIENTS}/{patient}", headers=e2e.login("other@example.org")), 404)
    assert e2e.login_response("doc@example.org", "wrong password entirely").status_code == 401

    mine = {(e["action"], e["outcome"], e["purpose"]) for e in _entries(e2e, patient_id=patient)}
    assert ("patients.create", "success", "treatment") in mine
    assert ("patients.list", "success", "payment") in mine  # the stated purpose, not the role's default
    assert ("patients.read", "denied", "treatment") in mine  # the other practice's doctor, out of reach
    failed = _entries(e2e, action="auth.login", outcome="denied")
    assert [(e["user_id"], e["reason"]) for e in failed] == [(doctor_id, "bad_credentials")]
    assert all(e["client_address"] for e in failed)


def test_the_access_report_and_the_chain_verify_after_sealing(e2e: E2E) -> None:
    e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    doctor = e2e.login("doc@example.org")
    patient = e2e.create_patient(doctor)["id"]
    assert e2e.client.get(f"{PATIENTS}/{patient}", headers=doctor).status_code == 200
    report = e2e.client.get(f"{PATIENTS}/{patient}/access-report", headers=doctor)
    assert report.status_code == 200, report.text
    assert {"patients.create", "patients.read"} <= {e["action"] for e in report.json()["items"]}
    assert report.headers["cache-control"] == "no-store"

    verifier = e2e.container.audit_verifier()
    deadline = time.monotonic() + 10  # PostgreSQL's safe horizon waits for any transaction still open
    while True:
        e2e.container.audit_sealer().seal_all()
        verdict = verifier.verify()
        if verdict.unsealed == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert verdict.intact, verdict.problems
    assert verdict.sealed > 0
    assert verdict.unsealed == 0


def test_a_date_as_until_takes_in_that_whole_day(e2e: E2E) -> None:
    today = e2e.clock.now().date().isoformat()
    doctor_id = e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")

    same_day = _entries(e2e, since=today, until=today, action="users.create")

    assert doctor_id in {e["resource_id"] for e in same_day}

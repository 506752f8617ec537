"""The audit log over HTTP: the auditors' search, a patient's access report, and sealing at shutdown."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from litestar.testing import TestClient

from entrypoints.http.app import create_app
from ivr_domain.admin.ports import AuditQuery
from ivr_domain.identity.model import User
from ivr_domain.shared.actor import Role
from ivr_domain.shared.audit import Outcome
from ivr_domain.shared.ids import PatientId
from tests.platform import Platform
from tests.unit.entrypoints.conftest import Client, assert_problem, login, patient_body

AUDIT = "/api/v1/admin/audit-logs"


def _patient(client: Client, auth: dict[str, str]) -> str:
    response = client.post("/api/v1/patients", json=patient_body(), headers=auth)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _record(platform: Platform, user: User, patient_id: str, *, outcome: Outcome = Outcome.SUCCESS) -> None:
    """Write one entry about a patient, as a use case would."""
    actor = platform.actor(user.email.value)
    trail = platform.container.audit_trail()
    entry = trail.entry(
        actor, "patients.read", resource_type="patient", patients=[PatientId(UUID(patient_id))], outcome=outcome
    )
    trail.write(entry)
    platform.clock.advance(timedelta(seconds=1))  # entries of one instant have no defined order


def test_an_auditor_finds_entries_by_patient_and_outcome(
    client: Client, platform: Platform, admin_auth: dict[str, str], doctor: User, doctor_auth: dict[str, str]
) -> None:
    patient = _patient(client, doctor_auth)
    _record(platform, doctor, patient)
    _record(platform, doctor, patient, outcome=Outcome.DENIED)
    found = client.get(AUDIT, params={"patient_id": patient, "action": "patients.read"}, headers=admin_auth)
    assert found.status_code == 200, found.text
    assert found.headers["cache-control"] == "no-store"
    items = found.json()["items"]
    assert [i["outcome"] for i in items] == ["denied", "success"]  # newest first
    assert all(i["patient_ids"] == [patient] and i["user_id"] == str(doctor.id) for i in items)
    assert items[0]["purpose"] == "treatment"
    denied = client.get(AUDIT, params={"patient_id": patient, "outcome": "denied"}, headers=admin_auth).json()
    assert len(denied["items"]) == 1


def test_the_audit_search_pages_with_a_cursor(
    client: Client, platform: Platform, admin_auth: dict[str, str], doctor: User, doctor_auth: dict[str, str]
) -> None:
    patient = _patient(client, doctor_auth)
    for _ in range(3):
        _record(platform, doctor, patient)
    params = {"patient_id": patient, "action": "patients.read", "limit": 2}
    first = client.get(AUDIT, params=params, headers=admin_auth).json()
    rest = client.get(AUDIT, params={**params, "cursor": first["next_cursor"]}, headers=admin_auth).json()
    assert len(first["items"]) == 2
    assert len(rest["items"]) == 1
    assert rest["next_cursor"] is None
    assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in rest["items"])


def test_only_auditors_search_and_bad_parameters_are_refused(
    client: Client, admin_auth: dict[str, str], doctor_auth: dict[str, str]
) -> None:
    assert_problem(client.get(AUDIT, headers=doctor_auth), 403)
    assert_problem(client.get(AUDIT), 401)
    assert_problem(client.get(AUDIT, params={"outcome": "maybe"}, headers=admin_auth), 400)
    assert_problem(client.get(AUDIT, params={"since": "yesterday"}, headers=admin_auth), 400)
    assert_problem(client.get(AUDIT, params={"sort": "action"}, headers=admin_auth), 400)
    # A range that ends before it starts is a bad query, like a bad sort: 400 naming the parameter.
    backwards = {"since": "2026-11-26", "until": "2026-11-25"}
    problem = assert_problem(client.get(AUDIT, params=backwards, headers=admin_auth), 400)
    assert (problem["type"], problem["parameter"]) == ("/docs/problems/invalid_query", "since")
    assert problem["detail"] == "since must be before until"
    assert "400" in client.get("/schema/openapi.json").json()["paths"][AUDIT]["get"]["responses"]


def test_the_access_report_answers_the_practice_and_auditors_only(
    client: Client, platform: Platform, admin_auth: dict[str, str], doctor: User, doctor_auth: dict[str, str]
) -> None:
    patient = _patient(client, doctor_auth)
    _record(platform, doctor, patient)
    report = f"/api/v1/patients/{patient}/access-report"
    mine = client.get(report, headers=doctor_auth)
    assert mine.status_code == 200, mine.text
    assert any(i["action"] == "patients.read" and i["user_id"] == str(doctor.id) for i in mine.json()["items"])
    assert client.get(report, headers=admin_auth).status_code == 200

    sales = platform.user("sales@example.org", Role.SALESPERSON)
    platform.assign(sales, doctor)
    assert_problem(client.get(report, headers=login(client, "sales@example.org")), 403)
    platform.user("other@example.org", Role.DOCTOR, practice="Elsewhere Clinic")
    assert_problem(client.get(report, headers=login(client, "other@example.org")), 404)
    assert_problem(client.get("/api/v1/patients/not-a-uuid/access-report", headers=doctor_auth), 400)


def test_stopping_the_server_seals_what_was_written(platform: Platform, doctor: User) -> None:
    with TestClient(create_app(platform.container)) as client:
        _record(platform, doctor, _patient(client, login(client, doctor.email.value)))
    report = platform.container.audit_verifier().verify()
    assert report.intact, report.problems
    assert report.unsealed == 0
    assert report.sealed >= 1


def test_refusals_the_edge_makes_before_the_use_case_are_audited(
    client: Client, platform: Platform, doctor: User, doctor_auth: dict[str, str]
) -> None:
    patient = _patient(client, doctor_auth)
    sales = platform.user("sales@example.org", Role.SALESPERSON)
    platform.assign(sales, doctor)
    # Bodies the edge cannot read: the role's 403 and the stale If-Match's 412 answer first (API.md's order).
    unreadable = client.put(
        f"/api/v1/patients/{patient}", json={"first_name": 5}, headers=login(client, "sales@example.org")
    )
    assert_problem(unreadable, 403)
    stale = client.put(
        f"/api/v1/patients/{patient}", json={"first_name": 5}, headers={**doctor_auth, "If-Match": '"9"'}
    )
    assert_problem(stale, 412)
    denied = platform.audit(AuditQuery(action="patients.update"))
    assert {(e.user_id, e.outcome, e.reason) for e in denied} == {
        (sales.id, Outcome.DENIED, "not_permitted"),
        (doctor.id, Outcome.INVALID, "precondition_failed"),
    }

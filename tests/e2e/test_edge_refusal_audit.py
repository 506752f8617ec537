"""A body the edge cannot read is still one refusal of the request's own action, audited once, naming its patient.

The edge answers 404, 403, 412 and 409 before such a body's 422 (API.md's order) by looking the object up; that
lookup is not a read of the record, so it must not appear in the audit log or the patient's access report.
"""

from __future__ import annotations

from typing import Any

from ivr_domain.shared.actor import Role
from tests.e2e.conftest import API, E2E, PATIENTS, Headers, assert_problem
from tests.http import ivr_body

AUDIT = f"{API}/admin/audit-logs"
IVRS = f"{API}/ivrs"
UNKNOWN = {"zzz": 1}


def _since(e2e: E2E, seen: set[str]) -> list[tuple[Any, ...]]:
    """Return the audit entries written since `seen` (ids) as (action, outcome, reason, resource, patients)."""
    response = e2e.client.get(AUDIT, params={"limit": 200}, headers=e2e.admin_auth)
    assert response.status_code == 200, response.text
    fresh = [e for e in response.json()["items"] if e["id"] not in seen and e["action"] != "audit.search"]
    return [(e["action"], e["outcome"], e["reason"], e["resource_id"], e["patient_ids"]) for e in fresh]


def _seen(e2e: E2E) -> set[str]:
    response = e2e.client.get(AUDIT, params={"limit": 200}, headers=e2e.admin_auth)
    return {e["id"] for e in response.json()["items"]}


def _desk(e2e: E2E) -> tuple[Headers, Headers, str, dict[str, Any]]:
    """A doctor, verification staff, one of the doctor's patients and a draft IVR of theirs."""
    e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    e2e.create_user("staff@example.org", Role.IVR_STAFF)
    doctor, staff = e2e.login("doc@example.org"), e2e.login("staff@example.org")
    patient = e2e.create_patient(doctor)["id"]
    created = e2e.client.post(IVRS, json=ivr_body(patient), headers=doctor)
    assert created.status_code == 201, created.text
    return doctor, staff, patient, created.json()


def test_an_unreadable_update_is_one_invalid_update_naming_the_patient_and_no_read(e2e: E2E) -> None:
    doctor, _, patient, ivr = _desk(e2e)
    seen = _seen(e2e)

    assert_problem(e2e.client.put(f"{IVRS}/{ivr['id']}", json=UNKNOWN, headers=doctor), 422)
    assert_problem(e2e.client.put(f"{IVRS}/{ivr['id']}", json=UNKNOWN, headers={**doctor, "If-Match": '"9"'}), 412)

    assert sorted(_since(e2e, seen)) == [
        ("ivrs.update", "invalid", "precondition_failed", ivr["id"], [patient]),
        ("ivrs.update", "invalid", "validation_failed", ivr["id"], [patient]),
    ]


def test_an_unreadable_action_refused_for_the_role_names_the_patient_and_records_no_read(e2e: E2E) -> None:
    doctor, staff, patient, ivr = _desk(e2e)
    assert e2e.client.post(f"{IVRS}/{ivr['id']}/submit", json={}, headers=doctor).status_code == 200
    seen = _seen(e2e)

    assert_problem(e2e.client.post(f"{IVRS}/{ivr['id']}/approve", json={"coverages": 5}, headers=doctor), 403)
    assert_problem(e2e.client.post(f"{IVRS}/{ivr['id']}/approve", json={"coverages": 5}, headers=staff), 409)

    assert sorted(_since(e2e, seen)) == [
        ("ivrs.approve", "denied", "not_permitted", ivr["id"], [patient]),
        ("ivrs.approve", "invalid", "invalid_transition", ivr["id"], [patient]),
    ]


def test_unreadable_creates_and_reassignments_are_their_own_refusals(e2e: E2E) -> None:
    doctor, _, patient, ivr = _desk(e2e)
    assert e2e.client.post(f"{IVRS}/{ivr['id']}/submit", json={}, headers=doctor).status_code == 200
    seen = _seen(e2e)

    assert_problem(e2e.client.post(IVRS, json={**ivr_body(patient), **UNKNOWN}, headers=doctor), 422)
    assert_problem(e2e.client.post(f"{IVRS}/{ivr['id']}/assign", json=UNKNOWN, headers=e2e.admin_auth), 422)
    assert_problem(e2e.client.post(f"{IVRS}/bulk-approve", json=UNKNOWN, headers=e2e.admin_auth), 422)

    assert sorted(_since(e2e, seen)) == [
        ("ivrs.assign", "invalid", "validation_failed", ivr["id"], [patient]),
        ("ivrs.bulk_approve", "invalid", "validation_failed", None, []),
        ("ivrs.create", "invalid", "validation_failed", None, []),
    ]


def test_an_unreadable_patient_update_names_the_patient_and_records_no_read(e2e: E2E) -> None:
    doctor, _, patient, _ = _desk(e2e)
    e2e.create_user("other@example.org", Role.DOCTOR, practice="Riverside Podiatry")
    stranger = e2e.login("other@example.org")
    seen = _seen(e2e)

    assert_problem(e2e.client.put(f"{PATIENTS}/{patient}", json=UNKNOWN, headers=doctor), 422)
    assert_problem(e2e.client.put(f"{PATIENTS}/{patient}", json=UNKNOWN, headers=stranger), 404)

    assert sorted(_since(e2e, seen)) == [
        ("patients.update", "denied", "not_found", patient, [patient]),
        ("patients.update", "invalid", "validation_failed", patient, [patient]),
    ]


def test_unreadable_updates_of_templates_and_accounts_record_no_read(e2e: E2E) -> None:
    user_id = e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    template = e2e.client.post(f"{IVRS}/templates", json={"name": "Heel", "content": {}}, headers=e2e.admin_auth)
    assert template.status_code == 201, template.text
    template_id = template.json()["id"]
    seen = _seen(e2e)

    assert_problem(e2e.client.put(f"{IVRS}/templates/{template_id}", json=UNKNOWN, headers=e2e.admin_auth), 422)
    assert_problem(e2e.client.put(f"{API}/users/{user_id}", json=UNKNOWN, headers=e2e.admin_auth), 422)

    assert sorted(_since(e2e, seen)) == [
        ("ivr_templates.update", "invalid", "validation_failed", template_id, []),
        ("users.update", "invalid", "validation_failed", user_id, []),
    ]

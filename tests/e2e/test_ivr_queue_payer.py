"""The queue's payer filter end to end (SQLite and PostgreSQL): the submitted snapshot's payer, moved by a resubmit."""

from __future__ import annotations

from typing import Any

from ivr_domain.shared.actor import Role
from tests.e2e.conftest import API, E2E, Headers
from tests.e2e.test_ivr_workflow import act, moved
from tests.http import assert_problem, ivr_body, patient_body

IVRS = f"{API}/ivrs"
PENDING = f"{IVRS}/pending"
MEDICARE, AETNA = "00952", "60054"


def _primary(payer_id: str) -> list[dict[str, Any]]:
    """A patient's insurances: one primary of this payer."""
    return [
        {
            "rank": "primary",
            "payer_name": "Payer " + payer_id,
            "payer_id": payer_id,
            "member_id": "W123456789",
            "group_number": "GRP-77",
            "plan_type": "commercial",
            "subscriber_relationship": "self",
        }
    ]


def _submitted(e2e: E2E, doctor: Headers, patient_id: str) -> dict[str, Any]:
    created = e2e.client.post(IVRS, json=ivr_body(patient_id), headers=doctor)
    assert created.status_code == 201, created.text
    return moved(act(e2e, doctor, created.json(), "submit"), "submitted")


def _ids(e2e: E2E, staff: Headers, **params: str) -> list[str]:
    response = e2e.client.get(PENDING, params={"status": "submitted,in_review,info_requested", **params}, headers=staff)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_the_payer_filter_follows_the_submitted_snapshot(e2e: E2E) -> None:
    e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    e2e.create_user("staff@example.org", Role.IVR_STAFF)
    doctor, staff = e2e.login("doc@example.org"), e2e.login("staff@example.org")
    medicare = e2e.create_patient(doctor)  # the example patient: Medicare Part B, 00952
    aetna = e2e.create_patient(doctor, first_name="Bea", insurances=_primary(AETNA))
    first = _submitted(e2e, doctor, medicare["id"])
    second = _submitted(e2e, doctor, aetna["id"])

    assert _ids(e2e, staff, payer_id=MEDICARE) == [first["id"]]
    assert _ids(e2e, staff, payer_id=AETNA) == [second["id"]]
    assert_problem(e2e.client.get(PENDING, params={"payer_id": "x" * 51}, headers=staff), 400)

    # Bea changes insurer: her submitted IVR keeps the payer it was submitted with...
    patient_url = f"{API}/patients/{aetna['id']}"
    current = e2e.client.get(patient_url, headers=doctor)
    body = patient_body(first_name="Bea", insurances=_primary(MEDICARE))
    changed = e2e.client.put(patient_url, json=body, headers={**doctor, "If-Match": current.headers["etag"]})
    assert changed.status_code == 200, changed.text
    assert _ids(e2e, staff, payer_id=AETNA) == [second["id"]]
    # ...until it is resubmitted, which takes a new snapshot.
    reviewed = moved(act(e2e, staff, second, "start-review"), "in_review")
    asked = moved(
        act(e2e, staff, reviewed, "request-info", {"message": "New insurance card, please"}), "info_requested"
    )
    moved(act(e2e, doctor, asked, "resubmit"), "submitted")

    assert _ids(e2e, staff, payer_id=AETNA) == []
    assert sorted(_ids(e2e, staff, payer_id=MEDICARE)) == sorted([first["id"], second["id"]])

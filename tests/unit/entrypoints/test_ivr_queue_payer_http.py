"""The queue's `payer_id` filter over HTTP: the primary insurance's payer as of the submit, and its 400s."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ivr_domain.identity.model import User
from ivr_domain.shared.actor import Role
from tests.http import assert_problem, ivr_body, patient_body
from tests.platform import Platform
from tests.unit.entrypoints.conftest import Client, login

IVRS = "/api/v1/ivrs"
PENDING = f"{IVRS}/pending"
Auth = dict[str, str]
AETNA = {
    "rank": "primary",
    "payer_name": "Aetna",
    "payer_id": "60054",
    "member_id": "W123456789",
    "group_number": "GRP-77",
    "plan_type": "commercial",
    "subscriber_relationship": "self",
}


def _submitted_for(client: Client, auth: Auth, platform: Platform, **patient: Any) -> str:
    """Create a patient and submit an IVR for them; return the IVR's id."""
    created = client.post("/api/v1/patients", json=patient_body(**patient), headers=auth)
    assert created.status_code == 201, created.text
    ivr = client.post(IVRS, json=ivr_body(str(created.json()["id"])), headers=auth)
    assert ivr.status_code == 201, ivr.text
    submitted = client.post(f"{IVRS}/{ivr.json()['id']}/submit", json={}, headers=auth)
    assert submitted.status_code == 200, submitted.text
    platform.clock.advance(timedelta(minutes=1))
    return str(submitted.json()["id"])


def test_pending_filters_by_the_primary_payer_and_refuses_a_malformed_one(
    client: Client, platform: Platform, doctor_auth: Auth
) -> None:
    medicare = _submitted_for(client, doctor_auth, platform)
    aetna = _submitted_for(client, doctor_auth, platform, first_name="Bea", insurances=[AETNA])
    staff: User = platform.user("staff@example.org", Role.IVR_STAFF)
    staff_auth = login(client, staff.email.value)

    def ids(**params: str) -> list[str]:
        response = client.get(PENDING, params=params, headers=staff_auth)
        assert response.status_code == 200, response.text
        return [i["id"] for i in response.json()["items"]]

    assert ids() == [medicare, aetna]
    assert ids(payer_id="00952") == [medicare]
    assert ids(payer_id="60054") == [aetna]
    assert ids(payer_id="60054", priority="urgent") == []
    assert ids(payer_id="87726") == []
    for bad in (" 00952", "x" * 51):
        problem = assert_problem(client.get(PENDING, params={"payer_id": bad}, headers=staff_auth), 400)
        assert "payer_id" in str(problem)
    # The doctor may not read the queue, with or without the filter.
    assert_problem(client.get(PENDING, params={"payer_id": "00952"}, headers=doctor_auth), 403)

"""The verification queue and reviewer reassignment over HTTP: shapes, filters, paging and API.md's refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ivr_domain.identity.model import User
from ivr_domain.shared.actor import Role
from tests.http import assert_problem, ivr_body, patient_body
from tests.platform import Platform
from tests.unit.entrypoints.conftest import Client, login

IVRS = "/api/v1/ivrs"
PENDING = f"{IVRS}/pending"
Auth = dict[str, str]


@pytest.fixture
def staff(platform: Platform) -> User:
    """A verification specialist."""
    return platform.user("staff@example.org", Role.IVR_STAFF)


@pytest.fixture
def staff_auth(client: Client, staff: User) -> Auth:
    """The verification specialist's Authorization header."""
    return login(client, staff.email.value)


@pytest.fixture
def patient_id(client: Client, doctor_auth: Auth) -> str:
    """A patient of the doctor's practice, with a primary insurance."""
    response = client.post("/api/v1/patients", json=patient_body(), headers=doctor_auth)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _submitted(client: Client, auth: Auth, patient_id: str, platform: Platform, **overrides: Any) -> dict[str, Any]:
    """Create and submit an IVR, then move the clock a minute (access tokens outlive that, not an hour)."""
    created = client.post(IVRS, json=ivr_body(patient_id, **overrides), headers=auth)
    assert created.status_code == 201, created.text
    submitted = client.post(f"{IVRS}/{created.json()['id']}/submit", json={}, headers=auth)
    assert submitted.status_code == 200, submitted.text
    platform.clock.advance(timedelta(minutes=1))
    return dict(submitted.json())


def test_pending_lists_urgent_first_with_age_sla_and_the_full_view(
    client: Client, platform: Platform, doctor_auth: Auth, staff: User, patient_id: str
) -> None:
    routine = _submitted(client, doctor_auth, patient_id, platform)
    urgent = _submitted(client, doctor_auth, patient_id, platform, priority="urgent")
    platform.clock.advance(timedelta(hours=24))  # routine waited 24 h 2 min, urgent 24 h 1 min
    staff_auth = login(client, staff.email.value)  # the earlier token expired meanwhile

    response = client.get(PENDING, headers=staff_auth)

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    page = response.json()
    assert [(i["id"], i["age_hours"], i["sla"]) for i in page["items"]] == [
        (urgent["id"], 24, "due"),
        (routine["id"], 24, "due"),
    ]
    assert page["next_cursor"] is None
    shown = client.get(f"{IVRS}/{urgent['id']}", headers=staff_auth).json()
    first = page["items"][0]
    assert {k: v for k, v in first.items() if k not in ("age_hours", "sla")} == shown
    assert client.get(PENDING, params={"sla": "ok"}, headers=staff_auth).json()["items"] == []
    routine_only = client.get(PENDING, params={"priority": "routine"}, headers=staff_auth).json()["items"]
    assert [i["id"] for i in routine_only] == [routine["id"]]


def test_status_takes_repeats_and_comma_lists_and_pages_carry_a_cursor(
    client: Client, *, platform: Platform, doctor_auth: Auth, staff_auth: Auth, staff: User, patient_id: str
) -> None:
    first = _submitted(client, doctor_auth, patient_id, platform)
    second = _submitted(client, doctor_auth, patient_id, platform)
    third = _submitted(client, doctor_auth, patient_id, platform)
    assert client.post(f"{IVRS}/{second['id']}/start-review", json={}, headers=staff_auth).status_code == 200

    def ids(query: str) -> list[str]:
        response = client.get(f"{PENDING}?{query}", headers=staff_auth)
        assert response.status_code == 200, response.text
        return [i["id"] for i in response.json()["items"]]

    assert ids("") == [first["id"], third["id"]]
    assert ids("status=in_review") == [second["id"]]
    assert ids("status=submitted,in_review") == ids("status=submitted&status=in_review")
    assert ids("status=submitted,in_review") == [first["id"], second["id"], third["id"]]
    assert ids(f"status=in_review&reviewer_id={staff.id}") == [second["id"]]
    page = client.get(PENDING, params={"limit": 1}, headers=staff_auth).json()
    assert [i["id"] for i in page["items"]] == [first["id"]]
    rest = client.get(PENDING, params={"limit": 1, "cursor": page["next_cursor"]}, headers=staff_auth).json()
    assert ([i["id"] for i in rest["items"]], rest["next_cursor"]) == ([third["id"]], None)
    assert_problem(client.get(PENDING, params={"status": "approved"}, headers=staff_auth), 400)
    assert_problem(client.get(PENDING, params={"cursor": "nonsense"}, headers=staff_auth), 400)


def test_pending_is_for_reviewers_only(client: Client, platform: Platform, doctor_auth: Auth) -> None:
    assert_problem(client.get(PENDING, headers=doctor_auth), 403)
    platform.user("ship@example.org", Role.LOGISTICS)
    assert_problem(client.get(PENDING, headers=login(client, "ship@example.org")), 403)
    assert_problem(client.get(PENDING), 401)


def test_an_admin_reassigns_the_reviewer(
    client: Client,
    *,
    platform: Platform,
    admin_auth: Auth,
    doctor_auth: Auth,
    staff_auth: Auth,
    patient_id: str,
) -> None:
    ivr = _submitted(client, doctor_auth, patient_id, platform)
    other = platform.user("staff2@example.org", Role.IVR_STAFF)
    url = f"{IVRS}/{ivr['id']}/assign"
    body = {"reviewer_id": str(other.id)}

    assert_problem(client.post(url, json=body, headers=staff_auth), 403)
    assert_problem(client.post(url, json=body, headers={**admin_auth, "If-Match": '"99"'}), 412)
    doctor_id = client.get("/api/v1/auth/me", headers=doctor_auth).json()["id"]
    assert_problem(client.post(url, json={"reviewer_id": doctor_id}, headers=admin_auth), 422)
    assert_problem(client.post(url, json={"reviewer": "x"}, headers=admin_auth), 422)
    response = client.post(url, json=body, headers={**admin_auth, "If-Match": f'"{ivr["version"]}"'})

    assert response.status_code == 200, response.text
    moved = response.json()
    assert (moved["status"], moved["reviewer_id"], moved["version"]) == ("submitted", str(other.id), ivr["version"] + 1)
    assert response.headers["etag"] == f'"{moved["version"]}"'
    history = client.get(f"{IVRS}/{ivr['id']}/history", headers=admin_auth).json()
    assert history["items"][-1]["trigger"] == "assign"


def test_a_closed_ivr_is_409_and_an_unknown_one_404(
    client: Client, *, platform: Platform, admin_auth: Auth, doctor_auth: Auth, staff: User, patient_id: str
) -> None:
    ivr = _submitted(client, doctor_auth, patient_id, platform)
    assert client.delete(f"{IVRS}/{ivr['id']}", headers=doctor_auth).status_code == 200
    body = {"reviewer_id": str(staff.id)}

    problem = assert_problem(client.post(f"{IVRS}/{ivr['id']}/assign", json=body, headers=admin_auth), 409)
    assert problem["status"] == 409
    unknown = f"{IVRS}/00000000-0000-4000-8000-000000000000/assign"
    assert_problem(client.post(unknown, json=body, headers=admin_auth), 404)
    # A body the edge cannot read still answers the state first (API.md's order).
    assert_problem(client.post(f"{IVRS}/{ivr['id']}/assign", json={}, headers=admin_auth), 409)

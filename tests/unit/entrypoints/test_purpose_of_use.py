"""X-Purpose-Of-Use and the request's origin reach the audit log; an unknown purpose is a 400 after the 401."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from entrypoints.http.app import create_app
from ivr_domain.admin.ports import AuditQuery
from ivr_domain.identity.model import User
from ivr_domain.shared.actor import Purpose, Role
from ivr_domain.shared.audit import AuditEntry, Outcome
from tests.platform import Platform, memory_platform
from tests.unit.entrypoints.conftest import Client, assert_problem, login

PATIENTS = "/api/v1/patients"


def _list_entries(platform: Platform) -> list[AuditEntry]:
    return platform.audit(AuditQuery(action="patients.list"))


def test_without_the_header_the_roles_default_purpose_is_recorded(
    client: Client, platform: Platform, doctor: User, doctor_auth: dict[str, str]
) -> None:
    response = client.get(PATIENTS, headers={**doctor_auth, "User-Agent": "clinic-app/2.1"})
    assert response.status_code == 200, response.text
    (entry,) = _list_entries(platform)
    assert (entry.user_id, entry.role, entry.purpose) == (doctor.id, Role.DOCTOR, Purpose.TREATMENT)
    assert entry.client_address == "testclient"
    assert entry.user_agent == "clinic-app/2.1"
    assert entry.correlation_id == response.headers["x-correlation-id"]


def test_a_stated_purpose_overrides_the_default(
    client: Client, platform: Platform, doctor_auth: dict[str, str]
) -> None:
    response = client.get(PATIENTS, headers={**doctor_auth, "X-Purpose-Of-Use": "Emergency"})
    assert response.status_code == 200, response.text
    assert [e.purpose for e in _list_entries(platform)] == [Purpose.EMERGENCY]


def test_an_unknown_purpose_is_a_400_naming_the_allowed_values(
    client: Client, platform: Platform, doctor_auth: dict[str, str]
) -> None:
    response = client.get(PATIENTS, headers={**doctor_auth, "X-Purpose-Of-Use": "curiosity"})
    problem = assert_problem(response, 400)
    assert problem["type"].endswith("/invalid_header")
    assert problem["parameter"] == "X-Purpose-Of-Use"
    assert all(p.value in problem["detail"] for p in Purpose)
    assert _list_entries(platform) == []  # the use case never ran


def test_an_anonymous_caller_gets_its_401_before_the_purpose_is_read(client: Client) -> None:
    assert_problem(client.get(PATIENTS, headers={"X-Purpose-Of-Use": "curiosity"}), 401)


def test_a_long_user_agent_is_cut_to_512_characters(
    client: Client, platform: Platform, doctor_auth: dict[str, str]
) -> None:
    client.get(PATIENTS, headers={**doctor_auth, "User-Agent": "x" * 2000})
    (entry,) = _list_entries(platform)
    assert entry.user_agent == "x" * 512


def test_cached_sessions_still_record_each_requests_own_origin(tmp_path: Path) -> None:
    # The shared fixtures turn the session cache off; this platform keeps actors for a minute.
    platform = memory_platform(
        tmp_path, now=datetime(2026, 11, 25, 9, 0, tzinfo=UTC), env={"IVR_SESSION_CACHE_SECONDS": "60"}
    )
    platform.user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    with TestClient(create_app(platform.container)) as client:
        auth = login(client, "doc@example.org")
        stated: list[dict[str, Any]] = [
            {"X-Purpose-Of-Use": "payment", "User-Agent": "first"},
            {"User-Agent": "second"},
            {"X-Purpose-Of-Use": "legal", "User-Agent": "third"},
        ]
        answers = [client.get(PATIENTS, headers={**auth, **headers}) for headers in stated]
    assert all(a.status_code == 200 for a in answers)
    found = {(e.user_agent, e.purpose, e.correlation_id) for e in _list_entries(platform)}
    assert found == {
        ("first", Purpose.PAYMENT, answers[0].headers["x-correlation-id"]),
        ("second", Purpose.TREATMENT, answers[1].headers["x-correlation-id"]),
        ("third", Purpose.LEGAL, answers[2].headers["x-correlation-id"]),
    }


def test_login_and_refresh_record_where_they_came_from(client: Client, platform: Platform, doctor: User) -> None:
    headers = {"User-Agent": "clinic-app/2.1"}
    response = client.post(
        "/api/v1/auth/login", json={"email": doctor.email.value, "password": "wrong password here"}, headers=headers
    )
    assert_problem(response, 401)
    (denied,) = platform.audit(AuditQuery(action="auth.login"))
    assert (denied.outcome, denied.reason, denied.user_id) == (Outcome.DENIED, "bad_credentials", doctor.id)
    assert (denied.client_address, denied.user_agent) == ("testclient", "clinic-app/2.1")
    assert denied.correlation_id == response.headers["x-correlation-id"]
    tokens = client.post(
        "/api/v1/auth/login", json={"email": doctor.email.value, "password": "correct horse battery staple"}
    ).json()
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}, headers=headers)
    assert refreshed.status_code == 200, refreshed.text
    (refresh,) = platform.audit(AuditQuery(action="auth.refresh"))
    assert (refresh.user_id, refresh.user_agent) == (doctor.id, "clinic-app/2.1")
    assert refresh.correlation_id == refreshed.headers["x-correlation-id"]


def test_the_header_is_published_on_protected_routes_only(client: Client) -> None:
    schema = client.get("/schema/openapi.json").json()

    def header(path: str, method: str) -> dict[str, Any] | None:
        parameters = schema["paths"][path][method].get("parameters", [])
        return next((p for p in parameters if p["name"] == "X-Purpose-Of-Use"), None)

    published = header(PATIENTS, "get")
    assert published is not None
    assert published["in"] == "header"
    assert not published.get("required", False)
    assert published["schema"]["enum"] == [p.value for p in Purpose]
    assert header("/api/v1/auth/login", "post") is None

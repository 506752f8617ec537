"""Login, tokens and the bearer guard over HTTP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt
import pytest
from litestar.testing import TestClient

from entrypoints.http.app import create_app
from ivr_domain.identity.model import User
from tests.platform import PASSWORD, Platform, memory_platform
from tests.unit.entrypoints.conftest import Client, assert_problem, login

ME = "/api/v1/auth/me"


def test_login_answers_tokens_that_are_not_cached(client: Client, admin: User) -> None:
    response = client.post("/api/v1/auth/login", json={"email": admin.email.value, "password": PASSWORD})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 600
    assert {"access_token", "refresh_token"} <= body.keys()


def test_a_wrong_password_and_an_unknown_email_answer_alike(client: Client, admin: User) -> None:
    wrong = client.post("/api/v1/auth/login", json={"email": admin.email.value, "password": "not the password!"})
    unknown = client.post("/api/v1/auth/login", json={"email": "nobody@example.org", "password": "not the password!"})
    assert assert_problem(wrong, 401)["detail"] == assert_problem(unknown, 401)["detail"]
    assert wrong.headers["www-authenticate"] == "Bearer"


def test_too_many_logins_answer_429_with_retry_after(tmp_path: Any) -> None:
    platform = memory_platform(tmp_path, now=_now(), env={"IVR_LOGIN_LIMIT_PER_ADDRESS": "2"})
    with TestClient(create_app(platform.container)) as client:
        for _ in range(2):
            client.post("/api/v1/auth/login", json={"email": "x@example.org", "password": "whatever it is"})
        response = client.post("/api/v1/auth/login", json={"email": "x@example.org", "password": "whatever it is"})
    assert_problem(response, 429)
    assert int(response.headers["retry-after"]) >= 1


def test_change_password_guesses_are_rate_limited_like_logins(tmp_path: Any) -> None:
    from ivr_domain.shared.actor import Role

    platform = memory_platform(tmp_path, now=_now(), env={"IVR_LOGIN_LIMIT_PER_ACCOUNT": "3"})
    platform.user("doc@example.org", Role.DOCTOR)
    guess = {"current_password": "a guess at it", "new_password": "a brand new passphrase 42"}
    with TestClient(create_app(platform.container)) as client:
        auth = login(client, "doc@example.org")  # the account's first attempt of the minute
        for _ in range(2):
            assert_problem(client.post("/api/v1/auth/change-password", json=guess, headers=auth), 422)
        response = client.post("/api/v1/auth/change-password", json=guess, headers=auth)
    assert assert_problem(response, 429)["retry_after"] >= 1
    assert int(response.headers["retry-after"]) >= 1


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Basic abc", "Bearer not-a-jwt", "Bearer a.b.c", "bearer  "],
)
def test_missing_or_malformed_tokens_are_401(client: Client, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = client.get(ME, headers=headers)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


def test_forged_tokens_are_401(client: Client, admin_auth: dict[str, str]) -> None:
    token = admin_auth["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(claims, "a secret that is not the server's secret, long enough", algorithm="HS256")
    unsigned = jwt.encode(claims, None, algorithm="none")
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for bad in (forged, unsigned, tampered):
        assert_problem(client.get(ME, headers={"Authorization": f"Bearer {bad}"}), 401)
    assert client.get(ME, headers=admin_auth).status_code == 200


def test_expired_tokens_are_401(client: Client, platform: Platform, admin_auth: dict[str, str]) -> None:
    platform.clock.advance(timedelta(minutes=11))
    assert_problem(client.get(ME, headers=admin_auth), 401)


def test_me_shows_role_permissions_and_scope(client: Client, doctor: User, doctor_auth: dict[str, str]) -> None:
    response = client.get(ME, headers=doctor_auth)
    assert response.status_code == 200
    me = response.json()
    assert me["id"] == str(doctor.id)
    assert me["role"] == "doctor"
    assert me["practice_id"] == str(doctor.practice_id)
    assert me["permissions"] == sorted(me["permissions"])
    assert "patients.write" in me["permissions"]
    assert me["scope"] == {"everything": False, "practice_count": 1, "submitted_ivrs": False}
    assert "password_hash" not in me
    assert response.headers["etag"] == f'"{me["version"]}"'
    assert me["created_at"].endswith("Z")


def test_me_updates_the_name_only(client: Client, doctor_auth: dict[str, str]) -> None:
    response = client.put(ME, json={"name": "Dr. Renamed"}, headers=doctor_auth)
    assert response.status_code == 200
    assert response.json()["name"] == "Dr. Renamed"
    problem = assert_problem(client.put(ME, json={"name": "X", "role": "admin"}, headers=doctor_auth), 422)
    assert problem["errors"] == [{"field": "role", "message": "is not a known field"}]
    assert_problem(client.put(ME, json={"name": "Y"}, headers={**doctor_auth, "If-Match": '"1"'}), 412)


def test_logout_ends_the_session_at_once_even_with_a_session_cache(tmp_path: Any) -> None:
    platform = memory_platform(tmp_path, now=_now(), env={"IVR_SESSION_CACHE_SECONDS": "60"})
    from ivr_domain.shared.actor import Role

    platform.user("cached@example.org", Role.ADMIN)
    with TestClient(create_app(platform.container)) as client:
        auth = login(client, "cached@example.org")
        assert client.get(ME, headers=auth).status_code == 200
        assert client.post("/api/v1/auth/logout", headers=auth).status_code == 204
        assert_problem(client.get(ME, headers=auth), 401)


def test_refresh_rotates_and_a_reused_token_is_refused(client: Client, admin: User) -> None:
    first = client.post("/api/v1/auth/login", json={"email": admin.email.value, "password": PASSWORD}).json()
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    assert second.headers["cache-control"] == "no-store"
    assert_problem(client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}), 401)


def test_password_change_and_reset(
    client: Client, platform: Platform, doctor: User, doctor_auth: dict[str, str]
) -> None:
    new_password = "a brand new passphrase 42"
    body = {"current_password": PASSWORD, "new_password": new_password}
    assert client.post("/api/v1/auth/change-password", json=body, headers=doctor_auth).status_code == 204
    login(client, doctor.email.value, new_password)
    forgot = client.post("/api/v1/auth/forgot-password", json={"email": doctor.email.value})
    assert forgot.status_code == 202
    token = platform.notifier.sent[-1].token
    final = "yet another passphrase 99"
    reset = client.post("/api/v1/auth/reset-password", json={"token": token, "new_password": final})
    assert reset.status_code == 204
    login(client, doctor.email.value, final)
    again = client.post("/api/v1/auth/reset-password", json={"token": token, "new_password": final + "x"})
    assert_problem(again, 422)


def test_forgot_password_answers_the_same_for_unknown_emails(client: Client) -> None:
    assert client.post("/api/v1/auth/forgot-password", json={"email": "nobody@example.org"}).status_code == 202

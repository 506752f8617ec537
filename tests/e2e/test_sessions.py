"""Sessions end to end: lockout, refresh rotation and reuse, logout, idle expiry, password change and reset."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from adapters.sqlalchemy.tables import reset_tokens
from ivr_domain.identity.use_cases.auth import hash_secret
from ivr_domain.shared.actor import Role
from tests.e2e.conftest import API, E2E, ME, PATIENTS, Headers, Launch, assert_problem, bearer, field_errors
from tests.platform import PASSWORD

REFRESH = f"{API}/auth/refresh"
LOGOUT = f"{API}/auth/logout"
CHANGE = f"{API}/auth/change-password"
FORGOT = f"{API}/auth/forgot-password"
RESET = f"{API}/auth/reset-password"
EMAIL = "doc@example.org"
NEW_PASSWORD = "a brand new passphrase 42"


def _doctor(e2e: E2E) -> str:
    """Open the doctor account the tests log in with."""
    return e2e.create_user(EMAIL, Role.DOCTOR, practice="Springfield Wound Clinic")


def _refused_login(e2e: E2E, password: str) -> dict[str, Any]:
    """Try to log in and return the 401 problem."""
    response = e2e.login_response(EMAIL, password)
    problem = assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert "access_token" not in response.text
    return problem


def _is_live(e2e: E2E, auth: Headers) -> bool:
    """Tell whether an access token still authenticates (200) or not (a 401 problem)."""
    response = e2e.client.get(ME, headers=auth)
    if response.status_code == 200:
        return True
    assert_problem(response, 401)
    return False


def test_lockout_after_the_threshold_until_the_duration_passes(e2e: E2E) -> None:
    _doctor(e2e)
    answers = {_said(_refused_login(e2e, "not the password at all")) for _ in range(5)}
    # Locked: the right password is refused with exactly the wrong-password answer.
    assert answers == {_said(_refused_login(e2e, PASSWORD))}
    e2e.advance(timedelta(minutes=14))
    _refused_login(e2e, PASSWORD)
    e2e.advance(timedelta(minutes=1, seconds=1))
    assert _is_live(e2e, e2e.login(EMAIL))


def test_failures_below_the_threshold_do_not_lock_and_a_success_resets_them(e2e: E2E) -> None:
    _doctor(e2e)
    for _ in range(4):
        _refused_login(e2e, "not the password at all")
    assert _is_live(e2e, e2e.login(EMAIL))
    e2e.advance(timedelta(minutes=1))  # past the per-account login rate window, well inside the lockout window
    for _ in range(4):
        _refused_login(e2e, "not the password at all")
    assert _is_live(e2e, e2e.login(EMAIL))


def test_refresh_rotates_and_a_replayed_token_revokes_the_session(e2e: E2E) -> None:
    _doctor(e2e)
    first = e2e.tokens(EMAIL)
    e2e.advance(timedelta(seconds=5))
    rotated = e2e.client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    assert rotated.headers["cache-control"] == "no-store"
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["token_type"] == "bearer"
    assert second["expires_in"] == 600
    assert _is_live(e2e, bearer(second["access_token"]))
    assert _is_live(e2e, bearer(first["access_token"]))
    other = e2e.tokens(EMAIL)
    # The replay of a used refresh token ends its whole session at once, and only that session.
    assert_problem(e2e.client.post(REFRESH, json={"refresh_token": first["refresh_token"]}), 401)
    assert not _is_live(e2e, bearer(second["access_token"]))
    assert not _is_live(e2e, bearer(first["access_token"]))
    assert_problem(e2e.client.post(REFRESH, json={"refresh_token": second["refresh_token"]}), 401)
    assert _is_live(e2e, bearer(other["access_token"]))
    assert_problem(e2e.client.post(REFRESH, json={"refresh_token": "never-issued"}), 401)


def test_logout_ends_the_session_at_once(e2e: E2E) -> None:
    _doctor(e2e)
    tokens = e2e.tokens(EMAIL)
    auth = bearer(tokens["access_token"])
    other = e2e.login(EMAIL)
    logout = e2e.client.post(LOGOUT, headers=auth)
    assert logout.status_code == 204
    assert logout.content == b""
    assert not _is_live(e2e, auth)
    assert_problem(e2e.client.get(PATIENTS, headers=auth), 401)
    assert_problem(e2e.client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]}), 401)
    assert_problem(e2e.client.post(LOGOUT, headers=auth), 401)
    assert _is_live(e2e, other)


def test_idle_sessions_expire_and_activity_keeps_them_alive(launch: Launch) -> None:
    e2e = launch({"IVR_SESSION_IDLE_MINUTES": "30", "IVR_ACCESS_TOKEN_MINUTES": "240"})
    _doctor(e2e)
    tokens = e2e.tokens(EMAIL)
    auth = bearer(tokens["access_token"])
    e2e.advance(timedelta(minutes=29))
    assert _is_live(e2e, auth)
    e2e.advance(timedelta(minutes=29))
    assert _is_live(e2e, auth), "a request 29 minutes after the last one keeps the session alive"
    e2e.advance(timedelta(minutes=30, seconds=1))
    assert not _is_live(e2e, auth)
    assert_problem(e2e.client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]}), 401)
    assert _is_live(e2e, e2e.login(EMAIL))


def test_access_tokens_expire_but_refresh_keeps_the_session(e2e: E2E) -> None:
    _doctor(e2e)
    tokens = e2e.tokens(EMAIL)
    e2e.advance(timedelta(minutes=10, seconds=1))
    assert not _is_live(e2e, bearer(tokens["access_token"]))
    rotated = e2e.client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    assert _is_live(e2e, bearer(rotated.json()["access_token"]))


def test_change_password_ends_other_sessions_and_swaps_passwords(e2e: E2E) -> None:
    _doctor(e2e)
    mine = e2e.login(EMAIL)
    other = e2e.tokens(EMAIL)
    wrong = e2e.client.post(
        CHANGE, json={"current_password": "not it at all!", "new_password": NEW_PASSWORD}, headers=mine
    )
    assert field_errors(wrong) == [("current_password", "is not the account's password")]
    short = e2e.client.post(CHANGE, json={"current_password": PASSWORD, "new_password": "short"}, headers=mine)
    assert [f for f, _ in field_errors(short)] == ["new_password"]
    assert _is_live(e2e, bearer(other["access_token"])), "refused changes end nothing"
    changed = e2e.client.post(CHANGE, json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}, headers=mine)
    assert changed.status_code == 204
    assert _is_live(e2e, mine)
    assert not _is_live(e2e, bearer(other["access_token"]))
    assert_problem(e2e.client.post(REFRESH, json={"refresh_token": other["refresh_token"]}), 401)
    _refused_login(e2e, PASSWORD)
    assert _is_live(e2e, e2e.login(EMAIL, NEW_PASSWORD))
    anonymous = e2e.client.post(CHANGE, json={"current_password": NEW_PASSWORD, "new_password": PASSWORD + "!"})
    assert_problem(anonymous, 401)


def test_wrong_current_passwords_count_as_failed_logins_and_are_rate_limited(e2e: E2E) -> None:
    _doctor(e2e)
    mine = e2e.login(EMAIL)
    guess = {"current_password": "not the password at all", "new_password": NEW_PASSWORD}
    wrong = [("current_password", "is not the account's password")]
    for _ in range(5):
        assert field_errors(e2e.client.post(CHANGE, json=guess, headers=mine)) == wrong
    _refused_login(e2e, PASSWORD)  # locked by the guesses
    right = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert field_errors(e2e.client.post(CHANGE, json=right, headers=mine)) == wrong
    # Eight attempts on the account this minute (a login, six changes, a refused login): two more are allowed.
    for _ in range(2):
        assert field_errors(e2e.client.post(CHANGE, json=guess, headers=mine)) == wrong
    limited = e2e.client.post(CHANGE, json=guess, headers=mine)
    assert_problem(limited, 429)
    assert int(limited.headers["retry-after"]) >= 1
    e2e.advance(timedelta(minutes=15, seconds=1))  # the lockout is over (and the access token expired)
    assert e2e.client.post(CHANGE, json=right, headers=e2e.login(EMAIL)).status_code == 204


def test_forgot_and_reset_password_end_to_end(e2e: E2E) -> None:
    user_id = _doctor(e2e)
    live = e2e.login(EMAIL)
    unknown = e2e.client.post(FORGOT, json={"email": "nobody@example.org"})
    assert unknown.status_code == 202
    assert e2e.notifier.sent == []
    asked = e2e.client.post(FORGOT, json={"email": EMAIL.upper()})
    assert asked.status_code == 202
    assert asked.content == unknown.content
    [sent] = e2e.notifier.sent
    assert (sent.email.value, str(sent.user_id)) == (EMAIL, user_id)
    token = sent.token
    with e2e.engine.connect() as db:
        assert db.execute(sa.select(reset_tokens.c.token_hash)).scalars().all() == [hash_secret(token)]
    weak = e2e.client.post(RESET, json={"token": token, "new_password": "short"})
    assert [f for f, _ in field_errors(weak)] == ["new_password"]
    done = e2e.client.post(RESET, json={"token": token, "new_password": NEW_PASSWORD})
    assert done.status_code == 204
    assert not _is_live(e2e, live), "a reset ends every session"
    _refused_login(e2e, PASSWORD)
    assert _is_live(e2e, e2e.login(EMAIL, NEW_PASSWORD))
    again = e2e.client.post(RESET, json={"token": token, "new_password": "yet another passphrase 99"})
    assert field_errors(again) == [("token", "is invalid, used or expired")]
    _refused_login(e2e, "yet another passphrase 99")
    assert _is_live(e2e, e2e.login(EMAIL, NEW_PASSWORD))


def test_reset_tokens_expire_after_thirty_minutes(e2e: E2E) -> None:
    _doctor(e2e)
    assert e2e.client.post(FORGOT, json={"email": EMAIL}).status_code == 202
    token = e2e.notifier.sent[-1].token
    e2e.advance(timedelta(minutes=30))
    expired = e2e.client.post(RESET, json={"token": token, "new_password": NEW_PASSWORD})
    assert field_errors(expired) == [("token", "is invalid, used or expired")]
    assert _is_live(e2e, e2e.login(EMAIL))


def test_a_reset_lifts_a_lockout(e2e: E2E) -> None:
    _doctor(e2e)
    for _ in range(5):
        _refused_login(e2e, "not the password at all")
    _refused_login(e2e, PASSWORD)
    assert e2e.client.post(FORGOT, json={"email": EMAIL}).status_code == 202
    done = e2e.client.post(RESET, json={"token": e2e.notifier.sent[-1].token, "new_password": NEW_PASSWORD})
    assert done.status_code == 204
    assert _is_live(e2e, e2e.login(EMAIL, NEW_PASSWORD))


def test_a_deactivated_user_cannot_log_in_and_their_live_token_dies(e2e: E2E) -> None:
    user_id = _doctor(e2e)
    auth = e2e.login(EMAIL)
    tokens = e2e.tokens(EMAIL)
    assert _is_live(e2e, auth)
    gone = e2e.client.delete(f"{API}/users/{user_id}", headers=e2e.admin_auth)
    assert gone.status_code == 200, gone.text
    assert gone.json()["active"] is False
    assert not _is_live(e2e, auth)
    assert not _is_live(e2e, bearer(tokens["access_token"]))
    assert_problem(e2e.client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]}), 401)
    wrong = _refused_login(e2e, "not the password at all")
    assert _refused_login(e2e, PASSWORD)["detail"] == wrong["detail"]
    assert e2e.client.post(FORGOT, json={"email": EMAIL}).status_code == 202
    assert e2e.notifier.sent == []


def _said(problem: dict[str, Any]) -> tuple[str, str, str]:
    """Return what a problem tells the client, without its per-request fields."""
    return problem["type"], problem["title"], problem["detail"]

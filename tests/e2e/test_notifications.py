"""In-app notifications end to end, on SQLite (in-process dispatch) and PostgreSQL (procrastinate jobs)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ivr_domain.shared.actor import Role
from tests.e2e.conftest import API, E2E, Headers, assert_problem, bearer, deliver
from tests.platform import PASSWORD

NOTIFICATIONS = f"{API}/notifications"
NEW_PASSWORD = "a brand new passphrase 42"


def inbox(e2e: E2E, auth: Headers, **params: str) -> list[dict[str, Any]]:
    """Return every notification the caller lists (following cursors), newest first."""
    items: list[dict[str, Any]] = []
    query: dict[str, str] = {"limit": "2", **params}
    while True:
        response = e2e.client.get(NOTIFICATIONS, params=query, headers=auth)
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        items += body["items"]
        if body["next_cursor"] is None:
            return items
        query["cursor"] = body["next_cursor"]


def what(items: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Reduce notifications to (kind, subject type, subject id), sorted."""
    return sorted((i["kind"], i["subject_type"], i["subject_id"]) for i in items)


def test_managers_are_told_when_members_join_and_leave(e2e: E2E) -> None:
    first = e2e.create_user("d1@example.org", Role.DISTRIBUTOR)
    second = e2e.create_user("d2@example.org", Role.DISTRIBUTOR)
    sales = e2e.create_user("s@example.org", Role.SALESPERSON)
    doctor = e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    practice = e2e.client.get(f"{API}/users/{doctor}", headers=e2e.admin_auth).json()["practice_id"]
    e2e.assign(first, sales)
    e2e.assign(sales, doctor)
    e2e.advance(timedelta(minutes=1))
    e2e.assign(second, sales)
    deliver(e2e)

    assert what(inbox(e2e, e2e.login("d1@example.org"))) == [
        ("member_added", "user", sales),
        ("member_removed", "user", sales),
    ]
    assert what(inbox(e2e, e2e.login("d2@example.org"))) == [("member_added", "user", sales)]
    assert what(inbox(e2e, e2e.login("s@example.org"))) == [("member_added", "practice", practice)]
    assert inbox(e2e, e2e.login("doc@example.org")) == []
    assert inbox(e2e, e2e.admin_auth) == []


def test_a_user_is_told_of_password_changes_resets_and_a_revoked_session(e2e: E2E) -> None:
    doctor = e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    changed = e2e.client.post(
        f"{API}/auth/change-password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=e2e.login("doc@example.org"),
    )
    assert changed.status_code == 204, changed.text
    assert e2e.client.post(f"{API}/auth/forgot-password", json={"email": "doc@example.org"}).status_code == 202
    token = e2e.notifier.sent[-1].token
    reset = e2e.client.post(f"{API}/auth/reset-password", json={"token": token, "new_password": PASSWORD})
    assert reset.status_code == 204, reset.text
    tokens = e2e.tokens("doc@example.org")
    rotated = e2e.client.post(f"{API}/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    replayed = e2e.client.post(f"{API}/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert_problem(replayed, 401)
    deliver(e2e)

    items = inbox(e2e, e2e.login("doc@example.org"))
    assert sorted(i["kind"] for i in items) == ["password_changed", "password_reset", "session_revoked"]
    assert {i["subject_id"] for i in items if i["kind"] != "session_revoked"} == {doctor}
    assert all(i["read"] is False and i["read_at"] is None and i["version"] == 1 for i in items)


def test_reading_one_then_all_and_another_users_notification_is_not_found(e2e: E2E) -> None:
    distributor = e2e.create_user("d@example.org", Role.DISTRIBUTOR)
    members = [e2e.create_user(f"s{n}@example.org", Role.SALESPERSON) for n in range(3)]
    for member in members:
        e2e.assign(distributor, member)
        e2e.advance(timedelta(seconds=1))
    deliver(e2e)
    owner = e2e.login("d@example.org")
    newest, middle, oldest = inbox(e2e, owner)
    assert [newest["subject_id"], middle["subject_id"], oldest["subject_id"]] == members[::-1]

    stranger = e2e.login("s0@example.org")
    assert_problem(e2e.client.post(f"{NOTIFICATIONS}/{newest['id']}/read", headers=stranger), 404)
    assert_problem(e2e.client.post(f"{NOTIFICATIONS}/{members[0]}/read", headers=owner), 404)
    assert_problem(e2e.client.post(f"{NOTIFICATIONS}/not-a-uuid/read", headers=owner), 400)
    assert_problem(e2e.client.post(f"{NOTIFICATIONS}/read-all"), 401)

    read = e2e.client.post(f"{NOTIFICATIONS}/{newest['id']}/read", headers=owner)
    assert read.status_code == 200, read.text
    assert (read.json()["read"], read.json()["version"], read.json()["id"]) == (True, 2, newest["id"])
    assert [i["id"] for i in inbox(e2e, owner, unread="true")] == [middle["id"], oldest["id"]]
    assert [i["id"] for i in inbox(e2e, owner, unread="false")] == [newest["id"]]

    marked = e2e.client.post(f"{NOTIFICATIONS}/read-all", headers=owner)
    assert (marked.status_code, marked.json()) == (200, {"marked": 2})
    assert e2e.client.post(f"{NOTIFICATIONS}/read-all", headers=owner).json() == {"marked": 0}
    assert inbox(e2e, owner, unread="true") == []
    assert inbox(e2e, stranger) == []
    assert_problem(e2e.client.get(NOTIFICATIONS, params={"sort": "kind"}, headers=owner), 400)
    assert_problem(e2e.client.get(NOTIFICATIONS, params={"cursor": "nonsense"}, headers=owner), 400)
    assert_problem(e2e.client.get(NOTIFICATIONS, headers=bearer("not a token")), 401)

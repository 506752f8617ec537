"""Identity writes with a body the edge cannot read: 404 (scope), 403 (role) and 412 (If-Match) still answer first."""

from __future__ import annotations

from typing import Any

import pytest

from ivr_domain.identity.model import User
from ivr_domain.shared.actor import Role
from tests.platform import Platform
from tests.unit.entrypoints.conftest import Client, assert_problem, login

USERS = "/api/v1/users"
PRACTICES = "/api/v1/practices"
ME = "/api/v1/auth/me"
UNKNOWN = "0190f2a4-0000-7000-8000-000000000000"
STALE = {"If-Match": '"9"'}

# Valid JSON whose fields the strict decoder refuses (a wrong type and an unknown field): a 422 on its own.
MALFORMED: dict[str, Any] = {"name": 7, "not_a_field": True}


@pytest.fixture
def colleague(platform: Platform) -> User:
    """Another doctor of the doctor's practice: within the doctor's reach, not theirs to change."""
    return platform.user("colleague@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")


@pytest.fixture
def seller_auth(client: Client, platform: Platform, doctor: User) -> dict[str, str]:
    """A salesperson over the doctor's practice: it reaches the practice but may not change it."""
    seller = platform.user("seller@example.org", Role.SALESPERSON)
    platform.assign(seller, doctor)
    return login(client, seller.email.value)


def _send(client: Client, method: str, url: str, auth: dict[str, str], **headers: str) -> Any:
    return client.request(method, url, json=MALFORMED, headers={**auth, **headers})


def test_creating_users_and_practices_is_403_for_other_roles_whatever_the_body(
    client: Client, doctor_auth: dict[str, str], admin_auth: dict[str, str]
) -> None:
    for url in (USERS, PRACTICES):
        assert_problem(_send(client, "POST", url, doctor_auth), 403)
        assert_problem(_send(client, "POST", url, admin_auth), 422)


def test_updating_a_user_checks_reach_role_and_version_before_the_body(
    client: Client,
    *,
    admin: User,
    doctor: User,
    colleague: User,
    doctor_auth: dict[str, str],
    admin_auth: dict[str, str],
) -> None:
    assert_problem(_send(client, "PUT", f"{USERS}/{admin.id}", doctor_auth), 404)
    assert_problem(_send(client, "PUT", f"{USERS}/{UNKNOWN}", admin_auth), 404)
    assert_problem(_send(client, "PUT", f"{USERS}/{colleague.id}", doctor_auth), 403)
    # Only admins change an email: asking for one is refused before the name's type is looked at.
    own_email = client.put(f"{USERS}/{doctor.id}", json={"name": 7, "email": "new@example.org"}, headers=doctor_auth)
    assert_problem(own_email, 403)
    assert assert_problem(_send(client, "PUT", f"{USERS}/{doctor.id}", admin_auth, **STALE), 412)["current_version"]
    fields = assert_problem(_send(client, "PUT", f"{USERS}/{doctor.id}", admin_auth, **{"If-Match": '"1"'}), 422)
    assert {e["field"] for e in fields["errors"]} == {"name", "not_a_field"}


def test_updating_me_checks_the_version_before_the_body(client: Client, doctor_auth: dict[str, str]) -> None:
    assert_problem(_send(client, "PUT", ME, doctor_auth, **STALE), 412)
    assert_problem(_send(client, "PUT", ME, doctor_auth, **{"If-Match": '"1"'}), 422)


@pytest.mark.parametrize("action", ["permissions", "assignments"])
def test_admin_only_account_writes_check_reach_then_role_before_the_body(
    client: Client,
    *,
    admin: User,
    doctor: User,
    colleague: User,
    doctor_auth: dict[str, str],
    admin_auth: dict[str, str],
    action: str,
) -> None:
    method = "PUT" if action == "permissions" else "POST"
    assert_problem(_send(client, method, f"{USERS}/{admin.id}/{action}", doctor_auth), 404)
    assert_problem(_send(client, method, f"{USERS}/{UNKNOWN}/{action}", admin_auth), 404)
    assert_problem(_send(client, method, f"{USERS}/{colleague.id}/{action}", doctor_auth), 403)
    assert_problem(_send(client, method, f"{USERS}/{doctor.id}/{action}", doctor_auth), 403)
    assert_problem(_send(client, method, f"{USERS}/{doctor.id}/{action}", admin_auth), 422)


def test_updating_a_practice_checks_reach_role_and_version_before_the_body(
    client: Client,
    platform: Platform,
    doctor: User,
    doctor_auth: dict[str, str],
    seller_auth: dict[str, str],
) -> None:
    elsewhere = platform.user("far@example.org", Role.DOCTOR, practice="Shelbyville Podiatry")
    assert_problem(_send(client, "PUT", f"{PRACTICES}/{elsewhere.practice_id}", doctor_auth), 404)
    own = f"{PRACTICES}/{doctor.practice_id}"
    assert_problem(_send(client, "PUT", own, seller_auth), 403)
    assert assert_problem(_send(client, "PUT", own, doctor_auth, **STALE), 412)["current_version"] == 1
    assert_problem(_send(client, "PUT", own, doctor_auth, **{"If-Match": '"1"'}), 422)

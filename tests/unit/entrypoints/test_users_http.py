"""Accounts, permissions, roles and the hierarchy over HTTP; lists and cursors."""

from __future__ import annotations

from ivr_domain.identity.model import User
from ivr_domain.shared.actor import Role
from tests.platform import PASSWORD, Platform
from tests.unit.entrypoints.conftest import Client, assert_problem, login

USERS = "/api/v1/users"


def _new_user(email: str, role: str = "salesperson") -> dict[str, object]:
    return {"email": email, "name": "New Person", "role": role, "password": PASSWORD}


def test_admins_create_users_with_location_and_etag(client: Client, admin_auth: dict[str, str]) -> None:
    response = client.post(USERS, json=_new_user("sam@example.org"), headers=admin_auth)
    assert response.status_code == 201, response.text
    user = response.json()
    assert response.headers["location"] == f"{USERS}/{user['id']}"
    assert response.headers["etag"] == '"1"'
    assert user["role"] == "salesperson"
    assert "password_hash" not in user
    assert "password" not in user
    fetched = client.get(response.headers["location"], headers=admin_auth)
    assert fetched.json() == user


def test_doctors_may_not_create_users(client: Client, doctor_auth: dict[str, str]) -> None:
    assert_problem(client.post(USERS, json=_new_user("x@example.org"), headers=doctor_auth), 403)


def test_an_unknown_role_is_422(client: Client, admin_auth: dict[str, str]) -> None:
    problem = assert_problem(client.post(USERS, json=_new_user("x@example.org", "emperor"), headers=admin_auth), 422)
    assert problem["errors"][0]["field"] == "role"


def test_create_reports_every_bad_field_at_once(client: Client, admin_auth: dict[str, str]) -> None:
    body = {**_new_user("not-an-email"), "password": "short"}
    problem = assert_problem(client.post(USERS, json=body, headers=admin_auth), 422)
    assert {e["field"] for e in problem["errors"]} == {"email", "password"}
    blank = {**_new_user("doc@example.org", "doctor"), "practice_name": "   "}
    problem = assert_problem(client.post(USERS, json=blank, headers=admin_auth), 422)
    assert problem["errors"] == [{"field": "practice_name", "message": "must not be blank"}]


def test_lists_page_with_cursors(client: Client, platform: Platform, admin_auth: dict[str, str]) -> None:
    for n in range(5):
        platform.user(f"person{n}@example.org", Role.SALESPERSON)
    first = client.get(USERS, params={"limit": 2, "role": "salesperson"}, headers=admin_auth).json()
    assert len(first["items"]) == 2
    assert first["next_cursor"]
    seen = [u["id"] for u in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(USERS, params={"limit": 2, "role": "salesperson", "cursor": cursor}, headers=admin_auth)
        assert page.status_code == 200
        seen += [u["id"] for u in page.json()["items"]]
        cursor = page.json()["next_cursor"]
    assert len(seen) == len(set(seen)) == 5


def test_bad_list_parameters_are_400(client: Client, admin_auth: dict[str, str]) -> None:
    for params in ({"limit": 0}, {"limit": 201}, {"limit": "ten"}, {"active": "maybe"}, {"role": "emperor"}):
        assert_problem(client.get(USERS, params=params, headers=admin_auth), 400)
    assert_problem(client.get(USERS, params={"cursor": "garbage!"}, headers=admin_auth), 400)
    assert_problem(client.get(USERS, params={"sort": "password_hash"}, headers=admin_auth), 400)
    assert_problem(client.get(f"{USERS}/not-a-uuid", headers=admin_auth), 400)
    assert client.get(USERS, params={"limit": 200, "sort": "email"}, headers=admin_auth).status_code == 200


def test_unknown_users_are_404(client: Client, admin_auth: dict[str, str]) -> None:
    assert_problem(client.get(f"{USERS}/0190f2a4-0000-7000-8000-000000000000", headers=admin_auth), 404)


def test_permissions_answer_the_effective_set(client: Client, platform: Platform, admin_auth: dict[str, str]) -> None:
    sam = platform.user("sam@example.org", Role.SALESPERSON)
    body = {"grants": ["orders.create"], "revocations": ["commissions.read"]}
    response = client.put(f"{USERS}/{sam.id}/permissions", json=body, headers=admin_auth)
    assert response.status_code == 200, response.text
    permissions = response.json()["permissions"]
    assert "orders.create" in permissions
    assert "commissions.read" not in permissions
    bad = client.put(f"{USERS}/{sam.id}/permissions", json={"grants": ["fly"]}, headers=admin_auth)
    assert assert_problem(bad, 422)["errors"][0]["field"] == "grants[0]"
    escalating = client.put(f"{USERS}/{sam.id}/permissions", json={"grants": ["users.manage"]}, headers=admin_auth)
    assert assert_problem(escalating, 422)["errors"] == [
        {"field": "grants", "message": "users.manage cannot be granted to a salesperson: only admin may hold it"}
    ]
    assert client.get(f"{USERS}/{sam.id}", headers=admin_auth).json()["grants"] == ["orders.create"]


def test_roles_and_hierarchy(client: Client, platform: Platform, admin_auth: dict[str, str]) -> None:
    roles = {r["role"]: r for r in client.get(f"{USERS}/roles", headers=admin_auth).json()["items"]}
    assert set(roles) == {r.value for r in Role}
    assert "users.manage" in roles["admin"]["grantable"]
    assert "users.manage" not in roles["ivr_staff"]["grantable"]
    assert {"audit.read", "ivrs.review"} <= set(roles["ivr_staff"]["grantable"])
    doctor_may_hold = set(roles["doctor"]["grantable"])
    assert {"orders.approve", "billing.manage"} <= doctor_may_hold
    assert not {"users.manage", "audit.read", "ivrs.review", "ivrs.bulk_approve"} & doctor_may_hold
    assert set(roles["doctor"]["permissions"]) <= doctor_may_hold
    distributor = platform.user("dist@example.org", Role.DISTRIBUTOR)
    sam = platform.user("sam@example.org", Role.SALESPERSON)
    assigned = client.post(
        f"{USERS}/{distributor.id}/assignments", json={"member_user_id": str(sam.id)}, headers=admin_auth
    )
    assert assigned.status_code == 201, assigned.text
    assert assigned.json()["kind"] == "salesperson_team"
    history = client.get(f"{USERS}/{sam.id}/assignments", headers=admin_auth).json()["items"]
    assert [a["manager_id"] for a in history] == [str(distributor.id)]
    tree = client.get(f"{USERS}/hierarchy", headers=admin_auth).json()["items"]
    assert tree[0]["user_id"] == str(distributor.id)
    assert tree[0]["members"][0]["user_id"] == str(sam.id)


def test_assignment_problems_name_body_fields_or_none(
    client: Client, platform: Platform, doctor: User, admin_auth: dict[str, str]
) -> None:
    distributor = platform.user("dist@example.org", Role.DISTRIBUTOR)
    url = f"{USERS}/{distributor.id}/assignments"
    # A doctor's practice goes under a salesperson: the path's manager does not fit, which no body field can say.
    wrong_level = assert_problem(client.post(url, json={"member_user_id": str(doctor.id)}, headers=admin_auth), 409)
    assert wrong_level["entity"] == "user"
    assert "salesperson" in wrong_level["detail"]
    unknown = {"member_user_id": "0190f2a4-0000-7000-8000-000000000000"}
    fields = assert_problem(client.post(url, json=unknown, headers=admin_auth), 422)["errors"]
    assert [e["field"] for e in fields] == ["member_user_id"]
    assert [e["field"] for e in assert_problem(client.post(url, json={}, headers=admin_auth), 422)["errors"]] == [
        "member_user_id"
    ]
    assert client.delete(f"{USERS}/{distributor.id}", headers=admin_auth).status_code == 200
    inactive = assert_problem(client.post(url, json=unknown, headers=admin_auth), 409)  # before the body's 422
    assert "inactive" in inactive["detail"]


def test_deactivation_ends_logins(client: Client, platform: Platform, admin_auth: dict[str, str]) -> None:
    sam = platform.user("sam@example.org", Role.SALESPERSON)
    sam_auth = login(client, "sam@example.org")
    response = client.delete(f"{USERS}/{sam.id}", headers=admin_auth)
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert_problem(client.get("/api/v1/auth/me", headers=sam_auth), 401)


def test_update_user_with_if_match(client: Client, doctor: User, admin_auth: dict[str, str]) -> None:
    url = f"{USERS}/{doctor.id}"
    assert_problem(client.put(url, json={"name": "N"}, headers={**admin_auth, "If-Match": "nonsense"}), 400)
    assert_problem(client.put(url, json={"name": "N"}, headers={**admin_auth, "If-Match": '"7"'}), 412)
    ok = client.put(url, json={"name": "N"}, headers={**admin_auth, "If-Match": 'W/"1"'})
    assert ok.status_code == 200
    assert ok.headers["etag"] == '"2"'


def test_practices(client: Client, doctor: User, admin_auth: dict[str, str], doctor_auth: dict[str, str]) -> None:
    created = client.post("/api/v1/practices", json={"name": "Shelbyville Podiatry"}, headers=admin_auth)
    assert created.status_code == 201, created.text
    assert created.headers["location"].endswith(created.json()["id"])
    assert_problem(client.post("/api/v1/practices", json={"name": "Shelbyville Podiatry"}, headers=admin_auth), 409)
    own = client.get(f"/api/v1/practices/{doctor.practice_id}", headers=doctor_auth)
    assert own.status_code == 200
    assert_problem(client.get(created.headers["location"], headers=doctor_auth), 404)
    users = client.get(f"/api/v1/practices/{doctor.practice_id}/users", headers=doctor_auth).json()["items"]
    assert [u["id"] for u in users] == [str(doctor.id)]
    listed = client.get("/api/v1/practices", headers=admin_auth).json()
    assert len(listed["items"]) == 2
    assert listed["next_cursor"] is None
    update = {"name": "Springfield Wound Clinic", "npi": "1234567893", "phone": "217 555 0100"}
    updated = client.put(f"/api/v1/practices/{doctor.practice_id}", json=update, headers=doctor_auth)
    assert updated.status_code == 200, updated.text
    assert updated.json()["npi"] == "1234567893"

"""Every role logs in and reads patients in its reach, in its projection, over a real database."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from attrs import evolve, frozen

from ivr_domain.shared.actor import SYSTEM_ACTOR, Role
from ivr_domain.shared.ids import PatientId
from tests.e2e.conftest import E2E, ME, PATIENTS, Headers, assert_problem

FULL_FIELDS = {
    "projection", "id", "practice_id", "first_name", "last_name", "date_of_birth", "sex", "phone", "email",
    "address", "insurances", "archived", "version", "created_at", "updated_at",
}  # fmt: skip
MASKED_FIELDS = {"projection", "id", "practice_id", "initials", "archived", "version", "created_at", "updated_at"}
PHI_FIELDS = FULL_FIELDS - MASKED_FIELDS
SALES = (Role.MASTER_DISTRIBUTOR, Role.DISTRIBUTOR, Role.SALESPERSON)


@frozen
class World:
    """Two practices with patients, a sales chain over practice A and one account of every role."""

    e2e: E2E
    ids: dict[str, str]
    auth: dict[str, Headers]
    patients_a: dict[str, dict[str, Any]]
    patients_b: dict[str, dict[str, Any]]


@pytest.fixture
def world(e2e: E2E) -> World:
    """Build the world through the admin endpoints and the doctors' own creates."""
    accounts = {
        "doctor_a": (Role.DOCTOR, "Springfield Wound Clinic"),
        "staff_a": (Role.DOCTOR, "Springfield Wound Clinic"),
        "doctor_b": (Role.DOCTOR, "Shelbyville Foot Center"),
        "ivr_staff": (Role.IVR_STAFF, None),
        "master": (Role.MASTER_DISTRIBUTOR, None),
        "distributor": (Role.DISTRIBUTOR, None),
        "salesperson": (Role.SALESPERSON, None),
        "lone_salesperson": (Role.SALESPERSON, None),
        "logistics": (Role.LOGISTICS, None),
    }
    ids = {
        name: e2e.create_user(f"{name}@example.org", role, practice=practice)
        for name, (role, practice) in accounts.items()
    }
    e2e.assign(ids["master"], ids["distributor"])
    e2e.assign(ids["distributor"], ids["salesperson"])
    e2e.assign(ids["salesperson"], ids["doctor_a"])
    auth = {name: e2e.login(f"{name}@example.org") for name in accounts}
    auth["admin"] = e2e.admin_auth
    patients_a = {
        "ada": e2e.create_patient(auth["doctor_a"]),
        "bob": e2e.create_patient(auth["staff_a"], first_name="Bob", last_name="Tanner", date_of_birth="1944-07-02"),
    }
    patients_b = {"cy": e2e.create_patient(auth["doctor_b"], first_name="Cy", last_name="Ortiz", sex="male")}
    return World(e2e=e2e, ids=ids, auth=auth, patients_a=patients_a, patients_b=patients_b)


def _list(world: World, who: str) -> list[dict[str, Any]]:
    """Return the patient list a caller sees, checking its PHI headers."""
    response = world.e2e.client.get(PATIENTS, headers=world.auth[who])
    assert response.status_code == 200, response.text
    _assert_phi_headers(response)
    body = response.json()
    assert body["next_cursor"] is None
    return list(body["items"])


def _get(world: World, who: str, patient: dict[str, Any]) -> Any:
    """Read one patient as a caller."""
    return world.e2e.client.get(f"{PATIENTS}/{patient['id']}", headers=world.auth[who])


def _assert_phi_headers(response: Any) -> None:
    """Check the no-store and Vary headers of a PHI answer."""
    assert response.headers["cache-control"] == "no-store"
    assert "authorization" in [v.strip().lower() for v in response.headers["vary"].split(",")]


def _ids(items: list[dict[str, Any]]) -> set[str]:
    """Return the ids of listed patients."""
    return {p["id"] for p in items}


def _assert_not_found(world: World, who: str, patient: dict[str, Any]) -> None:
    """Check that a patient out of reach answers a PHI-free 404."""
    response = _get(world, who, patient)
    assert_problem(response, 404)
    assert patient["last_name"] not in response.text
    assert patient["first_name"] not in response.text


def test_every_role_logs_in_and_me_tells_its_reach(world: World) -> None:
    expected = {
        "admin": ("admin", True, 0),
        "doctor_a": ("doctor", False, 1),
        "staff_a": ("doctor", False, 1),
        "doctor_b": ("doctor", False, 1),
        "ivr_staff": ("ivr_staff", False, 0),
        "master": ("master_distributor", False, 1),
        "distributor": ("distributor", False, 1),
        "salesperson": ("salesperson", False, 1),
        "lone_salesperson": ("salesperson", False, 0),
        "logistics": ("logistics", False, 0),
    }
    for who, (role, everything, practices) in expected.items():
        me = world.e2e.client.get(ME, headers=world.auth[who])
        assert me.status_code == 200, me.text
        body = me.json()
        assert (body["role"], body["scope"]["everything"], body["scope"]["practice_count"]) == (
            role,
            everything,
            practices,
        ), who
        assert body["scope"]["submitted_ivrs"] is (role == "ivr_staff")
        assert ("patients.read" in body["permissions"]) is (role != "logistics")
        assert ("patients.write" in body["permissions"]) is (role in ("admin", "doctor"))


def test_doctors_see_their_practice_in_full_and_nothing_else(world: World) -> None:
    a_ids = _ids(list(world.patients_a.values()))
    for who in ("doctor_a", "staff_a"):
        items = _list(world, who)
        assert _ids(items) == a_ids
        assert all(set(p) == FULL_FIELDS and p["projection"] == "full" for p in items)
        ada = _get(world, who, world.patients_a["ada"])
        assert ada.status_code == 200
        _assert_phi_headers(ada)
        assert ada.headers["etag"] == '"1"'
        assert ada.json() == world.patients_a["ada"]
        assert ada.json()["insurances"][0]["member_id"] == "1EG4TE5MK73"
        _assert_not_found(world, who, world.patients_b["cy"])
    assert _ids(_list(world, "doctor_b")) == {world.patients_b["cy"]["id"]}
    for patient in world.patients_a.values():
        _assert_not_found(world, "doctor_b", patient)


def test_the_sales_chain_sees_practice_a_masked(world: World) -> None:
    a_ids = _ids(list(world.patients_a.values()))
    initials = {"ada": "AS", "bob": "BT"}
    for who in ("master", "distributor", "salesperson"):
        items = _list(world, who)
        assert _ids(items) == a_ids, who
        for item in items:
            assert set(item) == MASKED_FIELDS
            assert item["projection"] == "masked"
        for name, patient in world.patients_a.items():
            response = _get(world, who, patient)
            assert response.status_code == 200
            _assert_phi_headers(response)
            assert response.json() == {
                "projection": "masked",
                "id": patient["id"],
                "practice_id": patient["practice_id"],
                "initials": initials[name],
                "archived": False,
                "version": 1,
                "created_at": patient["created_at"],
                "updated_at": patient["updated_at"],
            }
            for phi in (patient["first_name"], patient["last_name"], patient["date_of_birth"], "1EG4TE5MK73", "62704"):
                assert phi not in response.text
        _assert_not_found(world, who, world.patients_b["cy"])
    assert _list(world, "lone_salesperson") == []
    _assert_not_found(world, "lone_salesperson", world.patients_a["ada"])


def test_the_sales_chain_searches_masked_and_only_in_reach(world: World) -> None:
    client = world.e2e.client
    for who in ("master", "salesperson"):
        found = client.post(f"{PATIENTS}/search", json={"member_id": "1EG4TE5MK73"}, headers=world.auth[who])
        assert found.status_code == 200, found.text
        _assert_phi_headers(found)
        assert {p["id"] for p in found.json()["items"]} == {p["id"] for p in world.patients_a.values()}
        assert all(set(p) == MASKED_FIELDS for p in found.json()["items"])
        by_name = {"last_name": "Ortiz", "date_of_birth": world.patients_b["cy"]["date_of_birth"]}
        assert client.post(f"{PATIENTS}/search", json=by_name, headers=world.auth[who]).json()["items"] == []


def test_logistics_gets_403_on_the_list_and_404_on_each_patient(world: World) -> None:
    client = world.e2e.client
    listed = client.get(PATIENTS, headers=world.auth["logistics"])
    assert assert_problem(listed, 403)["type"].endswith("not_permitted")
    for patient in (*world.patients_a.values(), *world.patients_b.values()):
        _assert_not_found(world, "logistics", patient)


def test_admins_see_every_patient_in_full(world: World) -> None:
    everyone = [*world.patients_a.values(), *world.patients_b.values()]
    items = _list(world, "admin")
    assert _ids(items) == _ids(everyone)
    assert all(set(p) == FULL_FIELDS for p in items)
    for patient in everyone:
        response = _get(world, "admin", patient)
        assert response.status_code == 200
        assert response.json() == patient


def test_ivr_staff_see_only_patients_of_submitted_ivrs_in_full(world: World) -> None:
    assert _list(world, "ivr_staff") == []
    for patient in (*world.patients_a.values(), *world.patients_b.values()):
        _assert_not_found(world, "ivr_staff", patient)
    # No IVR module exists yet: mark the patient as an IVR submission would, straight in the store.
    cy = world.patients_b["cy"]
    with world.e2e.container.uow() as uow:
        stored = uow.patients.get(PatientId(UUID(cy["id"])), scope=SYSTEM_ACTOR.scope)
        assert stored is not None
        uow.patients.save(evolve(stored, ivr_submitted=True)).unwrap()
        uow.commit()
    items = _list(world, "ivr_staff")
    assert _ids(items) == {cy["id"]}
    assert set(items[0]) == FULL_FIELDS
    response = _get(world, "ivr_staff", cy)
    assert response.status_code == 200
    assert response.json()["last_name"] == "Ortiz"
    _assert_not_found(world, "ivr_staff", world.patients_a["ada"])


def test_only_admins_and_doctors_write_and_never_outside_their_reach(world: World) -> None:
    client = world.e2e.client
    before = world.e2e.patient_ids()
    body = {
        "first_name": "Eve", "last_name": "Marsh", "date_of_birth": "1961-01-09", "sex": "female", "insurances": [],
    }  # fmt: skip
    for who in ("ivr_staff", "master", "distributor", "salesperson", "logistics"):
        assert_problem(client.post(PATIENTS, json=body, headers=world.auth[who]), 403)
    ada = world.patients_a["ada"]
    update = {**body, "first_name": "Changed"}
    for who in ("master", "salesperson"):
        assert_problem(client.put(f"{PATIENTS}/{ada['id']}", json=update, headers=world.auth[who]), 403)
    assert_problem(client.put(f"{PATIENTS}/{ada['id']}", json=update, headers=world.auth["doctor_b"]), 404)
    assert_problem(client.delete(f"{PATIENTS}/{ada['id']}", headers=world.auth["doctor_b"]), 404)
    assert_problem(client.put(f"{PATIENTS}/{ada['id']}", json=update, headers=world.auth["logistics"]), 404)
    assert world.e2e.patient_ids() == before
    assert _get(world, "doctor_a", ada).json() == ada

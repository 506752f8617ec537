"""Patients over HTTP: PHI caching headers, projections, ETags, duplicates and search."""

from __future__ import annotations

from typing import Any

from ivr_domain.identity.model import User
from ivr_domain.shared.actor import Role
from tests.platform import Platform
from tests.unit.entrypoints.conftest import Client, assert_problem, login, patient_body

PATIENTS = "/api/v1/patients"


def _create(client: Client, auth: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = client.post(PATIENTS, json=patient_body(**overrides), headers=auth)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _phi_headers(response: Any) -> None:
    assert response.headers["cache-control"] == "no-store"
    assert "authorization" in response.headers["vary"].lower()


def test_create_answers_the_full_view_with_phi_headers(
    client: Client, doctor: User, doctor_auth: dict[str, str]
) -> None:
    response = client.post(PATIENTS, json=patient_body(), headers=doctor_auth)
    assert response.status_code == 201, response.text
    _phi_headers(response)
    patient = response.json()
    assert response.headers["location"] == f"{PATIENTS}/{patient['id']}"
    assert response.headers["etag"] == '"1"'
    assert patient["projection"] == "full"
    assert patient["practice_id"] == str(doctor.practice_id)
    assert patient["phone"] == "+12175550142"
    assert patient["address"]["postal_code"] == "62704"
    assert patient["insurances"][0]["member_id"] == "1EG4TE5MK73"
    assert patient["archived"] is False
    assert patient["created_at"].endswith("Z")


def test_reads_lists_and_searches_send_phi_headers(client: Client, doctor_auth: dict[str, str]) -> None:
    patient = _create(client, doctor_auth)
    _phi_headers(client.get(f"{PATIENTS}/{patient['id']}", headers=doctor_auth))
    _phi_headers(client.get(PATIENTS, headers=doctor_auth))
    found = client.post(f"{PATIENTS}/search", json={"member_id": "1EG4TE5MK73"}, headers=doctor_auth)
    _phi_headers(found)
    assert [p["id"] for p in found.json()["items"]] == [patient["id"]]
    by_name = client.post(
        f"{PATIENTS}/search", json={"last_name": "sample", "date_of_birth": "1950-03-14"}, headers=doctor_auth
    )
    assert [p["id"] for p in by_name.json()["items"]] == [patient["id"]]
    bad = client.post(f"{PATIENTS}/search", json={"last_name": "Sample"}, headers=doctor_auth)
    assert assert_problem(bad, 422)["errors"][0]["field"] == "date_of_birth"


def test_the_sales_hierarchy_sees_masked_patients(
    client: Client, platform: Platform, doctor: User, doctor_auth: dict[str, str]
) -> None:
    patient = _create(client, doctor_auth)
    sales = platform.user("sam@example.org", Role.SALESPERSON)
    platform.assign(sales, doctor)
    sales_auth = login(client, "sam@example.org")
    masked = client.get(f"{PATIENTS}/{patient['id']}", headers=sales_auth).json()
    assert masked == {
        "id": patient["id"],
        "practice_id": patient["practice_id"],
        "initials": "AS",
        "archived": False,
        "version": 1,
        "created_at": patient["created_at"],
        "updated_at": patient["updated_at"],
        "projection": "masked",
    }
    listed = client.get(PATIENTS, headers=sales_auth).json()["items"]
    assert listed[0]["projection"] == "masked"


def test_logistics_gets_403_on_the_list_and_404_on_one(
    client: Client, platform: Platform, doctor_auth: dict[str, str]
) -> None:
    patient = _create(client, doctor_auth)
    platform.user("ship@example.org", Role.LOGISTICS)
    auth = login(client, "ship@example.org")
    assert_problem(client.get(PATIENTS, headers=auth), 403)
    assert_problem(client.get(f"{PATIENTS}/{patient['id']}", headers=auth), 404)


def test_stale_if_match_is_412_and_versions_move(client: Client, doctor_auth: dict[str, str]) -> None:
    patient = _create(client, doctor_auth)
    url = f"{PATIENTS}/{patient['id']}"
    stale = client.put(url, json=patient_body(first_name="Adah"), headers={**doctor_auth, "If-Match": '"9"'})
    problem = assert_problem(stale, 412)
    assert "Ada" not in stale.text
    assert problem["current_version"] == 1
    updated = client.put(url, json=patient_body(first_name="Adah"), headers={**doctor_auth, "If-Match": '"1"'})
    assert updated.status_code == 200
    assert updated.headers["etag"] == '"2"'
    assert_problem(client.delete(url, headers={**doctor_auth, "If-Match": '"1"'}), 412)
    archived = client.delete(url, headers={**doctor_auth, "If-Match": "*"})
    assert archived.json()["archived"] is True
    assert client.get(PATIENTS, headers=doctor_auth).json()["items"] == []
    shown = client.get(PATIENTS, params={"archived": "true"}, headers=doctor_auth).json()["items"]
    assert [p["id"] for p in shown] == [patient["id"]]


def test_duplicates_answer_409_with_the_existing_id(client: Client, doctor_auth: dict[str, str]) -> None:
    first = _create(client, doctor_auth)
    response = client.post(PATIENTS, json=patient_body(), headers=doctor_auth)
    problem = assert_problem(response, 409)
    assert problem["existing_id"] == first["id"]
    assert "Ada" not in response.text
    assert "Sample" not in response.text
    _create(client, doctor_auth, allow_duplicate=True)


def test_list_filters(client: Client, doctor: User, doctor_auth: dict[str, str]) -> None:
    _create(client, doctor_auth)
    params: dict[str, Any] = {"practice_id": str(doctor.practice_id), "created_from": "2026-11-25"}
    assert len(client.get(PATIENTS, params=params, headers=doctor_auth).json()["items"]) == 1
    later = {"created_from": "2026-11-26T00:00:00Z"}
    assert client.get(PATIENTS, params=later, headers=doctor_auth).json()["items"] == []
    for bad in ({"created_to": "yesterday"}, {"archived": "perhaps"}, {"practice_id": "1"}):
        assert_problem(client.get(PATIENTS, params=bad, headers=doctor_auth), 400)


def test_admins_name_the_practice(client: Client, doctor: User, admin_auth: dict[str, str]) -> None:
    missing = client.post(PATIENTS, json=patient_body(), headers=admin_auth)
    assert assert_problem(missing, 422)["errors"][0]["field"] == "practice_id"
    created = _create(client, admin_auth, practice_id=str(doctor.practice_id))
    assert created["practice_id"] == str(doctor.practice_id)

"""Templates and justifications end to end over HTTP on SQLite and PostgreSQL: scope, the library, IVRs from them."""

from __future__ import annotations

from typing import Any

from ivr_domain.shared.actor import Role
from tests.e2e.conftest import API, E2E, assert_problem, field_errors
from tests.http import ivr_body

IVRS = f"{API}/ivrs"
TEMPLATES = f"{IVRS}/templates"
JUSTIFICATIONS = f"{IVRS}/justifications"


def _content(**overrides: Any) -> dict[str, Any]:
    body = ivr_body("unused", **overrides)
    del body["patient_id"]
    return body


def test_practices_keep_their_templates_and_admins_share_global_ones(e2e: E2E) -> None:
    e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    e2e.create_user("other@example.org", Role.DOCTOR, practice="Shelbyville Clinic")
    doctor, other, admin = e2e.login("doc@example.org"), e2e.login("other@example.org"), e2e.admin_auth

    created = e2e.client.post(TEMPLATES, json={"name": "DFU heel", "content": _content()}, headers=doctor)
    assert created.status_code == 201, created.text
    mine = created.json()
    shared = e2e.client.post(TEMPLATES, json={"name": "Global VLU", "content": {"priority": "urgent"}}, headers=admin)
    assert shared.status_code == 201, shared.text

    assert e2e.client.get(f"{TEMPLATES}/{mine['id']}", headers=doctor).json() == mine
    assert_problem(e2e.client.get(f"{TEMPLATES}/{mine['id']}", headers=other), 404)
    other_sees = e2e.client.get(TEMPLATES, headers=other).json()["items"]
    assert [t["name"] for t in other_sees] == ["Global VLU"]
    assert_problem(e2e.client.delete(f"{TEMPLATES}/{shared.json()['id']}", headers=doctor), 403)
    renamed = e2e.client.put(
        f"{TEMPLATES}/{mine['id']}",
        json={"name": "DFU heel (4 apps)", "content": _content(planned_applications=4)},
        headers={**doctor, "If-Match": '"1"'},
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.headers["etag"] == '"2"'
    assert [t["name"] for t in e2e.client.get(TEMPLATES, params={"name": "dfu"}, headers=admin).json()["items"]] == [
        "DFU heel (4 apps)"
    ]


def test_a_name_is_unique_per_practice_and_among_global_ones_and_a_title_in_the_library(e2e: E2E) -> None:
    e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    e2e.create_user("other@example.org", Role.DOCTOR, practice="Shelbyville Clinic")
    doctor, other, admin = e2e.login("doc@example.org"), e2e.login("other@example.org"), e2e.admin_auth

    def create(auth: dict[str, str], name: str) -> Any:
        return e2e.client.post(TEMPLATES, json={"name": name, "content": {"priority": "urgent"}}, headers=auth)

    mine = create(doctor, "DFU heel").json()
    assert create(other, "dfu heel").status_code == 201
    assert create(admin, "DFU  HEEL").status_code == 201
    taken = assert_problem(create(doctor, " dfu HEEL "), 409)
    assert (
        taken["detail"]
        == "the name is taken by another template of this practice (names compare ignoring case and spacing)"
    )
    assert taken["existing_id"] == mine["id"]
    assert "global template" in assert_problem(create(admin, "dfu heel"), 409)["detail"]
    leg = create(doctor, "VLU leg").json()
    rename = e2e.client.put(
        f"{TEMPLATES}/{leg['id']}", json={"name": "DFU Heel", "content": {}}, headers={**doctor, "If-Match": '"1"'}
    )
    assert assert_problem(rename, 409)["existing_id"] == mine["id"]

    def justify(title: str) -> Any:
        return e2e.client.post(
            JUSTIFICATIONS, json={"title": title, "wound_type": "burn", "text": "Why."}, headers=admin
        )

    first = justify("Burn, grafting deferred")
    assert first.status_code == 201, first.text
    problem = assert_problem(justify("burn,  GRAFTING deferred"), 409)
    assert problem["detail"].startswith("the title is taken by another justification")
    assert problem["existing_id"] == first.json()["id"]
    names = [t["name"] for t in e2e.client.get(TEMPLATES, params={"sort": "name"}, headers=admin).json()["items"]]
    assert names == ["DFU  HEEL", "DFU heel", "VLU leg", "dfu heel"]


def test_a_template_carrying_patient_fields_is_refused(e2e: E2E) -> None:
    e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    doctor = e2e.login("doc@example.org")
    patient = e2e.create_patient(doctor)
    content = {**_content(), "patient_id": patient["id"], "first_name": "Ada", "insurances": patient["insurances"]}

    response = e2e.client.post(TEMPLATES, json={"name": "Leaky", "content": content}, headers=doctor)

    assert_problem(response, 422)
    errors = dict(field_errors(response))
    assert set(errors) == {"content.first_name", "content.insurances", "content.patient_id"}
    assert all("patient data" in message for message in errors.values())
    assert "Ada" not in response.text
    assert e2e.client.get(TEMPLATES, headers=doctor).json()["items"] == []


def test_an_ivr_created_from_a_template_and_justifications_reads_back_with_both(e2e: E2E) -> None:
    e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    doctor, admin = e2e.login("doc@example.org"), e2e.admin_auth
    patient = e2e.create_patient(doctor)["id"]
    template = e2e.client.post(
        TEMPLATES,
        json={"name": "DFU heel", "content": _content(priority="urgent", notes="Offloading.")},
        headers=doctor,
    ).json()
    sent = {"title": "DFU failed standard care", "wound_type": "diabetic_foot_ulcer", "hcpcs_code": "Q4186"}
    justification = e2e.client.post(JUSTIFICATIONS, json={**sent, "text": "Four weeks failed."}, headers=admin)
    assert justification.status_code == 201, justification.text
    assert_problem(e2e.client.post(JUSTIFICATIONS, json={**sent, "text": "x"}, headers=doctor), 403)
    listed = e2e.client.get(JUSTIFICATIONS, params={"wound_type": "diabetic_foot_ulcer"}, headers=doctor).json()
    assert [j["id"] for j in listed["items"]] == [justification.json()["id"]]

    body = {
        "patient_id": patient,
        "template_id": template["id"],
        "justification_ids": [justification.json()["id"]],
        "planned_applications": 6,
    }
    created = e2e.client.post(IVRS, json=body, headers=doctor)

    assert created.status_code == 201, created.text
    ivr = e2e.client.get(f"{IVRS}/{created.json()['id']}", headers=doctor).json()
    assert ivr["planned_applications"] == 6
    assert ivr["priority"] == "urgent"
    assert ivr["products"] == [{"hcpcs_code": "Q4186", "size": "4x4 cm", "quantity": 4}]
    assert ivr["notes"] == "Offloading.\n\nDFU failed standard care\nFour weeks failed."
    assert ivr["justification_ids"] == [justification.json()["id"]]
    submitted = e2e.client.post(f"{IVRS}/{ivr['id']}/submit", json={}, headers={**doctor, "If-Match": '"1"'})
    assert submitted.status_code == 200, submitted.text
    unknown = e2e.client.post(IVRS, json={**body, "template_id": justification.json()["id"]}, headers=doctor)
    assert [field for field, _ in field_errors(unknown)] == ["template_id"]

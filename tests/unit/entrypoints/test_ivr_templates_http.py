"""Templates and justifications over HTTP: shapes, ETags, paging, filters, API.md's refusals, and creating from them."""

from __future__ import annotations

from typing import Any

import pytest

from ivr_domain.identity.model import User
from ivr_domain.shared.actor import Role
from ivr_domain.shared.audit import Outcome
from tests.http import assert_problem, ivr_body, patient_body
from tests.platform import Platform
from tests.unit.entrypoints.conftest import Client, login

IVRS = "/api/v1/ivrs"
TEMPLATES = f"{IVRS}/templates"
JUSTIFICATIONS = f"{IVRS}/justifications"
Auth = dict[str, str]


def _content(**overrides: Any) -> dict[str, Any]:
    """The example IVR without its patient: what a practice typically pre-fills."""
    body = ivr_body("unused", **overrides)
    del body["patient_id"]
    return body


def _template(client: Client, auth: Auth, **body: Any) -> dict[str, Any]:
    response = client.post(TEMPLATES, json={"name": "DFU heel", "content": _content(), **body}, headers=auth)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _justification(client: Client, auth: Auth, **body: Any) -> dict[str, Any]:
    sent = {"title": "DFU failed standard care", "wound_type": "diabetic_foot_ulcer", "text": "Wound failed 4 weeks."}
    response = client.post(JUSTIFICATIONS, json={**sent, **body}, headers=auth)
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.fixture
def stranger_auth(client: Client, platform: Platform) -> Auth:
    """A doctor of another practice."""
    platform.user("other@example.org", Role.DOCTOR, practice="Shelbyville Foot Care")
    return login(client, "other@example.org")


@pytest.fixture
def patient_id(client: Client, doctor_auth: Auth) -> str:
    """A patient of the doctor's practice."""
    response = client.post("/api/v1/patients", json=patient_body(), headers=doctor_auth)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_a_doctor_creates_reads_and_lists_their_practice_template(
    client: Client, doctor: User, doctor_auth: Auth
) -> None:
    created = client.post(TEMPLATES, json={"name": " DFU heel ", "content": _content()}, headers=doctor_auth)

    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"{TEMPLATES}/{body['id']}"
    assert created.headers["etag"] == '"1"'
    assert body["name"] == "DFU heel"
    assert body["scope"] == "practice"
    assert body["practice_id"] == str(doctor.practice_id)
    assert body["content"]["wounds"][0]["length_cm"] == "4.0"
    assert "patient_id" not in body["content"]
    assert body["content"]["signature"]["signed_at"] == "2026-11-20T14:00:00Z"
    read = client.get(f"{TEMPLATES}/{body['id']}", headers=doctor_auth)
    assert read.status_code == 200
    assert read.json() == body
    listed = client.get(TEMPLATES, headers=doctor_auth).json()
    assert [t["id"] for t in listed["items"]] == [body["id"]]


def test_another_practice_gets_404_and_sees_only_its_own_and_global_templates(
    client: Client, doctor_auth: Auth, admin_auth: Auth, stranger_auth: Auth
) -> None:
    mine = _template(client, doctor_auth)
    shared = _template(client, admin_auth, name="Global VLU")

    assert_problem(client.get(f"{TEMPLATES}/{mine['id']}", headers=stranger_auth), 404)
    assert_problem(client.put(f"{TEMPLATES}/{mine['id']}", json={"x": 1}, headers=stranger_auth), 404)
    assert_problem(client.delete(f"{TEMPLATES}/{mine['id']}", headers=stranger_auth), 404)
    assert [t["id"] for t in client.get(TEMPLATES, headers=stranger_auth).json()["items"]] == [shared["id"]]
    assert shared["scope"] == "global"
    assert shared["practice_id"] is None
    # A doctor sees a global template but may not change it: 403 before any body problem.
    assert_problem(client.put(f"{TEMPLATES}/{shared['id']}", json={"x": 1}, headers=doctor_auth), 403)
    assert_problem(client.delete(f"{TEMPLATES}/{shared['id']}", headers=doctor_auth), 403)


def test_filters_scope_practice_and_name_and_paging_with_a_cursor(
    client: Client, doctor: User, doctor_auth: Auth, admin_auth: Auth
) -> None:
    for name in ("Alpha heel", "beta HEEL", "Gamma leg"):
        _template(client, doctor_auth, name=name)
    _template(client, admin_auth, name="Delta heel")

    def names(auth: Auth, **params: Any) -> list[str]:
        return [t["name"] for t in client.get(TEMPLATES, params=params, headers=auth).json()["items"]]

    assert names(doctor_auth) == ["Alpha heel", "Delta heel", "Gamma leg", "beta HEEL"]
    assert names(doctor_auth, name="heel") == ["Alpha heel", "Delta heel", "beta HEEL"]
    assert names(doctor_auth, scope="global") == ["Delta heel"]
    assert names(admin_auth, scope="practice", practice_id=str(doctor.practice_id), sort="-name") == [
        "beta HEEL",
        "Gamma leg",
        "Alpha heel",
    ]
    first = client.get(TEMPLATES, params={"limit": 2}, headers=doctor_auth).json()
    second = client.get(TEMPLATES, params={"limit": 2, "cursor": first["next_cursor"]}, headers=doctor_auth).json()
    assert [t["name"] for t in first["items"] + second["items"]] == names(doctor_auth)
    assert second["next_cursor"] is None
    assert_problem(client.get(TEMPLATES, params={"sort": "content"}, headers=doctor_auth), 400)
    assert_problem(client.get(TEMPLATES, params={"scope": "everything"}, headers=doctor_auth), 400)


def test_update_takes_if_match_and_delete_removes(client: Client, doctor_auth: Auth) -> None:
    template = _template(client, doctor_auth)
    url = f"{TEMPLATES}/{template['id']}"
    changed = {"name": "DFU heel, urgent", "content": {"priority": "urgent"}}

    stale = client.put(url, json=changed, headers={**doctor_auth, "If-Match": '"7"'})
    assert_problem(stale, 412)
    updated = client.put(url, json=changed, headers={**doctor_auth, "If-Match": '"1"'})
    assert updated.status_code == 200, updated.text
    assert updated.headers["etag"] == '"2"'
    assert updated.json()["content"] == {"priority": "urgent"}
    assert_problem(client.delete(url, headers={**doctor_auth, "If-Match": '"1"'}), 412)
    deleted = client.delete(url, headers={**doctor_auth, "If-Match": '"2"'})
    assert deleted.status_code == 204
    assert_problem(client.get(url, headers=doctor_auth), 404)


def test_a_template_carrying_patient_fields_is_refused_with_a_clear_message(client: Client, doctor_auth: Auth) -> None:
    content = {**_content(), "patient_id": "0190f3c2-0000-7000-8000-000000000000"}
    content |= {"date_of_birth": "1950-03-14", "member_id": "1EG4TE5MK73"}
    content["wounds"][0]["length_cm"] = 4.0  # a wrong type too: every problem is listed at once

    response = client.post(TEMPLATES, json={"name": "Leaky", "content": content}, headers=doctor_auth)

    problem = assert_problem(response, 422)
    errors = {e["field"]: e["message"] for e in problem["errors"]}
    assert set(errors) == {
        "content.date_of_birth",
        "content.member_id",
        "content.patient_id",
        "content.wounds[0].length_cm",
    }
    assert "patient data" in errors["content.patient_id"]
    assert "1950" not in response.text
    assert "1EG4TE5MK73" not in response.text
    assert client.get(TEMPLATES, headers=doctor_auth).json()["items"] == []
    # Decodable otherwise: the core refuses it the same way.
    only_patient = client.post(TEMPLATES, json={"name": "Leaky", "content": {"insurances": []}}, headers=doctor_auth)
    assert [e["field"] for e in assert_problem(only_patient, 422)["errors"]] == ["content.insurances"]


def test_template_values_are_checked_like_a_draft_ivr(client: Client, doctor_auth: Auth) -> None:
    content = _content(application_cpt_codes=["15271"], planned_applications=0)
    content["physician"]["npi"] = "1234567890"

    response = client.post(TEMPLATES, json={"name": "", "content": content}, headers=doctor_auth)

    fields = {e["field"] for e in assert_problem(response, 422)["errors"]}
    assert fields == {"name", "content.application_cpt_codes", "content.planned_applications", "content.physician.npi"}


def test_roles_without_template_business_get_403(client: Client, platform: Platform, admin_auth: Auth) -> None:
    platform.user("sales@example.org", Role.SALESPERSON)
    platform.user("staff@example.org", Role.IVR_STAFF)
    shared = _template(client, admin_auth)
    for email in ("sales@example.org", "staff@example.org"):
        auth = login(client, email)
        assert_problem(client.get(TEMPLATES, headers=auth), 403)
        assert_problem(client.get(f"{TEMPLATES}/{shared['id']}", headers=auth), 403)
        assert_problem(client.post(TEMPLATES, json={"bad": True}, headers=auth), 403)
        assert_problem(client.get(JUSTIFICATIONS, headers=auth), 403)


def test_justifications_admins_write_doctors_read(client: Client, admin_auth: Auth, doctor_auth: Auth) -> None:
    item = _justification(client, admin_auth, hcpcs_code=" q4186 ")
    _justification(client, admin_auth, title="VLU compression failed", wound_type="venous_leg_ulcer")
    url = f"{JUSTIFICATIONS}/{item['id']}"

    assert item["hcpcs_code"] == "Q4186"
    assert client.get(url, headers=doctor_auth).json() == item
    by_type = client.get(JUSTIFICATIONS, params={"wound_type": "venous_leg_ulcer"}, headers=doctor_auth).json()
    assert [j["title"] for j in by_type["items"]] == ["VLU compression failed"]
    by_code = client.get(JUSTIFICATIONS, params={"hcpcs_code": "q4186"}, headers=doctor_auth).json()
    assert [j["id"] for j in by_code["items"]] == [item["id"]]
    assert_problem(client.post(JUSTIFICATIONS, json={"nope": 1}, headers=doctor_auth), 403)
    assert_problem(client.put(url, json={"nope": 1}, headers=doctor_auth), 403)
    bad = client.post(
        JUSTIFICATIONS, json={"title": " ", "wound_type": "burn", "text": "x", "hcpcs_code": "99"}, headers=admin_auth
    )
    assert {e["field"] for e in assert_problem(bad, 422)["errors"]} == {"title", "hcpcs_code"}
    changed = {"title": "DFU, 4 weeks", "wound_type": "diabetic_foot_ulcer", "text": "Still open."}
    assert_problem(client.put(url, json=changed, headers={**admin_auth, "If-Match": '"9"'}), 412)
    updated = client.put(url, json=changed, headers={**admin_auth, "If-Match": '"1"'})
    assert updated.status_code == 200
    assert updated.json()["hcpcs_code"] is None
    assert client.delete(url, headers=admin_auth).status_code == 204
    assert_problem(client.get(url, headers=doctor_auth), 404)


def test_a_taken_name_or_title_is_409_naming_it_after_the_other_refusals_and_audited(
    client: Client, platform: Platform, doctor_auth: Auth, admin_auth: Auth, stranger_auth: Auth
) -> None:
    heel = _template(client, doctor_auth, name="DFU heel")
    leg = _template(client, doctor_auth, name="VLU leg")
    _template(client, stranger_auth, name="dfu HEEL")  # another practice's may share it
    _template(client, admin_auth, name="DFU heel")  # and so may a global one

    taken = client.post(TEMPLATES, json={"name": " dfu  Heel ", "content": _content()}, headers=doctor_auth)
    problem = assert_problem(taken, 409)
    assert (
        problem["detail"]
        == "the name is taken by another template of this practice (names compare ignoring case and spacing)"
    )
    assert (problem["entity"], problem["existing_id"]) == ("ivr_template", heel["id"])
    last = platform.audit()[0]
    assert (last.action, last.outcome, last.reason) == ("ivr_templates.create", Outcome.INVALID, "conflict")
    assert_problem(client.post(TEMPLATES, json={"name": "DFU HEEL", "content": _content()}, headers=admin_auth), 409)
    url = f"{TEMPLATES}/{leg['id']}"
    renamed = {"name": "DFU Heel", "content": {}}
    # 412 and 422 come first; then the name
    assert_problem(client.put(url, json=renamed, headers={**doctor_auth, "If-Match": '"5"'}), 412)
    assert_problem(client.put(url, json={**renamed, "content": {"priority": "soon"}}, headers=doctor_auth), 422)
    assert assert_problem(client.put(url, json=renamed, headers=doctor_auth), 409)["existing_id"] == heel["id"]
    assert platform.audit()[0].resource_id == leg["id"]
    kept = client.put(url, json={"name": "vlu LEG", "content": {}}, headers=doctor_auth)
    assert kept.status_code == 200, kept.text
    assert kept.json()["name"] == "vlu LEG"

    item = _justification(client, admin_auth)
    twin = client.post(
        JUSTIFICATIONS,
        json={"title": "dfu failed STANDARD care", "wound_type": "burn", "text": "Other."},
        headers=admin_auth,
    )
    problem = assert_problem(twin, 409)
    assert (
        problem["detail"]
        == "the title is taken by another justification of the library (titles compare ignoring case and spacing)"
    )
    assert (problem["entity"], problem["existing_id"]) == ("medical_justification", item["id"])
    assert (platform.audit()[0].action, platform.audit()[0].reason) == ("justifications.create", "conflict")


def test_an_ivr_starts_from_a_template_with_the_body_over_it_and_justifications_in_its_notes(
    client: Client, doctor_auth: Auth, admin_auth: Auth, patient_id: str
) -> None:
    template = _template(client, doctor_auth, content=_content(priority="urgent", notes="Template note."))
    justification = _justification(client, admin_auth)
    body = {
        "patient_id": patient_id,
        "template_id": template["id"],
        "justification_ids": [justification["id"]],
        "priority": "routine",
    }

    created = client.post(IVRS, json=body, headers=doctor_auth)

    assert created.status_code == 201, created.text
    ivr = created.json()
    assert ivr["priority"] == "routine"  # the body's field wins, even set to the default
    assert ivr["wounds"][0]["site"] == "left heel"  # the template fills the rest
    assert ivr["notes"] == "Template note.\n\nDFU failed standard care\nWound failed 4 weeks."
    assert ivr["justification_ids"] == [justification["id"]]
    submitted = client.post(f"{IVRS}/{ivr['id']}/submit", json={}, headers=doctor_auth)
    assert submitted.status_code == 200, submitted.text


def test_unknown_or_invisible_ids_are_422_and_an_update_refuses_them(
    client: Client, doctor_auth: Auth, stranger_auth: Auth, patient_id: str
) -> None:
    theirs = _template(client, stranger_auth)
    missing = "0190f3c2-0000-7000-8000-000000000000"
    body = {"patient_id": patient_id, "template_id": theirs["id"], "justification_ids": [missing]}

    problem = assert_problem(client.post(IVRS, json=body, headers=doctor_auth), 422)

    assert {e["field"] for e in problem["errors"]} == {"template_id", "justification_ids[0]"}
    created = client.post(IVRS, json={"patient_id": patient_id}, headers=doctor_auth).json()
    update = client.put(f"{IVRS}/{created['id']}", json={**body, "template_id": None}, headers=doctor_auth)
    assert {e["field"] for e in assert_problem(update, 422)["errors"]} == {"template_id", "justification_ids"}

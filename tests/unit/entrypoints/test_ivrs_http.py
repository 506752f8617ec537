"""IVRs over HTTP: strict bodies, the workflow, API.md's order of refusals, projections, history and lists."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from ivr_domain.identity.model import User
from ivr_domain.shared.actor import Role
from tests.http import assert_problem, coverage_body, ivr_body, patient_body
from tests.platform import Platform
from tests.unit.entrypoints.conftest import Client, login

IVRS = "/api/v1/ivrs"
PATIENTS = "/api/v1/patients"
Auth = dict[str, str]

# Valid JSON the strict decoder refuses (a wrong type and an unknown field): a 422 on its own.
MALFORMED: dict[str, Any] = {"coverages": "all of them", "not_a_field": True}
EXPLANATION = "Plan policy excludes this product for DFU."


@pytest.fixture
def staff(platform: Platform) -> User:
    """A verification specialist."""
    return platform.user("staff@example.org", Role.IVR_STAFF)


@pytest.fixture
def staff_auth(client: Client, staff: User) -> Auth:
    """The verification specialist's Authorization header."""
    return login(client, staff.email.value)


@pytest.fixture
def patient_id(client: Client, doctor_auth: Auth) -> str:
    """A patient of the doctor's practice, with a primary insurance."""
    response = client.post(PATIENTS, json=patient_body(), headers=doctor_auth)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _create(client: Client, auth: Auth, patient_id: str, **overrides: Any) -> dict[str, Any]:
    response = client.post(IVRS, json=ivr_body(patient_id, **overrides), headers=auth)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _act(
    client: Client, auth: Auth, ivr: dict[str, Any], action: str, body: dict[str, Any] | None = None, **headers: str
) -> Any:
    return client.post(f"{IVRS}/{ivr['id']}/{action}", json=body or {}, headers={**auth, **headers})


def _moved(response: Any, status: str) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    ivr: dict[str, Any] = response.json()
    assert ivr["status"] == status
    assert response.headers["etag"] == f'"{ivr["version"]}"'
    assert response.headers["cache-control"] == "no-store"
    assert "authorization" in response.headers["vary"].lower()
    return ivr


def _fields(response: Any) -> set[str]:
    return {e["field"] for e in assert_problem(response, 422)["errors"]}


def _in_review(client: Client, doctor_auth: Auth, staff_auth: Auth, patient_id: str) -> dict[str, Any]:
    ivr = _create(client, doctor_auth, patient_id)
    _moved(_act(client, doctor_auth, ivr, "submit"), "submitted")
    return _moved(_act(client, staff_auth, ivr, "start-review"), "in_review")


def test_create_answers_201_with_location_etag_and_the_full_view(
    client: Client, doctor: User, doctor_auth: Auth, patient_id: str
) -> None:
    response = client.post(IVRS, json=ivr_body(patient_id), headers=doctor_auth)
    assert response.status_code == 201, response.text
    ivr = response.json()
    assert response.headers["location"] == f"{IVRS}/{ivr['id']}"
    assert response.headers["etag"] == '"1"'
    assert response.headers["cache-control"] == "no-store"
    assert re.fullmatch(r"IVR-2026-[0-9]{6}", ivr["reference"])
    assert (ivr["projection"], ivr["status"], ivr["version"]) == ("full", "draft", 1)
    assert (ivr["patient_id"], ivr["practice_id"]) == (patient_id, str(doctor.practice_id))
    assert ivr["allowed_actions"] == ["update", "submit", "cancel"]
    assert ivr["diagnosis_codes"] == [{"code": "E11.621", "primary": True}, {"code": "L97.422", "primary": False}]
    wound = ivr["wounds"][0]
    assert (wound["length_cm"], wound["width_cm"], wound["area_cm2"]) == ("4.0", "3.0", "12.00")
    assert ivr["facility"]["address"]["postal_code"] == "62704"
    assert ivr["signature"] == {"signer_name": "Jane Doe", "signed_at": "2026-11-20T14:00:00Z"}
    assert ivr["patient_snapshot"] is None
    assert ivr["created_at"].endswith("Z")
    fetched = client.get(response.headers["location"], headers=doctor_auth)
    assert fetched.json() == ivr
    assert fetched.headers["etag"] == '"1"'


def test_unknown_fields_and_wrong_types_are_422_with_paths(client: Client, doctor_auth: Auth, patient_id: str) -> None:
    body = ivr_body(patient_id, planned_applications="4")
    body["facility"]["colour"] = "blue"
    body["wounds"][0]["length_cm"] = 4.0
    body["wounds"][0]["width_cm"] = "NaN"
    body["diagnosis_codes"][0]["primary"] = 1
    body["signature"]["signed_at"] = "2026-11-20T14:00:00"
    response = client.post(IVRS, json=body, headers=doctor_auth)
    assert _fields(response) == {
        "planned_applications",
        "facility.colour",
        "wounds[0].length_cm",
        "wounds[0].width_cm",
        "diagnosis_codes[0].primary",
        "signature.signed_at",
    }
    assert "NaN" not in response.text
    assert client.get(IVRS, headers=doctor_auth).json()["items"] == []


def test_a_draft_is_checked_value_by_value_and_every_problem_is_listed(
    client: Client, doctor_auth: Auth, patient_id: str
) -> None:
    body = ivr_body(patient_id, application_cpt_codes=["15271"], products=[{"hcpcs_code": "X12", "quantity": 1}])
    body["physician"]["npi"] = "1234567890"  # check digit wrong
    body["physician"]["tin"] = "123456789"
    body["facility"]["place_of_service"] = "99x"
    body["diagnosis_codes"][1]["code"] = "L97.9"  # a category, not billable
    assert _fields(client.post(IVRS, json=body, headers=doctor_auth)) == {
        "physician.npi",
        "physician.tin",
        "facility.place_of_service",
        "diagnosis_codes[1].code",
        "products[0].hcpcs_code",
        "application_cpt_codes",
    }


def test_submitting_an_incomplete_draft_lists_every_missing_field(
    client: Client, doctor_auth: Auth, patient_id: str
) -> None:
    response = client.post(IVRS, json={"patient_id": patient_id}, headers=doctor_auth)
    assert response.status_code == 201, response.text
    draft = response.json()
    assert (draft["wounds"], draft["physician"]["name"]) == ([], None)
    assert {
        "insurance_ranks",
        "physician.name",
        "physician.npi",
        "physician.tin",
        "facility.name",
        "facility.address",
        "facility.npi",
        "facility.tin",
        "facility.place_of_service",
        "wounds",
        "diagnosis_codes",
        "application_cpt_codes",
        "anticipated_first_service_date",
        "planned_applications",
        "products",
        "signature",
    } <= _fields(_act(client, doctor_auth, draft, "submit"))
    assert client.get(f"{IVRS}/{draft['id']}", headers=doctor_auth).json()["status"] == "draft"


def test_a_practice_and_a_reviewer_take_an_ivr_through_the_workflow(
    client: Client, *, platform: Platform, staff: User, doctor_auth: Auth, staff_auth: Auth, patient_id: str
) -> None:
    def later() -> None:
        platform.clock.advance(timedelta(minutes=1))  # history is ordered by time; tokens live 10 minutes

    ivr = _create(client, doctor_auth, patient_id)
    later()
    ivr = _moved(client.post(f"{IVRS}/{ivr['id']}/submit", headers=doctor_auth), "submitted")  # no body at all
    assert ivr["patient_snapshot"]["last_name"] == "Sample"
    assert ivr["patient_snapshot"]["insurances"][0]["member_id"] == "1EG4TE5MK73"
    assert ivr["submitted_at"] == ivr["last_submitted_at"] == "2026-11-25T09:01:00Z"
    later()
    ivr = _moved(_act(client, staff_auth, ivr, "start-review"), "in_review")
    assert ivr["reviewer_id"] == str(staff.id)
    assert ivr["allowed_actions"] == ["request-info", "require-prior-auth", "approve", "reject"]
    later()
    asked = {"message": "Attach current wound measurements", "due_date": "2026-12-01"}
    ivr = _moved(_act(client, staff_auth, ivr, "request-info", asked), "info_requested")
    assert ivr["info_request"] == {**asked, "requested_at": "2026-11-25T09:03:00Z"}
    later()
    edited = client.put(
        f"{IVRS}/{ivr['id']}",
        json=ivr_body(patient_id, notes="Measured again: 4 x 3 cm."),
        headers={**doctor_auth, "If-Match": f'"{ivr["version"]}"'},
    )
    ivr = _moved(edited, "info_requested")
    assert ivr["notes"] == "Measured again: 4 x 3 cm."
    later()
    ivr = _moved(_act(client, doctor_auth, ivr, "resubmit"), "submitted")
    assert (ivr["submitted_at"], ivr["last_submitted_at"]) == ("2026-11-25T09:01:00Z", "2026-11-25T09:05:00Z")
    assert ivr["reviewer_id"] == str(staff.id)
    later()
    ivr = _moved(_act(client, staff_auth, ivr, "start-review"), "in_review")
    later()
    ivr = _moved(_act(client, staff_auth, ivr, "require-prior-auth", {"note": "PA for Q4186"}), "pending_prior_auth")
    assert ivr["prior_auth_note"] == "PA for Q4186"
    later()
    without_pa = _act(client, staff_auth, ivr, "approve", {"coverages": [coverage_body()]})
    assert _fields(without_pa) == {"coverages[0].prior_auth_number"}
    approval = {"coverages": [coverage_body(prior_auth_number="PA-778812")]}
    ivr = _moved(_act(client, staff_auth, ivr, "approve", approval, **{"If-Match": f'"{ivr["version"]}"'}), "approved")
    assert (ivr["valid_until"], ivr["decided_at"], ivr["allowed_actions"]) == ("2027-03-31", "2026-11-25T09:08:00Z", [])
    (covered,) = ivr["coverages"]
    assert covered == {**coverage_body(prior_auth_number="PA-778812"), "deductible_met": "257.00"}

    history = client.get(f"{IVRS}/{ivr['id']}/history", headers=doctor_auth)
    assert history.headers["cache-control"] == "no-store"
    items = history.json()["items"]
    assert [(h["from"], h["to"], h["trigger"]) for h in items] == [
        (None, "draft", "create"),
        ("draft", "submitted", "submit"),
        ("submitted", "in_review", "start-review"),
        ("in_review", "info_requested", "request-info"),
        ("info_requested", "submitted", "resubmit"),
        ("submitted", "in_review", "start-review"),
        ("in_review", "pending_prior_auth", "require-prior-auth"),
        ("pending_prior_auth", "approved", "approve"),
    ]
    assert items[3] == {
        "id": items[3]["id"],
        "from": "in_review",
        "to": "info_requested",
        "trigger": "request-info",
        "actor_id": str(staff.id),
        "actor_role": "ivr_staff",
        "reason": None,
        "note": "Attach current wound measurements",
        "linked_ivr_id": None,
        "at": "2026-11-25T09:03:00Z",
    }


def test_a_rejection_keeps_its_reason_and_cancel_answers_the_cancelled_ivr(
    client: Client, doctor_auth: Auth, staff_auth: Auth, patient_id: str
) -> None:
    ivr = _in_review(client, doctor_auth, staff_auth, patient_id)
    refusal = {"reason_code": "product_not_covered", "explanation": EXPLANATION}
    rejected = _moved(_act(client, staff_auth, ivr, "reject", refusal), "rejected")
    assert rejected["rejection"] == refusal
    last = client.get(f"{IVRS}/{ivr['id']}/history", headers=doctor_auth).json()["items"][-1]
    assert (last["reason"], last["note"]) == ("product_not_covered", EXPLANATION)
    assert_problem(client.delete(f"{IVRS}/{ivr['id']}", headers=doctor_auth), 409)

    draft = _create(client, doctor_auth, patient_id)
    assert_problem(client.delete(f"{IVRS}/{draft['id']}", headers={**doctor_auth, "If-Match": '"7"'}), 412)
    cancelled = _moved(client.delete(f"{IVRS}/{draft['id']}", headers={**doctor_auth, "If-Match": '"1"'}), "cancelled")
    assert (cancelled["version"], cancelled["allowed_actions"]) == (2, [])


def test_actions_without_data_take_an_empty_object_or_nothing_and_refuse_anything_else(
    client: Client, doctor_auth: Auth, patient_id: str
) -> None:
    ivr = _create(client, doctor_auth, patient_id)
    url = f"{IVRS}/{ivr['id']}/submit"
    assert _fields(client.post(url, json={"force": True}, headers=doctor_auth)) == {"force"}
    assert_problem(client.post(url, content=b"{}", headers={**doctor_auth, "content-type": "text/plain"}), 415)
    assert_problem(client.post(url, content=b"{", headers={**doctor_auth, "content-type": "application/json"}), 400)
    _moved(client.post(url, json={}, headers=doctor_auth), "submitted")


def test_stale_if_match_answers_412_on_update_and_actions(client: Client, doctor_auth: Auth, patient_id: str) -> None:
    ivr = _create(client, doctor_auth, patient_id)
    url = f"{IVRS}/{ivr['id']}"
    stale = {**doctor_auth, "If-Match": '"9"'}
    problem = assert_problem(client.put(url, json=ivr_body(patient_id, notes="Later."), headers=stale), 412)
    assert problem["current_version"] == 1
    assert "Failed 6 weeks" not in str(problem)
    assert_problem(client.put(url, json=MALFORMED, headers=stale), 412)  # before the body's own problems
    assert_problem(client.post(f"{url}/submit", headers=stale), 412)
    assert_problem(client.put(url, json=ivr_body(patient_id), headers={**doctor_auth, "If-Match": "3"}), 400)
    updated = client.put(url, json=ivr_body(patient_id, priority="urgent"), headers={**doctor_auth, "If-Match": '"1"'})
    assert _moved(updated, "draft")["priority"] == "urgent"
    assert updated.headers["etag"] == '"2"'


def test_refusals_answer_in_api_md_order_whatever_the_body(
    client: Client, *, platform: Platform, doctor_auth: Auth, admin_auth: Auth, staff_auth: Auth, patient_id: str
) -> None:
    approval = {"coverages": [coverage_body()]}
    draft = _create(client, doctor_auth, patient_id)
    for body in (approval, MALFORMED):
        assert_problem(_act(client, doctor_auth, draft, "approve", body), 403)  # a doctor approving their own
        problem = assert_problem(_act(client, admin_auth, draft, "approve", body), 409)  # an admin, a draft
        assert (problem["state"], problem["allowed"]) == ("draft", ["update", "submit", "cancel"])
        assert "status draft; allowed actions now: update, submit, cancel" in problem["detail"]

    submitted = _moved(_act(client, doctor_auth, draft, "submit"), "submitted")
    for body in (approval, MALFORMED):
        problem = assert_problem(_act(client, staff_auth, submitted, "approve", body), 409)  # nobody reviews it yet
        assert (problem["state"], problem["allowed"]) == ("submitted", ["start-review"])
        # The practice cannot edit a submitted IVR: the state answers before the body.
        assert_problem(client.put(f"{IVRS}/{draft['id']}", json=body, headers=doctor_auth), 409)

    _moved(_act(client, staff_auth, submitted, "start-review"), "in_review")
    platform.user("other.staff@example.org", Role.IVR_STAFF)
    other_staff = login(client, "other.staff@example.org")
    for body in (approval, MALFORMED):
        assert_problem(_act(client, other_staff, draft, "approve", body), 403)  # not the reviewer
    assert_problem(_act(client, staff_auth, draft, "approve", MALFORMED, **{"If-Match": '"1"'}), 412)
    short = {"reason_code": "other", "explanation": "Too short."}
    assert _fields(_act(client, staff_auth, draft, "reject", short)) == {"explanation"}
    assert _fields(_act(client, staff_auth, draft, "approve", MALFORMED)) == {"coverages", "not_a_field"}

    platform.user("ship@example.org", Role.LOGISTICS)
    logistics = login(client, "ship@example.org")
    assert_problem(client.get(IVRS, headers=logistics), 403)
    assert_problem(client.get(f"{IVRS}/{draft['id']}", headers=logistics), 404)
    assert_problem(_act(client, logistics, draft, "approve", MALFORMED), 404)


def test_the_sales_hierarchy_sees_a_masked_ivr(
    client: Client, *, platform: Platform, doctor: User, doctor_auth: Auth, staff_auth: Auth, patient_id: str
) -> None:
    ivr = _in_review(client, doctor_auth, staff_auth, patient_id)
    approval = {"coverages": [coverage_body()]}
    ivr = _moved(_act(client, staff_auth, ivr, "approve", approval), "approved")
    sales = platform.user("sam@example.org", Role.SALESPERSON)
    platform.assign(sales, doctor)
    sales_auth = login(client, "sam@example.org")

    response = client.get(f"{IVRS}/{ivr['id']}", headers=sales_auth)
    masked = _moved(response, "approved")
    assert masked == {
        "projection": "masked",
        "id": ivr["id"],
        "reference": ivr["reference"],
        "status": "approved",
        "version": ivr["version"],
        "practice_id": str(doctor.practice_id),
        "patient": {"id": patient_id, "initials": "AS"},
        "request_type": "new",
        "priority": "routine",
        "products": [{"hcpcs_code": "Q4186", "size": "4x4 cm", "quantity": 4}],
        "physician_name": "Jane Doe",
        "facility_name": "Springfield Wound Clinic",
        "anticipated_first_service_date": "2026-12-15",
        "coverages": [{"insurance_rank": "primary", "outcome": "covered", "valid_until": "2027-03-31"}],
        "valid_until": "2027-03-31",
        "submitted_at": ivr["submitted_at"],
        "decided_at": ivr["decided_at"],
        "created_at": ivr["created_at"],
        "updated_at": ivr["updated_at"],
        "allowed_actions": [],
    }
    for phi in ("Sample", "1EG4TE5MK73", "E11.621", "heel", "Failed 6 weeks", "257.00", "1950-03-14"):
        assert phi not in response.text
    listed = client.get(IVRS, headers=sales_auth).json()["items"]
    assert [i["projection"] for i in listed] == ["masked"]
    assert_problem(_act(client, sales_auth, ivr, "reject", MALFORMED), 403)
    history = client.get(f"{IVRS}/{ivr['id']}/history", headers=sales_auth).json()["items"]
    assert len(history) == 4
    assert all(h["note"] is None for h in history)


def test_another_practice_sees_nothing_of_an_ivr(
    client: Client, platform: Platform, doctor_auth: Auth, patient_id: str
) -> None:
    ivr = _create(client, doctor_auth, patient_id)
    platform.user("far@example.org", Role.DOCTOR, practice="Shelbyville Podiatry")
    far = login(client, "far@example.org")
    url = f"{IVRS}/{ivr['id']}"
    assert_problem(client.get(url, headers=far), 404)
    assert_problem(client.get(f"{url}/history", headers=far), 404)
    assert_problem(client.put(url, json=MALFORMED, headers=far), 404)
    assert_problem(client.post(f"{url}/submit", headers=far), 404)
    assert_problem(client.delete(url, headers=far), 404)
    assert client.get(IVRS, headers=far).json()["items"] == []
    # Their IVRs are for their own patients only.
    assert _fields(client.post(IVRS, json=ivr_body(patient_id), headers=far)) == {"patient_id"}


def test_lists_filter_sort_and_page(
    client: Client, *, platform: Platform, doctor: User, staff: User, doctor_auth: Auth, patient_id: str
) -> None:
    first = _create(client, doctor_auth, patient_id)
    platform.clock.advance(timedelta(days=1))  # 2026-11-26; sessions end meanwhile, so log in again
    doctor_auth = login(client, doctor.email.value)
    second = _create(client, doctor_auth, patient_id, priority="urgent")
    platform.clock.advance(timedelta(days=1))  # 2026-11-27
    doctor_auth, staff_auth = login(client, doctor.email.value), login(client, staff.email.value)
    third = _in_review(client, doctor_auth, staff_auth, patient_id)

    def ids(auth: Auth = doctor_auth, **params: str) -> list[str]:
        response = client.get(IVRS, params=params, headers=auth)
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        return [i["id"] for i in response.json()["items"]]

    assert ids() == [third["id"], second["id"], first["id"]]
    assert ids(sort="created_at") == [first["id"], second["id"], third["id"]]
    assert ids(sort="-updated_at")[0] == third["id"]
    assert ids(status="in_review") == ids(reviewer_id=str(staff.id)) == [third["id"]]
    assert ids(priority="urgent") == [second["id"]]
    assert len(ids(patient_id=patient_id, practice_id=str(doctor.practice_id))) == 3
    assert ids(created_from="2026-11-26", created_to="2026-11-26") == [second["id"]]
    assert ids(submitted_from="2026-11-27T00:00:00Z") == [third["id"]]
    assert ids(submitted_to="2026-11-26") == []
    assert ids(staff_auth) == [third["id"]]  # drafts never submitted are the practice's alone

    page = client.get(IVRS, params={"limit": "2"}, headers=doctor_auth).json()
    assert [i["id"] for i in page["items"]] == [third["id"], second["id"]]
    assert ids(limit="2", cursor=page["next_cursor"]) == [first["id"]]

    bad: list[dict[str, str]] = [
        {"status": "lost"},
        {"priority": "soon"},
        {"reviewer_id": "1"},
        {"created_from": "yesterday"},
        {"submitted_to": "2026-13-01"},
        {"sort": "reference"},
        {"cursor": "not-a-cursor"},
        {"limit": "0"},
        {"limit": "201"},
    ]
    for params in bad:
        assert_problem(client.get(IVRS, params=params, headers=doctor_auth), 400)


def test_an_idempotency_key_replays_the_first_create(client: Client, doctor_auth: Auth, patient_id: str) -> None:
    headers = {**doctor_auth, "Idempotency-Key": "ivr-ada-1"}
    first = client.post(IVRS, json=ivr_body(patient_id), headers=headers)
    again = client.post(IVRS, json=ivr_body(patient_id), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == '"1"'
    assert again.headers["idempotent-replayed"] == "true"
    assert len(client.get(IVRS, headers=doctor_auth).json()["items"]) == 1
    assert_problem(client.post(IVRS, json=ivr_body(patient_id, notes="Other."), headers=headers), 422)

"""Bulk approval over HTTP: the result shape, per-item problems as the single approve's, and whole-request refusals."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from ivr_domain.identity.model import User
from ivr_domain.shared.actor import Role
from tests.http import assert_problem, coverage_body, ivr_body, patient_body
from tests.platform import Platform
from tests.unit.entrypoints.conftest import Client, login

IVRS = "/api/v1/ivrs"
BULK = f"{IVRS}/bulk-approve"
Auth = dict[str, str]
# What a problem says about the request, not about this particular answer.
_SAME = ("type", "title", "status", "detail", "errors", "entity", "state", "allowed", "current_version")


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
    response = client.post("/api/v1/patients", json=patient_body(), headers=doctor_auth)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _ivr(client: Client, doctor_auth: Auth, patient_id: str, *, until: str, reviewer: Auth | None = None) -> Any:
    """Create an IVR and move it as far as `until` (draft, submitted, in_review), reviewed by `reviewer`."""
    response = client.post(IVRS, json=ivr_body(patient_id), headers=doctor_auth)
    assert response.status_code == 201, response.text
    steps = [("submit", doctor_auth), ("start-review", reviewer)][: ["draft", "submitted", "in_review"].index(until)]
    for action, auth in steps:
        response = client.post(f"{IVRS}/{response.json()['id']}/{action}", json={}, headers=auth)
        assert response.status_code == 200, response.text
    return response.json()


def _item(ivr: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {"ivr_id": ivr["id"], "version": ivr["version"], "coverages": [coverage_body()], **overrides}


def test_each_item_answers_as_the_single_approve_would_in_request_order(
    client: Client, platform: Platform, doctor_auth: Auth, staff_auth: Auth, patient_id: str
) -> None:
    other_auth = login(client, platform.user("staff2@example.org", Role.IVR_STAFF).email.value)
    good = _ivr(client, doctor_auth, patient_id, until="in_review", reviewer=staff_auth)
    stale = _ivr(client, doctor_auth, patient_id, until="in_review", reviewer=staff_auth)
    draft = _ivr(client, doctor_auth, patient_id, until="draft")
    waiting = _ivr(client, doctor_auth, patient_id, until="submitted")
    invalid = _ivr(client, doctor_auth, patient_id, until="in_review", reviewer=staff_auth)
    theirs = _ivr(client, doctor_auth, patient_id, until="in_review", reviewer=other_auth)
    items = [
        _item(good),
        _item(stale, version=stale["version"] - 1),
        _item(draft),
        _item(waiting),
        _item(invalid, coverages=[coverage_body(valid_until="2026-01-01")]),
        _item(theirs),
        {"ivr_id": str(uuid4()), "coverages": [coverage_body()]},
    ]

    response = client.post(BULK, json={"items": items}, headers=staff_auth)

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    answer = response.json()
    assert (answer["succeeded"], answer["failed"]) == (1, 6)
    results = answer["results"]
    assert [r["id"] for r in results] == [item["ivr_id"] for item in items]
    assert [r["ok"] for r in results] == [True, False, False, False, False, False, False]
    assert [r["problem"] and r["problem"]["status"] for r in results] == [None, 412, 404, 409, 422, 403, 404]
    assert results[0]["version"] == good["version"] + 1
    assert results[4]["problem"]["errors"] == [
        {"field": "items[4].coverages[0].valid_until", "message": results[4]["problem"]["errors"][0]["message"]}
    ]
    approved = client.get(f"{IVRS}/{good['id']}", headers=staff_auth).json()
    assert (approved["status"], approved["version"]) == ("approved", results[0]["version"])
    correlation = response.headers["x-correlation-id"]
    for item, result in zip(items[1:], results[1:], strict=True):
        problem = result["problem"]
        assert problem["instance"] == f"{IVRS}/{item['ivr_id']}/approve"
        assert problem["correlation_id"] == correlation
        assert problem["type"].startswith("/docs/problems/")
        assert client.get(f"{IVRS}/{item['ivr_id']}", headers=staff_auth).status_code in (200, 404)
    # The single approve on the same states answers the same problems (field paths point into its own body).
    for index, item in list(enumerate(items))[1:]:
        headers = {**staff_auth, **({"If-Match": f'"{item["version"]}"'} if "version" in item else {})}
        single = client.post(f"{IVRS}/{item['ivr_id']}/approve", json={"coverages": item["coverages"]}, headers=headers)
        expected = {k: v for k, v in single.json().items() if k in _SAME}
        if "errors" in expected:
            expected["errors"] = [{**e, "field": f"items[{index}].{e['field']}"} for e in expected["errors"]]
        assert {k: v for k, v in results[index]["problem"].items() if k in _SAME} == expected


@pytest.mark.parametrize(
    ("items", "field", "message"),
    [
        ([], "items", "must hold at least one item"),
        ("twice", "items[1].ivr_id", "appears more than once in this request"),
        ("too_many", "items", "must hold at most 500 items"),
    ],
)
def test_an_empty_oversized_or_repeating_request_is_refused_whole(
    client: Client, *, doctor_auth: Auth, staff_auth: Auth, patient_id: str, items: Any, field: str, message: str
) -> None:
    ivr = _ivr(client, doctor_auth, patient_id, until="in_review", reviewer=staff_auth)
    if items == "twice":
        items = [_item(ivr), _item(ivr)]
    elif items == "too_many":
        items = [_item(ivr)] + [{"ivr_id": str(uuid4()), "coverages": []} for _ in range(500)]

    problem = assert_problem(client.post(BULK, json={"items": items}, headers=staff_auth), 422)

    assert {"field": field, "message": message} in problem["errors"]
    assert client.get(f"{IVRS}/{ivr['id']}", headers=staff_auth).json()["status"] == "in_review"


def test_a_body_of_the_wrong_shape_is_422_with_paths_into_the_request(client: Client, staff_auth: Auth) -> None:
    body = {"items": [{"ivr_id": str(uuid4()), "coverages": [coverage_body(valid_until="31/03/2027")]}], "x": 1}

    problem = assert_problem(client.post(BULK, json=body, headers=staff_auth), 422)

    assert {e["field"] for e in problem["errors"]} == {"x", "items[0].coverages[0].valid_until"}


def test_a_caller_without_the_permission_gets_403_whatever_the_body(
    client: Client, doctor_auth: Auth, staff_auth: Auth, patient_id: str
) -> None:
    ivr = _ivr(client, doctor_auth, patient_id, until="in_review", reviewer=staff_auth)

    refused = client.post(BULK, json={"items": [_item(ivr)]}, headers=doctor_auth)
    malformed = client.post(BULK, json={"items": "all of them"}, headers=doctor_auth)

    assert assert_problem(refused, 403)["type"] == "/docs/problems/not_permitted"
    assert_problem(malformed, 403)
    assert client.get(f"{IVRS}/{ivr['id']}", headers=staff_auth).json()["status"] == "in_review"


def test_no_token_is_401_and_a_body_that_is_not_json_is_415_or_400(client: Client, staff_auth: Auth) -> None:
    assert_problem(client.post(BULK, json={"items": []}), 401)
    assert_problem(client.post(BULK, content=b"items", headers={**staff_auth, "content-type": "text/plain"}), 415)
    assert_problem(client.post(BULK, content=b"{", headers={**staff_auth, "content-type": "application/json"}), 400)


def test_the_route_does_not_collide_with_the_routes_of_one_ivr(
    client: Client, doctor_auth: Auth, staff_auth: Auth, patient_id: str
) -> None:
    ivr = _ivr(client, doctor_auth, patient_id, until="in_review", reviewer=staff_auth)

    assert client.get(BULK, headers=staff_auth).status_code in (400, 404, 405)
    single = client.post(f"{IVRS}/{ivr['id']}/approve", json={"coverages": [coverage_body()]}, headers=staff_auth)
    assert single.status_code == 200, single.text
    published = client.get("/schema/openapi.json").json()["paths"][BULK]["post"]
    items = published["requestBody"]["content"]["application/json"]["schema"]["properties"]["items"]
    assert (items["minItems"], items["maxItems"]) == (1, 500)
    assert {"200", "401", "403", "422"} <= published["responses"].keys()

"""Refused requests end to end: each answers its problem in API.md's order and changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import jwt
import pytest
from attrs import frozen

from ivr_domain.shared.actor import Role
from tests.e2e.conftest import E2E, ME, PATIENTS, Headers, assert_problem, bearer, field_errors, patient_body

JSON = {"content-type": "application/json"}


@frozen
class Desk:
    """A doctor with one patient, a second practice's doctor and a salesperson over the first practice."""

    e2e: E2E
    doctor: Headers
    other_doctor: Headers
    sales: Headers
    patient: dict[str, Any]

    @property
    def url(self) -> str:
        """Return the patient's URL."""
        return f"{PATIENTS}/{self.patient['id']}"

    def snapshot(self) -> tuple[list[str], dict[str, Any], dict[str, int]]:
        """Return what a refused request must leave as it was: the patient ids, the patient and every row count."""
        current = self.e2e.client.get(self.url, headers=self.doctor)
        assert current.status_code == 200
        return self.e2e.patient_ids(), current.json(), self.e2e.count_rows()


@pytest.fixture
def desk(e2e: E2E) -> Desk:
    """Set the desk up through the API."""
    doctor_id = e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    e2e.create_user("other@example.org", Role.DOCTOR, practice="Shelbyville Foot Center")
    sales_id = e2e.create_user("sales@example.org", Role.SALESPERSON)
    e2e.assign(sales_id, doctor_id)
    doctor = e2e.login("doc@example.org")
    patient = e2e.create_patient(doctor)
    return Desk(
        e2e=e2e,
        doctor=doctor,
        other_doctor=e2e.login("other@example.org"),
        sales=e2e.login("sales@example.org"),
        patient=patient,
    )


def test_a_body_that_is_not_json_is_400_and_changes_nothing(desk: Desk) -> None:
    client, before = desk.e2e.client, desk.snapshot()
    for raw in (b'{"first_name": "Ada", ', b"", b"first_name=Ada", b'{"first_name": NaN}', b"\xff\xfe{}"):
        problem = assert_problem(client.post(PATIENTS, content=raw, headers={**desk.doctor, **JSON}), 400)
        assert problem["type"].endswith("/body_not_json")
        assert "errors" not in problem
        assert_problem(client.put(desk.url, content=raw, headers={**desk.doctor, **JSON}), 400)
    assert desk.snapshot() == before


def test_wrong_missing_unknown_and_invalid_fields_are_422_with_their_paths(desk: Desk) -> None:
    client, before = desk.e2e.client, desk.snapshot()
    body = patient_body(first_name=7, sex="robot", date_of_birth="1950-02-30", colour="blue")
    del body["last_name"]
    body["insurances"][0]["rank"] = 1
    body["insurances"][0]["vip"] = True
    body["address"]["postal_code"] = True
    expected = [
        ("address.postal_code", "must be a string"),
        ("colour", "is not a known field"),
        ("date_of_birth", "must be an existing calendar date (YYYY-MM-DD)"),
        ("first_name", "must be a string"),
        ("insurances[0].rank", "must be one of primary, secondary"),
        ("insurances[0].vip", "is not a known field"),
        ("last_name", "is required"),
        ("sex", "must be one of female, male, other, unknown"),
    ]
    assert field_errors(client.post(PATIENTS, json=body, headers=desk.doctor)) == expected
    assert field_errors(client.put(desk.url, json=body, headers=desk.doctor)) == expected
    invalid = patient_body(
        date_of_birth="2999-01-01",
        phone="12",
        email="not-an-email",
        address={**patient_body()["address"], "state": "ZZ"},
    )
    assert [f for f, _ in field_errors(client.post(PATIENTS, json=invalid, headers=desk.doctor))] == [
        "address.state",
        "date_of_birth",
        "email",
        "phone",
    ]
    assert [f for f, _ in field_errors(client.put(desk.url, json=invalid, headers=desk.doctor))] == [
        "address.state",
        "date_of_birth",
        "email",
        "phone",
    ]
    not_an_object = client.post(PATIENTS, json=["Ada"], headers=desk.doctor)
    assert field_errors(not_an_object) == [("$", "must be an object")]
    assert desk.snapshot() == before


def test_an_oversized_body_is_413_and_changes_nothing(desk: Desk) -> None:
    client, before = desk.e2e.client, desk.snapshot()
    big = patient_body(first_name="A" * (1024 * 1024))
    assert_problem(client.post(PATIENTS, json=big, headers=desk.doctor), 413)
    assert_problem(client.put(desk.url, json=big, headers=desk.doctor), 413)
    streamed = iter([b'{"first_name": "', b"a" * (1024 * 1024), b'"}'])
    response = client.post(PATIENTS, content=streamed, headers={**desk.doctor, **JSON})
    assert "content-length" not in response.request.headers
    assert_problem(response, 413)
    assert desk.snapshot() == before


def test_a_body_that_is_not_application_json_is_415_and_changes_nothing(desk: Desk) -> None:
    client, before = desk.e2e.client, desk.snapshot()
    raw = json.dumps(patient_body(first_name="Bea")).encode()
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None):
        headers = {**desk.doctor, **({"content-type": content_type} if content_type else {})}
        assert_problem(client.post(PATIENTS, content=raw, headers=headers), 415)
        assert_problem(client.put(desk.url, content=raw, headers=headers), 415)
    assert (
        client.post(
            PATIENTS, content=raw, headers={**desk.doctor, "content-type": "application/json; charset=utf-8"}
        ).status_code
        == 201
    )
    assert len(desk.e2e.patient_ids()) == len(before[0]) + 1


def _claims(auth: Headers) -> dict[str, Any]:
    """Return the claims of a real access token, unverified."""
    return dict(jwt.decode(auth["Authorization"].removeprefix("Bearer "), options={"verify_signature": False}))


def test_forged_expired_and_unsigned_tokens_are_401_and_change_nothing(desk: Desk) -> None:
    e2e, before = desk.e2e, desk.snapshot()
    secret = e2e.container.keyring().jwt_secret
    claims = _claims(desk.doctor)
    now = int(e2e.clock.now().timestamp())
    tokens = {
        "forged": jwt.encode(claims, "a secret that is not the server's secret, long enough", algorithm="HS256"),
        "unsigned": jwt.encode(claims, None, algorithm="none"),  # type: ignore[arg-type]
        "other algorithm": jwt.encode(claims, secret, algorithm="HS512"),
        "expired": jwt.encode({**claims, "iat": now - 700, "exp": now - 1}, secret, algorithm="HS256"),
        "other session": jwt.encode({**claims, "sid": _claims(desk.sales)["sid"]}, secret, algorithm="HS256"),
        "tampered": desk.doctor["Authorization"].removeprefix("Bearer ")[:-3] + "xyz",
    }
    for name, token in tokens.items():
        for response in (
            e2e.client.get(ME, headers=bearer(token)),
            e2e.client.get(desk.url, headers=bearer(token)),
            e2e.client.post(PATIENTS, json=patient_body(first_name="Bea"), headers=bearer(token)),
        ):
            problem = assert_problem(response, 401)
            assert response.headers["www-authenticate"] == "Bearer", name
            assert "Ada" not in response.text
            assert problem["type"].endswith("/unauthenticated")
    # The control: the same claims signed by the server's own key are accepted.
    assert e2e.client.get(ME, headers=bearer(jwt.encode(claims, secret, algorithm="HS256"))).status_code == 200
    assert desk.snapshot() == before
    # A token of the server's own making, once its ten minutes have passed.
    e2e.advance(timedelta(minutes=9, seconds=59))
    assert e2e.client.get(ME, headers=desk.doctor).status_code == 200
    e2e.advance(timedelta(seconds=1))
    assert_problem(e2e.client.get(ME, headers=desk.doctor), 401)


def test_if_match_stale_is_412_missing_is_allowed_and_malformed_is_400(desk: Desk) -> None:
    client, before = desk.e2e.client, desk.snapshot()
    change = patient_body(first_name="Adah")
    stale = client.put(desk.url, json=change, headers={**desk.doctor, "If-Match": '"7"'})
    assert assert_problem(stale, 412)["current_version"] == 1
    assert "Ada" not in stale.text
    assert_problem(client.delete(desk.url, headers={**desk.doctor, "If-Match": '"2"'}), 412)
    for malformed in ("7", '"seven"', '"1", "2"'):
        problem = assert_problem(client.put(desk.url, json=change, headers={**desk.doctor, "If-Match": malformed}), 400)
        assert problem["parameter"] == "If-Match"
    assert desk.snapshot() == before
    matched = client.put(desk.url, json=change, headers={**desk.doctor, "If-Match": '"1"'})
    assert matched.status_code == 200, matched.text
    assert matched.headers["etag"] == '"2"'
    assert matched.headers["cache-control"] == "no-store"
    assert matched.json()["first_name"] == "Adah"
    # API.md: If-Match is accepted, not required; without it the write goes through on the current version.
    unconditional = client.put(desk.url, json=patient_body(first_name="Adele"), headers=desk.doctor)
    assert unconditional.status_code == 200, unconditional.text
    assert (unconditional.json()["version"], unconditional.headers["etag"]) == (3, '"3"')
    weak = client.put(desk.url, json=patient_body(first_name="Ada"), headers={**desk.doctor, "If-Match": 'W/"3"'})
    assert weak.json()["version"] == 4
    assert_problem(client.put(desk.url, json=change, headers={**desk.doctor, "If-Match": '"3"'}), 412)
    assert client.get(desk.url, headers=desk.doctor).json()["first_name"] == "Ada"


def test_refusals_come_in_api_order(desk: Desk) -> None:
    client, before = desk.e2e.client, desk.snapshot()
    wrong_types = patient_body(first_name=7)
    invalid = patient_body(date_of_birth="2999-01-01")
    stale = {"If-Match": '"9"'}
    anonymous = {"Authorization": "Bearer not-a-token"}
    # 400/413/415 answer before 401.
    assert_problem(client.post(PATIENTS, content=b"{", headers={**anonymous, **JSON}), 400)
    assert_problem(client.post(PATIENTS, content=b"{}", headers={**anonymous, "content-type": "text/plain"}), 415)
    assert_problem(client.post(PATIENTS, json=patient_body(first_name="A" * 2_000_000), headers=anonymous), 413)
    # 401 before 404, 403, 412 and 422.
    assert_problem(client.put(desk.url, json=wrong_types, headers={**anonymous, **stale}), 401)
    # 404 (scope) before 412 and 422, whatever the body.
    for body in (wrong_types, invalid, patient_body()):
        assert_problem(client.put(desk.url, json=body, headers={**desk.other_doctor, **stale}), 404)
    # 403 (role) before 412 and 422.
    for body in (wrong_types, invalid, patient_body()):
        assert_problem(client.put(desk.url, json=body, headers={**desk.sales, **stale}), 403)
        assert_problem(client.post(PATIENTS, json=body, headers=desk.sales), 403)
    # 412 (stale If-Match) before 422.
    for body in (wrong_types, invalid):
        assert_problem(client.put(desk.url, json=body, headers={**desk.doctor, **stale}), 412)
    # 409 (duplicate) once every earlier check passes: a valid duplicate without allow_duplicate.
    duplicate = client.post(PATIENTS, json=patient_body(), headers=desk.doctor)
    assert assert_problem(duplicate, 409)["existing_id"] == desk.patient["id"]
    assert desk.snapshot() == before


def test_idempotency_keys_replay_the_first_answer_and_refuse_another_body(desk: Desk) -> None:
    client = desk.e2e.client
    before = desk.e2e.patient_ids()
    headers = {**desk.doctor, "Idempotency-Key": "create-bea-1"}
    body = patient_body(first_name="Bea", last_name="Quill")
    first = client.post(PATIENTS, json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    after = desk.e2e.patient_ids()
    assert len(after) == len(before) + 1
    again = client.post(PATIENTS, json=body, headers=headers)
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    for name in ("location", "etag", "cache-control", "content-type"):
        assert again.headers[name] == first.headers[name], name
    other = client.post(PATIENTS, json={**body, "first_name": "Bee"}, headers=headers)
    problem = assert_problem(other, 422)
    assert problem["type"].endswith("/idempotency_key_reused")
    assert "Bee" not in other.text
    # Keys belong to their user: the same key and body from another user is a new request.
    desk.e2e.create_user("admin2@example.org", Role.ADMIN)
    admin2 = desk.e2e.login("admin2@example.org")
    practice_body = {**body, "practice_id": desk.patient["practice_id"], "allow_duplicate": True}
    by_admin = client.post(PATIENTS, json=practice_body, headers={**admin2, "Idempotency-Key": "create-bea-1"})
    assert by_admin.status_code == 201, by_admin.text
    assert by_admin.json()["id"] != first.json()["id"]
    assert len(desk.e2e.patient_ids()) == len(before) + 2
    bad_key = client.post(PATIENTS, json=body, headers={**desk.doctor, "Idempotency-Key": "x" * 256})
    assert assert_problem(bad_key, 400)["parameter"] == "Idempotency-Key"
    assert len(desk.e2e.patient_ids()) == len(before) + 2


def test_bad_query_and_path_parameters_are_400_or_404(desk: Desk) -> None:
    client, before = desk.e2e.client, desk.snapshot()
    for params in (
        {"limit": "0"},
        {"limit": "201"},
        {"limit": "ten"},
        {"archived": "perhaps"},
        {"created_from": "soon"},
    ):
        assert_problem(client.get(PATIENTS, params=params, headers=desk.doctor), 400)
    assert_problem(client.get(f"{PATIENTS}/not-a-uuid", headers=desk.doctor), 400)
    assert_problem(client.get(f"{PATIENTS}/00000000-0000-4000-8000-000000000000", headers=desk.doctor), 404)
    assert desk.snapshot() == before

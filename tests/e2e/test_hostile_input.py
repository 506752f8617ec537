"""Input at the edges of what parsers and databases hold answers 4xx and changes nothing (each once answered 500)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from ivr_domain.shared.actor import Role
from tests.e2e.conftest import API, E2E, LOGIN, PATIENTS, Headers, assert_problem, field_errors
from tests.http import ivr_body

IVRS = f"{API}/ivrs"
DEEP = b"[" * 10_000 + b"]" * 10_000
JSON = {"content-type": "application/json"}


def _doctor(e2e: E2E) -> tuple[Headers, str]:
    e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    doctor = e2e.login("doc@example.org")
    return doctor, e2e.create_patient(doctor)["id"]


def test_a_body_nested_thousands_deep_is_400_even_before_login(e2e: E2E) -> None:
    before = e2e.count_rows()
    problem = assert_problem(e2e.client.post(LOGIN, content=DEEP, headers=JSON), 400)
    assert problem["type"].endswith("/body_not_json")
    assert_problem(e2e.client.post(PATIENTS, content=DEEP, headers={**JSON, **e2e.admin_auth}), 400)
    assert e2e.count_rows() == before


def test_a_cursor_that_unwraps_to_deep_nesting_is_400(e2e: E2E) -> None:
    cursor = base64.urlsafe_b64encode(DEEP).decode().rstrip("=")
    assert_problem(e2e.client.get(f"{API}/users", params={"cursor": cursor}, headers=e2e.admin_auth), 400)
    assert_problem(e2e.client.get(PATIENTS, params={"cursor": cursor}, headers=e2e.admin_auth), 400)


@pytest.mark.parametrize("length", ["9999999999999999999999999999999999999999", "99999999999999999999.5", "100000"])
def test_a_wound_out_of_range_is_its_own_422_and_no_code_arithmetic(e2e: E2E, length: str) -> None:
    doctor, patient = _doctor(e2e)
    body = ivr_body(patient)
    body["wounds"][0]["length_cm"] = length
    before = e2e.count_rows()

    errors = field_errors(e2e.client.post(IVRS, json=body, headers=doctor))

    assert ("wounds[0].length_cm", "must be at most 1000 cm") in errors
    assert not [field for field, _ in errors if field == "application_cpt_codes"]
    assert e2e.count_rows() == before


@pytest.mark.parametrize("signed_at", ["0001-01-01T00:00:00+14:00", "0001-01-01T13:59:59+14:00"])
def test_an_instant_with_no_utc_form_is_422_and_writes_nothing(e2e: E2E, signed_at: str) -> None:
    doctor, patient = _doctor(e2e)
    body: dict[str, Any] = {**ivr_body(patient), "signature": {"signer_name": "Jane Doe", "signed_at": signed_at}}
    before = e2e.count_rows()

    assert "signature.signed_at" in {f for f, _ in field_errors(e2e.client.post(IVRS, json=body, headers=doctor))}
    template = {"name": "Year one", "content": {"signature": body["signature"]}}
    errors = field_errors(e2e.client.post(f"{IVRS}/templates", json=template, headers=doctor))
    assert "content.signature.signed_at" in {f for f, _ in errors}
    assert e2e.count_rows() == before
    assert e2e.client.get(IVRS, headers=doctor).status_code == 200
    assert e2e.client.get(f"{IVRS}/templates", headers=doctor).status_code == 200


@pytest.mark.parametrize(
    ("path", "parameter", "value"),
    [
        (PATIENTS, "created_from", "9999-12-31T23:59:59-14:00"),
        (PATIENTS, "created_from", "0001-01-01T00:00:00+14:00"),
        (PATIENTS, "created_to", "9999-12-31"),
        (IVRS, "submitted_to", "9999-12-31"),
        (IVRS, "created_to", "9999-12-31T23:00:00-14:00"),
        (f"{API}/admin/audit-logs", "since", "0001-01-01T00:00:00+00:01"),
    ],
)
def test_a_time_bound_at_the_calendar_s_edge_is_400_naming_it(e2e: E2E, path: str, parameter: str, value: str) -> None:
    problem = assert_problem(e2e.client.get(path, params={parameter: value}, headers=e2e.admin_auth), 400)
    assert problem["parameter"] == parameter


def test_practice_names_fit_as_typed_and_as_compared(e2e: E2E) -> None:
    before = e2e.count_rows()
    # 101 characters that fold to 202 (ǰ → ǰ): the compared form would not fit.
    errors = field_errors(e2e.client.post(f"{API}/practices", json={"name": "ǰ" * 101}, headers=e2e.admin_auth))
    assert errors == [("name", "must be at most 200 characters when compared without case")]
    assert e2e.count_rows() == before

    # A doctor without a practice gets one named after them, shortened to fit a practice's name.
    user = e2e.create_user("long@example.org", Role.DOCTOR, name="N" * 200)
    practice_id = e2e.client.get(f"{API}/users/{user}", headers=e2e.admin_auth).json()["practice_id"]
    practice = e2e.client.get(f"{API}/practices/{practice_id}", headers=e2e.admin_auth).json()
    assert practice["name"] == "Practice of " + "N" * 188

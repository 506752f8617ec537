"""Text no database can store (NUL; lone surrogates) is refused with a 4xx naming where it was, and changes nothing.

PostgreSQL refuses NUL in text columns and neither database encodes a lone surrogate: before these checks such
input reached the database and answered 500, login included.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from ivr_domain.shared.actor import Role
from tests.e2e.conftest import API, E2E, LOGIN, PATIENTS, assert_problem
from tests.http import ivr_body

NUL = "must not contain the NUL character (U+0000)"
SURROGATE = "must be valid Unicode text (it holds a lone surrogate, such as \\ud800)"
JSON = {"content-type": "application/json"}


def _raw(body: dict[str, Any]) -> bytes:
    # json.dumps escapes NUL as \u0000 and a lone surrogate as \ud800, as any client's encoder would.
    return json.dumps(body).encode()


BODIES = [
    pytest.param(LOGIN, {"email": "ad\x00min@example.org", "password": "x"}, "email", NUL, id="login"),
    pytest.param(f"{API}/ivrs/templates", {"name": "Knee\x00", "content": {}}, "name", NUL, id="template"),
    pytest.param(
        f"{API}/ivrs/justifications",
        {"title": "Burns", "wound_type": "burn", "text": "Needed \ud800 now."},
        "text",
        SURROGATE,
        id="justification",
    ),
    pytest.param(
        f"{API}/users",
        {"email": "n@example.org", "name": "N\x00M", "role": "admin", "password": "Correct-horse-battery-9"},
        "name",
        NUL,
        id="user",
    ),
    pytest.param(f"{API}/practices", {"name": "Clinic\x00"}, "name", NUL, id="practice"),
]


@pytest.mark.parametrize(("path", "body", "field", "message"), BODIES)
def test_unstorable_text_in_a_body_is_422_and_changes_nothing(
    e2e: E2E, path: str, body: dict[str, Any], field: str, message: str
) -> None:
    before = e2e.count_rows()
    headers = {**JSON, **(e2e.admin_auth if path != LOGIN else {})}
    problem = assert_problem(e2e.client.post(path, content=_raw(body), headers=headers), 422)
    assert {"field": field, "message": message} in problem["errors"]
    assert e2e.count_rows() == before


def test_unstorable_text_in_patient_and_ivr_bodies_is_422(e2e: E2E) -> None:
    e2e.create_user("doctor@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    doctor = e2e.login("doctor@example.org")
    patient = e2e.create_patient(doctor)
    before = e2e.count_rows()
    headers = {**JSON, **doctor}
    problem = assert_problem(e2e.client.post(PATIENTS, content=_raw({"first_name": "A\x00"}), headers=headers), 422)
    assert {"field": "first_name", "message": NUL} in problem["errors"]
    ivr = ivr_body(patient["id"], notes="Seen \udfff today")
    problem = assert_problem(e2e.client.post(f"{API}/ivrs", content=_raw(ivr), headers=headers), 422)
    assert {"field": "notes", "message": SURROGATE} in problem["errors"]
    assert e2e.count_rows() == before


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        (f"{API}/ivrs/pending?payer_id=00%0052", "payer_id"),
        (f"{API}/ivrs/templates?name=kn%00ee", "name"),
        (f"{PATIENTS}?q=ad%00a", "q"),
        (f"{API}/admin/audit-logs?action=%00", "action"),
    ],
)
def test_a_nul_in_a_query_parameter_is_400_naming_it(e2e: E2E, path: str, parameter: str) -> None:
    before = e2e.count_rows()
    problem = assert_problem(e2e.client.get(path, headers=e2e.admin_auth), 400)
    assert problem["errors"] == [{"field": parameter, "source": "query", "message": NUL}]
    assert e2e.count_rows() == before

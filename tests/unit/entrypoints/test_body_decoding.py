"""Strict bodies: 400 not JSON, 415 not application/json, 413 too large, 422 with field paths."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from attrs import frozen
from hypothesis import given
from hypothesis import strategies as st

from entrypoints.http.decoding import CONVERTER, field_errors
from ivr_domain.shared.validation import text_problem
from tests.unit.entrypoints.conftest import Client, assert_problem, patient_body

PATIENTS = "/api/v1/patients"


def test_a_body_that_is_not_json_is_400(client: Client, doctor_auth: dict[str, str]) -> None:
    response = client.post(
        PATIENTS, content=b'{"first_name": ', headers={**doctor_auth, "content-type": "application/json"}
    )
    problem = assert_problem(response, 400)
    assert "first_name" not in response.text or problem["detail"]


def test_an_empty_body_is_400(client: Client, doctor_auth: dict[str, str]) -> None:
    assert_problem(client.post(PATIENTS, content=b"", headers={**doctor_auth, "content-type": "application/json"}), 400)


def test_nan_literals_are_not_json(client: Client, doctor_auth: dict[str, str]) -> None:
    body = b'{"first_name": NaN}'
    assert_problem(
        client.post(PATIENTS, content=body, headers={**doctor_auth, "content-type": "application/json"}), 400
    )


def test_a_body_that_is_not_application_json_is_415(client: Client, doctor_auth: dict[str, str]) -> None:
    response = client.post(PATIENTS, content=b"{}", headers={**doctor_auth, "content-type": "text/plain"})
    assert_problem(response, 415)
    assert_problem(client.post(PATIENTS, content=b"{}", headers=doctor_auth), 415)


def test_a_body_over_the_limit_is_413(client: Client, doctor_auth: dict[str, str]) -> None:
    big = b'{"first_name": "' + b"a" * (1024 * 1024) + b'"}'
    response = client.post(PATIENTS, content=big, headers={**doctor_auth, "content-type": "application/json"})
    problem = assert_problem(response, 413)
    # One type, one title, whichever check refused it (the upload checks are tested in test_documents_http.py).
    assert (problem["type"], problem["title"]) == (
        "/docs/problems/request_entity_too_large",
        "Request entity too large",
    )


def test_a_streamed_body_over_the_limit_is_413(client: Client, doctor_auth: dict[str, str]) -> None:
    chunks = iter([b'{"first_name": "', b"a" * (1024 * 1024), b'"}'])
    response = client.post(PATIENTS, content=chunks, headers={**doctor_auth, "content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert_problem(response, 413)


def test_body_problems_answer_before_authentication(client: Client) -> None:
    assert_problem(client.post(PATIENTS, content=b"{", headers={"content-type": "application/json"}), 400)
    assert_problem(client.post(PATIENTS, content=b"{}", headers={"content-type": "text/plain"}), 415)
    assert_problem(client.post(PATIENTS, json={"unknown": 1}), 401)


def test_wrong_types_missing_and_unknown_fields_are_422_with_paths(client: Client, doctor_auth: dict[str, str]) -> None:
    body = patient_body(first_name=7, colour="blue")
    del body["last_name"]
    body["insurances"][0]["rank"] = 1
    body["address"]["postal_code"] = True
    response = client.post(PATIENTS, json=body, headers=doctor_auth)
    problem = assert_problem(response, 422)
    fields = {e["field"] for e in problem["errors"]}
    assert {"first_name", "last_name", "colour", "insurances[0].rank", "address.postal_code"} <= fields
    assert all(not e["field"].startswith("$") for e in problem["errors"])


def test_invalid_values_are_422_from_the_core(client: Client, doctor_auth: dict[str, str]) -> None:
    body = patient_body(date_of_birth="2999-01-01", phone="12")
    problem = assert_problem(client.post(PATIENTS, json=body, headers=doctor_auth), 422)
    assert {"date_of_birth", "phone"} <= {e["field"] for e in problem["errors"]}


def test_problems_never_echo_input_values(client: Client, doctor_auth: dict[str, str]) -> None:
    body = patient_body(first_name=["Zebedee"], date_of_birth="Zebedee-01-01", sex="Zebedee")
    response = client.post(PATIENTS, json=body, headers=doctor_auth)
    assert_problem(response, 422)
    assert "Zebedee" not in response.text


def test_a_body_that_is_not_an_object_is_422(client: Client, doctor_auth: dict[str, str]) -> None:
    problem = assert_problem(client.post(PATIENTS, json=[1, 2], headers=doctor_auth), 422)
    assert problem["errors"][0]["message"] == "must be an object"


@frozen(kw_only=True)
class _Sample:
    count: int
    flag: bool
    amount: Decimal
    day: date
    tags: tuple[str, ...] = ()


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"count": True, "flag": True, "amount": "1", "day": "2026-01-01"}, "count"),
        ({"count": 1, "flag": 1, "amount": "1", "day": "2026-01-01"}, "flag"),
        ({"count": 1, "flag": True, "amount": 1.5, "day": "2026-01-01"}, "amount"),
        ({"count": 1, "flag": True, "amount": "NaN", "day": "2026-01-01"}, "amount"),
        ({"count": 1, "flag": True, "amount": "Infinity", "day": "2026-01-01"}, "amount"),
        ({"count": 1, "flag": True, "amount": "1", "day": "20260101"}, "day"),
        ({"count": 1, "flag": True, "amount": "1", "day": "2026-02-30"}, "day"),
        ({"count": 1, "flag": True, "amount": "1", "day": "2026-01-01", "tags": "abc"}, "tags"),
        ({"count": 1, "flag": True, "amount": "1", "day": "2026-01-01", "tags": ["a", 2]}, "tags[1]"),
        ({"count": "1", "flag": True, "amount": "1", "day": "2026-01-01"}, "count"),
    ],
)
def test_the_converter_refuses_coercions(raw: dict[str, object], field: str) -> None:
    with pytest.raises(Exception) as caught:  # noqa: PT011 -- any cattrs error; its paths are what matter
        CONVERTER.structure(raw, _Sample)
    assert field in {e.field for e in field_errors(caught.value)}


def test_the_converter_accepts_strict_input() -> None:
    value = CONVERTER.structure(
        {"count": 2, "flag": False, "amount": "12.50", "day": "2026-01-31", "tags": ["x"]}, _Sample
    )
    assert value == _Sample(count=2, flag=False, amount=Decimal("12.50"), day=date(2026, 1, 31), tags=("x",))


# Text any database stores: no NUL, no lone surrogate (hypothesis's text() leaves surrogates out by default).
_STORABLE = st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)))


@given(_STORABLE)
def test_storable_text_passes_unchanged(text: str) -> None:
    assert text_problem(text) is None
    assert CONVERTER.structure(
        {"count": 1, "flag": True, "amount": "1", "day": "2026-01-01", "tags": [text]}, _Sample
    ).tags == (text,)


@given(_STORABLE, _STORABLE, st.sampled_from(["\x00", "\ud800", "\udfff"]))
def test_nul_and_lone_surrogates_are_refused_wherever_they_stand(before: str, after: str, bad: str) -> None:
    raw = {"count": 1, "flag": True, "amount": "1", "day": "2026-01-01", "tags": ["fine", before + bad + after]}
    with pytest.raises(Exception) as caught:  # noqa: PT011 -- any cattrs error; its paths are what matter
        CONVERTER.structure(raw, _Sample)
    errors = field_errors(caught.value)
    expected = "NUL character" if bad == "\x00" else "lone surrogate"
    assert [e.field for e in errors] == ["tags[1]"]
    assert expected in errors[0].message


def test_a_nul_in_a_body_is_422_naming_the_field(client: Client, doctor_auth: dict[str, str]) -> None:
    body = b'{"first_name": "Ann\\u0000e"}'
    response = client.post(PATIENTS, content=body, headers={**doctor_auth, "content-type": "application/json"})
    problem = assert_problem(response, 422)
    assert {"field": "first_name", "message": "must not contain the NUL character (U+0000)"} in problem["errors"]


def test_a_nul_in_a_query_parameter_is_400_before_authentication(client: Client) -> None:
    problem = assert_problem(client.get(f"{PATIENTS}?q=a%00b&limit=5"), 400)
    assert problem["errors"] == [
        {"field": "q", "source": "query", "message": "must not contain the NUL character (U+0000)"}
    ]

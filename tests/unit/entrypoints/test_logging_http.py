"""Correlation ids and access logs: one JSON line per request, no query strings, bodies or PHI."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.unit.entrypoints.conftest import Client, patient_body


def _lines(err: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


def test_correlation_ids_are_echoed_or_made(client: Client) -> None:
    given = str(uuid.uuid4())
    assert client.get("/health/live", headers={"X-Correlation-Id": given}).headers["x-correlation-id"] == given
    made = client.get("/health/live", headers={"X-Correlation-Id": "bad id\twith <stuff>"}).headers["x-correlation-id"]
    assert uuid.UUID(made)
    assert uuid.UUID(client.get("/nowhere").headers["x-correlation-id"])


def test_access_logs_hold_no_query_strings_bodies_or_phi(
    client: Client, doctor_auth: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    client.post("/api/v1/patients", json=patient_body(last_name="Zanzibarian"), headers=doctor_auth)
    client.get("/api/v1/patients", params={"archived": "false", "cursor": "SECRETCURSOR"}, headers=doctor_auth)
    client.post("/api/v1/patients/search", json={"member_id": "MEMBERXYZ"}, headers=doctor_auth)
    client.post("/api/v1/patients", json=patient_body(first_name=7, last_name="Zanzibarian"), headers=doctor_auth)
    err = capsys.readouterr().err
    for secret in ("Zanzibarian", "SECRETCURSOR", "MEMBERXYZ", "archived=false", "1EG4TE5MK73", "Bearer"):
        assert secret not in err
    access = [line for line in _lines(err) if line.get("event") == "request"]
    assert [(a["method"], a["path"], a["status"]) for a in access] == [
        ("POST", "/api/v1/patients", 201),
        ("GET", "/api/v1/patients", 400),
        ("POST", "/api/v1/patients/search", 200),
        ("POST", "/api/v1/patients", 422),
    ]
    assert all(a["user_id"] and a["correlation_id"] and isinstance(a["duration_ms"], float) for a in access)


def test_unexpected_errors_are_500_with_only_a_correlation_id(
    client: Client, doctor_auth: dict[str, str], capsys: pytest.CaptureFixture[str], platform: object
) -> None:
    from dependency_injector import providers

    def explode(*_: object) -> object:
        raise RuntimeError("boom with Zanzibarian inside")

    container = platform.container  # type: ignore[attr-defined]
    capsys.readouterr()
    with container.list_patients.override(providers.Object(explode)):
        response = client.get("/api/v1/patients", headers=doctor_auth)
    assert response.status_code == 500
    problem = response.json()
    assert set(problem) == {"type", "title", "status", "detail", "instance", "correlation_id"}
    assert "boom" not in response.text
    err = capsys.readouterr().err
    logged = [line for line in _lines(err) if line.get("event") == "unhandled_exception"]
    assert logged[0]["correlation_id"] == problem["correlation_id"]
    assert "RuntimeError" in str(logged[0]["exception_type"])
    assert "Zanzibarian" not in err

"""The published Problem schema describes every member problems carry: checked on real answers of each kind."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
from dependency_injector import providers
from sqlalchemy import exc

from ivr_domain.identity.model import User
from tests.platform import Platform
from tests.unit.entrypoints.conftest import Client, patient_body

UNKNOWN = "0190f2a4-0000-7000-8000-000000000000"
EXPECTED = {
    "path parameter": "invalid_parameters",
    "query parameter": "invalid_parameters",
    "header": "invalid_header",
    "query": "invalid_query",
    "entity": "not_found",
    "current version": "precondition_failed",
    "field errors": "validation_failed",
    "existing id": "conflict",
    "allowed media types": "unsupported_media_type",
    "retry after": "service_unavailable",
}


def _closed(schema: Any) -> Any:
    """Return a copy of a schema where every object admits only the members it declares."""
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    closed = {key: _closed(value) for key, value in schema.items()}
    if closed.get("type") == "object" and "properties" in closed:
        closed.setdefault("additionalProperties", False)
    return closed


def _answers(client: Client, platform: Platform, doctor: User, auth: dict[str, str]) -> dict[str, Any]:
    """One real answer of every problem that adds members to the standard ones, by what it shows."""
    patient = client.post("/api/v1/patients", json=patient_body(practice_id=str(doctor.practice_id)), headers=auth)

    def down() -> object:
        raise exc.OperationalError("SELECT 1", {}, OSError("connection refused"))

    with platform.container.uow.override(providers.Callable(down)):
        unavailable = client.get("/api/v1/users", headers=auth)
    return {
        "path parameter": client.get("/api/v1/users/not-a-uuid", headers=auth),
        "query parameter": client.get("/api/v1/users", params={"limit": 0}, headers=auth),
        "header": client.get("/api/v1/users", headers={**auth, "X-Purpose-Of-Use": "curiosity"}),
        "query": client.get("/api/v1/users", params={"sort": "password_hash"}, headers=auth),
        "entity": client.get(f"/api/v1/users/{UNKNOWN}", headers=auth),
        "current version": client.put(
            f"/api/v1/users/{doctor.id}", json={"name": "N"}, headers={**auth, "If-Match": '"9"'}
        ),
        "field errors": client.post("/api/v1/users", json={"name": 1}, headers=auth),
        "existing id": client.post("/api/v1/practices", json={"name": "Springfield Wound Clinic"}, headers=auth),
        "allowed media types": client.post(f"/api/v1/patients/{patient.json()['id']}/documents", json={}, headers=auth),
        "retry after": unavailable,
    }


def test_every_member_a_problem_carries_is_published(
    client: Client, platform: Platform, doctor: User, admin_auth: dict[str, str]
) -> None:
    spec = client.get("/schema/openapi.json").json()
    validator = jsonschema_rs.validator_for(
        {"$ref": "#/components/schemas/Problem", "components": _closed(spec["components"])}
    )
    answers = _answers(client, platform, doctor, admin_auth)
    assert answers.keys() == EXPECTED.keys()
    for kind, response in answers.items():
        assert response.headers["content-type"].startswith("application/problem+json"), kind
        document = response.json()
        assert document["type"] == f"/docs/problems/{EXPECTED[kind]}", (kind, document)
        assert validator.is_valid(document), (kind, document, [e.message for e in validator.iter_errors(document)])
    parameters = ("path parameter", "query parameter")
    assert {e.get("source") for name in parameters for e in answers[name].json()["errors"]} == {"path", "query"}

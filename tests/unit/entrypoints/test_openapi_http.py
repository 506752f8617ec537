"""The published contract: OpenAPI 3.1, strict request schemas, documented problems, offline docs."""

from __future__ import annotations

import re
from typing import Any

import pytest

from entrypoints.http.docs_ui import PROBLEM_DOCS
from tests.unit.entrypoints.conftest import Client, assert_problem

PUBLIC = {"/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/forgot-password", "/api/v1/auth/reset-password"}


@pytest.fixture
def spec(client: Client) -> dict[str, Any]:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()]


def test_openapi_3_1_with_bearer_security(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.1")
    assert spec["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"


def test_protected_operations_document_401_and_403(spec: dict[str, Any]) -> None:
    for path, method, op in _operations(spec):
        if path.startswith("/api/") and path not in PUBLIC:
            assert {"401", "403"} <= op["responses"].keys(), (method, path)
            assert op.get("security"), (method, path)
            problem = op["responses"]["401"]["content"]
            assert "application/problem+json" in problem


def test_request_bodies_are_strict_schemas(spec: dict[str, Any]) -> None:
    bodies = [op for _, _, op in _operations(spec) if "requestBody" in op]
    assert len(bodies) >= 15
    for op in bodies:
        content = op["requestBody"]["content"]
        schema = (content.get("application/json") or content["multipart/form-data"])["schema"]
        for option in schema.get("oneOf", [schema]):
            assert option["additionalProperties"] is False
        assert {"413", "415", "422"} <= op["responses"].keys()
    create = spec["paths"]["/api/v1/patients"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"first_name", "last_name", "date_of_birth", "sex"} <= set(create["required"])


def test_every_protected_route_refuses_anonymous_callers(client: Client, spec: dict[str, Any]) -> None:
    some_id = "0190f2a4-0000-7000-8000-000000000000"
    for path, method, op in _operations(spec):
        if not path.startswith("/api/") or path in PUBLIC:
            continue
        url = re.sub(r"\{[a-z_]+\}", some_id, path)  # every path parameter is an id
        content = op.get("requestBody", {}).get("content", {})
        body: dict[str, Any] = {"json": {}} if content else {}
        if "multipart/form-data" in content:
            body = {"files": {"file": ("a.pdf", b"%PDF-1.7")}, "data": {"kind": "other"}}
        assert_problem(client.request(method.upper(), url, **body), 401)


def test_the_docs_page_uses_vendored_assets(client: Client) -> None:
    page = client.get("/schema")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        assert f"/schema/assets/{asset}" in page.text
        assert client.get(f"/schema/assets/{asset}").status_code == 200


def test_health(client: Client) -> None:
    assert client.get("/health/live").json()["status"] == "ok"
    assert client.get("/health/ready").status_code == 200


def test_readiness_failure_is_503(client: Client, platform: Any) -> None:
    from dependency_injector import providers

    with platform.container.readiness.override(providers.Object(lambda: (False, "migrations pending"))):
        response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.headers["retry-after"]


def test_unknown_routes_and_methods_are_problems(client: Client) -> None:
    assert_problem(client.get("/api/v1/nothing"), 404)
    assert_problem(client.put("/health/live"), 405)


def test_every_problem_type_names_a_page_the_server_serves(client: Client) -> None:
    from entrypoints.http.problems import PROBLEM_TYPE_BASE

    codes = sorted(p.stem for p in PROBLEM_DOCS.glob("*.md") if p.stem != "README")
    assert {"not_found", "validation_failed", "unauthenticated"} <= set(codes)
    for code in codes:
        page = client.get(f"{PROBLEM_TYPE_BASE}{code}")
        assert page.status_code == 200, code
        assert page.headers["content-type"].startswith("text/markdown")
        assert f"`{code}`" in page.text
    problem = client.get("/api/v1/patients").json()
    assert client.get(problem["type"]).status_code == 200
    assert client.get(f"{PROBLEM_TYPE_BASE}no_such_problem").status_code == 404

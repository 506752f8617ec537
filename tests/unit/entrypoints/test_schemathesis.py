"""Schemathesis against the in-process app: every answer matches the published schema."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar.testing import TestClient
from schemathesis.specs.openapi.checks import positive_data_acceptance

from entrypoints.http.app import create_app
from ivr_domain.shared.actor import Role
from tests.platform import PASSWORD, memory_platform

pytestmark = pytest.mark.slow


def _app() -> object:
    from datetime import UTC, datetime
    from tempfile import mkdtemp

    platform = memory_platform(Path(mkdtemp()), now=datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    platform.user("admin@example.org", Role.ADMIN)
    app = create_app(platform.container)
    with TestClient(app) as client:
        token = client.post("/api/v1/auth/login", json={"email": "admin@example.org", "password": PASSWORD})
    _app.token = token.json()["access_token"]  # type: ignore[attr-defined]
    return app


schema = schemathesis.openapi.from_asgi("/schema/openapi.json", _app())
# Problems may carry extension members (RFC 9457); this API publishes every one it sends, so here no other passes.
for _name in ("Problem", "FieldProblem"):
    schema.raw_schema["components"]["schemas"][_name]["additionalProperties"] = False


@schema.auth()
class _Bearer:
    """Sends the admin's token, letting schemathesis drop it where it probes for 401s."""

    def get(self, case: schemathesis.Case, context: object) -> str:
        return str(_app.token)  # type: ignore[attr-defined]

    def set(self, case: schemathesis.Case, data: str, context: object) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    # Schema-valid bodies may still break domain rules (422) or name nothing (404): not failures here.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])

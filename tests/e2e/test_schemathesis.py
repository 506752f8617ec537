"""Schemathesis against the in-process app on a real database: every answer matches the published schema.

PostgreSQL when it can be reached (a fresh database, dropped at exit), else a SQLite file: the SQL adapters
meet the generated input too, since a memory store accepts what a database may refuse. (Text a database
cannot store is also tested head-on, in test_unstorable_text.py: random strings seldom hold a NUL.)
"""

from __future__ import annotations

import atexit
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from litestar.testing import TestClient
from returns.result import Success
from schemathesis.specs.openapi.checks import positive_data_acceptance

from adapters.sqlalchemy.migrate import upgrade
from entrypoints.http.app import create_app
from ivr_domain.shared.actor import SYSTEM_ACTOR, Role
from tests.http import coverage_body, ivr_body
from tests.platform import PASSWORD, memory_platform, value_of
from tests.services import create_postgres_database

pytestmark = pytest.mark.slow

# What the run can aim at besides random ids (which answer 404): IVRs in several states, and their patient.
SEEDED: dict[str, list[str]] = {
    "ivr_id": [], "patient_id": [], "document_id": [], "template_id": [], "justification_id": []
}  # fmt: skip
# IVRs reach these states through the workflow before the run starts (a draft stays a draft).
_STEPS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "draft": [],
    "submitted": [("submit", {})],
    "in_review": [("submit", {}), ("start-review", {})],
    "approved": [("submit", {}), ("start-review", {}), ("approve", {"coverages": [coverage_body()]})],
}
# Longer than the default lockout (15 minutes).
LOCKOUT_PASSES = timedelta(minutes=16)
_IF_MATCH = re.compile(r'^\s*(\*|(W/)?"[0-9]{1,18}")\s*$')


def _seed_ivrs(client: TestClient[Any], auth: dict[str, str], patient_id: str) -> None:
    SEEDED["patient_id"].append(patient_id)
    for steps in _STEPS.values():
        created = client.post("/api/v1/ivrs", json=ivr_body(patient_id), headers=auth)
        assert created.status_code == 201, created.text
        ivr_id = created.json()["id"]
        for action, body in steps:
            moved = client.post(f"/api/v1/ivrs/{ivr_id}/{action}", json=body, headers=auth)
            assert moved.status_code == 200, moved.text
        SEEDED["ivr_id"].append(ivr_id)
    # A document on the draft, so that downloads meet a real file too (its answer is binary, with headers).
    files = {"file": ("notes.pdf", b"%PDF-1.7\n" + bytes(200), "application/pdf")}
    draft = SEEDED["ivr_id"][0]
    document = client.post(f"/api/v1/ivrs/{draft}/documents", data={"kind": "other"}, files=files, headers=auth)
    assert document.status_code == 201, document.text
    SEEDED["document_id"].append(document.json()["id"])


def _seed_templates(client: TestClient[Any], auth: dict[str, str]) -> None:
    """A global template and a justification, so that their routes meet real rows, not only 404s."""
    content = {k: v for k, v in ivr_body("unused").items() if k != "patient_id"}
    template = client.post("/api/v1/ivrs/templates", json={"name": "Seeded", "content": content}, headers=auth)
    assert template.status_code == 201, template.text
    SEEDED["template_id"].append(template.json()["id"])
    body = {"title": "Seeded", "wound_type": "burn", "text": "Seeded justification."}
    justification = client.post("/api/v1/ivrs/justifications", json=body, headers=auth)
    assert justification.status_code == 201, justification.text
    SEEDED["justification_id"].append(justification.json()["id"])


def _database_url(data_dir: Path) -> str:
    """A fresh PostgreSQL database, migrated and dropped at exit; a SQLite file when PostgreSQL is out of reach."""
    try:
        url, drop = create_postgres_database("ivr_schemathesis")
    except sa.exc.OperationalError:
        if os.environ.get("IVR_REQUIRE_SERVICES") == "1":
            raise
        url = f"sqlite:///{data_dir / 'ivr.db'}"
        upgrade(url)
        return url
    atexit.register(drop)
    return url


def _app() -> object:
    from datetime import UTC, datetime
    from tempfile import mkdtemp

    data_dir = Path(mkdtemp())
    # Every case logs in afresh (see _Bearer): the limits on logins per minute would refuse most of them.
    env = {
        "IVR_DATABASE_URL": _database_url(data_dir),
        "IVR_LOGIN_LIMIT_PER_ADDRESS": "100000",
        "IVR_LOGIN_LIMIT_PER_ACCOUNT": "100000",
    }
    platform = memory_platform(data_dir, now=datetime(2026, 11, 25, 9, 0, tzinfo=UTC), env=env)
    admin = platform.user("admin@example.org", Role.ADMIN)
    doctor = platform.user("doctor@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    patient_id = str(platform.patient(doctor.practice_id).id)  # type: ignore[attr-defined]
    app = create_app(platform.container)
    with TestClient(app) as client:
        token = client.post("/api/v1/auth/login", json={"email": "admin@example.org", "password": PASSWORD})
        _seed_ivrs(client, {"Authorization": f"Bearer {token.json()['access_token']}"}, patient_id)
        _seed_templates(client, {"Authorization": f"Bearer {token.json()['access_token']}"})
    _app.platform, _app.admin_id = platform, admin.id  # type: ignore[attr-defined]
    return app


def _admin_token() -> str:
    """Log the admin in now, under the email they have now: generated cases log out and change it."""
    platform, admin_id = _app.platform, _app.admin_id  # type: ignore[attr-defined]
    with platform.container.uow() as uow:
        admin = uow.users.get(admin_id, scope=SYSTEM_ACTOR.scope)
    assert admin is not None
    login = platform.login(admin.email.value)
    if not isinstance(login, Success):
        # Generated password changes with a wrong current password lock the account; the lockout then runs out.
        platform.clock.advance(LOCKOUT_PASSES)
        login = platform.login(admin.email.value)
    return str(value_of(login).access_token)


schema = schemathesis.openapi.from_asgi("/schema/openapi.json", _app())
# Problems may carry extension members (RFC 9457); this API publishes every one it sends, so here no other passes.
for _name in ("Problem", "FieldProblem"):
    schema.raw_schema["components"]["schemas"][_name]["additionalProperties"] = False


def _is_uuid(value: object) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def _or_seeded(values: dict[str, Any], name: str) -> st.SearchStrategy[dict[str, Any]]:
    """Keep a generated id, or swap in a seeded one; an id that is not a UUID is what a negative case tests."""
    if name not in values or not _is_uuid(values[name]):
        return st.just(values)
    return st.sampled_from([values, *({**values, name: seeded} for seeded in SEEDED[name])])


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Aim IVR routes at seeded IVRs (and a seeded document) too, so that they meet real states, not only 404s."""
    ivr_aimed = _or_seeded(path_parameters or {}, "ivr_id")
    aimed = ivr_aimed.flatmap(lambda values: _or_seeded(values, "document_id"))
    aimed = aimed.flatmap(lambda values: _or_seeded(values, "template_id"))
    return aimed.flatmap(lambda values: _or_seeded(values, "justification_id"))


@schema.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
    """Give IVR bodies the seeded patient too, so that creates and updates get past the patient check."""
    if isinstance(body, dict) and isinstance(body.get("items"), list) and body["items"]:
        return _bulk_aimed(body)
    return _or_seeded(body, "patient_id") if isinstance(body, dict) else st.just(body)


def _bulk_aimed(body: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Aim a bulk approval's first item at a seeded IVR too, so that items meet real states, not only 404s."""
    first = body["items"][0]
    if not isinstance(first, dict):
        return st.just(body)
    return _or_seeded(first, "ivr_id").map(lambda item: {**body, "items": [item, *body["items"][1:]]})


@schema.hook
def map_case(context: Any, case: Any) -> Any:
    """Send a well-formed If-Match to a seeded object or the admin's own account as `*`: their versions move."""
    # 412 is tested apart, in each route's own tests.
    named = case.path_parameters or {}
    seeded = any(named.get(name) in SEEDED[name] for name in ("ivr_id", "template_id", "justification_id"))
    # The admin's own account moves too (PUT /auth/me): a stale version would answer 412 before the body's 422.
    seeded = seeded or case.path == "/api/v1/auth/me"
    if seeded and case.headers is not None and _IF_MATCH.match(str(case.headers.get("If-Match", ""))):
        case.headers["If-Match"] = "*"
    return case


# No caching: a cached token dies with the first generated logout, and every later case would only meet 401.
@schema.auth(refresh_interval=None)
class _Bearer:
    """Sends a fresh admin token with every case, letting schemathesis drop it where it probes for 401s."""

    def get(self, case: schemathesis.Case, context: object) -> str:
        return _admin_token()

    def set(self, case: schemathesis.Case, data: str, context: object) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    # Schema-valid bodies may still break domain rules (422) or name nothing (404): not failures here.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])

"""The audit rule over every HTTP route: each request that reaches its use case leaves an entry of its outcome.

The operations come from the app itself, so a new route is swept as soon as it exists, or must be exempted below
with its reason. Each operation is called as several people: an admin on objects that do not exist (404), people
outside the objects' reach (404) or without the permission (403), the owner and an admin on real objects; writes
send `{}` (422). Every answer must be a status the use case decides and must leave an entry with the request's
correlation id whose outcome is the status's: 2xx success; 403, 404, 429 and a refused login denied; 409, 412 and
422 invalid. What the edge refuses before the use case (400, 401 without a token, 413, 415) is outside this sweep.
"""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from attrs import frozen
from litestar import Litestar
from litestar.routes import HTTPRoute

from entrypoints.http.app import create_app
from ivr_domain.admin.ports import AuditQuery
from ivr_domain.identity.use_cases.hierarchy import AssignMember
from ivr_domain.shared.actor import SYSTEM_ACTOR, Role
from ivr_domain.shared.audit import Outcome
from tests.http import ivr_body, patient_body
from tests.platform import PASSWORD, Platform, memory_platform, value_of
from tests.unit.entrypoints.conftest import Client, login

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
PDF_BYTES = b"%PDF-1.7\n" + bytes(range(256)) * 4

# Routes where not auditing is right. Only the API's use cases touch people's data; these answer the same fixed
# content to everyone (or to no one in particular) and run none.
EXEMPT_PREFIXES = {
    "/health/": "liveness and readiness probes: no caller, no use case, no data",
    "/schema": "the OpenAPI document and its viewers: the same published description for every caller",
    "/docs/problems/": "the pages explaining each problem type: static documentation",
}
EXEMPT_OPERATIONS = {
    "GET /api/v1/users/roles": (
        "the fixed table of roles and their default permissions: reference data of the code, no use case, "
        "no person's data (docs/security.md lists no action for it)"
    ),
}
# OPTIONS is answered by the framework (the Allow header) before any handler: no use case, no data.
EXEMPT_METHODS = {"OPTIONS": "answered by the framework with the Allow header; no handler runs"}

# The public session routes are not called as the people below: without a session their callers are known only by
# address. A `{}` body there names no account, token or session and is refused as the request's form, like a 400
# (docs/security.md records login attempts, refreshes, reset requests and resets, not malformed requests for them);
# the attempts themselves are swept, failures included (a failed login and an unknown refresh token are denials).
PUBLIC_OPERATIONS = frozenset(
    {
        "POST /api/v1/auth/login",
        "POST /api/v1/auth/refresh",
        "POST /api/v1/auth/forgot-password",
        "POST /api/v1/auth/reset-password",
    }
)

# Answers that carry patients' ids but none of their data: an audit search returns entries, which name patients by
# id only (never PHI); the patients are not "returned" as a read returns them, so its entry need not name them.
IDS_ONLY_OPERATIONS = frozenset({"GET /api/v1/admin/audit-logs"})

# Notifications are swept like every other route: docs/notifications.md audits every call that reaches a use case,
# reading one's own included (`notifications.list`, `.read`, `.read_all`), and the rule has no exception
# for data about oneself.

_OUTCOMES = {403: Outcome.DENIED, 404: Outcome.DENIED, 429: Outcome.DENIED}
_OUTCOMES |= {409: Outcome.INVALID, 412: Outcome.INVALID, 422: Outcome.INVALID}

Auth = dict[str, str]


def _operation_path(route_path: str) -> str:
    """Return a route's path as OpenAPI writes it: `{user_id:str}` becomes `{user_id}`."""
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", route_path)


def _exemption(operation: str) -> str | None:
    method, path = operation.split(" ", 1)
    if method in EXEMPT_METHODS:
        return EXEMPT_METHODS[method]
    prefix = next((p for p in EXEMPT_PREFIXES if path.startswith(p)), None)
    return EXEMPT_PREFIXES[prefix] if prefix else EXEMPT_OPERATIONS.get(operation)


def _app_operations(app: Litestar) -> set[str]:
    """Return every `METHOD /path` the app serves."""
    return {
        f"{method} {_operation_path(route.path)}"
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for method in route.methods
    }


def _body_media(app: Litestar) -> dict[str, str]:
    """Return each operation's request body media type, from the published schema."""
    paths = app.openapi_schema.to_schema()["paths"]
    return {
        f"{method.upper()} {path}": next(iter(operation["requestBody"]["content"]))
        for path, operations in paths.items()
        for method, operation in operations.items()
        if isinstance(operation, dict) and "requestBody" in operation
    }


def _built_app() -> tuple[list[str], dict[str, str]]:
    """Build the app once at collection, on a throwaway memory platform: its operations and their body types."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(memory_platform(Path(folder), now=NOW).container)
        return sorted(_app_operations(app)), _body_media(app)


ALL_OPERATIONS, BODY_MEDIA = _built_app()
SWEPT = [op for op in ALL_OPERATIONS if _exemption(op) is None]


@pytest.fixture
def platform(tmp_path: Path) -> Platform:
    """The memory platform, with login limits out of the way: the sweep logs in before every request."""
    env = {"IVR_LOGIN_LIMIT_PER_ADDRESS": "100000", "IVR_LOGIN_LIMIT_PER_ACCOUNT": "100000"}
    return memory_platform(tmp_path, now=NOW, env=env)


@frozen(kw_only=True)
class World:
    """Real objects of one practice, and who stands where around them."""

    ids: dict[str, str]
    ivr_document_id: str
    emails: dict[str, str]


def _created(response: Any) -> str:
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _upload_form() -> dict[str, Any]:
    return {"data": {"kind": "clinical_notes"}, "files": {"file": ("notes.pdf", PDF_BYTES, "application/pdf")}}


@pytest.fixture
def world(client: Client, platform: Platform) -> World:
    """A practice with a patient, a draft IVR, documents, a template and a justification; people in and out."""
    admin = platform.user("admin@example.org", Role.ADMIN)
    doctor = platform.user("doctor@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    platform.user("outsider@example.org", Role.DOCTOR, practice="Shelbyville Foot Care")
    sales = platform.user("sales@example.org", Role.SALESPERSON)
    platform.user("logistics@example.org", Role.LOGISTICS)
    assign = AssignMember(manager_id=sales.id, member_practice_id=doctor.practice_id)
    value_of(platform.container.assign_member()(SYSTEM_ACTOR, assign))
    doctor_auth, admin_auth = login(client, doctor.email.value), login(client, admin.email.value)
    patient = _created(client.post("/api/v1/patients", json=patient_body(), headers=doctor_auth))
    ivr = _created(client.post("/api/v1/ivrs", json=ivr_body(patient), headers=doctor_auth))
    document = _created(client.post(f"/api/v1/patients/{patient}/documents", headers=doctor_auth, **_upload_form()))
    ivr_document = _created(client.post(f"/api/v1/ivrs/{ivr}/documents", headers=doctor_auth, **_upload_form()))
    content = ivr_body(patient)
    del content["patient_id"]
    template = _created(
        client.post("/api/v1/ivrs/templates", json={"name": "DFU heel", "content": content}, headers=doctor_auth)
    )
    justification = _created(
        client.post(
            "/api/v1/ivrs/justifications",
            json={"title": "DFU failed care", "wound_type": "diabetic_foot_ulcer", "text": "Failed 4 weeks."},
            headers=admin_auth,
        )
    )
    ids = {
        "patient_id": patient,
        "ivr_id": ivr,
        "document_id": document,
        "user_id": str(doctor.id),
        "practice_id": str(doctor.practice_id),
        "template_id": template,
        "justification_id": justification,
        # Notifications are their recipient's only: another's answers 404 exactly as one that does not exist.
        "notification_id": str(uuid4()),
    }
    emails = {
        "outsider doctor": "outsider@example.org",
        "salesperson in reach": "sales@example.org",
        "logistics": "logistics@example.org",
        "owning doctor": doctor.email.value,
        "admin": admin.email.value,
    }
    return World(ids=ids, ivr_document_id=ivr_document, emails=emails)


@frozen(kw_only=True)
class Call:
    """One request of the sweep."""

    label: str
    email: str | None
    path: str
    options: dict[str, Any]


def _filled(path: str, world: World, *, real: bool) -> str:
    """Put real ids, or random ones, into a path's parameters."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if not real:
            return str(uuid4())
        if name == "document_id" and path.startswith("/api/v1/ivrs/"):
            return world.ivr_document_id
        return world.ids[name]

    return re.sub(r"\{(\w+)\}", value, path)


def _protected_calls(operation: str, world: World) -> list[Call]:
    path = operation.split(" ", 1)[1]
    media = BODY_MEDIA.get(operation)
    body: dict[str, Any] = {}
    if media == "application/json":
        body = {"json": {}}
    elif media == "multipart/form-data":
        body = _upload_form()
    calls = [
        Call(
            label="admin on missing objects",
            email=world.emails["admin"],
            path=_filled(path, world, real=False),
            options=body,
        )
    ]
    # Refused people first, then the owner, then an admin: their writes succeed (an admin's DELETE of a user ends it).
    calls += [
        Call(label=label, email=email, path=_filled(path, world, real=True), options=body)
        for label, email in world.emails.items()
    ]
    return calls


def _public_calls(operation: str, client: Client, world: World) -> list[Call]:
    path, email = operation.split(" ", 1)[1], world.emails["owning doctor"]
    bodies: dict[str, dict[str, str]]
    match operation:
        case "POST /api/v1/auth/login":
            bodies = {"wrong password": {"email": email, "password": "not it at all"}}
            bodies["right password"] = {"email": email, "password": PASSWORD}
        case "POST /api/v1/auth/refresh":
            tokens = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json()
            bodies = {
                "unknown token": {"refresh_token": "x" * 43},
                "live token": {"refresh_token": tokens["refresh_token"]},
            }
        case "POST /api/v1/auth/forgot-password":
            bodies = {"an account's email": {"email": email}, "no account's email": {"email": "nobody@example.org"}}
        case "POST /api/v1/auth/reset-password":
            bodies = {"unknown token": {"token": "x" * 43, "new_password": "a brand new passphrase"}}
        case _:
            raise AssertionError(f"{operation} is public: give it calls here or exempt it")
    return [Call(label=label, email=None, path=path, options={"json": body}) for label, body in bodies.items()]


def _expected(status: int, *, public: bool) -> Outcome | None:
    """Return the outcome a status records, or None when the use case cannot have decided it."""
    if 200 <= status < 300:
        return Outcome.SUCCESS
    if status == 401 and public:  # a refused login or refresh: the use case's denial, not a missing token
        return Outcome.DENIED
    return _OUTCOMES.get(status)


def _send(client: Client, platform: Platform, operation: str, call: Call, patient: str) -> str | None:
    """Send one call; return what is wrong with its audit, if anything."""
    headers: Auth = login(client, call.email) if call.email else {}
    platform.clock.advance(timedelta(seconds=1))  # this request's entries are the ones from now on
    since = platform.clock.now()
    response = client.request(operation.split(" ", 1)[0], call.path, headers=headers, **call.options)
    expected = _expected(response.status_code, public=call.email is None)
    if expected is None:
        return f"{call.label}: {response.status_code} does not come from a use case: {response.text[:300]}"
    correlation_id = response.headers["x-correlation-id"]
    entries = [e for e in platform.audit(AuditQuery(since=since)) if e.correlation_id == correlation_id]
    if not any(e.outcome == expected for e in entries):
        found = [(e.action, e.outcome.value) for e in entries]
        return f"{call.label}: {response.status_code} wants a {expected.value} entry, found {found or 'none'}"
    # Which patients: an answer showing the patient, in any projection, names them in its entries.
    shown = expected == Outcome.SUCCESS and patient in response.text and operation not in IDS_ONLY_OPERATIONS
    if shown and not any(str(p) == patient for e in entries for p in e.patient_ids):
        return f"{call.label}: the answer shows the patient, no entry names them: {[e.action for e in entries]}"
    return None


@pytest.mark.parametrize("operation", SWEPT)
def test_every_request_reaching_a_use_case_is_audited_with_its_outcome(
    operation: str, client: Client, platform: Platform, world: World
) -> None:
    public = operation in PUBLIC_OPERATIONS
    calls = _public_calls(operation, client, world) if public else _protected_calls(operation, world)
    problems = [
        problem
        for call in calls
        if (problem := _send(client, platform, operation, call, world.ids["patient_id"])) is not None
    ]
    assert problems == [], f"{operation}:\n" + "\n".join(problems)


def test_the_exemptions_name_routes_that_exist() -> None:
    exempt = [*EXEMPT_OPERATIONS, *PUBLIC_OPERATIONS]
    assert [op for op in exempt if op not in ALL_OPERATIONS] == []
    for prefix in EXEMPT_PREFIXES:
        assert any(op.split(" ", 1)[1].startswith(prefix) for op in ALL_OPERATIONS), prefix


def test_the_sweep_covers_the_api() -> None:
    # A slip in the enumeration (no routes, or none of a controller) must not pass as a clean sweep.
    swept_paths = {op.split(" ", 1)[1] for op in SWEPT}
    for area in ("auth", "users", "practices", "patients", "ivrs", "notifications", "admin"):
        assert any(path.startswith(f"/api/v1/{area}") for path in swept_paths), area
    assert len(SWEPT) > 60

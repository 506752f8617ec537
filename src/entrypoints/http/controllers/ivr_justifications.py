"""The medical justification library: admins write it, everyone who writes IVRs reads it; no PHI.

A static path under `/api/v1/ivrs`: Litestar matches `justifications` before `/{ivr_id}`. Writes whose body
cannot be decoded still answer API.md's earlier refusals first (404, 403, 412).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import FromQuery, PathParameter, QueryParameter, RawBody, SkipValidation

from entrypoints.http.auth import BearerAuth
from entrypoints.http.controllers.support import (
    BEARER,
    Cursor,
    IfMatch,
    Limit,
    checks_before_fields,
    ok,
    page_request,
    writer,
)
from entrypoints.http.decoding import decode_in_order, with_body
from entrypoints.http.headers import expected_version, object_headers
from entrypoints.http.idempotency import Idempotency
from entrypoints.http.openapi import BODY, PROTECTED, problem_responses
from entrypoints.http.schemas.ivr_templates import (
    JustificationBody,
    JustificationOut,
    JustificationPage,
    justification_input,
    justification_out,
)
from ivr_domain.ivr.model import WoundType
from ivr_domain.ivr.templates import policy
from ivr_domain.ivr.templates.justification_cases import (
    CREATE,
    RESOURCE,
    UPDATE,
    DeleteJustification,
    JustificationLibrary,
    UpdateJustification,
)
from ivr_domain.ivr.templates.model import JustificationFilter
from ivr_domain.shared.ids import JustificationId

JustificationIdPath = Annotated[UUID, PathParameter(description="the justification's id")]
JustificationSort = Annotated[
    str,
    QueryParameter(
        description="one of title, -title, created_at, -created_at, updated_at, -updated_at (default title)"
    ),
]
_ON_ONE = (*PROTECTED, 404, 409, 412)


class JustificationsController(Controller):
    """The medical justification library: admins write it, everyone who writes IVRs reads it."""

    path = "/api/v1/ivrs/justifications"
    tags = ["ivr templates"]
    security = BEARER

    @get("/", sync_to_thread=True, responses=problem_responses(*PROTECTED))
    def list_justifications(
        self,
        *,
        request: Request[Any, Any, Any],
        bearer: SkipValidation[BearerAuth],
        justification_library: SkipValidation[JustificationLibrary],
        wound_type: FromQuery[WoundType | None] = None,
        hcpcs_code: Annotated[str | None, QueryParameter(description="a HCPCS code, any case", max_length=5)] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
        sort: JustificationSort = "title",
    ) -> Response[JustificationPage]:
        """List the library, filtered by wound type and HCPCS code."""
        filters = JustificationFilter(wound_type=wound_type, hcpcs_code=hcpcs_code)
        page = ok(justification_library.list(bearer.actor(request), filters, page_request(limit, cursor, sort)))
        return Response(
            JustificationPage(items=[justification_out(j) for j in page.items], next_cursor=page.next_cursor)
        )

    @post(
        "/",
        sync_to_thread=True,
        status_code=201,
        **with_body(JustificationBody),
        responses=problem_responses(*PROTECTED, *BODY, 409),
    )
    def create_justification(
        self,
        *,
        request: Request[Any, Any, Any],
        body: RawBody,
        bearer: SkipValidation[BearerAuth],
        justification_library: SkipValidation[JustificationLibrary],
        idempotency: SkipValidation[Idempotency],
    ) -> Response[JustificationOut]:
        """Add a justification to the library (admins)."""
        actor = bearer.actor(request)

        def create() -> Response[Any]:
            decoded = decode_in_order(
                body,
                JustificationBody,
                writer(policy.may_write_justifications(actor), CREATE, RESOURCE),
            )
            item = ok(justification_library.create(actor, justification_input(decoded)))
            headers = {**object_headers(item.version), "Location": f"{self.path}/{item.id}"}
            return Response(justification_out(item), status_code=201, headers=headers)

        return idempotency.run(request, actor, body, create, action=CREATE)

    @get("/{justification_id:str}", sync_to_thread=True, responses=problem_responses(*PROTECTED, 404))
    def get_justification(
        self,
        *,
        request: Request[Any, Any, Any],
        justification_id: JustificationIdPath,
        bearer: SkipValidation[BearerAuth],
        justification_library: SkipValidation[JustificationLibrary],
    ) -> Response[JustificationOut]:
        """Read one justification."""
        item = ok(justification_library.get(bearer.actor(request), JustificationId(justification_id)))
        return Response(justification_out(item), headers=object_headers(item.version))

    @put(
        "/{justification_id:str}",
        sync_to_thread=True,
        **with_body(JustificationBody),
        responses=problem_responses(*_ON_ONE, *BODY),
    )
    def update_justification(
        self,
        *,
        request: Request[Any, Any, Any],
        justification_id: JustificationIdPath,
        body: RawBody,
        bearer: SkipValidation[BearerAuth],
        justification_library: SkipValidation[JustificationLibrary],
        if_match: IfMatch = None,
    ) -> Response[JustificationOut]:
        """Replace a justification (admins)."""
        actor = bearer.actor(request)
        version = expected_version(if_match)
        checks = checks_before_fields(
            lambda: justification_library.peek(actor, JustificationId(justification_id)),
            entity=RESOURCE,
            resource_id=justification_id,
            action=UPDATE,
            allowed=lambda _: policy.may_write_justifications(actor),
            expected_version=version,
        )
        decoded = decode_in_order(body, JustificationBody, checks)
        cmd = UpdateJustification(
            justification_id=JustificationId(justification_id),
            justification=justification_input(decoded),
            expected_version=version,
        )
        item = ok(justification_library.update(actor, cmd))
        return Response(justification_out(item), headers=object_headers(item.version))

    @delete("/{justification_id:str}", sync_to_thread=True, status_code=204, responses=problem_responses(*_ON_ONE))
    def delete_justification(
        self,
        *,
        request: Request[Any, Any, Any],
        justification_id: JustificationIdPath,
        bearer: SkipValidation[BearerAuth],
        justification_library: SkipValidation[JustificationLibrary],
        if_match: IfMatch = None,
    ) -> None:
        """Remove a justification from the library (admins); IVRs that used it keep its text."""
        actor = bearer.actor(request)  # 401 before a malformed If-Match's 400
        cmd = DeleteJustification(
            justification_id=JustificationId(justification_id), expected_version=expected_version(if_match)
        )
        ok(justification_library.delete(actor, cmd))

"""Bulk work on IVRs: `POST /api/v1/ivrs/bulk-approve`, one result per item, each the single approve's answer."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from litestar import Controller, Request, Response, post
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import RawBody, SkipValidation

from entrypoints.http.auth import BearerAuth
from entrypoints.http.context import current
from entrypoints.http.controllers.support import BEARER, ok, writer
from entrypoints.http.decoding import decode_in_order, json_body_guard
from entrypoints.http.headers import PHI_HEADERS
from entrypoints.http.openapi import BODY, PROTECTED, problem_responses, schema_for
from entrypoints.http.schemas.ivr_bulk import (
    BulkApproveBody,
    BulkApproveItemBody,
    BulkApproveOut,
    bulk_command,
    bulk_out,
)
from ivr_domain.ivr.use_cases.bulk import ACTION, MAX_ITEMS, BulkApproveHandler
from ivr_domain.shared.actor import Permission


def _published_body() -> type[Operation]:
    """Return the operation publishing the bulk body, with the limits on `items` that clients must respect."""
    items = Schema(type=OpenAPIType.ARRAY, items=schema_for(BulkApproveItemBody), min_items=1, max_items=MAX_ITEMS)
    schema = replace(schema_for(BulkApproveBody), properties={"items": items})
    body = RequestBody(required=True, content={"application/json": OpenAPIMediaType(schema=schema)})

    @dataclass
    class BulkApproveOperation(Operation):
        def __post_init__(self) -> None:
            self.request_body = body

    return BulkApproveOperation


class IvrBulkController(Controller):
    """Approving many IVRs in one request; a refused item never blocks or half-applies another."""

    path = "/api/v1/ivrs"
    tags = ["ivrs"]
    security = BEARER

    # A static segment: Litestar matches it before `/{ivr_id}` routes, and no `/{ivr_id}` route takes a POST.
    @post(
        "/bulk-approve",
        sync_to_thread=True,
        status_code=200,
        guards=[json_body_guard],
        operation_class=_published_body(),
        responses=problem_responses(*PROTECTED, *BODY),
    )
    def bulk_approve_ivrs(
        self,
        *,
        request: Request[Any, Any, Any],
        body: RawBody,
        bearer: SkipValidation[BearerAuth],
        bulk_approve_ivrs: SkipValidation[BulkApproveHandler],
    ) -> Response[BulkApproveOut]:
        """Approve 1 to 500 IVRs, each in its own transaction; each result is what the single approve answers."""
        actor = bearer.actor(request)

        # API.md's order: a caller without the permission hears 403 before anything about the body.
        permitted = writer(actor.can(Permission.IVRS_BULK_APPROVE), ACTION, "ivr")
        decoded = decode_in_order(body, BulkApproveBody, permitted)
        approval = ok(bulk_approve_ivrs(actor, bulk_command(decoded)))
        return Response(bulk_out(approval, correlation_id=current().correlation_id), headers=PHI_HEADERS)

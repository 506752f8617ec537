"""The verification queue and the reassignment of an IVR's reviewer; PHI, so every answer is no-store."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery, PathParameter, QueryParameter, RawBody, SkipValidation

from entrypoints.http.auth import BearerAuth
from entrypoints.http.controllers.ivr_checks import ivr_checks_before_fields
from entrypoints.http.controllers.support import (
    BEARER,
    Cursor,
    IfMatch,
    Limit,
    ok,
    page_request,
)
from entrypoints.http.decoding import decode_in_order, with_body
from entrypoints.http.headers import PHI_HEADERS, expected_version, object_headers
from entrypoints.http.openapi import BODY, PROTECTED, problem_responses
from entrypoints.http.problems import to_problem
from entrypoints.http.schemas.ivr_queue import AssignBody, QueuePage, queued_out
from entrypoints.http.schemas.ivrs import IvrViewOut, ivr_out
from ivr_domain.ivr.model import IvrStatus, Priority
from ivr_domain.ivr.queue import QUEUE_STATES, QueueFilter, SlaState
from ivr_domain.ivr.use_cases import AssignReviewer, AssignReviewerHandler, GetIvrHandler, IvrQueueHandler
from ivr_domain.ivr.use_cases.assign import ACTION as ASSIGN
from ivr_domain.ivr.use_cases.assign import TRIGGER
from ivr_domain.shared.actor import Role
from ivr_domain.shared.errors import InvalidQuery
from ivr_domain.shared.ids import IvrId, UserId

IvrIdPath = Annotated[UUID, PathParameter(description="the IVR's id")]
Statuses = Annotated[
    list[str] | None,
    QueryParameter(description="open statuses, repeated or comma-separated; `submitted` when left out"),
]

PayerId = Annotated[
    str | None,
    QueryParameter(description="the primary insurance's payer id as of the latest submit, e.g. `00952`"),
]


def _statuses(given: list[str] | None) -> frozenset[IvrStatus]:
    """Read `status=a&status=b` and `status=a,b` alike; 400 for a name that is no status at all.

    A status the queue does not hold (approved, say) is the core's to refuse, after authentication, audited.
    """
    names = [name.strip() for value in given or () for name in value.split(",") if name.strip()]
    if not names:
        return frozenset({IvrStatus.SUBMITTED})
    known = {s.value: s for s in IvrStatus}
    if any(name not in known for name in names):
        detail = f"status must be among {', '.join(sorted(s.value for s in QUEUE_STATES))}"
        raise to_problem(InvalidQuery(parameter="status", detail=detail))
    return frozenset(known[name] for name in names)


class IvrQueueController(Controller):
    """Open IVRs for verification staff, and an admin's reassignment of who reviews one."""

    path = "/api/v1/ivrs"
    tags = ["ivrs"]
    security = BEARER

    # A static segment: Litestar matches it before `/{ivr_id}`, which would not parse `pending` as a UUID anyway.
    @get("/pending", sync_to_thread=True, responses=problem_responses(*PROTECTED))
    def ivr_queue(
        self,
        *,
        request: Request[Any, Any, Any],
        bearer: SkipValidation[BearerAuth],
        ivr_queue: SkipValidation[IvrQueueHandler],
        status: Statuses = None,
        priority: FromQuery[Priority | None] = None,
        reviewer_id: FromQuery[UUID | None] = None,
        sla: FromQuery[SlaState | None] = None,
        payer_id: PayerId = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Response[QueuePage]:
        """List the verification queue: urgent first, then oldest since the latest submit; with age and SLA state."""
        filters = QueueFilter(
            statuses=_statuses(status),
            priority=priority,
            reviewer_id=UserId(reviewer_id) if reviewer_id else None,
            sla=sla,
            payer_id=payer_id,
        )
        page = ok(ivr_queue(bearer.actor(request), filters, page_request(limit, cursor)))
        out = QueuePage(items=[queued_out(item) for item in page.items], next_cursor=page.next_cursor)
        return Response(out, headers=PHI_HEADERS)

    @post(
        "/{ivr_id:str}/assign",
        sync_to_thread=True,
        status_code=200,
        **with_body(AssignBody),
        responses=problem_responses(*PROTECTED, 404, 409, 412, *BODY),
    )
    def assign_reviewer(
        self,
        *,
        request: Request[Any, Any, Any],
        ivr_id: IvrIdPath,
        body: RawBody,
        bearer: SkipValidation[BearerAuth],
        get_ivr: SkipValidation[GetIvrHandler],
        assign_reviewer: SkipValidation[AssignReviewerHandler],
        if_match: IfMatch = None,
    ) -> Response[IvrViewOut]:
        """Make an active verification staff member or admin the reviewer of an open IVR (admins only)."""
        actor = bearer.actor(request)
        version = expected_version(if_match)

        # Only an admin reassigns: the role itself, whatever the IVR (a masked view allows no assign either).
        checks = ivr_checks_before_fields(
            lambda: get_ivr.peek(actor, IvrId(ivr_id)),
            ivr_id=IvrId(ivr_id),
            action=ASSIGN,
            trigger=TRIGGER,
            may=lambda _: actor.role is Role.ADMIN and not actor.is_system,
            leads=lambda status: status in QUEUE_STATES,
            version=version,
        )
        decoded = decode_in_order(body, AssignBody, checks)
        cmd = AssignReviewer(ivr_id=IvrId(ivr_id), reviewer_id=UserId(decoded.reviewer_id), expected_version=version)
        shown = ok(assign_reviewer(actor, cmd))
        return Response(ivr_out(shown), headers=object_headers(shown.ivr.version, phi=True))

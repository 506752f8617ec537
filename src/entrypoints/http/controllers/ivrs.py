"""IVRs: drafts, the verification workflow and its history; PHI, so every answer is no-store.

Writes whose body the edge cannot read still answer API.md's earlier refusals first (404 scope, 403 role,
practice or reviewer, 412 stale If-Match, 409 state); a body it can read goes to the core, which orders
its own refusals the same way.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromQuery, PathParameter, QueryParameter, RawBody, SkipValidation

from entrypoints.http.auth import BearerAuth
from entrypoints.http.controllers.ivr_checks import ivr_checks_before_fields
from entrypoints.http.controllers.support import (
    BEARER,
    Cursor,
    IfMatch,
    Instant,
    Limit,
    instant,
    ok,
    page_request,
    sort_description,
    writer,
)
from entrypoints.http.decoding import decode_in_order, decode_optional, parse_json, with_body, with_optional_body
from entrypoints.http.headers import PHI_HEADERS, expected_version, object_headers
from entrypoints.http.idempotency import Idempotency
from entrypoints.http.openapi import BODY, PROTECTED, problem_responses
from entrypoints.http.schemas.ivr_bodies import (
    ActionBody,
    ApproveBody,
    IvrCreateBody,
    NoBody,
    RejectBody,
    RequestInfoBody,
    RequirePriorAuthBody,
    action_command,
    create_command,
)
from entrypoints.http.schemas.ivrs import IvrHistoryOut, IvrPage, IvrViewOut, history_out, ivr_out
from ivr_domain.ivr.lifecycle import EDITABLE_STATES, UPDATE, Trigger, leads_from, may_edit, may_pull
from ivr_domain.ivr.model import IvrStatus, Priority
from ivr_domain.ivr.policy import ShownIvr
from ivr_domain.ivr.ports import IVR_SORTS, IvrFilter
from ivr_domain.ivr.use_cases import (
    ActOnIvr,
    ActOnIvrHandler,
    Cancel,
    CreateIvrHandler,
    GetIvrHandler,
    IvrHistoryHandler,
    ListIvrsHandler,
    UpdateIvr,
    UpdateIvrHandler,
)
from ivr_domain.ivr.use_cases.transitions import action_name
from ivr_domain.ivr.validation import IvrInput
from ivr_domain.shared.actor import Permission
from ivr_domain.shared.ids import IvrId, PatientId, PracticeId, UserId

IvrIdPath = Annotated[UUID, PathParameter(description="the IVR's id")]
Sort = Annotated[str, QueryParameter(description=sort_description(*IVR_SORTS))]

# Every write on one IVR can answer these; actions with a body add BODY's.
_ON_ONE = (*PROTECTED, 404, 409, 412)


def _answer(shown: ShownIvr, *, status_code: int = 200, headers: dict[str, str] | None = None) -> Response[Any]:
    """Answer with one IVR: its ETag and the no-store headers of PHI."""
    sent = {**object_headers(shown.ivr.version, phi=True), **(headers or {})}
    return Response(ivr_out(shown), status_code=status_code, headers=sent)


def _action_route(trigger: Trigger, target: type[ActionBody], summary: str) -> HTTPRouteHandler:
    """Return the route of one workflow action: `POST /api/v1/ivrs/{ivr_id}/<slug>` with its small body."""
    # Actions without data take `{}` or no body at all; the others a JSON body.
    options = with_optional_body(target) if target is NoBody else with_body(target)

    def act(
        self: Controller,
        *,
        request: Request[Any, Any, Any],
        ivr_id: IvrIdPath,
        body: RawBody,
        bearer: SkipValidation[BearerAuth],
        get_ivr: SkipValidation[GetIvrHandler],
        act_on_ivr: SkipValidation[ActOnIvrHandler],
        if_match: IfMatch = None,
    ) -> Response[IvrViewOut]:
        actor = bearer.actor(request)
        version = expected_version(if_match)
        checks = ivr_checks_before_fields(
            lambda: get_ivr.peek(actor, IvrId(ivr_id)),
            ivr_id=IvrId(ivr_id),
            action=action_name(trigger),
            trigger=trigger.value,
            may=lambda ivr: may_pull(actor, ivr, trigger),
            leads=lambda status: leads_from(status, trigger),
            version=version,
        )
        decode = decode_optional if target is NoBody else decode_in_order
        decoded = decode(body, target, checks)
        cmd = ActOnIvr(ivr_id=IvrId(ivr_id), action=action_command(trigger, decoded), expected_version=version)
        return _answer(ok(act_on_ivr(actor, cmd)))

    act.__name__ = act.__qualname__ = trigger.name.lower()
    act.__doc__ = summary
    route = post(
        f"/{{ivr_id:str}}/{trigger.value}",
        sync_to_thread=True,
        status_code=200,
        responses=problem_responses(*_ON_ONE, *BODY),
        **options,
    )
    return route(act)


class IvrsController(Controller):
    """Insurance verification requests in the caller's reach, in the projection their role allows."""

    path = "/api/v1/ivrs"
    tags = ["ivrs"]
    security = BEARER

    @get("/", sync_to_thread=True, responses=problem_responses(*PROTECTED))
    def list_ivrs(
        self,
        *,
        request: Request[Any, Any, Any],
        bearer: SkipValidation[BearerAuth],
        list_ivrs: SkipValidation[ListIvrsHandler],
        status: FromQuery[IvrStatus | None] = None,
        practice_id: FromQuery[UUID | None] = None,
        patient_id: FromQuery[UUID | None] = None,
        reviewer_id: FromQuery[UUID | None] = None,
        priority: FromQuery[Priority | None] = None,
        created_from: Instant = None,
        created_to: Instant = None,
        submitted_from: Instant = None,
        submitted_to: Instant = None,
        limit: Limit = 50,
        cursor: Cursor = None,
        sort: Sort = "-created_at",
    ) -> Response[IvrPage]:
        """List IVRs, filtered by non-PHI fields only; date filters take a day or an instant."""
        filters = IvrFilter(
            status=status,
            practice_id=PracticeId(practice_id) if practice_id else None,
            patient_id=PatientId(patient_id) if patient_id else None,
            reviewer_id=UserId(reviewer_id) if reviewer_id else None,
            priority=priority,
            created_from=instant(created_from, "created_from", end_of_day=False),
            created_to=instant(created_to, "created_to", end_of_day=True),
            submitted_from=instant(submitted_from, "submitted_from", end_of_day=False),
            submitted_to=instant(submitted_to, "submitted_to", end_of_day=True),
        )
        actor = bearer.actor(request)
        page = ok(list_ivrs(actor, filters, page_request(limit, cursor, sort)))
        out = IvrPage(items=[ivr_out(shown) for shown in page.items], next_cursor=page.next_cursor)
        return Response(out, headers=PHI_HEADERS)

    @post(
        "/",
        sync_to_thread=True,
        status_code=201,
        **with_body(IvrCreateBody),
        responses=problem_responses(*PROTECTED, *BODY, 409),
    )
    def create_ivr(
        self,
        *,
        request: Request[Any, Any, Any],
        body: RawBody,
        bearer: SkipValidation[BearerAuth],
        create_ivr: SkipValidation[CreateIvrHandler],
        idempotency: SkipValidation[Idempotency],
    ) -> Response[IvrViewOut]:
        """Start a draft IVR for a patient; a draft may be incomplete, but every value present is checked."""
        actor = bearer.actor(request)

        def create() -> Response[Any]:
            checks = writer(actor.can(Permission.IVRS_WRITE), "ivrs.create", "ivr")
            content = decode_in_order(body, IvrCreateBody, checks)
            shown = ok(create_ivr(actor, create_command(content, parse_json(body))))
            return _answer(shown, status_code=201, headers={"Location": f"{self.path}/{shown.ivr.id}"})

        return idempotency.run(request, actor, body, create, action="ivrs.create")

    @get("/{ivr_id:str}", sync_to_thread=True, responses=problem_responses(*PROTECTED, 404))
    def get_ivr(
        self,
        *,
        request: Request[Any, Any, Any],
        ivr_id: IvrIdPath,
        bearer: SkipValidation[BearerAuth],
        get_ivr: SkipValidation[GetIvrHandler],
    ) -> Response[IvrViewOut]:
        """Read one IVR, with the actions the caller may take on it now."""
        return _answer(ok(get_ivr(bearer.actor(request), IvrId(ivr_id))))

    @put(
        "/{ivr_id:str}",
        sync_to_thread=True,
        **with_body(IvrInput),
        responses=problem_responses(*_ON_ONE, *BODY),
    )
    def update_ivr(
        self,
        *,
        request: Request[Any, Any, Any],
        ivr_id: IvrIdPath,
        body: RawBody,
        bearer: SkipValidation[BearerAuth],
        update_ivr: SkipValidation[UpdateIvrHandler],
        get_ivr: SkipValidation[GetIvrHandler],
        if_match: IfMatch = None,
    ) -> Response[IvrViewOut]:
        """Replace the content of an IVR in draft or info_requested."""
        actor = bearer.actor(request)
        version = expected_version(if_match)
        checks = ivr_checks_before_fields(
            lambda: get_ivr.peek(actor, IvrId(ivr_id)),
            ivr_id=IvrId(ivr_id),
            action="ivrs.update",
            trigger=UPDATE,
            may=lambda ivr: may_edit(actor, ivr),
            leads=lambda status: status in EDITABLE_STATES,
            version=version,
        )
        content = decode_in_order(body, IvrInput, checks)
        cmd = UpdateIvr(ivr_id=IvrId(ivr_id), ivr=content, expected_version=version)
        return _answer(ok(update_ivr(actor, cmd)))

    @delete("/{ivr_id:str}", sync_to_thread=True, status_code=200, responses=problem_responses(*_ON_ONE))
    def cancel_ivr(
        self,
        *,
        request: Request[Any, Any, Any],
        ivr_id: IvrIdPath,
        bearer: SkipValidation[BearerAuth],
        act_on_ivr: SkipValidation[ActOnIvrHandler],
        if_match: IfMatch = None,
    ) -> Response[IvrViewOut]:
        """Cancel an IVR in draft, submitted or info_requested; it is kept, in status cancelled."""
        actor = bearer.actor(request)
        cmd = ActOnIvr(ivr_id=IvrId(ivr_id), action=Cancel(), expected_version=expected_version(if_match))
        return _answer(ok(act_on_ivr(actor, cmd)))

    @get("/{ivr_id:str}/history", sync_to_thread=True, responses=problem_responses(*PROTECTED, 404))
    def ivr_history(
        self,
        *,
        request: Request[Any, Any, Any],
        ivr_id: IvrIdPath,
        bearer: SkipValidation[BearerAuth],
        ivr_history: SkipValidation[IvrHistoryHandler],
    ) -> Response[IvrHistoryOut]:
        """List an IVR's status changes, oldest first; free-text notes only in the full projection."""
        entries = ok(ivr_history(bearer.actor(request), IvrId(ivr_id)))
        return Response(history_out(entries), headers=PHI_HEADERS)

    submit = _action_route(
        Trigger.SUBMIT, NoBody, "Send a complete draft to verification; 422 lists every missing or invalid field."
    )
    start_review = _action_route(
        Trigger.START_REVIEW, NoBody, "Take a submitted IVR into review; the caller becomes its reviewer if none is."
    )
    request_info = _action_route(
        Trigger.REQUEST_INFO, RequestInfoBody, "Ask the practice for more information (the reviewer)."
    )
    resubmit = _action_route(
        Trigger.RESUBMIT, NoBody, "Send an IVR back to verification after supplying what the reviewer asked for."
    )
    require_prior_auth = _action_route(
        Trigger.REQUIRE_PRIOR_AUTH, RequirePriorAuthBody, "Hold the IVR until prior authorisation (the reviewer)."
    )
    approve = _action_route(Trigger.APPROVE, ApproveBody, "Approve with one coverage result per verified insurance.")
    reject = _action_route(
        Trigger.REJECT, RejectBody, "Refuse with a reason code and an explanation of 20+ characters (the reviewer)."
    )

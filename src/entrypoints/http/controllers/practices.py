"""Practices: admins manage them; a practice's own users read and update theirs."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post, put
from litestar.params import PathParameter, QueryParameter, RawBody, SkipValidation

from entrypoints.http.auth import BearerAuth
from entrypoints.http.controllers.support import (
    BEARER,
    Cursor,
    IfMatch,
    Limit,
    checks_before_fields,
    ok,
    page_request,
    sort_description,
    writer,
)
from entrypoints.http.decoding import decode_in_order, with_body
from entrypoints.http.headers import expected_version, object_headers
from entrypoints.http.idempotency import Idempotency
from entrypoints.http.openapi import BODY, PROTECTED, problem_responses
from entrypoints.http.schemas.practices import PracticeOut, PracticePage, practice_out
from entrypoints.http.schemas.users import UserPage, user_out
from ivr_domain.identity.policy import may_manage_users, may_update_practice
from ivr_domain.identity.ports import PRACTICE_SORTS, USER_SORTS, UserFilter
from ivr_domain.identity.use_cases.practices import (
    CreatePracticeHandler,
    GetPracticeHandler,
    ListPracticesHandler,
    PracticeInput,
    UpdatePractice,
    UpdatePracticeHandler,
)
from ivr_domain.identity.use_cases.users import ListUsersHandler
from ivr_domain.shared.ids import PracticeId

PracticeIdPath = Annotated[UUID, PathParameter(description="the practice's id")]
Sort = Annotated[str, QueryParameter(description=sort_description(*PRACTICE_SORTS))]
UserSort = Annotated[str, QueryParameter(description=sort_description(*USER_SORTS))]


class PracticesController(Controller):
    """Physician offices."""

    path = "/api/v1/practices"
    tags = ["practices"]
    security = BEARER

    @get("/", sync_to_thread=True, responses=problem_responses(*PROTECTED))
    def list_practices(
        self,
        *,
        request: Request[Any, Any, Any],
        bearer: SkipValidation[BearerAuth],
        list_practices: SkipValidation[ListPracticesHandler],
        limit: Limit = 50,
        cursor: Cursor = None,
        sort: Sort = "-created_at",
    ) -> PracticePage:
        """List the practices in the caller's reach."""
        page = ok(list_practices(bearer.actor(request), page_request(limit, cursor, sort)))
        return PracticePage(items=[practice_out(p) for p in page.items], next_cursor=page.next_cursor)

    @post(
        "/",
        sync_to_thread=True,
        status_code=201,
        **with_body(PracticeInput),
        responses=problem_responses(*PROTECTED, *BODY, 409),
    )
    def create_practice(
        self,
        *,
        request: Request[Any, Any, Any],
        body: RawBody,
        bearer: SkipValidation[BearerAuth],
        create_practice: SkipValidation[CreatePracticeHandler],
        idempotency: SkipValidation[Idempotency],
    ) -> Response[PracticeOut]:
        """Create a practice (admins); names are unique."""
        actor = bearer.actor(request)

        def create() -> Response[Any]:
            admin_only = writer(may_manage_users(actor), "practices.create", "practice")
            practice = ok(create_practice(actor, decode_in_order(body, PracticeInput, admin_only)))
            headers = {**object_headers(practice.version), "Location": f"{self.path}/{practice.id}"}
            return Response(practice_out(practice), status_code=201, headers=headers)

        return idempotency.run(request, actor, body, create, action="practices.create")

    @get("/{practice_id:str}", sync_to_thread=True, responses=problem_responses(*PROTECTED, 404))
    def get_practice(
        self,
        *,
        request: Request[Any, Any, Any],
        practice_id: PracticeIdPath,
        bearer: SkipValidation[BearerAuth],
        get_practice: SkipValidation[GetPracticeHandler],
    ) -> Response[PracticeOut]:
        """Read one practice in the caller's reach."""
        practice = ok(get_practice(bearer.actor(request), PracticeId(practice_id)))
        return Response(practice_out(practice), headers=object_headers(practice.version))

    @put(
        "/{practice_id:str}",
        sync_to_thread=True,
        **with_body(PracticeInput),
        responses=problem_responses(*PROTECTED, *BODY, 404, 409, 412),
    )
    def update_practice(
        self,
        *,
        request: Request[Any, Any, Any],
        practice_id: PracticeIdPath,
        body: RawBody,
        bearer: SkipValidation[BearerAuth],
        update_practice: SkipValidation[UpdatePracticeHandler],
        get_practice: SkipValidation[GetPracticeHandler],
        if_match: IfMatch = None,
    ) -> Response[PracticeOut]:
        """Replace a practice's details (admins any, its own users theirs)."""
        actor = bearer.actor(request)
        version = expected_version(if_match)
        checks = checks_before_fields(
            lambda: get_practice.peek(actor, PracticeId(practice_id)),
            entity="practice",
            resource_id=practice_id,
            action="practices.update",
            allowed=lambda practice: may_update_practice(actor, practice),
            expected_version=version,
        )
        details = decode_in_order(body, PracticeInput, checks)
        cmd = UpdatePractice(practice_id=PracticeId(practice_id), details=details, expected_version=version)
        practice = ok(update_practice(actor, cmd))
        return Response(practice_out(practice), headers=object_headers(practice.version))

    @get("/{practice_id:str}/users", sync_to_thread=True, responses=problem_responses(*PROTECTED, 404))
    def practice_users(
        self,
        *,
        request: Request[Any, Any, Any],
        practice_id: PracticeIdPath,
        bearer: SkipValidation[BearerAuth],
        get_practice: SkipValidation[GetPracticeHandler],
        list_users: SkipValidation[ListUsersHandler],
        limit: Limit = 50,
        cursor: Cursor = None,
        sort: UserSort = "-created_at",
    ) -> UserPage:
        """List the accounts of a practice in the caller's reach."""
        actor = bearer.actor(request)
        practice = ok(get_practice(actor, PracticeId(practice_id)))
        filters = UserFilter(practice_id=practice.id)
        page = ok(list_users(actor, filters, page_request(limit, cursor, sort)))
        return UserPage(items=[user_out(u) for u in page.items], next_cursor=page.next_cursor)

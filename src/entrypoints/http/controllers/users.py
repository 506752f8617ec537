"""Accounts, their permissions and places in the sales hierarchy; roles."""

from __future__ import annotations

from collections.abc import Callable
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
    sort_description,
    writer,
)
from entrypoints.http.decoding import decode_in_order, parse_json, with_body
from entrypoints.http.headers import expected_version, object_headers
from entrypoints.http.idempotency import Idempotency
from entrypoints.http.openapi import BODY, PROTECTED, problem_responses
from entrypoints.http.problems import RefusalContext
from entrypoints.http.schemas.users import (
    AssignBody,
    AssignmentList,
    AssignmentOut,
    HierarchyOut,
    PermissionsBody,
    RoleList,
    UpdateUserBody,
    UserOut,
    UserPage,
    assignment_out,
    node_out,
    roles_out,
    user_out,
)
from ivr_domain.identity.policy import may_manage_users, may_update_user
from ivr_domain.identity.ports import USER_SORTS, UserFilter
from ivr_domain.identity.use_cases.access import DeactivateUserHandler, SetPermissions, SetPermissionsHandler
from ivr_domain.identity.use_cases.hierarchy import (
    AssignMember,
    AssignMemberHandler,
    AssignmentHistoryHandler,
    HierarchyHandler,
)
from ivr_domain.identity.use_cases.users import (
    CreateUser,
    CreateUserHandler,
    GetUserHandler,
    ListUsersHandler,
    UpdateUser,
    UpdateUserHandler,
)
from ivr_domain.shared.actor import Actor, Role
from ivr_domain.shared.ids import PracticeId, UserId

UserIdPath = Annotated[UUID, PathParameter(description="the user's id")]
Sort = Annotated[str, QueryParameter(description=sort_description(*USER_SORTS))]


def _sets_email(body: bytes) -> bool:
    """Tell whether a body (valid JSON, its fields unread) asks for an email change, which only admins make."""
    parsed = parse_json(body)
    return isinstance(parsed, dict) and parsed.get("email") is not None


def _admin_checks(get_user: GetUserHandler, actor: Actor, user_id: UUID, action: str) -> Callable[[], RefusalContext]:
    """Return the checks of an admin-only write on an account: in reach (404), then users.manage (403)."""
    return checks_before_fields(
        lambda: get_user.peek(actor, UserId(user_id)),
        entity="user",
        resource_id=user_id,
        action=action,
        allowed=lambda _: may_manage_users(actor),
    )


class UsersController(Controller):
    """Admins manage accounts; everyone reads the accounts in their reach."""

    path = "/api/v1/users"
    tags = ["users"]
    security = BEARER

    @get("/", sync_to_thread=True, responses=problem_responses(*PROTECTED))
    def list_users(
        self,
        *,
        request: Request[Any, Any, Any],
        bearer: SkipValidation[BearerAuth],
        list_users: SkipValidation[ListUsersHandler],
        role: FromQuery[Role | None] = None,
        practice_id: FromQuery[UUID | None] = None,
        active: FromQuery[bool | None] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
        sort: Sort = "-created_at",
    ) -> UserPage:
        """List the accounts in the caller's reach."""
        actor = bearer.actor(request)
        filters = UserFilter(role=role, practice_id=PracticeId(practice_id) if practice_id else None, active=active)
        page = ok(list_users(actor, filters, page_request(limit, cursor, sort)))
        return UserPage(items=[user_out(u) for u in page.items], next_cursor=page.next_cursor)

    @post(
        "/",
        sync_to_thread=True,
        status_code=201,
        **with_body(CreateUser),
        responses=problem_responses(*PROTECTED, *BODY, 409),
    )
    def create_user(
        self,
        *,
        request: Request[Any, Any, Any],
        body: RawBody,
        bearer: SkipValidation[BearerAuth],
        create_user: SkipValidation[CreateUserHandler],
        idempotency: SkipValidation[Idempotency],
    ) -> Response[UserOut]:
        """Open an account (admins); a doctor joins a practice by id or name, or gets one of their own."""
        actor = bearer.actor(request)

        def create() -> Response[Any]:
            admin_only = writer(may_manage_users(actor), "users.create", "user")
            user = ok(create_user(actor, decode_in_order(body, CreateUser, admin_only)))
            headers = {**object_headers(user.version), "Location": f"{self.path}/{user.id}"}
            return Response(user_out(user), status_code=201, headers=headers)

        return idempotency.run(request, actor, body, create, action="users.create")

    @get("/roles", sync_to_thread=True, responses=problem_responses(*PROTECTED))
    def roles(self, *, request: Request[Any, Any, Any], bearer: SkipValidation[BearerAuth]) -> RoleList:
        """List the roles and their default permissions."""
        bearer.actor(request)
        return roles_out()

    @get("/hierarchy", sync_to_thread=True, responses=problem_responses(*PROTECTED))
    def hierarchy(
        self,
        *,
        request: Request[Any, Any, Any],
        bearer: SkipValidation[BearerAuth],
        hierarchy: SkipValidation[HierarchyHandler],
    ) -> HierarchyOut:
        """Return the sales hierarchy: all of it for admins, the caller's subtree for its members."""
        nodes = ok(hierarchy(bearer.actor(request)))
        return HierarchyOut(items=[node_out(n) for n in nodes])

    @get("/{user_id:str}", sync_to_thread=True, responses=problem_responses(*PROTECTED, 404))
    def get_user(
        self,
        *,
        request: Request[Any, Any, Any],
        user_id: UserIdPath,
        bearer: SkipValidation[BearerAuth],
        get_user: SkipValidation[GetUserHandler],
    ) -> Response[UserOut]:
        """Read one account in the caller's reach."""
        user = ok(get_user(bearer.actor(request), UserId(user_id)))
        return Response(user_out(user), headers=object_headers(user.version))

    @put(
        "/{user_id:str}",
        sync_to_thread=True,
        **with_body(UpdateUserBody),
        responses=problem_responses(*PROTECTED, *BODY, 404, 409, 412),
    )
    def update_user(
        self,
        *,
        request: Request[Any, Any, Any],
        user_id: UserIdPath,
        body: RawBody,
        bearer: SkipValidation[BearerAuth],
        update_user: SkipValidation[UpdateUserHandler],
        get_user: SkipValidation[GetUserHandler],
        if_match: IfMatch = None,
    ) -> Response[UserOut]:
        """Change an account's profile (admins any, everyone their own name)."""
        actor = bearer.actor(request)
        version = expected_version(if_match)
        checks = checks_before_fields(
            lambda: get_user.peek(actor, UserId(user_id)),
            entity="user",
            resource_id=user_id,
            action="users.update",
            allowed=lambda user: may_update_user(actor, user) and (may_manage_users(actor) or not _sets_email(body)),
            expected_version=version,
        )
        details = decode_in_order(body, UpdateUserBody, checks)
        cmd = UpdateUser(user_id=UserId(user_id), name=details.name, email=details.email, expected_version=version)
        user = ok(update_user(actor, cmd))
        return Response(user_out(user), headers=object_headers(user.version))

    @delete("/{user_id:str}", sync_to_thread=True, status_code=200, responses=problem_responses(*PROTECTED, 404, 409))
    def deactivate_user(
        self,
        *,
        request: Request[Any, Any, Any],
        user_id: UserIdPath,
        bearer: SkipValidation[BearerAuth],
        deactivate_user: SkipValidation[DeactivateUserHandler],
    ) -> Response[UserOut]:
        """Deactivate an account (admins): it cannot log in and its sessions end, in this process at once."""
        user = ok(deactivate_user(bearer.actor(request), UserId(user_id)))
        bearer.cache.evict_user(user.id)
        return Response(user_out(user), headers=object_headers(user.version))

    @put(
        "/{user_id:str}/permissions",
        sync_to_thread=True,
        **with_body(PermissionsBody),
        responses=problem_responses(*PROTECTED, *BODY, 404, 409),
    )
    def set_permissions(
        self,
        *,
        request: Request[Any, Any, Any],
        user_id: UserIdPath,
        body: RawBody,
        bearer: SkipValidation[BearerAuth],
        set_permissions: SkipValidation[SetPermissionsHandler],
        get_user: SkipValidation[GetUserHandler],
    ) -> Response[UserOut]:
        """Replace an account's grants and revocations (admins); answers its effective permissions."""
        actor = bearer.actor(request)
        wanted = decode_in_order(body, PermissionsBody, _admin_checks(get_user, actor, user_id, "users.permissions"))
        cmd = SetPermissions(user_id=UserId(user_id), grants=wanted.grants, revocations=wanted.revocations)
        user = ok(set_permissions(actor, cmd))
        # Cached actors carry permissions: this process must not keep acting on the old ones.
        bearer.cache.evict_user(user.id)
        return Response(user_out(user), headers=object_headers(user.version))

    @get("/{user_id:str}/assignments", sync_to_thread=True, responses=problem_responses(*PROTECTED, 404))
    def assignment_history(
        self,
        *,
        request: Request[Any, Any, Any],
        user_id: UserIdPath,
        bearer: SkipValidation[BearerAuth],
        assignment_history: SkipValidation[AssignmentHistoryHandler],
    ) -> AssignmentList:
        """List every assignment, current or past, where the user is manager or member."""
        history = ok(assignment_history(bearer.actor(request), UserId(user_id)))
        return AssignmentList(items=[assignment_out(a) for a in history])

    @post(
        "/{user_id:str}/assignments",
        sync_to_thread=True,
        status_code=201,
        **with_body(AssignBody),
        responses=problem_responses(*PROTECTED, *BODY, 404, 409),
    )
    def assign_member(
        self,
        *,
        request: Request[Any, Any, Any],
        user_id: UserIdPath,
        body: RawBody,
        bearer: SkipValidation[BearerAuth],
        assign_member: SkipValidation[AssignMemberHandler],
        get_user: SkipValidation[GetUserHandler],
    ) -> AssignmentOut:
        """Put a member under this user (admins); the member's previous assignment is closed."""
        actor = bearer.actor(request)
        member = decode_in_order(body, AssignBody, _admin_checks(get_user, actor, user_id, "users.assign"))
        cmd = AssignMember(
            manager_id=UserId(user_id),
            member_user_id=UserId(member.member_user_id) if member.member_user_id else None,
            member_practice_id=PracticeId(member.member_practice_id) if member.member_practice_id else None,
        )
        assignment = ok(assign_member(actor, cmd))
        # Scope follows the hierarchy: everyone above the moved member may now reach more or less.
        bearer.cache.clear()
        return assignment_out(assignment)

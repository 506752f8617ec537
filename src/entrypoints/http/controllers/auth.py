"""Login, token refresh, logout, the caller's own account and passwords."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post, put
from litestar.params import RawBody, SkipValidation

from entrypoints.http.auth import BearerAuth, client_address, request_origin
from entrypoints.http.controllers.support import BEARER, IfMatch, checks_before_fields, ok
from entrypoints.http.decoding import decode, decode_in_order, with_body
from entrypoints.http.headers import NO_STORE, expected_version, object_headers
from entrypoints.http.openapi import BODY, PROTECTED, problem_responses
from entrypoints.http.problems import RefusalContext
from entrypoints.http.schemas.auth import ForgotPasswordBody, LoginBody, TokenOut, UpdateMeBody, token_out
from entrypoints.http.schemas.users import MeOut, me_out
from entrypoints.settings import Settings
from ivr_domain.identity.use_cases.auth import Login, LoginHandler, LogoutHandler, Refresh, RefreshHandler
from ivr_domain.identity.use_cases.passwords import (
    ChangePassword,
    ChangePasswordHandler,
    ForgotPassword,
    ForgotPasswordHandler,
    ResetPassword,
    ResetPasswordHandler,
)
from ivr_domain.identity.use_cases.users import GetUserHandler, UpdateUser, UpdateUserHandler


class AuthController(Controller):
    """Sessions and passwords; everything but /me, /logout and /change-password is public."""

    path = "/api/v1/auth"
    tags = ["auth"]

    @post(
        "/login",
        sync_to_thread=True,
        status_code=200,
        **with_body(LoginBody),
        responses=problem_responses(*BODY, 401, 429),
    )
    def login(
        self,
        *,
        request: Request[Any, Any, Any],
        body: RawBody,
        login: SkipValidation[LoginHandler],
        settings: SkipValidation[Settings],
    ) -> Response[TokenOut]:
        """Exchange email and password for tokens; a wrong password, unknown email and locked account answer alike."""
        creds = decode(body, LoginBody)
        address = client_address(request, settings.http.trusted_proxies)
        cmd = Login(email=creds.email, password=creds.password, client_address=address)
        pair = ok(login(cmd, request_origin(request, address)))
        return Response(token_out(pair), headers=NO_STORE)

    @post(
        "/refresh", sync_to_thread=True, status_code=200, **with_body(Refresh), responses=problem_responses(*BODY, 401)
    )
    def refresh(
        self,
        *,
        request: Request[Any, Any, Any],
        body: RawBody,
        refresh: SkipValidation[RefreshHandler],
        settings: SkipValidation[Settings],
    ) -> Response[TokenOut]:
        """Rotate a refresh token; reusing one ends its session."""
        origin = request_origin(request, client_address(request, settings.http.trusted_proxies))
        pair = ok(refresh(decode(body, Refresh), origin))
        return Response(token_out(pair), headers=NO_STORE)

    @post("/logout", sync_to_thread=True, status_code=204, security=BEARER, responses=problem_responses(*PROTECTED))
    def logout(
        self,
        *,
        request: Request[Any, Any, Any],
        bearer: SkipValidation[BearerAuth],
        logout: SkipValidation[LogoutHandler],
    ) -> None:
        """End the caller's session, here at once and in other processes within the session cache's lifetime."""
        actor = bearer.actor(request)
        ok(logout(actor))
        bearer.cache.evict_session(actor.session_id)

    @post(
        "/forgot-password",
        sync_to_thread=True,
        status_code=202,
        **with_body(ForgotPasswordBody),
        responses=problem_responses(*BODY, 429),
    )
    def forgot_password(
        self,
        *,
        request: Request[Any, Any, Any],
        body: RawBody,
        forgot_password: SkipValidation[ForgotPasswordHandler],
        settings: SkipValidation[Settings],
    ) -> None:
        """Send a reset token if the email names an account; the answer is the same either way."""
        email = decode(body, ForgotPasswordBody).email
        address = client_address(request, settings.http.trusted_proxies)
        ok(forgot_password(ForgotPassword(email=email, client_address=address), request_origin(request, address)))

    @post(
        "/reset-password",
        sync_to_thread=True,
        status_code=204,
        **with_body(ResetPassword),
        responses=problem_responses(*BODY, 409),
    )
    def reset_password(
        self,
        *,
        request: Request[Any, Any, Any],
        body: RawBody,
        reset_password: SkipValidation[ResetPasswordHandler],
        settings: SkipValidation[Settings],
    ) -> None:
        """Set a new password with a reset token; every session of the account ends."""
        origin = request_origin(request, client_address(request, settings.http.trusted_proxies))
        ok(reset_password(decode(body, ResetPassword), origin))

    @get("/me", sync_to_thread=True, security=BEARER, responses=problem_responses(*PROTECTED))
    def me(
        self,
        *,
        request: Request[Any, Any, Any],
        bearer: SkipValidation[BearerAuth],
        get_user: SkipValidation[GetUserHandler],
    ) -> Response[MeOut]:
        """Return the caller's account, role, practice, effective permissions and reach."""
        actor = bearer.actor(request)
        user = ok(get_user(actor, actor.user_id))
        return Response(me_out(user, actor), headers=object_headers(user.version))

    @put(
        "/me",
        sync_to_thread=True,
        security=BEARER,
        **with_body(UpdateMeBody),
        responses=problem_responses(*BODY, 401, 403, 409, 412),
    )
    def update_me(
        self,
        *,
        request: Request[Any, Any, Any],
        body: RawBody,
        bearer: SkipValidation[BearerAuth],
        update_user: SkipValidation[UpdateUserHandler],
        get_user: SkipValidation[GetUserHandler],
        if_match: IfMatch = None,
    ) -> Response[MeOut]:
        """Change the caller's name."""
        actor = bearer.actor(request)
        version = expected_version(if_match)
        # One's own account is always in reach and writable: of the checks before the body's fields, 412 remains.
        checks = checks_before_fields(
            lambda: get_user.peek(actor, actor.user_id),
            entity="user",
            resource_id=actor.user_id,
            action="users.update",
            allowed=lambda _: True,
            expected_version=version,
        )
        name = decode_in_order(body, UpdateMeBody, checks).name
        user = ok(update_user(actor, UpdateUser(user_id=actor.user_id, name=name, expected_version=version)))
        return Response(me_out(user, actor), headers=object_headers(user.version))

    @post(
        "/change-password",
        sync_to_thread=True,
        status_code=204,
        security=BEARER,
        **with_body(ChangePassword),
        responses=problem_responses(*PROTECTED, *BODY, 409, 429),
    )
    def change_password(
        self,
        *,
        request: Request[Any, Any, Any],
        body: RawBody,
        bearer: SkipValidation[BearerAuth],
        change_password: SkipValidation[ChangePasswordHandler],
    ) -> None:
        """Change the caller's password; their other sessions end. Wrong current passwords count as failed logins."""
        actor = bearer.actor(request)
        # One's own account is always in reach: a body refused for its fields is this change's refusal, audited.
        about = RefusalContext(action="auth.password_change", resource_type="user", resource_id=actor.user_id)
        ok(change_password(actor, decode_in_order(body, ChangePassword, lambda: about)))

"""Changing, forgetting and resetting passwords; each ends the account's other sessions."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TypeAlias

from attrs import evolve, frozen
from returns.result import Failure, Result, Success

from ivr_domain.identity.model import EndReason, ResetToken, User
from ivr_domain.identity.policy import AuthPolicy, password_problems
from ivr_domain.identity.ports import IdentityUnitOfWork, ResetNotifier
from ivr_domain.identity.use_cases.auth import account_key, hash_secret
from ivr_domain.shared.actor import SYSTEM_ACTOR, Actor
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.errors import (
    Conflict,
    FieldError,
    RateLimited,
    Unauthenticated,
    ValidationFailed,
)
from ivr_domain.shared.ports import CounterStore, PasswordHasher
from ivr_domain.shared.values import Email

ChangePasswordError: TypeAlias = Unauthenticated | ValidationFailed | Conflict
ResetPasswordError: TypeAlias = ValidationFailed | Conflict


@frozen(kw_only=True)
class ChangePassword:
    """The current password, proving presence, and the new one."""

    current_password: str
    new_password: str


@frozen(kw_only=True)
class ForgotPassword:
    """An email that may or may not name an account."""

    email: str
    client_address: str


@frozen(kw_only=True)
class ResetPassword:
    """A reset token and the new password."""

    token: str
    new_password: str


def _new_password_error(password: str, policy: AuthPolicy, email: Email, path: str) -> ValidationFailed | None:
    problems = password_problems(password, policy, email=email.value)
    if not problems:
        return None
    return ValidationFailed(errors=tuple(FieldError(field=path, message=p) for p in problems))


@frozen(kw_only=True)
class ChangePasswordHandler:
    """Changes the caller's password and ends their other sessions."""

    uow: Callable[[], IdentityUnitOfWork]
    hasher: PasswordHasher
    clock: Clock
    policy: AuthPolicy

    def __call__(self, actor: Actor, cmd: ChangePassword) -> Result[User, ChangePasswordError]:
        """Verify the current password, store the new one, end every other session."""
        with self.uow() as uow:
            user = uow.users.get(actor.user_id, scope=SYSTEM_ACTOR.scope)
            if user is None or not self.hasher.verify(user.password_hash, cmd.current_password):
                return Failure(ValidationFailed.single("current_password", "is not the account's password"))
            problem = _new_password_error(cmd.new_password, self.policy, user.email, "new_password")
            if problem is not None:
                return Failure(problem)
            if cmd.new_password == cmd.current_password:
                return Failure(ValidationFailed.single("new_password", "must differ from the current password"))
            now = self.clock.now()
            changed = evolve(
                user, password_hash=self.hasher.hash(cmd.new_password), password_changed_at=now, updated_at=now
            )
            result: Result[User, ChangePasswordError] = uow.users.save(changed)
            if isinstance(result, Success):
                uow.sessions.end_all_for_user(user.id, at=now, reason=EndReason.PASSWORD_CHANGED, keep=actor.session_id)
                uow.commit()
            return result


@frozen(kw_only=True)
class ForgotPasswordHandler:
    """Sends a single-use reset token to an account's owner; says nothing about whether it exists."""

    uow: Callable[[], IdentityUnitOfWork]
    notifier: ResetNotifier
    counters: CounterStore
    clock: Clock
    policy: AuthPolicy

    def __call__(self, cmd: ForgotPassword) -> Result[None, RateLimited]:
        """Issue and send a reset token when the email names an active account."""
        window = int(self.policy.rate_window.total_seconds())
        for key, limit in (
            (f"forgot:addr:{cmd.client_address}", self.policy.login_limit_per_address),
            (f"forgot:acct:{account_key(cmd.email)}", 3),
        ):
            if self.counters.increment(key, window_seconds=window) > limit:
                return Failure(
                    RateLimited(retry_after=max(1, self.counters.retry_after(key)), detail="too many requests")
                )
        match Email.parse(cmd.email):
            case Success(email):
                pass
            case _:
                return Success(None)
        token = secrets.token_urlsafe(32)
        with self.uow() as uow:
            user = uow.users.find_by_email(email)
            if user is None or not user.active:
                return Success(None)
            now = self.clock.now()
            uow.reset_tokens.add(
                ResetToken(
                    token_hash=hash_secret(token),
                    user_id=user.id,
                    created_at=now,
                    expires_at=now + self.policy.reset_token_ttl,
                )
            )
            uow.commit()
        self.notifier.send_password_reset(email=user.email, user_id=user.id, token=token)
        return Success(None)


@frozen(kw_only=True)
class ResetPasswordHandler:
    """Sets a new password from a valid reset token, ends every session and lifts a lockout."""

    uow: Callable[[], IdentityUnitOfWork]
    hasher: PasswordHasher
    counters: CounterStore
    clock: Clock
    policy: AuthPolicy

    def __call__(self, cmd: ResetPassword) -> Result[User, ResetPasswordError]:
        """Use the token once and store the new password."""
        refused = Failure(ValidationFailed.single("token", "is invalid, used or expired"))
        now = self.clock.now()
        with self.uow() as uow:
            token = uow.reset_tokens.get(hash_secret(cmd.token))
            if token is None or token.used_at is not None or now >= token.expires_at:
                return refused
            user = uow.users.get(token.user_id, scope=SYSTEM_ACTOR.scope)
            if user is None or not user.active:
                return refused
            problem = _new_password_error(cmd.new_password, self.policy, user.email, "new_password")
            if problem is not None:
                return Failure(problem)
            if not uow.reset_tokens.use(token.token_hash, at=now):
                return refused
            changed = evolve(
                user, password_hash=self.hasher.hash(cmd.new_password), password_changed_at=now, updated_at=now
            )
            result: Result[User, ResetPasswordError] = uow.users.save(changed)
            if isinstance(result, Success):
                uow.sessions.end_all_for_user(user.id, at=now, reason=EndReason.PASSWORD_RESET)
                uow.commit()
                self.counters.clear(f"lock:{account_key(user.email.value)}")
                self.counters.clear(f"fail:{account_key(user.email.value)}")
            return result

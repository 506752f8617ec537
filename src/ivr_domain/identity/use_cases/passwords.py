"""Changing, forgetting and resetting passwords; each ends the account's other sessions."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TypeAlias

from attrs import evolve, frozen
from returns.result import Failure, Result, Success

from ivr_domain.identity.events import PasswordChanged, PasswordReset
from ivr_domain.identity.model import EndReason, ResetToken, User
from ivr_domain.identity.policy import AuthPolicy, password_problems
from ivr_domain.identity.ports import IdentityUnitOfWork, ResetNotifier
from ivr_domain.identity.use_cases.credentials import (
    PasswordAttempts,
    account_key,
    anonymous,
    find_account,
    hash_secret,
)
from ivr_domain.shared.actor import SYSTEM_ACTOR, Actor, Origin
from ivr_domain.shared.audit import Anonymous, AuditTrail, Outcome
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

ChangePasswordError: TypeAlias = Unauthenticated | ValidationFailed | Conflict | RateLimited
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


_WRONG_PASSWORD = ValidationFailed.single("current_password", "is not the account's password")


def _new_password_error(password: str, policy: AuthPolicy, email: Email, path: str) -> ValidationFailed | None:
    problems = password_problems(password, policy, email=email.value)
    if not problems:
        return None
    return ValidationFailed(errors=tuple(FieldError(field=path, message=p) for p in problems))


@frozen(kw_only=True)
class ChangePasswordHandler:
    """Changes the caller's password and ends their other sessions.

    The current password is checked as a login checks one, under the same rate limits and lockout counters, so a
    stolen access token cannot guess passwords without limit. Its refusals are audited denials, as a login's are:
    `bad_credentials`, `lockout` (this failure locked the account), `locked` or `rate_limited`.
    """

    uow: Callable[[], IdentityUnitOfWork]
    hasher: PasswordHasher
    counters: CounterStore
    clock: Clock
    policy: AuthPolicy
    audit: AuditTrail

    def __call__(self, actor: Actor, cmd: ChangePassword) -> Result[User, ChangePasswordError]:
        """Verify the current password, store the new one, end every other session."""
        action = "auth.password_change"
        with self.uow() as uow:
            user = uow.users.get(actor.user_id, scope=SYSTEM_ACTOR.scope)
            denied = self._verify(actor, cmd, user)
            result = self._change(uow, actor, cmd, user) if denied is None and user is not None else None
        if result is not None:
            return result.lash(
                lambda error: self.audit.refused(actor, action, error, resource_type="user", resource_id=actor.user_id)
            )
        reason, error = denied or ("bad_credentials", _WRONG_PASSWORD)
        entry = self.audit.entry(
            actor, action, resource_type="user", resource_id=actor.user_id, outcome=Outcome.DENIED, reason=reason
        )
        self.audit.write(entry)
        return Failure(error)

    def _verify(
        self, actor: Actor, cmd: ChangePassword, user: User | None
    ) -> tuple[str, ValidationFailed | RateLimited] | None:
        """Check the current password as a login would; None when it holds, else why not and the error to answer."""
        if user is None:
            return "bad_credentials", _WRONG_PASSWORD
        attempts = PasswordAttempts(counters=self.counters, policy=self.policy)
        email = user.email.value
        address = actor.origin.client_address if actor.origin is not None else None
        limited = attempts.rate_limited(email, address, "too many password attempts")
        if limited is not None:
            return "rate_limited", limited
        locked = attempts.locked(email)
        matches = self.hasher.verify(user.password_hash, cmd.current_password)
        if locked:
            # A locked account answers exactly like a wrong password, as it does at login.
            return "locked", _WRONG_PASSWORD
        if not matches:
            return ("lockout" if attempts.failed(email) else "bad_credentials"), _WRONG_PASSWORD
        attempts.succeeded(email)
        return None

    def _change(
        self, uow: IdentityUnitOfWork, actor: Actor, cmd: ChangePassword, user: User
    ) -> Result[User, ChangePasswordError]:
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
            uow.outbox.add(PasswordChanged(occurred_at=now, user_id=user.id))
            entry = self.audit.entry(
                actor, "auth.password_change", resource_type="user", resource_id=user.id, fields=("password",)
            )
            uow.audit.append(entry)
            uow.commit()
        return result


@frozen(kw_only=True)
class ForgotPasswordHandler:
    """Sends a single-use reset token to an account's owner; says nothing about whether it exists.

    The audit log does: its entry names the account, or says `no_active_account`.
    """

    uow: Callable[[], IdentityUnitOfWork]
    notifier: ResetNotifier
    counters: CounterStore
    clock: Clock
    policy: AuthPolicy
    audit: AuditTrail

    def __call__(self, cmd: ForgotPassword, origin: Origin | None = None) -> Result[None, RateLimited]:
        """Issue and send a reset token when the email names an active account."""
        action = "auth.password_forgot"
        limited = self._rate_limited(cmd)
        with self.uow() as uow:
            user = find_account(uow, cmd.email)
            who = anonymous(origin or Origin(client_address=cmd.client_address), user)
            if limited is None and user is not None and user.active:
                token = self._issue(uow, who, user)
                self.notifier.send_password_reset(email=user.email, user_id=user.id, token=token)
                return Success(None)
        if limited is not None:
            return self.audit.refused(who, action, limited, resource_type="user", resource_id=who.user_id)
        self.audit.write(
            self.audit.entry(who, action, resource_type="user", resource_id=who.user_id, reason="no_active_account")
        )
        return Success(None)

    def _rate_limited(self, cmd: ForgotPassword) -> RateLimited | None:
        window = int(self.policy.rate_window.total_seconds())
        for key, limit in (
            (f"forgot:addr:{cmd.client_address}", self.policy.login_limit_per_address),
            (f"forgot:acct:{account_key(cmd.email)}", 3),
        ):
            if self.counters.increment(key, window_seconds=window) > limit:
                return RateLimited(retry_after=max(1, self.counters.retry_after(key)), detail="too many requests")
        return None

    def _issue(self, uow: IdentityUnitOfWork, who: Anonymous, user: User) -> str:
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        uow.reset_tokens.add(
            ResetToken(
                token_hash=hash_secret(token),
                user_id=user.id,
                created_at=now,
                expires_at=now + self.policy.reset_token_ttl,
            )
        )
        uow.audit.append(self.audit.entry(who, "auth.password_forgot", resource_type="user", resource_id=user.id))
        uow.commit()
        return token


@frozen(kw_only=True)
class ResetPasswordHandler:
    """Sets a new password from a valid reset token, ends every session and lifts a lockout."""

    uow: Callable[[], IdentityUnitOfWork]
    hasher: PasswordHasher
    counters: CounterStore
    clock: Clock
    policy: AuthPolicy
    audit: AuditTrail

    def __call__(self, cmd: ResetPassword, origin: Origin | None = None) -> Result[User, ResetPasswordError]:
        """Use the token once and store the new password."""
        with self.uow() as uow:
            token = uow.reset_tokens.get(hash_secret(cmd.token))
            user = uow.users.get(token.user_id, scope=SYSTEM_ACTOR.scope) if token is not None else None
            who = anonymous(origin, user)
            result = self._reset(uow, who, cmd, token, user)
        return result.lash(
            lambda error: self.audit.refused(
                who, "auth.password_reset", error, resource_type="user", resource_id=who.user_id
            )
        )

    def _reset(
        self, uow: IdentityUnitOfWork, who: Anonymous, cmd: ResetPassword, token: ResetToken | None, user: User | None
    ) -> Result[User, ResetPasswordError]:
        refused = Failure(ValidationFailed.single("token", "is invalid, used or expired"))
        now = self.clock.now()
        if token is None or token.used_at is not None or now >= token.expires_at:
            return refused
        if user is None or not user.active:
            return refused
        if token.created_at < user.password_changed_at:
            return refused  # the password changed since it was sent: whoever asked then no longer decides it
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
            uow.outbox.add(PasswordReset(occurred_at=now, user_id=user.id))
            uow.audit.append(
                self.audit.entry(
                    who, "auth.password_reset", resource_type="user", resource_id=user.id, fields=("password",)
                )
            )
            uow.commit()
            self.counters.clear(f"lock:{account_key(user.email.value)}")
            self.counters.clear(f"fail:{account_key(user.email.value)}")
        return result

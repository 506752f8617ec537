"""Login, refresh, logout and per-request authentication."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeAlias

from attrs import evolve, frozen
from returns.result import Failure, Result, Success

from ivr_domain.identity.events import SessionRevokedForReuse
from ivr_domain.identity.model import EndReason, RefreshToken, Session, User
from ivr_domain.identity.policy import AuthPolicy
from ivr_domain.identity.ports import IdentityUnitOfWork
from ivr_domain.identity.use_cases.credentials import (
    PasswordAttempts,
    SessionIssuer,
    TokenPair,
    account_key,
    anonymous,
    build_actor,
    find_account,
    hash_secret,
)
from ivr_domain.shared.actor import SYSTEM_ACTOR, Actor, Origin
from ivr_domain.shared.audit import Anonymous, AuditEntry, AuditTrail, Outcome
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.errors import RateLimited, Unauthenticated
from ivr_domain.shared.ids import SessionId, new_id
from ivr_domain.shared.ports import CounterStore, PasswordHasher, TokenService

__all__ = [
    "AuthenticateHandler",
    "Login",
    "LoginError",
    "LoginHandler",
    "LogoutHandler",
    "Refresh",
    "RefreshHandler",
    "SessionIssuer",
    "TokenPair",
    "account_key",
    "build_actor",
    "hash_secret",
]

LoginError: TypeAlias = Unauthenticated | RateLimited


@frozen(kw_only=True)
class Login:
    """Credentials and where they came from (the address counts attempts; a request's origin adds to it)."""

    email: str
    password: str
    client_address: str


@frozen(kw_only=True)
class Refresh:
    """A refresh token presented for rotation."""

    refresh_token: str


@frozen(kw_only=True)
class LoginHandler:
    """Checks credentials under rate limits and lockout, and opens a session; every attempt is audited.

    A refusal answers alike whatever its cause; the audit entry names it: `bad_credentials`,
    `account_inactive`, `lockout` (this failure locked the account), `locked` or `rate_limited`.
    """

    uow: Callable[[], IdentityUnitOfWork]
    hasher: PasswordHasher
    counters: CounterStore
    issuer: SessionIssuer
    clock: Clock
    policy: AuthPolicy
    decoy_hash: str
    audit: AuditTrail

    def __call__(self, cmd: Login, origin: Origin | None = None) -> Result[TokenPair, LoginError]:
        """Log in, answering a wrong password, an unknown email and a locked account alike."""
        origin = origin or Origin(client_address=cmd.client_address)
        limited = self._rate_limited(cmd)
        with self.uow() as uow:
            user = find_account(uow, cmd.email)
            checked = "rate_limited" if limited is not None else self._check(cmd, user)
            if isinstance(checked, User):
                opened = self._open_session(uow, cmd, checked, origin)
                if opened is not None:
                    return Success(opened)
                checked = "credentials_changed"  # the password changed while this login verified the old one
        denied = self.audit.entry(
            anonymous(origin, user), "auth.login", resource_type="session", outcome=Outcome.DENIED, reason=checked
        )
        self.audit.write(denied)
        return Failure(limited or Unauthenticated(detail="email or password is wrong"))

    @property
    def _attempts(self) -> PasswordAttempts:
        return PasswordAttempts(counters=self.counters, policy=self.policy)

    def _check(self, cmd: Login, user: User | None) -> User | str:
        """Return the account when the credentials hold, or why they do not."""
        locked = self._attempts.locked(cmd.email)
        # Verifying against a decoy keeps unknown emails as slow as wrong passwords.
        stored = user.password_hash if user is not None else self.decoy_hash
        matches = self.hasher.verify(stored, cmd.password)
        if locked:
            return "locked"
        if user is None or not user.active or not matches:
            if self._attempts.failed(cmd.email):
                return "lockout"
            return "account_inactive" if user is not None and matches else "bad_credentials"
        self._attempts.succeeded(cmd.email)
        return user

    def _open_session(self, uow: IdentityUnitOfWork, cmd: Login, user: User, origin: Origin) -> TokenPair | None:
        if self.hasher.needs_rehash(user.password_hash):
            rehashed = uow.users.save(evolve(user, password_hash=self.hasher.hash(cmd.password)))
            user = rehashed.value_or(user)
        now = self.clock.now()
        session = Session(
            id=SessionId(new_id()),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + self.policy.absolute_limit,
            client_address=cmd.client_address,
        )
        uow.sessions.add(session)
        if uow.users.version_held(user.id) != user.version:
            return None  # changed since read; left unchanged, it now waits for this login to end
        pair = self.issuer.issue(uow, user, session)
        who = anonymous(origin, user, session)
        uow.audit.append(self.audit.entry(who, "auth.login", resource_type="session", resource_id=session.id))
        uow.commit()
        return pair

    def _rate_limited(self, cmd: Login) -> RateLimited | None:
        return self._attempts.rate_limited(cmd.email, cmd.client_address, "too many login attempts")


@frozen(kw_only=True)
class RefreshHandler:
    """Rotates a refresh token; a reused one ends its whole session. Every refusal is an audited denial.

    Reasons: `unknown_token`, `session_ended`, `account_inactive`, `refresh_reused`.
    """

    uow: Callable[[], IdentityUnitOfWork]
    issuer: SessionIssuer
    clock: Clock
    policy: AuthPolicy
    audit: AuditTrail

    def __call__(self, cmd: Refresh, origin: Origin | None = None) -> Result[TokenPair, Unauthenticated]:
        """Exchange a live, unused refresh token for a new pair."""
        with self.uow() as uow:
            token = uow.sessions.get_refresh_token(hash_secret(cmd.refresh_token))
            session = uow.sessions.get(token.session_id) if token is not None else None
            user = uow.users.get(session.user_id, scope=SYSTEM_ACTOR.scope) if session is not None else None
            who = anonymous(origin, user, session)
            rotated = (
                "unknown_token" if token is None or session is None else self._rotate(uow, who, token, session, user)
            )
            if isinstance(rotated, TokenPair):
                return Success(rotated)
            # Nothing else changed, but a reused token's session, which ends with the denial that records it.
            uow.audit.append(self._denied(who, session, rotated))
            uow.commit()
        return Failure(Unauthenticated(detail="refresh token is not valid"))

    def _rotate(
        self, uow: IdentityUnitOfWork, who: Anonymous, token: RefreshToken, session: Session, user: User | None
    ) -> TokenPair | str:
        """Rotate the token, or say why not."""
        now = self.clock.now()
        if not session.is_live(now, self.policy.idle_limit):
            return "session_ended"
        if user is None or not user.active:
            return "account_inactive"
        if token.used_at is not None or not uow.sessions.use_refresh_token(token.token_hash, at=now):
            uow.sessions.save(session.end(now, EndReason.REFRESH_REUSED))
            uow.outbox.add(SessionRevokedForReuse(occurred_at=now, user_id=session.user_id, session_id=session.id))
            return "refresh_reused"
        touched = evolve(session, last_seen_at=now)
        if not uow.sessions.save(touched):
            return "session_ended"  # ended (logout, reuse, password change) since it was read
        pair = self.issuer.issue(uow, user, touched)
        uow.audit.append(self.audit.entry(who, "auth.refresh", resource_type="session", resource_id=session.id))
        uow.commit()
        return pair

    def _denied(self, who: Anonymous, session: Session | None, reason: str) -> AuditEntry:
        session_id = session.id if session is not None else None
        return self.audit.entry(
            who, "auth.refresh", resource_type="session", resource_id=session_id, outcome=Outcome.DENIED, reason=reason
        )


@frozen(kw_only=True)
class LogoutHandler:
    """Ends the caller's session."""

    uow: Callable[[], IdentityUnitOfWork]
    clock: Clock
    audit: AuditTrail

    def __call__(self, actor: Actor) -> Result[None, Unauthenticated]:
        """End the session the actor's token belongs to."""
        return self._end(actor).lash(
            lambda error: self.audit.refused(
                actor, "auth.logout", error, resource_type="session", resource_id=actor.session_id
            )
        )

    def _end(self, actor: Actor) -> Result[None, Unauthenticated]:
        if actor.session_id is None:
            return Failure(Unauthenticated(detail="no session"))
        with self.uow() as uow:
            session = uow.sessions.get(actor.session_id)
            if session is None:
                return Failure(Unauthenticated(detail="no session"))
            uow.sessions.save(session.end(self.clock.now(), EndReason.LOGOUT))
            uow.audit.append(self.audit.entry(actor, "auth.logout", resource_type="session", resource_id=session.id))
            uow.commit()
        return Success(None)


@frozen(kw_only=True)
class AuthenticateHandler:
    """Turns an access token into an actor, checking the session is still live.

    A success is not audited (the use case the request runs is); a refusal is an audited denial:
    `invalid_token` (forged or expired), `session_ended` or `account_inactive`.
    """

    uow: Callable[[], IdentityUnitOfWork]
    tokens: TokenService
    clock: Clock
    policy: AuthPolicy
    audit: AuditTrail

    def __call__(self, access_token: str, origin: Origin | None = None) -> Result[Actor, Unauthenticated]:
        """Verify the token, the session's idle and absolute limits and the account."""
        claims = self.tokens.verify(access_token)
        if claims is None:
            return self._refused(Anonymous(origin=origin), None, "invalid_token")
        now = self.clock.now()
        with self.uow() as uow:
            session = uow.sessions.get(claims.session_id)
            if session is None or session.user_id != claims.user_id or not session.is_live(now, self.policy.idle_limit):
                reason = "session_ended"
            else:
                user = uow.users.get(claims.user_id, scope=SYSTEM_ACTOR.scope)
                if user is None or not user.active:
                    reason = "account_inactive"
                elif self._touch(uow, session, now):
                    return Success(build_actor(user, session.id, uow))
                else:
                    reason = "session_ended"  # ended since it was read: the touch found it so
        who = Anonymous(origin=origin, user_id=claims.user_id, role=claims.role, session_id=claims.session_id)
        return self._refused(who, claims.session_id, reason)

    def _touch(self, uow: IdentityUnitOfWork, session: Session, now: datetime) -> bool:
        """Record activity at most once per interval (reads should not write on every request); False if ended."""
        if now - session.last_seen_at < self.policy.touch_interval:
            return True
        if not uow.sessions.save(evolve(session, last_seen_at=now)):
            return False
        uow.commit()
        return True

    def _refused(self, who: Anonymous, session_id: SessionId | None, reason: str) -> Result[Actor, Unauthenticated]:
        self.audit.write(
            self.audit.entry(
                who,
                "auth.authenticate",
                resource_type="session",
                resource_id=session_id,
                outcome=Outcome.DENIED,
                reason=reason,
            )
        )
        return Failure(Unauthenticated(detail="access token is not valid"))

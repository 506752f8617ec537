"""Login, refresh, logout and per-request authentication."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import TypeAlias

from attrs import evolve, frozen
from returns.result import Failure, Result, Success

from ivr_domain.identity.model import EndReason, RefreshToken, Session, User
from ivr_domain.identity.permissions import effective_permissions
from ivr_domain.identity.policy import AuthPolicy
from ivr_domain.identity.ports import IdentityUnitOfWork
from ivr_domain.identity.scope import resolve_scope
from ivr_domain.shared.actor import SYSTEM_ACTOR, Actor
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.errors import RateLimited, Unauthenticated
from ivr_domain.shared.ids import SessionId, new_id
from ivr_domain.shared.ports import (
    AccessClaims,
    CounterStore,
    PasswordHasher,
    TokenService,
)
from ivr_domain.shared.values import Email

LoginError: TypeAlias = Unauthenticated | RateLimited


def hash_secret(secret: str) -> str:
    """Return the digest under which an opaque token is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def account_key(email: str) -> str:
    """Return the counter key naming an account without writing its address."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


@frozen(kw_only=True)
class TokenPair:
    """What a login or refresh hands the client."""

    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "bearer"


@frozen(kw_only=True)
class Login:
    """Credentials and where they came from."""

    email: str
    password: str
    client_address: str


@frozen(kw_only=True)
class Refresh:
    """A refresh token presented for rotation."""

    refresh_token: str


def build_actor(user: User, session_id: SessionId | None, uow: IdentityUnitOfWork) -> Actor:
    """Return the actor a user acts as: effective permissions and resolved scope."""
    return Actor(
        user_id=user.id,
        role=user.role,
        permissions=effective_permissions(user.role, user.grants, user.revocations),
        scope=resolve_scope(user, uow.assignments),
        practice_id=user.practice_id,
        session_id=session_id,
    )


def _find_account(uow: IdentityUnitOfWork, raw_email: str) -> User | None:
    match Email.parse(raw_email):
        case Success(email):
            return uow.users.find_by_email(email)
        case _:
            return None


@frozen(kw_only=True)
class SessionIssuer:
    """Issues access and refresh tokens for a session."""

    tokens: TokenService
    clock: Clock
    policy: AuthPolicy

    def issue(self, uow: IdentityUnitOfWork, user: User, session: Session) -> TokenPair:
        """Store a fresh refresh token and sign an access token for the session."""
        now = self.clock.now()
        refresh = secrets.token_urlsafe(32)
        uow.sessions.add_refresh_token(
            RefreshToken(token_hash=hash_secret(refresh), session_id=session.id, issued_at=now)
        )
        claims = AccessClaims(
            user_id=user.id,
            session_id=session.id,
            role=user.role,
            issued_at=now,
            expires_at=now + self.policy.access_token_ttl,
        )
        ttl = int(self.policy.access_token_ttl.total_seconds())
        return TokenPair(access_token=self.tokens.issue(claims), refresh_token=refresh, expires_in=ttl)


@frozen(kw_only=True)
class LoginHandler:
    """Checks credentials under rate limits and lockout, and opens a session."""

    uow: Callable[[], IdentityUnitOfWork]
    hasher: PasswordHasher
    counters: CounterStore
    issuer: SessionIssuer
    clock: Clock
    policy: AuthPolicy
    decoy_hash: str

    def __call__(self, cmd: Login) -> Result[TokenPair, LoginError]:
        """Log in, answering a wrong password, an unknown email and a locked account alike."""
        limited = self._rate_limited(cmd)
        if limited is not None:
            return Failure(limited)
        account = account_key(cmd.email)
        locked = self.counters.count(f"lock:{account}") > 0
        with self.uow() as uow:
            user = _find_account(uow, cmd.email)
            # Verifying against a decoy keeps unknown emails as slow as wrong passwords.
            stored = user.password_hash if user is not None else self.decoy_hash
            matches = self.hasher.verify(stored, cmd.password)
            if locked or user is None or not user.active or not matches:
                if not locked:
                    self._count_failure(account)
                return Failure(Unauthenticated(detail="email or password is wrong"))
            self.counters.clear(f"fail:{account}")
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
            pair = self.issuer.issue(uow, user, session)
            uow.commit()
            return Success(pair)

    def _rate_limited(self, cmd: Login) -> RateLimited | None:
        window = int(self.policy.rate_window.total_seconds())
        checks = (
            (f"login:addr:{cmd.client_address}", self.policy.login_limit_per_address),
            (f"login:acct:{account_key(cmd.email)}", self.policy.login_limit_per_account),
        )
        for key, limit in checks:
            if self.counters.increment(key, window_seconds=window) > limit:
                return RateLimited(retry_after=max(1, self.counters.retry_after(key)), detail="too many login attempts")
        return None

    def _count_failure(self, account: str) -> None:
        window = int(self.policy.lockout_window.total_seconds())
        failures = self.counters.increment(f"fail:{account}", window_seconds=window)
        if failures >= self.policy.lockout_threshold:
            duration = int(self.policy.lockout_duration.total_seconds())
            self.counters.increment(f"lock:{account}", window_seconds=duration)
            self.counters.clear(f"fail:{account}")


@frozen(kw_only=True)
class RefreshHandler:
    """Rotates a refresh token; a reused one ends its whole session."""

    uow: Callable[[], IdentityUnitOfWork]
    issuer: SessionIssuer
    clock: Clock
    policy: AuthPolicy

    def __call__(self, cmd: Refresh) -> Result[TokenPair, Unauthenticated]:
        """Exchange a live, unused refresh token for a new pair."""
        refused = Failure(Unauthenticated(detail="refresh token is not valid"))
        now = self.clock.now()
        with self.uow() as uow:
            token = uow.sessions.get_refresh_token(hash_secret(cmd.refresh_token))
            if token is None:
                return refused
            session = uow.sessions.get(token.session_id)
            if session is None or not session.is_live(now, self.policy.idle_limit):
                return refused
            if token.used_at is not None or not uow.sessions.use_refresh_token(token.token_hash, at=now):
                uow.sessions.save(session.end(now, EndReason.REFRESH_REUSED))
                uow.commit()
                return refused
            user = uow.users.get(session.user_id, scope=SYSTEM_ACTOR.scope)
            if user is None or not user.active:
                return refused
            touched = evolve(session, last_seen_at=now)
            uow.sessions.save(touched)
            pair = self.issuer.issue(uow, user, touched)
            uow.commit()
            return Success(pair)


@frozen(kw_only=True)
class LogoutHandler:
    """Ends the caller's session."""

    uow: Callable[[], IdentityUnitOfWork]
    clock: Clock

    def __call__(self, actor: Actor) -> Result[None, Unauthenticated]:
        """End the session the actor's token belongs to."""
        if actor.session_id is None:
            return Failure(Unauthenticated(detail="no session"))
        with self.uow() as uow:
            session = uow.sessions.get(actor.session_id)
            if session is None:
                return Failure(Unauthenticated(detail="no session"))
            uow.sessions.save(session.end(self.clock.now(), EndReason.LOGOUT))
            uow.commit()
        return Success(None)


@frozen(kw_only=True)
class AuthenticateHandler:
    """Turns an access token into an actor, checking the session is still live."""

    uow: Callable[[], IdentityUnitOfWork]
    tokens: TokenService
    clock: Clock
    policy: AuthPolicy

    def __call__(self, access_token: str) -> Result[Actor, Unauthenticated]:
        """Verify the token, the session's idle and absolute limits and the account."""
        refused = Failure(Unauthenticated(detail="access token is not valid"))
        claims = self.tokens.verify(access_token)
        if claims is None:
            return refused
        now = self.clock.now()
        with self.uow() as uow:
            session = uow.sessions.get(claims.session_id)
            if session is None or session.user_id != claims.user_id or not session.is_live(now, self.policy.idle_limit):
                return refused
            user = uow.users.get(claims.user_id, scope=SYSTEM_ACTOR.scope)
            if user is None or not user.active:
                return refused
            actor = build_actor(user, session.id, uow)
            # Recording activity at most once per interval keeps reads from writing on every request.
            if now - session.last_seen_at >= self.policy.touch_interval:
                uow.sessions.save(evolve(session, last_seen_at=now))
                uow.commit()
            return Success(actor)

"""What login, refresh and passwords share: secret digests, token pairs, sessions' actors, the anonymous caller."""

from __future__ import annotations

import hashlib
import secrets

from attrs import frozen
from returns.result import Success

from ivr_domain.identity.model import RefreshToken, Session, User
from ivr_domain.identity.permissions import effective_permissions
from ivr_domain.identity.policy import AuthPolicy
from ivr_domain.identity.ports import IdentityUnitOfWork
from ivr_domain.identity.scope import resolve_scope
from ivr_domain.shared.actor import Actor, Origin
from ivr_domain.shared.audit import Anonymous
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.errors import RateLimited
from ivr_domain.shared.ids import SessionId
from ivr_domain.shared.ports import AccessClaims, CounterStore, TokenService
from ivr_domain.shared.values import Email


def hash_secret(secret: str) -> str:
    """Return the digest under which an opaque token is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def account_key(email: str) -> str:
    """Return the counter key naming an account without writing its address."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


@frozen(kw_only=True)
class PasswordAttempts:
    """Rate limits, then lockout after repeated failures: what stands between a password guesser and an account.

    Login and password change share the counters, so guesses through either count against both.
    """

    counters: CounterStore
    policy: AuthPolicy

    def rate_limited(self, email: str, client_address: str | None, detail: str) -> RateLimited | None:
        """Count an attempt per client address (when known) and per account; return the limit it passed, if any."""
        window = int(self.policy.rate_window.total_seconds())
        checks = [(f"login:acct:{account_key(email)}", self.policy.login_limit_per_account)]
        if client_address is not None:
            checks.insert(0, (f"login:addr:{client_address}", self.policy.login_limit_per_address))
        for key, limit in checks:
            if self.counters.increment(key, window_seconds=window) > limit:
                return RateLimited(retry_after=max(1, self.counters.retry_after(key)), detail=detail)
        return None

    def locked(self, email: str) -> bool:
        """Tell whether the account is locked out."""
        return self.counters.count(f"lock:{account_key(email)}") > 0

    def failed(self, email: str) -> bool:
        """Count a wrong password; True when it locks the account."""
        account = account_key(email)
        window = int(self.policy.lockout_window.total_seconds())
        failures = self.counters.increment(f"fail:{account}", window_seconds=window)
        if failures < self.policy.lockout_threshold:
            return False
        duration = int(self.policy.lockout_duration.total_seconds())
        self.counters.increment(f"lock:{account}", window_seconds=duration)
        self.counters.clear(f"fail:{account}")
        return True

    def succeeded(self, email: str) -> None:
        """Forget the account's failures after a right password."""
        self.counters.clear(f"fail:{account_key(email)}")


@frozen(kw_only=True)
class TokenPair:
    """What a login or refresh hands the client."""

    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "bearer"


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


def find_account(uow: IdentityUnitOfWork, raw_email: str) -> User | None:
    """Return the account an email names, if any (an unreadable email names none)."""
    match Email.parse(raw_email):
        case Success(email):
            return uow.users.find_by_email(email)
        case _:
            return None


def anonymous(origin: Origin | None, user: User | None, session: Session | None = None) -> Anonymous:
    """Describe who a request without an actor is, as far as it is known: never by the email it gave."""
    user_id = user.id if user is not None else session.user_id if session is not None else None
    return Anonymous(
        origin=origin,
        user_id=user_id,
        role=user.role if user is not None else None,
        session_id=session.id if session is not None else None,
    )


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

"""HS256 access tokens with PyJWT; expiry is judged by the injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import jwt

from ivr_domain.shared.actor import Role
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.ids import SessionId, UserId
from ivr_domain.shared.ports import AccessClaims

MIN_SECRET_BYTES = 32
ALGORITHM = "HS256"
TOKEN_TYPE = "access"
DEFAULT_ISSUER = "ivr-platform"
_REQUIRED = ("iss", "typ", "sub", "sid", "role", "iat", "exp")
# Tolerated clock difference for a token that claims to be issued slightly in the future.
_SKEW = timedelta(seconds=60)


class JwtTokenService:
    """Signs access claims as HS256 JWTs; `verify` answers None for anything not valid and unexpired now.

    Times are whole seconds: a round trip drops sub-second parts of `issued_at` and `expires_at`.
    """

    def __init__(self, secret: bytes | str, clock: Clock, *, issuer: str = DEFAULT_ISSUER) -> None:
        key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
        if len(key) < MIN_SECRET_BYTES:
            raise ValueError(f"JWT secret must be at least {MIN_SECRET_BYTES} bytes, got {len(key)}")
        self._key = key
        self._clock = clock
        self._issuer = issuer

    def issue(self, claims: AccessClaims) -> str:
        """Return a signed token for the claims."""
        payload = {
            "iss": self._issuer,
            "typ": TOKEN_TYPE,
            "sub": str(claims.user_id),
            "sid": str(claims.session_id),
            "role": claims.role.value,
            "iat": int(claims.issued_at.timestamp()),
            "exp": int(claims.expires_at.timestamp()),
        }
        return jwt.encode(payload, self._key, algorithm=ALGORITHM)

    def verify(self, token: str) -> AccessClaims | None:
        """Return the claims of a valid, unexpired token; None for anything else."""
        try:
            payload = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],  # only HS256: "none" and algorithm confusion are refused
                issuer=self._issuer,
                options={
                    "require": list(_REQUIRED),
                    # Time is judged below against the injected clock, so tests can move it.
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except (jwt.PyJWTError, ValueError, TypeError):
            return None
        claims = _claims_of(payload)
        if claims is None:
            return None
        now = self._clock.now()
        if now >= claims.expires_at or claims.issued_at > now + _SKEW:
            return None
        return claims


def _claims_of(payload: dict[str, Any]) -> AccessClaims | None:
    if payload.get("typ") != TOKEN_TYPE:
        return None
    sub, sid, role, iat, exp = (payload.get(name) for name in ("sub", "sid", "role", "iat", "exp"))
    if not (isinstance(sub, str) and isinstance(sid, str) and isinstance(role, str)):
        return None
    issued, expires = _seconds(iat), _seconds(exp)
    if issued is None or expires is None:
        return None
    try:
        return AccessClaims(
            user_id=UserId(UUID(sub)),
            session_id=SessionId(UUID(sid)),
            role=Role(role),
            issued_at=datetime.fromtimestamp(issued, UTC),
            expires_at=datetime.fromtimestamp(expires, UTC),
        )
    except (ValueError, OverflowError, OSError):
        return None


def _seconds(value: object) -> int | None:
    # NumericDate as whole seconds; bool is an int subclass and is no time at all.
    return value if isinstance(value, int) and not isinstance(value, bool) else None

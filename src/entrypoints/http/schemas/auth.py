"""Bodies and answers of login, tokens and passwords."""

from __future__ import annotations

import msgspec
from attrs import frozen

from ivr_domain.identity.use_cases.auth import TokenPair


@frozen(kw_only=True)
class LoginBody:
    """Credentials."""

    email: str
    password: str


@frozen(kw_only=True)
class ForgotPasswordBody:
    """The email of the account whose password was forgotten."""

    email: str


@frozen(kw_only=True)
class UpdateMeBody:
    """What a user may change of their own profile."""

    name: str


class TokenOut(msgspec.Struct, kw_only=True):
    """An access token (JWT) and its single-use refresh token."""

    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int


def token_out(pair: TokenPair) -> TokenOut:
    """Return the wire form of a token pair."""
    return TokenOut(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        token_type=pair.token_type,
        expires_in=pair.expires_in,
    )

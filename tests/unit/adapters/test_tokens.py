"""HS256 access tokens: valid round trip, and None for everything else."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import jwt
import pytest

from adapters.crypto import JwtTokenService
from ivr_domain.shared.actor import Role
from ivr_domain.shared.clock import MovableClock
from ivr_domain.shared.ids import SessionId, UserId
from ivr_domain.shared.ports import AccessClaims

SECRET = b"s" * 64
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(NOW)


@pytest.fixture
def service(clock: MovableClock) -> JwtTokenService:
    return JwtTokenService(SECRET, clock)


def claims(minutes: int = 15, role: Role = Role.DOCTOR) -> AccessClaims:
    return AccessClaims(
        user_id=UserId(uuid4()),
        session_id=SessionId(uuid4()),
        role=role,
        issued_at=NOW,
        expires_at=NOW + timedelta(minutes=minutes),
    )


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def payload_of(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def test_round_trip(service: JwtTokenService) -> None:
    original = claims()
    assert service.verify(service.issue(original)) == original


def test_token_carries_the_agreed_claims(service: JwtTokenService) -> None:
    original = claims()
    payload = payload_of(service.issue(original))
    assert payload["typ"] == "access"
    assert payload["iss"] == "ivr-platform"
    assert payload["sub"] == str(original.user_id)
    assert payload["sid"] == str(original.session_id)
    assert payload["role"] == "doctor"
    assert payload["exp"] - payload["iat"] == 15 * 60


def test_expired_on_a_moved_clock(service: JwtTokenService, clock: MovableClock) -> None:
    token = service.issue(claims(minutes=15))
    clock.advance(timedelta(minutes=14, seconds=59))
    assert service.verify(token) is not None
    clock.advance(timedelta(seconds=1))
    assert service.verify(token) is None


def test_forged_signature(service: JwtTokenService) -> None:
    header, payload, signature = service.issue(claims()).split(".")
    forged = b64(bytes(32))
    assert forged != signature
    assert service.verify(f"{header}.{payload}.{forged}") is None


def test_wrong_secret(service: JwtTokenService, clock: MovableClock) -> None:
    other = JwtTokenService(b"t" * 64, clock)
    assert service.verify(other.issue(claims())) is None


def test_alg_none_is_refused(service: JwtTokenService) -> None:
    payload = payload_of(service.issue(claims()))
    header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    body = b64(json.dumps(payload).encode())
    assert service.verify(f"{header}.{body}.") is None


def test_tampered_payload(service: JwtTokenService) -> None:
    header, _, signature = service.issue(claims(role=Role.DOCTOR)).split(".")
    payload = payload_of(service.issue(claims(role=Role.DOCTOR)))
    payload["role"] = "admin"
    assert service.verify(f"{header}.{b64(json.dumps(payload).encode())}.{signature}") is None


def test_other_hmac_algorithm_is_refused(service: JwtTokenService) -> None:
    payload = payload_of(service.issue(claims()))
    assert service.verify(jwt.encode(payload, SECRET, algorithm="HS512")) is None


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "a.b", "....", "eyJhbGciOiJIUzI1NiJ9.e30."])
def test_malformed(service: JwtTokenService, token: str) -> None:
    assert service.verify(token) is None


@pytest.mark.parametrize(
    "change",
    [
        {"role": "superuser"},
        {"sub": "not-a-uuid"},
        {"sid": 12},
        {"typ": "refresh"},
        {"iss": "someone-else"},
        {"exp": "tomorrow"},
        {"iat": True},
    ],
)
def test_bad_claims_signed_with_the_right_secret(service: JwtTokenService, change: dict[str, Any]) -> None:
    payload = payload_of(service.issue(claims())) | change
    assert service.verify(jwt.encode(payload, SECRET, algorithm="HS256")) is None


@pytest.mark.parametrize("missing", ["sub", "sid", "role", "iat", "exp", "typ", "iss"])
def test_missing_claim(service: JwtTokenService, missing: str) -> None:
    payload = payload_of(service.issue(claims()))
    del payload[missing]
    assert service.verify(jwt.encode(payload, SECRET, algorithm="HS256")) is None


def test_issued_in_the_future_is_refused(service: JwtTokenService, clock: MovableClock) -> None:
    token = service.issue(claims())
    clock.current = NOW - timedelta(minutes=5)
    assert service.verify(token) is None


def test_short_secret_is_refused(clock: MovableClock) -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        JwtTokenService(b"s" * 31, clock)

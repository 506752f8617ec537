"""Ports the core needs from libraries it may not import: crypto, tokens, code sets, phones."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from attrs import frozen

from ivr_domain.shared.actor import Role
from ivr_domain.shared.ids import SessionId, UserId


class FieldCipher(Protocol):
    """Encrypts PHI fields; every ciphertext names the key that made it."""

    def encrypt(self, plaintext: str, *, context: str) -> bytes:
        """Encrypt text, binding it to `context` (table, column and row) as associated data."""
        ...

    def decrypt(self, ciphertext: bytes, *, context: str) -> str:
        """Decrypt what `encrypt` made with the same context; raises on tampering."""
        ...

    def key_id_of(self, ciphertext: bytes) -> str:
        """Return the id of the key a ciphertext was made with."""
        ...

    @property
    def current_key_id(self) -> str:
        """Return the id of the key new ciphertexts are made with."""
        ...


class BlindIndex(Protocol):
    """Keyed digests of normalised values, for exact-match search over encrypted fields."""

    def digest(self, value: str, *, purpose: str) -> str:
        """Return the digest of `value` for one purpose; equal under case, accents and spacing."""
        ...


class PasswordHasher(Protocol):
    """Slow, salted password hashing."""

    def hash(self, password: str) -> str:
        """Hash a password for storage."""
        ...

    def verify(self, stored: str, password: str) -> bool:
        """Tell whether a password matches a stored hash."""
        ...

    def needs_rehash(self, stored: str) -> bool:
        """Tell whether a stored hash was made with parameters older than the current ones."""
        ...


@frozen(kw_only=True)
class AccessClaims:
    """What an access token asserts."""

    user_id: UserId
    session_id: SessionId
    role: Role
    issued_at: datetime
    expires_at: datetime


class TokenService(Protocol):
    """Signs and verifies access tokens."""

    def issue(self, claims: AccessClaims) -> str:
        """Return a signed token for the claims."""
        ...

    def verify(self, token: str) -> AccessClaims | None:
        """Return the claims of a valid, unexpired token; None for anything else."""
        ...


class PhoneNumbers(Protocol):
    """Parses phone numbers as people type them."""

    def to_e164(self, raw: str) -> str | None:
        """Return the E.164 form of a possible number (US by default), or None."""
        ...


class CodeSets(Protocol):
    """Clinical and billing code sets the core validates against."""

    @property
    def icd10cm_version(self) -> str:
        """Return the ICD-10-CM release used, recorded with what it validated."""
        ...

    def is_billable_icd10cm(self, code: str) -> bool:
        """Tell whether a normalised ICD-10-CM code exists and has no children."""
        ...

    def is_place_of_service(self, code: str) -> bool:
        """Tell whether a two-digit code is a CMS place-of-service code."""
        ...


class CounterStore(Protocol):
    """Fixed-window counters that expire: rate limits and lockouts, shared by every process."""

    def increment(self, key: str, *, window_seconds: int) -> int:
        """Add one to `key` and return its count; a new key expires after the window."""
        ...

    def count(self, key: str) -> int:
        """Return the current count of `key`, 0 when absent or expired."""
        ...

    def retry_after(self, key: str) -> int:
        """Return the seconds until `key` expires, 0 when absent."""
        ...

    def clear(self, key: str) -> None:
        """Forget `key`."""
        ...


@frozen(kw_only=True)
class StoredResponse:
    """The first answer to an idempotent request, replayed for repeats."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


class ClaimState(StrEnum):
    """What a claim on an idempotency key found."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    MISMATCH = "mismatch"


@frozen(kw_only=True)
class IdempotencyClaim:
    """The outcome of claiming a key; `response` is set when the first request is done."""

    state: ClaimState
    response: StoredResponse | None = None


class IdempotencyStore(Protocol):
    """Remembers, per user and key, the request and its answer for a while."""

    def claim(
        self, *, user_id: UserId, key: str, request_hash: str, now: datetime, ttl_seconds: int
    ) -> IdempotencyClaim:
        """Claim a key for a request; an expired claim counts as absent."""
        ...

    def complete(self, *, user_id: UserId, key: str, response: StoredResponse) -> None:
        """Store the answer of a claimed key."""
        ...

    def release(self, *, user_id: UserId, key: str) -> None:
        """Forget a claim whose request failed unexpectedly, so it may be retried."""
        ...

"""Key material: a key ring from a local key file (development) or from settings (production)."""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from attrs import field, frozen

from adapters.crypto.blind_index import MIN_KEY_BYTES as MIN_BLIND_INDEX_KEY_BYTES
from adapters.crypto.field_cipher import KEY_BYTES as CIPHER_KEY_BYTES
from adapters.crypto.field_cipher import validate_key_id
from adapters.crypto.tokens import MIN_SECRET_BYTES as MIN_JWT_SECRET_BYTES

KEY_FILE_VERSION = 1
INITIAL_KEY_ID = "k1"
AUDIT_KEY_BYTES = 32


class KeyMaterialError(ValueError):
    """Key material is missing, malformed or of the wrong length; messages never contain key bytes."""


def _frozen_mapping(keys: Mapping[str, bytes]) -> Mapping[str, bytes]:
    return MappingProxyType(dict(keys))


def _check_cipher_keys(_: object, __: object, keys: Mapping[str, bytes]) -> None:
    if not keys:
        raise KeyMaterialError("at least one cipher key is required")
    for key_id, key in keys.items():
        try:
            validate_key_id(key_id)
        except ValueError as exc:
            raise KeyMaterialError(f"cipher key id {key_id!r}: {exc}") from None
        if len(key) != CIPHER_KEY_BYTES:
            raise KeyMaterialError(f"cipher key {key_id!r} must be {CIPHER_KEY_BYTES} bytes, got {len(key)}")


def _check_min_length(minimum: int, what: str) -> Callable[[object, object, bytes], None]:
    def check(_: object, __: object, value: bytes) -> None:
        if len(value) < minimum:
            raise KeyMaterialError(f"{what} must be at least {minimum} bytes, got {len(value)}")

    return check


@frozen(kw_only=True)
class KeyRing:
    """Every secret the platform holds: cipher keys by id, the current one, the blind-index key, the JWT secret."""

    cipher_keys: Mapping[str, bytes] = field(converter=_frozen_mapping, validator=_check_cipher_keys, repr=False)
    current_cipher_key_id: str
    blind_index_key: bytes = field(
        repr=False, validator=_check_min_length(MIN_BLIND_INDEX_KEY_BYTES, "blind index key")
    )
    jwt_secret: bytes = field(repr=False, validator=_check_min_length(MIN_JWT_SECRET_BYTES, "JWT secret"))

    def __attrs_post_init__(self) -> None:
        if self.current_cipher_key_id not in self.cipher_keys:
            raise KeyMaterialError(f"current cipher key {self.current_cipher_key_id!r} is not among the cipher keys")
        if self.blind_index_key in self.cipher_keys.values():
            raise KeyMaterialError("the blind index key must differ from every cipher key")


def generate_keyring() -> KeyRing:
    """Return a key ring of fresh random keys."""
    return KeyRing(
        cipher_keys={INITIAL_KEY_ID: secrets.token_bytes(CIPHER_KEY_BYTES)},
        current_cipher_key_id=INITIAL_KEY_ID,
        blind_index_key=secrets.token_bytes(32),
        jwt_secret=secrets.token_bytes(64),
    )


def load_or_create_key_file(path: Path) -> tuple[KeyRing, bool]:
    """Read the key file, or create it (mode 0600) with fresh keys; the flag tells whether it was created."""
    if path.exists():
        return _read_key_file(path), False
    ring = generate_keyring()
    if not _create_secret_file(path, json.dumps(_to_document(ring), indent=2).encode()):
        return _read_key_file(path), False
    return ring, True


def add_cipher_key(path: Path) -> tuple[KeyRing, str]:
    """Add a fresh cipher key to the key file and make it current; earlier keys stay to read old ciphertexts."""
    ring = _read_key_file(path)
    number = len(ring.cipher_keys) + 1
    while f"k{number}" in ring.cipher_keys:
        number += 1
    key_id = f"k{number}"
    rotated = KeyRing(
        cipher_keys={**ring.cipher_keys, key_id: secrets.token_bytes(CIPHER_KEY_BYTES)},
        current_cipher_key_id=key_id,
        blind_index_key=ring.blind_index_key,
        jwt_secret=ring.jwt_secret,
    )
    _replace_secret_file(path, json.dumps(_to_document(rotated), indent=2).encode())
    return rotated, key_id


def read_key_file(path: Path) -> KeyRing:
    """Read the key file as it is now (a server re-reads it after a rotation)."""
    return _read_key_file(path)


def load_or_create_audit_key(path: Path) -> tuple[bytes, bool]:
    """Read the audit chain's key file, or create it (mode 0600); the flag tells whether it was created."""
    if not path.exists() and _create_secret_file(path, _encode(secrets.token_bytes(AUDIT_KEY_BYTES)).encode()):
        return _read_audit_key(path), True
    return _read_audit_key(path), False


def audit_key_from_settings(encoded: str) -> bytes:
    """Parse the audit key given as a setting (base64 of at least 32 bytes)."""
    key = _decode(encoded, "audit key")
    if len(key) < AUDIT_KEY_BYTES:
        raise KeyMaterialError(f"the audit key must be at least {AUDIT_KEY_BYTES} bytes")
    return key


def _read_audit_key(path: Path) -> bytes:
    try:
        return audit_key_from_settings(path.read_text())
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyMaterialError(f"cannot read audit key file {path}: {type(exc).__name__}") from None


def _replace_secret_file(path: Path, content: bytes) -> None:
    """Replace a secret file atomically (mode 0600): readers see the old file or the new one, never half."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _create_secret_file(path: Path, content: bytes) -> bool:
    """Write a new secret file atomically with mode 0600; False when another process created it first."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Written beside the target then hard-linked into place: the link fails if another process won the race,
    # and no reader ever sees a half-written file.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
    finally:
        temporary.unlink(missing_ok=True)
    return True


def keyring_from_settings(cipher_keys: str, current: str, blind_index_key: str, jwt_secret: str) -> KeyRing:
    """Parse keys given as settings: cipher keys as `id:base64,id:base64`, the others as base64."""
    return KeyRing(
        cipher_keys=_parse_cipher_keys(cipher_keys),
        current_cipher_key_id=current.strip(),
        blind_index_key=_decode(blind_index_key, "blind index key"),
        jwt_secret=_decode(jwt_secret, "JWT secret"),
    )


def _parse_cipher_keys(text: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        key_id, colon, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not colon or not key_id:
            raise KeyMaterialError("cipher keys must look like 'k1:<base64>,k2:<base64>'")
        if key_id in keys:
            raise KeyMaterialError(f"cipher key {key_id!r} is given twice")
        keys[key_id] = _decode(encoded, f"cipher key {key_id!r}")
    if not keys:
        raise KeyMaterialError("no cipher keys given")
    return keys


def _decode(encoded: str, what: str) -> bytes:
    text = encoded.strip()
    if not text:
        raise KeyMaterialError(f"{what} is empty")
    try:
        # Standard or URL-safe alphabet, padding required.
        return base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise KeyMaterialError(f"{what} is not valid base64") from None


def _encode(key: bytes) -> str:
    return base64.b64encode(key).decode("ascii")


def _to_document(ring: KeyRing) -> dict[str, Any]:
    return {
        "version": KEY_FILE_VERSION,
        "cipher_keys": {key_id: _encode(key) for key_id, key in ring.cipher_keys.items()},
        "current_cipher_key": ring.current_cipher_key_id,
        "blind_index_key": _encode(ring.blind_index_key),
        "jwt_secret": _encode(ring.jwt_secret),
    }


def _read_key_file(path: Path) -> KeyRing:
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise KeyMaterialError(f"cannot read key file {path}: {type(exc).__name__}") from None
    if not isinstance(document, dict) or document.get("version") != KEY_FILE_VERSION:
        raise KeyMaterialError(f"key file {path} is not a version {KEY_FILE_VERSION} key file")
    cipher_keys = document.get("cipher_keys")
    current = document.get("current_cipher_key")
    blind, secret = document.get("blind_index_key"), document.get("jwt_secret")
    if not (isinstance(cipher_keys, dict) and isinstance(current, str)):
        raise KeyMaterialError(f"key file {path} lacks cipher keys or the current key id")
    if not (isinstance(blind, str) and isinstance(secret, str)):
        raise KeyMaterialError(f"key file {path} lacks the blind index key or the JWT secret")
    if not all(isinstance(value, str) for value in cipher_keys.values()):
        raise KeyMaterialError(f"key file {path} has a cipher key that is not a base64 string")
    return KeyRing(
        cipher_keys={str(key_id): _decode(value, f"cipher key {key_id!r}") for key_id, value in cipher_keys.items()},
        current_cipher_key_id=current,
        blind_index_key=_decode(blind, "blind index key"),
        jwt_secret=_decode(secret, "JWT secret"),
    )

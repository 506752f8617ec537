"""The real field cipher and blind index when adapters.crypto exists, else minimal stand-ins with `cryptography`."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ivr_domain.shared.values import normalise_for_match


class LocalAesGcmFieldCipher:
    """AES-256-GCM with the key id in front of every ciphertext and the context as associated data."""

    def __init__(self, keys: Mapping[str, bytes], current_key_id: str) -> None:
        self._keys = dict(keys)
        self._current = current_key_id

    @property
    def current_key_id(self) -> str:
        return self._current

    def encrypt(self, plaintext: str, *, context: str) -> bytes:
        nonce = os.urandom(12)
        key_id = self._current.encode()
        sealed = AESGCM(self._keys[self._current]).encrypt(nonce, plaintext.encode(), context.encode())
        return bytes([len(key_id)]) + key_id + nonce + sealed

    def decrypt(self, ciphertext: bytes, *, context: str) -> str:
        key_id = self.key_id_of(ciphertext)
        rest = ciphertext[1 + len(key_id) :]
        return AESGCM(self._keys[key_id]).decrypt(rest[:12], rest[12:], context.encode()).decode()

    def key_id_of(self, ciphertext: bytes) -> str:
        return ciphertext[1 : 1 + ciphertext[0]].decode()


class LocalHmacBlindIndex:
    """HMAC-SHA256 of the purpose and the normalised value."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def digest(self, value: str, *, purpose: str) -> str:
        message = f"{purpose}\x00{normalise_for_match(value)}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


def make_crypto() -> tuple[Any, Any]:
    """Return a (cipher, blind index) pair with fresh random keys."""
    keys = {"k1": os.urandom(32)}
    try:
        from adapters.crypto import AesGcmFieldCipher, HmacBlindIndex  # type: ignore[attr-defined]
    except ImportError:
        return LocalAesGcmFieldCipher(keys, "k1"), LocalHmacBlindIndex(os.urandom(32))
    return AesGcmFieldCipher(keys, "k1"), HmacBlindIndex(os.urandom(32))


def using_real_crypto() -> bool:
    """Tell whether the suites run with adapters.crypto rather than the stand-ins."""
    try:
        import adapters.crypto  # noqa: F401
    except ImportError:
        return False
    return True

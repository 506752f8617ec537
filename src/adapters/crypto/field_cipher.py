"""AES-256-GCM field encryption with the key id carried in every ciphertext."""

from __future__ import annotations

import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
MAX_KEY_ID_BYTES = 255


class CipherError(Exception):
    """A ciphertext cannot be read: unknown key, wrong context, tampering or a malformed value."""


def validate_key_id(key_id: str) -> bytes:
    """Return a key id as bytes, or raise ValueError when it is not 1-255 printable ASCII characters."""
    if not key_id or not key_id.isascii() or not key_id.isprintable() or len(key_id) > MAX_KEY_ID_BYTES:
        raise ValueError("a key id must be 1 to 255 printable ASCII characters")
    return key_id.encode("ascii")


class AesGcmFieldCipher:
    """Encrypts with the current key; decrypts with whichever loaded key a ciphertext names.

    Format: version byte, key-id length byte, key id (ASCII), 12-byte random nonce, ciphertext and tag.
    """

    def __init__(self, keys: Mapping[str, bytes], current_key_id: str) -> None:
        if current_key_id not in keys:
            raise ValueError(f"current key id {current_key_id!r} is not among the loaded keys")
        self._aeads: dict[str, AESGCM] = {}
        # The header every ciphertext of a loaded key starts with, mapped to that key: decrypting a page of
        # patients opens hundreds of fields, and one dict lookup replaces parsing and decoding each header.
        self._by_header: dict[bytes, AESGCM] = {}
        for key_id, key in keys.items():
            encoded = validate_key_id(key_id)
            if len(key) != KEY_BYTES:
                raise ValueError(f"cipher key {key_id!r} must be {KEY_BYTES} bytes, got {len(key)}")
            self._aeads[key_id] = AESGCM(key)
            self._by_header[bytes([FORMAT_VERSION, len(encoded)]) + encoded] = self._aeads[key_id]
        self._current = current_key_id

    @property
    def current_key_id(self) -> str:
        """Return the id of the key new ciphertexts are made with."""
        return self._current

    @property
    def key_ids(self) -> frozenset[str]:
        """Return the ids of every loaded key."""
        return frozenset(self._aeads)

    def encrypt(self, plaintext: str, *, context: str) -> bytes:
        """Encrypt text, binding it to `context` as associated data."""
        key_id = self._current.encode("ascii")
        header = bytes([FORMAT_VERSION, len(key_id)]) + key_id
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aeads[self._current].encrypt(nonce, plaintext.encode("utf-8"), _aad(header, context))
        return header + nonce + sealed

    def decrypt(self, ciphertext: bytes, *, context: str) -> str:
        """Decrypt what `encrypt` made with the same context; raise CipherError otherwise."""
        # The hot path of every read: a page of patients opens hundreds of fields, so no helper calls here.
        header_length = 2 + ciphertext[1] if len(ciphertext) >= 2 else 0
        header = ciphertext[:header_length]
        aead = self._by_header.get(header)
        body = header_length + NONCE_BYTES
        if aead is None or len(ciphertext) < body + TAG_BYTES:
            # Not a header of a loaded key, or too short: parse it to say exactly what is wrong.
            key_id, header_length = _parse_header(ciphertext)
            aead = self._aeads.get(key_id)
            if aead is None:
                raise CipherError(f"ciphertext names key {key_id!r}, which is not loaded")
            header = ciphertext[:header_length]
            body = header_length + NONCE_BYTES
        try:
            # The associated data is `_aad(header, context)`, written out.
            plaintext = aead.decrypt(ciphertext[header_length:body], ciphertext[body:], header + context.encode())
        except InvalidTag:
            raise CipherError("ciphertext failed authentication: wrong context or tampered") from None
        return plaintext.decode("utf-8")

    def key_id_of(self, ciphertext: bytes) -> str:
        """Return the id of the key a ciphertext was made with."""
        return _parse_header(ciphertext)[0]


def _aad(header: bytes, context: str) -> bytes:
    # The header is authenticated too, so neither version nor key id can be swapped unnoticed.
    return header + context.encode("utf-8")


def _parse_header(ciphertext: bytes) -> tuple[str, int]:
    if len(ciphertext) < 2:
        raise CipherError("ciphertext too short")
    if ciphertext[0] != FORMAT_VERSION:
        raise CipherError(f"unsupported ciphertext version {ciphertext[0]}")
    header_length = 2 + ciphertext[1]
    if ciphertext[1] == 0 or len(ciphertext) < header_length + NONCE_BYTES + TAG_BYTES:
        raise CipherError("ciphertext malformed or truncated")
    try:
        key_id = ciphertext[2:header_length].decode("ascii")
    except UnicodeDecodeError:
        raise CipherError("ciphertext key id is not ASCII") from None
    return key_id, header_length

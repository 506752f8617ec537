"""A field cipher over the key file that notices a rotation, so a running server keeps serving through it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from adapters.crypto.field_cipher import AesGcmFieldCipher, CipherError
from adapters.crypto.keys import KeyRing, read_key_file


def _cipher(ring: KeyRing) -> AesGcmFieldCipher:
    return AesGcmFieldCipher(ring.cipher_keys, ring.current_cipher_key_id)


class KeyFileFieldCipher:
    """Encrypts with the key file's current key, re-reading the file when it changes.

    The file's modification time is checked at most every `check_every` seconds; a ciphertext naming
    a key not loaded yet (written by `ivr keys rotate` a moment ago) forces a re-read at once.
    """

    def __init__(
        self, path: Path, ring: KeyRing, *, check_every: float = 1.0, now: Callable[[], float] = time.monotonic
    ):
        """Start from the ring already read from `path`."""
        self._path = path
        self._check_every = check_every
        self._now = now
        self._lock = threading.Lock()
        self._ring = ring
        self._cipher = _cipher(ring)
        self._stamp = self._modified()
        self._checked = now()

    @property
    def current_key_id(self) -> str:
        """Return the id of the key new ciphertexts are made with."""
        return self._fresh().current_key_id

    @property
    def key_ids(self) -> frozenset[str]:
        """Return the ids of every loaded key."""
        return self._fresh().key_ids

    def encrypt(self, plaintext: str, *, context: str) -> bytes:
        """Encrypt with the current key of the file as it is now."""
        return self._fresh().encrypt(plaintext, context=context)

    def decrypt(self, ciphertext: bytes, *, context: str) -> str:
        """Decrypt, re-reading the key file once when the ciphertext names a key not loaded yet."""
        # `_fresh()` written out for its common case: called once per field, hundreds of times per page.
        cipher = self._cipher if self._now() - self._checked < self._check_every else self._fresh()
        try:
            return cipher.decrypt(ciphertext, context=context)
        except CipherError:
            if cipher.key_id_of(ciphertext) in cipher.key_ids:
                raise
            return self._reload().decrypt(ciphertext, context=context)

    def keys(self, force: bool = False) -> tuple[Mapping[str, bytes], str]:
        """Return the cipher keys and the current key id as the file has them (re-read now when `force`)."""
        if force:
            self._reload()
        else:
            self._fresh()
        return self._ring.cipher_keys, self._ring.current_cipher_key_id

    def key_id_of(self, ciphertext: bytes) -> str:
        """Return the id of the key a ciphertext was made with."""
        return self._cipher.key_id_of(ciphertext)

    def _modified(self) -> int:
        return self._path.stat().st_mtime_ns

    def _fresh(self) -> AesGcmFieldCipher:
        if self._now() - self._checked < self._check_every:
            return self._cipher
        with self._lock:
            self._checked = self._now()
            if self._modified() != self._stamp:
                return self._reload_locked()
            return self._cipher

    def _reload(self) -> AesGcmFieldCipher:
        with self._lock:
            return self._reload_locked()

    def _reload_locked(self) -> AesGcmFieldCipher:
        self._stamp = self._modified()
        self._ring = read_key_file(self._path)
        self._cipher = _cipher(self._ring)
        return self._cipher

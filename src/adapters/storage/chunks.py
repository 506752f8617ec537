"""The encrypted document format: a header naming the key, then AES-256-GCM chunks bound to their place.

```
header   b"IVRD" | version (1 byte) = 1 | chunk size (4 bytes, big-endian) | key-id length (1) | key id (ASCII)
record   nonce (12 random bytes) | ciphertext | tag (16)
```

Every record but the last holds exactly `chunk size` plaintext bytes; the last holds 0 to `chunk size`
and is flagged final (an empty document is one empty final record). The associated data of record `i` is
`header | document id (16 bytes) | i (8 bytes, big-endian) | final flag (1 byte)`, so a record moved to
another place, another document or another header, a dropped tail (the new last record was not sealed as
final) and an appended record (the old last one was) all fail authentication.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator, Mapping
from typing import BinaryIO
from uuid import UUID

from attrs import frozen
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ivr_domain.shared.documents import DocumentUnreadable

MAGIC = b"IVRD"
VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
DEFAULT_CHUNK_BYTES = 64 * 1024
MAX_CHUNK_BYTES = 16 * 1024 * 1024
_FIXED = struct.Struct(">4sBIB")
_PURPOSE = b"ivr-platform document store v1"


def check_keys(keys: Mapping[str, bytes], current_key_id: str) -> dict[str, AESGCM]:
    """Return an AEAD per key id, refusing malformed ids, wrong key lengths and an unknown current key.

    The platform's cipher keys also encrypt PHI fields; documents use a key derived from each (HKDF-SHA256
    with this store's own label), so the two uses never share a key while rotating under the same ids.
    """
    if current_key_id not in keys:
        raise ValueError(f"current key id {current_key_id!r} is not among the loaded keys")
    aeads = {}
    for key_id, key in keys.items():
        if not key_id or not key_id.isascii() or not key_id.isprintable() or len(key_id) > 255:
            raise ValueError("a key id must be 1 to 255 printable ASCII characters")
        if len(key) != KEY_BYTES:
            raise ValueError(f"key {key_id!r} must be {KEY_BYTES} bytes, got {len(key)}")
        aeads[key_id] = AESGCM(HKDF(algorithm=SHA256(), length=KEY_BYTES, salt=None, info=_PURPOSE).derive(key))
    return aeads


@frozen(kw_only=True)
class Header:
    """The start of an encrypted document file."""

    key_id: str
    chunk_bytes: int

    def encode(self) -> bytes:
        """Return the header's bytes."""
        key_id = self.key_id.encode("ascii")
        return _FIXED.pack(MAGIC, VERSION, self.chunk_bytes, len(key_id)) + key_id

    @classmethod
    def read(cls, handle: BinaryIO, what: str) -> Header:
        """Read and check a header; DocumentUnreadable when it is not one of ours."""
        fixed = handle.read(_FIXED.size)
        if len(fixed) != _FIXED.size:
            raise DocumentUnreadable(f"{what}: truncated header")
        magic, version, chunk_bytes, id_length = _FIXED.unpack(fixed)
        if magic != MAGIC or version != VERSION or not 0 < chunk_bytes <= MAX_CHUNK_BYTES or id_length == 0:
            raise DocumentUnreadable(f"{what}: not a version {VERSION} encrypted document")
        raw_id = handle.read(id_length)
        if len(raw_id) != id_length or not raw_id.isascii():
            raise DocumentUnreadable(f"{what}: malformed key id")
        return cls(key_id=raw_id.decode("ascii"), chunk_bytes=chunk_bytes)


def _aad(header: bytes, document_id: UUID, index: int, final: bool) -> bytes:
    return header + document_id.bytes + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")


class ChunkWriter:
    """Seals plaintext into records, holding back one chunk so the last can be flagged final."""

    def __init__(self, handle: BinaryIO, aead: AESGCM, header: Header, document_id: UUID) -> None:
        """Write the header; records follow as plaintext is fed."""
        self._handle = handle
        self._aead = aead
        self._header = header.encode()
        self._document_id = document_id
        self._chunk = header.chunk_bytes
        self._pending = bytearray()
        self._index = 0
        handle.write(self._header)

    def feed(self, data: bytes) -> None:
        """Take plaintext; seal every full chunk except the last one held."""
        self._pending += data
        if len(self._pending) <= self._chunk:
            return
        # Keep 1..chunk bytes back: only the end of the input says which record is final.
        cut = (len(self._pending) - 1) // self._chunk * self._chunk
        with memoryview(self._pending) as view:
            for start in range(0, cut, self._chunk):
                self._seal(view[start : start + self._chunk], final=False)
        del self._pending[:cut]

    def close(self) -> None:
        """Seal the held bytes as the final record."""
        self._seal(memoryview(self._pending), final=True)
        self._pending.clear()

    def _seal(self, plaintext: memoryview, *, final: bool) -> None:
        nonce = os.urandom(NONCE_BYTES)
        aad = _aad(self._header, self._document_id, self._index, final)
        self._handle.write(nonce + self._aead.encrypt(nonce, bytes(plaintext), aad))
        self._index += 1


def read_chunks(handle: BinaryIO, aeads: Mapping[str, AESGCM], document_id: UUID, what: str) -> Iterator[bytes]:
    """Yield a document's plaintext chunk by chunk, verifying each; DocumentUnreadable at the first fault."""
    header = Header.read(handle, what)
    aead = aeads.get(header.key_id)
    if aead is None:
        raise DocumentUnreadable(f"{what}: key {header.key_id!r} is not loaded")
    encoded = header.encode()
    record_bytes = NONCE_BYTES + header.chunk_bytes + TAG_BYTES
    current = handle.read(record_bytes)
    index = 0
    while True:
        following = handle.read(record_bytes) if len(current) == record_bytes else b""
        final = not following
        if len(current) < NONCE_BYTES + TAG_BYTES or (not final and len(current) != record_bytes):
            raise DocumentUnreadable(f"{what}: truncated")
        nonce, sealed = current[:NONCE_BYTES], current[NONCE_BYTES:]
        try:
            plaintext = aead.decrypt(nonce, sealed, _aad(encoded, document_id, index, final))
        except InvalidTag:
            raise DocumentUnreadable(f"{what}: chunk {index} failed authentication") from None
        if plaintext:
            yield plaintext
        if final:
            return
        current, index = following, index + 1


def key_id_of(handle: BinaryIO, what: str) -> str:
    """Return the key id a document file names."""
    return Header.read(handle, what).key_id

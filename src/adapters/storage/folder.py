"""Documents as encrypted files in a local folder: one file per document, written aside and renamed into place."""

from __future__ import annotations

import os
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from returns.result import Failure, Result, Success

from adapters.storage.chunks import DEFAULT_CHUNK_BYTES, MAX_CHUNK_BYTES, ChunkWriter, Header, check_keys, key_id_of
from adapters.storage.chunks import read_chunks as _read_chunks
from ivr_domain.shared.documents import DocumentUnreadable, StoredContent, Tally
from ivr_domain.shared.errors import TooLarge
from ivr_domain.shared.ids import DocumentId

SUFFIX = ".ivrdoc"


# Returns the cipher keys and the current key id; `True` asks for a re-read of their source now.
KeySource = Callable[[bool], tuple[Mapping[str, bytes], str]]


class LocalFolderDocumentStore:
    """AES-256-GCM chunked files under `root`, sharded by the id's last two hex digits, mode 0600.

    Takes the cipher keys (id to 32 bytes) and the current key id from the composition root: this
    family does not import the crypto adapters, so the formats stay independent.
    """

    def __init__(
        self,
        root: Path,
        keys: Mapping[str, bytes],
        current_key_id: str,
        *,
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
        follow: KeySource | None = None,
    ) -> None:
        """Use (and create, mode 0700) the folder; nothing is read until asked.

        `follow`, when given, is asked for the keys before each use, so a rotation reaches a running server.
        """
        if not 0 < chunk_bytes <= MAX_CHUNK_BYTES:
            raise ValueError(f"chunk size must be 1 to {MAX_CHUNK_BYTES} bytes")
        self._follow = follow
        self._keys = keys
        self._aeads_now = check_keys(keys, current_key_id)
        self._current_now = current_key_id
        self._chunk_bytes = chunk_bytes
        self.root = root
        root.mkdir(parents=True, exist_ok=True, mode=0o700)

    @property
    def current_key_id(self) -> str:
        """Return the id of the key new documents are encrypted under."""
        return self._current

    @property
    def _current(self) -> str:
        self._refresh()
        return self._current_now

    @property
    def _aeads(self) -> dict[str, AESGCM]:
        self._refresh()
        return self._aeads_now

    def _refresh(self, *, force: bool = False) -> None:
        if self._follow is None:
            return
        keys, current = self._follow(force)
        if keys is not self._keys or current != self._current_now:
            self._aeads_now, self._keys, self._current_now = check_keys(keys, current), keys, current

    def path_of(self, document_id: DocumentId) -> Path:
        """Return where a document's file lives."""
        return self.root / document_id.hex[-2:] / f"{document_id}{SUFFIX}"

    def put(
        self, document_id: DocumentId, chunks: Iterable[bytes], *, max_bytes: int
    ) -> Result[StoredContent, TooLarge]:
        """Encrypt the bytes into a new file; past the limit, or when `chunks` raises, nothing is left behind."""
        tally = Tally(max_bytes)

        def fill(writer: ChunkWriter) -> bool:
            for chunk in chunks:
                if not tally.add(chunk):
                    return False
                writer.feed(chunk)
            return True

        if not self._write(document_id, fill, replace=False):
            return Failure(tally.too_large())
        return Success(tally.result())

    def open(self, document_id: DocumentId) -> Iterator[bytes]:
        """Stream the plaintext, verifying every chunk; DocumentUnreadable when missing or tampered."""
        path = self.path_of(document_id)
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            raise DocumentUnreadable(f"document {document_id} is not stored") from None
        return self._stream(handle, document_id)

    def _stream(self, handle: BinaryIO, document_id: DocumentId) -> Iterator[bytes]:
        with handle:
            named = key_id_of(handle, f"document {document_id}")
            if named not in self._aeads:
                self._refresh(force=True)  # re-encrypted a moment ago under a key this process has not loaded
            handle.seek(0)
            yield from _read_chunks(handle, self._aeads, document_id, f"document {document_id}")

    def delete(self, document_id: DocumentId) -> None:
        """Remove a document's file; an absent one is no error."""
        self.path_of(document_id).unlink(missing_ok=True)

    def key_ids(self) -> Mapping[str, int]:
        """Return how many documents each key id protects (reads every file's header)."""
        return dict(Counter(self._key_id(path) for path in self._files()))

    def documents_under(self, key_id: str) -> Iterator[DocumentId]:
        """Yield the documents whose files name one key id."""
        for path in self._files():
            if self._key_id(path) == key_id:
                yield DocumentId(UUID(path.name.removesuffix(SUFFIX)))

    def reencrypt(self, document_id: DocumentId) -> bool:
        """Decrypt and re-encrypt under the current key, replacing the file atomically; False if already current."""
        path = self.path_of(document_id)
        try:
            with path.open("rb") as handle:
                if key_id_of(handle, f"document {document_id}") == self._current:
                    return False
        except FileNotFoundError:
            raise DocumentUnreadable(f"document {document_id} is not stored") from None

        def fill(writer: ChunkWriter) -> bool:
            for chunk in self.open(document_id):
                writer.feed(chunk)
            return True

        self._write(document_id, fill, replace=True)
        return True

    def _files(self) -> Iterator[Path]:
        yield from sorted(self.root.glob(f"*/*{SUFFIX}"))

    @staticmethod
    def _key_id(path: Path) -> str:
        with path.open("rb") as handle:
            return key_id_of(handle, f"document file {path.name}")

    def _write(self, document_id: DocumentId, fill: Callable[[ChunkWriter], bool], *, replace: bool) -> bool:
        """Write a document aside, then move it into place; False (and nothing kept) when `fill` gives up."""
        target = self.path_of(document_id)
        target.parent.mkdir(exist_ok=True, mode=0o700)
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                writer = ChunkWriter(handle, self._aeads[self._current], self._header(), document_id)
                if not fill(writer):
                    return False
                writer.close()
                handle.flush()
                os.fsync(handle.fileno())
            if replace:
                os.replace(temporary, target)
            else:
                os.link(temporary, target)  # fails if the id is taken: a stored document is never overwritten
            _sync_directory(target.parent)
        finally:
            temporary.unlink(missing_ok=True)
        return True

    def _header(self) -> Header:
        return Header(key_id=self._current, chunk_bytes=self._chunk_bytes)


def _sync_directory(folder: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)

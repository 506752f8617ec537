"""Document bytes held in memory (plaintext: for tests, demos and embedding), behaving like the folder store."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping

from returns.result import Failure, Result, Success

from ivr_domain.shared.documents import DocumentUnreadable, StoredContent, Tally
from ivr_domain.shared.errors import TooLarge
from ivr_domain.shared.ids import DocumentId

CHUNK_BYTES = 64 * 1024


class InMemoryDocumentStore:
    """Bytes by document id, each labelled with the key id it would be encrypted under, so rotation can be driven.

    Pass the same `blobs` mapping to a second store (with another current key id) to model a key change.
    """

    def __init__(
        self, current_key_id: str = "memory", blobs: dict[DocumentId, tuple[str, bytes]] | None = None
    ) -> None:
        """Start empty, or over blobs shared with another store."""
        self._current = current_key_id
        self._blobs: dict[DocumentId, tuple[str, bytes]] = {} if blobs is None else blobs
        self._lock = threading.Lock()

    @property
    def current_key_id(self) -> str:
        """Return the key id new documents are labelled with."""
        return self._current

    def put(
        self, document_id: DocumentId, chunks: Iterable[bytes], *, max_bytes: int
    ) -> Result[StoredContent, TooLarge]:
        """Keep the bytes unless they pass the limit; an exception from `chunks` leaves nothing behind."""
        tally = Tally(max_bytes)
        parts: list[bytes] = []
        for chunk in chunks:
            if not tally.add(chunk):
                return Failure(tally.too_large())
            parts.append(bytes(chunk))
        with self._lock:
            if document_id in self._blobs:
                raise FileExistsError(f"document {document_id} is already stored")
            self._blobs[document_id] = (self._current, b"".join(parts))
        return Success(tally.result())

    def open(self, document_id: DocumentId) -> Iterator[bytes]:
        """Stream the bytes back in chunks; DocumentUnreadable when absent."""
        with self._lock:
            found = self._blobs.get(document_id)
        if found is None:
            raise DocumentUnreadable(f"document {document_id} is not stored")
        return self._chunks(found[1])

    @staticmethod
    def _chunks(content: bytes) -> Iterator[bytes]:
        for start in range(0, len(content), CHUNK_BYTES):
            yield content[start : start + CHUNK_BYTES]

    def delete(self, document_id: DocumentId) -> None:
        """Forget a document's bytes."""
        with self._lock:
            self._blobs.pop(document_id, None)

    def key_ids(self) -> Mapping[str, int]:
        """Return how many documents each key id labels."""
        with self._lock:
            return dict(Counter(key_id for key_id, _ in self._blobs.values()))

    def documents_under(self, key_id: str) -> Iterator[DocumentId]:
        """Yield the documents labelled with one key id."""
        with self._lock:
            found = [doc for doc, (label, _) in self._blobs.items() if label == key_id]
        yield from found

    def reencrypt(self, document_id: DocumentId) -> bool:
        """Relabel a document with the current key id; False when it already was."""
        with self._lock:
            found = self._blobs.get(document_id)
            if found is None:
                raise DocumentUnreadable(f"document {document_id} is not stored")
            if found[0] == self._current:
                return False
            self._blobs[document_id] = (self._current, found[1])
            return True

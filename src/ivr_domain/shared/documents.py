"""Stored files, for every context that keeps documents: their metadata, the byte store's ports, sniffing and tallying.

The core never sees how bytes are kept (an encrypted folder, memory, later object storage); it streams
chunks in and out through `DocumentStore`, and key rotation re-encrypts them through `DocumentKeys`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from attrs import frozen
from returns.result import Result

from ivr_domain.shared.errors import FieldError, TooLarge, ValidationFailed
from ivr_domain.shared.ids import DocumentId, PatientId, PracticeId, UserId

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"

SNIFF_BYTES = 8
"""How many leading bytes `sniff_content_type` needs to decide."""

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"II*\x00", TIFF),  # little-endian TIFF
    (b"MM\x00*", TIFF),  # big-endian TIFF
)

EXTENSIONS: Mapping[str, str] = {PDF: "pdf", PNG: "png", JPEG: "jpg", TIFF: "tiff"}


class DocumentKind(StrEnum):
    """What a document is (DOMAIN.md), whoever owns it: a patient or an IVR."""

    INSURANCE_CARD_FRONT = "insurance_card_front"
    INSURANCE_CARD_BACK = "insurance_card_back"
    DEMOGRAPHICS = "demographics"
    CLINICAL_NOTES = "clinical_notes"
    WOUND_PHOTO = "wound_photo"
    SIGNED_FORM = "signed_form"
    OTHER = "other"


@frozen(kw_only=True)
class StoredDocument:
    """A document's metadata, whoever owns it: its bytes live encrypted in the document store, never in the database."""

    id: DocumentId
    patient_id: PatientId
    practice_id: PracticeId
    kind: DocumentKind
    content_type: str
    size: int
    sha256: str
    uploaded_by: UserId
    created_at: datetime

    @property
    def filename(self) -> str:
        """Return the download name: kind, id and extension, nothing the uploader typed (names carry PHI)."""
        return f"{self.kind.value}-{self.id}.{EXTENSIONS.get(self.content_type, 'bin')}"


D = TypeVar("D", bound=StoredDocument)


@frozen(kw_only=True)
class Download(Generic[D]):
    """A document's metadata and a way to stream its bytes, checked against the recorded size and digest."""

    document: D
    chunks: Callable[[], Iterator[bytes]]


@frozen(kw_only=True)
class UploadedFile:
    """An upload form as the edge read it: the kind named before the file, the file's chunks, the form's problems."""

    kind: str | None
    content: Iterable[bytes] | None
    problems: tuple[FieldError, ...] = ()


def sniff_content_type(head: bytes) -> str | None:
    """Return the media type a file's first bytes announce (PDF, PNG, JPEG, TIFF), or None for anything else."""
    return next((media for magic, media in _SIGNATURES if head.startswith(magic)), None)


@frozen(kw_only=True)
class StoredContent:
    """What a store learnt while keeping a file: its size, the SHA-256 of its plaintext, its sniffed type."""

    size: int
    sha256: str
    content_type: str | None


class Tally:
    """Counts, hashes and sniffs bytes as they pass, and says when they pass the limit; every store uses it."""

    def __init__(self, max_bytes: int) -> None:
        """Start counting towards a limit of `max_bytes`."""
        self.max_bytes = max_bytes
        self._size = 0
        self._digest = hashlib.sha256()
        self._head = b""

    def add(self, chunk: bytes) -> bool:
        """Account for a chunk; False once the total is past the limit (the chunk is then not hashed)."""
        self._size += len(chunk)
        if self._size > self.max_bytes:
            return False
        if len(self._head) < SNIFF_BYTES:
            self._head += chunk[: SNIFF_BYTES - len(self._head)]
        self._digest.update(chunk)
        return True

    def too_large(self) -> TooLarge:
        """Return the refusal of content past the limit."""
        return TooLarge(limit=self.max_bytes, detail=f"the file is larger than the limit of {self.max_bytes} bytes")

    def result(self) -> StoredContent:
        """Return the size, digest and sniffed type of everything added."""
        return StoredContent(
            size=self._size, sha256=self._digest.hexdigest(), content_type=sniff_content_type(self._head)
        )


class DocumentUnreadable(Exception):
    """Stored bytes are missing, tampered with, truncated or under a key that is not loaded: never served.

    Deliberately not a ValueError: streaming layers may read a ValueError as the end of a stream.
    """


class UploadRefused(Exception):
    """Raised by a chunk source to refuse an upload for its form (a field after the file): iterators cannot return."""

    def __init__(self, error: ValidationFailed) -> None:
        super().__init__(error.code)
        self.error = error


class DocumentStore(Protocol):
    """Keeps the bytes of documents, each under its own id; the metadata lives in the unit of work."""

    def put(
        self, document_id: DocumentId, chunks: Iterable[bytes], *, max_bytes: int
    ) -> Result[StoredContent, TooLarge]:
        """Store new bytes; past `max_bytes`, or when `chunks` raises, nothing is kept (the exception propagates)."""
        ...

    def open(self, document_id: DocumentId) -> Iterator[bytes]:
        """Stream the bytes back; raise DocumentUnreadable when they are missing or fail verification."""
        ...

    def delete(self, document_id: DocumentId) -> None:
        """Forget the bytes of a document; an absent document is no error."""
        ...


class DocumentKeys(Protocol):
    """Key rotation of a document store: which keys protect how many documents, and re-encryption."""

    @property
    def current_key_id(self) -> str:
        """Return the id of the key new documents are encrypted under."""
        ...

    def key_ids(self) -> Mapping[str, int]:
        """Return how many stored documents each key id protects."""
        ...

    def documents_under(self, key_id: str) -> Iterator[DocumentId]:
        """Yield the documents stored under one key id."""
        ...

    def reencrypt(self, document_id: DocumentId) -> bool:
        """Rewrite a document under the current key, atomically; False when it already was."""
        ...

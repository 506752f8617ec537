"""The steps every owner of documents (a patient, an IVR) shares: read the form, receive the bytes, serve them back.

An owner's use cases decide who may touch its documents and what the audit says; these functions do the
rest the same way for all: the kind is checked before any byte is kept, the type is sniffed from the first
bytes (PDF, PNG, JPEG, TIFF), the size limit is the store's, and a download is verified against the
recorded size and digest as it streams.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from itertools import chain
from typing import TypeAlias

from returns.result import Failure, Result

from ivr_domain.shared.documents import (
    JPEG,
    PDF,
    PNG,
    SNIFF_BYTES,
    TIFF,
    DocumentKind,
    DocumentStore,
    DocumentUnreadable,
    StoredContent,
    UploadedFile,
    UploadRefused,
    sniff_content_type,
)
from ivr_domain.shared.errors import (
    FieldError,
    InvalidTransition,
    NotFound,
    NotPermitted,
    TooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from ivr_domain.shared.ids import DocumentId

ACCEPTED_TYPES = (PDF, PNG, JPEG, TIFF)
DOCUMENT_SORTS = ("created_at",)

UploadError: TypeAlias = (
    NotFound | NotPermitted | InvalidTransition | ValidationFailed | TooLarge | UnsupportedMediaType
)
"""Every refusal of an upload, whoever owns the document: the owner's scope, role and state, then the file's own."""


def read_form(upload: UploadedFile) -> tuple[DocumentKind | None, ValidationFailed | None]:
    """Return the kind the form names, or every problem of the form at once (kind missing or unknown, no file)."""
    problems = list(upload.problems)
    kind = next((k for k in DocumentKind if k.value == upload.kind), None)
    if upload.kind is None:
        problems.append(FieldError(field="kind", message="is required, before the file"))
    elif kind is None:
        problems.append(FieldError(field="kind", message="must be one of " + ", ".join(DocumentKind)))
    if upload.content is None:
        problems.append(FieldError(field="file", message="is required"))
    return kind, ValidationFailed(errors=tuple(problems)) if problems else None


def _peek(chunks: Iterator[bytes], size: int) -> bytes:
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= size:
            break
    return head


def receive(
    store: DocumentStore, document_id: DocumentId, upload: UploadedFile, *, max_bytes: int
) -> Result[StoredContent, TooLarge | UnsupportedMediaType | ValidationFailed]:
    """Stream an upload's file into the store: 415 before a byte is kept, 413 past the limit, 422 a late field."""
    chunks = iter(upload.content or ())
    try:
        head = _peek(chunks, SNIFF_BYTES)
        if sniff_content_type(head) not in ACCEPTED_TYPES:
            return Failure(
                UnsupportedMediaType(
                    allowed=ACCEPTED_TYPES, detail="the file must be a PDF, PNG, JPEG or TIFF (read from its content)"
                )
            )
        return store.put(document_id, chain((head,), chunks), max_bytes=max_bytes)
    except UploadRefused as refused:
        return Failure(refused.error)


def verified(store: DocumentStore, document_id: DocumentId, *, size: int, sha256: str) -> Iterator[bytes]:
    """Stream the bytes, then check them against the metadata: a mismatch fails loudly, never silently."""
    digest = hashlib.sha256()
    seen = 0
    for chunk in store.open(document_id):
        seen += len(chunk)
        digest.update(chunk)
        yield chunk
    if seen != size or digest.hexdigest() != sha256:
        raise DocumentUnreadable(f"document {document_id} does not match its recorded size and digest")

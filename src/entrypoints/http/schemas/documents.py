"""Patient documents on the wire: metadata answers, and the OpenAPI of the multipart upload and the download."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar.openapi.spec import (
    Encoding,
    OpenAPIFormat,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)

from entrypoints.http.schemas.common import utc
from ivr_domain.patients.documents import ACCEPTED_TYPES, Document, DocumentKind
from ivr_domain.shared.documents import StoredDocument


class DocumentOut(msgspec.Struct, kw_only=True):
    """A stored document: no file name is kept; `sha256` is the hex digest of the plaintext."""

    id: UUID
    patient_id: UUID
    kind: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: UUID
    version: int
    created_at: datetime
    updated_at: datetime


class DocumentPage(msgspec.Struct, kw_only=True):
    """One page of a patient's documents."""

    items: list[DocumentOut]
    next_cursor: str | None


def document_fields(document: StoredDocument) -> dict[str, Any]:
    """Return the wire fields every document has; documents never change: version 1, updated_at is created_at."""
    at = utc(document.created_at)
    return {
        "id": document.id,
        "patient_id": document.patient_id,
        "kind": document.kind.value,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "uploaded_by": document.uploaded_by,
        "version": 1,
        "created_at": at,
        "updated_at": at,
    }


def document_out(document: Document) -> DocumentOut:
    """Return the wire form of a patient's document."""
    return DocumentOut(**document_fields(document))


def repr_digest(sha256_hex: str) -> str:
    """Return the RFC 9530 `Repr-Digest` value of a SHA-256 digest."""
    return f"sha-256=:{base64.b64encode(bytes.fromhex(sha256_hex)).decode('ascii')}:"


_UPLOAD_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    title="DocumentUpload",
    properties={
        "kind": Schema(type=OpenAPIType.STRING, enum=[k.value for k in DocumentKind]),
        "file": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY, description="PDF, PNG, JPEG or TIFF"),
    },
    required=["kind", "file"],
    additional_properties=False,
    description="`kind` must come before `file`, so the file streams into encrypted storage as it arrives",
)

_UPLOAD_BODY = RequestBody(
    required=True,
    content={
        "multipart/form-data": OpenAPIMediaType(
            schema=_UPLOAD_SCHEMA,
            encoding={"file": Encoding(content_type=", ".join(ACCEPTED_TYPES))},
        )
    },
)


@dataclass
class UploadOperation(Operation):
    """Publishes the multipart body the handler parses itself."""

    def __post_init__(self) -> None:
        self.request_body = _UPLOAD_BODY


def _header(description: str, pattern: str | None = None) -> OpenAPIHeader:
    return OpenAPIHeader(
        description=description, required=True, schema=Schema(type=OpenAPIType.STRING, pattern=pattern)
    )


_DOWNLOAD = OpenAPIResponse(
    description="The document's bytes, streamed",
    content={
        media: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY))
        for media in ACCEPTED_TYPES
    },
    headers={
        "Content-Disposition": _header('attachment; filename="<kind>-<id>.<ext>"'),
        "Repr-Digest": _header("RFC 9530 SHA-256 of the document", pattern=r"^sha-256=:[A-Za-z0-9+/]{43}=:$"),
        "Cache-Control": _header("no-store"),
    },
)


@dataclass
class DownloadOperation(Operation):
    """Publishes the binary answer of a download, in every media type a document may have."""

    def __post_init__(self) -> None:
        if self.responses is not None:
            self.responses["200"] = _DOWNLOAD

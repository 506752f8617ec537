"""IVR documents on the wire: metadata answers (the multipart upload and the download share the patient schemas)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from entrypoints.http.schemas.common import utc
from ivr_domain.ivr.documents import IvrDocument


class IvrDocumentOut(msgspec.Struct, kw_only=True):
    """A stored IVR document: no file name is kept; `sha256` is the hex digest of the plaintext."""

    id: UUID
    ivr_id: UUID
    patient_id: UUID
    kind: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: UUID
    version: int
    created_at: datetime
    updated_at: datetime


class IvrDocumentPage(msgspec.Struct, kw_only=True):
    """One page of an IVR's documents."""

    items: list[IvrDocumentOut]
    next_cursor: str | None


def ivr_document_out(document: IvrDocument) -> IvrDocumentOut:
    """Return the wire form of an IVR document; documents never change, so version is 1."""
    at = utc(document.created_at)
    return IvrDocumentOut(
        id=document.id,
        ivr_id=document.ivr_id,
        patient_id=document.patient_id,
        kind=document.kind.value,
        content_type=document.content_type,
        size=document.size,
        sha256=document.sha256,
        uploaded_by=document.uploaded_by,
        version=1,
        created_at=at,
        updated_at=at,
    )

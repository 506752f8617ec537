"""IVR documents on the wire: metadata answers (the multipart upload and the download share the patient schemas)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from entrypoints.http.schemas.documents import document_fields
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
    """Return the wire form of an IVR document."""
    return IvrDocumentOut(ivr_id=document.ivr_id, **document_fields(document))

"""IVR document metadata in SQL; the bytes are elsewhere, in the document store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, RowMapping, select, union

from adapters.sqlalchemy.repositories.common import cut_page, keyset
from adapters.sqlalchemy.tables import ivr_documents, patient_documents
from ivr_domain.ivr.documents import IvrDocument
from ivr_domain.shared.documents import DocumentKind
from ivr_domain.shared.ids import DocumentId, IvrId, PatientId, PracticeId, UserId
from ivr_domain.shared.paging import Page, PageRequest

_SORT_COLUMNS = {"created_at": ivr_documents.c.created_at}


def _values(document: IvrDocument) -> dict[str, Any]:
    return {
        "id": document.id,
        "ivr_id": document.ivr_id,
        "patient_id": document.patient_id,
        "practice_id": document.practice_id,
        "kind": document.kind.value,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "uploaded_by": document.uploaded_by,
        "created_at": document.created_at,
    }


def _document(row: RowMapping) -> IvrDocument:
    return IvrDocument(
        id=DocumentId(row["id"]),
        ivr_id=IvrId(row["ivr_id"]),
        patient_id=PatientId(row["patient_id"]),
        practice_id=PracticeId(row["practice_id"]),
        kind=DocumentKind(row["kind"]),
        content_type=row["content_type"],
        size=row["size"],
        sha256=row["sha256"],
        uploaded_by=UserId(row["uploaded_by"]),
        created_at=row["created_at"],
    )


class SqlAlchemyIvrDocumentRepository:
    """IVR document metadata on one connection's transaction."""

    def __init__(self, connection: Connection) -> None:
        """Work within the unit of work's transaction."""
        self._db = connection

    def add(self, document: IvrDocument) -> None:
        """Store a new document's metadata."""
        self._db.execute(ivr_documents.insert().values(**_values(document)))

    def get(self, document_id: DocumentId, *, ivr_id: IvrId) -> IvrDocument | None:
        """Return a document of this IVR, or None."""
        stmt = select(ivr_documents).where(ivr_documents.c.id == document_id, ivr_documents.c.ivr_id == ivr_id)
        row = self._db.execute(stmt).mappings().first()
        return _document(row) if row is not None else None

    def list(self, ivr_id: IvrId, *, kind: DocumentKind | None, page: PageRequest) -> Page[IvrDocument]:
        """Return one page of the IVR's documents, of one kind when `kind` is given."""
        stmt = select(ivr_documents).where(ivr_documents.c.ivr_id == ivr_id)
        if kind is not None:
            stmt = stmt.where(ivr_documents.c.kind == kind.value)
        rows = self._db.execute(keyset(stmt, page, _SORT_COLUMNS, ivr_documents.c.id)).mappings()
        items = [_document(r) for r in rows]
        return cut_page(items, page, {"created_at": lambda d: d.created_at}, lambda d: d.id)

    def kinds_present(self, ivr_id: IvrId, *, patient_id: PatientId) -> frozenset[DocumentKind]:
        """Return the kinds of the documents on this IVR and on its patient, in one query."""
        stmt = union(
            select(ivr_documents.c.kind).where(ivr_documents.c.ivr_id == ivr_id),
            select(patient_documents.c.kind).where(patient_documents.c.patient_id == patient_id),
        )
        return frozenset(DocumentKind(kind) for kind in self._db.execute(stmt).scalars())

"""Patient document metadata in SQL; the bytes are elsewhere, in the document store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, RowMapping, select

from adapters.sqlalchemy.repositories.common import cut_page, keyset
from adapters.sqlalchemy.tables import patient_documents
from ivr_domain.patients.documents import Document, DocumentKind
from ivr_domain.shared.ids import DocumentId, PatientId, PracticeId, UserId
from ivr_domain.shared.paging import Page, PageRequest

_SORT_COLUMNS = {"created_at": patient_documents.c.created_at}


def _values(document: Document) -> dict[str, Any]:
    return {
        "id": document.id,
        "patient_id": document.patient_id,
        "practice_id": document.practice_id,
        "kind": document.kind.value,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "uploaded_by": document.uploaded_by,
        "created_at": document.created_at,
    }


def _document(row: RowMapping) -> Document:
    return Document(
        id=DocumentId(row["id"]),
        patient_id=PatientId(row["patient_id"]),
        practice_id=PracticeId(row["practice_id"]),
        kind=DocumentKind(row["kind"]),
        content_type=row["content_type"],
        size=row["size"],
        sha256=row["sha256"],
        uploaded_by=UserId(row["uploaded_by"]),
        created_at=row["created_at"],
    )


class SqlAlchemyDocumentRepository:
    """Document metadata on one connection's transaction."""

    def __init__(self, connection: Connection) -> None:
        """Work within the unit of work's transaction."""
        self._db = connection

    def add(self, document: Document) -> None:
        """Store a new document's metadata."""
        self._db.execute(patient_documents.insert().values(**_values(document)))

    def get(self, document_id: DocumentId, *, patient_id: PatientId) -> Document | None:
        """Return a document of this patient, or None."""
        stmt = select(patient_documents).where(
            patient_documents.c.id == document_id, patient_documents.c.patient_id == patient_id
        )
        row = self._db.execute(stmt).mappings().first()
        return _document(row) if row is not None else None

    def list(self, patient_id: PatientId, *, page: PageRequest) -> Page[Document]:
        """Return one page of the patient's documents."""
        stmt = select(patient_documents).where(patient_documents.c.patient_id == patient_id)
        rows = self._db.execute(keyset(stmt, page, _SORT_COLUMNS, patient_documents.c.id)).mappings()
        items = [_document(r) for r in rows]
        return cut_page(items, page, {"created_at": lambda d: d.created_at}, lambda d: d.id)

"""IVR document metadata in SQL; the bytes are elsewhere, in the document store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, RowMapping, select, union

from adapters.sqlalchemy.repositories.document_rows import DocumentRows, document_fields, document_values
from adapters.sqlalchemy.tables import ivr_documents, patient_documents
from ivr_domain.ivr.documents import IvrDocument
from ivr_domain.shared.documents import DocumentKind
from ivr_domain.shared.ids import DocumentId, IvrId, PatientId
from ivr_domain.shared.paging import Page, PageRequest


def _values(document: IvrDocument) -> dict[str, Any]:
    return {"ivr_id": document.ivr_id, **document_values(document)}


def _document(row: RowMapping) -> IvrDocument:
    return IvrDocument(ivr_id=IvrId(row["ivr_id"]), **document_fields(row))


class SqlAlchemyIvrDocumentRepository(DocumentRows[IvrDocument]):
    """IVR document metadata on one connection's transaction."""

    def __init__(self, connection: Connection) -> None:
        """Work within the unit of work's transaction."""
        super().__init__(connection, ivr_documents, read=_document, values=_values)

    def get(self, document_id: DocumentId, *, ivr_id: IvrId) -> IvrDocument | None:
        """Return a document of this IVR, or None."""
        return self._get(document_id, ivr_documents.c.ivr_id == ivr_id)

    def list(self, ivr_id: IvrId, *, kind: DocumentKind | None, page: PageRequest) -> Page[IvrDocument]:
        """Return one page of the IVR's documents, of one kind when `kind` is given."""
        of_kind = () if kind is None else (ivr_documents.c.kind == kind.value,)
        return self._list(page, ivr_documents.c.ivr_id == ivr_id, *of_kind)

    def kinds_present(self, ivr_id: IvrId, *, patient_id: PatientId) -> frozenset[DocumentKind]:
        """Return the kinds of the documents on this IVR and on its patient, in one query."""
        stmt = union(
            select(ivr_documents.c.kind).where(ivr_documents.c.ivr_id == ivr_id),
            select(patient_documents.c.kind).where(patient_documents.c.patient_id == patient_id),
        )
        return frozenset(DocumentKind(kind) for kind in self._db.execute(stmt).scalars())

"""Patient document metadata in SQL; the bytes are elsewhere, in the document store."""

from __future__ import annotations

from sqlalchemy import Connection

from adapters.sqlalchemy.repositories.document_rows import DocumentRows, document_fields, document_values
from adapters.sqlalchemy.tables import patient_documents
from ivr_domain.patients.documents import Document
from ivr_domain.shared.ids import DocumentId, PatientId
from ivr_domain.shared.paging import Page, PageRequest


class SqlAlchemyDocumentRepository(DocumentRows[Document]):
    """Document metadata on one connection's transaction."""

    def __init__(self, connection: Connection) -> None:
        """Work within the unit of work's transaction."""
        super().__init__(
            connection, patient_documents, read=lambda row: Document(**document_fields(row)), values=document_values
        )

    def get(self, document_id: DocumentId, *, patient_id: PatientId) -> Document | None:
        """Return a document of this patient, or None."""
        return self._get(document_id, patient_documents.c.patient_id == patient_id)

    def list(self, patient_id: PatientId, *, page: PageRequest) -> Page[Document]:
        """Return one page of the patient's documents."""
        return self._list(page, patient_documents.c.patient_id == patient_id)

"""Patient document metadata held in memory, paged like the SQL adapter."""

from __future__ import annotations

from adapters.memory.paging import keyset_page
from adapters.memory.workspace import Workspace
from ivr_domain.patients.documents import Document
from ivr_domain.shared.ids import DocumentId, PatientId
from ivr_domain.shared.paging import Page, PageRequest


class InMemoryDocumentRepository:
    """Document metadata of one unit of work."""

    def __init__(self, workspace: Workspace) -> None:
        """Work within one transaction's tables."""
        self._ws = workspace

    def add(self, document: Document) -> None:
        """Store a new document's metadata."""
        self._ws.claim_new("documents", document.id)
        self._ws.documents.put(document.id, document)

    def get(self, document_id: DocumentId, *, patient_id: PatientId) -> Document | None:
        """Return a document of this patient, or None."""
        found = self._ws.documents.get(document_id)
        return found if found is not None and found.patient_id == patient_id else None

    def list(self, patient_id: PatientId, *, page: PageRequest) -> Page[Document]:
        """Return one page of the patient's documents."""
        rows = (d for d in self._ws.documents.values() if d.patient_id == patient_id)
        return keyset_page(rows, page, {"created_at": lambda d: d.created_at}, lambda d: d.id)

"""IVR document metadata held in memory, paged like the SQL adapter."""

from __future__ import annotations

from adapters.memory.paging import keyset_page
from adapters.memory.workspace import Workspace
from ivr_domain.ivr.documents import IvrDocument
from ivr_domain.shared.documents import DocumentKind
from ivr_domain.shared.ids import DocumentId, IvrId, PatientId
from ivr_domain.shared.paging import Page, PageRequest


class InMemoryIvrDocumentRepository:
    """IVR document metadata of one unit of work."""

    def __init__(self, workspace: Workspace) -> None:
        """Work within one transaction's tables."""
        self._ws = workspace

    def add(self, document: IvrDocument) -> None:
        """Store a new document's metadata."""
        self._ws.claim_new("ivr_documents", document.id)
        self._ws.ivr_documents.put(document.id, document)

    def get(self, document_id: DocumentId, *, ivr_id: IvrId) -> IvrDocument | None:
        """Return a document of this IVR, or None."""
        found = self._ws.ivr_documents.get(document_id)
        return found if found is not None and found.ivr_id == ivr_id else None

    def list(self, ivr_id: IvrId, *, kind: DocumentKind | None, page: PageRequest) -> Page[IvrDocument]:
        """Return one page of the IVR's documents, of one kind when `kind` is given."""
        rows = (d for d in self._ws.ivr_documents.values() if d.ivr_id == ivr_id and (kind is None or d.kind is kind))
        return keyset_page(rows, page, {"created_at": lambda d: d.created_at}, lambda d: d.id)

    def kinds_present(self, ivr_id: IvrId, *, patient_id: PatientId) -> frozenset[DocumentKind]:
        """Return the kinds of the documents on this IVR and on its patient."""
        on_ivr = (d.kind for d in self._ws.ivr_documents.values() if d.ivr_id == ivr_id)
        on_patient = (d.kind for d in self._ws.documents.values() if d.patient_id == patient_id)
        return frozenset((*on_ivr, *on_patient))

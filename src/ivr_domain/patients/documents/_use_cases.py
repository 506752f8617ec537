"""Patient document use cases: upload (streamed into the store), list, and download (verified)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypedDict

from attrs import frozen
from returns.result import Failure, Result, Success

from ivr_domain.patients.documents._model import (
    LIST,
    READ,
    RESOURCE,
    UPLOAD,
    Document,
    DocumentsUnitOfWork,
    UploadDocument,
    may_read_documents,
    may_write_documents,
)
from ivr_domain.patients.model import Patient
from ivr_domain.shared.actor import Actor
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.document_files import DOCUMENT_SORTS, UploadError, read_form, receive, verified
from ivr_domain.shared.documents import DocumentKind, DocumentStore, Download, StoredContent
from ivr_domain.shared.errors import InvalidQuery, InvalidTransition, NotFound, NotPermitted, ValidationFailed
from ivr_domain.shared.ids import DocumentId, PatientId, new_id
from ivr_domain.shared.paging import Page, PageRequest
from ivr_domain.shared.validation import check_page


class _About(TypedDict):
    resource_type: str
    patients: tuple[PatientId, ...]


def _about(patient_id: PatientId) -> _About:
    return {"resource_type": RESOURCE, "patients": (patient_id,)}


@frozen(kw_only=True)
class UploadDocumentHandler:
    """Streams a file into the document store and records it, refusing types other than PDF, PNG, JPEG, TIFF."""

    uow: Callable[[], DocumentsUnitOfWork]
    store: DocumentStore
    audit: AuditTrail
    clock: Clock
    max_bytes: int

    def __call__(self, actor: Actor, cmd: UploadDocument) -> Result[Document, UploadError]:
        """Answer in order: 404 scope, 403 role, 409 archived, 422 fields, 415 sniffed type, 413 size; else store."""
        about = _about(cmd.patient_id)
        with self.uow() as uow:
            patient = uow.patients.get(cmd.patient_id, scope=actor.scope)
        if patient is None:
            return self.audit.refused(actor, UPLOAD, NotFound(entity="patient", id=str(cmd.patient_id)), **about)
        if not may_write_documents(actor):
            return self.audit.refused(actor, UPLOAD, NotPermitted(action=UPLOAD), **about)
        if patient.archived:
            archived = InvalidTransition(entity="patient", status="archived", trigger="upload_document")
            return self.audit.refused(actor, UPLOAD, archived, **about)
        kind, problem = read_form(cmd.file)
        if problem is not None or kind is None:
            return self.audit.refused(actor, UPLOAD, problem or ValidationFailed(errors=()), **about)
        document_id = DocumentId(new_id())
        # No transaction is open while the bytes stream in: a slow upload must not hold database locks.
        match receive(self.store, document_id, cmd.file, max_bytes=self.max_bytes):
            case Failure(error):
                return self.audit.refused(actor, UPLOAD, error, resource_id=document_id, **about)
            case Success(content):
                pass
        try:
            return Success(self._record(actor, patient, document_id, kind, content))
        except BaseException:
            self.store.delete(document_id)  # metadata never committed: its bytes must not linger
            raise

    def _record(
        self, actor: Actor, patient: Patient, document_id: DocumentId, kind: DocumentKind, content: StoredContent
    ) -> Document:
        document = Document(
            id=document_id,
            patient_id=patient.id,
            practice_id=patient.practice_id,
            kind=kind,
            content_type=content.content_type or "application/octet-stream",
            size=content.size,
            sha256=content.sha256,
            uploaded_by=actor.user_id,
            created_at=self.clock.now(),
        )
        with self.uow() as uow:
            uow.documents.add(document)
            uow.audit.append(self.audit.entry(actor, UPLOAD, resource_id=document.id, **_about(patient.id)))
            uow.commit()
        return document


@frozen(kw_only=True)
class ListDocumentsHandler:
    """Lists a patient's documents, newest first by default."""

    uow: Callable[[], DocumentsUnitOfWork]
    audit: AuditTrail

    def __call__(
        self, actor: Actor, patient_id: PatientId, page: PageRequest
    ) -> Result[Page[Document], NotFound | NotPermitted | InvalidQuery]:
        """Return one page; 404 outside scope, 403 without the full projection, 400 for a bad sort or cursor."""
        about = _about(patient_id)
        with self.uow() as uow:
            reachable = uow.patients.get(patient_id, scope=actor.scope) is not None
        if not reachable:
            return self.audit.refused(actor, LIST, NotFound(entity="patient", id=str(patient_id)), **about)
        if not may_read_documents(actor):
            return self.audit.refused(actor, LIST, NotPermitted(action=LIST), **about)
        bad = check_page(page, DOCUMENT_SORTS)
        if bad is not None:
            return self.audit.refused(actor, LIST, bad, **about)
        with self.uow() as uow:
            found = uow.documents.list(patient_id, page=page)
            uow.audit.append(self.audit.entry(actor, LIST, **about))
            uow.commit()
        return Success(found)


@frozen(kw_only=True)
class GetDocumentHandler:
    """Opens one document for download; the read is audited before a byte leaves."""

    uow: Callable[[], DocumentsUnitOfWork]
    store: DocumentStore
    audit: AuditTrail

    def __call__(
        self, actor: Actor, patient_id: PatientId, document_id: DocumentId
    ) -> Result[Download[Document], NotFound | NotPermitted]:
        """Return the metadata and a chunk stream; 404 outside scope or unknown, 403 without the full projection."""
        about = _about(patient_id)
        with self.uow() as uow:
            reachable = uow.patients.get(patient_id, scope=actor.scope) is not None
            document = uow.documents.get(document_id, patient_id=patient_id) if reachable else None
        if not reachable:
            return self.audit.refused(actor, READ, NotFound(entity="patient", id=str(patient_id)), **about)
        if not may_read_documents(actor):
            return self.audit.refused(actor, READ, NotPermitted(action=READ), resource_id=document_id, **about)
        if document is None:
            missing = NotFound(entity="document", id=str(document_id))
            return self.audit.refused(actor, READ, missing, resource_id=document_id, **about)
        with self.uow() as uow:
            uow.audit.append(self.audit.entry(actor, READ, resource_id=document.id, **about))
            uow.commit()
        chunks = partial(verified, self.store, document.id, size=document.size, sha256=document.sha256)
        return Success(Download(document=document, chunks=chunks))

"""Patient document use cases: upload (streamed into the store), list, and download (verified)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from functools import partial
from itertools import chain
from typing import TypedDict

from attrs import frozen
from returns.result import Failure, Result, Success

from ivr_domain.patients.documents._model import (
    ACCEPTED_TYPES,
    DOCUMENT_SORTS,
    LIST,
    READ,
    RESOURCE,
    UPLOAD,
    Document,
    DocumentDownload,
    DocumentKind,
    DocumentsUnitOfWork,
    UploadDocument,
    UploadDocumentError,
    may_read_documents,
    may_write_documents,
)
from ivr_domain.patients.model import Patient
from ivr_domain.shared.actor import Actor
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.documents import (
    SNIFF_BYTES,
    DocumentStore,
    DocumentUnreadable,
    StoredContent,
    UploadRefused,
    sniff_content_type,
)
from ivr_domain.shared.errors import (
    FieldError,
    InvalidQuery,
    InvalidTransition,
    NotFound,
    NotPermitted,
    TooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from ivr_domain.shared.ids import DocumentId, PatientId, new_id
from ivr_domain.shared.paging import Page, PageRequest
from ivr_domain.shared.validation import check_page


class _About(TypedDict):
    resource_type: str
    patients: tuple[PatientId, ...]


def _about(patient_id: PatientId) -> _About:
    return {"resource_type": RESOURCE, "patients": (patient_id,)}


def _form_problem(cmd: UploadDocument) -> tuple[DocumentKind | None, ValidationFailed | None]:
    problems = list(cmd.problems)
    kind = next((k for k in DocumentKind if k.value == cmd.kind), None)
    if cmd.kind is None:
        problems.append(FieldError(field="kind", message="is required, before the file"))
    elif kind is None:
        problems.append(FieldError(field="kind", message="must be one of " + ", ".join(DocumentKind)))
    if cmd.content is None:
        problems.append(FieldError(field="file", message="is required"))
    return kind, ValidationFailed(errors=tuple(problems)) if problems else None


def _peek(chunks: Iterator[bytes], size: int) -> bytes:
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= size:
            break
    return head


@frozen(kw_only=True)
class UploadDocumentHandler:
    """Streams a file into the document store and records it, refusing types other than PDF, PNG, JPEG, TIFF."""

    uow: Callable[[], DocumentsUnitOfWork]
    store: DocumentStore
    audit: AuditTrail
    clock: Clock
    max_bytes: int

    def __call__(self, actor: Actor, cmd: UploadDocument) -> Result[Document, UploadDocumentError]:
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
        kind, problem = _form_problem(cmd)
        if problem is not None or kind is None or cmd.content is None:
            return self.audit.refused(actor, UPLOAD, problem or ValidationFailed(errors=()), **about)
        document_id = DocumentId(new_id())
        # No transaction is open while the bytes stream in: a slow upload must not hold database locks.
        try:
            stored = self._store(document_id, iter(cmd.content))
        except UploadRefused as refused:
            return self.audit.refused(actor, UPLOAD, refused.error, resource_id=document_id, **about)
        match stored:
            case Failure(error):
                return self.audit.refused(actor, UPLOAD, error, resource_id=document_id, **about)
            case Success(content):
                pass
        try:
            return Success(self._record(actor, patient, document_id, kind, content))
        except BaseException:
            self.store.delete(document_id)  # metadata never committed: its bytes must not linger
            raise

    def _store(
        self, document_id: DocumentId, chunks: Iterator[bytes]
    ) -> Result[StoredContent, TooLarge | UnsupportedMediaType]:
        head = _peek(chunks, SNIFF_BYTES)
        unsupported = UnsupportedMediaType(
            allowed=ACCEPTED_TYPES, detail="the file must be a PDF, PNG, JPEG or TIFF (read from its content)"
        )
        if sniff_content_type(head) not in ACCEPTED_TYPES:
            return Failure(unsupported)  # refused before a single byte is stored
        return self.store.put(document_id, chain((head,), chunks), max_bytes=self.max_bytes)

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
    ) -> Result[DocumentDownload, NotFound | NotPermitted]:
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
        return Success(DocumentDownload(document=document, chunks=partial(_verified, self.store, document)))


def _verified(store: DocumentStore, document: Document) -> Iterator[bytes]:
    """Stream the bytes, then check them against the metadata: a mismatch fails loudly, never silently."""
    digest = hashlib.sha256()
    size = 0
    for chunk in store.open(document.id):
        size += len(chunk)
        digest.update(chunk)
        yield chunk
    if size != document.size or digest.hexdigest() != document.sha256:
        raise DocumentUnreadable(f"document {document.id} does not match its recorded size and digest")

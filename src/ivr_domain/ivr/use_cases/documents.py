"""IVR document use cases: upload (streamed into the store), list, and download (verified); all audited.

Every request, refusals included, leaves one audit record; once the IVR is within reach it names the
IVR's patient. Refusals answer in API.md's order: 404 scope, 403 role/practice/reviewer, 409 state,
422 form, 415 sniffed type, 413 size.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from attrs import frozen
from returns.result import Failure, Result, Success

from ivr_domain.ivr.documents import (
    LIST,
    READ,
    RESOURCE,
    UPLOAD,
    IvrDocument,
    UploadIvrDocument,
    may_read_documents,
    may_upload,
    upload_states,
)
from ivr_domain.ivr.lifecycle import allowed_actions
from ivr_domain.ivr.model import Ivr
from ivr_domain.ivr.ports import IvrUnitOfWork
from ivr_domain.shared.actor import Actor
from ivr_domain.shared.audit import AuditEntry, AuditTrail
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.document_files import DOCUMENT_SORTS, UploadError, read_form, receive, verified
from ivr_domain.shared.documents import DocumentKind, DocumentStore, Download, StoredContent
from ivr_domain.shared.errors import (
    DomainError,
    InvalidQuery,
    InvalidTransition,
    NotFound,
    NotPermitted,
    ValidationFailed,
)
from ivr_domain.shared.ids import DocumentId, IvrId, new_id
from ivr_domain.shared.paging import Page, PageRequest
from ivr_domain.shared.validation import check_page

E = TypeVar("E", bound=DomainError)
UPLOAD_TRIGGER = "upload_document"


def _reach(uow: Callable[[], IvrUnitOfWork], actor: Actor, ivr_id: IvrId) -> Ivr | None:
    with uow() as u:
        return u.ivrs.get(ivr_id, scope=actor.scope)


@frozen(kw_only=True)
class _About:
    """What the audit record of a request about one IVR's documents names."""

    audit: AuditTrail
    actor: Actor
    action: str
    ivr: Ivr

    def refused(self, error: E, *, resource_type: str = RESOURCE, resource_id: object = None) -> Failure[E]:
        """Record a refusal naming the IVR's patient, and return it as the failure."""
        patients = (self.ivr.patient_id,)
        return self.audit.refused(
            self.actor, self.action, error, resource_type=resource_type, resource_id=resource_id, patients=patients
        )

    def entry(self, *, resource_type: str = RESOURCE, resource_id: object = None) -> AuditEntry:
        """Describe the request's success, naming the IVR's patient."""
        patients = (self.ivr.patient_id,)
        return self.audit.entry(
            self.actor, self.action, resource_type=resource_type, resource_id=resource_id, patients=patients
        )


def _closed_to(actor: Actor, ivr: Ivr) -> InvalidTransition | None:
    """Return the 409 of an IVR whose state does not take this actor's documents, or None."""
    if ivr.status in upload_states(actor, ivr):
        return None
    return InvalidTransition(
        entity="ivr",
        status=ivr.status.value,
        trigger=UPLOAD_TRIGGER,
        allowed=allowed_actions(actor, ivr),
        detail=f"documents cannot be added by this caller to an IVR in status {ivr.status.value}",
    )


def _unreachable(audit: AuditTrail, actor: Actor, action: str, ivr_id: IvrId) -> Failure[NotFound]:
    # Outside scope the IVR's patient is not looked up: the refusal names the IVR id the caller sent.
    return audit.refused(actor, action, NotFound(entity="ivr", id=str(ivr_id)), resource_type="ivr", resource_id=ivr_id)


@frozen(kw_only=True)
class UploadIvrDocumentHandler:
    """Streams a file into the document store and records it on the IVR."""

    uow: Callable[[], IvrUnitOfWork]
    store: DocumentStore
    audit: AuditTrail
    clock: Clock
    max_bytes: int

    def __call__(self, actor: Actor, cmd: UploadIvrDocument) -> Result[IvrDocument, UploadError]:
        """Answer in order: 404 scope, 403 role, 409 state, 422 form, 415 sniffed type, 413 size; else store."""
        ivr = _reach(self.uow, actor, cmd.ivr_id)
        if ivr is None:
            return _unreachable(self.audit, actor, UPLOAD, cmd.ivr_id)
        about = _About(audit=self.audit, actor=actor, action=UPLOAD, ivr=ivr)
        if not may_upload(actor, ivr):
            return about.refused(NotPermitted(action=UPLOAD))
        closed = _closed_to(actor, ivr)
        if closed is not None:
            return about.refused(closed)
        kind, problem = read_form(cmd.file)
        if problem is not None or kind is None:
            return about.refused(problem or ValidationFailed(errors=()))
        document_id = DocumentId(new_id())
        # No transaction is open while the bytes stream in: a slow upload must not hold database locks.
        match receive(self.store, document_id, cmd.file, max_bytes=self.max_bytes):
            case Failure(error):
                return about.refused(error, resource_id=document_id)
            case Success(content):
                pass
        try:
            recorded = self._record(about, document_id, kind, content)
        except BaseException:
            self.store.delete(document_id)  # metadata never committed: its bytes must not linger
            raise
        if isinstance(recorded, InvalidTransition):
            self.store.delete(document_id)
            return about.refused(recorded, resource_id=document_id)
        return Success(recorded)

    def _record(
        self, about: _About, document_id: DocumentId, kind: DocumentKind, content: StoredContent
    ) -> IvrDocument | InvalidTransition:
        ivr = about.ivr
        document = IvrDocument(
            id=document_id,
            ivr_id=ivr.id,
            patient_id=ivr.patient_id,
            practice_id=ivr.practice_id,
            kind=kind,
            content_type=content.content_type or "application/octet-stream",
            size=content.size,
            sha256=content.sha256,
            uploaded_by=about.actor.user_id,
            created_at=self.clock.now(),
        )
        with self.uow() as uow:
            # The IVR may have been decided while the bytes streamed in: check its state again, in this transaction.
            # IVRs are never deleted; one that left the caller's reach meanwhile is judged as it was.
            closed = _closed_to(about.actor, uow.ivrs.get(ivr.id, scope=about.actor.scope) or ivr)
            if closed is not None:
                return closed
            uow.ivr_documents.add(document)
            uow.audit.append(about.entry(resource_id=document.id))
            uow.commit()
        return document


@frozen(kw_only=True)
class ListIvrDocumentsHandler:
    """Lists an IVR's documents, newest first by default, optionally of one kind."""

    uow: Callable[[], IvrUnitOfWork]
    audit: AuditTrail

    def __call__(
        self, actor: Actor, ivr_id: IvrId, page: PageRequest, *, kind: DocumentKind | None = None
    ) -> Result[Page[IvrDocument], NotFound | NotPermitted | InvalidQuery]:
        """Return one page; 404 outside scope, 403 without the full projection, 400 for a bad sort or cursor."""
        ivr = _reach(self.uow, actor, ivr_id)
        if ivr is None:
            return _unreachable(self.audit, actor, LIST, ivr_id)
        about = _About(audit=self.audit, actor=actor, action=LIST, ivr=ivr)
        if not may_read_documents(actor):
            return about.refused(NotPermitted(action=LIST), resource_type="ivr", resource_id=ivr_id)
        bad = check_page(page, DOCUMENT_SORTS)
        if bad is not None:
            return about.refused(bad, resource_type="ivr", resource_id=ivr_id)
        with self.uow() as uow:
            found = uow.ivr_documents.list(ivr_id, kind=kind, page=page)
            uow.audit.append(about.entry(resource_type="ivr", resource_id=ivr_id))
            uow.commit()
        return Success(found)


@frozen(kw_only=True)
class GetIvrDocumentHandler:
    """Opens one IVR document for download; the read is audited before a byte leaves."""

    uow: Callable[[], IvrUnitOfWork]
    store: DocumentStore
    audit: AuditTrail

    def __call__(
        self, actor: Actor, ivr_id: IvrId, document_id: DocumentId
    ) -> Result[Download[IvrDocument], NotFound | NotPermitted]:
        """Return the metadata and a chunk stream; 404 outside scope or unknown, 403 without the full projection."""
        with self.uow() as uow:
            ivr = uow.ivrs.get(ivr_id, scope=actor.scope)
            document = uow.ivr_documents.get(document_id, ivr_id=ivr_id) if ivr is not None else None
        if ivr is None:
            return _unreachable(self.audit, actor, READ, ivr_id)
        about = _About(audit=self.audit, actor=actor, action=READ, ivr=ivr)
        if not may_read_documents(actor):
            return about.refused(NotPermitted(action=READ), resource_id=document_id)
        if document is None:
            return about.refused(NotFound(entity="document", id=str(document_id)), resource_id=document_id)
        with self.uow() as uow:
            uow.audit.append(about.entry(resource_id=document_id))
            uow.commit()
        chunks = partial(verified, self.store, document.id, size=document.size, sha256=document.sha256)
        return Success(Download(document=document, chunks=chunks))

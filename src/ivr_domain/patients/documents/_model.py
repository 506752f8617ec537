"""Patient documents: kinds, metadata, ports, who may touch them, and the commands.

Documents are PHI: they are read and written exactly where the patient is (404 outside scope), and only
by roles with the full projection (the sales hierarchy's masked view has no documents; 403). No file
name is kept, since names carry PHI ("smith-ulcer.jpg"): downloads are named `<kind>-<id>.<ext>`.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from typing import Protocol

from attrs import frozen

from ivr_domain.patients.ports import PatientRepository
from ivr_domain.shared.actor import Actor, Permission, Projection
from ivr_domain.shared.audit import AuditLog
from ivr_domain.shared.documents import StoredDocument, UploadedFile
from ivr_domain.shared.errors import FieldError
from ivr_domain.shared.ids import DocumentId, PatientId
from ivr_domain.shared.paging import Page, PageRequest

RESOURCE = "patient_document"
UPLOAD = "patients.documents.upload"
LIST = "patients.documents.list"
READ = "patients.documents.read"


@frozen(kw_only=True)
class Document(StoredDocument):
    """A stored file of a patient."""


class DocumentRepository(Protocol):
    """Document metadata, in the unit of work's transaction."""

    def add(self, document: Document) -> None:
        """Store a new document's metadata."""
        ...

    def get(self, document_id: DocumentId, *, patient_id: PatientId) -> Document | None:
        """Return a document of this patient, or None."""
        ...

    def list(self, patient_id: PatientId, *, page: PageRequest) -> Page[Document]:
        """Return one page of the patient's documents."""
        ...


class DocumentsUnitOfWork(Protocol):
    """One transaction over patients, their documents' metadata and the audit log."""

    patients: PatientRepository
    documents: DocumentRepository
    audit: AuditLog

    def __enter__(self) -> DocumentsUnitOfWork:
        """Begin the transaction."""
        ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    def commit(self) -> None:
        """Make the transaction's writes durable."""
        ...


def may_read_documents(actor: Actor) -> bool:
    """Tell whether the actor may list and download documents: patients.read and the full projection."""
    return actor.can(Permission.PATIENTS_READ) and actor.projection is Projection.FULL


def may_write_documents(actor: Actor) -> bool:
    """Tell whether the actor may upload documents: patients.write and the full projection."""
    return actor.can(Permission.PATIENTS_WRITE) and actor.projection is Projection.FULL


@frozen(kw_only=True)
class UploadDocument:
    """An upload: the kind the sender named before the file, the file's chunks, and the edge's field problems."""

    patient_id: PatientId
    kind: str | None
    content: Iterable[bytes] | None
    problems: tuple[FieldError, ...] = ()

    @property
    def file(self) -> UploadedFile:
        """Return the form without its owner, as the shared document steps take it."""
        return UploadedFile(kind=self.kind, content=self.content, problems=self.problems)

"""IVR documents: what payers ask for (cards, notes, photos), kept with the IVR, and who may touch them when.

Documents are PHI. They are reached exactly where the IVR is (404 outside scope) and only in the full
projection: the sales hierarchy's masked IVR has no documents (403). Uploads are for the practice while
the IVR is theirs to work on (draft, submitted, info_requested) and for verification staff while it is
open (the reviewer's, once it has one); nobody adds to a decided or closed IVR (409). A submit may
require kinds: a document of the kind on the IVR or on its patient counts (a card on the patient
serves every IVR of that patient).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Protocol

from attrs import frozen

from ivr_domain.ivr.lifecycle import OPEN_STATES, is_practice_party, is_reviewer_party, may_read
from ivr_domain.ivr.model import Ivr, IvrStatus
from ivr_domain.shared.actor import Actor, Projection
from ivr_domain.shared.documents import DocumentKind, StoredDocument, UploadedFile
from ivr_domain.shared.errors import FieldError
from ivr_domain.shared.ids import DocumentId, IvrId, PatientId
from ivr_domain.shared.paging import Page, PageRequest

RESOURCE = "ivr_document"
UPLOAD = "ivrs.documents.upload"
LIST = "ivrs.documents.list"
READ = "ivrs.documents.read"

PRACTICE_UPLOAD_STATES: Final = frozenset({IvrStatus.DRAFT, IvrStatus.SUBMITTED, IvrStatus.INFO_REQUESTED})
"""While the practice may still add to its IVR: before review, and when the reviewer asked for more."""
REVIEWER_UPLOAD_STATES: Final = OPEN_STATES
"""While verification staff may add to an IVR (a payer's fax, a call note): as long as it is open."""


@frozen(kw_only=True)
class IvrDocument(StoredDocument):
    """A stored file of an IVR; its patient is the IVR's."""

    ivr_id: IvrId


class IvrDocumentRepository(Protocol):
    """IVR document metadata, in the unit of work's transaction."""

    def add(self, document: IvrDocument) -> None:
        """Store a new document's metadata."""
        ...

    def get(self, document_id: DocumentId, *, ivr_id: IvrId) -> IvrDocument | None:
        """Return a document of this IVR, or None."""
        ...

    def list(self, ivr_id: IvrId, *, kind: DocumentKind | None, page: PageRequest) -> Page[IvrDocument]:
        """Return one page of the IVR's documents, of one kind when `kind` is given."""
        ...

    def kinds_present(self, ivr_id: IvrId, *, patient_id: PatientId) -> frozenset[DocumentKind]:
        """Return the kinds of the documents on this IVR and on its patient (patient documents count too)."""
        ...


def may_read_documents(actor: Actor) -> bool:
    """Tell whether the actor may list and download an IVR's documents: ivrs.read and the full projection."""
    return may_read(actor) and actor.projection is Projection.FULL


def may_upload(actor: Actor, ivr: Ivr) -> bool:
    """Tell whether the actor's role, practice and reviewer rule allow adding documents, whatever the state."""
    if actor.projection is not Projection.FULL:
        return False
    return is_practice_party(actor, ivr) or is_reviewer_party(actor, ivr)


def upload_states(actor: Actor, ivr: Ivr) -> frozenset[IvrStatus]:
    """Return the states in which this actor may add documents to this IVR (admins: both parties' states)."""
    states: frozenset[IvrStatus] = frozenset()
    if is_practice_party(actor, ivr):
        states |= PRACTICE_UPLOAD_STATES
    if is_reviewer_party(actor, ivr):
        states |= REVIEWER_UPLOAD_STATES
    return states


def missing_kinds(required: Iterable[DocumentKind], present: Iterable[DocumentKind]) -> tuple[FieldError, ...]:
    """Return one problem per required kind that no document has, in the kinds' declared order."""
    have = frozenset(present)
    wanted = frozenset(required)
    return tuple(
        FieldError(field="documents", message=f"needs a document of kind {kind.value} (on the IVR or its patient)")
        for kind in DocumentKind
        if kind in wanted and kind not in have
    )


@frozen(kw_only=True)
class UploadIvrDocument:
    """An upload to an IVR: the form as the edge read it."""

    ivr_id: IvrId
    file: UploadedFile

"""IVR documents: reach, roles and states of uploads, form and content checks, audit, verified downloads."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from returns.result import Result

from adapters.memory import InMemoryDocumentStore
from ivr_domain.admin.ports import AuditQuery
from ivr_domain.ivr.documents import IvrDocument, UploadIvrDocument
from ivr_domain.ivr.model import Ivr, IvrStatus, RejectionReason
from ivr_domain.ivr.use_cases import Approve, Cancel, IvrAction, Reject, RequestInfo, StartReview, Submit
from ivr_domain.shared.audit import Outcome
from ivr_domain.shared.documents import PDF, PNG, DocumentKind, UploadedFile
from ivr_domain.shared.errors import (
    InvalidTransition,
    NotFound,
    NotPermitted,
    TooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from ivr_domain.shared.ids import DocumentId, IvrId, new_id
from ivr_domain.shared.paging import PageRequest
from tests.platform import error_of, memory_platform, value_of
from tests.unit.ivr.builders import NOW, covered
from tests.unit.ivr.world import World, build_world

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
PDF_BYTES = b"%PDF-1.7\n" + b"notes " * 100


def upload(
    world: World, who: str, ivr_id: IvrId, content: bytes | None = PNG_BYTES, kind: str | None = "wound_photo"
) -> Result[IvrDocument, Any]:
    """Upload through the use case, the file in 1000-byte chunks as a network would bring it."""
    chunks = None if content is None else [content[i : i + 1000] for i in range(0, len(content), 1000)]
    cmd = UploadIvrDocument(ivr_id=ivr_id, file=UploadedFile(kind=kind, content=chunks))
    return world.platform.container.upload_ivr_document()(world.actors[who], cmd)


def _list(world: World, who: str, ivr_id: IvrId, kind: DocumentKind | None = None) -> Result[Any, Any]:
    return world.platform.container.list_ivr_documents()(world.actors[who], ivr_id, PageRequest(), kind=kind)


def _get(world: World, who: str, ivr_id: IvrId, document_id: DocumentId) -> Result[Any, Any]:
    return world.platform.container.get_ivr_document()(world.actors[who], ivr_id, document_id)


def _store(world: World) -> InMemoryDocumentStore:
    store = world.platform.container.document_store()
    assert isinstance(store, InMemoryDocumentStore)
    return store


def _audited(world: World, action: str) -> list[tuple[Outcome, str, tuple[Any, ...]]]:
    return [(e.outcome, e.reason, e.patient_ids) for e in world.platform.audit(AuditQuery(action=action))]


def _moved(world: World, ivr: Ivr, steps: list[tuple[str, IvrAction]]) -> Ivr:
    for who, action in steps:
        value_of(world.act(who, ivr.id, action))
    return world.stored(ivr.id)


APPROVE = Approve(coverages=(covered(valid_until=NOW.date() + timedelta(days=90)),))
REJECT = Reject(reason_code=RejectionReason.OTHER, explanation="The plan does not cover this product here.")
STEPS: dict[IvrStatus, list[tuple[str, IvrAction]]] = {
    IvrStatus.DRAFT: [],
    IvrStatus.SUBMITTED: [("doctor", Submit())],
    IvrStatus.IN_REVIEW: [("doctor", Submit()), ("staff", StartReview())],
    IvrStatus.INFO_REQUESTED: [("doctor", Submit()), ("staff", StartReview()), ("staff", RequestInfo(message="More"))],
    IvrStatus.APPROVED: [("doctor", Submit()), ("staff", StartReview()), ("staff", APPROVE)],
    IvrStatus.REJECTED: [("doctor", Submit()), ("staff", StartReview()), ("staff", REJECT)],
    IvrStatus.CANCELLED: [("doctor", Submit()), ("doctor", Cancel())],
}


def test_the_practice_uploads_lists_and_downloads_each_audited_with_the_patient(world: World) -> None:
    ivr = world.draft()
    photo = value_of(upload(world, "doctor", ivr.id))
    notes = value_of(upload(world, "colleague", ivr.id, PDF_BYTES, "clinical_notes"))
    assert (photo.ivr_id, photo.patient_id, photo.practice_id) == (ivr.id, ivr.patient_id, ivr.practice_id)
    assert (photo.kind, photo.content_type, photo.size) == (DocumentKind.WOUND_PHOTO, PNG, len(PNG_BYTES))
    assert photo.sha256 == hashlib.sha256(PNG_BYTES).hexdigest()
    assert photo.filename == f"wound_photo-{photo.id}.png"
    assert notes.content_type == PDF

    assert value_of(_list(world, "doctor", ivr.id)).items == (notes, photo)  # newest first
    assert value_of(_list(world, "doctor", ivr.id, DocumentKind.CLINICAL_NOTES)).items == (notes,)
    assert value_of(_list(world, "doctor", ivr.id, DocumentKind.SIGNED_FORM)).items == ()
    download = value_of(_get(world, "doctor", ivr.id, photo.id))
    assert download.document == photo
    assert b"".join(download.chunks()) == PNG_BYTES

    patient = (ivr.patient_id,)
    assert _audited(world, "ivrs.documents.upload") == [(Outcome.SUCCESS, "", patient)] * 2
    assert _audited(world, "ivrs.documents.list") == [(Outcome.SUCCESS, "", patient)] * 3
    (read,) = world.platform.audit(AuditQuery(action="ivrs.documents.read"))
    assert (read.resource_type, read.resource_id, read.patient_ids) == ("ivr_document", str(photo.id), patient)


def test_outside_scope_is_not_found_and_audited_as_denied(world: World) -> None:
    ivr = world.draft()
    document = value_of(upload(world, "doctor", ivr.id))
    # ivr_staff do not reach a draft that was never submitted; logistics reach no IVR at all
    for who in ("stranger", "logistics", "staff"):
        assert error_of(upload(world, who, ivr.id)) == NotFound(entity="ivr", id=str(ivr.id))
        assert isinstance(error_of(_list(world, who, ivr.id)), NotFound)
        assert isinstance(error_of(_get(world, who, ivr.id, document.id)), NotFound)
    denied = [
        e for e in world.platform.audit() if e.action.startswith("ivrs.documents.") and e.outcome is Outcome.DENIED
    ]
    assert len(denied) == 9
    assert {(e.reason, e.resource_type, e.resource_id) for e in denied} == {("not_found", "ivr", str(ivr.id))}
    assert list(_store(world).key_ids().values()) == [1]  # only the practice's upload was kept


def test_a_document_is_read_only_through_its_own_ivr(world: World) -> None:
    mine, other = world.draft(), world.draft()
    document = value_of(upload(world, "doctor", mine.id))
    missing = error_of(_get(world, "doctor", other.id, document.id))
    assert missing == NotFound(entity="document", id=str(document.id))
    assert value_of(_list(world, "doctor", other.id)).items == ()


@pytest.mark.parametrize("who", ["sales", "distributor", "master"])
def test_the_sales_hierarchy_sees_the_ivr_masked_but_never_its_documents(world: World, who: str) -> None:
    ivr = world.draft()
    document = value_of(upload(world, "doctor", ivr.id))
    assert value_of(world.get(who, ivr.id)).ivr.id == ivr.id  # within reach, masked
    assert error_of(upload(world, who, ivr.id)) == NotPermitted(action="ivrs.documents.upload")
    assert error_of(_list(world, who, ivr.id)) == NotPermitted(action="ivrs.documents.list")
    # 403 before 404: whether a document exists is not disclosed to those who may not read any
    for document_id in (document.id, DocumentId(new_id())):
        assert error_of(_get(world, who, ivr.id, document_id)) == NotPermitted(action="ivrs.documents.read")
    refusals = _audited(world, "ivrs.documents.read")
    assert refusals == [(Outcome.DENIED, "not_permitted", (ivr.patient_id,))] * 2


# Who may add documents in which state: the practice while the IVR is theirs to work on, verification
# staff while it is open, nobody once it is decided or closed.
ALLOWED = {
    "doctor": {IvrStatus.DRAFT, IvrStatus.SUBMITTED, IvrStatus.INFO_REQUESTED},
    "staff": {IvrStatus.SUBMITTED, IvrStatus.IN_REVIEW, IvrStatus.INFO_REQUESTED},
    "admin": {IvrStatus.DRAFT, IvrStatus.SUBMITTED, IvrStatus.IN_REVIEW, IvrStatus.INFO_REQUESTED},
}


@pytest.mark.parametrize("status", list(STEPS))
def test_uploads_follow_the_state_of_the_ivr(world: World, status: IvrStatus) -> None:
    ivr = _moved(world, world.draft(), STEPS[status])
    assert ivr.status is status
    for who, states in ALLOWED.items():
        result = upload(world, who, ivr.id)
        if status in states:
            assert value_of(result).ivr_id == ivr.id, who
        elif who == "staff" and status is IvrStatus.DRAFT:
            assert isinstance(error_of(result), NotFound)  # a draft never submitted is out of staff's reach
        else:
            refused = error_of(result)
            assert isinstance(refused, InvalidTransition), (who, refused)
            assert (refused.status, refused.trigger) == (status.value, "upload_document")


def test_other_staff_may_not_add_to_an_ivr_someone_else_reviews(world: World) -> None:
    ivr = _moved(world, world.draft(), STEPS[IvrStatus.IN_REVIEW])
    assert error_of(upload(world, "other_staff", ivr.id)) == NotPermitted(action="ivrs.documents.upload")
    assert isinstance(value_of(_list(world, "other_staff", ivr.id)).items, tuple)  # reading stays open to them


def test_the_role_is_checked_before_the_state(world: World) -> None:
    ivr = _moved(world, world.draft(), STEPS[IvrStatus.CANCELLED])
    assert error_of(upload(world, "sales", ivr.id)) == NotPermitted(action="ivrs.documents.upload")


def test_form_then_type_then_size_are_checked_after_reach_role_and_state(tmp_path: Any) -> None:
    world = build_world(memory_platform(tmp_path, now=NOW, env={"IVR_MAX_DOCUMENT_BYTES": "5000"}))
    ivr = world.draft()
    for content, kind, fields in [
        (PNG_BYTES, None, ["kind"]),
        (PNG_BYTES, "selfie", ["kind"]),
        (None, "wound_photo", ["file"]),
        (None, None, ["kind", "file"]),
    ]:
        refused = error_of(upload(world, "doctor", ivr.id, content, kind))
        assert isinstance(refused, ValidationFailed)
        assert [e.field for e in refused.errors] == fields
    assert isinstance(error_of(upload(world, "doctor", ivr.id, b"GIF89a" + bytes(100))), UnsupportedMediaType)
    assert isinstance(error_of(upload(world, "doctor", ivr.id, PNG_BYTES * 2)), TooLarge)
    assert _store(world).key_ids() == {}  # nothing refused is kept
    reasons = [reason for _, reason, _ in reversed(_audited(world, "ivrs.documents.upload"))]  # newest first
    assert reasons == ["validation_failed"] * 4 + ["unsupported_media_type", "too_large"]


def test_a_closed_ivr_keeps_its_documents_readable(world: World) -> None:
    ivr = _moved(world, world.draft(), STEPS[IvrStatus.SUBMITTED])
    document = value_of(upload(world, "doctor", ivr.id))
    ivr = _moved(world, ivr, [("doctor", Cancel())])
    assert ivr.status is IvrStatus.CANCELLED
    assert value_of(_list(world, "staff", ivr.id)).items == (document,)
    assert b"".join(value_of(_get(world, "staff", ivr.id, document.id)).chunks()) == PNG_BYTES


def test_an_ivr_closed_while_the_file_streams_in_keeps_nothing(world: World) -> None:
    ivr = world.draft()

    def cancelled_midway() -> Iterator[bytes]:
        yield PNG_BYTES[:1000]
        value_of(world.act("doctor", ivr.id, Cancel()))  # another request, while the upload is still arriving
        yield PNG_BYTES[1000:]

    cmd = UploadIvrDocument(ivr_id=ivr.id, file=UploadedFile(kind="wound_photo", content=cancelled_midway()))
    refused = error_of(world.platform.container.upload_ivr_document()(world.actors["doctor"], cmd))
    assert isinstance(refused, InvalidTransition)
    assert refused.status == "cancelled"
    assert _store(world).key_ids() == {}
    assert value_of(_list(world, "doctor", ivr.id)).items == ()
    assert _audited(world, "ivrs.documents.upload") == [(Outcome.INVALID, "invalid_transition", (ivr.patient_id,))]

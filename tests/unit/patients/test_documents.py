"""Patient documents: scope, roles, form and content checks, audit entries, and verified downloads."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta

import pytest

from adapters.memory import InMemoryDocumentStore
from ivr_domain.admin.ports import AuditQuery
from ivr_domain.identity.permissions import ROLE_DEFAULTS
from ivr_domain.patients.documents import Document, DocumentKind, UploadDocument
from ivr_domain.patients.model import Patient
from ivr_domain.patients.use_cases import ArchivePatient
from ivr_domain.shared.actor import Actor, Role, Scope
from ivr_domain.shared.audit import Outcome
from ivr_domain.shared.documents import PNG, DocumentUnreadable, UploadRefused
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
from ivr_domain.shared.ids import DocumentId, PatientId, UserId, new_id
from ivr_domain.shared.paging import PageRequest
from tests.platform import Platform, error_of, memory_platform, value_of

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


@pytest.fixture
def doctor(platform: Platform) -> Actor:
    platform.user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    return platform.actor("doc@example.org")


@pytest.fixture
def patient(platform: Platform, doctor: Actor) -> Patient:
    made = platform.patient(doctor.practice_id)
    assert isinstance(made, Patient)
    return made


def _upload(
    platform: Platform,
    actor: Actor,
    patient_id: PatientId,
    content: bytes | None = PNG_BYTES,
    kind: str = "wound_photo",
) -> object:
    chunks = None if content is None else [content[i : i + 1000] for i in range(0, len(content), 1000)]
    return platform.container.upload_document()(actor, UploadDocument(patient_id=patient_id, kind=kind, content=chunks))


def _store(platform: Platform) -> InMemoryDocumentStore:
    store = platform.container.document_store()
    assert isinstance(store, InMemoryDocumentStore)
    return store


def _audited(platform: Platform, patient_id: PatientId, action: str) -> list[tuple[Outcome, str]]:
    entries = platform.audit(AuditQuery(patient_id=patient_id, action=action))
    assert all(e.patient_ids == (patient_id,) and e.resource_type == "patient_document" for e in entries)
    return [(e.outcome, e.reason) for e in entries]


def test_a_doctor_uploads_lists_and_downloads_and_each_is_audited(
    platform: Platform, doctor: Actor, patient: Patient
) -> None:
    document = value_of(_upload(platform, doctor, patient.id))
    assert isinstance(document, Document)
    assert (document.kind, document.content_type, document.size) == (DocumentKind.WOUND_PHOTO, PNG, len(PNG_BYTES))
    assert document.sha256 == hashlib.sha256(PNG_BYTES).hexdigest()
    assert (document.practice_id, document.uploaded_by) == (patient.practice_id, doctor.user_id)
    assert document.filename == f"wound_photo-{document.id}.png"
    listed = value_of(platform.container.list_documents()(doctor, patient.id, PageRequest()))
    assert listed.items == (document,)
    download = value_of(platform.container.get_document()(doctor, patient.id, document.id))
    assert download.document == document
    assert b"".join(download.chunks()) == PNG_BYTES
    for action in ("patients.documents.upload", "patients.documents.list", "patients.documents.read"):
        assert _audited(platform, patient.id, action) == [(Outcome.SUCCESS, "")]
    read = platform.audit(AuditQuery(action="patients.documents.read"))[0]
    assert read.resource_id == str(document.id)


def test_outside_scope_is_not_found_and_audited_as_denied(platform: Platform, patient: Patient) -> None:
    platform.user("other@example.org", Role.DOCTOR, practice="Shelbyville Clinic")
    stranger = platform.actor("other@example.org")
    platform.user("ship@example.org", Role.LOGISTICS)
    logistics = platform.actor("ship@example.org")
    for actor in (stranger, logistics):
        assert error_of(_upload(platform, actor, patient.id)) == NotFound(entity="patient", id=str(patient.id))
        assert isinstance(error_of(platform.container.list_documents()(actor, patient.id, PageRequest())), NotFound)
        found = platform.container.get_document()(actor, patient.id, DocumentId(new_id()))
        assert isinstance(error_of(found), NotFound)
    assert _audited(platform, patient.id, "patients.documents.upload") == [(Outcome.DENIED, "not_found")] * 2
    assert _store(platform).key_ids() == {}


def test_the_sales_hierarchy_sees_the_patient_masked_but_never_documents(
    platform: Platform, doctor: Actor, patient: Patient
) -> None:
    document = value_of(_upload(platform, doctor, patient.id))
    assert isinstance(document, Document)
    # The hierarchy's own tests prove how a salesperson comes to reach a practice; here they simply do.
    salesperson = Actor(
        user_id=UserId(new_id()),
        role=Role.SALESPERSON,
        permissions=ROLE_DEFAULTS[Role.SALESPERSON],
        scope=Scope(practice_ids=frozenset({patient.practice_id})),
    )
    assert error_of(_upload(platform, salesperson, patient.id)) == NotPermitted(action="patients.documents.upload")
    listed = platform.container.list_documents()(salesperson, patient.id, PageRequest())
    assert error_of(listed) == NotPermitted(action="patients.documents.list")
    # 403 before 404: whether a document exists is not disclosed to those who may not read any
    for document_id in (document.id, DocumentId(new_id())):
        found = platform.container.get_document()(salesperson, patient.id, document_id)
        assert error_of(found) == NotPermitted(action="patients.documents.read")
    assert _audited(platform, patient.id, "patients.documents.read") == [(Outcome.DENIED, "not_permitted")] * 2


def test_ivr_staff_read_but_do_not_upload(platform: Platform, doctor: Actor, patient: Patient) -> None:
    platform.user("admin@example.org", Role.ADMIN)
    admin = platform.actor("admin@example.org")
    assert isinstance(value_of(_upload(platform, admin, patient.id)), Document)
    platform.user("ivr@example.org", Role.IVR_STAFF)
    staff = platform.actor("ivr@example.org")
    # The patient has no submitted IVR, so staff do not reach them at all.
    assert isinstance(error_of(_upload(platform, staff, patient.id)), NotFound)


def test_form_problems_are_422_after_scope_and_role(platform: Platform, doctor: Actor, patient: Patient) -> None:
    upload = platform.container.upload_document()
    missing = UploadDocument(patient_id=patient.id, kind=None, content=None)
    assert error_of(upload(doctor, missing)) == ValidationFailed(
        errors=(
            FieldError(field="kind", message="is required, before the file"),
            FieldError(field="file", message="is required"),
        )
    )
    extra = (FieldError(field="note", message="is not a known field"),)
    bad = UploadDocument(patient_id=patient.id, kind="selfie", content=[PNG_BYTES], problems=extra)
    failure = error_of(upload(doctor, bad))
    assert isinstance(failure, ValidationFailed)
    assert [e.field for e in failure.errors] == ["note", "kind"]
    assert _store(platform).key_ids() == {}
    assert _audited(platform, patient.id, "patients.documents.upload") == [(Outcome.INVALID, "validation_failed")] * 2


@pytest.mark.parametrize("content", [b"", b"\x89PN", b"plain text, not an image", b"GIF89a" + b"\x00" * 20])
def test_content_of_another_type_is_415_and_nothing_is_stored(
    platform: Platform, doctor: Actor, patient: Patient, content: bytes
) -> None:
    failure = error_of(_upload(platform, doctor, patient.id, content))
    assert isinstance(failure, UnsupportedMediaType)
    assert "image/png" in failure.allowed
    assert _store(platform).key_ids() == {}


def test_a_file_past_the_limit_is_413_and_nothing_is_stored(platform: Platform) -> None:
    small = memory_platform(platform.container.settings().data_dir / "small", now=platform.clock.now(),
                            env={"IVR_MAX_DOCUMENT_BYTES": str(len(PNG_BYTES) - 1)})  # fmt: skip
    small.user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    doctor = small.actor("doc@example.org")
    made = small.patient(doctor.practice_id)
    assert isinstance(made, Patient)
    assert isinstance(error_of(_upload(small, doctor, made.id)), TooLarge)
    assert _store(small).key_ids() == {}
    assert _audited(small, made.id, "patients.documents.upload") == [(Outcome.INVALID, "too_large")]
    assert isinstance(value_of(_upload(small, doctor, made.id, PNG_BYTES[:-1])), Document)


def test_a_source_that_refuses_midway_keeps_nothing(platform: Platform, doctor: Actor, patient: Patient) -> None:
    late = ValidationFailed.single("kind", "must come before file")

    def chunks() -> Iterator[bytes]:
        yield PNG_BYTES
        raise UploadRefused(late)

    cmd = UploadDocument(patient_id=patient.id, kind="other", content=chunks())
    assert error_of(platform.container.upload_document()(doctor, cmd)) == late
    assert _store(platform).key_ids() == {}
    listed = value_of(platform.container.list_documents()(doctor, patient.id, PageRequest()))
    assert listed.items == ()


def test_lists_page_and_refuse_bad_sorts(platform: Platform, doctor: Actor, patient: Patient) -> None:
    made = []
    for _ in range(3):
        made.append(value_of(_upload(platform, doctor, patient.id)))
        platform.clock.advance(timedelta(seconds=1))
    first = value_of(platform.container.list_documents()(doctor, patient.id, PageRequest(limit=2)))
    assert first.items == (made[2], made[1])
    rest = value_of(platform.container.list_documents()(doctor, patient.id, PageRequest(cursor=first.next_cursor)))
    assert rest.items == (made[0],)
    bad = platform.container.list_documents()(doctor, patient.id, PageRequest(sort="size"))
    assert isinstance(error_of(bad), InvalidQuery)


def test_downloads_are_scoped_to_the_patient_and_verified(platform: Platform, doctor: Actor, patient: Patient) -> None:
    document = value_of(_upload(platform, doctor, patient.id))
    assert isinstance(document, Document)
    other = platform.patient(doctor.practice_id)
    assert isinstance(other, Patient)
    crossed = platform.container.get_document()(doctor, other.id, document.id)
    assert error_of(crossed) == NotFound(entity="document", id=str(document.id))
    # Bytes that no longer match the recorded digest fail the stream, loudly, at its end.
    store = _store(platform)
    store.delete(document.id)
    value_of(store.put(document.id, [PNG_BYTES[:-1] + b"!"], max_bytes=1 << 20))
    download = value_of(platform.container.get_document()(doctor, patient.id, document.id))
    with pytest.raises(DocumentUnreadable, match="digest"):
        b"".join(download.chunks())


def test_an_archived_patient_takes_no_new_documents(platform: Platform, doctor: Actor, patient: Patient) -> None:
    value_of(platform.container.archive_patient()(doctor, ArchivePatient(patient_id=patient.id)))
    refused = error_of(_upload(platform, doctor, patient.id))  # type: ignore[arg-type]
    assert isinstance(refused, InvalidTransition)
    assert refused.status == "archived"
    assert not _store(platform).key_ids()  # nothing was stored
    assert _audited(platform, patient.id, "patients.documents.upload") == [(Outcome.INVALID, "invalid_transition")]

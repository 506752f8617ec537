"""IvrDocumentRepository contract (IVR document metadata, and the kinds present for a submit), for every adapter."""

from __future__ import annotations

from typing import Any

import pytest

from ivr_domain.ivr.documents import IvrDocument
from ivr_domain.ivr.model import Ivr
from ivr_domain.patients.model import Patient
from ivr_domain.shared.documents import DocumentKind
from ivr_domain.shared.ids import DocumentId, IvrId, PatientId, UserId, new_id
from ivr_domain.shared.paging import PageRequest
from tests.contract import builders
from tests.contract.conftest import UowFactory
from tests.contract.test_document_repository import document as patient_document


def _ivrs(uow: UowFactory, count: int = 2) -> tuple[Patient, list[Ivr]]:
    practice = builders.practice()
    patient = builders.patient(practice.id)
    made = [builders.ivr(practice.id, patient.id) for _ in range(count)]
    with uow() as u:
        u.practices.add(practice)
        u.patients.add(patient)
        for ivr in made:
            u.ivrs.add(ivr)
        u.commit()
    return patient, made


def document(ivr: Ivr, **overrides: Any) -> IvrDocument:
    values: dict[str, Any] = {
        "id": DocumentId(new_id()),
        "ivr_id": ivr.id,
        "patient_id": ivr.patient_id,
        "practice_id": ivr.practice_id,
        "kind": DocumentKind.INSURANCE_CARD_FRONT,
        "content_type": "application/pdf",
        "size": 26 * 1024 * 1024 * 1024,  # past 32 bits: sizes are big integers
        "sha256": "cd" * 32,
        "uploaded_by": UserId(new_id()),
        "created_at": builders.later(),
    }
    values.update(overrides)
    return IvrDocument(**values)


def test_round_trip_and_reads_only_through_the_owning_ivr(uow: UowFactory) -> None:
    _, (mine, other) = _ivrs(uow)
    stored = document(mine)
    with uow() as u:
        u.ivr_documents.add(stored)
        u.commit()
    with uow() as u:
        assert u.ivr_documents.get(stored.id, ivr_id=mine.id) == stored
        assert u.ivr_documents.get(stored.id, ivr_id=other.id) is None
        assert u.ivr_documents.get(DocumentId(new_id()), ivr_id=mine.id) is None


def test_uncommitted_documents_vanish(uow: UowFactory) -> None:
    _, (ivr,) = _ivrs(uow, 1)
    lost = document(ivr)
    with uow() as u:
        u.ivr_documents.add(lost)
        assert u.ivr_documents.get(lost.id, ivr_id=ivr.id) == lost
    with uow() as u:
        assert u.ivr_documents.get(lost.id, ivr_id=ivr.id) is None
        assert u.ivr_documents.kinds_present(ivr.id, patient_id=ivr.patient_id) == frozenset()


@pytest.mark.parametrize("sort", ["-created_at", "created_at"])
def test_lists_page_through_one_ivrs_documents_in_order(uow: UowFactory, sort: str) -> None:
    _, (mine, other) = _ivrs(uow)
    made = [document(mine, kind=kind) for kind in DocumentKind]
    with uow() as u:
        for d in [*made, document(other)]:
            u.ivr_documents.add(d)
        u.commit()
    seen: list[IvrDocument] = []
    cursor: str | None = None
    with uow() as u:
        while True:
            page = u.ivr_documents.list(mine.id, kind=None, page=PageRequest(limit=3, cursor=cursor, sort=sort))
            seen.extend(page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    assert seen == sorted(made, key=lambda d: (d.created_at, d.id), reverse=sort.startswith("-"))
    with uow() as u:
        assert u.ivr_documents.list(IvrId(new_id()), kind=None, page=PageRequest()).items == ()


def test_lists_filter_by_kind_and_page_within_it(uow: UowFactory) -> None:
    _, (ivr,) = _ivrs(uow, 1)
    at = builders.later()
    notes = [document(ivr, kind=DocumentKind.CLINICAL_NOTES, created_at=at) for _ in range(3)]
    with uow() as u:
        for d in [*notes, document(ivr, kind=DocumentKind.WOUND_PHOTO)]:
            u.ivr_documents.add(d)
        u.commit()
    with uow() as u:
        first = u.ivr_documents.list(ivr.id, kind=DocumentKind.CLINICAL_NOTES, page=PageRequest(limit=2))
        assert first.next_cursor is not None
        rest = u.ivr_documents.list(
            ivr.id, kind=DocumentKind.CLINICAL_NOTES, page=PageRequest(limit=2, cursor=first.next_cursor)
        )
        assert rest.next_cursor is None
        assert u.ivr_documents.list(ivr.id, kind=DocumentKind.SIGNED_FORM, page=PageRequest()).items == ()
    assert [d.id for d in (*first.items, *rest.items)] == sorted((d.id for d in notes), reverse=True)


def test_kinds_present_join_the_ivrs_documents_and_its_patients(uow: UowFactory) -> None:
    patient, (ivr, sibling) = _ivrs(uow)
    other_patient, (stranger,) = _ivrs(uow, 1)
    with uow() as u:
        u.ivr_documents.add(document(ivr, kind=DocumentKind.INSURANCE_CARD_FRONT))
        u.ivr_documents.add(document(ivr, kind=DocumentKind.INSURANCE_CARD_FRONT))
        u.ivr_documents.add(document(sibling, kind=DocumentKind.WOUND_PHOTO))
        u.ivr_documents.add(document(stranger, kind=DocumentKind.SIGNED_FORM))
        u.documents.add(patient_document(patient, kind=DocumentKind.CLINICAL_NOTES))
        u.documents.add(patient_document(other_patient, kind=DocumentKind.DEMOGRAPHICS))
        u.commit()
    with uow() as u:
        assert u.ivr_documents.kinds_present(ivr.id, patient_id=patient.id) == {
            DocumentKind.INSURANCE_CARD_FRONT,
            DocumentKind.CLINICAL_NOTES,
        }
        # A sibling IVR's documents do not count; the patient's do, for every IVR of theirs.
        assert u.ivr_documents.kinds_present(sibling.id, patient_id=patient.id) == {
            DocumentKind.WOUND_PHOTO,
            DocumentKind.CLINICAL_NOTES,
        }
        assert u.ivr_documents.kinds_present(IvrId(new_id()), patient_id=PatientId(new_id())) == frozenset()

"""DocumentRepository contract (patient document metadata), for every adapter."""

from __future__ import annotations

from typing import Any

import pytest

from ivr_domain.patients.documents import Document, DocumentKind
from ivr_domain.patients.model import Patient
from ivr_domain.shared.ids import DocumentId, PatientId, UserId, new_id
from ivr_domain.shared.paging import PageRequest
from tests.contract import builders
from tests.contract.conftest import UowFactory


def _patients(uow: UowFactory, count: int = 2) -> list[Patient]:
    practice = builders.practice()
    made = [builders.patient(practice.id) for _ in range(count)]
    with uow() as u:
        u.practices.add(practice)
        for p in made:
            u.patients.add(p)
        u.commit()
    return made


def document(patient: Patient, **overrides: Any) -> Document:
    values: dict[str, Any] = {
        "id": DocumentId(new_id()),
        "patient_id": patient.id,
        "practice_id": patient.practice_id,
        "kind": DocumentKind.WOUND_PHOTO,
        "content_type": "image/jpeg",
        "size": 26 * 1024 * 1024 * 1024,  # past 32 bits: sizes are big integers
        "sha256": "ab" * 32,
        "uploaded_by": UserId(new_id()),
        "created_at": builders.later(),
    }
    values.update(overrides)
    return Document(**values)


def test_round_trip_and_reads_only_through_the_owning_patient(uow: UowFactory) -> None:
    mine, other = _patients(uow)
    stored = document(mine)
    with uow() as u:
        u.documents.add(stored)
        u.commit()
    with uow() as u:
        assert u.documents.get(stored.id, patient_id=mine.id) == stored
        assert u.documents.get(stored.id, patient_id=other.id) is None
        assert u.documents.get(DocumentId(new_id()), patient_id=mine.id) is None


def test_uncommitted_documents_vanish(uow: UowFactory) -> None:
    (patient,) = _patients(uow, 1)
    lost = document(patient)
    with uow() as u:
        u.documents.add(lost)
        assert u.documents.get(lost.id, patient_id=patient.id) == lost
    with uow() as u:
        assert u.documents.get(lost.id, patient_id=patient.id) is None


@pytest.mark.parametrize("sort", ["-created_at", "created_at"])
def test_lists_page_through_one_patients_documents_in_order(uow: UowFactory, sort: str) -> None:
    mine, other = _patients(uow)
    made = [document(mine, kind=kind) for kind in DocumentKind]
    with uow() as u:
        for d in [*made, document(other)]:
            u.documents.add(d)
        u.commit()
    seen: list[Document] = []
    cursor: str | None = None
    with uow() as u:
        while True:
            page = u.documents.list(mine.id, page=PageRequest(limit=3, cursor=cursor, sort=sort))
            seen.extend(page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    expected = sorted(made, key=lambda d: (d.created_at, d.id), reverse=sort.startswith("-"))
    assert seen == expected
    with uow() as u:
        assert u.documents.list(PatientId(new_id()), page=PageRequest()).items == ()


def test_documents_created_in_the_same_instant_page_by_id(uow: UowFactory) -> None:
    (patient,) = _patients(uow, 1)
    at = builders.later()
    made = [document(patient, created_at=at) for _ in range(5)]
    with uow() as u:
        for d in made:
            u.documents.add(d)
        u.commit()
    with uow() as u:
        first = u.documents.list(patient.id, page=PageRequest(limit=2))
        assert first.next_cursor is not None
        rest = u.documents.list(patient.id, page=PageRequest(limit=10, cursor=first.next_cursor))
    assert [d.id for d in (*first.items, *rest.items)] == sorted((d.id for d in made), reverse=True)

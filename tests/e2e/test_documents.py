"""Patient documents through the real app on SQLite and PostgreSQL: stored encrypted, scoped, audited."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from ivr_domain.shared.actor import Role
from tests.e2e.conftest import API, E2E, PATIENTS, assert_problem

PDF = b"%PDF-1.7\n" + b"Canarydocumentqx wound notes " * 5000  # several chunks, with a marker to look for


def _upload(e2e: E2E, auth: dict[str, str], patient_id: str, content: bytes = PDF) -> dict[str, object]:
    files = {"file": ("notes.pdf", content, "application/pdf")}
    response = e2e.client.post(
        f"{PATIENTS}/{patient_id}/documents", data={"kind": "clinical_notes"}, files=files, headers=auth
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_document_round_trips_encrypted_and_only_its_practice_reads_it(e2e: E2E, tmp_path: Path) -> None:
    e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    e2e.create_user("other@example.org", Role.DOCTOR, practice="Riverside Podiatry")
    sales_id = e2e.create_user("sales@example.org", Role.SALESPERSON)
    doctor = e2e.login("doc@example.org")
    patient = e2e.create_patient(doctor)["id"]
    e2e.assign(sales_id, e2e.client.get(f"{API}/auth/me", headers=doctor).json()["id"])

    document = _upload(e2e, doctor, patient)
    url = f"{PATIENTS}/{patient}/documents/{document['id']}"
    download = e2e.client.get(url, headers=doctor)
    assert download.status_code == 200
    assert download.content == PDF
    digest = base64.b64encode(hashlib.sha256(PDF).digest()).decode()
    assert download.headers["repr-digest"] == f"sha-256=:{digest}:"
    listed = e2e.client.get(f"{PATIENTS}/{patient}/documents", headers=doctor).json()
    assert [d["id"] for d in listed["items"]] == [document["id"]]

    assert_problem(e2e.client.get(url, headers=e2e.login("other@example.org")), 404)
    assert_problem(e2e.client.get(url, headers=e2e.login("sales@example.org")), 403)

    stored = [p for p in (tmp_path / "documents").rglob("*") if p.is_file()]
    assert stored, "the document folder holds the file"
    assert not any(b"Canarydocumentqx" in p.read_bytes() for p in stored)
    actions = {
        (e["action"], e["outcome"])
        for e in e2e.client.get(
            f"{API}/admin/audit-logs", params={"patient_id": patient, "limit": 200}, headers=e2e.admin_auth
        ).json()["items"]
    }
    assert {("patients.documents.upload", "success"), ("patients.documents.read", "success")} <= actions
    assert ("patients.documents.read", "denied") in actions

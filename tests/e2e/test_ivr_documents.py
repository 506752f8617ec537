"""IVR documents through the real app on SQLite and PostgreSQL: stored encrypted, scoped, audited, rotated."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from entrypoints.cli.main import app as ivr_cli
from ivr_domain.shared.actor import Role
from tests.e2e.conftest import API, E2E, Headers, Launch
from tests.e2e.test_canary_phi import _rows_text
from tests.e2e.test_ivr_workflow import act, moved
from tests.http import assert_problem, coverage_body, ivr_body
from tests.platform import settings_env

IVRS = f"{API}/ivrs"
MARKER = b"Canaryivrdocumentqx"
PDF = b"%PDF-1.7\n" + MARKER + b" wound measurements " * 5000  # several chunks, with a marker to look for
PNG = b"\x89PNG\r\n\x1a\n" + MARKER + bytes(range(256)) * 10
CARDS = ("insurance_card_front", "insurance_card_back")
FILENAME = "Zebulonqx-Quillfeatherby-notes.pdf"  # names carry PHI: never kept, never sent back


def _upload(e2e: E2E, auth: Headers, ivr: dict[str, Any], kind: str = "clinical_notes", content: bytes = PDF) -> Any:
    files = {"file": (FILENAME, content, "application/pdf")}
    return e2e.client.post(f"{IVRS}/{ivr['id']}/documents", data={"kind": kind}, files=files, headers=auth)


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return dict(response.json())


def _draft(e2e: E2E, auth: Headers) -> dict[str, Any]:
    patient = e2e.create_patient(auth)
    response = e2e.client.post(IVRS, json=ivr_body(patient["id"]), headers=auth)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _people(e2e: E2E) -> dict[str, Headers]:
    doctor_id = e2e.create_user("doc@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    e2e.create_user("other@example.org", Role.DOCTOR, practice="Riverside Podiatry")
    e2e.create_user("staff@example.org", Role.IVR_STAFF)
    sales_id = e2e.create_user("sales@example.org", Role.SALESPERSON)
    e2e.assign(sales_id, doctor_id)
    return {name: e2e.login(f"{name}@example.org") for name in ("doc", "other", "staff", "sales")}


def _download(e2e: E2E, auth: Headers, url: str, expected: bytes) -> None:
    response = e2e.client.get(url, headers=auth)
    assert response.status_code == 200, response.text
    assert response.content == expected
    digest = base64.b64encode(hashlib.sha256(expected).digest()).decode()
    assert response.headers["repr-digest"] == f"sha-256=:{digest}:"
    assert response.headers["content-disposition"].startswith('attachment; filename="')


def test_ivr_documents_round_trip_encrypted_scoped_and_audited(e2e: E2E, tmp_path: Path) -> None:
    auth = _people(e2e)
    ivr = _draft(e2e, auth["doc"])
    notes = _created(_upload(e2e, auth["doc"], ivr))
    photo = _created(_upload(e2e, auth["doc"], ivr, "wound_photo", PNG))
    url = f"{IVRS}/{ivr['id']}/documents/{notes['id']}"
    _download(e2e, auth["doc"], url, PDF)
    listed = e2e.client.get(f"{IVRS}/{ivr['id']}/documents", headers=auth["doc"]).json()
    assert [d["id"] for d in listed["items"]] == [photo["id"], notes["id"]]
    photos = e2e.client.get(f"{IVRS}/{ivr['id']}/documents", params={"kind": "wound_photo"}, headers=auth["doc"])
    assert [d["id"] for d in photos.json()["items"]] == [photo["id"]]

    assert_problem(e2e.client.get(url, headers=auth["other"]), 404)
    assert_problem(_upload(e2e, auth["other"], ivr), 404)
    assert_problem(e2e.client.get(url, headers=auth["sales"]), 403)
    assert_problem(e2e.client.get(f"{IVRS}/{ivr['id']}/documents", headers=auth["sales"]), 403)

    ivr = moved(act(e2e, auth["doc"], ivr, "submit"), "submitted")
    ivr = moved(act(e2e, auth["staff"], ivr, "start-review"), "in_review")
    _created(_upload(e2e, auth["staff"], ivr, "other", PNG))  # the reviewer files what the payer sent
    _download(e2e, auth["staff"], url, PDF)
    approved = act(e2e, auth["staff"], ivr, "approve", {"coverages": [coverage_body()]})
    moved(approved, "approved")
    for who in ("doc", "staff"):
        assert "approved" in assert_problem(_upload(e2e, auth[who], ivr), 409)["detail"]
    _download(e2e, auth["doc"], url, PDF)  # a closed IVR keeps its documents readable

    stored = [p for p in (tmp_path / "documents").rglob("*") if p.is_file()]
    assert len(stored) == 3, "the document folder holds one file per document kept"
    assert not any(MARKER in p.read_bytes() for p in stored)
    assert not [(t, c) for t, c, raw in _rows_text(e2e) if MARKER in raw or b"Zebulonqx" in raw]
    assert "Zebulonqx" not in json.dumps([notes, photo, listed])
    audit = e2e.client.get(
        f"{API}/admin/audit-logs", params={"patient_id": ivr["patient_id"], "limit": 200}, headers=e2e.admin_auth
    ).json()["items"]
    actions = {(e["action"], e["outcome"]) for e in audit if e["action"].startswith("ivrs.documents.")}
    assert {
        ("ivrs.documents.upload", "success"),
        ("ivrs.documents.list", "success"),
        ("ivrs.documents.read", "success"),
        ("ivrs.documents.read", "denied"),  # the salesperson's
        ("ivrs.documents.upload", "invalid"),  # the approved IVR's
    } <= actions


def test_submit_needs_the_required_kinds_on_the_ivr_or_its_patient(launch: Launch) -> None:
    e2e = launch({"IVR_IVR_REQUIRED_DOCUMENT_KINDS": ",".join(CARDS)})
    doctor = _people(e2e)["doc"]
    ivr = _draft(e2e, doctor)
    refused = assert_problem(act(e2e, doctor, ivr, "submit"), 422)
    assert [e["field"] for e in refused["errors"]] == ["documents", "documents"]
    assert [kind for kind in CARDS if any(kind in e["message"] for e in refused["errors"])] == list(CARDS)
    assert e2e.client.get(f"{IVRS}/{ivr['id']}", headers=doctor).json()["status"] == "draft"

    files = {"file": ("card.png", PNG, "image/png")}
    on_patient = e2e.client.post(
        f"{API}/patients/{ivr['patient_id']}/documents", data={"kind": CARDS[0]}, files=files, headers=doctor
    )
    assert on_patient.status_code == 201, on_patient.text
    refused = assert_problem(act(e2e, doctor, ivr, "submit"), 422)
    assert len(refused["errors"]) == 1
    assert CARDS[1] in refused["errors"][0]["message"]
    _created(_upload(e2e, doctor, ivr, CARDS[1], PNG))
    moved(act(e2e, doctor, ivr, "submit"), "submitted")


def test_key_rotation_re_encrypts_ivr_documents_and_they_download_unchanged(e2e: E2E, tmp_path: Path) -> None:
    doctor = _people(e2e)["doc"]
    ivr = _draft(e2e, doctor)
    document = _created(_upload(e2e, doctor, ivr))
    url = f"{IVRS}/{ivr['id']}/documents/{document['id']}"

    env = settings_env(tmp_path, IVR_DATABASE_URL=e2e.db.url, IVR_EVENTS_DISPATCH="inline")
    rotated = CliRunner().invoke(ivr_cli, ["keys", "rotate"], env=env)
    assert rotated.exit_code == 0, rotated.output
    assert "every PHI field and document is under k2" in rotated.stdout
    status = CliRunner().invoke(ivr_cli, ["keys", "status"], env=env)
    assert "0 rows, 0 documents" in status.stdout

    keys = json.loads((tmp_path / "keys.json").read_text())
    assert keys["current_cipher_key"] == "k2"
    assert dict(e2e.container.document_store().key_ids()) == {"k2": 1}
    _download(e2e, doctor, url, PDF)  # the running server follows the key file
    stored = [p for p in (tmp_path / "documents").rglob("*") if p.is_file()]
    assert not any(MARKER in p.read_bytes() for p in stored)

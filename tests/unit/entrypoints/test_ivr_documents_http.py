"""IVR documents over HTTP: uploads, lists by kind, digests on download, and each refusal in API.md's order."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from entrypoints.http.app import create_app
from ivr_domain.identity.model import User
from ivr_domain.shared.actor import Role
from tests.http import assert_problem, ivr_body, patient_body
from tests.platform import Platform, memory_platform
from tests.unit.entrypoints.conftest import Client, login
from tests.unit.entrypoints.streaming import BOUNDARY, multipart

IVRS = "/api/v1/ivrs"
PDF_BYTES = b"%PDF-1.7\n" + bytes(range(256)) * 300
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 3000
Auth = dict[str, str]


def _ivr(client: Client, auth: Auth) -> dict[str, Any]:
    patient = client.post("/api/v1/patients", json=patient_body(), headers=auth)
    assert patient.status_code == 201, patient.text
    created = client.post(IVRS, json=ivr_body(patient.json()["id"]), headers=auth)
    assert created.status_code == 201, created.text
    return dict(created.json())


def _documents(ivr: dict[str, Any]) -> str:
    return f"{IVRS}/{ivr['id']}/documents"


def _upload(client: Client, auth: Auth, ivr: dict[str, Any], content: bytes = PDF_BYTES, **data: str) -> Any:
    form = data or {"kind": "clinical_notes"}
    files = {"file": ("lovelace-wound-notes.pdf", content, "application/octet-stream")}
    return client.post(_documents(ivr), data=form, files=files, headers=auth)


def _phi_headers(response: Any) -> None:
    assert response.headers["cache-control"] == "no-store"
    assert "authorization" in response.headers["vary"].lower()


@pytest.fixture
def staff(platform: Platform) -> User:
    """A verification specialist."""
    return platform.user("staff@example.org", Role.IVR_STAFF)


def test_upload_list_by_kind_and_download_with_a_verified_digest(client: Client, doctor_auth: Auth) -> None:
    ivr = _ivr(client, doctor_auth)
    created = _upload(client, doctor_auth, ivr)
    assert created.status_code == 201, created.text
    _phi_headers(created)
    document = created.json()
    assert created.headers["location"] == f"{_documents(ivr)}/{document['id']}"
    assert (document["ivr_id"], document["patient_id"]) == (ivr["id"], ivr["patient_id"])
    assert (document["kind"], document["content_type"], document["size"]) == (
        "clinical_notes",
        "application/pdf",  # sniffed: the part said octet-stream
        len(PDF_BYTES),
    )
    assert document["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    photo = _upload(client, doctor_auth, ivr, PNG_BYTES, kind="wound_photo").json()

    listed = client.get(_documents(ivr), headers=doctor_auth)
    assert listed.status_code == 200
    _phi_headers(listed)
    assert [d["id"] for d in listed.json()["items"]] == [photo["id"], document["id"]]
    only_notes = client.get(_documents(ivr), params={"kind": "clinical_notes"}, headers=doctor_auth).json()
    assert [d["id"] for d in only_notes["items"]] == [document["id"]]
    assert_problem(client.get(_documents(ivr), params={"kind": "selfie"}, headers=doctor_auth), 400)
    paged = client.get(_documents(ivr), params={"limit": 1}, headers=doctor_auth).json()
    rest = client.get(_documents(ivr), params={"limit": 1, "cursor": paged["next_cursor"]}, headers=doctor_auth)
    assert [d["id"] for d in rest.json()["items"]] == [document["id"]]

    download = client.get(created.headers["location"], headers=doctor_auth)
    assert download.status_code == 200
    _phi_headers(download)
    assert download.content == PDF_BYTES
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == f'attachment; filename="clinical_notes-{document["id"]}.pdf"'
    digest = base64.b64encode(hashlib.sha256(PDF_BYTES).digest()).decode()
    assert download.headers["repr-digest"] == f"sha-256=:{digest}:"
    assert download.headers["x-content-type-options"] == "nosniff"


def test_refusals_answer_in_api_md_order(client: Client, platform: Platform, doctor: User, doctor_auth: Auth) -> None:
    ivr = _ivr(client, doctor_auth)
    url = _upload(client, doctor_auth, ivr).headers["location"]
    platform.user("other@example.org", Role.DOCTOR, practice="Shelbyville Clinic")
    sales = platform.user("sam@example.org", Role.SALESPERSON)
    platform.assign(sales, doctor)
    for email, status in (("other@example.org", 404), ("sam@example.org", 403)):
        auth = login(client, email)
        assert_problem(_upload(client, auth, ivr), status)
        assert_problem(client.get(_documents(ivr), headers=auth), status)
        assert_problem(client.get(url, headers=auth), status)
    assert_problem(client.get(f"{_documents(ivr)}/{ivr['id']}", headers=doctor_auth), 404)
    assert_problem(client.get(f"{_documents(ivr)}/not-a-uuid", headers=doctor_auth), 400)
    assert_problem(client.get(f"{IVRS}/not-a-uuid/documents", headers=doctor_auth), 400)
    assert_problem(client.get(_documents(ivr)), 401)
    assert_problem(client.post(_documents(ivr), json={"kind": "other"}, headers=doctor_auth), 415)
    assert_problem(_upload(client, doctor_auth, ivr, b"GIF89a" + bytes(64)), 415)
    problem = assert_problem(_upload(client, doctor_auth, ivr, kind="selfie"), 422)
    assert [e["field"] for e in problem["errors"]] == ["kind"]


def test_a_cancelled_ivr_takes_no_document_but_a_bad_form_on_it_is_409_too(client: Client, doctor_auth: Auth) -> None:
    ivr = _ivr(client, doctor_auth)
    assert client.delete(f"{IVRS}/{ivr['id']}", headers=doctor_auth).status_code == 200
    problem = assert_problem(_upload(client, doctor_auth, ivr), 409)
    assert "cancelled" in problem["detail"]
    assert_problem(_upload(client, doctor_auth, ivr, kind="selfie"), 409)  # the state answers before the form
    assert client.get(_documents(ivr), headers=doctor_auth).status_code == 200


def test_staff_add_documents_to_the_ivr_they_review(
    client: Client, doctor_auth: Auth, staff: User, platform: Platform
) -> None:
    ivr = _ivr(client, doctor_auth)
    staff_auth = login(client, staff.email.value)
    assert_problem(_upload(client, staff_auth, ivr), 404)  # a draft is beyond verification staff
    assert client.post(f"{IVRS}/{ivr['id']}/submit", json={}, headers=doctor_auth).status_code == 200
    assert client.post(f"{IVRS}/{ivr['id']}/start-review", json={}, headers=staff_auth).status_code == 200
    assert _upload(client, staff_auth, ivr, kind="other").status_code == 201
    assert_problem(_upload(client, doctor_auth, ivr), 409)  # the practice waits while the IVR is in review
    platform.user("staff2@example.org", Role.IVR_STAFF)
    assert_problem(_upload(client, login(client, "staff2@example.org"), ivr), 403)  # not their review


def test_a_submit_lists_each_missing_required_kind(tmp_path: Path) -> None:
    env = {"IVR_IVR_REQUIRED_DOCUMENT_KINDS": "insurance_card_front,insurance_card_back"}
    platform = memory_platform(tmp_path, now=datetime(2026, 11, 25, 9, 0, tzinfo=UTC), env=env)
    platform.user("doctor@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    with TestClient(create_app(platform.container)) as client:
        auth = login(client, "doctor@example.org")
        ivr = _ivr(client, auth)
        submit = f"{IVRS}/{ivr['id']}/submit"
        problem = assert_problem(client.post(submit, json={}, headers=auth), 422)
        assert "body" not in problem["detail"]  # the fields are the IVR's, not the (empty) request's
        assert problem["errors"] == [
            {"field": "documents", "message": f"needs a document of kind {kind} (on the IVR or its patient)"}
            for kind in ("insurance_card_front", "insurance_card_back")
        ]
        for kind in ("insurance_card_front", "insurance_card_back"):
            assert _upload(client, auth, ivr, PNG_BYTES, kind=kind).status_code == 201
        assert client.post(submit, json={}, headers=auth).json()["status"] == "submitted"


def test_the_upload_is_published_as_multipart_and_the_download_as_binary(client: Client) -> None:
    schema = client.get("/schema/openapi.json").json()
    path = schema["paths"]["/api/v1/ivrs/{ivr_id}/documents"]
    assert "multipart/form-data" in path["post"]["requestBody"]["content"]
    assert {"401", "403", "404", "409", "413", "415", "422"} <= set(path["post"]["responses"])
    download = schema["paths"]["/api/v1/ivrs/{ivr_id}/documents/{document_id}"]["get"]["responses"]["200"]
    assert "Repr-Digest" in download["headers"]
    kinds = next(p for p in path["get"]["parameters"] if p["name"] == "kind")
    assert kinds["in"] == "query"


def test_a_raw_multipart_body_with_kind_first_is_accepted(client: Client, doctor_auth: Auth) -> None:
    ivr = _ivr(client, doctor_auth)
    body = multipart([("kind", None, b"signed_form"), ("file", "form.pdf", PDF_BYTES)])
    headers = {**doctor_auth, "content-type": f"multipart/form-data; boundary={BOUNDARY}"}
    created = client.post(_documents(ivr), content=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["kind"] == "signed_form"

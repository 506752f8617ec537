"""Patient documents over HTTP: streamed multipart uploads, lists, digests on download, and every refusal."""

from __future__ import annotations

import base64
import hashlib
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient

from adapters.storage import LocalFolderDocumentStore
from entrypoints.http.app import create_app
from ivr_domain.identity.model import User
from ivr_domain.shared.actor import Role
from tests.platform import Platform, memory_platform
from tests.unit.entrypoints.conftest import Client, assert_problem, login, patient_body
from tests.unit.entrypoints.streaming import BOUNDARY, Progress, WatchedStore, multipart, post_in_pieces, upload_pieces

PDF_BYTES = b"%PDF-1.7\n" + bytes(range(256)) * 300
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x10" * 5000


def _patient(client: Client, auth: dict[str, str]) -> str:
    response = client.post("/api/v1/patients", json=patient_body(), headers=auth)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _documents(patient_id: str) -> str:
    return f"/api/v1/patients/{patient_id}/documents"


def _upload(client: Client, auth: dict[str, str], patient_id: str, content: bytes = PDF_BYTES, **data: str) -> Any:
    form = data or {"kind": "clinical_notes"}
    files = {"file": ("lovelace-wound-notes.pdf", content, "application/octet-stream")}
    return client.post(_documents(patient_id), data=form, files=files, headers=auth)


def _phi_headers(response: Any) -> None:
    assert response.headers["cache-control"] == "no-store"
    assert "authorization" in response.headers["vary"].lower()


def test_upload_list_and_download_with_a_verified_digest(client: Client, doctor_auth: dict[str, str]) -> None:
    patient_id = _patient(client, doctor_auth)
    created = _upload(client, doctor_auth, patient_id)
    assert created.status_code == 201, created.text
    _phi_headers(created)
    document = created.json()
    assert created.headers["location"] == f"{_documents(patient_id)}/{document['id']}"
    assert document["content_type"] == "application/pdf"  # sniffed: the part said octet-stream
    assert document["size"] == len(PDF_BYTES)
    assert document["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert "lovelace" not in created.text.lower()  # the uploaded file name is never kept or echoed
    listed = client.get(_documents(patient_id), headers=doctor_auth)
    _phi_headers(listed)
    assert listed.json() == {"items": [document], "next_cursor": None}
    download = client.get(created.headers["location"], headers=doctor_auth)
    assert download.status_code == 200
    _phi_headers(download)
    assert download.content == PDF_BYTES
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-length"] == str(len(PDF_BYTES))
    assert download.headers["content-disposition"] == f'attachment; filename="clinical_notes-{document["id"]}.pdf"'
    digest = base64.b64encode(hashlib.sha256(download.content).digest()).decode()
    assert download.headers["repr-digest"] == f"sha-256=:{digest}:"


def test_lists_page_with_cursors(client: Client, doctor_auth: dict[str, str]) -> None:
    patient_id = _patient(client, doctor_auth)
    ids = {_upload(client, doctor_auth, patient_id, JPEG_BYTES, kind="wound_photo").json()["id"] for _ in range(3)}
    first = client.get(_documents(patient_id), params={"limit": 2}, headers=doctor_auth).json()
    rest = client.get(_documents(patient_id), params={"cursor": first["next_cursor"]}, headers=doctor_auth).json()
    assert {d["id"] for d in first["items"] + rest["items"]} == ids
    assert rest["next_cursor"] is None
    assert_problem(client.get(_documents(patient_id), params={"sort": "-size"}, headers=doctor_auth), 400)


def test_bodies_that_are_not_multipart_are_415_even_before_authentication(client: Client) -> None:
    url = _documents("01a2155a-3ba6-7a66-a9b1-d02cdf343ac2")
    assert_problem(client.post(url, json={"kind": "other"}), 415)
    assert_problem(client.post(url, content=b"x", headers={"content-type": "multipart/form-data"}), 415)
    assert_problem(client.post(url, files={"file": ("a.pdf", PDF_BYTES)}), 401)


@pytest.mark.parametrize(
    "content", [b"just some text", b"GIF89a" + b"\x00" * 30, b"", b"<html><body>%PDF-</body></html>"]
)
def test_files_whose_bytes_are_not_pdf_png_jpeg_or_tiff_are_415(
    client: Client, doctor_auth: dict[str, str], content: bytes
) -> None:
    patient_id = _patient(client, doctor_auth)
    problem = assert_problem(_upload(client, doctor_auth, patient_id, content), 415)
    assert "image/tiff" in problem["allowed"]
    assert client.get(_documents(patient_id), headers=doctor_auth).json()["items"] == []


@pytest.mark.parametrize(
    ("form", "field"),
    [({"kind": "selfie"}, "kind"), ({"kind": "other", "note": "x"}, "note"), ({"knd": "other"}, "kind")],
)
def test_bad_or_unknown_fields_are_422(
    client: Client, doctor_auth: dict[str, str], form: dict[str, str], field: str
) -> None:
    patient_id = _patient(client, doctor_auth)
    problem = assert_problem(_upload(client, doctor_auth, patient_id, **form), 422)
    assert field in [e["field"] for e in problem["errors"]]


def test_a_missing_file_or_a_kind_after_the_file_is_422(client: Client, doctor_auth: dict[str, str]) -> None:
    patient_id = _patient(client, doctor_auth)
    url = _documents(patient_id)
    no_file = client.post(url, content=multipart([("kind", None, b"other")]), headers=_form(doctor_auth))
    assert [e["field"] for e in assert_problem(no_file, 422)["errors"]] == ["file"]
    late = multipart([("file", "a.pdf", PDF_BYTES), ("kind", None, b"other")])
    problem = assert_problem(client.post(url, content=late, headers=_form(doctor_auth)), 422)
    assert problem["errors"][0]["field"] == "kind"
    trailing = multipart([("kind", None, b"other"), ("file", "a.pdf", PDF_BYTES), ("extra", None, b"1")])
    assert_problem(client.post(url, content=trailing, headers=_form(doctor_auth)), 422)
    assert client.get(url, headers=doctor_auth).json()["items"] == []


def test_a_malformed_multipart_body_is_400(client: Client, doctor_auth: dict[str, str]) -> None:
    patient_id = _patient(client, doctor_auth)
    response = client.post(_documents(patient_id), content=b"no parts at all here", headers=_form(doctor_auth))
    assert_problem(response, 400)


_PART = st.tuples(
    st.sampled_from(["kind", "file", "note", "kind"]),
    st.one_of(st.none(), st.sampled_from(["a.pdf", "x", ""])),
    st.one_of(st.sampled_from([b"other", b"wound_photo", PDF_BYTES[:300], JPEG_BYTES[:50]]), st.binary(max_size=80)),
)


@given(
    parts=st.lists(_PART, max_size=4),
    cut=st.one_of(st.none(), st.integers(0, 400)),
    noise=st.binary(max_size=8),
)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_multipart_body_makes_the_server_fail(
    client: Client,
    doctor_auth: dict[str, str],
    parts: list[tuple[str, str | None, bytes]],
    cut: int | None,
    noise: bytes,
) -> None:
    url = _documents(_fuzzed_patient(client, doctor_auth))
    body = multipart(parts)
    body = body[:cut] + noise if cut is not None else body
    response = client.post(url, content=body, headers=_form(doctor_auth))
    assert response.status_code in {201, 400, 415, 422}, response.text


_FUZZED: dict[str, str] = {}


def _fuzzed_patient(client: Client, auth: dict[str, str]) -> str:
    # One patient per test client (hypothesis reuses the function-scoped fixtures across examples).
    key = auth["Authorization"]
    if key not in _FUZZED:
        _FUZZED[key] = _patient(client, auth)
    return _FUZZED[key]


def _form(auth: dict[str, str]) -> dict[str, str]:
    return {**auth, "content-type": f"multipart/form-data; boundary={BOUNDARY}"}


def test_another_practice_gets_404_and_the_sales_hierarchy_403(
    client: Client, platform: Platform, doctor: User, doctor_auth: dict[str, str]
) -> None:
    patient_id = _patient(client, doctor_auth)
    document_url = _upload(client, doctor_auth, patient_id).headers["location"]
    platform.user("other@example.org", Role.DOCTOR, practice="Shelbyville Clinic")
    sales = platform.user("sam@example.org", Role.SALESPERSON)
    platform.assign(sales, doctor)
    for email, status in (("other@example.org", 404), ("sam@example.org", 403)):
        auth = login(client, email)
        assert_problem(_upload(client, auth, patient_id), status)
        assert_problem(client.get(_documents(patient_id), headers=auth), status)
        assert_problem(client.get(document_url, headers=auth), status)
    assert client.get(f"{_documents(patient_id)}/{patient_id}", headers=doctor_auth).status_code == 404


@pytest.fixture
def small_app(tmp_path: Path) -> tuple[Litestar, Platform]:
    env = {"IVR_MAX_DOCUMENT_BYTES": "4096"}
    platform = memory_platform(tmp_path, now=datetime(2026, 11, 25, 9, 0, tzinfo=UTC), env=env)
    platform.user("doctor@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    return create_app(platform.container), platform


def test_a_file_past_the_limit_is_413(small_app: tuple[Litestar, Platform]) -> None:
    app, _ = small_app
    with TestClient(app) as client:
        auth = login(client, "doctor@example.org")
        patient_id = _patient(client, auth)
        too_large = assert_problem(_upload(client, auth, patient_id, PDF_BYTES[:5000]), 413)
        assert (too_large["type"], too_large["title"]) == (
            "/docs/problems/request_entity_too_large",
            "Request entity too large",
        )
        assert _upload(client, auth, patient_id, PDF_BYTES[:4096]).status_code == 201
        # A body announced past the limit is refused before anything else, authentication included.
        announced = {"content-type": f"multipart/form-data; boundary={BOUNDARY}", "content-length": "9000000"}
        announced_too_large = assert_problem(client.post(_documents(patient_id), content=b"", headers=announced), 413)
        assert announced_too_large["title"] == "Request entity too large"
        assert len(client.get(_documents(patient_id), headers=auth).json()["items"]) == 1


def _streaming_platform(tmp_path: Path, progress: Progress, *, folder: bool) -> tuple[Litestar, dict[str, str], str]:
    platform = memory_platform(tmp_path, now=datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    inner: Any = platform.container.document_store()
    if folder:
        ring = platform.container.keyring()
        inner = LocalFolderDocumentStore(tmp_path / "documents", ring.cipher_keys, ring.current_cipher_key_id)
    platform.container.document_store.override(providers.Object(WatchedStore(inner, progress)))
    platform.user("doctor@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    app = create_app(platform.container)
    with TestClient(app) as client:
        auth = login(client, "doctor@example.org")
        patient_id = _patient(client, auth)
    return app, auth, patient_id


def _pdf_pieces(count: int, size: int) -> Iterator[bytes]:
    yield b"%PDF-1.7\n"
    for i in range(count):
        yield bytes([i % 256]) * size


def test_uploads_reach_the_store_while_the_body_is_still_arriving(tmp_path: Path) -> None:
    progress = Progress()
    app, auth, patient_id = _streaming_platform(tmp_path, progress, folder=False)
    body = upload_pieces(b"clinical_notes", _pdf_pieces(100, 16 * 1024))
    answer = post_in_pieces(app, _documents(patient_id), auth, body, progress)
    assert answer.status == 201, answer.body
    assert progress.sent == 103
    assert progress.seen_at[0] <= 3  # the first bytes were stored when 3 of 103 pieces had been sent
    assert progress.seen_at == sorted(progress.seen_at)


def test_a_large_upload_is_never_held_in_memory(tmp_path: Path) -> None:
    progress = Progress()
    app, auth, patient_id = _streaming_platform(tmp_path, progress, folder=True)
    size = 20 * 1024 * 1024
    body = upload_pieces(b"clinical_notes", _pdf_pieces(size // (64 * 1024), 64 * 1024))
    tracemalloc.start()
    try:
        answer = post_in_pieces(app, _documents(patient_id), auth, body, progress)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert answer.status == 201, answer.body
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes for a {size}-byte upload"


def test_bytes_that_fail_verification_are_never_served_as_a_success(tmp_path: Path) -> None:
    app, auth, patient_id = _streaming_platform(tmp_path, Progress(), folder=True)
    with TestClient(app, raise_server_exceptions=False) as client:
        url = _upload(client, auth, patient_id, PDF_BYTES * 4).headers["location"]
        path = next((tmp_path / "documents").rglob("*.ivrdoc"))
        raw = bytearray(path.read_bytes())
        raw[-100] ^= 0x01  # in the last chunk: the response has started when it fails
        path.write_bytes(bytes(raw))
        cut_short = client.get(url, headers=auth)
        # A server aborts the connection short of Content-Length; the test transport turns that into a 500.
        assert cut_short.status_code == 500 or len(cut_short.content) < len(PDF_BYTES * 4)
        raw[100] ^= 0x01  # in the first chunk: fails before the status line
        path.write_bytes(bytes(raw))
        assert_problem(client.get(url, headers=auth), 500)
        path.unlink()
        assert_problem(client.get(url, headers=auth), 500)

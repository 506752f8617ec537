"""`ivr keys rotate` and `ivr keys status`: a new key becomes current, every PHI field moves to it, resumably."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from sqlalchemy import select

from adapters.sqlalchemy.tables import ivrs
from entrypoints.cli.commands.demo import PATIENTS
from entrypoints.container import Container
from ivr_domain.ivr.documents import UploadIvrDocument
from ivr_domain.patients.documents import UploadDocument
from ivr_domain.shared.actor import SYSTEM_ACTOR
from ivr_domain.shared.documents import UploadedFile
from ivr_domain.shared.ids import IvrId
from tests.cli.conftest import Invoke, all_patients


def _usage(built: Container) -> dict[str, dict[str, int]]:
    return built.rekeyer().usage(["k1", "k2", "k3"])  # type: ignore[no-any-return]


def _ciphertext_files(cli_env: dict[str, str]) -> list[Path]:
    data = Path(cli_env["IVR_DATA_DIR"])
    return [p for p in data.iterdir() if p.name.startswith("ivr.db")]


def test_rotation_moves_every_patient_to_a_new_key_and_they_read_back(
    ivr: Invoke, seeded: Result, read_back: Callable[[], Container], cli_env: dict[str, str]
) -> None:
    before = all_patients(read_back())
    assert _usage(read_back())["patients"] == {"k1": len(PATIENTS), "k2": 0, "k3": 0, "other": 0}

    result = ivr("keys", "rotate", "--batch-size", "1")

    assert result.exit_code == 0, result.output
    assert "added key k2" in result.stdout
    assert "every PHI field and document is under k2" in result.stdout
    keys = json.loads(Path(cli_env["IVR_DATA_DIR"], "keys.json").read_text())
    assert keys["current_cipher_key"] == "k2"
    assert set(keys["cipher_keys"]) == {"k1", "k2"}  # the old key stays, for backups
    after = read_back()
    assert _usage(after)["patients"] == {"k1": 0, "k2": len(PATIENTS), "k3": 0, "other": 0}
    assert _usage(after)["patient_insurances"]["k1"] == 0
    assert all_patients(after) == before
    for path in _ciphertext_files(cli_env):
        content = path.read_bytes()
        assert not any(first.encode() in content for first, *_ in PATIENTS)


def test_an_interrupted_rotation_resumes_and_finishes(
    ivr: Invoke, seeded: Result, read_back: Callable[[], Container]
) -> None:
    before = all_patients(read_back())

    stopped = ivr("keys", "rotate", "--batch-size", "1", "--stop-after", "2")
    assert stopped.exit_code == 0, stopped.output
    assert "run `ivr keys rotate` again" in stopped.stdout
    half = _usage(read_back())
    assert half["patients"]["k1"] > 0
    assert half["patients"]["k2"] > 0
    assert all_patients(read_back()) == before  # a half-rotated store reads back whole

    status = ivr("keys", "status")
    assert status.exit_code == 0, status.output
    assert "current key: k2" in status.stdout

    resumed = ivr("keys", "rotate")
    assert resumed.exit_code == 0, resumed.output
    assert "resuming the rotation to k2" in resumed.stdout  # no third key while the second is unfinished
    assert _usage(read_back())["patients"] == {"k1": 0, "k2": len(PATIENTS), "k3": 0, "other": 0}
    assert all_patients(read_back()) == before


def test_a_second_rotation_adds_a_third_key(ivr: Invoke, seeded: Result, read_back: Callable[[], Container]) -> None:
    assert ivr("keys", "rotate").exit_code == 0
    again = ivr("keys", "rotate")
    assert again.exit_code == 0, again.output
    assert "added key k3" in again.stdout
    assert _usage(read_back())["patients"]["k3"] == len(PATIENTS)


def _environment_keys(cli_env: dict[str, str], current: str) -> dict[str, str]:
    """The key file's keys given as settings, plus a new key k2, with `current` selected."""
    stored = json.loads(Path(cli_env["IVR_DATA_DIR"], "keys.json").read_text())
    return {
        "IVR_CIPHER_KEYS": f"k1:{stored['cipher_keys']['k1']},k2:{base64.b64encode(b'n' * 32).decode()}",
        "IVR_CIPHER_CURRENT_KEY": current,
        "IVR_BLIND_INDEX_KEY": stored["blind_index_key"],
        "IVR_JWT_SECRET": stored["jwt_secret"],
    }


def test_with_keys_from_the_environment_rotation_re_encrypts_under_the_selected_key(
    ivr: Invoke, seeded: Result, read_back: Callable[[], Container], cli_env: dict[str, str]
) -> None:
    unchanged = ivr("keys", "rotate", env=_environment_keys(cli_env, current="k1"))
    assert unchanged.exit_code == 1
    assert "add the new key to IVR_CIPHER_KEYS" in unchanged.stderr

    moved = ivr("keys", "rotate", env=_environment_keys(cli_env, current="k2"))
    assert moved.exit_code == 0, moved.output
    assert "resuming the rotation to k2" in moved.stdout
    assert _usage(read_back())["patients"]["k1"] == 0


def test_rows_under_a_key_that_is_not_loaded_stop_the_rotation(
    ivr: Invoke, seeded: Result, cli_env: dict[str, str]
) -> None:
    env = _environment_keys(cli_env, current="k2")
    env["IVR_CIPHER_KEYS"] = env["IVR_CIPHER_KEYS"].split(",")[1]  # k2 only: k1's rows cannot be read
    result = ivr("keys", "rotate", env=env)
    assert result.exit_code == 1
    assert "not loaded" in result.stderr


def test_rotation_re_encrypts_documents_and_they_download_unchanged(
    ivr: Invoke, seeded: Result, read_back: Callable[[], Container], cli_env: dict[str, str]
) -> None:
    built = read_back()
    patient = all_patients(built)[0]
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 700  # several chunks
    upload = UploadDocument(patient_id=patient.id, kind="clinical_notes", content=[pdf])
    document = built.upload_document()(SYSTEM_ACTOR, upload).unwrap()

    stopped = ivr("keys", "rotate", "--stop-after", str(10_000))
    assert stopped.exit_code == 0, stopped.output
    assert dict(read_back().document_store().key_ids()) == {"k2": 1}
    status = ivr("keys", "status")
    assert "documents" in status.stdout
    assert "0 documents" in status.stdout

    download = read_back().get_document()(SYSTEM_ACTOR, patient.id, document.id).unwrap()
    assert b"".join(download.chunks()) == pdf
    stored = list(Path(cli_env["IVR_DATA_DIR"], "documents").rglob("*"))
    assert not any(bytes(range(64)) in p.read_bytes() for p in stored if p.is_file())


def test_status_counts_patient_and_ivr_documents_apart(
    ivr: Invoke, seeded: Result, read_back: Callable[[], Container]
) -> None:
    built = read_back()
    patient = all_patients(built)[0]
    pdf = b"%PDF-1.7\n" + bytes(200)
    built.upload_document()(SYSTEM_ACTOR, UploadDocument(patient_id=patient.id, kind="other", content=[pdf])).unwrap()
    with built.engine().connect() as db:
        draft = db.execute(select(ivrs.c.id).where(ivrs.c.status == "draft").limit(1)).scalar_one()
    for _ in range(2):
        upload = UploadIvrDocument(ivr_id=IvrId(draft), file=UploadedFile(kind="other", content=[pdf]))
        built.upload_ivr_document()(SYSTEM_ACTOR, upload).unwrap()

    status = ivr("keys", "status")

    assert status.exit_code == 0, status.output
    lines = [line.split() for line in status.stdout.splitlines()]
    assert ["patient_documents", "k1:", "1"] in lines
    assert ["ivr_documents", "k1:", "2"] in lines
    assert status.stdout.endswith("not under the current key: 0 rows, 0 documents\n")

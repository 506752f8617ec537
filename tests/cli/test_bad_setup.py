"""Damaged key files, settings out of range, unusable folders and hostile arguments: one `error:` line, no traceback."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from pathlib import Path
from uuid import uuid4

import pytest
from click.testing import Result

from entrypoints.container import Container
from ivr_domain.shared.ids import DocumentId
from tests.cli.conftest import Invoke, all_users


def _refused(result: Result, message: str) -> None:
    """Assert the command stopped with exit 1 and one error line holding `message`, not an exception."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    last = result.stderr.splitlines()[-1]  # after any warning of a key file made on this first start
    assert last.startswith("error: "), result.stderr
    assert message in last, result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "key"),
        (b"{not json", "key"),
        (b"[]", "key"),
        (json.dumps({"version": 1, "cipher_keys": {"k1": "c2hvcnQ="}, "current_cipher_key": "k1"}).encode(), "key"),
    ],
)
def test_a_damaged_key_file_is_named_not_a_traceback(
    ivr: Invoke, migrated: None, cli_env: dict[str, str], content: bytes, message: str
) -> None:
    Path(cli_env["IVR_DATA_DIR"], "keys.json").write_bytes(content)
    _refused(ivr("keys", "status"), message)
    _refused(ivr("audit", "verify"), message)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"IVR_AUDIT_KEY": "YWJj"}, "audit key"),
        ({"IVR_ENV": "production"}, "production requires"),
    ],
)
def test_bad_key_settings_are_named(ivr: Invoke, migrated: None, env: dict[str, str], message: str) -> None:
    _refused(ivr("audit", "verify", env=env), message)


def test_an_audit_key_file_that_is_not_text_is_named(ivr: Invoke, migrated: None, cli_env: dict[str, str]) -> None:
    Path(cli_env["IVR_DATA_DIR"], "audit.key").write_bytes(b"\xff\xfe")
    _refused(ivr("audit", "seal"), "audit key file")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"IVR_ACCESS_TOKEN_MINUTES": "99999999999999"}, "IVR_ACCESS_TOKEN_MINUTES must be from 1 to 1440"),
        ({"IVR_IDEMPOTENCY_TTL_HOURS": "99999999999"}, "IVR_IDEMPOTENCY_TTL_HOURS must be from 1 to 720"),
        ({"IVR_PORT": "70000"}, "IVR_PORT must be from 1 to 65535, not '70000'"),
        ({"IVR_SESSION_CACHE_SECONDS": "nan"}, "IVR_SESSION_CACHE_SECONDS must be a finite number"),
        ({"IVR_MIN_PASSWORD_LENGTH": "2"}, "IVR_MIN_PASSWORD_LENGTH must be from 12 to 128, not '2'"),
        ({"IVR_CIPHER_KEYS": "k1:YQ=="}, "IVR_CIPHER_CURRENT_KEY, IVR_BLIND_INDEX_KEY, IVR_JWT_SECRET are not set"),
        ({"IVR_LOG_LEVEL": "bogus"}, "IVR_LOG_LEVEL must be one of"),
        ({"IVR_DATA_DIR": "/proc/ivr-cannot-exist"}, "cannot create IVR_DATA_DIR"),
    ],
)
def test_settings_out_of_range_are_named(ivr: Invoke, env: dict[str, str], message: str) -> None:
    _refused(ivr("db", "upgrade", env=env), message)


def test_keys_partly_in_the_environment_do_not_fall_back_to_the_key_file(
    ivr: Invoke, seeded: object, cli_env: dict[str, str]
) -> None:
    keys = Path(cli_env["IVR_DATA_DIR"], "keys.json")
    before = keys.read_bytes()
    stored = json.loads(before)
    partial = {"IVR_CIPHER_KEYS": f"k1:{stored['cipher_keys']['k1']}", "IVR_CIPHER_CURRENT_KEY": "k1"}

    for command in (("keys", "status"), ("keys", "rotate"), ("db", "upgrade")):
        _refused(ivr(*command, env=partial), "IVR_BLIND_INDEX_KEY, IVR_JWT_SECRET are not set")
    assert keys.read_bytes() == before


@pytest.mark.parametrize("line", ['{"position": 1e999, "chain_hash": "x", "sealed_at": "2026-01-01"}', "[" * 200_000])
def test_a_damaged_anchor_line_is_a_finding_not_a_crash(
    ivr: Invoke, migrated: None, cli_env: dict[str, str], line: str
) -> None:
    assert ivr("audit", "seal").exit_code == 0
    with Path(cli_env["IVR_DATA_DIR"], "audit-anchors.jsonl").open("a") as anchors:
        anchors.write(line + "\n")

    result = ivr("audit", "verify", "--json")

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    report = json.loads(result.stdout)
    assert report["intact"] is False
    assert "anchors_unreadable" in {problem["finding"] for problem in report["problems"]}


@pytest.mark.parametrize("field", ["--name", "--email"])
def test_a_nul_in_a_user_s_details_is_refused_and_nothing_is_created(
    ivr: Invoke, migrated: None, read_back: Callable[[], Container], field: str
) -> None:
    values = {"--email": "nul@example.org", "--name": "Nu Ll"}
    values[field] = values[field].replace("u", "u\x00", 1)
    args = [arg for pair in values.items() for arg in pair]
    result = ivr("users", "create", *args, "--role", "admin", "--password", "correct horse battery staple")

    _refused(result, field)
    assert all_users(read_back()) == []


def test_a_lost_key_file_is_not_made_anew_over_encrypted_data(
    ivr: Invoke, seeded: object, cli_env: dict[str, str]
) -> None:
    keys = Path(cli_env["IVR_DATA_DIR"], "keys.json")
    keys.unlink()

    for command in (("keys", "status"), ("keys", "rotate"), ("seed-demo",)):
        _refused(ivr(*command), "is missing but the database holds encrypted data")
    assert not keys.exists()


def _foreign_key_file(keys: Path) -> None:
    """Replace the key file with one of fresh keys under the same ids: present, well formed, and wrong."""
    document = json.loads(keys.read_text())
    document["cipher_keys"] = {key_id: base64.b64encode(os.urandom(32)).decode() for key_id in document["cipher_keys"]}
    keys.write_text(json.dumps(document))


def test_a_rotation_with_keys_that_do_not_open_the_data_changes_nothing(
    ivr: Invoke, seeded: object, cli_env: dict[str, str], read_back: Callable[[], Container]
) -> None:
    keys = Path(cli_env["IVR_DATA_DIR"], "keys.json")
    _foreign_key_file(keys)
    before = keys.read_bytes()
    usage = read_back().rekeyer().usage(["k1", "k2"])

    _refused(ivr("keys", "rotate"), "the loaded keys do not open the stored data")

    assert keys.read_bytes() == before
    assert read_back().rekeyer().usage(["k1", "k2"]) == usage


def test_a_rotation_with_keys_that_do_not_open_a_document_changes_nothing(
    ivr: Invoke, migrated: None, cli_env: dict[str, str], read_back: Callable[[], Container]
) -> None:
    # No PHI row: only the document can tell that the keys are wrong.
    read_back().document_store().put(DocumentId(uuid4()), [b"%PDF-1.7 scan"], max_bytes=1024).unwrap()
    keys = Path(cli_env["IVR_DATA_DIR"], "keys.json")
    _foreign_key_file(keys)
    before = keys.read_bytes()

    _refused(ivr("keys", "rotate"), "the loaded keys do not open the stored data")

    assert keys.read_bytes() == before


def test_a_first_start_still_makes_its_key_file(ivr: Invoke, migrated: None, cli_env: dict[str, str]) -> None:
    keys = Path(cli_env["IVR_DATA_DIR"], "keys.json")
    keys.unlink(missing_ok=True)

    assert ivr("keys", "status").exit_code == 0
    assert keys.exists()

"""Scratch probe (to be deleted)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke, all_users, all_practices
from tests.cli.test_zz_cli_probe_a import show

GOOD = "correct-horse-battery"


def _keys(cli_env) -> Path:
    return Path(cli_env["IVR_DATA_DIR"]) / "keys.json"


KEYFILES = {
    "empty": b"",
    "garbage": b"\x00\xff garbage",
    "truncated": None,
    "list": b"[]",
    "noversion": b'{"cipher_keys": {}}',
    "nocipher": None,
    "badb64": None,
    "wrongcurrent": None,
    "shortkey": None,
    "keyid_bad": None,
    "cipher_not_dict": None,
    "dir": None,
}


@pytest.mark.parametrize("kind", list(KEYFILES))
@pytest.mark.parametrize("args", [("keys", "status"), ("keys", "rotate"), ("users", "create", "--email", "n@b.org", "--role", "admin", "--name", "A", "--password", GOOD), ("seed-demo",), ("audit", "seal"), ("db", "backfill-ivr-payers")])
def test_keyfile(ivr: Invoke, migrated: None, cli_env, kind, args) -> None:
    assert ivr("users", "create", "--email", "first@b.org", "--role", "admin", "--name", "A", "--password", GOOD).exit_code == 0
    path = _keys(cli_env)
    doc = json.loads(path.read_text())
    raw = KEYFILES[kind]
    if kind == "truncated":
        raw = path.read_bytes()[:40]
    elif kind == "nocipher":
        del doc["cipher_keys"]; raw = json.dumps(doc).encode()
    elif kind == "badb64":
        doc["jwt_secret"] = "!!!"; raw = json.dumps(doc).encode()
    elif kind == "wrongcurrent":
        doc["current_cipher_key"] = "k9"; raw = json.dumps(doc).encode()
    elif kind == "shortkey":
        doc["cipher_keys"]["k1"] = "AAAA"; raw = json.dumps(doc).encode()
    elif kind == "keyid_bad":
        doc["cipher_keys"]["bad id!"] = doc["cipher_keys"]["k1"]; raw = json.dumps(doc).encode()
    elif kind == "cipher_not_dict":
        doc["cipher_keys"] = ["x"]; raw = json.dumps(doc).encode()
    if kind == "dir":
        path.unlink(); path.mkdir()
    else:
        path.write_bytes(raw)
    show(f"keyfile {kind} {args}", ivr(*args))


def test_keyfile_unreadable(ivr: Invoke, migrated: None, cli_env) -> None:
    assert ivr("users", "create", "--email", "first@b.org", "--role", "admin", "--name", "A", "--password", GOOD).exit_code == 0
    path = _keys(cli_env)
    path.chmod(0o644)
    show("keyfile 0644 status", ivr("keys", "status"))
    path.chmod(0o000)
    show("keyfile 0000 status (root?)", ivr("keys", "status"))
    path.chmod(0o600)


AUDIT = {
    "garbage": b"garbage line\n",
    "truncjson": b'{"position": 1, "chain_',
    "binary": b"\xff\xfe\x00\n",
    "wrongtypes": b'{"position": "x", "chain_hash": 1, "sealed_at": 5}\n',
    "list": b"[1,2]\n",
    "bigpos": b'{"position": 1e400, "chain_hash": "a", "sealed_at": "2026-01-01T00:00:00+00:00"}\n',
    "naive": b'{"position": 999, "chain_hash": "a", "sealed_at": "2026-01-01T00:00:00"}\n',
    "dir": None,
}


@pytest.mark.parametrize("kind", list(AUDIT))
@pytest.mark.parametrize("args", [("audit", "verify"), ("audit", "verify", "--json"), ("audit", "seal")])
def test_anchor(ivr: Invoke, migrated: None, cli_env, kind, args) -> None:
    assert ivr("users", "create", "--email", "first@b.org", "--role", "admin", "--name", "A", "--password", GOOD).exit_code == 0
    path = Path(cli_env["IVR_DATA_DIR"]) / "audit-anchors.jsonl"
    if kind == "dir":
        path.mkdir()
    else:
        path.write_bytes(AUDIT[kind])
    show(f"anchor {kind} {args}", ivr(*args))


@pytest.mark.parametrize("content", [b"", b"!!!", b"YWJj", b"\xff\xfe", None])
@pytest.mark.parametrize("args", [("audit", "verify"), ("audit", "seal")])
def test_audit_key(ivr: Invoke, migrated: None, cli_env, content, args) -> None:
    assert ivr("audit", "seal").exit_code == 0
    path = Path(cli_env["IVR_DATA_DIR"]) / "audit.key"
    if content is None:
        path.unlink(); path.mkdir()
    else:
        path.write_bytes(content)
    show(f"auditkey {content!r} {args}", ivr(*args))


def test_audit_key_missing_after_seal(ivr: Invoke, migrated: None, cli_env) -> None:
    assert ivr("users", "create", "--email", "first@b.org", "--role", "admin", "--name", "A", "--password", GOOD).exit_code == 0
    assert ivr("audit", "seal").exit_code == 0
    (Path(cli_env["IVR_DATA_DIR"]) / "audit.key").unlink()
    show("auditkey missing verify", ivr("audit", "verify"))


USERS = [
    ("--email", "x\x00@b.org", "--role", "admin", "--name", "A", "--password", GOOD),
    ("--email", "ok1@b.org", "--role", "admin", "--name", "A\x00B", "--password", GOOD),
    ("--email", "ok2@b.org", "--role", "admin", "--name", "A", "--password", "pass\x00word-long-enough"),
    ("--email", "ok3@b.org", "--role", "doctor", "--name", "A", "--password", GOOD, "--practice", "P\x00Q"),
    ("--email", "a" * 5000 + "@b.org", "--role", "admin", "--name", "A", "--password", GOOD),
    ("--email", "ok4@b.org", "--role", "admin", "--name", "A" * 100000, "--password", GOOD),
    ("--email", "ok5@b.org", "--role", "admin", "--name", "A", "--password", "p" * 1_000_000),
    ("--email", "ok6@b.org", "--role", "doctor", "--name", "A", "--password", GOOD, "--practice", "P" * 5000),
    ("--email", "ok7@b.org", "--role", "doctor", "--name", "Ǆ" * 200, "--password", GOOD),
    ("--email", "ok8@b.org", "--role", "doctor", "--name", "ß" * 200, "--password", GOOD),
    ("--email", "ok9@b.org", "--role", "doctor", "--name", "A", "--password", GOOD, "--practice", "ß" * 200),
    ("--email", "ok10@b.org", "--role", "doctor", "--name", "A", "--password", GOOD, "--practice", "\u200b"),
    ("--email", "ok11@b.org", "--role", "admin", "--name", "\u200b", "--password", GOOD),
    ("--email", "ok12@b.org", "--role", "admin", "--name", "A\nB", "--password", GOOD),
    ("--email", "ok13@b.org", "--role", "bogus", "--name", "A", "--password", GOOD),
    ("--email", "ok14@b.org", "--role", "ADMIN", "--name", "A", "--password", GOOD),
    ("--email", "ok15@b.org", "--role", "system", "--name", "A", "--password", GOOD),
    ("--email", "ok16@b.org", "--role", "admin", "--name", "A", "--password", GOOD, "--practice", "P"),
    ("--email", "", "--role", "admin", "--name", "", "--password", ""),
    ("--email", "ÄÖ@exämple.org", "--role", "admin", "--name", "A", "--password", GOOD),
    ("--email", "ok17@b.org", "--role", "admin", "--name", "A", "--password", "\ud800" * 20),
    ("--email", "\ud800@b.org", "--role", "admin", "--name", "A", "--password", GOOD),
    ("--email", "ok18@b.org", "--role", "admin", "--name", "\ud800", "--password", GOOD),
    ("--email", "ok19@b.org", "--role", "doctor", "--name", "A", "--password", GOOD, "--practice", "\ud800"),
    ("--email", "FIRST@B.ORG", "--role", "admin", "--name", "A", "--password", GOOD),
    ("--email", " first@b.org ", "--role", "admin", "--name", "A", "--password", GOOD),
]


@pytest.mark.parametrize("args", USERS, ids=range(len(USERS)))
def test_users_create(ivr: Invoke, migrated: None, read_back, args) -> None:
    assert ivr("users", "create", "--email", "first@b.org", "--role", "admin", "--name", "A", "--password", GOOD).exit_code == 0
    r = ivr("users", "create", *args)
    show(f"create {[a[:40] for a in args]}", r)
    built = read_back()
    print("users:", len(all_users(built)), "practices:", [p.name[:30] for p in all_practices(built)])


def test_assign(ivr: Invoke, migrated: None, read_back) -> None:
    for email, role in [("m@b.org", "master_distributor"), ("d@b.org", "distributor"), ("s@b.org", "salesperson"), ("doc@b.org", "doctor"), ("adm@b.org", "admin"), ("m2@b.org", "master_distributor"), ("d2@b.org", "distributor"), ("doc2@b.org", "doctor")]:
        r = ivr("users", "create", "--email", email, "--role", role, "--name", "N " + email, "--password", GOOD, *(["--practice", "Shared"] if role == "doctor" else []))
        assert r.exit_code == 0, r.output
    for m, n in [("m@b.org", "m@b.org"), ("d@b.org", "d@b.org"), ("m@b.org", "d@b.org"), ("d@b.org", "m@b.org"), ("d@b.org", "s@b.org"), ("s@b.org", "d@b.org"), ("s@b.org", "m@b.org"),
                 ("adm@b.org", "d@b.org"), ("doc@b.org", "s@b.org"), ("s@b.org", "doc@b.org"), ("s@b.org", "doc2@b.org"), ("m2@b.org", "m@b.org"), ("d2@b.org", "d@b.org"), ("m@b.org", "adm@b.org"),
                 ("M@B.ORG", " d2@b.org "), ("nobody@b.org", "d@b.org"), ("m@b.org", "nobody@b.org"), ("not-an-email", "d@b.org"), ("m\x00@b.org", "d@b.org"), ("\ud800", "d@b.org"), ("", "")]:
        show(f"assign {m!r} {n!r}", ivr("users", "assign", "--manager", m, "--member", n))


def test_seed_twice_and_users(ivr: Invoke, seeded, read_back) -> None:
    show("seed2", ivr("seed-demo"))
    show("create demo dup", ivr("users", "create", "--email", "admin@demo.example.org", "--role", "admin", "--name", "A", "--password", GOOD))
    show("assign loop", ivr("users", "assign", "--manager", "sales@demo.example.org", "--member", "master@demo.example.org"))
    show("assign doc2->nurse", ivr("users", "assign", "--manager", "sales@demo.example.org", "--member", "nurse@demo.example.org"))
    show("backfill", ivr("db", "backfill-ivr-payers", "--batch-size", "0"))
    show("backfill x", ivr("db", "backfill-ivr-payers", "--batch-size", "x"))
    show("rotate 0", ivr("keys", "rotate", "--batch-size", "0"))
    show("rotate stop 0", ivr("keys", "rotate", "--stop-after", "0"))
    show("audit seal extra", ivr("audit", "seal", "extra"))
    show("verify bad flag", ivr("audit", "verify", "--jsonx"))
    show("serve port x", ivr("serve", "--port", "x"))
    show("serve workers 0", ivr("serve", "--workers", "0"))
    show("serve workers 2", ivr("serve", "--workers", "2"))
    show("serve port -1", ivr("serve", "--port", "-1", env={"IVR_DATA_DIR": "/proc/zz"}))
    show("worker conc 0", ivr("worker", "--concurrency", "0"))
    show("worker conc x", ivr("worker", "--concurrency", "x"))
    show("worker name", ivr("worker", "--name", "\x00"))
    show("db nothing", ivr("db"))
    show("db bogus", ivr("db", "bogus"))
    show("top bogus", ivr("bogus"))
    show("env prod seed", ivr("seed-demo", env={"IVR_ENV": "production"}))

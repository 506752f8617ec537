"""Scratch probe (to be deleted)."""
from __future__ import annotations

import json
import os
import traceback
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke

PG_DOWN = "postgresql+psycopg://postgres@127.0.0.1:5999/x"


def show(tag, r):
    exc = r.exception
    bad = exc is not None and not isinstance(exc, SystemExit)
    tb = ""
    if bad:
        tb = "".join(traceback.format_exception(exc)[-3:])
    print(f"\n=== {tag}: exit={r.exit_code} {'UNEXPECTED ' + type(exc).__name__ if bad else ''}")
    print("stdout:", r.stdout[:300].replace("\n", " | "))
    try:
        print("stderr:", r.stderr[:400].replace("\n", " | "))
    except ValueError:
        pass
    if tb:
        print("TB:", tb[-1500:])


CASES_NODB = [
    ("users", "create", "--email", "a@b.org", "--role", "admin", "--name", "A", "--password", "x" * 20),
    ("users", "assign", "--manager", "a@b.org", "--member", "c@d.org"),
    ("audit", "seal"),
    ("audit", "verify"),
    ("audit", "verify", "--json"),
    ("keys", "status"),
    ("keys", "rotate"),
    ("seed-demo",),
    ("db", "backfill-ivr-payers"),
    ("worker",),
]


@pytest.mark.parametrize("args", CASES_NODB)
def test_no_db(ivr: Invoke, args) -> None:
    show(f"nodb {args}", ivr(*args))


@pytest.mark.parametrize("args", CASES_NODB + [("db", "upgrade")])
def test_pg_down(ivr: Invoke, args) -> None:
    show(f"pgdown {args}", ivr(*args, env={"IVR_DATABASE_URL": PG_DOWN}))


@pytest.mark.parametrize("url", ["bogus://x", "sqlite:////nonexistent/dir/x.db", "postgresql://postgres@127.0.0.1:5432/nonexist_db_zz", "sqlite:///", "mysql://x@127.0.0.1/x"])
@pytest.mark.parametrize("args", [("db", "upgrade"), ("audit", "verify"), ("keys", "status")])
def test_bad_urls(ivr: Invoke, url, args) -> None:
    show(f"url {url} {args}", ivr(*args, env={"IVR_DATABASE_URL": url}))


BAD_ENVS = [
    {"IVR_PORT": "-1"}, {"IVR_PORT": "abc"}, {"IVR_PORT": "99999"}, {"IVR_WORKERS": "x"},
    {"IVR_MIN_PASSWORD_LENGTH": "-5"}, {"IVR_ACCESS_TOKEN_MINUTES": "-1"}, {"IVR_ACCESS_TOKEN_MINUTES": "99999999999999"},
    {"IVR_AUDIT_SEAL_SECONDS": "nan"}, {"IVR_AUDIT_SEAL_SECONDS": "-1"}, {"IVR_EXPIRY_SECONDS": "inf"},
    {"IVR_LOG_LEVEL": "bogus"}, {"IVR_ENV": "production"}, {"IVR_PASSWORD_HASHING": "md5"},
    {"IVR_EVENTS_DISPATCH": "bogus"}, {"IVR_NOTIFIER": "smtp"}, {"IVR_IVR_REQUIRED_DOCUMENT_KINDS": "zzz"},
    {"IVR_MAX_BODY_BYTES": "-1"}, {"IVR_IDEMPOTENCY_TTL_HOURS": "99999999999"}, {"IVR_SESSION_IDLE_MINUTES": "1e3"},
    {"IVR_AUDIT_KEY": "notbase64!!"}, {"IVR_AUDIT_KEY": "YWJj"},
    {"IVR_CIPHER_KEYS": "garbage", "IVR_CIPHER_CURRENT_KEY": "k1", "IVR_BLIND_INDEX_KEY": "x", "IVR_JWT_SECRET": "y"},
    {"IVR_CIPHER_KEYS": "k1:" + "A" * 44, "IVR_CIPHER_CURRENT_KEY": "k2", "IVR_BLIND_INDEX_KEY": "B" * 44, "IVR_JWT_SECRET": "C" * 88},
    {"IVR_DATA_DIR": "/proc/zz"}, {"IVR_KEYS_FILE": "/proc/zz/keys.json"}, {"IVR_AUDIT_KEY_FILE": "/proc/zz/audit.key"},
    {"IVR_AUDIT_ANCHOR_FILE": "/proc/zz/a.jsonl"}, {"IVR_DOCUMENTS_DIR": "/proc/zz/docs"},
    {"IVR_DATABASE_URL": "memory"}, {"IVR_WORKER_CONCURRENCY": "0"}, {"IVR_DISPATCH_MAX_ATTEMPTS": "-3"},
]


@pytest.mark.parametrize("env", BAD_ENVS, ids=lambda e: ",".join(f"{k}={v[:12]}" for k, v in e.items()))
@pytest.mark.parametrize("args", [("db", "upgrade"), ("users", "create", "--email", "new@b.org", "--role", "admin", "--name", "A", "--password", "correct-horse-battery"), ("audit", "seal"), ("audit", "verify"), ("keys", "status"), ("keys", "rotate"), ("seed-demo",), ("worker",), ("db", "backfill-ivr-payers")])
def test_bad_env(ivr: Invoke, migrated: None, env, args) -> None:
    show(f"env {env} {args}", ivr(*args, env=env))

"""A database that is down or saturated answers 503 with Retry-After, never a 500, and never says what was asked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from dependency_injector import providers
from litestar.testing import TestClient

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings
from ivr_domain.shared.clock import MovableClock
from tests.e2e.conftest import E2E, LOGIN, PATIENTS, START, Database, assert_problem
from tests.platform import PASSWORD, settings_env

# Secrets of the request: neither the answer nor the log may repeat them, nor anything of the database's own.
LEAKS = ("SELECT", "users", "someone@example.org", PASSWORD, "psycopg", "sqlite", "127.0.0.1:1", "ivr.db", "pool")


def _unavailable(response: Any) -> None:
    problem = assert_problem(response, 503)
    assert problem["type"] == "/docs/problems/service_unavailable"
    assert response.headers["retry-after"] == str(problem["retry_after"])
    assert int(problem["retry_after"]) >= 1
    for leak in LEAKS:
        assert leak.lower() not in response.text.lower(), leak


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_unreachable_database_answers_503(backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Port 1 refuses connections at once; a file under a missing directory cannot be opened.
    url = {
        "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/ivr",
        "sqlite": f"sqlite:///{tmp_path / 'missing' / 'ivr.db'}",
    }[backend]
    env = settings_env(tmp_path, IVR_DATABASE_URL=url, IVR_AUDIT_SEAL_SECONDS="0")
    container = build_container(load_settings(env), clock=MovableClock(START))
    capsys.readouterr()
    with TestClient(create_app(container)) as client:
        _unavailable(client.post(LOGIN, json={"email": "someone@example.org", "password": PASSWORD}))
        assert client.get("/health/ready").status_code == 503
    logged = capsys.readouterr().err
    assert "dependency_unavailable" in logged
    for leak in ("SELECT", "someone@example.org", PASSWORD):
        assert leak not in logged
    container.engine().dispose()


def test_a_timed_out_connection_pool_answers_503(e2e: E2E, database: Database) -> None:
    # One connection, held here: the request's unit of work waits for the pool, then gives up.
    engine = sa.create_engine(database.url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    try:
        with e2e.container.engine.override(providers.Object(engine)), engine.connect():
            _unavailable(e2e.client.get(PATIENTS, headers=e2e.admin_auth))
        assert e2e.client.get(PATIENTS, headers=e2e.admin_auth).status_code == 200
    finally:
        engine.dispose()

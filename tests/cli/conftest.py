"""Fixtures for the `ivr` command line: an isolated environment over a temporary SQLite database."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from entrypoints.cli.main import app
from entrypoints.container import Container, build_container
from entrypoints.settings import load_settings
from ivr_domain.identity.model import Assignment, Practice, User
from ivr_domain.identity.ports import UserFilter
from ivr_domain.patients.model import Patient
from ivr_domain.patients.ports import PatientFilter
from ivr_domain.shared.actor import SYSTEM_ACTOR
from ivr_domain.shared.paging import MAX_LIMIT, PageRequest

Invoke = Callable[..., Result]


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment of a command run: a temporary data directory and SQLite file, fast hashing."""
    # Settings left in the developer's shell (IVR_ENV, IVR_DATABASE_URL...) must not reach the command.
    for name in [n for n in os.environ if n.startswith("IVR_")]:
        monkeypatch.delenv(name)
    data_dir = tmp_path / "data"
    return {
        "IVR_DATA_DIR": str(data_dir),
        "IVR_DATABASE_URL": f"sqlite:///{data_dir / 'ivr.db'}",
        "IVR_PASSWORD_HASHING": "fast",
        "IVR_NOTIFIER": "memory",
    }


@pytest.fixture
def ivr(cli_env: dict[str, str]) -> Invoke:
    """Run `ivr` in-process with the test environment; extra keywords go to `CliRunner.invoke`."""
    runner = CliRunner()

    def invoke(*args: str, env: Mapping[str, str] | None = None, **kwargs: object) -> Result:
        return runner.invoke(app, list(args), env={**cli_env, **(env or {})}, **kwargs)  # type: ignore[arg-type]

    return invoke


@pytest.fixture
def migrated(ivr: Invoke) -> None:
    """A database at the newest schema."""
    result = ivr("db", "upgrade")
    assert result.exit_code == 0, result.output


@pytest.fixture
def seeded(ivr: Invoke, migrated: None) -> Result:
    """A migrated database with the demo data; the seed command's result."""
    result = ivr("seed-demo")
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def read_back(cli_env: dict[str, str]) -> Callable[[], Container]:
    """Build a fresh container over the same database, to check what a command stored."""
    return lambda: build_container(load_settings(cli_env))


def all_users(built: Container) -> list[User]:
    """Every account in the database."""
    return list(built.list_users()(SYSTEM_ACTOR, UserFilter(), PageRequest(limit=MAX_LIMIT)).unwrap().items)


def all_practices(built: Container) -> list[Practice]:
    """Every practice in the database."""
    return list(built.list_practices()(SYSTEM_ACTOR, PageRequest(limit=MAX_LIMIT)).unwrap().items)


def all_patients(built: Container) -> list[Patient]:
    """Every patient in the database, in the full projection."""
    page = built.list_patients()(SYSTEM_ACTOR, PatientFilter(), PageRequest(limit=MAX_LIMIT)).unwrap()
    assert all(isinstance(p, Patient) for p in page.items)
    return [p for p in page.items if isinstance(p, Patient)]


def user(built: Container, email: str) -> User:
    """The account with this email (the test fails when there is none)."""
    return built.find_user_by_email()(SYSTEM_ACTOR, email).unwrap()


def current_assignments(built: Container) -> tuple[Assignment, ...]:
    """Every current edge of the sales hierarchy."""
    with built.uow() as uow:
        return uow.assignments.all_current()

"""`ivr db upgrade`, and how commands treat a database that is missing, unreachable or misconfigured."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import inspect

from entrypoints.container import Container
from tests.cli.conftest import Invoke, all_users

PASSWORD = "correct horse battery staple"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_upgrade_creates_the_schema_and_is_idempotent(ivr: Invoke, read_back: Callable[[], Container]) -> None:
    first = ivr("db", "upgrade")
    second = ivr("db", "upgrade")

    assert (first.exit_code, second.exit_code) == (0, 0), first.output + second.output
    assert first.stdout == second.stdout == "database schema is current\n"
    built = read_back()
    tables = set(inspect(built.engine()).get_table_names())
    assert {"alembic_version", "users", "practices", "patients"} <= tables
    assert built.readiness()() == (True, "database reachable, migrations current")


def test_upgrade_on_the_memory_store_has_nothing_to_do(ivr: Invoke, cli_env: dict[str, str]) -> None:
    result = ivr("db", "upgrade", env={"IVR_DATABASE_URL": "memory"})

    assert result.exit_code == 0
    assert "memory store has no schema" in result.stdout
    assert not Path(cli_env["IVR_DATA_DIR"]).exists()


def test_a_malformed_setting_is_named_without_a_traceback(ivr: Invoke) -> None:
    result = ivr("db", "upgrade", env={"IVR_PORT": "eighty"})

    assert result.exit_code == 1
    assert result.stderr == "error: IVR_PORT must be an integer, not 'eighty'\n"


def test_an_unreachable_database_is_reported_without_its_password(ivr: Invoke) -> None:
    url = f"postgresql+psycopg://ivr:s3cret-pw@127.0.0.1:{_closed_port()}/ivr"

    upgrade = ivr("db", "upgrade", env={"IVR_DATABASE_URL": url})
    assign = ivr(
        "users", "assign", "--manager", "a@example.org", "--member", "b@example.org", env={"IVR_DATABASE_URL": url}
    )

    assert (upgrade.exit_code, assign.exit_code) == (1, 1)
    assert upgrade.stderr.startswith("error: could not upgrade the database in IVR_DATABASE_URL (OperationalError")
    assert assign.stderr.startswith("error: the database is not ready (database unreachable: OperationalError)")
    assert "s3cret-pw" not in upgrade.output + assign.output


def test_commands_refuse_a_database_that_is_not_migrated(
    ivr: Invoke, cli_env: dict[str, str], read_back: Callable[[], Container]
) -> None:
    Path(cli_env["IVR_DATA_DIR"]).mkdir()

    result = ivr(
        "users", "create", "--email", "a@example.org", "--password", PASSWORD, "--role", "admin", "--name", "A"
    )

    assert result.exit_code == 1
    assert "run `ivr db upgrade` first" in result.stderr
    assert ivr("db", "upgrade").exit_code == 0
    assert all_users(read_back()) == []


def test_the_database_file_and_data_directory_are_private(ivr: Invoke, cli_env: dict[str, str]) -> None:
    assert ivr("db", "upgrade").exit_code == 0
    data = Path(cli_env["IVR_DATA_DIR"])
    assert data.stat().st_mode & 0o777 == 0o700
    assert (data / "ivr.db").stat().st_mode & 0o777 == 0o600

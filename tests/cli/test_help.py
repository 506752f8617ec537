"""`ivr --help` and the help of each command name what API.md and the README promise."""

from __future__ import annotations

import pytest

from entrypoints.cli.main import app
from tests.cli.conftest import Invoke


def test_top_level_help_lists_every_command(ivr: Invoke) -> None:
    result = ivr("--help")

    assert result.exit_code == 0
    assert "insurance verification requests" in result.stdout
    for command in ("serve", "seed-demo", "db", "users"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("command", "flags"),
    [
        (("users", "create"), ("--email", "--password", "--role", "--name", "--practice")),
        (("users", "assign"), ("--manager", "--member")),
        (("db", "upgrade"), ()),
        (("serve",), ("--host", "--port")),
        (("seed-demo",), ()),
    ],
)
def test_each_command_documents_its_flags(ivr: Invoke, command: tuple[str, ...], flags: tuple[str, ...]) -> None:
    result = ivr(*command, "--help", env={"COLUMNS": "200"})

    assert result.exit_code == 0
    for flag in flags:
        assert flag in result.stdout


def test_unexpected_errors_do_not_print_local_variables() -> None:
    # Locals in a traceback would show passwords and patient details on the operator's terminal.
    assert app.pretty_exceptions_show_locals is False

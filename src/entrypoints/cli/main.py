"""The `ivr` command: serve, migrate, seed, administer accounts, and keep the audit chain."""

from __future__ import annotations

import sys

import structlog
import typer

from entrypoints.cli.commands import audit, db, demo, keys, server, users, worker

# Tracebacks with local variables would print passwords, keys and patient details to the terminal.
app = typer.Typer(
    help="The IVR platform: insurance verification requests and what follows.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _console_logging() -> None:
    # Notices (a key file generated) go to stderr, so stdout carries only a command's own output.
    structlog.configure(logger_factory=lambda *_: structlog.PrintLogger(sys.stderr))  # looked up per logger


app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")
app.add_typer(audit.app, name="audit")
app.add_typer(keys.app, name="keys")
app.command("serve")(server.serve)
app.command("seed-demo")(demo.seed_demo)
app.command("worker")(worker.worker)


def main() -> None:
    """Run the command line."""
    app()

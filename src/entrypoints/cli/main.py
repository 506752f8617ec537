"""The `ivr` command: serve, migrate, seed, and administer accounts."""

from __future__ import annotations

import typer

from entrypoints.cli.commands import db, demo, server, users

app = typer.Typer(help="The IVR platform: insurance verification requests and what follows.", no_args_is_help=True)
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")
app.command("serve")(server.serve)
app.command("seed-demo")(demo.seed_demo)


def main() -> None:
    """Run the command line."""
    app()

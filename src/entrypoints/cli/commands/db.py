"""Database schema commands."""

from __future__ import annotations

import typer

from adapters.sqlalchemy.migrate import upgrade as upgrade_schema
from entrypoints.cli.context import describe_database_error, error, settings

app = typer.Typer(help="The database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Apply every pending migration to IVR_DATABASE_URL (a no-op when the schema is current)."""
    loaded = settings()
    if loaded.persistence == "memory":
        typer.echo("the memory store has no schema to upgrade")
        return
    loaded.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        upgrade_schema(loaded.database_url)
    except Exception as exc:  # unreachable server, bad URL, locked file: say which, without a traceback
        error(f"could not upgrade the database in IVR_DATABASE_URL ({describe_database_error(exc)})")
    typer.echo("database schema is current")

"""Database schema commands."""

from __future__ import annotations

import typer

from adapters.sqlalchemy.migrate import upgrade as upgrade_schema
from entrypoints.settings import load_settings

app = typer.Typer(help="The database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Apply every pending migration to IVR_DATABASE_URL."""
    settings = load_settings()
    if settings.persistence == "memory":
        typer.echo("the memory store has no schema to upgrade")
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_schema(settings.database_url)
    typer.echo("database schema is current")

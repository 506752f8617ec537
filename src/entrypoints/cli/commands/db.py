"""Database schema commands."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.sqlalchemy.ivr_payers import SqlAlchemyPayerBackfill
from adapters.sqlalchemy.migrate import upgrade as upgrade_schema
from entrypoints.cli.context import container, describe_database_error, error, make_data_dir, settings

app = typer.Typer(help="The database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Apply every pending migration to IVR_DATABASE_URL (a no-op when the schema is current)."""
    loaded = settings()
    if loaded.persistence == "memory":
        typer.echo("the memory store has no schema to upgrade")
        return
    make_data_dir(loaded)
    try:
        upgrade_schema(loaded.database_url)
    except Exception as exc:  # unreachable server, bad URL, locked file: say which, without a traceback
        error(f"could not upgrade the database in IVR_DATABASE_URL ({describe_database_error(exc)})")
    typer.echo("database schema is current")


@app.command("backfill-ivr-payers")
def backfill_ivr_payers(
    batch_size: Annotated[int, typer.Option(min=1, max=10_000, help="IVRs read per transaction.")] = 500,
) -> None:
    """Fill the clear payer id of IVRs submitted before migration 0011 (once after upgrading; safe to rerun)."""
    built = container()
    if built.settings().persistence == "memory":
        typer.echo("the memory store keeps no rows to fill")
        return
    backfill = SqlAlchemyPayerBackfill(built.engine(), cipher=built.cipher())
    done = backfill.run(batch_size=batch_size)
    typer.echo(f"read {done.examined} submitted IVRs without a payer id, filled {done.filled}")
    typer.echo(f"still without one (no primary payer id in their snapshot): {backfill.remaining()}")

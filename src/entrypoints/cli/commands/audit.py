"""The audit chain: seal what is committed, and verify the chain against its anchors."""

from __future__ import annotations

import json
from typing import Annotated

import attrs
import typer

from entrypoints.cli.context import container

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command("seal")
def seal() -> None:
    """Seal every committed entry into the chain now (run it before a verification or a backup)."""
    built = container()
    sealer = built.audit_sealer()
    sealed = sealer.seal_all()
    remaining = built.audit_verifier().verify().unsealed
    waiting = f"; {remaining} not sealed yet (their transactions were still running)" if remaining else ""
    typer.echo(f"sealed {sealed} entries{waiting}")


@app.command("verify")
def verify(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as one JSON document.")] = False,
) -> None:
    """Recompute the chain and check the anchors; exit 1 when any tampering is found."""
    report = container().audit_verifier().verify()
    if as_json:
        document = {
            "intact": report.intact,
            "sealed": report.sealed,
            "unsealed": report.unsealed,
            "anchors": report.anchors,
            "head": report.head,
            "problems": [attrs.asdict(p) for p in report.problems],
        }
        typer.echo(json.dumps(document, indent=2, default=str))
    else:
        for problem in report.problems:
            typer.secho(f"{problem.finding.value} at position {problem.position}: {problem.detail}", err=True, fg="red")
        verdict = "intact" if report.intact else f"TAMPERED ({len(report.problems)} findings)"
        typer.echo(
            f"audit chain {verdict}: {report.sealed} sealed entries (head {report.head}), "
            f"{report.anchors} anchors, {report.unsealed} not sealed yet"
        )
    if not report.intact:
        raise typer.Exit(code=1)

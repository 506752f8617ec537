"""Cipher keys: how much each key protects, and rotation to a new key while the platform keeps serving."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.crypto import CipherError, add_cipher_key
from adapters.sqlalchemy.rekey import SqlAlchemyRekeyer
from entrypoints.cli.context import container, error, settings
from entrypoints.container import Container, build_container
from ivr_domain.shared.actor import SYSTEM_ACTOR
from ivr_domain.shared.documents import DocumentUnreadable
from ivr_domain.shared.ids import DocumentId

app = typer.Typer(help="Cipher keys and their rotation.", no_args_is_help=True)


def _rekeyer(built: Container) -> SqlAlchemyRekeyer:
    if built.settings().persistence == "memory":
        error("the memory store keeps no ciphertext: there is nothing to rotate")
    rekeyer: SqlAlchemyRekeyer = built.rekeyer()
    return rekeyer


def _old_documents(built: Container) -> list[DocumentId]:
    store = built.document_store()
    current = store.current_key_id
    return [doc for key_id in store.key_ids() if key_id != current for doc in store.documents_under(key_id)]


def _require_keys_that_open_the_data(built: Container, key_ids: list[str]) -> None:
    """Open one stored row of each table and one document under each key, or exit before anything is written."""
    store = built.document_store()
    try:
        _rekeyer(built).check_keys(key_ids)
        for key_id in store.key_ids():
            sample = next(iter(store.documents_under(key_id)), None)
            if sample is not None:
                next(iter(store.open(sample)), None)  # the first chunk is authenticated under the key
    except (CipherError, DocumentUnreadable) as exc:
        error(
            f"the loaded keys do not open the stored data ({exc}): restore the key file (or the IVR_CIPHER_* keys) "
            "the data was encrypted with; nothing was changed"
        )


def _document_usage(built: Container, rekeyer: SqlAlchemyRekeyer) -> dict[str, dict[str, int]]:
    """Count the stored documents under each key by the table recording them (files it does not know: unrecorded)."""
    store = built.document_store()
    counts: dict[str, dict[str, int]] = {"patient_documents": {}, "ivr_documents": {}}
    for key_id in store.key_ids():
        ids = list(store.documents_under(key_id))
        tables = rekeyer.document_tables(ids)
        for document_id in ids:
            by_key = counts.setdefault(tables.get(document_id, "unrecorded documents"), {})
            by_key[key_id] = by_key.get(key_id, 0) + 1
    return counts


def _print_usage(built: Container) -> None:
    current = built.cipher().current_key_id
    typer.echo(f"current key: {current}")
    rekeyer = _rekeyer(built)
    usage = rekeyer.usage(sorted(built.keyring().cipher_keys))
    usage |= _document_usage(built, rekeyer)
    for table, counts in usage.items():
        shown = ", ".join(f"{key_id}: {count}" for key_id, count in counts.items() if count or key_id == current)
        shown = shown or "none"
        typer.echo(f"  {table:<22} {shown}")


@app.command("status")
def status() -> None:
    """Show how many rows each cipher key still protects, and how many are not under the current key."""
    built = container()
    _print_usage(built)
    typer.echo(f"not under the current key: {_rekeyer(built).remaining()} rows, {len(_old_documents(built))} documents")


@app.command("rotate")
def rotate(
    batch_size: Annotated[
        int, typer.Option(min=1, max=10_000, help="Rows re-encrypted per transaction (a patient with its insurances).")
    ] = 200,
    stop_after: Annotated[
        int | None, typer.Option(min=1, hidden=True, help="Stop after this many rows (an interruption, in tests).")
    ] = None,
) -> None:
    """Make a new key current and re-encrypt every PHI field and document under it; run again to resume a stop."""
    built = container()
    loaded_ids = sorted(built.keyring().cipher_keys)
    unknown = sum(counts["other"] for counts in _rekeyer(built).usage(loaded_ids).values())
    if unknown:
        error(f"{unknown} rows are under keys that are not loaded ({', '.join(loaded_ids)} are): load every key first")
    _require_keys_that_open_the_data(built, loaded_ids)
    remaining = _rekeyer(built).remaining() + len(_old_documents(built))
    if remaining:
        typer.echo(f"resuming the rotation to {built.cipher().current_key_id}: {remaining} rows still under older keys")
    else:
        loaded = settings()
        if loaded.keys.from_environment:
            error(
                "keys come from the environment: add the new key to IVR_CIPHER_KEYS on every server, then make it "
                "IVR_CIPHER_CURRENT_KEY, restart, and run this again to re-encrypt"
            )
        _, key_id = add_cipher_key(loaded.keys.keys_file)
        typer.echo(
            f"added key {key_id} to {loaded.keys.keys_file} and made it current (servers follow within a second)"
        )
        built = build_container(loaded)  # a fresh cipher and document store that know the new key
        remaining = _rekeyer(built).remaining() + len(_old_documents(built))
    rekeyer, store = _rekeyer(built), built.document_store()
    done = 0
    with typer.progressbar(length=remaining, label="re-encrypting") as progress:
        while stop_after is None or done < stop_after:
            step = batch_size if stop_after is None else min(batch_size, stop_after - done)
            rewritten = rekeyer.rekey_batch(step)
            if not rewritten:
                break
            done += rewritten
            progress.update(rewritten)
        for document_id in _old_documents(built):
            if stop_after is not None and done >= stop_after:
                break
            store.reencrypt(document_id)
            done += 1
            progress.update(1)
    trail = built.audit_trail()
    key_id = built.cipher().current_key_id
    trail.write(trail.entry(SYSTEM_ACTOR, "keys.rotate", resource_type="cipher_key", resource_id=key_id))
    left = rekeyer.remaining() + len(_old_documents(built))
    if left:
        typer.echo(f"stopped with {left} rows and documents under older keys: run `ivr keys rotate` again to finish")
        raise typer.Exit(code=1 if stop_after is None else 0)
    typer.echo(f"every PHI field and document is under {key_id}; keep the older keys until no backup needs them")

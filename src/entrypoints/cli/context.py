"""What every command needs: settings read once, the container built from them, and failures said plainly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NoReturn, TypeVar

import typer
from returns.result import Failure, Result
from sqlalchemy.exc import SQLAlchemyError

from adapters.crypto import KeyMaterialError
from adapters.sqlalchemy.rekey import holds_ciphertext
from entrypoints.container import Container, build_container
from entrypoints.settings import Settings, SettingsError, load_settings
from ivr_domain.shared.errors import Conflict, DomainError, NotFound, NotPermitted, ValidationFailed

T = TypeVar("T")


def error(message: str) -> NoReturn:
    """Print one error line on stderr and exit non-zero."""
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code=1)


def settings(overrides: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from the environment (`overrides` over it), or exit with what is wrong in them."""
    try:
        return load_settings({**os.environ, **overrides} if overrides else None)
    except SettingsError as exc:
        error(str(exc))


def describe_database_error(exc: Exception) -> str:
    """Summarise a failure to reach the database in one line, without SQL, parameters or credentials."""
    # SQLAlchemy's own message carries the statement and its parameters; the driver's first line does not.
    cause = getattr(exc, "orig", None) or exc
    first_line = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {first_line}" if first_line else type(cause).__name__


def make_data_dir(loaded: Settings) -> None:
    """Create the data directory (IVR_DATA_DIR) if it is missing, or exit saying why it cannot be."""
    try:
        loaded.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # private: it may hold keys and PHI
    except OSError as exc:
        error(f"cannot create IVR_DATA_DIR {loaded.data_dir} ({type(exc).__name__})")


def load_keys(built: Container) -> None:
    """Read (or, on a first start, make) the key material now, or exit saying what is wrong with it.

    A key file is made only for a database that holds no ciphertext yet: new keys could never open older data,
    and every later write would mix two keys that no rotation can reconcile.
    """
    loaded = built.settings()
    keys = loaded.keys
    if loaded.persistence != "memory" and not keys.from_environment and not keys.keys_file.exists():
        try:
            encrypted = holds_ciphertext(built.engine())
        except SQLAlchemyError:  # no schema yet, or no database: nothing encrypted to protect
            encrypted = False
        if encrypted:
            error(
                f"the key file {keys.keys_file} is missing but the database holds encrypted data: restore the file "
                "(or set the IVR_CIPHER_* keys); new keys could not open it"
            )
    try:
        built.keyring()
        built.audit_key()
    except KeyMaterialError as exc:
        error(str(exc))
    except OSError as exc:
        error(f"cannot use the key files ({type(exc).__name__}: {exc})")


def container() -> Container:
    """Build the container from the environment, refusing bad key material and a database not ready for use."""
    loaded = settings()
    built = build_container(loaded)
    if loaded.persistence != "memory":
        _require_ready_database(built)
    load_keys(built)  # after the database: a command that cannot run makes no key files
    return built


def _require_ready_database(built: Container) -> None:
    try:
        ready, detail = built.readiness()()
    except Exception as exc:  # an unusable database URL fails here, before any command runs
        error(f"cannot use the database in IVR_DATABASE_URL ({describe_database_error(exc)})")
    if not ready:
        hint = (
            "run `ivr db upgrade` first"
            if detail == "migrations pending"
            else "check IVR_DATABASE_URL, or run `ivr db upgrade` to create the database"
        )
        error(f"the database is not ready ({detail}): {hint}")


def fail(failure: DomainError, *, options: Mapping[str, str] | None = None) -> NoReturn:
    """Print a domain failure the way a person reads it and exit non-zero."""
    # The core names fields as its commands do (`manager_id`); a person typed flags (`--manager`).
    names = options or {}
    match failure:
        case ValidationFailed(errors=errors):
            lines = [f"{names.get(e.field, e.field)}: {e.message}" for e in errors]
        case NotFound(entity=entity):
            lines = [failure.detail or f"no such {entity}"]
        case Conflict(entity=entity):
            lines = [failure.detail or f"the {entity} already exists or was changed meanwhile"]
        case NotPermitted(action=action):
            lines = [failure.detail or f"not permitted: {action}"]
        case _:
            lines = [failure.detail or failure.code]
    lines = lines or [failure.code]
    for line in lines[:-1]:
        typer.secho(f"error: {line}", err=True, fg=typer.colors.RED)
    error(lines[-1])


def ok(result: Result[T, DomainError], *, options: Mapping[str, str] | None = None) -> T:
    """Return a success's value, or report the failure and exit."""
    if isinstance(result, Failure):
        fail(result.failure(), options=options)
    return result.unwrap()

"""What every command needs: settings read once and the container built from them."""

from __future__ import annotations

from typing import NoReturn, TypeVar

import typer
from returns.result import Failure, Result

from entrypoints.container import Container, build_container
from entrypoints.settings import load_settings
from ivr_domain.shared.errors import DomainError, ValidationFailed

T = TypeVar("T")


def container() -> Container:
    """Build the container from the environment."""
    return build_container(load_settings())


def fail(error: DomainError) -> NoReturn:
    """Print a domain failure the way a person reads it and exit non-zero."""
    lines = [error.detail or error.code]
    if isinstance(error, ValidationFailed):
        lines = [f"{e.field}: {e.message}" for e in error.errors]
    for line in lines:
        typer.secho(f"error: {line}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code=1)


def ok(result: Result[T, DomainError]) -> T:
    """Return a success's value, or report the failure and exit."""
    if isinstance(result, Failure):
        fail(result.failure())
    return result.unwrap()

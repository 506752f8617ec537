"""Account administration from the command line, as the system actor."""

from __future__ import annotations

from typing import Annotated

import typer
from returns.result import Failure

from entrypoints.cli.context import container, error, ok
from entrypoints.container import Container
from ivr_domain.identity.model import User
from ivr_domain.identity.use_cases.hierarchy import AssignMember
from ivr_domain.identity.use_cases.users import CreateUser
from ivr_domain.shared.actor import SYSTEM_ACTOR, Role
from ivr_domain.shared.errors import Conflict, NotFound

app = typer.Typer(help="Accounts and the sales hierarchy.", no_args_is_help=True)

CREATE_OPTIONS = {
    "email": "--email",
    "password": "--password",
    "name": "--name",
    "role": "--role",
    "practice_id": "--practice",
    "practice_name": "--practice",
}
ASSIGN_OPTIONS = {"manager_id": "--manager", "member_user_id": "--member", "member_practice_id": "--member"}


@app.command("create")
def create(
    email: Annotated[str, typer.Option(help="The login email.")],
    role: Annotated[Role, typer.Option(help="One of the seven roles.")],
    name: Annotated[str, typer.Option(help="The person's full name.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="The initial password; asked for (hidden) when not given, which keeps it out of shell history.",
        ),
    ],
    practice: Annotated[
        str | None, typer.Option(help="Doctors only: the practice to join, created if missing.")
    ] = None,
) -> None:
    """Create an account; a doctor without --practice gets a practice of their own."""
    if practice is not None and not practice.strip():
        # The core would otherwise name a practice "" rather than refuse.
        error("--practice: must not be blank")
    built = container()
    cmd = CreateUser(email=email, password=password, role=role, name=name, practice_name=practice)
    result = built.create_user()(SYSTEM_ACTOR, cmd)
    if isinstance(result, Failure) and isinstance(result.failure(), Conflict):
        error(f"--email: an account with {email.strip()} already exists")
    user = ok(result, options=CREATE_OPTIONS)
    where = f" in practice {_practice_name(built, user)} ({user.practice_id})" if user.practice_id else ""
    typer.echo(f"created {user.role.value} {user.email.value} ({user.id}){where}")


def _practice_name(built: Container, user: User) -> str:
    if user.practice_id is None:
        return ""
    found = built.get_practice()(SYSTEM_ACTOR, user.practice_id)
    return "?" if isinstance(found, Failure) else repr(found.unwrap().name)


def _find(built: Container, email: str, option: str) -> User:
    found = built.find_user_by_email()(SYSTEM_ACTOR, email)
    if isinstance(found, Failure) and isinstance(found.failure(), NotFound):
        error(f"{option}: no account with email {email}")
    return ok(found, options={"email": option})


@app.command("assign")
def assign(
    manager: Annotated[str, typer.Option(help="The manager's email (master distributor, distributor or salesperson).")],
    member: Annotated[str, typer.Option(help="The member's email; for a doctor, their practice is assigned.")],
) -> None:
    """Put a member under a manager in the sales hierarchy, closing any previous assignment."""
    built = container()
    manager_user = _find(built, manager, "--manager")
    member_user = _find(built, member, "--member")
    result = built.assign_member()(
        SYSTEM_ACTOR, AssignMember(manager_id=manager_user.id, member_user_id=member_user.id)
    )
    assignment = ok(result, options=ASSIGN_OPTIONS)
    typer.echo(f"assigned {member_user.email.value} under {manager_user.email.value} ({assignment.kind.value})")

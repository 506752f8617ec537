"""Account administration from the command line, as the system actor."""

from __future__ import annotations

from typing import Annotated

import typer

from entrypoints.cli.context import container, fail, ok
from ivr_domain.identity.use_cases.hierarchy import AssignMember
from ivr_domain.identity.use_cases.users import CreateUser
from ivr_domain.shared.actor import SYSTEM_ACTOR, Role
from ivr_domain.shared.errors import ValidationFailed

app = typer.Typer(help="Accounts and the sales hierarchy.", no_args_is_help=True)


@app.command("create")
def create(
    email: Annotated[str, typer.Option(help="The login email.")],
    password: Annotated[str, typer.Option(help="The initial password.")],
    role: Annotated[Role, typer.Option(help="One of the seven roles.")],
    name: Annotated[str, typer.Option(help="The person's full name.")],
    practice: Annotated[
        str | None, typer.Option(help="For a doctor: the practice to join, created if missing.")
    ] = None,
) -> None:
    """Create an account; a doctor without --practice gets a practice of their own."""
    if practice is not None and role is not Role.DOCTOR:
        fail(ValidationFailed.single("practice", "only doctors belong to a practice"))
    handler = container().create_user()
    cmd = CreateUser(email=email, password=password, role=role, name=name, practice_name=practice)
    user = ok(handler(SYSTEM_ACTOR, cmd))
    where = f" in practice {user.practice_id}" if user.practice_id else ""
    typer.echo(f"created {user.role.value} {user.email.value} ({user.id}){where}")


@app.command("assign")
def assign(
    manager: Annotated[str, typer.Option(help="The manager's email (master distributor, distributor or salesperson).")],
    member: Annotated[str, typer.Option(help="The member's email; for a doctor, their practice is assigned.")],
) -> None:
    """Put a member under a manager in the sales hierarchy, closing any previous assignment."""
    built = container()
    find = built.find_user_by_email()
    manager_user = ok(find(SYSTEM_ACTOR, manager))
    member_user = ok(find(SYSTEM_ACTOR, member))
    result = built.assign_member()(
        SYSTEM_ACTOR, AssignMember(manager_id=manager_user.id, member_user_id=member_user.id)
    )
    assignment = ok(result)
    typer.echo(f"assigned {member} under {manager} ({assignment.kind.value})")

"""Who may read, use and manage templates and justifications (DOMAIN.md's `templates.manage`)."""

from __future__ import annotations

from ivr_domain.ivr.templates.model import IvrTemplate
from ivr_domain.shared.actor import Actor, Permission, Role
from ivr_domain.shared.ids import PracticeId


def is_admin(actor: Actor) -> bool:
    """Tell whether the actor is an administrator (the system actor included)."""
    return actor.role is Role.ADMIN


def may_use(actor: Actor) -> bool:
    """Tell whether the actor has business with templates and justifications: those who write IVRs or manage them."""
    return actor.can(Permission.IVRS_WRITE) or actor.can(Permission.TEMPLATES_MANAGE)


def may_manage_in(actor: Actor, practice_id: PracticeId | None) -> bool:
    """Tell whether the actor may write templates of this practice (None: the global ones, admins only)."""
    if not actor.can(Permission.TEMPLATES_MANAGE):
        return False
    if is_admin(actor):
        return True
    return practice_id is not None and actor.scope.reaches_practice(practice_id)


def may_manage(actor: Actor, template: IvrTemplate) -> bool:
    """Tell whether the actor may change or delete this template."""
    return may_manage_in(actor, template.practice_id)


def may_write_justifications(actor: Actor) -> bool:
    """Tell whether the actor may write the justification library: admins managing templates."""
    return is_admin(actor) and actor.can(Permission.TEMPLATES_MANAGE)

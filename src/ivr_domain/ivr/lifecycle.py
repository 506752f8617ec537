"""The IVR lifecycle as a table, and who may pull each trigger (DOMAIN.md, "Lifecycle").

Refusals follow API.md's order: the caller's role, practice and reviewer rule (403) are checked before
the state (409), whatever the state is.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum, StrEnum
from types import MappingProxyType
from typing import Final

from attrs import frozen

from ivr_domain.ivr.model import Ivr, IvrStatus
from ivr_domain.shared.actor import Actor, Permission, Role


class Trigger(StrEnum):
    """What moves an IVR; the value is the URL slug of the action."""

    SUBMIT = "submit"
    START_REVIEW = "start-review"
    REQUEST_INFO = "request-info"
    RESUBMIT = "resubmit"
    REQUIRE_PRIOR_AUTH = "require-prior-auth"
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"
    EXPIRE = "expire"


class Party(Enum):
    """Who may pull a trigger."""

    PRACTICE = "ivrs.write on the IVR's own practice"
    REVIEWER = "a person with ivrs.review, and the IVR's reviewer when it has one (admins excepted)"
    SYSTEM = "the platform itself"


@frozen(kw_only=True)
class Transition:
    """One row of the table: from which states a trigger leads where, and whose it is."""

    sources: frozenset[IvrStatus]
    target: IvrStatus
    party: Party


S = IvrStatus
TRANSITIONS: Final[Mapping[Trigger, Transition]] = MappingProxyType(
    {
        Trigger.SUBMIT: Transition(sources=frozenset({S.DRAFT}), target=S.SUBMITTED, party=Party.PRACTICE),
        Trigger.START_REVIEW: Transition(sources=frozenset({S.SUBMITTED}), target=S.IN_REVIEW, party=Party.REVIEWER),
        Trigger.REQUEST_INFO: Transition(
            sources=frozenset({S.IN_REVIEW}), target=S.INFO_REQUESTED, party=Party.REVIEWER
        ),
        Trigger.RESUBMIT: Transition(sources=frozenset({S.INFO_REQUESTED}), target=S.SUBMITTED, party=Party.PRACTICE),
        Trigger.REQUIRE_PRIOR_AUTH: Transition(
            sources=frozenset({S.IN_REVIEW}), target=S.PENDING_PRIOR_AUTH, party=Party.REVIEWER
        ),
        Trigger.APPROVE: Transition(
            sources=frozenset({S.IN_REVIEW, S.PENDING_PRIOR_AUTH}), target=S.APPROVED, party=Party.REVIEWER
        ),
        Trigger.REJECT: Transition(
            sources=frozenset({S.IN_REVIEW, S.PENDING_PRIOR_AUTH}), target=S.REJECTED, party=Party.REVIEWER
        ),
        Trigger.CANCEL: Transition(
            sources=frozenset({S.DRAFT, S.SUBMITTED, S.INFO_REQUESTED}), target=S.CANCELLED, party=Party.PRACTICE
        ),
        Trigger.EXPIRE: Transition(sources=frozenset({S.APPROVED}), target=S.EXPIRED, party=Party.SYSTEM),
    }
)

FINAL_STATES: Final = frozenset({S.REJECTED, S.CANCELLED, S.EXPIRED})
EDITABLE_STATES: Final = frozenset({S.DRAFT, S.INFO_REQUESTED})
OPEN_STATES: Final = frozenset({S.SUBMITTED, S.IN_REVIEW, S.INFO_REQUESTED, S.PENDING_PRIOR_AUTH})
UPDATE = "update"
ASSIGN = "assign"


def may_read(actor: Actor) -> bool:
    """Tell whether the actor's role has any business with IVRs."""
    return actor.can(Permission.IVRS_READ)


def is_practice_party(actor: Actor, ivr: Ivr) -> bool:
    """Tell whether the actor may write IVRs of this IVR's practice."""
    return actor.can(Permission.IVRS_WRITE) and actor.scope.reaches_practice(ivr.practice_id)


def is_reviewer_party(actor: Actor, ivr: Ivr) -> bool:
    """Tell whether the actor may review this IVR: a reviewer's IVR belongs to that reviewer (and admins)."""
    # A review is a person's decision, with a name on it: the system actor never reviews.
    if actor.is_system or not actor.can(Permission.IVRS_REVIEW):
        return False
    return ivr.reviewer_id is None or ivr.reviewer_id == actor.user_id or actor.role is Role.ADMIN


def may_pull(actor: Actor, ivr: Ivr, trigger: Trigger) -> bool:
    """Tell whether the actor's role, practice and reviewer rule allow a trigger, whatever the state."""
    match TRANSITIONS[trigger].party:
        case Party.PRACTICE:
            return is_practice_party(actor, ivr)
        case Party.REVIEWER:
            return is_reviewer_party(actor, ivr)
        case Party.SYSTEM:
            return actor.is_system
    raise AssertionError("unreachable")  # pragma: no cover


def may_assign(actor: Actor) -> bool:
    """Tell whether the actor may reassign reviewers: DOMAIN.md gives it to admins, not to a grantable permission."""
    return actor.role is Role.ADMIN and not actor.is_system


def may_edit(actor: Actor, ivr: Ivr) -> bool:
    """Tell whether the actor may change the content of this IVR (in an editable state)."""
    return is_practice_party(actor, ivr)


def leads_from(status: IvrStatus, trigger: Trigger) -> bool:
    """Tell whether the table has a row for this trigger from this state."""
    return status in TRANSITIONS[trigger].sources


def allowed_actions(actor: Actor, ivr: Ivr) -> tuple[str, ...]:
    """Return the slugs this caller may use on this IVR now, `update` and `assign` included."""
    actions = [UPDATE] if ivr.status in EDITABLE_STATES and may_edit(actor, ivr) else []
    actions += [
        trigger.value
        for trigger, row in TRANSITIONS.items()
        if row.party is not Party.SYSTEM and ivr.status in row.sources and may_pull(actor, ivr, trigger)
    ]
    if ivr.status in OPEN_STATES and may_assign(actor):
        actions.append(ASSIGN)
    return tuple(actions)


def triggers_from(status: IvrStatus) -> tuple[Trigger, ...]:
    """Return every trigger the table allows from a state (for problems and documentation)."""
    return tuple(trigger for trigger, row in TRANSITIONS.items() if status in row.sources)

"""Starting an IVR from a template and the justification library: what the create use case asks of them."""

from __future__ import annotations

from collections import Counter

from attrs import evolve, frozen
from returns.result import Failure, Result, Success

from ivr_domain.ivr.ports import IvrUnitOfWork
from ivr_domain.ivr.templates.content import apply_template, given_by_value, with_justifications
from ivr_domain.ivr.validation import IvrInput
from ivr_domain.shared.actor import Actor
from ivr_domain.shared.errors import ValidationFailed
from ivr_domain.shared.ids import IvrTemplateId, JustificationId
from ivr_domain.shared.validation import Problems

MAX_JUSTIFICATIONS = 20


@frozen(kw_only=True)
class Prefilled:
    """The IVR input after the template and the chosen justifications, and which justifications those were."""

    ivr: IvrInput
    justification_ids: tuple[JustificationId, ...] = ()


def prefill(
    uow: IvrUnitOfWork,
    actor: Actor,
    body: IvrInput,
    *,
    template_id: IvrTemplateId | None,
    justification_ids: tuple[JustificationId, ...],
    given: frozenset[str] | None,
) -> Result[Prefilled, ValidationFailed]:
    """Fill what the body did not give from a visible template, then append the justifications' texts to the notes.

    `given` names the top-level fields the body was sent with; None reads them off the values (any field
    other than its default), for callers that have no JSON. Unknown or invisible ids are 422s on their field.
    """
    problems = Problems()
    raw = body
    if template_id is not None:
        template = uow.ivr_templates.get(template_id, scope=actor.scope)
        if template is None:
            problems.add("template_id", "is not a template you can use")
        else:
            raw = apply_template(template.content, body, given if given is not None else given_by_value(body))
    if len(justification_ids) > MAX_JUSTIFICATIONS:
        problems.add("justification_ids", f"at most {MAX_JUSTIFICATIONS} may be chosen")
    if any(count > 1 for count in Counter(justification_ids).values()):
        problems.add("justification_ids", "each justification may be chosen once")
    chosen = []
    for index, justification_id in enumerate(justification_ids[:MAX_JUSTIFICATIONS]):
        found = uow.medical_justifications.get(justification_id)
        if found is None:
            problems.add(f"justification_ids[{index}]", "is not a justification in the library")
        else:
            chosen.append(found)
    failure = problems.failure()
    if failure is not None:
        return Failure(failure)
    if chosen:
        raw = evolve(raw, notes=with_justifications(raw.notes, chosen))
    return Success(Prefilled(ivr=raw, justification_ids=tuple(dict.fromkeys(justification_ids))))

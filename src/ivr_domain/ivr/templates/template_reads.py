"""Reading templates: one, or a page of those the caller can see; audited like every read."""

from __future__ import annotations

from collections.abc import Callable

from attrs import evolve, frozen
from returns.result import Failure, Result, Success

from ivr_domain.ivr.templates import policy
from ivr_domain.ivr.templates.model import TEMPLATE_SORTS, IvrTemplate, TemplateFilter
from ivr_domain.ivr.templates.template_cases import RESOURCE, record
from ivr_domain.ivr.templates.unit_of_work import TemplatesUnitOfWork
from ivr_domain.shared.actor import Actor
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.errors import InvalidQuery, NotFound, NotPermitted
from ivr_domain.shared.ids import IvrTemplateId
from ivr_domain.shared.paging import Page, PageRequest
from ivr_domain.shared.validation import check_page

READ, LIST = "ivr_templates.read", "ivr_templates.list"


@frozen(kw_only=True)
class GetTemplateHandler:
    """Reads one template the caller can see."""

    uow: Callable[[], TemplatesUnitOfWork]
    audit: AuditTrail

    def __call__(self, actor: Actor, template_id: IvrTemplateId) -> Result[IvrTemplate, NotFound | NotPermitted]:
        """Return the template; NotFound when another practice's (or none), NotPermitted for roles without IVR work."""
        return self._read(actor, template_id).lash(
            lambda error: self.audit.refused(actor, READ, error, resource_type=RESOURCE, resource_id=template_id)
        )

    def peek(self, actor: Actor, template_id: IvrTemplateId) -> Result[IvrTemplate, NotFound | NotPermitted]:
        """Answer as a read would, recording nothing: the edge orders another request's refusals with it."""
        with self.uow() as uow:
            return _find(uow, actor, template_id)

    def _read(self, actor: Actor, template_id: IvrTemplateId) -> Result[IvrTemplate, NotFound | NotPermitted]:
        with self.uow() as uow:
            match _find(uow, actor, template_id):
                case Failure(refusal):
                    return Failure(refusal)
                case Success(template):
                    pass
            record(uow, self.audit, actor, READ, template)
            uow.commit()
            return Success(template)


def _find(
    uow: TemplatesUnitOfWork, actor: Actor, template_id: IvrTemplateId
) -> Result[IvrTemplate, NotFound | NotPermitted]:
    template = uow.ivr_templates.get(template_id, scope=actor.scope)
    if template is None:
        return Failure(NotFound(entity=RESOURCE, id=str(template_id)))
    if not policy.may_use(actor):
        return Failure(NotPermitted(action=READ))
    return Success(template)


@frozen(kw_only=True)
class ListTemplatesHandler:
    """Lists the templates the caller can see: their practices' and the global ones."""

    uow: Callable[[], TemplatesUnitOfWork]
    audit: AuditTrail

    def __call__(
        self, actor: Actor, filters: TemplateFilter, page: PageRequest
    ) -> Result[Page[IvrTemplate], NotPermitted | InvalidQuery]:
        """Return one page; the name filter matches a part of the name, ignoring case."""
        if not policy.may_use(actor):
            return self.audit.refused(actor, LIST, NotPermitted(action=LIST), resource_type=RESOURCE)
        bad = check_page(page, TEMPLATE_SORTS)
        if bad is not None:
            return self.audit.refused(actor, LIST, bad, resource_type=RESOURCE)
        name = filters.name.strip() if filters.name is not None else None
        with self.uow() as uow:
            found = uow.ivr_templates.list(scope=actor.scope, filters=evolve(filters, name=name or None), page=page)
            uow.audit.append(self.audit.entry(actor, LIST, resource_type=RESOURCE))
            uow.commit()
        return Success(found)

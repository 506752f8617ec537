"""What templates and justifications need from persistence; visibility is applied where they are read."""

from __future__ import annotations

from typing import Protocol

from returns.result import Result

from ivr_domain.ivr.templates.model import IvrTemplate, JustificationFilter, MedicalJustification, TemplateFilter
from ivr_domain.shared.actor import Scope
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import IvrTemplateId, JustificationId
from ivr_domain.shared.paging import Page, PageRequest


def template_in_scope(template: IvrTemplate, scope: Scope) -> bool:
    """Tell whether a template is visible: a global one to everyone, a practice's to those reaching the practice."""
    return template.practice_id is None or scope.reaches_practice(template.practice_id)


class IvrTemplateRepository(Protocol):
    """Templates: global ones and practices' ones."""

    def get(self, template_id: IvrTemplateId, *, scope: Scope) -> IvrTemplate | None:
        """Return the template when it exists and is visible within scope."""
        ...

    def add(self, template: IvrTemplate) -> None:
        """Store a new template."""
        ...

    def save(self, template: IvrTemplate) -> Result[IvrTemplate, Conflict]:
        """Store a changed template if its version is current; return it with the next version."""
        ...

    def remove(self, template: IvrTemplate) -> Result[None, Conflict]:
        """Delete a template if its version is current."""
        ...

    def list(self, *, scope: Scope, filters: TemplateFilter, page: PageRequest) -> Page[IvrTemplate]:
        """Return one page of the visible templates that match the filters; ValueError on a bad sort or cursor."""
        ...


class JustificationRepository(Protocol):
    """The medical justification library (global: no scope)."""

    def get(self, justification_id: JustificationId) -> MedicalJustification | None:
        """Return the justification when it exists."""
        ...

    def add(self, justification: MedicalJustification) -> None:
        """Store a new justification."""
        ...

    def save(self, justification: MedicalJustification) -> Result[MedicalJustification, Conflict]:
        """Store a changed justification if its version is current; return it with the next version."""
        ...

    def remove(self, justification: MedicalJustification) -> Result[None, Conflict]:
        """Delete a justification if its version is current."""
        ...

    def list(self, *, filters: JustificationFilter, page: PageRequest) -> Page[MedicalJustification]:
        """Return one page of the justifications that match the filters; ValueError on a bad sort or cursor."""
        ...

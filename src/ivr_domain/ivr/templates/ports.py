"""What templates and justifications need from persistence; visibility is applied where they are read."""

from __future__ import annotations

from typing import Protocol

from returns.result import Result

from ivr_domain.ivr.templates.model import IvrTemplate, JustificationFilter, MedicalJustification, TemplateFilter
from ivr_domain.shared.actor import Scope
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import IvrTemplateId, JustificationId, PracticeId
from ivr_domain.shared.paging import Page, PageRequest


def template_in_scope(template: IvrTemplate, scope: Scope) -> bool:
    """Tell whether a template is visible: a global one to everyone, a practice's to those reaching the practice."""
    return template.practice_id is None or scope.reaches_practice(template.practice_id)


def name_taken(template: IvrTemplate, existing_id: IvrTemplateId | None) -> Conflict:
    """The 409 for a name (compared by `name_key`) another template of the same owner already has."""
    owner = "global template" if template.is_global else "template of this practice"
    return Conflict(
        entity="ivr_template",
        existing_id=str(existing_id) if existing_id is not None else None,
        detail=f"the name is taken by another {owner} (names compare ignoring case and spacing)",
    )


def title_taken(justification: MedicalJustification, existing_id: JustificationId | None) -> Conflict:
    """The 409 for a title (compared by `name_key`) another justification of the library already has."""
    return Conflict(
        entity="medical_justification",
        existing_id=str(existing_id) if existing_id is not None else None,
        detail="the title is taken by another justification of the library (titles compare ignoring case and spacing)",
    )


class IvrTemplateRepository(Protocol):
    """Templates: global ones and practices' ones."""

    def get(self, template_id: IvrTemplateId, *, scope: Scope) -> IvrTemplate | None:
        """Return the template when it exists and is visible within scope."""
        ...

    def named(self, practice_id: PracticeId | None, name: str) -> IvrTemplate | None:
        """Return the owner's template (None: the global ones) whose name has this `name_key`, whatever the scope."""
        ...

    def add(self, template: IvrTemplate) -> Result[None, Conflict]:
        """Store a new template; a name its owner's other template has is a conflict (`name_taken`)."""
        ...

    def save(self, template: IvrTemplate) -> Result[IvrTemplate, Conflict]:
        """Store a changed template if its version is current and its name free; return it with the next version."""
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

    def titled(self, title: str) -> MedicalJustification | None:
        """Return the justification whose title has this `name_key`."""
        ...

    def add(self, justification: MedicalJustification) -> Result[None, Conflict]:
        """Store a new justification; a title another justification has is a conflict (`title_taken`)."""
        ...

    def save(self, justification: MedicalJustification) -> Result[MedicalJustification, Conflict]:
        """Store a changed justification if its version is current and its title free; return the next version."""
        ...

    def remove(self, justification: MedicalJustification) -> Result[None, Conflict]:
        """Delete a justification if its version is current."""
        ...

    def list(self, *, filters: JustificationFilter, page: PageRequest) -> Page[MedicalJustification]:
        """Return one page of the justifications that match the filters; ValueError on a bad sort or cursor."""
        ...

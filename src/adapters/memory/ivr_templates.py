"""IVR templates and the medical justification library, held in memory.

A deleted row is kept as None in its table (the store only adds and replaces keys on commit), so a
concurrent save of the deleted version finds no row and gets its Conflict, as on the databases. Names are
unique per owner and titles in the library (by `name_key`): a writer claims the key it takes, as a unique
index would hold it, so two concurrent transactions cannot both commit it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import TypeVar, cast

from attrs import evolve
from returns.result import Failure, Result, Success

from adapters.memory.paging import keyset_page
from adapters.memory.store import TableView
from adapters.memory.workspace import Workspace
from ivr_domain.ivr.templates.model import (
    IvrTemplate,
    JustificationFilter,
    MedicalJustification,
    TemplateFilter,
    TemplateScope,
    name_key,
)
from ivr_domain.ivr.templates.ports import name_taken, template_in_scope, title_taken
from ivr_domain.shared.actor import Scope
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import IvrTemplateId, JustificationId, PracticeId
from ivr_domain.shared.paging import Page, PageRequest

K = TypeVar("K", IvrTemplateId, JustificationId)
R = TypeVar("R", IvrTemplate, MedicalJustification)

_TEMPLATE_SORTS: dict[str, Callable[[IvrTemplate], object]] = {
    "name": lambda t: t.name,
    "created_at": lambda t: t.created_at,
    "updated_at": lambda t: t.updated_at,
}
_JUSTIFICATION_SORTS: dict[str, Callable[[MedicalJustification], object]] = {
    "title": lambda j: j.title,
    "created_at": lambda j: j.created_at,
    "updated_at": lambda j: j.updated_at,
}


def _rows(view: TableView[K, R | None]) -> Iterator[R]:
    return (row for row in view.values() if row is not None)


def _may_change(ws: Workspace, table: str, view: TableView[K, R | None], key: K, version: int) -> bool:
    # may_update reads None (deleted) rows as missing, which is the Conflict wanted here.
    return ws.may_update(table, cast(TableView[K, R], view), key, version)


def _clash(
    ws: Workspace,
    claim: Hashable,
    view: TableView[K, R | None],
    committed: Mapping[K, R | None],
    same: Callable[[R], bool],
) -> tuple[bool, R | None]:
    """Tell whether another row holds a unique key (and which, when known); else claim the key for this writer."""
    here = next((row for row in _rows(view) if same(row)), None)
    if here is not None:
        return True, here

    def holder() -> R | None:
        # A committed row this transaction changed counts as changed: a rename frees its old name here.
        return next(
            (
                row
                for key, row in committed.items()
                if row is not None and same(row) and (key not in view.changes or _matches(view.changes[key], same))
            ),
            None,
        )

    if ws.may_take(claim, lambda: holder() is not None):
        return False, None
    return True, holder()  # None: a concurrent writer holds it, uncommitted


def _matches(row: R | None, same: Callable[[R], bool]) -> bool:
    return row is not None and same(row)


def _template_matches(template: IvrTemplate, f: TemplateFilter) -> bool:
    return (
        (f.scope is None or template.is_global == (f.scope is TemplateScope.GLOBAL))
        and (f.practice_id is None or template.practice_id == f.practice_id)
        and (f.name is None or name_key(f.name) in name_key(template.name))
    )


class InMemoryIvrTemplateRepository:
    """Templates of one unit of work."""

    def __init__(self, workspace: Workspace) -> None:
        """Work within one transaction's tables."""
        self._ws = workspace

    def get(self, template_id: IvrTemplateId, *, scope: Scope) -> IvrTemplate | None:
        """Return the template when it exists and is visible within scope."""
        template = self._ws.ivr_templates.get(template_id)
        return template if template is not None and template_in_scope(template, scope) else None

    def named(self, practice_id: PracticeId | None, name: str) -> IvrTemplate | None:
        """Return the owner's template whose name has this `name_key`, whatever the scope."""
        key = name_key(name)
        return next(
            (t for t in _rows(self._ws.ivr_templates) if t.practice_id == practice_id and name_key(t.name) == key), None
        )

    def add(self, template: IvrTemplate) -> Result[None, Conflict]:
        """Store a new template; a name its owner's other template has is a conflict."""
        clash = self._name_clash(template)
        if clash is not None:
            return Failure(clash)
        self._ws.claim_new("ivr_templates", template.id)
        self._ws.ivr_templates.put(template.id, template)
        return Success(None)

    def save(self, template: IvrTemplate) -> Result[IvrTemplate, Conflict]:
        """Store a changed template if its version is current; return it with the next version."""
        if not _may_change(self._ws, "ivr_templates", self._ws.ivr_templates, template.id, template.version):
            return Failure(Conflict(entity="ivr_template", id=str(template.id), detail="changed by another request"))
        clash = self._name_clash(template)
        if clash is not None:
            return Failure(clash)
        saved = evolve(template, version=template.version + 1)
        self._ws.ivr_templates.put(template.id, saved)
        return Success(saved)

    def remove(self, template: IvrTemplate) -> Result[None, Conflict]:
        """Delete a template if its version is current."""
        if not _may_change(self._ws, "ivr_templates", self._ws.ivr_templates, template.id, template.version):
            return Failure(Conflict(entity="ivr_template", id=str(template.id), detail="changed by another request"))
        self._ws.ivr_templates.put(template.id, None)
        return Success(None)

    def list(self, *, scope: Scope, filters: TemplateFilter, page: PageRequest) -> Page[IvrTemplate]:
        """Return one page of the visible templates that match the filters."""
        rows = (
            t for t in _rows(self._ws.ivr_templates) if template_in_scope(t, scope) and _template_matches(t, filters)
        )
        return keyset_page(rows, page, _TEMPLATE_SORTS, lambda t: t.id)

    def _name_clash(self, template: IvrTemplate) -> Conflict | None:
        key = name_key(template.name)

        def same(other: IvrTemplate) -> bool:
            return other.id != template.id and other.practice_id == template.practice_id and name_key(other.name) == key

        claim = ("ivr_templates.name", template.practice_id, key)
        taken, holder = _clash(self._ws, claim, self._ws.ivr_templates, self._ws.store.ivr_templates, same)
        return name_taken(template, holder.id if holder is not None else None) if taken else None


class InMemoryJustificationRepository:
    """The justification library of one unit of work."""

    def __init__(self, workspace: Workspace) -> None:
        """Work within one transaction's tables."""
        self._ws = workspace

    def get(self, justification_id: JustificationId) -> MedicalJustification | None:
        """Return the justification when it exists."""
        return self._ws.medical_justifications.get(justification_id)

    def titled(self, title: str) -> MedicalJustification | None:
        """Return the justification whose title has this `name_key`."""
        key = name_key(title)
        return next((j for j in _rows(self._ws.medical_justifications) if name_key(j.title) == key), None)

    def add(self, justification: MedicalJustification) -> Result[None, Conflict]:
        """Store a new justification; a title another justification has is a conflict."""
        clash = self._title_clash(justification)
        if clash is not None:
            return Failure(clash)
        self._ws.claim_new("medical_justifications", justification.id)
        self._ws.medical_justifications.put(justification.id, justification)
        return Success(None)

    def save(self, justification: MedicalJustification) -> Result[MedicalJustification, Conflict]:
        """Store a changed justification if its version is current; return it with the next version."""
        table = self._ws.medical_justifications
        if not _may_change(self._ws, "medical_justifications", table, justification.id, justification.version):
            return Failure(_stale(justification))
        clash = self._title_clash(justification)
        if clash is not None:
            return Failure(clash)
        saved = evolve(justification, version=justification.version + 1)
        table.put(justification.id, saved)
        return Success(saved)

    def remove(self, justification: MedicalJustification) -> Result[None, Conflict]:
        """Delete a justification if its version is current."""
        table = self._ws.medical_justifications
        if not _may_change(self._ws, "medical_justifications", table, justification.id, justification.version):
            return Failure(_stale(justification))
        table.put(justification.id, None)
        return Success(None)

    def list(self, *, filters: JustificationFilter, page: PageRequest) -> Page[MedicalJustification]:
        """Return one page of the justifications that match the filters."""
        rows = (
            j
            for j in _rows(self._ws.medical_justifications)
            if (filters.wound_type is None or j.wound_type is filters.wound_type)
            and (filters.hcpcs_code is None or j.hcpcs_code == filters.hcpcs_code)
        )
        return keyset_page(rows, page, _JUSTIFICATION_SORTS, lambda j: j.id)

    def _title_clash(self, justification: MedicalJustification) -> Conflict | None:
        key = name_key(justification.title)

        def same(other: MedicalJustification) -> bool:
            return other.id != justification.id and name_key(other.title) == key

        claim = ("medical_justifications.title", key)
        view, committed = self._ws.medical_justifications, self._ws.store.medical_justifications
        taken, holder = _clash(self._ws, claim, view, committed, same)
        return title_taken(justification, holder.id if holder is not None else None) if taken else None


def _stale(justification: MedicalJustification) -> Conflict:
    return Conflict(entity="medical_justification", id=str(justification.id), detail="changed by another request")

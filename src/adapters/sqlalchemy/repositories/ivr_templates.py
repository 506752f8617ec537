"""IVR templates and the medical justification library in SQL: visibility and filters pushed into WHERE.

Template content is clear JSON (templates hold no PHI), written by a cattrs converter the core never sees:
decimals as strings, dates and instants in ISO form, enums by value, unset fields left out.

Names are unique per owner and titles in the library, by unique indexes on the folded `name_key` and
`title_key`: an insert that would break one does nothing (`insert_unless_conflict`), an update runs in a
savepoint on PostgreSQL (where a failed statement would abort the whole transaction; on SQLite it undoes only
itself), and either answers the conflict the use case checked for, so a lost race is a 409, never a 500.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from decimal import Decimal
from typing import Any

from attrs import evolve
from cattrs.preconf.json import make_converter
from returns.result import Failure, Result, Success
from sqlalchemy import ColumnElement, Connection, RowMapping, Update, and_, delete, false, or_, select, true, update
from sqlalchemy.exc import IntegrityError

from adapters.sqlalchemy.repositories.common import cut_page, insert_unless_conflict, keyset
from adapters.sqlalchemy.tables import ivr_templates, medical_justifications
from ivr_domain.ivr.model import WoundType
from ivr_domain.ivr.templates.model import (
    IvrTemplate,
    JustificationFilter,
    MedicalJustification,
    TemplateContent,
    TemplateFilter,
    TemplateScope,
    name_key,
)
from ivr_domain.ivr.templates.ports import name_taken, title_taken
from ivr_domain.shared.actor import Scope
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import IvrTemplateId, JustificationId, PracticeId, UserId
from ivr_domain.shared.paging import Page, PageRequest

STALE = "changed by another request"

_CONVERTER = make_converter(omit_if_default=True)
_CONVERTER.register_unstructure_hook(Decimal, str)
_CONVERTER.register_structure_hook(Decimal, lambda value, _: Decimal(value))

_T = ivr_templates.c
_J = medical_justifications.c
_TEMPLATE_COLUMNS: dict[str, ColumnElement[Any]] = {
    "name": _T.name,
    "created_at": _T.created_at,
    "updated_at": _T.updated_at,
}
_TEMPLATE_SORTS = {"name": lambda t: t.name, "created_at": lambda t: t.created_at, "updated_at": lambda t: t.updated_at}
_JUSTIFICATION_COLUMNS: dict[str, ColumnElement[Any]] = {
    "title": _J.title,
    "created_at": _J.created_at,
    "updated_at": _J.updated_at,
}
_JUSTIFICATION_SORTS = {
    "title": lambda j: j.title,
    "created_at": lambda j: j.created_at,
    "updated_at": lambda j: j.updated_at,
}


def _template_values(template: IvrTemplate) -> dict[str, Any]:
    return {
        "id": template.id,
        "practice_id": template.practice_id,
        "name": template.name,
        "name_key": name_key(template.name),
        "content": _CONVERTER.unstructure(template.content),
        "created_by": template.created_by,
        "created_at": template.created_at,
        "updated_by": template.updated_by,
        "updated_at": template.updated_at,
        "version": template.version,
    }


def _template(row: RowMapping) -> IvrTemplate:
    return IvrTemplate(
        id=IvrTemplateId(row["id"]),
        practice_id=PracticeId(row["practice_id"]) if row["practice_id"] is not None else None,
        name=row["name"],
        content=_CONVERTER.structure(row["content"], TemplateContent),
        created_by=UserId(row["created_by"]),
        created_at=row["created_at"],
        updated_by=UserId(row["updated_by"]),
        updated_at=row["updated_at"],
        version=row["version"],
    )


def _visible(scope: Scope) -> ColumnElement[bool]:
    if scope.everything:
        return true()
    reached = _T.practice_id.in_(sorted(scope.practice_ids)) if scope.practice_ids else false()
    return or_(_T.practice_id.is_(None), reached)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _updated(db: Connection, stmt: Update, values: dict[str, Any]) -> int | None:
    """Run a compare-and-set update; its row count, or None when a unique index refused it."""
    guard: AbstractContextManager[object] = db.begin_nested() if db.dialect.name == "postgresql" else nullcontext()
    try:
        with guard:
            return db.execute(stmt, values).rowcount
    except IntegrityError:
        return None


class SqlAlchemyIvrTemplateRepository:
    """Templates on one connection's transaction."""

    def __init__(self, connection: Connection) -> None:
        """Work within the unit of work's transaction."""
        self._db = connection

    def get(self, template_id: IvrTemplateId, *, scope: Scope) -> IvrTemplate | None:
        """Return the template when it exists and is visible within scope."""
        row = self._db.execute(select(ivr_templates).where(_T.id == template_id, _visible(scope))).mappings().first()
        return _template(row) if row is not None else None

    def named(self, practice_id: PracticeId | None, name: str) -> IvrTemplate | None:
        """Return the owner's template whose name has this `name_key`, whatever the scope."""
        owner = _T.practice_id.is_(None) if practice_id is None else _T.practice_id == practice_id
        row = self._db.execute(select(ivr_templates).where(owner, _T.name_key == name_key(name))).mappings().first()
        return _template(row) if row is not None else None

    def add(self, template: IvrTemplate) -> Result[None, Conflict]:
        """Store a new template; a name its owner's other template has is a conflict."""
        if insert_unless_conflict(self._db, ivr_templates, _template_values(template)):
            return Success(None)
        return Failure(self._name_taken(template))

    def save(self, template: IvrTemplate) -> Result[IvrTemplate, Conflict]:
        """Store a changed template if its version is current and its name free; return it with the next version."""
        saved = evolve(template, version=template.version + 1)
        stmt = update(ivr_templates).where(_T.id == template.id, _T.version == template.version)
        count = _updated(self._db, stmt, _template_values(saved))
        if count is None:
            return Failure(self._name_taken(template))
        if count != 1:
            return Failure(Conflict(entity="ivr_template", id=str(template.id), detail=STALE))
        return Success(saved)

    def remove(self, template: IvrTemplate) -> Result[None, Conflict]:
        """Delete a template if its version is current."""
        stmt = delete(ivr_templates).where(_T.id == template.id, _T.version == template.version)
        if self._db.execute(stmt).rowcount != 1:
            return Failure(Conflict(entity="ivr_template", id=str(template.id), detail=STALE))
        return Success(None)

    def list(self, *, scope: Scope, filters: TemplateFilter, page: PageRequest) -> Page[IvrTemplate]:
        """Return one page of the visible templates that match the filters."""
        stmt = select(ivr_templates).where(_visible(scope))
        if filters.scope is TemplateScope.GLOBAL:
            stmt = stmt.where(_T.practice_id.is_(None))
        elif filters.scope is TemplateScope.PRACTICE:
            stmt = stmt.where(_T.practice_id.is_not(None))
        if filters.practice_id is not None:
            stmt = stmt.where(_T.practice_id == filters.practice_id)
        if filters.name is not None:
            stmt = stmt.where(_T.name_key.like(f"%{_escaped(name_key(filters.name))}%", escape="\\"))
        rows = self._db.execute(keyset(stmt, page, _TEMPLATE_COLUMNS, _T.id)).mappings().all()
        return cut_page(tuple(_template(row) for row in rows), page, _TEMPLATE_SORTS, lambda t: t.id)

    def _name_taken(self, template: IvrTemplate) -> Conflict:
        holder = self.named(template.practice_id, template.name)
        return name_taken(template, holder.id if holder is not None else None)


def _justification_values(item: MedicalJustification) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "title_key": name_key(item.title),
        "wound_type": item.wound_type.value,
        "hcpcs_code": item.hcpcs_code,
        "text": item.text,
        "created_by": item.created_by,
        "created_at": item.created_at,
        "updated_by": item.updated_by,
        "updated_at": item.updated_at,
        "version": item.version,
    }


def _justification(row: RowMapping) -> MedicalJustification:
    return MedicalJustification(
        id=JustificationId(row["id"]),
        title=row["title"],
        wound_type=WoundType(row["wound_type"]),
        hcpcs_code=row["hcpcs_code"],
        text=row["text"],
        created_by=UserId(row["created_by"]),
        created_at=row["created_at"],
        updated_by=UserId(row["updated_by"]),
        updated_at=row["updated_at"],
        version=row["version"],
    )


class SqlAlchemyJustificationRepository:
    """The justification library on one connection's transaction."""

    def __init__(self, connection: Connection) -> None:
        """Work within the unit of work's transaction."""
        self._db = connection

    def get(self, justification_id: JustificationId) -> MedicalJustification | None:
        """Return the justification when it exists."""
        row = self._db.execute(select(medical_justifications).where(_J.id == justification_id)).mappings().first()
        return _justification(row) if row is not None else None

    def titled(self, title: str) -> MedicalJustification | None:
        """Return the justification whose title has this `name_key`."""
        row = self._db.execute(select(medical_justifications).where(_J.title_key == name_key(title))).mappings().first()
        return _justification(row) if row is not None else None

    def add(self, justification: MedicalJustification) -> Result[None, Conflict]:
        """Store a new justification; a title another justification has is a conflict."""
        if insert_unless_conflict(self._db, medical_justifications, _justification_values(justification)):
            return Success(None)
        return Failure(self._title_taken(justification))

    def save(self, justification: MedicalJustification) -> Result[MedicalJustification, Conflict]:
        """Store a changed justification if its version is current and its title free; return the next version."""
        saved = evolve(justification, version=justification.version + 1)
        stmt = update(medical_justifications).where(_J.id == justification.id, _J.version == justification.version)
        count = _updated(self._db, stmt, _justification_values(saved))
        if count is None:
            return Failure(self._title_taken(justification))
        if count != 1:
            return Failure(Conflict(entity="medical_justification", id=str(justification.id), detail=STALE))
        return Success(saved)

    def remove(self, justification: MedicalJustification) -> Result[None, Conflict]:
        """Delete a justification if its version is current."""
        stmt = delete(medical_justifications).where(_J.id == justification.id, _J.version == justification.version)
        if self._db.execute(stmt).rowcount != 1:
            return Failure(Conflict(entity="medical_justification", id=str(justification.id), detail=STALE))
        return Success(None)

    def list(self, *, filters: JustificationFilter, page: PageRequest) -> Page[MedicalJustification]:
        """Return one page of the justifications that match the filters."""
        conditions = []
        if filters.wound_type is not None:
            conditions.append(_J.wound_type == filters.wound_type.value)
        if filters.hcpcs_code is not None:
            conditions.append(_J.hcpcs_code == filters.hcpcs_code)
        stmt = select(medical_justifications).where(and_(true(), *conditions))
        rows = self._db.execute(keyset(stmt, page, _JUSTIFICATION_COLUMNS, _J.id)).mappings().all()
        return cut_page(tuple(_justification(row) for row in rows), page, _JUSTIFICATION_SORTS, lambda j: j.id)

    def _title_taken(self, justification: MedicalJustification) -> Conflict:
        holder = self.titled(justification.title)
        return title_taken(justification, holder.id if holder is not None else None)

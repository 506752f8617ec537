"""IVRs and their history in SQL: content encrypted per row, scope and filters pushed into WHERE."""

from __future__ import annotations

from datetime import date
from enum import Enum
from functools import cache
from typing import Any

from attrs import evolve
from returns.result import Failure, Result, Success
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Integer,
    Select,
    and_,
    bindparam,
    false,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from adapters.sqlalchemy.repositories.common import bound_keyset, cut_page, keyset_parameters, sort_key
from adapters.sqlalchemy.repositories.ivr_rows import IvrCodec
from adapters.sqlalchemy.tables import IVR_QUEUE_RANK, ivr_history, ivrs, reference_counters
from ivr_domain.ivr.model import HistoryEntry, Ivr
from ivr_domain.ivr.ports import IvrFilter
from ivr_domain.ivr.queue import QueuePosition, QueueQuery, SlaWindow
from ivr_domain.shared.actor import Scope
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import IvrId
from ivr_domain.shared.paging import Page, PageRequest

REFERENCE_KIND = "IVR"
STALE = "the IVR was changed by another request"

_SORT_COLUMNS = {"created_at": ivrs.c.created_at, "updated_at": ivrs.c.updated_at}
_SORTS = {"created_at": lambda i: i.created_at, "updated_at": lambda i: i.updated_at}

# IvrFilter's fields by comparison, each with its column; their values are bind parameters `filter_<name>`.
_EQUAL = {
    "status": ivrs.c.status,
    "practice_id": ivrs.c.practice_id,
    "patient_id": ivrs.c.patient_id,
    "reviewer_id": ivrs.c.reviewer_id,
    "priority": ivrs.c.priority,
}
_FROM = {"created_from": ivrs.c.created_at, "submitted_from": ivrs.c.submitted_at}
_TO = {"created_to": ivrs.c.created_at, "submitted_to": ivrs.c.submitted_at}
_FILTERS = (*_EQUAL, *_FROM, *_TO)

# Writes take their values as parameters of statements built once (as the patients repository does).
_INSERT_IVR = ivrs.insert()
_UPDATE_IVR = update(ivrs).where(ivrs.c.id == bindparam("match_id"), ivrs.c.version == bindparam("match_version"))
_INSERT_HISTORY = ivr_history.insert()
_LAPSED = (
    select(ivrs.c.id)
    .where(ivrs.c.status == "approved", ivrs.c.valid_until < bindparam("today"))
    .order_by(ivrs.c.valid_until, ivrs.c.id)
    .limit(bindparam("limit"))
)
_HISTORY_OF = (
    select(ivr_history).where(ivr_history.c.ivr_id == bindparam("ivr_id")).order_by(ivr_history.c.at, ivr_history.c.id)
)


class SqlAlchemyIvrRepository:
    """IVRs on one connection's transaction."""

    def __init__(self, connection: Connection, codec: IvrCodec) -> None:
        """Work within the unit of work's transaction, encrypting through the codec."""
        self._db = connection
        self._codec = codec

    def get(self, ivr_id: IvrId, *, scope: Scope) -> Ivr | None:
        """Return the IVR when it exists within scope."""
        values, reach = _reach_parameters(scope)
        row = self._db.execute(_get_statement(**reach), {**values, "ivr_id": ivr_id}).mappings().first()
        return self._codec.ivr(row) if row is not None else None

    def add(self, ivr: Ivr) -> None:
        """Store a new IVR."""
        self._db.execute(_INSERT_IVR, self._codec.ivr_values(ivr))

    def save(self, ivr: Ivr) -> Result[Ivr, Conflict]:
        """Store a changed IVR if its version is current; return it with the next version."""
        saved = evolve(ivr, version=ivr.version + 1)
        values = {**self._codec.ivr_values(saved), "match_id": ivr.id, "match_version": ivr.version}
        # On PostgreSQL a concurrent save of the same version waits for this row lock, then finds no row.
        if self._db.execute(_UPDATE_IVR, values).rowcount != 1:
            return Failure(Conflict(entity="ivr", id=str(ivr.id), detail=STALE))
        return Success(saved)

    def list(self, *, scope: Scope, filters: IvrFilter, page: PageRequest) -> Page[Ivr]:
        """Return one page of the IVRs within scope that match the filters."""
        key = sort_key(page, _SORT_COLUMNS)
        values, reach = _reach_parameters(scope)
        values |= keyset_parameters(page, key)
        for name in _FILTERS:
            value = getattr(filters, name)
            if value is not None:
                values[f"filter_{name}"] = value.value if isinstance(value, Enum) else value
        stmt = _list_statement(
            **reach,
            filtered=frozenset(name for name in _FILTERS if f"filter_{name}" in values),
            sort=key.field,
            descending=key.descending,
            after=page.cursor is not None,
        )
        rows = self._db.execute(stmt, values).mappings().all()
        return cut_page(tuple(self._codec.ivr(row) for row in rows), page, _SORTS, lambda i: i.id)

    def queue(self, *, scope: Scope, query: QueueQuery, page: PageRequest) -> Page[Ivr]:
        """Return one page of the open IVRs within scope, urgent first, then oldest, then id."""
        values, reach = _reach_parameters(scope)
        values |= {"statuses": sorted(s.value for s in query.statuses), "page_limit": page.limit + 1}
        if query.priority is not None:
            values["filter_priority"] = query.priority.value
        if query.reviewer_id is not None:
            values["filter_reviewer_id"] = query.reviewer_id
        if query.payer_id is not None:
            values["filter_payer_id"] = query.payer_id
        window = query.window or SlaWindow()
        bounds = {name: getattr(window, name) for name in _WINDOW if getattr(window, name) is not None}
        values |= {f"window_{name}": moment for name, moment in bounds.items()}
        if page.cursor is not None:
            after = QueuePosition.parse(page.cursor)
            if after is None:
                raise ValueError("malformed queue cursor")
            values |= {"after_rank": after.rank, "after_at": after.last_submitted_at, "after_id": after.id}
        stmt = _queue_statement(
            **reach,
            filtered=frozenset(n for n in _QUEUE_EQUAL if f"filter_{n}" in values),
            window=frozenset(bounds),
            after=page.cursor is not None,
        )
        rows = self._db.execute(stmt, values).mappings().all()
        found = tuple(self._codec.ivr(row) for row in rows)
        if len(found) <= page.limit:
            return Page(items=found)
        kept = found[: page.limit]
        return Page(items=kept, next_cursor=QueuePosition.of(kept[-1]).cursor())

    def lapsed_approvals(self, today: date, *, limit: int) -> tuple[IvrId, ...]:
        """Return approved IVRs whose `valid_until` is before `today`, the longest lapsed first."""
        found = self._db.execute(_LAPSED, {"today": today, "limit": limit}).scalars()
        return tuple(IvrId(ivr_id) for ivr_id in found)

    def next_reference(self, year: int) -> str:
        """Return the next people-facing reference of a year, `IVR-2026-000123`; never the same one twice."""
        number = self._db.execute(_take_number(self._db.dialect.name), {"kind": REFERENCE_KIND, "year": year})
        return f"{REFERENCE_KIND}-{year}-{number.scalar_one():06d}"


class SqlAlchemyIvrHistory:
    """The status changes of IVRs, append-only, notes encrypted."""

    def __init__(self, connection: Connection, codec: IvrCodec) -> None:
        """Work within the unit of work's transaction, encrypting through the codec."""
        self._db = connection
        self._codec = codec

    def append(self, entry: HistoryEntry) -> None:
        """Record one status change."""
        self._db.execute(_INSERT_HISTORY, self._codec.history_values(entry))

    def of(self, ivr_id: IvrId) -> tuple[HistoryEntry, ...]:
        """Return an IVR's changes, oldest first."""
        rows = self._db.execute(_HISTORY_OF, {"ivr_id": ivr_id}).mappings().all()
        return tuple(self._codec.history(row) for row in rows)


def _reach_parameters(scope: Scope) -> tuple[dict[str, Any], dict[str, bool]]:
    """A scope as the shape of its clause (`_bound_reach`'s arguments) and the values of its parameters."""
    by_practice = not scope.everything and bool(scope.practice_ids)
    shape = {
        "everything": scope.everything,
        "by_practice": by_practice,
        "by_submission": not scope.everything and scope.submitted_ivrs,
    }
    return ({"practice_ids": list(scope.practice_ids)} if by_practice else {}), shape


def _bound_reach(*, everything: bool, by_practice: bool, by_submission: bool) -> ColumnElement[bool]:
    """The WHERE clause of `ivr_in_scope` (ports.py) for statements built once; practices expand `practice_ids`."""
    if everything:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if by_practice:
        clauses.append(ivrs.c.practice_id.in_(bindparam("practice_ids", expanding=True)))
    if by_submission:
        clauses.append(ivrs.c.submitted_at.is_not(None))
    return or_(*clauses) if clauses else false()


@cache
def _get_statement(*, everything: bool, by_practice: bool, by_submission: bool) -> Select[Any]:
    """One IVR by `ivr_id` within a scope of this shape; built once per shape."""
    reach = _bound_reach(everything=everything, by_practice=by_practice, by_submission=by_submission)
    return select(ivrs).where(ivrs.c.id == bindparam("ivr_id"), reach)


@cache
def _list_statement(
    *,
    everything: bool,
    by_practice: bool,
    by_submission: bool,
    filtered: frozenset[str],
    sort: str,
    descending: bool,
    after: bool,
) -> Select[Any]:
    """The list query of one shape (scope, filters present, sort, cursor), built once; values are parameters."""
    reach = _bound_reach(everything=everything, by_practice=by_practice, by_submission=by_submission)
    stmt = select(ivrs).where(reach)
    for name in sorted(filtered):
        parameter: BindParameter[Any] = bindparam(f"filter_{name}")
        if name in _EQUAL:
            stmt = stmt.where(_EQUAL[name] == parameter)
        elif name in _FROM:
            stmt = stmt.where(_FROM[name] >= parameter)
        else:
            stmt = stmt.where(_TO[name] < parameter)
    return bound_keyset(stmt, _SORT_COLUMNS[sort], ivrs.c.id, descending=descending, after=after)


# QueueQuery's equality filters, each with its column; values are bind parameters `filter_<name>`.
_QUEUE_EQUAL = {"priority": ivrs.c.priority, "reviewer_id": ivrs.c.reviewer_id, "payer_id": ivrs.c.payer_id}

# SlaWindow's bounds, each with how last_submitted_at compares to it.
_WINDOW = {
    "newer_than": lambda column, value: column > value,
    "from_": lambda column, value: column >= value,
    "to": lambda column, value: column <= value,
    "older_than": lambda column, value: column < value,
}

# The queue's rank of a priority, as `queue.priority_rank` gives it: urgent first. The indexed expression itself.
_RANK = IVR_QUEUE_RANK


@cache
def _queue_statement(
    *,
    everything: bool,
    by_practice: bool,
    by_submission: bool,
    filtered: frozenset[str],
    window: frozenset[str],
    after: bool,
) -> Select[Any]:
    """The queue query of one shape (scope, filters, SLA bounds, cursor), built once; values are parameters."""
    reach = _bound_reach(everything=everything, by_practice=by_practice, by_submission=by_submission)
    last = ivrs.c.last_submitted_at
    stmt = select(ivrs).where(reach, ivrs.c.status.in_(bindparam("statuses", expanding=True)), last.is_not(None))
    for name in sorted(filtered):
        stmt = stmt.where(_QUEUE_EQUAL[name] == bindparam(f"filter_{name}"))
    for name in sorted(window):
        stmt = stmt.where(_WINDOW[name](last, bindparam(f"window_{name}", type_=last.type)))
    if after:
        rank: BindParameter[Any] = bindparam("after_rank", type_=Integer)
        at: BindParameter[Any] = bindparam("after_at", type_=last.type)
        row_id: BindParameter[Any] = bindparam("after_id", type_=ivrs.c.id.type)
        stmt = stmt.where(
            or_(
                rank < _RANK,
                and_(rank == _RANK, or_(last > at, and_(last == at, ivrs.c.id > row_id))),
            )
        )
    return stmt.order_by(_RANK, last, ivrs.c.id).limit(bindparam("page_limit", type_=Integer))


@cache
def _take_number(dialect: str) -> Any:
    """The upsert that takes the next number of a (kind, year): one statement, safe under concurrency.

    The conflicting insert turns into an update of the counter row, which PostgreSQL locks until the
    transaction ends (a second taker waits, then reads the committed value); SQLite has one writer at a time.
    """
    if dialect == "postgresql":
        insert: Any = postgresql.insert(reference_counters)
    elif dialect == "sqlite":
        insert = sqlite.insert(reference_counters)
    else:
        raise ValueError(f"unsupported dialect {dialect!r}")
    counter = reference_counters.c
    stmt = insert.values(kind=bindparam("kind"), year=bindparam("year"), last=1)
    stmt = stmt.on_conflict_do_update(index_elements=[counter.kind, counter.year], set_={"last": counter.last + 1})
    return stmt.returning(counter.last)

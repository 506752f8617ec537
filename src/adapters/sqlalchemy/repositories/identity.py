"""Practices and users in SQL, with explicit row <-> entity mapping."""

from __future__ import annotations

from typing import Any

from attrs import evolve
from returns.result import Failure, Result, Success
from sqlalchemy import ColumnElement, Connection, Row, bindparam, false, or_, select, true, update

from adapters.sqlalchemy.repositories.common import cut_page, insert_unless_conflict, keyset
from adapters.sqlalchemy.tables import practices, users
from ivr_domain.identity.model import Practice, User
from ivr_domain.identity.ports import UserFilter
from ivr_domain.shared.actor import Permission, Role, Scope
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import PracticeId, UserId
from ivr_domain.shared.paging import Page, PageRequest
from ivr_domain.shared.values import Address, Email, Npi, Phone


def practice_values(practice: Practice) -> dict[str, Any]:
    """Map a practice to its row."""
    address = practice.address
    return {
        "id": practice.id,
        "name": practice.name,
        "name_key": practice.name.casefold(),
        "npi": practice.npi.value if practice.npi else None,
        "address_line1": address.line1 if address else None,
        "address_line2": address.line2 if address else None,
        "address_city": address.city if address else None,
        "address_state": address.state if address else None,
        "address_postal_code": address.postal_code if address else None,
        "phone": practice.phone.e164 if practice.phone else None,
        "created_at": practice.created_at,
        "updated_at": practice.updated_at,
        "version": practice.version,
    }


def practice_from_row(row: Row[Any]) -> Practice:
    """Map a practice row to the entity."""
    m = row._mapping
    address = None
    if m["address_line1"] is not None:
        address = Address(
            line1=m["address_line1"],
            line2=m["address_line2"],
            city=m["address_city"],
            state=m["address_state"],
            postal_code=m["address_postal_code"],
        )
    return Practice(
        id=PracticeId(m["id"]),
        name=m["name"],
        npi=Npi(m["npi"]) if m["npi"] is not None else None,
        address=address,
        phone=Phone(m["phone"]) if m["phone"] is not None else None,
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        version=m["version"],
    )


def user_values(user: User) -> dict[str, Any]:
    """Map a user to its row."""
    return {
        "id": user.id,
        "email": user.email.value.lower(),
        "name": user.name,
        "role": user.role.value,
        "password_hash": user.password_hash,
        "practice_id": user.practice_id,
        "grants": sorted(p.value for p in user.grants),
        "revocations": sorted(p.value for p in user.revocations),
        "active": user.active,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "password_changed_at": user.password_changed_at,
        "version": user.version,
    }


def user_from_row(row: Row[Any]) -> User:
    """Map a user row to the entity."""
    m = row._mapping
    return User(
        id=UserId(m["id"]),
        email=Email(m["email"]),
        name=m["name"],
        role=Role(m["role"]),
        password_hash=m["password_hash"],
        practice_id=PracticeId(m["practice_id"]) if m["practice_id"] is not None else None,
        grants=frozenset(Permission(p) for p in m["grants"]),
        revocations=frozenset(Permission(p) for p in m["revocations"]),
        active=m["active"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        password_changed_at=m["password_changed_at"],
        version=m["version"],
    )


def practices_in_scope(scope: Scope) -> ColumnElement[bool]:
    """The WHERE clause of the practices a scope reaches."""
    if scope.everything:
        return true()
    return practices.c.id.in_(scope.practice_ids) if scope.practice_ids else false()


def users_in_scope(scope: Scope) -> ColumnElement[bool]:
    """The WHERE clause of the users a scope reaches: listed, or members of a reachable practice."""
    if scope.everything:
        return true()
    clauses = []
    if scope.user_ids:
        clauses.append(users.c.id.in_(scope.user_ids))
    if scope.practice_ids:
        clauses.append(users.c.practice_id.in_(scope.practice_ids))
    return or_(*clauses) if clauses else false()


class SqlAlchemyPracticeRepository:
    """Practices on one connection's transaction."""

    def __init__(self, connection: Connection) -> None:
        """Work within the unit of work's transaction."""
        self._db = connection

    def get(self, practice_id: PracticeId, *, scope: Scope) -> Practice | None:
        """Return the practice when it exists within scope."""
        stmt = select(practices).where(practices.c.id == practice_id, practices_in_scope(scope))
        row = self._db.execute(stmt).first()
        return practice_from_row(row) if row is not None else None

    def find_by_name(self, name: str) -> Practice | None:
        """Return the practice with exactly this name (case-insensitive), whatever the scope."""
        stmt = select(practices).where(practices.c.name_key == name.casefold()).order_by(practices.c.id).limit(1)
        row = self._db.execute(stmt).first()
        return practice_from_row(row) if row is not None else None

    def add(self, practice: Practice) -> None:
        """Store a new practice."""
        self._db.execute(practices.insert().values(**practice_values(practice)))

    def save(self, practice: Practice) -> Result[Practice, Conflict]:
        """Store a changed practice if its version is current; return it with the next version."""
        saved = evolve(practice, version=practice.version + 1)
        stmt = (
            update(practices)
            .where(practices.c.id == practice.id, practices.c.version == practice.version)
            .values(**practice_values(saved))
        )
        if self._db.execute(stmt).rowcount != 1:
            return Failure(Conflict(entity="practice", id=str(practice.id)))
        return Success(saved)

    def list(self, *, scope: Scope, page: PageRequest) -> Page[Practice]:
        """Return one page of the practices within scope."""
        columns = {"created_at": practices.c.created_at, "name": practices.c.name}
        stmt = keyset(select(practices).where(practices_in_scope(scope)), page, columns, practices.c.id)
        items = [practice_from_row(r) for r in self._db.execute(stmt)]
        sorts = {"created_at": lambda p: p.created_at, "name": lambda p: p.name}
        return cut_page(items, page, sorts, lambda p: p.id)


class SqlAlchemyUserRepository:
    """Accounts on one connection's transaction; emails are unique in lower case."""

    def __init__(self, connection: Connection) -> None:
        """Work within the unit of work's transaction."""
        self._db = connection

    def get(self, user_id: UserId, *, scope: Scope) -> User | None:
        """Return the user when they exist within scope."""
        row = self._db.execute(select(users).where(users.c.id == user_id, users_in_scope(scope))).first()
        return user_from_row(row) if row is not None else None

    def find_by_email(self, email: Email) -> User | None:
        """Return the account with this email, whatever the scope."""
        row = self._db.execute(select(users).where(users.c.email == email.value.lower())).first()
        return user_from_row(row) if row is not None else None

    def add(self, user: User) -> Result[User, Conflict]:
        """Store a new account; an email already taken is a conflict."""
        if insert_unless_conflict(self._db, users, user_values(user)):
            return Success(user)
        return Failure(self._conflict(user))

    def version_held(self, user_id: UserId) -> int | None:
        """Return the account's current version, held against change until the transaction ends (None: no account)."""
        # FOR SHARE on PostgreSQL; SQLite renders none: its one writer at a time already holds the database.
        stmt = select(users.c.version).where(users.c.id == user_id).with_for_update(read=True)
        version = self._db.execute(stmt).scalar_one_or_none()
        return int(version) if version is not None else None

    def save(self, user: User) -> Result[User, Conflict]:
        """Store a changed account if its version is current; return it with the next version."""
        taken = self._email_owner(user.email.value.lower())
        if taken is not None and taken != user.id:
            return Failure(Conflict(entity="user", existing_id=str(taken)))
        saved = evolve(user, version=user.version + 1)
        stmt = update(users).where(users.c.id == user.id, users.c.version == user.version).values(**user_values(saved))
        if self._db.execute(stmt).rowcount != 1:
            return Failure(Conflict(entity="user", id=str(user.id)))
        return Success(saved)

    def list(self, *, scope: Scope, filters: UserFilter, page: PageRequest) -> Page[User]:
        """Return one page of the users within scope that match the filters."""
        stmt = select(users).where(users_in_scope(scope))
        if filters.role is not None:
            stmt = stmt.where(users.c.role == filters.role.value)
        if filters.practice_id is not None:
            stmt = stmt.where(users.c.practice_id == filters.practice_id)
        if filters.active is not None:
            stmt = stmt.where(users.c.active == filters.active)
        stmt = keyset(stmt, page, {"created_at": users.c.created_at, "email": users.c.email}, users.c.id)
        items = [user_from_row(r) for r in self._db.execute(stmt)]
        sorts = {"created_at": lambda u: u.created_at, "email": lambda u: u.email.value}
        return cut_page(items, page, sorts, lambda u: u.id)

    def _email_owner(self, email: str) -> UserId | None:
        found = self._db.execute(select(users.c.id).where(users.c.email == email)).scalar_one_or_none()
        return UserId(found) if found is not None else None

    def _conflict(self, user: User) -> Conflict:
        owner = self._email_owner(user.email.value.lower())
        if owner is not None and owner != user.id:
            return Conflict(entity="user", existing_id=str(owner))
        return Conflict(entity="user", id=str(user.id), existing_id=str(user.id))


# Asked by every patient create: built once, the id a bind parameter.
_PRACTICE_EXISTS = select(practices.c.id).where(practices.c.id == bindparam("practice_id"))


class SqlAlchemyPracticeDirectory:
    """Answers the patients context's question whether a practice exists."""

    def __init__(self, connection: Connection) -> None:
        """Work within the unit of work's transaction."""
        self._db = connection

    def exists(self, practice_id: PracticeId) -> bool:
        """Tell whether a practice with this id exists."""
        return self._db.execute(_PRACTICE_EXISTS, {"practice_id": practice_id}).first() is not None

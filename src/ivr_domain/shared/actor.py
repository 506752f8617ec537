"""Who is acting: roles, permissions, the data scope they reach and the projection they see."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from attrs import field, frozen

from ivr_domain.shared.ids import PracticeId, SessionId, UserId


class Role(StrEnum):
    """The seven roles; a user has exactly one."""

    ADMIN = "admin"
    IVR_STAFF = "ivr_staff"
    DOCTOR = "doctor"
    MASTER_DISTRIBUTOR = "master_distributor"
    DISTRIBUTOR = "distributor"
    SALESPERSON = "salesperson"
    LOGISTICS = "logistics"


class Permission(StrEnum):
    """Actions that require a grant; roles carry defaults (identity.permissions)."""

    USERS_MANAGE = "users.manage"
    PATIENTS_READ = "patients.read"
    PATIENTS_WRITE = "patients.write"
    IVRS_READ = "ivrs.read"
    IVRS_WRITE = "ivrs.write"
    IVRS_REVIEW = "ivrs.review"
    IVRS_BULK_APPROVE = "ivrs.bulk_approve"
    TEMPLATES_MANAGE = "templates.manage"
    ORDERS_CREATE = "orders.create"
    ORDERS_APPROVE = "orders.approve"
    SHIPPING_MANAGE = "shipping.manage"
    BILLING_MANAGE = "billing.manage"
    COMMISSIONS_READ = "commissions.read"
    AUDIT_READ = "audit.read"


class Projection(StrEnum):
    """How much PHI a role may see: minimum necessary."""

    FULL = "full"
    MASKED = "masked"
    SHIP_TO = "ship_to"


_PROJECTIONS = {
    Role.ADMIN: Projection.FULL,
    Role.IVR_STAFF: Projection.FULL,
    Role.DOCTOR: Projection.FULL,
    Role.MASTER_DISTRIBUTOR: Projection.MASKED,
    Role.DISTRIBUTOR: Projection.MASKED,
    Role.SALESPERSON: Projection.MASKED,
    Role.LOGISTICS: Projection.SHIP_TO,
}


class Purpose(StrEnum):
    """Why PHI is used (HIPAA purposes of use); a request may state it, otherwise the role's default applies."""

    TREATMENT = "treatment"
    PAYMENT = "payment"
    OPERATIONS = "operations"
    PATIENT_REQUEST = "patient_request"
    LEGAL = "legal"
    EMERGENCY = "emergency"


_DEFAULT_PURPOSES = {
    Role.ADMIN: Purpose.OPERATIONS,
    Role.IVR_STAFF: Purpose.PAYMENT,
    Role.DOCTOR: Purpose.TREATMENT,
    Role.MASTER_DISTRIBUTOR: Purpose.OPERATIONS,
    Role.DISTRIBUTOR: Purpose.OPERATIONS,
    Role.SALESPERSON: Purpose.OPERATIONS,
    Role.LOGISTICS: Purpose.OPERATIONS,
}


@frozen(kw_only=True)
class Origin:
    """Where a request came from and the purpose it stated; the audit log records it."""

    client_address: str | None = None
    user_agent: str | None = None
    correlation_id: str | None = None
    purpose: Purpose | None = None


def projection_for(role: Role) -> Projection:
    """Return the PHI projection a role is entitled to."""
    return _PROJECTIONS[role]


@frozen(kw_only=True)
class Scope:
    """The objects an actor may reach, in a form repositories turn into SQL `WHERE` clauses.

    `everything` reaches all; otherwise an object is reachable when it belongs to one of
    `practice_ids`, or (for verification staff) when an IVR about it has been submitted.
    Users are reachable when listed in `user_ids` or members of a reachable practice.
    """

    everything: bool = False
    practice_ids: frozenset[PracticeId] = field(default=frozenset())
    user_ids: frozenset[UserId] = field(default=frozenset())
    submitted_ivrs: bool = False

    def reaches_practice(self, practice_id: PracticeId) -> bool:
        """Tell whether objects owned by this practice are within reach by ownership."""
        return self.everything or practice_id in self.practice_ids


@frozen(kw_only=True)
class Actor:
    """The authenticated principal of a use case; the system actor stands in when no person acts."""

    user_id: UserId
    role: Role
    permissions: frozenset[Permission]
    scope: Scope
    practice_id: PracticeId | None = None
    session_id: SessionId | None = None
    is_system: bool = False
    origin: Origin | None = None

    def can(self, permission: Permission) -> bool:
        """Tell whether the actor holds a permission."""
        return permission in self.permissions

    @property
    def projection(self) -> Projection:
        """Return the PHI projection this actor sees."""
        return projection_for(self.role)

    @property
    def purpose(self) -> Purpose:
        """Return the stated purpose of use, or the role's default."""
        stated = self.origin.purpose if self.origin else None
        return stated or _DEFAULT_PURPOSES[self.role]


SYSTEM_USER_ID = UserId(UUID(int=0))

SYSTEM_ACTOR = Actor(
    user_id=SYSTEM_USER_ID,
    role=Role.ADMIN,
    permissions=frozenset(Permission),
    scope=Scope(everything=True),
    is_system=True,
)

"""The permission table: role defaults and what each role may be granted, the single source the rest reads."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from ivr_domain.shared.actor import Permission as P
from ivr_domain.shared.actor import Role

ROLE_DEFAULTS: Final[Mapping[Role, frozenset[P]]] = MappingProxyType(
    {
        Role.ADMIN: frozenset(P),
        Role.IVR_STAFF: frozenset({P.PATIENTS_READ, P.IVRS_READ, P.IVRS_REVIEW, P.IVRS_BULK_APPROVE}),
        Role.DOCTOR: frozenset(
            {P.PATIENTS_READ, P.PATIENTS_WRITE, P.IVRS_READ, P.IVRS_WRITE, P.TEMPLATES_MANAGE, P.ORDERS_CREATE}
        ),
        Role.MASTER_DISTRIBUTOR: frozenset({P.PATIENTS_READ, P.IVRS_READ, P.ORDERS_APPROVE, P.COMMISSIONS_READ}),
        Role.DISTRIBUTOR: frozenset({P.PATIENTS_READ, P.IVRS_READ, P.ORDERS_APPROVE, P.COMMISSIONS_READ}),
        Role.SALESPERSON: frozenset({P.PATIENTS_READ, P.IVRS_READ, P.COMMISSIONS_READ}),
        Role.LOGISTICS: frozenset({P.SHIPPING_MANAGE}),
    }
)


# Grants widen what an account may do inside its role's scope, never past these limits. `users.manage`
# opens every account (an admin's included) and every practice, so only admins hold it. The audit log has no
# scope: it names every practice's patients, so practices and sellers never read it. A review decides
# coverage, so it stays with neutral reviewers: a practice and the sellers paid on its orders have a stake.
_CENTRAL_ONLY: Final[Mapping[P, frozenset[Role]]] = MappingProxyType(
    {
        P.USERS_MANAGE: frozenset({Role.ADMIN}),
        P.AUDIT_READ: frozenset({Role.ADMIN, Role.IVR_STAFF}),
        P.IVRS_REVIEW: frozenset({Role.ADMIN, Role.IVR_STAFF}),
        P.IVRS_BULK_APPROVE: frozenset({Role.ADMIN, Role.IVR_STAFF}),
    }
)


def roles_that_may_hold(permission: P) -> frozenset[Role]:
    """Return the roles an account must have to hold this permission, by default or by grant."""
    return _CENTRAL_ONLY.get(permission, frozenset(Role))


GRANTABLE: Final[Mapping[Role, frozenset[P]]] = MappingProxyType(
    {role: frozenset(p for p in P if role in roles_that_may_hold(p)) for role in Role}
)


def effective_permissions(role: Role, grants: frozenset[P], revocations: frozenset[P]) -> frozenset[P]:
    """Return a role's defaults plus a user's grants, less their revocations."""
    return (ROLE_DEFAULTS[role] | grants) - revocations

"""The permission table: role defaults, the single source the rest of the platform reads."""

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


def effective_permissions(role: Role, grants: frozenset[P], revocations: frozenset[P]) -> frozenset[P]:
    """Return a role's defaults plus a user's grants, less their revocations."""
    return (ROLE_DEFAULTS[role] | grants) - revocations

"""Insurance vocabulary patients and IVRs share: ranks and kinds of plan."""

from __future__ import annotations

from enum import StrEnum


class InsuranceRank(StrEnum):
    """The order in which insurances pay."""

    PRIMARY = "primary"
    SECONDARY = "secondary"


class PlanType(StrEnum):
    """Kinds of coverage."""

    MEDICARE = "medicare"
    MEDICARE_ADVANTAGE = "medicare_advantage"
    MEDICAID = "medicaid"
    COMMERCIAL = "commercial"
    TRICARE = "tricare"
    WORKERS_COMP = "workers_comp"
    SELF_PAY = "self_pay"
    OTHER = "other"

"""The coverage result verification staff record when approving, and the rules an approval must meet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum

from attrs import frozen

from ivr_domain.shared.insurance import InsuranceRank, PlanType
from ivr_domain.shared.validation import Problems

MAX_TEXT = 200
_CENTS = Decimal("0.01")
_MAX_AMOUNT = Decimal(1_000_000_000)
# More units than any authorisation grants (a skin substitute is billed per cm²): a bound, not a policy.
MAX_APPROVED_UNITS = 1_000_000


class NetworkStatus(StrEnum):
    """Whether the provider is in the plan's network."""

    IN_NETWORK = "in_network"
    OUT_OF_NETWORK = "out_of_network"
    UNKNOWN = "unknown"


class CoverageOutcome(StrEnum):
    """What the payer said about the product."""

    COVERED = "covered"
    COVERED_PA_REQUIRED = "covered_pa_required"
    COVERED_PA_OBTAINED = "covered_pa_obtained"
    NOT_COVERED = "not_covered"
    UNDISCLOSED = "undisclosed"


class VerificationMethod(StrEnum):
    """How the benefits were verified."""

    PHONE = "phone"
    PORTAL = "portal"
    X12_271 = "x12_271"
    FHIR = "fhir"


@frozen(kw_only=True)
class Coverage:
    """The verified benefits of one insurance; money is `Decimal`, "met" is total minus remaining."""

    insurance_rank: InsuranceRank
    active: bool
    plan_name: str
    plan_type: PlanType
    network_status: NetworkStatus
    outcome: CoverageOutcome
    verification_method: VerificationMethod
    valid_until: date
    effective_date: date | None = None
    end_date: date | None = None
    deductible_total: Decimal | None = None
    deductible_remaining: Decimal | None = None
    out_of_pocket_max: Decimal | None = None
    out_of_pocket_remaining: Decimal | None = None
    coinsurance_percent: Decimal | None = None
    copay: Decimal | None = None
    prior_auth_required: bool = False
    prior_auth_number: str | None = None
    approved_units: int | None = None
    approved_from: date | None = None
    approved_to: date | None = None
    call_reference: str | None = None
    payer_representative: str | None = None

    @property
    def deductible_met(self) -> Decimal | None:
        """Return how much of the deductible is met, when both figures are known."""
        if self.deductible_total is None or self.deductible_remaining is None:
            return None
        return self.deductible_total - self.deductible_remaining

    @property
    def needs_prior_auth(self) -> bool:
        """Tell whether the payer requires prior authorisation for this coverage."""
        return self.prior_auth_required or self.outcome is CoverageOutcome.COVERED_PA_REQUIRED


def _amount(problems: Problems, value: Decimal | None, path: str) -> None:
    if value is None:
        return
    if value < 0:
        problems.add(path, "must not be negative")
    elif value >= _MAX_AMOUNT:
        problems.add(path, "must be less than 1,000,000,000")
    elif value != value.quantize(_CENTS):
        problems.add(path, "must have at most two decimals")


def _remaining(problems: Problems, total: Decimal | None, remaining: Decimal | None, path: str) -> None:
    if total is not None and remaining is not None and remaining > total:
        problems.add(path, "must not exceed the total")


def _optional_text(problems: Problems, value: str | None, path: str) -> None:
    if value is not None and (not value.strip() or len(value) > MAX_TEXT):
        problems.add(path, f"must be 1 to {MAX_TEXT} characters")


def check_coverage(problems: Problems, coverage: Coverage, path: str, today: date) -> None:
    """Record every problem of one coverage result taken alone."""
    _optional_text(problems, coverage.plan_name, f"{path}.plan_name")
    for name in ("deductible_total", "deductible_remaining", "out_of_pocket_max", "out_of_pocket_remaining", "copay"):
        _amount(problems, getattr(coverage, name), f"{path}.{name}")
    _remaining(problems, coverage.deductible_total, coverage.deductible_remaining, f"{path}.deductible_remaining")
    _remaining(
        problems, coverage.out_of_pocket_max, coverage.out_of_pocket_remaining, f"{path}.out_of_pocket_remaining"
    )
    percent = coverage.coinsurance_percent
    if percent is not None and not Decimal(0) <= percent <= Decimal(100):
        problems.add(f"{path}.coinsurance_percent", "must be between 0 and 100")
    elif percent is not None and percent != percent.quantize(_CENTS):
        problems.add(f"{path}.coinsurance_percent", "must have at most two decimals")
    if coverage.effective_date and coverage.end_date and coverage.end_date < coverage.effective_date:
        problems.add(f"{path}.end_date", "must not be before the effective date")
    if coverage.approved_from and coverage.approved_to and coverage.approved_to < coverage.approved_from:
        problems.add(f"{path}.approved_to", "must not be before approved_from")
    if coverage.approved_units is not None and not 0 <= coverage.approved_units <= MAX_APPROVED_UNITS:
        problems.add(f"{path}.approved_units", f"must be between 0 and {MAX_APPROVED_UNITS:,}")
    if coverage.valid_until < today:
        problems.add(f"{path}.valid_until", "must not be in the past")
    if coverage.outcome is CoverageOutcome.NOT_COVERED:
        problems.add(f"{path}.outcome", "an IVR that is not covered cannot be approved: reject it instead")
    if not coverage.active:
        problems.add(f"{path}.active", "an inactive coverage cannot be approved: reject it instead")
    for name in ("prior_auth_number", "call_reference", "payer_representative"):
        _optional_text(problems, getattr(coverage, name), f"{path}.{name}")


def check_approval(
    coverages: Sequence[Coverage],
    *,
    ranks: Sequence[InsuranceRank],
    passed_prior_auth: bool,
    today: date,
) -> Problems:
    """Check an approval's coverages: one per verified insurance, each valid, PA numbers where needed."""
    problems = Problems()
    if not coverages:
        problems.add("coverages", "one coverage result per verified insurance is required")
    seen: set[InsuranceRank] = set()
    for index, coverage in enumerate(coverages):
        path = f"coverages[{index}]"
        if coverage.insurance_rank in seen:
            problems.add(f"{path}.insurance_rank", "appears twice")
        elif coverage.insurance_rank not in ranks:
            problems.add(f"{path}.insurance_rank", "is not one of the insurances this IVR verifies")
        seen.add(coverage.insurance_rank)
        check_coverage(problems, coverage, path, today)
        needs_pa = coverage.needs_prior_auth or passed_prior_auth
        if needs_pa and not (coverage.prior_auth_number and coverage.prior_auth_number.strip()):
            problems.add(f"{path}.prior_auth_number", "is required when prior authorisation is required")
    missing = [rank.value for rank in ranks if rank not in seen]
    if coverages and missing:
        problems.add("coverages", f"a coverage result is missing for: {', '.join(missing)}")
    return problems


def valid_until(coverages: Sequence[Coverage]) -> date | None:
    """Return the IVR's validity: the earliest of its coverages'."""
    return min((c.valid_until for c in coverages), default=None)

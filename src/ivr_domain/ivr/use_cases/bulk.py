"""Approving many IVRs in one request: each item is the single approve, in its own transaction.

The request as a whole is refused only for who asks (`ivrs.bulk_approve`, 403) and for its shape (1 to 500
items, no IVR twice, 422); then every item goes through `ActOnIvrHandler` exactly as
`POST /ivrs/{id}/approve` would, so its history row, audit record, event and refusals are the single
action's. A refused item changes nothing but its own audit record and never stops the items after it.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from attrs import evolve, frozen
from returns.result import Failure, Result, Success

from ivr_domain.ivr import policy
from ivr_domain.ivr.coverage import Coverage
from ivr_domain.ivr.use_cases.transitions import ActError, ActOnIvr, ActOnIvrHandler, Approve
from ivr_domain.shared.actor import Actor, Permission
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.errors import FieldError, NotPermitted, ValidationFailed
from ivr_domain.shared.ids import IvrId

ACTION = "ivrs.bulk_approve"
MAX_ITEMS = 500

BulkApproveError = NotPermitted | ValidationFailed


@frozen(kw_only=True)
class BulkApproveItem:
    """One IVR to approve, with its coverage results and optionally the version the client last saw."""

    ivr_id: IvrId
    coverages: tuple[Coverage, ...]
    expected_version: int | None = None


@frozen(kw_only=True)
class BulkApprove:
    """Approve up to 500 IVRs, each with its own data."""

    items: tuple[BulkApproveItem, ...]


@frozen(kw_only=True)
class ItemOutcome:
    """What became of one item: the approved IVR, or the refusal the single approve would have given."""

    ivr_id: IvrId
    result: Result[policy.ShownIvr, ActError]


@frozen(kw_only=True)
class BulkApproval:
    """One outcome per item, in the order of the request."""

    outcomes: tuple[ItemOutcome, ...]

    @property
    def succeeded(self) -> int:
        """Return how many items were approved."""
        return sum(1 for outcome in self.outcomes if isinstance(outcome.result, Success))

    @property
    def failed(self) -> int:
        """Return how many items were refused."""
        return len(self.outcomes) - self.succeeded


def item_path(index: int, field: str) -> str:
    """Return the body path of a field of one item (`items[3].coverages[0].valid_until`)."""
    return f"items[{index}].{field}"


def _within_item(index: int, error: ActError) -> ActError:
    """Point a refusal's field paths into the bulk body, where the single approve points into its own."""
    if isinstance(error, ValidationFailed):
        moved = tuple(FieldError(field=item_path(index, e.field), message=e.message) for e in error.errors)
        return evolve(error, errors=moved)
    return error


def check_shape(items: tuple[BulkApproveItem, ...]) -> ValidationFailed | None:
    """Return why a bulk body cannot be taken at all (no items, too many, an IVR twice), or None."""
    if not items:
        return ValidationFailed.single("items", "must hold at least one item")
    if len(items) > MAX_ITEMS:
        return ValidationFailed.single("items", f"must hold at most {MAX_ITEMS} items")
    counts = Counter(item.ivr_id for item in items)
    repeated = tuple(
        FieldError(field=item_path(index, "ivr_id"), message="appears more than once in this request")
        for index, item in enumerate(items)
        if counts[item.ivr_id] > 1
    )
    return ValidationFailed(errors=repeated) if repeated else None


@frozen(kw_only=True)
class BulkApproveHandler:
    """Approves many IVRs, one transaction, history row, audit record and event per approved item."""

    act: ActOnIvrHandler
    audit: AuditTrail
    # Items in flight at once. Each is still its own transaction, and no IVR appears twice, so they cannot meet;
    # overlapping one item's database round trips with another's work is what keeps 500 items under 2 s.
    # One for SQLite, whose single writer would only make them queue.
    parallel_items: int = 1

    def __call__(self, actor: Actor, cmd: BulkApprove) -> Result[BulkApproval, BulkApproveError]:
        """Approve every item that may be approved; refuse the whole request only for its caller or its shape."""
        return self._approve(actor, cmd).lash(lambda error: self.audit.refused(actor, ACTION, error))

    def _approve(self, actor: Actor, cmd: BulkApprove) -> Result[BulkApproval, BulkApproveError]:
        # API.md's order: the caller's permission (403) answers before the body's rules (422).
        if not actor.can(Permission.IVRS_BULK_APPROVE):
            return Failure(NotPermitted(action=ACTION, detail="bulk approval needs the ivrs.bulk_approve permission"))
        refused = check_shape(cmd.items)
        if refused is not None:
            return Failure(refused)
        if self.parallel_items <= 1:
            return Success(BulkApproval(outcomes=tuple(self._one(actor, i, item) for i, item in enumerate(cmd.items))))
        with ThreadPoolExecutor(max_workers=self.parallel_items, thread_name_prefix="bulk-approve") as pool:
            outcomes = pool.map(lambda pair: self._one(actor, *pair), enumerate(cmd.items))
            return Success(BulkApproval(outcomes=tuple(outcomes)))

    def _one(self, actor: Actor, index: int, item: BulkApproveItem) -> ItemOutcome:
        single = ActOnIvr(
            ivr_id=item.ivr_id, action=Approve(coverages=item.coverages), expected_version=item.expected_version
        )
        result = self.act(actor, single).alt(lambda error: _within_item(index, error))
        return ItemOutcome(ivr_id=item.ivr_id, result=result)

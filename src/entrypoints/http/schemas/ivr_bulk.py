"""Body and answer of `POST /api/v1/ivrs/bulk-approve`: items as the single approve takes them, one result each."""

from __future__ import annotations

from uuid import UUID

import msgspec
from attrs import frozen

from entrypoints.http.problems import Problem, to_problem
from entrypoints.http.schemas.ivr_bodies import ApproveBody
from ivr_domain.ivr.use_cases.bulk import BulkApproval, BulkApprove, BulkApproveItem, ItemOutcome
from ivr_domain.shared.ids import IvrId


@frozen(kw_only=True)
class BulkApproveItemBody(ApproveBody):
    """One IVR to approve: its id, the single approve's coverages, and optionally the version last seen."""

    ivr_id: UUID
    version: int | None = None


@frozen(kw_only=True)
class BulkApproveBody:
    """1 to 500 IVRs to approve, each with its own data; an IVR may appear once."""

    items: tuple[BulkApproveItemBody, ...]


class BulkItemOut(msgspec.Struct, kw_only=True):
    """What became of one item: `ok` with the IVR's new version, or the problem the single approve answers."""

    id: UUID
    ok: bool
    version: int | None
    problem: Problem | None


class BulkApproveOut(msgspec.Struct, kw_only=True):
    """One result per item, in the order of the request, and how many were approved and refused."""

    results: list[BulkItemOut]
    succeeded: int
    failed: int


def bulk_command(body: BulkApproveBody) -> BulkApprove:
    """Return the core command of a decoded bulk body."""
    return BulkApprove(
        items=tuple(
            BulkApproveItem(ivr_id=IvrId(item.ivr_id), coverages=item.coverages, expected_version=item.version)
            for item in body.items
        )
    )


def approve_path(ivr_id: UUID) -> str:
    """Return the path of the single approve of an IVR: the `instance` of an item's problem."""
    return f"/api/v1/ivrs/{ivr_id}/approve"


def _item_out(outcome: ItemOutcome, correlation_id: str) -> BulkItemOut:
    shown = outcome.result.value_or(None)
    if shown is not None:
        return BulkItemOut(id=outcome.ivr_id, ok=True, version=shown.ivr.version, problem=None)
    problem = to_problem(outcome.result.failure())
    document = problem.body(approve_path(outcome.ivr_id), correlation_id)
    return BulkItemOut(id=outcome.ivr_id, ok=False, version=None, problem=msgspec.convert(document, Problem))


def bulk_out(approval: BulkApproval, *, correlation_id: str) -> BulkApproveOut:
    """Return the wire form of a bulk approval; each refusal is the problem document of the single approve."""
    return BulkApproveOut(
        results=[_item_out(outcome, correlation_id) for outcome in approval.outcomes],
        succeeded=approval.succeeded,
        failed=approval.failed,
    )

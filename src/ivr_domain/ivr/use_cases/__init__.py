"""The IVR use cases: drafting, reading, queueing, assigning and moving IVRs through their lifecycle."""

from ivr_domain.ivr.use_cases.assign import AssignReviewer, AssignReviewerHandler
from ivr_domain.ivr.use_cases.drafts import CreateIvr, CreateIvrHandler, UpdateIvr, UpdateIvrHandler
from ivr_domain.ivr.use_cases.expiry import ExpireLapsedIvrsHandler
from ivr_domain.ivr.use_cases.queue import IvrQueueHandler
from ivr_domain.ivr.use_cases.reads import GetIvrHandler, IvrHistoryHandler, ListIvrsHandler
from ivr_domain.ivr.use_cases.transitions import (
    ActOnIvr,
    ActOnIvrHandler,
    Approve,
    Cancel,
    Expire,
    IvrAction,
    Reject,
    RequestInfo,
    RequirePriorAuth,
    Resubmit,
    StartReview,
    Submit,
    action_name,
)

__all__ = [
    "ActOnIvr",
    "ActOnIvrHandler",
    "Approve",
    "AssignReviewer",
    "AssignReviewerHandler",
    "Cancel",
    "CreateIvr",
    "CreateIvrHandler",
    "Expire",
    "ExpireLapsedIvrsHandler",
    "GetIvrHandler",
    "IvrAction",
    "IvrHistoryHandler",
    "IvrQueueHandler",
    "ListIvrsHandler",
    "Reject",
    "RequestInfo",
    "RequirePriorAuth",
    "Resubmit",
    "StartReview",
    "Submit",
    "UpdateIvr",
    "UpdateIvrHandler",
    "action_name",
]

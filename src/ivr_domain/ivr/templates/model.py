"""Templates and justifications: what they hold, and the filters their lists take."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from attrs import frozen

from ivr_domain.ivr.model import Diagnosis, Physician, Priority, Product, RequestType, Signature, Wound, WoundType
from ivr_domain.ivr.validation import FacilityInput
from ivr_domain.shared.ids import IvrTemplateId, JustificationId, PracticeId, UserId
from ivr_domain.shared.insurance import InsuranceRank

TEMPLATE_SORTS = ("name", "created_at", "updated_at")
JUSTIFICATION_SORTS = ("title", "created_at", "updated_at")


def name_key(name: str) -> str:
    """Fold a template name or justification title as uniqueness compares it: case folded, spacing collapsed."""
    return " ".join(name.casefold().split())


@frozen(kw_only=True)
class TemplateContent:
    """The IVR create fields a template pre-fills; None is "not set", so the body or the default applies.

    The patient (and `previous_ivr_id`, which names one patient's IVR) has no field here: a template is
    reused across patients and must never carry one.
    """

    request_type: RequestType | None = None
    priority: Priority | None = None
    insurance_ranks: tuple[InsuranceRank, ...] | None = None
    physician: Physician | None = None
    facility: FacilityInput | None = None
    wounds: tuple[Wound, ...] | None = None
    diagnosis_codes: tuple[Diagnosis, ...] | None = None
    application_cpt_codes: tuple[str, ...] | None = None
    anticipated_first_service_date: date | None = None
    planned_applications: int | None = None
    products: tuple[Product, ...] | None = None
    signature: Signature | None = None
    notes: str | None = None


@frozen(kw_only=True)
class IvrTemplate:
    """A named, pre-filled IVR form of one practice, or a global one (no practice) everyone may use."""

    id: IvrTemplateId
    practice_id: PracticeId | None
    name: str
    content: TemplateContent
    created_by: UserId
    created_at: datetime
    updated_by: UserId
    updated_at: datetime
    version: int = 1

    @property
    def is_global(self) -> bool:
        """Tell whether the template belongs to no practice (admins manage it, everyone may use it)."""
        return self.practice_id is None


@frozen(kw_only=True)
class MedicalJustification:
    """A library text explaining why a product is medically necessary for a kind of wound."""

    id: JustificationId
    title: str
    wound_type: WoundType
    hcpcs_code: str | None
    text: str
    created_by: UserId
    created_at: datetime
    updated_by: UserId
    updated_at: datetime
    version: int = 1


class TemplateScope(StrEnum):
    """Which templates a list shows: the global ones, or those of practices."""

    GLOBAL = "global"
    PRACTICE = "practice"


@frozen(kw_only=True)
class TemplateFilter:
    """Filters of the template list, all optional and combined; `name` matches a part, ignoring case."""

    scope: TemplateScope | None = None
    practice_id: PracticeId | None = None
    name: str | None = None


@frozen(kw_only=True)
class JustificationFilter:
    """Filters of the justification library."""

    wound_type: WoundType | None = None
    hcpcs_code: str | None = None

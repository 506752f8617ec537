"""The insurance verification request: its content, its state, and what the sales hierarchy sees of it.

Everything in `IvrContent` and `PatientSnapshot` is PHI or sits beside PHI; only the ids, the reference,
the status, the dates, the priority and the request type are not.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from attrs import frozen

from ivr_domain.ivr.coverage import Coverage
from ivr_domain.shared.actor import Role
from ivr_domain.shared.ids import IvrHistoryId, IvrId, JustificationId, PatientId, PracticeId, UserId
from ivr_domain.shared.insurance import InsuranceRank, PlanType
from ivr_domain.shared.values import Address


class IvrStatus(StrEnum):
    """Where an IVR stands in its lifecycle."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    INFO_REQUESTED = "info_requested"
    PENDING_PRIOR_AUTH = "pending_prior_auth"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class RequestType(StrEnum):
    """Why the verification is asked for."""

    NEW = "new"
    REVERIFICATION = "reverification"
    ADDITIONAL_APPLICATIONS = "additional_applications"
    NEW_INSURANCE = "new_insurance"


class Priority(StrEnum):
    """How soon the practice needs an answer."""

    ROUTINE = "routine"
    URGENT = "urgent"


class WoundType(StrEnum):
    """The kind of wound to be treated."""

    DIABETIC_FOOT_ULCER = "diabetic_foot_ulcer"
    VENOUS_LEG_ULCER = "venous_leg_ulcer"
    PRESSURE_ULCER = "pressure_ulcer"
    SURGICAL = "surgical"
    TRAUMATIC = "traumatic"
    BURN = "burn"
    OTHER = "other"


class LocationCategory(StrEnum):
    """The two body-area groups the application CPT codes distinguish."""

    TRUNK_ARMS_LEGS = "trunk_arms_legs"
    FACE_HANDS_FEET = "face_hands_feet"


class Laterality(StrEnum):
    """Which side of the body."""

    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"
    NA = "na"


class RejectionReason(StrEnum):
    """Why verification staff refused an IVR."""

    INVALID_INSURANCE = "invalid_insurance"
    INACTIVE_COVERAGE = "inactive_coverage"
    PRODUCT_NOT_COVERED = "product_not_covered"
    NOT_MEDICALLY_NECESSARY = "not_medically_necessary"
    MISSING_DOCUMENTATION = "missing_documentation"
    PATIENT_INELIGIBLE = "patient_ineligible"
    DUPLICATE = "duplicate"
    OTHER = "other"


@frozen(kw_only=True)
class Physician:
    """The treating physician; in a draft any part may still be missing."""

    name: str | None = None
    npi: str | None = None
    specialty: str | None = None
    tin: str | None = None
    ptan: str | None = None


@frozen(kw_only=True)
class Facility:
    """Where the product is applied."""

    name: str | None = None
    npi: str | None = None
    tin: str | None = None
    place_of_service: str | None = None
    address: Address | None = None
    in_snf: bool = False
    snf_days: int | None = None
    hospice: bool = False
    part_a_stay: bool = False


@frozen(kw_only=True)
class Wound:
    """One wound: what, where, how big (cm, two decimals) and for how long."""

    type: WoundType | None = None
    location_category: LocationCategory | None = None
    site: str | None = None
    laterality: Laterality | None = None
    length_cm: Decimal | None = None
    width_cm: Decimal | None = None
    depth_cm: Decimal | None = None
    duration_weeks: int | None = None
    prior_therapies: tuple[str, ...] = ()

    @property
    def area_cm2(self) -> Decimal | None:
        """Return length times width, or None while either is missing."""
        if self.length_cm is None or self.width_cm is None:
            return None
        return self.length_cm * self.width_cm


@frozen(kw_only=True)
class Diagnosis:
    """An ICD-10-CM code, normalised, and whether it is the primary diagnosis."""

    code: str
    primary: bool = False


@frozen(kw_only=True)
class Product:
    """A product to verify: its HCPCS Level II code, size and quantity."""

    hcpcs_code: str
    quantity: int
    size: str | None = None


@frozen(kw_only=True)
class Signature:
    """The physician's attestation."""

    signer_name: str
    signed_at: datetime


@frozen(kw_only=True)
class IvrContent:
    """What the practice fills in; a draft may leave parts empty, a submitted IVR has them all."""

    request_type: RequestType = RequestType.NEW
    priority: Priority = Priority.ROUTINE
    insurance_ranks: tuple[InsuranceRank, ...] = ()
    physician: Physician = Physician()
    facility: Facility = Facility()
    wounds: tuple[Wound, ...] = ()
    diagnosis_codes: tuple[Diagnosis, ...] = ()
    application_cpt_codes: tuple[str, ...] = ()
    anticipated_first_service_date: date | None = None
    planned_applications: int | None = None
    products: tuple[Product, ...] = ()
    signature: Signature | None = None
    notes: str | None = None
    previous_ivr_id: IvrId | None = None
    # The library justifications chosen on create; their texts were appended to `notes` then.
    justification_ids: tuple[JustificationId, ...] = ()


@frozen(kw_only=True)
class InsuranceSnapshot:
    """One insurance of the patient as it was when the IVR was submitted."""

    rank: InsuranceRank
    payer_name: str
    member_id: str
    plan_type: PlanType
    subscriber_relationship: str
    payer_id: str | None = None
    group_number: str | None = None


@frozen(kw_only=True)
class PatientSnapshot:
    """The patient as they were when the IVR was submitted (or resubmitted)."""

    patient_id: PatientId
    practice_id: PracticeId
    first_name: str
    last_name: str
    date_of_birth: date
    sex: str
    archived: bool = False
    insurances: tuple[InsuranceSnapshot, ...] = ()

    @property
    def initials(self) -> str:
        """Return the initials, the only part of the name a masked view shows."""
        return f"{self.first_name.strip()[:1]}{self.last_name.strip()[:1]}".upper()


@frozen(kw_only=True)
class InfoRequest:
    """What the reviewer asked the practice for."""

    message: str
    due_date: date | None = None
    requested_at: datetime


@frozen(kw_only=True)
class Rejection:
    """Why the IVR was refused."""

    reason_code: RejectionReason
    explanation: str


@frozen(kw_only=True)
class Ivr:
    """An insurance verification request of one practice, for one patient."""

    id: IvrId
    reference: str
    practice_id: PracticeId
    patient_id: PatientId
    patient_initials: str
    status: IvrStatus
    content: IvrContent
    created_by: UserId
    created_at: datetime
    updated_at: datetime
    reviewer_id: UserId | None = None
    patient_snapshot: PatientSnapshot | None = None
    submitted_at: datetime | None = None
    last_submitted_at: datetime | None = None
    decided_at: datetime | None = None
    info_request: InfoRequest | None = None
    prior_auth_note: str | None = None
    passed_prior_auth: bool = False
    coverages: tuple[Coverage, ...] = ()
    valid_until: date | None = None
    rejection: Rejection | None = None
    code_set_version: str | None = None
    version: int = 1

    @property
    def priority(self) -> Priority:
        """Return how urgent the practice said it is."""
        return self.content.priority

    @property
    def payer_id(self) -> str | None:
        """Return the primary insurance's payer id as of the latest submit; None before the first submit."""
        snapshot = self.patient_snapshot
        if snapshot is None:
            return None
        primary = next((i for i in snapshot.insurances if i.rank is InsuranceRank.PRIMARY), None)
        return primary.payer_id if primary is not None else None


@frozen(kw_only=True)
class MaskedCoverage:
    """What the sales hierarchy sees of a coverage result."""

    insurance_rank: InsuranceRank
    outcome: str
    valid_until: date


@frozen(kw_only=True)
class MaskedIvr:
    """What the sales hierarchy sees of an IVR: status, products, names of who treats where, the outcome."""

    id: IvrId
    reference: str
    practice_id: PracticeId
    patient_id: PatientId
    patient_initials: str
    status: IvrStatus
    request_type: RequestType
    priority: Priority
    products: tuple[Product, ...]
    physician_name: str | None
    facility_name: str | None
    anticipated_first_service_date: date | None
    coverages: tuple[MaskedCoverage, ...]
    valid_until: date | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    version: int


IvrView = Ivr | MaskedIvr


@frozen(kw_only=True)
class HistoryEntry:
    """One status change: from where to where, by whom in which role, why, and when.

    `reason` is a code (a rejection reason) and never PHI; `note` is the free text that came with the change
    (the reviewer's message, an explanation) and is shown only in the full projection. `linked_ivr_id` names
    the other IVR of a reverification: on the new IVR's creation row, the IVR it renews; on that IVR, the new one.
    """

    id: IvrHistoryId
    ivr_id: IvrId
    from_status: IvrStatus | None
    to_status: IvrStatus
    trigger: str
    actor_id: UserId
    actor_role: Role | None
    at: datetime
    reason: str | None = None
    note: str | None = None
    linked_ivr_id: IvrId | None = None

"""IVR content and decision rules through the use cases: drafts, the complete form, coverage, reach and audit."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from attrs import evolve
from returns.result import Result

from ivr_domain.admin.ports import AuditQuery
from ivr_domain.ivr.coverage import Coverage, CoverageOutcome
from ivr_domain.ivr.model import (
    Diagnosis,
    Ivr,
    IvrStatus,
    MaskedIvr,
    Product,
    RejectionReason,
    RequestType,
    Signature,
    Wound,
    WoundType,
)
from ivr_domain.ivr.policy import ShownIvr
from ivr_domain.ivr.ports import IvrFilter
from ivr_domain.ivr.use_cases import (
    Approve,
    Cancel,
    IvrAction,
    Reject,
    RequestInfo,
    RequirePriorAuth,
    Resubmit,
    StartReview,
    Submit,
)
from ivr_domain.ivr.validation import IvrInput
from ivr_domain.patients.model import Patient
from ivr_domain.patients.use_cases import ArchivePatient, CreatePatient, UpdatePatient
from ivr_domain.patients.validation import InsuranceInput
from ivr_domain.shared.actor import SYSTEM_ACTOR
from ivr_domain.shared.audit import Outcome
from ivr_domain.shared.errors import InvalidTransition, NotFound, NotPermitted, PreconditionFailed, ValidationFailed
from ivr_domain.shared.ids import IvrId, PatientId
from ivr_domain.shared.insurance import InsuranceRank, PlanType
from ivr_domain.shared.paging import PageRequest
from tests.platform import error_of, value_of
from tests.unit.ivr.builders import NOW, complete_ivr, covered
from tests.unit.ivr.world import World

TODAY = NOW.date()
LATER = TODAY + timedelta(days=90)
LONG = "Plan policy excludes this product for DFU."
ASK = "Attach current wound measurements"

Change = Callable[[IvrInput], IvrInput]


def _fields(failure: object) -> set[str]:
    assert isinstance(failure, ValidationFailed), failure
    return {e.field for e in failure.errors}


def _physician(**changes: Any) -> Change:
    def change(body: IvrInput) -> IvrInput:
        assert body.physician is not None
        return evolve(body, physician=evolve(body.physician, **changes))

    return change


def _facility(**changes: Any) -> Change:
    def change(body: IvrInput) -> IvrInput:
        assert body.facility is not None
        return evolve(body, facility=evolve(body.facility, **changes))

    return change


def _first_wound(**changes: Any) -> Change:
    return lambda body: evolve(body, wounds=(evolve(body.wounds[0], **changes),))


def _set(**changes: Any) -> Change:
    return lambda body: evolve(body, **changes)


# Each bad value of a draft, and the path it is reported at (its codes no longer match when a size is wrong).
BAD_VALUES: dict[str, tuple[Change, str]] = {
    "physician npi check digit": (_physician(npi="1234567890"), "physician.npi"),
    "physician tin": (_physician(tin="123456789"), "physician.tin"),
    "ptan over 10": (_physician(ptan="12345678901"), "physician.ptan"),
    "facility npi": (_facility(npi="1558598790"), "facility.npi"),
    "facility tin": (_facility(tin="12-34567"), "facility.tin"),
    "unassigned pos": (_facility(place_of_service="00"), "facility.place_of_service"),
    "one-digit pos": (_facility(place_of_service="1"), "facility.place_of_service"),
    "snf days outside snf": (_facility(snf_days=3), "facility.snf_days"),
    "zero length": (
        lambda body: _set(application_cpt_codes=())(_first_wound(length_cm=Decimal(0))(body)),
        "wounds[0].length_cm",
    ),
    "three decimals": (_first_wound(width_cm=Decimal("3.001")), "wounds[0].width_cm"),
    "negative depth": (_first_wound(depth_cm=Decimal("-0.1")), "wounds[0].depth_cm"),
    "negative duration": (_first_wound(duration_weeks=-1), "wounds[0].duration_weeks"),
    "icd category": (_set(diagnosis_codes=(Diagnosis(code="L97.9", primary=True),)), "diagnosis_codes[0].code"),
    "icd shape": (_set(diagnosis_codes=(Diagnosis(code="9XY", primary=True),)), "diagnosis_codes[0].code"),
    "two primaries": (
        _set(diagnosis_codes=(Diagnosis(code="E11.621", primary=True), Diagnosis(code="L97.422", primary=True))),
        "diagnosis_codes",
    ),
    "hcpcs shape": (_set(products=(Product(hcpcs_code="W4186", quantity=1),)), "products[0].hcpcs_code"),
    "zero quantity": (_set(products=(Product(hcpcs_code="Q4186", quantity=0),)), "products[0].quantity"),
    "not an application code": (_set(application_cpt_codes=("99213",)), "application_cpt_codes[0]"),  # + mismatch
    "codes the wounds do not imply": (_set(application_cpt_codes=("15275", "15276")), "application_cpt_codes"),
    "leg code for a heel": (_set(application_cpt_codes=("15271",)), "application_cpt_codes"),
    "zero applications": (_set(planned_applications=0), "planned_applications"),
    "signed in the future": (
        _set(signature=Signature(signer_name="Jane Doe", signed_at=NOW + timedelta(hours=1))),
        "signature.signed_at",
    ),
    "an insurance twice": (_set(insurance_ranks=(InsuranceRank.PRIMARY, InsuranceRank.PRIMARY)), "insurance_ranks"),
    "previous ivr on a new request": (_set(previous_ivr_id=IvrId(UUID(int=7))), "previous_ivr_id"),
}


# -- drafts ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(BAD_VALUES))
def test_each_bad_draft_value_is_reported_at_its_path_on_create_and_update(world: World, case: str) -> None:
    change, path = BAD_VALUES[case]
    paths = {path, "application_cpt_codes"} if path == "application_cpt_codes[0]" else {path}
    bad = change(complete_ivr(world.patient.id))
    assert _fields(error_of(world.create("doctor", bad))) == paths
    assert world.store.ivrs == {}

    draft = world.draft()
    assert _fields(error_of(world.update("doctor", draft.id, bad))) == paths
    assert world.stored(draft.id) == draft


def test_every_bad_value_is_reported_at_once(world: World) -> None:
    names = ["physician npi check digit", "facility tin", "zero length", "icd category", "zero quantity"]
    body = complete_ivr(world.patient.id)
    for name in names:
        body = BAD_VALUES[name][0](body)
    assert _fields(error_of(world.create("doctor", body))) == {BAD_VALUES[name][1] for name in names}


def test_an_incomplete_draft_is_fine_and_codes_are_normalised(world: World) -> None:
    body = IvrInput(
        patient_id=world.patient.id,
        diagnosis_codes=(Diagnosis(code=" l97422 ", primary=True),),
        products=(Product(hcpcs_code=" q4186 ", quantity=2),),
    )
    ivr = world.draft("doctor", body)
    assert ivr.status is IvrStatus.DRAFT
    assert ivr.content.diagnosis_codes == (Diagnosis(code="L97.422", primary=True),)
    assert ivr.content.products[0].hcpcs_code == "Q4186"
    assert ivr.code_set_version is not None


def test_only_the_practice_creates_ivrs_for_its_own_patients(world: World) -> None:
    body = complete_ivr(world.patient.id)
    for who in ("staff", "sales", "logistics"):
        assert isinstance(error_of(world.create(who, body)), NotPermitted)
    assert _fields(error_of(world.create("stranger", body))) == {"patient_id"}
    assert world.store.ivrs == {}
    assert world.draft("admin").practice_id == world.practice_id


# -- the complete form ----------------------------------------------------------------------------------------------

EMPTY_DRAFT_MISSING = {
    "insurance_ranks",
    "physician.name",
    "physician.npi",
    "physician.tin",
    "facility.name",
    "facility.address",
    "facility.npi",
    "facility.tin",
    "facility.place_of_service",
    "wounds",
    "diagnosis_codes",
    "application_cpt_codes",
    "anticipated_first_service_date",
    "planned_applications",
    "products",
    "signature",
}


def test_submitting_an_empty_draft_lists_every_missing_field_at_once(world: World) -> None:
    ivr = world.draft("doctor", IvrInput(patient_id=world.patient.id))
    assert _fields(error_of(world.act("doctor", ivr.id, Submit()))) == EMPTY_DRAFT_MISSING
    assert world.stored(ivr.id) == ivr
    assert len(world.history(ivr.id)) == 1


def test_a_reverification_also_needs_the_ivr_it_renews(world: World) -> None:
    ivr = world.draft("doctor", IvrInput(patient_id=world.patient.id, request_type=RequestType.REVERIFICATION))
    assert _fields(error_of(world.act("doctor", ivr.id, Submit()))) == EMPTY_DRAFT_MISSING | {"previous_ivr_id"}


def test_a_reverification_naming_the_ivr_it_renews_can_be_submitted(world: World) -> None:
    first = world.draft()
    renewal = evolve(complete_ivr(world.patient.id), request_type=RequestType.REVERIFICATION, previous_ivr_id=first.id)
    ivr = world.draft("doctor", renewal)
    assert value_of(world.act("doctor", ivr.id, Submit())).ivr.status is IvrStatus.SUBMITTED


def test_a_wound_needs_every_part_to_submit(world: World) -> None:
    body = evolve(
        complete_ivr(world.patient.id),
        wounds=(Wound(type=WoundType.BURN),),
        application_cpt_codes=(),
    )
    ivr = world.draft("doctor", body)
    parts = ("location_category", "site", "laterality", "length_cm", "width_cm", "depth_cm", "duration_weeks")
    expected = {f"wounds[0].{part}" for part in parts} | {"application_cpt_codes"}
    assert _fields(error_of(world.act("doctor", ivr.id, Submit()))) == expected


def test_snf_days_insurances_the_patient_lacks_and_a_missing_primary_are_reported(world: World) -> None:
    body = _facility(in_snf=True)(complete_ivr(world.patient.id))
    body = evolve(
        body,
        insurance_ranks=(InsuranceRank.PRIMARY, InsuranceRank.SECONDARY),
        diagnosis_codes=(Diagnosis(code="E11.621"), Diagnosis(code="L97.422")),
    )
    ivr = world.draft("doctor", body)
    assert _fields(error_of(world.act("doctor", ivr.id, Submit()))) == {
        "insurance_ranks[1]",
        "facility.snf_days",
        "diagnosis_codes",
    }


def test_resubmitting_checks_the_complete_form_again(world: World) -> None:
    ivr_id = _to(world, IvrStatus.INFO_REQUESTED)
    value_of(world.update("doctor", ivr_id, IvrInput(patient_id=world.patient.id)))
    assert _fields(error_of(world.act("doctor", ivr_id, Resubmit()))) == EMPTY_DRAFT_MISSING
    assert world.stored(ivr_id).status is IvrStatus.INFO_REQUESTED


# -- editing --------------------------------------------------------------------------------------------------------


REVIEW: list[tuple[str, IvrAction]] = [("doctor", Submit()), ("staff", StartReview())]
PATHS: dict[IvrStatus, list[tuple[str, IvrAction]]] = {
    IvrStatus.DRAFT: [],
    IvrStatus.CANCELLED: [("doctor", Cancel())],
    IvrStatus.SUBMITTED: [("doctor", Submit())],
    IvrStatus.IN_REVIEW: REVIEW,
    IvrStatus.INFO_REQUESTED: [*REVIEW, ("staff", RequestInfo(message=ASK))],
    IvrStatus.PENDING_PRIOR_AUTH: [*REVIEW, ("staff", RequirePriorAuth())],
    IvrStatus.APPROVED: [*REVIEW, ("staff", Approve(coverages=(covered(valid_until=LATER),)))],
    IvrStatus.REJECTED: [*REVIEW, ("staff", Reject(reason_code=RejectionReason.OTHER, explanation=LONG))],
}


def _to(world: World, status: IvrStatus, body: IvrInput | None = None) -> IvrId:
    """Walk a new IVR to a status through the use cases."""
    ivr_id = world.draft("doctor", body).id
    for who, action in PATHS[status]:
        value_of(world.act(who, ivr_id, action))
    assert world.stored(ivr_id).status is status
    return ivr_id


@pytest.mark.parametrize(
    "status",
    [
        IvrStatus.SUBMITTED,
        IvrStatus.IN_REVIEW,
        IvrStatus.PENDING_PRIOR_AUTH,
        IvrStatus.APPROVED,
        IvrStatus.REJECTED,
        IvrStatus.CANCELLED,
    ],
)
def test_editing_is_refused_outside_draft_and_info_requested(world: World, status: IvrStatus) -> None:
    ivr_id = _to(world, status)
    before = world.stored(ivr_id)
    for who in ("doctor", "admin"):
        failure = error_of(world.update(who, ivr_id, complete_ivr(world.patient.id)))
        assert isinstance(failure, InvalidTransition)
        assert failure.status == status.value
        assert "update" not in failure.allowed
    assert world.stored(ivr_id) == before


@pytest.mark.parametrize("status", [IvrStatus.DRAFT, IvrStatus.INFO_REQUESTED])
def test_editing_is_allowed_in_draft_and_info_requested(world: World, status: IvrStatus) -> None:
    ivr_id = _to(world, status)
    before = world.stored(ivr_id)
    changed = evolve(complete_ivr(world.patient.id), notes="Offloading boot since week 2.")
    shown = value_of(world.update("doctor", ivr_id, changed, expected_version=before.version))
    assert "update" in shown.allowed_actions
    after = world.stored(ivr_id)
    assert (after.status, after.version, after.content.notes) == (status, before.version + 1, changed.notes)


def test_editing_answers_403_then_412_then_409(world: World) -> None:
    ivr_id = _to(world, IvrStatus.SUBMITTED)
    body = complete_ivr(world.patient.id)
    assert isinstance(error_of(world.update("sales", ivr_id, body, expected_version=99)), NotPermitted)
    assert isinstance(error_of(world.update("staff", ivr_id, body, expected_version=99)), NotPermitted)
    assert isinstance(error_of(world.update("doctor", ivr_id, body, expected_version=99)), PreconditionFailed)
    assert isinstance(error_of(world.update("doctor", ivr_id, body)), InvalidTransition)


# -- coverage and approval ------------------------------------------------------------------------------------------


def _approve(world: World, ivr_id: IvrId, *coverages: Coverage) -> Result[ShownIvr, Any]:
    return world.act("staff", ivr_id, Approve(coverages=coverages))


def test_an_approval_with_a_not_covered_outcome_is_refused(world: World) -> None:
    ivr_id = _to(world, IvrStatus.IN_REVIEW)
    result = _approve(world, ivr_id, covered(valid_until=LATER, outcome=CoverageOutcome.NOT_COVERED))
    assert _fields(error_of(result)) == {"coverages[0].outcome"}
    assert world.stored(ivr_id).status is IvrStatus.IN_REVIEW


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"approved_units": 2**64}, "coverages[0].approved_units"),
        ({"approved_units": -1}, "coverages[0].approved_units"),
        ({"coinsurance_percent": Decimal("0.30000000000000004")}, "coverages[0].coinsurance_percent"),
        ({"coinsurance_percent": Decimal("100.01")}, "coverages[0].coinsurance_percent"),
    ],
)
def test_units_and_coinsurance_out_of_bounds_are_refused(world: World, changes: dict[str, Any], field: str) -> None:
    ivr_id = _to(world, IvrStatus.IN_REVIEW)
    assert _fields(error_of(_approve(world, ivr_id, covered(valid_until=LATER, **changes)))) == {field}
    value_of(
        _approve(
            world, ivr_id, covered(valid_until=LATER, approved_units=1_000_000, coinsurance_percent=Decimal("12.5"))
        )
    )


@pytest.mark.parametrize(
    "needs_pa",
    [
        {"outcome": CoverageOutcome.COVERED_PA_REQUIRED},
        {"prior_auth_required": True},
        {"outcome": CoverageOutcome.COVERED_PA_REQUIRED, "prior_auth_number": "   "},
    ],
)
def test_a_coverage_that_requires_prior_auth_needs_its_number(world: World, needs_pa: dict[str, Any]) -> None:
    ivr_id = _to(world, IvrStatus.IN_REVIEW)
    refused = _approve(world, ivr_id, covered(valid_until=LATER, **needs_pa))
    assert _fields(error_of(refused)) == {"coverages[0].prior_auth_number"}
    with_number = {**needs_pa, "prior_auth_number": "PA-778812"}
    assert value_of(_approve(world, ivr_id, covered(valid_until=LATER, **with_number))).ivr.status is (
        IvrStatus.APPROVED
    )


def test_an_ivr_that_went_through_pending_prior_auth_needs_a_pa_number(world: World) -> None:
    ivr_id = _to(world, IvrStatus.PENDING_PRIOR_AUTH)
    refused = _approve(world, ivr_id, covered(valid_until=LATER))
    assert _fields(error_of(refused)) == {"coverages[0].prior_auth_number"}
    approved = value_of(_approve(world, ivr_id, covered(valid_until=LATER, prior_auth_number="PA-1")))
    assert approved.ivr.status is IvrStatus.APPROVED


def test_an_approval_valid_until_a_past_date_is_refused_today_is_fine(world: World) -> None:
    ivr_id = _to(world, IvrStatus.IN_REVIEW)
    refused = _approve(world, ivr_id, covered(valid_until=TODAY - timedelta(days=1)))
    assert _fields(error_of(refused)) == {"coverages[0].valid_until"}
    assert value_of(_approve(world, ivr_id, covered(valid_until=TODAY))).ivr.valid_until == TODAY


def _patient_with_two_insurances(world: World) -> PatientId:
    base = world.platform.patient_input(first="Bea", last="Second")
    secondary = InsuranceInput(
        rank=InsuranceRank.SECONDARY, payer_name="Acme Health", member_id="ACM123456", plan_type=PlanType.COMMERCIAL
    )
    body = evolve(base, insurances=(*base.insurances, secondary))
    cmd = CreatePatient(patient=body, practice_id=world.practice_id, allow_duplicate=True)
    patient = value_of(world.platform.container.create_patient()(SYSTEM_ACTOR, cmd))
    assert isinstance(patient, Patient)
    return patient.id


def _both_ranks(world: World) -> IvrId:
    patient_id = _patient_with_two_insurances(world)
    body = evolve(complete_ivr(patient_id), insurance_ranks=(InsuranceRank.PRIMARY, InsuranceRank.SECONDARY))
    return _to(world, IvrStatus.IN_REVIEW, body)


def test_one_coverage_per_verified_insurance(world: World) -> None:
    ivr_id = _both_ranks(world)
    primary = covered(valid_until=LATER)
    secondary = covered(InsuranceRank.SECONDARY, valid_until=LATER, plan_name="Acme Gold")
    assert _fields(error_of(_approve(world, ivr_id))) == {"coverages"}
    assert _fields(error_of(_approve(world, ivr_id, primary))) == {"coverages"}
    assert _fields(error_of(_approve(world, ivr_id, primary, primary, secondary))) == {"coverages[1].insurance_rank"}
    assert world.stored(ivr_id).status is IvrStatus.IN_REVIEW


def test_a_coverage_for_an_insurance_the_ivr_does_not_verify_is_refused(world: World) -> None:
    ivr_id = _to(world, IvrStatus.IN_REVIEW)
    both = (covered(valid_until=LATER), covered(InsuranceRank.SECONDARY, valid_until=LATER))
    assert _fields(error_of(_approve(world, ivr_id, *both))) == {"coverages[1].insurance_rank"}


def test_the_ivr_is_valid_until_the_earliest_coverage(world: World) -> None:
    ivr_id = _both_ranks(world)
    early = TODAY + timedelta(days=30)
    coverages = (
        covered(valid_until=LATER),
        covered(InsuranceRank.SECONDARY, valid_until=early, plan_name="Acme Gold"),
    )
    approved = value_of(_approve(world, ivr_id, *coverages)).ivr
    assert isinstance(approved, Ivr)
    assert approved.valid_until == early
    assert approved.coverages == coverages
    assert approved.decided_at == NOW
    masked = value_of(world.get("sales", ivr_id)).ivr
    assert isinstance(masked, MaskedIvr)
    assert masked.valid_until == early
    assert [(c.insurance_rank, c.outcome, c.valid_until) for c in masked.coverages] == [
        (InsuranceRank.PRIMARY, "covered", LATER),
        (InsuranceRank.SECONDARY, "covered", early),
    ]


# -- rejection and requests for information -------------------------------------------------------------------------


@pytest.mark.parametrize(("explanation", "ok"), [("x" * 19, False), ("  " + "x" * 19 + "  ", False), ("x" * 20, True)])
def test_a_rejection_needs_an_explanation_of_20_characters(world: World, explanation: str, ok: bool) -> None:
    ivr_id = _to(world, IvrStatus.IN_REVIEW)
    result = world.act("staff", ivr_id, Reject(reason_code=RejectionReason.DUPLICATE, explanation=explanation))
    if not ok:
        assert _fields(error_of(result)) == {"explanation"}
        assert world.stored(ivr_id).status is IvrStatus.IN_REVIEW
        return
    rejected = world.stored(ivr_id)
    assert rejected.status is IvrStatus.REJECTED
    assert rejected.rejection is not None
    assert rejected.rejection.reason_code is RejectionReason.DUPLICATE
    (row,) = [r for r in world.history(ivr_id) if r.trigger == "reject"]
    assert (row.to_status, row.reason, row.note) == (IvrStatus.REJECTED, "duplicate", explanation)


@pytest.mark.parametrize(
    ("message", "due", "paths"),
    [
        ("  ", None, {"message"}),
        (ASK, TODAY - timedelta(days=1), {"due_date"}),
        ("", TODAY - timedelta(days=1), {"message", "due_date"}),
    ],
)
def test_a_request_for_information_needs_a_message_and_no_past_due_date(
    world: World, message: str, due: date | None, paths: set[str]
) -> None:
    ivr_id = _to(world, IvrStatus.IN_REVIEW)
    assert _fields(error_of(world.act("staff", ivr_id, RequestInfo(message=message, due_date=due)))) == paths
    assert world.stored(ivr_id).status is IvrStatus.IN_REVIEW


def test_a_request_for_information_is_kept_with_its_due_date(world: World) -> None:
    ivr_id = _to(world, IvrStatus.IN_REVIEW)
    due = TODAY + timedelta(days=5)
    value_of(world.act("staff", ivr_id, RequestInfo(message=f"  {ASK} ", due_date=due)))
    stored = world.stored(ivr_id)
    assert stored.info_request is not None
    assert (stored.info_request.message, stored.info_request.due_date) == (ASK, due)
    (row,) = [r for r in world.history(ivr_id) if r.trigger == "request-info"]
    assert row.note == ASK
    # Due today is not past.
    other = _to(world, IvrStatus.IN_REVIEW)
    value_of(world.act("staff", other, RequestInfo(message=ASK, due_date=TODAY)))


# -- snapshots, references, reach -----------------------------------------------------------------------------------


def test_the_patient_is_snapshotted_at_submit_and_again_at_resubmit(world: World) -> None:
    ivr = world.draft()
    assert ivr.patient_snapshot is None
    value_of(world.act("doctor", ivr.id, Submit()))
    first = world.stored(ivr.id).patient_snapshot
    assert first is not None
    assert (first.first_name, first.last_name, first.date_of_birth) == ("Ada", "Sample", date(1950, 3, 14))
    assert [i.member_id for i in first.insurances] == ["1EG4TE5MK73"]

    body = evolve(world.platform.patient_input(first="Adele"), insurances=())
    body = evolve(body, insurances=(evolve(world.platform.patient_input().insurances[0], member_id="9ZZ9ZZ9ZZ99"),))
    update = UpdatePatient(patient_id=world.patient.id, patient=body)
    value_of(world.platform.container.update_patient()(world.actors["doctor"], update))
    assert world.stored(ivr.id).patient_snapshot == first  # a submitted IVR keeps what was verified

    value_of(world.act("staff", ivr.id, StartReview()))
    value_of(world.act("staff", ivr.id, RequestInfo(message=ASK)))
    world.platform.clock.advance(timedelta(hours=3))
    value_of(world.act("doctor", ivr.id, Resubmit()))
    again = world.stored(ivr.id)
    assert again.patient_snapshot is not None
    assert again.patient_snapshot.first_name == "Adele"
    assert [i.member_id for i in again.patient_snapshot.insurances] == ["9ZZ9ZZ9ZZ99"]
    assert (again.submitted_at, again.last_submitted_at) == (NOW, NOW + timedelta(hours=3))


def test_references_are_ivr_year_number_and_increase(world: World) -> None:
    references = [world.draft().reference for _ in range(3)]
    numbers = []
    for reference in references:
        match = re.fullmatch(r"IVR-2026-(\d{6})", reference)
        assert match is not None, reference
        numbers.append(int(match.group(1)))
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 3
    world.platform.clock.advance(timedelta(days=60))
    world.actors = {name: world.platform.actor(email) for name, email in _emails(world).items()}
    assert world.draft().reference.startswith("IVR-2027-")


def _emails(world: World) -> dict[str, str]:
    return {name: user.email.value for name, user in world.users.items()}


def test_the_patient_of_a_submitted_ivr_becomes_visible_to_ivr_staff(world: World) -> None:
    get_patient = world.platform.container.get_patient()
    ivr = world.draft()
    assert isinstance(error_of(get_patient(world.actors["staff"], world.patient.id)), NotFound)
    value_of(world.act("doctor", ivr.id, Submit()))
    seen = value_of(get_patient(world.actors["staff"], world.patient.id))
    assert isinstance(seen, Patient)
    assert seen.name.first == "Ada"


PHI_VALUES = ("Ada", "Sample", "1950-03-14", "1EG4TE5MK73", "E11.621", "L97.422", "left heel", "Failed 6 weeks", ASK)


def test_the_sales_hierarchy_sees_a_masked_ivr_without_content(world: World) -> None:
    ivr_id = _to(world, IvrStatus.INFO_REQUESTED)
    for who in ("sales", "distributor", "master"):
        shown = value_of(world.get(who, ivr_id))
        masked = shown.ivr
        assert isinstance(masked, MaskedIvr)
        assert not hasattr(masked, "content")
        assert not hasattr(masked, "patient_snapshot")
        assert masked.patient_initials == "AS"
        assert masked.patient_id == world.patient.id
        assert masked.products == (Product(hcpcs_code="Q4186", quantity=4, size="4x4 cm"),)
        assert (masked.physician_name, masked.facility_name) == ("Jane Doe", "Springfield Wound Clinic")
        assert shown.allowed_actions == ()
        text = repr(shown)
        for value in PHI_VALUES:
            assert value not in text, (who, value)
        history = value_of(world.platform.container.ivr_history()(world.actors[who], ivr_id))
        assert all(entry.note is None for entry in history)
        page = value_of(world.platform.container.list_ivrs()(world.actors[who], IvrFilter(), PageRequest()))
        assert [type(s.ivr) for s in page.items] == [MaskedIvr]


def test_logistics_get_403_on_the_list_and_404_on_one(world: World) -> None:
    ivr_id = _to(world, IvrStatus.APPROVED)
    actor = world.actors["logistics"]
    assert isinstance(error_of(world.platform.container.list_ivrs()(actor, IvrFilter(), PageRequest())), NotPermitted)
    assert isinstance(error_of(world.get("logistics", ivr_id)), NotFound)
    assert isinstance(error_of(world.platform.container.ivr_history()(actor, ivr_id)), NotFound)


def test_a_doctor_of_another_practice_neither_lists_nor_gets_the_ivr(world: World) -> None:
    ivr_id = _to(world, IvrStatus.SUBMITTED)
    actor = world.actors["stranger"]
    assert value_of(world.platform.container.list_ivrs()(actor, IvrFilter(), PageRequest())).items == ()
    assert isinstance(error_of(world.get("stranger", ivr_id)), NotFound)


def test_audit_entries_name_the_patient_and_hold_no_phi(world: World) -> None:
    ivr_id = _to(world, IvrStatus.INFO_REQUESTED)
    value_of(world.update("doctor", ivr_id, evolve(complete_ivr(world.patient.id), notes="Failed 6 weeks again.")))
    value_of(world.act("doctor", ivr_id, Resubmit()))
    value_of(world.act("staff", ivr_id, StartReview()))
    value_of(world.act("staff", ivr_id, Reject(reason_code=RejectionReason.OTHER, explanation=LONG)))
    value_of(world.get("sales", ivr_id))
    value_of(world.platform.container.ivr_history()(world.actors["doctor"], ivr_id))
    value_of(world.platform.container.list_ivrs()(world.actors["staff"], IvrFilter(), PageRequest()))
    error_of(world.update("doctor", ivr_id, complete_ivr(world.patient.id)))

    entries = [e for e in world.platform.audit() if e.resource_type == "ivr"]
    actions = {e.action for e in entries}
    assert {
        "ivrs.create",
        "ivrs.update",
        "ivrs.submit",
        "ivrs.start_review",
        "ivrs.request_info",
        "ivrs.resubmit",
        "ivrs.reject",
        "ivrs.read",
        "ivrs.history",
        "ivrs.list",
    } <= actions
    for entry in entries:
        if entry.outcome is Outcome.SUCCESS or entry.action == "ivrs.update":
            assert entry.patient_ids == (world.patient.id,), entry
    update = next(e for e in entries if e.action == "ivrs.update" and e.outcome is Outcome.SUCCESS)
    assert update.changed_fields == ("notes",)
    text = repr(world.platform.audit(AuditQuery(patient_id=world.patient.id)))
    for value in (*PHI_VALUES, LONG, "Failed 6 weeks again."):
        assert value not in text, value


# -- found while writing these tests: failing until the core is fixed ------------------------------------------------


def test_an_update_refuses_an_archived_patient_as_a_create_does(world: World) -> None:
    """DOMAIN.md: every value present is validated on create *and* update; create refuses an archived patient."""
    archived = world.platform.patient(world.practice_id, first="Bo", last="Other")
    assert isinstance(archived, Patient)
    archive = world.platform.container.archive_patient()
    value_of(archive(world.actors["doctor"], ArchivePatient(patient_id=archived.id)))
    assert _fields(error_of(world.create("doctor", complete_ivr(archived.id)))) == {"patient_id"}

    ivr = world.draft()
    assert _fields(error_of(world.update("doctor", ivr.id, complete_ivr(archived.id)))) == {"patient_id"}
    assert world.stored(ivr.id) == ivr


def test_a_reverification_cannot_renew_itself(world: World) -> None:
    """DOMAIN.md: previous_ivr_id links a re-verification to the IVR it renews: another IVR, never itself."""
    ivr = world.draft()
    itself = evolve(complete_ivr(world.patient.id), request_type=RequestType.REVERIFICATION, previous_ivr_id=ivr.id)
    assert _fields(error_of(world.update("doctor", ivr.id, itself))) == {"previous_ivr_id"}
    assert world.stored(ivr.id) == ivr

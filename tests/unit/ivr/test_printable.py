"""The printable IVR: every section's content read back from the PDF, who may print it, and its audit entries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from attrs import evolve
from returns.result import Result

from ivr_domain.ivr.model import Diagnosis, Ivr
from ivr_domain.ivr.use_cases import Approve, RequirePriorAuth, StartReview, Submit
from ivr_domain.ivr.use_cases.printable import PrintedIvr
from ivr_domain.shared.audit import Outcome
from ivr_domain.shared.errors import NotFound, NotPermitted
from ivr_domain.shared.ids import IvrId
from tests.platform import error_of, value_of
from tests.unit.ivr.builders import NOW, complete_ivr, covered
from tests.unit.ivr.world import World
from tests.unit.pdf.reading import pdf_pages, pdf_text

VALID_UNTIL = NOW.date() + timedelta(days=120)


def _print(world: World, who: str, ivr_id: IvrId) -> Result[PrintedIvr, Any]:
    return world.platform.container.print_ivr()(world.actors[who], ivr_id)


def _approved(world: World) -> Ivr:
    """Take the complete example through prior authorisation to an approval with a PA number."""
    ivr = world.draft()
    value_of(world.act("doctor", ivr.id, Submit()))
    value_of(world.act("staff", ivr.id, StartReview()))
    value_of(world.act("staff", ivr.id, RequirePriorAuth(note="Plan requires PA for Q4186")))
    coverage = covered(valid_until=VALID_UNTIL, prior_auth_number="PA-778812", copay=Decimal("12.50"))
    value_of(world.act("staff", ivr.id, Approve(coverages=(coverage,))))
    return world.stored(ivr.id)


def test_an_approved_ivr_prints_every_section_with_its_coverage(world: World) -> None:
    ivr = _approved(world)

    printed = value_of(_print(world, "staff", ivr.id))

    assert (printed.reference, printed.version, printed.media_type) == (ivr.reference, ivr.version, "application/pdf")
    text = pdf_text(printed.content)
    expected = [
        "Insurance Verification Request",
        ivr.reference,
        "Status approved",
        "Request type new",
        "Priority routine",
        "Insurances to verify primary",
        f"Valid until {VALID_UNTIL.isoformat()}",
        "Submitted 2026-11-20 15:00 UTC",
        # practice, physician, facility
        "Practice Name Springfield Wound Clinic",
        "Physician Name Jane Doe NPI 1234567893 Specialty podiatry TIN 12-3456789",
        "Facility Name Springfield Wound Clinic NPI 1558598797",
        "Place of service 11",
        "Address 2 Oak Ave, Springfield, IL 62704",
        # the patient as snapshotted at submit, and the insurance verified
        "Name Sample, Ada",
        "Date of birth 1950-03-14",
        "Insurance (primary) Payer Medicare Part B Payer id 00952 Member id 1EG4TE5MK73",
        # clinical content
        "Wound 1 Type diabetic_foot_ulcer Location category face_hands_feet Site left heel Laterality left",
        "Length (cm) 4.0 Width (cm) 3.0 Depth (cm) 0.5 Area (cm2) 12.00 Duration (weeks) 6",
        "Prior therapies offloading; moist dressings",
        "E11.621 primary L97.422 secondary",
        "Application CPT 15275",
        "Planned applications 4",
        "Q4186 size 4x4 cm, quantity 4",
        "Failed 6 weeks of standard care.",
        "Signed by Jane Doe Signed at 2026-11-20 14:00 UTC",
        # the decision
        "Plan requires PA for Q4186",
        "Coverage (primary) Outcome covered Active yes Plan Medicare Part B",
        "Deductible total 257.00 Deductible remaining 0.00 Deductible met 257.00",
        "Coinsurance (%) 20 Copay 12.50",
        "Prior auth number PA-778812",
        "Call reference REF123",
    ]
    missing = [line for line in expected if line not in text]
    assert missing == [], text


def test_a_draft_prints_without_coverage_and_with_the_patient_as_recorded_now(world: World) -> None:
    ivr = world.draft()

    text = pdf_text(value_of(_print(world, "doctor", ivr.id)).content)

    assert "Status draft" in text
    assert "Patient (as recorded now" in text
    assert "Name Sample, Ada" in text
    assert "Coverage" not in text
    assert "Submitted -" in text


def test_long_notes_and_many_wounds_and_diagnoses_wrap_and_break_pages(world: World) -> None:
    wound = complete_ivr(world.patient.id).wounds[0]
    wounds = tuple(evolve(wound, site=f"site number {i}", length_cm=wound.length_cm) for i in range(1, 13))
    diagnoses = (Diagnosis(code="E11.621", primary=True), *(Diagnosis(code=c) for c in ("L97.422", "L97.412", "I87.2")))
    notes = " ".join(f"sentence{i} of a long clinical note that must wrap." for i in range(90))
    body = evolve(
        complete_ivr(world.patient.id),
        wounds=wounds,
        diagnosis_codes=diagnoses,
        notes=notes,
        application_cpt_codes=(),
    )
    ivr = world.draft(body=body)

    pages = pdf_pages(value_of(_print(world, "doctor", ivr.id)).content)

    assert len(pages) >= 4
    text = " ".join(pages)
    assert all(f"Wound {i} " in text and f"site number {i} " in text for i in range(1, 13))
    assert "I87.2 secondary" in text
    assert "sentence0 " in text
    assert "sentence89 " in text
    assert all(f"{ivr.reference} - confidential" in page and f"page {n} of {len(pages)}" in page
               for n, page in enumerate(pages, start=1))  # fmt: skip


def test_a_print_is_audited_as_a_read_of_the_patient(world: World) -> None:
    ivr = world.draft()
    value_of(_print(world, "doctor", ivr.id))

    last = world.audit_rows()[-1]
    assert (last.action, last.outcome, last.resource_id, last.patient_ids) == (
        "ivrs.print",
        Outcome.SUCCESS,
        str(ivr.id),
        (world.patient.id,),
    )


@pytest.mark.parametrize("who", ["sales", "distributor", "master"])
def test_the_sales_hierarchy_sees_the_ivr_masked_and_may_not_print_it(world: World, who: str) -> None:
    ivr = world.draft()
    value_of(world.act("doctor", ivr.id, Submit()))

    error = error_of(_print(world, who, ivr.id))

    assert isinstance(error, NotPermitted)
    last = world.audit_rows()[-1]
    assert (last.action, last.outcome, last.patient_ids) == ("ivrs.print", Outcome.DENIED, (world.patient.id,))


@pytest.mark.parametrize("who", ["stranger", "logistics", "staff"])
def test_outside_scope_is_not_found_and_names_no_patient(world: World, who: str) -> None:
    ivr = world.draft()  # a draft never submitted is out of verification staff's reach too

    assert isinstance(error_of(_print(world, who, ivr.id)), NotFound)
    last = world.audit_rows()[-1]
    assert (last.action, last.outcome, last.patient_ids) == ("ivrs.print", Outcome.DENIED, ())


def test_printing_changes_nothing_but_the_audit_log(world: World) -> None:
    ivr = _approved(world)
    history = world.history(ivr.id)
    value_of(_print(world, "admin", ivr.id))

    assert world.stored(ivr.id) == ivr
    assert world.history(ivr.id) == history

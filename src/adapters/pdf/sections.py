"""What a printed IVR says, section by section, as labelled rows: the layout draws them, the tests read them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from attrs import frozen

from ivr_domain.ivr.coverage import Coverage
from ivr_domain.ivr.model import Facility, Ivr, PatientSnapshot, Physician, Wound
from ivr_domain.ivr.printing import PracticeCard, PrintableIvr
from ivr_domain.shared.insurance import InsuranceRank
from ivr_domain.shared.values import Address

Row = tuple[str, str]
NONE = "-"


@frozen(kw_only=True)
class Section:
    """A heading, its labelled rows, and free text printed as paragraphs after them."""

    title: str
    rows: tuple[Row, ...] = ()
    paragraphs: tuple[str, ...] = ()


def _text(value: object) -> str:
    """Return a value as printed: dates ISO, instants in UTC to the minute, booleans yes/no, absent as a dash."""
    match value:
        case None | "":
            return NONE
        case bool():
            return "yes" if value else "no"
        case datetime():
            return value.strftime("%Y-%m-%d %H:%M UTC")
        case date():
            return value.isoformat()
        case Decimal():
            return f"{value:f}"
        case _:
            return str(getattr(value, "value", value))


def _rows(*pairs: tuple[str, object]) -> tuple[Row, ...]:
    return tuple((label, _text(value)) for label, value in pairs)


def _address(address: Address | None) -> str:
    if address is None:
        return NONE
    street = ", ".join(part for part in (address.line1, address.line2) if part)
    return f"{street}, {address.city}, {address.state} {address.postal_code}"


def _summary(ivr: Ivr, printed_at: datetime) -> Section:
    content = ivr.content
    return Section(
        title="Request",
        rows=_rows(
            ("Reference", ivr.reference),
            ("Status", ivr.status),
            ("Request type", content.request_type),
            ("Priority", content.priority),
            ("Insurances to verify", ", ".join(rank.value for rank in content.insurance_ranks)),
            ("Renews IVR", content.previous_ivr_id),
            ("Created", ivr.created_at),
            ("Submitted", ivr.submitted_at),
            ("Last submitted", ivr.last_submitted_at),
            ("Decided", ivr.decided_at),
            ("Valid until", ivr.valid_until),
            ("Version", ivr.version),
            ("Printed", printed_at),
        ),
    )


def _practice(card: PracticeCard | None) -> Section:
    if card is None:
        return Section(title="Practice", rows=(("Name", NONE),))
    return Section(
        title="Practice",
        rows=_rows(("Name", card.name), ("NPI", card.npi), ("Address", _address(card.address)), ("Phone", card.phone)),
    )


def _physician(physician: Physician) -> Section:
    return Section(
        title="Physician",
        rows=_rows(
            ("Name", physician.name),
            ("NPI", physician.npi),
            ("Specialty", physician.specialty),
            ("TIN", physician.tin),
            ("PTAN", physician.ptan),
        ),
    )


def _facility(facility: Facility) -> Section:
    return Section(
        title="Facility",
        rows=_rows(
            ("Name", facility.name),
            ("NPI", facility.npi),
            ("TIN", facility.tin),
            ("Place of service", facility.place_of_service),
            ("Address", _address(facility.address)),
            ("In a SNF", facility.in_snf),
            ("SNF days", facility.snf_days),
            ("Hospice", facility.hospice),
            ("Part A stay", facility.part_a_stay),
        ),
    )


def _patient(patient: PatientSnapshot | None, ranks: tuple[InsuranceRank, ...], *, current: bool) -> list[Section]:
    if patient is None:
        return [Section(title="Patient", rows=(("Name", NONE),))]
    title = "Patient (as recorded now; the IVR keeps a snapshot when submitted)" if current else "Patient"
    sections = [
        Section(
            title=title,
            rows=_rows(
                ("Name", f"{patient.last_name}, {patient.first_name}"),
                ("Date of birth", patient.date_of_birth),
                ("Sex", patient.sex),
                ("Patient id", patient.patient_id),
            ),
        )
    ]
    # The insurances this IVR verifies; a draft that names none yet shows every insurance on file.
    for insurance in (i for i in patient.insurances if not ranks or i.rank in ranks):
        sections.append(
            Section(
                title=f"Insurance ({insurance.rank.value})",
                rows=_rows(
                    ("Payer", insurance.payer_name),
                    ("Payer id", insurance.payer_id),
                    ("Member id", insurance.member_id),
                    ("Group number", insurance.group_number),
                    ("Plan type", insurance.plan_type),
                    ("Subscriber", insurance.subscriber_relationship),
                ),
            )
        )
    return sections


def _wound(index: int, wound: Wound) -> Section:
    return Section(
        title=f"Wound {index}",
        rows=_rows(
            ("Type", wound.type),
            ("Location category", wound.location_category),
            ("Site", wound.site),
            ("Laterality", wound.laterality),
            ("Length (cm)", wound.length_cm),
            ("Width (cm)", wound.width_cm),
            ("Depth (cm)", wound.depth_cm),
            ("Area (cm2)", wound.area_cm2),
            ("Duration (weeks)", wound.duration_weeks),
            ("Prior therapies", "; ".join(wound.prior_therapies)),
        ),
    )


def _clinical(ivr: Ivr) -> list[Section]:
    content = ivr.content
    wounds = [_wound(i, w) for i, w in enumerate(content.wounds, start=1)] or [Section(title="Wounds", rows=_none())]
    diagnoses = tuple((d.code, "primary" if d.primary else "secondary") for d in content.diagnosis_codes) or _none()
    products = (
        tuple((p.hcpcs_code, f"size {_text(p.size)}, quantity {p.quantity}") for p in content.products) or _none()
    )
    return [
        *wounds,
        Section(title="Diagnoses (ICD-10-CM)", rows=(*diagnoses, *_rows(("Code set", ivr.code_set_version)))),
        Section(
            title="Services",
            rows=_rows(
                ("Application CPT", ", ".join(content.application_cpt_codes)),
                ("First date of service", content.anticipated_first_service_date),
                ("Planned applications", content.planned_applications),
            ),
        ),
        Section(title="Products (HCPCS)", rows=products),
    ]


def _none() -> tuple[Row, ...]:
    return (("None", NONE),)


def _coverage(coverage: Coverage) -> Section:
    return Section(
        title=f"Coverage ({coverage.insurance_rank.value})",
        rows=_rows(
            ("Outcome", coverage.outcome),
            ("Active", coverage.active),
            ("Plan", coverage.plan_name),
            ("Plan type", coverage.plan_type),
            ("Network", coverage.network_status),
            ("Effective", coverage.effective_date),
            ("Ends", coverage.end_date),
            ("Deductible total", coverage.deductible_total),
            ("Deductible remaining", coverage.deductible_remaining),
            ("Deductible met", coverage.deductible_met),
            ("Out-of-pocket max", coverage.out_of_pocket_max),
            ("Out-of-pocket remaining", coverage.out_of_pocket_remaining),
            ("Coinsurance (%)", coverage.coinsurance_percent),
            ("Copay", coverage.copay),
            ("Prior auth required", coverage.needs_prior_auth),
            ("Prior auth number", coverage.prior_auth_number),
            ("Approved units", coverage.approved_units),
            ("Approved from", coverage.approved_from),
            ("Approved to", coverage.approved_to),
            ("Verified by", coverage.verification_method),
            ("Call reference", coverage.call_reference),
            ("Payer representative", coverage.payer_representative),
            ("Valid until", coverage.valid_until),
        ),
    )


def _decision(ivr: Ivr) -> Iterable[Section]:
    if ivr.info_request is not None:
        yield Section(
            title="Information requested",
            rows=_rows(("Requested", ivr.info_request.requested_at), ("Due", ivr.info_request.due_date)),
            paragraphs=(ivr.info_request.message,),
        )
    if ivr.prior_auth_note is not None:
        yield Section(title="Prior authorisation", paragraphs=(ivr.prior_auth_note,))
    if ivr.rejection is not None:
        yield Section(
            title="Rejection",
            rows=_rows(("Reason", ivr.rejection.reason_code)),
            paragraphs=(ivr.rejection.explanation,),
        )
    yield from (_coverage(c) for c in ivr.coverages)


def sections(sheet: PrintableIvr) -> list[Section]:
    """Return every section of a printed IVR, in the order printed."""
    ivr = sheet.ivr
    content = ivr.content
    signature = content.signature
    return [
        _summary(ivr, sheet.printed_at),
        _practice(sheet.practice),
        _physician(content.physician),
        _facility(content.facility),
        *_patient(sheet.patient, content.insurance_ranks, current=sheet.patient_is_current),
        *_clinical(ivr),
        Section(title="Notes", paragraphs=(content.notes or NONE,)),
        Section(
            title="Physician signature",
            rows=_rows(
                ("Signed by", signature.signer_name if signature else None),
                ("Signed at", signature.signed_at if signature else None),
            ),
        ),
        *_decision(ivr),
    ]

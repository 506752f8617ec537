"""Checking IVR content: every value present in a draft, and the complete form at submit, all problems at once."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from decimal import Decimal

from attrs import frozen
from returns.result import Failure, Result, Success

from ivr_domain.ivr.codes import (
    APPLICATION_CPT_CODES,
    implied_cpt_codes,
    is_hcpcs,
    is_icd10cm_shaped,
    is_tin,
    normalise_icd10cm,
)
from ivr_domain.ivr.model import (
    Diagnosis,
    Facility,
    IvrContent,
    PatientSnapshot,
    Physician,
    Priority,
    Product,
    RequestType,
    Signature,
    Wound,
)
from ivr_domain.shared.errors import ValidationFailed
from ivr_domain.shared.ids import IvrId, PatientId
from ivr_domain.shared.insurance import InsuranceRank
from ivr_domain.shared.ports import CodeSets
from ivr_domain.shared.validation import AddressInput, Problems
from ivr_domain.shared.values import Npi

MAX_WOUNDS = 20
MAX_DIAGNOSES = 12
MAX_PRODUCTS = 20
MAX_THERAPIES = 20
MAX_DIMENSION_CM = Decimal(1000)
MAX_NOTES = 5000
_CENTI = Decimal("0.01")


@frozen(kw_only=True)
class FacilityInput:
    """The facility as typed."""

    name: str | None = None
    npi: str | None = None
    tin: str | None = None
    place_of_service: str | None = None
    address: AddressInput | None = None
    in_snf: bool = False
    snf_days: int | None = None
    hospice: bool = False
    part_a_stay: bool = False


@frozen(kw_only=True)
class IvrInput:
    """An IVR as typed: the body of a create or a full update (PUT)."""

    patient_id: PatientId
    request_type: RequestType = RequestType.NEW
    priority: Priority = Priority.ROUTINE
    insurance_ranks: tuple[InsuranceRank, ...] = ()
    physician: Physician | None = None
    facility: FacilityInput | None = None
    wounds: tuple[Wound, ...] = ()
    diagnosis_codes: tuple[Diagnosis, ...] = ()
    application_cpt_codes: tuple[str, ...] = ()
    anticipated_first_service_date: date | None = None
    planned_applications: int | None = None
    products: tuple[Product, ...] = ()
    signature: Signature | None = None
    notes: str | None = None
    previous_ivr_id: IvrId | None = None


def _text(problems: Problems, value: str | None, path: str, max_length: int) -> str | None:
    return None if value is None else problems.text(value, path, max_length=max_length)


def _npi(problems: Problems, value: str | None, path: str) -> str | None:
    if value is None:
        return None
    npi = problems.take(Npi.parse(value, path))
    return npi.value if npi is not None else value


def _tin(problems: Problems, value: str | None, path: str) -> str | None:
    if value is None:
        return None
    tin = value.strip()
    if not is_tin(tin):
        problems.add(path, "must be an EIN-format TIN, NN-NNNNNNN")
    return tin


def _physician(problems: Problems, raw: Physician | None) -> Physician:
    if raw is None:
        return Physician()
    return Physician(
        name=_text(problems, raw.name, "physician.name", 200),
        npi=_npi(problems, raw.npi, "physician.npi"),
        specialty=_text(problems, raw.specialty, "physician.specialty", 100),
        tin=_tin(problems, raw.tin, "physician.tin"),
        ptan=_text(problems, raw.ptan, "physician.ptan", 10),
    )


def _facility(problems: Problems, raw: FacilityInput | None, codes: CodeSets) -> Facility:
    if raw is None:
        return Facility()
    pos = None if raw.place_of_service is None else raw.place_of_service.strip()
    if pos is not None and not (len(pos) == 2 and pos.isdigit() and codes.is_place_of_service(pos)):
        problems.add("facility.place_of_service", "must be a CMS two-digit place-of-service code")
    if raw.snf_days is not None:
        if not raw.in_snf:
            problems.add("facility.snf_days", "applies only when in_snf is true")
        elif not 0 <= raw.snf_days <= 1000:
            problems.add("facility.snf_days", "must be between 0 and 1000")
    return Facility(
        name=_text(problems, raw.name, "facility.name", 200),
        npi=_npi(problems, raw.npi, "facility.npi"),
        tin=_tin(problems, raw.tin, "facility.tin"),
        place_of_service=pos,
        address=problems.address(raw.address, "facility.address"),
        in_snf=raw.in_snf,
        snf_days=raw.snf_days,
        hospice=raw.hospice,
        part_a_stay=raw.part_a_stay,
    )


def _dimension(problems: Problems, value: Decimal | None, path: str, *, zero_allowed: bool) -> None:
    if value is None:
        return
    if value < 0 or (value == 0 and not zero_allowed):
        problems.add(path, "must be greater than 0" if not zero_allowed else "must not be negative")
    elif value > MAX_DIMENSION_CM:
        problems.add(path, f"must be at most {MAX_DIMENSION_CM} cm")
    elif value != value.quantize(_CENTI):
        problems.add(path, "must have at most two decimals")


def _wound(problems: Problems, raw: Wound, path: str) -> Wound:
    _dimension(problems, raw.length_cm, f"{path}.length_cm", zero_allowed=False)
    _dimension(problems, raw.width_cm, f"{path}.width_cm", zero_allowed=False)
    _dimension(problems, raw.depth_cm, f"{path}.depth_cm", zero_allowed=True)
    if raw.duration_weeks is not None and not 0 <= raw.duration_weeks <= 1040:
        problems.add(f"{path}.duration_weeks", "must be between 0 and 1040")
    if len(raw.prior_therapies) > MAX_THERAPIES:
        problems.add(f"{path}.prior_therapies", f"at most {MAX_THERAPIES} are allowed")
    therapies = tuple(
        problems.text(t, f"{path}.prior_therapies[{i}]", max_length=200) for i, t in enumerate(raw.prior_therapies)
    )
    return Wound(
        type=raw.type,
        location_category=raw.location_category,
        site=_text(problems, raw.site, f"{path}.site", 200),
        laterality=raw.laterality,
        length_cm=raw.length_cm,
        width_cm=raw.width_cm,
        depth_cm=raw.depth_cm,
        duration_weeks=raw.duration_weeks,
        prior_therapies=therapies,
    )


def _diagnoses(problems: Problems, raw: tuple[Diagnosis, ...], codes: CodeSets) -> tuple[Diagnosis, ...]:
    if len(raw) > MAX_DIAGNOSES:
        problems.add("diagnosis_codes", f"at most {MAX_DIAGNOSES} are allowed")
    found: list[Diagnosis] = []
    for index, diagnosis in enumerate(raw):
        path = f"diagnosis_codes[{index}].code"
        code = normalise_icd10cm(diagnosis.code)
        if not is_icd10cm_shaped(code):
            problems.add(path, "must be an ICD-10-CM code such as L97.422")
        elif not codes.is_billable_icd10cm(code):
            problems.add(path, f"is not a billable code in {codes.icd10cm_version} (a category or an unknown code)")
        found.append(Diagnosis(code=code, primary=diagnosis.primary))
    for code, count in Counter(d.code for d in found).items():
        if count > 1:
            problems.add("diagnosis_codes", f"{code} appears more than once")
    if sum(d.primary for d in found) > 1:
        problems.add("diagnosis_codes", "exactly one diagnosis may be primary")
    return tuple(found)


def _cpt_codes(problems: Problems, raw: tuple[str, ...], wounds: tuple[Wound, ...]) -> tuple[str, ...]:
    codes = tuple(c.strip() for c in raw)
    for index, code in enumerate(codes):
        if code not in APPLICATION_CPT_CODES:
            problems.add(f"application_cpt_codes[{index}]", "must be a skin-substitute application code, 15271-15278")
    # Areas out of range are already refused; the codes they would imply are not computed (nor is their size).
    implied = implied_cpt_codes(wounds) if wounds and all(_in_range(w) for w in wounds) else None
    if codes and implied is not None and sorted(codes) != sorted(implied):
        problems.add("application_cpt_codes", f"the wound areas imply {list(implied)}")
    return codes


def _in_range(wound: Wound) -> bool:
    """Tell whether a wound's length and width are each absent or within (0, MAX_DIMENSION_CM]."""
    return all(side is None or 0 < side <= MAX_DIMENSION_CM for side in (wound.length_cm, wound.width_cm))


def _products(problems: Problems, raw: tuple[Product, ...]) -> tuple[Product, ...]:
    if len(raw) > MAX_PRODUCTS:
        problems.add("products", f"at most {MAX_PRODUCTS} are allowed")
    found = []
    for index, product in enumerate(raw):
        path = f"products[{index}]"
        code = product.hcpcs_code.strip().upper()
        if not is_hcpcs(code):
            problems.add(f"{path}.hcpcs_code", "must be a HCPCS Level II code such as Q4186")
        if not 1 <= product.quantity <= 1000:
            problems.add(f"{path}.quantity", "must be between 1 and 1000")
        size = _text(problems, product.size, f"{path}.size", 50)
        found.append(Product(hcpcs_code=code, quantity=product.quantity, size=size))
    return tuple(found)


def _signature(problems: Problems, raw: Signature | None, now: datetime) -> Signature | None:
    if raw is None:
        return None
    name = problems.text(raw.signer_name, "signature.signer_name", max_length=200)
    if raw.signed_at.tzinfo is None:
        problems.add("signature.signed_at", "must carry a time zone")
    elif raw.signed_at > now:
        problems.add("signature.signed_at", "must not be in the future")
    return Signature(signer_name=name, signed_at=raw.signed_at)


def parse_content(raw: IvrInput, codes: CodeSets, now: datetime) -> Result[IvrContent, ValidationFailed]:
    """Validate every value present in an IVR (a draft may leave parts out)."""
    problems = Problems()
    if len(set(raw.insurance_ranks)) != len(raw.insurance_ranks):
        problems.add("insurance_ranks", "each insurance may be listed once")
    if len(raw.wounds) > MAX_WOUNDS:
        problems.add("wounds", f"at most {MAX_WOUNDS} are allowed")
    wounds = tuple(_wound(problems, w, f"wounds[{i}]") for i, w in enumerate(raw.wounds))
    if raw.planned_applications is not None and not 1 <= raw.planned_applications <= 100:
        problems.add("planned_applications", "must be between 1 and 100")
    if raw.previous_ivr_id is not None and raw.request_type is not RequestType.REVERIFICATION:
        problems.add("previous_ivr_id", "applies only to a reverification")
    content = IvrContent(
        request_type=raw.request_type,
        priority=raw.priority,
        insurance_ranks=raw.insurance_ranks,
        physician=_physician(problems, raw.physician),
        facility=_facility(problems, raw.facility, codes),
        wounds=wounds,
        diagnosis_codes=_diagnoses(problems, raw.diagnosis_codes, codes),
        application_cpt_codes=_cpt_codes(problems, raw.application_cpt_codes, wounds),
        anticipated_first_service_date=raw.anticipated_first_service_date,
        planned_applications=raw.planned_applications,
        products=_products(problems, raw.products),
        signature=_signature(problems, raw.signature, now),
        notes=_text(problems, raw.notes, "notes", MAX_NOTES),
        previous_ivr_id=raw.previous_ivr_id,
    )
    failure = problems.failure()
    return Failure(failure) if failure is not None else Success(content)


def _missing(problems: Problems, value: object, path: str) -> None:
    if value in (None, "", ()):
        problems.add(path, "is required to submit")


def _complete_wounds(problems: Problems, wounds: tuple[Wound, ...]) -> None:
    if not wounds:
        problems.add("wounds", "at least one wound is required to submit")
    required = ("type", "location_category", "site", "laterality", "length_cm", "width_cm", "depth_cm")
    for index, wound in enumerate(wounds):
        for name in (*required, "duration_weeks"):
            _missing(problems, getattr(wound, name), f"wounds[{index}].{name}")


def check_complete(content: IvrContent, patient: PatientSnapshot, today: date) -> ValidationFailed | None:
    """Return every field the complete form still lacks or gets wrong, or None when it can be submitted."""
    problems = Problems()
    if patient.archived:
        problems.add("patient_id", "the patient is archived")
    if not content.insurance_ranks:
        problems.add("insurance_ranks", "at least one insurance to verify is required to submit")
    held = {insurance.rank for insurance in patient.insurances}
    for index, rank in enumerate(content.insurance_ranks):
        if rank not in held:
            problems.add(f"insurance_ranks[{index}]", f"the patient has no {rank.value} insurance")
    physician, facility = content.physician, content.facility
    for name in ("name", "npi", "tin"):
        _missing(problems, getattr(physician, name), f"physician.{name}")
    for name in ("name", "address", "npi", "tin", "place_of_service"):
        _missing(problems, getattr(facility, name), f"facility.{name}")
    if facility.in_snf and facility.snf_days is None:
        problems.add("facility.snf_days", "is required when in_snf is true")
    _complete_wounds(problems, content.wounds)
    if not content.diagnosis_codes:
        problems.add("diagnosis_codes", "at least one diagnosis is required to submit")
    elif sum(d.primary for d in content.diagnosis_codes) != 1:
        problems.add("diagnosis_codes", "exactly one diagnosis must be primary")
    implied = implied_cpt_codes(content.wounds) if content.wounds else None
    if not content.application_cpt_codes:
        hint = f": the wound areas imply {list(implied)}" if implied else ""
        problems.add("application_cpt_codes", f"is required to submit{hint}")
    first_date = content.anticipated_first_service_date
    if first_date is None:
        problems.add("anticipated_first_service_date", "is required to submit")
    elif first_date < today:
        problems.add("anticipated_first_service_date", "must not be in the past")
    _missing(problems, content.planned_applications, "planned_applications")
    if not content.products:
        problems.add("products", "at least one product is required to submit")
    _missing(problems, content.signature, "signature")
    if content.request_type is RequestType.REVERIFICATION:
        _missing(problems, content.previous_ivr_id, "previous_ivr_id")
    return problems.failure()

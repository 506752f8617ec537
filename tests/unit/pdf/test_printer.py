"""The PDF printer: any text the platform accepts renders, in either font, without errors or log lines."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from attrs import evolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.pdf import CORE, FontChoice, FpdfIvrPrinter, find_unicode_font
from adapters.pdf.glyphs import REPLACEMENT, GlyphFilter, latin1
from ivr_domain.ivr.coverage import Coverage
from ivr_domain.ivr.model import (
    Diagnosis,
    Facility,
    InsuranceSnapshot,
    Ivr,
    IvrContent,
    IvrStatus,
    PatientSnapshot,
    Physician,
    Product,
    Rejection,
    RejectionReason,
    Signature,
)
from ivr_domain.ivr.printing import PracticeCard, PrintableIvr
from ivr_domain.shared.ids import IvrId, PatientId, PracticeId, UserId, new_id
from ivr_domain.shared.insurance import InsuranceRank, PlanType
from ivr_domain.shared.values import Address
from tests.unit.ivr.builders import NOW, complete_ivr, covered
from tests.unit.pdf.reading import pdf_text

UNICODE = find_unicode_font()
PRINTERS = {"dejavu": FpdfIvrPrinter(UNICODE), "core": FpdfIvrPrinter(CORE)}
# Every code point hypothesis can draw, lone surrogates and private use included: JSON can carry them all.
ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=300)


def _sheet(text: str = "x", *, coverages: tuple[Coverage, ...] = ()) -> PrintableIvr:
    """Return an approved-looking IVR whose every free-text field holds `text`."""
    patient_id, practice_id = PatientId(new_id()), PracticeId(new_id())
    given_body = complete_ivr(patient_id)
    address = Address(line1=text, line2=text, city=text, state="IL", postal_code="62704")
    content = IvrContent(
        physician=Physician(name=text, npi="1234567893", specialty=text, tin="12-3456789", ptan=text[:10]),
        facility=Facility(name=text, npi="1558598797", place_of_service="11", address=address),
        wounds=tuple(evolve(w, site=text, prior_therapies=(text, text)) for w in given_body.wounds),
        diagnosis_codes=(Diagnosis(code="E11.621", primary=True),),
        application_cpt_codes=("15275",),
        products=(Product(hcpcs_code="Q4186", quantity=4, size=text),),
        signature=Signature(signer_name=text, signed_at=NOW),
        notes=text,
        insurance_ranks=(InsuranceRank.PRIMARY,),
    )
    insurance = InsuranceSnapshot(
        rank=InsuranceRank.PRIMARY,
        payer_name=text,
        member_id=text,
        plan_type=PlanType.MEDICARE,
        subscriber_relationship="self",
        group_number=text,
    )
    snapshot = PatientSnapshot(
        patient_id=patient_id,
        practice_id=practice_id,
        first_name=text,
        last_name=text,
        date_of_birth=NOW.date() - timedelta(days=20000),
        sex="female",
        insurances=(insurance,),
    )
    ivr = Ivr(
        id=IvrId(new_id()),
        reference="IVR-2026-000042",
        practice_id=practice_id,
        patient_id=patient_id,
        patient_initials="XX",
        status=IvrStatus.REJECTED,
        content=content,
        created_by=UserId(new_id()),
        created_at=NOW,
        updated_at=NOW,
        patient_snapshot=snapshot,
        prior_auth_note=text,
        rejection=Rejection(reason_code=RejectionReason.OTHER, explanation=text),
        coverages=coverages,
    )
    card = PracticeCard(name=text, npi="1234567893", address=address, phone="+12175550142")
    return PrintableIvr(ivr=ivr, patient=snapshot, patient_is_current=False, practice=card, printed_at=NOW)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _fpdf_logs() -> Iterator[list[logging.LogRecord]]:
    """Collect what fpdf2 logs at warning level or above (a missing glyph would name the character: PHI)."""
    handler = _Records()
    logger = logging.getLogger("fpdf")
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


@pytest.mark.skipif(UNICODE.is_core, reason="DejaVu Sans is not installed (fonts-dejavu-core)")
def test_the_unicode_font_is_found_where_the_os_package_installs_it() -> None:
    assert UNICODE.files is not None
    assert all(Path(f).is_file() for f in UNICODE.files)


@pytest.mark.parametrize("name", sorted(PRINTERS))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ANY_TEXT)
def test_any_text_renders_without_an_error_or_a_log_line(name: str, text: str) -> None:
    with _fpdf_logs() as records:
        content = PRINTERS[name].render(_sheet(text))

    assert content.startswith(b"%PDF-")
    assert [r.getMessage() for r in records if r.levelno >= logging.WARNING] == []


@settings(max_examples=200, deadline=None)
@given(text=ANY_TEXT)
def test_the_filter_leaves_only_drawable_characters_and_keeps_what_is_drawable(text: str) -> None:
    shown = GlyphFilter(latin1)(text)

    assert all(ch == "\n" or (latin1(ch) and unicodedata.category(ch) != "Cc") for ch in shown)
    drawable = "".join(ch for ch in text if latin1(ch) and unicodedata.category(ch) not in ("Cc", "Cf"))
    assert GlyphFilter(latin1)(drawable) == drawable


def test_other_scripts_print_in_the_unicode_font_and_are_spelled_in_latin_letters_in_the_core_font() -> None:
    names = "Zoë Ångström-Łukasz Ωμέγα Привет ﬁnance"
    if not UNICODE.is_core:
        dejavu = pdf_text(PRINTERS["dejavu"].render(_sheet(names)))
        assert names in dejavu
    core = pdf_text(PRINTERS["core"].render(_sheet(names)))
    # Latin-1 keeps ë and Å; Ł has no decomposition, Greek and Cyrillic none into Latin: shown as "?".
    assert f"Zoë Ångström-{REPLACEMENT}ukasz ????? ?????? finance" in core


def test_a_script_the_unicode_font_lacks_is_replaced_not_dropped_silently() -> None:
    printer = PRINTERS["dejavu"] if not UNICODE.is_core else PRINTERS["core"]
    text = pdf_text(printer.render(_sheet("王小明 and\u200bzero\x00width\tTab")))

    assert "??? andzero width Tab" in text


def test_a_coverage_prints_its_figures() -> None:
    coverage = covered(valid_until=NOW.date(), prior_auth_number="PA-1", copay=Decimal("5.00"))
    text = pdf_text(PRINTERS["core"].render(_sheet(coverages=(coverage,))))

    assert "Coverage (primary) Outcome covered" in text
    assert "Copay 5.00" in text
    assert f"Valid until {NOW.date().isoformat()}" in text


def test_an_explicit_font_choice_is_used_and_a_missing_one_falls_back_to_the_core_font(tmp_path: Path) -> None:
    assert find_unicode_font([tmp_path]) == CORE
    assert FpdfIvrPrinter(FontChoice(family="helvetica")).font.is_core

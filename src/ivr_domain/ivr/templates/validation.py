"""Checking templates and justifications: every problem at once, with the body's paths."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen
from returns.result import Failure, Result, Success

from ivr_domain.ivr.codes import is_hcpcs
from ivr_domain.ivr.model import WoundType
from ivr_domain.ivr.templates.content import as_draft, patient_field_problems
from ivr_domain.ivr.templates.model import TemplateContent
from ivr_domain.ivr.validation import MAX_NOTES, parse_content
from ivr_domain.shared.errors import FieldError, ValidationFailed
from ivr_domain.shared.ids import PracticeId
from ivr_domain.shared.ports import CodeSets
from ivr_domain.shared.validation import Problems

MAX_NAME = 200
MAX_TITLE = 200


@frozen(kw_only=True)
class TemplateInput:
    """A template as typed; `content_fields` names the top-level keys its content was sent with.

    The edge passes the keys as sent, patient fields included (they have no place in `content`), so the
    core refuses them by name instead of the decoder calling them unknown.
    """

    name: str
    content: TemplateContent
    practice_id: PracticeId | None = None
    content_fields: frozenset[str] = frozenset()


@frozen(kw_only=True)
class JustificationInput:
    """A library justification as typed."""

    title: str
    wound_type: WoundType
    text: str
    hcpcs_code: str | None = None


@frozen(kw_only=True)
class ParsedTemplate:
    """A template's checked name and content."""

    name: str
    content: TemplateContent


@frozen(kw_only=True)
class ParsedJustification:
    """A justification's checked, normalised values."""

    title: str
    wound_type: WoundType
    text: str
    hcpcs_code: str | None


def parse_template(raw: TemplateInput, codes: CodeSets, now: datetime) -> Result[ParsedTemplate, ValidationFailed]:
    """Refuse patient data, then check the content's values as a draft IVR's (no rule is repeated here)."""
    problems = Problems()
    name = problems.text(raw.name, "name", max_length=MAX_NAME)
    errors: list[FieldError] = list(patient_field_problems(raw.content_fields))
    match parse_content(as_draft(raw.content), codes, now):
        case Failure(invalid):
            errors.extend(FieldError(field=f"content.{e.field}", message=e.message) for e in invalid.errors)
    own = problems.failure()
    errors[:0] = own.errors if own is not None else ()
    if errors:
        return Failure(ValidationFailed(errors=tuple(errors)))
    return Success(ParsedTemplate(name=name, content=raw.content))


def parse_justification(raw: JustificationInput) -> Result[ParsedJustification, ValidationFailed]:
    """Trim and bound the texts; a HCPCS code, when given, is upper-cased and must look like Q4186."""
    problems = Problems()
    title = problems.text(raw.title, "title", max_length=MAX_TITLE)
    text = problems.text(raw.text, "text", max_length=MAX_NOTES)
    code = None if raw.hcpcs_code is None else raw.hcpcs_code.strip().upper()
    if code is not None and not is_hcpcs(code):
        problems.add("hcpcs_code", "must be a HCPCS Level II code such as Q4186")
    failure = problems.failure()
    if failure is not None:
        return Failure(failure)
    return Success(ParsedJustification(title=title, wound_type=raw.wound_type, text=text, hcpcs_code=code))

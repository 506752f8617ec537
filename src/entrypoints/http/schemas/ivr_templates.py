"""Bodies and answers of templates and justifications (API.md "Templates and justifications").

A template's content is read strictly like an IVR body, except that patient fields are set aside before
decoding and handed to the core by name, so the answer says templates may not carry patient data instead
of "not a known field". Content goes back out in the body's own shape, unset fields left out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
from attrs import frozen
from cattrs.preconf.json import make_converter

from entrypoints.http.decoding import CONVERTER, field_errors, parse_json, refuse_fields
from entrypoints.http.problems import RefusalContext
from entrypoints.http.schemas.common import utc
from ivr_domain.ivr.model import WoundType
from ivr_domain.ivr.templates.content import PATIENT_FIELDS, patient_field_problems
from ivr_domain.ivr.templates.model import IvrTemplate, MedicalJustification, TemplateContent, TemplateScope
from ivr_domain.ivr.templates.validation import JustificationInput, TemplateInput
from ivr_domain.shared.ids import PracticeId

_OUT = make_converter(omit_if_default=True)
_OUT.register_unstructure_hook(Decimal, str)
_OUT.register_unstructure_hook(datetime, lambda moment: utc(moment).isoformat().replace("+00:00", "Z"))


@frozen(kw_only=True)
class TemplateBody:
    """A template: its name, the IVR create fields it pre-fills (never the patient), and (admins) a practice."""

    name: str
    content: TemplateContent
    practice_id: UUID | None = None


@frozen(kw_only=True)
class JustificationBody:
    """A library justification: a title, the wound type it applies to, an optional HCPCS code, the text."""

    title: str
    wound_type: WoundType
    text: str
    hcpcs_code: str | None = None


def decode_template(raw: bytes, before_fields: Callable[[], RefusalContext | None]) -> TemplateInput:
    """Decode a template body strictly; patient fields of its content go to the core by name (it refuses them).

    When the rest cannot be decoded, the checks API.md orders before 422 run first, then one 422 lists the
    patient fields and every other problem together.
    """
    sent = parse_json(raw)
    named: frozenset[str] = frozenset()
    if isinstance(sent, dict) and isinstance(sent.get("content"), dict):
        content: dict[str, Any] = sent["content"]
        named = frozenset(content)
        sent = {**sent, "content": {k: v for k, v in content.items() if k not in PATIENT_FIELDS}}
    try:
        body = CONVERTER.structure(sent, TemplateBody)
    except Exception as exc:
        refuse_fields([*patient_field_problems(named), *field_errors(exc)], before_fields)
    practice_id = PracticeId(body.practice_id) if body.practice_id is not None else None
    return TemplateInput(name=body.name, content=body.content, practice_id=practice_id, content_fields=named)


def justification_input(body: JustificationBody) -> JustificationInput:
    """Return the core's input of a decoded justification body."""
    return JustificationInput(title=body.title, wound_type=body.wound_type, text=body.text, hcpcs_code=body.hcpcs_code)


class TemplateOut(msgspec.Struct, kw_only=True):
    """A template; `content` has the shape of an IVR create body without the patient, unset fields left out."""

    id: UUID
    scope: TemplateScope
    practice_id: UUID | None
    name: str
    content: dict[str, Any]
    created_by: UUID
    created_at: datetime
    updated_by: UUID
    updated_at: datetime
    version: int


class TemplatePage(msgspec.Struct, kw_only=True):
    """One page of templates."""

    items: list[TemplateOut]
    next_cursor: str | None


def template_out(template: IvrTemplate) -> TemplateOut:
    """Return the wire form of a template."""
    return TemplateOut(
        id=template.id,
        scope=TemplateScope.GLOBAL if template.is_global else TemplateScope.PRACTICE,
        practice_id=template.practice_id,
        name=template.name,
        content=_OUT.unstructure(template.content, TemplateContent),
        created_by=template.created_by,
        created_at=utc(template.created_at),
        updated_by=template.updated_by,
        updated_at=utc(template.updated_at),
        version=template.version,
    )


class JustificationOut(msgspec.Struct, kw_only=True):
    """A justification of the library."""

    id: UUID
    title: str
    wound_type: WoundType
    hcpcs_code: str | None
    text: str
    created_by: UUID
    created_at: datetime
    updated_by: UUID
    updated_at: datetime
    version: int


class JustificationPage(msgspec.Struct, kw_only=True):
    """One page of the justification library."""

    items: list[JustificationOut]
    next_cursor: str | None


def justification_out(item: MedicalJustification) -> JustificationOut:
    """Return the wire form of a justification."""
    return JustificationOut(
        id=item.id,
        title=item.title,
        wound_type=item.wound_type,
        hcpcs_code=item.hcpcs_code,
        text=item.text,
        created_by=item.created_by,
        created_at=utc(item.created_at),
        updated_by=item.updated_by,
        updated_at=utc(item.updated_at),
        version=item.version,
    )

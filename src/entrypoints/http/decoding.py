"""Strict JSON body decoding: one cattrs converter, field paths for every problem, no coercion."""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum, IntEnum, StrEnum
from typing import Any, NoReturn, TypeVar
from uuid import UUID

import attrs
from cattrs import BaseConverter
from cattrs.cols import homogenous_tuple_structure_factory
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn
from cattrs.preconf.json import make_converter
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from entrypoints.http.openapi import body_operation
from entrypoints.http.problems import EdgeRefusal, ProblemError, RefusalContext, unprocessable
from ivr_domain.shared.errors import FieldError, ValidationFailed
from ivr_domain.shared.validation import text_problem

T = TypeVar("T")

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_ISO_DATETIME = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
_DECIMAL = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")


class FieldTypeError(ValueError):
    """A JSON value of the wrong type or form; its message is safe to show (it never quotes the value)."""


def _str(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise FieldTypeError("must be a string")
    problem = text_problem(value)
    if problem is not None:
        raise FieldTypeError(problem)
    return value


def _int(value: object, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldTypeError("must be an integer")
    return value


def _bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise FieldTypeError("must be true or false")
    return value


def _date(value: object, _: type) -> date:
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise FieldTypeError("must be a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FieldTypeError("must be an existing calendar date (YYYY-MM-DD)") from None


def _datetime(value: object, _: type) -> datetime:
    message = "must be a date-time with a time zone (2026-11-20T15:00:00Z)"
    if not isinstance(value, str) or not _ISO_DATETIME.match(value):
        raise FieldTypeError(message)
    try:
        moment = datetime.fromisoformat(value)
        moment.astimezone(UTC)  # every instant is stored and shown in UTC: year 1 east of Greenwich has no UTC form
    except (ValueError, OverflowError):
        raise FieldTypeError(message) from None
    return moment


def _decimal(value: object, _: type) -> Decimal:
    if not isinstance(value, str) or not _DECIMAL.match(value.strip()):
        raise FieldTypeError('must be a decimal number written as a string ("12.50")')
    try:
        return Decimal(value.strip())
    except InvalidOperation:
        raise FieldTypeError('must be a decimal number written as a string ("12.50")') from None


def _uuid(value: object, _: type) -> UUID:
    if not isinstance(value, str):
        raise FieldTypeError("must be a UUID string")
    try:
        return UUID(value)
    except ValueError:
        raise FieldTypeError("must be a UUID string") from None


def _enum(value: object, enum_type: type[Enum]) -> Enum:
    for member in enum_type:
        if type(member.value) is type(value) and member.value == value:
            return member
    raise FieldTypeError("must be one of " + ", ".join(str(m.value) for m in enum_type))


def _is_homogenous(kind: type) -> Callable[[Any], bool]:
    def predicate(tp: Any) -> bool:
        args = typing.get_args(tp)
        if typing.get_origin(tp) is not kind:
            return False
        return kind is frozenset or (len(args) == 2 and args[1] is Ellipsis)

    return predicate


def _sequence_factory(tp: Any, converter: BaseConverter) -> Callable[[object, type], object]:
    elem = typing.get_args(tp)[0]
    as_tuple = homogenous_tuple_structure_factory(tuple[elem, ...], converter)  # type: ignore[valid-type]
    make_set = typing.get_origin(tp) is frozenset

    def structure(value: object, _: type) -> object:
        if not isinstance(value, list):
            raise FieldTypeError("must be an array")
        items = as_tuple(value, tp)
        return frozenset(items) if make_set else items

    return structure


def _attrs_factory(cls: type, converter: BaseConverter) -> Callable[[object, type], object]:
    inner: Callable[[Any, Any], object] = make_dict_structure_fn(cls, converter, _cattrs_forbid_extra_keys=True)

    def structure(value: object, _: type) -> object:
        if not isinstance(value, dict):
            raise FieldTypeError("must be an object")
        return inner(value, cls)

    return structure


def make_strict_converter() -> BaseConverter:
    """Return the project's converter: unknown keys forbidden, no type coercion anywhere."""
    converter = make_converter(forbid_extra_keys=True, detailed_validation=True)
    for kind, hook in ((str, _str), (int, _int), (bool, _bool), (date, _date), (Decimal, _decimal), (UUID, _uuid)):
        converter.register_structure_hook(kind, hook)
    converter.register_structure_hook(datetime, _datetime)
    # Hooks dispatch by class hierarchy: StrEnum and IntEnum must be named, or their `str`/`int` base would win.
    for enum_kind in (Enum, StrEnum, IntEnum):
        converter.register_structure_hook(enum_kind, _enum)
    converter.register_structure_hook_factory(_is_homogenous(tuple), _sequence_factory)
    converter.register_structure_hook_factory(_is_homogenous(frozenset), _sequence_factory)
    converter.register_structure_hook_factory(attrs.has, _attrs_factory)
    return converter


CONVERTER = make_strict_converter()


def field_errors(exc: BaseException, path: str = "") -> list[FieldError]:
    """Flatten a cattrs error tree into field errors with body paths (`insurances[0].rank`)."""
    if isinstance(exc, ForbiddenExtraKeysError):
        prefix = f"{path}." if path else ""
        return [
            FieldError(field=f"{prefix}{name}", message="is not a known field") for name in sorted(exc.extra_fields)
        ]
    if isinstance(exc, IterableValidationError):
        with_notes, without = exc.group_exceptions()
        found = [e for sub, note in with_notes for e in field_errors(sub, f"{path}[{note.index}]")]
        return found + [e for sub in without for e in field_errors(sub, path)]
    if isinstance(exc, ClassValidationError):
        with_notes_cls, without_cls = exc.group_exceptions()
        found = [
            e for sub, note in with_notes_cls for e in field_errors(sub, f"{path}.{note.name}" if path else note.name)
        ]
        return found + [e for sub in without_cls for e in field_errors(sub, path)]
    return [FieldError(field=path or "$", message=_message(exc))]


def _message(exc: BaseException) -> str:
    if isinstance(exc, FieldTypeError):
        return str(exc)
    if isinstance(exc, KeyError):
        return "is required"
    if isinstance(exc, TypeError | ValueError | AttributeError):
        return "has the wrong type"
    return "is not valid"


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes) -> object:
    """Parse a body as JSON, or raise a 400 problem that does not echo it."""
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError):
        raise ProblemError.bad_request("body_not_json", "the request body is not valid JSON") from None
    except RecursionError:  # nested deeper than any body of this API (thousands of levels)
        raise ProblemError.bad_request("body_not_json", "the request body is nested too deeply") from None


def structure(value: object, target: type[T]) -> T:
    """Structure parsed JSON into `target`, or raise a 422 problem listing every bad field."""
    try:
        return CONVERTER.structure(value, target)
    except Exception as exc:
        raise unprocessable(field_errors(exc)) from None


def decode(raw: bytes, target: type[T]) -> T:
    """Parse and structure a JSON body strictly: 400 when not JSON, 422 for any field problem."""
    return structure(parse_json(raw), target)


def decode_in_order(raw: bytes, target: type[T], before_fields: Callable[[], RefusalContext | None]) -> T:
    """Decode a body; when its fields are refused (422), the checks API.md orders before 422 answer first.

    When they pass and say what the request was about, the 422 is that action's refusal, audited as one.
    """
    value = parse_json(raw)
    try:
        return CONVERTER.structure(value, target)
    except Exception as exc:  # any cattrs error: its field paths are the answer
        refuse_fields(field_errors(exc), before_fields)


def refuse_fields(errors: Iterable[FieldError], before_fields: Callable[[], RefusalContext | None]) -> NoReturn:
    """Answer a body's field problems after the checks API.md orders first; audited when they say what it was about."""
    about = before_fields()
    if about is None:
        raise unprocessable(errors)
    raise EdgeRefusal(ValidationFailed(errors=tuple(errors)), about.action, about=about)


async def json_body_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Answer 415, 413 or 400 for a body route before anything else runs (authentication included)."""
    media_type = connection.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise ProblemError(415, "unsupported_media_type", "Unsupported media type", "the body must be application/json")
    if isinstance(connection, Request):
        parse_json(await connection.body())  # the body read raises 413 past the size limit


async def query_text_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Answer 400 for a query parameter holding NUL (`%00`), which no text column can store, before anything runs."""
    raw: bytes = connection.scope.get("query_string", b"")
    if b"%00" not in raw and b"\x00" not in raw:  # the only ways a NUL arrives; most requests stop here
        return
    errors = [
        {"field": name, "source": "query", "message": problem}
        for name, value in connection.query_params.multi_items()
        if (problem := text_problem(name) or text_problem(value)) is not None
    ]
    if errors:
        raise ProblemError.bad_request(
            "invalid_parameters", "some path, query or header parameters are not valid", errors=errors
        )


def with_body(*body_types: type) -> dict[str, Any]:
    """Return route handler options for a JSON body: the strictness guard and its OpenAPI schema."""
    return {"guards": [json_body_guard], "operation_class": body_operation(*body_types)}


async def optional_json_body_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Like `json_body_guard`, for actions whose body may be left out: an empty body passes, whatever its type."""
    if isinstance(connection, Request) and not (await connection.body()).strip():
        return
    await json_body_guard(connection, handler)


def with_optional_body(*body_types: type) -> dict[str, Any]:
    """Return route handler options for a JSON body that may be left out: its guard and its OpenAPI schema."""
    return {"guards": [optional_json_body_guard], "operation_class": body_operation(*body_types, required=False)}


def decode_optional(raw: bytes, target: type[T], before_fields: Callable[[], RefusalContext | None]) -> T:
    """Decode an optional body in order (`decode_in_order`); no body at all reads as `{}`."""
    return decode_in_order(raw if raw.strip() else b"{}", target, before_fields)

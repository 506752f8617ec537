"""OpenAPI for what Litestar cannot see: strictly decoded request bodies and the problems each route answers."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import attrs
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIFormat

from entrypoints.http.problems import PROBLEM_MEDIA_TYPE, Problem

_PROBLEM_DESCRIPTIONS = {
    400: "Malformed request: body not JSON, or bad query, path or header values",
    401: "Missing, malformed, expired or revoked bearer token",
    403: "The caller's role or permissions do not allow this",
    404: "Not found, or not within the caller's reach",
    409: "Conflict with the current state (duplicate, concurrent change, idempotent request in progress)",
    412: "If-Match names a version that is no longer current",
    413: "Request body or uploaded file too large",
    415: "Body not application/json (multipart/form-data for uploads), or an uploaded file not PDF, PNG, JPEG or TIFF",
    422: "Body fields missing, unknown, of the wrong type or invalid",
    429: "Rate limited; see Retry-After",
    503: "A dependency (the database, Redis) is unavailable; see Retry-After",
}

_SCALARS: dict[Any, Schema] = {
    str: Schema(type=OpenAPIType.STRING),
    int: Schema(type=OpenAPIType.INTEGER),
    bool: Schema(type=OpenAPIType.BOOLEAN),
    date: Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE),
    datetime: Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME),
    Decimal: Schema(type=OpenAPIType.STRING, pattern=r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"),
    UUID: Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.UUID),
}


def schema_for(tp: Any) -> Schema:
    """Return the JSON schema of a body type as the strict converter reads it: unknown keys are refused."""
    while hasattr(tp, "__supertype__"):  # NewType ids
        tp = tp.__supertype__
    if tp in _SCALARS:
        return _SCALARS[tp]
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        members = [schema_for(a) for a in typing.get_args(tp) if a is not type(None)]
        nullable = type(None) in typing.get_args(tp)
        choices = members + ([Schema(type=OpenAPIType.NULL)] if nullable else [])
        return choices[0] if len(choices) == 1 else Schema(one_of=choices)
    if origin in (tuple, frozenset, list):
        unique = True if origin is frozenset else None
        return Schema(type=OpenAPIType.ARRAY, items=schema_for(typing.get_args(tp)[0]), unique_items=unique)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return Schema(type=OpenAPIType.STRING, enum=[m.value for m in tp])
    if attrs.has(tp):
        return _object_schema(tp)
    raise TypeError(f"no schema for {tp!r}")


def _object_schema(cls: type) -> Schema:
    hints = typing.get_type_hints(cls)
    fields = attrs.fields(cls)
    return Schema(
        type=OpenAPIType.OBJECT,
        title=cls.__name__,
        properties={f.name: schema_for(hints[f.name]) for f in fields},
        required=[f.name for f in fields if f.default is attrs.NOTHING] or None,
        additional_properties=False,
    )


def body_operation(*body_types: type, required: bool = True) -> type[Operation]:
    """Return an Operation class that publishes a JSON request body the handler decodes itself."""
    schemas = [schema_for(t) for t in body_types]
    schema = schemas[0] if len(schemas) == 1 else Schema(one_of=schemas)
    request_body = RequestBody(required=required, content={"application/json": OpenAPIMediaType(schema=schema)})

    @dataclass
    class OperationWithBody(Operation):
        def __post_init__(self) -> None:
            self.request_body = request_body

    return OperationWithBody


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """Document the problem statuses a route can answer; every route can answer 503 when a dependency is down."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_PROBLEM_DESCRIPTIONS[status],
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
        )
        for status in sorted({*statuses, 503})
    }


PUBLIC = (400,)
PROTECTED = (400, 401, 403)
BODY = (400, 413, 415, 422)

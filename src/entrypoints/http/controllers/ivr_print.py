"""The printable IVR: `GET /api/v1/ivrs/{id}/pdf`, the full content as a PDF attachment; PHI, so never cached."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)
from litestar.params import PathParameter, SkipValidation

from entrypoints.http.auth import BearerAuth
from entrypoints.http.controllers.support import BEARER, ok
from entrypoints.http.headers import object_headers
from entrypoints.http.openapi import PROTECTED, problem_responses
from ivr_domain.ivr.use_cases.printable import PrintIvrHandler
from ivr_domain.shared.ids import IvrId

MEDIA_TYPE = "application/pdf"
IvrIdPath = Annotated[UUID, PathParameter(description="the IVR's id")]


def _header(description: str) -> OpenAPIHeader:
    return OpenAPIHeader(description=description, required=True, schema=Schema(type=OpenAPIType.STRING))


_PDF = OpenAPIResponse(
    description="The IVR as a PDF, in full (roles with the masked view get 403)",
    content={MEDIA_TYPE: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY))},
    headers={
        "Content-Disposition": _header('attachment; filename="<reference>.pdf"'),
        "ETag": _header('the IVR version printed, e.g. "3"'),
        "Cache-Control": _header("no-store"),
        "Vary": _header("Authorization"),
    },
)


@dataclass
class PdfOperation(Operation):
    """Publishes the binary answer of the printable IVR."""

    def __post_init__(self) -> None:
        if self.responses is not None:
            self.responses["200"] = _PDF


class IvrPrintController(Controller):
    """The printable IVR, for the roles that see IVRs in full."""

    path = "/api/v1/ivrs"
    tags = ["ivrs"]
    security = BEARER

    @get(
        "/{ivr_id:str}/pdf",
        sync_to_thread=True,
        operation_class=PdfOperation,
        responses=problem_responses(*PROTECTED, 404),
    )
    def print_ivr(
        self,
        *,
        request: Request[Any, Any, Any],
        ivr_id: IvrIdPath,
        bearer: SkipValidation[BearerAuth],
        print_ivr: SkipValidation[PrintIvrHandler],
    ) -> Response[bytes]:
        """Download the IVR as a PDF to send or sign; audited as a read of the patient's record."""
        printed = ok(print_ivr(bearer.actor(request), IvrId(ivr_id)))
        headers = {
            **object_headers(printed.version, phi=True),
            # The reference (IVR-2026-000123) names no one, so it may stand in the file name.
            "Content-Disposition": f'attachment; filename="{printed.reference}.pdf"',
            "X-Content-Type-Options": "nosniff",
        }
        return Response(printed.content, media_type=printed.media_type, headers=headers)

"""The Litestar application: controllers over the container's handlers, problems for every failure."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from litestar import Litestar
from litestar.di import Provide

from entrypoints.http.allow import AllowHeaderFix
from entrypoints.http.auth import BearerAuth, SessionCache
from entrypoints.http.controllers.auth import AuthController
from entrypoints.http.controllers.health import HealthController, Readiness
from entrypoints.http.controllers.patients import PatientsController
from entrypoints.http.controllers.practices import PracticesController
from entrypoints.http.controllers.users import UsersController
from entrypoints.http.docs_ui import openapi_config, static_assets_router
from entrypoints.http.idempotency import Idempotency
from entrypoints.http.logging import RequestLogMiddleware, configure_logging
from entrypoints.http.responses import handle_exception

if TYPE_CHECKING:
    from entrypoints.container import Container

API_VERSION = "1.0.0"

# Container providers the controllers take by name, each resolved per request so overrides apply.
HANDLERS = (
    "login", "refresh", "logout", "change_password", "forgot_password", "reset_password",
    "create_user", "get_user", "list_users", "update_user", "deactivate_user", "set_permissions",
    "assign_member", "assignment_history", "hierarchy",
    "create_practice", "get_practice", "list_practices", "update_practice",
    "create_patient", "get_patient", "update_patient", "archive_patient", "list_patients", "search_patients",
)  # fmt: skip


def _resolver(container: Container, name: str) -> Callable[[], Any]:
    provider = getattr(container, name)

    def resolve() -> Any:
        return provider()

    return resolve


def _constant(value: Any) -> Callable[[], Any]:
    def resolve() -> Any:
        return value

    return resolve


def create_app(container: Container) -> Litestar:
    """Build the HTTP application for a container; settings come from the container."""
    settings = container.settings()
    configure_logging(settings.log_level)
    bearer = BearerAuth(authenticate=container.authenticate, cache=SessionCache(settings.http.session_cache_seconds))
    idempotency = Idempotency(
        store=container.idempotency,
        clock=container.clock,
        ttl_seconds=int(settings.http.idempotency_ttl.total_seconds()),
    )
    dependencies = {name: Provide(_resolver(container, name), sync_to_thread=False) for name in HANDLERS}
    dependencies |= {
        "bearer": Provide(_constant(bearer), sync_to_thread=False),
        "idempotency": Provide(_constant(idempotency), sync_to_thread=False),
        "settings": Provide(_constant(settings), sync_to_thread=False),
        "readiness": Provide(lambda: Readiness(container.readiness()), sync_to_thread=False),
    }
    app = Litestar(
        route_handlers=[
            AuthController, UsersController, PracticesController, PatientsController, HealthController,
            static_assets_router(),
        ],
        dependencies=dependencies,
        exception_handlers={Exception: handle_exception},
        openapi_config=openapi_config(API_VERSION),
        request_max_body_size=settings.http.max_body_bytes,
        logging_config=None,
        debug=False,
    )  # fmt: skip
    # Wrapping the whole ASGI handler (not route middleware) gives unrouted requests a correlation id and a log line.
    app.asgi_handler = RequestLogMiddleware(AllowHeaderFix(app.asgi_handler, app))
    return app

"""The Litestar application: controllers over the container's handlers, problems for every failure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from litestar import Litestar, Router
from litestar.di import Provide

from entrypoints.http.allow import AllowHeaderFix
from entrypoints.http.auth import BearerAuth, SessionCache
from entrypoints.http.controllers.audit import AccessReportController, AuditController
from entrypoints.http.controllers.auth import AuthController
from entrypoints.http.controllers.documents import DocumentsController
from entrypoints.http.controllers.health import HealthController, Readiness
from entrypoints.http.controllers.ivr_bulk import IvrBulkController
from entrypoints.http.controllers.ivr_documents import IvrDocumentsController
from entrypoints.http.controllers.ivr_justifications import JustificationsController
from entrypoints.http.controllers.ivr_print import IvrPrintController
from entrypoints.http.controllers.ivr_queue import IvrQueueController
from entrypoints.http.controllers.ivr_templates import IvrTemplatesController
from entrypoints.http.controllers.ivrs import IvrsController
from entrypoints.http.controllers.notifications import NotificationsController
from entrypoints.http.controllers.patients import PatientsController
from entrypoints.http.controllers.practices import PracticesController
from entrypoints.http.controllers.users import UsersController
from entrypoints.http.decoding import query_text_guard
from entrypoints.http.docs_ui import openapi_config, problem_page, static_assets_router
from entrypoints.http.idempotency import Idempotency
from entrypoints.http.logging import RequestLogMiddleware, configure_logging
from entrypoints.http.responses import handle_exception
from entrypoints.http.uploads import FORM_OVERHEAD_BYTES
from entrypoints.periodic import PeriodicTask

if TYPE_CHECKING:
    from entrypoints.container import Container
    from entrypoints.settings import Settings

API_VERSION = "1.0.0"

Hook = Callable[[], None]

# Container providers the controllers take by name, each resolved per request so overrides apply.
HANDLERS = (
    "login", "refresh", "logout", "change_password", "forgot_password", "reset_password",
    "create_user", "get_user", "list_users", "update_user", "deactivate_user", "set_permissions",
    "assign_member", "assignment_history", "hierarchy",
    "create_practice", "get_practice", "list_practices", "update_practice",
    "create_patient", "get_patient", "update_patient", "archive_patient", "list_patients", "search_patients",
    "search_audit_log", "access_report",
    "upload_document", "list_documents", "get_document",
    "upload_ivr_document", "list_ivr_documents", "get_ivr_document",
    "list_notifications", "mark_notification_read", "mark_all_notifications_read",
    "create_ivr", "update_ivr", "get_ivr", "list_ivrs", "ivr_history", "act_on_ivr", "ivr_queue", "assign_reviewer",
    "bulk_approve_ivrs",
    "print_ivr",
    "create_ivr_template", "update_ivr_template", "delete_ivr_template", "get_ivr_template", "list_ivr_templates",
    "justification_library",
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


def _timers(container: Container, settings: Settings) -> list[PeriodicTask]:
    timers = []
    if settings.audit.seal_interval_seconds > 0:
        sealer = PeriodicTask(
            "audit-sealer", lambda: container.audit_sealer().seal_all(), settings.audit.seal_interval_seconds
        )
        timers.append(sealer)
    # With procrastinate the worker expires approvals; the embedded default does it here.
    if settings.events.dispatch == "inline" and settings.ivr_expiry_seconds > 0:
        timers.append(PeriodicTask("ivr-expiry", container.expire_lapsed_ivrs(), settings.ivr_expiry_seconds))
    return timers


def _event_lifecycle(container: Container, settings: Settings) -> tuple[list[Hook], list[Hook]]:
    """Start the in-process event relay (its first work replays leftovers) and its replay timer; stop them.

    Only for inline dispatch: with procrastinate, `ivr worker` dispatches, replays and sequences.
    """
    if settings.events.dispatch != "inline":
        return [], []
    relay = container.event_relay()
    grace = timedelta(seconds=settings.events.replay_after_seconds)

    def outbox_pass() -> None:
        container.event_relay().replay_soon(grace)
        container.event_sequencer().sequence_all()

    interval = settings.events.replay_interval_seconds
    timers = [PeriodicTask("outbox", outbox_pass, interval)] if interval > 0 else []
    # The timer's last pass queues a replay; the relay finishes its queue before it stops.
    return [relay.start, *(t.start for t in timers)], [*(t.stop for t in timers), relay.stop]


def create_app(container: Container) -> Litestar:
    """Build the HTTP application for a container; settings come from the container."""
    settings = container.settings()
    configure_logging(settings.log_level)
    bearer = BearerAuth(
        authenticate=container.authenticate,
        cache=SessionCache(settings.http.session_cache_seconds),
        trusted_proxies=settings.http.trusted_proxies,
    )
    idempotency = Idempotency(
        store=container.idempotency,
        clock=container.clock,
        audit=container.audit_trail,
        ttl_seconds=int(settings.http.idempotency_ttl.total_seconds()),
    )
    dependencies = {name: Provide(_resolver(container, name), sync_to_thread=False) for name in HANDLERS}
    dependencies |= {
        "bearer": Provide(bearer.dependency(), sync_to_thread=False),
        "idempotency": Provide(_constant(idempotency), sync_to_thread=False),
        "settings": Provide(_constant(settings), sync_to_thread=False),
        "readiness": Provide(lambda: Readiness(container.readiness()), sync_to_thread=False),
    }
    timers = _timers(container, settings)
    event_startup, event_shutdown = _event_lifecycle(container, settings)
    # Uploads get their own body limit: the document limit (a setting) plus room for the form around the file.
    documents = Router(
        path="/",
        route_handlers=[DocumentsController, IvrDocumentsController],
        request_max_body_size=settings.documents.max_bytes + FORM_OVERHEAD_BYTES,
    )
    app = Litestar(
        on_startup=[*event_startup, *(timer.start for timer in timers)],
        # The sealer stops last, so its final pass seals what the event handlers wrote.
        on_shutdown=[*event_shutdown, *(timer.stop for timer in timers)],
        route_handlers=[
            AuthController, UsersController, PracticesController, PatientsController, HealthController,
            AuditController, AccessReportController, documents, NotificationsController, IvrsController,
            IvrTemplatesController, JustificationsController,
            IvrQueueController, IvrBulkController, IvrPrintController, static_assets_router(), problem_page,
        ],
        dependencies=dependencies,
        guards=[query_text_guard],
        exception_handlers={Exception: handle_exception},
        openapi_config=openapi_config(API_VERSION),
        request_max_body_size=settings.http.max_body_bytes,
        logging_config=None,
        debug=False,
    )  # fmt: skip
    app.state.audit_trail = container.audit_trail  # the edge's own refusals (responses.handle_exception)
    # Wrapping the whole ASGI handler (not route middleware) gives unrouted requests a correlation id and a log line.
    app.asgi_handler = RequestLogMiddleware(AllowHeaderFix(app.asgi_handler, app))
    return app

"""The caller's own in-app notifications: list (cursor-paged, `unread` filter), read one, read all."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import PathParameter, QueryParameter, SkipValidation

from entrypoints.http.auth import BearerAuth
from entrypoints.http.controllers.support import BEARER, Cursor, Limit, ok, page_request, sort_description
from entrypoints.http.headers import PHI_HEADERS
from entrypoints.http.openapi import PROTECTED, problem_responses
from entrypoints.http.schemas.notifications import MarkedOut, NotificationOut, NotificationPage, notification_out
from ivr_domain.notifications.ports import NOTIFICATION_SORTS, NotificationFilter
from ivr_domain.notifications.use_cases import (
    ListNotificationsHandler,
    MarkAllNotificationsReadHandler,
    MarkNotificationReadHandler,
)
from ivr_domain.shared.ids import NotificationId

Sort = Annotated[str, QueryParameter(description=sort_description(*NOTIFICATION_SORTS))]
Unread = Annotated[bool | None, QueryParameter(description="true: unread only; false: read only; absent: all")]
NotificationIdPath = Annotated[UUID, PathParameter(description="the notification's id")]


class NotificationsController(Controller):
    """Every user reads and marks their own notifications only; another user's answer 404."""

    path = "/api/v1/notifications"
    tags = ["notifications"]
    security = BEARER

    @get("/", sync_to_thread=True, responses=problem_responses(*PROTECTED))
    def list_notifications(
        self,
        *,
        request: Request[Any, Any, Any],
        bearer: SkipValidation[BearerAuth],
        list_notifications: SkipValidation[ListNotificationsHandler],
        unread: Unread = None,
        limit: Limit = 50,
        cursor: Cursor = None,
        sort: Sort = "-created_at",
    ) -> Response[NotificationPage]:
        """List the caller's notifications, newest first by default."""
        actor = bearer.actor(request)
        page = ok(list_notifications(actor, NotificationFilter(unread=unread), page_request(limit, cursor, sort)))
        out = NotificationPage(items=[notification_out(n) for n in page.items], next_cursor=page.next_cursor)
        return Response(out, headers=PHI_HEADERS)

    @post("/read-all", sync_to_thread=True, status_code=200, responses=problem_responses(*PROTECTED))
    def mark_all_notifications_read(
        self,
        *,
        request: Request[Any, Any, Any],
        bearer: SkipValidation[BearerAuth],
        mark_all_notifications_read: SkipValidation[MarkAllNotificationsReadHandler],
    ) -> Response[MarkedOut]:
        """Mark every unread notification of the caller read; answers how many."""
        marked = ok(mark_all_notifications_read(bearer.actor(request)))
        return Response(MarkedOut(marked=marked), headers=PHI_HEADERS)

    @post(
        "/{notification_id:str}/read",
        sync_to_thread=True,
        status_code=200,
        responses=problem_responses(*PROTECTED, 404),
    )
    def mark_notification_read(
        self,
        *,
        request: Request[Any, Any, Any],
        notification_id: NotificationIdPath,
        bearer: SkipValidation[BearerAuth],
        mark_notification_read: SkipValidation[MarkNotificationReadHandler],
    ) -> Response[NotificationOut]:
        """Mark one of the caller's notifications read (again: no change, the first time is kept)."""
        found = ok(mark_notification_read(bearer.actor(request), NotificationId(notification_id)))
        return Response(notification_out(found), headers=PHI_HEADERS)

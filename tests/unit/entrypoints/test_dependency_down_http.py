"""A dependency out of reach is a 503 with Retry-After; the exception's SQL and parameters reach no answer, no log."""

from __future__ import annotations

import json
from typing import Any

import pytest
import redis
from dependency_injector import providers
from sqlalchemy import exc

from ivr_domain.identity.model import User
from tests.platform import PASSWORD, Platform
from tests.unit.entrypoints.conftest import Client, assert_problem

LOGIN = "/api/v1/auth/login"
STATEMENT = "SELECT password_hash FROM users WHERE email = %(email)s"
PARAMETERS = {"email": "zanzibar@example.org"}


def _login(client: Client, platform: Platform, admin: User, failure: Exception) -> Any:
    def unreachable() -> object:
        raise failure

    with platform.container.uow.override(providers.Callable(unreachable)):
        return client.post(LOGIN, json={"email": admin.email.value, "password": PASSWORD})


@pytest.mark.parametrize(
    "failure",
    [
        exc.OperationalError(STATEMENT, PARAMETERS, OSError("connection refused by 10.9.8.7")),
        exc.InterfaceError(STATEMENT, PARAMETERS, OSError("connection already closed")),
        exc.TimeoutError("QueuePool limit of size 10 overflow 20 reached, connection timed out"),
        redis.ConnectionError("Error 111 connecting to 10.9.8.7:6379. Connection refused."),
    ],
    ids=["operational", "interface", "pool-timeout", "redis"],
)
def test_a_dependency_out_of_reach_is_503_with_retry_after(
    client: Client, platform: Platform, admin: User, failure: Exception, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    response = _login(client, platform, admin, failure)
    problem = assert_problem(response, 503)
    assert problem["type"] == "/docs/problems/service_unavailable"
    assert problem["retry_after"] == int(response.headers["retry-after"]) >= 1
    logged = capsys.readouterr().err
    for leak in ("SELECT", "password_hash", "zanzibar", "10.9.8.7", "QueuePool", admin.email.value):
        assert leak not in response.text, leak
        assert leak not in logged, leak
    [line] = [json.loads(x) for x in logged.splitlines() if '"dependency_unavailable"' in x]
    assert line["correlation_id"] == problem["correlation_id"]
    assert type(failure).__name__ in line["exception_type"]


def test_a_mistake_in_a_query_is_still_a_500(client: Client, platform: Platform, admin: User) -> None:
    mistake = exc.ProgrammingError(STATEMENT, PARAMETERS, Exception('column "password_hash" does not exist'))
    response = _login(client, platform, admin, mistake)
    assert assert_problem(response, 500)["type"] == "/docs/problems/internal_error"
    assert "SELECT" not in response.text

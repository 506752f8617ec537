"""Refresh-token rotation and reuse detection, driven at random against a model."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from attrs import define, field
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, precondition, rule
from returns.result import Success

from ivr_domain.identity.use_cases.auth import Refresh
from ivr_domain.shared.actor import Role
from tests.platform import memory_platform, value_of


@define
class ModelSession:
    """What the model believes of one login."""

    current_refresh: str
    access_tokens: list[str]
    access_issued_at: datetime
    used_refreshes: list[str] = field(factory=list)
    ended: bool = False


class RefreshRotation(RuleBasedStateMachine):
    """Logins, refreshes, replays of used tokens and logouts never disagree with the model."""

    sessions = Bundle("sessions")

    def __init__(self) -> None:
        super().__init__()
        # Rate limits are another test's subject; here many logins within a minute must all succeed.
        limits = {"IVR_LOGIN_LIMIT_PER_ACCOUNT": "1000", "IVR_LOGIN_LIMIT_PER_ADDRESS": "1000"}
        self.platform = memory_platform(Path(tempfile.mkdtemp()), now=datetime(2026, 11, 25, 9, tzinfo=UTC), env=limits)
        self.platform.user("doc@example.org", Role.DOCTOR)
        self.model: list[ModelSession] = []

    @rule(target=sessions)
    def log_in(self) -> int:
        pair = value_of(self.platform.login("doc@example.org"))
        self.model.append(
            ModelSession(
                current_refresh=pair.refresh_token,
                access_tokens=[pair.access_token],
                access_issued_at=self.platform.clock.now(),
            )
        )
        return len(self.model) - 1

    @rule(index=sessions)
    def refresh_with_current_token(self, index: int) -> None:
        session = self.model[index]
        result = self.platform.container.refresh()(Refresh(refresh_token=session.current_refresh))
        if session.ended:
            assert not isinstance(result, Success)
            return
        pair = value_of(result)
        session.used_refreshes.append(session.current_refresh)
        session.current_refresh = pair.refresh_token
        session.access_tokens.append(pair.access_token)
        session.access_issued_at = self.platform.clock.now()

    @precondition(lambda self: any(s.used_refreshes for s in self.model))
    @rule(data=st.data())
    def replay_a_used_token(self, data: st.DataObject) -> None:
        candidates = [s for s in self.model if s.used_refreshes]
        session = data.draw(st.sampled_from(candidates))
        token = data.draw(st.sampled_from(session.used_refreshes))
        result = self.platform.container.refresh()(Refresh(refresh_token=token))
        assert not isinstance(result, Success)
        session.ended = True

    @rule(index=consumes(sessions))
    def log_out(self, index: int) -> None:
        session = self.model[index]
        if not session.ended:
            self.refresh_with_current_token(index)  # a fresh access token to log out with
        auth = self.platform.container.authenticate()(session.access_tokens[-1])
        if session.ended:
            assert not isinstance(auth, Success)
            return
        value_of(self.platform.container.logout()(value_of(auth)))
        session.ended = True

    @rule()
    def let_a_minute_pass(self) -> None:
        self.platform.clock.advance(timedelta(minutes=1))

    @invariant()
    def only_live_sessions_authenticate(self) -> None:
        now = self.platform.clock.now()
        for session in self.model:
            # Checked every step, a live session is never idle for more than a minute, so only
            # the end of the session and the ten-minute life of the access token decide.
            result = self.platform.container.authenticate()(session.access_tokens[-1])
            fresh = now - session.access_issued_at < timedelta(minutes=10)
            assert isinstance(result, Success) == (fresh and not session.ended)


RefreshRotation.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
TestRefreshRotation = RefreshRotation.TestCase

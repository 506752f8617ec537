"""Logins, lockouts, rate limits, password changes and resets, and sessions on a moving clock, against a model.

The model is written from docs/identity.md: failures within the lockout window lock an account, attempts are
counted per minute per address and per account, a session lives while it is used within the idle limit and is
younger than the absolute limit, and a password change, a reset, a logout or a deactivation ends sessions. Counters
are fixed windows opened by their first count, as the `CounterStore` port says. Where the page is silent the model
takes the platform's reading: an attempt refused for its address does not count against the account, and attempts
on a locked account count no failures.
"""

from __future__ import annotations

import math
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from attrs import define, evolve, field
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from ivr_domain.identity.use_cases.auth import Refresh
from ivr_domain.identity.use_cases.credentials import PasswordAttempts
from ivr_domain.identity.use_cases.passwords import ChangePassword, ForgotPassword, ResetPassword
from ivr_domain.shared.actor import SYSTEM_ACTOR, Actor, Origin, Role
from ivr_domain.shared.audit import AuditEntry, Outcome
from ivr_domain.shared.errors import RateLimited, Unauthenticated, ValidationFailed
from ivr_domain.shared.ids import SessionId, UserId
from tests.platform import PASSWORD, error_of, memory_platform, value_of

# Local parts shorter than four letters, so the "no email name in the password" rule never applies.
EMAILS = ("ana@example.org", "bo@example.org")
GHOST = "nobody@example.org"
ADDRESSES = ("198.51.100.1", "198.51.100.2")
WRONG = "not the password at all"

# Small limits, so a run of thirty steps reaches every one of them.
ENV = {
    "IVR_SESSION_TOUCH_SECONDS": "60",
    "IVR_SESSION_ABSOLUTE_HOURS": "1",
    "IVR_LOCKOUT_THRESHOLD": "3",
    "IVR_LOGIN_LIMIT_PER_ACCOUNT": "5",
    "IVR_LOGIN_LIMIT_PER_ADDRESS": "8",
}
FORGOT_LIMIT_PER_ACCOUNT = 3  # docs/identity.md: "three a minute per email"

LIMITS = (
    "access_token_ttl",
    "idle_limit",
    "absolute_limit",
    "touch_interval",
    "lockout_window",
    "lockout_duration",
    "rate_window",
    "reset_token_ttl",
)


START = datetime(2026, 11, 25, 9, tzinfo=UTC)


@define
class Window:
    """A fixed-window counter: its count and when it lapses."""

    count: int
    ends: datetime


@define
class Counters:
    """Fixed windows opened by their first count."""

    windows: dict[str, Window] = field(factory=dict)

    def live(self, key: str, now: datetime) -> Window | None:
        """Return the window of a key unless it lapsed."""
        window = self.windows.get(key)
        return window if window is not None and now < window.ends else None

    def add(self, key: str, now: datetime, length: timedelta) -> int:
        """Count one and return the count."""
        window = self.live(key, now)
        if window is None:
            window = self.windows[key] = Window(count=0, ends=now + length)
        window.count += 1
        return window.count

    def retry_after(self, key: str, now: datetime) -> int:
        """Return the whole seconds until a key's window lapses."""
        window = self.windows[key]
        return max(1, math.ceil((window.ends - now).total_seconds()))

    def clear(self, key: str) -> None:
        """Forget a key."""
        self.windows.pop(key, None)


@define
class ModelAccount:
    """What the model believes of one account."""

    user_id: UserId
    password: str = PASSWORD
    former: list[str] = field(factory=list)
    active: bool = True
    password_changed: datetime = START  # accounts are made when the clock starts


@define
class ModelSession:
    """What the model believes of one login."""

    email: str
    address: str
    session_id: SessionId
    access_token: str
    access_issued: datetime
    refresh_token: str
    started: datetime
    last_seen: datetime  # as recorded: activity is written at most once per touch interval
    ended: bool = False


@define
class ModelResetToken:
    """A reset token sent to an account's owner."""

    email: str
    token: str
    issued: datetime
    expires: datetime
    used: bool = False


@define
class Refusal:
    """Why an attempt was refused, and for a rate limit how long to wait."""

    reason: str
    retry_after: int = 0


class LoginStateMachine(RuleBasedStateMachine):
    """Every login, session use, password change and reset agrees with the model, and is audited as it says."""

    def __init__(self) -> None:
        super().__init__()
        self.data_dir = tempfile.TemporaryDirectory()
        self.platform = memory_platform(Path(self.data_dir.name), now=START, env=ENV)
        self.policy = self.platform.container.settings().auth
        self.store = self.platform.container.memory_store()
        self.accounts = {email: ModelAccount(user_id=self.platform.user(email, Role.IVR_STAFF).id) for email in EMAILS}
        self.counters = Counters()
        self.sessions: list[ModelSession] = []
        self.reset_tokens: list[ModelResetToken] = []
        self.passwords_made = 0
        self.audit_seen = len(self.store.audit.rows)

    # The model

    @property
    def now(self) -> datetime:
        return self.platform.clock.now()

    def _password_attempt(self, email: str, address: str, password: str) -> Refusal | None:
        """Count an attempt as login and password change do; None when the password opens the account."""
        now, policy = self.now, self.policy
        for key, limit in (
            (f"login:addr:{address}", policy.login_limit_per_address),
            (f"login:acct:{email}", policy.login_limit_per_account),
        ):
            if self.counters.add(key, now, policy.rate_window) > limit:
                return Refusal(reason="rate_limited", retry_after=self.counters.retry_after(key, now))
        if self.counters.live(f"lock:{email}", now) is not None:
            return Refusal(reason="locked")
        account = self.accounts.get(email)
        right = account is not None and password == account.password
        if account is None or not account.active or not right:
            if self.counters.add(f"fail:{email}", now, policy.lockout_window) >= policy.lockout_threshold:
                self.counters.add(f"lock:{email}", now, policy.lockout_duration)
                self.counters.clear(f"fail:{email}")
                return Refusal(reason="lockout")
            return Refusal(reason="account_inactive" if right else "bad_credentials")
        self.counters.clear(f"fail:{email}")
        return None

    def _live(self, session: ModelSession) -> bool:
        now = self.now
        return (
            not session.ended
            and now - session.started < self.policy.absolute_limit
            and now - session.last_seen < self.policy.idle_limit
        )

    def _end_sessions(self, email: str, *, keep: SessionId | None = None) -> None:
        for session in self.sessions:
            if session.email == email and session.session_id != keep:
                session.ended = True

    def _fresh_password(self) -> str:
        self.passwords_made += 1
        return f"fresh passphrase number {self.passwords_made:04d}"

    def _guess(self, email: str, guess: str) -> str:
        account = self.accounts.get(email)
        if account is None:
            return PASSWORD if guess == "right" else WRONG  # an unknown email: no password opens it
        if guess == "right":
            return account.password
        if guess == "former" and account.former:
            return account.former[-1]
        return WRONG

    def _user_id(self, email: str) -> UserId | None:
        account = self.accounts.get(email)
        return account.user_id if account is not None else None

    # The audit log

    def _new_entries(self) -> list[AuditEntry]:
        rows = self.store.audit.rows[self.audit_seen :]
        self.audit_seen = len(self.store.audit.rows)
        # A password change or reset also notifies the account's owner, through the events it records.
        return [row.entry for row in rows if not row.entry.action.startswith("notifications.")]

    def _audited(
        self, action: str, outcome: Outcome, *, user_id: UserId | None, reason: str = "", address: str | None = None
    ) -> AuditEntry:
        entries = self._new_entries()
        assert [(e.action, e.outcome, e.reason, e.user_id) for e in entries] == [(action, outcome, reason, user_id)]
        if address is not None:
            assert entries[0].client_address == address
        return entries[0]

    # Rules

    @initialize()
    def everyone_is_at_work(self) -> None:
        """Start with every account logged in from every address, so that endings have sessions to end."""
        for email in EMAILS:
            for address in ADDRESSES:
                self._log_in_once(email, address, self.accounts[email].password)

    @rule(
        email=st.sampled_from((*EMAILS, *EMAILS, GHOST)),
        address=st.sampled_from(ADDRESSES),
        guess=st.sampled_from(("right", "right", "right", "wrong", "former")),
    )
    def log_in(self, email: str, address: str, guess: str) -> None:
        self._log_in_once(email, address, self._guess(email, guess))

    @rule(email=st.sampled_from((*EMAILS, GHOST)), address=st.sampled_from(ADDRESSES), times=st.integers(1, 3))
    def guess_passwords(self, email: str, address: str, times: int) -> None:
        """Try wrong passwords in a row, as a guesser would."""
        for _ in range(times):
            self._log_in_once(email, address, WRONG)

    def _log_in_once(self, email: str, address: str, password: str) -> None:
        result = self.platform.login(email, password, address)
        refusal = self._password_attempt(email, address, password)
        if refusal is None:
            pair = value_of(result)
            entry = self._audited("auth.login", Outcome.SUCCESS, user_id=self._user_id(email), address=address)
            assert entry.session_id is not None
            now = self.now
            self.sessions.append(
                ModelSession(
                    email=email,
                    address=address,
                    session_id=entry.session_id,
                    access_token=pair.access_token,
                    access_issued=now,
                    refresh_token=pair.refresh_token,
                    started=now,
                    last_seen=now,
                )
            )
            return
        error = error_of(result)
        if refusal.reason == "rate_limited":
            assert isinstance(error, RateLimited)
            assert error.retry_after == refusal.retry_after
        else:
            # Whatever the cause, the caller learns only that the credentials did not open an account.
            assert error == Unauthenticated(detail="email or password is wrong")
        self._audited(
            "auth.login", Outcome.DENIED, user_id=self._user_id(email), reason=refusal.reason, address=address
        )

    @rule(
        amount=st.one_of(
            st.integers(1, 59).map(lambda s: timedelta(seconds=s)),
            st.integers(1, 90).map(lambda m: timedelta(minutes=m)),
            st.integers(1, 3).map(lambda h: timedelta(hours=h)),
        )
    )
    def let_time_pass(self, amount: timedelta) -> None:
        self.platform.clock.advance(amount)

    @rule(limit=st.sampled_from(LIMITS), offset=st.sampled_from((-1, 0, 1)))
    def let_a_limit_pass(self, limit: str, offset: int) -> None:
        """Advance to just before, exactly at, or just past a limit counted from now."""
        length: timedelta = getattr(self.policy, limit)
        self.platform.clock.advance(max(timedelta(seconds=1), length + timedelta(seconds=offset)))

    @precondition(lambda self: self._deadlines())
    @rule(data=st.data(), offset=st.sampled_from((-1, 0, 1)))
    def reach_a_deadline(self, data: st.DataObject, offset: int) -> None:
        """Advance to just before, exactly at, or just past a moment the model says something changes."""
        deadline = data.draw(st.sampled_from(self._deadlines()))
        self.platform.clock.advance(max(timedelta(seconds=1), deadline - self.now + timedelta(seconds=offset)))

    def _deadlines(self) -> list[datetime]:
        """Moments still ahead at which a token, a session, a counter or a lockout lapses."""
        policy = self.policy
        moments = [window.ends for window in self.counters.windows.values()]
        moments += [t.expires for t in self.reset_tokens if not t.used]
        for s in self.sessions:
            if not s.ended:
                moments += [
                    s.access_issued + policy.access_token_ttl,
                    s.last_seen + policy.idle_limit,
                    s.last_seen + policy.touch_interval,
                    s.started + policy.absolute_limit,
                ]
        return sorted({m for m in moments if m > self.now})

    def _use(self, session: ModelSession) -> Actor | None:
        """Authenticate as a request does; the actor when the model says the session is usable."""
        now = self.now
        origin = Origin(client_address=session.address)
        result = self.platform.container.authenticate()(session.access_token, origin)
        if now - session.access_issued >= self.policy.access_token_ttl:
            reason, user_id = "invalid_token", None
        elif not self._live(session):
            reason, user_id = "session_ended", self._user_id(session.email)
        else:
            actor = value_of(result)
            assert (actor.user_id, actor.session_id) == (self._user_id(session.email), session.session_id)
            assert self._new_entries() == []  # the use case the request runs audits it, not authentication
            if now - session.last_seen >= self.policy.touch_interval:
                session.last_seen = now
            return evolve(actor, origin=origin)  # as the HTTP layer attaches the request's origin
        assert isinstance(error_of(result), Unauthenticated)
        self._audited("auth.authenticate", Outcome.DENIED, user_id=user_id, reason=reason, address=session.address)
        return None

    @precondition(lambda self: self.sessions)
    @rule(data=st.data(), any_session=st.booleans())
    def use_a_session(self, data: st.DataObject, any_session: bool) -> None:
        self._use(data.draw(st.sampled_from(self.sessions)) if any_session else self._pick(data))

    def _pick(self, data: st.DataObject, *, needs_access: bool = True) -> ModelSession:
        """Draw a session the model thinks usable when there is one, since refusals are common enough."""
        now, ttl = self.now, self.policy.access_token_ttl
        usable = [s for s in self.sessions if self._live(s) and (not needs_access or now - s.access_issued < ttl)]
        return data.draw(st.sampled_from(usable or self.sessions))

    @precondition(lambda self: self.sessions)
    @rule(data=st.data())
    def refresh_a_session(self, data: st.DataObject) -> None:
        session = self._pick(data, needs_access=False)
        origin = Origin(client_address=session.address)
        result = self.platform.container.refresh()(Refresh(refresh_token=session.refresh_token), origin)
        user_id = self._user_id(session.email)
        if not self._live(session):
            assert isinstance(error_of(result), Unauthenticated)
            self._audited("auth.refresh", Outcome.DENIED, user_id=user_id, reason="session_ended")
            return
        pair = value_of(result)
        self._audited("auth.refresh", Outcome.SUCCESS, user_id=user_id)
        session.access_token, session.refresh_token = pair.access_token, pair.refresh_token
        session.access_issued = session.last_seen = self.now

    @precondition(lambda self: self.sessions)
    @rule(data=st.data())
    def log_out(self, data: st.DataObject) -> None:
        session = self._pick(data)
        actor = self._use(session)
        if actor is None:
            return
        value_of(self.platform.container.logout()(actor))
        self._audited("auth.logout", Outcome.SUCCESS, user_id=actor.user_id)
        session.ended = True

    @precondition(lambda self: self.sessions)
    @rule(data=st.data(), guess=st.sampled_from(("right", "right", "right", "wrong", "former")))
    def change_password(self, data: st.DataObject, guess: str) -> None:
        session = self._pick(data)
        actor = self._use(session)
        if actor is None:
            return
        current, new = self._guess(session.email, guess), self._fresh_password()
        result = self.platform.container.change_password()(
            actor, ChangePassword(current_password=current, new_password=new)
        )
        refusal = self._password_attempt(session.email, session.address, current)
        account = self.accounts[session.email]
        if refusal is None:
            value_of(result)
            self._audited("auth.password_change", Outcome.SUCCESS, user_id=account.user_id)
            account.former.append(account.password)
            account.password = new
            account.password_changed = self.now
            self._end_sessions(session.email, keep=session.session_id)
            return
        error = error_of(result)
        if refusal.reason == "rate_limited":
            assert isinstance(error, RateLimited)
            assert error.retry_after == refusal.retry_after
        else:
            # A locked account answers exactly like a wrong current password.
            assert isinstance(error, ValidationFailed)
            assert [e.field for e in error.errors] == ["current_password"]
        self._audited("auth.password_change", Outcome.DENIED, user_id=account.user_id, reason=refusal.reason)

    @rule(email=st.sampled_from((*EMAILS, *EMAILS, GHOST)), address=st.sampled_from(ADDRESSES), use_it=st.booleans())
    def forget_password(self, email: str, address: str, use_it: bool) -> None:
        """Ask for a reset, and perhaps use the token at once, as its owner would."""
        token = self._forget(email, address)
        if token is not None and use_it:
            self._reset(token)

    def _forget(self, email: str, address: str) -> ModelResetToken | None:
        """Ask for a reset; the token the model expects to be sent, if any."""
        sent_before = len(self.platform.notifier.sent)
        result = self.platform.container.forgot_password()(ForgotPassword(email=email, client_address=address))
        now, window = self.now, self.policy.rate_window
        limited = next(
            (
                key
                for key, limit in (
                    (f"forgot:addr:{address}", self.policy.login_limit_per_address),
                    (f"forgot:acct:{email}", FORGOT_LIMIT_PER_ACCOUNT),
                )
                if self.counters.add(key, now, window) > limit
            ),
            None,
        )
        user_id = self._user_id(email)
        sent = self.platform.notifier.sent[sent_before:]
        if limited is not None:
            assert isinstance(error_of(result), RateLimited)
            assert sent == []
            self._audited("auth.password_forgot", Outcome.DENIED, user_id=user_id, reason="rate_limited")
            return None
        value_of(result)
        account = self.accounts.get(email)
        if account is None or not account.active:
            assert sent == []
            self._audited("auth.password_forgot", Outcome.SUCCESS, user_id=user_id, reason="no_active_account")
            return None
        assert [s.user_id for s in sent] == [account.user_id]
        self._audited("auth.password_forgot", Outcome.SUCCESS, user_id=user_id)
        token = ModelResetToken(email=email, token=sent[0].token, issued=now, expires=now + self.policy.reset_token_ttl)
        self.reset_tokens.append(token)
        return token

    @precondition(lambda self: self.reset_tokens)
    @rule(data=st.data(), pick=st.sampled_from(("valid", "valid", "any", "made_up")))
    def reset_password(self, data: st.DataObject, pick: str) -> None:
        now = self.now
        valid = [
            t
            for t in self.reset_tokens
            if not t.used and now < t.expires and t.issued >= self.accounts[t.email].password_changed
        ]
        made_up = ModelResetToken(email=GHOST, token="a token nobody was sent", issued=now, expires=now)
        candidates = {"valid": valid or self.reset_tokens, "any": self.reset_tokens, "made_up": [made_up]}[pick]
        self._reset(data.draw(st.sampled_from(candidates)))

    def _reset(self, token: ModelResetToken) -> None:
        new = self._fresh_password()
        result = self.platform.container.reset_password()(ResetPassword(token=token.token, new_password=new))
        account = self.accounts.get(token.email)
        user_id = self._user_id(token.email)
        # A token sent before the password last changed (a change or another reset) opens nothing.
        void = account is None or not account.active or token.issued < account.password_changed
        if void or token.used or self.now >= token.expires:
            error = error_of(result)
            assert isinstance(error, ValidationFailed)
            assert [e.field for e in error.errors] == ["token"]
            self._audited("auth.password_reset", Outcome.INVALID, user_id=user_id, reason="validation_failed")
            return
        value_of(result)
        self._audited("auth.password_reset", Outcome.SUCCESS, user_id=user_id)
        token.used = True
        account.former.append(account.password)
        account.password = new
        account.password_changed = self.now
        self._end_sessions(token.email)
        self.counters.clear(f"lock:{token.email}")
        self.counters.clear(f"fail:{token.email}")

    # Only the last account, and only once it has logged in, so that the others keep the run interesting.
    @precondition(lambda self: self.accounts[EMAILS[-1]].active and any(s.email == EMAILS[-1] for s in self.sessions))
    @rule()
    def deactivate(self) -> None:
        email = EMAILS[-1]
        account = self.accounts[email]
        value_of(self.platform.container.deactivate_user()(SYSTEM_ACTOR, account.user_id))
        self._audited("users.deactivate", Outcome.SUCCESS, user_id=SYSTEM_ACTOR.user_id)
        account.active = False
        self._end_sessions(email)

    def teardown(self) -> None:
        self.data_dir.cleanup()

    # Checks that change nothing

    @invariant()
    def sessions_are_stored_as_the_model_says(self) -> None:
        """Ended exactly when the model ended them, with activity recorded at most once per touch interval."""
        for session in self.sessions:
            stored = self.store.sessions[session.session_id]
            assert (stored.ended_at is not None) == session.ended
            assert (stored.created_at, stored.last_seen_at) == (session.started, session.last_seen)
            assert stored.is_live(self.now, self.policy.idle_limit) == self._live(session)

    @invariant()
    def accounts_are_locked_as_the_model_says(self) -> None:
        attempts = PasswordAttempts(counters=self.platform.container.counters(), policy=self.policy)
        for email in (*EMAILS, GHOST):
            assert attempts.locked(email) == (self.counters.live(f"lock:{email}", self.now) is not None)

    @invariant()
    def nothing_else_was_audited(self) -> None:
        assert self._new_entries() == []


LoginStateMachine.TestCase.settings = settings(max_examples=50, stateful_step_count=30, deadline=None)
TestLoginStateMachine = LoginStateMachine.TestCase

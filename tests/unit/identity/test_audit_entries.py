"""Identity's audit trail: logins and their refusals, lockout, sessions, passwords, accounts and the hierarchy."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from ivr_domain.admin.ports import AuditQuery
from ivr_domain.identity.model import User
from ivr_domain.identity.use_cases.access import SetPermissions
from ivr_domain.identity.use_cases.auth import Login, Refresh
from ivr_domain.identity.use_cases.hierarchy import AssignMember
from ivr_domain.identity.use_cases.passwords import ChangePassword, ForgotPassword, ResetPassword
from ivr_domain.identity.use_cases.users import UpdateUser
from ivr_domain.shared.actor import SYSTEM_ACTOR, Origin, Permission, Purpose, Role
from ivr_domain.shared.audit import AuditEntry, Outcome
from ivr_domain.shared.errors import NotPermitted, RateLimited, Unauthenticated
from ivr_domain.shared.ids import UserId
from tests.platform import PASSWORD, Platform, error_of, value_of

DOCTOR = "doc@example.org"
WRONG = "not the password at all"


@pytest.fixture
def doctor(platform: Platform) -> User:
    return platform.user(DOCTOR, Role.DOCTOR, practice="Springfield Wound Clinic")


def _only(platform: Platform, action: str, **query: object) -> AuditEntry:
    entries = platform.audit(AuditQuery(action=action, **query))  # type: ignore[arg-type]
    assert len(entries) == 1, entries
    return entries[0]


def _text(entries: list[AuditEntry]) -> str:
    return repr([attrs.asdict(e) for e in entries])


def test_a_login_records_the_account_its_session_and_where_it_came_from(platform: Platform, doctor: User) -> None:
    origin = Origin(client_address="203.0.113.7", user_agent="pytest/1", correlation_id="corr-1")
    cmd = Login(email=DOCTOR, password=PASSWORD, client_address="203.0.113.7")
    value_of(platform.container.login()(cmd, origin))
    entry = _only(platform, "auth.login")
    assert entry.outcome is Outcome.SUCCESS
    assert (entry.user_id, entry.role) == (doctor.id, Role.DOCTOR)
    assert entry.session_id is not None
    assert (entry.resource_type, entry.resource_id) == ("session", str(entry.session_id))
    assert (entry.client_address, entry.user_agent, entry.correlation_id) == ("203.0.113.7", "pytest/1", "corr-1")


def test_a_failed_login_names_the_account_and_reason_never_the_email_or_password(
    platform: Platform, doctor: User
) -> None:
    error_of(platform.login(DOCTOR, WRONG))
    error_of(platform.login("nobody@example.org", WRONG))
    denied = platform.audit(AuditQuery(action="auth.login", outcome=Outcome.DENIED))
    assert sorted((e.user_id is None, e.reason) for e in denied) == [
        (False, "bad_credentials"),
        (True, "bad_credentials"),
    ]
    known = next(e for e in denied if e.user_id is not None)
    assert (known.user_id, known.role, known.client_address) == (doctor.id, Role.DOCTOR, "203.0.113.7")
    text = _text(platform.audit())
    for secret in (DOCTOR, "nobody@example.org", WRONG, PASSWORD):
        assert secret not in text


def test_lockout_and_the_attempts_it_refuses_are_audited_denials(platform: Platform, doctor: User) -> None:
    for _ in range(5):
        error_of(platform.login(DOCTOR, WRONG))
    assert isinstance(error_of(platform.login(DOCTOR)), Unauthenticated)  # the right password, while locked
    reasons = [e.reason for e in platform.audit(AuditQuery(action="auth.login", user_id=doctor.id))]
    assert sorted(reasons) == sorted(["bad_credentials"] * 4 + ["lockout", "locked"])
    assert all(e.outcome is Outcome.DENIED for e in platform.audit(AuditQuery(action="auth.login")))


def test_an_inactive_account_and_a_rate_limit_are_named_as_such(platform: Platform, doctor: User) -> None:
    admin = platform.user("admin@example.org", Role.ADMIN)
    value_of(platform.container.deactivate_user()(platform.actor(admin.email.value), doctor.id))
    error_of(platform.login(DOCTOR))
    assert _only(platform, "auth.login", user_id=doctor.id).reason == "account_inactive"
    limit = platform.container.settings().auth.login_limit_per_account
    results = [platform.login("nobody@example.org", WRONG, address=f"198.51.100.{i}") for i in range(limit + 1)]
    assert isinstance(error_of(results[-1]), RateLimited)
    limited = [e for e in platform.audit(AuditQuery(action="auth.login")) if e.reason == "rate_limited"]
    assert len(limited) == 1
    assert (limited[0].outcome, limited[0].user_id) == (Outcome.DENIED, None)


def test_logout_and_a_token_of_the_ended_session_are_audited(platform: Platform, doctor: User) -> None:
    pair = value_of(platform.login(DOCTOR))
    actor = value_of(platform.container.authenticate()(pair.access_token))
    value_of(platform.container.logout()(actor))
    logout = _only(platform, "auth.logout")
    assert (logout.outcome, logout.user_id, logout.resource_id) == (Outcome.SUCCESS, doctor.id, str(actor.session_id))
    error_of(platform.container.authenticate()(pair.access_token, Origin(client_address="192.0.2.9")))
    refused = _only(platform, "auth.authenticate")
    assert (refused.outcome, refused.reason, refused.user_id) == (Outcome.DENIED, "session_ended", doctor.id)
    assert refused.client_address == "192.0.2.9"
    assert isinstance(error_of(platform.container.logout()(SYSTEM_ACTOR)), Unauthenticated)  # no session to end
    refused_logout = _only(platform, "auth.logout", outcome=Outcome.DENIED)
    assert (refused_logout.reason, refused_logout.is_system) == ("unauthenticated", True)


def test_a_forged_token_is_an_anonymous_denial(platform: Platform) -> None:
    error_of(platform.container.authenticate()("not.a.token"))
    entry = _only(platform, "auth.authenticate")
    assert (entry.outcome, entry.reason, entry.user_id, entry.role) == (Outcome.DENIED, "invalid_token", None, None)


def test_a_refresh_is_audited_and_a_reused_token_is_a_denial_recorded_with_the_session_end(
    platform: Platform, doctor: User
) -> None:
    first = value_of(platform.login(DOCTOR))
    value_of(platform.container.refresh()(Refresh(refresh_token=first.refresh_token)))
    refreshed = _only(platform, "auth.refresh", outcome=Outcome.SUCCESS)
    assert (refreshed.user_id, refreshed.role) == (doctor.id, Role.DOCTOR)
    error_of(platform.container.refresh()(Refresh(refresh_token=first.refresh_token)))
    reused = _only(platform, "auth.refresh", outcome=Outcome.DENIED)
    assert (reused.reason, reused.user_id, reused.session_id) == ("refresh_reused", doctor.id, refreshed.session_id)
    error_of(platform.container.refresh()(Refresh(refresh_token="never issued")))
    unknown = [e for e in platform.audit(AuditQuery(action="auth.refresh")) if e.reason == "unknown_token"]
    assert len(unknown) == 1
    assert unknown[0].user_id is None


def test_password_change_forgot_and_reset_are_audited_with_field_names_only(platform: Platform, doctor: User) -> None:
    new_password = "a brand new passphrase here"
    actor = platform.actor(DOCTOR)
    change = ChangePassword(current_password=PASSWORD, new_password=new_password)
    value_of(platform.container.change_password()(actor, change))
    changed = _only(platform, "auth.password_change")
    assert (changed.resource_id, changed.changed_fields) == (str(doctor.id), ("password",))
    value_of(platform.container.forgot_password()(ForgotPassword(email=DOCTOR, client_address="203.0.113.7")))
    value_of(platform.container.forgot_password()(ForgotPassword(email="x@example.org", client_address="203.0.113.7")))
    forgot = platform.audit(AuditQuery(action="auth.password_forgot"))
    assert sorted((e.user_id is None, e.reason) for e in forgot) == [(False, ""), (True, "no_active_account")]
    token = platform.notifier.sent[-1].token
    value_of(platform.container.reset_password()(ResetPassword(token=token, new_password="yet another passphrase")))
    error_of(platform.container.reset_password()(ResetPassword(token=token, new_password="yet another passphrase")))
    resets = platform.audit(AuditQuery(action="auth.password_reset", user_id=doctor.id))
    assert sorted(e.outcome for e in resets) == [Outcome.INVALID, Outcome.SUCCESS]
    text = _text(platform.audit())
    for secret in (PASSWORD, new_password, "yet another passphrase", token, DOCTOR):
        assert secret not in text


def test_permission_changes_are_audited_and_a_refused_one_changes_nothing(platform: Platform, doctor: User) -> None:
    admin_user = platform.user("admin@example.org", Role.ADMIN)
    admin = platform.actor(admin_user.email.value)
    grant = SetPermissions(user_id=doctor.id, grants=frozenset({Permission.ORDERS_APPROVE}), revocations=frozenset())
    value_of(platform.container.set_permissions()(admin, grant))
    entry = _only(platform, "users.permissions_change")
    assert (entry.user_id, entry.role, entry.resource_id) == (admin_user.id, Role.ADMIN, str(doctor.id))
    assert entry.changed_fields == ("grants", "grants+orders.approve")
    assert entry.purpose is Purpose.OPERATIONS
    other = platform.user("other@example.org", Role.DOCTOR, practice="Springfield Wound Clinic")
    colleague = platform.actor(other.email.value)
    revoke = SetPermissions(user_id=doctor.id, grants=frozenset(), revocations=frozenset({Permission.PATIENTS_READ}))
    assert isinstance(error_of(platform.container.set_permissions()(colleague, revoke)), NotPermitted)
    denied = _only(platform, "users.permissions_change", outcome=Outcome.DENIED)
    assert (denied.user_id, denied.reason, denied.resource_id) == (other.id, "not_permitted", str(doctor.id))
    unchanged = value_of(platform.container.get_user()(admin, doctor.id))
    assert unchanged.revocations == frozenset()
    assert unchanged.grants == frozenset({Permission.ORDERS_APPROVE})


def test_assignments_are_audited_for_the_system_actor_and_for_people(platform: Platform, doctor: User) -> None:
    seller = platform.user("seller@example.org", Role.SALESPERSON)
    platform.assign(seller, doctor)
    entry = _only(platform, "hierarchy.assign")
    assert entry.is_system
    assert (entry.resource_type, entry.resource_id) == ("user", str(doctor.id))
    assert entry.changed_fields == ("manager_id",)
    admin = platform.actor(platform.user("admin@example.org", Role.ADMIN).email.value)
    again = AssignMember(manager_id=seller.id, member_user_id=doctor.id)
    value_of(platform.container.assign_member()(admin, again))  # already so: audited, nothing changed
    repeat = _only(platform, "hierarchy.assign", user_id=admin.user_id)
    assert (repeat.outcome, repeat.changed_fields) == (Outcome.SUCCESS, ())
    wrong = AssignMember(manager_id=doctor.id, member_user_id=seller.id)
    error_of(platform.container.assign_member()(admin, wrong))
    refused = _only(platform, "hierarchy.assign", outcome=Outcome.INVALID)
    assert (refused.reason, refused.resource_id) == ("conflict", str(seller.id))


def test_account_reads_lists_and_updates_are_audited(platform: Platform, doctor: User) -> None:
    actor = platform.actor(DOCTOR)
    value_of(platform.container.get_user()(actor, doctor.id))
    value_of(platform.container.update_user()(actor, UpdateUser(user_id=doctor.id, name="Dr Renamed")))
    error_of(platform.container.get_user()(actor, UserId(SYSTEM_ACTOR.user_id)))
    read = _only(platform, "users.read", outcome=Outcome.SUCCESS)
    assert (read.resource_id, read.purpose) == (str(doctor.id), Purpose.TREATMENT)
    assert _only(platform, "users.update").changed_fields == ("name",)
    assert _only(platform, "users.read", outcome=Outcome.DENIED).reason == "not_found"
    assert "Dr Renamed" not in _text(platform.audit())


def test_a_session_touch_or_time_passing_writes_nothing_by_itself(platform: Platform, doctor: User) -> None:
    pair = value_of(platform.login(DOCTOR))
    before = len(platform.audit())
    platform.clock.advance(timedelta(minutes=5))
    value_of(platform.container.authenticate()(pair.access_token))
    assert len(platform.audit()) == before

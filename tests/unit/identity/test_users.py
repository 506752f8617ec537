"""Accounts: creation rules, permissions over role defaults, deactivation, updates."""

from __future__ import annotations

import uuid

import pytest

from ivr_domain.identity.permissions import ROLE_DEFAULTS
from ivr_domain.identity.use_cases.access import SetPermissions
from ivr_domain.identity.use_cases.users import CreateUser, UpdateUser
from ivr_domain.shared.actor import SYSTEM_ACTOR, Permission, Role
from ivr_domain.shared.errors import Conflict, NotFound, NotPermitted, PreconditionFailed, ValidationFailed
from ivr_domain.shared.ids import PracticeId
from ivr_domain.shared.values import Email
from tests.platform import PASSWORD, Platform, error_of, value_of


def test_a_doctor_without_a_practice_gets_one_of_their_own_and_colleagues_share_one(platform: Platform) -> None:
    solo = platform.user("solo@example.org", Role.DOCTOR, name="Dr. Solo")
    first = platform.user("a@example.org", Role.DOCTOR, practice="Shared Clinic")
    second = platform.user("b@example.org", Role.DOCTOR, practice="shared clinic")
    assert solo.practice_id is not None
    assert first.practice_id == second.practice_id != solo.practice_id


def test_only_doctors_belong_to_a_practice(platform: Platform) -> None:
    cmd = CreateUser(email="s@example.org", name="S", role=Role.SALESPERSON, password=PASSWORD, practice_name="X")
    failure = error_of(platform.container.create_user()(SYSTEM_ACTOR, cmd))
    assert isinstance(failure, ValidationFailed)
    assert failure.errors[0].field == "practice_name"  # the field given, as the body names it


def test_an_invalid_email_does_not_hide_the_password_problems(platform: Platform) -> None:
    bad = CreateUser(email="not-an-email", name="Pat", role=Role.ADMIN, password="short")
    failure = error_of(platform.container.create_user()(SYSTEM_ACTOR, bad))
    assert isinstance(failure, ValidationFailed)
    assert [(e.field, e.message) for e in failure.errors] == [
        ("email", "must be an email address"),
        ("password", "must be at least 12 characters"),
    ]


def test_a_blank_practice_name_is_refused_with_the_other_problems(platform: Platform) -> None:
    create = platform.container.create_user()
    blank = CreateUser(email="doc@example.org", name="Doc", role=Role.DOCTOR, password=PASSWORD, practice_name=" \t")
    failure = error_of(create(SYSTEM_ACTOR, blank))
    assert isinstance(failure, ValidationFailed)
    assert [(e.field, e.message) for e in failure.errors] == [("practice_name", "must not be blank")]
    unknown = CreateUser(
        email="x", name="Doc", role=Role.DOCTOR, password=PASSWORD, practice_id=PracticeId(uuid.UUID(int=7))
    )
    failure = error_of(create(SYSTEM_ACTOR, unknown))
    assert isinstance(failure, ValidationFailed)
    assert [e.field for e in failure.errors] == ["email", "practice_id"]
    with platform.container.uow() as uow:
        assert uow.practices.find_by_name("") is None
        assert uow.users.find_by_email(Email("doc@example.org")) is None


def test_create_user_reports_every_bad_field_and_refuses_taken_emails(platform: Platform) -> None:
    bad = CreateUser(email="not-an-email", name=" ", role=Role.ADMIN, password=PASSWORD)
    failure = error_of(platform.container.create_user()(SYSTEM_ACTOR, bad))
    assert isinstance(failure, ValidationFailed)
    assert {e.field for e in failure.errors} == {"email", "name"}
    platform.user("taken@example.org", Role.ADMIN)
    dup = CreateUser(email="TAKEN@example.org", name="Other", role=Role.ADMIN, password=PASSWORD)
    assert isinstance(error_of(platform.container.create_user()(SYSTEM_ACTOR, dup)), Conflict)


def test_only_admins_manage_users(platform: Platform) -> None:
    platform.user("doc@example.org", Role.DOCTOR)
    actor = platform.actor("doc@example.org")
    cmd = CreateUser(email="new@example.org", name="New", role=Role.ADMIN, password=PASSWORD)
    assert isinstance(error_of(platform.container.create_user()(actor, cmd)), NotPermitted)


def test_grants_and_revocations_adjust_role_defaults(platform: Platform) -> None:
    platform.user("admin@example.org", Role.ADMIN)
    sales = platform.user("sales@example.org", Role.SALESPERSON)
    admin = platform.actor("admin@example.org")
    cmd = SetPermissions(
        user_id=sales.id,
        grants=frozenset({Permission.ORDERS_CREATE}),
        revocations=frozenset({Permission.COMMISSIONS_READ}),
    )
    value_of(platform.container.set_permissions()(admin, cmd))
    actor = platform.actor("sales@example.org")
    expected = (ROLE_DEFAULTS[Role.SALESPERSON] | {Permission.ORDERS_CREATE}) - {Permission.COMMISSIONS_READ}
    assert actor.permissions == expected
    both = SetPermissions(
        user_id=sales.id,
        grants=frozenset({Permission.ORDERS_APPROVE}),
        revocations=frozenset({Permission.ORDERS_APPROVE}),
    )
    assert isinstance(error_of(platform.container.set_permissions()(admin, both)), ValidationFailed)


@pytest.mark.parametrize(
    ("role", "permission"),
    [
        (Role.DOCTOR, Permission.USERS_MANAGE),
        (Role.IVR_STAFF, Permission.USERS_MANAGE),
        (Role.SALESPERSON, Permission.AUDIT_READ),
        (Role.DOCTOR, Permission.IVRS_REVIEW),
        (Role.MASTER_DISTRIBUTOR, Permission.IVRS_BULK_APPROVE),
    ],
)
def test_a_grant_past_what_the_role_may_hold_is_refused_and_changes_nothing(
    platform: Platform, role: Role, permission: Permission
) -> None:
    platform.user("admin@example.org", Role.ADMIN)
    practice = "Springfield Wound Clinic" if role is Role.DOCTOR else None
    subject = platform.user("subject@example.org", role, practice=practice)
    admin = platform.actor("admin@example.org")
    cmd = SetPermissions(
        user_id=subject.id,
        grants=frozenset({permission, Permission.ORDERS_APPROVE}),
        revocations=frozenset({permission}),
    )
    error = error_of(platform.container.set_permissions()(admin, cmd))
    assert isinstance(error, ValidationFailed)
    messages = {(e.field, e.message) for e in error.errors}
    held_by = "admin" if permission is Permission.USERS_MANAGE else "admin, ivr_staff"
    assert (
        "grants",
        f"{permission.value} cannot be granted to a {role.value}: only {held_by} may hold it",
    ) in messages
    assert ("revocations", f"cannot both grant and revoke {permission.value}") in messages
    stored = value_of(platform.container.get_user()(admin, subject.id))
    assert (stored.grants, stored.revocations, stored.version) == (frozenset(), frozenset(), subject.version)
    assert permission not in platform.actor("subject@example.org").permissions


def test_users_outside_scope_are_not_found(platform: Platform) -> None:
    platform.user("a@example.org", Role.DOCTOR, practice="A")
    other = platform.user("b@example.org", Role.DOCTOR, practice="B")
    colleague = platform.user("a2@example.org", Role.DOCTOR, practice="A")
    actor = platform.actor("a@example.org")
    assert isinstance(error_of(platform.container.get_user()(actor, other.id)), NotFound)
    assert value_of(platform.container.get_user()(actor, colleague.id)).id == colleague.id


def test_everyone_updates_their_own_name_with_optimistic_versions(platform: Platform) -> None:
    me = platform.user("me@example.org", Role.SALESPERSON, name="Old Name")
    actor = platform.actor("me@example.org")
    updated = value_of(
        platform.container.update_user()(actor, UpdateUser(user_id=me.id, name="New Name", expected_version=1))
    )
    assert (updated.name, updated.version) == ("New Name", 2)
    stale = UpdateUser(user_id=me.id, name="Again", expected_version=1)
    assert isinstance(error_of(platform.container.update_user()(actor, stale)), PreconditionFailed)
    email_change = UpdateUser(user_id=me.id, name="Again", email="new@example.org")
    assert isinstance(error_of(platform.container.update_user()(actor, email_change)), NotPermitted)


def test_admins_cannot_deactivate_themselves(platform: Platform) -> None:
    admin = platform.user("admin@example.org", Role.ADMIN)
    assert isinstance(
        error_of(platform.container.deactivate_user()(platform.actor("admin@example.org"), admin.id)), Conflict
    )

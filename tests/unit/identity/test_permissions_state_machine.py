"""A stateful walk through per-user permissions: after each change, every probe answers what the model says.

The model is written from DOMAIN.md and docs/identity.md, not from the code: effective permissions are the role's
defaults plus the user's grants less their revocations; the server keeps only grants the role lacks and
revocations of defaults; naming a permission in both lists is refused (422), and so is granting a role what
only central roles may hold (users.manage: admins; audit.read, ivrs.review, ivrs.bulk_approve: admins and
verification staff).
Scope follows the role and the hierarchy, never a grant, and an object out of scope answers 404 before any
permission is looked at (403). Each request, refusals included, writes exactly one audit entry.

The cast: an admin; a doctor of practice A, which has a patient and a submitted IVR; a salesperson assigned to
practice A under a distributor; a master distributor with no network (it reaches nothing); verification staff;
logistics; and practice B, with a patient nobody of the cast but the admin reaches.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable
from datetime import timedelta
from enum import Enum
from pathlib import Path
from typing import Any

from attrs import define
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from returns.result import Failure, Result, Success

from adapters.memory.store import InMemoryStore
from entrypoints.http.schemas.users import user_out
from ivr_domain.admin.ports import AuditQuery
from ivr_domain.identity.model import User
from ivr_domain.identity.use_cases.access import SetPermissions
from ivr_domain.identity.use_cases.users import CreateUser
from ivr_domain.ivr.model import IvrStatus
from ivr_domain.ivr.ports import IvrFilter
from ivr_domain.ivr.queue import QueueFilter
from ivr_domain.ivr.templates.model import TemplateContent
from ivr_domain.ivr.templates.template_cases import CreateTemplate
from ivr_domain.ivr.templates.validation import TemplateInput
from ivr_domain.ivr.use_cases import ActOnIvr, CreateIvr, StartReview, Submit
from ivr_domain.ivr.use_cases.bulk import BulkApprove, BulkApproveItem
from ivr_domain.patients.model import MaskedPatient, Patient
from ivr_domain.patients.ports import PatientFilter
from ivr_domain.patients.use_cases import CreatePatient
from ivr_domain.shared.actor import Actor, Permission, Role
from ivr_domain.shared.audit import AuditEntry, Outcome
from ivr_domain.shared.errors import InvalidTransition, NotFound, NotPermitted, ValidationFailed
from ivr_domain.shared.ids import IvrId, PatientId, PracticeId, UserId
from ivr_domain.shared.paging import MAX_LIMIT, PageRequest
from tests.platform import PASSWORD, Platform, error_of, memory_platform, value_of
from tests.unit.ivr.builders import NOW, complete_ivr, covered

P = Permission
# DOMAIN.md's permission table, written out here so that the code's ROLE_DEFAULTS is checked, not copied.
DEFAULTS: dict[Role, frozenset[Permission]] = {
    Role.IVR_STAFF: frozenset({P.PATIENTS_READ, P.IVRS_READ, P.IVRS_REVIEW, P.IVRS_BULK_APPROVE}),
    Role.DOCTOR: frozenset(
        {P.PATIENTS_READ, P.PATIENTS_WRITE, P.IVRS_READ, P.IVRS_WRITE, P.TEMPLATES_MANAGE, P.ORDERS_CREATE}
    ),
    Role.MASTER_DISTRIBUTOR: frozenset({P.PATIENTS_READ, P.IVRS_READ, P.ORDERS_APPROVE, P.COMMISSIONS_READ}),
    Role.DISTRIBUTOR: frozenset({P.PATIENTS_READ, P.IVRS_READ, P.ORDERS_APPROVE, P.COMMISSIONS_READ}),
    Role.SALESPERSON: frozenset({P.PATIENTS_READ, P.IVRS_READ, P.COMMISSIONS_READ}),
    Role.LOGISTICS: frozenset({P.SHIPPING_MANAGE}),
}
SUBJECTS = tuple(DEFAULTS)
# docs/identity.md: the permissions only some roles may hold, by default or by grant.
HELD_ONLY_BY: dict[Permission, frozenset[Role]] = {
    P.USERS_MANAGE: frozenset({Role.ADMIN}),
    P.AUDIT_READ: frozenset({Role.ADMIN, Role.IVR_STAFF}),
    P.IVRS_REVIEW: frozenset({Role.ADMIN, Role.IVR_STAFF}),
    P.IVRS_BULK_APPROVE: frozenset({Role.ADMIN, Role.IVR_STAFF}),
}
# Who reaches practice A: its doctor, and the sales chain above it (the master distributor has no network).
REACH_PRACTICE_A = frozenset({Role.DOCTOR, Role.SALESPERSON, Role.DISTRIBUTOR})
SALES_ROLES = frozenset({Role.MASTER_DISTRIBUTOR, Role.DISTRIBUTOR, Role.SALESPERSON})
# Login attempts per account are limited per minute; a few seconds between logins keeps well inside the limit.
LOGIN_GAP_SECONDS = 7
SOME_PERMISSIONS = st.frozensets(st.sampled_from(Permission), max_size=6)
SOME_PERMISSIONS_AT_LEAST_ONE = st.frozensets(st.sampled_from(Permission), min_size=1, max_size=6)


class Answer(Enum):
    """The class of a use case's answer, as the HTTP status it maps to."""

    ALLOWED = 200
    NOT_PERMITTED = 403
    NOT_FOUND = 404
    WRONG_STATE = 409
    INVALID = 422


AUDIT_OUTCOME = {
    Answer.ALLOWED: Outcome.SUCCESS,
    Answer.NOT_PERMITTED: Outcome.DENIED,
    Answer.NOT_FOUND: Outcome.DENIED,
    Answer.WRONG_STATE: Outcome.INVALID,
    Answer.INVALID: Outcome.INVALID,
}


def answer_of(result: Result[Any, Any]) -> Answer:
    """Classify a use case's result; an unexpected error class fails the test."""
    match result:
        case Success(_):
            return Answer.ALLOWED
        case Failure(NotPermitted()):
            return Answer.NOT_PERMITTED
        case Failure(NotFound()):
            return Answer.NOT_FOUND
        case Failure(InvalidTransition()):
            return Answer.WRONG_STATE
        case Failure(ValidationFailed()):
            return Answer.INVALID
    raise AssertionError(f"unexpected answer {result!r}")


def unless(*checks: tuple[bool, Answer]) -> Answer:
    """Return the first refusal whose condition holds, in API.md's order, else ALLOWED."""
    return next((refusal for failed, refusal in checks if failed), Answer.ALLOWED)


@define
class Subject:
    """A non-admin account of the cast, the token of its first login and the token of its latest one."""

    user: User
    first_token: str
    token: str
    # The model: what the server should have kept of the last accepted change.
    grants: frozenset[Permission] = frozenset()
    revocations: frozenset[Permission] = frozenset()

    @property
    def role(self) -> Role:
        """Return the account's role."""
        return self.user.role

    @property
    def effective(self) -> frozenset[Permission]:
        """Return what the account may do: the role's defaults plus grants less revocations."""
        return (DEFAULTS[self.role] | self.grants) - self.revocations


class PermissionsMachine(RuleBasedStateMachine):
    """An admin changes people's permissions; each probe through the real use cases answers as the model says."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.platform: Platform = memory_platform(Path(self.tmp.name), now=NOW)
        self.counter = itertools.count()
        admin = self.platform.user("admin@example.org", Role.ADMIN)
        self.admin_token = self._login(admin.email.value)
        self.subjects: dict[Role, Subject] = {}
        for role in SUBJECTS:
            practice = "Practice A" if role is Role.DOCTOR else None
            user = self.platform.user(f"{role.value}@example.org", role, practice=practice)
            token = self._login(user.email.value)
            self.subjects[role] = Subject(user=user, first_token=token, token=token)
        stranger = self.platform.user("b@example.org", Role.DOCTOR, practice="Practice B")
        doctor, sales = self.subjects[Role.DOCTOR].user, self.subjects[Role.SALESPERSON].user
        self.platform.assign(self.subjects[Role.DISTRIBUTOR].user, sales)
        self.platform.assign(sales, doctor)
        assert doctor.practice_id is not None
        assert stranger.practice_id is not None
        self.practice_a: PracticeId = doctor.practice_id
        # The model of the objects: patients by practice, IVRs (all of practice A's patient) by status.
        self.patient_a = self._patient(self.practice_a)
        self.patient_b = self._patient(stranger.practice_id)
        self.patients: dict[PatientId, PracticeId] = {self.patient_a: self.practice_a}
        self.patients[self.patient_b] = stranger.practice_id
        self.ivrs: dict[IvrId, IvrStatus] = {}
        self.submitted_ever: set[IvrId] = set()
        self.fixed_ivr = self._submitted_ivr()

    def teardown(self) -> None:
        """Remove the platform's data directory."""
        self.tmp.cleanup()

    # -- the cast and its objects ---------------------------------------------------------------------------

    def _login(self, email: str) -> str:
        """Log in through the real handler, a few seconds after the previous login."""
        self.platform.clock.advance(timedelta(seconds=LOGIN_GAP_SECONDS))
        n = next(self.counter)
        return value_of(self.platform.login(email, PASSWORD, address=f"198.51.100.{n % 250 + 1}")).access_token

    def _actor(self, token: str) -> Actor:
        """Authenticate a token as a request would (no session cache: the account is read again)."""
        return value_of(self.platform.container.authenticate()(token))

    def _admin(self) -> Actor:
        return self._actor(self.admin_token)

    def _patient(self, practice_id: PracticeId) -> PatientId:
        patient = self.platform.patient(practice_id, first=f"Pat{next(self.counter)}")
        assert isinstance(patient, Patient)
        return patient.id

    def _submitted_ivr(self) -> IvrId:
        """An admin creates and submits an IVR for practice A's patient."""
        admin, container = self._admin(), self.platform.container
        body = complete_ivr(self.patient_a, today=self.platform.clock.now().date())
        ivr = value_of(container.create_ivr()(admin, CreateIvr(ivr=body))).ivr
        value_of(container.act_on_ivr()(admin, ActOnIvr(ivr_id=ivr.id, action=Submit())))
        self.ivrs[ivr.id] = IvrStatus.SUBMITTED
        self.submitted_ever.add(ivr.id)
        return IvrId(ivr.id)

    def _store(self) -> InMemoryStore:
        store = self.platform.container.memory_store()
        assert isinstance(store, InMemoryStore)
        return store

    def _audited(self, call: Callable[[], Result[Any, Any]]) -> tuple[Result[Any, Any], list[AuditEntry]]:
        """Run a use case and return its result with the audit entries it committed for its caller.

        The memory profile delivers a change's notifications at once, as the system actor: not the request's entries.
        """
        store = self._store()
        before = len(store.audit.rows)
        result = call()
        return result, [row.entry for row in store.audit.rows[before:] if not row.entry.is_system]

    # -- changing permissions -------------------------------------------------------------------------------

    def _set(self, subject: Subject, grants: frozenset[Permission], revocations: frozenset[Permission]) -> None:
        """An admin replaces the subject's grants and revocations; the answer and its audit entry follow the docs."""
        cmd = SetPermissions(user_id=subject.user.id, grants=grants, revocations=revocations)
        result, entries = self._audited(lambda: self.platform.container.set_permissions()(self._admin(), cmd))
        assert len(entries) == 1, entries
        (entry,) = entries
        assert (entry.action, entry.role, entry.resource_id) == (
            "users.permissions_change",
            Role.ADMIN,
            str(subject.user.id),
        )
        beyond = {p for p in grants if subject.role not in HELD_ONLY_BY.get(p, frozenset(Role))}
        event(f"grant beyond the role: {bool(beyond)}")
        if grants & revocations or beyond:
            error = error_of(result)
            assert isinstance(error, ValidationFailed)
            refused = {e.message.split(" ", 1)[0] for e in error.errors if e.field == "grants"}
            assert refused == {p.value for p in beyond}, error
            assert entry.outcome is Outcome.INVALID
            return
        kept_grants, kept_revocations = grants - DEFAULTS[subject.role], revocations & DEFAULTS[subject.role]
        changed = {"grants"} if kept_grants != subject.grants else set()
        changed |= {"revocations"} if kept_revocations != subject.revocations else set()
        # Each permission added or removed is named too, so an access review can tell what was granted.
        for name, old, new in (
            ("grants", subject.grants, kept_grants),
            ("revocations", subject.revocations, kept_revocations),
        ):
            changed |= {f"{name}+{p.value}" for p in new - old} | {f"{name}-{p.value}" for p in old - new}
        subject.grants, subject.revocations = kept_grants, kept_revocations
        user = value_of(result)
        assert (user.grants, user.revocations) == (subject.grants, subject.revocations)
        assert entry.outcome is Outcome.SUCCESS
        assert set(entry.changed_fields) == changed, f"audited {entry.changed_fields}, changed {changed}"
        # A fresh login: its token carries nothing cached from before the change; then the battery.
        subject.token = self._login(subject.user.email.value)
        self._probe(subject)

    @rule(role=st.sampled_from(SUBJECTS), grants=SOME_PERMISSIONS, revocations=SOME_PERMISSIONS)
    def set_permissions(self, role: Role, grants: frozenset[Permission], revocations: frozenset[Permission]) -> None:
        """An admin grants and revokes (never the same permission twice), sometimes past what the role may hold."""
        self._set(self.subjects[role], grants, revocations - grants)

    @rule(role=st.sampled_from(SUBJECTS), grants=SOME_PERMISSIONS, revocations=SOME_PERMISSIONS)
    def grant_what_the_role_may_hold(
        self, role: Role, grants: frozenset[Permission], revocations: frozenset[Permission]
    ) -> None:
        """An admin grants only what the role may hold, so that the probes see most grants take effect."""
        allowed = frozenset(p for p in grants if role in HELD_ONLY_BY.get(p, frozenset(Role)))
        self._set(self.subjects[role], allowed, revocations - allowed)

    @rule(role=st.sampled_from(SUBJECTS), grants=SOME_PERMISSIONS_AT_LEAST_ONE, revocations=SOME_PERMISSIONS)
    def grant_and_revoke_the_same(
        self, role: Role, grants: frozenset[Permission], revocations: frozenset[Permission]
    ) -> None:
        """Naming a permission in both lists is refused (422) and changes nothing."""
        self._set(self.subjects[role], grants, revocations | {min(grants)})

    @rule(role=st.sampled_from(SUBJECTS))
    def back_to_the_defaults(self, role: Role) -> None:
        """An empty body returns the account to its role's defaults."""
        self._set(self.subjects[role], frozenset(), frozenset())

    # -- what the model says each person reaches ----------------------------------------------------------

    def _reaches_ivr(self, role: Role, ivr_id: IvrId) -> bool:
        return role in REACH_PRACTICE_A or (role is Role.IVR_STAFF and ivr_id in self.submitted_ever)

    def _patients_in_reach(self, role: Role) -> set[PatientId]:
        if role in REACH_PRACTICE_A:
            return {p for p, practice in self.patients.items() if practice == self.practice_a}
        if role is Role.IVR_STAFF:
            return {self.patient_a} if self.submitted_ever else set()
        return set()

    def _ivrs_in_reach(self, role: Role) -> set[IvrId]:
        return {ivr for ivr in self.ivrs if self._reaches_ivr(role, ivr)}

    # -- the probes -------------------------------------------------------------------------------------------

    @rule(role=st.sampled_from(SUBJECTS))
    def probe(self, role: Role) -> None:
        """Run the battery for someone whose permissions did not change just now."""
        self._probe(self.subjects[role])

    def _probe(self, subject: Subject) -> None:
        """Authenticate the subject's latest token and run the battery: each answer and its one audit entry."""
        role = subject.role
        actor = self._actor(subject.token)
        assert actor.permissions == subject.effective
        # A fresh review target, submitted before the subject acts (it joins the verification staff's reach).
        review_target = self._submitted_ivr()
        for action, call, expected, check in self._battery(subject, actor, review_target):
            result, entries = self._audited(call)
            answer = answer_of(result)
            event(f"{action}: {answer.name}")
            assert answer is expected, f"{role} {action}: answered {answer.name}, the model says {expected.name}"
            assert [(e.action, e.user_id, e.outcome) for e in entries] == [
                (action, subject.user.id, AUDIT_OUTCOME[answer])
            ], f"{role} {action}: audit entries {entries}"
            if isinstance(result, Success) and check is not None:
                check(result.unwrap())

    def _battery(
        self, subject: Subject, actor: Actor, review_target: IvrId
    ) -> list[tuple[str, Callable[[], Any], Answer, Callable[[Any], None] | None]]:
        """Return (audited action, call, expected answer, check of a success) for each probe."""
        c, role, can = self.platform.container, subject.role, subject.effective.__contains__
        page = PageRequest(limit=MAX_LIMIT)
        n = next(self.counter)
        reaches_a = role in REACH_PRACTICE_A
        patient_body = self.platform.patient_input(first=f"New{n}")
        ivr_body = complete_ivr(self.patient_a, today=self.platform.clock.now().date())
        coverage = (covered(valid_until=NOW.date().replace(year=NOW.year + 1)),)
        bulk = BulkApprove(items=(BulkApproveItem(ivr_id=self.fixed_ivr, coverages=coverage),))
        reaches_fixed = self._reaches_ivr(role, self.fixed_ivr)
        template = CreateTemplate(template=TemplateInput(name=f"Template {n}", content=TemplateContent(notes="x")))
        account = CreateUser(email=f"new{n}@example.org", name="New Person", role=Role.LOGISTICS, password=PASSWORD)
        return [
            (
                "patients.list",
                lambda: c.list_patients()(actor, PatientFilter(), page),
                unless((not can(P.PATIENTS_READ), Answer.NOT_PERMITTED)),
                lambda found: self._listed(found, self._patients_in_reach(role)),
            ),
            (
                "patients.read",
                lambda: c.get_patient()(actor, self.patient_a),
                unless(
                    (self.patient_a not in self._patients_in_reach(role), Answer.NOT_FOUND),
                    (not can(P.PATIENTS_READ), Answer.NOT_PERMITTED),
                ),
                lambda view: self._projected(view, role),
            ),
            (
                # Practice B is nobody's but the admin's: a grant never widens scope.
                "patients.read",
                lambda: c.get_patient()(actor, self.patient_b),
                Answer.NOT_FOUND,
                None,
            ),
            (
                "patients.create",
                lambda: c.create_patient()(
                    actor, CreatePatient(patient=patient_body, practice_id=self.practice_a, allow_duplicate=True)
                ),
                unless(
                    (not can(P.PATIENTS_WRITE), Answer.NOT_PERMITTED),
                    # docs/patients.md: a practice the caller cannot reach is 422 on practice_id.
                    (not reaches_a, Answer.INVALID),
                ),
                lambda view: self._created_patient(view, role),
            ),
            (
                "ivrs.list",
                lambda: c.list_ivrs()(actor, IvrFilter(), page),
                unless((not can(P.IVRS_READ), Answer.NOT_PERMITTED)),
                lambda found: self._listed(found, self._ivrs_in_reach(role), of=lambda shown: shown.ivr.id),
            ),
            (
                "ivrs.create",
                lambda: c.create_ivr()(actor, CreateIvr(ivr=ivr_body)),
                unless(
                    (not can(P.IVRS_WRITE), Answer.NOT_PERMITTED),
                    # Only the IVR's own practice writes it; another patient is 422 on patient_id.
                    (not reaches_a, Answer.INVALID),
                ),
                lambda shown: self.ivrs.__setitem__(shown.ivr.id, IvrStatus.DRAFT),
            ),
            (
                "ivrs.start_review",
                lambda: c.act_on_ivr()(actor, ActOnIvr(ivr_id=review_target, action=StartReview())),
                unless(
                    (not self._reaches_ivr(role, review_target), Answer.NOT_FOUND),
                    (not can(P.IVRS_REVIEW), Answer.NOT_PERMITTED),
                ),
                lambda shown: self._reviewed(shown.ivr.id, actor.user_id),
            ),
            (
                # Each item is a single approve: the permission admits the request, the item answers for itself.
                "ivrs.bulk_approve" if not can(P.IVRS_BULK_APPROVE) else "ivrs.approve",
                lambda: self._bulk_item(c.bulk_approve_ivrs()(actor, bulk)),
                unless(
                    (not can(P.IVRS_BULK_APPROVE), Answer.NOT_PERMITTED),
                    (not reaches_fixed, Answer.NOT_FOUND),
                    (not can(P.IVRS_REVIEW), Answer.NOT_PERMITTED),
                    (True, Answer.WRONG_STATE),  # submitted, with no reviewer yet: approve needs a review first
                ),
                None,
            ),
            (
                "ivrs.queue",
                lambda: c.ivr_queue()(actor, QueueFilter(), page),
                unless((not can(P.IVRS_REVIEW), Answer.NOT_PERMITTED)),
                lambda found: self._queued(found, role),
            ),
            (
                "audit.search",
                lambda: c.search_audit_log()(actor, AuditQuery(), PageRequest(limit=MAX_LIMIT, sort="-at")),
                unless((not can(P.AUDIT_READ), Answer.NOT_PERMITTED)),
                None,
            ),
            (
                "users.create",
                lambda: c.create_user()(actor, account),
                unless((not can(P.USERS_MANAGE), Answer.NOT_PERMITTED)),
                None,
            ),
            (
                # A template of the caller's own practice: only doctors have one; other roles are 403.
                "ivr_templates.create",
                lambda: c.create_ivr_template()(actor, template),
                unless((not can(P.TEMPLATES_MANAGE) or role is not Role.DOCTOR, Answer.NOT_PERMITTED)),
                lambda made: self._owned_by_practice_a(made.practice_id),
            ),
        ]

    # -- checks of successful probes ----------------------------------------------------------------------

    def _listed(self, page: Any, expected: set[Any], of: Callable[[Any], Any] = lambda view: view.id) -> None:
        """A list holds exactly the model's reach, once each."""
        assert page.next_cursor is None
        listed = [of(item) for item in page.items]
        assert len(listed) == len(set(listed))
        assert set(listed) == expected, f"listed {set(listed) - expected} beyond reach, missed {expected - set(listed)}"

    def _projected(self, view: Any, role: Role) -> None:
        """The role fixes the projection: grants never unmask a patient."""
        assert type(view) is (MaskedPatient if role in SALES_ROLES else Patient), f"{role} got {type(view).__name__}"

    def _created_patient(self, view: Any, role: Role) -> None:
        self._projected(view, role)
        assert view.practice_id == self.practice_a
        self.patients[view.id] = self.practice_a

    def _queued(self, page: Any, role: Role) -> None:
        waiting = {ivr for ivr in self._ivrs_in_reach(role) if self.ivrs[ivr] is IvrStatus.SUBMITTED}
        self._listed(page, waiting, of=lambda item: item.shown.ivr.id)

    def _reviewed(self, ivr_id: IvrId, reviewer: UserId) -> None:
        """The IVR is in review with the caller as its reviewer (a masked caller's answer does not say)."""
        stored = self._store().ivrs[ivr_id]
        assert (stored.status, stored.reviewer_id) == (IvrStatus.IN_REVIEW, reviewer)
        self.ivrs[ivr_id] = IvrStatus.IN_REVIEW

    def _owned_by_practice_a(self, practice_id: PracticeId | None) -> None:
        assert practice_id == self.practice_a

    @staticmethod
    def _bulk_item(result: Result[Any, Any]) -> Result[Any, Any]:
        """Return the one item's result of a bulk request the caller may make, or the request's refusal."""
        match result:
            case Success(approval):
                (outcome,) = approval.outcomes
                return outcome.result  # type: ignore[no-any-return]
        return result

    # -- invariants -------------------------------------------------------------------------------------------

    @invariant()
    def accounts_show_the_models_permissions(self) -> None:
        """`GET /users/{id}` shows the effective set, grants and revocations; every live token carries them."""
        admin = self._admin()
        for subject in self.subjects.values():
            user = value_of(self.platform.container.get_user()(admin, subject.user.id))
            shown = user_out(user)
            assert set(shown.permissions) == subject.effective, f"{subject.role}: shows {shown.permissions}"
            assert (set(shown.grants), set(shown.revocations)) == (subject.grants, subject.revocations)
            # No cache: a token from before the last change is rebuilt from the stored account as well.
            assert self._actor(subject.first_token).permissions == subject.effective

    @invariant()
    def the_fixed_ivr_waits_unreviewed(self) -> None:
        """No refused or wrong-state approval moved the IVR every bulk probe names."""
        assert self._store().ivrs[self.fixed_ivr].status is IvrStatus.SUBMITTED


PermissionsMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestPermissionsStateMachine = PermissionsMachine.TestCase

"""Templates and the justification library against an independent model, as random people act on them.

The model is written from docs/ivr.md ("Templates and justifications") and shares nothing with
`ivr/templates/`: which templates and justifications exist, whose they are, their names and versions.
Names fold as the docs say (case, surrounding spaces and runs of spaces ignored); the pool of names holds
such variants so that uniqueness is hit often. Every write is refused exactly when the model says, with the
documented answer (404 out of reach, 403 without the right, 412 stale, 422 patient data or a blank name,
409 a name taken, with the holder's id), and every request leaves exactly one audit entry. Each person's
list, with the documented filters, shows exactly what the model lets them see (an admin's, unfiltered, after
every step), and an IVR made from a template holds the template's content under the body's top-level fields
(even those sent as their defaults), with the chosen justifications appended to the notes.
"""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
from attrs import define, evolve
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from returns.result import Failure, Result, Success

from ivr_domain.ivr.model import (
    Diagnosis,
    Ivr,
    IvrContent,
    LocationCategory,
    Physician,
    Priority,
    Product,
    RequestType,
    Wound,
    WoundType,
)
from ivr_domain.ivr.templates.justification_cases import DeleteJustification, UpdateJustification
from ivr_domain.ivr.templates.model import (
    IvrTemplate,
    JustificationFilter,
    MedicalJustification,
    TemplateContent,
    TemplateFilter,
    TemplateScope,
)
from ivr_domain.ivr.templates.template_cases import CreateTemplate, DeleteTemplate, UpdateTemplate
from ivr_domain.ivr.templates.validation import JustificationInput, TemplateInput
from ivr_domain.ivr.use_cases import CreateIvr
from ivr_domain.ivr.validation import IvrInput
from ivr_domain.patients.model import Patient
from ivr_domain.shared.audit import Outcome
from ivr_domain.shared.errors import Conflict, NotFound, NotPermitted, PreconditionFailed, ValidationFailed
from ivr_domain.shared.ids import IvrId, IvrTemplateId, JustificationId, PatientId, PracticeId
from ivr_domain.shared.insurance import InsuranceRank
from ivr_domain.shared.paging import PageRequest
from tests.platform import memory_platform, value_of
from tests.unit.ivr.builders import NOW, complete_ivr
from tests.unit.ivr.world import World, build_world

# world name → the practice ("A" the doctor's, "B" the stranger's) they reach by ownership.
PEOPLE = ("doctor", "stranger", "admin", "staff", "sales")
REACH: dict[str, frozenset[str]] = {
    "doctor": frozenset({"A"}),
    "stranger": frozenset({"B"}),
    "admin": frozenset({"A", "B"}),
    "staff": frozenset(),
    "sales": frozenset({"A"}),  # the salesperson is assigned the doctor's practice
}
USERS = frozenset({"doctor", "stranger", "admin"})  # those who write IVRs: they read and use templates
OWN_PRACTICE = {"doctor": "A", "stranger": "B"}
PATIENT_DATA = "templates may not carry patient data; choose the patient when creating the IVR"

NAMES = ("Heel DFU", "heel dfu", "  Heel   DFU ", "HEEL DFU (urgent)", "VLU compression", "vlu  COMPRESSION", "   ")
TITLES = ("DFU, standard care failed", "dfu,  standard CARE failed ", "VLU compression failed", "Pressure ulcer")
NAME_PARTS = ("heel", "DFU", "Vlu", "urgent", "nothing like it")
PHI_FIELDS = ("patient_id", "date_of_birth", "member_id", "first_name", "previous_ivr_id")
NOTES = ("Offloading tried.", "Compression for six weeks.", None)
HCPCS = (None, "Q4186", "q4187")
WOUND_TYPES = (WoundType.DIABETIC_FOOT_ULCER, WoundType.VENOUS_LEG_ULCER, WoundType.BURN)

FIELDS = tuple(field.name for field in attrs.fields(TemplateContent))
BODY = complete_ivr(PatientId(UUID(int=7)))
# A template's values (notes apart): all but the CPT code differ from the body's and from IvrInput's defaults.
TEMPLATE_VALUES: dict[str, Any] = {
    "request_type": RequestType.ADDITIONAL_APPLICATIONS,
    "priority": Priority.URGENT,
    "insurance_ranks": (InsuranceRank.PRIMARY,),
    "physician": Physician(name="Template Physician"),
    "facility": evolve(BODY.facility, name="Template Facility") if BODY.facility else None,
    # Another wound whose area implies the body's CPT code: drafts refuse codes their wounds do not imply.
    "wounds": (
        Wound(
            type=WoundType.BURN,
            location_category=LocationCategory.FACE_HANDS_FEET,
            length_cm=Decimal("2.00"),
            width_cm=Decimal("2.00"),
        ),
    ),
    "diagnosis_codes": (Diagnosis(code="L89.154", primary=True),),
    "application_cpt_codes": ("15275",),
    "anticipated_first_service_date": date(2027, 1, 4),
    "planned_applications": 9,
    "products": (Product(hcpcs_code="Q4187", quantity=1),),
    "signature": BODY.signature,
}
BARE = IvrInput(patient_id=BODY.patient_id)

contents = st.builds(
    lambda names, notes: TemplateContent(**{name: TEMPLATE_VALUES[name] for name in names}, notes=notes),
    st.frozensets(st.sampled_from(tuple(TEMPLATE_VALUES))),
    st.sampled_from(NOTES),
)
# Mostly none, so that names meet often enough to collide; sometimes one or two patient fields.
phi = st.sampled_from(
    (frozenset(),) * 6 + tuple(frozenset({f}) for f in PHI_FIELDS) + (frozenset({"patient_id", "date_of_birth"}),)
)
people = st.sampled_from(PEOPLE)
# Writers drawn more often than those who are always refused, so that the library and templates grow.
template_writers = st.sampled_from((*PEOPLE, "doctor", "stranger", "admin", "admin"))
library_writers = st.sampled_from((*PEOPLE, "admin", "admin", "admin"))
picks = st.integers(min_value=0, max_value=1000)
versions = st.sampled_from((0, 0, 1, 1, 2))  # If-Match: none, the current version, a stale one


def fold(name: str) -> str:
    """Names compare ignoring case, surrounding spaces and runs of spaces (docs/ivr.md, "Unique names")."""
    return " ".join(name.casefold().split())


def given_names(content: TemplateContent) -> frozenset[str]:
    """The top-level keys a client would send for this content."""
    return frozenset(name for name in FIELDS if getattr(content, name) is not None)


# ---------------------------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------------------------


@define
class ModelTemplate:
    """What the model knows of one template: its owner ("A", "B", None for global), name, content and version."""

    owner: str | None
    name: str
    content: TemplateContent
    version: int = 1


@define
class ModelJustification:
    """What the model knows of one library justification."""

    title: str
    wound_type: WoundType
    hcpcs_code: str | None
    text: str
    version: int = 1


def expected_success(audit: list[Any], action: str) -> None:
    """Assert the request was audited once, as a success."""
    event(f"{action}: success")
    assert [(e.action, e.outcome) for e in audit] == [(action, Outcome.SUCCESS)]


def expected_refusal(result: Result[Any, Any], kind: type, audit: list[Any], action: str) -> Any:
    """Assert the call was refused with `kind` and audited once as a refusal with its code; return the error."""
    event(f"{action}: {kind.__name__}")
    assert isinstance(result, Failure), f"{action}: expected {kind.__name__}, got {result}"
    error = result.failure()
    assert isinstance(error, kind), f"{action}: expected {kind.__name__}, got {error!r}"
    # Access refusals are `denied`, bad input `invalid`; the docs leave 409 and 412 to either.
    outcomes = {NotFound: {Outcome.DENIED}, NotPermitted: {Outcome.DENIED}, ValidationFailed: {Outcome.INVALID}}
    allowed = outcomes.get(kind, {Outcome.DENIED, Outcome.INVALID})
    assert [(e.action, e.outcome in allowed, e.reason) for e in audit] == [(action, True, error.code)]
    return error


class TemplatesMachine(RuleBasedStateMachine):
    """Random people manage templates and justifications and start IVRs from them."""

    def __init__(self) -> None:
        """Start empty; the world is built in `setup`."""
        super().__init__()
        self.templates: dict[IvrTemplateId, ModelTemplate] = {}
        self.justifications: dict[JustificationId, ModelJustification] = {}
        self.gone_templates: list[IvrTemplateId] = []
        self.gone_justifications: list[JustificationId] = []
        self.ivrs: dict[IvrId, IvrContent] = {}
        self._tmp = tempfile.TemporaryDirectory()

    @initialize(
        seeds=st.lists(
            st.tuples(st.sampled_from(("doctor", "stranger", "admin")), st.sampled_from(NAMES[:-1]), contents),
            min_size=2,
            max_size=4,
        ),
        titles=st.lists(st.sampled_from(TITLES), min_size=1, max_size=3),
    )
    def setup(self, seeds: list[tuple[str, str, TemplateContent]], titles: list[str]) -> None:
        """Two practices with a doctor each, an admin, verification staff and the first practice's salesperson.

        A few templates and justifications are made through the rules first, so every rule finds something to act
        on (the first of each always succeeds; deleted ones stay pickable, for the 404s).
        """
        self.world: World = build_world(memory_platform(Path(self._tmp.name), now=NOW), names=PEOPLE)
        other = self.world.users["stranger"].practice_id
        assert other is not None
        self.practices: dict[str, PracticeId] = {"A": self.world.practice_id, "B": other}
        second = self.world.platform.patient(other)
        assert isinstance(second, Patient)
        self.patients: dict[str, PatientId] = {"A": self.world.patient.id, "B": second.id}
        for who, name, content in seeds:
            self.create_template(who=who, name=name, content=content, patient=frozenset(), practice=None)
        for title in titles:
            self.create_justification(who="admin", title=title, wound_type=WoundType.BURN, hcpcs="Q4186")

    def teardown(self) -> None:
        """Drop the scratch directory."""
        self._tmp.cleanup()

    # -- helpers --------------------------------------------------------------------------------------------------

    def _audit_since(self, count: int) -> list[Any]:
        return self.world.audit_rows()[count:]

    def _owner_of(self, template: IvrTemplate) -> str | None:
        return next((k for k, v in self.practices.items() if v == template.practice_id), None)

    def _holder(self, owner: str | None, name: str, but: IvrTemplateId | None = None) -> IvrTemplateId | None:
        return next(
            (i for i, t in self.templates.items() if t.owner == owner and fold(t.name) == fold(name) and i != but),
            None,
        )

    def _title_holder(self, title: str, but: JustificationId | None = None) -> JustificationId | None:
        return next(
            (i for i, j in self.justifications.items() if fold(j.title) == fold(title) and i != but),
            None,
        )

    def _visible(self, who: str, template: ModelTemplate) -> bool:
        return template.owner is None or template.owner in REACH[who]

    def _manages(self, who: str, owner: str | None) -> bool:
        if who == "admin":
            return True
        return who in OWN_PRACTICE and owner == OWN_PRACTICE[who]

    def _template_id(self, pick: int) -> IvrTemplateId:
        ids = [*self.templates, *self.gone_templates]
        return ids[pick % len(ids)]

    def _justification_id(self, pick: int) -> JustificationId:
        ids = [*self.justifications, *self.gone_justifications]
        return ids[pick % len(ids)]

    @staticmethod
    def _version(current: int, choice: int) -> int | None:
        """None (no If-Match), the current version, or a stale one."""
        return (None, current, current - 1)[choice]

    def _check_invalid(self, error: ValidationFailed, name: str, patient: frozenset[str], title: str = "name") -> None:
        expected = {f"content.{f}" for f in patient} | ({title} if not name.strip() else set())
        assert {e.field for e in error.errors} == expected
        for e in error.errors:
            if e.field.startswith("content."):
                assert e.message == PATIENT_DATA

    def _check_conflict(self, error: Conflict, holder: Any, name: str) -> None:
        assert error.existing_id == str(holder)
        assert name.strip() not in (error.detail or "")

    def _check_template(self, template: IvrTemplate, model: ModelTemplate) -> None:
        assert self._owner_of(template) == model.owner
        assert template.name == model.name
        assert template.content == model.content
        assert template.version == model.version

    # -- templates ------------------------------------------------------------------------------------------------

    @rule(
        who=template_writers,
        name=st.sampled_from(NAMES),
        content=contents,
        patient=phi,
        practice=st.sampled_from((None, "A", "B")),
    )
    def create_template(
        self, who: str, name: str, content: TemplateContent, patient: frozenset[str], practice: str | None
    ) -> None:
        """Create a template (a practice's or a global one) as anyone, sometimes naming patient fields."""
        raw = TemplateInput(
            name=name,
            content=content,
            practice_id=self.practices[practice] if practice else None,
            content_fields=given_names(content) | patient,
        )
        before = len(self.world.audit_rows())
        result = self.world.platform.container.create_ivr_template()(
            self.world.actors[who], CreateTemplate(template=raw)
        )
        audit = self._audit_since(before)
        owner = practice if who == "admin" else OWN_PRACTICE.get(who)
        if who not in USERS or (practice is not None and not self._manages(who, practice)):
            expected_refusal(result, NotPermitted, audit, "ivr_templates.create")
        elif patient or not name.strip():
            self._check_invalid(
                expected_refusal(result, ValidationFailed, audit, "ivr_templates.create"), name, patient
            )
        elif (holder := self._holder(owner, name)) is not None:
            self._check_conflict(expected_refusal(result, Conflict, audit, "ivr_templates.create"), holder, name)
        else:
            created = value_of(result)
            # The model keeps the name as stored: the docs fix only how names compare.
            assert fold(created.name) == fold(name)
            model = ModelTemplate(owner=owner, name=created.name, content=content)
            self._check_template(created, model)
            expected_success(audit, "ivr_templates.create")
            assert audit[0].resource_id == str(created.id)
            self.templates[created.id] = model

    @rule(
        who=template_writers,
        pick=picks,
        name=st.sampled_from((*NAMES, None)),
        content=st.one_of(st.none(), contents),
        patient=phi,
        version=versions,
    )
    def replace_template(
        self,
        *,
        who: str,
        pick: int,
        name: str | None,
        content: TemplateContent | None,
        patient: frozenset[str],
        version: int,
    ) -> None:
        """PUT a template: a new name (None: keep it) and a new content (None: keep it), with or without If-Match."""
        template_id = self._template_id(pick)
        model = self.templates.get(template_id)
        current = model or ModelTemplate(owner=None, name="gone", content=TemplateContent())
        new_name = current.name if name is None else name
        new_content = current.content if content is None else content
        expected_version = self._version(current.version, version)
        raw = TemplateInput(name=new_name, content=new_content, content_fields=given_names(new_content) | patient)
        cmd = UpdateTemplate(template_id=template_id, template=raw, expected_version=expected_version)
        before = len(self.world.audit_rows())
        result = self.world.platform.container.update_ivr_template()(self.world.actors[who], cmd)
        audit = self._audit_since(before)
        action = "ivr_templates.update"
        if model is None or not self._visible(who, model):
            expected_refusal(result, NotFound, audit, action)
        elif not self._manages(who, model.owner):
            expected_refusal(result, NotPermitted, audit, action)
        elif expected_version is not None and expected_version != model.version:
            error = expected_refusal(result, PreconditionFailed, audit, action)
            assert error.current_version == model.version
        elif patient or not new_name.strip():
            self._check_invalid(expected_refusal(result, ValidationFailed, audit, action), new_name, patient)
        elif (holder := self._holder(model.owner, new_name, but=template_id)) is not None:
            self._check_conflict(expected_refusal(result, Conflict, audit, action), holder, new_name)
        else:
            saved = value_of(result)
            assert fold(saved.name) == fold(new_name)
            changed = evolve(model, name=saved.name, content=new_content, version=model.version + 1)
            self._check_template(saved, changed)
            expected_success(audit, action)
            self.templates[template_id] = changed

    @rule(who=template_writers, pick=picks, version=versions)
    def delete_template(self, who: str, pick: int, version: int) -> None:
        """Delete a template as anyone."""
        template_id = self._template_id(pick)
        model = self.templates.get(template_id)
        expected_version = self._version(model.version if model else 1, version)
        cmd = DeleteTemplate(template_id=template_id, expected_version=expected_version)
        before = len(self.world.audit_rows())
        result = self.world.platform.container.delete_ivr_template()(self.world.actors[who], cmd)
        audit = self._audit_since(before)
        action = "ivr_templates.delete"
        if model is None or not self._visible(who, model):
            expected_refusal(result, NotFound, audit, action)
        elif not self._manages(who, model.owner):
            expected_refusal(result, NotPermitted, audit, action)
        elif expected_version is not None and expected_version != model.version:
            expected_refusal(result, PreconditionFailed, audit, action)
        else:
            assert isinstance(result, Success)
            expected_success(audit, action)
            del self.templates[template_id]
            self.gone_templates.append(template_id)

    @rule(who=people, pick=picks)
    def read_template(self, who: str, pick: int) -> None:
        """Read one template as anyone: 404 out of reach, 403 for roles without IVR work."""
        template_id = self._template_id(pick)
        model = self.templates.get(template_id)
        before = len(self.world.audit_rows())
        result = self.world.platform.container.get_ivr_template()(self.world.actors[who], template_id)
        audit = self._audit_since(before)
        if model is None or not self._visible(who, model):
            expected_refusal(result, NotFound, audit, "ivr_templates.read")
        elif who not in USERS:
            expected_refusal(result, NotPermitted, audit, "ivr_templates.read")
        else:
            self._check_template(value_of(result), model)
            expected_success(audit, "ivr_templates.read")

    @rule(
        who=people,
        scope=st.sampled_from((None, TemplateScope.GLOBAL, TemplateScope.PRACTICE)),
        practice=st.sampled_from((None, "A", "B")),
        part=st.sampled_from((None, *NAME_PARTS)),
    )
    def list_templates(self, who: str, scope: TemplateScope | None, practice: str | None, part: str | None) -> None:
        """List templates as anyone, with the documented filters."""
        filters = TemplateFilter(scope=scope, practice_id=self.practices[practice] if practice else None, name=part)
        before = len(self.world.audit_rows())
        result = self.world.platform.container.list_ivr_templates()(
            self.world.actors[who], filters, PageRequest(limit=200)
        )
        audit = self._audit_since(before)
        if who not in USERS:
            expected_refusal(result, NotPermitted, audit, "ivr_templates.list")
            return
        expected = {
            i
            for i, t in self.templates.items()
            if self._visible(who, t)
            and (scope is None or (t.owner is None) == (scope is TemplateScope.GLOBAL))
            and (practice is None or t.owner == practice)
            and (part is None or part.casefold() in t.name.casefold())
        }
        listed = value_of(result).items
        assert {t.id for t in listed} == expected, (who, filters)
        assert len(listed) == len(expected)
        for template in listed:
            self._check_template(template, self.templates[template.id])
        expected_success(audit, "ivr_templates.list")

    # -- justifications -------------------------------------------------------------------------------------------

    @rule(
        who=library_writers,
        title=st.sampled_from((*TITLES, " ")),
        wound_type=st.sampled_from(WOUND_TYPES),
        hcpcs=st.sampled_from(HCPCS),
    )
    def create_justification(self, who: str, title: str, wound_type: WoundType, hcpcs: str | None) -> None:
        """Add a justification as anyone: admins only."""
        text = f"Why, number {len(self.justifications) + len(self.gone_justifications)}."
        raw = JustificationInput(title=title, wound_type=wound_type, hcpcs_code=hcpcs, text=text)
        before = len(self.world.audit_rows())
        result = self.world.platform.container.justification_library().create(self.world.actors[who], raw)
        audit = self._audit_since(before)
        action = "justifications.create"
        if who != "admin":
            expected_refusal(result, NotPermitted, audit, action)
        elif not title.strip():
            self._check_invalid(expected_refusal(result, ValidationFailed, audit, action), title, frozenset(), "title")
        elif (holder := self._title_holder(title)) is not None:
            self._check_conflict(expected_refusal(result, Conflict, audit, action), holder, title)
        else:
            item = value_of(result)
            assert fold(item.title) == fold(title)
            model = ModelJustification(
                title=item.title, wound_type=wound_type, hcpcs_code=hcpcs.upper() if hcpcs else None, text=text
            )
            self._check_justification(item, model)
            expected_success(audit, action)
            self.justifications[item.id] = model

    def _check_justification(self, item: MedicalJustification, model: ModelJustification) -> None:
        assert (item.title, item.wound_type, item.hcpcs_code, item.text, item.version) == (
            model.title,
            model.wound_type,
            model.hcpcs_code,
            model.text,
            model.version,
        )

    @rule(who=library_writers, pick=picks, title=st.sampled_from((*TITLES, " ")), version=versions)
    def rename_justification(self, who: str, pick: int, title: str, version: int) -> None:
        """Give a justification another title (its other values kept) as anyone."""
        justification_id = self._justification_id(pick)
        model = self.justifications.get(justification_id)
        current = model or ModelJustification(title="gone", wound_type=WoundType.BURN, hcpcs_code=None, text="t")
        raw = JustificationInput(
            title=title, wound_type=current.wound_type, hcpcs_code=current.hcpcs_code, text=current.text
        )
        expected_version = self._version(current.version, version)
        cmd = UpdateJustification(
            justification_id=justification_id, justification=raw, expected_version=expected_version
        )
        before = len(self.world.audit_rows())
        result = self.world.platform.container.justification_library().update(self.world.actors[who], cmd)
        audit = self._audit_since(before)
        action = "justifications.update"
        if model is None:
            expected_refusal(result, NotFound, audit, action)
        elif who != "admin":
            expected_refusal(result, NotPermitted, audit, action)
        elif expected_version is not None and expected_version != model.version:
            expected_refusal(result, PreconditionFailed, audit, action)
        elif not title.strip():
            self._check_invalid(expected_refusal(result, ValidationFailed, audit, action), title, frozenset(), "title")
        elif (holder := self._title_holder(title, but=justification_id)) is not None:
            self._check_conflict(expected_refusal(result, Conflict, audit, action), holder, title)
        else:
            saved = value_of(result)
            assert fold(saved.title) == fold(title)
            changed = evolve(model, title=saved.title, version=model.version + 1)
            self._check_justification(saved, changed)
            expected_success(audit, action)
            self.justifications[justification_id] = changed

    @rule(who=people, pick=picks)
    def delete_justification(self, who: str, pick: int) -> None:
        """Remove a justification as anyone: admins only."""
        justification_id = self._justification_id(pick)
        model = self.justifications.get(justification_id)
        cmd = DeleteJustification(justification_id=justification_id)
        before = len(self.world.audit_rows())
        result = self.world.platform.container.justification_library().delete(self.world.actors[who], cmd)
        audit = self._audit_since(before)
        action = "justifications.delete"
        if model is None:
            expected_refusal(result, NotFound, audit, action)
        elif who != "admin":
            expected_refusal(result, NotPermitted, audit, action)
        else:
            assert isinstance(result, Success)
            expected_success(audit, action)
            del self.justifications[justification_id]
            self.gone_justifications.append(justification_id)

    @rule(
        who=people,
        wound_type=st.sampled_from((None, *WOUND_TYPES)),
        hcpcs=st.sampled_from((None, "Q4186", "Q4187")),
    )
    def list_justifications(self, who: str, wound_type: WoundType | None, hcpcs: str | None) -> None:
        """List the library as anyone, filtered by wound type and HCPCS code."""
        filters = JustificationFilter(wound_type=wound_type, hcpcs_code=hcpcs)
        before = len(self.world.audit_rows())
        result = self.world.platform.container.justification_library().list(
            self.world.actors[who], filters, PageRequest(limit=200)
        )
        audit = self._audit_since(before)
        if who not in USERS:
            expected_refusal(result, NotPermitted, audit, "justifications.list")
            return
        expected = {
            i
            for i, j in self.justifications.items()
            if (wound_type is None or j.wound_type is wound_type) and (hcpcs is None or j.hcpcs_code == hcpcs)
        }
        listed = value_of(result).items
        assert {j.id for j in listed} == expected
        assert len(listed) == len(expected)
        for item in listed:
            self._check_justification(item, self.justifications[item.id])
        expected_success(audit, "justifications.list")

    # -- IVRs from them -------------------------------------------------------------------------------------------

    @rule(
        who=st.sampled_from(("doctor", "stranger")),
        pick=picks,
        sent=st.frozensets(st.sampled_from(FIELDS), max_size=4),
        defaults=st.frozensets(st.sampled_from(FIELDS)),
        chosen=st.lists(picks, max_size=3),
    )
    def create_ivr_from_template(
        self, who: str, pick: int, sent: frozenset[str], defaults: frozenset[str], chosen: list[int]
    ) -> None:
        """Start an IVR from a template with a few body fields (some sent as their defaults) and justifications."""
        practice = OWN_PRACTICE[who]
        template_id = self._template_id(pick)
        model = self.templates.get(template_id)
        library = [*self.justifications, *self.gone_justifications]
        justification_ids = tuple(dict.fromkeys(library[c % len(library)] for c in chosen)) if library else ()
        body = IvrInput(
            patient_id=self.patients[practice],
            **{name: getattr(BARE if name in defaults else BODY, name) for name in sent},
        )
        cmd = CreateIvr(ivr=body, template_id=template_id, justification_ids=justification_ids, given=sent)
        before = len(self.world.audit_rows())
        result = self.world.platform.container.create_ivr()(self.world.actors[who], cmd)
        audit = self._audit_since(before)
        bad = {"template_id"} if model is None or not self._visible(who, model) else set()
        bad |= {f"justification_ids[{i}]" for i, j in enumerate(justification_ids) if j not in self.justifications}
        if bad:
            error = expected_refusal(result, ValidationFailed, audit, "ivrs.create")
            assert {e.field for e in error.errors} == bad
            return
        assert model is not None
        ivr = value_of(result).ivr
        assert isinstance(ivr, Ivr)
        expected_success(audit, "ivrs.create")
        assert ("justification_ids" in audit[0].changed_fields) == bool(justification_ids)
        # The documented merge: a field the body sends wins, else the template's, else the default.
        merged = {
            name: getattr(body, name)
            if name in sent or getattr(model.content, name) is None
            else getattr(model.content, name)
            for name in FIELDS
        }
        texts = [f"{self.justifications[j].title}\n{self.justifications[j].text}" for j in justification_ids]
        notes = [merged["notes"].strip()] if merged["notes"] and merged["notes"].strip() else []
        merged["notes"] = "\n\n".join(notes + texts) or None
        assert ivr.content.justification_ids == justification_ids
        assert ivr.content.notes == merged["notes"]
        # The same form sent whole, without template or justifications, must make the same content.
        reference = self.world.draft(who, IvrInput(patient_id=body.patient_id, **merged))
        assert evolve(ivr.content, justification_ids=()) == reference.content
        before = len(self.world.audit_rows())
        shown = value_of(self.world.get(who, ivr.id)).ivr
        assert shown == ivr
        assert [e.action for e in self._audit_since(before)] == ["ivrs.read"]
        self.ivrs[ivr.id] = ivr.content

    @invariant()
    def everything_is_as_the_model_says(self) -> None:
        """An admin lists exactly the model's templates and justifications; IVRs keep what they copied."""
        admin = self.world.actors["admin"]
        container = self.world.platform.container
        templates = value_of(container.list_ivr_templates()(admin, TemplateFilter(), PageRequest(limit=200))).items
        assert {t.id for t in templates} == set(self.templates)
        for template in templates:
            self._check_template(template, self.templates[template.id])
        library = value_of(container.justification_library().list(admin, JustificationFilter(), PageRequest(limit=200)))
        assert {j.id for j in library.items} == set(self.justifications)
        keys = [(t.owner, fold(t.name)) for t in self.templates.values()]
        assert len(keys) == len(set(keys))
        titles = [fold(j.title) for j in self.justifications.values()]
        assert len(titles) == len(set(titles))
        # An IVR copied its template and justifications: changing or deleting them later never changes it.
        for ivr_id, content in self.ivrs.items():
            assert self.world.stored(ivr_id).content == content


TestTemplatesMachine = TemplatesMachine.TestCase
TestTemplatesMachine.settings = settings(
    max_examples=25,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

"""Template and justification use cases: who may do what, audit records (refusals too), creating IVRs from them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from attrs import evolve
from returns.result import Result

from ivr_domain.ivr.model import Ivr, Priority, WoundType
from ivr_domain.ivr.templates.justification_cases import DeleteJustification, UpdateJustification
from ivr_domain.ivr.templates.model import IvrTemplate, MedicalJustification, TemplateContent, TemplateFilter
from ivr_domain.ivr.templates.template_cases import CreateTemplate, DeleteTemplate, UpdateTemplate
from ivr_domain.ivr.templates.validation import JustificationInput, TemplateInput
from ivr_domain.ivr.use_cases import CreateIvr
from ivr_domain.ivr.validation import IvrInput
from ivr_domain.shared.audit import Outcome
from ivr_domain.shared.errors import NotFound, NotPermitted, PreconditionFailed, ValidationFailed
from ivr_domain.shared.ids import IvrTemplateId, JustificationId, PracticeId
from ivr_domain.shared.paging import PageRequest
from tests.platform import error_of, value_of
from tests.unit.ivr.world import World

URGENT = TemplateContent(priority=Priority.URGENT, notes="Offloading tried.")
NOWHERE = UUID(int=99)


def _create(world: World, who: str, content: TemplateContent = URGENT, **raw: Any) -> Result[IvrTemplate, Any]:
    cmd = CreateTemplate(template=TemplateInput(name=raw.pop("name", "Heel DFU"), content=content, **raw))
    return world.platform.container.create_ivr_template()(world.actors[who], cmd)


def _get(world: World, who: str, template_id: IvrTemplateId) -> Result[IvrTemplate, Any]:
    return world.platform.container.get_ivr_template()(world.actors[who], template_id)


def _justify(world: World, who: str = "admin", title: str = "DFU, standard care failed") -> Result[Any, Any]:
    raw = JustificationInput(title=title, wound_type=WoundType.DIABETIC_FOOT_ULCER, text="Four weeks of care failed.")
    return world.platform.container.justification_library().create(world.actors[who], raw)


def _last_audit(world: World, action: str) -> Any:
    return [entry for entry in world.audit_rows() if entry.action == action][-1]


def test_a_doctor_manages_their_practice_template_and_a_colleague_shares_it(world: World) -> None:
    template = value_of(_create(world, "doctor"))

    assert template.practice_id == world.practice_id
    entry = _last_audit(world, "ivr_templates.create")
    assert (entry.outcome, entry.resource_id, entry.patient_ids) == (Outcome.SUCCESS, str(template.id), ())
    assert set(entry.changed_fields) == {"name", "content.priority", "content.notes"}
    assert value_of(_get(world, "colleague", template.id)) == template
    cmd = UpdateTemplate(
        template_id=template.id, template=TemplateInput(name="Renamed", content=URGENT), expected_version=1
    )
    updated = value_of(world.platform.container.update_ivr_template()(world.actors["colleague"], cmd))
    assert (updated.name, updated.version) == ("Renamed", 2)
    assert _last_audit(world, "ivr_templates.update").changed_fields == ("name",)


def test_another_practice_gets_not_found_and_the_denial_is_audited(world: World) -> None:
    template = value_of(_create(world, "doctor"))

    assert isinstance(error_of(_get(world, "stranger", template.id)), NotFound)
    entry = _last_audit(world, "ivr_templates.read")
    assert (entry.outcome, entry.resource_id, entry.reason) == (Outcome.DENIED, str(template.id), "not_found")
    delete = DeleteTemplate(template_id=template.id)
    assert isinstance(
        error_of(world.platform.container.delete_ivr_template()(world.actors["stranger"], delete)), NotFound
    )
    listed = value_of(
        world.platform.container.list_ivr_templates()(world.actors["stranger"], TemplateFilter(), PageRequest())
    )
    assert listed.items == ()


def test_admins_manage_global_templates_which_doctors_use_but_cannot_change(world: World) -> None:
    shared = value_of(_create(world, "admin", name="Global"))
    theirs = value_of(_create(world, "admin", name="For the clinic", practice_id=world.practice_id))

    assert shared.is_global
    assert theirs.practice_id == world.practice_id
    assert value_of(_get(world, "stranger", shared.id)) == shared
    cmd = UpdateTemplate(template_id=shared.id, template=TemplateInput(name="Mine now", content=URGENT))
    assert isinstance(
        error_of(world.platform.container.update_ivr_template()(world.actors["doctor"], cmd)), NotPermitted
    )
    assert _last_audit(world, "ivr_templates.update").outcome is Outcome.DENIED
    wrong = _create(world, "admin", practice_id=PracticeId(NOWHERE))
    assert [e.field for e in error_of(wrong).errors] == ["practice_id"]


def test_roles_without_template_business_are_refused_and_audited(world: World) -> None:
    for who in ("sales", "staff", "logistics"):
        assert isinstance(error_of(_create(world, who)), NotPermitted)
        assert _last_audit(world, "ivr_templates.create").outcome is Outcome.DENIED
    assert isinstance(error_of(_create(world, "doctor", practice_id=world.users["stranger"].practice_id)), NotPermitted)


def test_delete_checks_the_version_then_removes(world: World) -> None:
    template = value_of(_create(world, "doctor"))
    delete = world.platform.container.delete_ivr_template()

    assert isinstance(
        error_of(delete(world.actors["doctor"], DeleteTemplate(template_id=template.id, expected_version=5))),
        PreconditionFailed,
    )
    value_of(delete(world.actors["doctor"], DeleteTemplate(template_id=template.id, expected_version=1)))
    assert isinstance(error_of(_get(world, "doctor", template.id)), NotFound)
    assert _last_audit(world, "ivr_templates.delete").outcome is Outcome.SUCCESS


def test_the_library_is_written_by_admins_and_read_by_ivr_writers(world: World) -> None:
    library = world.platform.container.justification_library()
    assert isinstance(error_of(_justify(world, "doctor")), NotPermitted)
    assert _last_audit(world, "justifications.create").outcome is Outcome.DENIED
    item = value_of(_justify(world))

    assert value_of(library.get(world.actors["doctor"], item.id)) == item
    assert isinstance(error_of(library.get(world.actors["sales"], item.id)), NotPermitted)
    bad = UpdateJustification(
        justification_id=item.id,
        justification=JustificationInput(title="", wound_type=WoundType.BURN, text="t", hcpcs_code="Z"),
    )
    assert {e.field for e in error_of(library.update(world.actors["admin"], bad)).errors} == {"title", "hcpcs_code"}
    assert isinstance(
        error_of(library.delete(world.actors["doctor"], DeleteJustification(justification_id=item.id))), NotPermitted
    )
    value_of(library.delete(world.actors["admin"], DeleteJustification(justification_id=item.id, expected_version=1)))
    assert isinstance(error_of(library.get(world.actors["doctor"], item.id)), NotFound)


def test_an_ivr_from_a_template_and_justifications_records_which_were_chosen(world: World) -> None:
    template = value_of(_create(world, "doctor"))
    chosen: MedicalJustification = value_of(_justify(world))
    body = IvrInput(patient_id=world.patient.id, notes=None)
    cmd = CreateIvr(ivr=body, template_id=template.id, justification_ids=(chosen.id,))

    ivr = value_of(world.platform.container.create_ivr()(world.actors["doctor"], cmd)).ivr

    assert isinstance(ivr, Ivr)
    assert ivr.content.priority is Priority.URGENT
    assert ivr.content.notes == "Offloading tried.\n\nDFU, standard care failed\nFour weeks of care failed."
    assert ivr.content.justification_ids == (chosen.id,)
    assert "justification_ids" in _last_audit(world, "ivrs.create").changed_fields
    edited = value_of(world.update("doctor", ivr.id, evolve(body, notes="Rewritten"))).ivr
    assert isinstance(edited, Ivr)
    assert edited.content.justification_ids == (chosen.id,)
    assert edited.content.notes == "Rewritten"


def test_unknown_invisible_or_repeated_ids_are_field_problems(world: World) -> None:
    theirs = value_of(_create(world, "stranger"))
    chosen = value_of(_justify(world))
    missing = JustificationId(NOWHERE)
    cmd = CreateIvr(
        ivr=IvrInput(patient_id=world.patient.id),
        template_id=theirs.id,
        justification_ids=(chosen.id, missing, chosen.id),
    )

    failed = error_of(world.platform.container.create_ivr()(world.actors["doctor"], cmd))

    assert isinstance(failed, ValidationFailed)
    assert [e.field for e in failed.errors] == ["template_id", "justification_ids", "justification_ids[1]"]
    assert _last_audit(world, "ivrs.create").outcome is Outcome.INVALID

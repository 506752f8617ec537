"""Submit and resubmit require the document kinds an operator lists: on the IVR or on its patient."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from attrs import evolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Result

from entrypoints.settings import SettingsError, load_settings
from ivr_domain.ivr.documents import missing_kinds
from ivr_domain.ivr.model import IvrStatus
from ivr_domain.ivr.use_cases import ActOnIvr, RequestInfo, Resubmit, StartReview, Submit
from ivr_domain.patients.documents import UploadDocument
from ivr_domain.shared.audit import Outcome
from ivr_domain.shared.documents import DocumentKind
from ivr_domain.shared.errors import FieldError, ValidationFailed
from ivr_domain.shared.ids import IvrId
from tests.platform import error_of, memory_platform, settings_env, value_of
from tests.unit.ivr.builders import NOW, complete_ivr
from tests.unit.ivr.test_documents import PNG_BYTES, upload
from tests.unit.ivr.world import World, build_world

CARDS = "insurance_card_front,insurance_card_back"
KINDS = st.frozensets(st.sampled_from(list(DocumentKind)))


def _submit(world: World, ivr_id: IvrId, required: frozenset[DocumentKind]) -> Result[Any, Any]:
    act = evolve(world.platform.container.act_on_ivr(), required_document_kinds=required)
    return act(world.actors["doctor"], ActOnIvr(ivr_id=ivr_id, action=Submit()))


def _on_patient(world: World, kind: DocumentKind) -> None:
    cmd = UploadDocument(patient_id=world.patient.id, kind=kind.value, content=[PNG_BYTES])
    value_of(world.platform.container.upload_document()(world.actors["doctor"], cmd))


def _documents_errors(refused: ValidationFailed) -> list[str]:
    return [e.message.split()[5] for e in refused.errors if e.field == "documents"]


def test_missing_kinds_are_one_problem_each_in_the_kinds_order() -> None:
    required = {DocumentKind.CLINICAL_NOTES, DocumentKind.INSURANCE_CARD_FRONT, DocumentKind.WOUND_PHOTO}
    problems = missing_kinds(required, {DocumentKind.WOUND_PHOTO, DocumentKind.OTHER})
    assert problems == (
        FieldError(
            field="documents", message="needs a document of kind insurance_card_front (on the IVR or its patient)"
        ),
        FieldError(field="documents", message="needs a document of kind clinical_notes (on the IVR or its patient)"),
    )
    assert missing_kinds((), DocumentKind) == ()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(required=KINDS, on_ivr=KINDS, on_patient=KINDS)
def test_a_submit_succeeds_iff_every_required_kind_is_on_the_ivr_or_its_patient(
    required: frozenset[DocumentKind], on_ivr: frozenset[DocumentKind], on_patient: frozenset[DocumentKind]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        world = build_world(memory_platform(Path(folder), now=NOW), ["doctor"])
        ivr = world.draft()
        for kind in on_ivr:
            value_of(upload(world, "doctor", ivr.id, kind=kind.value))
        for kind in on_patient:
            _on_patient(world, kind)
        audit_before = len(world.audit_rows())

        result = _submit(world, ivr.id, required)

        missing = required - on_ivr - on_patient
        if not missing:
            assert value_of(result).ivr.status is IvrStatus.SUBMITTED
            return
        refused = error_of(result)
        assert isinstance(refused, ValidationFailed)
        assert _documents_errors(refused) == [k.value for k in DocumentKind if k in missing]
        assert world.stored(ivr.id) == ivr  # nothing changed but the audit log
        assert world.history(ivr.id)[-1].to_status is IvrStatus.DRAFT
        (denied,) = world.audit_rows()[audit_before:]
        assert (denied.action, denied.outcome, denied.reason) == ("ivrs.submit", Outcome.INVALID, "validation_failed")


def test_missing_documents_come_with_the_other_completeness_problems(world: World) -> None:
    ivr = world.draft(body=evolve(complete_ivr(world.patient.id), signature=None))
    refused = error_of(_submit(world, ivr.id, frozenset({DocumentKind.CLINICAL_NOTES})))
    assert isinstance(refused, ValidationFailed)
    fields = [e.field for e in refused.errors]
    assert fields[-1] == "documents"
    assert any(f.startswith("signature") for f in fields)


def test_the_setting_wires_the_required_kinds_into_submit_and_resubmit(tmp_path: Path) -> None:
    world = build_world(memory_platform(tmp_path, now=NOW, env={"IVR_IVR_REQUIRED_DOCUMENT_KINDS": CARDS}))
    ivr = world.draft()
    refused = error_of(world.act("doctor", ivr.id, Submit()))
    assert isinstance(refused, ValidationFailed)
    assert _documents_errors(refused) == ["insurance_card_front", "insurance_card_back"]

    _on_patient(world, DocumentKind.INSURANCE_CARD_FRONT)  # a card on the patient serves every IVR
    value_of(upload(world, "doctor", ivr.id, kind="insurance_card_back"))
    value_of(world.act("doctor", ivr.id, Submit()))
    value_of(world.act("staff", ivr.id, StartReview()))
    value_of(world.act("staff", ivr.id, RequestInfo(message="A clearer card, please")))
    assert value_of(world.act("doctor", ivr.id, Resubmit())).ivr.status is IvrStatus.SUBMITTED

    other = world.draft()  # the back of the card was on the first IVR only
    refused = error_of(world.act("doctor", other.id, Submit()))
    assert isinstance(refused, ValidationFailed)
    assert _documents_errors(refused) == ["insurance_card_back"]


def test_without_the_setting_nothing_is_required(world: World) -> None:
    assert world.platform.container.act_on_ivr().required_document_kinds == frozenset()
    assert value_of(world.act("doctor", world.draft().id, Submit())).ivr.status is IvrStatus.SUBMITTED


@pytest.mark.parametrize("value", ["insurance_card", "clinical_notes,selfie", "CLINICAL_NOTES"])
def test_unknown_kinds_stop_the_start_up_with_the_allowed_kinds(tmp_path: Path, value: str) -> None:
    with pytest.raises(SettingsError, match="IVR_IVR_REQUIRED_DOCUMENT_KINDS names unknown document kinds") as raised:
        load_settings(settings_env(tmp_path, IVR_IVR_REQUIRED_DOCUMENT_KINDS=value))
    assert "insurance_card_front, insurance_card_back, demographics" in str(raised.value)


def test_the_setting_reads_a_comma_separated_list_with_spaces(tmp_path: Path) -> None:
    loaded = load_settings(settings_env(tmp_path, IVR_IVR_REQUIRED_DOCUMENT_KINDS=" clinical_notes , wound_photo,"))
    assert loaded.documents.ivr_required_kinds == {DocumentKind.CLINICAL_NOTES, DocumentKind.WOUND_PHOTO}

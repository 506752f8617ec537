"""Patient and IVR documents against an independent model, random step after random step through the use cases.

The model is written from docs/patients.md ("Documents"), docs/ivr.md ("IVR documents", "Who sees and may do
what") and docs/security.md (scopes, projections, audit), and shares nothing with the access rules in the core:
who reaches which patient and IVR, who may add documents in which state, the form, type and size checks in
their documented order, which documents exist with which bytes, and which kinds a submit still lacks. Every
answer is checked against it, and every request leaves exactly one audit entry naming the patient it was about.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from attrs import define
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from returns.result import Failure, Result, Success

from adapters.memory import InMemoryDocumentStore
from ivr_domain.ivr.documents import UploadIvrDocument
from ivr_domain.ivr.model import IvrStatus, RejectionReason
from ivr_domain.ivr.use_cases import Approve, Cancel, IvrAction, Reject, RequestInfo, Resubmit, StartReview, Submit
from ivr_domain.patients.documents import UploadDocument
from ivr_domain.patients.model import Patient
from ivr_domain.patients.use_cases import ArchivePatient
from ivr_domain.shared.audit import AuditEntry, Outcome
from ivr_domain.shared.documents import DocumentKind, UploadedFile
from ivr_domain.shared.errors import (
    DomainError,
    InvalidTransition,
    NotFound,
    NotPermitted,
    TooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from ivr_domain.shared.ids import DocumentId, IvrId, PatientId, new_id
from ivr_domain.shared.paging import PageRequest
from tests.platform import error_of, memory_platform, value_of
from tests.unit.ivr.builders import NOW, complete_ivr, covered
from tests.unit.ivr.world import World, build_world

# ---------------------------------------------------------------------------------------------------------------
# The model, from the documentation
# ---------------------------------------------------------------------------------------------------------------

MAX_BYTES = 4096
REQUIRED = frozenset({DocumentKind.INSURANCE_CARD_FRONT})

# The documented types and their standard leading bytes ("read from the file's first bytes").
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
}

PEOPLE = ("doctor", "colleague", "stranger", "staff", "sales", "logistics")
PRACTICE = {"doctor": "a", "colleague": "a", "stranger": "b", "sales": "a"}  # whose practice each reaches
DOCTORS = frozenset({"doctor", "colleague", "stranger"})  # patients.write, ivrs.write, full projection
FULL = DOCTORS | {"staff"}  # admin is not in this world
PRACTICE_UPLOAD = frozenset({"draft", "submitted", "info_requested"})
REVIEWER_UPLOAD = frozenset({"submitted", "in_review", "info_requested", "pending_prior_auth"})

# Forward steps of the lifecycle (docs/ivr.md): trigger -> (sources, target, party).
STEPS: dict[str, tuple[frozenset[str], str, str]] = {
    "submit": (frozenset({"draft"}), "submitted", "practice"),
    "start-review": (frozenset({"submitted"}), "in_review", "reviewer"),
    "request-info": (frozenset({"in_review"}), "info_requested", "reviewer"),
    "resubmit": (frozenset({"info_requested"}), "submitted", "practice"),
    "approve": (frozenset({"in_review"}), "approved", "reviewer"),
    "reject": (frozenset({"in_review"}), "rejected", "reviewer"),
    "cancel": (frozenset({"draft", "submitted", "info_requested"}), "cancelled", "practice"),
}
ACTIONS: dict[str, IvrAction] = {
    "submit": Submit(),
    "start-review": StartReview(),
    "request-info": RequestInfo(message="A clearer copy of the card, please"),
    "resubmit": Resubmit(),
    "approve": Approve(coverages=(covered(valid_until=NOW.date() + timedelta(days=90)),)),
    "reject": Reject(reason_code=RejectionReason.OTHER, explanation="The plan does not cover this product here."),
    "cancel": Cancel(),
}


@define
class ModelPatient:
    """What the model knows of a patient."""

    id: PatientId
    practice: str
    archived: bool = False
    submitted: bool = False  # has an IVR that was submitted: verification staff reach them


@define
class ModelIvr:
    """What the model knows of an IVR."""

    patient: str
    practice: str
    status: str = "draft"
    ever_submitted: bool = False


@define
class ModelDocument:
    """A stored document: whose it is, what it is, its exact bytes, and who sent it."""

    owner: str | IvrId  # a patient's name, or an IVR's id
    kind: DocumentKind
    content: bytes
    content_type: str
    uploaded_by: str
    seq: int


def sniffed(content: bytes) -> str | None:
    """Return the documented type the leading bytes announce, or None."""
    return next((t for t, magics in SIGNATURES.items() if any(content.startswith(m) for m in magics)), None)


# ---------------------------------------------------------------------------------------------------------------
# Files: a supported header and a payload, under or over the limit, or something else entirely
# ---------------------------------------------------------------------------------------------------------------

HEADERS = [magic for magics in SIGNATURES.values() for magic in magics]


@st.composite
def files(draw: st.DrawFn) -> bytes:
    """Draw a file: mostly a supported type within the limit, sometimes past it, sometimes not a supported type."""
    shape = draw(st.sampled_from(["fits"] * 7 + ["edge", "over", "unsupported", "unsupported", "unsupported_over"]))
    if shape.startswith("unsupported"):
        head = draw(st.sampled_from([b"", b"GIF89a", b"%PD", b"\x89PNG\r\n", b"PK\x03\x04", b"II*", b'{"a": 1}']))
        size = MAX_BYTES + 1 if shape == "unsupported_over" else draw(st.integers(0, 64))
        content = head + draw(st.binary(min_size=size, max_size=size))
        return content if sniffed(content) is None else b"GIF89a" + content
    head = draw(st.sampled_from(HEADERS))
    room = MAX_BYTES - len(head)
    if shape == "fits":
        size = draw(st.integers(0, 300))
    else:  # exactly at the limit, one byte past it, or well past it
        size = draw(st.sampled_from([room, room + 1])) if shape == "edge" else room + 500
    return head + draw(st.binary(min_size=size, max_size=size))


# Every kind, the required one more often than the others, and now and then one that does not exist.
KINDS = st.sampled_from([*sorted(REQUIRED) * 5, *(k.value for k in DocumentKind), "selfie"])


def chunked(content: bytes, size: int) -> list[bytes]:
    """Split the bytes as a network might bring them."""
    return [content[i : i + size] for i in range(0, len(content), size)]


# ---------------------------------------------------------------------------------------------------------------
# The machine
# ---------------------------------------------------------------------------------------------------------------


class Documents(RuleBasedStateMachine):
    """Uploads, lists and downloads of patient and IVR documents by everyone around a practice, as IVRs move."""

    def __init__(self) -> None:
        super().__init__()
        self._tmp = tempfile.TemporaryDirectory()
        env = {"IVR_IVR_REQUIRED_DOCUMENT_KINDS": ",".join(REQUIRED), "IVR_MAX_DOCUMENT_BYTES": str(MAX_BYTES)}
        self.world: World = build_world(memory_platform(Path(self._tmp.name), now=NOW, env=env), PEOPLE)
        platform = self.world.platform
        second = platform.patient(self.world.practice_id, first="Grace", last="Example")
        theirs = platform.patient(self.world.users["stranger"].practice_id, first="Alan", last="Other")
        assert isinstance(second, Patient)
        assert isinstance(theirs, Patient)
        self.patients = {
            "p1": ModelPatient(id=self.world.patient.id, practice="a"),
            "p2": ModelPatient(id=second.id, practice="a"),
            "p3": ModelPatient(id=theirs.id, practice="b"),
        }
        self.ivrs: dict[IvrId, ModelIvr] = {}
        self.documents: dict[DocumentId, ModelDocument] = {}
        self.seq = 0

    def teardown(self) -> None:
        self._tmp.cleanup()

    # -- the model's answers ---------------------------------------------------------------------------------

    def _reaches_patient(self, who: str, p: ModelPatient) -> bool:
        if who == "staff":
            return p.submitted
        return PRACTICE.get(who) == p.practice  # logistics reach nobody

    def _reaches_ivr(self, who: str, m: ModelIvr) -> bool:
        if who == "staff":
            return m.ever_submitted  # never a draft that was not submitted
        return PRACTICE.get(who) == m.practice

    def _patient_upload_refusal(self, who: str, p: ModelPatient) -> type[DomainError] | None:
        if not self._reaches_patient(who, p):
            return NotFound
        if who not in DOCTORS:  # ivr_staff read only; the sales hierarchy is masked
            return NotPermitted
        return InvalidTransition if p.archived else None

    def _ivr_upload_refusal(self, who: str, m: ModelIvr) -> type[DomainError] | None:
        if not self._reaches_ivr(who, m):
            return NotFound
        if who not in FULL:
            return NotPermitted
        # The only reviewer in this world is `staff`, so staff are always the IVR's reviewer party. docs/ivr.md ties
        # IVR uploads to the IVR's state alone: archiving the patient does not close their IVRs to documents.
        states = PRACTICE_UPLOAD if who in DOCTORS else REVIEWER_UPLOAD
        return None if m.status in states else InvalidTransition

    def _read_refusal(self, reached: bool, who: str) -> type[DomainError] | None:
        if not reached:
            return NotFound
        return None if who in FULL else NotPermitted

    def _owned(self, owner: str | IvrId, kind: DocumentKind | None = None) -> list[DocumentId]:
        """Return the owner's documents, newest first (the default sort)."""
        mine = [(d.seq, i) for i, d in self.documents.items() if d.owner == owner and kind in (None, d.kind)]
        return [i for _, i in sorted(mine, reverse=True)]

    def _missing(self, ivr_id: IvrId) -> frozenset[DocumentKind]:
        m = self.ivrs[ivr_id]
        present = {d.kind for d in self.documents.values() if d.owner in (ivr_id, m.patient)}
        return REQUIRED - present

    # -- one request, one audit entry -------------------------------------------------------------------------

    def _call(self, request: Any, *args: Any) -> tuple[Result[Any, Any], AuditEntry]:
        # The clock moves between requests, as it does outside tests: lists are ordered by time.
        self.world.platform.clock.advance(timedelta(seconds=1))
        before = len(self.world.audit_rows())
        result = request(*args)
        entries = [e for e in self.world.audit_rows()[before:] if e.action != "notifications.deliver"]
        assert len(entries) == 1, entries
        return result, entries[0]

    def _check_entry(
        self, entry: AuditEntry, result: Result[Any, Any], *, action: str, who: str, patient: PatientId | None
    ) -> None:
        assert entry.action == action
        assert entry.user_id == self.world.actors[who].user_id
        assert entry.patient_ids == (() if patient is None else (patient,)), entry
        match result:
            case Success(_):
                assert (entry.outcome, entry.reason) == (Outcome.SUCCESS, "")
            case Failure(error):
                denied = isinstance(error, NotFound | NotPermitted)
                assert (entry.outcome, entry.reason) == (Outcome.DENIED if denied else Outcome.INVALID, error.code)

    def _check_refusal(self, result: Result[Any, Any], expected: type[DomainError] | None, context: object) -> None:
        if expected is None:
            value_of(result)
        else:
            error = error_of(result)
            assert type(error) is expected, (context, error)
        event(f"{context}: {expected.__name__ if expected else 'ok'}")

    # -- steps -------------------------------------------------------------------------------------------------

    def _create_ivr(self, who: str, patient: str) -> None:
        p = self.patients[patient]
        result, entry = self._call(self.world.create, who, complete_ivr(p.id))
        if p.archived:
            refused = error_of(result)
            assert isinstance(refused, ValidationFailed)
            assert [e.field for e in refused.errors] == ["patient_id"]
            return
        ivr = value_of(result).ivr
        assert ivr.status is IvrStatus.DRAFT
        assert entry.outcome is Outcome.SUCCESS
        self.ivrs[ivr.id] = ModelIvr(patient=patient, practice=p.practice)

    @initialize()
    def first_ivr(self) -> None:
        self._create_ivr("doctor", "p1")

    @precondition(lambda self: len(self.ivrs) < 3)
    @rule(choice=st.sampled_from([("doctor", "p1"), ("colleague", "p2"), ("doctor", "p2"), ("stranger", "p3")]))
    def create_ivr(self, choice: tuple[str, str]) -> None:
        self._create_ivr(*choice)

    def _caller(self, data: st.DataObject, refusal: Callable[[str], type[DomainError] | None]) -> str:
        """Draw a caller: mostly one the model lets through, else one it refuses after reach, or anyone."""
        entitled = [w for w in PEOPLE if refusal(w) is None]
        near = [w for w in PEOPLE if refusal(w) not in (None, NotFound)]  # reached, then refused: 403 or 409
        pools = [entitled, entitled, entitled, near, list(PEOPLE)]
        pool = data.draw(st.sampled_from(pools), label="pool") or list(PEOPLE)
        return data.draw(st.sampled_from(pool), label="who")

    @rule(
        data=st.data(),
        patient=st.sampled_from(["p1", "p2", "p3"]),
        kind=KINDS,
        content=files(),
        chunk=st.integers(1, 1500),
    )
    def upload_to_patient(self, data: st.DataObject, patient: str, kind: str, content: bytes, chunk: int) -> None:
        p = self.patients[patient]
        who = self._caller(data, lambda w: self._patient_upload_refusal(w, p))
        self._upload_to_patient(who, patient, kind, content, chunk)

    def _upload_to_patient(self, who: str, patient: str, kind: str, content: bytes, chunk: int) -> None:
        p = self.patients[patient]
        cmd = UploadDocument(patient_id=p.id, kind=kind, content=chunked(content, chunk))
        result, entry = self._call(self.world.platform.container.upload_document(), self.world.actors[who], cmd)
        expected = self._patient_upload_refusal(who, p) or self._file_refusal(kind, content)
        self._check_refusal(result, expected, f"patient upload by {who}")
        self._check_entry(entry, result, action="patients.documents.upload", who=who, patient=p.id)
        assert entry.resource_type == "patient_document"
        if expected is InvalidTransition:
            assert error_of(result).status == "archived"
        if expected is None:
            self._recorded(value_of(result), patient, who, kind, content)
            assert value_of(result).patient_id == p.id

    @precondition(lambda self: bool(self.ivrs))
    @rule(data=st.data(), kind=KINDS, content=files(), chunk=st.integers(1, 1500))
    def upload_to_ivr(self, data: st.DataObject, kind: str, content: bytes, chunk: int) -> None:
        # Mostly an IVR someone may still add to, so that IVRs come to hold several documents.
        taking = [
            i for i in sorted(self.ivrs) if any(self._ivr_upload_refusal(w, self.ivrs[i]) is None for w in PEOPLE)
        ]
        choices = taking if taking and data.draw(st.integers(0, 3), label="taking") else sorted(self.ivrs)
        ivr_id = data.draw(st.sampled_from(choices), label="ivr")
        m = self.ivrs[ivr_id]
        who = self._caller(data, lambda w: self._ivr_upload_refusal(w, m))
        self._upload_to_ivr(who, ivr_id, kind, content, chunk)

    def _upload_to_ivr(self, who: str, ivr_id: IvrId, kind: str, content: bytes, chunk: int) -> None:
        m = self.ivrs[ivr_id]
        cmd = UploadIvrDocument(ivr_id=ivr_id, file=UploadedFile(kind=kind, content=chunked(content, chunk)))
        result, entry = self._call(self.world.platform.container.upload_ivr_document(), self.world.actors[who], cmd)
        expected = self._ivr_upload_refusal(who, m) or self._file_refusal(kind, content)
        self._check_refusal(result, expected, f"ivr upload by {who} in {m.status}")
        reached = expected is not NotFound
        patient = self.patients[m.patient].id
        self._check_entry(
            entry,
            result,
            action="ivrs.documents.upload",
            who=who,
            patient=patient if reached else None,
        )
        # A 404 names only the IVR the caller sent; everything else the document (or the refused one's id).
        assert entry.resource_type == ("ivr_document" if reached else "ivr")
        if expected is InvalidTransition:
            refused = error_of(result)
            assert (refused.status, refused.trigger) == (m.status, "upload_document")
        if expected is None:
            document = value_of(result)
            assert (document.ivr_id, document.patient_id) == (ivr_id, patient)
            self._recorded(document, ivr_id, who, kind, content)

    def _file_refusal(self, kind: str, content: bytes) -> type[DomainError] | None:
        """The form, then the sniffed type, then the size: 422, 415, 413."""
        if kind not in {k.value for k in DocumentKind}:
            return ValidationFailed
        if sniffed(content) is None:
            return UnsupportedMediaType
        return TooLarge if len(content) > MAX_BYTES else None

    def _recorded(self, document: Any, owner: str | IvrId, who: str, kind: str, content: bytes) -> None:
        content_type = sniffed(content)
        assert content_type is not None
        assert (document.kind.value, document.content_type, document.size) == (kind, content_type, len(content))
        assert document.sha256 == hashlib.sha256(content).hexdigest()
        assert document.uploaded_by == self.world.actors[who].user_id
        assert document.id not in self.documents
        self.seq += 1
        self.documents[document.id] = ModelDocument(
            owner=owner,
            kind=DocumentKind(kind),
            content=content,
            content_type=content_type,
            uploaded_by=who,
            seq=self.seq,
        )

    def _owner(self, data: st.DataObject) -> str | IvrId:
        """Draw a patient or an IVR; half the time one holding several documents (order and paging show there)."""
        on_ivr = bool(self.ivrs) and data.draw(st.booleans(), label="on_ivr")
        owners: list[str | IvrId] = [*sorted(self.ivrs)] if on_ivr else [*self.patients]
        holding = [o for o in owners if len(self._owned(o)) > 1] or [o for o in owners if self._owned(o)]
        if holding and data.draw(st.booleans(), label="holding"):
            return data.draw(st.sampled_from(holding), label="owner")
        return data.draw(st.sampled_from(owners), label="owner")

    def _reaches(self, who: str, owner: str | IvrId) -> bool:
        if owner in self.patients:
            return self._reaches_patient(who, self.patients[str(owner)])
        return self._reaches_ivr(who, self.ivrs[IvrId(owner)])

    def _patient_of(self, owner: str | IvrId) -> PatientId:
        name = str(owner) if owner in self.patients else self.ivrs[IvrId(owner)].patient
        return self.patients[name].id

    @rule(data=st.data(), limit=st.integers(1, 4), filtered=st.booleans())
    def list_documents(self, data: st.DataObject, limit: int, filtered: bool) -> None:
        """Walk every page of one owner's list; each page is one audited request."""
        owner = self._owner(data)
        who = self._caller(data, lambda w: self._read_refusal(self._reaches(w, owner), w))
        is_ivr = owner not in self.patients
        kind = data.draw(st.sampled_from(list(DocumentKind)), label="kind") if is_ivr and filtered else None
        patient = self._patient_of(owner)
        expected = self._read_refusal(self._reaches(who, owner), who)
        request = self.world.platform.container.list_ivr_documents()
        seen: list[DocumentId] = []
        cursor: str | None = None
        while True:
            page = PageRequest(limit=limit, cursor=cursor)
            if is_ivr:
                actor = self.world.actors[who]
                result, entry = self._call(partial(request, kind=kind), actor, IvrId(owner), page)
                action, named = "ivrs.documents.list", None if expected is NotFound else patient
                assert (entry.resource_type, entry.resource_id) == ("ivr", str(owner))
            else:
                handler = self.world.platform.container.list_documents()
                result, entry = self._call(handler, self.world.actors[who], patient, page)
                action, named = "patients.documents.list", patient
                assert entry.resource_type == "patient_document"
            self._check_refusal(result, expected, f"list by {who}")
            self._check_entry(entry, result, action=action, who=who, patient=named)
            if expected is not None:
                return
            found = value_of(result)
            assert len(found.items) <= limit
            for document in found.items:
                assert document.patient_id == patient
                seen.append(document.id)
                model = self.documents[document.id]
                assert (document.kind, document.size) == (model.kind, len(model.content))
            cursor = found.next_cursor
            if cursor is None:
                break
        assert seen == self._owned(owner, kind)
        event(
            f"{'ivr' if is_ivr else 'patient'} list of {min(len(seen), 3)}+ documents in {-(-len(seen) // limit)} pages"
        )

    @rule(data=st.data())
    def download(self, data: st.DataObject) -> None:
        """Download a document through its owner, another owner, or an id nobody holds."""
        choices: list[DocumentId] = [*sorted(self.documents), DocumentId(new_id())]
        document_id = data.draw(st.sampled_from(choices), label="document")
        model = self.documents.get(document_id)
        owner = model.owner if model is not None and data.draw(st.integers(0, 3), label="own") else None
        owner = owner if owner is not None else self._owner(data)
        who = self._caller(data, lambda w: self._read_refusal(self._reaches(w, owner), w))
        is_ivr = owner not in self.patients
        patient = self._patient_of(owner)
        reached = self._reaches(who, owner)
        if is_ivr:
            handler = self.world.platform.container.get_ivr_document()
            result, entry = self._call(handler, self.world.actors[who], IvrId(owner), document_id)
            action = "ivrs.documents.read"
        else:
            handler = self.world.platform.container.get_document()
            result, entry = self._call(handler, self.world.actors[who], patient, document_id)
            action = "patients.documents.read"
        expected = self._read_refusal(reached, who)
        if expected is None and (model is None or model.owner != owner):
            expected = NotFound  # a document is read only through its own owner
            assert error_of(result) == NotFound(entity="document", id=str(document_id))
        self._check_refusal(result, expected, f"download by {who}")
        named = None if is_ivr and not reached else patient
        self._check_entry(entry, result, action=action, who=who, patient=named)
        if expected is None:
            assert model is not None
            download = value_of(result)
            assert b"".join(download.chunks()) == model.content
            meta = download.document
            assert (meta.id, meta.kind, meta.content_type) == (document_id, model.kind, model.content_type)
            assert (meta.size, meta.sha256) == (len(model.content), hashlib.sha256(model.content).hexdigest())
            assert meta.uploaded_by == self.world.actors[model.uploaded_by].user_id
            assert entry.resource_id == str(document_id)

    @precondition(lambda self: not any(p.archived for p in self.patients.values()))
    @rule(patient=st.sampled_from(["p1", "p2", "p3"]))
    def archive(self, patient: str) -> None:
        """Archive one patient per run (archiving is final), so that most runs still see uploads succeed."""
        p = self.patients[patient]
        who = "doctor" if p.practice == "a" else "stranger"
        handler = self.world.platform.container.archive_patient()
        result, entry = self._call(handler, self.world.actors[who], ArchivePatient(patient_id=p.id))
        assert value_of(result).archived
        self._check_entry(entry, result, action="patients.archive", who=who, patient=p.id)
        p.archived = True

    @precondition(lambda self: bool(self.ivrs))
    @rule(data=st.data(), on_patient=st.booleans(), head=st.sampled_from(HEADERS), body=st.binary(max_size=64))
    def file_a_card_then_move(self, data: st.DataObject, on_patient: bool, head: bytes, body: bytes) -> None:
        """The practice files a required kind on the IVR or its patient, then the IVR moves on (or does not)."""
        ivr_id = data.draw(st.sampled_from(sorted(self.ivrs)), label="ivr")
        m = self.ivrs[ivr_id]
        who = "stranger" if m.practice == "b" else data.draw(st.sampled_from(["doctor", "colleague"]), label="who")
        kind = data.draw(st.sampled_from(sorted(REQUIRED)), label="kind")
        if on_patient:
            self._upload_to_patient(who, m.patient, kind, head + body, 1000)
        else:
            self._upload_to_ivr(who, ivr_id, kind, head + body, 1000)
        for _ in range(data.draw(st.integers(0, 2), label="times")):
            self._pull(ivr_id, data)

    @precondition(lambda self: bool(self.ivrs))
    @rule(data=st.data())
    def move_ivr(self, data: st.DataObject) -> None:
        """Pull a trigger the IVR's state allows, as the party it belongs to."""
        self._pull(data.draw(st.sampled_from(sorted(self.ivrs)), label="ivr"), data)

    def _pull(self, ivr_id: IvrId, data: st.DataObject) -> None:
        m = self.ivrs[ivr_id]
        # Forward triggers are drawn more often than cancel, so IVRs get to review and decision.
        possible = [
            t for t, (sources, _, _) in STEPS.items() if m.status in sources for _ in range(1 if t == "cancel" else 4)
        ]
        if not possible:
            return
        trigger = data.draw(st.sampled_from(possible), label="trigger")
        _, target, party = STEPS[trigger]
        if party == "reviewer":
            who = "staff"
        else:
            who = "stranger" if m.practice == "b" else data.draw(st.sampled_from(["doctor", "colleague"]), label="who")
        p = self.patients[m.patient]
        result, entry = self._call(self.world.act, who, ivr_id, ACTIONS[trigger])
        self._check_entry(entry, result, action=f"ivrs.{trigger.replace('-', '_')}", who=who, patient=p.id)
        if trigger in {"submit", "resubmit"}:
            missing = self._missing(ivr_id)
            event(f"{trigger}: missing {sorted(missing)} archived {p.archived}")
            if missing or p.archived:
                refused = error_of(result)
                assert isinstance(refused, ValidationFailed)
                needs = [e.message.split()[5] for e in refused.errors if e.field == "documents"]
                assert needs == sorted(k.value for k in missing)
                assert {e.field for e in refused.errors} - {"documents"} == ({"patient_id"} if p.archived else set())
                assert self.world.stored(ivr_id).status.value == m.status  # nothing changed
                return
            m.ever_submitted = True
            p.submitted = True
        assert value_of(result).ivr.status.value == target
        m.status = target

    # -- invariants --------------------------------------------------------------------------------------------

    @invariant()
    def the_store_holds_exactly_the_accepted_documents(self) -> None:
        store = self.world.platform.container.document_store()
        assert isinstance(store, InMemoryDocumentStore)
        assert sum(store.key_ids().values()) == len(self.documents)

    @invariant()
    def the_ivrs_are_where_the_model_says(self) -> None:
        for ivr_id, m in self.ivrs.items():
            assert self.world.stored(ivr_id).status.value == m.status


Documents.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TestDocuments = Documents.TestCase

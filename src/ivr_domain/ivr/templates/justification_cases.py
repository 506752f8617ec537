"""The medical justification library: admins write it, everyone who writes IVRs reads it; all audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from attrs import evolve, frozen
from returns.result import Failure, Result, Success

from ivr_domain.ivr.templates import policy
from ivr_domain.ivr.templates.model import JUSTIFICATION_SORTS, JustificationFilter, MedicalJustification
from ivr_domain.ivr.templates.ports import title_taken
from ivr_domain.ivr.templates.unit_of_work import TemplatesUnitOfWork
from ivr_domain.ivr.templates.validation import JustificationInput, parse_justification
from ivr_domain.shared.actor import Actor
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.changes import changed_fields
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.errors import (
    Conflict,
    InvalidQuery,
    NotFound,
    NotPermitted,
    PreconditionFailed,
    ValidationFailed,
)
from ivr_domain.shared.ids import JustificationId, new_id
from ivr_domain.shared.paging import Page, PageRequest
from ivr_domain.shared.validation import check_page

RESOURCE = "medical_justification"
CREATE, READ, LIST = "justifications.create", "justifications.read", "justifications.list"
UPDATE, DELETE = "justifications.update", "justifications.delete"
_FIELDS = ("title", "wound_type", "hcpcs_code", "text")

CreateError: TypeAlias = NotPermitted | ValidationFailed | Conflict
ChangeError: TypeAlias = NotFound | NotPermitted | PreconditionFailed | ValidationFailed | Conflict


@frozen(kw_only=True)
class UpdateJustification:
    """A justification's new values, with the version the client last saw."""

    justification_id: JustificationId
    justification: JustificationInput
    expected_version: int | None = None


@frozen(kw_only=True)
class DeleteJustification:
    """Remove a justification from the library; IVRs that used it keep its text in their notes."""

    justification_id: JustificationId
    expected_version: int | None = None


def _record(
    uow: TemplatesUnitOfWork,
    audit: AuditTrail,
    actor: Actor,
    action: str,
    item: MedicalJustification,
    *,
    fields: tuple[str, ...] = (),
) -> None:
    uow.audit.append(audit.entry(actor, action, resource_type=RESOURCE, resource_id=item.id, fields=fields))


@frozen(kw_only=True)
class JustificationLibrary:
    """Every use case of the library, sharing one unit of work factory, clock and audit trail."""

    uow: Callable[[], TemplatesUnitOfWork]
    clock: Clock
    audit: AuditTrail

    def create(self, actor: Actor, raw: JustificationInput) -> Result[MedicalJustification, CreateError]:
        """Add a justification (admins); 403 for anyone else, 422 listing every bad field, 409 for a title taken."""
        return self._create(actor, raw).lash(
            lambda error: self.audit.refused(actor, CREATE, error, resource_type=RESOURCE)
        )

    def _create(self, actor: Actor, raw: JustificationInput) -> Result[MedicalJustification, CreateError]:
        if not policy.may_write_justifications(actor):
            return Failure(NotPermitted(action=CREATE))
        match parse_justification(raw):
            case Failure(invalid):
                return Failure(invalid)
            case Success(parsed):
                pass
        now = self.clock.now()
        item = MedicalJustification(
            id=JustificationId(new_id()),
            title=parsed.title,
            wound_type=parsed.wound_type,
            hcpcs_code=parsed.hcpcs_code,
            text=parsed.text,
            created_by=actor.user_id,
            created_at=now,
            updated_by=actor.user_id,
            updated_at=now,
        )
        with self.uow() as uow:
            # Checked first for the common case; the unique index still refuses a concurrent twin.
            taken = uow.medical_justifications.titled(item.title)
            if taken is not None:
                return Failure(title_taken(item, taken.id))
            match uow.medical_justifications.add(item):
                case Failure(conflict):
                    return Failure(conflict)
            _record(uow, self.audit, actor, CREATE, item, fields=_FIELDS)
            uow.commit()
        return Success(item)

    def get(
        self, actor: Actor, justification_id: JustificationId
    ) -> Result[MedicalJustification, NotFound | NotPermitted]:
        """Read one justification; 404 when unknown, 403 for roles that do not write IVRs."""
        return self._get(actor, justification_id).lash(
            lambda error: self.audit.refused(actor, READ, error, resource_type=RESOURCE, resource_id=justification_id)
        )

    def peek(
        self, actor: Actor, justification_id: JustificationId
    ) -> Result[MedicalJustification, NotFound | NotPermitted]:
        """Answer as a read would, recording nothing: the edge orders another request's refusals with it."""
        with self.uow() as uow:
            return _find(uow, actor, justification_id)

    def _get(
        self, actor: Actor, justification_id: JustificationId
    ) -> Result[MedicalJustification, NotFound | NotPermitted]:
        with self.uow() as uow:
            match _find(uow, actor, justification_id):
                case Failure(refusal):
                    return Failure(refusal)
                case Success(item):
                    pass
            _record(uow, self.audit, actor, READ, item)
            uow.commit()
            return Success(item)

    def list(
        self, actor: Actor, filters: JustificationFilter, page: PageRequest
    ) -> Result[Page[MedicalJustification], NotPermitted | InvalidQuery]:
        """Return one page of the library, filtered by wound type and HCPCS code."""
        if not policy.may_use(actor):
            return self.audit.refused(actor, LIST, NotPermitted(action=LIST), resource_type=RESOURCE)
        bad = check_page(page, JUSTIFICATION_SORTS)
        if bad is not None:
            return self.audit.refused(actor, LIST, bad, resource_type=RESOURCE)
        code = filters.hcpcs_code.strip().upper() if filters.hcpcs_code is not None else None
        with self.uow() as uow:
            found = uow.medical_justifications.list(filters=evolve(filters, hcpcs_code=code or None), page=page)
            uow.audit.append(self.audit.entry(actor, LIST, resource_type=RESOURCE))
            uow.commit()
        return Success(found)

    def update(self, actor: Actor, cmd: UpdateJustification) -> Result[MedicalJustification, ChangeError]:
        """Replace a justification: 404, 403, 412 stale If-Match, 422 fields, 409 title taken or lost race."""
        return self._update(actor, cmd).lash(
            lambda error: self.audit.refused(
                actor, UPDATE, error, resource_type=RESOURCE, resource_id=cmd.justification_id
            )
        )

    def _update(self, actor: Actor, cmd: UpdateJustification) -> Result[MedicalJustification, ChangeError]:
        with self.uow() as uow:
            match self._writable(uow, actor, cmd.justification_id, UPDATE, cmd.expected_version):
                case Failure(refused):
                    return Failure(refused)
                case Success(item):
                    pass
            match parse_justification(cmd.justification):
                case Failure(invalid):
                    return Failure(invalid)
                case Success(parsed):
                    pass
            changed = evolve(
                item,
                title=parsed.title,
                wound_type=parsed.wound_type,
                hcpcs_code=parsed.hcpcs_code,
                text=parsed.text,
                updated_by=actor.user_id,
                updated_at=self.clock.now(),
            )
            taken = uow.medical_justifications.titled(changed.title)
            if taken is not None and taken.id != item.id:
                return Failure(title_taken(changed, taken.id))
            match uow.medical_justifications.save(changed):
                case Failure(conflict):
                    return Failure(conflict)
                case Success(saved):
                    pass
            _record(uow, self.audit, actor, UPDATE, saved, fields=changed_fields(item, saved, _FIELDS))
            uow.commit()
            return Success(saved)

    def delete(self, actor: Actor, cmd: DeleteJustification) -> Result[MedicalJustification, ChangeError]:
        """Remove a justification and return it as it was: 404, 403, 412, then 409 when it changed meanwhile."""
        return self._delete(actor, cmd).lash(
            lambda error: self.audit.refused(
                actor, DELETE, error, resource_type=RESOURCE, resource_id=cmd.justification_id
            )
        )

    def _delete(self, actor: Actor, cmd: DeleteJustification) -> Result[MedicalJustification, ChangeError]:
        with self.uow() as uow:
            match self._writable(uow, actor, cmd.justification_id, DELETE, cmd.expected_version):
                case Failure(refused):
                    return Failure(refused)
                case Success(item):
                    pass
            match uow.medical_justifications.remove(item):
                case Failure(conflict):
                    return Failure(conflict)
            _record(uow, self.audit, actor, DELETE, item)
            uow.commit()
            return Success(item)

    @staticmethod
    def _writable(
        uow: TemplatesUnitOfWork, actor: Actor, justification_id: JustificationId, action: str, version: int | None
    ) -> Result[MedicalJustification, NotFound | NotPermitted | PreconditionFailed]:
        item = uow.medical_justifications.get(justification_id)
        if item is None:
            return Failure(NotFound(entity=RESOURCE, id=str(justification_id)))
        if not policy.may_write_justifications(actor):
            return Failure(NotPermitted(action=action))
        if version is not None and version != item.version:
            return Failure(PreconditionFailed(entity=RESOURCE, id=str(item.id), current_version=item.version))
        return Success(item)


def _find(
    uow: TemplatesUnitOfWork, actor: Actor, justification_id: JustificationId
) -> Result[MedicalJustification, NotFound | NotPermitted]:
    item = uow.medical_justifications.get(justification_id)
    if item is None:
        return Failure(NotFound(entity=RESOURCE, id=str(justification_id)))
    if not policy.may_use(actor):
        return Failure(NotPermitted(action=READ))
    return Success(item)

"""Managing templates: create, replace and delete, each audited (refusals too)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from attrs import evolve, frozen
from returns.result import Failure, Result, Success

from ivr_domain.ivr.templates import policy
from ivr_domain.ivr.templates.content import TEMPLATE_FIELDS
from ivr_domain.ivr.templates.model import IvrTemplate
from ivr_domain.ivr.templates.ports import name_taken
from ivr_domain.ivr.templates.unit_of_work import TemplatesUnitOfWork
from ivr_domain.ivr.templates.validation import ParsedTemplate, TemplateInput, parse_template
from ivr_domain.shared.actor import Actor
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.changes import changed_fields, given_fields
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.errors import Conflict, NotFound, NotPermitted, PreconditionFailed, ValidationFailed
from ivr_domain.shared.ids import IvrTemplateId, PracticeId, new_id
from ivr_domain.shared.ports import CodeSets

RESOURCE = "ivr_template"
CREATE, UPDATE, DELETE = "ivr_templates.create", "ivr_templates.update", "ivr_templates.delete"

CreateTemplateError: TypeAlias = NotPermitted | ValidationFailed | Conflict
ChangeTemplateError: TypeAlias = NotFound | NotPermitted | PreconditionFailed | ValidationFailed | Conflict


@frozen(kw_only=True)
class CreateTemplate:
    """A new template: the caller's practice's, or (admins) a named practice's or a global one."""

    template: TemplateInput


@frozen(kw_only=True)
class UpdateTemplate:
    """A template's new name and content, with the version the client last saw."""

    template_id: IvrTemplateId
    template: TemplateInput
    expected_version: int | None = None


@frozen(kw_only=True)
class DeleteTemplate:
    """Delete a template, with the version the client last saw."""

    template_id: IvrTemplateId
    expected_version: int | None = None


def record(
    uow: TemplatesUnitOfWork,
    audit: AuditTrail,
    actor: Actor,
    action: str,
    template: IvrTemplate,
    *,
    fields: tuple[str, ...] = (),
) -> None:
    """Append the audit entry of a request about one template to the request's own transaction."""
    uow.audit.append(audit.entry(actor, action, resource_type=RESOURCE, resource_id=template.id, fields=fields))


def _content_fields(parsed: ParsedTemplate) -> tuple[str, ...]:
    return tuple(f"content.{name}" for name in given_fields(parsed.content, TEMPLATE_FIELDS))


def _owner(uow: TemplatesUnitOfWork, actor: Actor, raw: TemplateInput) -> Result[PracticeId | None, ValidationFailed]:
    """Return the practice a new template belongs to: the one named (admins), else the caller's own."""
    if raw.practice_id is None:
        return Success(None if policy.is_admin(actor) else actor.practice_id)
    if not uow.practice_directory.exists(raw.practice_id) or not actor.scope.reaches_practice(raw.practice_id):
        return Failure(ValidationFailed.single("practice_id", "is not a practice you manage templates for"))
    return Success(raw.practice_id)


@frozen(kw_only=True)
class CreateTemplateHandler:
    """Stores a new template after refusing patient data and checking its values like a draft IVR's."""

    uow: Callable[[], TemplatesUnitOfWork]
    codes: CodeSets
    clock: Clock
    audit: AuditTrail

    def __call__(self, actor: Actor, cmd: CreateTemplate) -> Result[IvrTemplate, CreateTemplateError]:
        """Create the template, or say why not (403, 422, then 409 for a name taken); the audit log records either."""
        return self._create(actor, cmd).lash(
            lambda error: self.audit.refused(actor, CREATE, error, resource_type=RESOURCE)
        )

    def _create(self, actor: Actor, cmd: CreateTemplate) -> Result[IvrTemplate, CreateTemplateError]:
        if not policy.may_use(actor) or not policy.may_manage_in(actor, cmd.template.practice_id or actor.practice_id):
            return Failure(NotPermitted(action=CREATE))
        now = self.clock.now()
        with self.uow() as uow:
            match _owner(uow, actor, cmd.template):
                case Failure(wrong):
                    return Failure(wrong)
                case Success(practice_id):
                    pass
            match parse_template(cmd.template, self.codes, now):
                case Failure(invalid):
                    return Failure(invalid)
                case Success(parsed):
                    pass
            template = IvrTemplate(
                id=IvrTemplateId(new_id()),
                practice_id=practice_id,
                name=parsed.name,
                content=parsed.content,
                created_by=actor.user_id,
                created_at=now,
                updated_by=actor.user_id,
                updated_at=now,
            )
            # Checked first for the common case; the unique index still refuses a concurrent twin.
            taken = uow.ivr_templates.named(practice_id, template.name)
            if taken is not None:
                return Failure(name_taken(template, taken.id))
            match uow.ivr_templates.add(template):
                case Failure(conflict):
                    return Failure(conflict)
            record(uow, self.audit, actor, CREATE, template, fields=("name", *_content_fields(parsed)))
            uow.commit()
            return Success(template)


def _editable(
    uow: TemplatesUnitOfWork, actor: Actor, template_id: IvrTemplateId, action: str, expected_version: int | None
) -> Result[IvrTemplate, NotFound | NotPermitted | PreconditionFailed]:
    """Find a template the actor may change: 404 out of sight, 403 not theirs to manage, 412 stale If-Match."""
    template = uow.ivr_templates.get(template_id, scope=actor.scope)
    if template is None:
        return Failure(NotFound(entity=RESOURCE, id=str(template_id)))
    if not policy.may_manage(actor, template):
        return Failure(NotPermitted(action=action))
    if expected_version is not None and expected_version != template.version:
        return Failure(PreconditionFailed(entity=RESOURCE, id=str(template.id), current_version=template.version))
    return Success(template)


@frozen(kw_only=True)
class UpdateTemplateHandler:
    """Replaces a template's name and content; its practice never changes."""

    uow: Callable[[], TemplatesUnitOfWork]
    codes: CodeSets
    clock: Clock
    audit: AuditTrail

    def __call__(self, actor: Actor, cmd: UpdateTemplate) -> Result[IvrTemplate, ChangeTemplateError]:
        """Answer in order: 404 scope, 403 role or practice, 412 stale If-Match, 422 fields, 409 name taken or race."""
        return self._update(actor, cmd).lash(
            lambda error: self.audit.refused(actor, UPDATE, error, resource_type=RESOURCE, resource_id=cmd.template_id)
        )

    def _update(self, actor: Actor, cmd: UpdateTemplate) -> Result[IvrTemplate, ChangeTemplateError]:
        with self.uow() as uow:
            match _editable(uow, actor, cmd.template_id, UPDATE, cmd.expected_version):
                case Failure(refused):
                    return Failure(refused)
                case Success(template):
                    pass
            if cmd.template.practice_id is not None and cmd.template.practice_id != template.practice_id:
                return Failure(ValidationFailed.single("practice_id", "a template cannot move to another practice"))
            now = self.clock.now()
            match parse_template(cmd.template, self.codes, now):
                case Failure(invalid):
                    return Failure(invalid)
                case Success(parsed):
                    pass
            changed = evolve(
                template, name=parsed.name, content=parsed.content, updated_by=actor.user_id, updated_at=now
            )
            taken = uow.ivr_templates.named(template.practice_id, changed.name)
            if taken is not None and taken.id != template.id:
                return Failure(name_taken(changed, taken.id))
            match uow.ivr_templates.save(changed):
                case Failure(conflict):
                    return Failure(conflict)
                case Success(saved):
                    pass
            fields = changed_fields(template, saved, ("name",)) + tuple(
                f"content.{name}" for name in changed_fields(template.content, saved.content, TEMPLATE_FIELDS)
            )
            record(uow, self.audit, actor, UPDATE, saved, fields=fields)
            uow.commit()
            return Success(saved)


@frozen(kw_only=True)
class DeleteTemplateHandler:
    """Deletes a template; IVRs made from it keep their content (they copied it)."""

    uow: Callable[[], TemplatesUnitOfWork]
    audit: AuditTrail

    def __call__(self, actor: Actor, cmd: DeleteTemplate) -> Result[IvrTemplate, ChangeTemplateError]:
        """Delete the template and return it as it was; 404, 403, 412, then 409 when it changed meanwhile."""
        return self._delete(actor, cmd).lash(
            lambda error: self.audit.refused(actor, DELETE, error, resource_type=RESOURCE, resource_id=cmd.template_id)
        )

    def _delete(self, actor: Actor, cmd: DeleteTemplate) -> Result[IvrTemplate, ChangeTemplateError]:
        with self.uow() as uow:
            match _editable(uow, actor, cmd.template_id, DELETE, cmd.expected_version):
                case Failure(refused):
                    return Failure(refused)
                case Success(template):
                    pass
            match uow.ivr_templates.remove(template):
                case Failure(conflict):
                    return Failure(conflict)
            record(uow, self.audit, actor, DELETE, template)
            uow.commit()
            return Success(template)

"""Demo template and justifications for `ivr seed-demo`: a global template and a small library, never duplicated."""

from __future__ import annotations

from entrypoints.cli.context import ok
from entrypoints.container import Container
from ivr_domain.ivr.model import Physician, Priority, Product, RequestType, WoundType
from ivr_domain.ivr.templates.model import (
    JustificationFilter,
    TemplateContent,
    TemplateFilter,
    TemplateScope,
    name_key,
)
from ivr_domain.ivr.templates.template_cases import CreateTemplate
from ivr_domain.ivr.templates.validation import JustificationInput, TemplateInput
from ivr_domain.ivr.validation import FacilityInput
from ivr_domain.shared.actor import SYSTEM_ACTOR
from ivr_domain.shared.insurance import InsuranceRank
from ivr_domain.shared.paging import MAX_LIMIT, PageRequest
from ivr_domain.shared.validation import AddressInput

DEMO_TEMPLATE = "Skin substitute, new DFU (demo)"
_CONTENT = TemplateContent(
    request_type=RequestType.NEW,
    priority=Priority.ROUTINE,
    insurance_ranks=(InsuranceRank.PRIMARY,),
    physician=Physician(name="Dr. Jane Doe", npi="1234567893", specialty="podiatry", tin="12-3456789"),
    facility=FacilityInput(
        name="Springfield Wound Clinic",
        npi="1558598797",
        tin="12-3456789",
        place_of_service="11",
        address=AddressInput(line1="2 Oak Ave", city="Springfield", state="IL", postal_code="62704"),
    ),
    planned_applications=4,
    products=(Product(hcpcs_code="Q4186", size="4x4 cm", quantity=4),),
)
DEMO_JUSTIFICATIONS = (
    JustificationInput(
        title="DFU: four weeks of standard care failed",
        wound_type=WoundType.DIABETIC_FOOT_ULCER,
        hcpcs_code="Q4186",
        text="The ulcer failed to reduce in area by 50% after four weeks of offloading, debridement and moist "
        "wound care; glycaemic control and perfusion have been assessed.",
    ),
    JustificationInput(
        title="VLU: compression therapy failed",
        wound_type=WoundType.VENOUS_LEG_ULCER,
        text="The ulcer persisted after four weeks of multilayer compression and standard wound care; "
        "arterial insufficiency has been excluded (ABI recorded).",
    ),
    JustificationInput(
        title="Pressure ulcer: full thickness, not healing",
        wound_type=WoundType.PRESSURE_ULCER,
        text="A full-thickness pressure ulcer without improvement after four weeks of pressure redistribution, "
        "nutrition support and standard wound care.",
    ),
)


def seed_library(built: Container) -> int:
    """Add the demo global template and justifications that are missing; return how many were added.

    Present is compared as uniqueness compares names (`name_key`): one re-cased since is there, and adding it
    again would be refused.
    """
    added = 0
    templates = ok(
        built.list_ivr_templates()(
            SYSTEM_ACTOR, TemplateFilter(scope=TemplateScope.GLOBAL, name=DEMO_TEMPLATE), PageRequest()
        )
    )
    if not any(name_key(t.name) == name_key(DEMO_TEMPLATE) for t in templates.items):
        ok(
            built.create_ivr_template()(
                SYSTEM_ACTOR, CreateTemplate(template=TemplateInput(name=DEMO_TEMPLATE, content=_CONTENT))
            )
        )
        added += 1
    library = built.justification_library()
    present = ok(library.list(SYSTEM_ACTOR, JustificationFilter(), PageRequest(limit=MAX_LIMIT, sort="title")))
    titles = {name_key(j.title) for j in present.items}
    for justification in DEMO_JUSTIFICATIONS:
        if name_key(justification.title) not in titles:
            ok(library.create(SYSTEM_ACTOR, justification))
            added += 1
    return added

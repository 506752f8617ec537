"""`ivr seed-demo` adds one global IVR template and a small justification library, once."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result

from entrypoints.cli.commands.demo_library import DEMO_JUSTIFICATIONS, DEMO_TEMPLATE
from entrypoints.container import Container
from ivr_domain.ivr.templates.justification_cases import UpdateJustification
from ivr_domain.ivr.templates.model import JustificationFilter, TemplateFilter
from ivr_domain.ivr.templates.template_cases import UpdateTemplate
from ivr_domain.ivr.templates.validation import JustificationInput, TemplateInput
from ivr_domain.shared.actor import SYSTEM_ACTOR
from ivr_domain.shared.paging import PageRequest
from tests.cli.conftest import Invoke


def _library(built: Container) -> tuple[list[str], list[str]]:
    templates = built.list_ivr_templates()(SYSTEM_ACTOR, TemplateFilter(), PageRequest()).unwrap()
    justifications = built.justification_library().list(SYSTEM_ACTOR, JustificationFilter(), PageRequest()).unwrap()
    return [t.name for t in templates.items if t.is_global], sorted(j.title for j in justifications.items)


def test_seed_adds_a_global_template_and_justifications_once(
    ivr: Invoke, seeded: Result, read_back: Callable[[], Container]
) -> None:
    assert f'Global IVR template "{DEMO_TEMPLATE}"' in seeded.stdout
    expected = ([DEMO_TEMPLATE], sorted(j.title for j in DEMO_JUSTIFICATIONS))
    assert _library(read_back()) == expected

    again = ivr("seed-demo")

    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("demo data already present\n")
    assert _library(read_back()) == expected


def test_seed_again_finds_the_template_and_a_justification_re_cased_since(
    ivr: Invoke, seeded: Result, read_back: Callable[[], Container]
) -> None:
    built = read_back()
    template = built.list_ivr_templates()(SYSTEM_ACTOR, TemplateFilter(), PageRequest()).unwrap().items[0]
    item = built.justification_library().list(SYSTEM_ACTOR, JustificationFilter(), PageRequest()).unwrap().items[0]
    built.update_ivr_template()(
        SYSTEM_ACTOR,
        UpdateTemplate(
            template_id=template.id, template=TemplateInput(name=template.name.upper(), content=template.content)
        ),
    ).unwrap()
    recased = JustificationInput(title=f" {item.title.lower()} ", wound_type=item.wound_type, text=item.text)
    built.justification_library().update(
        SYSTEM_ACTOR, UpdateJustification(justification_id=item.id, justification=recased)
    ).unwrap()
    before = _library(read_back())

    again = ivr("seed-demo")

    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("demo data already present\n")
    assert _library(read_back()) == before
    assert before[0] == [DEMO_TEMPLATE.upper()]

"""The life-event definitions as machine-readable data: per life event the services in order,
when each applies (the rule as lifegate evaluates it, the same rule in words, and the reasons
people are told), what each waits for, its legal deadline, and the questions lifegate asks.

Built from the catalogue in a fixed number of queries, however many life events it holds."""

import json

from django.db.models import Prefetch
from django.urls import reverse

from lifegate.catalogue.models import (
    EventService,
    LifeEvent,
    LifeEventQuestion,
    PublicService,
    StepKind,
)
from lifegate.opendata import schemas
from lifegate.opendata.dcat_vocab import CC0, DATASET_TEXTS
from lifegate.opendata.fact_labels import fact_glossary
from lifegate.opendata.rule_text import date_name, rule_text
from lifegate.opendata.texts import LANGUAGES, both_languages, optional

DEADLINE_WORDS = {
    "nl": {"after": "{days} na {anchor}", "before": "{days} vóór {anchor}", "on": "op {anchor}"},
    "en": {
        "after": "{days} after {anchor}",
        "before": "{days} before {anchor}",
        "on": "on {anchor}",
    },
}
DAYS = {"nl": ("dag", "dagen"), "en": ("day", "days")}


def life_events_document(base_url: str) -> schemas.LifeEventsDownload:
    """Every life and business event of the catalogue, as the download's model."""
    steps = EventService.objects.select_related("service__competent_authority").prefetch_related(
        "depends_on__service"
    )
    events = LifeEvent.objects.prefetch_related(
        "questions", Prefetch("event_services", queryset=steps)
    )
    return schemas.LifeEventsDownload(
        title=schemas.Texts(**DATASET_TEXTS["life-events"]["title"]),
        licence=CC0,
        catalogue=f"{base_url}/opendata/catalog.ttl",
        facts={path: schemas.Texts(**labels) for path, labels in fact_glossary().items()},
        life_events=[_event(event, base_url) for event in events],
    )


def life_events_json(base_url: str) -> str:
    """The JSON download (see `schemas.LifeEventsDownload`)."""
    document = life_events_document(base_url).model_dump(mode="json")
    return json.dumps(document, ensure_ascii=False, indent=2)


def _event(event: LifeEvent, base_url: str) -> schemas.LifeEventDefinition:
    business = event.kind == LifeEvent.Kind.BUSINESS
    questions = list(event.questions.all())
    return schemas.LifeEventDefinition(
        id=event.slug,
        uri=f"{base_url}/catalogue/id/{'business-event' if business else 'life-event'}/"
        f"{event.slug}",
        page=base_url + reverse("catalogue:life-event", args=[event.slug]),
        kind="business" if business else "life",
        name=schemas.Texts(nl=event.name_nl, en=event.name_en or event.name_nl),
        description=schemas.Texts(
            nl=event.description_nl, en=event.description_en or event.description_nl
        ),
        sdg_life_event=event.sdg_life_event.strip() or None,
        questions=[_question(question) for question in questions],
        steps=[_step(step, questions, base_url) for step in _ordered(event)],
    )


def _ordered(event: LifeEvent) -> list[EventService]:
    """The event's services in the order a person deals with them (from the prefetch)."""
    return sorted(event.event_services.all(), key=lambda step: (step.position, step.service.slug))


def _question(question: LifeEventQuestion) -> schemas.Question:
    return schemas.Question(
        key=question.key,
        kind=question.kind,
        required=question.required,
        label=schemas.Texts(nl=question.label_nl, en=question.label_en or question.label_nl),
        help=optional(question.help_nl, question.help_en),
        choices=[
            {name: str(value) for name, value in option.items()}
            for option in question.choices or []
        ],
    )


def _step(
    step: EventService, questions: list[LifeEventQuestion], base_url: str
) -> schemas.JourneyStep:
    return schemas.JourneyStep(
        position=step.position,
        service=_service(step.service, base_url),
        kind=step.step_kind,  # type: ignore[arg-type]
        kind_label=both_languages(StepKind(step.step_kind).label),
        applies_when=schemas.Rule(
            always=not step.rule.strip(),
            expression=step.rule.strip(),
            text=_rule_text(step.rule, questions),
            reason=optional(step.reason_nl, step.reason_en),
            skip_reason=optional(step.skip_reason_nl, step.skip_reason_en),
        ),
        depends_on=sorted(dependency.service.slug for dependency in step.depends_on.all()),
        deadline=_deadline(step, questions),
    )


def _rule_text(rule: str, questions: list[LifeEventQuestion]) -> schemas.Texts | None:
    text = rule_text(rule, questions)
    return schemas.Texts(**text) if text else None


def _service(service: PublicService, base_url: str) -> schemas.ServiceRef:
    authority = service.competent_authority
    return schemas.ServiceRef(
        id=service.slug,
        uri=f"{base_url}/catalogue/id/service/{service.slug}",
        name=schemas.Texts(nl=service.name_nl, en=service.name_en or service.name_nl),
        competent_authority=schemas.Agency(
            id=authority.slug,
            uri=f"{base_url}/catalogue/id/organisation/{authority.slug}",
            name=schemas.Texts(nl=authority.name_nl, en=authority.name_en or authority.name_nl),
        ),
    )


def _deadline(step: EventService, questions: list[LifeEventQuestion]) -> schemas.Deadline | None:
    """The legal deadline in days from a date fact or answer, in words as well."""
    if step.deadline_days is None or not step.deadline_from:
        return None
    days = step.deadline_days
    texts = {}
    for language in LANGUAGES:
        words = DEADLINE_WORDS[language]
        direction = "on" if days == 0 else "after" if days > 0 else "before"
        one, many = DAYS[language]
        amount = f"{abs(days)} {one if abs(days) == 1 else many}"
        anchor = date_name(step.deadline_from, questions, language)
        texts[language] = words[direction].format(days=amount, anchor=anchor)
    return schemas.Deadline(days=days, counts_from=step.deadline_from, text=schemas.Texts(**texts))

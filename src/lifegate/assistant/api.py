"""The assistant API under /api/assistant/: "what do I need to do?", asked with a POST (the
question in the JSON body, out of URLs and the access logs of proxies) or, for links, a GET.

The answer is never cached and never stored; the question is not logged. An empty or
over-long question is a 400 problem that does not repeat it."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Query, Router

from lifegate.assistant import explain, services
from lifegate.assistant.index import Agency
from lifegate.assistant.schemas import AnswerOut, AssistantQuery
from lifegate.catalogue.models import LifeEvent
from lifegate.core.problem_schema import problem_responses
from lifegate.core.problems import problem_response

router = Router(tags=["assistant"])


def agencies_out(agencies: list[Agency]) -> list[dict[str, Any]]:
    """Agencies with their human channels, texts in the active language."""
    return [
        {
            "slug": agency.organisation.slug,
            "name": agency.organisation.localized("name"),
            "channels": [
                {
                    "kind": channel.kind,
                    "name": channel.localized("name"),
                    "address": channel.address,
                    "hours": channel.localized("hours"),
                }
                for channel in agency.channels
            ],
        }
        for agency in agencies
    ]


def _reason_out(reason: services.Reason) -> dict[str, Any]:
    term = reason.term
    return {
        "word": term.word,
        "read_as": term.read_as or None,
        "via": term.via,
        "field": reason.field,
        "language": reason.language,
        "text": reason.text,
        "sentence": explain.sentence(reason),
    }


def _start_url(item: Any) -> str | None:
    if isinstance(item, LifeEvent) and item.kind == LifeEvent.Kind.LIFE:
        return reverse("journeys:start", args=[item.slug])
    return None


def _suggestion_out(request: HttpRequest, suggestion: services.Suggestion) -> dict[str, Any]:
    entry = suggestion.entry
    page = "catalogue:life-event" if entry.kind == "life-event" else "catalogue:service"
    start = _start_url(entry.item)
    return {
        "kind": entry.kind,
        "slug": entry.slug,
        "name": entry.item.localized("name"),
        "description": entry.item.localized("description"),
        "score": round(suggestion.score, 3),
        "url": request.build_absolute_uri(reverse(page, args=[entry.slug])),
        "start_url": request.build_absolute_uri(start) if start else None,
        "explanation": explain.summary(suggestion.reasons),
        "reasons": [_reason_out(reason) for reason in suggestion.reasons],
        "agencies": agencies_out(entry.agencies),
    }


def _message(answer: services.Answer) -> str:
    if not answer.matched:
        return _(
            "Nothing in the catalogue matches your situation well. Please contact the "
            "helpdesk: a person will help you further."
        )
    count = len(answer.suggestions)
    return ngettext(
        "%(count)d suggestion from the catalogue.",
        "%(count)d suggestions from the catalogue, best first.",
        count,
    ) % {"count": count}


@router.post(
    "/",
    response=AnswerOut,
    operation_id="askAssistant",
    openapi_extra=problem_responses(400),
)
def ask(request: HttpRequest, response: HttpResponse, question: AssistantQuery) -> Any:
    """The life events and services that match a situation described in Dutch or English,
    best first, each with why it matched, where to start, and the agencies' phone, counter
    and chat channels. Only catalogue content is returned. When nothing matches well,
    `matched` is false, `suggestions` is empty and `helpdesk` says whom to contact."""
    return _answer(request, response, question)


@router.get(
    "/",
    response=AnswerOut,
    operation_id="askAssistantByLink",
    openapi_extra=problem_responses(400),
)
def ask_by_link(request: HttpRequest, response: HttpResponse, params: Query[AssistantQuery]) -> Any:
    """As `askAssistant`, with the question in the query string: for links. What a person
    typed belongs in a POST, where it stays out of URLs and logs."""
    return _answer(request, response, params)


def _answer(request: HttpRequest, response: HttpResponse, params: AssistantQuery) -> Any:
    patch_cache_control(response, no_store=True, private=True)
    with translation.override(params.lang):
        try:
            answer = services.ask(params.q, params.lang)
        except services.InvalidQuestion as invalid:
            return problem_response(
                request, 400, _("Invalid question"), str(invalid), "invalid-question"
            )
        return {
            "matched": answer.matched,
            "message": _message(answer),
            "suggestions": [_suggestion_out(request, s) for s in answer.suggestions],
            "helpdesk": agencies_out(answer.helpdesk),
        }

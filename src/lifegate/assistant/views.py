"""The assistant's pages: ask and share a question (only with the ticked box); both work
without JavaScript. Answers are never cached: the page holds the person's question.

The forms post the question, so that what a person typed (a citizen service number, say)
stays out of URLs: access logs of proxies, browser history, the language switch's `next`.
A link with `?q=` still works."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from lifegate.assistant import services


def _language() -> str:
    return (get_language() or "nl")[:2]


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, no_store=True, private=True)
    return response


# Asking changes nothing and keeps nothing, so a forged request gains nothing: no CSRF token,
# which lets the header form on every (cacheable) page post without one.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    """The question form; with `q`, the suggestions for it or a clear "no match" with the
    helpdesk. An empty or over-long question gets a readable message (400)."""
    params = request.POST if request.method == "POST" else request.GET
    if "q" not in params:
        return _answer_page(request, None)
    return _answer_page(request, params["q"])


def _answer_page(request: HttpRequest, question: str | None, shared: bool = False) -> HttpResponse:
    context: dict[str, object] = {
        "max_length": services.MAX_QUESTION_LENGTH,
        "question": "",
        "shared": shared,
    }
    status = 200
    if question is not None:
        context["question"] = question.strip()[: services.MAX_QUESTION_LENGTH]
        try:
            context["answer"] = services.ask(question, _language())
        except services.InvalidQuestion as invalid:
            context["error"] = str(invalid)
            status = 400
    return _private(render(request, "assistant/ask.html", context, status=status))


@require_POST
def share(request: HttpRequest) -> HttpResponse:
    """Keep the question, anonymised, when the box is ticked; otherwise keep nothing. The
    answer again either way, with a message saying what happened."""
    question = request.POST.get("q", "")
    consent = request.POST.get("consent") == "yes"
    try:
        shared = services.share_question(question, _language(), consent)
    except services.InvalidQuestion as invalid:
        context = {
            "max_length": services.MAX_QUESTION_LENGTH,
            "question": "",
            "error": str(invalid),
        }
        return _private(render(request, "assistant/ask.html", context, status=422))
    if shared is None:
        messages.info(request, _("Nothing was kept: you did not tick the box."))
    else:
        messages.success(
            request, _("Thank you. Your question was kept without numbers, addresses or names.")
        )
    return _answer_page(request, question, shared=True)

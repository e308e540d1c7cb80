"""The assistant's pages: ask (GET, works without JavaScript) and share a question (POST, only
with the ticked box). Answers are never cached: the page holds the person's question."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifegate.assistant import services


def _language() -> str:
    return (get_language() or "nl")[:2]


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, no_store=True, private=True)
    return response


def ask(request: HttpRequest) -> HttpResponse:
    """The question form; with `q`, the suggestions for it or a clear "no match" with the
    helpdesk. An empty or over-long question gets a readable message (400)."""
    context: dict[str, object] = {"max_length": services.MAX_QUESTION_LENGTH, "question": ""}
    status = 200
    if "q" in request.GET:
        question = request.GET["q"]
        context["question"] = question.strip()[: services.MAX_QUESTION_LENGTH]
        try:
            context["answer"] = services.ask(question, _language())
        except services.InvalidQuestion as invalid:
            context["error"] = str(invalid)
            status = 400
    return _private(render(request, "assistant/ask.html", context, status=status))


@require_POST
def share(request: HttpRequest) -> HttpResponse:
    """Keep the question, anonymised, when the box is ticked; otherwise keep nothing. Back to
    the answer either way, with a message saying what happened."""
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
        return _private(render(request, "assistant/ask.html", context, status=400))
    if shared is None:
        messages.info(request, _("Nothing was kept: you did not tick the box."))
    else:
        messages.success(
            request, _("Thank you. Your question was kept without numbers, addresses or names.")
        )
    target = reverse("assistant:ask") + "?" + urlencode({"q": question.strip(), "shared": "1"})
    return HttpResponseRedirect(target)

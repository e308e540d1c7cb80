"""Questions are kept only when the person ticks the box, and then only anonymised; catalogue
editors can read them in the admin but not change them."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from lifegate.assistant.models import SharedQuestion
from lifegate.assistant.tests.conftest import ask_api
from lifegate.catalogue.loader import LoadReport

pytestmark = pytest.mark.django_db
QUESTION = (
    "Mijn vader Jan Pietersen (BSN 123456782) is overleden, bel 06-12345678 of jan@example.nl"
)


def share(client: Client, **data: str) -> None:
    response = client.post("/assistant/share/", data, HTTP_ACCEPT_LANGUAGE="nl")
    # The answer again, in place: a redirect would carry the question into a URL.
    assert response.status_code == 200
    assert 'id="answer"' in response.content.decode()


def test_asking_keeps_nothing(catalogue: LoadReport, client: Client) -> None:
    client.post("/assistant/", {"q": QUESTION})
    ask_api(client, q=QUESTION)
    assert SharedQuestion.objects.count() == 0


def test_sharing_without_the_ticked_box_keeps_nothing(
    catalogue: LoadReport, client: Client
) -> None:
    share(client, q=QUESTION)
    share(client, q=QUESTION, consent="no")
    assert SharedQuestion.objects.count() == 0


def test_sharing_with_the_ticked_box_keeps_only_the_anonymised_text(
    catalogue: LoadReport, client: Client
) -> None:
    share(client, q=QUESTION, consent="yes")
    kept = SharedQuestion.objects.get()
    assert kept.text == (
        "Mijn vader [name] [name] (BSN [number]) is overleden, bel [number] of [e-mail]"
    )
    assert kept.language == "nl"
    assert kept.matched is True and kept.top_suggestion == "death-of-a-relative"


def test_a_kept_question_never_grows_past_the_maximum_length(
    catalogue: LoadReport, client: Client
) -> None:
    share(client, q="a1 " * 100, consent="yes")
    assert len(SharedQuestion.objects.get().text) == 300


def test_the_share_form_is_offered_after_an_answer_and_posts_the_question(
    catalogue: LoadReport, client: Client
) -> None:
    html = client.post("/assistant/", {"q": "paspoort"}).content.decode()
    assert 'action="/assistant/share/"' in html and 'method="post"' in html
    assert 'type="checkbox" id="share-consent" name="consent" value="yes"' in html
    assert "checked" not in html.split('id="share-consent"')[1].split(">")[0]


def test_sharing_is_a_post_only(catalogue: LoadReport, client: Client) -> None:
    response = client.get("/assistant/share/", {"q": QUESTION, "consent": "yes"})
    assert response.status_code == 405
    assert SharedQuestion.objects.count() == 0


def test_sharing_an_empty_question_is_refused_readably(
    catalogue: LoadReport, client: Client
) -> None:
    response = client.post("/assistant/share/", {"q": " ", "consent": "yes"})
    assert response.status_code == 422
    assert SharedQuestion.objects.count() == 0


def test_editors_can_read_shared_questions_but_not_add_or_change_them(
    catalogue: LoadReport, client: Client
) -> None:
    kept = SharedQuestion.objects.create(text="[name] gaat verhuizen", language="nl", matched=True)
    client.force_login(User.objects.create_superuser("editor", "editor@example.org", "pw"))
    listing = client.get("/admin/assistant/sharedquestion/")
    assert listing.status_code == 200 and "[name] gaat verhuizen" in listing.content.decode()
    assert client.get("/admin/assistant/sharedquestion/add/").status_code == 403
    client.post(
        f"/admin/assistant/sharedquestion/{kept.pk}/change/",
        {"text": "changed", "language": "en", "matched": "on"},
    )
    kept.refresh_from_db()
    assert kept.text == "[name] gaat verhuizen"

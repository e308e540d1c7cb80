"""What a person typed in a step's form but has not sent, kept while they fetch evidence.

"Get it from the government" is a button inside the step form: it posts the form to the
evidence exchange, which sends the person to the provider's preview (perhaps on another
country's node) and back to the step page. Without a draft, everything typed before would be
gone on return. The draft holds only the form's own fields as typed (not the uploads: no
browser can send a chosen file back), sealed in the server-side session, one per step for the
last few steps. It is removed when the step is sent, and is gone with the session. No
organisation sees it, so it is not a processing: only the person's own browser state, kept
on the server instead of in the page."""

import json
from collections.abc import Mapping
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from lifegate.catalogue.models import FormField
from lifegate.core.sealing import UnsealError, seal, unseal
from lifegate.journeys.models import Step

SESSION_KEY = "journeys.drafts"
PURPOSE = "journeys.step-draft"
# Steps with a draft at a time: the newest are kept. A person works on one step at a time.
MAX_DRAFTS = 5
# Longer than any field of a step form takes (long text: 2,000 characters).
MAX_VALUE_CHARS = 2000


def keep(session: SessionBase, step: Step, data: Mapping[str, Any]) -> None:
    """Keep the values of the step's form fields in `data` (a POST) that are not empty."""
    keys = FormField.objects.filter(service_id=step.service_id).values_list("key", flat=True)
    typed = {}
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            typed[key] = value[:MAX_VALUE_CHARS]
    drafts = {k: v for k, v in session.get(SESSION_KEY, {}).items() if k != str(step.pk)}
    if typed:
        drafts[str(step.pk)] = seal(PURPOSE, json.dumps(typed))
    # Dicts keep their order: the oldest drafts go first.
    session[SESSION_KEY] = dict(list(drafts.items())[-MAX_DRAFTS:])


def typed(session: SessionBase, step: Step) -> dict[str, str]:
    """The values kept for the step's form, by field key; empty when there are none."""
    sealed = session.get(SESSION_KEY, {}).get(str(step.pk))
    if not sealed:
        return {}
    try:
        values = json.loads(unseal(PURPOSE, sealed))
    except (UnsealError, ValueError):
        return {}  # sealed with an earlier key: the draft is lost, not the page
    return {key: value for key, value in values.items() if isinstance(value, str)}


def discard(session: SessionBase, step: Step) -> None:
    """Forget the step's draft (it was sent)."""
    drafts = session.get(SESSION_KEY, {})
    if str(step.pk) in drafts:
        session[SESSION_KEY] = {k: v for k, v in drafts.items() if k != str(step.pk)}

"""JSON that comes from outside (request bodies, upload lines, peers' messages and answers):
`loads` fails with `ValueError` for anything that is not JSON, including nesting too deep for
the parser, which the standard library reports as a `RecursionError` (a 500 otherwise).

JSON can also spell text no database takes: "\\u0000" (PostgreSQL refuses NUL in text) and
an unpaired surrogate such as "\\ud800" (no UTF-8 encoding exists). `holds_unstorable_text`
finds both, so that they are refused as bad input instead of failing in the database."""

import json
import re
from typing import Any

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class UnstorableText(ValueError):
    """Text from outside holds a NUL character or an unpaired surrogate (the API answers
    with a 400 problem that says so)."""


def loads(data: str | bytes) -> Any:
    """`json.loads`, with too deep nesting a `ValueError` like any other bad JSON."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def unstorable(text: str) -> bool:
    """Whether `text` holds a NUL character or an unpaired surrogate."""
    return _UNSTORABLE.search(text) is not None


def holds_unstorable_text(value: Any) -> bool:
    """Whether any text in decoded JSON (member names too) holds a NUL character or an
    unpaired surrogate."""
    # Without recursion: the JSON may nest nearly as deep as the interpreter allows.
    waiting = [value]
    while waiting:
        item = waiting.pop()
        if isinstance(item, str):
            if unstorable(item):
                return True
        elif isinstance(item, dict):
            waiting.extend(item.keys())
            waiting.extend(item.values())
        elif isinstance(item, list):
            waiting.extend(item)
    return False


def refuse_unstorable_text(value: Any) -> Any:
    """`value`, unless text in it holds a NUL character or an unpaired surrogate: then
    UnstorableText."""
    if holds_unstorable_text(value):
        raise UnstorableText("NUL or unpaired surrogate in text")
    return value

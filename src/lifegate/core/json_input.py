"""JSON that comes from outside (request bodies, upload lines, peers' messages and answers):
`loads` fails with `ValueError` for anything that is not JSON, including nesting too deep for
the parser, which the standard library reports as a `RecursionError` (a 500 otherwise)."""

import json
from typing import Any


def loads(data: str | bytes) -> Any:
    """`json.loads`, with too deep nesting a `ValueError` like any other bad JSON."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None

"""Keeps BSNs out of logs: any nine-digit number that passes the elfproef is masked, in the
message and in everything formatted with it (tracebacks, stack information)."""

import logging
import re
from typing import Any

from lifegate.core.subject import bsn_is_valid

NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")


def redact_bsns(text: str) -> str:
    """Replace every valid BSN in `text` by a mask."""
    return NINE_DIGITS.sub(lambda m: "*********" if bsn_is_valid(m.group()) else m.group(), text)


class RedactingFormatter(logging.Formatter):
    """A formatter whose whole output, traceback included, has BSNs masked."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_bsns(super().format(record))

    def formatException(self, ei: Any) -> str:
        # Also masks the traceback text that logging caches on the record for other handlers.
        return redact_bsns(super().formatException(ei))

"""Keeps BSNs out of logs: any nine-digit number that passes the elfproef is masked."""

import logging
import re

from lifegate.core.subject import bsn_is_valid

NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")


def redact_bsns(text: str) -> str:
    """Replace every valid BSN in `text` by a mask."""
    return NINE_DIGITS.sub(lambda m: "*********" if bsn_is_valid(m.group()) else m.group(), text)


class RedactBsnFilter(logging.Filter):
    """Logging filter applying `redact_bsns` to the formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_bsns(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True

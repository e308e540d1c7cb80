"""Errors of the evidence exchange that callers turn into answers."""


class RequestInvalid(ValueError):
    """An evidence request (from a peer or a page) that cannot be handled as sent. `field`
    names the part at fault; the message is English, for the peer's problem answer."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

"""The `Subject`: whom personal data is about, as an identifier scheme and value."""

from dataclasses import dataclass
from typing import Literal

SubjectScheme = Literal["bsn", "eidas"]


@dataclass(frozen=True, repr=False)
class Subject:
    """A natural person identified by a Dutch BSN or an eIDAS PersonIdentifier (XX/YY/id)."""

    scheme: SubjectScheme
    value: str

    def __str__(self) -> str:
        # Never render the identifier itself: str() and repr() end up in logs, tracebacks
        # and templates.
        return f"Subject({self.scheme}, ***)"

    __repr__ = __str__

    def as_dict(self) -> dict[str, str]:
        """For storing in a session."""
        return {"scheme": self.scheme, "value": self.value}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> "Subject":
        """Inverse of `as_dict`."""
        scheme = data["scheme"]
        if scheme not in ("bsn", "eidas"):
            raise ValueError(f"unknown subject scheme {scheme!r}")
        return cls(scheme=scheme, value=data["value"])  # type: ignore[arg-type]


def bsn_is_valid(bsn: str) -> bool:
    """True when `bsn` is nine digits passing the elfproef.

    The elfproef: 9*d1 + 8*d2 + ... + 2*d8 - d9 is divisible by 11."""
    if len(bsn) != 9 or not bsn.isdigit():
        return False
    digits = [int(c) for c in bsn]
    total = sum(weight * d for weight, d in zip(range(9, 1, -1), digits[:8], strict=True))
    total -= digits[8]
    return total % 11 == 0 and bsn != "000000000"

"""eIDAS levels of assurance (Implementing Regulation 2015/1502): low < substantial < high."""

from typing import Literal

from django.utils.translation import gettext_lazy as _

LevelOfAssurance = Literal["low", "substantial", "high"]
LEVELS: tuple[LevelOfAssurance, ...] = ("low", "substantial", "high")
EIDAS_LOA_PREFIX = "http://eidas.europa.eu/LoA/"


def loa_rank(level: str) -> int:
    """Position of `level` in the ordering; unknown levels rank below `low`."""
    return LEVELS.index(level) if level in LEVELS else -1


def loa_satisfies(achieved: str, required: str) -> bool:
    """True when a session at `achieved` may use something that needs `required`."""
    return loa_rank(achieved) >= loa_rank(required) >= 0


def loa_to_uri(level: LevelOfAssurance) -> str:
    """The eIDAS URI sent as `acr`/`acr_values`."""
    return EIDAS_LOA_PREFIX + level


def loa_from_uri(uri: str) -> LevelOfAssurance | None:
    """Inverse of `loa_to_uri`; None for anything else."""
    if not uri.startswith(EIDAS_LOA_PREFIX):
        return None
    level = uri.removeprefix(EIDAS_LOA_PREFIX)
    return level if level in LEVELS else None


LEVEL_LABELS = {"low": _("low"), "substantial": _("substantial"), "high": _("high")}


def loa_label(level: str) -> str:
    """The level's name in the active language, for people to read."""
    return str(LEVEL_LABELS.get(level, level))

"""The demo personas as the development identity provider sees them: who may log in, at
which levels, how the picker offers them, and which claims their tokens carry."""

import hmac
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lifegate.identity.assurance import LEVELS, LevelOfAssurance, loa_from_uri, loa_rank, loa_to_uri
from lifegate.registries import services as registries
from lifegate.registries.services import DemoPersona

PROFILE_SCOPE = "profile"


@dataclass(frozen=True)
class DevIdpLogin:
    """A persona who logged in at the development identity provider, at a chosen level."""

    persona: DemoPersona
    level: LevelOfAssurance
    auth_time: int


def all_personas() -> list[DemoPersona]:
    """Every persona that may log in, from the embedded population register."""
    return registries.demo_personas()


def find_persona(key: str) -> DemoPersona | None:
    """The persona with this key, or None."""
    return next((p for p in all_personas() if hmac.compare_digest(p.key, key)), None)


def minimum_level(acr_values: str | None) -> LevelOfAssurance:
    """The lowest eIDAS level the relying party accepts, from its space-separated `acr_values`."""
    requested = [loa_from_uri(value) for value in (acr_values or "").split()]
    known = [level for level in requested if level is not None]
    return min(known, key=loa_rank) if known else "low"


def levels_for(persona: DemoPersona, minimum: LevelOfAssurance) -> list[LevelOfAssurance]:
    """The levels this persona can log in at that are at least `minimum`."""
    top = loa_rank(persona.max_loa)
    return [level for level in LEVELS if loa_rank(minimum) <= loa_rank(level) <= top]


@dataclass(frozen=True)
class LevelChoice:
    """One radio button of the picker: a persona at a level ("<persona key>|<level>")."""

    value: str
    label: str


@dataclass(frozen=True)
class PersonaChoice:
    """A persona with the levels it is offered at."""

    label: str
    choices: list[LevelChoice]


@dataclass(frozen=True)
class PersonaGroup:
    """Residents of this node's country (in the Netherlands: DigiD) or EU citizens (eIDAS)."""

    key: str
    title: str
    personas: list[PersonaChoice]


def persona_groups(minimum: LevelOfAssurance, eidas_first: bool) -> list[PersonaGroup]:
    """The picker's two groups of personas, each offered at the levels from `minimum` up;
    EU citizens first when the relying party hinted at eIDAS."""
    residents: list[PersonaChoice] = []
    eu_citizens: list[PersonaChoice] = []
    for persona in all_personas():
        choice = _persona_choice(persona, minimum)
        if choice is not None:
            group = residents if _is_resident(persona) else eu_citizens
            group.append(choice)
    groups = [
        PersonaGroup("residents", _residents_title(), residents),
        PersonaGroup("eu-citizens", _("EU citizens (eIDAS)"), eu_citizens),
    ]
    return list(reversed(groups)) if eidas_first else groups


def _is_resident(persona: DemoPersona) -> bool:
    # On a node of another member state (the Estonian node of `make demo-federation`) its own
    # residents log in with their national eID, an eIDAS identity issued for that country.
    country = settings.NODE_COUNTRY
    own_eid = persona.subject.value.startswith(f"{country}/{country}/")
    return persona.subject.scheme == "bsn" or (persona.subject.scheme == "eidas" and own_eid)


def _residents_title() -> str:
    if settings.NODE_COUNTRY == "NL":
        return _("Dutch residents (DigiD)")
    return _("Residents (national eID)")


def _persona_choice(persona: DemoPersona, minimum: LevelOfAssurance) -> PersonaChoice | None:
    levels = levels_for(persona, minimum)
    if not levels:
        return None
    role = persona.label_nl if "nl" in (get_language() or "") else persona.label_en
    resident = persona.subject.scheme == "bsn"
    choices = [LevelChoice(f"{persona.key}|{lvl}", level_label(lvl, resident)) for lvl in levels]
    return PersonaChoice(f"{persona.given_name} {persona.family_name} — {role}", choices)


def level_label(level: LevelOfAssurance, resident: bool) -> str:
    """A level of assurance in words; for residents with the DigiD level it stands for."""
    if level == "high":
        return _("High (DigiD Hoog)") if resident else _("High")
    if level == "substantial":
        return _("Substantial (DigiD Substantieel)") if resident else _("Substantial")
    return _("Low (DigiD Midden)") if resident else _("Low")


def chosen_login(value: str, minimum: LevelOfAssurance) -> DevIdpLogin | None:
    """The login the picker's `value` ("<persona key>|<level>") stands for, starting now; None
    for an unknown persona or a level the persona does not have or that is below `minimum`."""
    key, _separator, level = value.rpartition("|")
    persona = find_persona(key) if key else None
    if persona is None:
        return None
    offered = next((lvl for lvl in levels_for(persona, minimum) if lvl == level), None)
    return DevIdpLogin(persona, offered, int(time.time())) if offered else None


def pseudonymous_sub(persona: DemoPersona) -> str:
    """An opaque, stable `sub` for the persona: a keyed hash, never the identifier itself."""
    subject = f"{persona.subject.scheme}:{persona.subject.value}"
    secret = settings.SECRET_KEY
    return salted_hmac(
        "lifegate.dev_idp.sub", subject, secret=secret, algorithm="sha256"
    ).hexdigest()


def persona_claims(persona: DemoPersona, scope: str) -> dict[str, Any]:
    """The claims about `persona` in ID tokens and at the userinfo endpoint."""
    claims: dict[str, Any] = {"sub": pseudonymous_sub(persona)}
    if PROFILE_SCOPE in scope.split():
        claims.update(
            given_name=persona.given_name,
            family_name=persona.family_name,
            birthdate=persona.date_of_birth.isoformat(),
        )
    if persona.subject.scheme == "bsn":
        claims["bsn"] = persona.subject.value
    else:
        claims["eidas"] = eidas_minimum_data_set(persona)
    return claims


def eidas_minimum_data_set(persona: DemoPersona) -> dict[str, str]:
    """The mandatory eIDAS natural-person attributes (Implementing Regulation 2015/1501)."""
    return {
        "PersonIdentifier": persona.eidas_person_identifier or persona.subject.value,
        "CurrentFamilyName": persona.family_name,
        "CurrentGivenName": persona.given_name,
        "DateOfBirth": persona.date_of_birth.isoformat(),
    }


def acr_for(level: LevelOfAssurance) -> str:
    """The `acr` claim for a login at `level`."""
    return loa_to_uri(level)

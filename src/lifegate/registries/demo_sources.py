"""Word lists and number pools the demo population generator draws from. Nothing here is
about a real person: BSNs come only from the 9999xxxxx test range. The Estonian lists serve
the Estonian node of a demo federation (settings.NODE_COUNTRY "EE")."""

import functools
import re
from dataclasses import dataclass

from faker.providers.person.nl_NL import Provider as DutchNames

from lifegate.core.subject import bsn_is_valid

TEST_BSN_PREFIX = "9999"
NAME_PREFIXES = ("van", "de", "van der", "van den", "van de", "den", "ter", "ten", "van 't")


@functools.cache
def test_range_bsns() -> tuple[str, ...]:
    """Every BSN in the test range 9999xxxxx that passes the elfproef (about 9,000)."""
    candidates = (f"{TEST_BSN_PREFIX}{tail:05d}" for tail in range(100_000))
    return tuple(bsn for bsn in candidates if bsn_is_valid(bsn))


def _split_family_name(name: str) -> tuple[str, str] | None:
    for prefix in sorted(NAME_PREFIXES, key=len, reverse=True):
        if name.startswith(prefix + " "):
            rest = name.removeprefix(prefix + " ")
            return (prefix, rest) if _plain_surname(rest) else None
    return ("", name) if _plain_surname(name) else None


def _plain_surname(name: str) -> bool:
    # Leaves out abbreviated patronymics such as "Adriaensdr" (Adriaansdochter).
    return bool(re.fullmatch(r"[A-Z][a-zë\-]+", name)) and not name.endswith("dr")


@functools.cache
def dutch_family_names() -> tuple[tuple[str, str], ...]:
    """(prefix, family name) pairs from Faker's nl_NL list, without its historical oddities
    (medieval nobility, patronymics with commas)."""
    pairs = (_split_family_name(name) for name in DutchNames.last_names)
    return tuple(sorted({pair for pair in pairs if pair is not None}))


# Given names common among Dutch people born before about 1975 (Faker's list is modern).
CLASSIC_GIVEN_NAMES = {
    "male": (
        "Johannes", "Cornelis", "Hendrik", "Willem", "Gerrit", "Jan", "Pieter", "Jacobus",
        "Adrianus", "Theodorus", "Gerardus", "Antonius", "Wilhelmus", "Petrus", "Dirk", "Klaas",
    ),
    "female": (
        "Maria", "Johanna", "Cornelia", "Anna", "Hendrika", "Wilhelmina", "Elisabeth",
        "Geertruida", "Catharina", "Adriana", "Petronella", "Jacoba", "Aaltje", "Grietje",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Municipality:
    """A municipality, its main town and the (approximate) range of its postcodes."""

    name: str
    city: str
    first_postcode: int
    last_postcode: int
    weight: int


MUNICIPALITIES = (
    Municipality("Amsterdam", "Amsterdam", 1011, 1109, 93),
    Municipality("Rotterdam", "Rotterdam", 3011, 3089, 66),
    Municipality("'s-Gravenhage", "Den Haag", 2491, 2597, 56),
    Municipality("Utrecht", "Utrecht", 3511, 3585, 37),
    Municipality("Eindhoven", "Eindhoven", 5611, 5658, 24),
    Municipality("Groningen", "Groningen", 9711, 9747, 24),
    Municipality("Tilburg", "Tilburg", 5011, 5049, 22),
    Municipality("Almere", "Almere", 1311, 1365, 22),
    Municipality("Breda", "Breda", 4811, 4839, 19),
    Municipality("Nijmegen", "Nijmegen", 6511, 6546, 18),
    Municipality("Haarlem", "Haarlem", 2011, 2037, 16),
    Municipality("Arnhem", "Arnhem", 6811, 6846, 16),
    Municipality("Enschede", "Enschede", 7511, 7548, 16),
    Municipality("Apeldoorn", "Apeldoorn", 7311, 7339, 16),
    Municipality("Amersfoort", "Amersfoort", 3811, 3829, 16),
    Municipality("Zwolle", "Zwolle", 8011, 8043, 13),
    Municipality("'s-Hertogenbosch", "'s-Hertogenbosch", 5211, 5249, 16),
    Municipality("Leiden", "Leiden", 2311, 2334, 13),
    Municipality("Maastricht", "Maastricht", 6211, 6229, 12),
    Municipality("Dordrecht", "Dordrecht", 3311, 3329, 12),
    Municipality("Leeuwarden", "Leeuwarden", 8911, 8939, 12),
    Municipality("Delft", "Delft", 2611, 2629, 10),
    Municipality("Alkmaar", "Alkmaar", 1811, 1827, 11),
    Municipality("Deventer", "Deventer", 7411, 7429, 10),
    Municipality("Hilversum", "Hilversum", 1211, 1223, 9),
    Municipality("Venlo", "Venlo", 5911, 5929, 10),
    Municipality("Emmen", "Emmen", 7811, 7833, 10),
    Municipality("Lelystad", "Lelystad", 8211, 8245, 8),
    Municipality("Assen", "Assen", 9401, 9409, 7),
    Municipality("Middelburg", "Middelburg", 4331, 4339, 5),
)
STUDENT_CITIES = frozenset(
    {"Amsterdam", "Utrecht", "Groningen", "Leiden", "Delft", "Nijmegen", "Maastricht", "Enschede"}
)

# Dutch municipalities the generator never draws from: the Dutch residents of the demo
# federation who move to Estonia live here, so no generated address can take theirs and the
# persona finder recognises them whatever the seed.
MOVERS_MUNICIPALITIES = (
    Municipality("Gouda", "Gouda", 2801, 2809, 1),
    Municipality("Zutphen", "Zutphen", 7201, 7207, 1),
    Municipality("Harderwijk", "Harderwijk", 3841, 3849, 1),
)

STREET_STEMS = (
    "Eiken",
    "Beuken",
    "Berken",
    "Wilgen",
    "Linden",
    "Kastanje",
    "Meidoorn",
    "Tulpen",
    "Rozen",
    "Merel",
    "Lijster",
    "Zwaluw",
    "Reiger",
    "Spreeuw",
    "Molen",
    "Kerk",
    "School",
    "Dorps",
    "Stations",
    "Haven",
    "Dijk",
    "Polder",
    "Juliana",
    "Wilhelmina",
    "Oranje",
    "Nassau",
    "Beatrix",
)
STREET_SUFFIXES = ("straat", "laan", "weg", "hof", "plein", "dreef", "singel", "pad", "kade")
HOUSE_NUMBER_ADDITIONS = ("A", "B", "C", "-1", "-2", "-3")
# Letters PostNL uses in postcodes; SA, SD and SS are never issued.
POSTCODE_LETTERS = "ABCEGHJKLMNPRSTVWXZ"
UNUSED_POSTCODE_PAIRS = frozenset({"SA", "SD", "SS"})


@dataclass(frozen=True)
class Country:
    """An EU member state as a source of names and birthplaces."""

    code: str
    faker_locale: str
    cities: tuple[str, ...]


EU_COUNTRIES = {
    c.code: c
    for c in (
        Country("DE", "de_DE", ("Berlin", "Hamburg", "München", "Köln", "Leipzig", "Dresden")),
        Country("BE", "nl_BE", ("Antwerpen", "Gent", "Brugge", "Leuven", "Hasselt", "Mechelen")),
        Country("PL", "pl_PL", ("Warszawa", "Kraków", "Wrocław", "Poznań", "Gdańsk", "Łódź")),
        Country("ES", "es_ES", ("Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao")),
        Country("IT", "it_IT", ("Roma", "Milano", "Napoli", "Torino", "Bologna", "Firenze")),
        Country("FR", "fr_FR", ("Paris", "Lyon", "Marseille", "Toulouse", "Lille", "Nantes")),
        Country("PT", "pt_PT", ("Lisboa", "Porto", "Braga", "Coimbra", "Faro")),
        Country("RO", "ro_RO", ("București", "Cluj-Napoca", "Timișoara", "Iași")),
        Country("EE", "et_EE", ("Tallinn", "Tartu", "Narva", "Pärnu")),
    )
}
# Nationalities of EU citizens living in the Netherlands, roughly by frequency.
RESIDENT_EU_NATIONALITIES = ("PL", "PL", "PL", "DE", "DE", "BE", "RO", "IT", "ES", "FR", "PT")
FAKER_LOCALES = ["nl_NL", *(c.faker_locale for c in EU_COUNTRIES.values())]

# Estonian local governments (linn: town, vald: rural municipality), their main town and the
# (approximate) range of its five-digit postcodes; weights roughly follow the population.
ESTONIAN_MUNICIPALITIES = (
    Municipality("Tallinn", "Tallinn", 10111, 13525, 45),
    Municipality("Tartu linn", "Tartu", 50050, 51020, 10),
    Municipality("Narva linn", "Narva", 20101, 21020, 5),
    Municipality("Pärnu linn", "Pärnu", 80010, 80050, 5),
    Municipality("Kohtla-Järve linn", "Kohtla-Järve", 30101, 31050, 3),
    Municipality("Viljandi linn", "Viljandi", 71003, 71033, 2),
    Municipality("Rakvere linn", "Rakvere", 44306, 44317, 2),
    Municipality("Maardu linn", "Maardu", 74111, 74118, 2),
    Municipality("Saaremaa vald", "Kuressaare", 93801, 93822, 2),
    Municipality("Võru linn", "Võru", 65601, 65610, 1),
    Municipality("Valga vald", "Valga", 68203, 68208, 1),
    Municipality("Jõhvi vald", "Jõhvi", 41531, 41595, 1),
    Municipality("Haapsalu linn", "Haapsalu", 90501, 90507, 1),
    Municipality("Paide linn", "Paide", 72711, 72720, 1),
)
ESTONIAN_STUDENT_TOWNS = frozenset({"Tallinn", "Tartu linn"})
# Street names are mostly a noun in the genitive (Kase: of the birch) plus the kind of street.
ESTONIAN_STREET_STEMS = (
    "Kase", "Tamme", "Pärna", "Vahtra", "Kuuse", "Männi", "Lille", "Aia", "Kooli", "Posti",
    "Jaama", "Sadama", "Mere", "Järve", "Kesk", "Pikk", "Lai", "Uus", "Kalda", "Metsa",
    "Põllu", "Kivi", "Veski", "Kiriku", "Turu", "Lossi", "Rüütli", "Koidula", "Kreutzwaldi",
)  # fmt: skip
ESTONIAN_STREET_KINDS = ("tänav", "tänav", "tänav", "tee", "puiestee", "põik")
# Flats in Estonian addresses follow the house number: Kase tänav 12-5.
ESTONIAN_FLAT_NUMBERS = tuple(f"-{n}" for n in range(1, 41))

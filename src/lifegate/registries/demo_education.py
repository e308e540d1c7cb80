"""Demo diplomas for the embedded education register: plausible Dutch qualifications (mbo,
hbo, wo) with generated, fictional data, from fictional schools.

Who gets them: every demo persona of age (always one or two) and most other adult residents.
Each person's diplomas are drawn from their own seeded generator (seed and BSN), so they are
the same whatever else the population holds; only diplomas dated before today are kept."""

import random
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lifegate.registries.adapters import ADULT_AGE
from lifegate.registries.demo_builder import years_before
from lifegate.registries.models import RegisteredDiploma, RegisteredPerson
from lifegate.registries.personas import demo_personas


@dataclass(frozen=True)
class Programme:
    """A kind of qualification: its title, EQF level, ISCED 2011 code, what it teaches."""

    title: str
    level_eqf: int
    level_isced: str
    learning_outcomes: str


# mbo: ISCED 353 (upper secondary vocational, no direct access to higher education) for
# levels 2 and 3, 354 (with access) for level 4. hbo bachelor: 655; wo bachelor: 645; wo
# master: 747 (a second degree following a bachelor's).
MBO = (
    Programme(
        "Kok (mbo niveau 2)",
        2,
        "353",
        "Bereidt gerechten volgens recept, werkt hygiënisch en veilig in een keuken.",
    ),
    Programme(
        "Verkoopmedewerker (mbo niveau 2)",
        2,
        "353",
        "Helpt klanten, verkoopt producten en houdt de winkel en voorraad op orde.",
    ),
    Programme(
        "Pedagogisch medewerker kinderopvang (mbo niveau 3)",
        3,
        "353",
        "Begeleidt kinderen in de opvang, stimuleert hun ontwikkeling en overlegt met ouders.",
    ),
    Programme(
        "Eerste monteur elektrotechnische installaties (mbo niveau 3)",
        3,
        "353",
        "Legt elektrotechnische installaties aan, test ze en verhelpt storingen.",
    ),
    Programme(
        "Verpleegkundige (mbo niveau 4)",
        4,
        "354",
        "Verleent zelfstandig verpleegkundige zorg, beoordeelt gezondheidsrisico's en "
        "werkt samen met andere zorgverleners.",
    ),
    Programme(
        "Software developer (mbo niveau 4)",
        4,
        "354",
        "Ontwerpt, bouwt en test software volgens wensen van gebruikers, in een team.",
    ),
    Programme(
        "Doktersassistent (mbo niveau 4)",
        4,
        "354",
        "Ondersteunt de huisarts, voert medisch-technische handelingen uit en staat "
        "patiënten te woord.",
    ),
)
HBO = (
    Programme(
        "Bachelor of Nursing (hbo-verpleegkunde)",
        6,
        "655",
        "Levert en coördineert complexe verpleegkundige zorg op basis van onderzoek.",
    ),
    Programme(
        "Bachelor of Education, leraar basisonderwijs (pabo)",
        6,
        "655",
        "Geeft les in alle vakken van het basisonderwijs en begeleidt de ontwikkeling "
        "van kinderen.",
    ),
    Programme(
        "Bachelor of Science HBO-ICT",
        6,
        "655",
        "Analyseert, ontwerpt en realiseert informatiesystemen voor organisaties.",
    ),
    Programme(
        "Bachelor of Business Administration, bedrijfskunde",
        6,
        "655",
        "Onderzoekt en verbetert bedrijfsprocessen, leidt veranderingen in organisaties.",
    ),
    Programme(
        "Bachelor of Social Work",
        6,
        "655",
        "Ondersteunt mensen en groepen bij sociale vraagstukken, in wijk en organisatie.",
    ),
    Programme(
        "Bachelor of Engineering, werktuigbouwkunde",
        6,
        "655",
        "Ontwerpt en verbetert machines en productieprocessen, met oog voor duurzaamheid.",
    ),
)
# A wo bachelor and the master that usually follows it.
WO = (
    (Programme("Bachelor of Science Informatica", 6, "645",
               "Beheerst de grondslagen van de informatica: programmeren, algoritmen, logica."),
     Programme("Master of Science Computer Science", 7, "747",
               "Doet zelfstandig onderzoek naar softwaresystemen en past dat toe in de praktijk.")),
    (Programme("Bachelor of Arts Geschiedenis", 6, "645",
               "Analyseert historische bronnen en plaatst ontwikkelingen in hun context."),
     Programme("Master of Arts Geschiedenis", 7, "747",
               "Doet zelfstandig historisch onderzoek en rapporteert daarover voor vakgenoten.")),
    (Programme("Bachelor of Science Psychologie", 6, "645",
               "Kent de theorieën en methoden van de psychologie en past statistiek toe."),
     Programme("Master of Science Psychologie", 7, "747",
               "Diagnosticeert en onderzoekt gedrag, en ontwerpt en evalueert interventies.")),
    (Programme("Bachelor of Laws Rechtsgeleerdheid", 6, "645",
               "Kent het Nederlandse en Europese recht en lost juridische vraagstukken op."),
     Programme("Master of Laws Nederlands recht", 7, "747",
               "Adviseert en procedeert zelfstandig in complexe juridische zaken.")),
    (Programme("Bachelor of Science Biologie", 6, "645",
               "Onderzoekt levende organismen, van molecuul tot ecosysteem, in lab en veld."),
     Programme("Master of Science Biology", 7, "747",
               "Ontwerpt en voert biologisch onderzoek uit en publiceert de resultaten.")),
)  # fmt: skip

# Fictional schools, with the year they (or their forerunner) started awarding diplomas.
SCHOOLS = {
    "mbo": (("ROC Rijnland-Oost", 1996), ("ROC Amstelmonde", 1996), ("ROC Vechtstreek", 1996),
            ("Middelbare Beroepsschool De Waard", 1930)),
    "hbo": (("Hogeschool Domstad", 1988), ("Hogeschool Waterland", 1990),
            ("Hogeschool van de Kempen", 1987), ("Academie Lingewaard", 1930)),
    "wo": (("Universiteit van de Lage Landen", 1920), ("Rijksuniversiteit Duinrand", 1900),
           ("Technische Universiteit Polderland", 1956)),
}  # fmt: skip
# Where people's education ends: an mbo diploma; mbo then hbo; hbo; wo bachelor and master;
# wo bachelor only.
PATHS = {"mbo": 35, "mbo-hbo": 12, "hbo": 28, "wo": 20, "wo-bachelor": 5}
# Adults without a diploma of these kinds (they left school earlier, or studied abroad).
WITHOUT_DIPLOMA = {"NL": 0.15, "other": 0.5}


@dataclass(frozen=True)
class DemoDiploma:
    """A generated diploma of the person with `bsn`."""

    bsn: str
    title: str
    level_eqf: int
    level_isced: str
    awarding_body: str
    awarded_on: date
    grade: str
    learning_outcomes: str


class _Draw:
    """The diplomas of one person, from their own generator."""

    def __init__(self, seed: int, bsn: str, born: date) -> None:
        self.rng = random.Random(f"{seed}:diplomas:{bsn}")  # noqa: S311 - reproducible demo data
        self.bsn = bsn
        self.born = born

    def diploma(self, programme: Programme, kind: str, age: int) -> DemoDiploma:
        """`programme` finished at `age`, in the summer, at a school of that time."""
        year = self.born.year + age
        awarded = date(year, self.rng.choice((6, 7, 7, 7, 8)), self.rng.randint(1, 28))
        schools = [name for name, since in SCHOOLS[kind] if since <= year] or [SCHOOLS[kind][-1][0]]
        return DemoDiploma(
            bsn=self.bsn,
            title=programme.title,
            level_eqf=programme.level_eqf,
            level_isced=programme.level_isced,
            awarding_body=self.rng.choice(schools),
            awarded_on=awarded,
            grade=self.grade(kind),
            learning_outcomes=programme.learning_outcomes,
        )

    def grade(self, kind: str) -> str:
        """Most pass; a few with distinction."""
        roll = self.rng.random()
        if kind == "mbo":
            return "met lof" if roll < 0.12 else "geslaagd"
        return "cum laude" if roll < 0.08 else "met genoegen" if roll < 0.2 else "geslaagd"

    def path(self) -> list[DemoDiploma]:
        """One or two diplomas along a path through Dutch education."""
        path = self.rng.choices(list(PATHS), weights=list(PATHS.values()))[0]
        offset = self.rng.randint(-1, 1)
        if path == "mbo":
            programme = self.rng.choice(MBO)
            return [self.diploma(programme, "mbo", 17 + programme.level_eqf + offset)]
        if path == "mbo-hbo":
            first = self.rng.choice([p for p in MBO if p.level_eqf == 4])
            return [
                self.diploma(first, "mbo", 20 + offset),
                self.diploma(self.rng.choice(HBO), "hbo", 24 + offset),
            ]
        if path == "hbo":
            return [self.diploma(self.rng.choice(HBO), "hbo", 22 + offset)]
        bachelor, master = self.rng.choice(WO)
        diplomas = [self.diploma(bachelor, "wo", 21 + offset)]
        if path == "wo":
            diplomas.append(self.diploma(master, "wo", 22 + offset + self.rng.randint(1, 2)))
        return diplomas

    def early(self, today: date) -> DemoDiploma:
        """For a young adult whose path ends in the future: an mbo 4 diploma awarded after
        their 18th birthday."""
        programme = self.rng.choice([p for p in MBO if p.level_eqf == 4])
        diploma = self.diploma(programme, "mbo", ADULT_AGE)
        earliest = years_before(self.born, -ADULT_AGE)
        span = max(0, (today - earliest).days)
        return replace(diploma, awarded_on=earliest + timedelta(days=self.rng.randint(0, span)))


def demo_diplomas(
    seed: int, bsn: str, born: date, today: date, *, nationality: str = "NL", certain: bool = False
) -> list[DemoDiploma]:
    """The diplomas of the adult with `bsn`, born on `born`: none for some adults, one or
    two for the rest, and always one or two when `certain`. Only diplomas awarded by `today`."""
    draw = _Draw(seed, bsn, born)
    chance_without = WITHOUT_DIPLOMA["NL" if nationality == "NL" else "other"]
    if draw.rng.random() < chance_without and not certain:
        return []
    diplomas = [diploma for diploma in draw.path() if diploma.awarded_on <= today]
    return diplomas or [draw.early(today)]


def _row(person: RegisteredPerson, diploma: DemoDiploma) -> RegisteredDiploma:
    fields = asdict(diploma)
    del fields["bsn"]
    return RegisteredDiploma(person=person, **fields)


def load_demo_diplomas(*, seed: int | None = None) -> int:
    """Fill the education register with demo diplomas for the persons of the embedded
    population register, once: nothing happens when it holds diplomas already, or on a node
    outside the Netherlands (the programmes are Dutch). Returns how many were created."""
    if settings.NODE_COUNTRY != "NL" or RegisteredDiploma.objects.exists():
        return 0
    seed = settings.DEMO_POPULATION_SEED if seed is None else seed
    today = timezone.localdate()
    personas = {persona.subject.value for persona in demo_personas()}
    adults = RegisteredPerson.objects.filter(
        date_of_death__isnull=True, date_of_birth__lte=years_before(today, ADULT_AGE)
    ).order_by("id")
    rows = []
    for person in adults:
        persona = person.bsn in personas or person.eidas_person_identifier in personas
        if not (person.resident or persona):
            continue
        drawn = demo_diplomas(
            seed,
            person.bsn,
            person.date_of_birth,
            today,
            nationality=person.nationality,
            certain=persona,
        )
        rows += [_row(person, diploma) for diploma in drawn]
    with transaction.atomic():
        if RegisteredDiploma.objects.exists():  # another process was first
            return 0
        RegisteredDiploma.objects.bulk_create(rows, batch_size=500)
    return len(rows)

"""Demo personas: named, stable people from the demo population that the development identity
provider offers at its login page. Each is picked by role ("the first parent of a newborn"), so
they exist for every seed and size the generator accepts. The Dutch node and the Estonian node
of a demo federation (settings.NODE_COUNTRY) each have their own roles."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from lifegate.core.subject import Subject
from lifegate.registries.adapters import ADULT_AGE
from lifegate.registries.demo_builder import years_before
from lifegate.registries.demo_sources import MOVERS_MUNICIPALITIES
from lifegate.registries.federation import FEDERATION_ID_PREFIX
from lifegate.registries.models import ParentChildRelation, RegisteredPerson


@dataclass(frozen=True)
class DemoPersona:
    """A person of the demo population as a login choice of the development identity provider."""

    key: str
    label_en: str
    label_nl: str
    subject: Subject
    max_loa: str
    given_name: str
    family_name: str
    date_of_birth: date
    nationality: str
    eidas_person_identifier: str | None = None


Finder = Callable[[date, set[int]], RegisteredPerson | None]


@dataclass(frozen=True)
class _Role:
    key: str
    label_en: str
    label_nl: str
    max_loa: str
    find: Finder


def _born_between(oldest_age: int, youngest_age: int, today: date) -> Q:
    earliest = years_before(today, oldest_age + 1) + timedelta(days=1)
    return Q(date_of_birth__gte=earliest, date_of_birth__lte=years_before(today, youngest_age))


def _residents(used: set[int]) -> QuerySet[RegisteredPerson]:
    living = RegisteredPerson.objects.filter(date_of_death__isnull=True, resident=True)
    return living.exclude(pk__in=used).order_by("id")


def _living_alone(used: set[int]) -> QuerySet[RegisteredPerson]:
    return _residents(used).annotate(household=Count("address__occupants")).filter(household=1)


def _working_age_resident(today: date, used: set[int]) -> RegisteredPerson | None:
    single = _living_alone(used).filter(_born_between(64, 30, today), nationality="NL")
    has_children = Exists(ParentChildRelation.objects.filter(parent=OuterRef("pk")))
    return single.filter(~has_children).first()


def _parent_of_newborn(today: date, used: set[int]) -> RegisteredPerson | None:
    minors = Q(
        child_relations__has_parental_authority=True,
        child_relations__child__date_of_birth__gt=years_before(today, ADULT_AGE),
    )
    parents = _residents(used).annotate(
        minor_children=Count("child_relations", filter=minors),
        youngest=Max("child_relations__child__date_of_birth", filter=minors),
    )
    candidates = parents.filter(minor_children__gte=2)
    # The first family with a baby; once the population has aged, the family with the youngest.
    with_baby = candidates.filter(youngest__gt=years_before(today, 1)).order_by("id").first()
    return with_baby or candidates.order_by("-youngest", "id").first()


def _single_parent(today: date, used: set[int]) -> RegisteredPerson | None:
    links = ParentChildRelation.objects.filter(
        has_parental_authority=True,
        child__date_of_birth__gt=years_before(today, ADULT_AGE),
        parent__in=_residents(used),
    )
    sole = links.annotate(parent_count=Count("child__parent_relations")).filter(parent_count=1)
    link = sole.select_related("parent").order_by("id").first()
    return link.parent if link else None


def _elderly(today: date, used: set[int]) -> RegisteredPerson | None:
    return _living_alone(used).filter(date_of_birth__lte=years_before(today, 80)).first()


def _students(today: date, used: set[int]) -> QuerySet[RegisteredPerson]:
    young = _living_alone(used).filter(_born_between(24, ADULT_AGE, today), nationality="NL")
    # A student who moved out: the parents are registered elsewhere.
    has_parents = Exists(ParentChildRelation.objects.filter(child=OuterRef("pk")))
    return young.filter(has_parents)


def _student(today: date, used: set[int]) -> RegisteredPerson | None:
    return _students(today, used).first()


def _parent_of_student(today: date, used: set[int]) -> RegisteredPerson | None:
    """A parent of the "student" persona (found before, so among `used`). Over the student, an
    adult, they hold no parental authority any more: acting for each other takes a mandate.
    (They may still have a minor child at home, so after login they choose whom to act for.)"""
    student = _students(today, set()).filter(pk__in=used).first()
    if student is None:
        return None
    return _residents(used).filter(child_relations__child=student).first()


def _eidas_issued_here(country: str) -> str:
    """The start of PersonIdentifiers issued by `country` for this node's country."""
    return f"{country}/{settings.NODE_COUNTRY}/"


def _federation_identity() -> Q:
    """People of the demo federation (`federation.py`), known here by their eIDAS identity."""
    return Q(eidas_person_identifier__contains=f"/{FEDERATION_ID_PREFIX}")


def _eu_citizen(country: str) -> Finder:
    def find(today: date, used: set[int]) -> RegisteredPerson | None:
        non_residents = RegisteredPerson.objects.filter(resident=False, date_of_death__isnull=True)
        issued = _eidas_issued_here(country)
        with_eidas = non_residents.filter(eidas_person_identifier__startswith=issued)
        generated = with_eidas.exclude(_federation_identity())
        return generated.exclude(pk__in=used).order_by("id").first()

    return find


def _federation_person(country: str, resident: bool) -> Finder:
    """A citizen of `country` among the demo federation's cross-border people."""

    def find(today: date, used: set[int]) -> RegisteredPerson | None:
        living = RegisteredPerson.objects.filter(resident=resident, date_of_death__isnull=True)
        prefix = _eidas_issued_here(country) + FEDERATION_ID_PREFIX
        found = living.filter(eidas_person_identifier__startswith=prefix)
        return found.exclude(pk__in=used).order_by("id").first()

    return find


def _dutch_mover(today: date, used: set[int]) -> RegisteredPerson | None:
    """A Dutch resident of the demo federation moving to Estonia: they live in towns the
    generator never uses, which tells them apart whatever the seed."""
    towns = [m.name for m in MOVERS_MUNICIPALITIES]
    return _residents(used).filter(nationality="NL", address__municipality__in=towns).first()


def _estonian_resident(today: date, used: set[int]) -> RegisteredPerson | None:
    """A generated Estonian resident of working age, outside the demo federation."""
    residents = _residents(used).filter(_born_between(64, 30, today), nationality="EE")
    with_eidas = residents.filter(eidas_person_identifier__startswith=_eidas_issued_here("EE"))
    return with_eidas.exclude(_federation_identity()).first()


# Labels are shown as-is by the development identity provider in both languages.
ROLES = (
    _Role("resident-low", "Working-age resident, DigiD Midden (low)",
          "Inwoner op werkende leeftijd, DigiD Midden (laag)", "low", _working_age_resident),
    _Role("resident-substantial", "Working-age resident, DigiD Substantial",
          "Inwoner op werkende leeftijd, DigiD Substantieel", "substantial", _working_age_resident),
    _Role("resident-high", "Working-age resident, DigiD High",
          "Inwoner op werkende leeftijd, DigiD Hoog", "high", _working_age_resident),
    _Role("parent", "Parent of a newborn and a young child, DigiD Substantial",
          "Ouder van een pasgeborene en een jong kind, DigiD Substantieel", "substantial",
          _parent_of_newborn),
    _Role("single-parent", "Single parent of a child, DigiD Substantial",
          "Alleenstaande ouder van een kind, DigiD Substantieel", "substantial", _single_parent),
    _Role("elderly", "Resident aged 80 or over, DigiD Midden (low)",
          "Inwoner van 80 jaar of ouder, DigiD Midden (laag)", "low", _elderly),
    _Role("student", "Student living on their own, DigiD Substantial",
          "Student, woont op kamers, DigiD Substantieel", "substantial", _student),
    _Role("parent-of-adult", "Parent of the student (an adult child), DigiD Substantial",
          "Ouder van de student (een volwassen kind), DigiD Substantieel", "substantial",
          _parent_of_student),
    _Role("eu-de", "Citizen of Germany, German eID card via eIDAS (high)",
          "Burger van Duitsland, Duitse eID-kaart via eIDAS (hoog)", "high", _eu_citizen("DE")),
    _Role("eu-ee", "Citizen of Estonia, Estonian ID card via eIDAS (high)",
          "Burger van Estland, Estse ID-kaart via eIDAS (hoog)", "high", _eu_citizen("EE")),
    _Role("eu-es", "Citizen of Spain, Cl@ve via eIDAS (substantial)",
          "Burger van Spanje, Cl@ve via eIDAS (substantieel)", "substantial", _eu_citizen("ES")),
    # The demo federation's cross-border people (federation.py), the same persons as the
    # Estonian node's "ee-resident" and "nl-citizen".
    _Role("ee-newcomer",
          "Citizen of Estonia coming to live in the Netherlands, Estonian ID card via eIDAS (high)",
          "Burger van Estland die in Nederland komt wonen, Estse ID-kaart via eIDAS (hoog)",
          "high", _federation_person("EE", resident=False)),
    _Role("nl-emigrant", "Resident moving to Estonia, DigiD High",
          "Inwoner die naar Estland verhuist, DigiD Hoog", "high", _dutch_mover),
)  # fmt: skip

# The Estonian node's roles: Estonian residents log in with their Estonian ID card, whose eIDAS
# PersonIdentifier ("EE/EE/<id>") is their subject there; nobody has a BSN or DigiD.
ESTONIAN_ROLES = (
    _Role("ee-resident",
          "Resident of Estonia moving to the Netherlands, Estonian ID card (high)",
          "Inwoner van Estland die naar Nederland verhuist, Estse ID-kaart (hoog)",
          "high", _federation_person("EE", resident=True)),
    _Role("ee-resident-2", "Resident of Estonia, Estonian ID card (high)",
          "Inwoner van Estland, Estse ID-kaart (hoog)", "high", _estonian_resident),
    _Role("nl-citizen", "Citizen of the Netherlands moving to Estonia, DigiD via eIDAS (high)",
          "Burger van Nederland die naar Estland verhuist, DigiD via eIDAS (hoog)", "high",
          _federation_person("NL", resident=False)),
)  # fmt: skip


def node_roles() -> tuple[_Role, ...]:
    """The persona roles of this node's country (settings.NODE_COUNTRY)."""
    return ESTONIAN_ROLES if settings.NODE_COUNTRY == "EE" else ROLES


def _persona(role: _Role, row: RegisteredPerson) -> DemoPersona:
    identifier = row.eidas_person_identifier
    subject = Subject("eidas", identifier) if identifier else Subject("bsn", row.bsn)
    return DemoPersona(
        key=role.key,
        label_en=role.label_en,
        label_nl=role.label_nl,
        subject=subject,
        max_loa=role.max_loa,
        given_name=row.given_names,
        family_name=" ".join(p for p in (row.name_prefix, row.family_name) if p),
        date_of_birth=row.date_of_birth,
        nationality=row.nationality,
        eidas_person_identifier=identifier,
    )


def demo_personas() -> list[DemoPersona]:
    """The demo personas, in a fixed order; empty while the demo population is not loaded.

    Dutch residents log in with their BSN; everyone else, Estonian residents on the
    Estonian node included, with their eIDAS PersonIdentifier.
    `family_name` includes the prefix ("van der Berg"), as eIDAS CurrentFamilyName does.
    These are generated test persons, listed for the development login page only, so
    listing them is not recorded as processing of personal data."""
    today = timezone.localdate()
    used: set[int] = set()
    personas = []
    for role in node_roles():
        row = role.find(today, used)
        if row is not None:
            used.add(row.pk)
            personas.append(_persona(role, row))
    return personas

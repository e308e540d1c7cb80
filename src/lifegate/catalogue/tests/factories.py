"""Small ORM factories for catalogue rows, and `build_catalogue()`: a bilingual fixture with life
and business events, services in a deliberate order, costs, channels, requirements with
evidence, legal resources and SDG procedures. Other building blocks' tests may use it."""

import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lifegate.catalogue.models import (
    Channel,
    Cost,
    EventService,
    EvidenceType,
    LegalResource,
    LifeEvent,
    ProcessingActivity,
    PublicOrganisation,
    PublicService,
    Requirement,
    SdgProcedure,
)

_oins = itertools.count(1)


def _texts(field: str, nl: str, en: str) -> dict[str, str]:
    return {f"{field}_nl": nl, f"{field}_en": en}


def make_organisation(
    slug: str, name_nl: str = "", name_en: str = "", **fields: Any
) -> PublicOrganisation:
    """A public organisation; names default to the slug."""
    defaults: dict[str, Any] = {
        "oin": f"{next(_oins):020d}",
        "kind": PublicOrganisation.Kind.NATIONAL_AGENCY,
        "name_nl": name_nl or slug,
        "name_en": name_en or name_nl or slug,
        "homepage": f"https://{slug}.example.nl/",
    }
    return PublicOrganisation.objects.create(slug=slug, **(defaults | fields))


def make_channel(owner: PublicOrganisation, kind: str, address: str, **fields: Any) -> Channel:
    """A channel of `owner`, named after its kind."""
    defaults = _texts("name", f"{kind} {owner.name_nl}", f"{kind} {owner.name_en}")
    return Channel.objects.create(
        slug=f"{owner.slug}-{kind}", owner=owner, kind=kind, address=address, **(defaults | fields)
    )


def make_life_event(
    slug: str, name_nl: str, name_en: str, position: int = 0, **fields: Any
) -> LifeEvent:
    """A life event (or, with `kind="business"`, a business event)."""
    defaults = _texts(
        "description", f"Alles over {name_nl.lower()}.", f"All about {name_en.lower()}."
    )
    return LifeEvent.objects.create(
        slug=slug, position=position, name_nl=name_nl, name_en=name_en, **(defaults | fields)
    )


def make_service(
    slug: str, authority: PublicOrganisation, name_nl: str = "", name_en: str = "", **fields: Any
) -> PublicService:
    """A public service of `authority` with plausible texts in both languages."""
    name_nl, name_en = name_nl or slug, name_en or name_nl or slug
    defaults: dict[str, Any] = {
        **_texts("description", f"Zo regelt u: {name_nl}.", f"How to arrange: {name_en}."),
        **_texts("audience", "Inwoners van Nederland.", "Residents of the Netherlands."),
        **_texts("how_to", "Log in en vul het formulier in.", "Log in and fill in the form."),
        **_texts("output", "Een besluit.", "A decision."),
        "online_url": f"https://{authority.slug}.example.nl/{slug}",
        "minimum_assurance_level": "substantial",
    }
    return PublicService.objects.create(
        slug=slug,
        competent_authority=authority,
        name_nl=name_nl,
        name_en=name_en,
        **(defaults | fields),
    )


def add_to_event(event: LifeEvent, service: PublicService, position: int) -> EventService:
    """Place `service` in `event` at `position`."""
    return EventService.objects.create(life_event=event, service=service, position=position)


def make_requirement(
    service: PublicService, slug: str, name_nl: str, name_en: str, *evidence: EvidenceType
) -> Requirement:
    """A requirement of `service`, met by the given evidence types."""
    requirement = Requirement.objects.create(
        slug=slug, service=service, name_nl=name_nl, name_en=name_en
    )
    requirement.evidence_types.add(*evidence)
    return requirement


def make_evidence_type(
    slug: str, name_nl: str, name_en: str, issuer: PublicOrganisation | None = None
) -> EvidenceType:
    """A kind of proof."""
    return EvidenceType.objects.create(slug=slug, name_nl=name_nl, name_en=name_en, issuer=issuer)


def make_cost(service: PublicService, value: str, description_nl: str, description_en: str) -> Cost:
    """A fee for `service` in euros; "0" means free."""
    return Cost.objects.create(
        slug=f"{service.slug}-cost-{Cost.objects.count() + 1}",
        service=service,
        value=Decimal(value),
        description_nl=description_nl,
        description_en=description_en,
    )


def make_legal_resource(slug: str, name_nl: str, name_en: str) -> LegalResource:
    """A law on wetten.overheid.nl."""
    return LegalResource.objects.create(
        slug=slug, uri=f"https://wetten.overheid.nl/{slug}", name_nl=name_nl, name_en=name_en
    )


def make_sdg_procedure(slug: str, name_en: str, *services: PublicService) -> SdgProcedure:
    """An SDG Annex II procedure offered by `services`."""
    procedure = SdgProcedure.objects.create(
        slug=slug,
        **_texts("life_event", "Wonen", "Moving"),
        **_texts("name", f"Procedure {name_en}", name_en),
        **_texts("output", "Bevestiging", "Confirmation"),
    )
    procedure.services.add(*services)
    return procedure


@dataclass
class CatalogueFixture:
    """The rows of `build_catalogue()`, by role."""

    municipality: PublicOrganisation
    svb: PublicOrganisation
    duo: PublicOrganisation
    kvk: PublicOrganisation
    birth: LifeEvent
    moving: LifeEvent
    studying: LifeEvent
    retiring: LifeEvent
    starting_business: LifeEvent
    register_birth: PublicService
    child_benefit: PublicService
    change_address: PublicService
    student_finance: PublicService
    state_pension: PublicService
    passport: PublicService
    register_business: PublicService


def _organisations() -> dict[str, PublicOrganisation]:
    municipality = make_organisation(
        "gemeente-utrecht",
        "Gemeente Utrecht",
        "Municipality of Utrecht",
        kind=PublicOrganisation.Kind.MUNICIPALITY,
    )
    make_channel(municipality, "website", "https://www.utrecht.nl/")
    make_channel(
        municipality, "phone", "14 030", **_texts("hours", "Ma-vr 8.00-17.00", "Mon-Fri 8:00-17:00")
    )
    make_channel(
        municipality,
        "counter",
        "Stadsplateau 1, Utrecht",
        **_texts("hours", "Op afspraak", "By appointment"),
    )
    return {
        "municipality": municipality,
        "svb": make_organisation("svb", "Sociale Verzekeringsbank", "Social Insurance Bank"),
        "duo": make_organisation(
            "duo", "Dienst Uitvoering Onderwijs", "Education Executive Agency"
        ),
        "kvk": make_organisation("kvk", "Kamer van Koophandel", "Chamber of Commerce"),
    }


def _events() -> dict[str, LifeEvent]:
    return {
        "birth": make_life_event("birth", "Geboorte van een kind", "A child is born", 1),
        "moving": make_life_event("moving", "Verhuizen", "Moving house", 2),
        "studying": make_life_event("studying", "Gaan studeren", "Starting to study", 3),
        "retiring": make_life_event("retiring", "Met pensioen gaan", "Retiring", 4),
        "starting_business": make_life_event(
            "starting-business",
            "Een bedrijf starten",
            "Starting a business",
            1,
            kind=LifeEvent.Kind.BUSINESS,
        ),
    }


def _services(org: dict[str, PublicOrganisation]) -> dict[str, PublicService]:
    municipality, svb, duo, kvk = org["municipality"], org["svb"], org["duo"], org["kvk"]
    return {
        "register_birth": make_service(
            "register-birth",
            municipality,
            "Aangifte van geboorte",
            "Registering a birth",
            minimum_assurance_level="low",
            keywords_nl="baby, geboorteaangifte",
            keywords_en="baby, newborn",
            **_texts("deadline", "Binnen 3 dagen na de geboorte", "Within 3 days of the birth"),
        ),
        "child_benefit": make_service(
            "child-benefit",
            svb,
            "Kinderbijslag aanvragen",
            "Applying for child benefit",
            keywords_nl="kinderbijslag, AKW",
            keywords_en="child benefit",
        ),
        "change_address": make_service(
            "change-address",
            municipality,
            "Verhuizing doorgeven",
            "Reporting a change of address",
            keywords_nl="verhuizen, adreswijziging",
            keywords_en="moving, relocation, address",
            processing_time="P5D",
            **_texts("processing_time", "5 werkdagen", "5 working days"),
        ),
        "student_finance": make_service(
            "student-finance",
            duo,
            "Studiefinanciering aanvragen",
            "Applying for student finance",
            keywords_nl="studiefinanciering, lening",
            keywords_en="student finance, loan",
            **_texts(
                "description",
                "Financiële steun voor uw studie.",
                "Financial support for your studies.",
            ),
        ),
        "state_pension": make_service(
            "state-pension",
            svb,
            "AOW aanvragen",
            "Applying for the state pension",
            keywords_nl="aow, pensioen",
            keywords_en="pension, retirement",
        ),
        "passport": make_service(
            "passport",
            municipality,
            "Paspoort aanvragen",
            "Applying for a passport",
            online_url="",
            minimum_assurance_level="low",
        ),
        "register_business": make_service(
            "register-business",
            kvk,
            "Bedrijf inschrijven",
            "Registering a business",
            minimum_assurance_level="high",
            keywords_nl="ondernemer, handelsregister",
            keywords_en="entrepreneur",
        ),
    }


def _details(org: dict[str, PublicOrganisation], svc: dict[str, PublicService]) -> None:
    birth_certificate = make_evidence_type(
        "birth-statement", "Geboorteverklaring", "Birth statement"
    )
    identity_document = make_evidence_type(
        "identity-document", "Identiteitsbewijs", "Identity document", org["municipality"]
    )
    make_requirement(
        svc["register_birth"],
        "parent-or-witness",
        "U bent ouder",
        "You are a parent",
        birth_certificate,
    )
    make_requirement(
        svc["passport"], "passport-photo", "Pasfoto", "Passport photo", identity_document
    )
    make_cost(svc["register_birth"], "0", "Gratis", "Free of charge")
    make_cost(svc["passport"], "84.50", "Paspoort volwassene", "Adult passport")
    make_cost(svc["register_business"], "85.15", "Inschrijfvergoeding", "Registration fee")
    svc["register_birth"].channels.add(*org["municipality"].channels.all())
    svc["passport"].channels.add(*org["municipality"].channels.all())
    bw = make_legal_resource("bw-boek-1", "Burgerlijk Wetboek Boek 1", "Civil Code Book 1")
    svc["register_birth"].legal_resources.add(bw)
    make_sdg_procedure(
        "sdg-change-of-address", "Notifying a change of address", svc["change_address"]
    )
    controller = org["municipality"]
    activity = ProcessingActivity.objects.create(
        slug="birth-registration",
        controller=controller,
        **_texts("name", "Geboorteaangifte", "Birth registration"),
        **_texts("purpose", "Een geboorte inschrijven.", "Registering a birth."),
        **_texts("legal_basis", "Wettelijke plicht", "Legal obligation"),
        data_categories=["name"],
    )
    svc["register_birth"].processing_activity = activity
    svc["register_birth"].save(update_fields=["processing_activity"])


def build_catalogue() -> CatalogueFixture:
    """Create the fixture catalogue. The birth event lists `register-birth` before
    `child-benefit`: position order, not slug order."""
    org, events = _organisations(), _events()
    svc = _services(org)
    _details(org, svc)
    add_to_event(events["birth"], svc["child_benefit"], 2)
    add_to_event(events["birth"], svc["register_birth"], 1)
    add_to_event(events["moving"], svc["change_address"], 1)
    add_to_event(events["studying"], svc["student_finance"], 1)
    add_to_event(events["retiring"], svc["state_pension"], 1)
    add_to_event(events["starting_business"], svc["register_business"], 1)
    rows: dict[str, Any] = {**org, **events, **svc}
    return CatalogueFixture(**rows)

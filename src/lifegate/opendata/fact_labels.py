"""The facts plan rules read (`catalogue.rules.FACT_SCHEMA`), named in Dutch and English for
the readable form of the rules. Like the catalogue's code-list labels these are data in the
export, in both languages at once, so they live here instead of in the gettext catalogues.
A test holds this list to the fact schema: a new fact needs a name before it can be exported.

"The other person concerned" is the person a journey is about besides the person themselves:
the newborn child in "a child is born", the deceased in "death of a relative"."""

Labels = dict[str, str]

# Facts compared with a value, by their name as a noun phrase.
FACT_NAMES: dict[str, Labels] = {
    "today": {"nl": "vandaag", "en": "today"},
    "person.bsn": {"nl": "uw burgerservicenummer", "en": "your citizen service number"},
    "person.full_name": {"nl": "uw volledige naam", "en": "your full name"},
    "person.given_names": {"nl": "uw voornamen", "en": "your given names"},
    "person.family_name": {"nl": "uw achternaam", "en": "your family name"},
    "person.date_of_birth": {"nl": "uw geboortedatum", "en": "your date of birth"},
    "person.age": {"nl": "uw leeftijd", "en": "your age"},
    "person.nationality": {"nl": "uw nationaliteit", "en": "your nationality"},
    "person.state_pension_date": {"nl": "uw AOW-datum", "en": "your state pension date"},
    "person.address.street_line": {
        "nl": "uw straat en huisnummer",
        "en": "your street and house number",
    },
    "person.address.postcode": {"nl": "uw postcode", "en": "your postcode"},
    "person.address.city": {"nl": "uw woonplaats", "en": "your place of residence"},
    "person.address.municipality": {"nl": "uw gemeente", "en": "your municipality"},
    "partner.full_name": {
        "nl": "de volledige naam van uw partner",
        "en": "your partner's full name",
    },
    "partner.age": {"nl": "de leeftijd van uw partner", "en": "your partner's age"},
    "minor_children": {
        "nl": "het aantal kinderen onder 18 jaar",
        "en": "the number of your children under 18",
    },
    "related.bsn": {
        "nl": "het burgerservicenummer van de andere betrokkene",
        "en": "the citizen service number of the other person concerned",
    },
    "related.full_name": {
        "nl": "de volledige naam van de andere betrokkene",
        "en": "the full name of the other person concerned",
    },
    "related.date_of_birth": {
        "nl": "de geboortedatum van de andere betrokkene",
        "en": "the date of birth of the other person concerned",
    },
    "related.date_of_death": {
        "nl": "de overlijdensdatum van de andere betrokkene",
        "en": "the date of death of the other person concerned",
    },
    "related.age": {
        "nl": "de leeftijd van de andere betrokkene",
        "en": "the age of the other person concerned",
    },
    "related.relation": {
        "nl": "uw relatie tot de andere betrokkene",
        "en": "your relation to the other person concerned",
    },
    "journey.started_on": {"nl": "de startdatum van het plan", "en": "the day the plan started"},
}

# Yes/no facts, by what it means when they hold and when they do not.
YES_NO_FACTS: dict[str, tuple[Labels, Labels]] = {
    "person.is_dutch": (
        {"nl": "u hebt de Nederlandse nationaliteit", "en": "you have Dutch nationality"},
        {
            "nl": "u hebt niet de Nederlandse nationaliteit",
            "en": "you do not have Dutch nationality",
        },
    ),
    "person.is_eu_citizen": (
        {"nl": "u bent burger van de EU", "en": "you are an EU citizen"},
        {"nl": "u bent geen burger van de EU", "en": "you are not an EU citizen"},
    ),
    "person.is_resident": (
        {"nl": "u woont in Nederland", "en": "you live in the Netherlands"},
        {"nl": "u woont niet in Nederland", "en": "you do not live in the Netherlands"},
    ),
    "person.has_partner": (
        {"nl": "u hebt een partner", "en": "you have a partner"},
        {"nl": "u hebt geen partner", "en": "you have no partner"},
    ),
    "partner.exists": (
        {"nl": "er is een partner bekend", "en": "a partner is known"},
        {"nl": "er is geen partner bekend", "en": "no partner is known"},
    ),
    "related.exists": (
        {"nl": "de andere betrokkene is bekend", "en": "the other person concerned is known"},
        {
            "nl": "de andere betrokkene is niet bekend",
            "en": "the other person concerned is not known",
        },
    ),
    "journey.started_by_registry": (
        {
            "nl": "het plan is gestart na een melding uit een registratie",
            "en": "the plan was started after a registry event",
        },
        {
            "nl": "het plan is niet gestart na een melding uit een registratie",
            "en": "the plan was not started after a registry event",
        },
    ),
}


def fact_glossary() -> dict[str, Labels]:
    """Every fact a rule may read, with what it means: names, and for yes/no facts what it
    means when they hold."""
    glossary = dict(FACT_NAMES)
    glossary.update({path: meanings[0] for path, meanings in YES_NO_FACTS.items()})
    return dict(sorted(glossary.items()))

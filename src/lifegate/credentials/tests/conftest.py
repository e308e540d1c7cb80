"""Fixtures for issuing tests: the issuer's base URL and key folder, the catalogue's credential
types (as the demo catalogue file defines them), a registered person, and the demo
population with its diplomas."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from lifegate.catalogue.columns import claim_columns
from lifegate.catalogue.loader import read_catalogue_file
from lifegate.catalogue.models import CredentialType, PublicOrganisation
from lifegate.catalogue.tests.factories import make_organisation
from lifegate.core.subject import Subject
from lifegate.registries.demo_education import load_demo_diplomas
from lifegate.registries.demo_loader import load_demo_population
from lifegate.registries.demo_sources import test_range_bsns
from lifegate.registries.models import RegisteredAddress, RegisteredPerson
from lifegate.registries.personas import DemoPersona, demo_personas
from lifegate.transparency.services import Actor

BASE_URL = "https://nl.lifegate.example"
SEED = 20261122
DIPLOMA_CLAIMS: dict[str, Any] = {
    "given_names": "Sanne Maria",
    "family_name": "de Vries",
    "date_of_birth": "1998-04-12",
    "title": "Bachelor of Science HBO-ICT",
    "level_eqf": 6,
    "level_isced": "655",
    "awarding_body": "Hogeschool Domstad",
    "awarded_on": "2021-07-09",
    "grade": "met genoegen",
    "learning_outcomes": "Analyseert, ontwerpt en realiseert informatiesystemen.",
}
RESIDENCE_CLAIMS: dict[str, Any] = {
    "given_names": "Sanne Maria",
    "family_name": "de Vries",
    "street_address": "Kerkstraat 12A",
    "postal_code": "3511 AB",
    "locality": "Utrecht",
    "municipality": "Utrecht",
    "registered_since": "2022-03-01",
}


@pytest.fixture
def issuer_settings(settings: Any, tmp_path: Any) -> None:
    """A base URL of our own and a fresh key folder (use it in every issuing test)."""
    settings.BASE_URL = BASE_URL
    settings.LIFEGATE_KEY_DIR = tmp_path / "keys"


@pytest.fixture
def credential_types(db: None) -> dict[str, CredentialType]:
    """The credential types of the demo catalogue file, with their issuing organisations."""
    data = read_catalogue_file(settings.CATALOGUE_DATA_FILE)
    organisations: dict[str, PublicOrganisation] = {}
    types = {}
    for row in data["credential_types"]:
        issuer = row["issuer"]
        if issuer not in organisations:
            organisations[issuer] = make_organisation(issuer)
        types[row["slug"]] = CredentialType.objects.create(
            slug=row["slug"],
            name_nl=row["name"]["nl"],
            name_en=row["name"]["en"],
            description_nl=row.get("description", {}).get("nl", ""),
            description_en=row.get("description", {}).get("en", ""),
            issuer=organisations[issuer],
            validity_days=row.get("validity_days"),
            claims=[claim_columns(claim) for claim in row["claims"]],
        )
    return types


@pytest.fixture
def person(db: None) -> Subject:
    """A registered resident (with an address), by BSN."""
    address = RegisteredAddress.objects.create(
        street="Kerkstraat",
        house_number=12,
        house_number_addition="A",
        postcode="3511 AB",
        city="Utrecht",
        municipality="Utrecht",
    )
    bsn = test_range_bsns()[0]
    RegisteredPerson.objects.create(
        bsn=bsn,
        given_names="Sanne Maria",
        name_prefix="de",
        family_name="Vries",
        gender="female",
        date_of_birth=date(1998, 4, 12),
        place_of_birth="Amersfoort",
        country_of_birth="NL",
        nationality="NL",
        address=address,
        address_since=date(2022, 3, 1),
    )
    return Subject("bsn", bsn)


@pytest.fixture
def personas(db: None) -> dict[str, DemoPersona]:
    """The demo population (test size) with its demo diplomas; the personas by key."""
    load_demo_population(seed=SEED)
    load_demo_diplomas(seed=SEED)
    return {persona.key: persona for persona in demo_personas()}


@pytest.fixture
def duo() -> Actor:
    """The education agency, issuing diplomas."""
    return Actor(kind="agency", organisation="duo")


@pytest.fixture
def provider_ca(settings: Any, tmp_path: Path) -> Iterator[Any]:
    """A wallet provider's CA (a `pki.Authority`), the issuer's only wallet provider trust
    anchor."""
    from lifegate.credentials import issuer_anchors
    from lifegate.credentials.tests.wallet_provider import trust_new_provider_ca  # uses BASE_URL

    yield trust_new_provider_ca(settings, tmp_path)
    issuer_anchors.forget()


@pytest.fixture
def attester(provider_ca: Any) -> Any:
    """A wallet provider under `provider_ca`, naming PROVIDER, and one wallet instance of it
    (a `wallet_provider.Attester`)."""
    from lifegate.credentials.tests.wallet_provider import Attester

    return Attester(provider_ca)

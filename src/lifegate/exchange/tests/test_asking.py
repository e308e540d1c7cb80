"""Asking for evidence in a journey step: only for a requirement of the step's own service, and
the same however often the person asked before."""

import pytest

from lifegate.catalogue.models import EvidenceMapping
from lifegate.catalogue.tests.factories import make_requirement, make_service
from lifegate.exchange import services
from lifegate.exchange.models import EvidencePreview, EvidenceRequest
from lifegate.exchange.options import NoExchangeOption
from lifegate.exchange.tests.local_fixtures import ExchangeFixture

RETURN = "http://127.0.0.1:8000/journeys/back/"


def _ask(exchange: ExchangeFixture, requirement: str) -> EvidenceRequest:
    return services.request_evidence(
        exchange.journey, exchange.step, requirement, actor=exchange.actor, return_url=RETURN
    )


def test_asking_for_a_requirement_of_another_service_is_refused_and_stores_nothing(
    exchange: ExchangeFixture,
) -> None:
    service = exchange.step.service
    assert service is not None
    other_service = make_service("other-test", service.competent_authority, "Ander", "Other")
    birth_type = exchange.birth.evidence_types.get()
    elsewhere = make_requirement(other_service, "other-test-birth", "Geboorte", "Birth", birth_type)
    EvidenceMapping.objects.create(requirement=elsewhere, country="NL", evidence_type=birth_type)

    with pytest.raises(NoExchangeOption):
        _ask(exchange, elsewhere.slug)

    assert not EvidenceRequest.objects.exists()
    assert not EvidencePreview.objects.exists()


def test_asking_for_an_unknown_requirement_is_refused(exchange: ExchangeFixture) -> None:
    with pytest.raises(NoExchangeOption):
        _ask(exchange, "no-such-requirement")


def test_asking_again_opens_a_new_preview_with_the_same_provider(
    exchange: ExchangeFixture,
) -> None:
    first = _ask(exchange, exchange.birth.slug)
    _ask(exchange, exchange.residence.slug)

    again = _ask(exchange, exchange.birth.slug)

    assert again.pk != first.pk
    assert again.status == EvidenceRequest.Status.AWAITING_CONSENT
    assert again.evidence_type_slug == "birth-certificate"
    assert again.provider_name_en == "Personal Records Database"
    assert EvidencePreview.objects.filter(request_id=str(again.pk)).exists()

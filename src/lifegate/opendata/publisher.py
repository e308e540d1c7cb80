"""Who publishes lifegate's open data: the organisation operating this lifegate node.

The platform already names its operator by OIN in the `source` of every CloudEvent it sends
(`LIFEGATE_CLOUDEVENTS_SOURCE`, `urn:nld:oin:<OIN>:systeem:lifegate`); the publisher is the
catalogue organisation with that OIN, so the open data and the events name the same operator."""

import re

from django.conf import settings

from lifegate.catalogue.models import Channel, PublicOrganisation

_OIN = re.compile(r"urn:nld:oin:(\d{20})(?::|$)")


def operator_oin() -> str:
    """The OIN in the configured CloudEvents source, or "" when it names none."""
    match = _OIN.match(settings.JOURNEYS_CLOUDEVENTS_SOURCE)
    return match.group(1) if match else ""


def platform_operator() -> PublicOrganisation | None:
    """The catalogue organisation operating this node, or None when the catalogue lacks it."""
    oin = operator_oin()
    if not oin:
        return None
    return PublicOrganisation.objects.filter(oin=oin).first()


def contact_email(organisation: PublicOrganisation) -> str:
    """The address of the organisation's first e-mail channel, or ""."""
    channel = organisation.channels.filter(kind=Channel.Kind.EMAIL).exclude(address="").first()
    return channel.address.strip() if channel else ""

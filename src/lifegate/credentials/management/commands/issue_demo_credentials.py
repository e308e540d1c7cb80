"""`manage.py issue_demo_credentials`: fill the education register with demo diplomas (once)
and issue the demo personas' diplomas as credentials to their portal wallets, then seal a
checkpoint of the transparency log. Safe to run again: what was issued is given back."""

from typing import Any

from django.core.management.base import BaseCommand, no_translations

from lifegate.catalogue.models import CredentialType
from lifegate.credentials import log
from lifegate.credentials.from_registers import issue_from_register_once
from lifegate.credentials.issuing import IssuingRefused
from lifegate.registries.demo_education import load_demo_diplomas
from lifegate.registries.personas import demo_personas
from lifegate.transparency.services import Actor

DEMO_TYPE = "diploma"


class Command(BaseCommand):
    help = "Create demo diplomas and issue the demo personas' diplomas as credentials."

    @no_translations  # operator output is English, like the rest of the logs
    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{load_demo_diplomas()} new demo diplomas in the education register")
        kind = CredentialType.objects.select_related("issuer").filter(slug=DEMO_TYPE).first()
        if kind is None:
            self.stdout.write("no diploma credential type in the catalogue: nothing issued")
            return
        # The demo load issues as the issuing agency's own system.
        actor = Actor(kind="system", organisation=kind.issuer.slug)
        created = existing = 0
        for persona in demo_personas():
            try:
                issued = issue_from_register_once(DEMO_TYPE, persona.subject, actor=actor)
            except IssuingRefused:
                continue  # no diplomas (or not in the register): nothing to issue
            created += sum(1 for each in issued if each.created)
            existing += sum(1 for each in issued if not each.created)
        checkpoint = log.checkpoint()
        self.stdout.write(
            f"{created} demo diploma credentials issued ({existing} issued before); "
            f"transparency log sealed at size {checkpoint.size}"
        )

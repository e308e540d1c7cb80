"""Register an agency's system as an API client and print its credential, once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from lifegate.catalogue.models import PublicOrganisation
from lifegate.journeys import agency
from lifegate.journeys.models import AgencyClient


class Command(BaseCommand):
    help = (
        "Create an agency API client for an organisation and print its bearer credential "
        "(and webhook signing secret). They are shown only now: store them at the agency."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", help="slug of the public organisation")
        parser.add_argument("name", help="the client's name, e.g. the agency system's name")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            choices=AgencyClient.Scope.values,
            help="may be repeated; default: submissions",
        )
        parser.add_argument("--webhook-url", default="", help="where to push new submissions")

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        organisation = PublicOrganisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"no organisation with slug {options['organisation']!r}")
        scopes = options["scopes"] or [AgencyClient.Scope.SUBMISSIONS]
        client, secret = agency.create_client(
            organisation, options["name"], scopes, webhook_url=options["webhook_url"]
        )
        self.stdout.write(f"client id:  {client.client_id}")
        self.stdout.write(f"scopes:     {', '.join(client.scopes)}")
        self.stdout.write(
            f"credential: Authorization: Bearer {agency.bearer_token(client, secret)}"
        )
        if client.webhook_url:
            self.stdout.write(f"webhook:    {client.webhook_url}")
            self.stdout.write(f"webhook signing secret: {agency.webhook_secret(client)}")
        self.stdout.write("These secrets are not shown again.")

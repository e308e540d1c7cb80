"""`manage.py export_cpsv_ap --format ttl|jsonld`: print the catalogue as CPSV-AP 3.2."""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from lifegate.catalogue.rdf import export_jsonld, export_turtle

EXPORTERS = {"ttl": export_turtle, "jsonld": export_jsonld}


class Command(BaseCommand):
    help = "Write the whole catalogue as CPSV-AP 3.2 linked data (Turtle or JSON-LD) to stdout."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--format", choices=sorted(EXPORTERS), default="ttl")
        parser.add_argument(
            "--base-url",
            default="",
            help="Base of the resource URIs (default: the LIFEGATE_BASE_URL setting).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base_url = options["base_url"] or settings.BASE_URL
        self.stdout.write(EXPORTERS[options["format"]](base_url), ending="")

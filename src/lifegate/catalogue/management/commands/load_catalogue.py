"""`manage.py load_catalogue [--file PATH]`: load the catalogue data file into the database."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lifegate.catalogue.loader import CatalogueError, load_catalogue


class Command(BaseCommand):
    help = (
        "Load the catalogue data file (default: settings.CATALOGUE_DATA_FILE); "
        "nothing is written if it has problems."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", default=None, help="Path of the catalogue YAML file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"] or settings.CATALOGUE_DATA_FILE
        try:
            report = load_catalogue(path)
        except CatalogueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(report.summary())
        if not report.changed:
            self.stdout.write("Nothing changed.")

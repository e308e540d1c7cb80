"""`manage.py export_catalogue [--file PATH]`: write the catalogue in the database as YAML."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lifegate.catalogue.loader import dump_catalogue


class Command(BaseCommand):
    help = (
        "Write the catalogue in the database in the data-file layout, to --file or standard output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file", default=None, help="Write to this path instead of standard output"
        )
        parser.add_argument(
            "--catalogue-version",
            type=int,
            default=None,
            help="Version number to write (default: the version of settings.CATALOGUE_DATA_FILE)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        text = dump_catalogue(options["file"], version=options["catalogue_version"])
        if options["file"] is None:
            self.stdout.write(text, ending="")
        else:
            self.stdout.write(f"Catalogue written to {options['file']}")

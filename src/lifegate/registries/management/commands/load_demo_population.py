"""`manage.py load_demo_population`: fill the embedded population register with demo persons."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser, no_translations
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lifegate.registries.demo_loader import load_demo_population


class Command(BaseCommand):
    help = "Create the generated demo population, unless the register already holds persons."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, help="default: LIFEGATE_DEMO_SEED")
        parser.add_argument("--size", type=int, help="default: LIFEGATE_DEMO_POPULATION")

    @no_translations  # operator output is English, like the rest of the logs
    def handle(self, *args: Any, **options: Any) -> None:
        created = load_demo_population(seed=options["seed"], size=options["size"])
        if created:
            message = ngettext(
                "Created %(count)d demo person.", "Created %(count)d demo persons.", created
            )
            self.stdout.write(message % {"count": created})
        else:
            self.stdout.write(_("The demo population is already loaded."))

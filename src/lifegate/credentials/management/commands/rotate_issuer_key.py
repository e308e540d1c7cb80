"""`manage.py rotate_issuer_key`: make a new current issuer key for credentials and status
lists. The retired key stays published (issuer metadata) while anything it signed can still be
valid, so credentials issued before keep verifying."""

from typing import Any

from django.core.management.base import BaseCommand, no_translations

from lifegate.credentials.keys import rotate


class Command(BaseCommand):
    help = "Rotate the credentials issuer key; prints the new key's kid."

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(rotate().kid)

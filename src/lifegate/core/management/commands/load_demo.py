"""Loads everything the demo needs; safe to run again (nothing is duplicated)."""

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, no_translations

from lifegate.catalogue.loader import catalogue_is_loaded
from lifegate.inbox.demo import load_demo_messages
from lifegate.journeys.agency import demo_file, ensure_demo_clients


class Command(BaseCommand):
    help = (
        "Load the demo catalogue, population and diplomas, issue the personas' diploma "
        "credentials and create the admin account (idempotent)."
    )

    @no_translations  # operator output is English, like the rest of the logs
    def handle(self, *args: Any, **options: Any) -> None:
        # Loading replaces the catalogue with the file; once it is there, editors' changes in the
        # admin win, so a second `make demo` leaves it alone (`manage.py load_catalogue` reloads).
        if catalogue_is_loaded():
            self.stdout.write("catalogue already loaded (run load_catalogue to reload the file)")
        else:
            call_command("load_catalogue", stdout=self.stdout)
        call_command("load_demo_population", stdout=self.stdout)
        self._ensure_admin()
        self.stdout.write(
            f"{load_demo_messages()} new demo messages in the personas' message boxes"
        )
        credentials = ensure_demo_clients()
        self.stdout.write(
            f"{len(credentials)} agency API clients and back-office accounts "
            f"(credentials in {demo_file()})"
        )
        # Demo diplomas in the education register, and the personas' diplomas as credentials.
        call_command("issue_demo_credentials", stdout=self.stdout)

    def _ensure_admin(self) -> None:
        # The password is random per installation and kept beside the database, never in the repo.
        password_file = settings.VAR_DIR / "admin-password.txt"
        user_model = get_user_model()
        if user_model.objects.filter(username="admin").exists():
            self.stdout.write(f"admin account exists (password in {password_file})")
            return
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser("admin", "admin@lifegate.invalid", password)
        password_file.write_text(password + "\n")
        password_file.chmod(0o600)
        self.stdout.write(f"admin account created; password: {password} (also in {password_file})")

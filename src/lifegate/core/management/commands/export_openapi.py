"""Prints the generated OpenAPI document (committed as docs/openapi.json, checked for drift)."""

import json
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print the OpenAPI 3.1 document of the lifegate API."

    def handle(self, *args: Any, **options: Any) -> None:
        from lifegate.api import api

        schema = api.get_openapi_schema()
        self.stdout.write(json.dumps(schema, indent=2, ensure_ascii=False))

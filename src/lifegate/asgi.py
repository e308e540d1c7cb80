"""ASGI entry point (uvicorn lifegate.asgi:application)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifegate.settings")
application = get_asgi_application()

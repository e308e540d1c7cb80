"""Any change to catalogue rows starts a new catalogue revision (see caching.py)."""

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from lifegate.catalogue.caching import start_new_revision


def _catalogue_changed(sender: Any, **kwargs: Any) -> None:
    start_new_revision()


def _relation_changed(sender: Any, **kwargs: Any) -> None:
    # m2m_changed is sent by the through model; only the catalogue's own count.
    if sender._meta.app_label == "catalogue":
        start_new_revision()


def connect() -> None:
    """Listen to every model of the catalogue app, including its many-to-many tables."""
    from django.apps import apps

    for model in apps.get_app_config("catalogue").get_models():
        post_save.connect(_catalogue_changed, sender=model, dispatch_uid=f"catalogue-rev-{model}")
        post_delete.connect(
            _catalogue_changed, sender=model, dispatch_uid=f"catalogue-rev-d-{model}"
        )
    m2m_changed.connect(_relation_changed, dispatch_uid="catalogue-revision-m2m")

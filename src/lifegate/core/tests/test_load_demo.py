"""`make demo` can run again and again: nothing is duplicated and editors' changes survive."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from lifegate.catalogue.models import PublicService
from lifegate.core.env import local_secret


@pytest.mark.django_db
def test_loading_the_demo_twice_changes_nothing_and_keeps_admin_edits(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("load_demo", stdout=StringIO())
    counts = (PublicService.objects.count(), get_user_model().objects.count())
    service = PublicService.objects.order_by("slug").first()
    assert service is not None
    service.name_en = "Edited by a catalogue editor"
    service.save()

    call_command("load_demo", stdout=StringIO())

    assert (PublicService.objects.count(), get_user_model().objects.count()) == counts
    service.refresh_from_db()
    assert service.name_en == "Edited by a catalogue editor"
    assert (tmp_path / "admin-password.txt").stat().st_mode & 0o077 == 0


def test_a_local_secret_is_made_once_and_kept_private(tmp_path):
    path = tmp_path / "secret-key"
    first = local_secret(path)
    assert len(first) >= 48
    assert local_secret(path) == first
    assert path.stat().st_mode & 0o077 == 0


def test_an_empty_secret_file_is_refused_not_used(tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    path = tmp_path / "subject-key"
    path.write_text("")
    with pytest.raises(ImproperlyConfigured, match="no usable secret"):
        local_secret(path)

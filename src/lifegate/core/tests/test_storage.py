"""Saving a new file: complete or not at all, and a full disk told apart from other failures."""

import errno
from pathlib import Path
from typing import IO, Any

import pytest
from django.core.files.base import ContentFile

from lifegate.core.storage import StorageFull, save_new_file
from lifegate.core.tests.full_disk import NearlyFullDisk, files_in


def test_a_file_that_fits_is_saved_whole(tmp_path: Path) -> None:
    disk = NearlyFullDisk(str(tmp_path), room=10)
    name = save_new_file(disk, "a/new.pdf", ContentFile(b"0123456789"))
    assert (tmp_path / name).read_bytes() == b"0123456789"


def test_a_file_that_does_not_fit_leaves_nothing_and_says_the_storage_is_full(
    tmp_path: Path,
) -> None:
    disk = NearlyFullDisk(str(tmp_path), room=4)
    with pytest.raises(StorageFull):
        save_new_file(disk, "a/new.pdf", ContentFile(b"0123456789"))
    assert files_in(tmp_path) == []


class BrokenDisk(NearlyFullDisk):
    """Fails half-way with an error that is not about space."""

    def save(self, name: str | None, content: IO[Any], max_length: int | None = None) -> str:
        assert name is not None
        Path(self.path(name)).parent.mkdir(parents=True, exist_ok=True)
        Path(self.path(name)).write_bytes(content.read()[:3])
        raise OSError(errno.EIO, "input/output error")


def test_another_failure_is_raised_as_it_was_and_its_partial_file_removed(
    tmp_path: Path,
) -> None:
    with pytest.raises(OSError) as raised:
        save_new_file(BrokenDisk(str(tmp_path)), "a/new.pdf", ContentFile(b"0123456789"))
    assert not isinstance(raised.value, StorageFull) and raised.value.errno == errno.EIO
    assert files_in(tmp_path) == []

"""A storage on a disk that is nearly full, for the tests of what happens when a file does not
fit: used through STORAGES (`use_nearly_full_disk`) by the message box and evidence tests."""

import errno
import os
from pathlib import Path
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages


class NearlyFullDisk(FileSystemStorage):
    """A directory on a disk with `room` bytes left: a file that does not fit is written as
    far as it goes and then fails with ENOSPC, as the operating system does."""

    def __init__(self, location: str, room: int = 0, **options: Any) -> None:
        super().__init__(location=location, **options)
        self.room = room

    def save(self, name: str | None, content: IO[Any], max_length: int | None = None) -> str:
        assert name is not None
        data = content.read()
        if len(data) <= self.room:
            self.room -= len(data)
            return super().save(name, ContentFile(data), max_length)
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data[: self.room])
        self.room = 0
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def use_nearly_full_disk(settings: Any, location: Path, room: int = 0) -> NearlyFullDisk:
    """Make the `attachments` storage a NearlyFullDisk at `location` (for one test, through
    pytest-django's `settings`); returns it, to give it more room later."""
    backend = f"{__name__}.{NearlyFullDisk.__name__}"
    options = {"location": str(location), "room": room, "base_url": "/no-public-url/"}
    settings.STORAGES = settings.STORAGES | {
        "attachments": {"BACKEND": backend, "OPTIONS": options}
    }
    storage = storages["attachments"]
    assert isinstance(storage, NearlyFullDisk)
    return storage


def files_in(directory: Path) -> list[Path]:
    """Every file under `directory`."""
    return sorted(path for path in directory.rglob("*") if path.is_file())

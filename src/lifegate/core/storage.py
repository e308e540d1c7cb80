"""Writing a new file to a storage (Django's storage API): complete or not at all.

A disk that fills up (or a quota that runs out) while a file is written leaves the part that
fitted under the file's name. Callers give every new file a fresh random name, so whatever is
there after a failed write is that attempt's partial file, and it is removed at once instead of
waiting for an orphan sweep."""

import contextlib
import errno
from typing import IO, Any

from django.core.files.storage import Storage

# "No space left on device" and "Disk quota exceeded": nothing more fits, for now.
_FULL = (errno.ENOSPC, errno.EDQUOT)


class StorageFull(Exception):
    """Writing a file failed for lack of space; nothing of the file was kept."""


def save_new_file(storage: Storage, name: str, content: IO[Any]) -> str:
    """Save `content` under `name` (a fresh, random name) and return the name the storage
    gave it. A failed write removes what it wrote; lack of space raises StorageFull, any
    other failure is raised as it was."""
    try:
        return storage.save(name, content)
    except OSError as error:
        with contextlib.suppress(OSError):  # the write's own failure is the one to report
            storage.delete(name)
        if error.errno in _FULL:
            raise StorageFull from error
        raise

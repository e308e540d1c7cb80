"""Files without a row: a process killed between writing a file and committing the row that
names it leaves a file nobody can reach. `remove_orphan_files` finds and deletes them under
one folder of a storage, once they are old enough that no transaction can still be
committing their row."""

from collections.abc import Callable, Iterator
from datetime import datetime

from django.core.files.storage import Storage

CHUNK = 1000


def _stored_files(storage: Storage, folder: str) -> Iterator[str]:
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _stored_files(storage, f"{folder}/{sub}")


def remove_orphan_files(
    storage: Storage, folder: str, known: Callable[[list[str]], set[str]], older_than: datetime
) -> int:
    """Delete the files under `folder` that `known` (given a chunk of names, the ones a row
    refers to) does not know and that were last changed before `older_than`; returns how
    many."""
    if not storage.exists(folder):
        return 0
    removed = 0
    names = list(_stored_files(storage, folder))
    for start in range(0, len(names), CHUNK):
        chunk = names[start : start + CHUNK]
        referred = known(chunk)
        for name in chunk:
            if name not in referred and storage.get_modified_time(name) < older_than:
                storage.delete(name)
                removed += 1
    return removed

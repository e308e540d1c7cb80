"""Writing secret files safely: private from the first byte, complete or absent, never
overwriting what another process wrote first. Used for signing keys and local secrets."""

import os
import tempfile
from pathlib import Path


def create_private_file(path: Path, text: str) -> bool:
    """Write `text` to `path` (mode 0600) unless the file exists; False when another process
    got there first (its content then stands).

    The text goes to a temporary file that is flushed to disk and then given its name with a
    hard link, which, unlike a rename, fails if the name is taken."""
    temporary = _written_beside(path, text)
    try:
        return _publish(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _publish(temporary: Path, path: Path) -> bool:
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    except OSError:
        # A filesystem without hard links: an atomic rename, unless someone was first.
        if path.exists():
            return False
        temporary.replace(path)
    return True


def replace_file(path: Path, text: str) -> None:
    """Write `text` to `path` (mode 0600), replacing what is there in one step: readers see
    the old content or the new, never a part."""
    temporary = _written_beside(path, text)
    try:
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    # The rename itself is durable once the directory is on disk.
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _written_beside(path: Path, text: str) -> Path:
    """A new private file next to `path` holding `text`, flushed to disk."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".new"
    )
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)

"""What the runner keeps on disk (var/: the store, logs, artifacts) is for its own user only.

Folders it creates are 0700 and files it writes 0600, whatever the umask: they hold CPR
numbers, letters and page contents. The mode is set by `chmod` after creating, as the
umask only ever takes bits away from the mode asked for. Folders that already exist are
left as they are: their parents (a home, /tmp) are not ours to change, and an operator
may have given a folder to a group on purpose.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "PRIVATE_DIR",
    "PRIVATE_FILE",
    "make_private_dir",
    "make_private_file",
    "open_private_append",
    "write_private",
]

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
_SQLITE_HEADER = b"SQLite format 3\x00"


def make_private_dir(path: Path) -> Path:
    """Create `path` and its missing parents, each 0700; return `path`."""
    missing: list[Path] = []
    folder = path
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it first
            folder.mkdir(mode=PRIVATE_DIR)
            os.chmod(folder, PRIVATE_DIR)
    if not path.is_dir():
        raise NotADirectoryError(f"not a folder: {path}")
    return path


def write_private(path: Path, data: bytes) -> Path:
    """Write `data` to `path` (0600; missing folders 0700), replacing what was there."""
    make_private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(descriptor, "wb") as file:
        os.fchmod(file.fileno(), PRIVATE_FILE)
        file.write(data)
    return path


def make_private_file(path: Path) -> Path:
    """Create `path` empty if missing (missing folders 0700) and make it 0600.

    For files another library opens, e.g. SQLite's database: created first, it gets
    our mode, and SQLite gives its -wal and -shm files the database's mode.
    """
    make_private_dir(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        if path.is_dir():  # e.g. `sqlite:////` names "/": never chmod a folder to 0600
            raise IsADirectoryError(f"a folder, not a file: {path}") from None
        if _is_ours(path):
            _tighten(path)
        return path
    try:
        os.fchmod(descriptor, PRIVATE_FILE)
    finally:
        os.close(descriptor)
    return path


def open_private_append(path: Path) -> BinaryIO:
    """Open `path` for unbuffered appending (0600; missing folders 0700)."""
    make_private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
    _tighten(path)
    return os.fdopen(descriptor, "ab", buffering=0)


def _is_ours(path: Path) -> bool:
    """An existing file we may tighten: empty, or an SQLite database (a store an earlier
    version left 0644). Anything else a mistyped URL names (/etc/passwd) keeps its mode."""
    with contextlib.suppress(OSError):
        if not path.is_file():
            return False
        with path.open("rb") as file:
            head = file.read(len(_SQLITE_HEADER))
        return head in (b"", _SQLITE_HEADER)
    return False


def _tighten(path: Path) -> None:
    # A file an earlier version left 0644 is made 0600; one owned by another user is left.
    with contextlib.suppress(PermissionError):
        os.chmod(path, PRIVATE_FILE)

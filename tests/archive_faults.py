"""Faults of the archive's storage, for tests and bench/reliability.py: a file or
directory that cannot be written, a damaged page, a write lock held by another process.

The site's faults live in tests/sitesim/faults/; these are the disk's.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
import subprocess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


class CannotMakeReadOnly(RuntimeError):
    """Running as root without ``chattr``: permission bits alone do not stop root."""


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[Path]:
    """``path`` (a file or directory) cannot be written while the block runs.

    Permission bits stop everyone but root; as root the file is made immutable with
    ``chattr +i`` as well (raises :class:`CannotMakeReadOnly` where that is impossible).
    """
    mode = path.stat().st_mode
    path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    immutable = os.geteuid() == 0
    try:
        if immutable:
            chattr = shutil.which("chattr")
            done = chattr and subprocess.run([chattr, "+i", str(path)], check=False).returncode
            if done != 0:
                immutable = False
                raise CannotMakeReadOnly(f"cannot make {path} read-only for root")
        yield path
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(mode)


def damage(path: Path, table: str = "articles") -> None:
    """Overwrite the root page of ``table`` in a closed archive with noise, as a failing
    disk might: SQLite's integrity check then reports it, reading the table fails."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        (root,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchone()
    finally:
        connection.close()
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size + 8)
        file.write(bytes((index * 73 + 11) % 256 for index in range(256)))

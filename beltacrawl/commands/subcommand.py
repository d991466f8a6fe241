"""What a ``scrapy archive`` subcommand is, and the helpers subcommands share.

A subcommand is a :class:`Subcommand` value: a name, a one-line help, a function that adds
its arguments to its own ``argparse`` parser, and a function that runs it. Register it in
``SUBCOMMANDS`` of ``commands/archive.py``; the command gives every subcommand ``--archive``
and Scrapy's ``-s``/``-L``, resolves the archive's path, and turns :class:`CommandFailed`
(exit 1), :class:`BadUsage` (exit 2) and a missing archive into one line on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO

from beltacrawl.archive import Archive

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from scrapy.settings import Settings


class CommandFailed(Exception):
    """A clean failure: one line on stderr, exit code 1, no traceback."""

    exit_code = 1


class BadUsage(CommandFailed):
    """An argument the command cannot work with, found after parsing: one line, exit 2."""

    exit_code = 2


@dataclass(frozen=True)
class ArchiveContext:
    """What a subcommand gets besides its arguments."""

    #: The archive file: ``--archive`` or the ``BELTA_ARCHIVE`` setting (may not exist).
    path: Path
    settings: Settings

    def open(self, *, readonly: bool = True) -> Archive:
        """The archive, read-only unless asked (raises ``ArchiveNotFound``)."""
        return Archive.open(self.path, readonly=readonly)


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, ArchiveContext], None]


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive number: {text!r}")
    return value


@contextlib.contextmanager
def text_output(target: str) -> Iterator[TextIO]:
    """``-`` is standard output (UTF-8); anything else a file, created with its folder."""
    if target == "-":
        if hasattr(sys.stdout, "reconfigure"):
            sys.stdout.reconfigure(encoding="utf-8")
        yield sys.stdout
        sys.stdout.flush()
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        yield out


@contextlib.contextmanager
def binary_output(target: str) -> Iterator[BinaryIO]:
    """Like :func:`text_output`, for bytes (gzip, Parquet)."""
    if target == "-":
        sys.stdout.flush()
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        yield out

"""The WARC files of one crawl: written one at a time, rolled over at a size cap.

A file being written is named ``….warc.gz.open`` and renamed to ``….warc.gz`` when it is
closed, as Heritrix does: a name without ``.open`` is a finished file. Every record is one
gzip member, flushed as soon as it is written, so a crawl killed with ``-9`` leaves every
record before the last one readable; :func:`repair` cuts the unfinished last member off
and renames the file, and the next crawl calls it for what an earlier one left behind.
A write that fails (disk full) is undone the same way before the error is raised.
"""

from __future__ import annotations

import fcntl
import logging
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from warcio.warcwriter import WARCWriter

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from warcio.recordloader import ArcWarcRecord

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
_CHUNK = 1 << 20


def whole_length(path: Path) -> int:
    """The length of the whole gzip members at the start of ``path`` (everything before
    a member that was cut off, or before bytes that are not gzip)."""
    whole = 0
    with path.open("rb") as stream:
        inflater = zlib.decompressobj(wbits=31)
        position = 0  # of the current member's first byte
        pending = b""
        while True:
            data = pending or stream.read(_CHUNK)
            pending = b""
            if not data:
                return whole
            try:
                inflater.decompress(data)
            except zlib.error:
                return whole
            if inflater.eof:
                consumed = len(data) - len(inflater.unused_data)
                position += consumed
                whole = position
                pending = inflater.unused_data
                inflater = zlib.decompressobj(wbits=31)
            else:
                position += len(data)


def repair(path: Path) -> Path:
    """Cut an unfinished ``.open`` file back to its last whole record and give it its
    finished name; the finished file."""
    whole = whole_length(path)
    size = path.stat().st_size
    if whole < size:
        logger.warning(
            "WARC file %s ends in an unfinished record: %d bytes cut off", path, size - whole
        )
        with path.open("r+b") as stream:
            stream.truncate(whole)
    finished = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
    path.rename(finished)
    return finished


def repair_all(directory: Path) -> list[Path]:
    """Repair every unfinished file a killed crawl left in ``directory``. A file that a
    running crawl holds (of another archive sharing the folder) is left alone."""
    repaired = []
    for path in sorted(directory.glob(f"*.warc.gz{OPEN_SUFFIX}")):
        with path.open("rb") as probe:
            if not _lock(probe):
                continue
            repaired.append(repair(path))
    return repaired


def _lock(stream: BinaryIO) -> bool:
    """Take the exclusive lock a writer holds on its ``.open`` file while it writes (the
    system drops it when the writer's process ends, killed or not); False if it is held."""
    try:
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class WarcFiles:
    """One crawl's WARC files in ``directory``: ``<prefix>-<serial>.warc.gz``.

    ``warcinfo`` makes the ``warcinfo`` record that opens each file (given the file's
    name). A file is closed and the next one begun once it holds ``max_size`` bytes.
    """

    def __init__(
        self,
        directory: Path,
        prefix: str,
        max_size: int,
        warcinfo: Callable[[WARCWriter, str], ArcWarcRecord],
    ) -> None:
        self.directory = directory
        self.prefix = prefix
        self.max_size = max_size
        self.warcinfo = warcinfo
        self.written: list[Path] = []
        self._serial = 0
        self._path: Path | None = None
        self._stream = None
        self._writer: WARCWriter | None = None

    @property
    def writer(self) -> WARCWriter:
        """The writer records are created with (the current file's, or a new one's)."""
        if self._writer is None:
            self._begin()
        assert self._writer is not None
        return self._writer

    @property
    def name(self) -> str:
        """The finished name of the file being written."""
        assert self._path is not None
        return self.name_of(self._path)

    def write(self, records: Sequence[ArcWarcRecord]) -> list[tuple[int, int]]:
        """Write ``records`` to the current file; the offset and length of each. On an
        error (disk full) the file is cut back to before the first of them, then the
        error is raised."""
        writer = self.writer
        stream = self._stream
        assert stream is not None
        start = stream.tell()
        places = []
        try:
            for record in records:
                offset = stream.tell()
                writer.write_record(record)
                places.append((offset, stream.tell() - offset))
            stream.flush()
        except OSError:
            self._undo(start)
            raise
        if stream.tell() >= self.max_size:
            self.close()
        return places

    def _begin(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{self.prefix}-{self._serial:05d}.warc.gz"
        self._serial += 1
        self._path = self.directory / (name + OPEN_SUFFIX)
        self._stream = self._path.open("xb")
        _lock(self._stream)
        self._writer = WARCWriter(self._stream, gzip=True)
        try:
            self._writer.write_record(self.warcinfo(self._writer, name))
            self._stream.flush()
        except OSError:
            self._undo(0)
            self.close()
            raise

    def _undo(self, offset: int) -> None:
        assert self._stream is not None
        try:
            self._stream.seek(offset)
            self._stream.truncate(offset)
        except OSError as exc:  # the next crawl's repair() cuts it off
            logger.error("Cannot cut %s back to its last whole record: %s", self._path, exc)

    def close(self) -> None:
        """Finish the current file (renamed without ``.open``)."""
        if self._stream is None or self._path is None:
            return
        stream, path = self._stream, self._path
        self._stream = self._writer = self._path = None
        try:
            stream.close()
        except OSError as exc:
            logger.error("Cannot close the WARC file %s: %s", path, exc)
            return  # left as .open, for the next crawl's repair_all()
        finished = path.with_name(self.name_of(path))
        path.rename(finished)
        self.written.append(finished)

    @staticmethod
    def name_of(path: Path) -> str:
        return path.name.removesuffix(OPEN_SUFFIX)


def file_path_in_archive(path: Path, archive: Path | None) -> str:
    """How the archive names a WARC file: relative to its own folder when inside it."""
    if archive is not None:
        folder = archive.resolve().parent
        try:
            return path.resolve().relative_to(folder).as_posix()
        except ValueError:
            pass
    return str(path.resolve())


def stored_path(name: str, archive: Path) -> Path:
    """The WARC file a capture names (see :func:`file_path_in_archive`), or its
    unfinished ``.open`` form while a crawl still writes it."""
    path = archive.resolve().parent / name
    if not path.exists():
        unfinished = path.with_name(path.name + ".open")
        if unfinished.exists():
            return unfinished
    return path

"""A disk that fills up under the crawl's WARC files, for tests.

:class:`FullDisk` wraps a file: once ``free`` bytes are written, the rest of a write is
lost and ``ENOSPC`` raised, as a full disk does. :class:`FullDiskExtension`, enabled in a
crawl subprocess (``EXTENSIONS`` plus ``TEST_WARC_DISK_FREE``), puts every WARC file the
crawl writes on such a disk.
"""

from __future__ import annotations

import errno
import io
from typing import Any

from beltacrawl.warc import files


class FullDisk(io.RawIOBase):
    def __init__(self, raw: Any, free: list[int]) -> None:
        self.raw = raw
        self.free = free  # shared by every file on the disk

    def write(self, data: Any) -> int:
        if len(data) > self.free[0]:
            self.raw.write(bytes(data[: self.free[0]]))
            self.free[0] = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self.free[0] -= len(data)
        return self.raw.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def on_full_disk(free: int) -> Any:
    """A replacement of :mod:`beltacrawl.warc.files`' ``WARCWriter`` writing to a disk
    with ``free`` bytes left."""
    original = files.WARCWriter
    left = [free]
    return lambda stream, gzip: original(FullDisk(stream, left), gzip=gzip)


class FullDiskExtension:
    @classmethod
    def from_crawler(cls, crawler: Any) -> FullDiskExtension:
        files.WARCWriter = on_full_disk(crawler.settings.getint("TEST_WARC_DISK_FREE"))
        return cls()

"""HTTP dates (``Date``, ``Retry-After``, RFC 9110 section 5.6.7) as aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def http_date(value: bytes | str | None) -> datetime | None:
    """The moment an HTTP date names, in UTC, or ``None`` when it is missing or unreadable.

    >>> http_date(b"Wed, 21 Oct 2026 07:28:10 GMT")
    datetime.datetime(2026, 10, 21, 7, 28, 10, tzinfo=datetime.timezone.utc)
    >>> http_date("Wed, 21 Oct 2026 09:28:10 +0200").isoformat()
    '2026-10-21T07:28:10+00:00'

    HTTP dates are GMT, so one without a zone, or with ``-0000``, is read as UTC:

    >>> http_date("Wed, 21 Oct 2026 07:28:10 -0000").isoformat()
    '2026-10-21T07:28:10+00:00'
    >>> [http_date(value) for value in (None, b"", "soon", "Wed, 32 Oct 2026 07:28:10 GMT")]
    [None, None, None, None]
    """
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    try:
        moment = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, OverflowError):
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)

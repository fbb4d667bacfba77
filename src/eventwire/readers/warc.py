"""WARC (and ARC) web archives, record by record, through warcio.

Each HTTP ``response`` record (and each ``resource`` record) with a 2xx status and an HTML payload
goes through :func:`~eventwire.readers.html.article_from_html`, with the record's
``WARC-Target-URI`` as the URL when the page names none, ``WARC-Date`` as the date when the page
has none, and ``WARC-Record-ID`` as ``source_id``. ``position`` is the record's byte offset in the
(decompressed) archive. Requests, metadata, non-HTML payloads (images, scripts, PDFs...) and
non-2xx responses are skipped silently: they are part of any crawl, not errors.

A payload larger than ``max_record_bytes`` is a ``Reject`` and reading goes on with the next
record. A truncated archive yields every complete record and then one ``Reject`` at the offset of
the broken record. ``.warc.gz`` files are decompressed by the caller (:func:`eventwire.readers.read`),
so the decompression limit applies to them as to any other compressed input.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from eventwire.model import Article, Reject

from ._base import (
    DEFAULT_LIMITS,
    STREAM_ERRORS,
    Cursor,
    ReadItem,
    ReadLimits,
    guard_stream,
    parse_date,
)
from .html import article_from_html

__all__ = ["read_warc"]

LOGGER = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_DRAIN = 1 << 16


def _drain(stream: Any) -> None:
    while stream.read(_DRAIN):
        pass


def _is_html(record: Any, payload_head: bytes) -> bool:
    headers = record.http_headers
    content_type = ""
    if headers is not None:
        content_type = headers.get_header("Content-Type") or ""
    if not content_type and record.rec_type == "resource":
        content_type = record.rec_headers.get_header("Content-Type") or ""
    if content_type:
        return any(kind in content_type.lower() for kind in _HTML_TYPES)
    head = payload_head.lstrip()[:200].lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _status_ok(record: Any) -> bool:
    headers = record.http_headers
    if headers is None or record.rec_type != "response":
        return True
    code = headers.get_statuscode() or ""
    return str(code).startswith("2")


class _Counting:
    """Counts the bytes warcio reads, to tell a clean end of archive from a cut-off record."""

    def __init__(self, inner: IO[bytes]) -> None:
        self._inner = inner
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        self.count += len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self._inner.readline(size)
        self.count += len(data)
        return data


#: Bytes after the last complete record that may be padding rather than a cut-off record.
_TRAILING_SLACK = 4


#: The record types of WARC 1.1 (plus ARC records converted by warcio); others are invalid.
WARC_RECORD_TYPES = frozenset(
    {
        "warcinfo",
        "response",
        "resource",
        "request",
        "metadata",
        "revisit",
        "conversion",
        "continuation",
    }
)


def _iter_warc(
    stream: IO[bytes], source: str, limits: ReadLimits, cursor: Cursor
) -> Iterator[ReadItem]:
    counting = _Counting(stream)
    archive = ArchiveIterator(counting, no_record_parse=False, arc2warc=True)
    records = 0
    try:
        for record in archive:
            records += 1
            if record.rec_type is None:
                offset = archive.get_record_offset()
                yield Reject(
                    source=source, position=offset, reason="not a WARC record (no WARC-Type)"
                )
                continue
            declared = record.rec_headers.get_header("Content-Length")
            if declared is not None and not declared.strip().isdigit():
                offset = archive.get_record_offset()
                yield Reject(
                    source=source,
                    position=offset,
                    reason=f"invalid WARC record: Content-Length {declared!r} is not a length",
                )
                return
            if record.rec_type not in WARC_RECORD_TYPES:
                _read_payload(record, limits)
                offset = archive.get_record_offset()
                cursor.position = archive.offset
                yield Reject(
                    source=source,
                    position=offset,
                    reason=f"invalid WARC record: unknown WARC-Type {record.rec_type!r}",
                )
                continue
            outcome = _read_payload(record, limits)
            # warcio knows a record's offset only once the record has been read to its end.
            offset = archive.get_record_offset()
            cursor.position = offset
            if getattr(record.raw_stream, "limit", 0) > 0:
                yield Reject(
                    source=source,
                    position=offset,
                    reason="truncated WARC: record ends before its Content-Length",
                )
                return
            cursor.position = archive.offset
            if outcome is None:
                continue
            if isinstance(outcome, str):
                yield Reject(source=source, position=offset, reason=outcome)
                continue
            headers = record.rec_headers
            yield article_from_html(
                outcome,
                source=source,
                position=offset,
                url=headers.get_header("WARC-Target-URI"),
                published=parse_date(headers.get_header("WARC-Date")),
                source_id=headers.get_header("WARC-Record-ID"),
            )
    except STREAM_ERRORS:
        raise
    except ArchiveLoadFailed as exc:
        yield Reject(
            source=source, position=cursor.position, reason=f"not a readable WARC record: {exc}"
        )
        return
    except Exception as exc:
        yield Reject(
            source=source,
            position=cursor.position,
            reason=f"truncated or corrupt WARC record ({type(exc).__name__})",
        )
        return
    if counting.count > archive.offset + _TRAILING_SLACK:
        yield Reject(
            source=source,
            position=archive.offset,
            reason="truncated WARC: incomplete record at the end of the archive",
        )
    elif records == 0:
        yield Reject(source=source, reason="WARC file holds no records")


def _read_payload(record: Any, limits: ReadLimits) -> bytes | str | None:
    """The HTML payload of a record; ``None`` for a record to skip; a reason to reject it."""
    try:
        if record.rec_type not in ("response", "resource") or not _status_ok(record):
            return None
        content = record.content_stream()
        payload: bytes = content.read(min(limits.max_record_bytes + 1, 4096))
        if not _is_html(record, payload):
            return None
        payload += content.read(limits.max_record_bytes + 1 - len(payload))
        if len(payload) > limits.max_record_bytes:
            return f"record too large: WARC payload longer than {limits.max_record_bytes} bytes"
        return payload
    finally:
        _drain(record.raw_stream)


def read_warc(
    stream: IO[bytes], source: str, *, limits: ReadLimits | None = None
) -> Iterator[Article | Reject]:
    """Read the HTML pages of an uncompressed WARC/ARC stream as articles.

    Args:
        stream: the archive's bytes (decompress ``.warc.gz`` first, or use ``read``).
        source: a name for the input, copied into every result.
        limits: ``max_record_bytes`` caps each payload.

    Returns:
        An iterator of articles and rejects in archive order (``position`` = record offset).
    """
    cursor = Cursor()
    lim = limits or DEFAULT_LIMITS
    return guard_stream(_iter_warc(stream, source, lim, cursor), source, cursor)

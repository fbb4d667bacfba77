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

from ._base import DEFAULT_LIMITS, Cursor, ReadItem, ReadLimits, guard_stream, parse_date
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


def _iter_warc(
    stream: IO[bytes], source: str, limits: ReadLimits, cursor: Cursor
) -> Iterator[ReadItem]:
    archive = ArchiveIterator(stream, no_record_parse=False, arc2warc=True)
    records = 0
    try:
        for record in archive:
            offset = archive.get_record_offset()
            cursor.position = offset
            records += 1
            item = _read_record(record, source, offset, limits)
            truncated = getattr(record.raw_stream, "limit", 0) > 0
            if truncated:
                yield Reject(
                    source=source,
                    position=offset,
                    reason="truncated WARC: record ends before its Content-Length",
                )
                return
            if item is not None:
                yield item
    except ArchiveLoadFailed as exc:
        yield Reject(
            source=source, position=cursor.position, reason=f"not a readable WARC record: {exc}"
        )
        return
    if records == 0:
        yield Reject(source=source, reason="WARC file holds no records")


def _read_record(record: Any, source: str, offset: int, limits: ReadLimits) -> ReadItem | None:
    if record.rec_type not in ("response", "resource") or not _status_ok(record):
        _drain(record.raw_stream)
        return None
    content = record.content_stream()
    payload = content.read(min(limits.max_record_bytes + 1, 4096))
    if not _is_html(record, payload):
        _drain(record.raw_stream)
        return None
    rest = content.read(limits.max_record_bytes + 1 - len(payload))
    payload += rest
    headers = record.rec_headers
    if len(payload) > limits.max_record_bytes:
        _drain(record.raw_stream)
        return Reject(
            source=source,
            position=offset,
            reason=f"record too large: WARC payload longer than {limits.max_record_bytes} bytes",
        )
    _drain(record.raw_stream)
    return article_from_html(
        payload,
        source=source,
        position=offset,
        url=headers.get_header("WARC-Target-URI"),
        published=parse_date(headers.get_header("WARC-Date")),
        source_id=headers.get_header("WARC-Record-ID"),
    )


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

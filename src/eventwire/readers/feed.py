"""RSS 0.9x/1.0/2.0 and Atom feeds (``.rss``, ``.atom``, sniffed ``.xml``), parsed by feedparser.

Each entry becomes one article (``position`` = 1-based entry number):

* **text**: the longest ``content`` element, else ``summary``/``description``, HTML reduced to
  plain text with one paragraph per block element;
* **title**: the entry title (markup removed); **url**: the entry link;
* **published**: the entry's ``published`` (else ``updated``) string parsed with its own zone kept;
  feedparser's UTC ``*_parsed`` tuple when the string is not parseable;
* **source_id**: the entry ``id``/``guid``; **outlet**: the feed title; **language**: the feed's;
* **image_url**: ``media:content``/``media:thumbnail`` or an image enclosure.

An entry with neither content nor summary is a ``Reject``.

Security: the document type declaration is removed *before* parsing, so entity declarations
(external entities, "billion laughs") never reach an XML parser; feedparser itself also turns off
external general entities. References to the removed entities stay unresolved.
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import IO, Any

import feedparser

from eventwire.errors import RecordTooLarge
from eventwire.model import Article, Reject

from ._base import (
    DEFAULT_LIMITS,
    Cursor,
    ReadItem,
    ReadLimits,
    guard_stream,
    one_line,
    parse_date,
    read_whole,
)
from .html import decode_html, html_to_text

__all__ = ["article_from_entry", "read_feed", "strip_doctype"]

LOGGER = logging.getLogger(__name__)

_DOCTYPE = re.compile(r"<!DOCTYPE\b(?:[^\[>]*)(?:\[.*?\]\s*)?>", re.IGNORECASE | re.DOTALL)
_XML_DECL_ENCODING = re.compile(
    r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""", re.IGNORECASE
)


def strip_doctype(text: str) -> tuple[str, bool]:
    """Remove every ``<!DOCTYPE ...>`` (with its internal subset); say whether one declared entities."""
    had_entities = False

    def _drop(match: re.Match[str]) -> str:
        nonlocal had_entities
        if "<!ENTITY" in match.group(0).upper():
            had_entities = True
        return ""

    return _DOCTYPE.sub(_drop, text), had_entities


def _struct_to_datetime(value: Any) -> datetime | None:
    if isinstance(value, time.struct_time):
        try:
            return datetime(*value[:6], tzinfo=UTC)
        except (ValueError, OverflowError):
            return None
    return None


def _entry_date(entry: Mapping[str, Any]) -> datetime | None:
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        parsed = parse_date(raw) if isinstance(raw, str) else None
        if parsed is None:
            parsed = _struct_to_datetime(entry.get(f"{key}_parsed"))
        if parsed is not None:
            return parsed
    return None


def _entry_text(entry: Mapping[str, Any]) -> str:
    candidates: list[tuple[str, str]] = []
    for content in entry.get("content") or []:
        if isinstance(content, Mapping) and isinstance(content.get("value"), str):
            candidates.append((content["value"], str(content.get("type") or "")))
    if not any(value.strip() for value, _ in candidates):
        detail = entry.get("summary_detail") or {}
        summary = entry.get("summary") or entry.get("description")
        if isinstance(summary, str):
            candidates.append((summary, str(detail.get("type") or "text/html")))
    best = ""
    for value, kind in candidates:
        text = html_to_text(value) if ("html" in kind or "<" in value) else value.strip()
        if len(text) > len(best):
            best = text
    return best


def _entry_image(entry: Mapping[str, Any]) -> str | None:
    for key in ("media_content", "media_thumbnail"):
        for media in entry.get(key) or []:
            if not isinstance(media, Mapping) or not media.get("url"):
                continue
            kind = str(media.get("medium") or media.get("type") or "image")
            if "image" in kind or key == "media_thumbnail":
                return str(media["url"])
    for link in entry.get("links") or []:
        if (
            isinstance(link, Mapping)
            and link.get("rel") == "enclosure"
            and str(link.get("type") or "").startswith("image/")
            and link.get("href")
        ):
            return str(link["href"])
    return None


def article_from_entry(
    entry: Mapping[str, Any],
    *,
    source: str = "",
    position: int | None = None,
    outlet: str | None = None,
    language: str | None = None,
) -> Article | Reject:
    """Build an article from one feedparser entry (see the module docstring for the mapping)."""
    text = _entry_text(entry)
    if not text:
        return Reject(
            source=source, position=position, reason="feed entry has no content or summary"
        )
    raw_title = entry.get("title")
    title = one_line(html_to_text(raw_title)) if isinstance(raw_title, str) else None
    link = entry.get("link")
    entry_id = entry.get("id") or entry.get("guid")
    return Article.create(
        text,
        title=title or None,
        source=source,
        position=position,
        source_id=str(entry_id) if entry_id else None,
        published=_entry_date(entry),
        url=str(link) if link else None,
        image_url=_entry_image(entry),
        outlet=outlet,
        language=language,
    )


def _prepare(data: bytes) -> bytes:
    """Decode, drop the DOCTYPE, and hand feedparser UTF-8 bytes with a matching declaration."""
    text = decode_html(data).lstrip("\ufeff")
    text, had_entities = strip_doctype(text)
    if had_entities:
        LOGGER.warning("feed declared XML entities; the declarations were removed before parsing")
    text = _XML_DECL_ENCODING.sub(r"\1\2utf-8\2", text, count=1)
    return text.encode("utf-8")


def _iter_feed(stream: IO[bytes], source: str, limits: ReadLimits) -> Iterator[ReadItem]:
    try:
        data = read_whole(stream, limits)
    except RecordTooLarge as exc:
        yield Reject(source=source, reason=exc.message)
        return
    if not data.strip():
        yield Reject(
            source=source, reason="empty file" if not data else "file contains only whitespace"
        )
        return
    try:
        parsed = feedparser.parse(io.BytesIO(_prepare(data)), sanitize_html=True)
    except Exception as exc:
        yield Reject(source=source, reason=f"unreadable feed: {type(exc).__name__}: {exc}")
        return
    entries = parsed.get("entries") or []
    if not entries:
        problem = parsed.get("bozo_exception")
        reason = f"not a readable feed: {problem}" if problem else "feed has no entries"
        yield Reject(source=source, reason=reason)
        return
    info = parsed.get("feed") or {}
    outlet = info.get("title")
    language = info.get("language")
    for number, entry in enumerate(entries, start=1):
        yield article_from_entry(
            entry,
            source=source,
            position=number,
            outlet=one_line(outlet) if isinstance(outlet, str) and outlet.strip() else None,
            language=language if isinstance(language, str) and language else None,
        )


def read_feed(
    stream: IO[bytes], source: str, *, limits: ReadLimits | None = None
) -> Iterator[Article | Reject]:
    """Read an RSS or Atom feed from a binary stream (the feed must fit ``max_record_bytes``).

    Returns:
        An iterator of one article or reject per entry (one reject if the feed is unreadable).
    """
    cursor = Cursor()
    return guard_stream(_iter_feed(stream, source, limits or DEFAULT_LIMITS), source, cursor)

"""The plain-text *article record*: one article per ``.txt`` file.

Layout::

    Headline on the first line
    First body paragraph, one paragraph per line (blank lines between paragraphs are allowed).
    ...
    https://example.org/images/photo.jpg      <- optional: a line that is only an image URL
    2025-03-17 19:27:00                       <- optional: a line that is only a timestamp

The optional trailing lines may come in either order and are recognised strictly, so that a body
paragraph is never mistaken for metadata:

* an *image URL* is a line holding nothing but an ``http(s)`` URL whose path ends in an image
  extension or contains an image folder (``/image/``, ``/images/``, ``/img/``, ``/photos/``...);
* any other line holding nothing but an ``http(s)`` URL is the article's own ``url``;
* a *timestamp* is a short line (optionally labelled ``Published:``/``Updated:``/``Date:``) made
  only of numbers, month and weekday names, am/pm and zone names, with a four-digit year, that
  ``dateutil`` parses: ``2025-03-17 19:27:00``, ``2025-03-17T19:27:00+01:00``,
  ``Mon, 17 Mar 2025 19:27:00 GMT``, ``17 March 2025``, ``March 17, 2025 7:27 PM``. A zone in the
  input is kept; otherwise the timestamp is naive.

A file with a single line of text is read as a body without a headline. The body keeps its line
structure; lines are right-trimmed and leading/trailing blank lines dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import IO

from eventwire.errors import RecordTooLarge
from eventwire.model import Article, Reject

from ._base import (
    DEFAULT_LIMITS,
    MAX_GARBAGE_RATIO,
    Cursor,
    ReadItem,
    ReadLimits,
    clean_text,
    decode_text,
    garbage_ratio,
    guard_stream,
    one_line,
    parse_date,
    read_whole,
)

__all__ = ["is_image_url", "parse_article_record", "read_article_record"]

_URL_LINE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_IMAGE_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg|bmp|tiff?|heic)$", re.IGNORECASE)
_IMAGE_PATH = re.compile(
    r"/(?:image|images|img|imgs|photo|photos|picture|pictures|media/images|thumbnails?)/",
    re.IGNORECASE,
)
_IMAGE_QUERY = re.compile(r"(?:format|fm|ext)=(?:jpe?g|png|gif|webp|avif)\b", re.IGNORECASE)

_DATE_LABEL = re.compile(
    r"^(?:published|updated|posted|date|dated|first published|last updated)\s*(?:on|at)?\s*[:\-–]?\s*",
    re.IGNORECASE,
)
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
]
_WEEKDAYS = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
]
_DATE_WORDS = frozenset([*_MONTHS, *_WEEKDAYS, "am", "pm", "a.m.", "p.m.", "at", "on", "of", "the"])
_DATE_NUMERIC = re.compile(r"^[\d:./\-+T]+(?:st|nd|rd|th|z|Z)?$")
_ZONE_WORD = re.compile(r"^\(?[A-Z]{1,5}\)?$|^[A-Z][a-z]+/[A-Za-z_]+$")
_YEAR = re.compile(r"(?<!\d)(?:1[89]|2[0-9])\d{2}(?!\d)")
_NUMERIC_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}")
_MAX_DATE_LINE = 64


def is_image_url(url: str) -> bool:
    """Whether a bare URL points at an image (by extension, folder name or format parameter)."""
    path, _, query = url.partition("?")
    path = path.split("#", 1)[0]
    return bool(_IMAGE_EXT.search(path) or _IMAGE_PATH.search(path) or _IMAGE_QUERY.search(query))


def parse_date_line(line: str) -> datetime | None:
    """The timestamp held by a line that is *only* a timestamp, else ``None``."""
    text = line.strip()
    if not text or len(text) > _MAX_DATE_LINE or not _YEAR.search(text):
        return None
    text = _DATE_LABEL.sub("", text)
    has_month = bool(_NUMERIC_DATE.search(text))
    for token in re.split(r"[\s,]+", text):
        if not token:
            continue
        if token.lower().rstrip(".") in _MONTHS:
            has_month = True
            continue
        if _DATE_NUMERIC.match(token) or token.lower().rstrip(".") in _DATE_WORDS:
            continue
        if token.lower() in _DATE_WORDS or _ZONE_WORD.match(token):
            continue
        return None
    # A year alone ("2025") is not a timestamp: dateutil would invent the day.
    return parse_date(text) if has_month else None


def _metadata_kind(line: str) -> tuple[str, object] | None:
    stripped = line.strip()
    if _URL_LINE.fullmatch(stripped):
        return ("image_url", stripped) if is_image_url(stripped) else ("url", stripped)
    published = parse_date_line(stripped)
    if published is not None:
        return "published", published
    return None


def parse_article_record(
    text: str, *, source: str = "", position: int | None = None
) -> Article | Reject:
    """Build an article from the text of one article record (see the module docstring)."""
    lines = [line.rstrip() for line in clean_text(text).split("\n")]
    meta: dict[str, object] = {}
    end = len(lines)
    while end > 1:
        line = lines[end - 1]
        if not line.strip():
            end -= 1
            continue
        kind = _metadata_kind(line)
        if kind is None or kind[0] in meta:
            break
        meta[kind[0]] = kind[1]
        end -= 1
    content = lines[:end]
    while content and not content[-1].strip():
        content.pop()
    if not content:
        return Reject(source=source, position=position, reason="article record has no text")
    title: str | None = one_line(content[0])
    body_lines = content[1:]
    while body_lines and not body_lines[0].strip():
        body_lines.pop(0)
    if not body_lines:
        body_lines, title = content, None
    body = "\n".join(body_lines).strip()
    published = meta.get("published")
    image_url = meta.get("image_url")
    url = meta.get("url")
    return Article.create(
        body,
        title=title or None,
        source=source,
        position=position,
        published=published if isinstance(published, datetime) else None,
        image_url=image_url if isinstance(image_url, str) else None,
        url=url if isinstance(url, str) else None,
    )


def _iter_record(stream: IO[bytes], source: str, limits: ReadLimits) -> Iterator[ReadItem]:
    try:
        data = read_whole(stream, limits)
    except RecordTooLarge as exc:
        yield Reject(source=source, reason=exc.message)
        return
    if not data:
        yield Reject(source=source, reason="empty file")
        return
    text = decode_text(data)
    if not text.strip():
        yield Reject(source=source, reason="file contains only whitespace")
        return
    ratio = garbage_ratio(text)
    if ratio > MAX_GARBAGE_RATIO:
        yield Reject(
            source=source,
            reason=f"not readable text: {ratio:.0%} of characters are undecodable or control bytes",
        )
        return
    yield parse_article_record(text, source=source)


def read_article_record(
    stream: IO[bytes], source: str, *, limits: ReadLimits | None = None
) -> Iterator[Article | Reject]:
    """Read one plain-text article record from a binary stream.

    Args:
        stream: the file's bytes (UTF-8; a byte-order mark selects UTF-16/32).
        source: a name for the input, copied into every result.
        limits: size limits (the whole file must fit ``max_record_bytes``).

    Returns:
        An iterator with exactly one ``Article`` or one ``Reject``.
    """
    cursor = Cursor()
    return guard_stream(_iter_record(stream, source, limits or DEFAULT_LIMITS), source, cursor)

"""JSON and JSON Lines readers.

Accepted shapes:

* **JSON Lines** (``.jsonl``/``.ndjson``): one JSON object per line, read line by line. Blank
  lines are skipped; a bad line (truncated, invalid, wrong shape, too deep, too long) becomes a
  ``Reject`` at its line number and the next line is read.
* **JSON** (``.json``): a top-level *array* of article objects is streamed item by item (a syntax
  error stops the file at that item, keeping the items before it); a top-level *object* is read
  whole (within ``max_record_bytes``) and is either one article or a wrapper holding a list of
  articles under ``articles``, ``items``, ``data``, ``results``, ``documents``, ``records``,
  ``entries``, ``stories`` or ``posts`` (also one level down under ``response``). A ``.json`` file
  that is really JSON Lines is read as JSON Lines.

Field mapping (keys are matched case-insensitively; the first non-empty synonym wins):

=============  ===========================================================================
Article field  JSON keys
=============  ===========================================================================
title          title, headline, name, webTitle
text           text, body, maintext, content, article, full_text, fulltext, bodyText,
               article_body, articleBody; fallback: description, summary, abstract, lead
published      published, date, date_publish, datePublished, pubDate, publishedAt,
               published_at, publication_date, webPublicationDate, datetime, created_at,
               timestamp, time (ISO 8601 / RFC 2822 / prose; epoch seconds or milliseconds)
url            url, source_url, link, canonical_url, webUrl, href
image_url      image, image_url, top_image, urlToImage, thumbnail (a dict's ``url`` too)
outlet         outlet, publisher, source_name, source, domain, site_name, sitename
               (a dict such as NewsAPI's ``{"id": ..., "name": ...}`` gives its ``name``)
language       language, lang, inLanguage
source_id      id, _id, guid, uuid, doc_id, article_id
=============  ===========================================================================

A list of strings under a text key is joined as paragraphs; a nested ``fields`` object (Guardian
API) is merged in. NewsAPI's truncation marker ``"… [+1234 chars]"`` is removed and the article is
flagged ``truncated_text``. A record without any text is a ``Reject``. A date that cannot be
parsed leaves ``published`` empty and is noted in ``Article.errors``.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator, Mapping
from typing import IO, Any

from eventwire.model import Article, Reject, StageErrorRecord

from ._base import (
    DEFAULT_LIMITS,
    Cursor,
    ReadItem,
    ReadLimits,
    clean_text,
    guard_stream,
    one_line,
    parse_date,
)
from ._stream import peek_prefix

__all__ = ["article_from_mapping", "read_json", "read_jsonl"]

TITLE_KEYS = ("title", "headline", "name", "webtitle")
TEXT_KEYS = (
    "text",
    "body",
    "maintext",
    "content",
    "article",
    "full_text",
    "fulltext",
    "bodytext",
    "article_body",
    "articlebody",
)
FALLBACK_TEXT_KEYS = ("description", "summary", "abstract", "lead")
DATE_KEYS = (
    "published",
    "date",
    "date_publish",
    "datepublished",
    "pubdate",
    "publishedat",
    "published_at",
    "publication_date",
    "webpublicationdate",
    "datetime",
    "created_at",
    "timestamp",
    "time",
)
URL_KEYS = ("url", "source_url", "link", "canonical_url", "weburl", "href")
IMAGE_KEYS = ("image", "image_url", "top_image", "urltoimage", "thumbnail")
OUTLET_KEYS = ("outlet", "publisher", "source_name", "source", "domain", "site_name", "sitename")
LANGUAGE_KEYS = ("language", "lang", "inlanguage")
ID_KEYS = ("id", "_id", "guid", "uuid", "doc_id", "article_id")
LIST_KEYS = (
    "articles",
    "items",
    "data",
    "results",
    "documents",
    "records",
    "entries",
    "stories",
    "posts",
)

_NEWSAPI_TRUNCATION = re.compile(r"\s*(?:…|\.\.\.)?\s*\[\+\d+ chars\]\s*$")
_CHUNK = 1 << 16


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def json_depth(value: Any) -> int:
    """Nesting depth of a decoded JSON value (a scalar is 0, ``[]`` is 1), computed iteratively."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            depth += 1
            stack.extend((v, depth) for v in item.values())
        elif isinstance(item, list):
            depth += 1
            stack.extend((v, depth) for v in item)
        deepest = max(deepest, depth)
    return deepest


def _lower_keys(record: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        out.setdefault(str(key).lower(), value)
    fields = out.get("fields")
    if isinstance(fields, Mapping):
        for key, value in fields.items():
            out.setdefault(str(key).lower(), value)
    return out


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return "\n\n".join(v.strip() for v in value if v.strip())
    return None


def _first_text(record: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        text = _as_text(record.get(key))
        if text is not None and text.strip():
            return text
    return None


def _first_scalar(record: Mapping[str, Any], keys: tuple[str, ...], subkey: str) -> str | None:
    """First non-empty string under ``keys``; a dict gives its ``subkey``, a list its first item."""
    for key in keys:
        value = record.get(key)
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, Mapping):
            value = value.get(subkey)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
    return None


def article_from_mapping(
    record: Mapping[str, Any], *, source: str = "", position: int | None = None
) -> Article | Reject:
    """Build an article from one decoded JSON object using the field mapping above."""
    fields = _lower_keys(record)
    body = _first_text(fields, TEXT_KEYS)
    if body is None:
        body = _first_text(fields, FALLBACK_TEXT_KEYS)
    text = clean_text(body) if body is not None else ""
    truncated = False
    if text.endswith(" chars]") and _NEWSAPI_TRUNCATION.search(text[-40:]):
        text = _NEWSAPI_TRUNCATION.sub("", text).rstrip()
        truncated = True
    if not text:
        keys = ", ".join(sorted(str(k) for k in record)[:12]) or "none"
        return Reject(
            source=source,
            position=position,
            reason=f"record has no article text (keys: {keys})",
        )
    title = _first_text(fields, TITLE_KEYS)
    errors: list[StageErrorRecord] = []
    published = None
    for key in DATE_KEYS:
        raw = fields.get(key)
        if raw is None or raw == "":
            continue
        published = parse_date(raw)
        if published is None:
            errors.append(StageErrorRecord(stage="read", reason=f"unparseable date {raw!r:.80}"))
        break
    article = Article.create(
        text,
        title=one_line(title) or None if title else None,
        source=source,
        position=position,
        source_id=_first_scalar(fields, ID_KEYS, "id"),
        published=published,
        url=_first_scalar(fields, URL_KEYS, "href"),
        image_url=_first_scalar(fields, IMAGE_KEYS, "url"),
        outlet=_first_scalar(fields, OUTLET_KEYS, "name"),
        language=_first_scalar(fields, LANGUAGE_KEYS, "code"),
        errors=errors,
    )
    if truncated:
        article.add_flag("truncated_text", detail="source truncated the text (NewsAPI marker)")
    return article


def _from_value(
    value: Any, source: str, position: int | None, limits: ReadLimits
) -> Iterator[ReadItem]:
    """Articles from one decoded JSON value: an article, a wrapper object or a list of them."""
    depth = json_depth(value)
    if depth > limits.max_json_depth:
        yield Reject(
            source=source,
            position=position,
            reason=f"JSON nested too deeply ({depth} levels; limit {limits.max_json_depth})",
        )
        return
    if isinstance(value, list):
        if not value:
            yield Reject(
                source=source, position=position, reason="JSON array is empty: no articles"
            )
        for item in value:
            yield from _from_record(item, source, position)
        return
    if isinstance(value, dict):
        items = _wrapped_list(value)
        if items is not None:
            if not items:
                yield Reject(source=source, position=position, reason="JSON article list is empty")
            for item in items:
                yield from _from_record(item, source, position)
            return
    yield from _from_record(value, source, position)


def _wrapped_list(value: Mapping[str, Any]) -> list[Any] | None:
    """The article list of a wrapper object, when ``value`` is one (and not itself an article)."""
    fields = _lower_keys(value)
    if _first_text(fields, TEXT_KEYS) is not None:
        return None
    for key in LIST_KEYS:
        items = fields.get(key)
        if isinstance(items, list):
            return items
    response = fields.get("response")
    if isinstance(response, Mapping):
        return _wrapped_list(response)
    return None


def _from_record(value: Any, source: str, position: int | None) -> Iterator[ReadItem]:
    if isinstance(value, dict):
        yield article_from_mapping(value, source=source, position=position)
    else:
        yield Reject(
            source=source,
            position=position,
            reason=f"JSON {_json_kind(value)} where an article object was expected",
        )


def _loads(text: str) -> Any:
    return json.loads(text, strict=False)


def _describe_json_error(exc: ValueError | RecursionError) -> str:
    if isinstance(exc, RecursionError):
        return "JSON nested too deeply to parse"
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON: {exc.msg} (column {exc.colno})"
    return f"invalid JSON: {exc}"


# ---------------------------------------------------------------------------------------------
# JSON Lines
# ---------------------------------------------------------------------------------------------


def _skip_rest_of_line(stream: IO[bytes]) -> None:
    while True:
        chunk = stream.readline(1 << 20)
        if not chunk or chunk.endswith(b"\n"):
            return


def _iter_jsonl(
    stream: IO[bytes], source: str, limits: ReadLimits, cursor: Cursor
) -> Iterator[ReadItem]:
    lineno = 0
    records = 0
    while True:
        cursor.position = lineno + 1
        line = stream.readline(limits.max_record_bytes + 1)
        if not line:
            break
        lineno += 1
        if len(line) > limits.max_record_bytes and not line.endswith(b"\n"):
            _skip_rest_of_line(stream)
            records += 1
            yield Reject(
                source=source,
                position=lineno,
                reason=f"record too large: line longer than {limits.max_record_bytes} bytes",
            )
            continue
        if not line.strip():
            continue
        records += 1
        text = line.decode("utf-8", errors="replace").rstrip("\r\n")
        try:
            value = _loads(text)
        except (ValueError, RecursionError) as exc:
            yield Reject(source=source, position=lineno, reason=_describe_json_error(exc))
            continue
        yield from _from_value(value, source, lineno, limits)
    if records == 0:
        yield Reject(
            source=source,
            reason="empty file" if lineno == 0 else "file contains only whitespace",
        )


def read_jsonl(
    stream: IO[bytes], source: str, *, limits: ReadLimits | None = None
) -> Iterator[Article | Reject]:
    """Read JSON Lines from a binary stream, one record per line (``position`` = line number).

    Args:
        stream: UTF-8 bytes.
        source: a name for the input, copied into every result.
        limits: size and depth limits.

    Returns:
        An iterator of articles and rejects, in file order.
    """
    cursor = Cursor()
    lim = limits or DEFAULT_LIMITS
    return guard_stream(_iter_jsonl(stream, source, lim, cursor), source, cursor)


# ---------------------------------------------------------------------------------------------
# JSON documents
# ---------------------------------------------------------------------------------------------


class _ArrayStream:
    """Decodes the items of a top-level JSON array one at a time from a byte stream."""

    def __init__(self, stream: IO[bytes], limits: ReadLimits) -> None:
        self._stream = stream
        self._limits = limits
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._decoder_json = json.JSONDecoder(strict=False)
        self.buf = ""
        self.pos = 0
        self.eof = False

    def fill(self, at_least: int = _CHUNK) -> bool:
        """Append at least ``at_least`` more bytes' worth of text; ``False`` at end of stream."""
        if self.eof:
            return False
        raw = self._stream.read(max(at_least, _CHUNK))
        if not raw:
            self.eof = True
            self.buf += self._decoder.decode(b"", final=True)
            return False
        if self.pos > _CHUNK:
            self.buf = self.buf[self.pos :]
            self.pos = 0
        self.buf += self._decoder.decode(raw)
        return True

    def skip_ws(self) -> str:
        """Skip whitespace; the next character, or ``""`` at the end of the stream."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.fill():
                return ""

    def decode_item(self) -> Any:
        """Decode the value at the cursor, reading more input while it is incomplete."""
        while True:
            try:
                value, end = self._decoder_json.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                incomplete = (
                    exc.msg.startswith("Unterminated string") or exc.pos >= len(self.buf) - 1
                )
                if not incomplete or self.eof:
                    raise
                self._grow()
                continue
            if end >= len(self.buf) and not self.eof:
                # A number at the very end of the buffer may continue in the next chunk.
                self._grow()
                continue
            self.pos = end
            return value

    def _grow(self) -> None:
        pending = len(self.buf) - self.pos
        if pending > self._limits.max_record_bytes:
            raise _ItemTooLarge
        self.fill(at_least=pending)


class _ItemTooLarge(Exception):
    pass


def _iter_json_array(
    stream: IO[bytes], source: str, limits: ReadLimits, cursor: Cursor
) -> Iterator[ReadItem]:
    parser = _ArrayStream(stream, limits)
    parser.skip_ws()
    parser.pos += 1  # the opening bracket
    index = 0
    while True:
        cursor.position = index + 1
        char = parser.skip_ws()
        if char == "]":
            parser.pos += 1
            break
        if char == "":
            yield Reject(
                source=source, position=index + 1, reason="truncated JSON array: missing ']'"
            )
            return
        if index > 0:
            if char != ",":
                yield Reject(
                    source=source,
                    position=index + 1,
                    reason=f"invalid JSON: expected ',' or ']' between array items, found {char!r}",
                )
                return
            parser.pos += 1
            parser.skip_ws()
        index += 1
        try:
            value = parser.decode_item()
        except (ValueError, RecursionError) as exc:
            yield Reject(source=source, position=index, reason=_describe_json_error(exc))
            return
        except _ItemTooLarge:
            yield Reject(
                source=source,
                position=index,
                reason=f"record too large: array item longer than {limits.max_record_bytes} bytes",
            )
            return
        if isinstance(value, list):
            yield Reject(
                source=source,
                position=index,
                reason="JSON array where an article object was expected",
            )
            continue
        yield from _from_value(value, source, index, limits)
    if parser.skip_ws():
        yield Reject(source=source, position=None, reason="unexpected data after the JSON array")
    elif index == 0:
        yield Reject(source=source, position=None, reason="JSON array is empty")


def _iter_json_text(text: str, source: str, limits: ReadLimits) -> Iterator[ReadItem]:
    """Decode a whole JSON document; several concatenated values are read one after another."""
    decoder = json.JSONDecoder(strict=False)
    pos = 0
    count = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        count += 1
        try:
            value, pos = decoder.raw_decode(text, pos)
        except (ValueError, RecursionError) as exc:
            yield Reject(
                source=source,
                position=count if count > 1 else None,
                reason=_describe_json_error(exc),
            )
            return
        yield from _from_value(value, source, count if count > 1 else None, limits)


def _iter_json(
    stream: IO[bytes], source: str, limits: ReadLimits, cursor: Cursor
) -> Iterator[ReadItem]:
    prefix, stream = peek_prefix(stream)
    head = prefix.lstrip()
    if not head:
        yield Reject(
            source=source, reason="empty file" if not prefix else "file contains only whitespace"
        )
        return
    if head.startswith(b"["):
        yield from _iter_json_array(stream, source, limits, cursor)
        return
    first_line = head.split(b"\n", 1)[0].strip()
    if head.startswith(b"{") and b"\n" in head.strip() and _complete_object(first_line):
        yield from _iter_jsonl(stream, source, limits, cursor)
        return
    data = stream.read(limits.max_record_bytes + 1)
    if len(data) > limits.max_record_bytes:
        yield Reject(
            source=source,
            reason=f"record too large: JSON document longer than {limits.max_record_bytes} bytes",
        )
        return
    yield from _iter_json_text(data.decode("utf-8", errors="replace"), source, limits)


def _complete_object(line: bytes) -> bool:
    try:
        return isinstance(_loads(line.decode("utf-8", errors="replace")), dict)
    except (ValueError, RecursionError):
        return False


def read_json(
    stream: IO[bytes], source: str, *, limits: ReadLimits | None = None
) -> Iterator[Article | Reject]:
    """Read a JSON document (array, article object or wrapper object) from a binary stream.

    ``position`` is the 1-based item number in a top-level array (``None`` for a single object).

    Args:
        stream: UTF-8 bytes.
        source: a name for the input, copied into every result.
        limits: size and depth limits.

    Returns:
        An iterator of articles and rejects, in file order.
    """
    cursor = Cursor()
    lim = limits or DEFAULT_LIMITS
    return guard_stream(_iter_json(stream, source, lim, cursor), source, cursor)

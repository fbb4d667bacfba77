"""HTML news pages: main text by trafilatura, metadata from the page's own tags.

* **text**: ``trafilatura.bare_extraction`` (comments excluded); if it finds nothing, a second pass
  that favours recall; if that fails too, the page's ``<p>`` paragraphs. A leading line repeating the
  headline is dropped. No text at all is a ``Reject``.
* **title**: ``og:title``/``twitter:title``, else trafilatura's title, else ``<title>``.
* **published**: the first full timestamp among ``article:published_time``, ``itemprop=
  datePublished``, JSON-LD ``datePublished``, common ``<meta name=...>`` date tags and the first
  ``<time datetime>``, keeping its zone; else trafilatura's (date-only) guess; else the date the
  caller supplies (for WARC records, ``WARC-Date``).
* **url**: ``<link rel=canonical>``, ``og:url``, else the caller's URL (WARC-Target-URI).
* **image_url**: ``og:image``/``twitter:image`` (JSON-LD ``image``), else trafilatura's.
* **outlet**: ``og:site_name``, else trafilatura's site name. **language**: ``<html lang>``.

The page's character set comes from a byte-order mark, ``<meta charset>`` or the XML declaration,
else UTF-8 (with Windows-1252 for non-UTF-8 bytes; see :func:`~._base.decode_text`).
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

import lxml.etree
import lxml.html
import trafilatura

from eventwire.errors import RecordTooLarge
from eventwire.model import Article, Reject

from ._base import (
    DEFAULT_LIMITS,
    MAX_GARBAGE_RATIO,
    Cursor,
    ReadItem,
    ReadLimits,
    bom_encoding,
    clean_text,
    decode_text,
    garbage_ratio,
    guard_stream,
    normalise_title,
    one_line,
    parse_date,
    read_whole,
)

__all__ = ["article_from_html", "decode_html", "html_to_text", "read_html"]

LOGGER = logging.getLogger(__name__)

_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(
    rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.\-]+)""", re.IGNORECASE
)

_DATE_META_NAMES = (
    "article:published_time",
    "og:published_time",
    "article.published",
    "pubdate",
    "publishdate",
    "publish-date",
    "publication_date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article:modified_time",
)
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "tr",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
        "dd",
        "dt",
        "hr",
    ]
)
_SKIP_TAGS = frozenset(["script", "style", "noscript", "template", "head", "svg", "iframe", "form"])
_MIN_FALLBACK_PARAGRAPH = 40
_MIN_WORDS = 5


def decode_html(data: bytes) -> str:
    """Decode an HTML page's bytes, honouring a BOM, ``<meta charset>`` or the XML declaration."""
    if bom_encoding(data)[0] is not None:
        return decode_text(data)
    head = data[:4096]
    match = _CHARSET.search(head) or _XML_ENCODING.search(head)
    if match:
        name = match.group(1).decode("ascii", errors="replace")
        try:
            encoding = codecs.lookup(name).name
        except LookupError:
            encoding = None
        # A page cannot really be UTF-16 if its declaration was readable as ASCII.
        if encoding is not None and not encoding.startswith("utf-16"):
            return decode_text(data, encoding=encoding)
    return decode_text(data)


def _node_text(node: Any, out: list[str]) -> None:
    tag = node.tag if isinstance(node.tag, str) else ""
    if tag.lower() in _SKIP_TAGS:
        if node.tail:
            out.append(node.tail)
        return
    block = tag.lower() in _BLOCK_TAGS
    if block:
        out.append("\n\n")
    if node.text and isinstance(node.tag, str):
        out.append(node.text)
    for child in node:
        _node_text(child, out)
    if block:
        out.append("\n\n")
    if node.tail:
        out.append(node.tail)


_SPACES = re.compile(r"[ \t\u00a0]+")
_BREAKS = re.compile(r"\s*\n\s*\n\s*")


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one paragraph per block element, separated by blank lines.

    Text without any markup is returned cleaned but otherwise unchanged.
    """
    if "<" not in fragment:
        return clean_text(fragment.replace("&nbsp;", " "))
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return clean_text(fragment)
    out: list[str] = []
    _node_text(root, out)
    text = "".join(out)
    paragraphs = [_SPACES.sub(" ", " ".join(p.split("\n"))).strip() for p in _BREAKS.split(text)]
    return clean_text("\n\n".join(p for p in paragraphs if p))


def _meta(root: Any) -> dict[str, str]:
    """``<meta>`` values keyed by lower-cased ``property``/``name``/``itemprop`` (first wins)."""
    found: dict[str, str] = {}
    for el in root.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop")
        value = el.get("content")
        if key and value and value.strip():
            found.setdefault(key.strip().lower(), value.strip())
    return found


def _json_ld(root: Any) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for el in root.iter("script"):
        if (el.get("type") or "").strip().lower() != "application/ld+json" or not el.text:
            continue
        try:
            value = json.loads(el.text, strict=False)
        except (ValueError, RecursionError):
            continue
        stack = [value]
        while stack and len(objects) < 50:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                objects.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
    return objects


def _ld_image(value: Any) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("url")
    return value.strip() if isinstance(value, str) and value.strip() else None


class _PageMeta:
    """Metadata read from the page's own tags."""

    def __init__(self, root: Any) -> None:
        meta = _meta(root)
        ld = [o for o in _json_ld(root) if "datePublished" in o or "headline" in o]
        self.title = meta.get("og:title") or meta.get("twitter:title")
        self.image = meta.get("og:image") or meta.get("og:image:url") or meta.get("twitter:image")
        self.outlet = meta.get("og:site_name")
        self.url: str | None = None
        for link in root.iter("link"):
            if (link.get("rel") or "").strip().lower() == "canonical" and link.get("href"):
                self.url = link.get("href").strip()
                break
        self.url = self.url or meta.get("og:url")
        self.language = (root.get("lang") or root.get("xml:lang") or "").strip() or None
        candidates: list[str] = []
        candidates.extend(
            meta[name] for name in ("article:published_time", "datepublished") if name in meta
        )
        candidates.extend(o["datePublished"] for o in ld if isinstance(o.get("datePublished"), str))
        candidates.extend(meta[name] for name in _DATE_META_NAMES if name in meta)
        for el in root.iter("time"):
            if el.get("datetime"):
                candidates.append(el.get("datetime"))
                break
        self.published: datetime | None = None
        for raw in candidates:
            self.published = parse_date(raw)
            if self.published is not None:
                break
        for obj in ld:
            self.title = self.title or (
                obj.get("headline") if isinstance(obj.get("headline"), str) else None
            )
            self.image = self.image or _ld_image(obj.get("image"))


def _fallback_paragraphs(root: Any) -> str:
    paragraphs = []
    for el in root.iter("p"):
        text = " ".join(el.text_content().split())
        if len(text) >= _MIN_FALLBACK_PARAGRAPH:
            paragraphs.append(text)
    return "\n".join(paragraphs)


def _extract(page: str, url: str | None) -> tuple[Any, str]:
    """trafilatura's document (or ``None``) and the main text, trying precision then recall."""
    doc: Any = None
    for favor_recall in (False, True):
        try:
            doc = trafilatura.bare_extraction(
                page,
                url=url,
                with_metadata=True,
                include_comments=False,
                favor_recall=favor_recall,
            )
        except Exception as exc:
            LOGGER.debug("trafilatura failed on a page: %s", exc)
            doc = None
        text = getattr(doc, "text", None) if doc is not None else None
        # A few words (a menu, a caption) found on a page without an article are not one.
        if text and len(text.split()) >= _MIN_WORDS:
            return doc, text
    return doc, ""


def _extracted_date(guess: Any, fallback: datetime | None) -> datetime | None:
    """trafilatura's day-precision date guess, unless the caller's timestamp is the same day."""
    day = parse_date(guess) if isinstance(guess, str) else None
    if day is None:
        return fallback
    if fallback is not None and fallback.date() == day.date():
        return fallback
    return day


def _drop_headline(text: str, title: str | None) -> str:
    if not title:
        return text
    first, newline, rest = text.partition("\n")
    if newline and normalise_title(first) == normalise_title(title):
        return rest.lstrip("\n")
    return text


def article_from_html(
    data: bytes | str,
    *,
    source: str = "",
    position: int | None = None,
    url: str | None = None,
    published: datetime | None = None,
    source_id: str | None = None,
) -> Article | Reject:
    """Build an article from one HTML page.

    Args:
        data: the page, as bytes (charset detected) or text.
        source: a name for the input.
        position: where the page sits in its input (e.g. a WARC record offset).
        url: the page's address when known from outside (used when the page names none).
        published: a date to fall back on when the page has none (e.g. the crawl date).
        source_id: an identifier of the record (e.g. ``WARC-Record-ID``).

    Returns:
        The article, or a ``Reject`` saying why no text could be found.
    """
    page = decode_html(data) if isinstance(data, bytes) else data
    if not page.strip():
        return Reject(source=source, position=position, reason="empty HTML page")
    if garbage_ratio(page[:100_000]) > MAX_GARBAGE_RATIO:
        return Reject(source=source, position=position, reason="HTML page is not readable text")
    page = page.replace("\x00", "")
    try:
        root = lxml.html.document_fromstring(page)
    except (lxml.etree.ParserError, ValueError) as exc:
        return Reject(source=source, position=position, reason=f"unparseable HTML: {exc}")
    meta = _PageMeta(root)
    doc, text = _extract(page, meta.url or url)
    title = meta.title or getattr(doc, "title", None)
    if not title:
        title_el = root.find(".//title")
        title = title_el.text_content() if title_el is not None else None
    title = one_line(title) if title else None
    if not text:
        text = _fallback_paragraphs(root)
    text = _drop_headline(clean_text(text), title)
    if not text.strip():
        return Reject(source=source, position=position, reason="no article text found in HTML page")
    date = meta.published or _extracted_date(getattr(doc, "date", None), published)
    return Article.create(
        text,
        title=title or None,
        source=source,
        position=position,
        source_id=source_id,
        published=date,
        url=meta.url or url or getattr(doc, "url", None),
        image_url=meta.image or getattr(doc, "image", None),
        outlet=meta.outlet or getattr(doc, "sitename", None),
        language=meta.language,
    )


def _iter_html(stream: IO[bytes], source: str, limits: ReadLimits) -> Iterator[ReadItem]:
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
    yield article_from_html(data, source=source)


def read_html(
    stream: IO[bytes], source: str, *, limits: ReadLimits | None = None
) -> Iterator[Article | Reject]:
    """Read one HTML page from a binary stream (the page must fit ``max_record_bytes``).

    Returns:
        An iterator with exactly one ``Article`` or one ``Reject``.
    """
    cursor = Cursor()
    return guard_stream(_iter_html(stream, source, limits or DEFAULT_LIMITS), source, cursor)

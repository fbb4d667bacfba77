"""URL inputs: news pages, RSS/Atom feeds, sitemaps and JSON documents fetched over HTTP.

``eventwire code URL...`` and ``eventwire ingest URL...`` come here through
:func:`eventwire.readers.read`; ``eventwire watch`` uses the two steps separately:

1. :func:`discover` fetches one URL (conditionally, with the ETag/Last-Modified of the copy held)
   and says what it is, by content type and first bytes:

   * an **HTML page** is one article (trafilatura, via :func:`~.html.article_from_html`);
   * an **RSS/Atom feed** lists one :class:`Link` per entry: the entry's link, carrying the article
     built from the entry itself (:func:`~.feed.article_from_entry`) as a fallback;
   * a **sitemap** (``<urlset>``) lists one :class:`Link` per ``<loc>``; a **sitemap index**
     (``<sitemapindex>``) lists the child sitemaps in :attr:`Listing.children`;
   * a **JSON** document is read by the JSON reader (one article per record).

2. :func:`fetch_link` fetches one linked page and extracts its article. When the page cannot be
   had (robots.txt, an error status, a timeout, no article text) a feed entry's own text is used
   instead, with a ``read`` entry in :attr:`~eventwire.model.Article.errors` saying why.

Every failure is a :class:`~eventwire.model.Reject` whose ``source`` is the URL; nothing raises.
All HTTP goes through one :class:`~eventwire.fetch.Fetcher` (rate limits, robots.txt, retries,
size and content-type checks, see :mod:`eventwire.fetch`).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urljoin

import feedparser
import lxml.etree

from eventwire.fetch import Fetcher, FetchError, FetchResult, FetchSettings, is_url
from eventwire.model import Article, Reject, StageErrorRecord

from ._base import DEFAULT_LIMITS, ReadLimits, one_line
from .feed import article_from_entry, strip_doctype
from .html import article_from_html, decode_html

__all__ = [
    "MAX_LINKS",
    "MAX_SITEMAP_DEPTH",
    "Link",
    "Listing",
    "SourceKind",
    "discover",
    "fetch_link",
    "fetch_link_detailed",
    "read_url",
    "read_urls",
]

LOGGER = logging.getLogger(__name__)

#: What a URL is: ``auto`` decides from the response.
SourceKind = Literal["auto", "feed", "sitemap", "page"]

#: The most links taken from one feed or sitemap (the first ones, in document order).
MAX_LINKS = 5000
#: How deep sitemap indexes are followed (index -> sitemap -> ... ).
MAX_SITEMAP_DEPTH = 3

_XML_DECL_ENCODING = re.compile(
    r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""", re.IGNORECASE
)
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF|RDF)[\s>]", re.IGNORECASE)
_SITEMAP_ROOT = re.compile(rb"<(?:[\w.-]+:)?(urlset|sitemapindex)[\s>]", re.IGNORECASE)
_HTML_ROOT = re.compile(rb"<(?:!doctype\s+html|html|head|body)[\s>]", re.IGNORECASE)


@dataclass
class Link:
    """A page listed by a feed or sitemap.

    Attributes:
        url: the page's absolute URL.
        entry: the feed entry's own article (``None`` for sitemap URLs), used when the page
            cannot be fetched.
        lastmod: the sitemap's ``<lastmod>`` (or the entry's update time), as written.
    """

    url: str
    entry: Article | None = None
    lastmod: str | None = None


@dataclass
class Listing:
    """What :func:`discover` found at one URL.

    Attributes:
        url: the URL asked for.
        kind: ``feed``, ``sitemap``, ``sitemapindex``, ``page`` or ``json`` (``""`` when the fetch
            failed or nothing changed).
        not_modified: the server answered 304 to the conditional request.
        etag / last_modified: the validators to send next time.
        records: finished records: the page's article, JSON articles, entries without a link,
            and rejects (a failed fetch is one reject).
        links: pages still to fetch (with :func:`fetch_link`).
        children: sitemaps listed by a sitemap index.
        error: the fetch error, when the URL itself failed.
    """

    url: str
    kind: str = ""
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    records: list[Article | Reject] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    error: FetchError | None = None


def _sniff(result: FetchResult) -> str:
    """``feed``, ``sitemap``, ``page``, ``json`` or ``""`` from the content type and first bytes."""
    head = result.content[:8192].lstrip(b"\xef\xbb\xbf \t\r\n")
    if result.kind == "html":
        return "page"
    if result.kind == "json":
        return "json"
    if _SITEMAP_ROOT.search(head):
        return "sitemap"
    if _FEED_ROOT.search(head):
        return "feed"
    if head.startswith((b"{", b"[")):
        return "json"
    if _HTML_ROOT.search(head) or head[:1] == b"<":
        return "page"
    return ""


def discover(
    url: str,
    fetcher: Fetcher,
    *,
    kind: SourceKind = "auto",
    etag: str | None = None,
    last_modified: str | None = None,
    limits: ReadLimits | None = None,
    max_links: int = MAX_LINKS,
) -> Listing:
    """Fetch ``url`` and split it into finished records and links still to fetch.

    Args:
        url: the page, feed or sitemap.
        fetcher: the HTTP fetcher.
        kind: what the URL is; ``auto`` decides from the content type and the first bytes.
        etag / last_modified: validators of the copy held (conditional GET).
        limits: reader size limits (JSON documents).
        max_links: the most links taken from one feed or sitemap.

    Returns:
        The :class:`Listing`; never raises for a network or content problem.
    """
    listing = Listing(url=url)
    try:
        result = fetcher.fetch(url, etag=etag, last_modified=last_modified)
    except FetchError as exc:
        listing.error = exc
        listing.records.append(Reject(source=url, reason=exc.message))
        return listing
    listing.etag, listing.last_modified = result.etag, result.last_modified
    if result.not_modified:
        listing.not_modified = True
        return listing
    found = _sniff(result)
    if kind == "feed" or (kind == "auto" and found == "feed"):
        _feed_links(result, listing, max_links)
    elif kind == "sitemap" or (kind == "auto" and found == "sitemap"):
        _sitemap_links(result, listing, max_links)
    elif found == "json" and kind == "auto":
        listing.kind = "json"
        from . import read_stream

        listing.records.extend(
            read_stream(io.BytesIO(result.content), url, name="", fmt=None, limits=limits)
        )
    elif found == "page" or kind == "page":
        listing.kind = "page"
        listing.records.append(article_from_html(result.content, source=url, url=result.final_url))
    else:
        listing.records.append(Reject(source=url, reason="not a web page, feed or sitemap"))
    return listing


# ---------------------------------------------------------------------------------------------
# Feeds
# ---------------------------------------------------------------------------------------------


def _prepare_feed(data: bytes) -> bytes:
    """Decode, drop the DOCTYPE (no entity declarations reach the parser), re-encode as UTF-8."""
    text = decode_html(data).lstrip("\ufeff")
    text, had_entities = strip_doctype(text)
    if had_entities:
        LOGGER.warning("feed declared XML entities; the declarations were removed before parsing")
    return _XML_DECL_ENCODING.sub(r"\1\2utf-8\2", text, count=1).encode("utf-8")


def _feed_links(result: FetchResult, listing: Listing, max_links: int) -> None:
    listing.kind = "feed"
    source = listing.url
    try:
        parsed = feedparser.parse(
            io.BytesIO(_prepare_feed(result.content)),
            sanitize_html=True,
            response_headers={"content-location": result.final_url},
        )
    except Exception as exc:  # feedparser raises assorted parser errors on hostile input
        listing.records.append(Reject(source=source, reason=f"unreadable feed: {exc}"))
        return
    entries: list[Any] = list(parsed.get("entries") or [])
    if not entries:
        problem = parsed.get("bozo_exception")
        reason = f"not a readable feed: {problem}" if problem else "feed has no entries"
        listing.records.append(Reject(source=source, reason=reason))
        return
    info = parsed.get("feed") or {}
    outlet = info.get("title")
    language = info.get("language")
    for number, entry in enumerate(entries[:max_links], start=1):
        record = article_from_entry(
            entry,
            source=source,
            position=number,
            outlet=one_line(outlet) if isinstance(outlet, str) and outlet.strip() else None,
            language=language if isinstance(language, str) and language else None,
        )
        link = entry.get("link")
        if not isinstance(link, str) or not is_url(urljoin(result.final_url, link.strip())):
            # No page to fetch: the entry is all there is.
            listing.records.append(record)
            continue
        page_url = urljoin(result.final_url, link.strip())
        if isinstance(record, Article):
            record.url = page_url
        # dict.get: feedparser's own get() warns about its updated/published fallback.
        updated = dict.get(entry, "updated") or dict.get(entry, "published")
        listing.links.append(
            Link(
                url=page_url,
                entry=record if isinstance(record, Article) else None,
                lastmod=str(updated) if updated else None,
            )
        )
    if len(entries) > max_links:
        LOGGER.warning("%s: only the first %d of %d entries taken", source, max_links, len(entries))


# ---------------------------------------------------------------------------------------------
# Sitemaps
# ---------------------------------------------------------------------------------------------


def _local(tag: Any) -> str:
    return lxml.etree.QName(tag).localname if isinstance(tag, str) else ""


def _sitemap_links(result: FetchResult, listing: Listing, max_links: int) -> None:
    source = listing.url
    text, _ = strip_doctype(decode_html(result.content).lstrip("\ufeff"))
    parser = lxml.etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True
    )
    try:
        root = lxml.etree.fromstring(
            _XML_DECL_ENCODING.sub(r"\1\2utf-8\2", text, count=1).encode("utf-8"), parser
        )
    except (lxml.etree.XMLSyntaxError, ValueError) as exc:
        listing.records.append(Reject(source=source, reason=f"unreadable sitemap: {exc}"))
        return
    if root is None or _local(root.tag) not in ("urlset", "sitemapindex"):
        listing.records.append(Reject(source=source, reason="not a sitemap (no urlset)"))
        return
    index = _local(root.tag) == "sitemapindex"
    listing.kind = "sitemapindex" if index else "sitemap"
    item_tag = "sitemap" if index else "url"
    seen: set[str] = set()
    for item in root:
        if _local(item.tag) != item_tag:
            continue
        loc = lastmod = None
        for child in item:
            name = _local(child.tag)
            value = (child.text or "").strip()
            if name == "loc":
                loc = urljoin(result.final_url, value) if value else None
            elif name == "lastmod":
                lastmod = value or None
        if not loc or not is_url(loc) or loc in seen:
            continue
        seen.add(loc)
        if index:
            listing.children.append(loc)
        else:
            listing.links.append(Link(url=loc, lastmod=lastmod))
        if len(seen) >= max_links:
            LOGGER.warning("%s: only the first %d locations taken", source, max_links)
            break
    if not seen:
        listing.records.append(Reject(source=source, reason="sitemap lists no URLs"))


# ---------------------------------------------------------------------------------------------
# Linked pages
# ---------------------------------------------------------------------------------------------


def _with_entry_fallback(link: Link, reason: str) -> Article | Reject:
    if link.entry is None:
        return Reject(source=link.url, reason=reason)
    article = link.entry.model_copy(deep=True)
    article.errors.append(
        StageErrorRecord(stage="read", reason=f"page not used ({reason}); feed entry text used")
    )
    return article


def fetch_link(link: Link, fetcher: Fetcher) -> Article | Reject:
    """Fetch the page of ``link`` and extract its article (see the module docstring).

    Metadata the page lacks (title, publication time, image, outlet, language, entry id) is taken
    from the feed entry.
    """
    return fetch_link_detailed(link, fetcher)[0]


def fetch_link_detailed(link: Link, fetcher: Fetcher) -> tuple[Article | Reject, FetchError | None]:
    """Like :func:`fetch_link`, also returning the fetch error (``None`` when the page came), so
    that a caller can tell a transient failure (worth another try) from a final one."""
    try:
        result = fetcher.fetch(link.url)
    except FetchError as exc:
        return _with_entry_fallback(link, exc.message), exc
    if result.kind not in ("html", "unknown"):
        return _with_entry_fallback(
            link, f"linked document is not HTML ({result.content_type})"
        ), None
    page = article_from_html(result.content, source=link.url, url=result.final_url)
    if isinstance(page, Reject):
        return _with_entry_fallback(link, page.reason), None
    entry = link.entry
    if entry is not None:
        updates = {
            name: getattr(entry, name)
            for name in ("title", "published", "image_url", "outlet", "language", "source_id")
            if getattr(page, name) is None and getattr(entry, name) is not None
        }
        if updates:
            page = page.model_copy(update=updates)
    return page, None


# ---------------------------------------------------------------------------------------------
# Whole URLs (the ``read()`` entry point)
# ---------------------------------------------------------------------------------------------


def read_url(
    url: str,
    fetcher: Fetcher,
    *,
    kind: SourceKind = "auto",
    limits: ReadLimits | None = None,
    max_links: int = MAX_LINKS,
) -> Iterator[Article | Reject]:
    """Read everything at ``url``: a page's article, every entry of a feed (each linked page
    fetched), every page of a sitemap (indexes followed to :data:`MAX_SITEMAP_DEPTH`).

    Returns:
        An iterator of articles and rejects (one reject per failed URL).
    """
    yield from _read_url(url, fetcher, kind, limits or DEFAULT_LIMITS, max_links, 0, set())


def _read_url(
    url: str,
    fetcher: Fetcher,
    kind: SourceKind,
    limits: ReadLimits,
    max_links: int,
    depth: int,
    visited: set[str],
) -> Iterator[Article | Reject]:
    visited.add(url)
    listing = discover(url, fetcher, kind=kind, limits=limits, max_links=max_links)
    yield from listing.records
    for link in listing.links:
        yield fetch_link(link, fetcher)
    for child in listing.children:
        if child in visited:
            continue
        if depth + 1 >= MAX_SITEMAP_DEPTH:
            yield Reject(
                source=child, reason=f"sitemap index nested deeper than {MAX_SITEMAP_DEPTH}"
            )
            continue
        yield from _read_url(child, fetcher, "sitemap", limits, max_links, depth + 1, visited)


def read_urls(
    urls: Iterable[str],
    *,
    settings: FetchSettings | None = None,
    fetcher: Fetcher | None = None,
    limits: ReadLimits | None = None,
) -> Iterator[Article | Reject]:
    """Read several URLs with one fetcher (shared rate limits and robots.txt cache).

    Args:
        urls: page, feed or sitemap URLs.
        settings: fetch settings for the fetcher built here (ignored when ``fetcher`` is given).
        fetcher: an existing fetcher (not closed here).
        limits: reader size limits.
    """
    own = fetcher is None
    active = fetcher or Fetcher(settings)
    try:
        for url in urls:
            yield from read_url(url, active, limits=limits)
    finally:
        if own:
            active.close()

"""Polite, bounded HTTP fetching for URL inputs and ``eventwire watch`` (built on httpx).

One :class:`Fetcher` holds one ``httpx.Client`` and the per-host state that politeness needs:

* **User-Agent** ``eventwire/<version> (+https://github.com/eventwire/eventwire)``;
* **robots.txt** fetched once per host (same client, same rules), parsed by
  :mod:`urllib.robotparser` and cached for :attr:`FetchSettings.robots_ttl` seconds; a missing
  robots.txt (4xx) allows everything, 401/403 forbid everything, and an unreachable one (5xx,
  network error) forbids the host until the next attempt (RFC 9309, section 2.3.1.4);
* **rate limit**: at least :attr:`FetchSettings.rate` seconds between two requests to one host
  (robots.txt, retries and redirect hops included), with per-host overrides;
* **retries** with exponential backoff (``backoff * 2**attempt``, capped, ``Retry-After`` honoured)
  on 5xx, 429 and network errors, at most :attr:`FetchSettings.retries` times;
* **redirects** followed by hand, each hop checked against robots.txt and the rate limit; a loop or
  more than :attr:`FetchSettings.max_redirects` hops fails;
* **size limit**: the body is streamed and the transfer aborted past
  :attr:`FetchSettings.max_bytes` (after content decoding, so a compression bomb stops too); a
  ``Content-Length`` over the limit fails before any body is read; :attr:`FetchSettings.deadline`
  bounds the whole transfer so that a server trickling bytes cannot hold a fetch forever;
* **content types**: HTML, XML (RSS, Atom, RDF, sitemaps) and JSON are accepted, anything else fails
  before the body is read; a response without a content type is accepted and sniffed later;
* **conditional GET**: ``etag``/``last_modified`` become ``If-None-Match``/``If-Modified-Since``,
  and a 304 comes back as a result with ``not_modified=True``.

Every failure is a :class:`FetchError` with a short reason and a ``transient`` flag (worth retrying
later: 5xx, 429, network errors, timeouts); callers turn it into a
:class:`~eventwire.model.Reject`.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from .errors import ConfigError, InputError

__all__ = [
    "ACCEPT",
    "DEFAULT_USER_AGENT",
    "ContentKind",
    "FetchError",
    "FetchResult",
    "FetchSettings",
    "Fetcher",
    "content_kind",
    "host_key",
    "is_url",
    "user_agent",
]

LOGGER = logging.getLogger(__name__)

ContentKind = Literal["html", "xml", "json", "unknown"]

#: The Accept header sent with every request: what the readers can use.
ACCEPT = (
    "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.1"
)

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_XML_TYPES = frozenset(
    {
        "application/xml",
        "text/xml",
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/rss",
        "application/x-rss+xml",
        "text/rss+xml",
    }
)
_JSON_TYPES = frozenset(
    {"application/json", "text/json", "application/ld+json", "application/feed+json"}
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_CHUNK = 65536
#: How soon an unreachable robots.txt is tried again (seconds).
_ROBOTS_RETRY = 300.0
_DISALLOW_ALL = ("User-agent: *", "Disallow: /")


def _version() -> str:
    from . import __version__

    return __version__


def user_agent() -> str:
    """The User-Agent eventwire sends: ``eventwire/<version> (+https://github.com/eventwire/eventwire)``."""
    return f"eventwire/{_version()} (+https://github.com/eventwire/eventwire)"


#: Kept for documentation; :func:`user_agent` builds the same string at run time.
DEFAULT_USER_AGENT = "eventwire/<version> (+https://github.com/eventwire/eventwire)"


def is_url(spec: str) -> bool:
    """Whether an input names an ``http://`` or ``https://`` URL."""
    return spec.lower().startswith(("http://", "https://"))


def host_key(url: str) -> str:
    """The rate-limit and robots.txt key of a URL: ``scheme://host[:port]``, lower-cased."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def content_kind(content_type: str | None) -> ContentKind | None:
    """``html``, ``xml`` or ``json`` for an accepted media type, ``unknown`` for none given, and
    ``None`` for a type the readers cannot use (images, PDFs, ...)."""
    if not content_type or not content_type.strip():
        return "unknown"
    media = content_type.split(";", 1)[0].strip().lower()
    if media in _HTML_TYPES:
        return "html"
    if media in _XML_TYPES or media.endswith("+xml"):
        return "xml"
    if media in _JSON_TYPES or media.endswith("+json"):
        return "json"
    return None


class FetchError(InputError):
    """A URL could not be fetched. ``transient`` says whether trying again later may succeed."""

    def __init__(self, message: str, *, url: str, transient: bool = False) -> None:
        super().__init__(message, source=url)
        self.url = url
        self.transient = transient


@dataclass(frozen=True)
class FetchSettings:
    """Limits and manners of a :class:`Fetcher` (all times in seconds).

    Attributes:
        timeout: connect/read/write timeout of one request.
        deadline: the longest one whole transfer (headers and body) may take.
        retries: extra attempts after a 5xx, 429 or network error (0: no retry).
        backoff: the first retry waits this long, each further one twice as long...
        max_backoff: ...up to this (also the cap on a server's ``Retry-After``).
        rate: the least time between two requests to one host.
        max_bytes: the largest body accepted (decoded bytes).
        max_redirects: the most redirect hops followed.
        robots: obey robots.txt (switch off only for servers you run yourself).
        robots_ttl: how long a host's robots.txt is cached.
        user_agent: the User-Agent header; :func:`user_agent` when empty.
    """

    timeout: float = 20.0
    deadline: float = 60.0
    retries: int = 3
    backoff: float = 1.0
    max_backoff: float = 30.0
    rate: float = 1.0
    max_bytes: int = 10_000_000
    max_redirects: int = 10
    robots: bool = True
    robots_ttl: float = 3600.0
    user_agent: str = ""

    def __post_init__(self) -> None:
        for name in ("timeout", "deadline"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"FetchSettings.{name} must be positive")
        for name in ("retries", "backoff", "max_backoff", "rate", "max_redirects", "robots_ttl"):
            if getattr(self, name) < 0:
                raise ConfigError(f"FetchSettings.{name} must not be negative")
        if self.max_bytes <= 0:
            raise ConfigError("FetchSettings.max_bytes must be positive")


@dataclass(frozen=True)
class FetchResult:
    """A fetched document (or a 304 answer to a conditional request)."""

    url: str
    final_url: str
    status: int
    content: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False

    @property
    def kind(self) -> ContentKind:
        """What the body is, by its content type (``unknown`` when none was sent)."""
        return content_kind(self.content_type) or "unknown"


@dataclass
class _Robots:
    parser: urllib.robotparser.RobotFileParser
    expires: float


@dataclass
class _HostState:
    last_request: float | None = None
    interval: float | None = None
    robots: _Robots | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class Fetcher:
    """Fetches URLs politely and within limits (see the module docstring).

    Args:
        settings: limits and manners; :class:`FetchSettings` defaults when ``None``.
        client: an ``httpx.Client`` to use (e.g. with a mock transport); one is built otherwise.
        sleep: the sleeping function (tests pass a fake clock).
        clock: a monotonic clock in seconds.

    Use as a context manager or call :meth:`close`.
    """

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings or FetchSettings()
        self.user_agent = self.settings.user_agent or user_agent()
        self._own_client = client is None
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(self.settings.timeout),
            follow_redirects=False,
            headers={"User-Agent": self.user_agent, "Accept": ACCEPT},
        )
        self._sleep = sleep
        self._clock = clock
        self._hosts: dict[str, _HostState] = {}
        self._hosts_lock = threading.Lock()
        self.requests = 0

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP client (when this fetcher built it)."""
        if self._own_client:
            self._client.close()

    # -- per-host state ----------------------------------------------------------------------

    def _host(self, url: str) -> _HostState:
        key = host_key(url)
        with self._hosts_lock:
            state = self._hosts.get(key)
            if state is None:
                state = self._hosts[key] = _HostState()
            return state

    def set_rate(self, url: str, seconds: float) -> None:
        """Set the least time between requests to the host of ``url`` (overrides ``rate``)."""
        if seconds < 0:
            raise ConfigError("a rate limit interval must not be negative")
        self._host(url).interval = seconds

    def _wait_turn(self, url: str) -> None:
        state = self._host(url)
        interval = self.settings.rate if state.interval is None else state.interval
        with state.lock:
            now = self._clock()
            if state.last_request is not None:
                wait = state.last_request + interval - now
                if wait > 0:
                    self._sleep(wait)
                    now = self._clock()
            state.last_request = now

    # -- robots.txt --------------------------------------------------------------------------

    def allowed(self, url: str) -> bool:
        """Whether robots.txt of the URL's host lets eventwire fetch ``url``."""
        if not self.settings.robots:
            return True
        state = self._host(url)
        now = self._clock()
        if state.robots is None or state.robots.expires <= now:
            parser, ttl = self._load_robots(url)
            state.robots = _Robots(parser, now + ttl)
        return state.robots.parser.can_fetch(self.user_agent, url)

    def _load_robots(self, url: str) -> tuple[urllib.robotparser.RobotFileParser, float]:
        """The host's rules and how long to keep them (an unreachable file is retried sooner)."""
        parts = urlsplit(url)
        robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        parser = urllib.robotparser.RobotFileParser(robots_url)
        try:
            result = self._get(robots_url, {}, check_robots=False, accept_any=True)
        except FetchError as exc:
            if exc.transient:
                LOGGER.warning("robots.txt of %s unreachable (%s): host skipped", parts.netloc, exc)
                parser.parse(_DISALLOW_ALL)
                return parser, min(self.settings.robots_ttl, _ROBOTS_RETRY)
            # 401/403 forbid the whole host; other client errors (404, 410, ...) mean no rules.
            forbidden = exc.message.startswith(("HTTP 401", "HTTP 403"))
            parser.parse(_DISALLOW_ALL if forbidden else [])
            return parser, self.settings.robots_ttl
        text = result.content.decode("utf-8", errors="replace")
        parser.parse(text.splitlines())
        parser.modified()
        return parser, self.settings.robots_ttl

    # -- fetching ----------------------------------------------------------------------------

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET ``url`` (following redirects) within every limit.

        Args:
            url: an ``http(s)://`` URL.
            etag: the ETag of the copy held, sent as ``If-None-Match``.
            last_modified: its ``Last-Modified``, sent as ``If-Modified-Since``.

        Returns:
            The document, or a result with ``not_modified=True`` on a 304.

        Raises:
            FetchError: the URL is invalid, forbidden by robots.txt, unreachable, answered with an
                error status, redirected in a loop, too large or of an unusable content type.
        """
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._get(url, headers, check_robots=True, accept_any=False)

    def _get(
        self, url: str, headers: dict[str, str], *, check_robots: bool, accept_any: bool
    ) -> FetchResult:
        if not is_url(url) or not urlsplit(url).hostname:
            raise FetchError(f"not an http(s) URL: {url!r}", url=url)
        seen = [url]
        current = url
        while True:
            if check_robots and not self.allowed(current):
                where = "" if current == url else f" (redirected to {current})"
                raise FetchError(f"disallowed by robots.txt{where}", url=url)
            outcome = self._attempts(url, current, headers, accept_any)
            if isinstance(outcome, FetchResult):
                return outcome
            target = outcome
            if target in seen:
                raise FetchError(f"redirect loop: {' -> '.join([*seen, target])}", url=url)
            if len(seen) > self.settings.max_redirects:
                raise FetchError(
                    f"too many redirects (more than {self.settings.max_redirects})", url=url
                )
            seen.append(target)
            current = target

    def _attempts(
        self, url: str, current: str, headers: dict[str, str], accept_any: bool
    ) -> FetchResult | str:
        """One request with its retries: the result, or the redirect target."""
        attempt = 0
        while True:
            try:
                return self._once(url, current, headers, accept_any)
            except _Retry as retry:
                if attempt >= self.settings.retries:
                    raise FetchError(retry.reason, url=url, transient=True) from None
                delay = min(self.settings.backoff * (2**attempt), self.settings.max_backoff)
                if retry.after is not None:
                    delay = min(max(delay, retry.after), self.settings.max_backoff)
                LOGGER.info("%s: %s; retry %d in %.2fs", current, retry.reason, attempt + 1, delay)
                attempt += 1
                if delay > 0:
                    self._sleep(delay)

    def _once(
        self, url: str, current: str, headers: dict[str, str], accept_any: bool
    ) -> FetchResult | str:
        self._wait_turn(current)
        self.requests += 1
        started = self._clock()
        try:
            with self._client.stream("GET", current, headers=headers) as response:
                status = response.status_code
                if status in _REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(f"HTTP {status} redirect without Location", url=url)
                    target: str = urljoin(current, str(location).strip())
                    if not is_url(target):
                        raise FetchError(f"redirect to a non-HTTP URL: {target}", url=url)
                    return target
                if status == 304:
                    return FetchResult(
                        url=url,
                        final_url=current,
                        status=304,
                        etag=response.headers.get("etag"),
                        last_modified=response.headers.get("last-modified"),
                        not_modified=True,
                    )
                if status in _RETRY_STATUSES:
                    raise _Retry(
                        f"HTTP {status}", _retry_after(response.headers.get("retry-after"))
                    )
                if status >= 400:
                    raise FetchError(f"HTTP {status}", url=url, transient=False)
                if status != 200:
                    raise FetchError(f"unexpected HTTP status {status}", url=url)
                content_type = response.headers.get("content-type", "")
                if not accept_any and content_kind(content_type) is None:
                    raise FetchError(
                        f"unsupported content type {content_type.split(';')[0].strip()!r}", url=url
                    )
                content = self._body(url, response, started)
                return FetchResult(
                    url=url,
                    final_url=current,
                    status=status,
                    content=content,
                    content_type=content_type,
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                )
        except httpx.TimeoutException as exc:
            raise _Retry(f"timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise _Retry(f"network error: {type(exc).__name__}: {exc}") from exc
        except httpx.InvalidURL as exc:
            raise FetchError(f"invalid URL: {exc}", url=url) from exc
        except httpx.DecodingError as exc:
            raise FetchError(f"undecodable content encoding: {exc}", url=url) from exc

    def _body(self, url: str, response: httpx.Response, started: float) -> bytes:
        limit = self.settings.max_bytes
        declared = response.headers.get("content-length")
        encoded = response.headers.get("content-encoding", "identity").lower() not in (
            "",
            "identity",
        )
        if declared and declared.isdigit() and int(declared) > limit and not encoded:
            raise FetchError(
                f"response too large: Content-Length {declared} exceeds {limit} bytes", url=url
            )
        chunks: list[bytes] = []
        total = 0
        for chunk in response.iter_bytes(_CHUNK):
            total += len(chunk)
            if total > limit:
                raise FetchError(f"response too large: more than {limit} bytes", url=url)
            chunks.append(chunk)
            if self._clock() - started > self.settings.deadline:
                raise _Retry(f"transfer took longer than {self.settings.deadline:g}s")
        return b"".join(chunks)


class _Retry(Exception):
    """A failure worth another attempt (5xx, 429, network error, timeout)."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.after = after


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())

"""Shared pieces of the readers: limits, text decoding and cleaning, dates, the stream guard.

Every reader is a generator of ``Article | Reject``. A problem with one record becomes a
:class:`~eventwire.model.Reject` and the reader goes on; a problem with the *stream* itself (a
truncated gzip member, a decompression bomb, an I/O error) ends that file with one ``Reject`` at the
position where it broke, after everything read before the break has been yielded.
"""

from __future__ import annotations

import logging
import lzma
import re
import unicodedata
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import IO, Any

from dateutil import parser as date_parser
from dateutil import tz as date_tz

from eventwire.errors import ConfigError, InputError, RecordTooLarge
from eventwire.model import Article, Reject

__all__ = [
    "ReadItem",
    "ReadLimits",
    "clean_text",
    "decode_text",
    "garbage_ratio",
    "guard_stream",
    "parse_date",
    "read_whole",
]

LOGGER = logging.getLogger(__name__)

ReadItem = Article | Reject


@dataclass(frozen=True)
class ReadLimits:
    """Size limits that keep a hostile or broken input from exhausting memory or time.

    Attributes:
        max_record_bytes: the largest single record (a JSON line, an HTML page, a text file, a
            WARC payload, a feed document) that is read; a larger one becomes a ``Reject``.
        max_decompressed_bytes: the most bytes one gzip/bz2/xz file may expand to.
        max_json_depth: the deepest nesting of arrays/objects accepted in one JSON record.
    """

    max_record_bytes: int = 20_000_000
    max_decompressed_bytes: int = 500_000_000
    max_json_depth: int = 64

    def __post_init__(self) -> None:
        for name in ("max_record_bytes", "max_decompressed_bytes", "max_json_depth"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ConfigError(f"ReadLimits.{name} must be a positive integer, got {value!r}")


DEFAULT_LIMITS = ReadLimits()


class Cursor:
    """Where a reader currently is in its stream, so the guard can place a stream-level reject."""

    __slots__ = ("position",)

    def __init__(self) -> None:
        self.position: int | None = None


#: Exceptions that mean the underlying byte stream broke (not that one record was bad).
STREAM_ERRORS: tuple[type[BaseException], ...] = (
    EOFError,
    OSError,
    zlib.error,
    lzma.LZMAError,
    InputError,
)


def describe_stream_error(exc: BaseException) -> str:
    """A human reason for a broken stream."""
    if isinstance(exc, RecordTooLarge):
        return exc.message
    if isinstance(exc, InputError):
        return exc.message
    if isinstance(exc, EOFError):
        return f"truncated compressed stream: {exc}"
    if isinstance(exc, zlib.error | lzma.LZMAError):
        return f"corrupt compressed stream: {exc}"
    return f"read error: {type(exc).__name__}: {exc}"


def guard_stream(items: Iterator[ReadItem], source: str, cursor: Cursor) -> Iterator[ReadItem]:
    """Yield from a reader; if its stream breaks, yield one ``Reject`` at the break and stop."""
    try:
        yield from items
    except STREAM_ERRORS as exc:
        reason = describe_stream_error(exc)
        LOGGER.info("%s: stream ended early at %s: %s", source, cursor.position, reason)
        yield Reject(source=source, position=cursor.position, reason=reason)


#: Empty reads that make a definite end in :func:`read_whole`: one per stream layer that may
#: report a break as an end of file before raising it.
_EOF_CONFIRMATIONS = 4
_WHOLE_CHUNK = 1 << 20


def read_whole(stream: IO[bytes], limits: ReadLimits) -> bytes:
    """Read a single-record stream whole, refusing one larger than ``max_record_bytes``.

    Reads on past the first end of file: each buffering layer over a broken decompressed stream
    (truncated, over the limit) first reports the break as an end of file and raises on the next
    read, so a partial record must not be taken for a whole one.
    """
    chunks: list[bytes] = []
    total = 0
    empty = 0
    while empty < _EOF_CONFIRMATIONS:
        chunk = stream.read(min(_WHOLE_CHUNK, limits.max_record_bytes + 1 - total))
        if not chunk:
            empty += 1
            continue
        empty = 0
        chunks.append(chunk)
        total += len(chunk)
        if total > limits.max_record_bytes:
            raise RecordTooLarge(f"record too large: more than {limits.max_record_bytes} bytes")
    return b"".join(chunks)


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def bom_encoding(data: bytes) -> tuple[str | None, int]:
    """The encoding announced by a byte-order mark and the mark's length (``(None, 0)`` if none)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None, 0


def decode_text(data: bytes, encoding: str | None = None) -> str:
    """Decode bytes to text, never failing.

    A byte-order mark wins; then the given ``encoding``; then UTF-8. Bytes that are not valid UTF-8
    are handled so: when the input has no valid multi-byte UTF-8 sequence at all, it is taken to be
    Windows-1252 (the usual legacy encoding of English news text); otherwise the invalid bytes
    become U+FFFD. Callers use :func:`garbage_ratio` to reject text that is mostly replacement
    characters.
    """
    bom, skip = bom_encoding(data)
    if bom is not None:
        return data[skip:].decode(bom, errors="replace")
    if encoding is not None:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    replaced = data.decode("utf-8", errors="replace")
    has_utf8_multibyte = any(ord(ch) > 0x7F and ch != "\ufffd" for ch in replaced)
    if not has_utf8_multibyte:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    return replaced


def garbage_ratio(text: str) -> float:
    """Share of non-space characters that are U+FFFD or control characters (0.0 for empty text)."""
    total = 0
    bad = 0
    for ch in text:
        if ch.isspace():
            continue
        total += 1
        if ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Cs", "Co"):
            bad += 1
    return bad / total if total else 0.0


#: Text whose share of undecodable characters is above this is rejected as garbage.
MAX_GARBAGE_RATIO = 0.2

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_TRAILING_WS = re.compile(r"[ \t\u00a0]+\n")


def clean_text(text: str) -> str:
    """Normalise line breaks, drop NUL and other control characters, trim trailing blanks."""
    # The cheap membership tests skip regex passes that most clean text does not need.
    if "\r" in text or "\u2028" in text or "\u2029" in text or "\x85" in text:
        text = _NEWLINES.sub("\n", text)
    text = _CONTROL.sub("", text)
    if " \n" in text or "\t\n" in text or "\u00a0\n" in text:
        text = _TRAILING_WS.sub("\n", text)
    return text.strip()


#: Bidirectional embedding/override/isolate controls: in a title they can make text display
#: reversed or reordered in a terminal or browser ("Trojan Source"); they carry no meaning there.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """Collapse a title-like value onto one line, without bidirectional control characters."""
    return " ".join(_BIDI_CONTROLS.sub("", clean_text(text)).split())


_NOT_WORD = re.compile(r"[\W_]+")


def normalise_title(text: str) -> str:
    """A title reduced to lower-case words, for comparing a headline line with a title."""
    return _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

#: Common zone abbreviations, so that "EST" or "BST" keep their offset instead of being dropped.
_TZINFOS: dict[str, tzinfo | int] = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "BST": 3600,
    "IST": 19800,
    "CET": 3600,
    "CEST": 7200,
    "EET": 7200,
    "EEST": 10800,
    "MSK": 10800,
    "EST": -18000,
    "EDT": -14400,
    "CST": -21600,
    "CDT": -18000,
    "MST": -25200,
    "MDT": -21600,
    "PST": -28800,
    "PDT": -25200,
    "JST": 32400,
    "KST": 32400,
    "HKT": 28800,
    "SGT": 28800,
    "AEST": 36000,
    "AEDT": 39600,
}

_EPOCH_DIGITS = re.compile(r"-?\d{9,13}(?:\.\d+)?")
_FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)|\d{8}T")
# Missing parts of a partial date ("May 2025") become the first day/midnight, not today's.
_DEFAULT_DATE = datetime(2000, 1, 1)


def _from_epoch(value: float) -> datetime | None:
    # Values beyond the year 5138 in seconds are taken to be milliseconds.
    seconds = value / 1000.0 if abs(value) >= 1e11 else value
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def parse_date(value: Any) -> datetime | None:
    """Parse a publication date from any common representation; ``None`` when it is not a date.

    Accepts ``datetime`` objects, epoch seconds or milliseconds (numbers or digit strings; these
    are UTC), and strings in ISO 8601, RFC 2822 or prose forms ("17 March 2025",
    "March 17, 2025 7:27 PM"). A time zone in the input is kept; without one the result is naive.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value if _representable(value) else None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 100:
        return None
    if _EPOCH_DIGITS.fullmatch(text):
        return _from_epoch(float(text))
    if not _FOUR_DIGITS.search(text):
        # Without a year dateutil would silently use the current one.
        return None
    try:
        with warnings.catch_warnings():
            # An unknown zone name is dropped (naive result) rather than warned about.
            warnings.simplefilter("ignore")
            parsed = date_parser.parse(text, default=_DEFAULT_DATE, tzinfos=_TZINFOS)
    except (ValueError, OverflowError, TypeError, LookupError):
        return None
    if parsed.tzinfo is not None and parsed.utcoffset() == date_tz.UTC.utcoffset(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed if _representable(parsed) else None


def _representable(value: datetime) -> bool:
    """Whether ``value`` can be converted to UTC (year 1 or 9999 with an offset overflows)."""
    if value.tzinfo is None:
        return True
    try:
        value.astimezone(UTC)
    except OverflowError:
        return False
    return True

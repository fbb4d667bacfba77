"""Readers: turn files, directories, globs or standard input into a stream of articles.

>>> from eventwire.readers import read
>>> for item in read(["news/", "feeds/*.rss", "crawl.warc.gz"]):   # doctest: +SKIP
...     print(item.id if isinstance(item, Article) else item.reason)

One module per format, each with its own streaming function taking a binary stream and a source
name: :func:`~.record.read_article_record` (``.txt``), :func:`~.jsonl.read_json` /
:func:`~.jsonl.read_jsonl` (``.json``, ``.jsonl``/``.ndjson``), :func:`~.html.read_html`
(``.html``/``.htm``), :func:`~.feed.read_feed` (``.rss``, ``.atom``, ``.xml``) and
:func:`~.warc.read_warc` (``.warc``, ``.arc``). ``read`` picks the reader by extension and, when
the extension says nothing (or for standard input), by the first bytes; gzip, bzip2 and xz are
removed first, whatever the file is called.

Nothing is fatal: a file or record that cannot be read is yielded as a
:class:`~eventwire.model.Reject` with its source, position and reason, and reading goes on.
Binary files, empty files, bad encodings, over-long records, decompression bombs and truncated
archives are all reported that way. See ``docs/input-formats.md`` for every rule.
"""

from __future__ import annotations

import glob
import logging
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from eventwire.errors import ConfigError
from eventwire.fetch import Fetcher, is_url  # URL inputs (live monitoring)
from eventwire.model import Article, Reject

from ._base import (
    DEFAULT_LIMITS,
    MAX_GARBAGE_RATIO,
    STREAM_ERRORS,
    ReadLimits,
    decode_text,
    describe_stream_error,
    garbage_ratio,
)
from ._stream import (
    FORMATS,
    compression_of,
    decompress,
    detect_format,
    peek_prefix,
    sniff_binary,
    stream_error,
    to_utf8,
)
from .feed import read_feed
from .html import read_html
from .jsonl import read_json, read_jsonl
from .record import read_article_record
from .urls import read_url  # URL inputs (live monitoring)
from .warc import read_warc

__all__ = ["FORMATS", "ReadLimits", "detect_format", "read", "read_stream"]

LOGGER = logging.getLogger(__name__)
LOGGER.addHandler(logging.NullHandler())

STDIN = "-"
STDIN_SOURCE = "<stdin>"

_Reader = Callable[..., Iterator[Article | Reject]]

_READERS: dict[str, _Reader] = {
    "text": read_article_record,
    "json": read_json,
    "jsonl": read_jsonl,
    "html": read_html,
    "feed": read_feed,
    "warc": read_warc,
}

_GLOB_CHARS = frozenset("*?[")
_COMPRESSION_NAMES = {"gzip": "gzip", "bz2": "bzip2", "xz": "xz"}


def _canonical_format(fmt: str | None) -> str | None:
    if fmt is None:
        return None
    key = fmt.strip().lower().lstrip(".")
    if key not in FORMATS:
        known = ", ".join(sorted(set(FORMATS.values())))
        raise ConfigError(f"unknown input format {fmt!r} (known: {known})")
    return FORMATS[key]


def read_stream(
    stream: IO[bytes],
    source: str,
    *,
    name: str | None = None,
    fmt: str | None = None,
    limits: ReadLimits | None = None,
) -> Iterator[Article | Reject]:
    """Read one input stream of any supported format.

    Args:
        stream: a binary stream (a file, ``sys.stdin.buffer``, ``io.BytesIO``...).
        source: a name for the input, copied into every article and reject.
        name: the file name used to guess the format (defaults to ``source``).
        fmt: force a format (``text``, ``json``, ``jsonl``, ``html``, ``feed``, ``warc`` or an
            alias such as ``rss``/``ndjson``); compression is still detected.
        limits: size limits; :class:`ReadLimits` defaults when ``None``.

    Returns:
        An iterator of :class:`Article` and :class:`Reject`, in input order.
    """
    forced = _canonical_format(fmt)
    return _guarded_stream(
        stream, source, name if name is not None else source, forced, limits or DEFAULT_LIMITS
    )


def _guarded_stream(
    stream: IO[bytes], source: str, name: str, fmt: str | None, limits: ReadLimits
) -> Iterator[Article | Reject]:
    try:
        yield from _read_stream(stream, source, name, fmt, limits)
    except STREAM_ERRORS as exc:
        # Raised while sniffing, before a format reader (which guards itself) took over.
        yield Reject(source=source, reason=describe_stream_error(exc))


def _read_stream(
    stream: IO[bytes], source: str, name: str, fmt: str | None, limits: ReadLimits
) -> Iterator[Article | Reject]:
    prefix, stream = peek_prefix(stream)
    if not prefix:
        yield Reject(source=source, reason="empty file")
        return
    # Compression is taken from the magic bytes, not the name: a ".gz" file that is not
    # compressed is read as it is, and a compressed file without the suffix still works.
    compression = compression_of(prefix)
    if compression is None:
        yield from _read_plain(prefix, stream, source, name, fmt, limits)
        return
    decompressed = decompress(stream, compression, limits.max_decompressed_bytes)
    prefix, stream = peek_prefix(decompressed)
    if not prefix and stream_error(decompressed) is None:
        kind = _COMPRESSION_NAMES[compression]
        yield Reject(source=source, reason=f"empty file ({kind}-compressed)")
        return
    last: Article | Reject | None = None
    if prefix:
        name = _strip_compression_suffix(name)
        for last in _read_plain(prefix, stream, source, name, fmt, limits):
            yield last
    error = stream_error(decompressed)
    if error is not None and not (isinstance(last, Reject) and last.reason == error.message):
        # The format reader took the break for a normal end of file; say what really happened.
        yield Reject(source=source, reason=error.message)


def _read_plain(
    prefix: bytes, stream: IO[bytes], source: str, name: str, fmt: str | None, limits: ReadLimits
) -> Iterator[Article | Reject]:
    if fmt == "warc" or prefix.lstrip().startswith((b"WARC/", b"filedesc://")):
        # Archives carry binary payloads; the WARC reader does its own checks.
        yield from read_warc(stream, source, limits=limits)
        return
    binary = sniff_binary(prefix)
    if binary is not None:
        yield Reject(source=source, reason=f"binary file ({binary})")
        return
    prefix, stream = to_utf8(prefix, stream)
    if not prefix.strip():
        yield Reject(source=source, reason="file contains only whitespace")
        return
    if garbage_ratio(decode_text(prefix[:16384])) > MAX_GARBAGE_RATIO:
        yield Reject(source=source, reason="not readable text (mostly undecodable bytes)")
        return
    chosen = fmt or detect_format(name, prefix)
    LOGGER.debug("%s: reading as %s", source, chosen)
    yield from _READERS[chosen](stream, source, limits=limits)


def _strip_compression_suffix(name: str) -> str:
    lower = name.lower()
    for ext in (".gz", ".gzip", ".bz2", ".xz", ".lzma"):
        if lower.endswith(ext):
            return name[: -len(ext)]
    return name


#: Extensions of article files picked up when walking a directory (after a compression suffix is
#: removed). Files without an extension are sniffed too (crawler output often has none); other
#: files — README.md, scripts, images — are not articles and are left alone. A file named
#: explicitly on the command line is always read, whatever its name.
DIRECTORY_EXTENSIONS = frozenset(
    {
        ".txt",
        ".text",
        ".json",
        ".jsonl",
        ".ndjson",
        ".html",
        ".htm",
        ".xhtml",
        ".xml",
        ".rss",
        ".atom",
        ".warc",
        ".arc",
        "",
    }
)


def _is_article_file(name: str) -> bool:
    return Path(_strip_compression_suffix(name)).suffix.lower() in DIRECTORY_EXTENSIONS


def _walk(directory: Path) -> Iterator[Path]:
    """Article files under ``directory``, recursively, sorted; hidden files and folders and files
    of other kinds (see :data:`DIRECTORY_EXTENSIONS`) skipped."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for filename in filenames:
            if not filename.startswith(".") and _is_article_file(filename):
                found.append(Path(dirpath) / filename)
    yield from sorted(found, key=lambda p: str(p))


def _expand(spec: str) -> Iterator[Path | Reject]:
    path = Path(spec)
    if path.is_dir():
        yield from _walk(path)
        return
    if path.exists():
        yield path
        return
    if _GLOB_CHARS & set(spec):
        matches = sorted(glob.glob(spec, recursive=True))
        files: list[Path] = []
        for match in matches:
            candidate = Path(match)
            if candidate.is_dir():
                files.extend(_walk(candidate))
            elif not candidate.name.startswith("."):
                files.append(candidate)
        if not files:
            yield Reject(source=spec, reason="no files match the pattern")
        yield from files
        return
    yield Reject(source=spec, reason="no such file or directory")


def read(
    inputs: Iterable[str],
    *,
    limits: ReadLimits | None = None,
    fmt: str | None = None,
) -> Iterator[Article | Reject]:
    """Read articles from files, directories, glob patterns, standard input (``-``) or
    ``http(s)://`` URLs (pages, feeds, sitemaps; see :mod:`eventwire.readers.urls`).

    Directories are read recursively in sorted order, skipping hidden files and folders. Every
    input is streamed; nothing stops the stream: unreadable files and records become
    :class:`~eventwire.model.Reject` items.

    Args:
        inputs: paths, directories, glob patterns (``news/**/*.jsonl``) or ``-`` for stdin.
        limits: size limits; defaults to :class:`ReadLimits()`.
        fmt: force one format for every input instead of guessing (see :func:`read_stream`).

    Returns:
        An iterator of articles and rejects, file after file, in input order.

    Raises:
        ConfigError: ``fmt`` is not a known format name.
    """
    forced = _canonical_format(fmt)
    return _read_all(inputs, forced, limits or DEFAULT_LIMITS)


def _read_all(
    inputs: Iterable[str], forced: str | None, lim: ReadLimits
) -> Iterator[Article | Reject]:
    # URL inputs (added for live monitoring): http(s):// inputs are fetched by readers/urls.py,
    # all through one Fetcher so that rate limits and the robots.txt cache span the whole input
    # list; the fetcher is built on the first URL and closed when reading ends.
    fetcher: Fetcher | None = None
    try:
        for spec in inputs:
            if is_url(spec):
                fetcher = fetcher or Fetcher()
                yield from read_url(spec, fetcher, limits=lim)
                continue
            if spec == STDIN:
                yield from read_stream(
                    sys.stdin.buffer, STDIN_SOURCE, name="", fmt=forced, limits=lim
                )
                continue
            for item in _expand(spec):
                if isinstance(item, Reject):
                    yield item
                    continue
                yield from _read_path(item, forced, lim)
    finally:
        if fetcher is not None:
            fetcher.close()


def _read_path(path: Path, fmt: str | None, limits: ReadLimits) -> Iterator[Article | Reject]:
    source = str(path)
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        yield Reject(source=source, reason=f"cannot open file: {exc.strerror or exc}")
        return
    if not stat.S_ISREG(mode):
        # a FIFO, socket or device would block or never end
        yield Reject(source=source, reason="not a regular file (FIFO, socket or device)")
        return
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield Reject(source=source, reason=f"cannot open file: {exc.strerror or exc}")
        return
    with handle:
        yield from read_stream(handle, source, name=path.name, fmt=fmt, limits=limits)

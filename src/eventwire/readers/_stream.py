"""Byte-stream plumbing: decompression with a size cap, re-encoding to UTF-8, format sniffing.

The readers only ever see a buffered binary stream of UTF-8 (or declared-encoding) bytes: this
module removes gzip/bz2/xz compression (detected by magic bytes, so a misnamed file still works),
turns UTF-16/UTF-32 input (byte-order mark, or the tell-tale NUL pattern without one) into UTF-8,
and guesses the format from the file name and the first bytes.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import json
import lzma
import re
import zlib
from typing import IO, TYPE_CHECKING, Any

from eventwire.errors import InputError, RecordTooLarge

from ._base import bom_encoding, describe_stream_error

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = [
    "FORMATS",
    "compression_of",
    "decompress",
    "detect_format",
    "format_from_name",
    "peek_prefix",
    "sniff_binary",
    "sniff_format",
    "stream_error",
    "to_utf8",
]

#: Canonical format names, and the aliases accepted by ``read(fmt=...)``.
FORMATS: dict[str, str] = {
    "text": "text",
    "txt": "text",
    "record": "text",
    "json": "json",
    "jsonl": "jsonl",
    "ndjson": "jsonl",
    "html": "html",
    "htm": "html",
    "feed": "feed",
    "rss": "feed",
    "atom": "feed",
    "xml": "feed",
    "warc": "warc",
}

_EXTENSIONS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonlines": "jsonl",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".rss": "feed",
    ".atom": "feed",
    ".warc": "warc",
    ".arc": "warc",
}

_COMPRESSED_EXT: dict[str, str] = {
    ".gz": "gzip",
    ".gzip": "gzip",
    ".bz2": "bz2",
    ".xz": "xz",
    ".lzma": "xz",
}

_MAGIC_COMPRESSION: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
)

#: Magic numbers of binary files that are certainly not news text.
_MAGIC_BINARY: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive or Office document"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document"),
    (b"\x7fELF", "ELF executable"),
    (b"MZ", "Windows executable"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x28\xb5\x2f\xfd", "Zstandard-compressed data (not supported)"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"fLaC", "FLAC audio"),
    (b"\x00\x00\x01\x00", "icon image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"wOFF", "web font"),
    (b"PAR1", "Parquet file"),
)

SNIFF_BYTES = 65536


def format_from_name(name: str) -> tuple[str | None, str | None]:
    """``(format, compression)`` guessed from a file name's extensions (``None`` when unknown)."""
    lower = name.lower()
    compression = None
    for ext, kind in _COMPRESSED_EXT.items():
        if lower.endswith(ext):
            compression = kind
            lower = lower[: -len(ext)]
            break
    for ext, fmt in _EXTENSIONS.items():
        if lower.endswith(ext):
            return fmt, compression
    if lower.endswith(".xml"):
        return "xml", compression
    return None, compression


def compression_of(prefix: bytes) -> str | None:
    """The compression named by the magic bytes at the start of a stream."""
    for magic, kind in _MAGIC_COMPRESSION:
        if prefix.startswith(magic):
            return kind
    return None


class _DeferringRaw(io.RawIOBase):
    """A raw stream that reports a read error first as end-of-stream, then raises it.

    ``io.BufferedReader.read(n)`` loops over raw reads and drops the bytes it has gathered when
    one of them raises; deferring the error lets it hand out every byte read before a break
    (the end of a truncated gzip member, say) and raise on the following read.
    """

    def __init__(self) -> None:
        super().__init__()
        self._deferred: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        if self._deferred is not None:
            exc, self._deferred = self._deferred, None
            raise exc
        view = memoryview(buffer).cast("B")
        try:
            return self._read_into(view)
        except (EOFError, OSError, zlib.error, lzma.LZMAError, InputError) as exc:
            self._deferred = exc
            return 0

    def _read_into(self, view: memoryview) -> int:
        raise NotImplementedError


class _Chain(_DeferringRaw):
    """A raw stream that serves ``prefix`` and then the rest of ``inner``."""

    def __init__(self, prefix: bytes, inner: IO[bytes]) -> None:
        super().__init__()
        self._prefix = memoryview(prefix)
        self._inner = inner

    def _read_into(self, view: memoryview) -> int:
        if self._prefix:
            n = min(len(view), len(self._prefix))
            view[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._inner.read(len(view))
        n = len(data)
        view[:n] = data
        return n


def peek_prefix(stream: IO[bytes], size: int = SNIFF_BYTES) -> tuple[bytes, IO[bytes]]:
    """Read up to ``size`` bytes for sniffing and return them with an equivalent fresh stream.

    One ``read`` call: a buffered stream fills it up to ``size`` or the end of the data; a raw
    stream may return less, which only makes the sniffed window smaller.
    """
    prefix = stream.read(size)
    return prefix, io.BufferedReader(_Chain(prefix, stream), buffer_size=SNIFF_BYTES)


class _Limited(_DeferringRaw):
    """Decompressed bytes, counted: past ``limit`` the stream fails with :class:`RecordTooLarge`.

    The first error met (truncation, corruption, the limit) is kept in :attr:`error` so that the
    caller can report it even when the format reader took the early end for a normal one.
    """

    def __init__(
        self, inner: io.BufferedIOBase, limit: int, kind: str, compressed: _Counting | None = None
    ) -> None:
        super().__init__()
        self._inner = inner
        self._limit = limit
        self._kind = kind
        self._total = 0
        self._compressed = compressed
        self.error: InputError | None = None

    def _read_into(self, view: memoryview) -> int:
        if self.error is not None:
            raise self.error
        try:
            # read1: one step of the decompressor, so bytes decoded before a break are not lost.
            data = self._inner.read1(len(view))
        except (EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
            # Raised as InputError: some parsers (warcio) take a bare EOFError for a clean end.
            self.error = InputError(describe_stream_error(exc))
            raise self.error from exc
        n = len(data)
        self._total += n
        if self._total > self._limit:
            self.error = RecordTooLarge(
                f"{self._kind} stream expands to more than {self._limit} bytes "
                "(decompression limit; possible decompression bomb)"
            )
            raise self.error
        if (
            self._compressed is not None
            and self._total > RATIO_CHECK_AFTER
            and self._total > MAX_COMPRESSION_RATIO * max(self._compressed.count, 1)
        ):
            self.error = RecordTooLarge(
                f"{self._kind} stream expands more than {MAX_COMPRESSION_RATIO}:1 "
                f"({self._compressed.count} bytes gave {self._total}; possible decompression bomb)"
            )
            raise self.error
        view[:n] = data
        return n

    def close(self) -> None:
        self._inner.close()
        super().close()


def stream_error(stream: IO[bytes]) -> InputError | None:
    """The decompression error met by a stream from :func:`decompress`, if any."""
    raw = getattr(stream, "raw", None)
    return raw.error if isinstance(raw, _Limited) else None


#: Real text compresses 3-10:1; past this ratio (checked once this much has come out) a stream is
#: taken for a decompression bomb, so that a small file of blank lines cannot keep a reader busy
#: for minutes before the absolute limit stops it.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_AFTER = 16 * 1024 * 1024


class _Counting(io.RawIOBase):
    """Counts the compressed bytes the decompressor pulls from the underlying stream."""

    def __init__(self, inner: IO[bytes]) -> None:
        super().__init__()
        self._inner = inner
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


def decompress(stream: IO[bytes], kind: str, limit: int) -> IO[bytes]:
    """Wrap ``stream`` in a decompressor of ``kind`` that stops at ``limit`` output bytes or at a
    compression ratio above :data:`MAX_COMPRESSION_RATIO`."""
    # The decompressor is owned (and closed) by the returned reader, hence no context manager.
    counted = _Counting(stream)
    source = io.BufferedReader(counted, buffer_size=SNIFF_BYTES)
    inner: io.BufferedIOBase
    if kind == "gzip":
        inner = gzip.GzipFile(fileobj=source, mode="rb")
    elif kind == "bz2":
        inner = bz2.BZ2File(source, mode="rb")
    elif kind == "xz":
        inner = lzma.LZMAFile(source, mode="rb")  # noqa: SIM115
    else:
        raise ValueError(f"unknown compression {kind!r}")
    return io.BufferedReader(_Limited(inner, limit, kind, counted), buffer_size=SNIFF_BYTES)


def sniff_binary(prefix: bytes) -> str | None:
    """A description such as ``"PNG image"`` when ``prefix`` starts a binary (non-text) file."""
    for magic, what in _MAGIC_BINARY:
        if prefix.startswith(magic):
            if magic == b"MZ" and len(prefix) > 64 and b"PE\x00\x00" not in prefix[:1024]:
                continue
            return what
    if prefix[:4] == b"RIFF" and prefix[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}[prefix[8:12]]
    if prefix[4:8] == b"ftyp":
        return "MP4/ISO media"
    if bom_encoding(prefix)[0] is not None or utf16_without_bom(prefix) is not None:
        return None
    sample = prefix[:8192]
    if not sample:
        return None
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if controls / len(sample) > 0.1:
        return "binary data"
    return None


def utf16_without_bom(prefix: bytes) -> str | None:
    """Guess UTF-16 without a byte-order mark from the pattern of NUL bytes in mostly-ASCII text."""
    sample = prefix[:4096]
    if len(sample) < 8:
        return None
    even = sample[0::2]
    odd = sample[1::2]
    if odd.count(0) > 0.8 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.8 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


class _Transcode(_DeferringRaw):
    """Re-encodes a stream from ``encoding`` to UTF-8, chunk by chunk."""

    def __init__(self, inner: IO[bytes], encoding: str) -> None:
        super().__init__()
        self._inner = inner
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._pending = b""
        self._eof = False

    def _read_into(self, view: memoryview) -> int:
        while not self._pending and not self._eof:
            raw = self._inner.read(SNIFF_BYTES)
            if not raw:
                self._eof = True
                self._pending = self._decoder.decode(b"", final=True).encode("utf-8")
            else:
                self._pending = self._decoder.decode(raw).encode("utf-8")
        n = min(len(view), len(self._pending))
        view[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def to_utf8(prefix: bytes, stream: IO[bytes]) -> tuple[bytes, IO[bytes]]:
    """If the stream is UTF-16/UTF-32 (BOM or NUL pattern), re-encode it to UTF-8.

    A UTF-8 byte-order mark is dropped too. Returns a new ``(prefix, stream)`` pair.
    """
    encoding, skip = bom_encoding(prefix)
    if encoding == "utf-8":
        stream.read(skip)
        return peek_prefix(stream)
    if encoding is None:
        encoding = utf16_without_bom(prefix)
        skip = 0
        if encoding is None:
            return prefix, stream
    stream.read(skip)
    return peek_prefix(io.BufferedReader(_Transcode(stream, encoding), buffer_size=SNIFF_BYTES))


_XML_FEED = re.compile(rb"<(?:rss|feed|rdf:RDF|RDF)[\s>]", re.IGNORECASE)
_HTML_START = re.compile(
    rb"<(?:!doctype\s+html|!--|html|head|body|meta|title|article|div|span|p|h[1-6]|section|main|"
    rb"table|ul|nav|header|script|link)[\s>/]",
    re.IGNORECASE,
)


def sniff_format(prefix: bytes) -> str:
    """Guess the format of a (decompressed, UTF-8) stream from its first bytes.

    Returns one of ``"warc"``, ``"json"``, ``"jsonl"``, ``"feed"``, ``"html"`` or ``"text"``.
    """
    head = prefix.lstrip()
    if head.startswith((b"WARC/", b"filedesc://")):
        return "warc"
    if head.startswith(b"["):
        return "json"
    if head.startswith(b"{"):
        return "jsonl" if _first_line_is_object(head) else "json"
    if head.startswith(b"<"):
        window = head[:4096]
        if _XML_FEED.search(window):
            return "feed"
        if _HTML_START.search(window):
            return "html"
        if head[:5].lower() == b"<?xml":
            return "feed"
    return "text"


def _first_line_is_object(head: bytes) -> bool:
    line, newline, _rest = head.partition(b"\n")
    if not newline:
        # One line (or a first line longer than the sniff window): a minified JSON object and a
        # one-line JSON Lines file read the same way.
        return True
    try:
        value = json.loads(line.decode("utf-8", errors="replace"), strict=False)
    except (ValueError, RecursionError):
        return False
    return isinstance(value, dict)


def detect_format(name: str | None, prefix: bytes) -> str:
    """The format of a decompressed stream: the file extension wins, else the content decides.

    ``.xml`` files (and ``.rss``/``.atom`` misnamed ones) are sniffed between feed and HTML.
    """
    by_name = format_from_name(name)[0] if name else None
    if by_name == "xml":
        return sniff_format(prefix) if prefix.lstrip().startswith(b"<") else "feed"
    if by_name is not None:
        return by_name
    return sniff_format(prefix)

"""Hostile compressed streams and markup: gzip bombs, HTML with scripts and entity floods, XML
external entities, billion laughs, truncated WARC archives."""

from __future__ import annotations

import io
import time
import zlib
from pathlib import Path

import pytest
from hostile_support import (
    RSS_BOUND_MB,
    good_ids,
    good_line,
    read_bytes,
    read_file,
    run_capped,
    store_inputs,
)
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from eventwire.readers import ReadLimits

pytestmark = pytest.mark.timeout(60)

MB = 1 << 20


def _gzip_stream(head: bytes, filler: bytes, megabytes: int, tail: bytes = b"") -> bytes:
    """``head`` + ``megabytes`` MB of ``filler`` + ``tail``, gzip-compressed chunk by chunk."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = (filler * (MB // len(filler) + 1))[:MB]
    parts = [comp.compress(head)]
    parts.extend(comp.compress(block) for _ in range(megabytes))
    parts.append(comp.compress(tail))
    parts.append(comp.flush())
    return b"".join(parts)


def _gzip_members(head: bytes, filler: bytes, megabytes: int) -> bytes:
    """Like :func:`_gzip_stream` but cheap to build for gigabytes: ``head`` as one gzip member,
    then one 64 MB member of ``filler`` repeated (concatenated members are one valid gzip file)."""
    member = _gzip_stream(b"", filler, 64)
    return _gzip_stream(head, filler, 0) + member * (megabytes // 64)


# ---------------------------------------------------------------------------------------------
# Decompression bombs
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filler", "name"),
    [
        (b"\n", "newlines.jsonl.gz"),
        (b" ", "spaces.jsonl.gz"),
        (good_line(7) + b"\n", "dup.jsonl.gz"),
    ],
)
def test_gzip_bomb_stops_at_the_decompression_limit(filler: bytes, name: str) -> None:
    head = good_line(0) + b"\n" + good_line(1) + b"\n"
    bomb = _gzip_stream(head, filler, 64)
    assert len(bomb) < 400_000  # ratio > 160:1
    limits = ReadLimits(max_decompressed_bytes=4 * MB, max_record_bytes=MB)
    start = time.monotonic()
    articles, rejects = read_bytes(bomb, name, limits=limits)
    assert time.monotonic() - start < 15
    assert {"good-0", "good-1"} <= good_ids(articles)
    last = rejects[-1]
    assert last.source == name
    assert last.reason.startswith("gzip stream expands to more than 4194304 bytes")
    assert "decompression bomb" in last.reason


def test_zero_bomb_at_the_default_limit_stops_quickly(tmp_path: Path) -> None:
    """10 GB of zeros would be the classic bomb; 2 GB (2 MB compressed) shows the same thing."""
    path = tmp_path / "zeros.jsonl.gz"
    path.write_bytes(_gzip_members(b"", b"\x00", 2048))
    result = run_capped(
        f"""
        import time
        from eventwire.readers import read
        start = time.monotonic()
        items = [[type(i).__name__, getattr(i, "reason", "")] for i in read([{str(path)!r}])]
        print(json.dumps({{"items": items, "seconds": time.monotonic() - start}}))
        """,
        timeout=50,
    )
    assert result["items"] == [["Reject", "binary file (binary data)"]]
    assert isinstance(result["seconds"], float) and result["seconds"] < 5
    assert isinstance(result["maxrss_mb"], int) and result["maxrss_mb"] < RSS_BOUND_MB


def test_text_bomb_at_the_default_limit_stops_in_bounded_time_and_memory(tmp_path: Path) -> None:
    """A long run of spaces after a good record: skipped at the record limit, then cut at the
    default 500 MB decompression limit, in bounded memory."""
    path = tmp_path / "spaces.jsonl.gz"
    path.write_bytes(_gzip_members(good_line(0) + b"\n", b" ", 1024))
    result = run_capped(
        f"""
        import time
        from eventwire.readers import read
        start = time.monotonic()
        items = [[type(i).__name__, getattr(i, "reason", ""), i.position] for i in read([{str(path)!r}])]
        print(json.dumps({{"items": items, "seconds": time.monotonic() - start}}))
        """,
        timeout=50,
    )
    items = result["items"]
    assert isinstance(items, list) and items[0] == ["Article", "", 1]
    # Line 2 is over the record limit; skipping it runs into the decompression limit.
    assert all(item[1].startswith("record too large") for item in items[1:-1])
    # stopped by the absolute limit or, earlier, by the compression-ratio limit
    assert items[-1][1].startswith(
        ("gzip stream expands to more than 500000000 bytes", "gzip stream expands more than 100:1")
    )
    assert isinstance(result["seconds"], float) and result["seconds"] < 20
    assert isinstance(result["maxrss_mb"], int) and result["maxrss_mb"] < RSS_BOUND_MB


@pytest.mark.slow
@pytest.mark.timeout(15)
def test_blank_line_bomb_at_the_default_limit_stops_quickly(tmp_path: Path) -> None:
    path = tmp_path / "newlines.jsonl.gz"
    path.write_bytes(_gzip_members(good_line(0) + b"\n", b"\n", 2048))
    start = time.monotonic()
    articles, rejects = read_file(path)
    assert good_ids(articles) == {"good-0"}
    assert "decompression" in rejects[-1].reason
    assert time.monotonic() - start < 10


def test_truncated_and_corrupt_gzip(tmp_path: Path) -> None:
    whole = _gzip_stream(b"\n".join(good_line(i) for i in range(200)) + b"\n", b" ", 0)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    corrupt = tmp_path / "corrupt.jsonl.gz"
    corrupt.write_bytes(whole[:20] + bytes(200) + whole[220:])
    after = tmp_path / "z-after.jsonl"
    after.write_bytes(good_line(999) + b"\n")
    articles, rejects = read_file(cut, corrupt, after)
    assert "good-999" in good_ids(articles)
    by_source = {r.source: r.reason for r in rejects}
    assert by_source[str(cut)].startswith(("truncated compressed stream", "invalid JSON"))
    assert by_source[str(corrupt)].startswith(("corrupt compressed stream", "binary file"))


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------


def _hostile_html(amps: int) -> bytes:
    return (
        b"<!doctype html><html><head><title>Minister resigns over budget</title>"
        b"<script>var leak = 'SCRIPT-TEXT'; document.write('<p>SCRIPT-PARAGRAPH</p>');</script>"
        b"<style>p { content: 'STYLE-TEXT' }</style></head><body>"
        b"<iframe src='https://evil.example/'>IFRAME-FALLBACK</iframe>"
        b"<noscript>NOSCRIPT-TEXT</noscript>"
        b"<article><h1>Minister resigns over budget</h1>"
        b"<p>The finance minister resigned on Tuesday after parliament rejected the budget.</p>"
        b"<p>Flood: " + b"&amp;" * amps + b"</p>"
        b"<p>Numeric: &#65;&#x42;&#0;&#xD800;&#1114112;&#99999999999999999999; &#x110000; end.</p>"
        b"<p>The opposition called for an early election.</p></article>"
        b"<svg><script>alert('SVG-SCRIPT')</script></svg>"
        b"<object data='x.swf'>OBJECT</object><embed src='y'/>"
        b"<script>alert('TAIL-SCRIPT')</script></body></html>"
    )


def test_html_scripts_iframes_and_entity_flood() -> None:
    start = time.monotonic()
    (article,), rejects = read_bytes(_hostile_html(1_000_000), "page.html")
    assert time.monotonic() - start < 20
    assert rejects == []
    assert article.title == "Minister resigns over budget"
    assert "The finance minister resigned on Tuesday" in article.text
    assert "The opposition called for an early election." in article.text
    for marker in ("SCRIPT-TEXT", "SCRIPT-PARAGRAPH", "STYLE-TEXT", "SVG-SCRIPT", "TAIL-SCRIPT"):
        assert marker not in article.text
    assert "IFRAME-FALLBACK" not in article.text
    assert "&amp;" not in article.text  # decoded once, not left as markup
    assert "AB" in article.text
    assert "\x00" not in article.text  # &#0; is not a NUL in the output
    assert "\ud800" not in article.text  # no lone surrogates from &#xD800;
    article.model_dump_json()  # serialisable


def test_html_entity_flood_is_stored(tmp_path: Path) -> None:
    page = tmp_path / "flood.html"
    page.write_bytes(_hostile_html(100_000))
    good = tmp_path / "good.jsonl"
    good.write_bytes(good_line(0) + b"\n" + good_line(1) + b"\n")
    stats, counts = store_inputs([page, good], tmp_path / "store.db")
    assert stats.rejected == 0
    assert counts["articles"] == 3


def test_html_without_body_text_is_rejected() -> None:
    page = b"<html><head><title>Only a title</title><script>var x = 1;</script></head><body></body></html>"
    _, (reject,) = read_bytes(page, "empty.html")
    assert reject.source == "empty.html"
    assert "text" in reject.reason


# ---------------------------------------------------------------------------------------------
# XML feeds: external entities and entity expansion
# ---------------------------------------------------------------------------------------------


def _feed(doctype: str, item_title: str, item_body: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
{doctype}
<rss version="2.0"><channel><title>Wire &amp; Co</title><link>https://wire.example/</link>
<item><title>{item_title}</title><link>https://wire.example/1</link>
<description>{item_body}</description></item>
<item><title>Talks resume</title><link>https://wire.example/2</link>
<description>Negotiators from both sides resumed talks in Geneva on Monday.</description></item>
</channel></rss>
""".encode()


@pytest.mark.parametrize("name", ["feed.rss", "feed.xml", "feed.atom", "feed"])
def test_xxe_is_never_resolved(tmp_path: Path, secret_file: tuple[Path, str], name: str) -> None:
    secret, marker = secret_file
    doctype = (
        f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">'
        f'<!ENTITY % remote SYSTEM "file://{secret}"> %remote;]>'
    )
    path = tmp_path / name
    path.write_bytes(
        _feed(doctype, "Leak &xxe; attempt", "Body &xxe; of the story about the minister.")
    )
    articles, rejects = read_file(path)
    dump = "".join(a.model_dump_json() for a in articles) + "".join(r.reason for r in rejects)
    assert marker not in dump
    assert [a.title for a in articles][1:] == ["Talks resume"]
    assert articles[1].text.startswith("Negotiators from both sides")
    # Also through the store: nothing of the secret reaches the database.
    db = tmp_path / "store.db"
    _stats, counts = store_inputs([path], db)
    assert counts["articles"] == 2
    assert marker.encode() not in db.read_bytes()


def test_xxe_in_html_and_json_is_inert(tmp_path: Path, secret_file: tuple[Path, str]) -> None:
    secret, marker = secret_file
    html = tmp_path / "page.html"
    html.write_bytes(
        f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        "<html><body><p>The council met &xxe; on Monday to debate the budget.</p></body></html>".encode()
    )
    articles, _ = read_file(html)
    assert articles and all(marker not in a.model_dump_json() for a in articles)


def _lol_doctype(levels: int = 9) -> str:
    entities = ['<!ENTITY lol0 "lol">']
    for i in range(1, levels + 1):
        entities.append(f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">')
    return "<!DOCTYPE lolz [" + "".join(entities) + "]>"


@pytest.mark.parametrize("name", ["lol.rss", "lol.xml", "lol.html"])
def test_billion_laughs_is_not_expanded(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(_feed(_lol_doctype(), "Laugh &lol9;", "&lol9; &lol9; and the minister spoke."))
    start = time.monotonic()
    articles, _rejects = read_file(path)
    assert time.monotonic() - start < 10
    text = "".join(a.text + (a.title or "") for a in articles)
    assert "lollollol" not in text
    assert len(text) < 10_000
    if name != "lol.html":
        assert [a.title for a in articles][1:] == ["Talks resume"]


def test_quadratic_blowup_entity_is_not_expanded(tmp_path: Path) -> None:
    """One 50 kB entity referenced 50,000 times (no nesting) would expand to 2.5 GB."""
    big = "A" * 50_000
    doctype = f'<!DOCTYPE rss [<!ENTITY a "{big}">]>'
    path = tmp_path / "quad.rss"
    path.write_bytes(_feed(doctype, "Quad", "&a;" * 50_000))
    start = time.monotonic()
    articles, _ = read_file(path)
    assert time.monotonic() - start < 20
    assert all(big not in a.text for a in articles)
    assert articles[-1].title == "Talks resume"


# ---------------------------------------------------------------------------------------------
# WARC
# ---------------------------------------------------------------------------------------------


def _warc(pages: int) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    for i in range(pages):
        body = (
            f"<html><head><title>Story {i}</title></head><body><article><p>"
            f"The mayor of town {i} opened a new bridge on Sunday, officials said.</p>"
            f"<p>Residents had waited {i + 3} years for the crossing.</p></article></body></html>"
        ).encode()
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            f"https://news.example/{i}",
            "response",
            payload=io.BytesIO(body),
            http_headers=headers,
            warc_headers_dict={"WARC-Date": "2024-06-01T12:00:00Z"},
        )
        writer.write_record(record)
    return buffer.getvalue()


@pytest.mark.parametrize("cut_at", [0.3, 0.6, 0.97])
def test_truncated_warc_keeps_complete_records(tmp_path: Path, cut_at: float) -> None:
    data = _warc(4)
    path = tmp_path / "crawl.warc"
    path.write_bytes(data[: int(len(data) * cut_at)])
    after = tmp_path / "z-after.jsonl"
    after.write_bytes(good_line(0) + b"\n")
    articles, rejects = read_file(path, after)
    stories = [a for a in articles if a.source == str(path)]
    assert len(stories) == int(4 * cut_at)
    assert all(a.title and a.title.startswith("Story") for a in stories)
    assert good_ids(articles) == {"good-0"}
    (reject,) = rejects
    assert reject.source == str(path)
    assert reject.position is not None
    assert "truncated" in reject.reason or "corrupt" in reject.reason


def test_truncated_gzipped_warc_is_stored_up_to_the_cut(tmp_path: Path) -> None:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    data = comp.compress(_warc(4)) + comp.flush()
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(data[: len(data) * 3 // 4])
    stats, counts = store_inputs([path], tmp_path / "store.db")
    assert counts["articles"] == stats.read >= 1
    assert stats.rejected == 1 and counts["rejects"] == 1


@pytest.mark.parametrize(
    "data",
    [
        b"WARC/1.0\r\nWARC-Type: response\r\n\r\n" + bytes(500),
        b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\nabc",
        b"WARC/1.0\r\n\r\n",
    ],
    ids=["no-length", "short-payload", "no-type"],
)
def test_warc_with_broken_header(data: bytes) -> None:
    start = time.monotonic()
    articles, rejects = read_bytes(data, "junk.warc")
    assert time.monotonic() - start < 5
    assert articles == []
    assert rejects and rejects[0].source == "junk.warc"
    assert "WARC" in rejects[0].reason


@pytest.mark.parametrize(
    "data",
    [
        b"WARC/1.0\r\nWARC-Type: \x00\x01\xff\r\n\r\n" + bytes(500),
        b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: -5\r\n\r\n" + bytes(50),
    ],
    ids=["invalid-type", "negative-length"],
)
def test_warc_record_with_invalid_header_is_reported(data: bytes) -> None:
    articles, rejects = read_bytes(data, "junk.warc")
    assert articles == []
    assert rejects and "WARC" in rejects[0].reason

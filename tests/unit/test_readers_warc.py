"""WARC archives: HTML responses become articles, everything else is skipped, breaks are rejects."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from eventwire.model import Article, Reject
from eventwire.readers import ReadLimits, read
from eventwire.readers.warc import read_warc

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

PAGE = """<html><head><title>{title}</title></head><body><nav>Home | World</nav><article>
<h1>{title}</h1><p>{sentence} The statement was read out on state television on Sunday evening.</p>
<p>Diplomats from several countries said they were studying the proposal before responding.</p>
</article></body></html>"""


def _response(
    writer: WARCWriter, url: str, body: bytes, content_type: str, status: str = "200 OK"
) -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": "2024-06-01T12:00:00Z"},
    )
    writer.write_record(record)


def make_warc(gz: bool, pages: int = 3) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gz)
    request = writer.create_warc_record(
        "https://example.org/0", "request", payload=io.BytesIO(b"GET /0 HTTP/1.1\r\n\r\n")
    )
    writer.write_record(request)
    _response(
        writer, "https://example.org/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(300), "image/png"
    )
    _response(
        writer,
        "https://example.org/missing",
        b"<html><p>Not found</p></html>",
        "text/html",
        "404 Not Found",
    )
    for i in range(pages):
        page = PAGE.format(
            title=f"Government proposes talks {i}",
            sentence=f"The government proposed peace talks with the rebels, number {i}.",
        )
        _response(
            writer, f"https://example.org/story/{i}", page.encode(), "text/html; charset=utf-8"
        )
    _response(writer, "https://example.org/app.js", b"console.log(1)", "application/javascript")
    return buffer.getvalue()


@pytest.mark.parametrize("gz", [False, True])
def test_warc_html_responses_become_articles(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    path.write_bytes(make_warc(gz))
    items = list(read([str(path)]))
    assert all(isinstance(i, Article) for i in items), items
    assert [i.url for i in items] == [f"https://example.org/story/{n}" for n in range(3)]
    first = items[0]
    assert isinstance(first, Article)
    assert first.title == "Government proposes talks 0"
    assert first.text.startswith("The government proposed peace talks")
    assert "Home | World" not in first.text
    assert first.published == datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    assert first.source_id is not None and first.source_id.startswith("<urn:uuid:")
    offsets = [i.position for i in items]
    assert all(isinstance(o, int) for o in offsets) and offsets == sorted(offsets)


def test_truncated_warc_keeps_complete_records(tmp_path: Path) -> None:
    data = make_warc(False)
    path = tmp_path / "cut.warc"
    path.write_bytes(data[: len(data) - 900])
    items = list(read([str(path)]))
    articles = [i for i in items if isinstance(i, Article)]
    assert len(articles) == 2
    assert isinstance(items[-1], Reject)
    assert "truncated" in items[-1].reason
    assert items[-1].position is not None and items[-1].position > articles[-1].position  # type: ignore[operator]


def test_truncated_warc_gz_keeps_complete_records(tmp_path: Path) -> None:
    data = make_warc(True)
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[: len(data) - 500])
    items = list(read([str(path)]))
    articles = [i for i in items if isinstance(i, Article)]
    assert 1 <= len(articles) <= 3
    assert isinstance(items[-1], Reject)
    assert "truncated" in items[-1].reason


def test_oversized_payload_is_rejected_and_reading_goes_on() -> None:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    big = PAGE.format(title="Big", sentence="x " * 5000).encode()
    _response(writer, "https://example.org/big", big, "text/html")
    small = PAGE.format(title="Small", sentence="The envoy left.").encode()
    _response(writer, "https://example.org/small", small, "text/html")
    buffer.seek(0)
    items = list(read_warc(buffer, "w", limits=ReadLimits(max_record_bytes=5000)))
    assert isinstance(items[0], Reject) and "too large" in items[0].reason
    assert isinstance(items[1], Article) and items[1].title == "Small"


def test_not_a_warc_is_rejected() -> None:
    items = list(read_warc(io.BytesIO(b"WARC/1.0\r\nnonsense\r\n\r\n" + bytes(50)), "junk.warc"))
    assert len(items) == 1
    assert isinstance(items[0], Reject)


def test_example_warc_is_readable() -> None:
    path = EXAMPLES / "crawl.warc.gz"
    if not path.is_file():
        pytest.skip("examples/crawl.warc.gz not present")
    items = list(read([str(path)]))
    assert len(items) == 2
    assert all(isinstance(i, Article) for i in items)
    assert gzip.decompress(path.read_bytes()).startswith(b"WARC/1.")

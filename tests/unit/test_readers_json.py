"""JSON and JSON Lines: field mapping, wrappers, streaming arrays and broken records."""

from __future__ import annotations

import io
import itertools
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventwire.model import Article, Reject
from eventwire.readers import ReadLimits, read
from eventwire.readers.jsonl import article_from_mapping, json_depth, read_json, read_jsonl

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
NEWS = SHARED / "data" / "news"
CORPORA = [
    "bbc.jsonl",
    "india_police_events.jsonl",
    "polnear.jsonl",
    "reuters21578.jsonl",
    "wmt21_news_translations.jsonl",
    "worldwide_newswire.jsonl",
]

BODY = "Protesters gathered outside the embassy on Sunday to demand the release of the activists."


def _jsonl(records: list[Any]) -> io.BytesIO:
    return io.BytesIO(("\n".join(json.dumps(r) for r in records) + "\n").encode())


def _kinds(items: list[Article | Reject]) -> list[str]:
    return ["A" if isinstance(i, Article) else "R" for i in items]


@pytest.mark.parametrize("corpus", CORPORA)
def test_shared_corpora_sample_reads_without_rejects(corpus: str) -> None:
    path = NEWS / corpus
    if not path.is_file():
        pytest.skip("shared news corpora not available")
    with path.open("rb") as handle:
        sample = b"".join(itertools.islice(handle, 200))
        expected = [json.loads(line) for line in sample.splitlines()]
    items = list(read_jsonl(io.BytesIO(sample), corpus))
    assert [i for i in items if isinstance(i, Reject)] == []
    assert len(items) == 200
    for item, raw in zip(items, expected, strict=True):
        assert isinstance(item, Article)
        assert item.source_id == raw["id"]
        # line breaks kept, trailing blanks trimmed: the same words in the same order
        assert item.text.split() == raw["text"].split()
        assert item.text.count("\n") == raw["text"].strip().count("\n")
        assert item.title == (" ".join(raw["title"].split()) if raw["title"] else None)
        assert item.url == raw["url"]
        if raw["published"]:
            assert item.published is not None
            assert item.published.date().isoformat() == raw["published"][:10]
        assert item.outlet == (raw.get("outlet") or raw["source"])


@pytest.mark.parametrize(
    ("record", "field", "expected"),
    [
        ({"headline": "H", "body": BODY}, "title", "H"),
        ({"name": "N", "maintext": BODY}, "title", "N"),
        ({"title": "T", "content": BODY}, "text", BODY),
        ({"title": "T", "article": BODY}, "text", BODY),
        ({"title": "T", "full_text": BODY}, "text", BODY),
        ({"title": "T", "description": BODY}, "text", BODY),
        ({"title": "T", "text": ["First.", "Second."]}, "text", "First.\n\nSecond."),
        ({"text": BODY, "source_url": "https://x.example/1"}, "url", "https://x.example/1"),
        ({"text": BODY, "link": "https://x.example/2"}, "url", "https://x.example/2"),
        ({"text": BODY, "canonical_url": "https://x.example/3"}, "url", "https://x.example/3"),
        (
            {"text": BODY, "top_image": "https://x.example/a.jpg"},
            "image_url",
            "https://x.example/a.jpg",
        ),
        (
            {"text": BODY, "image": {"url": "https://x.example/b.jpg"}},
            "image_url",
            "https://x.example/b.jpg",
        ),
        ({"text": BODY, "publisher": "Daily"}, "outlet", "Daily"),
        ({"text": BODY, "source_name": "Wire"}, "outlet", "Wire"),
        ({"text": BODY, "domain": "x.example"}, "outlet", "x.example"),
        ({"text": BODY, "source": {"id": None, "name": "BBC News"}}, "outlet", "BBC News"),
        ({"text": BODY, "lang": "fr"}, "language", "fr"),
        ({"text": BODY, "_id": "abc"}, "source_id", "abc"),
        ({"text": BODY, "guid": 42}, "source_id", "42"),
        ({"text": BODY, "uuid": "u-1"}, "source_id", "u-1"),
        ({"Title": "Caps", "Text": BODY}, "title", "Caps"),
        ({"webTitle": "G", "fields": {"bodyText": BODY}}, "text", BODY),
    ],
)
def test_field_synonyms(record: dict[str, Any], field: str, expected: str) -> None:
    article = article_from_mapping(record, source="t")
    assert isinstance(article, Article)
    assert getattr(article, field) == expected


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"text": BODY, "date": "2024-02-01"}, datetime(2024, 2, 1)),
        ({"text": BODY, "date_publish": "2024-02-01 10:00:00"}, datetime(2024, 2, 1, 10)),
        (
            {"text": BODY, "pubDate": "Thu, 01 Feb 2024 10:00:00 +0200"},
            datetime(2024, 2, 1, 10, tzinfo=timezone(timedelta(hours=2))),
        ),
        (
            {"text": BODY, "publishedAt": "2024-02-01T08:00:00Z"},
            datetime(2024, 2, 1, 8, tzinfo=UTC),
        ),
        ({"text": BODY, "timestamp": 1706774400}, datetime(2024, 2, 1, 8, tzinfo=UTC)),
        ({"text": BODY, "timestamp": 1706774400000}, datetime(2024, 2, 1, 8, tzinfo=UTC)),
        ({"text": BODY, "datetime": "1706774400"}, datetime(2024, 2, 1, 8, tzinfo=UTC)),
    ],
)
def test_date_fields(record: dict[str, Any], expected: datetime) -> None:
    article = article_from_mapping(record)
    assert isinstance(article, Article)
    assert article.published == expected
    assert article.published is not None
    assert article.published.utcoffset() == expected.utcoffset()


def test_unparseable_date_is_noted_not_rejected() -> None:
    article = article_from_mapping({"text": BODY, "published": "sometime last week"})
    assert isinstance(article, Article)
    assert article.published is None
    assert article.errors and "unparseable date" in article.errors[0].reason


NEWSAPI = {
    "status": "ok",
    "totalResults": 2,
    "articles": [
        {
            "source": {"id": "reuters", "name": "Reuters"},
            "author": "A. Reporter",
            "title": "Ministers agree sanctions package",
            "description": "The package targets banks.",
            "url": "https://example.com/sanctions",
            "urlToImage": "https://example.com/sanctions.jpg",
            "publishedAt": "2024-05-01T12:30:00Z",
            "content": "Ministers agreed a sanctions package on Wednesday targeting three banks… [+2113 chars]",
        },
        {
            "source": {"id": None, "name": "Example Times"},
            "title": "Summit ends without a deal",
            "description": "Leaders left without agreement.",
            "url": "https://example.com/summit",
            "urlToImage": None,
            "publishedAt": "2024-05-02T09:00:00Z",
            "content": None,
        },
    ],
}


def test_newsapi_response() -> None:
    items = list(read_json(io.BytesIO(json.dumps(NEWSAPI, indent=2).encode()), "newsapi.json"))
    first, second = items
    assert isinstance(first, Article) and isinstance(second, Article)
    assert first.outlet == "Reuters"
    assert first.image_url == "https://example.com/sanctions.jpg"
    assert first.text == "Ministers agreed a sanctions package on Wednesday targeting three banks"
    assert first.has_flag("truncated_text")
    assert first.published == datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    assert second.text == "Leaders left without agreement."  # description fallback
    assert second.image_url is None


@pytest.mark.parametrize("key", ["articles", "items", "data", "results"])
def test_wrapper_objects(key: str) -> None:
    doc = {"meta": {"count": 2}, key: [{"title": "A", "text": BODY}, {"title": "B", "text": BODY}]}
    items = list(read_json(io.BytesIO(json.dumps(doc).encode()), "w.json"))
    assert [getattr(i, "title", None) for i in items] == ["A", "B"]


def test_json_array_is_streamed_with_positions() -> None:
    records = [{"title": f"T{i}", "text": f"{BODY} {i}"} for i in range(50)]
    data = json.dumps(records, indent=1).encode()
    items = list(read_json(io.BytesIO(data), "a.json"))
    assert [i.position for i in items] == list(range(1, 51))
    assert all(isinstance(i, Article) for i in items)


class _TrickleStream(io.RawIOBase):
    """Serves its data a few bytes at a time, like a slow pipe."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data = data
        self._pos = 0
        self._step = step

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._data[self._pos : self._pos + min(self._step, len(buffer))]
        buffer[: len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)


def test_json_array_items_split_across_reads() -> None:
    records = [{"id": i, "title": "T", "text": BODY, "n": 123456789} for i in range(300)]
    data = json.dumps(records).encode()
    items = list(read_json(_TrickleStream(data, 7), "slow.json"))  # type: ignore[arg-type]
    assert [i.source_id for i in items] == [str(i) for i in range(300)]


def test_json_array_syntax_error_keeps_items_before() -> None:
    data = (
        b'[{"title": "A", "text": "'
        + BODY.encode()
        + b'"}, {"title": "B", "text": oops}, {"text": "C"}]'
    )
    items = list(read_json(io.BytesIO(data), "bad.json"))
    assert _kinds(items) == ["A", "R"]
    assert items[1].position == 2
    assert "invalid JSON" in items[1].reason  # type: ignore[union-attr]


def test_truncated_json_array() -> None:
    data = json.dumps([{"text": BODY}, {"text": BODY + " again"}]).encode()[:-20]
    items = list(read_json(io.BytesIO(data), "cut.json"))
    assert _kinds(items) == ["A", "R"]


def test_json_file_holding_json_lines() -> None:
    data = _jsonl([{"title": "A", "text": BODY}, {"title": "B", "text": BODY}]).getvalue()
    items = list(read_json(io.BytesIO(data), "lines.json"))
    assert [getattr(i, "title", None) for i in items] == ["A", "B"]
    assert [i.position for i in items] == [1, 2]


def test_truncated_line_in_the_middle_of_jsonl() -> None:
    good = json.dumps({"title": "ok", "text": BODY})
    data = "\n".join([good, good[: len(good) // 2], good, "", good]).encode()
    items = list(read_jsonl(io.BytesIO(data), "mid.jsonl"))
    assert _kinds(items) == ["A", "R", "A", "A"]
    assert [i.position for i in items] == [1, 2, 3, 5]
    assert "invalid JSON" in items[1].reason  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("42", "JSON number where an article object was expected"),
        ('"just a string"', "JSON string"),
        ("[1, 2]", "JSON number"),
        ("null", "JSON null"),
        ('{"title": "no body here", "tags": ["a"]}', "record has no article text"),
        ('{"text": "   "}', "record has no article text"),
        ('{"text": {"en": "nested"}}', "record has no article text"),
    ],
)
def test_wrong_shape_is_rejected(line: str, reason: str) -> None:
    data = f"{line}\n{json.dumps({'text': BODY})}\n".encode()
    items = list(read_jsonl(io.BytesIO(data), "shape.jsonl"))
    assert isinstance(items[0], Reject)
    assert reason in items[0].reason
    assert isinstance(items[-1], Article)


@pytest.mark.parametrize("depth", [65, 5000])
def test_deeply_nested_json_is_rejected(depth: int) -> None:
    nested = "[" * depth + "]" * depth
    data = f'{{"text": "{BODY}", "x": {nested}}}\n{json.dumps({"text": BODY})}\n'.encode()
    items = list(read_jsonl(io.BytesIO(data), "deep.jsonl"))
    assert _kinds(items) == ["R", "A"]
    assert "nested too deeply" in items[0].reason  # type: ignore[union-attr]


def test_json_depth() -> None:
    assert json_depth(1) == 0
    assert json_depth({"a": [1, {"b": []}]}) == 4


def test_huge_single_line_is_rejected_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as handle:
        handle.write(json.dumps({"title": "before", "text": BODY}).encode() + b"\n")
        handle.write(b'{"text": "' + b"x" * 50_000_000 + b'"}\n')
        handle.write(json.dumps({"title": "after", "text": BODY}).encode() + b"\n")
    items = list(read([str(path)], limits=ReadLimits(max_record_bytes=1_000_000)))
    assert _kinds(items) == ["A", "R", "A"]
    assert "too large" in items[1].reason  # type: ignore[union-attr]
    assert items[1].position == 2
    assert items[2].title == "after"  # type: ignore[union-attr]


def test_invalid_utf8_inside_jsonl_is_replaced() -> None:
    data = b'{"title": "Caf\xe9 talks", "text": "Envoys met at the caf\xe9 on Monday."}\n'
    (item,) = list(read_jsonl(io.BytesIO(data), "latin.jsonl"))
    assert isinstance(item, Article)
    assert item.text == "Envoys met at the caf\ufffd on Monday."


def test_nul_bytes_in_jsonl_text_are_removed() -> None:
    data = b'{"title": "T", "text": "The envoy\x00 left."}\n'
    (item,) = list(read_jsonl(io.BytesIO(data), "nul.jsonl"))
    assert isinstance(item, Article)
    assert item.text == "The envoy left."


_GOOD = st.builds(
    lambda i, title: {"id": f"r{i}", "title": title, "text": f"{BODY} ({i})"},
    st.integers(min_value=0, max_value=10**6),
    st.text(min_size=1, max_size=30).filter(lambda t: t.strip() != ""),
)
_GARBAGE = st.one_of(
    st.binary(min_size=1, max_size=60).filter(lambda b: b"\n" not in b and b.strip() != b""),
    st.just(b'{"text": "unterminated'),
    st.just(b"[1, 2, 3]"),
    st.just(b'{"no_text": true}'),
)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(_GOOD.map(lambda r: ("good", r)), _GARBAGE.map(lambda g: ("bad", g))), max_size=25
    )
)
def test_property_garbage_lines_never_hide_good_records(lines: list[tuple[str, Any]]) -> None:
    """Every well-formed record is read, whatever garbage lines surround it."""
    data = b"\n".join(json.dumps(v).encode() if kind == "good" else v for kind, v in lines) + b"\n"
    items = list(read_jsonl(io.BytesIO(data), "prop.jsonl"))
    good_lines = [n for n, (kind, _) in enumerate(lines, start=1) if kind == "good"]
    articles = [i for i in items if isinstance(i, Article)]
    assert [a.position for a in articles if a.position in good_lines] == good_lines
    for article in articles:
        if article.position in good_lines:
            record = lines[article.position - 1][1]  # type: ignore[operator]
            assert article.source_id == record["id"]

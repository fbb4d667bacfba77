"""Hostile JSON: a 50 MB line, 100,000 tiny articles, deep nesting, a cut line, wrong shapes."""

from __future__ import annotations

import json
import time
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

from eventwire.readers import ReadLimits

pytestmark = pytest.mark.timeout(60)


def test_50mb_single_line_is_rejected_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as out:
        out.write(good_line(0) + b"\n")
        out.write(b'{"id": "huge", "title": "huge", "text": "')
        block = b"word " * 200_000  # 1 MB
        for _ in range(50):
            out.write(block)
        out.write(b'"}\n')
        out.write(good_line(1) + b"\n")
    result = run_capped(
        f"""
        from eventwire.readers import read
        items = []
        for item in read([{str(path)!r}]):
            items.append([type(item).__name__, item.position, getattr(item, "source_id", None),
                          getattr(item, "reason", None)])
        print(json.dumps({{"items": items}}))
        """,
        timeout=50,
    )
    items = result["items"]
    assert items == [
        ["Article", 1, "good-0", None],
        ["Reject", 2, None, "record too large: line longer than 20000000 bytes"],
        ["Article", 3, "good-1", None],
    ]
    # Reading streams: peak memory stays near the 20 MB record limit, far below the 50 MB line.
    assert isinstance(result["maxrss_mb"], int) and result["maxrss_mb"] < RSS_BOUND_MB


def test_50mb_single_line_article_record_and_json_document(tmp_path: Path) -> None:
    text = tmp_path / "huge.txt"
    text.write_bytes(b"Headline\n" + b"x" * 50_000_000)
    doc = tmp_path / "huge.json"
    doc.write_bytes(b'{"title": "t", "text": "' + b"y" * 50_000_000 + b'"}')
    array = tmp_path / "huge-array.json"
    array.write_bytes(
        b"[" + good_line(0) + b', {"text": "' + b"z" * 50_000_000 + b'"}, ' + good_line(1) + b"]"
    )
    articles, rejects = read_file(text, doc, array)
    assert [(r.source, r.reason.split(":")[0]) for r in rejects] == [
        (str(text), "record too large"),
        (str(doc), "record too large"),
        (str(array), "record too large"),
    ]
    # A streamed array stops at the over-long item; the items before it are kept.
    assert good_ids(articles) == {"good-0"}
    assert rejects[2].position == 2


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_100k_tiny_articles_read_and_cleaned_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(100_000):
            out.write(
                json.dumps(
                    {
                        "id": f"n{i}",
                        "title": f"Item {i}",
                        "text": f"Officials in town {i} met on day {i % 28 + 1}; round {i * 7919 % 100_003} ended.",
                    }
                )
                + "\n"
            )
        out.write('{"id": "cut", "text": "trunc\n')
    result = run_capped(
        f"""
        import time
        from eventwire.model import Article
        from eventwire.pipeline import build_pipeline
        from eventwire.readers import read
        pipeline = build_pipeline(stages=["eventwire.clean.v1"])
        start = time.monotonic()
        articles = rejects = 0
        last = None
        for item in pipeline.pipe_records(read([{str(path)!r}])):
            if isinstance(item, Article):
                articles += 1
                last = item.source_id
            else:
                rejects += 1
                reason = item.reason
                position = item.position
        print(json.dumps({{"articles": articles, "rejects": rejects, "last": last,
                          "reason": reason, "position": position,
                          "seconds": time.monotonic() - start}}))
        """,
        timeout=140,
    )
    assert result["articles"] == 100_000
    assert result["last"] == "n99999"
    assert result["rejects"] == 1
    assert result["position"] == 100_001
    assert str(result["reason"]).startswith("invalid JSON")
    # Streaming: memory does not grow with 100k articles held at once (measured: ~310 MB,
    # most of it the run's near-duplicate index).
    assert isinstance(result["maxrss_mb"], int) and result["maxrss_mb"] < RSS_BOUND_MB


def test_many_tiny_articles_are_all_stored(tmp_path: Path) -> None:
    """Representative subset, stored: 2,000 tiny articles with bad lines sprinkled in."""
    path = tmp_path / "many.jsonl"
    lines: list[bytes] = []
    for i in range(2_000):
        lines.append(good_line(i))
        if i % 500 == 250:
            lines.append(b'{"title": "broken"')
    path.write_bytes(b"\n".join(lines) + b"\n")
    start = time.monotonic()
    stats, counts = store_inputs([path], tmp_path / "store.db")
    assert time.monotonic() - start < 50
    assert stats.read == 2_000 and counts["articles"] == 2_000
    assert stats.rejected == 4 and counts["rejects"] == 4


@pytest.mark.parametrize("depth", [65, 1_000, 100_000, 1_000_000])
def test_deeply_nested_json_line(depth: int) -> None:
    deep = b'{"a": ' * depth + b"1" + b"}" * depth if depth < 1000 else b"[" * depth + b"]" * depth
    data = b"\n".join([good_line(0), deep, good_line(1)]) + b"\n"
    start = time.monotonic()
    articles, rejects = read_bytes(data, "deep.jsonl")
    assert time.monotonic() - start < 20
    assert good_ids(articles) == {"good-0", "good-1"}
    assert len(rejects) == 1
    assert rejects[0].source == "deep.jsonl" and rejects[0].position == 2
    assert "nested too deeply" in rejects[0].reason


def test_deeply_nested_json_document() -> None:
    deep = b"[" + good_line(0) + b", " + b"[" * 50_000 + b"]" * 50_000 + b", " + good_line(1) + b"]"
    articles, rejects = read_bytes(deep, "deep.json")
    assert good_ids(articles) == {"good-0"}
    assert len(rejects) == 1 and rejects[0].position == 2
    assert "nested too deeply" in rejects[0].reason or "array where an article" in rejects[0].reason


def test_truncated_json_line_in_the_middle() -> None:
    cut = good_line(1)[:40]
    data = b"\n".join([good_line(0), cut, good_line(2)]) + b"\n"
    articles, rejects = read_bytes(data, "cut.jsonl")
    assert good_ids(articles) == {"good-0", "good-2"}
    (reject,) = rejects
    assert (reject.source, reject.position) == ("cut.jsonl", 2)
    assert reject.reason.startswith("invalid JSON: ")


def test_truncated_json_line_reports_the_column_where_it_ends() -> None:
    cut = good_line(1)[:40]  # ends just after a complete "title" value
    _, (reject,) = read_bytes(b"\n".join([good_line(0), cut, good_line(2)]) + b"\n", "cut.jsonl")
    assert reject.reason == "invalid JSON: Expecting ',' delimiter (column 41)"


def test_truncated_json_array_keeps_items_before_the_cut() -> None:
    data = b"[" + good_line(0) + b", " + good_line(1) + b", " + good_line(2)[:30]
    articles, rejects = read_bytes(data, "cut.json")
    assert good_ids(articles) == {"good-0", "good-1"}
    (reject,) = rejects
    assert reject.position == 3 and "invalid JSON" in reject.reason


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"[1, 2, 3]", "JSON number where an article object was expected"),
        (b'"just a string"', "JSON string where an article object was expected"),
        (b"null", "JSON null where an article object was expected"),
        (b"true", "JSON boolean where an article object was expected"),
        (b"42", "JSON number where an article object was expected"),
        (b'{"title": "No body here", "url": "https://e.org/x"}', "record has no article text"),
        (b"{}", "record has no article text (keys: none)"),
        (b'{"title": "Numeric", "text": 12345}', "record has no article text (keys: text, title)"),
        (b'{"text": {"nested": "object"}}', "record has no article text"),
        (b'{"text": ["list", 3, "mixed"]}', "record has no article text"),
        (b'{"text": "   \\n\\t  "}', "record has no article text"),
        (b'{"text": "\\u0000\\u0001\\u0002"}', "record has no article text"),
    ],
)
def test_json_of_the_wrong_shape(line: bytes, reason: str) -> None:
    data = b"\n".join([good_line(0), line, good_line(1)]) + b"\n"
    articles, rejects = read_bytes(data, "shape.jsonl")
    assert good_ids(articles) == {"good-0", "good-1"}
    assert len(articles) == 2
    assert rejects, "the bad line must be reported"
    for reject in rejects:
        assert (reject.source, reject.position) == ("shape.jsonl", 2)
        assert reason in reject.reason


def test_wrong_shape_json_documents() -> None:
    for data, reason in [
        (b"[1, 2.5, -3]", "JSON number where an article object was expected"),
        (b"[]", "JSON array is empty"),
        (b'{"articles": "not a list"}', "record has no article text"),
        (b"[[" + good_line(0) + b"]]", "JSON array where an article object was expected"),
        (b"[" + good_line(0) + b"] trailing", "unexpected data after the JSON array"),
    ]:
        _, rejects = read_bytes(data, "doc.json")
        assert rejects and reason in rejects[-1].reason, (data[:40], rejects)


def test_wrong_typed_optional_fields_do_not_lose_the_article() -> None:
    record = {
        "id": ["x", "y"],
        "title": 42,
        "text": "The minister met the ambassador in Paris.",
        "url": {"href": 7},
        "source": ["a", {"b": 1}],
        "language": 3.5,
        "published": {"date": "2024-01-01"},
        "image": [None],
    }
    articles, rejects = read_bytes(json.dumps(record).encode(), "types.jsonl")
    assert rejects == []
    (article,) = articles
    assert article.text == record["text"]
    assert article.title is None  # a number is not a title
    assert article.published is None
    assert any("unparseable date" in e.reason for e in article.errors)


def test_limits_are_configurable_per_call() -> None:
    data = b"\n".join([good_line(0), b'{"a": [[[[[[1]]]]]]}', good_line(1)])
    articles, rejects = read_bytes(
        data, "lim.jsonl", limits=ReadLimits(max_json_depth=3, max_record_bytes=10_000)
    )
    assert good_ids(articles) == {"good-0", "good-1"}
    assert rejects[0].reason == "JSON nested too deeply (7 levels; limit 3)"

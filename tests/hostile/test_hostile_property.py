"""Property tests: random bytes and random JSON-ish structures never make ``read`` raise."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventwire.model import Article, Reject
from eventwire.readers import ReadLimits, read_stream

pytestmark = pytest.mark.timeout(120)

_LIMITS = ReadLimits(max_record_bytes=200_000, max_decompressed_bytes=2_000_000)
_NAMES = ["x.jsonl", "x.json", "x.txt", "x.html", "x.rss", "x.warc", "x.gz", "x", "-"]
_FORMATS = [None, "text", "json", "jsonl", "html", "feed", "warc"]

_PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(data: bytes, name: str, fmt: str | None) -> None:
    items = list(read_stream(io.BytesIO(data), name, fmt=fmt, limits=_LIMITS))
    for item in items:
        assert isinstance(item, Article | Reject)
        if isinstance(item, Reject):
            assert item.reason.strip()
            assert item.source == name
        else:
            assert item.text.strip()
            assert "\x00" not in item.text
            item.model_dump_json()


_PREFIXES = st.sampled_from(
    [
        b"",
        b"\x1f\x8b",
        b"BZh",
        b"\xfd7zXZ\x00",
        b"WARC/1.0\r\n",
        b"<?xml ",
        b"<rss>",
        b"<html>",
        b"[",
        b"{",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"%PDF-",
    ]
)


@_PROFILE
@given(
    prefix=_PREFIXES,
    data=st.binary(max_size=4096),
    name=st.sampled_from(_NAMES),
    fmt=st.sampled_from(_FORMATS),
)
def test_random_bytes(prefix: bytes, data: bytes, name: str, fmt: str | None) -> None:
    _check(prefix + data, name, fmt)


_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
_JSONISH = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "text",
                    "title",
                    "published",
                    "url",
                    "id",
                    "language",
                    "source",
                    "articles",
                    "content",
                    "fields",
                    "image",
                    "x",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=6,
        )
    ),
    max_leaves=30,
)


@_PROFILE
@given(
    values=st.lists(_JSONISH, min_size=1, max_size=6),
    as_lines=st.booleans(),
    cut=st.integers(min_value=0, max_value=50),
)
def test_random_json_structures(values: list[Any], as_lines: bool, cut: int) -> None:
    if as_lines:
        data = "\n".join(json.dumps(v, allow_nan=True) for v in values).encode()
        name = "r.jsonl"
    else:
        data = json.dumps(values, allow_nan=True).encode()
        name = "r.json"
    _check(data, name, None)
    if cut and len(data) > cut:
        _check(data[:-cut], name, None)  # truncated documents too


@pytest.mark.parametrize("line", [b"[]", b'{"articles": []}'], ids=["empty-array", "empty-wrapper"])
def test_empty_array_line_is_not_silently_dropped(line: bytes) -> None:
    items = list(read_stream(io.BytesIO(line + b"\n"), "e.jsonl"))
    assert items and all(isinstance(i, Reject) for i in items)

"""The plain-text article record (``.txt``): headline, body, optional image URL and timestamp."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventwire.model import Article, Reject
from eventwire.readers import ReadLimits, read
from eventwire.readers.record import (
    is_image_url,
    parse_article_record,
    parse_date_line,
    read_article_record,
)

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
SEED = SHARED / "seeds" / "000_3d0455d412e793cd.txt"

BODY = [
    "The government offered a ceasefire to the rebels on Friday.",
    "",
    "Rebel commanders rejected the offer hours later.",
]
IMAGE = "https://cdn.example.org/images/2025/03/talks.jpg?width=700"


def _read_one(text: str) -> Article:
    items = list(read_article_record(io.BytesIO(text.encode("utf-8")), "test.txt"))
    assert len(items) == 1
    assert isinstance(items[0], Article), items[0]
    return items[0]


def test_seed_article_record() -> None:
    if not SEED.is_file():
        pytest.skip("shared seed article not available")
    (item,) = list(read([str(SEED)]))
    assert isinstance(item, Article)
    assert item.title == "Your guide to what the US 2024 elections are for Washington and the world"
    assert item.published == datetime(2025, 3, 17, 19, 27)
    assert item.published.tzinfo is None
    assert item.image_url is not None
    assert item.image_url.startswith("https://www.ft.com/__origami/service/image/")
    assert item.text.endswith("if something happened.”")
    assert "ft.com" not in item.text and "2025-03-17" not in item.text
    assert item.text.startswith("Britain, France and Australia")
    assert len(item.paragraphs) == item.text.count("\n") + 1


def test_record_with_image_then_date() -> None:
    article = _read_one("\n".join(["Ceasefire offer refused", *BODY, IMAGE, "2025-03-17 19:27:00"]))
    assert article.title == "Ceasefire offer refused"
    assert article.text == "\n".join(BODY)
    assert article.image_url == IMAGE
    assert article.published == datetime(2025, 3, 17, 19, 27)
    assert len(article.paragraphs) == 2


def test_record_with_date_then_image_and_blank_lines() -> None:
    article = _read_one("\n".join(["Headline", *BODY, "", "17 March 2025", "", IMAGE, "", ""]))
    assert article.text == "\n".join(BODY)
    assert article.image_url == IMAGE
    assert article.published == datetime(2025, 3, 17)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2025-03-17 19:27:00", datetime(2025, 3, 17, 19, 27)),
        (
            "2025-03-17T19:27:00+01:00",
            datetime(2025, 3, 17, 19, 27, tzinfo=timezone(timedelta(hours=1))),
        ),
        ("2025-03-17T18:27:00Z", datetime(2025, 3, 17, 18, 27, tzinfo=UTC)),
        ("Mon, 17 Mar 2025 19:27:00 +0000", datetime(2025, 3, 17, 19, 27, tzinfo=UTC)),
        ("17 March 2025", datetime(2025, 3, 17)),
        ("March 17, 2025 7:27 PM", datetime(2025, 3, 17, 19, 27)),
        (
            "Published: 17 March 2025 at 7:27 pm EST",
            datetime(2025, 3, 17, 19, 27, tzinfo=timezone(timedelta(hours=-5))),
        ),
    ],
)
def test_timestamp_formats(line: str, expected: datetime) -> None:
    article = _read_one(f"Headline\nBody paragraph about the summit.\n{line}\n")
    assert article.published == expected
    assert article.published is not None
    assert article.published.utcoffset() == expected.utcoffset()
    assert article.text == "Body paragraph about the summit."


@pytest.mark.parametrize(
    "last_line",
    [
        "The talks ended in March 2025.",
        "In 2025",
        "2025",
        "He said the deal, signed on 17 March 2025, would hold.",
        "See https://example.org/report for the full text.",
        "March 17",
    ],
)
def test_body_lines_are_not_taken_for_metadata(last_line: str) -> None:
    article = _read_one(f"Headline\nFirst paragraph.\n{last_line}\n")
    assert article.text == f"First paragraph.\n{last_line}"
    assert article.published is None
    assert article.image_url is None


def test_bare_non_image_url_is_article_url() -> None:
    article = _read_one("Headline\nBody.\nhttps://news.example.org/world/story-1\n")
    assert article.url == "https://news.example.org/world/story-1"
    assert article.image_url is None
    assert article.text == "Body."


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/x/photo.JPG", True),
        ("https://a.example/image/v2/raw?id=1", True),
        ("https://a.example/resize?url=x&format=webp", True),
        ("https://a.example/world/story.html", False),
        ("https://a.example/images-of-war-article", False),
    ],
)
def test_is_image_url(url: str, expected: bool) -> None:
    assert is_image_url(url) is expected


def test_single_line_is_body_without_title() -> None:
    article = _read_one("Only one line of text about a protest in the capital.\n")
    assert article.title is None
    assert article.text == "Only one line of text about a protest in the capital."


def test_metadata_only_file_keeps_a_line() -> None:
    # A file that is nothing but a date: the date is the text, never an empty article.
    article = _read_one("17 March 2025\n")
    assert article.text == "17 March 2025"


def test_crlf_and_trailing_spaces_are_normalised() -> None:
    article = _read_one("Headline  \r\nFirst line.   \r\n\r\nSecond line.\r\n")
    assert article.title == "Headline"
    assert article.text == "First line.\n\nSecond line."


def test_cp1252_bytes_are_decoded() -> None:
    data = "Budget row\nThe bill costs £5bn – ministers said.\n".encode("cp1252")
    (item,) = list(read_article_record(io.BytesIO(data), "legacy.txt"))
    assert isinstance(item, Article)
    assert item.text == "The bill costs £5bn – ministers said."


def test_stray_invalid_utf8_byte_is_replaced_not_rejected() -> None:
    data = "Élection\nLe président a parlé. Fin.\n".encode().replace(b". Fin", b".\xff Fin")
    (item,) = list(read_article_record(io.BytesIO(data), "mixed.txt"))
    assert isinstance(item, Article)
    assert item.text == "Le président a parlé.\ufffd Fin."


def test_mostly_garbage_is_rejected() -> None:
    data = b"Title\n" + bytes(range(0x80, 0x100)) * 4 + "é".encode()
    (item,) = list(read_article_record(io.BytesIO(data), "garbage.txt"))
    assert isinstance(item, Reject)
    assert "undecodable" in item.reason


def test_record_too_large() -> None:
    data = b"Title\n" + b"word " * 1000
    (item,) = list(
        read_article_record(io.BytesIO(data), "big.txt", limits=ReadLimits(max_record_bytes=1000))
    )
    assert isinstance(item, Reject)
    assert "too large" in item.reason


def test_parse_date_line_requires_a_full_date() -> None:
    assert parse_date_line("May 2025") == datetime(2025, 5, 1)
    assert parse_date_line("Tuesday") is None
    assert parse_date_line("x" * 100 + " 2025-01-01") is None


_WORD = st.text(
    alphabet=st.characters(categories=("L", "N"), include_characters="'’-"),
    min_size=1,
    max_size=12,
)
_SENTENCE = st.lists(_WORD, min_size=3, max_size=15).map(lambda words: " ".join(words) + ".")
_PARAGRAPHS = st.lists(_SENTENCE, min_size=1, max_size=8)


@settings(max_examples=150, deadline=None)
@given(
    title=st.lists(_WORD, min_size=1, max_size=10).map(" ".join),
    paragraphs=_PARAGRAPHS,
    blank=st.booleans(),
)
def test_property_record_round_trip(title: str, paragraphs: list[str], blank: bool) -> None:
    """Any headline and body written as an article record reads back unchanged."""
    separator = "\n\n" if blank else "\n"
    body = separator.join(paragraphs)
    article = parse_article_record(f"{title}\n{body}\n", source="prop")
    assert isinstance(article, Article)
    assert article.title == title
    assert article.text == body
    assert len(article.paragraphs) == len(paragraphs)

"""HTML pages: main text without boilerplate, metadata from the page's own tags."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from eventwire.model import Article, Reject
from eventwire.readers import read
from eventwire.readers.html import article_from_html, html_to_text, read_html

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "readers"
PARAGRAPH = (
    "The opposition leader was arrested at dawn on Thursday, hours before a planned rally "
    "against the government in the capital, her party said in a statement."
)


def test_news_page_fixture() -> None:
    (item,) = list(read([str(FIXTURES / "news_page.html")]))
    assert isinstance(item, Article)
    assert item.title == "Envoys meet in Geneva as border talks resume"
    assert item.text.startswith("GENEVA - Negotiators from Armenia and Azerbaijan")
    assert item.text.endswith("avoid steps that could raise tensions.")
    for boilerplate in (
        "cookies",
        "Advertisement",
        "Related stories",
        "All rights reserved",
        "Privacy",
        "dataLayer",
    ):
        assert boilerplate not in item.text
    assert len(item.paragraphs) == 5
    assert item.published == datetime(2024, 11, 5, 8, 30, tzinfo=timezone(timedelta(hours=1)))
    assert item.url == "https://gazette.example.com/world/geneva-border-talks"
    assert item.image_url == "https://cdn.gazette.example.com/images/2024/11/geneva-talks.jpg"
    assert item.outlet == "The Test Gazette"
    assert item.language == "en-GB"


def test_minimal_page_uses_fallbacks() -> None:
    page = (
        f"<html><head><title>Leader arrested</title></head><body><p>{PARAGRAPH}</p></body></html>"
    )
    article = article_from_html(
        page.encode(),
        source="s",
        url="https://example.org/arrest",
        published=datetime(2024, 3, 1, 6, 0, tzinfo=UTC),
    )
    assert isinstance(article, Article)
    assert article.title == "Leader arrested"
    assert article.text == PARAGRAPH
    assert article.url == "https://example.org/arrest"
    assert article.published == datetime(2024, 3, 1, 6, 0, tzinfo=UTC)


def test_declared_legacy_charset_is_honoured() -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
        f"<title>Budget</title></head><body><p>The budget costs £5bn – {PARAGRAPH}</p></body></html>"
    ).encode("cp1252")
    (item,) = list(read_html(io.BytesIO(page), "legacy.html"))
    assert isinstance(item, Article)
    assert "£5bn – The opposition" in item.text


def test_page_without_text_is_rejected() -> None:
    page = b"<html><head><title>Gallery</title></head><body><nav><a href='/'>Home</a></nav><img src='a.jpg'></body></html>"
    (item,) = list(read_html(io.BytesIO(page), "empty.html"))
    assert isinstance(item, Reject)
    assert "no article text" in item.reason


def test_empty_html_file_is_rejected() -> None:
    (item,) = list(read_html(io.BytesIO(b"   \n"), "blank.html"))
    assert isinstance(item, Reject)
    assert "whitespace" in item.reason


def test_html_to_text_keeps_paragraphs_and_drops_scripts() -> None:
    fragment = "<p>First <b>bold</b>&nbsp;para.</p><script>evil()</script><ul><li>One</li><li>Two</li></ul>Tail<br>line"
    assert html_to_text(fragment) == "First bold para.\n\nOne\n\nTwo\n\nTail\n\nline"
    assert html_to_text("plain text, no markup") == "plain text, no markup"

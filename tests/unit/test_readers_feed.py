"""RSS 2.0 and Atom feeds, and the XML entity (XXE) guard."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from eventwire.model import Article, Reject
from eventwire.readers import read
from eventwire.readers.feed import read_feed, strip_doctype

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "readers"


def test_rss2_feed() -> None:
    items = list(read([str(FIXTURES / "feed_rss2.rss")]))
    first, second, third = items
    assert isinstance(first, Article) and isinstance(second, Article)
    assert first.title == "Envoys meet in Geneva as border talks resume"
    assert first.text == (
        "GENEVA - Negotiators from Armenia and Azerbaijan met in Geneva on Tuesday for the first "
        "round of border talks in eight months.\n\nThe Swiss mediator said a second round could be "
        "held before the end of the year."
    )
    assert "alert" not in first.text
    assert first.published == datetime(2024, 11, 5, 8, 30, tzinfo=timezone(timedelta(hours=1)))
    assert first.url == "https://gazette.example.com/world/geneva-border-talks"
    assert first.source_id == "https://gazette.example.com/world/geneva-border-talks"
    assert first.image_url == "https://cdn.gazette.example.com/images/2024/11/geneva-thumb.jpg"
    assert first.outlet == "Test Gazette - World"
    assert first.language == "en-gb"
    assert first.position == 1
    assert second.title == "Protesters rally outside parliament over pension reform"
    assert len(second.paragraphs) == 2
    assert second.image_url == "https://cdn.gazette.example.com/images/2024/11/protest.jpg"
    assert second.source_id == "gazette-20241104-77"
    assert isinstance(third, Reject)
    assert third.position == 3
    assert "no content or summary" in third.reason


def test_atom_feed() -> None:
    first, second = list(read([str(FIXTURES / "feed_atom.atom")]))
    assert isinstance(first, Article) and isinstance(second, Article)
    assert first.title == "Ministers sign trade accord in Nairobi"
    assert first.text.startswith("NAIROBI - Trade ministers from Kenya and Tanzania")
    assert len(first.paragraphs) == 2
    assert first.published == datetime(2024, 11, 6, 7, 15, tzinfo=timezone(timedelta(hours=3)))
    assert first.source_id == "tag:gazette.example.com,2024:diplomacy/101"
    assert first.url == "https://gazette.example.com/diplomacy/nairobi-accord"
    assert first.outlet == "Test Gazette Diplomacy"
    # no <published>: the entry's <updated> is used
    assert second.published == datetime(2024, 11, 5, 22, 10, tzinfo=UTC)
    assert second.text.startswith("The regional summit planned")


def test_xml_file_is_sniffed_as_feed(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_bytes((FIXTURES / "feed_atom.atom").read_bytes())
    assert len([i for i in read([str(path)]) if isinstance(i, Article)]) == 2


def _xxe_feed(target: Path) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "file://{target}"> <!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> ]>
<rss version="2.0"><channel><title>Feed &xxe;</title>
<item><title>Entity test</title><description>Before &xxe; after. The minister resigned.</description></item>
</channel></rss>""".encode()


def test_external_entities_are_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN-1234")
    items = list(read_feed(io.BytesIO(_xxe_feed(secret)), "xxe.rss"))
    assert items, "the feed's entries are still read"
    for item in items:
        assert "TOP-SECRET-TOKEN" not in item.model_dump_json()
    article = items[0]
    assert isinstance(article, Article)
    assert "The minister resigned." in article.text


def test_entity_expansion_bomb_is_harmless() -> None:
    lol = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    feed = f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY lol0 "lol">{lol}]>
<rss version="2.0"><channel><title>t</title><item><title>x</title>
<description>&lol9; The ceasefire held overnight.</description></item></channel></rss>"""
    (item,) = list(read_feed(io.BytesIO(feed.encode()), "lol.rss"))
    assert isinstance(item, Article)
    assert "lollol" not in item.text
    assert len(item.text) < 200


def test_strip_doctype_reports_entities() -> None:
    text, had = strip_doctype('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a/>')
    assert had is True
    assert text == '<?xml version="1.0"?><a/>'
    assert strip_doctype("<rss/>") == ("<rss/>", False)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>',
            "no entries",
        ),
        (b"<?xml version='1.0'?><rss><channel><item><title>broken", "no content"),
        (b"", "empty file"),
    ],
)
def test_unreadable_feeds_are_rejected(data: bytes, reason: str) -> None:
    items = list(read_feed(io.BytesIO(data), "bad.rss"))
    assert len(items) == 1
    assert isinstance(items[0], Reject)
    assert reason in items[0].reason

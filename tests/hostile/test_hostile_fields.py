"""Hostile field values: impossible and extreme dates, control and bidi characters in titles, an
extremely long title, user actor and lexicon files with a bad row."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hostile_support import good_body, good_ids, good_line, read_bytes, store_inputs

from eventwire.errors import LexiconError
from eventwire.kb import KnowledgeBase
from eventwire.lexicons import load_lexicon

pytestmark = pytest.mark.timeout(60)


def _dated(i: int, published: object) -> bytes:
    return json.dumps(
        {"id": f"d{i}", "title": f"Dated {i}", "text": good_body(100 + i), "published": published}
    ).encode()


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("9999-12-31T23:59:59Z", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
        ("9999-12-31", datetime(9999, 12, 31)),
        ("0001-01-01", datetime(1, 1, 1)),
        ("1066-10-14", datetime(1066, 10, 14)),
        ("0000-01-01", None),  # there is no year 0
        ("2024-13-45", None),
        ("2024-02-30", None),
        ("yesterday-ish", None),
        ("99999999999999999999", None),
        ("1e400", None),
        (-99_999_999_999, None),
        (1e18, None),
        ("x" * 10_000, None),
        ([2024, 1, 1], None),
        ({"year": 2024}, None),
        (True, None),
    ],
    ids=repr,
)
def test_extreme_and_malformed_dates(published: object, expected: datetime | None) -> None:
    data = b"\n".join([good_line(0), _dated(1, published), good_line(1)])
    articles, rejects = read_bytes(data, "dates.jsonl")
    assert rejects == []
    assert good_ids(articles) == {"good-0", "good-1"}
    dated = articles[1]
    assert dated.published == expected
    if expected is None:
        assert any(e.stage == "read" and "unparseable date" in e.reason for e in dated.errors)
        assert all(len(e.reason) < 200 for e in dated.errors)  # the bad value is cut short


def test_extreme_dates_are_stored(tmp_path: Path) -> None:
    path = tmp_path / "dates.jsonl"
    values = ["9999-12-31T23:59:59Z", "0001-01-01", "1066-10-14", "0000-01-01", "garbage"]
    path.write_bytes(b"\n".join(_dated(i, v) for i, v in enumerate(values)) + b"\n")
    stats, counts = store_inputs([path], tmp_path / "store.db")
    assert stats.read == counts["articles"] == len(values)


@pytest.mark.parametrize("published", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_dates_that_overflow_in_utc_do_not_abort_the_ingest(tmp_path: Path, published: str) -> None:
    path = tmp_path / "overflow.jsonl"
    path.write_bytes(b"\n".join([good_line(0), _dated(1, published), good_line(1)]) + b"\n")
    _stats, counts = store_inputs([path], tmp_path / "store.db")
    assert counts["articles"] == 3


_CONTROL_TITLE = "Minister\x07 \x1b[31mresigns\x1b[0m\x00 \x08over\x7f budget\x9b"
_BIDI_TITLE = "\u202eseilppus dia\u202c blocked \u2066at border\u2069 \u200fofficials say"


def test_control_characters_in_titles_are_removed() -> None:
    records = [
        {"id": "ctl", "title": _CONTROL_TITLE, "text": good_body(5)},
        {"id": "nl", "title": "Line one\nLine two\r\n\tand three\u2028four", "text": good_body(6)},
    ]
    data = b"\n".join([good_line(0), *(json.dumps(r).encode() for r in records), good_line(1)])
    articles, rejects = read_bytes(data, "titles.jsonl")
    assert rejects == [] and len(articles) == 4
    by_id = {a.source_id: a for a in articles}
    for key in ("ctl", "nl"):
        title = by_id[key].title or ""
        assert not [c for c in title if unicodedata.category(c) == "Cc"], repr(title)
    assert by_id["ctl"].title == "Minister [31mresigns[0m over budget"
    assert by_id["nl"].title == "Line one Line two and three four"


def test_bidi_overrides_in_titles_are_removed() -> None:
    data = json.dumps({"id": "rtl", "title": _BIDI_TITLE, "text": good_body(7)}).encode()
    (article,), _ = read_bytes(data, "rtl.jsonl")
    assert not set(article.title or "") & set("\u202a\u202b\u202c\u202d\u202e")


def test_bidi_and_control_titles_are_stored(tmp_path: Path) -> None:
    path = tmp_path / "titles.jsonl"
    rows = [
        {"id": "ctl", "title": _CONTROL_TITLE, "text": good_body(5)},
        {"id": "rtl", "title": _BIDI_TITLE, "text": good_body(7)},
        {
            "id": "ar",
            "title": "\u0627\u0644\u0648\u0632\u064a\u0631 \u202bUN\u202c",
            "text": good_body(8),
        },
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    stats, counts = store_inputs([path], tmp_path / "store.db")
    assert stats.rejected == 0 and counts["articles"] == 3


def test_extremely_long_title(tmp_path: Path) -> None:
    long_title = "Breaking " * 200_000  # 1.8 MB
    data = b"\n".join(
        [
            good_line(0),
            json.dumps({"id": "long", "title": long_title, "text": good_body(9)}).encode(),
        ]
    )
    articles, rejects = read_bytes(data, "long.jsonl")
    assert rejects == [] and good_ids(articles) == {"good-0"}
    (long,) = [a for a in articles if a.source_id == "long"]
    assert long.text == good_body(9)
    assert long.title and "\n" not in long.title
    path = tmp_path / "long.jsonl"
    path.write_bytes(data)
    _stats, counts = store_inputs([path], tmp_path / "store.db")
    assert counts["articles"] == 2


# ---------------------------------------------------------------------------------------------
# User data files
# ---------------------------------------------------------------------------------------------


def test_actor_file_with_a_bad_row_names_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "my-actors.yaml"
    path.write_text(
        "version: '1'\n"
        "organizations:\n"
        "  - {code: WIDGETCO, name: Widget Co, kind: MNC, sector: BUS}\n"
        "agents:\n"
        "  - {term: harbour masters, sector: GOV}\n"
        "  - {term: wardens, sector: NOT-A-SECTOR}\n"
        "  - {term: rangers, sector: GOV}\n",
        encoding="utf-8",
    )
    with pytest.raises(LexiconError) as info:
        KnowledgeBase.load([path])
    assert info.value.path == str(path)
    assert info.value.row == 6
    assert str(info.value).startswith(f"{path}:6: ")
    assert "NOT-A-SECTOR" in str(info.value) or "sector" in str(info.value)


@pytest.mark.parametrize(
    ("body", "row"),
    [
        ("agents:\n  - {term: ok, sector: GOV}\n  - {term: '', sector: GOV}\n", 3),
        ("agents:\n  - {term: ok, sector: GOV}\n  - {term: x, sector: GOV, extra: 1}\n", 3),
        ("agents:\n  - {term: ok, sector: GOV}\n  - {term: [a, b], sector: GOV}\n", 3),
    ],
    ids=["empty-term", "unknown-key", "list-term"],
)
def test_actor_file_bad_rows(tmp_path: Path, body: str, row: int) -> None:
    path = tmp_path / "actors.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        KnowledgeBase.load([path])
    assert info.value.path == str(path)
    assert info.value.row == row


def test_actor_file_scalar_row_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "actors.yaml"
    path.write_text("agents:\n  - {term: ok, sector: GOV}\n  - 42\n", encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        KnowledgeBase.load([path])
    assert info.value.row == 3


# Non-UTF-8 user files were a bare UnicodeDecodeError before; now a LexiconError naming the file.
_NOT_UTF8 = pytest.mark.issue(9)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(100), "", marks=_NOT_UTF8),
        pytest.param(b"\xff\xfe\x00\x00garbage", "", marks=_NOT_UTF8),
        (b"agents: &a [*a]\n", ""),
        (b"a: &a [" + b"*a," * 10 + b"]\nb: &b [" + b"*a," * 10 + b"]\n", ""),
    ],
    ids=["binary", "bad-encoding", "recursive-alias", "alias-bomb"],
)
def test_hostile_actor_file_is_a_lexicon_error(tmp_path: Path, data: bytes, fragment: str) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_bytes(data)
    with pytest.raises(LexiconError) as info:
        KnowledgeBase.load([path])
    assert info.value.path == str(path)
    assert fragment in str(info.value)


_LEX_HEAD = 'version: "1"\nsource: test\nlicense: CC0-1.0\nknown_gaps: none\npatterns:\n'


def test_lexicon_file_with_a_bad_row_names_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "my-lexicon.yaml"
    path.write_text(
        _LEX_HEAD
        + '  - {id: U.ok, kind: verb, lemma: zap, target: dobj, cameo: "190"}\n'
        + '  - {id: U.bad, kind: verb, lemma: zop, target: dobj, cameo: "999"}\n',
        encoding="utf-8",
    )
    with pytest.raises(LexiconError) as info:
        load_lexicon([path])
    assert info.value.path == str(path)
    assert info.value.row == 2
    assert "U.bad" in str(info.value) and "999" in str(info.value)
    assert str(info.value).startswith(f"{path}:2: ")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\x01\x02",
        pytest.param(b"\xff\xfe\xfa", marks=_NOT_UTF8),
        b"patterns: &p [*p]\n",
        b"- a\n- b\n",
    ],
    ids=["empty", "binary", "bad-utf8", "recursive-alias", "list"],
)
def test_hostile_lexicon_file_is_a_lexicon_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_bytes(data)
    with pytest.raises(LexiconError) as info:
        load_lexicon([path])
    assert info.value.path == str(path)


def test_cli_reports_bad_actor_file_with_exit_code_2(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from eventwire.cli import app

    actors = tmp_path / "actors.yaml"
    actors.write_text("agents:\n  - {term: ok, sector: GOV}\n  - {term: x, sector: NOPE}\n")
    articles = tmp_path / "in.jsonl"
    articles.write_bytes(good_line(0) + b"\n")
    result = CliRunner().invoke(
        app,
        [
            "code",
            str(articles),
            "--format",
            "jsonl",
            "--quiet",
            "--actors",
            str(actors),
            "--set",
            'pipeline.stages=["eventwire.clean.v1", "eventwire.nlp.spacy.v1", '
            '"eventwire.actors.resolver.v1"]',
        ],
    )
    assert result.exit_code == 2, result.output
    assert f"{actors}:3" in " ".join(result.output.split())

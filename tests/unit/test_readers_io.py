"""``eventwire.readers.read``: inputs (files, directories, globs, stdin), sniffing, compression,
and the bad inputs that must become rejects without stopping the stream."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from eventwire.errors import ConfigError
from eventwire.model import Article, Reject
from eventwire.readers import FORMATS, ReadLimits, detect_format, read, read_stream

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "readers"

BODY = "The foreign minister met the ambassador on Monday to discuss the ceasefire proposal."


def _jsonl(n: int, prefix: str = "story") -> bytes:
    lines = [
        json.dumps({"id": f"{prefix}-{i}", "title": f"Title {i}", "text": f"{BODY} Item {i}."})
        for i in range(n)
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _split(items: list[Article | Reject]) -> tuple[list[Article], list[Reject]]:
    return (
        [i for i in items if isinstance(i, Article)],
        [i for i in items if isinstance(i, Reject)],
    )


def _record(title: str = "Talks resume", body: str = BODY) -> bytes:
    return f"{title}\n{body}\n".encode()


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


def test_read_directory_recursive_sorted_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "two.txt").write_bytes(_record("Second"))
    (tmp_path / "a.txt").write_bytes(_record("First"))
    (tmp_path / "c.jsonl").write_bytes(_jsonl(2))
    (tmp_path / ".hidden.txt").write_bytes(_record("Hidden"))
    (tmp_path / ".git" / "config.txt").write_bytes(_record("Hidden dir"))
    items = list(read([str(tmp_path)]))
    articles, rejects = _split(items)
    assert rejects == []
    assert [a.title for a in articles] == ["First", "Second", "Title 0", "Title 1"]
    assert articles[0].source == str(tmp_path / "a.txt")


def test_read_glob_pattern(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_bytes(_record("X"))
    (tmp_path / "y.txt").write_bytes(_record("Y"))
    (tmp_path / "z.jsonl").write_bytes(_jsonl(1))
    articles, rejects = _split(list(read([str(tmp_path / "*.txt")])))
    assert rejects == []
    assert [a.title for a in articles] == ["X", "Y"]


def test_read_missing_path_and_empty_glob_are_rejects(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_bytes(_record())
    items = list(read([str(tmp_path / "nope.txt"), str(tmp_path / "*.nomatch"), str(tmp_path)]))
    assert isinstance(items[0], Reject) and "no such file" in items[0].reason
    assert isinstance(items[1], Reject) and "no files match" in items[1].reason
    assert isinstance(items[2], Article)


class _FakeStdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


@pytest.mark.parametrize(
    ("data", "expected_title"),
    [
        (_jsonl(1), "Title 0"),
        (_record("From stdin"), "From stdin"),
        (json.dumps([{"title": "Array item", "text": BODY}]).encode(), "Array item"),
    ],
)
def test_read_stdin_sniffs_format(
    monkeypatch: pytest.MonkeyPatch, data: bytes, expected_title: str
) -> None:
    monkeypatch.setattr(sys, "stdin", _FakeStdin(data))
    items = list(read(["-"]))
    assert len(items) == 1
    assert isinstance(items[0], Article)
    assert items[0].title == expected_title
    assert items[0].source == "<stdin>"


def test_read_stdin_feed_and_html(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", _FakeStdin((FIXTURES / "feed_rss2.rss").read_bytes()))
    assert len([i for i in read(["-"]) if isinstance(i, Article)]) == 2
    monkeypatch.setattr(sys, "stdin", _FakeStdin((FIXTURES / "news_page.html").read_bytes()))
    (item,) = list(read(["-"]))
    assert isinstance(item, Article) and item.outlet == "The Test Gazette"


@pytest.mark.parametrize(
    ("name", "prefix", "expected"),
    [
        ("a.jsonl", b"{}", "jsonl"),
        ("a.ndjson", b"{}", "jsonl"),
        ("a.json", b"{}", "json"),
        ("a.txt", b"{}", "text"),
        ("a.HTML", b"", "html"),
        ("a.rss", b"", "feed"),
        ("a.atom", b"", "feed"),
        ("a.warc", b"", "warc"),
        ("a.xml", b'<?xml version="1.0"?><rss version="2.0">', "feed"),
        ("a.xml", b"<html><body><p>x</p></body></html>", "html"),
        ("", b"WARC/1.1\r\n", "warc"),
        ("", b'  [{"a": 1}]', "json"),
        ("", b'{"a": 1}\n{"a": 2}\n', "jsonl"),
        ("", b'{\n  "a": 1\n}\n', "json"),
        ("", b"<!DOCTYPE html><html>", "html"),
        ("", b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">', "feed"),
        ("", b"Headline\nBody text.\n", "text"),
    ],
)
def test_detect_format(name: str, prefix: bytes, expected: str) -> None:
    assert detect_format(name, prefix) == expected


def test_fmt_forces_reader_and_unknown_fmt_raises(tmp_path: Path) -> None:
    path = tmp_path / "articles.data"
    path.write_bytes(_jsonl(2))
    articles, _ = _split(list(read([str(path)], fmt="ndjson")))
    assert len(articles) == 2
    with pytest.raises(ConfigError):
        read([str(path)], fmt="docx")
    assert set(FORMATS.values()) == {"text", "json", "jsonl", "html", "feed", "warc"}


@pytest.mark.parametrize("field", ["max_record_bytes", "max_decompressed_bytes", "max_json_depth"])
def test_read_limits_reject_non_positive(field: str) -> None:
    with pytest.raises(ConfigError):
        ReadLimits(**{field: 0})


# ---------------------------------------------------------------------------------------------
# Compression
# ---------------------------------------------------------------------------------------------

COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    ".gz": gzip.compress,
    # 100 kB blocks, so that a cut stream still holds complete blocks
    ".bz2": lambda data: bz2.compress(data, compresslevel=1),
    ".xz": lzma.compress,
}


@pytest.mark.parametrize("ext", sorted(COMPRESSORS))
@pytest.mark.parametrize("inner", [".jsonl", ".txt", ".rss"])
def test_compressed_inputs_are_read(tmp_path: Path, ext: str, inner: str) -> None:
    raw = {
        ".jsonl": _jsonl(3),
        ".txt": _record("Compressed record"),
        ".rss": (FIXTURES / "feed_rss2.rss").read_bytes(),
    }[inner]
    path = tmp_path / f"data{inner}{ext}"
    path.write_bytes(COMPRESSORS[ext](raw))
    articles, _ = _split(list(read([str(path)])))
    assert len(articles) == {".jsonl": 3, ".txt": 1, ".rss": 2}[inner]


def test_compression_detected_by_magic_not_name(tmp_path: Path) -> None:
    unnamed = tmp_path / "blob.jsonl"
    unnamed.write_bytes(gzip.compress(_jsonl(2)))
    misnamed = tmp_path / "plain.jsonl.gz"
    misnamed.write_bytes(_jsonl(2))
    items = list(read([str(unnamed), str(misnamed)]))
    articles, rejects = _split(items)
    assert rejects == []
    assert len(articles) == 4


def test_gzip_bomb_is_rejected_not_expanded(tmp_path: Path) -> None:
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"A" * 5_000_000, compresslevel=9))
    limits = ReadLimits(max_decompressed_bytes=1_000_000)
    (item,) = list(read([str(path)], limits=limits))
    assert isinstance(item, Reject)
    assert "decompression limit" in item.reason


@pytest.mark.parametrize("ext", sorted(COMPRESSORS))
def test_truncated_compressed_stream_keeps_records_before_break(tmp_path: Path, ext: str) -> None:
    raw = _jsonl(4000)
    packed = COMPRESSORS[ext](raw)
    path = tmp_path / f"cut.jsonl{ext}"
    path.write_bytes(packed[: len(packed) // 2])
    items = list(read([str(path)]))
    articles, rejects = _split(items)
    assert 0 < len(articles) < 4000
    assert [a.source_id for a in articles] == [f"story-{i}" for i in range(len(articles))]
    assert isinstance(items[-1], Reject)
    assert "truncated" in items[-1].reason or "corrupt" in items[-1].reason
    assert items[-1].position is not None and items[-1].position > 1
    # the last good line may be cut in the middle: at most one other reject, for that line
    assert len(rejects) <= 2


def test_file_after_broken_file_is_still_read(tmp_path: Path) -> None:
    packed = gzip.compress(_jsonl(100))
    (tmp_path / "a.jsonl.gz").write_bytes(packed[:200])
    (tmp_path / "b.txt").write_bytes(_record("Still read"))
    items = list(read([str(tmp_path)]))
    assert isinstance(items[-1], Article) and items[-1].title == "Still read"


# ---------------------------------------------------------------------------------------------
# Bad inputs
# ---------------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(100)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("empty.jsonl", b"", "empty file"),
        ("blank.txt", b"  \n\t\n  \n", "only whitespace"),
        ("blank.jsonl", b"\n\n   \n", "only whitespace"),
        ("photo.txt", PNG, "binary file (PNG image)"),
        ("photo.png", PNG, "binary file (PNG image)"),
        ("report.pdf", PDF, "binary file (PDF document)"),
        ("noise.bin", bytes(range(256)) * 40, "binary"),
        ("empty.txt.gz", gzip.compress(b""), "empty file"),
    ],
)
def test_bad_files_are_rejects(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    (item,) = list(read([str(path)]))
    assert isinstance(item, Reject)
    assert reason in item.reason
    assert item.source == str(path)


def test_bad_file_does_not_stop_the_stream(tmp_path: Path) -> None:
    (tmp_path / "1.png").write_bytes(PNG)
    (tmp_path / "2.txt").write_bytes(b"")
    (tmp_path / "3.jsonl").write_bytes(_jsonl(2))
    items = list(read([str(tmp_path / n) for n in ("1.png", "2.txt", "3.jsonl")]))
    assert [type(i).__name__ for i in items] == ["Reject", "Reject", "Article", "Article"]
    # walking the directory skips files that are not article files (the image) but reads the rest
    walked = list(read([str(tmp_path)]))
    assert [type(i).__name__ for i in walked] == ["Reject", "Article", "Article"]
    assert walked[0].source.endswith("2.txt")


def test_directory_walk_skips_non_article_files(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# About these files\n\nNot an article.\n")
    (tmp_path / "make.py").write_text("print('x')\n")
    (tmp_path / "feed").write_bytes(_jsonl(1))  # no extension: sniffed
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(_jsonl(1)))
    items = list(read([str(tmp_path)]))
    assert [type(i).__name__ for i in items] == ["Article", "Article"]
    assert sorted(Path(i.source).name for i in items) == ["a.jsonl.gz", "feed"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "utf-32"])
def test_unicode_encodings_with_bom_are_decoded(tmp_path: Path, encoding: str) -> None:
    text = "Pourparlers à Genève\nLe ministre a rencontré l’ambassadeur — encore.\n"
    data = text.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        data = ("\ufeff" + text).encode(encoding)
    path = tmp_path / "article.txt"
    path.write_bytes(data)
    (item,) = list(read([str(path)]))
    assert isinstance(item, Article)
    assert item.title == "Pourparlers à Genève"
    assert item.text == "Le ministre a rencontré l’ambassadeur — encore."


def test_utf16_jsonl_without_bom_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "wide.jsonl"
    path.write_bytes(_jsonl(3).decode().encode("utf-16-le"))
    articles, rejects = _split(list(read([str(path)])))
    assert rejects == []
    assert [a.title for a in articles] == ["Title 0", "Title 1", "Title 2"]


def test_nul_bytes_are_removed_from_text(tmp_path: Path) -> None:
    path = tmp_path / "nul.txt"
    path.write_bytes(b"Sanctions\x00 announced\nThe ministry\x00 announced sanctions on Tuesday.\n")
    (item,) = list(read([str(path)]))
    assert isinstance(item, Article)
    assert item.title == "Sanctions announced"
    assert "\x00" not in item.text
    assert item.text == "The ministry announced sanctions on Tuesday."


def test_read_stream_accepts_any_binary_stream() -> None:
    items = list(read_stream(io.BytesIO(gzip.compress(_jsonl(2))), "memory"))
    assert [i.source for i in items] == ["memory", "memory"]
    assert all(isinstance(i, Article) for i in items)


@pytest.mark.parametrize("ext", sorted(COMPRESSORS))
def test_truncated_single_record_file_is_a_reject_not_a_partial_article(
    tmp_path: Path, ext: str
) -> None:
    body = " ".join(f"Sentence {i} about the negotiations in the capital." for i in range(20000))
    packed = COMPRESSORS[ext](f"Headline\n{body}\n".encode())
    path = tmp_path / f"cut.txt{ext}"
    path.write_bytes(packed[: len(packed) // 2])
    items = list(read([str(path)]))
    assert len(items) == 1
    assert isinstance(items[0], Reject)
    assert "truncated" in items[0].reason or "corrupt" in items[0].reason


def test_text_starting_with_angle_bracket_is_not_html() -> None:
    (item,) = list(
        read_stream(io.BytesIO(b"<3 for peace, say protesters\nThousands marched.\n"), "-")
    )
    assert isinstance(item, Article)
    assert item.title == "<3 for peace, say protesters"

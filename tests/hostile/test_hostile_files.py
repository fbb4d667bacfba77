"""Hostile files: empty, blank, binary, bad encodings, misnamed or empty compression, broken
directories. Each bad file is a ``Reject`` naming the file and the problem (or, for text that is
merely damaged, a cleaned article), and the good files next to it are still read and stored."""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path

import pytest
from hostile_support import good_ids, good_line, read_file, store_inputs

pytestmark = pytest.mark.timeout(60)


def _png() -> bytes:
    """A real (tiny, valid) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    raw = b"".join(b"\x00" + bytes([200, 30, 30] * 16) for _ in range(16))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _pdf() -> bytes:
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"3 0 obj\n<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 712 Td (Minister resigns) Tj ET\n"
        b"endstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.jsonl", b"", "empty file"),
        ("empty.txt", b"", "empty file"),
        ("blank.jsonl", b"  \n\t\r\n   \n", "only whitespace"),
        ("blank.txt", b"\n\n \t \n", "only whitespace"),
        ("blank.json", b"   \r\n ", "only whitespace"),
        ("photo.png", _png(), "binary file (PNG image)"),
        # The extension lies: the magic bytes still win.
        ("photo.jsonl", _png(), "binary file (PNG image)"),
        ("report.pdf", _pdf(), "binary file (PDF document)"),
        ("report.txt", _pdf(), "binary file (PDF document)"),
        ("zero.gz", b"", "empty file"),
        ("zero.jsonl.gz", b"", "empty file"),
        ("empty-member.jsonl.gz", gzip.compress(b""), "empty file (gzip-compressed)"),
        ("random.bin", bytes(range(256)) * 64, "binary"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "",
)
def test_bad_file_is_one_reject_and_neighbours_are_read(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    first = tmp_path / "a-good.jsonl"
    first.write_bytes(good_line(0) + b"\n" + good_line(1) + b"\n")
    bad = tmp_path / ("b-" + name)
    bad.write_bytes(data)
    last = tmp_path / "c-good.jsonl"
    last.write_bytes(good_line(2) + b"\n")
    articles, rejects = read_file(first, bad, last)
    assert good_ids(articles) == {"good-0", "good-1", "good-2"}
    assert len(articles) == 3
    assert len(rejects) == 1
    assert rejects[0].source == str(bad)
    assert reason in rejects[0].reason


def test_nul_bytes_inside_text_are_removed(tmp_path: Path) -> None:
    path = tmp_path / "nul.jsonl"
    nul_record = b'{"id": "nul", "title": "Minis\\u0000ter\\u0000", "text": "The\\u0000 army\\u0000 withdrew."}'
    raw_nul = b'{"id": "raw", "title": "Raw\x00NUL", "text": "Troops\x00 left\x00 the city."}'
    path.write_bytes(b"\n".join([good_line(0), nul_record, raw_nul, good_line(1)]) + b"\n")
    articles, rejects = read_file(path)
    assert rejects == []
    by_id = {a.source_id: a for a in articles}
    assert set(by_id) == {"good-0", "nul", "raw", "good-1"}
    for key in ("nul", "raw"):
        article = by_id[key]
        assert "\x00" not in article.text and "\x00" not in (article.title or "")
    assert by_id["nul"].text == "The army withdrew."
    assert by_id["raw"].text == "Troops left the city."
    # A plain-text article record with NULs is cleaned the same way.
    txt = tmp_path / "nul.txt"
    txt.write_bytes(b"Headline\x00 here\nThe minister\x00 resigned on Friday.\n")
    (article,), rejects = read_file(txt)
    assert rejects == [] and article.title == "Headline here"
    assert article.text == "The minister resigned on Friday."


def test_invalid_utf8_bytes_become_replacement_characters(tmp_path: Path) -> None:
    path = tmp_path / "latin.jsonl"
    broken = b'{"id": "broken", "title": "Caf\xe9 \xff", "text": "Le caf\xe9 \xc3\x28 fut ferm\xe9 by police."}'
    path.write_bytes(b"\n".join([good_line(0), broken, good_line(1)]) + b"\n")
    articles, rejects = read_file(path)
    assert rejects == []
    by_id = {a.source_id: a for a in articles}
    assert set(by_id) == {"good-0", "broken", "good-1"}
    assert "\ufffd" in by_id["broken"].text  # damaged, not guessed and not dropped
    assert "police" in by_id["broken"].text


def test_legacy_cp1252_text_file_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(
        "Premier\u2019s caf\u00e9 visit\nThe premier\u2019s visit ended.\n".encode("cp1252")
    )
    (article,), rejects = read_file(path)
    assert rejects == []
    assert article.title == "Premier\u2019s caf\u00e9 visit"


def test_mostly_undecodable_text_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "garbage.txt"
    path.write_bytes(b"Title\n" + b"\xff\xfe\xfd\x80\x81" * 2000)
    articles, (reject,) = read_file(path)
    assert articles == []
    assert reject.source == str(path)
    assert "not readable text" in reject.reason


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_unicode_with_bom(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / f"bom-{encoding}.jsonl"
    text = "\n".join(line.decode() for line in (good_line(0), good_line(1))) + "\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path.write_bytes(data)
    articles, rejects = read_file(path)
    assert rejects == []
    assert good_ids(articles) == {"good-0", "good-1"}
    assert articles[0].text.startswith("On Monday")


def test_windows_line_endings_and_no_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "crlf.jsonl"
    rec = b'{"id": "multi", "title": "T", "text": "Line one.\\r\\nLine two.\\rLine three."}'
    path.write_bytes(b"\r\n".join([good_line(0), rec, b"", good_line(1), good_line(2)]))
    articles, rejects = read_file(path)
    assert rejects == []
    assert good_ids(articles) == {"good-0", "good-1", "good-2"}
    assert [a.position for a in articles] == [1, 2, 4, 5]
    multi = next(a for a in articles if a.source_id == "multi")
    assert multi.text == "Line one.\nLine two.\nLine three."
    assert all("\r" not in a.text for a in articles)
    # The same for a CRLF article record.
    txt = tmp_path / "crlf.txt"
    txt.write_bytes(b"Headline\r\nFirst paragraph.\r\n\r\nSecond paragraph.")
    (article,), _ = read_file(txt)
    assert article.title == "Headline"
    assert article.text == "First paragraph.\n\nSecond paragraph."


def test_gz_name_holding_plain_text_is_read_as_is(tmp_path: Path) -> None:
    path = tmp_path / "not-really.jsonl.gz"
    path.write_bytes(good_line(0) + b"\n" + good_line(1) + b"\n")
    articles, rejects = read_file(path)
    assert rejects == []
    assert good_ids(articles) == {"good-0", "good-1"}


def test_symlink_loop_in_directory_does_not_hang(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "good.jsonl").write_bytes(good_line(0) + b"\n")
    os.symlink(folder, folder / "sub" / "loop")  # directory loop
    os.symlink(folder / "self-a", folder / "self-b")  # file loop
    os.symlink(folder / "self-b", folder / "self-a")
    os.symlink(tmp_path / "missing.jsonl", folder / "dangling.jsonl")
    (folder / "z-good.jsonl").write_bytes(good_line(1) + b"\n")
    articles, rejects = read_file(folder)
    assert good_ids(articles) == {"good-0", "good-1"}
    assert len(articles) == 2  # the looped directory is not walked into
    broken = {Path(r.source).name: r.reason for r in rejects}
    assert set(broken) == {"dangling.jsonl", "self-a", "self-b"}
    assert all(reason.startswith("cannot open file") for reason in broken.values())


@pytest.mark.timeout(10)
def test_fifo_in_directory(tmp_path: Path) -> None:
    """A named pipe without a writer would block a naive reader forever."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-good.jsonl").write_bytes(good_line(0) + b"\n")
    os.mkfifo(folder / "b-pipe.jsonl")
    (folder / "c-good.jsonl").write_bytes(good_line(1) + b"\n")
    articles, rejects = read_file(folder)
    assert good_ids(articles) == {"good-0", "good-1"}
    assert [Path(r.source).name for r in rejects] == ["b-pipe.jsonl"]
    assert "not a regular file" in rejects[0].reason


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root reads chmod-000 files; the FIFO test covers this"
)
def test_unreadable_file(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-good.jsonl").write_bytes(good_line(0) + b"\n")
    locked = folder / "b-locked.jsonl"
    locked.write_bytes(good_line(9) + b"\n")
    locked.chmod(0)
    try:
        articles, rejects = read_file(folder)
    finally:
        locked.chmod(0o600)
    assert good_ids(articles) == {"good-0"}
    assert [r.source for r in rejects] == [str(locked)]
    assert "cannot open file" in rejects[0].reason and "ermission" in rejects[0].reason


def test_hostile_files_do_not_stop_storing_the_good_ones(tmp_path: Path) -> None:
    """Representative subset, stored: a folder of bad files among good ones, ingested for real."""
    folder = tmp_path / "in"
    folder.mkdir()
    files = {
        "01-empty.jsonl": b"",
        "02-blank.txt": b" \n\n",
        "03-scan.jsonl": _png(),  # misnamed binaries are sniffed
        "04-doc.txt": _pdf(),
        "05-zero.gz": b"",
        "06-plain.jsonl.gz": good_line(0) + b"\n",
        "07-utf16.jsonl": (good_line(1) + b"\r\n" + good_line(2)).decode().encode("utf-16"),
        "08-mixed.jsonl": b"\n".join([good_line(3), b'{"title": "cut', good_line(4), b"[1, 2]"]),
        "09-nul.txt": b"A headline\nThe army\x00 withdrew from the border town on Sunday.\n",
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    os.symlink(folder, folder / "10-loop")
    (folder / "11-image.png").write_bytes(_png())  # not an article extension: skipped in folders
    stats, counts = store_inputs([folder], tmp_path / "store.db")
    assert stats.read == 6
    assert counts["articles"] == 6
    # 5 bad files + the truncated line + the array of two numbers (one reject per item).
    assert stats.rejected == 8
    # The two numbers share (source, line, reason), and the store keeps rejects unique by that.
    assert counts["rejects"] == 7

"""manifest.py's small pieces, each against values written by hand: the encoding guess and its
error, reading a source's text, SOURCE_DATE_EPOCH, and the articles a manifest lists when it is
valid and when it is not (so that they are checked in the same run). Fast: no render."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kmyreport.errors import KmyError, Problems
from kmyreport.manifest import (
    encoding_error,
    guess_encoding,
    load_manifest,
    read_manifest,
    read_text,
    source_date_epoch,
)

COPY = "克拉玛依油田\n第二段 AB\n"  # Han, ASCII and line breaks: what copy is made of


@pytest.mark.parametrize(("raw", "expected"), [
    (b"\xff\xfe\x00\x00" + "标".encode("utf-32-le"), "UTF-32"),
    (b"\x00\x00\xfe\xff" + "标".encode("utf-32-be"), "UTF-32"),
    (b"\xff\xfe" + "标题\n".encode("utf-16-le"), "UTF-16"),
    (b"\xfe\xff" + "标题\n".encode("utf-16-be"), "UTF-16"),
    ("title: a\nnumber: 3\n".encode("utf-16-le"), "UTF-16LE"),
    ("title: a\nnumber: 3\n".encode("utf-16-be"), "UTF-16BE"),
    (COPY.encode("gb18030"), "GB18030"),
    (b"\x80\x81", None),  # no line break: not text in any of them
    (b"\xff\x00\x01\x02\n", None),  # control characters
])
def test_guess_encoding(raw: bytes, expected: str | None) -> None:
    assert guess_encoding(raw) == expected


def test_guess_encoding_refuses_private_use_and_odd_lengths() -> None:
    private = "\ue000\n".encode("utf-16-le")
    assert guess_encoding(private) is None or guess_encoding(private) == "GB18030"
    assert guess_encoding("a\n".encode("utf-16-le") + b"\x00") != "UTF-16LE"  # odd length: not UTF-16
    assert guess_encoding(b"a\x00") is None  # shorter than 4 bytes, no line break


def test_encoding_error_for_gbk_names_the_line_and_the_command(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    raw = "---\ntitle: 标题\n---\n".encode("gb18030")
    error = encoding_error(path, raw, raw.index("标".encode("gb18030")))
    assert error.line == 2 and error.file == path
    shown = str(path)  # outside the working folder: shown whole
    assert error.message == ("not UTF-8 text: the file seems to be saved as GBK/GB18030; save the file as UTF-8 "
                             "(in the editor: Save As, encoding UTF-8), or convert it with: "
                             f"iconv -f GB18030 -t UTF-8 {shown} > {shown}.utf8 && mv {shown}.utf8 {shown}")


def test_encoding_error_for_utf16_points_at_line_one(tmp_path: Path) -> None:
    raw = "a: 1\nb: 2\nc: 3\n".encode("utf-16-be")
    error = encoding_error(tmp_path / "issue.yaml", raw, 9)
    assert error.line == 1
    assert "saved as UTF-16BE;" in error.message and "iconv -f UTF-16BE -t UTF-8 " in error.message


def test_encoding_error_when_nothing_fits(tmp_path: Path) -> None:
    error = encoding_error(tmp_path / "x.md", b"ok\n\x80\x01", 3)
    assert error.line == 2
    assert error.message == "not UTF-8 text; save the file as UTF-8 (in the editor: Save As, encoding UTF-8)"


@pytest.mark.parametrize(("raw", "text"), [
    (b"a: 1\r\nb: 2\r\n", "a: 1\nb: 2\n"),
    (b"a: 1\rb: 2\r", "a: 1\nb: 2\n"),
    (b"\xef\xbb\xbftitle: x\n", "title: x\n"),
    ("标题\n".encode(), "标题\n"),
])
def test_read_text(tmp_path: Path, raw: bytes, text: str) -> None:
    path = tmp_path / "f.md"
    path.write_bytes(raw)
    assert read_text(path) == text


def test_read_text_refuses_ascii_in_utf16(tmp_path: Path) -> None:
    path = tmp_path / "issue.yaml"
    path.write_bytes("title: x\nnumber: 1\n".encode("utf-16-le"))  # valid UTF-8, with a NUL after each letter
    with pytest.raises(KmyError) as caught:
        read_text(path)
    assert caught.value.line == 1 and "UTF-16LE" in caught.value.message


def test_read_text_keeps_a_nul_in_utf8_that_is_not_utf16(tmp_path: Path) -> None:
    path = tmp_path / "f.md"
    path.write_bytes(b"a\x00b\n")
    assert read_text(path) == "a\x00b\n"


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), ("", None), ("abc", None), ("-5", None), (" 86400 ", dt.datetime(1970, 1, 2)),
    ("1720000000", dt.datetime(2024, 7, 3, 9, 46, 40)),
])
def test_source_date_epoch(monkeypatch: pytest.MonkeyPatch, value: str | None, expected) -> None:
    if value is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    assert source_date_epoch() == expected


def _manifest(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "issue.yaml"
    path.write_text(text, encoding="utf-8")
    return path


HEAD = "publication: {name: 克拉玛依融媒}\nissue: {number: 1, date: 2024-07-20}\n"


def test_a_folder_stands_for_its_manifest(tmp_path: Path) -> None:
    _manifest(tmp_path, HEAD + "sections:\n  - articles: [a.md]\n")
    assert load_manifest(tmp_path).path == tmp_path / "issue.yaml"


def test_no_manifest(tmp_path: Path) -> None:
    with pytest.raises(KmyError) as caught:
        read_manifest(tmp_path / "missing.yaml", Problems())
    assert caught.value.message == ("manifest not found; give the path of an issue.yaml, e.g. "
                                    "sources/2024-07/issue.yaml")


def test_an_article_listed_twice_is_an_error_at_its_second_place(tmp_path: Path) -> None:
    path = _manifest(tmp_path, HEAD + "sections:\n  - articles:\n      - a.md\n      - ./a.md\n")
    problems = Problems()
    read_manifest(path, problems)
    assert [(e.line, e.column, e.message) for e in problems.errors] == [
        (6, 9, "sections[0].articles[1]: ./a.md is listed twice; an article appears once per issue")]


def test_a_broken_manifest_still_lists_its_articles(tmp_path: Path) -> None:
    path = _manifest(tmp_path, "publication: {name: x}\nissue: {number: nine}\nsections:\n"
                               "  - articles: [a.md, '', 7, b.md]\n  - nothing\n  - articles: c.md\n"
                               "  - {articles: [d.md]}\n")
    problems = Problems()
    draft = read_manifest(path, problems)
    assert draft is not None and draft.model is None and draft.loaded() is None
    assert draft.article_entries() == [(("sections", 0, "articles", 0), "a.md"),
                                       (("sections", 0, "articles", 3), "b.md"),
                                       (("sections", 3, "articles", 0), "d.md")]
    assert problems.errors  # the number, and what the model makes of the rest


def test_a_broken_newspaper_lists_each_story_once(tmp_path: Path) -> None:
    path = _manifest(tmp_path, "publication: {name: x}\nissue: {number: nine}\npages:\n"
                               "  - stories:\n      - {source: a.md}\n      - {source: ' '}\n      - 5\n"
                               "  - stories:\n      - {source: ./a.md}\n      - {source: b.md}\n  - 3\n")
    draft = read_manifest(path, Problems())
    assert draft is not None and draft.model is None
    assert draft.article_entries() == [(("pages", 0, "stories", 0, "source"), "a.md"),
                                       (("pages", 1, "stories", 1, "source"), "b.md")]


def test_a_not_a_mapping_manifest_lists_nothing(tmp_path: Path) -> None:
    path = _manifest(tmp_path, "- a\n- b\n")
    problems = Problems()
    draft = read_manifest(path, problems)
    assert draft is None or draft.article_entries() == []
    assert problems.errors

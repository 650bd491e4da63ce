"""yamlfile.py's pieces against values written by hand (#14): the slips of a Chinese typist
(full-width colons and spaces, tabs) with their places and mends, the limits checked while a
document is composed, PyYAML's syntax errors in plain words, the positions kept for every value,
and pydantic's validation errors as located messages. Fast: no render."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import pydantic
import pytest
import yaml

from kmyreport.errors import KmyError, KmyErrors
from kmyreport.yamlfile import (
    Positions,
    StrictModel,
    _original_column,
    _scan_rest,
    _syntax_error,
    control_character_error,
    find_slips,
    format_loc,
    load_model,
    load_yaml,
    located,
    mend,
    read_model,
    read_yaml,
    validation_error,
    validation_errors,
)

F = Path("doc.yaml")

# --- slips ---------------------------------------------------------------------------------------

FULL = ("YAML syntax error: the key '{key}' ends with a full-width colon '：'; replace it with ':' followed by a "
        "space (type '{example}')")
TAB = ("YAML syntax error: a tab in the indentation; YAML indents with spaces only: replace each tab with spaces "
       "(two for each level)")
TABS = ("YAML syntax error: {count} tabs in the indentation; YAML indents with spaces only: replace each tab with "
        "spaces (two for each level)")
WIDE = ("YAML syntax error: a full-width space '　' (U+3000) in the indentation; replace each with an ordinary "
        "space (switch the input method to half-width)")
WIDES = ("YAML syntax error: {count} full-width spaces '　' (U+3000) in the indentation; replace each with an "
         "ordinary space (switch the input method to half-width)")
TAB_AFTER_DASH = "YAML syntax error: a tab after '-'; YAML allows only spaces here: replace the tab with a space"
WIDE_AFTER_DASH = "YAML syntax error: a full-width space '　' (U+3000) after '-'; replace it with an ordinary space"
WIDE_AFTER_KEY = "YAML syntax error: a full-width space '　' (U+3000) after '{key}:'; replace it with an ordinary space"
TAB_AFTER = "YAML syntax error: a tab after '{before}'; YAML does not allow tabs here: replace it with a space"


def slips(text: str) -> list[tuple]:
    return [(s.line, s.column, s.message, s.length, s.replacement, s.guess) for s in find_slips(text)]


def full(line: int, column: int, key: str, example: str, length: int = 1, replacement: str = ": ") -> tuple:
    return (line, column, FULL.format(key=key, example=example), length, replacement, False)


@pytest.mark.parametrize(("text", "expected"), [
    ("title：标题", [full(1, 6, "title", "title: 标题")]),
    ("title：\u3000标题", [full(1, 6, "title", "title: 标题", 2)]),
    ("title： 标题", [full(1, 6, "title", "title: 标题", 1, ":")]),
    ("title：", [full(1, 6, "title", "title:")]),
    ("a：" + "一二三四五六七八九十" + "一二三四五六", [full(1, 2, "a", "a: 一二三四五六七八九十一二三四五六")]),
    ("a：" + "一二三四五六七八九十" + "一二三四五六七", [full(1, 2, "a", "a: 一二三四五六七八九十一二三四五…")]),
    ("专访：油田人", [full(1, 3, "专访", "专访: 油田人")]),
    ("  name：x", [full(1, 7, "name", "name: x")]),
    ("- 专访：油田人", []),                     # a list item that is text
    ("- name：x", [full(1, 7, "name", "name: x")]),
    ("- _a-1：x", [full(1, 7, "_a-1", "_a-1: x")]),
    ("- Name：x", []),
    ("- 1a：x", []),
    ("title: 专访：油田人", []),                # inside a value
    ("title:\u3000标题", [(1, 7, WIDE_AFTER_KEY.format(key="title"), 1, " ", False)]),
    ("- title:\u3000\u3000标题", [(1, 9, WIDE_AFTER_KEY.format(key="title"), 1, " ", False)]),
    ("a:\n\tb: 1", [(2, 1, TAB, 1, "  ", True)]),
    ("a:\n\t\tb: 1", [(2, 1, TABS.format(count=2), 2, "    ", True)]),
    ("a:\n\u3000b: 1", [(2, 1, WIDE, 1, " ", True)]),
    ("a:\n  \t\u3000\u3000b: 1", [(2, 3, TAB, 1, "  ", True), (2, 4, WIDES.format(count=2), 2, "  ", True)]),
    ("a:\n\t# note", [(2, 1, TAB, 1, "  ", True)]),  # a comment's indentation too
    ("-\tx", [(1, 2, TAB_AFTER_DASH, 1, " ", False)]),
    ("  -\tx", [(1, 4, TAB_AFTER_DASH, 1, " ", False)]),
    ("- \u3000x", [(1, 3, WIDE_AFTER_DASH, 1, " ", False)]),
    ("- -\u3000x", [(1, 4, WIDE_AFTER_DASH, 1, " ", False)]),
])
def test_find_slips_on_one_line(text: str, expected: list[tuple]) -> None:
    assert slips(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # the continuation of a plain value is text
    ("title: 第一行\n  第二：行", []),
    ("title: 第一行\n第二：行", [full(2, 3, "第二", "第二: 行")]),
    ("- a: b\n  c：d", [full(2, 4, "c", "c: d")]),
    ("- a: b\n    c：d", []),
    ("a: b\n  c: d\n  e：f", []),
    ("a: [x\n  b：c", [full(2, 4, "b", "b: c")]),  # not a plain value: a line of its own
    ("a: 'x'\n  b：c", [full(2, 4, "b", "b: c")]),
    # block scalars are text, blank lines and deeper lines included
    ("body: |\n  a：b\n\n  \tc\nnext：x", [full(5, 5, "next", "next: x")]),
    ("body: > # note\n  a：b", []),
    ("body: |-\n  a：b", []),
    ("body: >+2\n  a：b", []),
    ("- |\n  a：b", []),
    ("key:\n  |\n    a：b", []),  # the header on a line of its own
    ("key:\n  > # note\n    a：b", []),
    ("a: 'b' # c: |\n  d：e", [full(2, 4, "d", "d: e")]),  # a '|' in a comment opens nothing
    ("a: b\n# c\n  d：e", []),  # a comment line between a value and its continuation
    ("body: |\n# c\n  a：b", []),  # a comment line inside a block scalar
    ('a: "x\n  y\nb：c"', []),  # still inside the quotes
    ('a: "x\n"\nc：d', [full(3, 2, "c", "c: d")]),  # closed at the start of the line
    ("|\n  a：b", []),
    ("  body: |\n    a：b\n  c：d", [full(3, 4, "c", "c: d")]),
    ("a: b |\n  c：d", []),  # a plain value ending in '|': its continuation
    ("a: |x\nb：c", [full(2, 2, "b", "b: c")]),
    # a quoted value going on to the next line
    ('a: "x\n  y"\t\nb：c', [full(3, 2, "b", "b: c")]),
    ("a: 'x\n  y'\nb：c", [full(3, 2, "b", "b: c")]),
    ('a: "x\n  b：c', []),
    ('a: "b: |\n  c"} {x：1}\nd：e', [full(2, 9, "x", "x: 1"), full(3, 2, "d", "d: e")]),
])
def test_find_slips_across_lines(text: str, expected: list[tuple]) -> None:
    assert slips(text) == expected


def tab_after(line: int, column: int, before: str) -> tuple:
    return (line, column, TAB_AFTER.format(before=before), 1, " ", False)


@pytest.mark.parametrize(("text", "expected"), [
    ("a: b\tc", [tab_after(1, 5, "a: b")]),
    ("a: b \tc", [tab_after(1, 6, "a: b")]),
    ("key: abcdefghijk\tx", [tab_after(1, 17, "abcdefghijk")]),
    ("a: b #\tc", []),
    ("a: b#\tc", [tab_after(1, 6, "a: b#")]),
    ("a: it's\tx", [tab_after(1, 8, "a: it's")]),
    ("a: 'x\ty'", []),
    ("a: 'x'\ty", [tab_after(1, 7, "a: 'x'")]),
    ("a: 'it''s\tx'", []),
    ("a: 'it'\tx'", [tab_after(1, 8, "a: 'it'")]),
    ('a: "x\\"\ty"', []),
    ('a: "x\\\\"\ty', [tab_after(1, 9, 'a: "x\\\\"')]),
    ("a: 'x\\'\ty", [tab_after(1, 8, "a: 'x\\'")]),  # no escapes between single quotes
    ('"x\ty"', []),
    ('a:"x\ty"', []),
    ('a: b"x\ty"', [tab_after(1, 7, 'a: b"x')]),
    ("a: [1,\t2]", [tab_after(1, 7, "a: [1,")]),
    ("a: ['x\ty']", []),
    ("a: {'x\ty': 1}", []),
    ("a: [1,'x\ty']", []),
    ("a: -'x\ty'", []),
    ("- 'x\ty'", []),
    ("a: b\t\tc", [tab_after(1, 5, "a: b"), tab_after(1, 6, "a: b")]),
    ("a: 'x'''\ty", [tab_after(1, 9, "a: 'x'''")]),
    ("a: X\tb", [tab_after(1, 5, "a: X")]),
    ("a: X'b\tc", [tab_after(1, 7, "a: X'b")]),
    ("a: X#\tc", [tab_after(1, 6, "a: X#")]),
    ("a: b\u3000\tc", [tab_after(1, 6, "a: b\u3000")]),
    ("a: bX\tc", [tab_after(1, 6, "a: bX")]),
    # full-width colons after the keys of a flow mapping
    ("a: {b：1, c：2}", [full(1, 6, "b", "b: 1"), full(1, 11, "c", "c: 2")]),
    ("a: {b：x y , c: 2}", [full(1, 6, "b", "b: x y")]),
    ("a: {b：{c：1}}", [full(1, 6, "b", "b: {c：1"), full(1, 9, "c", "c: 1")]),
    ("a: {  b：1}", [full(1, 8, "b", "b: 1")]),
    ("a: {b： 1}", [full(1, 6, "b", "b: 1", 1, ":")]),
    ("a: {b：1X}", [full(1, 6, "b", "b: 1X")]),
    ("a: {b: {c: 1}, d：2}", [full(1, 17, "d", "d: 2")]),
    ("a: {{b: 1}, c：2}", [full(1, 14, "c", "c: 2")]),
    ("a: {bX c：1}", []),
    ("a: {b: 1,  ", []),
    ("x: {a: 1}, c：2", []),
    ("x: {a: 1}} {b: 1}, c：2", []),  # a stray '}' closes nothing
    ('a: {"b：1"}', []),
    ('a: {x: "p, q：1"}', []),
    ("a: [b：1, c]", []),
])
def test_find_slips_after_the_key(text: str, expected: list[tuple]) -> None:
    assert slips(text) == expected


def test_scan_rest_pieces() -> None:
    found: list = []
    assert _scan_rest("\tx", 0, 4, found, "", tabs=True) == ""
    assert [(s.line, s.column, s.message, s.length, s.replacement, s.guess) for s in found] == [
        (4, 1, "YAML syntax error: a tab; YAML does not allow tabs here: replace it with a space", 1, " ", False)]
    found.clear()
    assert _scan_rest("#\tx", 0, 1, found, "", tabs=True) == ""
    assert _scan_rest("x #\tx", 2, 1, found, "", tabs=True) == ""
    assert found == []
    assert _scan_rest('a "b', 0, 1, found, "", tabs=True) == '"'
    assert _scan_rest("a 'b''", 0, 1, found, "", tabs=True) == "'"
    assert _scan_rest("b'' x", 0, 1, found, "'", tabs=True) == "'"
    assert _scan_rest("b' x", 0, 1, found, "'", tabs=True) == ""
    assert _scan_rest('b\\" x', 0, 1, found, '"', tabs=True) == '"'
    assert _scan_rest("b\t' x\t", 0, 1, found, "'", tabs=False) == ""
    assert found == []


def test_mend_and_columns() -> None:
    text = "a：b\n\tc: 1\nd:\u3000e"
    mended, growth = mend(text, find_slips(text))
    assert mended == "a: b\n  c: 1\nd: e"
    assert growth == {1: [(2, 1, 1)], 2: [(1, 1, 1)]}
    text = "x：{a：1}"
    mended, growth = mend(text, find_slips(text))
    assert mended == "x: {a: 1}"
    assert growth == {1: [(2, 1, 1), (5, 1, 1)]}
    assert mend("a: b", []) == ("a: b", {})
    # columns of the mended line as written: 'a：' became 'a: ' (one more character)
    changes = [(2, 1, 1)]
    assert [_original_column(column, changes) for column in range(1, 7)] == [1, 2, 2, 3, 4, 5]
    # two mends on one line, and one that shrinks (two tabs' worth of U+3000 made one space each)
    changes = [(2, 1, 1), (5, 1, 1)]
    assert [_original_column(column, changes) for column in range(1, 10)] == [1, 2, 2, 3, 4, 5, 5, 6, 7]
    assert [_original_column(column, [(1, 2, -1)]) for column in range(1, 4)] == [1, 3, 4]
    assert _original_column(7, []) == 7


# --- control characters, size, depth --------------------------------------------------------------

CONTROL = ("control character U+{code} in the text (it prints as nothing or as a box, and often comes with a paste "
           "from another program); delete it")


@pytest.mark.parametrize(("char", "code"), [
    ("\x00", "0000"), ("\x1b", "001B"), ("\x1f", "001F"), ("\x7f", "007F"), ("\x85", "0085"), ("\x9f", "009F"),
    ("\x08", "0008"), ("\x0b", "000B"),
])
def test_control_characters(char: str, code: str) -> None:
    error = control_character_error(f"a: 1\nbb: x{char}y\n", F, first_line=3)
    assert error is not None
    assert (error.message, error.file, error.line, error.column) == (CONTROL.format(code=code), F, 4, 6)
    assert control_character_error(f"{char}", F).line == 1
    assert control_character_error(f"{char}", F).column == 1


@pytest.mark.parametrize("char", ["\t", "\n", "\r", " ", "~", "\xa0", "\u3000", "é", "标"])
def test_not_control_characters(char: str) -> None:
    assert control_character_error(f"a{char}b", F) is None


def test_control_character_after_line_breaks() -> None:
    assert (control_character_error("\nx\x01", F).line, control_character_error("\nx\x01", F).column) == (2, 2)
    assert (control_character_error("\n\x01", F).line, control_character_error("\n\x01", F).column) == (2, 1)
    error = control_character_error("a\nb\ncc\x01", F, first_line=2)
    assert (error.line, error.column) == (4, 3)


def test_read_yaml_refuses_a_control_character_at_its_place() -> None:
    with pytest.raises(KmyError) as caught:
        read_yaml("a: 1\nb: x\x1by", F, first_line=3)
    assert (caught.value.message, caught.value.line, caught.value.column) == (CONTROL.format(code="001B"), 4, 5)


def test_read_yaml_refuses_a_large_document() -> None:
    big = "标" * 174_763  # 524,289 bytes in UTF-8, though fewer characters than the limit
    with pytest.raises(KmyError) as caught:
        read_yaml(big, F, first_line=5)
    assert caught.value.message == ("the YAML here is 0.5 MB, more than the 512 KB allowed (these files are a few "
                                    "KB); remove what was pasted in by mistake, or split the issue")
    assert (caught.value.file, caught.value.line, caught.value.column) == (F, 5, None)
    with pytest.raises(KmyError) as caught:
        read_yaml("a" * 1_050_000, F)
    assert caught.value.message.startswith("the YAML here is 1.1 MB, more than the 512 KB allowed")
    data, _, errors = read_yaml("#" * (512 * 1024), F)  # exactly the limit
    assert (data, errors) == (None, [])


TOO_DEEP = ("values nested more than 32 levels deep; these files need a handful of levels: check the brackets and "
            "the indentation")


def _raised(text: str, first_line: int = 1) -> tuple:
    with pytest.raises(KmyError) as caught:
        read_yaml(text, F, first_line=first_line)
    assert caught.value.file == F
    return caught.value.message, caught.value.line, caught.value.column


def test_brackets_too_deep() -> None:
    assert _raised("a: " + "[" * 33, first_line=10) == (TOO_DEEP, 10, 36)
    assert _raised("a: 1\n" + "{" * 20 + "[" * 13) == (TOO_DEEP, 2, 33)
    assert _raised("a: 'x\n" + "[" * 33 + "'") == (TOO_DEEP, 2, 33)  # a single quote is closed by the line's end
    assert _raised("a#" + "[" * 33) == (TOO_DEEP, 1, 35)  # '#' after a letter starts no comment
    assert _raised("]]]" + "[" * 33) == (TOO_DEEP, 1, 36)  # stray closing brackets count for nothing
    assert _raised("[" * 30 + "[]" + "[[[") == (TOO_DEEP, 1, 35)
    assert _raised("a: 'x' " + "[" * 33) == (TOO_DEEP, 1, 40)  # after a closed quote
    assert _raised("aX#" + "[" * 33) == (TOO_DEEP, 1, 36)
    assert _raised("# c\n" + "[" * 33) == (TOO_DEEP, 2, 33)  # a comment ends with its line
    assert _raised("X" + "[" * 33) == (TOO_DEEP, 1, 34)
    assert _raised("[" * 20 + "X" + "[" * 13) == (TOO_DEEP, 1, 34)
    assert read_yaml("a: " + "X" * 40, F)[0] == {"a": "X" * 40}
    assert read_yaml("[" * 32 + "]" * 32, F)[2] == []
    assert read_yaml("a: 1 # " + "[" * 40, F)[0] == {"a": 1}
    assert read_yaml("# " + "[" * 40 + "\na: 2", F)[0] == {"a": 2}
    assert read_yaml("a: 1\t# " + "[" * 40, F)[0] == {"a": 1}
    assert read_yaml("a: '" + "[" * 40 + "'", F)[0] == {"a": "[" * 40}
    assert read_yaml('a: "' + "{" * 40 + '"', F)[0] == {"a": "{" * 40}
    assert read_yaml('a: "x\n' + "[" * 40 + '"', F)[0] == {"a": "x " + "[" * 40}
    assert read_yaml("a: " + "[]" * 40, F)[2][0].message != TOO_DEEP
    assert read_yaml("a: " + "{}" * 1 + "\nb: " + "[" * 31 + "]" * 31, F)[2] == []


def test_depth_goes_back_down_after_each_collection() -> None:
    # the mapping under 'a' is the 2nd level; {y: 1} the 3rd, closed again; z's lists go from the 3rd to the 33rd
    text = "a:\n  x: {y: 1}\n  z: " + "[" * 31 + "]" * 31
    assert _errors(text) == [(TOO_DEEP, 3, 36)]
    assert _errors(text.replace("[", "", 1).replace("]", "", 1)) == []


def test_nesting_too_deep_while_composing() -> None:
    deep = "\n".join("  " * level + "k:" for level in range(33)) + " 1"
    data, _, errors = read_yaml(deep, F, first_line=2)
    assert data is None
    assert [(e.message, e.line, e.column) for e in errors] == [(TOO_DEEP, 34, 65)]
    fits = "\n".join("  " * level + "k:" for level in range(32)) + " 1"
    data, _, errors = read_yaml(fits, F)
    assert errors == []
    for _level in range(32):
        data = data["k"]
    assert data == 1


def _errors(text: str, first_line: int = 1) -> list[tuple]:
    errors = read_yaml(text, F, first_line=first_line)[2]
    assert all(e.file == F for e in errors)
    return [(e.message, e.line, e.column) for e in errors]


def test_aliases() -> None:
    assert read_yaml("a: &x [1]\nb: [*x, *x]\nc: *x", F)[0] == {"a": [1], "b": [[1], [1]], "c": [1]}
    assert read_yaml("a: &x 1\nb: *x", F)[0] == {"a": 1, "b": 1}
    assert _errors("a: &x [1, *x]", first_line=2) == [
        ("the alias *x stands inside the value it names, an endless loop; write the value out", 2, 11)]
    assert _errors("a: &x {b: [*x]}") == [
        ("the alias *x stands inside the value it names, an endless loop; write the value out", 1, 12)]
    hundred = "a: &x 1\nb: [" + ", ".join(["*x"] * 100) + "]"
    assert read_yaml(hundred, F)[0] == {"a": 1, "b": [1] * 100}
    assert _errors(hundred[:-1] + ", *x]") == [
        ("more than 100 aliases (*name) in one file; write the values out", 2, 405)]
    assert _errors("b: *nope") == [
        ("YAML syntax error: found undefined alias 'nope'; check the indentation, colons and quotes on this line",
         1, 4)]


def test_an_alias_may_not_nest_too_deep() -> None:
    anchor = "a: &x " + "[" * 31 + "1" + "]" * 31
    data, _, errors = read_yaml(anchor + "\nb: *x", F)
    assert errors == [] and data["a"] == data["b"]
    assert _errors(anchor + "\nb: [*x]") == [
        ("the alias *x nests values more than 32 levels deep; write the values out", 2, 5)]
    assert _errors("a: &x {b: [1]}\nc: [[[" + "[" * 27 + "*x" + "]" * 30 + "]") == [
        ("the alias *x nests values more than 32 levels deep; write the values out", 2, 34)]
    assert _errors("a: &x {b: [1]}\nc: [[" + "[" * 27 + "*x" + "]" * 29) == []


ALIAS_BOMB = ("the alias *{alias} expands the document to more than 20,000 values (an alias bomb?); these files need a "
              "few hundred: write the values out instead of repeating them through aliases")
TOO_MANY = ("expands the document to more than 20,000 values (an alias bomb?); these files need a few hundred: write "
            "the values out instead of repeating them through aliases")


def test_alias_bomb() -> None:
    # values: the mapping 1, each key 1; a: 11; b: 1 + 10 × 11; c: 1 + 10 × 111; d: 1 + k × 1,111
    head = ("a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [" + ", ".join(["*a"] * 10) + "]\nc: &c ["
            + ", ".join(["*b"] * 10) + "]\n")
    assert read_yaml(head + "d: [" + ", ".join(["*c"] * 16) + "]", F)[2] == []  # 19,015 values
    assert _errors(head + "d: [" + ", ".join(["*c"] * 20) + "]") == [(ALIAS_BOMB.format(alias="c"), 4, 69)]


def test_too_many_values_without_aliases() -> None:
    # the aliases of test_alias_bomb bring 19,015 values; 'e' and its list two more; then 983 items make
    # 20,000, the limit, and the 984th goes over (a plain value, no alias to name)
    head = ("a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [" + ", ".join(["*a"] * 10) + "]\nc: &c ["
            + ", ".join(["*b"] * 10) + "]\nd: [" + ", ".join(["*c"] * 16) + "]\n")
    assert read_yaml(head + "e: [" + ", ".join(["1"] * 983) + "]", F)[2] == []
    assert _errors(head + "e: [" + ", ".join(["1"] * 984) + "]") == [(TOO_MANY, 5, 4 + 3 * 983 + 1)]


# --- syntax errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("a: [1, 2\nb: 3", [("YAML syntax error: the '[' opened here is never closed (the parser stopped at line 2, "
                         "column 2: expected ',' or ']', but got ':'); add the ']' where it should end, and check the "
                         "commas between the items", 1, 4)]),
    ("a: {x: 1\nb: 3", [("YAML syntax error: the '{' opened here is never closed (the parser stopped at line 2, "
                         "column 2: expected ',' or '}', but got ':'); add the '}' where it should end, and check the "
                         "commas between the items", 1, 4)]),
    ('a: "abc\nb: 1', [('YAML syntax error: the quote " opened here is never closed (the parser stopped at line 2, '
                        'column 5); add the closing " at the end of the value', 1, 4)]),
    ("a: 'abc\nb: 1", [("YAML syntax error: the quote ' opened here is never closed (the parser stopped at line 2, "
                        "column 5); add the closing ' at the end of the value", 1, 4)]),
    ("a: 1\nb\nc: 2", [("YAML syntax error: this line has no ':' after its key; write 'key: value' (an ASCII colon, "
                        "then a space)", 2, 1)]),
    ("a: b: c", [('YAML syntax error: a second \': \' on this line; if it is part of the value, put the value in '
                  'quotes: a: "…"', 1, 5)]),
    ("- a: b: c", [('YAML syntax error: a second \': \' on this line; if it is part of the value, put the value in '
                    'quotes: a: "…"', 1, 7)]),
    ("a: 1\n  b: 2", [("YAML syntax error: a key where none may be; check the indentation of this line against the "
                       "line above (a key with a value on its own line cannot have keys under it)", 2, 4)]),
    ("a: 1\n- b", [("YAML syntax error: expected <block end>, but found '-'; check the indentation, colons and quotes "
                    "on this line", 2, 1)]),
    ("a: : b", [('YAML syntax error: a second \': \' on this line; if it is part of the value, put the value in '
                 'quotes: a: "…"', 1, 4)]),
    ("Xy: b: c", [('YAML syntax error: a second \': \' on this line; if it is part of the value, put the value in '
                   'quotes: Xy: "…"', 1, 6)]),
    # a slip is mended first, and the error's column is the column as written
    ("a：b: c", [(FULL.format(key="a", example="a: b: c"), 1, 2),
                ('YAML syntax error: a second \': \' on this line; if it is part of the value, put the value in '
                 'quotes: a: "…"', 1, 4)]),
    # a guessed mend (an indentation) that still does not parse: only the slip
    ("a:\n\tb: [1", [(TAB, 2, 1)]),
])
def test_syntax_errors(text: str, expected: list[tuple]) -> None:
    data, _, errors = read_yaml(text, F)
    assert data is None
    assert [(e.message, e.line, e.column) for e in errors] == expected
    assert all(e.file == F for e in errors)


def test_syntax_errors_keep_the_first_line() -> None:
    assert _errors("x: 1\na: [1, 2\nb: 3", first_line=7) == [
        ("YAML syntax error: the '[' opened here is never closed (the parser stopped at line 9, column 2: expected "
         "',' or ']', but got ':'); add the ']' where it should end, and check the commas between the items", 8, 4)]
    assert _errors("a: b: c", first_line=3) == [
        ('YAML syntax error: a second \': \' on this line; if it is part of the value, put the value in quotes: '
         'a: "…"', 3, 5)]


# --- values and their positions ----------------------------------------------------------------------

def test_positions_of_values_and_keys() -> None:
    data, positions, errors = read_yaml("a:\n  - x\n  - {b: 1}\nc: 2", F, first_line=4)
    assert errors == [] and data == {"a": ["x", {"b": 1}], "c": 2}
    assert positions.values == {(): (4, 1), ("a",): (5, 3), ("a", 0): (5, 5), ("a", 1): (6, 5),
                                ("a", 1, "b"): (6, 9), ("c",): (7, 4)}
    assert positions.keys == {("a",): (4, 1), ("a", 1, "b"): (6, 6), ("c",): (7, 1)}
    assert positions.of(("a", 1, "b")) == (6, 9)
    assert positions.of(("a", 1, "b"), key=True) == (6, 6)
    assert positions.of(("a", 1), key=True) == (6, 5)
    assert positions.of(("a", 7)) == (5, 3)
    assert positions.of(("a", 7), key=True) == (4, 1)
    assert positions.of(("z", 1)) == (4, 1)
    assert positions.of(()) == (4, 1)
    assert Positions().of(("a",)) == (None, None)
    assert Positions(values={("a",): (2, 3)}).of(("a", "b")) == (2, 3)
    assert Positions(keys={("a",): (1, 1)}).of(("a", "b"), key=True) == (1, 1)
    assert Positions(keys={("a",): (1, 1)}).of(("a", "b")) == (None, None)


def test_positions_after_a_mend_are_as_written() -> None:
    data, positions, errors = read_yaml("a：b\nc: {d：1, e: 2}", F)
    assert data == {"a": "b", "c": {"d": 1, "e": 2}}
    assert [(e.line, e.column) for e in errors] == [(1, 2), (2, 6)]
    assert positions.values[("a",)] == (1, 3)
    assert positions.values[("c", "d")] == (2, 7)
    assert positions.values[("c", "e")] == (2, 13)
    assert positions.keys[("c", "e")] == (2, 10)


@pytest.mark.parametrize(("text", "data", "expected"), [
    ("a: &x {b: 1}\nc:\n  <<: *x\n  d: 2", {"a": {"b": 1}, "c": {"d": 2}},
     [("a merge key ('<<') is not supported here; write the keys out", 3, 3)]),
    ("2024-13-45: x\ny: 1", {"y": 1},
     [("cannot read the key '2024-13-45' (month must be in 1..12); a key is a plain word", 1, 1)]),
    ("? [a]\n: 1\ny: 2", {"y": 2}, [("a mapping key must be a plain word", 1, 3)]),
    ("? {a: 1}\n: 1", {}, [("a mapping key must be a plain word", 1, 3)]),
    ("a: 1\na: 2", {"a": 1}, [("a: key given twice; keep one of them", 2, 1)]),
    ("s:\n  x: 1\n  x: 2\n  y: 3", {"s": {"x": 1, "y": 3}}, [("s.x: key given twice; keep one of them", 3, 3)]),
    ("date: 2024-02-30", {"date": "2024-02-30"},
     [("date: cannot read the value '2024-02-30' (day is out of range for month); dates are written YYYY-MM-DD",
       1, 7)]),
    ("l:\n  - 2024-13-01", {"l": ["2024-13-01"]},
     [("l[0]: cannot read the value '2024-13-01' (month must be in 1..12); dates are written YYYY-MM-DD", 2, 5)]),
    ("l:\n  - {a: 1, a: 2}", {"l": [{"a": 1}]}, [("l[0].a: key given twice; keep one of them", 2, 12)]),
    ("1: a\ntrue: b\n2024-07-20: c", {"1": "a", "True": "b", "2024-07-20": "c"}, []),
    ("", None, []),
    ("# nothing", None, []),
])
def test_what_cannot_be_read_is_reported_and_left_out(text: str, data, expected: list[tuple]) -> None:
    got, _, errors = read_yaml(text, F)
    assert got == data
    assert all(e.file == F for e in errors)
    assert [(e.message, e.line, e.column) for e in errors] == expected


def test_load_yaml_raises_every_error_at_once() -> None:
    assert load_yaml("a: 1\nb: [x]", F)[0] == {"a": 1, "b": ["x"]}
    assert load_yaml("a: 1", F, first_line=3)[1].values[("a",)] == (3, 4)
    with pytest.raises(KmyError) as one:
        load_yaml("a: 1\na: 2", F, first_line=2)
    assert (one.value.message, one.value.line, one.value.column) == ("a: key given twice; keep one of them", 3, 1)
    with pytest.raises(KmyErrors) as several:
        load_yaml("a：1\na: 2", F)
    assert [(e.line, e.column) for e in several.value.errors] == [(1, 2), (2, 1)]


# --- validation --------------------------------------------------------------------------------------

class Part(StrictModel):
    name: str
    kind: str
    pages: int = pydantic.Field(default=1, ge=1, le=8)
    first: str = pydantic.Field(default="", alias="first-name")


class Doc(StrictModel):
    title: str = pydantic.Field(min_length=1)
    number: int = 1
    date: dt.date | None = None
    ratio: float = pydantic.Field(default=0.5, gt=0, lt=1)
    draft: bool = False
    colour: Literal["red", "blue"] = "red"
    parts: list[Part] = []
    sub: Part | None = None
    logo: str | Literal[False] = False
    code: str = ""
    tag: str = pydantic.Field(default="", max_length=4)
    tags: list[str] = pydantic.Field(default=[], max_length=2)
    names: list[str] = pydantic.Field(default=["a"], min_length=1)

    @pydantic.field_validator("code")
    @classmethod
    def _digits(cls, value: str) -> str:
        if value == "x":
            raise ValueError("code must be digits")
        if value and not value.isdigit():
            raise ValueError("digits only")
        return value

    @pydantic.model_validator(mode="after")
    def _not_both(self) -> Doc:
        if self.draft and self.number > 99:
            raise ValueError("a draft has a number below 100")
        return self


ALLOWED = "title, number, date, ratio, draft, colour, parts, sub, logo, code, tag, tags, names"


def check(text: str, first_line: int = 1) -> list[tuple]:
    model, _, _, errors = read_model(text, F, Doc, "the doc", "title and parts", first_line=first_line)
    assert model is None or errors == []
    assert all(e.file == F for e in errors)
    return [(e.message, e.line, e.column) for e in errors]


@pytest.mark.parametrize(("text", "expected"), [
    ("titel: x", [("titel: unknown key 'titel' in the doc; did you mean 'title'?", 1, 1)]),
    ("title: x\nzzz: 1", [(f"zzz: unknown key 'zzz' in the doc; allowed keys here: {ALLOWED}", 2, 1)]),
    ("title: x\nparts:\n  - name: a\n    kind: b\n    pagez: 2",
     [("parts[0].pagez: unknown key 'pagez' in the doc; did you mean 'pages'?", 5, 5)]),
    ("title: x\nsub: {name: a, kind: b, firstname: c}",
     [("sub.firstname: unknown key 'firstname' in the doc; did you mean 'first-name'?", 2, 25)]),
    ("title: x\nsub: {name: a, kind: b, zzz: c}",
     [("sub.zzz: unknown key 'zzz' in the doc; allowed keys here: name, kind, pages, first-name", 2, 25)]),
    ("title: x\nsub: {name: a, nmae: b}",
     [("sub.nmae: unknown key 'nmae' in the doc; did you mean 'name'?", 2, 16),
      ("sub: required key 'kind' is missing in the doc; add it", 2, 6)]),
    ("title: x\nstr: 1",
     [(f"str: unknown key 'str' in the doc; allowed keys here: {ALLOWED}", 2, 1)]),
    ("parts:\n  - pages: 2",
     [("required key 'title' is missing in the doc; add it", 1, 1),
      ("parts[0]: required keys 'name', 'kind' are missing in the doc; add them", 2, 5)]),
    ("title: x\nparts:\n  - {name: a, kind: b}\n  - {kind: b}",
     [("parts[1]: required key 'name' is missing in the doc; add it", 4, 5)]),
    ("title:", [("title is empty; write the headline after 'title: '", 1, 1)]),
    ("title: ''", [("title is empty; write the headline after 'title: '", 1, 1)]),
    ("title: x\ncode:", [("code is empty; write its value after 'code: '", 2, 1)]),
    ("title: x\nnumber:", [("number is empty; write the issue number, e.g. 8 after 'number: '", 2, 1)]),
    ("title: x\nparts:", [("parts is empty; write its value after 'parts: '", 2, 1)]),
    ("title: x\nparts:\n  -", [("parts[0] is empty; write its value after 'parts: '", 3, 4)]),
    ("title: x\nparts: []", []),
    ("title: x\nnumber: eight", [("number should be a whole number, e.g. 8, not 'eight'", 2, 9)]),
    ("title: x\nnumber: 1.5", [("number should be a whole number, e.g. 8, not 1.5", 2, 9)]),
    ("title: x\ndraft: 3", [("draft should be true or false, not 3", 2, 8)]),
    ("title: x\nratio: abc", [("ratio should be a number, e.g. 12.5, not 'abc'", 2, 8)]),
    ("title: x\nparts: 5", [("parts should be a list (one item per line, each after '- '), not 5", 2, 8)]),
    ("title: x\nparts: [x]",
     [("parts[0] should be keys with values ('key: value', one per line below it), not 'x'", 2, 9)]),
    ("title: x\nsub: x", [("sub should be keys with values ('key: value', one per line below it), not 'x'", 2, 6)]),
    ("title: [a]", [("title should be text, not a list", 1, 8)]),
    ("title: {a: 1}", [("title should be text, not keys with values", 1, 8)]),
    ("title: true", [("title should be text, not true", 1, 8)]),
    ("title: false", [("title should be text, not false", 1, 8)]),
    ("title: 12", [("title should be text, not 12", 1, 8)]),
    ("title: x\ndate: tomorrow", [("date should be a date like 2024-07-20, not 'tomorrow'", 2, 7)]),
    ("title: x\ndate: [1]", [("date should be a date like 2024-07-20, not a list", 2, 7)]),
    ("title: x\ndate: 2024-13-01",
     [("date: cannot read the value '2024-13-01' (month must be in 1..12); dates are written YYYY-MM-DD", 2, 7)]),
    ("title: x\ncolour: green", [("colour should be one of the values allowed here, not 'green'", 2, 9)]),
    ("title: x\nlogo: [a]", [("logo should be text, not a list", 2, 7)]),
    ("title: x\nlogo: [a]\ntag: abcdef", [("logo should be text, not a list", 2, 7),
                                          ("tag: String should have at most 4 characters (got 'abcdef')", 3, 6)]),
    ("parts:\n  - {pages: 2}\ntag: abcdef",
     [("required key 'title' is missing in the doc; add it", 1, 1),
      ("parts[0]: required keys 'name', 'kind' are missing in the doc; add them", 2, 5),
      ("tag: String should have at most 4 characters (got 'abcdef')", 3, 6)]),
    ("title: x\ncolour: ''", [("colour should be one of the values allowed here, not ''", 2, 9)]),
    ("title: x\nnames: []", [("names is empty; write its value after 'names: '", 2, 1)]),
    ("title: x\nnames: [a]", []),
    ("title: x\nnumbxxxx: 1", [("numbxxxx: unknown key 'numbxxxx' in the doc; did you mean 'number'?", 2, 1)]),
    ("title: x\nlogo: true", [("logo should be text, not true", 2, 7)]),
    ("title: x\nparts:\n  - {name: a, kind: b, pages: 0}",
     [("parts[0].pages should be 1 or more, not 0", 3, 31)]),
    ("title: x\nparts:\n  - {name: a, kind: b, pages: 9}",
     [("parts[0].pages should be 8 or less, not 9", 3, 31)]),
    ("title: x\nratio: 0", [("ratio should be more than 0, not 0", 2, 8)]),
    ("title: x\nratio: 1.0", [("ratio should be less than 1, not 1.0", 2, 8)]),
    ("title: x\ncode: x", [("code must be digits", 2, 7)]),
    ("title: x\ncode: ab", [("code: digits only", 2, 7)]),
    ("title: x\ndraft: true\nnumber: 100", [("a draft has a number below 100", 1, 1)]),
    ("title: x\ntag: abcdef", [("tag: String should have at most 4 characters (got 'abcdef')", 2, 6)]),
    ("title: x\ntags: [a, b, c]", [("tags: List should have at most 2 items after validation, not 3", 2, 7)]),
    ("title: x\ntags: {a: 1}", [("tags should be a list (one item per line, each after '- '), not keys with values",
                                 2, 7)]),
])
def test_validation_errors_in_plain_words(text: str, expected: list[tuple]) -> None:
    assert check(text) == expected


def test_validation_errors_keep_the_first_line() -> None:
    assert check("title: x\nnumber: eight", first_line=5) == [
        ("number should be a whole number, e.g. 8, not 'eight'", 6, 9)]


def test_read_model_returns_the_model_the_data_and_the_errors() -> None:
    model, data, positions, errors = read_model("title: x\nnumber: 3", F, Doc, "the doc", "title")
    assert model == Doc(title="x", number=3) and data == {"title": "x", "number": 3} and errors == []
    assert positions.values[("number",)] == (2, 9)
    model, data, _, errors = read_model("title：x", F, Doc, "the doc", "title")  # mended: a model and the slip
    assert model == Doc(title="x") and data == {"title": "x"}
    assert [(e.line, e.column) for e in errors] == [(1, 6)]
    model, data, _, errors = read_model("- a\n- b", F, Doc, "the doc", "title and parts", first_line=4)
    assert (model, data) == (None, ["a", "b"])
    assert [(e.message, e.file, e.line, e.column) for e in errors] == [
        ("the doc must be a mapping of keys (title and parts)", F, 4, 1)]
    model, data, _, errors = read_model("a: [1", F, Doc, "the doc", "title")
    assert (model, data) == (None, None) and len(errors) == 1
    model, data, _, errors = read_model("", F, Doc, "the doc", "title")
    assert (model, data) == (None, {})
    assert [(e.message, e.line, e.column) for e in errors] == [("required key 'title' is missing in the doc; add it",
                                                                None, None)]


def test_load_model() -> None:
    model, positions = load_model("title: x", F, Doc, "the doc", "title", first_line=2)
    assert model == Doc(title="x") and positions.values[("title",)] == (2, 8)
    with pytest.raises(KmyError) as one:
        load_model("title: x\nnumber: y", F, Doc, "the doc", "title")
    assert (one.value.message, one.value.file, one.value.line) == (
        "number should be a whole number, e.g. 8, not 'y'", F, 2)
    with pytest.raises(KmyError) as slip:  # mended, and the model is there: still an error
        load_model("title：x", F, Doc, "the doc", "title")
    assert (slip.value.message, slip.value.file, slip.value.line, slip.value.column) == (
        FULL.format(key="title", example="title: x"), F, 1, 6)
    with pytest.raises(KmyErrors) as several:
        load_model("titel: x\nnumber: y", F, Doc, "the doc", "title")
    assert [e.line for e in several.value.errors] == [1, 2]
    with pytest.raises(KmyError) as not_a_mapping:
        load_model("3", F, Doc, "the doc", "title")
    assert not_a_mapping.value.message == "the doc must be a mapping of keys (title)"


def test_validation_errors_from_a_list_and_the_first_one() -> None:
    data, positions, _ = read_yaml("title: x\nnumber: y\ntitel: z", F)
    with pytest.raises(pydantic.ValidationError) as caught:
        Doc.model_validate(data)
    first = validation_error(caught.value, Doc, data, positions, F, "the doc")
    assert (first.message, first.file, first.line, first.column) == (
        "titel: unknown key 'titel' in the doc; did you mean 'title'?", F, 3, 1)
    listed = validation_errors(caught.value.errors(), Doc, positions, F, "the doc")
    assert [(e.message, e.line) for e in listed] == [
        ("titel: unknown key 'titel' in the doc; did you mean 'title'?", 3),
        ("number should be a whole number, e.g. 8, not 'y'", 2)]
    # a value error about the whole document has no key to name
    top = validation_errors([{"type": "value_error", "loc": (), "msg": "Value error, not this", "input": {}}],
                            Doc, positions, F, "the doc")
    assert [(e.message, e.line, e.column) for e in top] == [("not this", 1, 1)]
    other = validation_errors([{"type": "custom", "loc": ("tags",), "msg": "Bad", "input": ["a"]},
                               {"type": "custom", "loc": ("title",), "msg": "Bad", "input": {"a": 1}},
                               {"type": "custom", "loc": ("number",), "msg": "Bad", "input": 5}],
                              Doc, positions, F, "the doc")
    assert [e.message for e in other] == ["tags: Bad", "title: Bad", "number: Bad (got 5)"]


def test_format_loc_and_located() -> None:
    assert format_loc(()) == "(top level)"
    assert format_loc(("sections", 0, "articles", 2)) == "sections[0].articles[2]"
    assert format_loc((0, "a")) == "[0].a"
    assert format_loc(("a", "b")) == "a.b"
    assert located(("a", 1), "m") == "a[1]: m"
    assert located("x.y", "m") == "x.y: m"


def test_syntax_errors_pydyaml_rarely_gives() -> None:
    def at(mark: yaml.Mark) -> tuple[int, int]:
        return mark.line + 1, mark.column + 1

    mark = yaml.Mark("doc", 4, 0, 4, None, None)
    error = _syntax_error(yaml.MarkedYAMLError(context="while doing this", context_mark=mark), "ab: c", F, at)
    assert (error.message, error.file, error.line, error.column) == (
        "YAML syntax error: while doing this; check the indentation, colons and quotes on this line", F, 1, 5)
    error = _syntax_error(yaml.MarkedYAMLError(), "ab: c", F, at)
    assert (error.message, error.line, error.column) == (
        "YAML syntax error: invalid YAML; check the indentation, colons and quotes on this line", None, None)
    for index in (2, 10):  # the quote's place beyond the text: a double quote is said
        beyond = yaml.Mark("doc", index, 0, index, None, None)
        error = _syntax_error(yaml.MarkedYAMLError(context="while scanning a quoted scalar", context_mark=beyond),
                              "ab", F, at)
        assert (error.message, error.line, error.column) == (
            f'YAML syntax error: the quote " opened here is never closed (the parser stopped at line 1, column '
            f'{index + 1}); add the closing " at the end of the value', 1, index + 1)


def test_an_alias_of_an_empty_value() -> None:
    assert read_yaml("a: &x []\nb: *x\nc: &y {}\nd: [*y]", F)[0] == {"a": [], "b": [], "c": {}, "d": [{}]}
    # an empty list is one level: at the 31st level it fits, at the 32nd it does not
    assert _errors("a: &x []\nb: " + "[" * 30 + "*x" + "]" * 30) == []
    assert _errors("a: &x []\nb: " + "[" * 31 + "*x" + "]" * 31) == [
        ("the alias *x nests values more than 32 levels deep; write the values out", 2, 35)]


class When(StrictModel):
    date: dt.date
    time: str


class Mixed(pydantic.BaseModel):
    """Plain pydantic (no trimming): its union branches are named 'str', 'int', 'float', ..."""

    model_config = pydantic.ConfigDict(extra="forbid")
    flag: int | float | bool | dt.date | None = None
    either: list | dict | None = None
    text: str | int | None = None
    meta: dict[str, int | str] = {}
    rows: list[When] | int | None = None


@pytest.mark.parametrize(("text", "expected"), [
    ("flag: abc", [("flag should be a whole number, e.g. 8, not 'abc'", 1, 7)]),
    ("either: abc", [("either should be a list (one item per line, each after '- '), not 'abc'", 1, 9)]),
    ("text: [1]", [("text should be text, not a list", 1, 7)]),
    ("text: {a: 1}", [("text should be text, not keys with values", 1, 7)]),
    ("meta: {x: [1]}", [("meta.x should be a whole number, e.g. 8, not a list", 1, 11)]),
    ("meta: {x: 1, y: b}", []),
    ("rows:\n  - {time: x}", [("rows[0]: required key 'date' is missing in the file; add it", 2, 5),
                              ("rows should be a whole number, e.g. 8, not a list", 2, 3)]),
])
def test_union_branches_are_one_error(text: str, expected: list[tuple]) -> None:
    model, _, _, errors = read_model(text, F, Mixed, "the file", "keys")
    assert [(e.message, e.line, e.column) for e in errors] == expected


class Note(StrictModel):
    text: str


class Item(StrictModel):
    note: Note | None = None


class Entry(StrictModel):
    when: When | None = None
    items: list[Item] = []


@pytest.mark.parametrize(("text", "expected"), [
    ("when: {}", [("when: required keys 'date', 'time' are missing in the entry; add them", 1, 7)]),
    ("when: {time: x}", [("when: required key 'date' is missing in the entry; add it", 1, 7)]),
    ("when: {dat: 2024-01-01}", [("when.dat: unknown key 'dat' in the entry; did you mean 'date'?", 1, 8),
                                 ("when: required key 'time' is missing in the entry; add it", 1, 7)]),
    ("items:\n  - note: {txet: x}",
     [("items[0].note.txet: unknown key 'txet' in the entry; did you mean 'text'?", 2, 12)]),
    ("items:\n  - note: {zzz: x, text: y}",
     [("items[0].note.zzz: unknown key 'zzz' in the entry; allowed keys here: text", 2, 12)]),
])
def test_nested_keys(text: str, expected: list[tuple]) -> None:
    model, _, _, errors = read_model(text, F, Entry, "the entry", "keys")
    assert [(e.message, e.line, e.column) for e in errors] == expected


def test_an_empty_value_with_no_key_to_name() -> None:
    positions = Positions(values={(): (1, 1), (0,): (2, 3)})
    errors = validation_errors([{"type": "string_type", "loc": (0,), "msg": "Input should be a valid string",
                                 "input": None}], Doc, positions, F, "the list")
    assert [(e.message, e.file, e.line, e.column) for e in errors] == [("[0] should be text, not None", F, 2, 3)]


def test_characters_pyyaml_refuses_are_found_before_it_reads() -> None:
    """Every character PyYAML's reader refuses is found first, at its line and column (PyYAML gave a
    position in characters and no line): controls, U+FFFE and U+FFFF."""
    with pytest.raises(KmyError) as found:
        read_yaml("a: \uffff", Path("doc.yaml"))
    assert (found.value.line, found.value.column) == (1, 4) and "U+FFFF" in found.value.message


@pytest.mark.parametrize("char", ["\uffff", "\ufffe"])
def test_a_noncharacter_is_an_error_at_its_place(char: str) -> None:
    """PyYAML refuses U+FFFE and U+FFFF with a position in characters and no line: found first, at
    the line and column where it stands."""
    text = f"publication: {{name: 克拉玛依}}\nissue:\n  number: 3{char}\n"
    with pytest.raises(KmyError) as found:
        read_yaml(text, Path("issue.yaml"))
    code = f"{ord(char):04X}"
    assert str(found.value) == (f"issue.yaml:3:12: U+{code} in the text is not a character (a broken conversion "
                                "leaves it; it prints as nothing or as a box); delete it")

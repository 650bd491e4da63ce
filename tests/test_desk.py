"""The editor's desk (issue 15): mistakes an editor can fix, all of them in one run, nothing left out silently.

Every expected message here is written out by hand: it is what the editor reads.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from kmyreport.yamlfile import find_slips

from .conftest import ARTICLE, MANIFEST, Scratch, jpeg_bytes

FULL_COLON = "YAML syntax error: the key '{key}' ends with a full-width colon '：'; replace it with ':' followed by " \
             "a space (type '{typed}')"
TAB = "YAML syntax error: a tab in the indentation; YAML indents with spaces only: replace each tab with spaces " \
      "(two for each level)"
WIDE = "YAML syntax error: {count} in the indentation; replace each with an ordinary space (switch the input " \
       "method to half-width)"


def errors_of(ws: Scratch, *args: str) -> list[str]:
    """Compile (or run `args`) and return the error lines; the run must fail cleanly with exit code 1."""
    run = ws.cli(*(args or ("compile", "sources/t/issue.yaml")))
    assert run.returncode == 1, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr + run.stdout and "internal error" not in run.stderr
    return [line for line in run.stderr.splitlines() if line.startswith("error: ")]


def line_in(ws: Scratch, rel: str, needle: str) -> int:
    """The line of `rel` that holds `needle` (the layouts change; the tests should not care)."""
    lines = (ws.root / rel).read_text(encoding="utf-8").split("\n")
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


def edit(ws: Scratch, rel: str, old: str, new: str) -> None:
    path = ws.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


SLIPS = [
    # the manifest
    ("sources/t/issue.yaml", "  number: 3", "  number：3",
     "sources/t/issue.yaml:4:9: " + FULL_COLON.format(key="number", typed="number: 3")),
    ("sources/t/issue.yaml", "  date: 2024-03-01", "\tdate: 2024-03-01", "sources/t/issue.yaml:5:1: " + TAB),
    ("sources/t/issue.yaml", "  name: 克拉玛依融媒", "　　name: 克拉玛依融媒",
     "sources/t/issue.yaml:2:1: " + WIDE.format(count="2 full-width spaces '　' (U+3000)")),
    # an article's front matter: the lines of the file, not of the front matter
    ("sources/t/articles/a.md", "title: 测试标题", "title：测试标题",
     "sources/t/articles/a.md:2:6: " + FULL_COLON.format(key="title", typed="title: 测试标题")),
    ("sources/t/articles/a.md", "  - {name: 张纪东", "\t- {name: 张纪东", "sources/t/articles/a.md:4:1: " + TAB),
    ("sources/t/articles/a.md", "  - {name: 张纪东", "　- {name: 张纪东",
     "sources/t/articles/a.md:4:1: " + WIDE.format(count="a full-width space '　' (U+3000)")),
    # the layout
    ("layouts/bulletin/layout.yaml", "columns: 1", "columns：1",
     "layouts/bulletin/layout.yaml:{line}:8: " + FULL_COLON.format(key="columns", typed="columns: 1")),
    ("layouts/bulletin/layout.yaml", "  width_mm: 210", "\twidth_mm: 210", "layouts/bulletin/layout.yaml:{line}:1: " + TAB),
    ("layouts/bulletin/layout.yaml", "  height_mm: 297", "　　height_mm: 297",
     "layouts/bulletin/layout.yaml:{line}:1: " + WIDE.format(count="2 full-width spaces '　' (U+3000)")),
]


@pytest.mark.parametrize("rel, old, new, expected", SLIPS,
                         ids=[f"{rel.split('/')[-1]}-{n}" for n, (rel, *_) in enumerate(SLIPS)])
def test_a_typing_slip_is_reported_where_it_is_with_what_to_type(small_issue: Scratch, rel: str, old: str,
                                                                  new: str, expected: str) -> None:
    if "{line}" in expected:  # layout.yaml: at the line of the edit, wherever the layout has it
        expected = expected.replace("{line}", str(line_in(small_issue, rel, old)))
    edit(small_issue, rel, old, new)
    assert errors_of(small_issue) == ["error: " + expected]


def test_a_full_width_colon_inside_a_value_is_text() -> None:
    text = ("title: 专访：油田人\nsubtitle: >\n  记者手记：风城\nkeywords:\n  - 访谈：一线\n"
            "kicker: '引题：油城'\nbyline: 本报记者\n  续行：不是键\n")
    assert find_slips(text) == []
    slips = find_slips("editors:\n  主编：李明远\n  责任编辑: 陈丽\nauthors:\n  - {name：马晓宇, role: 记者}\n")
    assert [(s.line, s.column) for s in slips] == [(2, 5), (5, 10)]


def test_an_unclosed_bracket_is_reported_where_it_opened(small_issue: Scratch) -> None:
    edit(small_issue, "sources/t/issue.yaml", "sections:", "keywords: [油田, 社区\nsections:")
    assert errors_of(small_issue) == [
        "error: sources/t/issue.yaml:6:11: YAML syntax error: the '[' opened here is never closed (the parser "
        "stopped at line 7, column 9: expected ',' or ']', but got ':'); add the ']' where it should end, and "
        "check the commas between the items"]


def test_three_mistakes_in_one_run(small_issue: Scratch) -> None:
    ws = small_issue
    edit(ws, "sources/t/issue.yaml", "  number: 3", "  number： 3")
    edit(ws, "sources/t/issue.yaml", "      - articles/a.md", "      - articles/a.md\n      - articles/02-libary.md")
    edit(ws, "sources/t/articles/a.md", "title: 测试标题", "title:")
    ws.write("sources/t/articles/02-library.md", "---\ntitle: 图书馆夜读\n---\n\n市图书馆延长开放时间。\n")
    run = ws.cli("compile", "sources/t/issue.yaml")
    assert run.returncode == 1 and "Traceback" not in run.stderr + run.stdout
    assert run.stderr.splitlines() == [
        "error: sources/t/issue.yaml:4:9: " + FULL_COLON.format(key="number", typed="number: 3"),
        "error: sources/t/issue.yaml:10:9: sections[0].articles[1]: file not found: articles/02-libary.md; "
        "did you mean 'articles/02-library.md'?",
        "error: sources/t/articles/a.md:2:1: title is empty; write the headline after 'title: '",
        "3 errors; fix them and run again",
    ]
    assert not ws.output().exists()


def test_a_misspelt_photo_gets_the_name_that_exists(small_issue: Scratch) -> None:
    small_issue.write("sources/t/photos/bridge.jpg", jpeg_bytes(600, 400))
    edit(small_issue, "sources/t/articles/a.md", "photos/p.jpg", "photos/brigde.jpg")
    assert errors_of(small_issue) == [
        "error: sources/t/articles/a.md:10:15: photo not found: photos/brigde.jpg (looked for "
        "sources/t/photos/brigde.jpg); did you mean 'photos/bridge.jpg'?"]


def test_a_photo_in_another_folder_is_pointed_to(small_issue: Scratch) -> None:
    small_issue.write("sources/2024-06/photos/bridge-night.jpg", jpeg_bytes(600, 400))
    edit(small_issue, "sources/t/articles/a.md", "photos/p.jpg", "photos/bridge-night.jpg")
    assert errors_of(small_issue) == [
        "error: sources/t/articles/a.md:10:15: photo not found: photos/bridge-night.jpg (looked for "
        "sources/t/photos/bridge-night.jpg); a photo of that name is elsewhere in the workspace: write "
        "'../2024-06/photos/bridge-night.jpg' (relative to the issue folder) instead of 'photos/bridge-night.jpg', "
        "or copy the photo into photos/"]


def test_an_empty_title_says_what_to_write(small_issue: Scratch) -> None:
    edit(small_issue, "sources/t/articles/a.md", "title: 测试标题", "title:")
    assert errors_of(small_issue) == [
        "error: sources/t/articles/a.md:2:1: title is empty; write the headline after 'title: '"]


def test_a_wrong_type_says_what_is_expected(small_issue: Scratch) -> None:
    edit(small_issue, "sources/t/issue.yaml", "  number: 3", "  number: 第三期")
    assert errors_of(small_issue) == [
        "error: sources/t/issue.yaml:4:11: issue.number should be a whole number, e.g. 8, not '第三期'"]


def test_leftover_article_and_photo_are_warnings(small_issue: Scratch, monkeypatch: pytest.MonkeyPatch) -> None:
    from kmyreport.build import prepare_issue

    small_issue.write("sources/t/articles/03-extra.md", "---\ntitle: 未刊稿\n---\n\n备用稿件。\n")
    small_issue.write("sources/t/photos/unused.jpg", jpeg_bytes(300, 200))
    monkeypatch.chdir(small_issue.root)
    issue = prepare_issue(small_issue.manifest(), edition="screen")
    assert issue.warnings[:2] == [
        "sources/t/articles/03-extra.md: not in issue.yaml, so not printed; add '- articles/03-extra.md' under "
        "a section's articles, or move it out of articles/",
        "sources/t/photos/unused.jpg: no article places this photo, so it is not printed; put "
        "![caption](photos/unused.jpg \"credit\") in an article where it belongs, or move it out of photos/",
    ]


ICONV = shutil.which("iconv")


@pytest.mark.parametrize("codec, name, line", [("gbk", "GBK/GB18030", 2), ("utf-16-le", "UTF-16LE", 1)])
def test_an_article_not_in_utf8_gets_the_command_that_converts_it(small_issue: Scratch, codec: str, name: str,
                                                                   line: int) -> None:
    small_issue.write("sources/t/articles/a.md", ARTICLE.encode(codec))
    source = "GB18030" if codec == "gbk" else name
    file = "sources/t/articles/a.md"
    command = f"iconv -f {source} -t UTF-8 {file} > {file}.utf8 && mv {file}.utf8 {file}"
    assert errors_of(small_issue) == [
        f"error: {file}:{line}: not UTF-8 text: the file seems to be saved as {name}; save the file as UTF-8 (in "
        f"the editor: Save As, encoding UTF-8), or convert it with: {command}"]
    assert "kmyreport import" not in command
    if ICONV:  # the command given does what it says
        subprocess.run(command, shell=True, cwd=small_issue.root, check=True)
        assert (small_issue.root / file).read_text(encoding="utf-8") == ARTICLE


def test_a_manifest_in_gbk_is_refused_with_the_command(small_issue: Scratch) -> None:
    small_issue.write("sources/t/issue.yaml", MANIFEST.encode("gb18030"))
    [error] = errors_of(small_issue)
    assert error.startswith("error: sources/t/issue.yaml:2: not UTF-8 text: the file seems to be saved as "
                            "GBK/GB18030;")
    assert error.endswith("iconv -f GB18030 -t UTF-8 sources/t/issue.yaml > sources/t/issue.yaml.utf8 && mv "
                          "sources/t/issue.yaml.utf8 sources/t/issue.yaml")


def test_every_mistake_of_layout_yaml_in_one_run(small_issue: Scratch) -> None:
    columns = line_in(small_issue, "layouts/bulletin/layout.yaml", "columns: 1")
    edit(small_issue, "layouts/bulletin/layout.yaml", "columns: 1", "colums: 1")
    edit(small_issue, "layouts/bulletin/layout.yaml", "column_gap_mm: 8", "column_gap_mm: 八")
    run = small_issue.cli("compile", "sources/t/issue.yaml")
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        f"error: layouts/bulletin/layout.yaml:{columns}:1: colums: unknown key 'colums' in layout.yaml; did you "
        "mean 'columns'?",
        f"error: layouts/bulletin/layout.yaml:{columns + 1}:16: column_gap_mm should be a number, e.g. 12.5, "
        "not '八'",
        "2 errors; fix them and run again",
    ]


def test_an_unreadable_value_does_not_hide_the_other_mistakes(small_issue: Scratch) -> None:
    edit(small_issue, "sources/t/issue.yaml", "  number: 3", "  nubmer: 3")
    edit(small_issue, "sources/t/issue.yaml", "  date: 2024-03-01", "  date: 2024-13-01")
    assert errors_of(small_issue) == [
        "error: sources/t/issue.yaml:4:3: issue.nubmer: unknown key 'nubmer' in the manifest; did you mean 'number'?",
        "error: sources/t/issue.yaml:5:9: issue.date: cannot read the value '2024-13-01' (month must be in 1..12); "
        "dates are written YYYY-MM-DD",
    ]


def test_a_character_the_fonts_lack_is_reported_in_each_file(small_issue: Scratch) -> None:
    edit(small_issue, "sources/t/issue.yaml", "  name: 克拉玛依融媒", "  name: 克拉玛依融媒🔥")
    edit(small_issue, "sources/t/articles/a.md", "第二段正文。", "第二段正文🔥。")
    errors = errors_of(small_issue)
    assert [error.split(" is not in")[0] for error in errors] == [
        "error: sources/t/issue.yaml:2:15: character '🔥' (U+1F525 FIRE)",
        "error: sources/t/articles/a.md:14:6: character '🔥' (U+1F525 FIRE)",
    ]


def test_errors_come_in_source_order_up_to_the_cap() -> None:
    from kmyreport.errors import KmyError, KmyErrors, Problems

    problems = Problems(limit=3)
    problems.add(KmyError("b", "issue.yaml", 9, 1))
    problems.add(KmyError("c", "a.md", 2, 1))
    problems.add(KmyError("a", "issue.yaml", 4, 9))
    problems.add(KmyError("d", "a.md", 1, 1))
    with pytest.raises(KmyErrors) as raised:
        problems.check()
    assert [error.message for error in raised.value.errors] == ["a", "b", "c"]
    assert raised.value.summary() == "4 errors, the first 3 shown; fix them and run again"


def test_an_article_in_another_issue_is_pointed_to(small_issue: Scratch) -> None:
    small_issue.write("sources/2024-06/articles/old.md", "---\ntitle: 旧稿\n---\n\n上期稿件。\n")
    edit(small_issue, "sources/t/issue.yaml", "      - articles/a.md", "      - articles/a.md\n      - articles/old.md")
    assert errors_of(small_issue) == [
        "error: sources/t/issue.yaml:10:9: sections[0].articles[1]: file not found: articles/old.md; a file of that "
        "name is elsewhere in the workspace: write '../2024-06/articles/old.md' (relative to this manifest), or "
        "move the file into articles/"]

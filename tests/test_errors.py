"""Bad input: one clear line naming the file and line, a non-zero exit, no traceback, nothing lost."""

from __future__ import annotations

import re

import pytest

from .conftest import ARTICLE, MANIFEST, Scratch

SENTINEL = b"%PDF-1.7 the last good build\n"


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), start=1) if needle in line)


def at(text: str, needle: str) -> str:
    """`line:column:` of the first `needle` in `text` (1-based), found by plain string search."""
    line = line_of(text, needle)
    return f"{line}:{text.split(chr(10))[line - 1].index(needle) + 1}:"


def compile_fails(ws: Scratch, where: str, *fragments: str) -> str:
    """Compile, expect failure at `where` (file:line[:col]) and the last good PDF untouched."""
    ws.output().parent.mkdir(parents=True, exist_ok=True)
    ws.output().write_bytes(SENTINEL)
    run = ws.cli("compile", "sources/t/issue.yaml")
    message = run.stderr.strip()
    assert run.returncode == 1, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr + run.stdout
    assert len(message.splitlines()) == 1, message
    assert where.endswith(":"), "a location ends with ':' (line 5 must not match line 57)"
    assert message.startswith(f"error: {where} "), message
    for fragment in fragments:
        assert fragment in message, message
    assert ws.output().read_bytes() == SENTINEL, "a failed build must not replace the last good PDF"
    assert not [p for p in ws.output().parent.iterdir() if p.name != ws.output().name], "no temp files left"
    return message


def test_yaml_syntax_error(small_issue: Scratch) -> None:
    bad = MANIFEST.replace("  date: 2024-03-01", "  date: [2024-03-01")
    small_issue.write("sources/t/issue.yaml", bad)
    # the '[' that is never closed: line 5, column 9 (where the parser stopped is in the message)
    compile_fails(small_issue, "sources/t/issue.yaml:5:9:", "YAML syntax error", "'[' opened here is never closed")


def test_unknown_key_suggests_the_right_one(small_issue: Scratch) -> None:
    bad = MANIFEST.replace("  number: 3", "  nubmer: 3")
    small_issue.write("sources/t/issue.yaml", bad)
    line = line_of(bad, "nubmer")
    compile_fails(small_issue, f"sources/t/issue.yaml:{line}:3:", "issue.nubmer", "did you mean 'number'")


def test_missing_article(small_issue: Scratch) -> None:
    bad = MANIFEST + "      - articles/x.md\n"
    small_issue.write("sources/t/issue.yaml", bad)
    line = line_of(bad, "articles/x.md")
    compile_fails(small_issue, f"sources/t/issue.yaml:{line}:9:",
                  "sections[0].articles[1]: file not found: articles/x.md")


def test_missing_photo(small_issue: Scratch) -> None:
    bad = ARTICLE.replace("photos/p.jpg", "photos/missing.jpg")
    small_issue.write("sources/t/articles/a.md", bad)
    compile_fails(small_issue, f"sources/t/articles/a.md:{at(bad, 'photos/missing.jpg')}",
                  "photo not found: photos/missing.jpg")


def test_corrupt_jpeg(small_issue: Scratch) -> None:
    good = (small_issue.issue_dir() / "photos" / "p.jpg").read_bytes()
    small_issue.write("sources/t/photos/p.jpg", good[:200] + b"\x00" * 50)
    compile_fails(small_issue, f"sources/t/articles/a.md:{line_of(ARTICLE, 'p.jpg')}:",
                  "p.jpg", "cannot read the image")


def test_front_matter_error(small_issue: Scratch) -> None:
    bad = ARTICLE.replace("role: 通讯员", "rol: 通讯员")
    small_issue.write("sources/t/articles/a.md", bad)
    compile_fails(small_issue, f"sources/t/articles/a.md:{at(bad, 'rol:')}",
                  "authors[0].rol", "did you mean 'role'")


def test_front_matter_yaml_error_points_at_the_file_line(small_issue: Scratch) -> None:
    bad = ARTICLE.replace("editors: {责任编辑: 陈丽}", "editors: {责任编辑: 陈丽")
    small_issue.write("sources/t/articles/a.md", bad)
    line = line_of(bad, "editors:")
    assert line == 5
    compile_fails(small_issue, f"sources/t/articles/a.md:{line}:10:", "YAML syntax error",
                  "'{' opened here is never closed")


def test_empty_title_is_reported(small_issue: Scratch) -> None:
    bad = ARTICLE.replace("title: 测试标题", 'title: ""')
    small_issue.write("sources/t/articles/a.md", bad)
    compile_fails(small_issue, "sources/t/articles/a.md:" + at(bad, '""'), "title is empty")


def test_template_error(small_issue: Scratch) -> None:
    template = small_issue.root / "layouts" / "bulletin" / "templates" / "article.html.j2"
    text = template.read_text(encoding="utf-8").replace("{{ article.title }}", "{{ article.titel }}")
    template.write_text(text, encoding="utf-8")
    compile_fails(small_issue, f"layouts/bulletin/templates/article.html.j2:{line_of(text, 'titel')}:",
                  "template error", "titel")


def test_template_syntax_error(small_issue: Scratch) -> None:
    template = small_issue.root / "layouts" / "bulletin" / "templates" / "cover.html.j2"
    text = template.read_text(encoding="utf-8").replace("{% endif %}", "{% endfi %}", 1)
    template.write_text(text, encoding="utf-8")
    compile_fails(small_issue, f"layouts/bulletin/templates/cover.html.j2:{line_of(text, 'endfi')}:",
                  "template syntax error")


@pytest.mark.parametrize("target, words", [
    ("http://example.com/a.jpg", "web address"),
    ("https://example.com/a.jpg", "web address"),
    ("file:///etc/passwd", "not a file in the issue folder"),
    ("../../../../../../etc/passwd", "outside the workspace"),
    ("/etc/passwd", "absolute path"),
])
def test_photo_outside_the_workspace_is_refused(small_issue: Scratch, target: str, words: str) -> None:
    bad = ARTICLE.replace("photos/p.jpg", target)
    small_issue.write("sources/t/articles/a.md", bad)
    compile_fails(small_issue, f"sources/t/articles/a.md:{line_of(bad, target)}:", words)


def test_layout_asking_for_the_network_is_refused(small_issue: Scratch) -> None:
    style = small_issue.root / "layouts" / "bulletin" / "style.css.j2"
    style.write_text(style.read_text(encoding="utf-8")
                     + "\nbody { background: url(http://127.0.0.1:9/x.png); }\n"
                     + ".cover { background: url(file:///etc/hostname); }\n", encoding="utf-8")
    message = compile_fails(small_issue, "layouts/bulletin:", "outside the workspace",
                            "http://127.0.0.1:9/x.png")
    assert "file:///etc/hostname" in message


def test_missing_font_names_the_layout_line(small_issue: Scratch) -> None:
    layout = small_issue.root / "layouts" / "bulletin" / "layout.yaml"
    text = layout.read_text(encoding="utf-8").replace("NotoSansSC-Bold.otf", "NoSuchFont.otf")
    layout.write_text(text, encoding="utf-8")
    compile_fails(small_issue, f"layouts/bulletin/layout.yaml:{at(text, 'NoSuchFont')}", "font not found")


def test_unknown_layout(small_issue: Scratch) -> None:
    small_issue.write("sources/t/issue.yaml", MANIFEST + "layout: newspapr\n")
    compile_fails(small_issue, f"sources/t/issue.yaml:{at(MANIFEST + 'layout: newspapr', 'newspapr')}",
                  "layout 'newspapr' not found", "bulletin")


def test_debug_shows_the_traceback(small_issue: Scratch) -> None:
    small_issue.write("sources/t/issue.yaml", MANIFEST.replace("number: 3", "number: three"))
    run = small_issue.cli_process("compile", "sources/t/issue.yaml", "--debug")
    assert run.returncode != 0 and "Traceback" in run.stderr
    assert re.search(r"issue\.number", run.stderr)


def test_missing_manifest(workspace: Scratch) -> None:
    run = workspace.cli("compile", "sources/nope/issue.yaml")
    assert run.returncode == 1 and "manifest not found" in run.stderr and "Traceback" not in run.stderr


def test_character_missing_from_the_fonts(small_issue: Scratch) -> None:
    bad = ARTICLE.replace("第二段正文。", "第二段正文😀。")
    small_issue.write("sources/t/articles/a.md", bad)
    line = line_of(bad, "😀")
    column = bad.split("\n")[line - 1].index("😀") + 1
    compile_fails(small_issue, f"sources/t/articles/a.md:{line}:{column}:", "U+1F600", "not in the layout's fonts")


def test_more_located_errors_from_the_command_line(small_issue: Scratch, tmp_path) -> None:
    # each the whole of what is printed: the location (the file, or none for an option), then the words
    cases = [
        (["compile", "sources/t/issue.yaml", "-o", "/proc/no/such/x.pdf"],
         "/proc/no/such/x.pdf: cannot write the PDF (No such file or directory); check that the folder exists, "
         "is writable and has space"),
        (["compile", "sources/t/issue.yaml", "--edition", "poster"],
         "unknown edition 'poster'; choose one of: print, screen, archive"),
        (["compile", "sources/t/issue.yaml", "--level", "3a"], "--level applies to the archive edition only, not 'print'"),
        (["compile", "sources/t/issue.yaml", "--edition", "archive", "--level", "5z"],
         "unknown PDF/A level '5z'; choose one of: 3a, 3b, 3u, 2a, 2b, 2u, 4e, 4f"),
        (["archive", "sources/nothing-*/issue.yaml"], "no manifest matches sources/nothing-*/issue.yaml"),
        (["verify", "out/none.pdf"], "out/none.pdf: file not found"),
    ]
    for args, words in cases:
        run = small_issue.cli(*args)
        assert run.returncode == 1, (args, run.stdout, run.stderr)
        assert run.stderr == f"error: {words}\n", (args, run.stderr)


def test_layout_name_must_be_a_folder_name(small_issue: Scratch) -> None:
    small_issue.write("sources/t/issue.yaml", MANIFEST + "layout: ../../etc\n")
    compile_fails(small_issue, f"sources/t/issue.yaml:{at(MANIFEST + 'layout: ../../etc', '../../etc')}",
                  "layout '../../etc' is not a folder name")


def test_article_outside_the_workspace_and_unclosed_front_matter(small_issue: Scratch) -> None:
    small_issue.write("sources/t/issue.yaml", MANIFEST.replace("articles/a.md", "../../../outside.md"))
    compile_fails(small_issue, "sources/t/issue.yaml:9:9:", "article lies outside the workspace")
    small_issue.write("sources/t/issue.yaml", MANIFEST)
    small_issue.write("sources/t/articles/a.md", "---\ntitle: 标题\n\n正文。\n")
    compile_fails(small_issue, "sources/t/articles/a.md:1:1:", "front matter is not closed")


def test_manifest_without_a_workspace(tmp_path) -> None:
    import subprocess
    import sys
    (tmp_path / "issue.yaml").write_text(MANIFEST, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "kmyreport", "compile", "issue.yaml"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "no workspace found" in run.stderr and "Traceback" not in run.stderr

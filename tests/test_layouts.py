"""Layout inheritance (`extends:`), an issue's `tokens:` and `kmyreport layouts`."""

from __future__ import annotations

import os
import shutil

import pypdfium2 as pdfium
import pytest

from kmyreport.build import compile_issue, prepare_issue
from kmyreport.errors import KmyError
from kmyreport.layouts import deep_merge, load_layout
from kmyreport.workspace import Workspace

from .conftest import MANIFEST, REPO, SAMPLE_ID, CompiledSample, Scratch, squash


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), start=1) if needle in line)


def page_texts(pdf) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [squash(page.get_textpage().get_text_range()) for page in doc]
    finally:
        doc.close()


def use_layout(scratch: Scratch, name: str, manifest: str = MANIFEST) -> None:
    scratch.write("sources/t/issue.yaml", manifest + f"layout: {name}\n")


def test_a_layout_that_only_extends_bulletin_gives_the_same_document_and_pages(sample: CompiledSample) -> None:
    ws = sample.workspace
    ws.write("layouts/plain-kid/layout.yaml", "extends: bulletin\n")
    kid_issue = ws.root / "sources" / "kid"
    shutil.copytree(sample.issue_dir, kid_issue, dirs_exist_ok=True)
    manifest = kid_issue / "issue.yaml"
    # The issue id comes from the folder name; keep the sample's so that the documents match exactly.
    text = manifest.read_text(encoding="utf-8").replace("layout: bulletin", "layout: plain-kid")
    manifest.write_text(text.replace("  title: 盛夏油城专刊", f"  title: 盛夏油城专刊\n  id: {SAMPLE_ID}"),
                        encoding="utf-8")
    assert "layout: plain-kid" in manifest.read_text(encoding="utf-8")
    # The sample in print: the same HTML (an inherited relative path, the press profile, is rebased
    # onto the child's folder and names the same file) ...
    kid = prepare_issue(manifest)
    assert kid.layout.config.name == "plain-kid" and kid.layout.config.extends == "bulletin"
    assert kid.html.replace("../../bulletin/profiles/", "../profiles/") == prepare_issue(ws.manifest(SAMPLE_ID)).html
    # ... and rendered (the screen edition: the quickest), the same pages with the same text on each.
    child = compile_issue(manifest, edition="screen", output=ws.root / "out" / "kid.pdf")
    assert child.pages == sample.result.pages
    assert page_texts(child.output) == page_texts(sample.pdf)


def test_a_child_overrides_a_token_and_a_template_and_inherits_the_rest(small_issue: Scratch) -> None:
    small_issue.write("layouts/teal/layout.yaml",
                      "name: teal\ndescription: 青色简报\nextends: bulletin\n"
                      "tokens:\n  accent: \"#0b7a75\"\n")
    cover = (small_issue.root / "layouts" / "bulletin" / "templates" / "cover.html.j2").read_text(encoding="utf-8")
    small_issue.write("layouts/teal/templates/cover.html.j2", cover.replace("简　报", "青　报"))
    use_layout(small_issue, "teal")
    layout = load_layout("teal", Workspace(small_issue.root))
    assert layout.config.tokens["accent"] == "#0b7a75"
    assert layout.config.tokens["ink"] == "#1a1a1a", "the other tokens come from bulletin"
    assert layout.config.page.width_mm == 210 and len(layout.config.fonts) == 4
    html = prepare_issue(small_issue.manifest(), edition="screen").html  # screen: the RGB tokens
    assert "青　报" in html and "简　报" not in html, "the child's cover replaces the parent's"
    assert "#0b7a75" in html and "#b3121f" in html, "the accent changes; the rule colour stays"
    assert "测试标题" in html and "第一段正文" in html, "article and contents templates are inherited"


def test_an_issue_overrides_tokens_and_a_misspelt_token_is_refused(small_issue: Scratch) -> None:
    small_issue.write("sources/t/issue.yaml", MANIFEST + "tokens:\n  accent: \"#123456\"\n")
    html = prepare_issue(small_issue.manifest(), edition="screen").html
    assert "#123456" in html
    bad = MANIFEST + "tokens:\n  acent: \"#123456\"\n"
    small_issue.write("sources/t/issue.yaml", bad)
    with pytest.raises(KmyError) as caught:
        prepare_issue(small_issue.manifest())
    assert caught.value.line == line_of(bad, "acent") and "did you mean 'accent'" in caught.value.message


def test_an_unknown_parent_is_an_error_at_the_extends_line(small_issue: Scratch) -> None:
    text = "name: kid\n# a comment\nextends: bulettin\n"
    small_issue.write("layouts/kid/layout.yaml", text)
    use_layout(small_issue, "kid")
    with pytest.raises(KmyError) as caught:
        prepare_issue(small_issue.manifest())
    error = caught.value
    assert str(error.file).endswith("layouts/kid/layout.yaml") and error.line == 3
    assert "bulettin" in error.message and "bulletin" in error.message, "names the layouts there are"


def test_a_cycle_is_an_error_at_the_extends_line(small_issue: Scratch) -> None:
    small_issue.write("layouts/a/layout.yaml", "extends: b\n")
    small_issue.write("layouts/b/layout.yaml", "description: b\nextends: c\n")
    small_issue.write("layouts/c/layout.yaml", "extends: a\n")
    with pytest.raises(KmyError) as caught:
        load_layout("a", Workspace(small_issue.root))
    error = caught.value
    assert str(error.file).endswith("layouts/c/layout.yaml") and error.line == 1
    assert "cycle" in error.message and "a → b → c → a" in error.message
    small_issue.write("layouts/self/layout.yaml", "name: self\nextends: self\n")
    with pytest.raises(KmyError, match="cycle") as caught:
        load_layout("self", Workspace(small_issue.root))
    assert caught.value.line == 2


def test_errors_in_inherited_files_name_the_file_that_holds_them(small_issue: Scratch) -> None:
    small_issue.write("layouts/kid/layout.yaml", "extends: bulletin\npage: {width_mm: -1}\n")
    with pytest.raises(KmyError) as caught:
        load_layout("kid", Workspace(small_issue.root))
    assert str(caught.value.file).endswith("layouts/kid/layout.yaml") and caught.value.line == 2
    small_issue.write("layouts/kid/layout.yaml", "extends: bulletin\n")
    use_layout(small_issue, "kid")
    article = small_issue.root / "layouts" / "bulletin" / "templates" / "article.html.j2"
    text = article.read_text(encoding="utf-8").replace("{{ article.title }}", "{{ article.titel }}")
    article.write_text(text, encoding="utf-8")
    with pytest.raises(KmyError) as caught:
        prepare_issue(small_issue.manifest())
    assert str(caught.value.file).endswith("layouts/bulletin/templates/article.html.j2")
    assert caught.value.line == line_of(text, "titel")


def test_a_template_can_include_its_parents_file_by_layout_name(small_issue: Scratch) -> None:
    small_issue.write("layouts/kid/layout.yaml", "extends: bulletin\n")
    small_issue.write("layouts/kid/templates/cover.html.j2",
                      '<p class="banner">特刊</p>\n{% include "bulletin/cover.html.j2" %}\n')
    use_layout(small_issue, "kid")
    html = prepare_issue(small_issue.manifest()).html
    assert html.index("特刊") < html.index("简　报")


def test_templates_added_or_edited_between_builds_in_one_process_are_used(small_issue: Scratch) -> None:
    # The process keeps each layout's Jinja2 environment (its templates compiled) from build to build:
    # a designer's edit, and a template added to the child that now hides the parent's, count at once.
    small_issue.write("layouts/kid/layout.yaml", "extends: bulletin\n")
    use_layout(small_issue, "kid")
    first = prepare_issue(small_issue.manifest()).html
    assert "简　报" in first and "特刊" not in first
    assert prepare_issue(small_issue.manifest()).html == first
    small_issue.write("layouts/kid/templates/cover.html.j2", '<p class="banner">特刊</p>\n')
    added = prepare_issue(small_issue.manifest()).html
    assert "特刊" in added and "简　报" not in added, "the child's new cover hides the parent's"
    cover = small_issue.root / "layouts" / "kid" / "templates" / "cover.html.j2"
    cover.write_text('<p class="banner">号外</p>\n', encoding="utf-8")
    stat = cover.stat()
    os.utime(cover, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))  # a later save, however quick
    edited = prepare_issue(small_issue.manifest()).html
    assert "号外" in edited and "特刊" not in edited
    cover.unlink()
    assert prepare_issue(small_issue.manifest()).html == first, "removed: the parent's cover again"


def test_deep_merge() -> None:
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1}
    assert deep_merge(base, {"a": {"c": [3]}, "e": 2}) == {"a": {"b": 1, "c": [3]}, "d": 1, "e": 2}
    assert base == {"a": {"b": 1, "c": [1, 2]}, "d": 1}, "the base is not changed"


def test_the_layouts_command_lists_description_parent_and_tokens(workspace: Scratch) -> None:
    workspace.write("layouts/teal/layout.yaml", "extends: bulletin\ndescription: 青色简报\n"
                    "tokens: {accent: \"#0b7a75\"}\n")
    workspace.write("layouts/broken/layout.yaml", "extends: nowhere\n")
    run = workspace.cli("layouts")
    assert run.returncode == 0, run.stderr
    text = " ".join(run.stdout.split())
    assert "bulletin: A4 简报" in text
    assert "teal (extends bulletin): 青色简报" in text
    assert "accent=#0b7a75" in text and "accent=#b3121f" in text
    assert "broken" in text and "nowhere" in text


def test_the_worked_example_of_the_docs_extends_bulletin(small_issue: Scratch) -> None:
    """docs/layouts.md's oasis layout: new colours, a new token and a banded masthead over bulletin."""
    shutil.copytree(REPO / "docs" / "example" / "oasis", small_issue.root / "layouts" / "oasis")
    layout = load_layout("oasis", Workspace(small_issue.root))
    tokens = layout.config.tokens
    assert tokens["accent"] == "#1f6f4a" and tokens["paper"] == "#ffffff" and tokens["ink"] == "#1a1a1a"
    colours = layout.config.press.colours
    assert colours["accent"] == [85, 15, 80, 30] and colours["ink"] == [0, 0, 0, 100], "press colours merge too"
    use_layout(small_issue, "oasis")
    html = prepare_issue(small_issue.manifest(), edition="screen").html
    assert 'class="masthead oasis-band"' in html and "绿洲版" in html
    assert ".masthead.oasis-band { background: #1f6f4a" in html, "bulletin's stylesheet with the band after it"
    assert ".masthead-name {" in html and html.index(".masthead-name {") < html.index(".masthead.oasis-band")


def test_a_css_declaration_weasyprint_ignored_is_found_in_its_file(small_issue: Scratch) -> None:
    small_issue.write("layouts/kid/layout.yaml", "extends: bulletin\n")
    small_issue.write("layouts/kid/style.css.j2", '{% include "bulletin/style.css.j2" %}\n'
                      ".masthead { colr: red; }\n.cover { color: reed; }\n")
    layout = load_layout("kid", Workspace(small_issue.root))
    kid_style = small_issue.root / "layouts" / "kid" / "style.css.j2"
    assert layout.locate_css("Ignored `colr: red` at 212:12, unknown property.") == (kid_style, 2)
    assert layout.locate_css("Ignored `color: reed` at 213:9, invalid value.") == (kid_style, 3)
    bulletin_style = small_issue.root / "layouts" / "bulletin" / "style.css.j2"
    where = layout.locate_css("Ignored `letter-spacing: 0.12em` at 9:9, whatever.")
    assert where is not None and where[0] == bulletin_style
    assert "0.12em" in bulletin_style.read_text(encoding="utf-8").splitlines()[where[1] - 1]
    assert layout.locate_css("Parse error at 1:1: something") is None

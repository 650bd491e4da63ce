"""`kmyreport check`, the printer's preflight: each planted fault gives its finding and exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf

from kmyreport.check import check_issue, check_pdf
from kmyreport.layouts import load_layout
from kmyreport.workspace import find_workspace

from .conftest import CompiledSample, Scratch, jpeg_bytes

PHOTO_LINE = 10  # the photo's line in conftest.ARTICLE


def findings(data: dict, code: str) -> list[dict]:
    return [f for f in data["findings"] if f["code"] == code]


def test_the_sample_print_edition_is_clean(sample: CompiledSample, tmp_path: Path) -> None:
    """No finding on what the print edition makes (cover, contents and an article page with a photo)."""
    press = load_layout("bulletin", find_workspace(sample.workspace.manifest("2024-07"))).config.press
    assert press is not None and press.ink_limit == 300
    pages = tmp_path / "pages.pdf"
    with pikepdf.open(sample.pdf) as pdf:
        del pdf.pages[3:]
        pdf.save(pages)
    assert check_pdf(pages, press) == []


def test_an_emoji_is_an_error_at_its_place_and_nothing_is_rendered(small_issue: Scratch) -> None:
    article = small_issue.issue_dir() / "articles" / "a.md"
    article.write_text(article.read_text(encoding="utf-8").replace("第二段正文。", "第二段正文😀。"), encoding="utf-8")
    run = small_issue.cli("check", "sources/t/issue.yaml", "--json")
    assert run.returncode == 2, run.stdout
    data = json.loads(run.stdout)
    assert data["rendered"] is False and data["exit_code"] == 2
    [glyph] = findings(data, "glyph")
    assert (glyph["file"], glyph["line"], glyph["column"]) == ("sources/t/articles/a.md", 14, 6)
    assert "U+1F600" in glyph["message"] and glyph["severity"] == "error"


def test_low_ppi_photo_rgb_image_and_rich_black_text(small_issue: Scratch) -> None:
    # a photo far too small for the column: 300 px across 165 mm is 46 ppi
    small_issue.write("sources/t/photos/p.jpg", jpeg_bytes(300, 200))
    # an RGB logo on the cover, as a designer might drop one into the template
    from PIL import Image
    Image.new("RGB", (60, 20), (200, 30, 30)).save(small_issue.root / "layouts" / "bulletin" / "logo.png")
    cover = small_issue.root / "layouts" / "bulletin" / "templates" / "cover.html.j2"
    cover.write_text(cover.read_text(encoding="utf-8").replace(
        '<div class="masthead">', '<div class="masthead"><img src="../logo.png" alt="">', 1), encoding="utf-8")
    # body text in a rich black (C 60 M 50 Y 50 K 100)
    layout = small_issue.root / "layouts" / "bulletin" / "layout.yaml"
    layout.write_text(layout.read_text(encoding="utf-8").replace("ink: [0, 0, 0, 100]", "ink: [60, 50, 50, 100]"),
                      encoding="utf-8")
    run = small_issue.cli("check", "sources/t/issue.yaml", "--json")
    assert run.returncode == 2, run.stdout
    data = json.loads(run.stdout)
    assert data["rendered"] is True
    [ppi] = findings(data, "photo-ppi")
    assert (ppi["severity"], ppi["file"], ppi["line"]) == ("error", "sources/t/articles/a.md", PHOTO_LINE)
    assert "46 ppi" in ppi["message"]
    rgb = findings(data, "rgb")
    assert [(f["severity"], f["page"]) for f in rgb] == [("error", 1)] and "image" in rgb[0]["message"]
    rich = findings(data, "rich-black")
    assert rich and all(f["severity"] == "error" for f in rich) and "C 60%" in rich[0]["message"]
    assert not findings(data, "boxes") and not findings(data, "output-intent") and not findings(data, "font")


def test_a_photo_below_200_ppi_is_a_warning_that_fails_only_under_strict(small_issue: Scratch) -> None:
    small_issue.write("sources/t/photos/p.jpg", jpeg_bytes(1000, 667))  # 154 ppi across the column
    lenient = small_issue.cli("check", "sources/t/issue.yaml", "--no-render")
    strict = small_issue.cli("check", "sources/t/issue.yaml", "--no-render", "--strict")
    assert (lenient.returncode, strict.returncode) == (0, 1)
    assert f"sources/t/articles/a.md:{PHOTO_LINE}: warning: p.jpg is 1000 px wide" in lenient.stdout
    assert "0 errors, 1 warnings (sources only: not rendered)" in strict.stdout
    report = check_issue(small_issue.manifest(), render=False)  # the same as data
    assert [(f.severity, f.code, f.line) for f in report.findings] == [("warning", "photo-ppi", PHOTO_LINE)]


def test_a_photo_is_judged_at_the_size_its_composer_places_it(tmp_path: Path) -> None:
    """One 900 px photo: across four newspaper columns (about 170 mm) it prints at 134 ppi, in one
    column (about 45 mm) at 508; the finding follows each photo's own placement, not the layout's."""
    from types import SimpleNamespace

    from kmyreport.check import photo_findings
    from kmyreport.photos import Placement

    source = tmp_path / "p.jpg"
    source.write_bytes(jpeg_bytes(900, 600))
    wide, narrow = SimpleNamespace(source=source, line=3), SimpleNamespace(source=source, line=9)
    article = SimpleNamespace(path=tmp_path / "a.md", photos=[wide, narrow])
    places = {id(wide): Placement(170, 200, 300), id(narrow): Placement(45, 200, 300)}
    found = photo_findings([article], lambda photo: places[id(photo)])
    assert [(f.severity, f.line) for f in found] == [("warning", 3)]
    assert "placed 170 mm wide it prints at 134 ppi" in found[0].message
    assert photo_findings([article], Placement(45, 200, 300)) == [], "one placement for all still works"

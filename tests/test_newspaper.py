"""The newspaper: the sample's 4 pages read back from the PDF, jumps, the fit report, one PDF per page.

Expected positions come from the layout's own numbers (layouts/newspaper/layout.yaml: page,
margins, columns, gutter, leading, rows) and the manifest's areas, computed here; expected
text comes from the Markdown sources, read here.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
import yaml

from kmyreport.build import BuildResult, compile_issue
from kmyreport.errors import KmyError
from kmyreport.newspaper.fit import fit_issue

from .conftest import MM, REPO, Scratch, make_workspace, squash

PAPER_ID = "2024-08-daily"
LAYOUT = yaml.safe_load((REPO / "layouts" / "newspaper" / "layout.yaml").read_text(encoding="utf-8"))
TOKENS = LAYOUT["tokens"]
LEAD_PT = TOKENS["leading_pt"]                       # one body line, in pt
BODY_PT = TOKENS["body_size_pt"]


@dataclass(frozen=True)
class Rect:
    x0: float
    top: float
    x1: float
    bottom: float

    def holds(self, char: dict, slack: float = 0.0) -> bool:
        return (self.x0 - slack <= char["x0"] and char["x1"] <= self.x1 + slack
                and self.top - slack <= char["top"] and char["bottom"] <= self.bottom + slack)


def column_left(col: int) -> float:
    """The left edge of grid column `col` (1-based), in pt, from layout.yaml's numbers."""
    margins = LAYOUT["page"]["margins_mm"]
    return (margins["inside"] + (col - 1) * (column_width() + LAYOUT["column_gap_mm"])) * MM


def column_width() -> float:
    page, margins = LAYOUT["page"], LAYOUT["page"]["margins_mm"]
    columns, gap = LAYOUT["columns"], LAYOUT["column_gap_mm"]
    return (page["width_mm"] - margins["inside"] - margins["outside"] - (columns - 1) * gap) / columns


def area_rect(area: dict | str) -> Rect:
    if isinstance(area, str):
        area = TOKENS["slots"][area]
    row_pt = TOKENS["row_lines"] * LEAD_PT
    top = LAYOUT["page"]["margins_mm"]["top"] * MM + (area["row"] - 1) * row_pt
    x0 = column_left(area["col"])
    x1 = column_left(area["col"] + area["cols"] - 1) + column_width() * MM
    return Rect(x0, top, x1, top + area["rows"] * row_pt)


def is_body(char: dict) -> bool:
    """Body copy: the serif face at the body size (heads, bylines, captions, jump lines are sans)."""
    return "Serif" in char["fontname"] and abs(char["size"] - BODY_PT) < 0.05


def column_of(char: dict) -> int:
    pitch = (column_width() + LAYOUT["column_gap_mm"]) * MM
    return int((char["x0"] - column_left(1) + 0.5) // pitch) + 1


def reading_order(chars: list[dict]) -> str:
    """Characters of a multicolumn area in reading order: column by column, line by line."""
    ordered = sorted(chars, key=lambda c: (column_of(c), round(c["top"]), c["x0"]))
    return "".join(c["text"] for c in ordered)


def source_paragraphs(path: Path) -> str:
    """The body paragraphs of an article source (no front matter, heads or photos), squashed."""
    text = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    kept = [line for line in text.split("\n") if line.strip() and not line.startswith(("#", "!["))]
    return squash("".join(kept))


@dataclass
class Paper:
    workspace: Scratch
    result: BuildResult
    manifest: dict
    pages: list  # pdfplumber pages, in order

    def story_pages(self):
        for page in self.manifest["pages"]:
            for story in page["stories"]:
                yield page, story, self.pages[page["number"] - 1]


@pytest.fixture(scope="module")
def paper(tmp_path_factory: pytest.TempPathFactory, font_store: Path):
    ws = make_workspace(tmp_path_factory.mktemp("paper") / "ws", font_store)
    shutil.copytree(REPO / "sources" / PAPER_ID, ws.issue_dir(PAPER_ID))
    result = compile_issue(ws.manifest(PAPER_ID), edition="screen")
    manifest = yaml.safe_load(ws.manifest(PAPER_ID).read_text(encoding="utf-8"))
    with pdfplumber.open(result.output) as pdf:
        yield Paper(ws, result, manifest, list(pdf.pages))


def lead_story(paper: Paper) -> dict:
    return next(s for s in paper.manifest["pages"][0]["stories"] if s.get("rank") == 1)


def landing(paper: Paper, story: dict) -> tuple[dict, dict]:
    page = next(p for p in paper.manifest["pages"] if p["number"] == story["continue"])
    return page, next(s for s in page["stories"] if s["source"] == story["source"])


def test_page_one_body_is_set_in_at_least_four_grid_columns(paper: Paper) -> None:
    lead = lead_story(paper)
    area = area_rect(lead["area"])
    body = [c for c in paper.pages[0].chars if is_body(c) and area.holds(c, 1)]
    columns = {column_of(c) for c in body}
    assert len(columns) >= 4 and columns == set(range(lead["area"]["col"], lead["area"]["col"] + lead["area"]["cols"]))
    for char in body:  # no body character crosses a gutter
        left = column_left(column_of(char))
        assert left - 0.5 <= char["x0"] and char["x1"] <= left + column_width() * MM + 0.5, char["text"]


def test_every_story_sits_in_the_grid_area_its_manifest_gives(paper: Paper) -> None:
    for page, story, pdf_page in paper.story_pages():
        area = area_rect(story["area"])
        inside = text_in(pdf_page, area)
        title = yaml.safe_load(source_paragraphs_front(paper, story))["title"]
        assert squash(title) in squash(inside), (page["number"], story["source"])
    for number, pdf_page in enumerate(paper.pages, start=1):
        areas = [area_rect(s["area"]) for s in paper.manifest["pages"][number - 1]["stories"]]
        body = [c for c in pdf_page.chars if is_body(c)]
        assert body
        # within a line: every body character lies in one of the page's story areas
        stray = [c["text"] for c in body if not any(a.holds(c, LEAD_PT) for a in areas)]
        assert not stray, (number, "".join(stray)[:40])


def text_in(pdf_page, area: Rect) -> str:
    """The characters inside an area, line by line from the top (headlines run across the area)."""
    chars = [c for c in pdf_page.chars if area.holds(c, 1)]
    return "".join(c["text"] for c in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])))


def source_paragraphs_front(paper: Paper, story: dict) -> str:
    path = paper.workspace.issue_dir(PAPER_ID) / story["source"]
    return path.read_text(encoding="utf-8").split("---\n")[1]


def test_text_reads_in_order_across_the_jump_and_equals_the_source(paper: Paper) -> None:
    landed = set()
    for page, story, pdf_page in paper.story_pages():
        if (page["number"], story["source"]) in landed:
            continue
        area = area_rect(story["area"])
        text = reading_order([c for c in pdf_page.chars if is_body(c) and area.holds(c, 1)])
        if story.get("continue"):
            to_page, to_story = landing(paper, story)
            landed.add((to_page["number"], to_story["source"]))
            to_area = area_rect(to_story["area"])
            continued = reading_order([c for c in paper.pages[to_page["number"] - 1].chars
                                       if is_body(c) and to_area.holds(c, 1)])
            assert continued, "nothing was carried over to the continuation"
            text += continued
        assert squash(text) == source_paragraphs(paper.workspace.issue_dir(PAPER_ID) / story["source"]), \
            story["source"]


def test_jump_lines_name_the_right_pages(paper: Paper) -> None:
    lead = lead_story(paper)
    to_page, to_story = landing(paper, lead)
    area = area_rect(lead["area"])
    jump = [c for c in paper.pages[0].chars if area.holds(c, 1) and "Sans" in c["fontname"]]
    out_line = f"（下转第{to_page['number']}版）"
    assert out_line in squash(reading_order(jump))
    # it ends the story: in the area's last column, on its last lines
    marks = [c for c in jump if c["text"] == "转"]
    assert len(marks) == 1
    last_col = lead["area"]["col"] + lead["area"]["cols"] - 1
    assert column_of(marks[0]) == last_col
    assert marks[0]["bottom"] <= area.bottom and marks[0]["top"] >= area.bottom - 3 * LEAD_PT
    back = text_in(paper.pages[to_page["number"] - 1], area_rect(to_story["area"]))
    assert "（上接第1版）" in squash(back)
    for number, pdf_page in enumerate(paper.pages, start=1):  # and nowhere else
        text = squash("".join(c["text"] for c in pdf_page.chars))
        assert text.count("下转第") == (1 if number == 1 else 0)
        assert text.count("上接第") == (1 if number == to_page["number"] else 0)


def test_headlines_by_rank_and_the_lead_headline_spans_four_columns(paper: Paper) -> None:
    sizes = TOKENS["headline_pt"]
    for _page, story, pdf_page in paper.story_pages():
        if "continue" not in story and any(s["source"] == story["source"] and s.get("continue")
                                           for p in paper.manifest["pages"] for s in p["stories"]):
            continue  # the continuation of a jump: a small repeated headline
        rank = story.get("rank", 3)
        area = area_rect(story["area"])
        big = [c for c in pdf_page.chars if area.holds(c, 1) and abs(c["size"] - sizes[rank]) < 0.05]
        title = yaml.safe_load(source_paragraphs_front(paper, story))["title"]
        assert squash("".join(c["text"] for c in big)) == squash(title), story["source"]
    lead = lead_story(paper)
    area = area_rect(lead["area"])
    head = [c for c in paper.pages[0].chars if area.holds(c, 1) and abs(c["size"] - sizes[1]) < 0.05]
    left, right = min(c["x0"] for c in head), max(c["x1"] for c in head)
    assert abs((left + right) / 2 - (area.x0 + area.x1) / 2) < 2  # 通栏: centred across the page
    touched = {col for col in range(1, LAYOUT["columns"] + 1)
               if column_left(col) < right and left < column_left(col) + column_width() * MM}
    assert len(touched) >= 4 and lead["area"]["cols"] == LAYOUT["columns"]


def test_masthead_and_a_running_head_with_date_page_and_editor_on_every_page(paper: Paper) -> None:
    top = LAYOUT["page"]["margins_mm"]["top"] * MM
    for page, pdf_page in zip(paper.manifest["pages"], paper.pages):
        head = squash(pdf_page.crop((0, 0, pdf_page.width, top)).extract_text())
        assert f"第{page['number']:02d}版" in head and page["name"] in head
        assert "2024年8月16日" in head and f"责任编辑：{page['editor']}" in head
    masthead = [c for c in paper.pages[0].chars if c["size"] >= TOKENS["masthead_size_pt"] - 0.1]
    assert squash("".join(c["text"] for c in masthead)) == paper.manifest["publication"]["name"]
    assert area_rect(TOKENS["masthead"]).holds(masthead[0])
    assert all(c["size"] < 40 for p in paper.pages[1:] for c in p.chars)  # the 报头 only on 第01版


def test_photos_span_two_or_more_columns_inside_their_story(paper: Paper) -> None:
    two = 2 * column_width() * MM + LAYOUT["column_gap_mm"] * MM
    count = 0
    for page, pdf_page in zip(paper.manifest["pages"], paper.pages):
        areas = [area_rect(s["area"]) for s in page["stories"]]
        for image in pdf_page.images:
            count += 1
            assert image["x1"] - image["x0"] >= two - 1
            assert any(a.x0 - 1 <= image["x0"] and image["x1"] <= a.x1 + 1 and a.top <= image["top"]
                       and image["bottom"] <= a.bottom for a in areas)
    assert count >= 4


def test_one_single_page_pdf_per_page_beside_the_whole_issue(paper: Paper) -> None:
    import pikepdf

    files = paper.result.files
    assert [f.name for f in files] == [f"{PAPER_ID}-screen-page{n:02d}.pdf" for n in range(1, 5)]

    def drawn(page: pikepdf.Page) -> bytes:
        contents = page.obj.Contents
        streams = contents if isinstance(contents, pikepdf.Array) else [contents]
        return b"".join(stream.read_bytes() for stream in streams)

    with pikepdf.open(paper.result.output) as whole:
        for number, path in enumerate(files, start=1):
            with pikepdf.open(path) as single:
                assert len(single.pages) == 1
                page, original = single.pages[0], whole.pages[number - 1]
                assert list(page.MediaBox) == list(original.MediaBox)
                assert drawn(page) == drawn(original)          # the same page, drawn the same
                assert set(page.Resources.Font.keys()) == set(original.Resources.Font.keys())
                assert f"第{number:02d}版" in str(single.docinfo.Title)


# -- the fit report, on a one-page issue -------------------------------------------------------

SENTENCE = "油城的清晨从一杯热奶茶开始，街角的早餐店早早亮起了灯。"   # 28 characters


def one_story_issue(ws: Scratch, paragraphs: list[str]) -> Path:
    ws.write("sources/f/issue.yaml", """\
publication: {name: 克拉玛依融媒}
issue: {number: 1, date: 2024-08-16}
layout: newspaper
pages:
  - number: 1
    name: 要闻
    editor: 王若惟
    stories:
      - {source: articles/a.md, area: {col: 1, cols: 2, row: 4, rows: 3}, rank: 3}
""")
    body = "\n\n".join(paragraphs)
    ws.write("sources/f/articles/a.md", f"---\ntitle: 清晨\nbyline: false\n---\n\n{body}\n")
    return ws.manifest("f")


def test_the_fit_report_moves_by_the_characters_added_or_removed(workspace: Scratch) -> None:
    per_line = int(column_width() / (BODY_PT * 25.4 / 72))
    base = [SENTENCE * 3] * 4                                       # 336 字: more than the area holds
    manifest = one_story_issue(workspace, base)
    # overflow without continue: is an error naming the story's file and the 字 (and lines) to cut
    with pytest.raises(KmyError) as caught:
        fit_issue(manifest, overflow="error")
    assert Path(caught.value.file).name == "a.md"
    cut = re.search(r"cut (\d+) 字 \((\d+) lines\)", caught.value.message)
    over_chars, over_lines = int(cut[1]), int(cut[2])
    assert over_chars > 0 and over_lines > 0
    added = SENTENCE * 2                                           # +56 字
    one_story_issue(workspace, base + [added])
    longer = fit_issue(manifest).stories[0]
    assert abs((longer.over_chars - over_chars) - len(added)) <= per_line
    one_story_issue(workspace, [SENTENCE * 3] * 2)                 # −168 字
    shorter = fit_issue(manifest).stories[0]
    assert shorter.over_chars < 0 and shorter.over_lines < 0       # now under: room left
    assert abs((over_chars - shorter.over_chars) - 168) <= per_line + 2  # + the new paragraph's indent


@pytest.mark.parametrize(("stories", "where", "message"), [
    ("- {source: articles/a.md, area: {col: 5, cols: 3, row: 4, rows: 2}}", "stories[0].area",
     "beyond the grid of 6 columns"),
    ("- {source: articles/a.md, area: {col: 1, cols: 2, row: 2, rows: 3}}", "stories[0].area", "overlaps the masthead"),
    ("- {source: articles/a.md, area: 中缝}", "stories[0].area", "no slot '中缝'"),
    ("- {source: articles/a.md, area: {col: 1, cols: 2, row: 4, rows: 2}, continue: 2}", "stories[0].continue",
     "names no other page"),
    ("- {source: articles/a.md, area: {col: 1, cols: 2, row: 4, rows: 2}}\n      "
     "- {source: articles/a.md, area: {col: 3, cols: 2, row: 4, rows: 2}}", "stories[1].source", "placed twice"),
])
def test_page_mistakes_are_errors_at_their_manifest_line(workspace: Scratch, stories: str, where: str,
                                                          message: str) -> None:
    manifest = one_story_issue(workspace, [SENTENCE])
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(re.sub(r"- \{source: articles/a\.md.*\}", lambda _: stories, text), encoding="utf-8")
    with pytest.raises(KmyError) as caught:
        fit_issue(manifest)
    assert where in caught.value.message and message in caught.value.message
    line = manifest.read_text(encoding="utf-8").split("\n")[caught.value.line - 1]
    assert "articles/a.md" in line


def test_the_broadsheet_extends_the_tabloid_with_eight_columns_of_whole_characters(workspace: Scratch) -> None:
    from kmyreport.layouts import load_layout
    from kmyreport.newspaper.grid import grid_of
    from kmyreport.workspace import find_workspace

    data = yaml.safe_load((REPO / "layouts" / "newspaper-broadsheet" / "layout.yaml").read_text(encoding="utf-8"))
    grid = grid_of(load_layout("newspaper-broadsheet", find_workspace(workspace.root, workspace.root)))
    assert (grid.page_width, grid.page_height, grid.columns) == (390, 540, 8)
    margins = data["page"]["margins_mm"]
    width = (390 - margins["inside"] - margins["outside"] - 7 * data["column_gap_mm"]) / 8
    assert grid.column_width == pytest.approx(width)
    chars = width / (BODY_PT * 25.4 / 72)
    assert chars - int(chars) < 0.05 and grid.chars_per_line == int(chars) == 13  # whole characters per line
    assert grid.leading == pytest.approx(LEAD_PT * 25.4 / 72)                    # the tabloid's baseline grid

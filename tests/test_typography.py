"""Chinese justification: every line but a paragraph's last ends flush at the right edge."""

from __future__ import annotations

import collections
import statistics

import pdfplumber
import pytest

from kmyreport.build import compile_issue
from kmyreport.cjk import is_justifiable as justifiable
from kmyreport.render.justify import justifiable_gaps

from .conftest import CompiledSample, Scratch, body_text, chars_by_line, snippet_chars, squash

REGULAR = {"normal": "NotoSerifSC-Regular.otf"}
REGULAR_AND_BOLD = REGULAR | {"bold": "NotoSerifSC-Bold.otf"}

BODY_SIZE = 10.5


def body_lines(pdf_path) -> list[list[tuple[float, float, str, bool]]]:
    """Per page, the body-text lines: (left, right, text, is the last line of its paragraph)."""
    pages = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            rows = collections.defaultdict(list)
            for char in page.chars:
                if "Serif" in char["fontname"] and abs(char["size"] - BODY_SIZE) < 0.3:
                    rows[round(char["top"])].append(char)
            if not rows:
                continue
            lines = []
            for top in sorted(rows):
                chars = sorted(rows[top], key=lambda c: c["x0"])
                lines.append([chars[0]["x0"], max(c["x1"] for c in chars), "".join(c["text"] for c in chars)])
            margin = min(line[0] for line in lines)
            result = []
            for index, (left, right, text) in enumerate(lines):
                following = lines[index + 1] if index + 1 < len(lines) else None
                last = following is None or following[0] > margin + BODY_SIZE  # next line is indented: new paragraph
                result.append((left, right, text, last))
            pages.append(result)
    return pages


def flush_report(pdf_path, tolerance: float = 1.0) -> tuple[int, list[str]]:
    checked, ragged = 0, []
    for lines in body_lines(pdf_path):
        edge = max(right for _, right, _, _ in lines)
        for _, right, text, last in lines:
            if last:
                continue
            checked += 1
            if right < edge - tolerance:
                ragged.append(f"{edge - right:.1f} pt short: {text}")
    return checked, ragged


def test_sample_body_lines_are_flush(sample: CompiledSample) -> None:
    checked, ragged = flush_report(sample.pdf)
    assert checked > 50
    assert not ragged, ragged


ARTICLE = """\
---
title: 排版测试
---

{paragraph}

{paragraph}
"""

MIXED = ("克拉玛依持续推进二氧化碳捕集、利用与封存（CCUS）示范工程，截至7月15日累计注入21.6万吨，"
         "依托5G专网和数字孪生平台实时监测——“哪口井压力异常，系统几秒钟就能报警”……**重点项目**进展顺利，"
         "单位能耗比2021年下降约18%，iPhone 15 和 AI 模型也进入了巡检现场。") * 3


def test_mixed_copy_is_flush_and_keeps_pairs_and_text(small_issue: Scratch) -> None:
    small_issue.write("sources/t/articles/a.md", ARTICLE.format(paragraph=MIXED))
    pdf = compile_issue(small_issue.manifest()).output
    checked, ragged = flush_report(pdf)
    assert checked >= 6 and not ragged, ragged
    text = body_text(pdf)
    assert squash(MIXED.replace("**", "")) in text
    with pdfplumber.open(pdf) as doc:
        chars = [c for page in doc.pages for c in page.chars]
    for first, second in zip(chars, chars[1:]):
        if first["text"] == second["text"] and first["text"] in "—…" and abs(first["top"] - second["top"]) < 1:
            assert abs(second["x0"] - first["x1"]) < 0.05, "the halves of —— and …… stay joined"


@pytest.mark.parametrize("text, gaps", [
    ("克拉玛依", 3.0),        # four characters, three gaps
    ("5G专网", 1.5),          # starts with Latin: its leading half-gap is kept
    ("专网5G", 1.5),
    ("——", 0.0),              # never pulled apart
    ("AI model", 0.0),
    ("“好”", 2.0),
])
def test_justifiable_gaps(text: str, gaps: float) -> None:
    assert justifiable_gaps(text) == gaps


def test_justifiable_characters() -> None:
    assert justifiable("克") and justifiable("，") and justifiable("𠮷")
    assert not justifiable("—") and not justifiable("…") and not justifiable("A") and not justifiable("5")


def test_a_line_that_would_be_spaced_out_stays_ragged(small_issue: Scratch) -> None:
    word = "Karamay" * 11  # one Latin word that cannot share the first line with the Chinese before it
    paragraph = "克拉玛依发布" + word + "其余内容照常进行。" * 4
    small_issue.write("sources/t/articles/a.md", ARTICLE.format(paragraph=paragraph))
    result = compile_issue(small_issue.manifest())
    pdf = result.output
    reports = [warning for warning in result.warnings if "left ragged" in warning]
    # reported with the paragraph's source line (both paragraphs, lines 5 and 7 of the article), never silently
    assert [report.split(": ")[0] for report in reports] == ["articles/a.md:5", "articles/a.md:7"], result.warnings
    assert "克拉玛依发布" in reports[0]
    with pdfplumber.open(pdf) as doc:
        chars = [c for page in doc.pages for c in page.chars
                 if "Serif" in c["fontname"] and abs(c["size"] - BODY_SIZE) < 0.3]
    widest = max(second["x0"] - first["x1"] for first, second in zip(chars, chars[1:])
                 if abs(first["top"] - second["top"]) < 1 and justifiable(first["text"]))
    assert widest <= 0.5 * BODY_SIZE + 0.1, widest
    assert squash(paragraph) in body_text(pdf)


@pytest.mark.parametrize("text, pieces", [
    ("见https://data.example.cn/karamay/2024/ccus 供", "见https://data|.example|.cn/|karamay/|2024/|ccus 供"),
    ("网址www.example.cn。", "网址www|.example|.cn。"),
    ("http://a-b.cn/x?a=1&b=2", "http://a|-b|.cn/|x?a|=1|&b|=2"),   # never after a hyphen, no one-letter piece
    ("没有网址的文字 a.b", "没有网址的文字 a.b"),
])
def test_url_break_points(text: str, pieces: str) -> None:
    from kmyreport.render.urlbreak import WJ, ZWSP, break_urls

    broken = break_urls(text)
    assert broken.replace(ZWSP, "|").replace(WJ, "") == pieces
    assert broken.replace(ZWSP, "").replace(WJ, "") == text
    assert all(broken[index + 1] == WJ for index, char in enumerate(broken[:-1]) if char in "-?" and
               broken[index + 1] != ZWSP), "a word joiner where Pango would break by itself"


def test_rules_apply_across_inline_element_edges(workspace, tmp_path) -> None:
    """A Han–Latin boundary or a pair of marks that meets across a bold or link edge is spaced or compressed as
    within one element (the gap lost at the join is restored)."""
    chars = snippet_chars(workspace, tmp_path, REGULAR_AND_BOLD, "body { font: 10pt T } p { width: 150mm }",
                          '<p>推进<b>重点</b>AI项目，<b>GPT</b>模型和<b>“重点”</b>，还说：<b>“好”</b>的'
                          '<a href="https://x.cn">链接</a>5G网络。</p><p>iPhone 15和<b>AI</b>模型。</p>')
    pairs = [(a, b) for a, b in zip(chars, chars[1:]) if abs(a["top"] - b["top"]) < 1]
    assert len(pairs) == len(chars) - 2, "each paragraph on one line"
    gaps = {a["text"] + b["text"]: (b["x0"] - a["x1"]) / 10 for a, b in pairs}
    advances = {a["text"] + b["text"]: (b["x0"] - a["x0"]) / 10 for a, b in pairs}
    for pair in ("点A", "T模", "接5", "I项", "G网", "5和", "和A", "I模"):  # 和 between two boundaries, one across
        assert abs(gaps[pair] - 0.25) < 0.02, (pair, gaps[pair])
    assert abs(advances["”，"] - 0.5) < 0.02 and abs(advances["：“"] - 0.5) < 0.02
    assert abs(gaps["重点"]) < 0.02 and abs(gaps["，G"]) < 0.02


def test_a_justified_line_with_an_underlined_link_is_drawn(workspace, tmp_path) -> None:
    """A justified text box gets its layout set up only when drawn; the underline's metrics are kept for it."""
    from kmyreport.render import RenderJob, render_pdf
    from kmyreport.workspace import Workspace

    text = "克拉玛依持续推进示范工程，" * 3 + '<a href="https://x.cn">链接下划线</a>' + "依托专网实时监测。" * 6
    html = ('<html lang="zh-CN"><style>@font-face { font-family: T; src: url("fonts/NotoSerifSC-Regular.otf") }'
            f'body {{ font: 10pt T }} p {{ width: 100mm; text-align: justify }}</style><p>{text}</p></html>')
    pdf = render_pdf(RenderJob(html=html, base_url="file:///kmyreport-workspace/", workspace=Workspace(workspace.root),
                               source_name="test")).pdf
    path = tmp_path / "link.pdf"
    path.write_bytes(pdf)
    with pdfplumber.open(path) as doc:
        assert doc.pages[0].lines or doc.pages[0].rects, "the underline is drawn"


def test_an_opening_mark_at_a_line_start_is_half_width(workspace, tmp_path) -> None:
    """Inside a paragraph, a line that starts with an opening bracket sets it half-width, so the text after it
    starts half an em from the margin; a paragraph's first line keeps it full width."""
    text = "（克拉玛依）推进。</p><p>克拉玛依持续推进示范" + "（二氧化碳）捕集工程" + "（五分钟）刷新一次数据" + "依托专网实时监测。"
    lines = chars_by_line(snippet_chars(workspace, tmp_path, REGULAR,
                                        "body { font: 10pt T } p { width: 100pt; text-align: justify }",
                                        f"<p>{text}</p>"))
    margin = lines[0][0]["x0"]
    def start(line: list) -> float:  # where the second character starts, in em, less the justification spacing
        spacing = statistics.median(b["x0"] - a["x1"] for a, b in zip(line[2:], line[3:]))
        return (line[1]["x0"] - margin - spacing) / 10

    starts = {"".join(c["text"] for c in line[:2]): start(line) for line in lines}
    assert abs(starts["（克"] - 1.0) < 0.02, "the first line's bracket stays full width"
    inside = {pair: start for pair, start in starts.items() if pair[0] == "（" and pair != "（克"}
    assert len(inside) == 2 and all(abs(start - 0.5) < 0.02 for start in inside.values()), starts


@pytest.mark.parametrize("body", [
    "克拉玛依持续推进<b>ABCD</b>二氧化碳捕集工程稳步推进依托专网实时监测数据。",  # 进 | ABCD across a line end
    "克拉玛依持续推进<b>AB</b>二氧化碳捕集工程稳步推进依托专网实时监测数据。",    # AB | 二 across a line end
])
def test_no_opening_where_an_element_edge_falls_at_a_line_end(workspace, tmp_path, body: str) -> None:
    """A Han–Latin boundary at an inline element's edge that a line break falls on opens nothing: the line
    before ends flush, the line after starts at the margin."""
    lines = chars_by_line(snippet_chars(workspace, tmp_path, REGULAR_AND_BOLD,
                                        "body { font: 10pt T } p { width: 100pt; text-align: justify }",
                                        f"<p>{body}</p>"))
    margin, edge = lines[0][0]["x0"], max(line[-1]["x1"] for line in lines)
    assert len(lines) >= 3
    assert all(abs(line[0]["x0"] - margin) < 0.05 for line in lines), [line[0]["x0"] for line in lines]
    assert all(abs(line[-1]["x1"] - edge) < 0.1 for line in lines[:-1]), [line[-1]["x1"] for line in lines]

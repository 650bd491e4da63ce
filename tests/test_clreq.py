"""Chinese typography to clreq, measured from glyph positions in real PDFs.

A long issue of our own (digits, Latin words, URLs, bold, adjacent punctuation) is
compiled once with the rules on and once with them turned off by the layout's
tokens; the sample issue is the session's. Expected values come from the body
font size (10.5 pt, so an em is 10.5 pt) and from character classes written here
by hand, not from the code under test.
"""

from __future__ import annotations

import collections
import functools
import statistics
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest

from kmyreport.build import compile_issue

from .conftest import CompiledSample, Scratch, body_text, snippet_chars, squash

EM = 10.5  # the bulletin's body size, in pt

# Written by hand for these tests (GB/T 15834 marks as a Simplified Chinese font draws them).
OPENING = set("“‘（《【「")
CLOSING = set("”’）》】」。，、；：？！")
LATIN = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


def han(char: str) -> bool:
    return len(char) == 1 and "\u4e00" <= char <= "\u9fff"


PARAGRAPHS = [
    "克拉玛依持续推进二氧化碳捕集、利用与封存（CCUS）示范工程。截至2024年7月15日，累计注入21.6万吨，"
    "依托5G专网和数字孪生平台实时监测。负责人说：“哪口井压力异常，系统几秒钟就能报警。”**重点项目**进展顺利，"
    "单位能耗比2021年下降约18%，iPhone 15和AI模型也进入了巡检现场。",
    "《克拉玛依日报》（2024年7月16日）报道：“油城的夏天，是从第1口井开始的。”记者在第3采油厂看到，"
    "技术员用Python脚本分析1,800多米深处的温度曲线，数据每5分钟刷新一次；他们把结果上传到"
    "https://data.example.cn/karamay/2024/ccus 供专家会商。",
    "“今年新植梭梭、红柳等苗木1200余亩，成活率达到92%！”林场场长告诉记者，防护林带已延伸到"
    "G217国道两侧。市民可以在App里查看每一片林地的照片——“原来家门口就有这么多宝贝”……",
    "社区服务中心把“家门口”的小事办成群众满意的大事：累计服务居民3.5万人次，开设Office培训班12期、"
    "书法课8期（每期20人）。【便民提示】预约电话0990-6888888，网址www.example.cn。",
    "监测数据每日公开，完整的日报见https://data.example.cn/karamay/wells/daily-report.html?date=2024-07-15，"
    "欢迎市民查阅。",
] * 3
LONG_URL = "https://data.example.cn/karamay/wells/daily-report.html?date=2024-07-15"


ARTICLE = "---\ntitle: 排版测试\n---\n\n" + "\n\n".join(PARAGRAPHS) + "\n"

TOKENS_OFF = {"cjk_punctuation: compress": "cjk_punctuation: none", "cjk_autospace: ideograph-alpha": "cjk_autospace: none"}


@dataclass
class Char:
    text: str
    x0: float
    x1: float


def body_lines(pdf: Path) -> list[tuple[list[Char], bool]]:
    """Every body line (serif at the body size) in reading order, and whether it ends its paragraph."""
    return [(line, last) for page in body_pages(pdf) for line, last in page]


@functools.cache
def body_pages(pdf: Path) -> list[list[tuple[list[Char], bool]]]:
    pages = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            result = []
            rows = collections.defaultdict(list)
            for char in page.chars:
                if "Serif" in char["fontname"] and abs(char["size"] - EM) < 0.3:
                    rows[round(char["top"])].append(Char(char["text"], char["x0"], char["x1"]))
            lines = [sorted(rows[top], key=lambda c: c.x0) for top in sorted(rows)]
            margin = min((line[0].x0 for line in lines), default=0)
            for index, line in enumerate(lines):
                following = lines[index + 1] if index + 1 < len(lines) else None
                result.append((line, following is None or following[0].x0 > margin + EM))
            pages.append(result)
    return pages


def inter_character(line: list[Char]) -> float:
    """The line's justification spacing: the median gap between two Han characters."""
    gaps = [b.x0 - a.x1 for a, b in zip(line, line[1:]) if han(a.text) and han(b.text)]
    return statistics.median(gaps) if gaps else 0.0


def punctuation_pairs(pdf: Path) -> list[tuple[str, float]]:
    """Each pair of adjacent full-width marks and the em it takes, less the justification spacing."""
    pairs = []
    for line, _ in body_lines(pdf):
        spacing = inter_character(line)
        for a, b, after in zip(line, line[1:], line[2:]):
            if a.text in OPENING | CLOSING and b.text in OPENING | CLOSING:
                pairs.append((a.text + b.text, (after.x0 - a.x0 - 2 * spacing) / EM))
    return pairs


def han_latin_gaps(pdf: Path) -> list[tuple[str, float]]:
    """Each gap between a Han character and a Latin letter or digit, in em, less justification's half."""
    gaps = []
    for line, _ in body_lines(pdf):
        spacing = inter_character(line)
        for a, b in zip(line, line[1:]):
            if (han(a.text) and b.text in LATIN) or (a.text in LATIN and han(b.text)):
                gaps.append((a.text + b.text, (b.x0 - a.x1 - spacing / 2) / EM))
    return gaps


def latin_word_gaps(pdf: Path) -> list[tuple[str, float]]:
    return [(a.text + b.text, b.x0 - a.x1) for line, _ in body_lines(pdf) for a, b in zip(line, line[1:])
            if a.text in LATIN and b.text in LATIN]


def lone_last_lines(pdf: Path) -> list[str]:
    """Last lines of paragraphs with fewer than two characters (marks not counted)."""
    return ["".join(c.text for c in line) for line, last in body_lines(pdf)
            if last and sum(1 for c in line if han(c.text) or c.text in LATIN) < 2]


def flush(pdf: Path) -> tuple[int, list[str]]:
    checked = []
    for lines in body_pages(pdf):
        if lines:
            edge = max(line[-1].x1 for line, _ in lines)
            checked += [(line, edge - line[-1].x1) for line, last in lines if not last]
    return len(checked), [f"{short:.1f} pt short: {''.join(c.text for c in line)}"
                          for line, short in checked if short > 1.0]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory, font_store: Path) -> tuple[Path, Path]:
    """The long mixed issue, compiled with the rules on and with the layout's tokens turning them off."""
    from .conftest import MANIFEST, make_workspace

    outputs = []
    for name, tokens in (("on", {}), ("off", TOKENS_OFF)):
        ws: Scratch = make_workspace(tmp_path_factory.mktemp(f"clreq-{name}") / "ws", font_store)
        layout = ws.root / "layouts" / "bulletin" / "layout.yaml"
        text = layout.read_text(encoding="utf-8")
        for token, off in tokens.items():
            assert token in text
            text = text.replace(token, off)
        layout.write_text(text, encoding="utf-8")
        ws.write("sources/t/issue.yaml", MANIFEST)
        ws.write("sources/t/articles/a.md", ARTICLE)
        outputs.append(compile_issue(ws.manifest()).output)
    return outputs[0], outputs[1]


def test_adjacent_punctuation_takes_one_and_a_half_em(mixed: tuple[Path, Path], sample: CompiledSample) -> None:
    on, off = mixed
    for pdf in (on, sample.pdf):
        pairs = punctuation_pairs(pdf)
        assert len(pairs) >= 20
        wide = [(pair, round(width, 3)) for pair, width in pairs if width > 1.5 + 0.02]
        assert not wide, wide
    assert all(width > 1.9 for _, width in punctuation_pairs(off)), "the token turns compression off"


def test_han_latin_gaps_are_a_quarter_em(mixed: tuple[Path, Path], sample: CompiledSample) -> None:
    on, off = mixed
    for pdf in (on, sample.pdf):
        gaps = han_latin_gaps(pdf)
        assert len(gaps) >= 40
        near = [gap for _, gap in gaps if abs(gap - 0.25) <= 0.1]
        assert len(near) >= 0.95 * len(gaps), sorted(gaps, key=lambda g: abs(g[1] - 0.25))[-10:]
    assert all(gap < 0.1 for _, gap in han_latin_gaps(off)), "the token turns the spacing off"


def test_latin_words_and_ellipses_are_not_spaced_out(mixed: tuple[Path, Path]) -> None:
    on, off = mixed
    gaps, natural = latin_word_gaps(on), collections.defaultdict(list)
    for pair, gap in latin_word_gaps(off):
        natural[pair].append(gap)
    assert len(gaps) > 100
    # Each pair sits as the font kerns it, or unkerned (a word the spacing crosses is shaped letter by
    # letter): never letter-spaced.
    spaced = [(pair, round(gap, 3)) for pair, gap in gaps
              if min(abs(gap - kern) for kern in natural[pair] + [0.0]) > 0.05]  # pt
    assert not spaced, spaced
    kept = sum(1 for pair, gap in gaps if any(abs(gap - kern) <= 0.02 for kern in natural[pair]))
    assert kept >= 0.7 * len(gaps)
    with pdfplumber.open(on) as doc:
        chars = [c for page in doc.pages for c in page.chars]
    for a, b in zip(chars, chars[1:]):
        if a["text"] == b["text"] == "…" and abs(a["top"] - b["top"]) < 1:
            assert abs(b["x0"] - a["x1"]) < 0.1


def test_text_is_the_source(mixed: tuple[Path, Path]) -> None:
    on, off = mixed
    source, text = squash("".join(PARAGRAPHS).replace("**", "")), body_text(on)
    assert source in text
    assert text == body_text(off)


def test_word_spaces_take_the_extra_width_first(mixed: tuple[Path, Path]) -> None:
    """clreq's order of adjustment: in a justified line, a Latin word space grows (up to a quarter em here)
    before the gaps between characters take any of the extra width."""
    on, _ = mixed
    checked = 0
    for line, last in body_lines(on):
        spacing = inter_character(line)
        for before, space, after in zip(line, line[1:], line[2:]):
            if space.text == " " and before.text in LATIN and after.text in LATIN:
                grown = (after.x0 - before.x1 - (space.x1 - space.x0)) / EM
                if last:
                    assert abs(grown) < 0.02, "a last line is not justified"
                elif spacing > 0.05:
                    checked += 1
                    assert grown >= 0.25 - 0.02, (grown, "".join(c.text for c in line))
    assert checked >= 3


def test_a_url_breaks_at_safe_points(mixed: tuple[Path, Path]) -> None:
    """A URL longer than a line breaks after a slash or before a dot, ?, &, = or -, with no mark drawn; the
    lines stay flush (test_mixed_issue_lines_are_flush) and the text is the source (test_text_is_the_source)."""
    on, _ = mixed
    texts = ["".join(c.text for c in line) for line, _ in body_lines(on)]
    broken = [(a, b) for a, b in zip(texts, texts[1:]) if LONG_URL not in a and LONG_URL not in b
              and LONG_URL in a + b]
    assert broken, "the URL falls across a line end at least once"
    for line, following in zip(texts, texts[1:]):
        if any(piece in line[-12:] for piece in ("example", "karamay", "wells", "daily", "report", "date")) and \
                following[:1] in set("./?&=-_") | LATIN:
            assert line.endswith("/") or following[0] in "./?&=-_", (line[-20:], following[:20])
    assert not any(text.endswith("-") for text in texts), "never a break after a hyphen"


def test_no_lone_character_on_a_last_line(mixed: tuple[Path, Path], sample: CompiledSample) -> None:
    on, _ = mixed
    for pdf in (on, sample.pdf):
        assert sum(1 for _, last in body_lines(pdf) if last) >= 12
        assert not lone_last_lines(pdf)


def test_mixed_issue_lines_are_flush(mixed: tuple[Path, Path]) -> None:
    on, _ = mixed
    checked, ragged = flush(on)
    assert checked > 20
    assert not ragged, ragged


@pytest.mark.parametrize("text, marks", [
    ("好。”好", "。"),        # closing marks give up their blank half
    ("说：“好", "："),
    ("》（", "》"),
    ("“《好", "《"),          # an opening mark after another gives up its own
    ("。”）", "。”"),         # three marks: 2 em
    ("（）", ""),             # nothing between an opening and a closing mark
    ("好，好", ""),
])
def test_which_mark_is_set_half_width(text: str, marks: str) -> None:
    from kmyreport.render.punctuation import half_width_marks

    assert "".join(text[index] for index in half_width_marks(text)) == marks


def test_boundaries_are_between_han_and_latin() -> None:
    from kmyreport.render.autospace import boundaries

    text = "截至7月15日，5G专网 iPhone 15和AI模型、CCUS（示范）é字"
    expected = [index for index, (a, b) in enumerate(zip(text, text[1:]))
                if (han(a) and b in LATIN | {"é"}) or (a in LATIN | {"é"} and han(b))]
    assert boundaries(text) == expected
    assert [text[k:k + 2] for k in expected] == ["至7", "7月", "月1", "5日", "G专", "5和", "和A", "I模", "é字"]


def test_a_shrink_to_fit_box_with_han_latin_spacing_keeps_its_text_on_one_line(workspace, tmp_path) -> None:
    """Flex items (like the cover's 第7期 · 总第128期 · date) are as wide as their text: the max-content
    width must count the Han–Latin spacing as drawn, or the last character wraps (总第128 / 期)."""

    labels = ["第7期", "总第128期", "2024年7月20日", "CCUS工程第3期", "5G基站"]
    spans = "".join(f"<span>{label}</span>" for label in labels)
    chars = snippet_chars(workspace, tmp_path, {"normal": "NotoSansSC-Regular.otf"},
                          "body { font: 11pt T } .line { display: flex; justify-content: space-between; width: 150mm }",
                          f'<div class="line">{spans}</div>')
    tops = {round(char["top"]) for char in chars}
    assert len(tops) == 1, f"the labels wrapped onto {len(tops)} lines"

"""Make the before/after crops of docs/typography.md from real runs.

Compiles a one-article issue of mixed copy (digits, Latin words, a URL, bold, adjacent
marks) in the bulletin layout twice, in a scratch workspace: with the typography tokens
turned off (`cjk_punctuation`, `cjk_autospace`, `cjk_lone_character`: none; `url_breaks`:
none; justification stays on) and with the layout as it is. Renders the top of the
article's text at 150 dpi with pypdfium2 to docs/typography/before.png and after.png.

    .venv/bin/python docs/typography/make_pictures.py
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium

from kmyreport.build import compile_issue
from kmyreport.files import link_or_copy

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCALE = 150 / 72
OFF = {"cjk_punctuation: compress": "cjk_punctuation: none", "cjk_autospace: ideograph-alpha": "cjk_autospace: none",
       "cjk_lone_character: avoid": "cjk_lone_character: none", "url_breaks: safe": "url_breaks: none"}
ARTICLE = """---
title: 排版对照
---

克拉玛依持续推进二氧化碳捕集、利用与封存（CCUS）示范工程。截至2024年7月15日，累计注入21.6万吨，依托5G专网和数字孪生平台实时监测。负责人说：“哪口井压力异常，系统几秒钟就能报警。”**重点项目**进展顺利，单位能耗比2021年下降约18%，iPhone 15和**AI**模型也进入了巡检现场。

《克拉玛依日报》（2024年7月16日）报道：“油城的夏天，是从第1口井开始的。”记者在第3采油厂看到，技术员用Python脚本分析1,800多米深处的温度曲线，完整的日报见https://data.example.cn/karamay/wells/daily-report.html?date=2024-07-15，供专家会商。

“今年新植梭梭、红柳等苗木1200余亩，成活率达到92%！”林场场长告诉记者，防护林带已延伸到G217国道两侧。
"""
MANIFEST = """publication: {name: 克拉玛依融媒}
issue: {number: 7, date: 2024-07-20}
sections:
  - title: 要闻
    articles: [articles/a.md]
"""


def compile_with(root: Path, tokens: dict[str, str]) -> Path:
    shutil.copytree(REPO / "layouts", root / "layouts")
    layout = root / "layouts" / "bulletin" / "layout.yaml"
    text = layout.read_text(encoding="utf-8")
    for token, value in tokens.items():
        assert token in text, token
        text = text.replace(token, value)
    layout.write_text(text, encoding="utf-8")
    shutil.copytree(REPO / "fonts", root / "fonts", copy_function=link_or_copy)
    (root / "sources" / "t" / "articles").mkdir(parents=True)
    (root / "sources" / "t" / "articles" / "a.md").write_text(ARTICLE, encoding="utf-8")
    (root / "sources" / "t" / "issue.yaml").write_text(MANIFEST, encoding="utf-8")
    return compile_issue(root / "sources" / "t" / "issue.yaml", edition="screen", cache=False).output


def crop(pdf: Path, target: Path) -> None:
    with pdfplumber.open(pdf) as doc:
        pages = [[c for c in page.chars if abs(c["size"] - 10.5) < 0.3 and "Serif" in c["fontname"]]
                 for page in doc.pages]
    number = next(index for index, chars in enumerate(pages) if len(chars) > 200)
    body = pages[number]
    left = min(c["x0"] for c in body) - 6
    right = max(c["x1"] for c in body) + 6
    top = min(c["top"] for c in body) - 6
    bottom = max(c["bottom"] for c in body) + 6
    image = pdfium.PdfDocument(pdf)[number].render(scale=SCALE).to_pil()
    image.crop(tuple(round(v * SCALE) for v in (left, top, right, bottom))).save(target, optimize=True)
    print(f"wrote {target.relative_to(REPO)} ({target.stat().st_size // 1000} kB)")


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        crop(compile_with(Path(scratch) / "off", OFF), HERE / "before.png")
        crop(compile_with(Path(scratch) / "on", {}), HERE / "after.png")


if __name__ == "__main__":
    main()

"""Benchmark: full `kmyreport compile` against plain WeasyPrint rendering the same HTML.

Generates an issue of N articles (default 12) with P photos each (default 2,
2400×1600 JPEGs) in a scratch workspace under out/bench/, then, in one run and
interleaved so that machine noise hits both sides alike, times:

- cold compile: empty photo cache, fonts loaded afresh (an editor's first build);
- warm compile: photo cache filled, fonts already loaded (a designer's rebuild);
- plain WeasyPrint: `HTML(string=same_html).write_pdf()` with a fresh FontConfiguration.

It prints the median of each and the ratios to plain WeasyPrint.

    python benchmarks/bench_compile.py [--articles 12] [--photos 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import statistics
import time
from pathlib import Path

import weasyprint
from PIL import Image, ImageDraw
from weasyprint.text.fonts import FontConfiguration

from kmyreport import render
from kmyreport.build import compile_issue, prepare_issue
from kmyreport.workspace import VIRTUAL_ROOT

REPO = Path(__file__).resolve().parents[1]

SENTENCES = [
    "克拉玛依区以铸牢中华民族共同体意识为主线，深入开展民族团结进步创建工作。",
    "油田科技人员攻克低成本捕集、长距离管道输送、注入井防腐等难题，单位能耗下降约18%。",
    "社区服务中心把“家门口”的小事办成群众满意的大事，累计服务居民3.5万人次。",
    "依托5G专网和数字孪生平台，调控中心实时掌握每一口井的压力和温度。",
    "防护林带在戈壁上延伸，今年新植梭梭、红柳等苗木1,200余亩，成活率达到92%。",
    "非遗集市上，紫砂、刺绣、木雕等传统技艺吸引了众多市民驻足——“原来家门口就有这么多宝贝”。",
]


def make_photo(path: Path, seed: int) -> None:
    rng = random.Random(seed)
    image = Image.new("RGB", (2400, 1600))
    draw = ImageDraw.Draw(image)
    for y in range(1600):
        shade = int(80 + 120 * y / 1600)
        draw.line([(0, y), (2400, y)], fill=(shade, 100 + rng.randrange(40), 200 - shade // 2))
    for _ in range(40):
        x, y, r = rng.randrange(2400), rng.randrange(1600), rng.randrange(20, 200)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rng.randrange(256) for _ in range(3)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    path.write_bytes(buffer.getvalue())


def make_issue(root: Path, articles: int, photos: int) -> Path:
    if root.exists():
        shutil.rmtree(root)
    (root / "sources" / "bench" / "articles").mkdir(parents=True)
    (root / "sources" / "bench" / "photos").mkdir()
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "fonts", root / "fonts", copy_function=_link_or_copy)
    rng = random.Random(7)
    entries = []
    for number in range(1, articles + 1):
        body = []
        for part in range(3):
            body.append(f"## 第{part + 1}部分")
            for _ in range(4):
                body.append("".join(rng.choice(SENTENCES) for _ in range(rng.randrange(3, 7))))
            if part < photos:
                name = f"a{number:02d}-{part}.jpg"
                make_photo(root / "sources" / "bench" / "photos" / name, number * 10 + part)
                body.append(f'![第{number}篇第{part + 1}张图片说明。](photos/{name} "克拉玛依融媒通讯员 某某 摄")')
        text = (f"---\ntitle: 基准测试文章第{number}篇\nauthors:\n  - {{name: 张纪东, role: 通讯员, "
                f"org: 克拉玛依融媒}}\neditors: {{责任编辑: 陈丽}}\n---\n\n" + "\n\n".join(body) + "\n")
        (root / "sources" / "bench" / "articles" / f"{number:02d}.md").write_text(text, encoding="utf-8")
        entries.append(f"      - articles/{number:02d}.md")
    manifest = ("publication: {name: 克拉玛依融媒}\nissue: {number: 1, date: 2024-07-20}\n"
                "sections:\n  - title: 基准\n    articles:\n" + "\n".join(entries) + "\n")
    path = root / "sources" / "bench" / "issue.yaml"
    path.write_text(manifest, encoding="utf-8")
    return path


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=12)
    parser.add_argument("--photos", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    root = REPO / "out" / "bench"
    manifest = make_issue(root, args.articles, args.photos)
    cache = root / "out" / ".cache"
    issue = prepare_issue(manifest)
    # The same HTML with the workspace's virtual URLs pointed at the real files, for WeasyPrint alone.
    html = issue.html.replace(VIRTUAL_ROOT, issue.workspace.root.as_uri() + "/")
    base_url = str(issue.layout.folder / "templates")
    pages = 0

    def cold() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        render.forget_fonts()
        nonlocal pages
        pages = compile_issue(manifest).pages

    def warm() -> None:
        compile_issue(manifest)

    def plain() -> None:
        weasyprint.HTML(string=html, base_url=base_url).write_pdf(
            root / "out" / "plain.pdf", font_config=FontConfiguration())

    times: dict[str, list[float]] = {"cold": [], "warm": [], "plain": []}
    for _ in range(args.repeat):
        times["cold"].append(timed(cold))
        times["warm"].append(timed(warm))
        times["plain"].append(timed(plain))
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"issue: {args.articles} articles, {args.articles * args.photos} photos, {pages} pages; "
          f"{args.repeat} interleaved runs, medians")
    print(f"  plain WeasyPrint, same HTML : {median['plain']:6.2f} s   1.00x")
    print(f"  kmyreport compile, cold     : {median['cold']:6.2f} s   {median['cold'] / median['plain']:.2f}x")
    print(f"  kmyreport compile, warm     : {median['warm']:6.2f} s   {median['warm'] / median['plain']:.2f}x")


if __name__ == "__main__":
    main()

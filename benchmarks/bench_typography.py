"""Benchmark: compile time with the Chinese typography rules on against the same issue with them off.

Generates an issue of N articles (default 12) of mixed copy (digits, Latin words,
URLs, adjacent punctuation) in two scratch workspaces under out/bench-typography/:
one with the bulletin layout as it is (punctuation compression, Han–Latin
spacing and no lone last-line character on), one whose layout tokens turn them
off (`cjk_punctuation: none`, `cjk_autospace: none`, `cjk_lone_character: none`,
`url_breaks: none`; justification stays on in both). Warm compiles (fonts
loaded), interleaved so that machine noise hits both alike; it prints the median and
best wall and CPU (process) times and their ratios (on a shared machine, CPU time is the
steadier figure), and what the rules did, measured from the PDFs.

    python benchmarks/bench_typography.py [--articles 12] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import time
from pathlib import Path

import pdfplumber

from kmyreport.build import compile_issue
from kmyreport.cjk import is_closing, is_han, is_latin_alnum, is_opening
from kmyreport.files import link_or_copy

REPO = Path(__file__).resolve().parents[1]
EM = 10.5

SENTENCES = [
    "克拉玛依持续推进二氧化碳捕集、利用与封存（CCUS）示范工程。",
    "截至2024年7月15日，累计注入21.6万吨，依托5G专网和数字孪生平台实时监测。",
    "负责人说：“哪口井压力异常，系统几秒钟就能报警。”",
    "单位能耗比2021年下降约18%，iPhone 15和AI模型也进入了巡检现场。",
    "《克拉玛依日报》（2024年7月16日）报道：“油城的夏天，是从第1口井开始的。”",
    "技术员用Python脚本分析1,800多米深处的温度曲线，数据每5分钟刷新一次。",
    "详情见https://data.example.cn/karamay/2024/ccus 上的会商纪要。",
    "“今年新植梭梭、红柳等苗木1200余亩，成活率达到92%！”林场场长告诉记者。",
    "市民可以在App里查看每一片林地的照片——“原来家门口就有这么多宝贝”……",
    "社区开设Office培训班12期、书法课8期（每期20人），预约电话0990-6888888。",
]
OFF = {"cjk_punctuation: compress": "cjk_punctuation: none",
       "cjk_autospace: ideograph-alpha": "cjk_autospace: none",
       "cjk_lone_character: avoid": "cjk_lone_character: none", "url_breaks: safe": "url_breaks: none"}


def make_issue(root: Path, articles: int, tokens: dict[str, str]) -> Path:
    if root.exists():
        shutil.rmtree(root)
    (root / "sources" / "bench" / "articles").mkdir(parents=True)
    shutil.copytree(REPO / "layouts", root / "layouts")
    layout = root / "layouts" / "bulletin" / "layout.yaml"
    text = layout.read_text(encoding="utf-8")
    for token, value in tokens.items():
        text = text.replace(token, value)
    layout.write_text(text, encoding="utf-8")
    shutil.copytree(REPO / "fonts", root / "fonts", copy_function=link_or_copy)
    rng = random.Random(11)
    entries = []
    for number in range(1, articles + 1):
        paragraphs = ["".join(rng.choice(SENTENCES) for _ in range(rng.randrange(3, 7))) for _ in range(8)]
        (root / "sources" / "bench" / "articles" / f"{number:02d}.md").write_text(
            f"---\ntitle: 排版基准第{number}篇\n---\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
        entries.append(f"      - articles/{number:02d}.md")
    manifest = root / "sources" / "bench" / "issue.yaml"
    manifest.write_text("publication: {name: 克拉玛依融媒}\nissue: {number: 1, date: 2024-07-20}\n"
                        "sections:\n  - title: 基准\n    articles:\n" + "\n".join(entries) + "\n", encoding="utf-8")
    return manifest


def measure(pdf: Path) -> dict[str, tuple[int, int]]:
    """(meeting the rule, all) for the body text's non-final lines, adjacent punctuation pairs, Han–Latin
    boundaries, and paragraphs' last lines (meeting: a lone character)."""
    pairs = [0, 0]
    boundaries = [0, 0]
    flush = [0, 0]
    lone = [0, 0]
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            rows: dict[int, list] = {}
            for char in page.chars:
                if "Serif" in char["fontname"] and abs(char["size"] - EM) < 0.3 and len(char["text"]) == 1:
                    rows.setdefault(round(char["top"]), []).append(char)
            lines = [sorted(rows[top], key=lambda c: c["x0"]) for top in sorted(rows)]
            if lines:  # a line is a paragraph's last when the next one is indented (or there is none)
                margin, edge = min(line[0]["x0"] for line in lines), max(line[-1]["x1"] for line in lines)
                for line, following in zip(lines, lines[1:] + [None]):
                    last = following is None or following[0]["x0"] > margin + EM
                    counted = lone if last else flush
                    counted[1] += 1
                    if last:
                        counted[0] += sum(1 for c in line if is_han(c["text"]) or is_latin_alnum(c["text"])) < 2
                    else:
                        counted[0] += line[-1]["x1"] >= edge - 1.0
            for row in rows.values():
                row.sort(key=lambda c: c["x0"])
                han_gaps = [b["x0"] - a["x1"] for a, b in zip(row, row[1:]) if is_han(a["text"]) and is_han(b["text"])]
                spacing = statistics.median(han_gaps) if han_gaps else 0.0
                for a, b, after in zip(row, row[1:], row[2:] + [None]):
                    marks = [c["text"] for c in (a, b)]
                    if after is not None and all(is_opening(m) or is_closing(m) for m in marks):
                        pairs[1] += 1
                        pairs[0] += (after["x0"] - a["x0"] - 2 * spacing) / EM <= 1.52
                    if (is_han(a["text"]) and is_latin_alnum(b["text"])) or (
                            is_latin_alnum(a["text"]) and is_han(b["text"])):
                        boundaries[1] += 1
                        boundaries[0] += abs((b["x0"] - a["x1"] - spacing / 2) / EM - 0.25) <= 0.1
    return {"non-final lines flush (1 pt)": tuple(flush), "punctuation pairs within 1.5 em": tuple(pairs),
            "Han–Latin gaps at 1/4 em ± 0.1": tuple(boundaries), "lone last-line characters": tuple(lone)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    base = REPO / "out" / "bench-typography"
    manifests = {"on": make_issue(base / "on", args.articles, {}), "off": make_issue(base / "off", args.articles, OFF)}
    results = {name: compile_issue(manifest, cache=False) for name, manifest in manifests.items()}  # load fonts, warm caches
    wall: dict[str, list[float]] = {"on": [], "off": []}
    cpu: dict[str, list[float]] = {"on": [], "off": []}
    for _ in range(args.repeat):
        for name, manifest in manifests.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            compile_issue(manifest, cache=False)  # the build cache would render nothing
            wall[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
    print(f"issue: {args.articles} articles, {results['on'].pages} pages; {args.repeat} interleaved warm runs")
    print("              wall median   wall best    CPU median    CPU best")
    for name in ("off", "on"):
        cells = []
        for values in (wall, cpu):
            for pick in (statistics.median, min):
                value, base = pick(values[name]), pick(values["off"])
                cells.append(f"{value:5.2f} s {value / base:4.2f}x")
        print(f"  rules {name:3} : " + "  ".join(cells))
    for name in ("on", "off"):
        facts = measure(results[name].output)
        ragged = sum(1 for warning in results[name].warnings if "left ragged" in warning)
        print(f"  {name:3}: " + "; ".join(f"{label}: {met} of {total}" for label, (met, total) in facts.items())
              + f"; lines reported ragged: {ragged}")


if __name__ == "__main__":
    main()

"""Benchmark: `kmyreport compile` and `kmyreport batch` against plain WeasyPrint rendering the same HTML.

Generates, in a scratch workspace under the system's temporary folder, an issue of N
articles (default 12) with P drawn photos each (default 2, 2400×1600 JPEGs), and for
the batch M smaller issues (default 20 of 3 articles and 2 photos). Then, in one run,
with the measurements interleaved round by round so that the machine's noise hits
every side alike, it times:

- plain WeasyPrint: `HTML(string=same_html).write_pdf()` with a fresh FontConfiguration, in a
  process of its own that never imports kmyreport's engine (whose extensions to WeasyPrint,
  justification and pagination, would otherwise run in it too);
- cold compile: empty caches (photos, glyphs, builds), fonts loaded afresh;
- unchanged rebuild: the same compile again (the build cache finds nothing changed);
- warm compile: `--no-cache`, photos prepared and fonts loaded (a full render);
- one article edited: a sentence added to one article, then compile;
- the batch: M issues built one after another in this process, and the same M issues on a
  Dask LocalCluster of 2 worker processes (1 thread each; started and warmed first);
- photos alone, cold: the issue's photos prepared for the archive edition (sRGB at 300 ppi,
  where a 2400 px photo at column width is passed through) with and without pass-through;
- `kmyreport --version` as a new process;
- in parts: the warm compile rendered whole in one process (`--jobs 1`) and in parts on 2
  processes (`--jobs 2`), as ratios to plain WeasyPrint, and their ratio;
- a long issue (default about 750 pages: `--long-articles` articles of some 6 pages): a warm
  `--no-cache` compile in a new process, whole (`--jobs 1`) and in parts (`--jobs 2`), with the
  time and the peak memory (largest resident set) of any one process of each.

Every figure is the best of `--repeat` rounds (default 3); ratios are to plain WeasyPrint
(the batch on the cluster: to the serial batch) measured in the same run.

    python benchmarks/bench_compile.py [--articles 12] [--photos 2] [--repeat 3] [--edition print]
                                       [--batch 20] [--no-batch] [--long-articles 120] [--no-long]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

import kmyreport.photos
from kmyreport import render
from kmyreport.batch import run_batch
from kmyreport.build import compile_issue, prepare_issue
from kmyreport.colour import SRGB
from kmyreport.files import link_or_copy
from kmyreport.photos import Placement, prepare_photo
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


# ------------------------------------------------------------------ the generated workspace

def draw_photo(path: Path, seed: int, size: tuple[int, int] = (2400, 1600)) -> None:
    """A drawn landscape that behaves like a photograph: sky, sun, hills, buildings, softened,
    vignetted and grainy; baseline JPEG, quality 85, 4:2:0."""
    rng = random.Random(seed)
    width, height = size
    top = (rng.randrange(20, 90), rng.randrange(60, 130), rng.randrange(150, 230))
    horizon_colour = (rng.randrange(200, 250), rng.randrange(150, 210), rng.randrange(90, 160))
    ramp = Image.linear_gradient("L").resize(size)
    image = Image.composite(Image.new("RGB", size, horizon_colour), Image.new("RGB", size, top), ramp)
    draw = ImageDraw.Draw(image)
    sun_x, sun_y, radius = rng.randrange(width), rng.randrange(height // 6, height // 2), rng.randrange(40, 120)
    draw.ellipse([sun_x - radius, sun_y - radius, sun_x + radius, sun_y + radius], fill=(255, 236, 190))
    horizon = int(height * rng.uniform(0.55, 0.7))
    for _ in range(rng.randrange(6, 14)):  # buildings and pump jacks on the skyline
        left, wide = rng.randrange(width), rng.randrange(60, 260)
        tall = rng.randrange(80, 420)
        grey = rng.randrange(40, 120)
        draw.rectangle([left, horizon - tall, left + wide, horizon], fill=(grey, grey + 10, grey + 25))
        for row in range(horizon - tall + 20, horizon - 20, 40):
            for col in range(left + 12, left + wide - 12, 36):
                if rng.random() < 0.6:
                    draw.rectangle([col, row, col + 14, row + 18], fill=(230, 210, 140))
    points = [(0, height)] + [(x, horizon + int(60 * rng.random())) for x in range(0, width + 200, 200)]
    draw.polygon(points + [(width, height)], fill=(rng.randrange(90, 140), rng.randrange(80, 120), 60))
    for _ in range(rng.randrange(20, 40)):  # shrubs
        x, y, r = rng.randrange(width), rng.randrange(horizon + 40, height), rng.randrange(10, 40)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(40, rng.randrange(90, 140), 50))
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    vignette = Image.radial_gradient("L").resize(size).point(lambda v: 255 - v * 90 // 255)
    image = ImageChops.multiply(image, Image.merge("RGB", (vignette,) * 3))
    grain = Image.effect_noise(size, 18).point(lambda v: 128 + (v - 128) // 3)
    image = ImageChops.add(image, Image.merge("RGB", (grain,) * 3), scale=1.0, offset=-128)
    image.save(path, "JPEG", quality=85, optimize=True, subsampling="4:2:0", progressive=False)


def make_issue(root: Path, issue_id: str, articles: int, photos: int, seed: int, *, heads: int = 3,
               paragraphs: int = 4, sentences: tuple[int, int] = (3, 7), photo_every: int = 1,
               photo_size: tuple[int, int] = (2400, 1600), title: str = "基准测试文章第{number}篇") -> Path:
    """An issue of `articles` articles, each of `heads` sections of `paragraphs` paragraphs, with a photo
    after each of the first `photos` sections of every `photo_every`-th article."""
    folder = root / "sources" / issue_id
    (folder / "articles").mkdir(parents=True)
    (folder / "photos").mkdir()
    rng = random.Random(seed)
    entries = []
    for number in range(1, articles + 1):
        body = []
        for part in range(heads):
            body.append(f"## 第{part + 1}部分")
            for _ in range(paragraphs):
                body.append("".join(rng.choice(SENTENCES) for _ in range(rng.randrange(*sentences))))
            if part < photos and (number - 1) % photo_every == 0:
                name = f"a{number:03d}-{part}.jpg"
                draw_photo(folder / "photos" / name, seed * 1000 + number * 10 + part, size=photo_size)
                body.append(f'![第{number}篇第{part + 1}张图片说明。](photos/{name} "克拉玛依融媒通讯员 某某 摄")')
        text = (f"---\ntitle: {title.format(number=number)}\nauthors:\n  - {{name: 张纪东, role: 通讯员, "
                f"org: 克拉玛依融媒}}\neditors: {{责任编辑: 陈丽}}\n---\n\n" + "\n\n".join(body) + "\n")
        (folder / "articles" / f"{number:03d}.md").write_text(text, encoding="utf-8")
        entries.append(f"      - articles/{number:03d}.md")
    manifest = ("publication: {name: 克拉玛依融媒}\nissue: {number: 1, date: 2024-07-20}\n"
                "sections:\n  - title: 基准\n    articles:\n" + "\n".join(entries) + "\n")
    path = folder / "issue.yaml"
    path.write_text(manifest, encoding="utf-8")
    return path


def make_long_issue(root: Path, articles: int, seed: int = 11) -> Path:
    """An issue of `articles` articles of some 6 pages each (every fifth with a 1200×800 photo): a bound
    volume's worth of copy."""
    return make_issue(root, "long", articles, 1, seed, heads=6, paragraphs=6, sentences=(4, 8), photo_every=5,
                      photo_size=(1200, 800), title="合订本文章第{number}篇")


MEASURED_RUN = """
import json, resource, sys, time
from pathlib import Path
from kmyreport.build import compile_issue
started = time.perf_counter()
result = compile_issue(Path(sys.argv[1]), edition=sys.argv[2], jobs=int(sys.argv[3]), cache=False)
seconds = time.perf_counter() - started
# This process's own peak (VmHWM: getrusage's maxrss would carry the benchmark's over exec), and the
# largest peak among its workers (forked, so counted from what they shared with it when they started).
status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
mine = int(status["VmHWM"].split()[0])
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if result.parts else 0
print(json.dumps({"seconds": seconds, "pages": result.pages, "size": result.size_bytes, "parent_kib": mine,
                  "worker_kib": workers, "parts": result.parts}))
"""


PLAIN_RUN = """
import sys, time
import weasyprint
from weasyprint.text.fonts import FontConfiguration
html = open(sys.argv[1], encoding="utf-8").read()
for _ in range(2):  # the first warms the process as the compiles' is warm; each loads the fonts afresh
    started = time.perf_counter()
    weasyprint.HTML(string=html, base_url=sys.argv[2]).write_pdf(sys.argv[3], font_config=FontConfiguration())
print(time.perf_counter() - started)
"""


def plain_seconds(html: Path, base_url: str, target: Path) -> float:
    """WeasyPrint alone rendering `html`, in a process of its own: kmyreport's extensions to WeasyPrint
    (justification, pagination), installed once the engine is imported, stay out of it. The second
    of two renders in that process, with a fresh font configuration."""
    done = subprocess.run([sys.executable, "-c", PLAIN_RUN, str(html), base_url, str(target)], check=True,
                          capture_output=True, text=True)
    return float(done.stdout.strip().splitlines()[-1])


def measured_compile(manifest: Path, edition: str, jobs: int) -> dict:
    """One warm `--no-cache` compile in a new process: its seconds (the compile alone) and the peak
    resident memory of the process and of the largest of its workers (KiB, as Linux counts it)."""
    import json

    done = subprocess.run([sys.executable, "-c", MEASURED_RUN, str(manifest), edition, str(jobs)], check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def make_workspace(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "fonts", root / "fonts", copy_function=link_or_copy)


# ------------------------------------------------------------------ timing

def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def version_seconds() -> float:
    command = [str(Path(sys.executable).with_name("kmyreport")), "--version"]
    if not Path(command[0]).exists():
        command = [sys.executable, "-m", "kmyreport", "--version"]
    return timed(lambda: subprocess.run(command, check=True, capture_output=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=12)
    parser.add_argument("--photos", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--edition", default="print")
    parser.add_argument("--batch", type=int, default=20, help="issues in the batch (3 articles, 2 photos each)")
    parser.add_argument("--no-batch", action="store_true", help="leave the batch (and Dask) out")
    parser.add_argument("--keep", action="store_true", help="keep the scratch workspace")
    parser.add_argument("--long-articles", type=int, default=120, help="articles in the long issue (about 6 pages each)")
    parser.add_argument("--no-long", action="store_true", help="leave the long issue out")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="kmyreport-bench-")) / "ws"
    try:
        run(root, args)
    finally:
        if not args.keep:
            shutil.rmtree(root.parent, ignore_errors=True)
        else:
            print(f"workspace kept: {root}")


def run(root: Path, args: argparse.Namespace) -> None:
    make_workspace(root)
    manifest = make_issue(root, "bench", args.articles, args.photos, seed=7)
    batch: list[Path] = []
    if not args.no_batch:  # a workspace of its own: the cold compile's emptied caches are not the batch's
        make_workspace(root.with_name("batch"))
        batch = [make_issue(root.with_name("batch"), f"b{n:02d}", 3, 2, seed=100 + n) for n in range(args.batch)]
    cache = root / "out" / ".cache"
    edition = args.edition
    issue = prepare_issue(manifest, edition=edition)
    # The same HTML with the workspace's virtual URLs pointed at the real files, for WeasyPrint alone.
    html = issue.html.replace(VIRTUAL_ROOT, issue.workspace.root.as_uri() + "/")
    base_url = str(issue.layout.folder / "templates")
    edited_article = manifest.parent / "articles" / f"{(args.articles + 1) // 2:03d}.md"  # one in the middle
    original_article = edited_article.read_text(encoding="utf-8")
    facts: dict[str, object] = {}
    misses: list[int] = []

    def cold() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        render.forget_fonts()
        result = compile_issue(manifest, edition=edition)
        facts.update(pages=result.pages, size=result.size_bytes)
        stages = facts.setdefault("cold stages", [])
        assert isinstance(stages, list)
        stages.append(result.timings)

    def unchanged() -> None:
        if not compile_issue(manifest, edition=edition).cached:  # kmyreport's own code changed meanwhile
            misses.append(1)

    def warm() -> None:
        compile_issue(manifest, edition=edition, cache=False)

    def warm_whole() -> None:
        compile_issue(manifest, edition=edition, cache=False, jobs=1)

    def warm_parts() -> None:
        result = compile_issue(manifest, edition=edition, cache=False, jobs=2)
        facts["parts"] = result.parts.get("parts")

    edits = 0

    def edited() -> None:
        nonlocal edits
        edits += 1
        edited_article.write_text(original_article + f"\n\n补记第{edits}次：{SENTENCES[edits % len(SENTENCES)]}\n",
                                  encoding="utf-8")
        assert not compile_issue(manifest, edition=edition).cached

    (root / "out").mkdir(parents=True, exist_ok=True)
    (root / "out" / "plain.html").write_text(html, encoding="utf-8")

    def plain() -> float:
        return plain_seconds(root / "out" / "plain.html", base_url, root / "out" / "plain.pdf")

    placements = [Placement(issue.layout.photo_placement.max_width_mm, issue.layout.photo_placement.max_height_mm,
                            300)]
    sources = sorted((manifest.parent / "photos").glob("*.jpg"))

    def photos_cold(pass_through: bool) -> Callable[[], None]:
        def action() -> None:
            scratch = root / "out" / ".photo-bench"
            shutil.rmtree(scratch, ignore_errors=True)
            saved = kmyreport.photos._pass_through
            if not pass_through:
                kmyreport.photos._pass_through = lambda *a, **k: None
            try:
                from concurrent.futures import ThreadPoolExecutor
                with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
                    list(pool.map(lambda s: prepare_photo(s, placements[0], scratch, colour=SRGB), sources))
            finally:
                kmyreport.photos._pass_through = saved
        return action

    steps: dict[str, Callable[[], object]] = {
        "plain": plain, "cold": cold, "unchanged": unchanged, "warm": warm, "edited": edited,
        "warm whole": warm_whole, "warm parts": warm_parts,
        "photos passed": photos_cold(True), "photos processed": photos_cold(False),
        "version": version_seconds,
    }
    own_clock = {"plain", "version"}  # run in a process of their own, which times them: they return the seconds
    times: dict[str, list[float]] = {name: [] for name in steps}
    times["batch serial"], times["batch cluster"] = [], []
    cluster = None
    if batch:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=40)
        client = Client(cluster)
        run_batch(batch, edition=edition, scheduler=client, cache=False)  # warm the workers and the photo cache
    try:
        for _ in range(args.repeat):
            for name, action in steps.items():
                times[name].append(action() if name in own_clock else timed(action))  # type: ignore[arg-type]
            if batch:
                times["batch serial"].append(timed(lambda: _all_built(run_batch(batch, edition=edition,
                                                                                   cache=False))))
                times["batch cluster"].append(timed(lambda: _all_built(run_batch(batch, edition=edition,
                                                                                    scheduler=client, cache=False))))
    finally:
        edited_article.write_text(original_article, encoding="utf-8")
        if cluster is not None:
            client.close()
            cluster.close()

    if misses:  # those rounds rendered: the fastest round is still a hit unless every round missed
        times["unchanged"] = sorted(times["unchanged"])[:len(times["unchanged"]) - len(misses)] or [float("nan")]
        print(f"note: {len(misses)} unchanged rebuild(s) found kmyreport's code changed (a shared checkout) "
              "and rendered; left out")
    best = {name: min(values) for name, values in times.items() if values}
    plain_s = best["plain"]
    print(f"issue: {args.articles} articles, {len(sources)} photos 2400×1600, {facts.get('pages')} pages, "
          f"{edition} edition; best of {args.repeat} interleaved rounds, one run "
          f"({os.cpu_count()} cores{', shared' if os.cpu_count() and os.cpu_count() <= 2 else ''})")
    rows = [
        ("plain WeasyPrint, same HTML", best["plain"], 1.0, ""),
        ("kmyreport compile, cold", best["cold"], best["cold"] / plain_s, "≤ 1.0"),
        ("kmyreport compile, warm (--no-cache)", best["warm"], best["warm"] / plain_s, "≤ 0.6"),
        ("unchanged rebuild (build cache)", best["unchanged"], best["unchanged"] / plain_s, "≤ 0.15"),
        ("one article edited", best["edited"], best["edited"] / plain_s, "≤ 0.4"),
    ]
    rows += [
        ("warm, whole in one process (--jobs 1)", best["warm whole"], best["warm whole"] / plain_s, ""),
        (f"warm, in {facts.get('parts')} parts on 2 processes", best["warm parts"], best["warm parts"] / plain_s, ""),
        ("  … parts to whole", best["warm parts"], best["warm parts"] / best["warm whole"], "of whole"),
    ]
    if batch:
        rows += [
            (f"batch of {len(batch)} issues, serial", best["batch serial"], None, ""),
            ("  … on a LocalCluster, 2 workers", best["batch cluster"], best["batch cluster"] / best["batch serial"],
             "≤ 0.6 of serial"),
        ]
    rows += [
        (f"{len(sources)} photos cold, sRGB 300 ppi, processed", best["photos processed"], None, ""),
        ("  … passed through", best["photos passed"], best["photos passed"] / best["photos processed"],
         "of processed"),
        ("kmyreport --version (new process)", best["version"], None, ""),
    ]
    print(f"  {'':40} {'seconds':>8} {'ratio':>7}   target")
    for label, seconds, ratio, target in rows:
        shown = f"{ratio:6.3f}x" if ratio is not None and ratio < 0.1 else f"{ratio:6.2f}x" if ratio is not None else ""
        print(f"  {label:40} {seconds:8.3f} {shown:>7}   {target}")
    stages = facts.get("cold stages") or []
    if stages:
        fastest = min(stages, key=lambda laps: sum(laps.values()))  # type: ignore[arg-type]
        print("  the fastest cold compile by stage: " + " · ".join(f"{k} {v:.2f} s" for k, v in fastest.items()))
    if not args.no_long:
        long_issue(root, args)


def long_issue(root: Path, args: argparse.Namespace) -> None:
    """The long issue, whole and in parts, each in a new process (its memory is its own), interleaved."""
    manifest = make_long_issue(root, args.long_articles)
    compile_issue(manifest, edition=args.edition, jobs=1)  # the photos prepared: the compiles below are warm
    runs: dict[int, list[dict]] = {1: [], 2: []}
    for _ in range(max(1, args.repeat // 2)):
        for jobs in (1, 2):
            runs[jobs].append(measured_compile(manifest, args.edition, jobs))
    whole, parts = (min(runs[jobs], key=lambda run: run["seconds"]) for jobs in (1, 2))
    gib = 1024 * 1024
    print(f"long issue: {args.long_articles} articles, {whole['pages']} pages, {args.edition} edition, "
          f"--no-cache compiles in new processes; best of {len(runs[1])}")
    print(f"  {'':40} {'seconds':>8} {'ratio':>7}   {'peak memory, largest process':>28}")
    print(f"  {'whole (--jobs 1)':40} {whole['seconds']:8.2f} {'':>7}   {whole['parent_kib'] / gib:24.2f} GiB")
    label = f"in {parts['parts']['parts']} parts on 2 processes (--jobs 2)"
    print(f"  {label:40} {parts['seconds']:8.2f} "
          f"{parts['seconds'] / whole['seconds']:6.2f}x   "
          f"{max(parts['parent_kib'], parts['worker_kib']) / gib:24.2f} GiB   targets ≤ 0.6 of whole, ≤ 1 GiB")
    print(f"  sizes: whole {whole['size'] / 1e6:.1f} MB, parts {parts['size'] / 1e6:.1f} MB "
          f"({parts['size'] / whole['size'] - 1:+.1%}); memory in parts: assembling process "
          f"{parts['parent_kib'] / gib:.2f} GiB, largest worker {parts['worker_kib'] / gib:.2f} GiB")


def _all_built(outcomes: list) -> None:
    failed = [o for o in outcomes if o.failed]
    if failed:
        raise SystemExit(f"batch failed: {failed[0].issue}: {failed[0].error}")


if __name__ == "__main__":
    main()

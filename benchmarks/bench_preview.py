"""Benchmark: from saving a stylesheet change to the updated page in the browser, against one warm compile.

Copies the sample issue (sources/2024-07) into a scratch workspace under out/bench-preview/,
starts the preview server in this process (as `kmyreport preview` does) and opens it in
Debian's headless chromium through Playwright. Then, interleaved so that machine noise
hits both sides alike, it times:

- warm compile: `compile_issue` of the same edition, fonts loaded and photos cached
  (the designer's rebuild with `compile --watch`);
- preview: from writing a changed `style.css.j2` (the masthead colour, on the cover, the
  page in view) to the `load` event of the new cover image in the browser, both on the
  wall clock. It covers noticing the save, the build, the page keys, the SSE message and
  rendering and fetching the changed image.

It prints the medians and their ratio (the issue's target: at most 1.5).

    python benchmarks/bench_preview.py [--repeat 7] [--edition screen]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from kmyreport.build import compile_issue
from kmyreport.files import link_or_copy
from kmyreport.preview import PreviewServer

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RULE = "\n/* bench_preview */ .masthead-name {{ color: {colour}; }}\n"
COLOURS = ["#0b5394", "#1f7a3a"]

# Resolves with the time (ms since the epoch) at which the cover image with a new src has loaded.
WAIT_FOR_NEW_COVER = """(before) => new Promise((resolve) => {
  const check = () => {
    const img = document.querySelector("main img.page-image");
    if (img && img.getAttribute("src") !== before) {
      if (img.complete && img.naturalWidth > 0) return resolve(performance.timeOrigin + performance.now());
      img.addEventListener("load", () => resolve(performance.timeOrigin + performance.now()), {once: true});
      return;
    }
    requestAnimationFrame(check);
  };
  check();
})"""


def make_workspace(root: Path) -> Path:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "sources" / "2024-07", root / "sources" / "2024-07")
    shutil.copytree(REPO / "fonts", root / "fonts", copy_function=link_or_copy)
    return root / "sources" / "2024-07" / "issue.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--edition", default="screen")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("needs Debian's chromium (apt-get install chromium)")
    manifest = make_workspace(REPO / "out" / "bench-preview")
    root = manifest.parents[2]
    style = root / "layouts" / "bulletin" / "style.css.j2"
    original = style.read_text(encoding="utf-8")
    compile_out = root / "out" / "warm.pdf"
    compile_issue(manifest, edition=args.edition, output=compile_out)  # photos cached, fonts loaded

    compiles, previews = [], []
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900})
        page = context.pages[0] if context.pages else context.new_page()
        with PreviewServer(manifest, port=0, edition=args.edition) as server:
            page.goto(server.url)
            page.wait_for_function("document.body.dataset.version > 0 && document.body.dataset.building === 'false'",
                                   timeout=120_000)
            page.wait_for_function("document.querySelector('main img.page-image')?.naturalWidth > 0")
            for round_ in range(args.repeat):
                time.sleep(0.5)  # let the watcher and the browser settle
                started = time.perf_counter()
                compile_issue(manifest, edition=args.edition, output=compile_out)
                compiles.append(time.perf_counter() - started)

                time.sleep(0.5)
                before = page.eval_on_selector("main img.page-image", "(i) => i.getAttribute('src')")
                page.evaluate(f"(before) => {{ window.newCover = ({WAIT_FOR_NEW_COVER})(before); }}", before)
                saved = time.time() * 1000
                style.write_text(original + RULE.format(colour=COLOURS[round_ % 2]), encoding="utf-8")
                loaded = page.evaluate("window.newCover")
                previews.append((loaded - saved) / 1000)
                print(f"round {round_ + 1}: warm compile {compiles[-1]:.2f} s, save → page {previews[-1]:.2f} s",
                      flush=True)
            pages = len(server.session.state()["pages"])
        context.close()
    style.write_text(original, encoding="utf-8")

    compile_median, preview_median = statistics.median(compiles), statistics.median(previews)
    print(f"\nsample issue, {pages} pages, {args.edition} edition, {args.repeat} rounds (medians):")
    print(f"  warm compile                     {compile_median:.2f} s")
    print(f"  preview, save → updated page     {preview_median:.2f} s  = {preview_median / compile_median:.2f}x "
          "the warm compile (target ≤ 1.5x)")


if __name__ == "__main__":
    main()

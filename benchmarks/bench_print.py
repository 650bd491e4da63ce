"""Benchmark: the PDF/X-4 print edition (CMYK photos) against the old RGB print build.

Uses the generated issue of `bench_compile.py` (N articles, P photos each, under
out/bench/). The old print build is registered here as a throw-away edition,
`print-rgb`: photos in sRGB at the layout's resolution, plain PDF, no bleed, RGB
tokens. Both are timed warm (photo cache filled, fonts loaded, the build cache off so
that each run renders), interleaved, and the photo preparation is also timed cold for each
(cache emptied; RGB originals that already fit their place are passed through undecoded).

    python benchmarks/bench_print.py [--articles 12] [--photos 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_compile import REPO, make_issue, timed  # noqa: E402

from kmyreport import editions  # noqa: E402
from kmyreport.build import compile_issue, prepare_issue  # noqa: E402
from kmyreport.editions import Edition  # noqa: E402

OLD_PRINT = Edition("print-rgb", "the print edition before PDF/X: RGB photos at the layout's resolution",
                    file_suffix="-rgb")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=12)
    parser.add_argument("--photos", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    editions.register(OLD_PRINT)
    root = REPO / "out" / "bench"
    manifest = make_issue(root, "bench", args.articles, args.photos, seed=7)
    photos_cache = root / "out" / ".cache" / "photos"

    def photos_cold(edition: str) -> float:
        shutil.rmtree(photos_cache, ignore_errors=True)
        return prepare_issue(manifest, edition=edition).timings["photos"]

    cold = {"print": [], "print-rgb": []}
    warm = {"print": [], "print-rgb": []}
    sizes = {}
    for _ in range(args.repeat):
        for edition in ("print", "print-rgb"):
            cold[edition].append(photos_cold(edition))
    for edition in ("print", "print-rgb"):  # fill both caches, load the fonts
        sizes[edition] = compile_issue(manifest, edition=edition, cache=False).size_bytes
    for _ in range(args.repeat):  # cache=False: the build cache would skip an unchanged rebuild
        for edition in ("print", "print-rgb"):
            warm[edition].append(timed(lambda e=edition: compile_issue(manifest, edition=e, cache=False)))
    med = {name: {e: statistics.median(v) for e, v in runs.items()} for name, runs in (("cold", cold), ("warm", warm))}
    print(f"issue: {args.articles} articles, {args.articles * args.photos} photos; {args.repeat} interleaved runs, "
          "medians")
    print(f"  photos, cold cache   RGB {med['cold']['print-rgb']:5.2f} s   CMYK {med['cold']['print']:5.2f} s   "
          f"{med['cold']['print'] / med['cold']['print-rgb']:.2f}x")
    print(f"  compile, warm        RGB {med['warm']['print-rgb']:5.2f} s   PDF/X-4 CMYK {med['warm']['print']:5.2f} s   "
          f"{med['warm']['print'] / med['warm']['print-rgb']:.2f}x  (at most 1.3x)")
    print(f"  size                 RGB {sizes['print-rgb'] / 1e6:5.1f} MB  PDF/X-4 CMYK {sizes['print'] / 1e6:5.1f} MB")


if __name__ == "__main__":
    main()

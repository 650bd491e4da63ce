#!/usr/bin/env python3
"""The sample newspaper against the sample bulletin: compile times, interleaved, warm.

Usage: .venv/bin/python benchmarks/bench_newspaper.py [--runs 3] [--edition print]

Both samples are compiled in one process (fonts loaded once, photo cache warm after the
first round), alternately, and the medians are printed: the whole compile of each, the
newspaper's composition (the layout passes that measure fit and cut the jumps: the "html"
stage) and `kmyreport fit` (the report alone, no PDF).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from kmyreport.build import compile_issue
from kmyreport.newspaper.fit import fit_issue

ROOT = Path(__file__).resolve().parent.parent
BULLETIN = ROOT / "sources" / "2024-07" / "issue.yaml"
PAPER = ROOT / "sources" / "2024-08-daily" / "issue.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--edition", default="print")
    args = parser.parse_args()
    compile_issue(BULLETIN, edition=args.edition)   # warm-up: fonts, photo cache
    compile_issue(PAPER, edition=args.edition)
    times: dict[str, list[float]] = {"bulletin compile": [], "newspaper compile": [], "newspaper compose": [],
                                     "newspaper fit": []}
    for _ in range(args.runs):
        started = time.perf_counter()
        compile_issue(BULLETIN, edition=args.edition)
        times["bulletin compile"].append(time.perf_counter() - started)
        started = time.perf_counter()
        result = compile_issue(PAPER, edition=args.edition)
        times["newspaper compile"].append(time.perf_counter() - started)
        times["newspaper compose"].append(result.timings["html"])
        started = time.perf_counter()
        fit_issue(PAPER)
        times["newspaper fit"].append(time.perf_counter() - started)
    base = statistics.median(times["bulletin compile"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:20s} {median:6.2f} s  ({median / base:.2f} × the bulletin's compile)")


if __name__ == "__main__":
    main()

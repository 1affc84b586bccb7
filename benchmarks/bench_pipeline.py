"""Benchmark: wall time of the whole demo-cohort pipeline, split by step.

Prints the time of one bare kernel start (the fixed cost paid by every notebook, since each stage
runs from a fresh kernel), of each stage notebook, and of each HTML rendering. Run with
`make bench` or `.venv/bin/python benchmarks/bench_pipeline.py [COHORT] [--lang ky,ru,en]`.
This is a measurement, not a test: it prints and never fails on time.
"""

from __future__ import annotations

import argparse
import time

from analysis.pipeline.run import kernel_name, run_cohort


def kernel_start_seconds() -> float:
    """Seconds to start a fresh kernel and get it ready, then shut it down."""
    from jupyter_client.manager import start_new_kernel

    t0 = time.perf_counter()
    km, kc = start_new_kernel(kernel_name=kernel_name())
    dt = time.perf_counter() - t0
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return dt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cohort", nargs="?", default="demo-2025")
    ap.add_argument("--lang", default="ky")
    args = ap.parse_args()
    k = kernel_start_seconds()
    t0 = time.perf_counter()
    rec = run_cohort(args.cohort, tuple(args.lang.split(",")), log=lambda m: None)
    total = time.perf_counter() - t0
    print(f"pipeline benchmark — cohort {args.cohort}, languages {args.lang}")
    print(f"  {'kernel start (one, bare)':<42}{k:8.2f} s")
    for t in rec.timings:
        print(f"  {t['step']:<42}{t['seconds']:8.2f} s")
    print(f"  {'total (wall)':<42}{total:8.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Wall time of the validation stage (great-expectations suites + cross-file rules + outcomes).

1. the demo cohort (``data/raw/demo-2025/``, when it exists): validation of every file, **including
   the great-expectations import** (the first validation pays it) — target < 10 s;
2. a synthetic phase-2 table of 100,000 rows (seeded; ~2 % planted problems) checked against a
   100,000-graduate registry — target < 60 s on 2 cores.

Run: ``.venv/bin/python benchmarks/bench_validate.py [--demo-dir PATH] [--rows N]``. Prints the times.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
ROOT = Path(__file__).resolve().parents[1]


def bench_demo(demo_dir: Path) -> None:
    import yaml

    from analysis.ingest import read_input
    from analysis.instruments.xlsform import INSTRUMENTS, load_instrument

    cfg = yaml.safe_load((ROOT / "cohorts" / "demo-2025.yaml").read_text(encoding="utf-8"))
    inputs = [i for i in cfg["inputs"] if (demo_dir / i["path"]).exists()]
    if not inputs:  # the config and the generator may name files differently: read what is there
        from analysis.demo.synthetic import DEMO_FILES

        inputs = [dict(f) for f in DEMO_FILES if (demo_dir / f["path"]).exists()]
    t0 = time.perf_counter()
    canonical = {}
    for i in inputs:
        res = read_input(i["path"], i["instrument"], i["format"], mode=i.get("mode"), base_dir=demo_dir)
        canonical[i["path"]] = res.table
    insts = {n: load_instrument(n) for n in INSTRUMENTS}
    t1 = time.perf_counter()
    assert "great_expectations" not in sys.modules
    from analysis.validate import validate_cohort

    cv = validate_cohort(canonical, insts, params=cfg, lang="ky")
    t2 = time.perf_counter()
    rows = int(cv.identity["raw_rows"].sum())
    print(f"demo-2025: {len(inputs)} files, {rows} rows — ingest {t1 - t0:.1f} s (not counted); "
          f"validation incl. great_expectations import {t2 - t1:.1f} s (target < 10 s)")
    print("  per instrument (suite run only): "
          + ", ".join(f"{k} {r.seconds:.1f} s" for k, r in cv.results.items()))
    t = cv.summary["totals"]
    print(f"  outcomes: accepted {t['accepted']}, warning {t['warning']}, quarantined {t['quarantined']}, "
          f"merged_duplicate {t['merged_duplicate']}")


def synthetic_phase2(n: int, seed: int = 20250630):
    """A canonical phase-2 table of ``n`` rows and its registry (all fictitious), ~2 % planted problems."""
    import numpy as np
    import pandas as pd

    sys.path.insert(0, str(ROOT / "tests" / "bad_inputs"))
    from make_corpus import PHASE2_EMPLOYED, PHASE2_IDLE, REGISTRY_ROWS

    from analysis.instruments.xlsform import load_instrument

    rng = np.random.default_rng(seed)
    names = [q.name for q in load_instrument("phase2").data_questions]
    ids = np.array([f"{25000000 + i:08d}" for i in range(n)])
    employed = rng.random(n) < 0.7
    rows = {}
    for name in names:
        emp = PHASE2_EMPLOYED.get(name, "")
        idle = PHASE2_IDLE.get(name, "")
        rows[name] = np.where(employed, emp, idle).astype(object)
    rows["student_id"] = ids
    rows["hours"] = np.where(employed, rng.integers(10, 61, n).astype(str), "").astype(object)
    incomes = rng.lognormal(10, 0.5, n).round(-2).astype(int).astype(str)
    rows["income"] = np.where(employed, incomes, "").astype(object)
    df = pd.DataFrame(rows, columns=names)
    bad = rng.random(n)
    df.loc[bad < 0.005, "hours"] = "120"
    df.loc[(bad >= 0.005) & (bad < 0.01), "contract"] = "oral"
    df.loc[(bad >= 0.01) & (bad < 0.015), "survey_date"] = "2026-02-30"
    stray = (bad >= 0.015) & (bad < 0.02)
    df.loc[stray, "student_id"] = ["9" + s[1:] for s in df.loc[stray, "student_id"]]  # not in the registry
    df = df.astype(str)
    df["_instrument"] = "phase2"
    df["_source_file"] = "synthetic_phase2.csv"
    df["_source_row"] = np.arange(2, n + 2)
    df["_mode"] = "online"
    df["_submission_id"] = [f"s{i}" for i in range(n)]
    df["_submitted_at"] = "2026-03-20T10:00:00"
    df["_review_state"] = ""
    reg_names = [q.name for q in load_instrument("registry").data_questions]
    reg = pd.DataFrame({c: np.full(n, REGISTRY_ROWS[0].get(c, ""), dtype=object) for c in reg_names})
    reg["student_id"] = ids
    reg = reg.astype(str)
    reg["_instrument"] = "registry"
    reg["_source_file"] = "registry.csv"
    reg["_source_row"] = np.arange(2, n + 2)
    for c in ("_mode", "_submission_id", "_submitted_at", "_review_state"):
        reg[c] = ""
    return df, reg


def bench_synthetic(n: int) -> None:
    import importlib

    importlib.import_module("great_expectations")  # paid before the clock starts: part 1 measured it

    from analysis.instruments.xlsform import INSTRUMENTS, load_instrument
    from analysis.validate import validate_cohort

    df, reg = synthetic_phase2(n)
    insts = {k: load_instrument(k) for k in INSTRUMENTS}
    t0 = time.perf_counter()
    cv = validate_cohort({"phase2": df}, insts, registry_df=reg, lang="ky")
    t1 = time.perf_counter()
    t = cv.summary["totals"]
    print(f"synthetic phase 2: {n:,} rows — validation {t1 - t0:.1f} s (target < 60 s on 2 cores; "
          f"suite run {cv.results['phase2'].seconds:.1f} s); accepted {t['accepted']}, warning {t['warning']}, "
          f"quarantined {t['quarantined']}, merged_duplicate {t['merged_duplicate']}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demo-dir", type=Path, default=ROOT / "data" / "raw" / "demo-2025")
    ap.add_argument("--rows", type=int, default=100_000)
    args = ap.parse_args()
    print(f"cores: {os.cpu_count()}")
    if args.demo_dir.is_dir():
        bench_demo(args.demo_dir)
    else:
        print(f"demo-2025: skipped ({args.demo_dir} does not exist; run 'make demo')")
    bench_synthetic(args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())

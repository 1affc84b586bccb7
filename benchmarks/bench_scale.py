"""Scaling benchmark of the whole pipeline: generation, each stage, the report, the privacy gate, peak memory.

For each size (number of graduates) a throw-away project is made under ``--work`` (default: a temporary
folder): the project's notebooks, questionnaires and open data linked in, one cohort ``bench-N`` generated
into it — the per-person generator (:mod:`analysis.demo.synthetic`, the committed demo's) up to
``--per-person-max`` graduates, the vectorised large-cohort generator (:mod:`analysis.demo.large`, CSV
exports) above. Then every step runs in its own process, so that each step's time and peak memory
(maximum resident set size of the process and the kernels it waited for, ``os.wait4``) are its own:

* ``generate``  — writing the raw files;
* ``stage 1/2/3`` — the stage functions called in one process (``analysis.pipeline.stages``), no kernel;
* ``report``    — ``run_cohort(stages=("report",))``: the report notebook per language (papermill), HTML,
  PDF, the workbooks and open data, and the privacy gate; its own timings are split out below it;
* ``tracer run`` — the whole pipeline through the notebooks, as a user runs it (sizes up to
  ``--full-run-max``), to compare with the sum of the stages in one process.

Run: ``make bench`` (sizes 2,000 and 20,000), ``make bench-scale`` (2k/20k/100k/1M, about 10 minutes), or
``.venv/bin/python benchmarks/bench_scale.py --sizes 2000,100000 --langs ky,ru,en``. It prints a table and
never fails on time: a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
LINKED = ("notebooks", "questionnaires", "expectations", "pyproject.toml")


def make_project(base: Path, n: int) -> tuple[Path, str]:
    """A throw-away project root for cohort ``bench-N`` (linked code data, its own data/ and reports/)."""
    root = base / f"n{n}"
    if root.exists():
        shutil.rmtree(root)
    (root / "cohorts").mkdir(parents=True)
    (root / "data" / "raw").mkdir(parents=True)
    for name in LINKED:
        if (ROOT / name).exists():
            (root / name).symlink_to(ROOT / name)
    (root / "data" / "raw" / "open").symlink_to(ROOT / "data" / "raw" / "open")
    return root, f"bench-{n}"


def write_config(root: Path, cohort: str, inputs: list[dict[str, str]]) -> None:
    """The cohort file: the demo's parameters with this cohort's name and inputs."""
    cfg = yaml.safe_load((ROOT / "cohorts" / "demo-2025.yaml").read_text(encoding="utf-8"))
    cfg["cohort"] = cohort
    cfg["inputs"] = inputs
    (root / "cohorts" / f"{cohort}.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False),
                                                     encoding="utf-8")


def timed(code: str, env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``code`` in a fresh Python process; (wall seconds, peak RSS in MB, its stdout)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        dt = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step failed (exit {proc.returncode}):\n{code}\n{text[-3000:]}")
    return dt, usage.ru_maxrss / 1024, text  # Linux: ru_maxrss in KiB


def bench_size(base: Path, n: int, langs: str, per_person_max: int, full_run_max: int,
               seed: int) -> list[tuple[str, float, float]]:
    """Every step for one size: a list of (step, seconds, peak MB; NaN when not measured separately)."""
    root, cohort = make_project(base, n)
    raw = root / "data" / "raw" / cohort
    env = dict(os.environ, TRACER_PROJECT_ROOT=str(root), PYTHONHASHSEED="0", GX_ANALYTICS_ENABLED="false",
               MPLBACKEND="Agg", JUPYTER_PLATFORM_DIRS="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
    rows: list[tuple[str, float, float]] = []
    if n <= per_person_max:
        code = ("from analysis.demo.synthetic import generate_cohort, DEMO_FILES; import json\n"
                f"generate_cohort({str(raw)!r}, seed={seed}, n_graduates={n}, cohort={cohort!r})\n"
                "print(json.dumps([dict(f) for f in DEMO_FILES]))")
        label = "generate (per-person, xlsx+csv)"
    else:
        code = ("from analysis.demo.large import generate_large, large_inputs; import json\n"
                f"generate_large({str(raw)!r}, seed={seed}, n_graduates={n})\n"
                "print(json.dumps(large_inputs()))")
        label = "generate (vectorised, csv)"
    dt, mb, out = timed(code, env)
    rows.append((label, dt, mb))
    inputs = json.loads(out.strip().splitlines()[-1])
    write_config(root, cohort, inputs)
    call = ("from analysis.pipeline import stages\n"
            f"cfg = stages.config_for({cohort!r}, {str(root)!r})\n")
    stage_total = 0.0
    for key, fn in (("stage 1 ingest + validate", "ingest_validate"), ("stage 2 derive", "derive"),
                    ("stage 3 model", "model")):
        dt, mb, _ = timed(call + f"stages.{fn}(cfg)\n", env)
        stage_total += dt
        rows.append((f"{key} (one process)", dt, mb))
    code = ("from analysis.pipeline.run import run_cohort; import json\n"
            f"rec = run_cohort({cohort!r}, {tuple(langs.split(','))!r}, root=__import__('pathlib').Path("
            f"{str(root)!r}), stages=('report',), log=lambda m: None)\n"
            "print(json.dumps(rec.timings))")
    dt, mb, out = timed(code, env)
    rows.append((f"report stage [{langs}] (notebooks, render, outputs, gate)", dt, mb))
    for t in json.loads(out.strip().splitlines()[-1]):
        rows.append((f"    {t['step']}", t["seconds"], float("nan")))
    rows.append(("stages 1-3 in one process + report stage", stage_total + dt, float("nan")))
    if n <= full_run_max:
        code = ("from analysis.pipeline.run import run_cohort\n"
                f"run_cohort({cohort!r}, {tuple(langs.split(','))!r}, root=__import__('pathlib').Path("
                f"{str(root)!r}), log=lambda m: None)\n")
        dt, mb, _ = timed(code, env)
        rows.append((f"tracer run, whole pipeline [{langs}] (notebooks)", dt, mb))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2000,20000", help="graduates per cohort, comma-separated")
    ap.add_argument("--langs", default="ky,ru,en", help="report languages")
    ap.add_argument("--work", type=Path, help="folder for the throw-away projects (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the throw-away projects")
    ap.add_argument("--per-person-max", type=int, default=20000,
                    help="largest size made with the per-person generator (above: the vectorised one)")
    ap.add_argument("--full-run-max", type=int, default=20000,
                    help="largest size also run as a whole through the notebooks (tracer run)")
    ap.add_argument("--seed", type=int, default=20250630)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    base = args.work or Path(tempfile.mkdtemp(prefix="tracer-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    results: dict[int, list[tuple[str, float, float]]] = {}
    try:
        for n in sizes:
            print(f">> {n:,} graduates …", file=sys.stderr, flush=True)
            results[n] = bench_size(base, n, args.langs, args.per_person_max, args.full_run_max, args.seed)
            if not args.keep:
                shutil.rmtree(base / f"n{n}", ignore_errors=True)
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(base, ignore_errors=True)
    print(f"scaling benchmark — {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; seconds (peak MB)")
    steps: list[str] = []
    for rows in results.values():
        steps += [s for s, _, _ in rows if s not in steps]
    head = f"{'step':<62}" + "".join(f"{n:>20,}" for n in sizes)
    print(head)
    for step in steps:
        cells = []
        for n in sizes:
            hit = [(dt, mb) for s, dt, mb in results[n] if s == step]
            if not hit:
                cells.append(f"{'—':>20}")
            else:
                dt, mb = hit[0]
                cells.append(f"{dt:>10.1f} s" + (f" {mb:>6.0f} MB" if mb == mb else " " * 9))
        print(f"{step:<62}" + "".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

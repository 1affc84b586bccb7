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

Run: ``make bench`` (sizes 2,000 and 20,000), ``make bench-scale`` (2k/20k/100k/1M, about 23 minutes on an idle
2-core machine), or
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
    # the notebooks are copied, not linked: papermill runs them with the notebook folder as working directory,
    # so each throw-away project keeps its own
    (root / "notebooks").unlink()
    shutil.copytree(ROOT / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (root / "data" / "raw" / "open").symlink_to(ROOT / "data" / "raw" / "open")
    return root, f"bench-{n}"


def write_config(root: Path, cohort: str, inputs: list[dict[str, str]]) -> None:
    """The cohort file: the demo's parameters with this cohort's name and inputs."""
    cfg = yaml.safe_load((ROOT / "cohorts" / "demo-2025.yaml").read_text(encoding="utf-8"))
    cfg["cohort"] = cohort
    cfg["inputs"] = inputs
    (root / "cohorts" / f"{cohort}.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False),
                                                     encoding="utf-8")


MAX_MB = 0.0  # stop a step whose process grows above this resident size (0: no limit); --max-mb


def _rss_mb(pid: int) -> float:
    """Resident set size of a running process in MB (Linux ``/proc``; 0 when unknown)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class StepFailed(Exception):
    """A step failed or ran out of time; the sizes after it still run."""


def timed(code: str, env: dict[str, str], timeout: float | None = None) -> tuple[float, float, float, str]:
    """Run ``code`` in a fresh Python process; (wall seconds, CPU seconds of the process and the children it
    waited for, peak RSS in MB, its stdout). CPU time is the fairer number on a shared machine."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = None if timeout is None else t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise StepFailed(f"> {timeout:.0f} s (stopped)")
            if MAX_MB and _rss_mb(proc.pid) > MAX_MB:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise StepFailed(f"> {MAX_MB:.0f} MB (stopped)")
            time.sleep(0.05)
        dt = time.perf_counter() - t0
        code_ = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if code_ != 0:
        print(f"benchmark step failed (exit {code_}):\n{text[-2000:]}", file=sys.stderr)
        raise StepFailed(f"failed (exit {code_})")
    # Linux: ru_maxrss in KiB
    return dt, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text


Row = tuple[str, float, float, float]  # step, wall s, CPU s, peak MB (NaN: not measured separately)
NAN = float("nan")


def bench_size(base: Path, n: int, langs: str, per_person_max: int, full_run_max: int, seed: int,
               timeout: float | None) -> list[Row | tuple[str, str]]:
    """Every step for one size: (step, wall s, CPU s, peak MB), or (step, why) for a step that failed."""
    root, cohort = make_project(base, n)
    raw = root / "data" / "raw" / cohort
    env = dict(os.environ, TRACER_PROJECT_ROOT=str(root), PYTHONHASHSEED="0", GX_ANALYTICS_ENABLED="false",
               MPLBACKEND="Agg", JUPYTER_PLATFORM_DIRS="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
    rows: list[Row | tuple[str, str]] = []
    if n <= per_person_max:
        code = ("from analysis.demo.synthetic import generate_cohort, DEMO_FILES; import json\n"
                f"generate_cohort({str(raw)!r}, seed={seed}, n_graduates={n}, cohort={cohort!r})\n"
                "print(json.dumps([dict(f) for f in DEMO_FILES]))")
        label = "generate (per-person, xlsx+csv)"
    else:
        code = ("from analysis.demo.large import generate_large, LARGE_FILES; import json\n"
                f"generate_large({str(raw)!r}, seed={seed}, n_graduates={n})\n"
                "print(json.dumps([dict(f) for f in LARGE_FILES]))")
        label = "generate (large: pool + vectorised resampling, csv)"
    try:
        dt, cpu, mb, out = timed(code, env, timeout)
    except StepFailed as exc:
        return [(label, str(exc))]
    rows.append((label, dt, cpu, mb))
    inputs = json.loads(out.strip().splitlines()[-1])
    write_config(root, cohort, inputs)
    call = ("from analysis.pipeline import stages\n"
            f"cfg = stages.config_for({cohort!r}, {str(root)!r})\n")
    stage_total = 0.0
    for key, fn in (("stage 1 ingest + validate", "ingest_validate"), ("stage 2 derive", "derive"),
                    ("stage 3 model", "model")):
        try:
            dt, cpu, mb, _ = timed(call + f"stages.{fn}(cfg)\n", env, timeout)
        except StepFailed as exc:
            return [*rows, (f"{key} (one process)", str(exc))]
        stage_total += dt
        rows.append((f"{key} (one process)", dt, cpu, mb))
    code = ("from analysis.pipeline.run import run_cohort; import json\n"
            f"rec = run_cohort({cohort!r}, {tuple(langs.split(','))!r}, root=__import__('pathlib').Path("
            f"{str(root)!r}), stages=('report',), log=lambda m: None)\n"
            "print(json.dumps(rec.timings))")
    label = f"report stage [{langs}] (notebooks, render, outputs, gate)"
    try:
        dt, cpu, mb, out = timed(code, env, timeout)
    except StepFailed as exc:
        return [*rows, (label, str(exc))]
    rows.append((label, dt, cpu, mb))
    for t in json.loads(out.strip().splitlines()[-1]):
        rows.append((f"    {t['step']}", t["seconds"], NAN, NAN))
    rows.append(("stages 1-3 in one process + report stage", stage_total + dt, NAN, NAN))
    if n <= full_run_max:
        code = ("from analysis.pipeline.run import run_cohort\n"
                f"run_cohort({cohort!r}, {tuple(langs.split(','))!r}, root=__import__('pathlib').Path("
                f"{str(root)!r}), log=lambda m: None)\n")
        label = f"tracer run, whole pipeline [{langs}] (notebooks)"
        try:
            dt, cpu, mb, _ = timed(code, env, timeout)
            rows.append((label, dt, cpu, mb))
        except StepFailed as exc:
            rows.append((label, str(exc)))
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
    ap.add_argument("--step-timeout", type=float, default=None, metavar="S",
                    help="stop a step after S seconds and report it as not finished (the next size still runs)")
    ap.add_argument("--max-mb", type=float, default=0, metavar="MB",
                    help="stop a step whose process grows above MB resident (protects a shared machine)")
    args = ap.parse_args()
    global MAX_MB
    MAX_MB = args.max_mb
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    base = args.work or Path(tempfile.mkdtemp(prefix="tracer-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    results: dict[int, list] = {}
    try:
        for n in sizes:
            print(f">> {n:,} graduates …", file=sys.stderr, flush=True)
            results[n] = bench_size(base, n, args.langs, args.per_person_max, args.full_run_max, args.seed,
                                    args.step_timeout)
            if not args.keep:
                shutil.rmtree(base / f"n{n}", ignore_errors=True)
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(base, ignore_errors=True)
    print(f"scaling benchmark — {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          "per size: wall s / CPU s / peak MB (CPU and memory of the step's process and its kernels)")
    steps: list[str] = []
    for rows in results.values():
        steps += [r[0] for r in rows if r[0] not in steps]
    print(f"{'step':<60}" + "".join(f"{n:>26,}" for n in sizes))
    for step in steps:
        cells = []
        for n in sizes:
            hit = [r for r in results[n] if r[0] == step]
            if not hit:
                cells.append(f"{'—':>26}")
            elif len(hit[0]) == 2:
                cells.append(f"{hit[0][1]:>26}")
            else:
                _, dt, cpu, mb = hit[0]
                text = f"{dt:.1f}" + (f" / {cpu:.1f}" if cpu == cpu else "") + (f" / {mb:.0f}" if mb == mb else "")
                cells.append(f"{text:>26}")
        print(f"{step:<60}" + "".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

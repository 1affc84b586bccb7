"""Benchmark of the survey core: 1,000,000 synthetic graduates, raking, 50 domain proportions.

Not a test: prints wall time and peak traced memory (tracemalloc) per step, the process's peak
resident memory (``resource.getrusage``), and compares them with the targets (whole run
< 10 s and < 2 GB). Run with ``python benchmarks/bench_survey.py [n_rows]``.

Design: a census of 50 programmes (strata, with fpc = graduates per programme) of which a
random ~60 % responded; weights = graduates / respondents per programme; raked to registry
margins faculty × sex and level; the employment rate is estimated for each programme (50
domains) with Taylor-linearised SEs that include the calibration residuals and the fpc.
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

from analysis.stats.survey import Design, by_domain, rake, weight_diagnostics

TARGET_SECONDS = 10.0
TARGET_BYTES = 2 * 1024**3


def synthetic(n: int, seed: int = 20250630) -> tuple[pd.DataFrame, dict]:
    """Respondents and registry margins for ``n`` respondents in 50 programmes."""
    rng = np.random.default_rng(seed)
    n_prog = 50
    faculties = np.array(["PED", "PHIL", "MED", "ENG", "ECON", "AGRI", "LAW", "COL"])
    prog_fac = faculties[np.arange(n_prog) % len(faculties)]
    prog_level = np.array(["college", "bachelor", "specialist", "master"])[
        rng.choice(4, n_prog, p=[0.15, 0.6, 0.1, 0.15])
    ]
    size = rng.gamma(2.0, 1.0, n_prog)
    prog = rng.choice(n_prog, n, p=size / size.sum())
    female_share = rng.uniform(0.3, 0.8, n_prog)
    sex = np.where(rng.random(n) < female_share[prog], "female", "male")
    resp_rate = rng.uniform(0.45, 0.75, n_prog)
    respondents = np.bincount(prog, minlength=n_prog)
    graduates = np.ceil(respondents / resp_rate).astype(int)
    p_emp = rng.uniform(0.4, 0.9, n_prog)
    employed = rng.random(n) < p_emp[prog] + np.where(sex == "male", 0.03, -0.03)
    df = pd.DataFrame(
        {
            "programme": pd.Categorical.from_codes(prog, [f"P{i:02d}" for i in range(n_prog)]),
            "faculty": pd.Categorical(prog_fac[prog]),
            "level": pd.Categorical(prog_level[prog]),
            "sex": pd.Categorical(sex),
            "employed": employed,
            "graduates": graduates[prog],
        }
    )
    df["w"] = df["graduates"] / respondents[prog]
    # registry margins: the synthetic population implied by the design, perturbed a little so
    # that raking has work to do (totals kept equal across margins)
    base = df.groupby(["faculty", "sex"], observed=True)["w"].sum()
    fs = (base * rng.uniform(0.95, 1.05, len(base))).round()
    lv = df.groupby("level", observed=True)["w"].sum()
    lv = (lv / lv.sum() * fs.sum()).round()
    lv.iloc[0] += fs.sum() - lv.sum()
    return df, {("faculty", "sex"): fs, "level": lv}


def run_steps(n: int, log: list, trace: bool):
    """Run the pipeline once; append (step, seconds, peak traced bytes or None) to ``log``."""

    def step(name, func):
        if trace:
            tracemalloc.reset_peak()
        t0 = time.perf_counter()
        out = func()
        dt = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] if trace else None
        log.append((name, dt, peak))
        return out

    df, margins = step("build synthetic data", lambda: synthetic(n))
    design = step("design (strata = programme, fpc)",
                  lambda: Design(df, "w", strata="programme", fpc="graduates"))
    raked = step("rake to faculty×sex and level", lambda: rake(design, margins))
    res = step("50 domain proportions with SEs",
               lambda: by_domain(raked, "employed", ["programme"], stat="prop"))
    res2 = step("(extra) 100 domains programme×sex",
                lambda: by_domain(raked, "employed", ["programme", "sex"], stat="prop"))
    return raked, res, res2


def main(n: int = 1_000_000) -> int:
    print(f"survey benchmark: {n:,} synthetic graduates, 50 programme domains")
    import scipy.sparse  # noqa: F401  (import cost is not part of the measurement)
    import scipy.stats  # noqa: F401

    timing: list = []
    raked, res, res2 = run_steps(n, timing, trace=False)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
    del raked, res, res2
    memory: list = []
    tracemalloc.start()
    raked, res, res2 = run_steps(n, memory, trace=True)
    tracemalloc.stop()
    print(f"{'step':<40s} {'wall s':>8s} {'peak traced MB':>15s}")
    for (name, dt, _), (_, _, peak) in zip(timing, memory):
        print(f"{name:<40s} {dt:8.2f} {peak / 1024**2:15.1f}")
    core = [t for t in timing if t[0].startswith(("design", "rake", "50 domain"))]
    total_t = sum(t[1] for t in core)
    peak_traced = max(m[2] for m in memory)
    diag = weight_diagnostics(raked)
    print(f"raking: {raked.calibration.iterations} sweeps, converged={raked.calibration.converged}; "
          f"Kish deff {diag['deff_kish']:.3f}")
    print(f"domains: {len(res)} (smallest n {res['n'].min():,}); max SE {res['se'].max():.4f}; "
          f"programme×sex: {len(res2)} domains")
    ok_t, ok_m = total_t < TARGET_SECONDS, rss < TARGET_BYTES
    print(f"weighting + 50 domain proportions: {total_t:.2f} s (target < {TARGET_SECONDS:.0f} s) "
          f"{'OK' if ok_t else 'SLOW'}")
    print(f"memory: peak traced {peak_traced / 1024**2:.0f} MB (incl. the data); process peak RSS "
          f"{rss / 1024**2:.0f} MB (target < {TARGET_BYTES / 1024**3:.0f} GB) {'OK' if ok_m else 'TOO MUCH'}")
    return 0 if ok_t and ok_m else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))

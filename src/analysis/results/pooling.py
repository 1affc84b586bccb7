"""Small programmes pooled over up to three cohorts (the cohort file's ``pool_cohorts``).

A programme with fewer than ``disclosure_min_n`` × 3 phase-2 respondents in one cohort gives wide intervals, or
none at all after disclosure control. When the cohort file names earlier cohorts to pool
(``pool_cohorts: [demo-2023, demo-2024]``) and those cohorts have been run, the model stage adds, for each such
programme, rows with domain ``programme_pooled`` (group = programme code) for the headline share indicators
(:data:`POOLED_INDICATORS`), estimated on the phase-2 respondents of the programme in up to three cohorts
together. Each row's note starts ``cohorts=A,B,C`` (the cohorts pooled, oldest first); the pages show it as
"pooled over …". Without the earlier cohorts' results nothing is pooled and no row is added (the cohort runs
alone exactly as before).

Estimator and variance: the weighted share over the stacked respondents, each keeping the weight of its own
cohort's calibrated design (so each cohort counts by its graduates); the variance is Taylor-linearised with the
**cohort as a stratum** and each respondent as its own sampling unit, with replacement, treating every cohort's
weights as fixed (the variance reduction of each cohort's raking is ignored: slightly conservative); the
interval is the cohort's weighted interval (Wilson on the effective n, or Korn–Graubard) as for every
weighted share (:func:`analysis.results.table.share_rows`). Independence of the cohorts is assumed (different
graduates; a pseudonym in two cohorts is kept in both).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from analysis.derive.registry import get_indicator, indicator_values
from analysis.results.table import COLUMNS, Settings, share_rows
from analysis.stats.survey import Design

__all__ = ["MAX_POOLED", "POOLED_INDICATORS", "load_pool", "pooled_rows", "small_programmes"]

POOLED_INDICATORS: tuple[str, ...] = ("employment_rate", "unemployment_rate", "further_study_rate",
                                      "horizontal_match_subjective_rate")
"""The headline share indicators estimated for pooled programmes."""

MAX_POOLED = 3
"""At most three cohorts are pooled (the current one and two earlier)."""


def load_pool(root: Path, cohorts: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The phase-2 respondents of earlier cohorts that have been run, with their weights.

    Reads ``data/processed/COHORT/graduates.parquet`` and ``results/weights.parquet`` only (pseudonymous
    tables); a cohort without them is left out (nothing to pool from it).

    Returns
    -------
    dict
        cohort → its graduates table restricted to phase-2 respondents with a weight (column ``weight``).
    """
    out: dict[str, pd.DataFrame] = {}
    for c in list(cohorts)[: MAX_POOLED - 1]:
        folder = Path(root) / "data" / "processed" / c
        g, w = folder / "graduates.parquet", folder / "results" / "weights.parquet"
        if g.exists() and w.exists():
            out[c] = pd.read_parquet(g).merge(pd.read_parquet(w), on="pid", how="inner")
    return out


def small_programmes(graduates: pd.DataFrame, min_n: int) -> list[str]:
    """Programmes of ``graduates`` with fewer than ``min_n`` × 3 phase-2 respondents (sorted codes)."""
    resp = graduates["resp_p2"].astype("boolean").fillna(False).to_numpy(bool)
    counts = graduates.loc[resp, "programme"].astype(str).value_counts()
    allp = sorted(graduates["programme"].dropna().astype(str).unique())
    return [p for p in allp if int(counts.get(p, 0)) < 3 * int(min_n)]


def pooled_rows(current: str, graduates: pd.DataFrame, weights: pd.DataFrame | None,
                earlier: Mapping[str, pd.DataFrame], st: Settings, min_n: int,
                indicators: Sequence[str] = POOLED_INDICATORS) -> pd.DataFrame:
    """Rows ``programme_pooled`` of the small programmes of ``current`` (see the module docstring).

    Parameters
    ----------
    current : name of the cohort being modelled.
    graduates : its graduates table (one row per graduate).
    weights : its phase-2 weights (``pid``, ``weight``), or None (unweighted cohort: nothing is pooled).
    earlier : earlier cohorts' respondents with weights (:func:`load_pool`), oldest first; empty: no rows.
    st : interval settings.
    min_n : the cohort's ``disclosure_min_n``.

    Returns
    -------
    pandas.DataFrame
        Result rows (:data:`~analysis.results.table.COLUMNS`), shares 0–1; ``N`` is the pooled number of
        respondents' graduates in the stacked table, ``note`` ``cohorts=A,B,C`` (the cohorts with respondents of
        the programme, oldest first; per-cohort counts are not given, they would escape the rounding).
    """
    if not earlier or weights is None or "programme" not in graduates:
        return pd.DataFrame(columns=COLUMNS)
    progs = small_programmes(graduates, min_n)
    if not progs:
        return pd.DataFrame(columns=COLUMNS)
    cur = graduates.merge(weights[["pid", "weight"]], on="pid", how="inner")
    names = [*list(earlier)[: MAX_POOLED - 1], current]
    parts = [*(earlier[c].assign(cohort=c) for c in names[:-1]), cur.assign(cohort=current)]
    stacked = pd.concat(parts, ignore_index=True)
    stacked = stacked[stacked["programme"].astype(str).isin(progs)].reset_index(drop=True)
    design = Design(stacked, weights="weight", strata="cohort", lonely_psu="adjust")
    groups = stacked["programme"].astype("string")
    frames = []
    for ind_id in indicators:
        ind = get_indicator(ind_id)
        values = indicator_values(stacked, ind)
        if values is None:  # a question one of the cohorts did not ask: not measured, nothing pooled
            continue
        rows = share_rows(values, groups, st, design)
        if rows.empty:
            continue
        rows["indicator"], rows["domain"], rows["unit"], rows["category"] = ind_id, "programme_pooled", ind.unit, ""
        frames.append(rows)
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    # the cohorts that hold respondents of the programme (exact per-cohort counts are not published: n is
    # rounded by the disclosure pass, a note is not)
    held = stacked.groupby("programme")["cohort"].agg(lambda s: [c for c in names if c in set(s)])
    out["note"] = [f"cohorts={','.join(held.get(g, names))}" for g in out["group"]]
    return out

"""Trend results: every registry indicator over several cohorts, and the changes between them.

One table in the layout of the results table (:data:`analysis.results.table.COLUMNS`) plus two columns,
``cohort`` (the cohort of a level row, the later cohort of a difference) and ``cohort_from`` (the earlier
cohort of a difference, empty for a level):

* **levels** — each registry indicator (share, mean, median) × cohort × domain ``all``/``faculty``, copied
  from the cohort's own results table (``estimates.parquet``) for exactly the cells its own disclosure pass
  published (``published.parquet``, status published). A cell the cohort's report hid stays hidden: its
  values are emptied and its note says so, so the trend can never give it back. The published counts
  ``count:graduates`` and ``count:respondents_p2`` of each cohort come along (the "n of k answered" lines).
* **differences** — later − earlier between consecutive cohorts and first → last, for the same indicator,
  domain and group, computed by :func:`analysis.results.table.difference_rows` (the function the model stage
  uses for ``previous_cohort``) from the *estimates*, not from rounded published counts: shares on the
  unweighted counts with Newcombe's (1998) hybrid score interval (method 10) and a chi-square test, means with
  a normal interval from both standard errors (independent cohorts), medians without an interval. A difference
  is computed only when both levels were published; its ``n`` is the smaller base of the two cohorts
  (the disclosure rule for differences).

The one disclosure pass (:func:`analysis.publish.disclosure.publish`) then runs over the whole table with the
hierarchy faculty → all; each cohort (and each pair) is a separate ``category`` so that margins never mix
cohorts. Everything that renders the trends reads ``data/processed/trends/published.parquet`` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from analysis.derive.registry import load_registry
from analysis.results.table import Settings, difference_rows, finish

__all__ = ["COUNT_INDICATORS", "CohortResults", "TREND_DOMAINS", "pairs", "trend_hierarchy", "trend_rows"]

TREND_DOMAINS: tuple[str, ...] = ("all", "faculty")
"""Domains of the trend table."""

COUNT_INDICATORS: tuple[str, ...] = ("count:graduates", "count:respondents_p2")
"""Published counts carried into the trend table (graduates in the registry, phase-2 respondents)."""

_STATS = ("share", "mean", "median")
_KEYS = ["indicator", "domain", "group", "category"]
_VALUES = ("x", "estimate", "se", "ci_low", "ci_high", "deff", "n_eff", "unweighted", "unweighted_ci_low",
           "unweighted_ci_high", "pooled", "pooled_ci_low", "pooled_ci_high", "p_value")


@dataclass(frozen=True)
class CohortResults:
    """One cohort's results: its name, its results table (``estimates.parquet``, full precision) and its
    published table (``published.parquet``) — the latter only decides which cells may appear."""

    cohort: str
    estimates: pd.DataFrame
    published: pd.DataFrame


def pairs(cohorts: Sequence[str]) -> list[tuple[str, str]]:
    """The compared pairs ``(earlier, later)``: consecutive cohorts, then first → last when there are more than
    two (``["a", "b", "c"]`` → ``[("a", "b"), ("b", "c"), ("a", "c")]``)."""
    out = list(zip(cohorts, cohorts[1:]))
    if len(cohorts) > 2:
        out.append((cohorts[0], cohorts[-1]))
    return out


def _levels(c: CohortResults, indicators: set[str]) -> pd.DataFrame:
    """The level rows of one cohort, with cells its own publication hid emptied."""
    e = c.estimates
    sel = (e["indicator"].isin(indicators) & e["domain"].isin(TREND_DOMAINS) & (e["category"] == "")
           & e["statistic"].isin(_STATS))
    rows = e[sel].copy()
    p = c.published
    shown = p[(p["status"] == "published") & p["indicator"].isin(indicators)][_KEYS + ["statistic"]]
    shown = set(map(tuple, shown.astype(str).to_numpy()))
    ok = [tuple(map(str, k)) in shown for k in rows[_KEYS + ["statistic"]].to_numpy()]
    rows["published_in_cohort"] = ok
    counts = e[e["indicator"].isin(COUNT_INDICATORS) & (e["domain"] == "all")].copy()
    counts["published_in_cohort"] = True
    return pd.concat([rows, counts], ignore_index=True)


def _hide(rows: pd.DataFrame, cohort: str) -> pd.DataFrame:
    """Empty every value of the rows the cohort's own disclosure pass suppressed (note says so)."""
    out = rows.copy()
    hidden = ~out["published_in_cohort"].astype(bool)
    for col in _VALUES:
        if col in out:
            out.loc[hidden, col] = float("nan")
    out.loc[hidden, "note"] = f"suppressed in {cohort}"
    return out


def trend_rows(cohorts: Sequence[CohortResults], st: Settings) -> pd.DataFrame:
    """The trend table of ``cohorts`` (oldest first): levels and differences (see the module docstring).

    Parameters
    ----------
    cohorts : each cohort's results, oldest first (at least two).
    st : interval settings (confidence; the Newcombe interval is always Wilson-based).

    Returns
    -------
    pandas.DataFrame
        :data:`~analysis.results.table.COLUMNS` plus ``cohort`` and ``cohort_from``; ``category`` is the cohort
        (levels) or ``EARLIER→LATER`` (differences). Shares are 0–1, incomes KGS per month, months in months.
    """
    if len(cohorts) < 2:
        raise ValueError("a trend needs at least two cohorts")
    indicators = {i.id for i in load_registry()}
    levels: dict[str, pd.DataFrame] = {c.cohort: _levels(c, indicators) for c in cohorts}
    frames = []
    for c in cohorts:
        lv = _hide(levels[c.cohort], c.cohort)
        frames.append(finish([lv.drop(columns="published_in_cohort")], st)
                      .assign(category=c.cohort, cohort=c.cohort, cohort_from=""))
    for a, b in pairs([c.cohort for c in cohorts]):
        prev, cur = levels[a], levels[b]
        prev = prev[prev["published_in_cohort"] & prev["statistic"].isin(_STATS)]
        cur = cur[cur["published_in_cohort"] & cur["statistic"].isin(_STATS)]
        d = difference_rows(cur, prev, st)
        if d.empty:
            continue
        n_prev = prev.set_index(_KEYS)["n"]
        d["n"] = [min(float(n), float(n_prev.get(tuple(k), n))) for n, k in zip(d["n"], d[_KEYS].to_numpy())]
        frames.append(finish([d], st).assign(category=f"{a}→{b}", cohort=b, cohort_from=a))
    out = pd.concat(frames, ignore_index=True)
    out["cohort"] = out["cohort"].astype("string")
    out["cohort_from"] = out["cohort_from"].astype("string")
    return out


def trend_hierarchy(rows: pd.DataFrame) -> pd.DataFrame:
    """The hierarchy of the trend table for the disclosure pass: every faculty within all."""
    fac = sorted(set(rows.loc[rows["domain"] == "faculty", "group"].astype(str)))
    return pd.DataFrame([("faculty", f, "all", "all") for f in fac],
                        columns=["domain", "group", "parent_domain", "parent_group"])

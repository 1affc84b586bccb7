"""Income of each employed graduate: exact amount and band, the income that enters statistics, relative income.

One job: the per-graduate income variables in KGS a month (net, as answered). Standards: QILT and HESA
Graduate Outcomes (income statistics of the full-time employed in paid work; HESA's trimming of incomes
below the minimum wage and of the top 0.1 %), ELA/MLASZ (earnings relative to the local average wage).
The comparators come from :mod:`analysis.derive.opendata` or the cohort's parameters.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from analysis.derive.columns import (
    as_category,
    as_codes,
    as_number,
    col_or_na,
    is_code,
    is_false,
    is_known,
    is_true,
    tri_state,
)
from analysis.derive.labour import employed_mask, full_time
from analysis.errors import ConfigError

INCOME_BANDS: tuple[tuple[str, float, float | None], ...] = (
    ("lt5k", 0, 5_000), ("5_10k", 5_000, 10_000), ("10_15k", 10_000, 15_000),
    ("15_20k", 15_000, 20_000), ("20_30k", 20_000, 30_000), ("30_50k", 30_000, 50_000),
    ("gt50k", 50_000, None),
)
INCOME_EXCLUSION = (
    "unpaid_family_work", "no_exact_income", "hours_unknown", "not_full_time", "below_min_wage",
    "top_0_1pct",
)


def _band_mid(code: Any) -> float:
    if not isinstance(code, str):
        return np.nan
    for name, lo, hi in INCOME_BANDS:
        if code == name:
            return np.nan if hi is None else (lo + hi) / 2
    return np.nan


def _band_of(value: float) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    for name, lo, hi in INCOME_BANDS:
        if value >= lo and (hi is None or value < hi):
            return name
    return None


def income_kgs(df: pd.DataFrame) -> pd.DataFrame:
    """Monthly net income in KGS, exact and band, kept apart (employed graduates only).

    Returns the columns:

    * ``income_kgs``: the exact amount (``income``), the only source of income statistics.
    * ``income_band_mid_kgs``: the midpoint of ``income_band`` when the exact amount was skipped.
      It is a fallback for rough analyses. The open top band (gt50k) and ``refuse`` have no
      midpoint.
    * ``income_from_band``: True when only the band is known, False when the exact amount is.
    * ``income_band_any``: the band, taken from the exact amount (lower bound inclusive) or from
      the band answer. It lets tables by band use every answer without mixing numbers.
    """
    emp = employed_mask(df)
    inc = as_number(col_or_na(df, "income")).where(emp)
    band = as_codes(col_or_na(df, "income_band"))
    exact = inc.notna().to_numpy(bool)
    valid_band = band.isin([b for b, _, _ in INCOME_BANDS]).fillna(False).to_numpy(bool)
    from_band = emp & ~exact & valid_band
    mids = np.array([_band_mid(b) for b in band.tolist()], dtype=float)
    any_band = [_band_of(v) if x else (b if fb else None)
                for v, x, b, fb in zip(inc.tolist(), exact, band.tolist(), from_band)]
    return pd.DataFrame(
        {
            "income_kgs": inc,
            "income_band_mid_kgs": pd.Series(np.where(from_band, mids, np.nan), index=df.index),
            "income_from_band": tri_state(from_band, exact | from_band, df.index),
            "income_band_any": as_category(any_band, [b for b, _, _ in INCOME_BANDS], df.index),
        },
        index=df.index,
    )


def _unpaid(df: pd.DataFrame) -> np.ndarray:
    et = col_or_na(df, "emp_type")
    return is_code(et, "family_worker") | (
        ~is_known(et) & ~is_code(col_or_na(df, "ilo_worked"), "yes") & is_code(col_or_na(df, "ilo_family_help"), "yes")
    )


def income_for_statistics(
    df: pd.DataFrame, threshold: float = 40, trim: bool = False, min_wage: float | None = None
) -> pd.DataFrame:
    """Income that enters income statistics (``income_stat``) and why others are left out.

    Standard: QILT (median salary of the full-time employed) and HESA Graduate Outcomes (salaries
    of full-time paid employment). The universe is employed, full-time (:func:`full_time`), paid
    work, with an exact income. With ``trim=True`` the HESA trimming rule is applied on top:
    incomes below the monthly minimum wage (for full-time work) are dropped, and so are the
    ``floor(0.001 · n)`` highest incomes, the top 0.1% (none when n < 1000). Ties are broken by
    row order.

    ``income_excluded_reason`` says why an employed graduate's income is left out:
    unpaid_family_work, no_exact_income, hours_unknown, not_full_time, below_min_wage or
    top_0_1pct. It is <NA> for included and non-employed rows.
    """
    emp = employed_mask(df)
    inc = df["income_kgs"] if "income_kgs" in df.columns else income_kgs(df)["income_kgs"]
    ft = full_time(df, threshold)
    reason = np.full(len(df), None, dtype=object)
    checks = (
        (_unpaid(df), "unpaid_family_work"),
        (inc.isna().to_numpy(bool), "no_exact_income"),
        (ft.isna().to_numpy(bool), "hours_unknown"),
        (is_false(ft), "not_full_time"),
    )
    for mask, name in checks:
        reason[emp & mask & (reason == None)] = name  # noqa: E711
    if trim:
        if min_wage is None or not np.isfinite(min_wage):
            raise ConfigError("income trimming (income_trim) needs a minimum wage: set min_wage_kgs "
                              "or allow the open-data lookup")
        low = emp & (reason == None) & (inc.fillna(np.inf).to_numpy() < min_wage)  # noqa: E711
        reason[low] = "below_min_wage"
        keep = np.flatnonzero(emp & (reason == None))  # noqa: E711
        k = int(math.floor(0.001 * len(keep)))
        if k:
            vals = inc.to_numpy(float)[keep]
            top = keep[np.argsort(-vals, kind="stable")[:k]]
            reason[top] = "top_0_1pct"
    included = emp & (reason == None)  # noqa: E711
    return pd.DataFrame(
        {
            "income_stat": inc.where(included).astype("float64"),
            "income_excluded_reason": as_category(reason, INCOME_EXCLUSION, df.index, ordered=False),
        },
        index=df.index,
    )


def income_relative(
    df: pd.DataFrame, oblast_wage: float | None, min_wage: float | None, threshold: float = 40
) -> pd.DataFrame:
    """Income relative to the oblast average wage, and a below-minimum-wage flag.

    Returns the columns:

    * ``income_rel_oblast``: ``income_stat`` divided by the oblast's average monthly wage (a
      ratio; 1 = the average). ``income_stat`` comes from :func:`income_for_statistics` when the
      frame lacks it. Standard: ELA/MLASZ, earnings relative to the local average wage.
    * ``below_min_wage``: for full-time paid employees with an exact income (before trimming),
      whether ``income_kgs`` is below ``min_wage``.

    Both comparators are gross monthly figures, while ``income`` is net. See
    :mod:`analysis.derive.opendata` for the caveat. A missing comparator gives <NA>, never a guess.
    """
    emp = employed_mask(df)
    inc = df["income_kgs"] if "income_kgs" in df.columns else income_kgs(df)["income_kgs"]
    stat = df["income_stat"] if "income_stat" in df.columns else income_for_statistics(df, threshold)["income_stat"]
    ow = float(oblast_wage) if oblast_wage is not None and np.isfinite(oblast_wage) and oblast_wage > 0 else np.nan
    rel = (stat / ow).astype("float64")
    base = emp & ~_unpaid(df) & is_true(full_time(df, threshold)) & inc.notna().to_numpy(bool)
    mw = float(min_wage) if min_wage is not None and np.isfinite(min_wage) else np.nan
    below = base & (inc.fillna(np.inf).to_numpy() < mw)
    return pd.DataFrame(
        {"income_rel_oblast": rel, "below_min_wage": tri_state(below, base & ~np.isnan(mw), df.index)},
        index=df.index,
    )

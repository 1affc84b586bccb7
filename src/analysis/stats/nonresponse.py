"""Non-response: who answered the follow-up and how much it matters (the optional propensity weighting step
is :mod:`analysis.stats.propensity`).

The tracer study is a census in two phases: the exit survey at graduation (phase 1) and the
follow-up about nine months later (phase 2). Phase-2 respondents are raked to the registry margins
(:func:`analysis.stats.weighting.weight_respondents`). This module adds the checks the indicator notes
ask for (non-response checks of KOAB and AlmaLaurea; ``docs/methodology.md`` §6):

* :func:`respondent_comparison` — registry variables and phase-1 answers of phase-2 respondents vs
  non-respondents (means/shares, difference, test, standardised difference, Austin 2009);
* :func:`early_late` — first vs last third of respondents by interview date (KOAB's cheap check;
  late respondents resemble non-respondents, Armstrong & Overton 1977);
* :func:`by_mode` — online vs phone vs paper on key outcomes (crude and registry-adjusted tests);

All comparisons are unweighted (they describe who answered).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.stats.design_matrix import model_matrix
from analysis.stats.intervals import proportion_ci

__all__ = [
    "COMPARISON_PHASE1",
    "COMPARISON_REGISTRY",
    "KEY_OUTCOMES",
    "by_mode",
    "early_late",
    "newcombe_diff_ci",
    "respondent_comparison",
]

#: registry variables compared over all graduates
COMPARISON_REGISTRY: tuple[str, ...] = ("faculty", "level", "sex", "funding", "gpa", "age_at_grad", "home_oblast")
#: phase-1 answers compared over phase-1 respondents
COMPARISON_PHASE1: tuple[str, ...] = (
    "job_status", "plan", "internship_done", "worked_during_studies", "sat_studies", "sat_services",
    "eval_overall", "programme_eval_score", "consent_phase2",
)
#: outcomes of the early/late and mode checks: (column, statistic)
KEY_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("employed", "share"), ("unemployed", "share"), ("in_labour_force", "share"), ("further_study", "share"),
    ("hm_subjective", "share"), ("job_satisfied", "share"), ("income_stat", "median"),
)
MODE_COLUMNS = ("p2_mode", "p2__mode", "mode")
IMBALANCE = 0.1  # |standardised difference| above which groups differ meaningfully (Austin 2009)


# ============================================================================ small helpers


def response_flag(s: pd.Series) -> np.ndarray:
    """Nullable boolean (or 0/1) column → plain bool array, missing = False."""
    return s.astype("boolean").fillna(False).to_numpy(bool)


def scale_or_text(s: pd.Series) -> tuple[pd.Series, str]:
    """A column as numbers (``"num"``) when every answer is a number (1–5 scales arrive as codes '4'),
    else as text levels (``"cat"``); booleans are categories ``yes``/``no``."""
    if s.dtype == bool or str(s.dtype) == "boolean":
        b = s.astype("boolean")
        return pd.Series(np.where(b.fillna(False), "yes", "no"), index=s.index, dtype=object).where(b.notna()), "cat"
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.astype("string").astype(object).where(s.notna()), "cat"
    if pd.api.types.is_numeric_dtype(s):
        return s.astype(float), "num"
    num = pd.to_numeric(s, errors="coerce")
    if s.notna().any() and num[s.notna()].notna().all():
        return num.astype(float), "num"
    return s.astype("string").astype(object).where(s.notna()), "cat"


def newcombe_diff_ci(x1: float, n1: float, x2: float, n2: float, alpha: float = 0.05) -> tuple[float, float, float]:
    """Difference of two independent proportions ``x1/n1 − x2/n2`` with Newcombe's hybrid score interval.

    Method 10 of Newcombe (1998), *Statistics in Medicine* 17:873–890: with Wilson intervals
    ``(l_i, u_i)`` of each proportion, ``L = d − sqrt((p1 − l1)² + (u2 − p2)²)`` and
    ``U = d + sqrt((u1 − p1)² + (p2 − l2)²)``. It stays within [−1, 1], is not degenerate at 0 or
    100 %, and has close to nominal coverage. Example (the paper's): 56/70 − 48/80 = 0.2000,
    95 % CI 0.0524 to 0.3339.

    Returns
    -------
    tuple of float
        ``(difference, lower, upper)``; NaN when either ``n`` is 0.
    """
    if n1 <= 0 or n2 <= 0:
        return math.nan, math.nan, math.nan
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = (float(v) for v in proportion_ci(x1, n1, "wilson", alpha=alpha))
    l2, u2 = (float(v) for v in proportion_ci(x2, n2, "wilson", alpha=alpha))
    d = p1 - p2
    return d, d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def _share_test(x1: float, n1: float, x2: float, n2: float) -> tuple[float, str]:
    """Two-sided test of equal proportions: Pearson chi-square (= pooled z test), or Fisher's exact
    test when an expected count is below 5 (Cochran 1954)."""
    # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
    from scipy import stats

    table = np.array([[x1, n1 - x1], [x2, n2 - x2]], dtype=float)
    if n1 <= 0 or n2 <= 0 or table.sum(axis=0).min() == 0:
        return math.nan, "none (no variation)"
    expected = table.sum(axis=1)[:, None] * table.sum(axis=0)[None, :] / table.sum()
    if expected.min() < 5:
        return float(stats.fisher_exact(table.round().astype(int))[1]), "Fisher exact"
    return float(stats.chi2_contingency(table, correction=False)[1]), "chi-square"


def _table_test(groups: pd.Series, values: pd.Series) -> tuple[float, str]:
    """Test of independence of a categorical variable and a 2-level group."""
    # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
    from scipy import stats

    tab = pd.crosstab(values, groups)
    if tab.shape[0] < 2 or tab.shape[1] < 2:
        return math.nan, "none (one level)"
    if tab.shape == (2, 2):
        return _share_test(tab.iloc[0, 0], tab.iloc[:, 0].sum(), tab.iloc[0, 1], tab.iloc[:, 1].sum())
    res = stats.chi2_contingency(tab.to_numpy(float), correction=False)
    note = "chi-square" + (" (some expected counts < 5)" if res[3].min() < 5 else "")
    return float(res[1]), note


def _std_diff_mean(a: np.ndarray, b: np.ndarray) -> float:
    s = math.sqrt((np.var(a, ddof=1) + np.var(b, ddof=1)) / 2) if len(a) > 1 and len(b) > 1 else math.nan
    return (float(np.mean(a) - np.mean(b)) / s) if s and s > 0 else (0.0 if s == 0 else math.nan)


def _std_diff_share(p1: float, p0: float) -> float:
    s = math.sqrt((p1 * (1 - p1) + p0 * (1 - p0)) / 2)
    return (p1 - p0) / s if s > 0 else 0.0


# ============================================================================ respondents vs non-respondents


def _compare_groups(df: pd.DataFrame, group: np.ndarray, variables: Sequence[str], universe: str) -> list[dict]:
    # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
    from scipy import stats

    rows: list[dict] = []
    for var in variables:
        if var not in df.columns:
            continue
        v, kind = scale_or_text(df[var])
        known = v.notna().to_numpy()
        if not known.any():
            continue
        g1, g0 = group & known, ~group & known
        base = {"universe": universe, "variable": var}
        if kind == "num":
            a, b = v[g1].to_numpy(float), v[g0].to_numpy(float)
            if len(a) == 0 or len(b) == 0:
                continue
            p = float(stats.ttest_ind(a, b, equal_var=False).pvalue) if len(a) > 1 and len(b) > 1 else math.nan
            d = _std_diff_mean(a, b)
            rows.append({**base, "level": None, "statistic": "mean", "respondents": float(a.mean()),
                         "non_respondents": float(b.mean()), "difference": float(a.mean() - b.mean()),
                         "n_respondents": len(a), "n_non_respondents": len(b), "p_value": p,
                         "test": "Welch t", "std_diff": d})
            continue
        n1, n0 = int(g1.sum()), int(g0.sum())
        if n1 == 0 or n0 == 0:
            continue
        p, test = _table_test(pd.Series(group[known]), v[known].reset_index(drop=True))
        for lv in sorted(v[known].unique(), key=str):
            is_lv = (v == lv).to_numpy()
            s1, s0 = float((is_lv & g1).sum()) / n1, float((is_lv & g0).sum()) / n0
            rows.append({**base, "level": str(lv), "statistic": "share", "respondents": s1, "non_respondents": s0,
                         "difference": s1 - s0, "n_respondents": n1, "n_non_respondents": n0, "p_value": p,
                         "test": test, "std_diff": _std_diff_share(s1, s0)})
    return rows


def respondent_comparison(graduates: pd.DataFrame, registry_vars: Sequence[str] = COMPARISON_REGISTRY,
                          phase1_vars: Sequence[str] = COMPARISON_PHASE1) -> pd.DataFrame:
    """Phase-2 respondents vs non-respondents on registry variables and phase-1 answers.

    Registry variables are compared over **all graduates** (known for everyone); phase-1 answers over
    **phase-1 respondents** (the two-phase check of the indicator notes §4). Numbers and 1–5 scales:
    means, Welch's t test. Categories: the share of each level, with one Pearson chi-square test per
    variable (Fisher's exact test for a 2×2 table with an expected count below 5). The standardised
    difference (difference over the pooled SD; Austin 2009, *Stat. Med.* 28:3083) does not grow
    with n, unlike the p-value; ``|std_diff| > 0.1`` is flagged as ``imbalance``.

    Returns
    -------
    DataFrame
        ``universe, variable, level, statistic, respondents, non_respondents, difference,
        n_respondents, n_non_respondents, p_value, test, std_diff, imbalance`` (one row per numeric
        variable, one per level of a categorical one; the p-value is the variable's).
    """
    if "resp_p2" not in graduates.columns:
        raise InputError("graduates table", "the resp_p2 column is missing", column="resp_p2",
                         fix="run the derive stage first")
    g = graduates.reset_index(drop=True)
    resp2 = response_flag(g["resp_p2"])
    rows = _compare_groups(g, resp2, registry_vars, "all graduates")
    if "resp_p1" in g.columns:
        p1 = response_flag(g["resp_p1"])
        rows += _compare_groups(g[p1].reset_index(drop=True), resp2[p1], phase1_vars, "phase-1 respondents")
    cols = ["universe", "variable", "level", "statistic", "respondents", "non_respondents", "difference",
            "n_respondents", "n_non_respondents", "p_value", "test", "std_diff"]
    out = pd.DataFrame(rows, columns=cols)
    out["imbalance"] = out["std_diff"].abs() > IMBALANCE
    return out


# ============================================================================ early vs late, mode


def _outcome_values(df: pd.DataFrame, col: str, statistic: str) -> pd.Series:
    s = df[col]
    if statistic == "share":
        if s.dtype == bool or str(s.dtype) == "boolean":
            return s.astype("Float64").astype(float)
        return pd.to_numeric(s, errors="coerce").astype(float)
    return pd.to_numeric(s, errors="coerce").astype(float)


def _two_group_row(a: np.ndarray, b: np.ndarray, statistic: str, alpha: float) -> dict:
    """Compare group b against group a (difference = b − a)."""
    # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
    from scipy import stats

    na, nb = len(a), len(b)
    row = {"n_a": na, "n_b": nb, "a": math.nan, "b": math.nan, "difference": math.nan, "ci_low": math.nan,
           "ci_high": math.nan, "p_value": math.nan, "test": None}
    if na == 0 or nb == 0:
        return row
    if statistic == "share":
        xa, xb = float(a.sum()), float(b.sum())
        d, lo, hi = newcombe_diff_ci(xb, nb, xa, na, alpha)
        p, test = _share_test(xb, nb, xa, na)
        row.update(a=xa / na, b=xb / nb, difference=d, ci_low=lo, ci_high=hi, p_value=p,
                   test=f"{test}; Newcombe CI")
    elif statistic == "median":
        row.update(a=float(np.median(a)), b=float(np.median(b)))
        row["difference"] = row["b"] - row["a"]
        if na > 0 and nb > 0:
            row["p_value"] = float(stats.mannwhitneyu(b, a, alternative="two-sided").pvalue)
        row["test"] = "Mann-Whitney U"
    else:
        row.update(a=float(np.mean(a)), b=float(np.mean(b)))
        row["difference"] = row["b"] - row["a"]
        if na > 1 and nb > 1:
            res = stats.ttest_ind(b, a, equal_var=False)
            row["p_value"] = float(res.pvalue)
            ci = res.confidence_interval(1 - alpha)
            row["ci_low"], row["ci_high"] = float(ci.low), float(ci.high)
        row["test"] = "Welch t"
    return row


def early_late(graduates: pd.DataFrame, date_col: str = "p2_survey_date",
               outcomes: Sequence[tuple[str, str]] = KEY_OUTCOMES, fraction: float = 1 / 3,
               alpha: float = 0.05) -> pd.DataFrame:
    """Early vs late phase-2 respondents on key outcomes (continuum-of-resistance check).

    Respondents with an interview date are ordered by date (ties by ``pid``, for a reproducible
    split); the first and the last ``fraction`` (a third) are compared. Late respondents needed
    more reminders and resemble non-respondents (Armstrong & Overton 1977, *J. Marketing Res.*
    14:396; the KOAB check of the indicator notes §4): a difference suggests non-response bias in
    that outcome. Shares: difference with the Newcombe interval and a chi-square/Fisher test;
    medians: Mann–Whitney U; means: Welch t. Time to first job is not compared (late respondents
    are observed for longer).

    Returns
    -------
    DataFrame
        ``outcome, statistic, early, late, difference`` (late − early) ``, ci_low, ci_high, n_early,
        n_late, p_value, test``; ``attrs``: ``early_until`` and ``late_from`` dates, ``n``.
    """
    cols = ["outcome", "statistic", "early", "late", "difference", "ci_low", "ci_high", "n_early", "n_late",
            "p_value", "test"]
    if date_col not in graduates.columns or "resp_p2" not in graduates.columns:
        out = pd.DataFrame(columns=cols)
        out.attrs["note"] = f"no {date_col} column"
        return out
    if not 0 < fraction <= 0.5:
        raise ValueError("fraction must be in (0, 0.5]")
    g = graduates[response_flag(graduates["resp_p2"])]
    dates = pd.to_datetime(g[date_col], errors="coerce")
    g = g[dates.notna().to_numpy()].assign(_date=dates[dates.notna()])
    keys = ["_date"] + (["pid"] if "pid" in g.columns else [])
    g = g.sort_values(keys, kind="stable").reset_index(drop=True)
    k = int(math.floor(len(g) * fraction))
    early, late = g.iloc[:k], g.iloc[len(g) - k:] if k else g.iloc[:0]
    rows = []
    for col, stat in outcomes:
        if col not in g.columns:
            continue
        a = _outcome_values(early, col, stat).dropna().to_numpy()
        b = _outcome_values(late, col, stat).dropna().to_numpy()
        r = _two_group_row(a, b, stat, alpha)
        rows.append({"outcome": col, "statistic": stat, "early": r["a"], "late": r["b"],
                     "difference": r["difference"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                     "n_early": r["n_a"], "n_late": r["n_b"], "p_value": r["p_value"], "test": r["test"]})
    out = pd.DataFrame(rows, columns=cols)
    out.attrs.update({"n": len(g), "group_size": k,
                      "early_until": str(early["_date"].max().date()) if k else None,
                      "late_from": str(late["_date"].min().date()) if k else None})
    return out


def _mode_column(df: pd.DataFrame, mode_col: str | None) -> str | None:
    if mode_col is not None:
        return mode_col if mode_col in df.columns else None
    return next((c for c in MODE_COLUMNS if c in df.columns), None)


def _adjusted_mode_p(df: pd.DataFrame, y: pd.Series, mode: pd.Series, adjust: Sequence[str]) -> float:
    """Likelihood-ratio p-value of mode in a logistic model of a 0/1 outcome adjusted for ``adjust``."""
    # lazy: statsmodels costs 0.9 s, which stages 1-2 and `tracer` commands must not pay
    import statsmodels.api as sm
    from scipy import stats


    d = df.assign(_mode=mode.to_numpy())
    full = model_matrix(d, y.to_numpy(), [*[a for a in adjust if a in d.columns], "_mode"], outcome="binary")
    mode_cols = [c for c, t in full.terms.items() if t["variable"] == "_mode"]
    if not mode_cols or len(np.unique(full.y)) < 2:
        return math.nan
    X1 = sm.add_constant(full.X.to_numpy(float), has_constant="add")
    X0 = sm.add_constant(full.X.drop(columns=mode_cols).to_numpy(float), has_constant="add")
    fam = sm.families.Binomial()
    l1 = sm.GLM(full.y, X1, family=fam).fit().llf
    l0 = sm.GLM(full.y, X0, family=fam).fit().llf
    return float(stats.chi2.sf(max(2 * (l1 - l0), 0.0), len(mode_cols)))


def by_mode(graduates: pd.DataFrame, mode_col: str | None = None,
            outcomes: Sequence[tuple[str, str]] = KEY_OUTCOMES,
            adjust: Sequence[str] = ("faculty", "sex", "level")) -> pd.DataFrame:
    """Key outcomes of phase-2 respondents by interview mode (online, phone, paper), with tests.

    Mode differences mix two things: the mode itself (e.g. socially desirable answers to an
    interviewer) and who ends up in each mode (phone follow-up reaches the hard to reach). So two
    p-values are given per outcome: ``p_value`` — crude, across all modes (shares: Pearson
    chi-square of the mode × outcome table; medians: Kruskal–Wallis; means: one-way ANOVA) — and,
    for shares, ``p_adjusted`` — the likelihood-ratio test of mode in a logistic regression that
    also holds faculty, sex and level fixed (de Leeuw 2005, *J. Official Stat.* 21:233).

    The mode column is ``p2_mode`` (or ``p2__mode``/``mode`` as ingestion names it).

    Returns
    -------
    DataFrame
        ``outcome, statistic, mode, n, estimate, p_value, test, p_adjusted`` — one row per outcome
        and mode (the p-values repeat within an outcome). Empty when there is no mode column or a
        single mode.
    """
    # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
    from scipy import stats

    cols = ["outcome", "statistic", "mode", "n", "estimate", "p_value", "test", "p_adjusted"]
    if "resp_p2" not in graduates.columns:
        return pd.DataFrame(columns=cols)
    g = graduates[response_flag(graduates["resp_p2"])].reset_index(drop=True)
    mc = _mode_column(g, mode_col)
    if mc is None:
        out = pd.DataFrame(columns=cols)
        out.attrs["note"] = "no interview-mode column"
        return out
    mode = g[mc].astype("string")
    g = g[mode.notna().to_numpy()].reset_index(drop=True)
    mode = mode[mode.notna()].reset_index(drop=True).astype(object)
    modes = sorted(mode.unique(), key=str)
    rows = []
    for col, stat in outcomes:
        if col not in g.columns:
            continue
        y = _outcome_values(g, col, stat)
        ok = y.notna().to_numpy()
        groups = [y[ok & (mode == m).to_numpy()].to_numpy() for m in modes]
        present = [x for x in groups if len(x)]
        p, test, p_adj = math.nan, None, math.nan
        if len(present) >= 2:
            if stat == "share":
                tab = np.array([[x.sum(), len(x) - x.sum()] for x in present])
                if tab.sum(axis=0).min() > 0:
                    res = stats.chi2_contingency(tab, correction=False)
                    p = float(res[1])
                    test = "chi-square" + (" (some expected counts < 5)" if res[3].min() < 5 else "")
                try:
                    p_adj = _adjusted_mode_p(g[ok], y[ok], mode[ok], adjust)
                except Exception:  # noqa: BLE001 - the adjusted test is a complement; keep the crude one
                    p_adj = math.nan
            elif stat == "median":
                if len({v for x in present for v in x}) > 1:
                    p, test = float(stats.kruskal(*present).pvalue), "Kruskal-Wallis"
            else:
                p, test = float(stats.f_oneway(*present).pvalue), "one-way ANOVA"
        for m, x in zip(modes, groups):
            est = math.nan if len(x) == 0 else float(np.median(x) if stat == "median" else np.mean(x))
            rows.append({"outcome": col, "statistic": stat, "mode": m, "n": len(x), "estimate": est,
                         "p_value": p, "test": test, "p_adjusted": p_adj})
    out = pd.DataFrame(rows, columns=cols)
    out.attrs["mode_column"] = mc
    return out

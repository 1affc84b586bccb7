"""Non-response: who answered the follow-up, how much it matters, and an optional weighting step.

The tracer study is a census in two phases: the exit survey at graduation (phase 1) and the
follow-up about nine months later (phase 2). Phase-2 respondents are raked to the registry margins
(:func:`analysis.stats.weighting.weight_respondents`). This module adds the checks the indicator notes
ask for (non-response checks of KOAB and AlmaLaurea; ``docs/methodology.md`` §6) and an optional second weighting step:

* :func:`respondent_comparison` — registry variables and phase-1 answers of phase-2 respondents vs
  non-respondents (means/shares, difference, test, standardised difference, Austin 2009);
* :func:`early_late` — first vs last third of respondents by interview date (KOAB's cheap check;
  late respondents resemble non-respondents, Armstrong & Overton 1977);
* :func:`by_mode` — online vs phone vs paper on key outcomes (crude and registry-adjusted tests);
* :func:`propensity_adjust` — phase-2 attrition among phase-1 respondents modelled by logistic
  regression on their phase-1 answers; weights multiplied within response-propensity quintiles
  (Little 1986) and re-raked to the registry margins;

All comparisons are unweighted (they describe who answered); the propensity step returns a
:class:`analysis.stats.survey.Design`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.stats.design_matrix import model_matrix
from analysis.stats.intervals import proportion_ci
from analysis.stats.models import c_statistic
from analysis.stats.survey import Design, rake, trim_weights, weight_diagnostics

__all__ = [
    "COMPARISON_PHASE1",
    "COMPARISON_REGISTRY",
    "KEY_OUTCOMES",
    "PROPENSITY_PREDICTORS",
    "by_mode",
    "early_late",
    "newcombe_diff_ci",
    "propensity_adjust",
    "propensity_diagnostics",
    "respondent_comparison",
]

#: registry variables and phase-1 answers that predict phase-2 response
PROPENSITY_PREDICTORS: tuple[str, ...] = (
    "faculty", "sex", "level", "funding", "gpa", "age_at_grad", "job_status", "plan", "internship_done",
    "worked_during_studies", "sat_studies", "eval_overall", "consent_phase2",
)
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


def _flag(s: pd.Series) -> np.ndarray:
    """Nullable boolean (or 0/1) column → plain bool array, missing = False."""
    return s.astype("boolean").fillna(False).to_numpy(bool)


def _scale_or_text(s: pd.Series) -> tuple[pd.Series, str]:
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
        v, kind = _scale_or_text(df[var])
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
    resp2 = _flag(g["resp_p2"])
    rows = _compare_groups(g, resp2, registry_vars, "all graduates")
    if "resp_p1" in g.columns:
        p1 = _flag(g["resp_p1"])
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
    g = graduates[_flag(graduates["resp_p2"])]
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
    g = graduates[_flag(graduates["resp_p2"])].reset_index(drop=True)
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


# ============================================================================ propensity adjustment


def _margins_for(graduates: pd.DataFrame, design, margins) -> dict:
    """Raking margins as ``{key: counts}``: given, from the design's calibration, or the default; helper of
    the reference API :func:`propensity_adjust`."""
    if isinstance(margins, Mapping):
        return dict(margins)
    if margins is None and design is not None and getattr(design, "calibration", None) is not None:
        cal = design.calibration
        out = {}
        for vars_, levels, pop in zip(cal.margins, cal.levels, cal.population):
            key = vars_[0] if len(vars_) == 1 else tuple(vars_)
            out[key] = pd.Series(pop, index=levels)
        return out
    spec = margins if margins is not None else (("faculty", "sex"), ("level",))
    out = {}
    for m in spec:
        m = (m,) if isinstance(m, str) else tuple(m)
        key = m[0] if len(m) == 1 else m
        out[key] = graduates.groupby(list(m), observed=True).size()
    return out


def _merge_classes(cls: np.ndarray, r: np.ndarray, p: np.ndarray, min_resp: int) -> np.ndarray:
    """Merge propensity classes with fewer than ``min_resp`` respondents (or non-respondents) into the
    neighbouring class (classes are ordered by propensity); helper of the reference API
    :func:`propensity_adjust`."""
    cls = cls.copy()
    for _ in range(100):
        labels = np.unique(cls)
        if len(labels) < 2:
            break
        n_r = np.array([r[cls == c].sum() for c in labels])
        n_n = np.array([(~r[cls == c]).sum() for c in labels])
        small = np.flatnonzero((n_r < min_resp) | (n_n < 1))
        if not len(small):
            break
        i = int(small[0])
        j = i + 1 if i == 0 else (i - 1 if i == len(labels) - 1 else
                                  (i - 1 if abs(p[cls == labels[i - 1]].mean() - p[cls == labels[i]].mean())
                                   <= abs(p[cls == labels[i + 1]].mean() - p[cls == labels[i]].mean()) else i + 1))
        cls[cls == labels[i]] = labels[j]
    _, cls = np.unique(cls, return_inverse=True)
    return cls


def propensity_adjust(graduates: pd.DataFrame, design_or_weights=None,
                      predictors: Sequence[str] = PROPENSITY_PREDICTORS, trim: float | None = 5.0, *,
                      margins=None, classes: int = 5, min_class_respondents: int = 10,
                      new_weights: str = "weight_prop"):
    """Optional second weighting step: adjust for phase-2 attrition predicted by phase-1 answers.

    Reference API: verified by the tests, not switched on in the yearly run (docs/methodology.md §12–13).

    1. **Model.** Among phase-1 respondents, phase-2 response (``resp_p2``) is modelled by a
       logistic regression (statsmodels GLM, unweighted: every graduate was invited) on registry
       variables and phase-1 answers (``predictors``; 1–5 scales as numbers). Missing answers form
       their own level (numbers: median + missing indicator); small and separated levels are
       pooled as in :func:`analysis.stats.design_matrix.model_matrix`. If the maximum-likelihood fit
       fails, a lightly ridge-penalised fit is used (recorded).
    2. **Classes.** The estimated propensities are cut into ``classes`` quantile groups
       (quintiles: Cochran 1968 showed five classes remove about 90 % of the bias of a continuous
       covariate); classes with fewer than ``min_class_respondents`` respondents are merged with a
       neighbour. This is the response-propensity stratification of Little (1986, *Int. Stat.
       Rev.* 54:139): it uses the model only to *rank* graduates, so it is robust to a misspecified
       model and avoids the extreme weights of direct inverse propensities.
    3. **Factor.** Within class ``c`` the factor is ``r / r_c`` — the overall phase-2 response rate
       of phase-1 respondents over the class's rate — i.e. the inverse class response rate scaled
       to average 1, so that phase-2 respondents without phase-1 answers (factor 1) are not
       down-weighted. New weight = the current (raked) weight × factor.
    4. **Trim and re-rake.** Weights beyond ``trim`` × the median (or below median/``trim``) are
       trimmed (:func:`analysis.stats.survey.trim_weights`; ``None`` = no trimming) and the weights are
       raked again to the registry margins, so weighted counts by faculty, sex and level still
       equal the registry exactly.

    Parameters
    ----------
    graduates : DataFrame
        The graduates table (all graduates; ``resp_p1``, ``resp_p2`` and the predictors).
    design_or_weights : Design, Series or None
        The phase-2 respondents' design with its raked weights (its calibration margins are
        reused), or a Series of weights indexed like ``graduates`` (non-respondents NaN/0), or
        ``None`` (equal weights ``N/n``).
    predictors : list of str
        Registry variables and phase-1 answers (absent columns are skipped and listed).
    trim : float or None
        Maximum ratio to the median weight before re-raking.
    margins : dict or list of tuples, optional
        Raking margins: ``{column or (columns): counts}``, or column tuples counted from the
        registry; default: the design's own margins, else faculty × sex and level.
    classes, min_class_respondents : int
        Number of propensity classes, and the smallest number of respondents a class keeps.
    new_weights : str
        Column of the adjusted weights.

    Returns
    -------
    Design
        Phase-2 respondents with the adjusted weights (strata, cluster and fpc of the input design;
        calibration from the final raking). :func:`propensity_diagnostics` returns the diagnostics:
        ``auc`` (c-statistic), propensity range and quantiles, the class table, the model's
        coefficients, weight diagnostics (Kish efficiency) before and after, margins used.

    Notes
    -----
    The SEs of the returned design treat the adjusted weights as fixed (the estimation of the
    propensities is not propagated) — standard practice, usually slightly conservative for means
    (Kim & Kim 2007, *Can. J. Stat.* 35:501).
    """
    # lazy: statsmodels costs 0.9 s, which stages 1-2 and `tracer` commands must not pay
    import statsmodels.api as sm


    for c in ("resp_p1", "resp_p2"):
        if c not in graduates.columns:
            raise InputError("graduates table", f"the {c} column is missing", column=c,
                             fix="run the derive stage first")
    g = graduates
    r1, r2 = _flag(g["resp_p1"]), _flag(g["resp_p2"])
    # ---- the phase-2 respondents' design and current weights
    if design_or_weights is None or isinstance(design_or_weights, (pd.Series, np.ndarray)):
        data = g[r2].copy()
        if design_or_weights is None:
            w = np.full(len(data), len(g) / max(len(data), 1))
        else:
            ws = pd.Series(np.asarray(design_or_weights, dtype=float), index=g.index) \
                if isinstance(design_or_weights, np.ndarray) else design_or_weights.reindex(g.index)
            w = ws[r2].to_numpy(float)
            if not np.all(np.isfinite(w) & (w > 0)):
                raise InputError("weights", "a phase-2 respondent has no positive weight", column="weight")
        base = Design(data.assign(_w_in=w), weights="_w_in")
        design = None
    else:
        design = design_or_weights
        data = design.data.copy()
        base = design
    w_in = base.w.copy()
    # ---- response propensity among phase-1 respondents
    p1 = g[r1].reset_index(drop=True)
    y = r2[r1].astype(float)
    used = [p for p in predictors if p in p1.columns]
    skipped = [p for p in predictors if p not in p1.columns]
    frame = pd.DataFrame({p: _scale_or_text(p1[p])[0] for p in used})
    if len(p1) < 10 or y.sum() < 2 or (1 - y).sum() < 2:
        raise InputError("graduates table", f"too few phase-1 respondents to model phase-2 response "
                         f"({len(p1)} respondents, {int(y.sum())} answered phase 2)", column="resp_p2")
    mm = model_matrix(frame, y, used, outcome="binary", missing="category")
    X = sm.add_constant(mm.X.to_numpy(float), has_constant="add")
    method = "maximum likelihood (GLM binomial, logit)"
    fit = None
    try:
        fit = sm.GLM(mm.y, X, family=sm.families.Binomial()).fit()
        if not np.all(np.isfinite(fit.params)) or not np.all(np.isfinite(fit.bse)):
            raise ValueError("non-finite estimates")
        params, bse = np.asarray(fit.params), np.asarray(fit.bse)
    except Exception:  # noqa: BLE001 - separation or a singular fit: fall back to a ridge fit
        reg = sm.GLM(mm.y, X, family=sm.families.Binomial()).fit_regularized(alpha=1e-3, L1_wt=0.0)
        params, bse = np.asarray(reg.params), np.full(X.shape[1], np.nan)
        method = "ridge-penalised logit (alpha 1e-3; the ML fit failed)"
    prop = 1.0 / (1.0 + np.exp(-(X @ params)))
    auc = c_statistic(prop, mm.y)
    # ---- classes and factors
    q = min(classes, max(len(np.unique(prop)), 1))
    cls = pd.qcut(prop, q=q, labels=False, duplicates="drop") if q > 1 else np.zeros(len(prop), int)
    cls = _merge_classes(np.asarray(cls, dtype=int), mm.y.astype(bool), prop, min_class_respondents)
    overall = float(mm.y.mean())
    table = []
    factor_of = np.ones(len(prop))
    for c in np.unique(cls):
        inc = cls == c
        rate = float(mm.y[inc].mean())
        f = overall / rate if rate > 0 else 1.0
        factor_of[inc] = f
        table.append({"class": int(c) + 1, "n": int(inc.sum()), "respondents": int(mm.y[inc].sum()),
                      "response_rate": rate, "mean_propensity": float(prop[inc].mean()),
                      "propensity_min": float(prop[inc].min()), "propensity_max": float(prop[inc].max()),
                      "factor": f})
    # ---- map factors to phase-2 respondents (phase-1 respondents only; others keep factor 1)
    key = "pid" if "pid" in g.columns and "pid" in data.columns else None
    if key:
        fac = pd.Series(factor_of, index=p1[key].astype("string").to_numpy())
        f_resp = data[key].astype("string").map(fac).astype(float).fillna(1.0).to_numpy()
    else:
        fac = pd.Series(factor_of, index=g.index[r1])
        f_resp = pd.Series(data.index, index=data.index).map(fac).astype(float).fillna(1.0).to_numpy()
    w_adj = w_in * f_resp
    keep_cols = dict(strata=base.strata, cluster=base.cluster, fpc=base.fpc, lonely_psu=base.lonely_psu)
    data = data.assign(**{"_w_adj": w_adj})
    adj = Design(data, weights="_w_adj", **keep_cols)
    if trim is not None:
        adj = trim_weights(adj, max_ratio=trim, new_weights="_w_adj_trim")
    # ---- re-rake to the registry margins (fall back to one-way margins, then none)
    final, used_margins, notes = None, None, []
    try:
        marg = _margins_for(g, design, margins)
        one_way = {}
        for k in marg:
            for v in ((k,) if isinstance(k, str) else k):
                one_way.setdefault(v, g.groupby(v, observed=True).size())
    except KeyError as exc:
        marg, one_way = {}, {}
        notes.append(f"registry margin column {exc} missing")
    tried = [m for m in (marg, one_way if set(one_way) != set(marg) else {}) if m]
    for mg in tried:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                start = Design(adj.data, weights=adj.weights, **keep_cols)
                final = rake(start, mg, new_weights=new_weights, max_iter=500)
            used_margins = [list((k,) if isinstance(k, str) else k) for k in mg]
            break
        except (InputError, KeyError, ValueError) as exc:
            notes.append(f"raking to {list(mg)} failed: {exc}")
    if final is None:
        final = Design(adj.data.assign(**{new_weights: adj.w}), weights=new_weights, **keep_cols)
        notes.append("weights not re-raked")
    names = ["Intercept", *[mm.terms[c]["term"] for c in mm.X.columns]]
    coef = [{"term": nm, "estimate": float(b), "se": float(se)} for nm, b, se in zip(names, params, bse)]
    before, after = weight_diagnostics(base), weight_diagnostics(final)
    diag: dict[str, Any] = {
        "n_phase1": int(len(p1)), "n_phase2_of_phase1": int(mm.y.sum()), "n_phase2": int(r2.sum()),
        "n_phase2_without_phase1": int((r2 & ~r1).sum()), "response_rate": overall,
        "auc": auc, "propensity_min": float(prop.min()), "propensity_max": float(prop.max()),
        "propensity_quantiles": {str(k): float(np.quantile(prop, k)) for k in (0.05, 0.25, 0.5, 0.75, 0.95)},
        "classes": table, "method": method, "predictors": used, "predictors_missing": skipped,
        "collapsed": mm.info["collapsed"], "dropped": mm.info["dropped"], "coefficients": coef,
        "trim_ratio": trim, "margins_used": used_margins, "notes": notes,
        "efficiency_before": before["efficiency"], "efficiency_after": after["efficiency"],
        "deff_before": before["deff_kish"], "deff_after": after["deff_kish"],
        "weight_ratio_after": after["ratio"], "n_effective_after": after["n_effective"],
        "factor_min": float(min(t["factor"] for t in table)), "factor_max": float(max(t["factor"] for t in table)),
    }
    final.data.attrs["propensity_adjustment"] = diag
    return final


def propensity_diagnostics(design) -> dict:
    """The diagnostics :func:`propensity_adjust` stored with its design (empty dict if none). Reference API."""
    return dict(design.data.attrs.get("propensity_adjustment", {}))

"""Time to first job: Kaplan–Meier, log-rank, competing risks (Aalen–Johansen) and Cox models.

Conventions for the tracer study (months since graduation):

* ``event = 1``: found a (first) job at ``time``;
* ``event = 0``: right-censored — still searching at the survey date, censored at the months
  since graduation;
* for competing risks, ``event_type = 2``: entered further study and not seeking work. These
  graduates are **not censored** (that would assume they will find jobs like those still
  searching); the cumulative incidence of each outcome is estimated instead (Aalen & Johansen
  1978; Putter, Fiocco & Geskus 2007, *Stat. Med.* 26:2389).

Estimates are unweighted (the survival functions here describe respondents); use the design-based
tools in :mod:`analysis.stats.survey` for weighted population shares at a fixed month.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.stats.models import wald_table

__all__ = ["cox", "cumulative_incidence", "kaplan_meier", "logrank", "median_time"]

_SOURCE = "time-to-job data"


def _z(alpha: float) -> float:
    # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
    from scipy.stats import norm

    return float(norm.ppf(1 - alpha / 2))


def _clean(time, event, group=None, *, allowed=(0, 1)) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    t = pd.to_numeric(pd.Series(np.asarray(time)), errors="coerce").to_numpy(dtype=float)
    e = pd.to_numeric(pd.Series(np.asarray(event)), errors="coerce").to_numpy(dtype=float)
    if len(t) != len(e):
        raise ValueError("time and event must have the same length")
    bad = ~np.isfinite(t) | (t < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(_SOURCE, "time is missing, negative or not a number", row=i + 2, column="time",
                         fix="months since graduation must be 0 or more")
    bad = ~np.isin(e, allowed)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(_SOURCE, f"event code {e[i]!r} is not one of {list(allowed)}", row=i + 2,
                         column="event")
    g = None if group is None else np.asarray(group, dtype=object)
    if g is not None and len(g) != len(t):
        raise ValueError("group must have the same length as time")
    return t, e.astype(int), g


def _km_one(t: np.ndarray, e: np.ndarray, z: float) -> pd.DataFrame:
    """One group's Kaplan–Meier table; helper of the reference API :func:`kaplan_meier`."""
    ut, inv = np.unique(t, return_inverse=True)
    count = np.bincount(inv, minlength=len(ut)).astype(float)
    d = np.bincount(inv, weights=e.astype(float), minlength=len(ut))
    n = np.cumsum(count[::-1])[::-1]
    s = np.cumprod(1.0 - d / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        gw = np.cumsum(np.where(d > 0, d / (n * (n - d)), 0.0))
        se = np.where(s > 0, s * np.sqrt(gw), np.nan)
        lo = np.where(s > 0, s * np.exp(-z * np.sqrt(gw)), np.nan)
        hi = np.where(s > 0, np.minimum(s * np.exp(z * np.sqrt(gw)), 1.0), np.nan)
    return pd.DataFrame({
        "time": ut, "n_risk": n.astype(int), "n_event": d.astype(int), "n_censor": (count - d).astype(int),
        "survival": s, "se": se, "ci_low": lo, "ci_high": hi,
    })


def kaplan_meier(time, event, group=None, alpha: float = 0.05) -> pd.DataFrame:
    """Kaplan–Meier estimate of the share still without a job after ``t`` months.

    Reference API: verified against R ``survfit``; the report shows the cumulative incidence
    (:func:`cumulative_incidence`), which treats further study as a competing risk instead of censoring it.

    Parameters
    ----------
    time : array-like
        Months from graduation to the first job (event) or to the survey date (censored).
    event : array-like
        1 = found a job at ``time``; 0 = censored.
    group : array-like, optional
        Groups (e.g. faculty) estimated separately; a ``group`` column is added.
    alpha : float
        1 − coverage of the pointwise intervals.

    Returns
    -------
    DataFrame
        One row per distinct time (as R ``survfit``): ``time, n_risk, n_event, n_censor,
        survival, se, ci_low, ci_high``. ``se`` is Greenwood's SE on the survival scale
        ``S(t)·sqrt(Σ d/(n(n-d)))`` (as R prints); the interval is R's default ``conf.type="log"``,
        ``S·exp(±z·sqrt(Σ d/(n(n-d))))`` capped at 1. Where ``S = 0`` the SE and interval are NaN.
        ``1 - survival`` is the cumulative share employed.
    """
    t, e, g = _clean(time, event, group)
    z = _z(alpha)
    if g is None:
        return _km_one(t, e, z)
    frames = []
    for lev in sorted(pd.unique(g), key=str):
        m = g == lev
        f = _km_one(t[m], e[m], z)
        f.insert(0, "group", lev)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def logrank(time, event, group) -> dict:
    """Log-rank test that the time-to-job curves of the groups are equal.

    Uses statsmodels ``survdiff`` (Mantel–Haenszel log-rank, as R ``survdiff`` with ``rho=0``).

    Returns
    -------
    dict
        ``statistic`` (chi-square), ``df`` (groups − 1), ``p_value``, and ``table``: a DataFrame
        with ``group, n, observed, expected`` events.
    """
    # lazy: statsmodels costs 0.9 s, which stages 1-2 and `tracer` commands must not pay
    from statsmodels.duration.survfunc import survdiff

    t, e, g = _clean(time, event, group)
    levels = sorted(pd.unique(g), key=str)
    if len(levels) < 2:
        raise InputError(_SOURCE, "the log-rank test needs at least two groups", column="group")
    codes = np.array([levels.index(x) for x in g])
    stat, p = survdiff(t, e, codes)
    ut, inv = np.unique(t, return_inverse=True)
    d = np.bincount(inv, weights=e, minlength=len(ut))
    count = np.bincount(inv, minlength=len(ut)).astype(float)
    n = np.cumsum(count[::-1])[::-1]
    rows = []
    for j, lev in enumerate(levels):
        m = codes == j
        cg = np.bincount(inv[m], minlength=len(ut)).astype(float)
        ng = np.cumsum(cg[::-1])[::-1]
        rows.append((lev, int(m.sum()), float(e[m].sum()), float(np.sum(d * ng / n))))
    table = pd.DataFrame(rows, columns=["group", "n", "observed", "expected"])
    return {"statistic": float(stat), "df": len(levels) - 1, "p_value": float(p), "table": table}


def _cif_one(t: np.ndarray, e: np.ndarray, causes: list[int], z: float) -> pd.DataFrame:
    ut, inv = np.unique(t, return_inverse=True)
    count = np.bincount(inv, minlength=len(ut)).astype(float)
    n = np.cumsum(count[::-1])[::-1]
    dk = {k: np.bincount(inv, weights=(e == k).astype(float), minlength=len(ut)) for k in causes}
    d = np.bincount(inv, weights=(e > 0).astype(float), minlength=len(ut))
    s = np.cumprod(1.0 - d / n)  # all-cause event-free survival
    s_prev = np.r_[1.0, s[:-1]]
    out = pd.DataFrame({"time": ut, "n_risk": n.astype(int)})
    for k in causes:
        out[f"n_event_{k}"] = dk[k].astype(int)
    out["n_censor"] = (count - d).astype(int)
    out["event_free"] = s
    with np.errstate(divide="ignore", invalid="ignore"):
        ra = np.where(n > d, d / (n * (n - d)), 0.0)
    for k in causes:
        f = np.cumsum(s_prev * dk[k] / n)
        # delta-method variance (Marubini & Valsecchi 1995, eq. 10.10; Stata stcompet):
        # Σ_j [F(t)-F(t_j)]² d_j/(n_j(n_j-d_j)) + Σ_j S(t_j-)² d_kj (n_j-d_kj)/n_j³
        #   - 2 Σ_j [F(t)-F(t_j)] S(t_j-) d_kj/n_j²     (sums over t_j <= t)
        v = f**2 * np.cumsum(ra) - 2 * f * np.cumsum(f * ra) + np.cumsum(f**2 * ra)
        v += np.cumsum(s_prev**2 * dk[k] * (n - dk[k]) / n**3)
        a = s_prev * dk[k] / n**2
        v += -2 * f * np.cumsum(a) + 2 * np.cumsum(f * a)
        se = np.sqrt(np.clip(v, 0, None))
        out[f"cif_{k}"] = f
        out[f"se_{k}"] = se
        # interval on the log(-log) scale, bounded in [0, 1] (Choudhury 2002); a CIF close to 0 with a
        # large SE overflows exp() to inf, which gives the correct limit 0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            sl = se / (f * np.abs(np.log(f)))
            lo = f ** np.exp(z * sl)
            hi = f ** np.exp(-z * sl)
        ok = (f > 0) & (f < 1)
        out[f"ci_low_{k}"] = np.where(ok, lo, f)
        out[f"ci_high_{k}"] = np.where(ok, hi, f)
    return out


def cumulative_incidence(time, event_type, group=None, causes=(1, 2), alpha: float = 0.05) -> pd.DataFrame:
    """Aalen–Johansen cumulative incidence of competing outcomes (job vs further study).

    ``CIF_k(t) = Σ_{t_j <= t} S(t_j-) · d_kj / n_j`` where ``S`` is the all-cause Kaplan–Meier
    "still in neither state" curve, ``d_kj`` the number reaching outcome ``k`` at ``t_j`` and
    ``n_j`` the number at risk. For every ``t``: ``event_free + Σ_k CIF_k = 1``; with no competing
    outcome ``CIF_1 = 1 - KM``.

    Parameters
    ----------
    time : array-like
        Months since graduation to the first outcome or to the survey date.
    event_type : array-like
        0 = censored (still searching), 1 = found a job, 2 = further study (not seeking) — any
        positive integer codes listed in ``causes``.
    group : array-like, optional
        Estimate separately by group (adds a ``group`` column).
    causes : tuple of int
        Outcome codes to report.
    alpha : float
        1 − coverage; intervals are on the log(−log) scale.

    Returns
    -------
    DataFrame
        One row per distinct time: ``time, n_risk, n_event_<k>…, n_censor, event_free,
        cif_<k>, se_<k>, ci_low_<k>, ci_high_<k>`` for each cause. SEs are the delta-method
        ones of Marubini & Valsecchi (1995) (they agree with Stata ``stcompet``; R ``cmprsk``
        uses Aalen's 1978 formula and differs slightly).
    """
    causes = [int(k) for k in causes]
    t, e, g = _clean(time, event_type, group, allowed=tuple([0] + causes))
    z = _z(alpha)
    if g is None:
        return _cif_one(t, e, causes, z)
    frames = []
    for lev in sorted(pd.unique(g), key=str):
        m = g == lev
        f = _cif_one(t[m], e[m], causes, z)
        f.insert(0, "group", lev)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def cox(df: pd.DataFrame, duration: str, event: str, covariates: list[str] | str, ties: str = "efron",
        alpha: float = 0.05) -> pd.DataFrame:
    """Cox proportional-hazards model of the time to first job (statsmodels ``PHReg``).

    Parameters
    ----------
    df : DataFrame
    duration, event : str
        Columns with the months and the 0/1 job indicator (competing outcomes must be coded 0
        here — this models the cause-specific hazard of finding a job).
    covariates : list of str or str
        Column names, or a formula right-hand side (e.g. ``"C(faculty) + sex"``).
    ties : {"efron", "breslow"}
        Tie handling; ``efron`` is R ``coxph``'s default.

    Returns
    -------
    DataFrame
        Tidy table: ``term, estimate`` (log hazard ratio)``, se, ci_low, ci_high, p_value`` (Wald
        z), ``n``, ``hazard_ratio, hr_low, hr_high``; ``attrs["diagnostics"]`` holds the number
        of events, the log partial likelihood and the convergence flag. A hazard ratio above 1
        means a faster move into work.
    """
    # lazy: statsmodels costs 0.9 s, which stages 1-2 and `tracer` commands must not pay
    import statsmodels.formula.api as smf

    if ties not in ("efron", "breslow"):
        raise ValueError("ties must be 'efron' or 'breslow'")
    for col in (duration, event):
        if col not in df.columns:
            raise InputError(_SOURCE, "the column is missing", column=col)
    rhs = covariates if isinstance(covariates, str) else " + ".join(f"Q('{c}')" for c in covariates)
    data = df.dropna(subset=[duration, event])
    _clean(data[duration], data[event])
    model = smf.phreg(f"Q('{duration}') ~ {rhs}", data, status=data[event].to_numpy(dtype=float), ties=ties)
    fit = model.fit()
    names = [_strip_q(nm) for nm in model.exog_names]
    b = np.asarray(fit.params, dtype=float)
    se = np.asarray(fit.bse, dtype=float)

    out = wald_table(names, b, se, int(model.exog.shape[0]), alpha)
    out["hazard_ratio"] = np.exp(b)
    out["hr_low"] = np.exp(out["ci_low"])
    out["hr_high"] = np.exp(out["ci_high"])
    out.attrs["diagnostics"] = {
        "n_events": int(np.sum(model.status)),
        "loglike": float(fit.llf),
        "converged": bool(getattr(fit, "converged", True)),
        "ties": ties,
    }
    return out


def _strip_q(name: str) -> str:
    """``Q('x')`` → ``x`` in term names."""
    if name.startswith("Q('") and name.endswith("')"):
        return name[3:-2]
    return name.replace("Q('", "").replace("')", "")


def median_time(km: pd.DataFrame) -> float:
    """Median time to job: smallest time with Kaplan–Meier survival <= 0.5 (NaN if never).

    Reference API, with :func:`kaplan_meier`.

    R `survfit` takes the midpoint when S(t) = 0.5 exactly on a flat stretch; this does not.
    """
    s = km["survival"].to_numpy()
    idx = np.flatnonzero(s <= 0.5)
    return float(km["time"].iloc[idx[0]]) if len(idx) else math.nan

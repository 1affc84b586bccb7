"""Employment-outcome models of the model stage: who finds work, in the field, at what pay, how fast.

Each model function takes the graduates table (one row per graduate, :func:`analysis.derive.graduates.
derive_graduates`) or the phase-2 respondents' survey design, and returns ``(table, diagnostics)``:

* ``table`` — tidy: ``model, term, variable, level, reference, estimate, se, ci_low, ci_high,
  p_value, n`` plus the model's effect scale (odds ratio, % effect, hazard ratio); the
  diagnostics are also kept in ``table.attrs["diagnostics"]`` (as :mod:`analysis.stats.models` does);
* ``diagnostics`` — ``status`` (``"ok"`` or ``"failed"``), ``reason`` (one line when failed), the
  number of rows in the model's universe and used (complete cases), missing values by predictor,
  reference levels, collapsed levels, dropped terms and warnings.

A model that cannot be fitted (too few cases, no variation in the outcome, numerical failure)
returns an empty table and ``status="failed"`` with the reason — it never raises, so one model can
not stop the model stage (:func:`run_outcome_models`).

Predictor handling (the same for every model, see ``docs/methodology.md`` §11): notes 1–5 — complete
cases, treatment contrasts against the largest level, pooling of small levels, merging of separated levels,
aliased terms — are done by :func:`analysis.stats.design_matrix.model_matrix`. In the logits, a numeric predictor that
separates (|coefficient| > 15 after the fit) is dropped and the model refitted; other coefficients above 15
are reported as warnings. Then

6. **Events per variable** below 10 (Peduzzi et al. 1996, *J. Clin. Epidemiol.* 49:1373) is
   reported as a warning: the coefficients may be unstable.
7. **Too little data** — fewer than 20 complete cases (or than parameters + 2), or fewer than 5
   cases in the rarer outcome category (events, for the Cox model) — is a recorded failure.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from analysis.derive.income import INCOME_BANDS
from analysis.stats.design_matrix import (
    MIN_CELL,
    ModelFailure,
    ModelMatrix,
    as_float,
    as_labels,
    collapse_levels,
    is_categorical,
    model_matrix,
)
from analysis.stats.imputation import completed_datasets, rubin
from analysis.stats.models import c_statistic, logit_weighted, ols_robust, ordered_logit
from analysis.stats.models import diagnostics as mdiag
from analysis.stats.survey import Design
from analysis.stats.survival import cox

__all__ = [
    "EMPLOYMENT_PREDICTORS",
    "INCOME_PREDICTORS",
    "SATISFACTION_PREDICTORS",
    "COX_PREDICTORS",
    "MI_PREDICTORS",
    "employment_logit",
    "first_job_cox",
    "income_mi",
    "income_ols",
    "infield_logit",
    "available_predictors",
    "run_outcome_models",
    "satisfaction_ologit",
]

#: predictors of employment and of employment in the field of study (registry + phase-1 answers)
EMPLOYMENT_PREDICTORS: tuple[str, ...] = ("faculty", "sex", "level", "funding", "gpa", "internship_done", "job_status")
#: predictors of log income among the full-time employed
INCOME_PREDICTORS: tuple[str, ...] = ("faculty", "sex", "level", "funding", "gpa")
#: predictors of job satisfaction (``log_income`` is computed from the income column)
SATISFACTION_PREDICTORS: tuple[str, ...] = ("faculty", "sex", "level", "hm_subjective", "log_income")
#: predictors of the time to the first job
COX_PREDICTORS: tuple[str, ...] = ("faculty", "sex", "funding", "level")
#: predictors of the income imputation model (``income_band_any`` is an auxiliary variable)
MI_PREDICTORS: tuple[str, ...] = ("faculty", "sex", "level", "funding", "gpa", "income_band_any")
#: terms of the analysis regression pooled by :func:`income_mi`
MI_FORMULA_TERMS: tuple[str, ...] = ("sex", "level", "funding", "gpa")
MI_MAX_ROWS = 50_000
"""Largest income universe imputed whole. Above it the sensitivity analysis runs on a simple random subsample of
this many graduates (seeded, without replacement), complete-case and imputed figures alike, and says so: chained
equations cost ``m + n_burnin`` regression cycles over every row (13 % of the model stage at 1,000,000
graduates), while what the analysis shows — how far imputing moves the median and the coefficients, and the
fraction of missing information — is already estimated to within a few KGS at 50,000. A national pool of
universities would impute per university or per region instead (``docs/performance.md``)."""

BASE_COLUMNS = ["model", "term", "variable", "level", "reference", "estimate", "se", "ci_low", "ci_high",
                "p_value", "n"]
MIN_N = 20  # no model on fewer complete cases
MIN_EVENTS = 5  # nor with fewer cases in the rarer outcome (or events)
SEPARATION_COEF = 15.0  # |log-odds| beyond this signals (quasi-)separation of a numeric predictor


# ============================================================================ results


def _failed(model: str, reason: str, extra: Mapping[str, Any] | None = None,
            columns: Sequence[str] = ()) -> tuple[pd.DataFrame, dict]:
    reason = " ".join(str(reason).split()) or "unknown error"
    diag = {"model": model, "status": "failed", "reason": reason, **(extra or {})}
    table = pd.DataFrame(columns=[*BASE_COLUMNS, *columns])
    table.attrs["diagnostics"] = diag
    return table, diag


def _finish(model: str, raw: pd.DataFrame, mm: ModelMatrix, diag: dict) -> tuple[pd.DataFrame, dict]:
    """Map safe names to labels, order the columns, attach diagnostics."""
    lab = pd.DataFrame([mm.label(t) for t in raw["term"]])
    out = raw.drop(columns=["term"]).reset_index(drop=True)
    out.attrs = {}
    out.insert(0, "model", model)
    for i, c in enumerate(["term", "variable", "level", "reference"]):
        out.insert(1 + i, c, lab[c].to_numpy())
    extra = [c for c in out.columns if c not in BASE_COLUMNS]
    out = out[[*BASE_COLUMNS, *extra]]
    info = dict(mm.info)
    warn = list(diag.pop("warnings", []))
    full = {"model": model, "status": "ok", "reason": None, **info, **diag, "warnings": warn}
    out.attrs["diagnostics"] = full
    return out, full


def _epv_warning(y: np.ndarray, n_params: int, outcome: str) -> tuple[float, list[str]]:
    if outcome == "binary":
        events = float(min(np.sum(y == 1), np.sum(y == 0)))
    elif outcome == "event":
        events = float(np.sum(y == 1))
    else:
        events = float(len(y))
    epv = events / max(n_params, 1)
    msgs = []
    if outcome in ("binary", "event") and epv < 10:
        msgs.append(f"only {epv:.1f} events per parameter (< 10, Peduzzi et al. 1996): coefficients may be unstable")
    return epv, msgs


def _separation_warnings(table: pd.DataFrame, mm: ModelMatrix) -> list[str]:
    big = table[(table["term"] != "Intercept") & (table["estimate"].abs() > SEPARATION_COEF)]
    return [f"{mm.label(t)['term']}: coefficient {e:.1f} suggests separation; interpret with care"
            for t, e in zip(big["term"], big["estimate"])]


def _check_size(mm: ModelMatrix, n_params: int, what: str, binary: bool = False, events: bool = False) -> None:
    """Refuse a model on too few cases: fewer than MIN_N complete cases or than parameters + 2, or
    (0/1 outcomes) fewer than MIN_EVENTS cases in the rarer outcome (events for a Cox model)."""
    n = mm.info["n"]
    if n < max(MIN_N, n_params + 2):
        raise ModelFailure(f"too few complete cases for the {what} (n={n}; needs at least "
                           f"{max(MIN_N, n_params + 2)} for {n_params} parameters)")
    if binary:
        rare = int(min(np.sum(mm.y == 1), np.sum(mm.y == 0)))
        if rare < MIN_EVENTS:
            raise ModelFailure(f"the outcome hardly varies: only {rare} of {n} complete cases in the rarer "
                               f"category (needs {MIN_EVENTS})")
    if events and int(np.sum(mm.y == 1)) < MIN_EVENTS:
        raise ModelFailure(f"only {int(np.sum(mm.y == 1))} events (needs {MIN_EVENTS})")


# ============================================================================ design-based logits


def _design_logit(model: str, design, outcome_col: str, universe: Callable[[pd.DataFrame], np.ndarray],
                  predictors: Sequence[str], min_cell: int, alpha: float) -> tuple[pd.DataFrame, dict]:
    if design is None:
        raise ModelFailure("no survey design (no phase-2 respondents were weighted)")
    data = design.data.reset_index(drop=True)
    if outcome_col not in data.columns:
        raise ModelFailure(f"outcome column {outcome_col} missing from the design data")
    uni = np.asarray(universe(data), dtype=bool)
    y = as_float(data[outcome_col]).where(uni)
    sub = data.loc[uni]
    preds = list(predictors)
    separated: list[str] = []
    for _attempt in range(3):
        mm = model_matrix(sub, y[uni].to_numpy(), preds, outcome="binary", min_cell=min_cell,
                          references={"internship_done": "no"})
        p = mm.X.shape[1] + 1
        _check_size(mm, p, model, binary=True)
        pos = np.flatnonzero(uni)[mm.rows]
        keep = [c for c in (design.weights, design.strata, design.cluster, design.fpc) if c is not None]
        d2 = data[list(dict.fromkeys(keep))].copy()
        d2["_y"] = np.nan
        d2.loc[pos, "_y"] = mm.y
        for c in mm.X.columns:
            d2[c] = np.nan
            d2.loc[pos, c] = mm.X[c].to_numpy()
        des = replace(design, data=d2, _cache={})
        formula = "_y ~ " + (" + ".join(mm.X.columns) if len(mm.X.columns) else "1")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            raw = logit_weighted(formula, des, alpha=alpha)
        if not np.all(np.isfinite(raw["estimate"])):
            raise ModelFailure("the logistic fit did not converge (non-finite coefficients)")
        # a numeric predictor that separates the outcome: drop it and refit (levels were handled before)
        big = raw[(raw["term"] != "Intercept") & (raw["estimate"].abs() > SEPARATION_COEF)]
        num_sep = sorted({mm.label(t)["variable"] for t in big["term"] if mm.label(t)["level"] is None})
        if not num_sep:
            break
        separated += num_sep
        preds = [q for q in preds if q not in num_sep]
    else:
        raise ModelFailure(f"perfect separation persists after dropping {', '.join(separated)}")
    mm.info["dropped"] += [f"{v}: separates the outcome perfectly (infinite coefficient); dropped and refitted"
                           for v in separated]
    beta = raw.set_index("term")["estimate"]
    eta = beta.get("Intercept", 0.0) + mm.X.to_numpy() @ beta.reindex(mm.X.columns).fillna(0.0).to_numpy()
    w = design.w[pos]
    epv, warn = _epv_warning(mm.y, p, "binary")
    warn += _separation_warnings(raw, mm)
    warn += sorted({f"{type(c.message).__name__}: {str(c.message).splitlines()[0]}" for c in caught
                    if issubclass(c.category, Warning) and "separation" in str(c.message).lower()})
    diag = {"outcome": outcome_col, "events": int(np.sum(mm.y == 1)), "epv": epv,
            "auc": c_statistic(eta, mm.y), "auc_weighted": c_statistic(eta, mm.y, w),
            "design_df": int(design.degf), "df_resid": raw.attrs.get("df_resid"),
            "weights": design.weights or "equal", "warnings": warn,
            "method": "survey-weighted logistic regression (models.logit_weighted; design-based sandwich SEs)"}
    return _finish(model, raw, mm, diag)


def _safe_call(model: str, fn: Callable[[], tuple[pd.DataFrame, dict]],
               columns: Sequence[str] = ()) -> tuple[pd.DataFrame, dict]:
    """Run a model; any failure becomes a recorded one-line reason instead of an exception."""
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            table, diag = fn()
    except ModelFailure as exc:
        table, diag = _failed(model, str(exc), columns=columns)
    except Exception as exc:  # noqa: BLE001 - a model must never stop the stage
        first = str(exc).splitlines()[0] if str(exc) else ""
        table, diag = _failed(model, f"{type(exc).__name__}: {first}", columns=columns)
    diag["seconds"] = round(time.perf_counter() - t0, 3)
    table.attrs["diagnostics"] = diag
    return table, diag


def employment_logit(design, predictors: Sequence[str] = EMPLOYMENT_PREDICTORS, min_cell: int = MIN_CELL,
                     alpha: float = 0.05) -> tuple[pd.DataFrame, dict]:
    """Survey-weighted logistic regression of being employed (ILO) among phase-2 respondents.

    Universe: respondents with a known labour status. Predictors: faculty (reference = the largest),
    sex, level, funding, gpa, phase-1 ``internship_done`` (reference ``no``) and phase-1
    ``job_status``. Coefficients are log-odds; ``odds_ratio, or_low, or_high`` are added. SEs are
    design-based (sandwich with strata, fpc and raking residuals; Binder 1983) with t intervals on
    ``degf - p + 1`` df (R ``svyglm``). Diagnostics add ``events``, ``epv``, in-sample ``auc``
    (unweighted and weighted c-statistic) and ``design_df``.

    Parameters
    ----------
    design : analysis.stats.survey.Design
        Phase-2 respondents with their (raked) weights, e.g. from
        :func:`analysis.pipeline.estimation.weight_respondents` or :func:`analysis.stats.propensity.propensity_adjust`.
    """
    return _safe_call("employment_logit", lambda: _design_logit(
        "employment_logit", design, "employed",
        lambda d: d["employed"].notna().to_numpy(bool) if "employed" in d else np.zeros(len(d), bool),
        predictors, min_cell, alpha), ["odds_ratio", "or_low", "or_high"])


def infield_logit(design, predictors: Sequence[str] = EMPLOYMENT_PREDICTORS, min_cell: int = MIN_CELL,
                  alpha: float = 0.05) -> tuple[pd.DataFrame, dict]:
    """Survey-weighted logistic regression of working in the field of study, among the employed.

    Outcome ``hm_subjective`` (the graduate's own judgement that the job is related to the field of
    study; ILO 20th ICLS subjective horizontal match). Universe: employed phase-2 respondents who
    answered it (a domain of the design: the other respondents keep score zero). Same predictors,
    handling and output as :func:`employment_logit`.
    """
    def uni(d: pd.DataFrame) -> np.ndarray:
        if "employed" not in d or "hm_subjective" not in d:
            return np.zeros(len(d), bool)
        return d["employed"].fillna(False).to_numpy(bool) & d["hm_subjective"].notna().to_numpy(bool)

    return _safe_call("infield_logit", lambda: _design_logit(
        "infield_logit", design, "hm_subjective", uni, predictors, min_cell, alpha),
        ["odds_ratio", "or_low", "or_high"])


# ============================================================================ unweighted models


def _respondents(graduates: pd.DataFrame) -> pd.DataFrame:
    if "resp_p2" not in graduates.columns:
        raise ModelFailure("the graduates table has no resp_p2 column")
    return graduates[graduates["resp_p2"].fillna(False).astype(bool).to_numpy()].reset_index(drop=True)


def _employed(graduates: pd.DataFrame) -> pd.DataFrame:
    g = _respondents(graduates)
    if "employed" not in g.columns:
        raise ModelFailure("the graduates table has no employed column")
    return g[g["employed"].fillna(False).astype(bool).to_numpy()].reset_index(drop=True)


def _income_ols(graduates: pd.DataFrame, predictors: Sequence[str], income_col: str, min_cell: int,
                alpha: float) -> tuple[pd.DataFrame, dict]:
    e = _employed(graduates)
    if income_col not in e.columns:
        raise ModelFailure(f"income column {income_col} missing")
    inc = as_float(e[income_col])
    y = np.log(inc.where(inc > 0))
    mm = model_matrix(e, y.to_numpy(), predictors, outcome="continuous", min_cell=min_cell)
    p = mm.X.shape[1] + 1
    _check_size(mm, p, "income model")
    data = mm.X.assign(_y=mm.y)
    formula = "_y ~ " + (" + ".join(mm.X.columns) if len(mm.X.columns) else "1")
    raw = ols_robust(formula, data, cov_type="HC3", alpha=alpha)
    if not np.all(np.isfinite(raw["se"])):
        raise ModelFailure("HC3 standard errors are not finite (a case with leverage 1)")
    slope = (raw["term"] != "Intercept").to_numpy()
    for col, src in (("pct_effect", "estimate"), ("pct_low", "ci_low"), ("pct_high", "ci_high")):
        raw[col] = np.where(slope, 100.0 * np.expm1(raw[src]), np.nan)

    diag = {"outcome": f"log({income_col})", **{k: v for k, v in mdiag(raw).items() if k != "n"},
            "geometric_mean_kgs": float(np.exp(np.mean(mm.y))), "warnings": [],
            "method": "OLS of log income with HC3 robust SEs (models.ols_robust)"}
    return _finish("income_ols", raw, mm, diag)


def income_ols(graduates: pd.DataFrame, predictors: Sequence[str] = INCOME_PREDICTORS,
               income_col: str = "income_stat", min_cell: int = MIN_CELL,
               alpha: float = 0.05) -> tuple[pd.DataFrame, dict]:
    """OLS of log monthly income (KGS) among the employed, with HC3 robust SEs.

    Universe: employed phase-2 respondents with ``income_stat`` > 0 (full-time paid work with an
    exact amount — the QILT/HESA salary universe). Unweighted (a model of respondents; the
    robust SEs do not use the design). ``pct_effect = 100·(exp(b) − 1)`` is the % difference in
    income for a one-unit change or against the reference level (Halvorsen & Palmquist 1980,
    *Am. Econ. Rev.* 70:474), with the interval transformed the same way. Diagnostics:
    R², adjusted R², AIC, BIC, condition number, the geometric mean income.
    """
    return _safe_call("income_ols", lambda: _income_ols(graduates, predictors, income_col, min_cell, alpha),
                      ["pct_effect", "pct_low", "pct_high"])


def _ordered_logit_bfgs(y: np.ndarray, X: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Proportional-odds logit (:func:`analysis.stats.models.ordered_logit`: thresholds on the R ``polr``
    scale with delta-method SEs, ``kind`` column, diagnostics in ``attrs``)."""
    cats = sorted(np.unique(y))
    ys = pd.Series(pd.Categorical(y, categories=cats, ordered=True))
    return ordered_logit(None, y=ys, X=X.astype(float).reset_index(drop=True), levels=cats, alpha=alpha)


def _satisfaction(graduates: pd.DataFrame, predictors: Sequence[str], income_col: str, min_cell: int,
                  alpha: float) -> tuple[pd.DataFrame, dict]:
    e = _employed(graduates)
    if "job_satisfaction" not in e.columns:
        raise ModelFailure("job_satisfaction column missing")
    y = as_float(e["job_satisfaction"]).where(lambda s: s.isin([1, 2, 3, 4, 5]))
    if "log_income" in predictors and "log_income" not in e.columns:
        if income_col not in e.columns:
            raise ModelFailure(f"income column {income_col} missing")
        inc = as_float(e[income_col])
        e = e.assign(log_income=np.log(inc.where(inc > 0)))
    mm = model_matrix(e, y.to_numpy(), predictors, outcome="ordinal", min_cell=min_cell)
    cats = np.unique(mm.y)
    if len(cats) < 2:
        raise ModelFailure("job satisfaction has a single answer among the complete cases")
    p = mm.X.shape[1] + len(cats) - 1
    _check_size(mm, p, "ordered logit")
    if mm.X.shape[1] == 0:
        raise ModelFailure("no predictor left after pooling and dropping")
    # numeric predictors centred at their mean: same slopes, thresholds for an average graduate
    X = mm.X.copy()
    centred = {}
    for c, lab in mm.terms.items():
        if lab["level"] is None:
            centred[lab["term"]] = float(X[c].mean())
            X[c] = X[c] - centred[lab["term"]]
    raw = _ordered_logit_bfgs(mm.y, X, alpha)
    d = dict(raw.attrs.get("diagnostics", {}))
    if not np.all(np.isfinite(raw["se"])):
        raise ModelFailure("the ordered logit did not converge (non-finite standard errors)")
    raw["odds_ratio"] = np.where(raw["kind"] == "coefficient", np.exp(raw["estimate"]), np.nan)
    warn = [] if d.get("converged", True) else ["the ordered logit did not converge"]
    warn += _separation_warnings(raw[raw["kind"] == "coefficient"], mm)
    levels = [int(c) if float(c).is_integer() else c for c in d.get("levels", list(cats))]
    diag = {"outcome": "job_satisfaction (1-5)", "levels": levels, "loglike": d.get("loglike"),
            "aic": d.get("aic"), "bic": d.get("bic"), "pseudo_r2": d.get("pseudo_r2"),
            "converged": d.get("converged"), "income_column": income_col, "centred_at_mean": centred,
            "warnings": warn,
            "method": "proportional-odds logit (statsmodels OrderedModel, BFGS); thresholds on the R polr scale"}
    raw["term"] = [t if k == "coefficient" else _threshold_name(t) for t, k in zip(raw["term"], raw["kind"])]
    return _finish("satisfaction_ologit", raw, mm, diag)


def _threshold_name(t: str) -> str:
    """'1.0|2.0' → '1|2'."""
    parts = []
    for s in str(t).split("|"):
        try:
            f = float(s)
            parts.append(str(int(f)) if f.is_integer() else s)
        except ValueError:
            parts.append(s)
    return "|".join(parts)


def satisfaction_ologit(graduates: pd.DataFrame, predictors: Sequence[str] = SATISFACTION_PREDICTORS,
                        income_col: str = "income_kgs", min_cell: int = MIN_CELL,
                        alpha: float = 0.05) -> tuple[pd.DataFrame, dict]:
    """Ordered (proportional-odds) logit of job satisfaction (1–5) among the employed.

    ``logit P(Y ≤ j) = ζ_j − x'β`` (McCullagh 1980): a positive coefficient means more satisfied.
    Predictors: faculty, sex, level, ``hm_subjective`` (job in the field of study, reference
    ``no``) and ``log_income`` = log of ``income_col`` (default ``income_kgs``: the exact monthly
    amount of any employed graduate, full- or part-time; ``income_stat`` restricts the model to
    the full-time employed). Rows without an exact positive income are left out (complete cases).
    Thresholds are rows with ``variable`` None and ``term`` ``"j|j+1"``; numeric predictors are
    centred at their mean (diagnostics ``centred_at_mean``), so the thresholds describe a graduate
    of average (log) income. ``odds_ratio`` is given for the coefficients. Unweighted.
    """
    return _safe_call("satisfaction_ologit",
                      lambda: _satisfaction(graduates, predictors, income_col, min_cell, alpha),
                      ["kind", "odds_ratio"])


def _cox(graduates: pd.DataFrame, predictors: Sequence[str], min_cell: int, alpha: float) -> tuple[pd.DataFrame, dict]:
    g = _respondents(graduates)
    for c in ("months_to_first_job", "first_job_event"):
        if c not in g.columns:
            raise ModelFailure(f"column {c} missing")
    t = as_float(g["months_to_first_job"])
    ev = as_float(g["first_job_event"])
    ok = t.notna() & ev.notna() & (t >= 0)
    g = g[ok.to_numpy()].reset_index(drop=True)
    t, ev = t[ok].to_numpy(), ev[ok].to_numpy()
    job = (ev == 1).astype(float)
    mm = model_matrix(g, job, predictors, outcome="event", min_cell=min_cell)
    p = mm.X.shape[1]
    _check_size(mm, p, "Cox model", events=True)
    if p == 0:
        raise ModelFailure("no predictor left after pooling and dropping")
    data = mm.X.assign(_time=t[mm.rows], _event=mm.y)
    raw = cox(data, "_time", "_event", list(mm.X.columns), alpha=alpha)
    if not np.all(np.isfinite(raw["se"])):
        raise ModelFailure("the Cox model did not converge (non-finite standard errors)")
    d = dict(raw.attrs.get("diagnostics", {}))
    epv, warn = _epv_warning(mm.y, p, "event")
    warn += _separation_warnings(raw, mm)
    competing = int(np.sum(ev[mm.rows] == 2))
    diag = {"outcome": "months to first job (event 1 = job)", "events": int(mm.y.sum()),
            "censored": int(np.sum(ev[mm.rows] == 0)), "further_study_censored": competing, "epv": epv,
            "loglike": d.get("loglike"), "converged": d.get("converged"), "ties": d.get("ties"),
            "warnings": warn,
            "method": "Cox proportional hazards (survival.cox, Efron ties); further study (event 2) censored: "
                      "cause-specific hazard of a job"}
    return _finish("first_job_cox", raw, mm, diag)


def first_job_cox(graduates: pd.DataFrame, predictors: Sequence[str] = COX_PREDICTORS, min_cell: int = MIN_CELL,
                  alpha: float = 0.05) -> tuple[pd.DataFrame, dict]:
    """Cox model of the months from graduation to the first job, among phase-2 respondents.

    Event: ``first_job_event == 1`` (found a job). Graduates still searching (0) are censored at
    the survey; graduates who went on to **further study (2) are censored too**: the model
    estimates the *cause-specific* hazard of finding a job among those still available — the
    right target for "who finds work faster" (Putter, Fiocco & Geskus 2007, §3), whereas the
    share ever employed needs the cumulative incidence (:func:`analysis.stats.survival.cumulative_incidence`).
    Jobs held before graduation enter at time 0. Predictors: faculty, sex, funding, level.
    ``hazard_ratio`` > 1 = faster entry into work. Unweighted.
    """
    return _safe_call("first_job_cox", lambda: _cox(graduates, predictors, min_cell, alpha),
                      ["hazard_ratio", "hr_low", "hr_high"])


# ============================================================================ multiple imputation


def _median_and_se(x: np.ndarray, conf: float = 0.95) -> tuple[float, float]:
    """Sample median and an SE from the distribution-free order-statistic interval (Conover 1999 §3.2).

    ``se = (x_(u) − x_(l)) / (2 z)`` with the binomial order statistics of a ``conf`` interval.
    """
    # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
    from scipy.stats import binom, norm

    x = np.sort(np.asarray(x, dtype=float))
    n = len(x)
    if n < 2:
        return (float(x[0]) if n else math.nan), math.nan
    a = (1 - conf) / 2
    lo = int(binom.ppf(a, n, 0.5))
    hi = int(binom.isf(a, n, 0.5))
    z = float(norm.ppf(1 - a))
    return float(np.median(x)), float((x[min(hi, n - 1)] - x[max(lo - 1, 0)]) / (2 * z))


def _income_universe(e: pd.DataFrame, income_col: str) -> np.ndarray:
    """Employed graduates in the salary universe: exact income given, or skipped by a full-time worker."""
    has = as_float(e[income_col]).gt(0).to_numpy(bool)
    if "income_excluded_reason" in e.columns:
        skipped = e["income_excluded_reason"].astype("string").eq("no_exact_income").fillna(False).to_numpy(bool)
        if "full_time" in e.columns:
            skipped &= e["full_time"].fillna(False).astype(bool).to_numpy(bool)
    else:
        skipped = as_float(e[income_col]).isna().to_numpy(bool)
    return has | skipped


def _mi_data(e: pd.DataFrame, predictors: Sequence[str], income_col: str, min_cell: int) -> tuple[pd.DataFrame, dict]:
    """Numeric frame for MICE: ``log_income`` + predictor columns (dummies for categories)."""
    parts = {"log_income": np.log(as_float(e[income_col]).where(lambda s: s > 0)).to_numpy()}
    labels: dict[str, dict] = {}
    notes: list[str] = []
    band_codes = {b: i + 1 for i, (b, _, _) in enumerate(INCOME_BANDS)}
    absent = [p for p in predictors if p not in e.columns]
    for p in predictors:
        if p in absent:
            continue
        s = e[p]
        if p == "income_band_any":
            parts["band"] = s.astype("string").map(band_codes).astype(float).to_numpy()
            labels["band"] = {"term": "income_band (ordinal code)", "variable": p, "level": None, "reference": None}
            continue
        if is_categorical(s):
            lab = as_labels(s)
            known = lab.notna()
            lab2 = collapse_levels(lab[known].astype(object).reset_index(drop=True), np.zeros(int(known.sum())), p,
                             "continuous", min_cell, notes)
            lab = pd.Series(None, index=range(len(e)), dtype=object)
            lab[np.flatnonzero(known.to_numpy())] = lab2.to_numpy()
            counts = lab.value_counts()
            if len(counts) < 2:
                continue
            ref = sorted(counts.index, key=lambda lv: (-counts[lv], str(lv)))[0]
            for lv in sorted(counts.index, key=str):
                if lv == ref:
                    continue
                name = f"c{len(labels) + 1}"
                parts[name] = np.where(lab.isna(), np.nan, (lab == lv).astype(float))
                labels[name] = {"term": f"{p}[{lv}]", "variable": p, "level": str(lv), "reference": str(ref)}
        else:
            name = f"c{len(labels) + 1}"
            parts[name] = as_float(s).to_numpy()
            labels[name] = {"term": p, "variable": p, "level": None, "reference": None}
    return pd.DataFrame(parts), {"labels": labels, "collapsed": notes, "absent": absent}


def _income_mi(graduates: pd.DataFrame, m: int, seed: int, predictors: Sequence[str], formula_terms: Sequence[str],
               income_col: str, n_burnin: int, min_cell: int, max_rows: int | None = MI_MAX_ROWS) -> dict:
    # lazy: statsmodels costs 0.9 s, which stages 1-2 and `tracer` commands must not pay
    import statsmodels.api as sm


    if m < 2:
        raise ModelFailure("multiple imputation needs m >= 2")
    e = _employed(graduates)
    if income_col not in e.columns:
        raise ModelFailure(f"income column {income_col} missing")
    e = e[_income_universe(e, income_col)].reset_index(drop=True)
    n_universe = len(e)
    if max_rows is not None and n_universe > max_rows:  # MI_MAX_ROWS: a seeded simple random subsample
        keep = np.sort(np.random.default_rng(seed).choice(n_universe, size=max_rows, replace=False))
        e = e.iloc[keep].reset_index(drop=True)
    data, meta = _mi_data(e, predictors, income_col, min_cell)
    labels = meta["labels"]
    # drop predictor columns without variation, and rows whose every predictor is missing
    for c in list(labels):
        v = data[c].dropna()
        if v.nunique() < 2:
            data = data.drop(columns=c)
            labels.pop(c)
    obs = data["log_income"].notna()
    n_obs, n_mis = int(obs.sum()), int((~obs).sum())
    if n_obs < 5:
        raise ModelFailure(f"only {n_obs} exact incomes: nothing to impute from")
    ana = [c for c, lab in labels.items() if lab["variable"] in formula_terms]

    def estimates(d: pd.DataFrame) -> dict[str, tuple[float, float]]:
        inc = np.exp(d["log_income"].to_numpy(float))
        med, med_se = _median_and_se(inc)
        out = {"mean": (float(inc.mean()), float(inc.var(ddof=1) / len(inc))), "median": (med, med_se ** 2)}
        if ana:
            dd = d.dropna(subset=["log_income", *ana])
            X = sm.add_constant(dd[ana].to_numpy(float), has_constant="add")
            fit = sm.OLS(dd["log_income"].to_numpy(float), X).fit()
            for j, c in enumerate(["Intercept", *ana]):
                out[c] = (float(fit.params[j]), float(fit.bse[j]) ** 2)
            out["_df"] = (float(fit.df_resid), 0.0)
        return out

    cc = estimates(data.dropna())
    completed = completed_datasets(data, m=m if n_mis else 2, n_burnin=n_burnin, seed=seed)
    per = [estimates(d) for d in completed]
    pooled = {}
    n_all = len(data)
    for k in cc:
        if k == "_df":
            continue
        dfcom = (n_all - 1) if k in ("mean", "median") else per[0].get("_df", (None,))[0]
        pooled[k] = rubin([p[k][0] for p in per], [p[k][1] for p in per], dfcom=dfcom)
    coef = pd.DataFrame([{
        "term": "Intercept" if k == "Intercept" else labels[k]["term"],
        "variable": None if k == "Intercept" else labels[k]["variable"],
        "cc_estimate": cc[k][0], "cc_se": math.sqrt(cc[k][1]),
        "mi_estimate": pooled[k]["qbar"], "mi_se": pooled[k]["se"], "mi_ci_low": pooled[k]["ci_low"],
        "mi_ci_high": pooled[k]["ci_high"], "fmi": pooled[k]["fmi"],
    } for k in ["Intercept", *ana] if k in pooled])
    return {
        "model": "income_mi", "status": "ok", "reason": None,
        "n": n_all, "n_observed": n_obs, "n_missing": n_mis, "m": len(completed) if n_mis else 0,
        "cc_mean": cc["mean"][0], "cc_mean_se": math.sqrt(cc["mean"][1]),
        "mi_mean": pooled["mean"]["qbar"], "mi_mean_se": pooled["mean"]["se"],
        "cc_median": cc["median"][0], "cc_median_se": math.sqrt(cc["median"][1]),
        "mi_median": pooled["median"]["qbar"], "mi_median_se": pooled["median"]["se"],
        "fmi": pooled["mean"]["fmi"], "fmi_mean": pooled["mean"]["fmi"], "fmi_median": pooled["median"]["fmi"],
        "df_mean": pooled["mean"]["df"], "df_median": pooled["median"]["df"],
        "coefficients": coef, "imputation_predictors": [lab["term"] for lab in labels.values()],
        "predictors_missing": meta["absent"],
        "collapsed": meta["collapsed"], "seed": seed, "income_column": income_col,
        "n_universe": n_universe, "subsample": len(e) < n_universe,
        "method": "MICE (statsmodels MICEData, predictive mean matching) of log income; Rubin's rules"
                  + (f"; on a simple random subsample of {len(e)} of {n_universe}" if len(e) < n_universe else ""),
    }


def income_mi(graduates: pd.DataFrame, m: int = 20, seed: int = 20250630,
              predictors: Sequence[str] = MI_PREDICTORS, formula_terms: Sequence[str] = MI_FORMULA_TERMS,
              income_col: str = "income_stat", n_burnin: int = 10, min_cell: int = MIN_CELL,
              max_rows: int | None = MI_MAX_ROWS) -> dict:
    """Complete-case vs multiply-imputed income of the full-time employed (sensitivity analysis).

    The project's one multiple-imputation analysis (``docs/methodology.md`` §8), run by the model
    stage through :func:`run_outcome_models`.

    Universe: employed phase-2 respondents in the salary universe — an exact ``income_stat``, or a
    full-time worker who skipped the amount (``income_excluded_reason = no_exact_income``). Log
    income (an income must be > 0) is imputed ``m`` times by chained equations
    (:func:`analysis.stats.imputation.completed_datasets`: statsmodels ``MICEData``, linear model with
    parameter draws and predictive mean matching; van Buuren 2018 §3.4) from the ``predictors``:
    categories as treatment dummies against their largest level (levels with fewer than
    ``min_cell`` graduates pooled as in the other models, rule 3 of this module), numbers as they
    are, the **income band** (an auxiliary variable many who skip the amount still answer) as its
    ordinal code;
    missing predictor values are imputed too, and a predictor without variation is left out. In
    every completed data set: the mean income (variance ``s²/n``), the median income (variance
    from the distribution-free order-statistic interval, ``SE = width / (2 z)``, Conover 1999 §3.2)
    and the OLS of log income on ``formula_terms`` (model-based variances); pooled with Rubin's
    rules (:func:`analysis.stats.imputation.rubin`, Barnard–Rubin df with the complete-data df ``n − 1``
    for the mean and median, the residual df for the coefficients). The complete-case figures are
    returned beside the pooled ones. Without any missing amount the pooled figures equal the
    complete-case ones (``m = 0``, ``fmi = 0``).

    Parameters
    ----------
    graduates : DataFrame
        The derive stage's graduates table (``resp_p2``, ``employed``, ``income_stat``,
        ``income_excluded_reason``, ``full_time`` and the predictors).
    m : int
        Number of imputations (at least 2).
    seed : int
        Seed of the imputations (same seed → same result).
    predictors : sequence of str
        Columns of the imputation model (default :data:`MI_PREDICTORS`).
    formula_terms : sequence of str
        Predictors of the pooled analysis regression of log income (default
        :data:`MI_FORMULA_TERMS`).
    income_col : str
        Monthly net income column (KGS).
    n_burnin : int
        Chained-equation cycles before the first completed data set.
    min_cell : int
        Smallest category kept as its own level.
    max_rows : int or None
        Size strategy (:data:`MI_MAX_ROWS`): a larger income universe is analysed on a seeded simple random
        subsample of this many graduates (``n_universe`` and ``subsample`` in the result say so); None = always
        every row.

    Returns
    -------
    dict
        ``cc_median, cc_median_se, mi_median, mi_median_se, cc_mean, cc_mean_se, mi_mean,
        mi_mean_se`` (KGS/month), ``fmi`` (= ``fmi_mean``), ``fmi_median``, ``df_mean``,
        ``df_median``, ``n, n_observed, n_missing, m``, ``coefficients`` (DataFrame: ``term,
        variable, cc_estimate, cc_se, mi_estimate, mi_se, mi_ci_low, mi_ci_high, fmi``),
        ``imputation_predictors``, ``seconds`` and ``status``; when the analysis cannot run
        (fewer than 5 exact incomes, no income column, ``m < 2``) ``status = "failed"`` and a
        one-line ``reason`` — it never raises.
    """
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = _income_mi(graduates, m, seed, predictors, formula_terms, income_col, n_burnin, min_cell,
                             max_rows)
    except ModelFailure as exc:
        out = {"model": "income_mi", "status": "failed", "reason": str(exc)}
    except Exception as exc:  # noqa: BLE001
        first = str(exc).splitlines()[0] if str(exc) else ""
        out = {"model": "income_mi", "status": "failed", "reason": f"{type(exc).__name__}: {first}"}
    out["seconds"] = round(time.perf_counter() - t0, 3)
    return out


# ============================================================================ all together


def available_predictors(data: pd.DataFrame, predictors: Sequence[str]) -> tuple[list[str], list[str]]:
    """The predictors a cohort can use, and a note for each one it cannot.

    A predictor column absent from ``data`` (a registry variable when the study has no registry, a
    phase-1 item when it has no exit survey) or without any value is left out of the model instead of
    making it fail; the notes go to the model's ``dropped`` diagnostics.
    """
    kept, notes = [], []
    for p in predictors:
        if p not in data.columns:
            notes.append(f"{p}: not in this cohort's data (not measured); left out")
        elif data[p].notna().sum() == 0:
            notes.append(f"{p}: no value in this cohort's data; left out")
        else:
            kept.append(p)
    return kept, notes


def run_outcome_models(graduates: pd.DataFrame, design=None, seed: int = 20250630, m: int = 20,
                       alpha: float = 0.05, covariates: Sequence[str] = ()) -> dict[str, pd.DataFrame | dict]:
    """Fit every outcome model; a model that fails is recorded, never raised.

    Parameters
    ----------
    graduates : DataFrame
        The derive stage's graduates table.
    design : analysis.stats.survey.Design, optional
        Weighted phase-2 respondents for the two logits. ``None``: equal weights (recorded).
    seed, m : int
        Seed and number of imputations of :func:`income_mi`.
    covariates : list of str
        Extra predictors of the two logits (employment, employment in the field): the covariates
        ``x_<name>`` of a legacy mapping named by the cohort file's ``model_covariates``. Numbers enter
        as they are (one odds ratio per unit), categories and ordinal levels as treatment contrasts
        against the largest level. The default predictors the cohort does not have are left out
        (:func:`available_predictors`).

    Returns
    -------
    dict
        ``employment_logit``, ``infield_logit``, ``income_ols``, ``satisfaction_ologit``,
        ``first_job_cox`` (tidy tables, empty when failed), ``income_mi`` (dict),
        ``diagnostics`` ({model: dict}), ``failures`` ({model: one-line reason}) and ``models``
        (all tidy tables stacked, for one results file).
    """
    out: dict[str, Any] = {}
    diags: dict[str, dict] = {}
    if design is None:
        try:
            design = Design(_respondents(graduates))
            unweighted_note = "no design given: the logits use equal weights"
        except Exception as exc:  # noqa: BLE001
            design, unweighted_note = None, f"no design: {exc}"
    else:
        unweighted_note = None
    data = design.data if design is not None else graduates
    logit_preds, logit_notes = available_predictors(data, [*EMPLOYMENT_PREDICTORS, *covariates])
    for name, fn in (("employment_logit", lambda: employment_logit(design, logit_preds, alpha=alpha)),
                     ("infield_logit", lambda: infield_logit(design, logit_preds, alpha=alpha)),
                     ("income_ols", lambda: income_ols(graduates, alpha=alpha)),
                     ("satisfaction_ologit", lambda: satisfaction_ologit(graduates, alpha=alpha)),
                     ("first_job_cox", lambda: first_job_cox(graduates, alpha=alpha))):
        table, diag = fn()
        if name in ("employment_logit", "infield_logit"):
            diag["dropped"] = [*logit_notes, *diag.get("dropped", [])]
            diag["covariates"] = [c for c in covariates if c in logit_preds]
        if unweighted_note and name.endswith("logit") and name != "satisfaction_ologit":
            diag.setdefault("warnings", []).append(unweighted_note)
        out[name], diags[name] = table, diag
    mi = income_mi(graduates, m=m, seed=seed)
    out["income_mi"] = mi
    diags["income_mi"] = {k: v for k, v in mi.items() if k != "coefficients"}
    out["diagnostics"] = diags
    out["failures"] = {k: d["reason"] for k, d in diags.items() if d.get("status") != "ok"}
    tables = []
    for k in ("employment_logit", "infield_logit", "income_ols", "satisfaction_ologit", "first_job_cox"):
        if len(out[k]):
            t = out[k].copy()
            t.attrs = {}
            tables.append(t)
    out["models"] = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=BASE_COLUMNS)
    return out

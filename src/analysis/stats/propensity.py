"""Optional second weighting step: phase-2 attrition among phase-1 respondents modelled by logistic regression
on their phase-1 answers; weights multiplied within response-propensity classes (quintiles, Little 1986) and
re-raked to the registry margins (``docs/methodology.md`` §12–13).

Reference API: a step a researcher runs by hand (e.g. in JupyterLab on ``load_cohort``), verified by the
tests; no stage calls it — on the demo it moves further study only from 13.3 % to 13.0 % (truth 11.8 %),
because the bias lies within phase-1 answers. Returns a :class:`analysis.stats.survey.Design`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.stats.design_matrix import model_matrix
from analysis.stats.models import c_statistic
from analysis.stats.nonresponse import response_flag, scale_or_text
from analysis.stats.survey import Design, rake, trim_weights, weight_diagnostics

__all__ = ["PROPENSITY_PREDICTORS", "propensity_adjust", "propensity_diagnostics"]

#: registry variables and phase-1 answers that predict phase-2 response
PROPENSITY_PREDICTORS: tuple[str, ...] = (
    "faculty", "sex", "level", "funding", "gpa", "age_at_grad", "job_status", "plan", "internship_done",
    "worked_during_studies", "sat_studies", "eval_overall", "consent_phase2",
)

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
    r1, r2 = response_flag(g["resp_p1"]), response_flag(g["resp_p2"])
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
    frame = pd.DataFrame({p: scale_or_text(p1[p])[0] for p in used})
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

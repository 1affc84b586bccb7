"""Regression models of employment outcomes, returned as tidy tables.

Every function returns a DataFrame with the columns ``term, estimate, se, ci_low, ci_high,
p_value, n`` (plus model-specific extras) and keeps model diagnostics in
``table.attrs["diagnostics"]``; :func:`diagnostics` returns that dict.

* :func:`logit_weighted` — design-based logistic regression (employed yes/no) through
  :func:`analysis.stats.survey.svyglm` (binomial family, sandwich variance with strata, clusters,
  fpc and calibration).
* :func:`ols_robust` — ordinary least squares with **HC3** heteroskedasticity-consistent SEs by
  default (MacKinnon & White 1985; recommended for small samples by Long & Ervin 2000,
  *Am. Stat.* 54:217), t-based tests; ``cov_type="HC1"`` gives Stata's ``robust``.
* :func:`c_statistic` — concordance (area under the ROC curve) of a fitted score, the discrimination
  of the logits and of the response-propensity model.
* :func:`ordered_logit` — proportional-odds model (job satisfaction, usefulness of the programme)
  by statsmodels ``OrderedModel``; thresholds are reported on the R ``MASS::polr`` scale
  (``logit P(Y <= j) = ζ_j - x'β``), i.e. statsmodels' log-increment parameters are transformed
  back ``ζ_j = ζ_1 + Σ_{i<j} exp(δ_i)`` with delta-method SEs.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import replace

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.stats.survey import svyglm

__all__ = ["c_statistic", "diagnostics", "logit_weighted", "ordered_logit", "ols_robust"]

_COLUMNS = ["term", "estimate", "se", "ci_low", "ci_high", "p_value", "n"]


def diagnostics(table: pd.DataFrame) -> dict:
    """The diagnostics dict stored with a tidy table by the functions of this module."""
    return dict(table.attrs.get("diagnostics", {}))


def logit_weighted(formula: str, design, alpha: float = 0.05) -> pd.DataFrame:
    """Design-based logistic regression (R ``svyglm(family=quasibinomial)``).

    Parameters
    ----------
    formula : str
        e.g. ``"employed ~ C(faculty) + sex"``; the response must be 0/1 or boolean.
    design : analysis.stats.survey.Design
    alpha : float
        1 − coverage of the intervals (t with ``degf - p + 1`` df, as R).

    Returns
    -------
    DataFrame
        Tidy table (log-odds scale) plus ``odds_ratio, or_low, or_high``; diagnostics: ``n``,
        ``df_resid``, ``family``, ``design_df``.
    """
    resp = formula.split("~", 1)[0].strip()
    if resp in design.data.columns:
        s = design.data[resp]
        if s.dtype == bool or str(s.dtype) == "boolean":
            data = design.data.assign(**{resp: s.astype("Float64").astype(float)})

            design = replace(design, data=data, _cache={})
    out = svyglm(formula, design, family="binomial", alpha=alpha)
    out["odds_ratio"] = np.exp(out["estimate"])
    out["or_low"] = np.exp(out["ci_low"])
    out["or_high"] = np.exp(out["ci_high"])
    out.attrs["diagnostics"] = {
        "n": int(out["n"].iloc[0]),
        "df_resid": out.attrs["df_resid"],
        "family": "binomial (logit), design-based sandwich variance",
        "design_df": design.degf,
    }
    return out


def ols_robust(formula: str, data: pd.DataFrame, cov_type: str = "HC3", alpha: float = 0.05) -> pd.DataFrame:
    """OLS with heteroskedasticity-robust standard errors (HC3 by default).

    Parameters
    ----------
    formula : str
        e.g. ``"log_income ~ C(faculty) + sex + months_to_job"``. Rows with missing values are
        dropped (listwise).
    data : DataFrame
    cov_type : {"HC3", "HC1", "HC0", "HC2"}
        Sandwich estimator; HC3 = ``(X'X)⁻¹ X' diag(e²/(1-h)²) X (X'X)⁻¹``.
    alpha : float
        1 − coverage; tests and intervals use the t distribution with ``n - p`` df.

    Returns
    -------
    DataFrame
        Tidy table; diagnostics: ``n, df_resid, r_squared, adj_r_squared, aic, bic,
        condition_number, cov_type``.
    """
    # lazy: statsmodels costs 0.9 s, which stages 1-2 and `tracer` commands must not pay
    import statsmodels.formula.api as smf

    if cov_type not in ("HC0", "HC1", "HC2", "HC3"):
        raise ValueError("cov_type must be HC0, HC1, HC2 or HC3")
    fit = smf.ols(formula, data).fit(cov_type=cov_type, use_t=True)
    out = _tidy(fit, alpha)
    out.attrs["diagnostics"] = {
        "n": int(fit.nobs),
        "df_resid": float(fit.df_resid),
        "r_squared": float(fit.rsquared),
        "adj_r_squared": float(fit.rsquared_adj),
        "aic": float(fit.aic),
        "bic": float(fit.bic),
        "condition_number": float(fit.condition_number),
        "cov_type": cov_type,
    }
    return out


def wald_table(terms, estimate, se, n: int, alpha: float = 0.05) -> pd.DataFrame:
    """A tidy coefficient table with normal (Wald) intervals and two-sided p-values."""
    # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
    from scipy.stats import norm

    est = np.asarray(estimate, dtype=float)
    se = np.asarray(se, dtype=float)
    z = float(norm.ppf(1 - alpha / 2))
    return pd.DataFrame({"term": list(terms), "estimate": est, "se": se, "ci_low": est - z * se,
                         "ci_high": est + z * se, "p_value": 2 * norm.sf(np.abs(est / se)), "n": int(n)})


def _tidy(fit, alpha: float) -> pd.DataFrame:
    ci = np.asarray(fit.conf_int(alpha=alpha))
    return pd.DataFrame({
        "term": list(fit.model.exog_names),
        "estimate": np.asarray(fit.params, dtype=float),
        "se": np.asarray(fit.bse, dtype=float),
        "ci_low": ci[:, 0],
        "ci_high": ci[:, 1],
        "p_value": np.asarray(fit.pvalues, dtype=float),
        "n": int(fit.nobs),
    })


def ordered_logit(formula: str | None, data: pd.DataFrame | None = None, *, y=None, X=None,
                  levels: list | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """Proportional-odds (ordered logit) model, thresholds on the R ``polr`` scale.

    Model: ``logit P(Y <= j | x) = ζ_j - x'β`` (McCullagh 1980; R ``MASS::polr``). A positive
    coefficient moves graduates toward the higher categories (e.g. more satisfied).

    Parameters
    ----------
    formula : str or None
        e.g. ``"satisfaction ~ C(faculty) + months_to_job"`` (no intercept is fitted; the
        thresholds play its role).
    data : DataFrame
    y, X : optional
        Instead of a formula: the ordinal response and a covariate DataFrame (no constant).
    levels : list, optional
        Order of the response categories, lowest first. Needed unless the response is an
        ordered Categorical or numeric (e.g. a 1–5 scale).
    alpha : float
        1 − coverage (normal intervals, as ``polr``'s Wald tests).

    Returns
    -------
    DataFrame
        Tidy table with a ``kind`` column (``coefficient`` or ``threshold``); thresholds are
        named ``"low|high"`` as R prints them. Diagnostics: ``n, loglike, aic, bic,
        pseudo_r2`` (McFadden), ``converged``, ``levels``.
    """
    # lazy: statsmodels costs 0.9 s, which stages 1-2 and `tracer` commands must not pay
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    if formula is not None:
        if data is None:
            raise ValueError("give data with a formula")
        resp = formula.split("~", 1)[0].strip()
        if resp not in data.columns:
            raise InputError("model data", "the response column is missing", column=resp)
        df = data.dropna(subset=[resp]).copy()
        df[resp] = _ordered(df[resp], levels, resp)
        model = OrderedModel.from_formula(formula, df, distr="logit")
        cats = list(df[resp].cat.categories)
    else:
        if y is None or X is None:
            raise ValueError("give a formula, or both y and X")
        ys = _ordered(pd.Series(np.asarray(y, dtype=object) if not isinstance(y, pd.Series) else y),
                      levels, "response")
        Xd = pd.DataFrame(X).reset_index(drop=True)
        ys = ys.reset_index(drop=True)
        ok = ys.notna().to_numpy() & Xd.notna().all(axis=1).to_numpy()
        model = OrderedModel(ys[ok], Xd[ok].astype(float), distr="logit")
        cats = list(ys.cat.categories)
    # BFGS with a tight gradient tolerance reaches the maximum in about a second; Newton's method on
    # numerical derivatives can wander for 200 iterations (10–30 s) on 16 parameters. Newton polishes
    # the rare case where BFGS stops short.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(method="bfgs", maxiter=5000, gtol=1e-8, disp=False)
        if not fit.mle_retvals.get("converged", False):
            fit = model.fit(method="newton", maxiter=200, disp=False, start_params=fit.params)
    params = np.asarray(fit.params, dtype=float)
    cov = np.asarray(fit.cov_params(), dtype=float)
    k_th = len(cats) - 1
    k_b = len(params) - k_th
    names = [str(n) for n in model.exog_names[:k_b]] if hasattr(model, "exog_names") else []
    # thresholds: zeta_1 = theta_0; zeta_j = theta_0 + sum_{i=1}^{j-1} exp(theta_i)
    th = params[k_b:]
    zeta = th[0] + np.r_[0.0, np.cumsum(np.exp(th[1:]))]
    jac = np.zeros((k_th, k_th))
    jac[:, 0] = 1.0
    for j in range(1, k_th):
        jac[j, 1 : j + 1] = np.exp(th[1 : j + 1])
    cov_z = jac @ cov[k_b:, k_b:] @ jac.T
    est = np.r_[params[:k_b], zeta]
    se = np.sqrt(np.r_[np.diag(cov)[:k_b], np.diag(cov_z)])
    terms = names + [f"{cats[j]}|{cats[j + 1]}" for j in range(k_th)]
    out = wald_table(terms, est, se, int(fit.nobs), alpha)
    out["kind"] = ["coefficient"] * k_b + ["threshold"] * k_th
    llnull = getattr(fit, "llnull", np.nan)
    out.attrs["diagnostics"] = {
        "n": int(fit.nobs),
        "loglike": float(fit.llf),
        "aic": float(fit.aic),
        "bic": float(fit.bic),
        "pseudo_r2": float(1 - fit.llf / llnull) if np.isfinite(llnull) else np.nan,
        "converged": bool(fit.mle_retvals.get("converged", False)),
        "levels": cats,
    }
    return out


def _ordered(s: pd.Series, levels, name: str) -> pd.Series:
    if levels is not None:
        unknown = set(s.dropna().unique()) - set(levels)
        if unknown:
            raise InputError("model data", f"values {sorted(map(str, unknown))} are not among the given levels",
                             column=name)
        return pd.Series(pd.Categorical(s, categories=list(levels), ordered=True), index=s.index)
    if isinstance(s.dtype, pd.CategoricalDtype) and s.cat.ordered:
        return s.cat.remove_unused_categories()
    if pd.api.types.is_numeric_dtype(s):
        cats = sorted(s.dropna().unique())
        return pd.Series(pd.Categorical(s, categories=cats, ordered=True), index=s.index)
    raise InputError("model data", "the order of the response categories is unknown", column=name,
                     fix="pass levels=[lowest, ..., highest] or use an ordered Categorical")


def c_statistic(score: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Concordance (area under the ROC curve) of ``score`` for a 0/1 ``y`` (Hanley & McNeil 1982).

    The probability that a random case with ``y = 1`` scores higher than one with ``y = 0`` (ties
    count ½), computed from mid-ranks (Mann–Whitney). With ``weights``, pairs are weighted by the
    product of the two weights. 0.5 = no discrimination; above 0.7 acceptable, 0.8 good
    (Hosmer & Lemeshow 2000, §5.2.4).
    """
    s = np.asarray(score, dtype=float)
    yy = np.asarray(y, dtype=float)
    w = np.ones_like(s) if weights is None else np.asarray(weights, dtype=float)
    pos, neg = yy == 1, yy == 0
    wp, wn = w[pos].sum(), w[neg].sum()
    if wp == 0 or wn == 0:
        return math.nan
    order = np.argsort(s, kind="stable")
    ss, ws, ps = s[order], w[order], pos[order]
    _, start = np.unique(ss, return_index=True)
    tot_pos = np.add.reduceat(np.where(ps, ws, 0.0), start)
    tot_neg = np.add.reduceat(np.where(~ps & (yy[order] == 0), ws, 0.0), start)
    below_neg = np.concatenate([[0.0], np.cumsum(tot_neg)[:-1]])
    return float(np.sum(tot_pos * (below_neg + 0.5 * tot_neg)) / (wp * wn))

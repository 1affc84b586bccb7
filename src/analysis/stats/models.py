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
  back ``ζ_j = ζ_1 + Σ_{i<j} exp(δ_i)`` with delta-method SEs. The fit uses the analytic score and
  Hessian of :func:`ordered_logit_model_class` (statsmodels' own ``OrderedModel`` differentiates
  numerically: 2k log-likelihood passes per gradient, O(k²) for the covariance).
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import replace

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.stats.survey import svyglm

__all__ = ["c_statistic", "diagnostics", "logit_weighted", "ordered_logit", "ordered_logit_model_class",
           "ols_robust"]

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
    OrderedModel = ordered_logit_model_class()  # noqa: N806 - a class; lazy, see the function

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
    # BFGS (analytic score) with a tight gradient tolerance; the covariance is the inverse of the analytic
    # Hessian at the maximum. Newton polishes the rare case where BFGS stops short.
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


@functools.cache
def ordered_logit_model_class() -> type:
    """statsmodels' ``OrderedModel`` (logit link) with the analytic score and Hessian.

    The class is built on first use, so that importing this module does not import statsmodels (0.9 s
    that stages 1–2 and the ``tracer`` commands must not pay); :func:`ordered_logit` fits it.

    Parameterisation (statsmodels'): ``params = (β_1..β_p, θ_0, θ_1, .., θ_{K-2})`` for K categories,
    cut points ``ζ_1 = θ_0``, ``ζ_j = θ_0 + Σ_{i=1}^{j-1} exp(θ_i)``; an answer in category k
    (0-based) has ``P = F(ζ_{k+1} − x'β) − F(ζ_k − x'β)`` with F the standard logistic cdf,
    ``ζ_0 = −∞``, ``ζ_K = +∞`` (McCullagh 1980, *JRSS B* 42:109). The objective is statsmodels'
    ``Σ log(P + 1e-20)`` and the derivatives are those of that objective (exact, not numerical):
    with ``u = ζ_{k+1} − x'β``, ``l = ζ_k − x'β``, ``f = F(1 − F)``, ``f' = f(1 − 2F)``,
    ``a = f(u)/P``, ``b = f(l)/P``:

    * score: ``∂/∂β = −x (a − b)``, ``∂/∂ζ_{k+1} = a``, ``∂/∂ζ_k = −b``, and ``∂/∂θ = Jᵀ ∂/∂ζ`` with
      ``J = ∂ζ/∂θ`` (``J[j, 0] = 1``, ``J[j, i] = exp(θ_i)`` for ``1 ≤ i ≤ j``, 0-based j);
    * Hessian in (β, ζ): ``Σ (f'(u)/P − a²) ∇u∇uᵀ + (−f'(l)/P − b²) ∇l∇lᵀ + ab (∇u∇lᵀ + ∇l∇uᵀ)`` with
      ``∇u = (−x, e_{k+1})``, ``∇l = (−x, e_k)``; then ``H_θ = J̃ᵀ H J̃`` plus the curvature of the
      exponential increments, ``exp(θ_i) Σ_{j > i} ∂ℓ/∂ζ_j`` on the diagonal (i ≥ 1, ζ numbered from 1).

    Everything is vectorised over rows (numpy; sums by category with ``bincount``); the Hessian's
    extra memory is one copy of the design matrix and an (n, K + 1) array. The log-likelihood is
    statsmodels' formula with ``scipy.special.expit`` in place of ``scipy.stats.logistic.cdf`` (the
    same values, without the argument checks of ``rv_continuous``), so ``llf``, ``llnull``, ``aic``
    and ``bic`` are unchanged.

    Returns
    -------
    type
        A subclass of ``statsmodels.miscmodels.ordinal_model.OrderedModel``; construct it as the
        parent (``distr`` may only be ``"logit"``).
    """
    from scipy.special import expit
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    class AnalyticOrderedLogit(OrderedModel):
        """Proportional-odds logit with analytic derivatives (see :func:`ordered_logit_model_class`)."""

        def __init__(self, endog, exog, offset=None, distr="logit", **kwds):
            if distr != "logit":
                raise ValueError("AnalyticOrderedLogit is the logit link only (distr='logit')")
            super().__init__(endog, exog, offset=offset, distr="logit", **kwds)

        _last: tuple = (None, None)

        def _cdfs(self, params):
            """Each row's bounds ``l, u`` and ``F(l), F(u)``; the last point is kept, because BFGS asks for
            the log-likelihood and then the score at the same parameters (one pass over X instead of two)."""
            params = np.asarray(params, dtype=float)
            key = params.tobytes()
            if self._last[0] != key:
                low, upp = self._bounds(params)
                self._last = (key, (low, upp, expit(low), expit(upp)))
            return self._last[1]

        def loglikeobs(self, params):
            """Log-likelihood of each row, ``log(P + 1e-20)`` as statsmodels (natural log)."""
            _, _, fl_cdf, fu_cdf = self._cdfs(params)
            return np.log(np.maximum(fu_cdf - fl_cdf, 0) + 1e-20)

        def _pieces(self, params, second: bool = False):
            """Per-row quantities of the derivatives: y (0-based), a, b and, with ``second``, f'(u)/P, f'(l)/P."""
            low, upp, fl_cdf, fu_cdf = self._cdfs(params)
            su, sl = expit(-upp), expit(-low)  # 1 - F, exact in the upper tail
            inv = 1.0 / (np.maximum(fu_cdf - fl_cdf, 0) + 1e-20)
            pdf_u, pdf_l = fu_cdf * su, fl_cdf * sl  # 0 at ±inf
            a, b = pdf_u * inv, pdf_l * inv
            y = np.asarray(self.endog, dtype=np.intp)
            if not second:
                return y, a, b, None, None
            return y, a, b, a * (su - fu_cdf), b * (sl - fl_cdf)

        def _jacobian(self, params):
            """``D[j] = ∂ζ_j/∂θ`` for j = 0..K (rows 0 and K, the infinite cut points, are 0)."""
            k_th = self.k_levels - 1
            th = np.asarray(params, dtype=float)[-k_th:]
            d = np.zeros((k_th + 2, k_th))
            d[1:-1, 0] = 1.0
            e = np.exp(th[1:])
            for j in range(2, k_th + 1):  # K - 2 cut points; a loop over categories, not rows
                d[j, 1:j] = e[: j - 1]
            return d

        def _exog(self):
            return np.zeros((self.nobs, 0)) if self.exog is None else np.asarray(self.exog, dtype=float)

        def score(self, params):
            """Gradient of the log-likelihood (summed over rows), analytic; length ``k_vars + K − 1``."""
            y, a, b, _, _ = self._pieces(params)
            k = self.k_levels
            d = self._jacobian(params)
            s_zeta = np.bincount(y, a, minlength=k)[:-1] - np.bincount(y, b, minlength=k)[1:]
            return np.r_[-(self._exog().T @ (a - b)), d[1:-1].T @ s_zeta]

        def score_obs(self, params, **kwds):
            """Score of each row, ``(nobs, k_vars + K − 1)``, analytic.

            Reference API: statsmodels' interface (``score_obsv``, robust covariances); the fit in
            :func:`ordered_logit` uses :meth:`score` and :meth:`hessian`.
            """
            y, a, b, _, _ = self._pieces(params)
            d = self._jacobian(params)
            return np.column_stack([-self._exog() * (a - b)[:, None], a[:, None] * d[y + 1] - b[:, None] * d[y]])

        def hessian(self, params):
            """Hessian of the log-likelihood (observed information with the sign flipped), analytic."""
            y, a, b, du, dl = self._pieces(params, second=True)
            k = self.k_levels
            x = self._exog()
            d = self._jacobian(params)
            jac = d[1:-1]
            th = np.asarray(params, dtype=float)[-(k - 1):]
            alpha, gamma, delta = du - a * a, -dl - b * b, a * b
            # (β, ζ) block by block: ββ, then βζ through a (nobs, K + 1) matrix of the rows' two cut points
            h_bb = x.T @ (x * (alpha + gamma + 2 * delta)[:, None])
            w = np.zeros((len(y), k + 1))
            rows = np.arange(len(y))
            w[rows, y + 1] = alpha + delta
            w[rows, y] = gamma + delta
            h_bz = -(x.T @ w)[:, 1:k]
            h_zz = np.diag(np.bincount(y, alpha, minlength=k)[:-1] + np.bincount(y, gamma, minlength=k)[1:])
            off = np.bincount(y, delta, minlength=k)[1:-1]
            idx = np.arange(1, k - 1)
            h_zz[idx, idx - 1] = off
            h_zz[idx - 1, idx] = off
            # chain rule to θ, plus the curvature of ζ in the log-increments
            s_zeta = np.bincount(y, a, minlength=k)[:-1] - np.bincount(y, b, minlength=k)[1:]
            h_tt = jac.T @ h_zz @ jac
            curv = np.r_[0.0, np.exp(th[1:]) * np.cumsum(s_zeta[::-1])[::-1][1:]]
            h_tt += np.diag(curv)
            h_bt = h_bz @ jac
            h = np.block([[h_bb, h_bt], [h_bt.T, h_tt]])
            return (h + h.T) / 2  # exactly symmetric (the products above agree to rounding)

    return AnalyticOrderedLogit


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

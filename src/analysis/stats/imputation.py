"""Multiple imputation: Rubin's combining rules and chained-equation completed data sets.

Income is the question graduates skip most. The headline income figures are computed on the
answers given; the model stage's sensitivity analysis
(:func:`analysis.stats.outcome_models.income_mi`, ``docs/methodology.md`` §8) imputes the missing
amounts ``m`` times with :func:`completed_datasets` and pools the completed-data figures with
:func:`rubin`. This module holds only those two building blocks; the analysis itself (universe,
predictors, the figures pooled) lives in :mod:`analysis.stats.outcome_models`.

Rubin's rules (Rubin 1987, *Multiple Imputation for Nonresponse in Surveys*, §3.1; van Buuren
2018, *Flexible Imputation of Missing Data*, §2.3): with ``m`` completed-data estimates ``q_j``
and their variances ``u_j``

* ``Q̄ = mean(q_j)``, ``Ū = mean(u_j)``, ``B = var(q_j)`` (divisor ``m - 1``),
* ``T = Ū + (1 + 1/m) B``, ``se = sqrt(T)``,
* ``r = (1 + 1/m) B / Ū`` (relative increase in variance), ``λ = (1 + 1/m) B / T``,
* ``ν_old = (m - 1)(1 + 1/r)²`` (Rubin's degrees of freedom), optionally the Barnard–Rubin
  (1999) small-sample ``ν`` when the complete-data degrees of freedom are given,
* ``fmi = (r + 2/(ν + 3)) / (r + 1)`` (fraction of missing information).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["completed_datasets", "rubin"]


def rubin(estimates, variances, dfcom: float | None = None, alpha: float = 0.05) -> dict:
    """Combine ``m`` multiply-imputed estimates with Rubin's rules.

    Parameters
    ----------
    estimates, variances : array-like, shape (m,) or (m, k)
        Completed-data point estimates and their squared standard errors (one row per
        imputation; columns = parameters).
    dfcom : float, optional
        Complete-data degrees of freedom; if given, ``df`` is the Barnard–Rubin adjusted value
        (``df_old`` is always returned).
    alpha : float
        1 − coverage of the t interval.

    Returns
    -------
    dict
        ``m, qbar, ubar, b, t, se, r, lambda, df_old, df, fmi, ci_low, ci_high`` (floats, or
        arrays for ``k`` parameters). With ``B = 0`` (identical imputations) ``df`` is infinite
        and ``fmi`` is 0.
    """
    # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
    from scipy.stats import t as tdist

    q = np.asarray(estimates, dtype=float)
    u = np.asarray(variances, dtype=float)
    if q.shape != u.shape:
        raise ValueError("estimates and variances must have the same shape")
    if q.ndim not in (1, 2) or q.shape[0] < 2:
        raise ValueError("need at least two imputations (rows)")
    if np.any(u < 0) or not np.all(np.isfinite(q)) or not np.all(np.isfinite(u)):
        raise ValueError("estimates must be finite and variances finite and >= 0")
    m = q.shape[0]
    qbar = q.mean(axis=0)
    ubar = u.mean(axis=0)
    b = q.var(axis=0, ddof=1)
    t = ubar + (1 + 1 / m) * b
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (1 + 1 / m) * b / ubar
        lam = (1 + 1 / m) * b / t
        df_old = np.where(b > 0, (m - 1) * (1 + 1 / r) ** 2, np.inf)
    if dfcom is not None:
        lam_safe = np.where(b > 0, lam, 0.0)
        df_obs = (dfcom + 1) / (dfcom + 3) * dfcom * (1 - lam_safe)
        with np.errstate(divide="ignore"):
            df = np.where(b > 0, 1 / (1 / df_old + 1 / df_obs), dfcom)
    else:
        df = df_old
    with np.errstate(divide="ignore", invalid="ignore"):
        fmi = np.where(b > 0, (r + 2 / (df + 3)) / (r + 1), 0.0)
    se = np.sqrt(t)
    crit = np.where(np.isfinite(df), tdist.ppf(1 - alpha / 2, np.where(np.isfinite(df), df, 1.0)),
                    tdist.ppf(1 - alpha / 2, 1e12))
    out = {
        "m": m, "qbar": qbar, "ubar": ubar, "b": b, "t": t, "se": se, "r": r, "lambda": lam,
        "df_old": df_old, "df": df, "fmi": fmi, "ci_low": qbar - crit * se, "ci_high": qbar + crit * se,
    }
    if q.ndim == 1:
        out = {k: (float(v) if k != "m" else v) for k, v in out.items()}
    return out


def completed_datasets(data: pd.DataFrame, m: int, n_burnin: int = 10, seed: int = 0) -> list[pd.DataFrame]:
    """``m`` completed copies of ``data`` by chained equations (MICE).

    statsmodels ``MICEData``: each incomplete column is imputed in turn from the others by a linear
    model with parameter draws and predictive mean matching (van Buuren 2018, §3.4, §4.5). After
    ``n_burnin`` full cycles, one completed copy is taken every cycle; observed values are never
    changed.

    Parameters
    ----------
    data : DataFrame
        Numeric columns only (categories as 0/1 dummies), ``NaN`` = missing.
    m : int
        Number of completed data sets.
    n_burnin : int
        Cycles before the first copy.
    seed : int
        Seed of the ``numpy`` generator (same seed → same imputations).

    Returns
    -------
    list of DataFrame
        ``m`` completed copies; without any missing value, ``m`` references to ``data`` itself.
    """
    # lazy: statsmodels costs 0.9 s, which stages 1-2 and `tracer` commands must not pay
    from statsmodels.imputation.mice import MICEData

    if data.notna().all().all():
        return [data] * m
    imp = MICEData(data, rng=np.random.default_rng(seed))
    imp.update_all(n_burnin)
    out = []
    for _ in range(m):
        imp.update_all(1)
        out.append(imp.data.copy())
    return out

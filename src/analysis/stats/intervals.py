"""Confidence intervals for proportions, and small-group shrinkage of proportions.

Every interval function is vectorised over numpy arrays (``x``, ``n`` and ``N`` broadcast
against each other) and returns finite limits for ``x = 0`` and ``x = n``. Only ``n = 0`` (no
information at all) gives NaN.

Methods (all two-sided, coverage ``1 - alpha``; proportions on the 0–1 scale):

``wilson`` (default)
    Wilson (1927) score interval. Good coverage down to small ``n`` and never outside
    [0, 1]; recommended by Brown, Cai & DasGupta (2001, *Statistical Science* 16:101–133).
``agresti_coull``
    Agresti & Coull (1998): add ``z²/2`` successes and ``z²/2`` failures, then Wald.
``clopper_pearson``
    "Exact" interval from beta quantiles (Clopper & Pearson 1934); conservative.
``jeffreys``
    Equal-tailed Bayesian interval under the Beta(1/2, 1/2) prior; lower limit 0 when
    ``x = 0`` and upper limit 1 when ``x = n`` (as R ``binom.confint``).
``wald``
    ``p ± z·sqrt(p(1-p)/n)``. **Never use it for small n** (or p near 0 or 1): its coverage can
    fall far below the nominal level and it gives zero-width intervals at 0 % and 100 %.
    It is kept for tests and comparisons only and always emits a :class:`WaldIntervalWarning`.
``qilt``
    The Australian QILT convention: **90 %** Agresti–Coull interval with a finite-population
    correction ``sqrt((N-n)/(N-1))`` on the half-width, where ``N`` is the number of graduates
    (population) and ``n`` the number of respondents. ``alpha`` defaults to 0.10 for this method.
    (QILT quotes ``z = 1.645``; the exact normal quantile used here differs by < 1e-5.)

Finite-population correction: when ``N`` is given, ``wald``, ``agresti_coull`` and ``qilt``
multiply the half-width by ``sqrt((N-n)/(N-1))``; ``wilson`` uses the score equation with the
variance ``p(1-p)/n · (N-n)/(N-1)`` (i.e. an effective sample size ``n(N-1)/(N-n)``). A census
(``n = N``) gives a zero-width interval ``[p, p]``. Because the Agresti–Coull centre is pulled toward 1/2
while the FPC narrows the half-width, ``agresti_coull`` and ``qilt`` with ``N`` are extended, where
needed, to contain the observed share ``x/n`` (close to a census the FPC-narrowed interval around the
adjusted centre could otherwise exclude it: 1 of 10 respondents out of 11 graduates gives 0.128–0.242
around p = 0.10, reported as 0.10–0.242). ``clopper_pearson`` and ``jeffreys`` have no FPC form and
refuse ``N``.

Reference values (R ``binom::binom.confint``, 4 of 20, 95 %): Wilson 0.0806577–0.4160174,
Clopper–Pearson 0.0573340–0.4366140, Jeffreys 0.0715201–0.4082258, Agresti–Coull
0.0749115–0.4217636, Wald 0.0246955–0.3753045.

Weighted shares (survey estimates with a design-based SE) use :func:`survey_proportion_ci`:
the same Wilson or Clopper–Pearson formulas on the *effective sample size* ``p(1-p)/SE²``
(Kish), which carries the design effect. It is the one implementation used by
:mod:`analysis.stats.survey` and by the results layer.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

__all__ = [
    "METHODS",
    "SURVEY_METHODS",
    "WaldIntervalWarning",
    "proportion_ci",
    "shrink_proportions",
    "survey_proportion_ci",
]

METHODS = ("wilson", "agresti_coull", "clopper_pearson", "jeffreys", "wald", "qilt")
SURVEY_METHODS = ("wilson", "korn_graubard")


class WaldIntervalWarning(UserWarning):
    """The Wald interval was requested; it under-covers for small n and at 0 %/100 %."""


def _z(alpha: float) -> float:
    # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
    from scipy.stats import norm

    return float(norm.ppf(1.0 - alpha / 2.0))


def _wilson_limits(x: np.ndarray, n: np.ndarray, k) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits for ``x`` of ``n`` with squared critical value ``k`` (``n > 0``).

    Centre ``(x + k/2)/(n + k)``, half-width ``sqrt(k (x(n-x)/n + k/4))/(n + k)`` (Wilson 1927).
    """
    denom = n + k
    centre = (x + k / 2.0) / denom
    half = np.sqrt(k * (x * (n - x) / n + k / 4.0)) / denom
    return centre - half, centre + half


def _fpc_factor(n: np.ndarray, N) -> np.ndarray:
    """sqrt((N-n)/(N-1)); 1 where N is None."""
    if N is None:
        return np.ones_like(n, dtype=float)
    N = np.asarray(N, dtype=float)
    if np.any(N < n):
        raise ValueError("population size N must be at least the number of respondents n")
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(N > 1, (N - n) / (N - 1.0), 0.0)
    return np.sqrt(np.clip(f, 0.0, 1.0))


def proportion_ci(x, n, method: str = "wilson", alpha: float | None = None, N=None):
    """Confidence interval for a binomial proportion ``x / n``.

    Parameters
    ----------
    x, n : int or array-like
        Successes and trials (respondents). Broadcast against each other.
    method : str
        One of ``wilson`` (default), ``agresti_coull``, ``clopper_pearson``, ``jeffreys``,
        ``wald`` (tests only; warns) or ``qilt`` (90 % Agresti–Coull with FPC). See module doc.
    alpha : float, optional
        1 − coverage. Default 0.05 (0.10 for ``qilt``).
    N : int or array-like, optional
        Population size (number of graduates) for the finite-population correction.

    Returns
    -------
    (low, high) : tuple of float or of numpy arrays
        Limits on the 0–1 scale, clipped to [0, 1]; NaN only where ``n = 0``.

    References
    ----------
    Brown, Cai & DasGupta (2001); Agresti & Coull (1998); QILT Graduate Outcomes Survey
    methodology (90 % Agresti–Coull with FPC).
    """
    method = method.lower().replace("-", "_")
    if method not in METHODS:
        raise ValueError(f"unknown interval method {method!r}; use one of {', '.join(METHODS)}")
    if alpha is None:
        alpha = 0.10 if method == "qilt" else 0.05
    if not 0.0 < alpha < 1.0:
        raise ValueError("alpha must be between 0 and 1")
    scalar = np.ndim(x) == 0 and np.ndim(n) == 0 and np.ndim(N) == 0
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    x, n = np.broadcast_arrays(x, n)
    if np.any(x < 0) or np.any(x > n):
        raise ValueError("need 0 <= x <= n for every proportion")
    empty = n <= 0
    n_safe = np.where(empty, 1.0, n)
    p = x / n_safe
    z = _z(alpha)

    if method in ("clopper_pearson", "jeffreys"):
        if N is not None:
            raise ValueError(f"method {method!r} has no finite-population correction; use wilson or qilt")
        # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
        from scipy.stats import beta

        if method == "clopper_pearson":
            a_lo, b_lo, a_hi, b_hi = x, n_safe - x + 1, x + 1, n_safe - x
        else:
            a_lo = a_hi = x + 0.5
            b_lo = b_hi = n_safe - x + 0.5
        with np.errstate(invalid="ignore", divide="ignore"):
            lo = np.where(x > 0, beta.ppf(alpha / 2, np.where(x > 0, a_lo, 1.0), b_lo), 0.0)
            hi = np.where(x < n_safe, beta.ppf(1 - alpha / 2, a_hi, np.where(x < n_safe, b_hi, 1.0)), 1.0)
    elif method == "wilson":
        f2 = _fpc_factor(n_safe, N) ** 2
        # score interval with variance p(1-p) f2 / n  <=>  Wilson with k = z² f2
        lo, hi = _wilson_limits(x, n_safe, z * z * f2)
    else:  # wald, agresti_coull, qilt
        if method == "wald":
            warnings.warn(
                "Wald interval requested: it under-covers for small n and is degenerate at 0 % and "
                "100 %; use wilson for reporting",
                WaldIntervalWarning,
                stacklevel=2,
            )
            centre, var = p, p * (1 - p) / n_safe
        else:
            nt = n_safe + z * z
            centre = (x + z * z / 2.0) / nt
            var = centre * (1 - centre) / nt
        half = z * np.sqrt(var) * _fpc_factor(n_safe, N)
        lo, hi = centre - half, centre + half

    if method != "wald":  # exact limits at 0 % and 100 % (avoid 1 - 1e-16 from rounding)
        lo = np.where(x == 0, 0.0, lo)
        hi = np.where(x == n_safe, 1.0, hi)
    if N is not None and method in ("agresti_coull", "qilt"):
        # the Agresti–Coull centre is pulled toward 1/2 while the FPC shrinks the half-width, so close to
        # a census the interval could exclude the observed share: it always contains it, and a census
        # (n = N, no sampling error) gives [p, p]
        census = np.broadcast_to(np.asarray(N, dtype=float), n_safe.shape) <= n_safe
        lo = np.where(census, p, np.minimum(lo, p))
        hi = np.where(census, p, np.maximum(hi, p))
    lo = np.where(empty, np.nan, np.clip(lo, 0.0, 1.0))
    hi = np.where(empty, np.nan, np.clip(hi, 0.0, 1.0))
    if scalar:
        return float(lo), float(hi)
    return lo, hi


def survey_proportion_ci(p, se, n, method: str = "wilson", alpha: float = 0.05, df=None):
    """Confidence interval for a weighted share from its design-based standard error.

    The interval of a binomial proportion is computed on the **effective sample size**
    ``n_eff = p(1-p)/se²`` — the number of simple-random-sample respondents that would give the
    same SE, so the design effect (weighting, clustering, calibration) is carried into the
    interval (Kish 1965; Korn & Graubard 1998). Vectorised: ``p``, ``se``, ``n`` and ``df``
    broadcast against each other.

    Parameters
    ----------
    p : float or array-like
        Estimated shares on the 0–1 scale (e.g. ``svyprop`` / ``by_domain(stat="prop")``).
    se : float or array-like
        Their Taylor-linearised standard errors (same scale).
    n : int or array-like
        Unweighted number of respondents behind each share (rows with an answer in the domain).
    method : {"wilson", "korn_graubard"}
        ``"wilson"`` (the project's default): Wilson score interval on ``n_eff`` with the normal
        quantile, or with the t quantile on ``df`` degrees of freedom when ``df`` is given (as R
        ``svyciprop(method="wilson", df=)``).
        ``"korn_graubard"``: Clopper–Pearson ("exact", beta quantiles) interval on ``n_eff`` —
        R ``svyciprop(method="beta")``, Korn & Graubard (1998). When ``df`` is given, ``n_eff`` is
        multiplied by ``(t(alpha/2; n-1) / t(alpha/2; df))²`` exactly as R does (with R's
        ``n = nrow(design)`` and ``df = degf(design)``); with ``df=None`` no adjustment is made.
    alpha : float
        1 − coverage (0.05 = 95 % intervals).
    df : float or array-like, optional
        Design degrees of freedom (PSUs − strata, ``Design.degf``); see ``method``. ``inf`` means
        none (normal quantile, no adjustment); ``df`` ≤ 0 (a domain inside one PSU) gives NaN,
        as R.

    Returns
    -------
    (low, high) : tuple of float or of numpy arrays
        Limits on the 0–1 scale. Special cases, identical for both methods:

        - ``p`` = 0 or 1 (0 % / 100 % cells): the linearised SE is 0 and ``n_eff`` undefined, so the
          unweighted ``n`` is used as the sample size — the interval stays finite and
          informative (e.g. 0 of 12 → 0 to 0.242 Wilson); R's ``svyciprop`` returns NaN there.
        - ``se`` = 0 with 0 < ``p`` < 1 (e.g. a census stratum): zero-width interval ``[p, p]``.
        - ``n`` = 0 or ``p`` NaN (empty domain): NaN.
        - ``se`` NaN with 0 < ``p`` < 1 (no variance estimate, e.g. a single sampling unit): NaN — not the
          zero-width interval of a known zero SE.

    References
    ----------
    Korn EL, Graubard BI (1998) Confidence intervals for proportions with small expected number
    of positive counts estimated from survey data. *Survey Methodology* 24:193–201.
    Wilson EB (1927) *JASA* 22:209–212. R ``survey::svyciprop`` (Lumley).
    """
    # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
    from scipy.stats import norm
    from scipy.stats import t as tdist

    method = method.lower().replace("-", "_")
    if method not in SURVEY_METHODS:
        raise ValueError(f"unknown survey interval method {method!r}; use one of {', '.join(SURVEY_METHODS)}")
    if not 0.0 < alpha < 1.0:
        raise ValueError("alpha must be between 0 and 1")
    scalar = all(np.ndim(v) == 0 for v in (p, se, n, df))
    p, se, n, dfa = np.broadcast_arrays(
        np.asarray(p, dtype=float), np.asarray(se, dtype=float), np.asarray(n, dtype=float),
        np.asarray(np.inf if df is None else df, dtype=float),
    )
    if np.any((p < -1e-12) | (p > 1 + 1e-12)) or np.any(se < 0) or np.any(n < 0):
        raise ValueError("need 0 <= p <= 1, se >= 0 and n >= 0 for every share")
    p = np.clip(p, 0.0, 1.0)  # a weighted share may exceed 1 by a rounding error
    edge = (p <= 0) | (p >= 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        neff = np.where(edge, n, np.where(se > 0, p * (1 - p) / se**2, np.where(se == 0, np.inf, np.nan)))
    lo = np.full(p.shape, np.nan)
    hi = np.full(p.shape, np.nan)
    degenerate = np.isinf(neff) & (n > 0)  # se = 0 inside (0, 1): no sampling error
    lo[degenerate] = hi[degenerate] = p[degenerate]
    ok = ~degenerate & (neff > 0) & np.isfinite(p) & (n > 0)
    if ok.any():
        pk, nk, dk = p[ok], neff[ok], dfa[ok]
        if method == "wilson":
            crit = np.where(np.isfinite(dk), tdist.ppf(1 - alpha / 2, np.where(np.isfinite(dk), dk, 1.0)),
                            norm.ppf(1 - alpha / 2))
            lok, hik = _wilson_limits(pk * nk, nk, crit**2)
            lok = np.where(pk <= 0, 0.0, lok)
            hik = np.where(pk >= 1, 1.0, hik)
        else:
            nrow = n[ok]
            adj = np.isfinite(dk) & (nrow > 1)
            if adj.any():
                ratio = (tdist.ppf(alpha / 2, np.where(adj, nrow - 1, 1.0))
                         / tdist.ppf(alpha / 2, np.where(adj, dk, 1.0)))
                nk = np.where(adj, nk * ratio**2, nk)
            fin = np.isfinite(nk) & (nk > 0)  # df <= 0: no interval (NaN), as R
            lok = np.full(pk.shape, np.nan)
            hik = np.full(pk.shape, np.nan)
            if fin.any():
                lok[fin], hik[fin] = proportion_ci(pk[fin] * nk[fin], nk[fin], "clopper_pearson", alpha=alpha)
        # a vanishing SE makes n_eff astronomically large and the beta quantiles lose precision: the
        # interval always contains its own estimate
        lo[ok] = np.clip(np.minimum(lok, pk), 0.0, 1.0)
        hi[ok] = np.clip(np.maximum(hik, pk), 0.0, 1.0)
    if scalar:
        return float(lo), float(hi)
    return lo, hi


def shrink_proportions(x, n, groups, *, labels=None, alpha: float = 0.05) -> pd.DataFrame:
    """Empirical-Bayes partial pooling of programme proportions toward their faculty.

    Model (beta-binomial): within a group (faculty), each programme's true proportion is drawn
    from ``Beta(μ·M, (1-μ)·M)``; the programme's count is ``x ~ Binomial(n, p)``. The group mean
    ``μ`` and the intra-class correlation ``ρ = 1/(M+1)`` are estimated by the method of moments
    (Kleinman 1973, *Biometrics* 29:343): ``μ̂ = Σx/Σn`` and, with ``S = Σ n_i (p_i - μ̂)²``,
    ``E[S] = μ(1-μ)[(k-1) + ρ Σ (1 - n_i/Σn)(n_i - 1)]`` solved for ``ρ̂`` and truncated to [0, 1].
    The shrunken estimate is the posterior mean ``(x + μ̂M̂)/(n + M̂)``: it moves a programme
    toward its faculty by the weight ``M̂/(n + M̂)`` — strongly for small programmes, hardly for
    large ones. ``ρ̂ = 0`` (no visible between-programme variation) pools completely; ``ρ̂ = 1``
    (or a group with one programme, or μ̂ equal to 0 or 1) leaves the raw proportions unchanged.
    Intervals: with partial pooling, the equal-tailed ``1 - alpha`` posterior Beta interval (it
    ignores the uncertainty in μ̂ and M̂, so it is slightly too narrow for groups with few
    programmes); without pooling, the Wilson interval of ``x/n``; with complete pooling, the
    Wilson interval of the group's pooled proportion.

    Parameters
    ----------
    x, n : array-like
        Successes and respondents per programme (unweighted counts).
    groups : array-like
        Group (faculty) of each programme.
    labels : array-like, optional
        Programme labels (default: the index of ``x`` if it is a Series, else 0..k-1).
    alpha : float
        1 − coverage of the posterior intervals.

    Returns
    -------
    DataFrame
        One row per programme, in input order: ``label, group, x, n, raw, group_mean, rho,
        prior_size (M̂), shrink_weight, estimate, ci_low, ci_high``. ``n`` is kept so that
        readers see how much data each estimate rests on.
    """
    # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
    from scipy.stats import beta as beta_dist

    if labels is None:
        labels = x.index if isinstance(x, pd.Series) else np.arange(len(np.asarray(x)))
    xs = np.asarray(x, dtype=float)
    ns = np.asarray(n, dtype=float)
    gs = np.asarray(groups, dtype=object)
    if not (len(xs) == len(ns) == len(gs) == len(labels)):
        raise ValueError("x, n, groups and labels must have the same length")
    if np.any(ns <= 0) or np.any(xs < 0) or np.any(xs > ns):
        raise ValueError("need n > 0 and 0 <= x <= n for every programme")
    out = pd.DataFrame({"label": np.asarray(labels), "group": gs, "x": xs, "n": ns, "raw": xs / ns})
    mu_col = np.empty(len(xs))
    rho_col = np.empty(len(xs))
    m_col = np.empty(len(xs))
    for g in pd.unique(gs):
        idx = np.flatnonzero(gs == g)
        xg, ng = xs[idx], ns[idx]
        k, tot = len(idx), ng.sum()
        mu = xg.sum() / tot
        if k < 2 or mu <= 0.0 or mu >= 1.0:
            rho = 1.0
        else:
            s = np.sum(ng * (xg / ng - mu) ** 2)
            denom = np.sum((1.0 - ng / tot) * (ng - 1.0))
            rho = 1.0 if denom <= 0 else ((s / (mu * (1.0 - mu))) - (k - 1)) / denom
            rho = float(np.clip(rho, 0.0, 1.0))
        mu_col[idx] = mu
        rho_col[idx] = rho
        m_col[idx] = np.inf if rho == 0.0 else (1.0 / rho - 1.0)
    out["group_mean"] = mu_col
    out["rho"] = rho_col
    out["prior_size"] = m_col
    full = np.isinf(m_col)
    m_fin = np.where(full, 0.0, m_col)
    out["shrink_weight"] = np.where(full, 1.0, m_fin / (ns + m_fin))
    a = xs + mu_col * m_fin
    b = ns - xs + (1.0 - mu_col) * m_fin
    none = m_fin == 0.0  # no pooling: raw proportion, Wilson interval
    post = ~full & ~none  # partial pooling: Beta(a, b) posterior with a, b > 0
    est = np.where(full, mu_col, np.where(none, xs / ns, a / np.where(post, a + b, 1.0)))
    out["estimate"] = est
    lo = np.full(len(xs), np.nan)
    hi = np.full(len(xs), np.nan)
    if post.any():
        lo[post] = beta_dist.ppf(alpha / 2, a[post], b[post])
        hi[post] = beta_dist.ppf(1 - alpha / 2, a[post], b[post])
    if none.any():
        lo[none], hi[none] = proportion_ci(xs[none], ns[none], alpha=alpha)
    if full.any():
        gx = _group_totals(xs, gs)
        gn = _group_totals(ns, gs)
        lo[full], hi[full] = proportion_ci(gx[full], gn[full], alpha=alpha)
    out["ci_low"] = lo
    out["ci_high"] = hi
    return out


def _group_totals(values: np.ndarray, gs: np.ndarray) -> np.ndarray:
    """Sum of ``values`` over each element's group, aligned with the input."""
    s = pd.Series(values).groupby(pd.Series(gs)).transform("sum")
    return s.to_numpy(dtype=float)

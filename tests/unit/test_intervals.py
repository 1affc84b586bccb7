"""Proportion intervals, weighted-share intervals and small-programme shrinkage (R binom, R survey svyciprop)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import beta as beta_dist
from scipy.stats import t as t_dist

from analysis.stats.intervals import (
    WaldIntervalWarning,
    proportion_ci,
    shrink_proportions,
    survey_proportion_ci,
)

# R binom::binom.confint(4, 20), as in statsmodels' own tests (7 decimals)
REFERENCE_4_OF_20 = {
    "wilson": (0.0806577, 0.4160174),
    "clopper_pearson": (0.0573340, 0.4366140),
    "jeffreys": (0.0715201, 0.4082258),
    "agresti_coull": (0.0749115, 0.4217636),
}


@pytest.mark.parametrize("method", sorted(REFERENCE_4_OF_20))
def test_reference_4_of_20(method):
    lo, hi = proportion_ci(4, 20, method)
    assert lo == pytest.approx(REFERENCE_4_OF_20[method][0], abs=5e-8)
    assert hi == pytest.approx(REFERENCE_4_OF_20[method][1], abs=5e-8)


def test_wald_reference_and_warning():
    with pytest.warns(WaldIntervalWarning):
        lo, hi = proportion_ci(4, 20, "wald")
    assert (lo, hi) == pytest.approx((0.0246955, 0.3753045), abs=5e-8)


def test_qilt_example_with_and_without_fpc():
    # 60 of 80 respondents, 120 graduates, 90 % Agresti–Coull with FPC → 0.6959–0.7877
    lo, hi = proportion_ci(60, 80, "qilt", N=120)
    assert (round(lo, 4), round(hi, 4)) == (0.6959, 0.7877)
    lo, hi = proportion_ci(60, 80, "qilt")
    assert (round(lo, 4), round(hi, 4)) == (0.6627, 0.8210)


def test_qilt_is_agresti_coull_at_90_percent():
    assert proportion_ci(7, 30, "qilt") == pytest.approx(proportion_ci(7, 30, "agresti_coull", alpha=0.10))


@pytest.mark.parametrize("method", ["wilson", "agresti_coull", "clopper_pearson", "jeffreys", "qilt"])
def test_zero_and_all_successes_are_finite_and_bounded(method):
    n = np.array([1, 5, 12, 40])
    for x in (np.zeros(4), n):
        lo, hi = proportion_ci(x, n, method)
        assert np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))
        assert np.all((0 <= lo) & (lo <= x / n) & (x / n <= hi) & (hi <= 1))
    lo, hi = proportion_ci(np.zeros(4), n, method)
    assert np.all(lo == 0) and np.all(hi > 0)
    lo, hi = proportion_ci(n, n, method)
    assert np.all(hi == 1) and np.all(lo < 1)


def test_vectorised_matches_scalar_and_contains_estimate():
    x = np.arange(0, 26)
    lo, hi = proportion_ci(x, 25)
    assert lo.shape == (26,)
    for i in (0, 3, 12, 25):
        assert (lo[i], hi[i]) == pytest.approx(proportion_ci(int(x[i]), 25))
    assert np.all(np.diff(lo) > 0) and np.all(np.diff(hi) > 0)


def test_no_respondents_gives_nan():
    lo, hi = proportion_ci(np.array([0, 1]), np.array([0, 2]))
    assert np.isnan(lo[0]) and np.isnan(hi[0]) and np.isfinite(lo[1])


def test_wilson_fpc_census_has_zero_width_and_large_population_none():
    lo, hi = proportion_ci(30, 40, N=40)
    assert lo == pytest.approx(0.75) and hi == pytest.approx(0.75)
    assert proportion_ci(30, 40, N=10**9) == pytest.approx(proportion_ci(30, 40), abs=1e-7)
    lo_f, hi_f = proportion_ci(30, 40, N=80)
    lo_n, hi_n = proportion_ci(30, 40)
    assert lo_n < lo_f < 0.75 < hi_f < hi_n


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        proportion_ci(5, 4)
    with pytest.raises(ValueError):
        proportion_ci(1, 4, "exact-ish")
    with pytest.raises(ValueError):
        proportion_ci(1, 4, "clopper_pearson", N=10)
    with pytest.raises(ValueError):
        proportion_ci(1, 4, N=3)


def test_shrinkage_by_hand():
    # group a: 2/10 and 8/10. mu = 1/2; S = 10(.3²)·2 = 1.8; S/(mu(1-mu)) = 7.2;
    # rho = (7.2 - 1) / (Σ (1 - n_i/N)(n_i - 1) = 9) = 31/45; M = 1/rho - 1 = 14/31;
    # estimate = (2 + M/2)/(10 + M) = 69/324.
    out = shrink_proportions([2, 8], [10, 10], ["a", "a"], labels=["p1", "p2"])
    assert out["rho"].iloc[0] == pytest.approx(31 / 45)
    assert out["prior_size"].iloc[0] == pytest.approx(14 / 31)
    assert out["estimate"].tolist() == pytest.approx([69 / 324, 1 - 69 / 324])
    assert out["n"].tolist() == [10, 10]
    assert np.all(out["ci_low"] < out["estimate"]) and np.all(out["estimate"] < out["ci_high"])


def test_shrinkage_moves_small_programmes_more():
    x = [1, 40, 50, 4]
    n = [5, 50, 100, 4]
    out = shrink_proportions(x, n, ["F"] * 4)
    assert 0 < out["rho"].iloc[0] < 1
    mu = sum(x) / sum(n)
    raw = np.array(x) / np.array(n)
    est = out["estimate"].to_numpy()
    # every estimate lies between its raw value and the faculty mean
    assert np.all((np.minimum(raw, mu) - 1e-12 <= est) & (est <= np.maximum(raw, mu) + 1e-12))
    w = out.set_index(out["n"])["shrink_weight"]
    assert w[4] > w[5] > w[50] > w[100]


def test_shrinkage_extremes():
    # identical programmes: no between-programme variance -> complete pooling
    out = shrink_proportions([5, 10], [10, 20], ["a", "a"])
    assert out["rho"].iloc[0] == 0 and out["estimate"].tolist() == pytest.approx([0.5, 0.5])
    # a faculty with one programme, or with 0 % everywhere, is left as it is
    out = shrink_proportions([3, 0, 0], [7, 5, 6], ["solo", "zero", "zero"])
    assert out["estimate"].tolist() == pytest.approx([3 / 7, 0, 0])
    assert np.all(np.isfinite(out[["ci_low", "ci_high"]].to_numpy()))
    assert out["ci_high"].iloc[1] > 0


# --- weighted shares: survey_proportion_ci -------------------------------------------------------


def _srs_se(x, n):
    p = x / n
    return np.sqrt(p * (1 - p) / n)


def test_survey_intervals_on_an_srs_are_the_binomial_ones():
    # with SE = sqrt(p(1-p)/n) the effective sample size is n: R binom 4 of 20
    p, se = 0.2, _srs_se(4, 20)
    assert survey_proportion_ci(p, se, 20, "wilson") == pytest.approx(REFERENCE_4_OF_20["wilson"], abs=5e-8)
    assert survey_proportion_ci(p, se, 20, "korn_graubard") == pytest.approx(
        REFERENCE_4_OF_20["clopper_pearson"], abs=5e-8)


def test_korn_graubard_degrees_of_freedom_adjustment_by_hand():
    # R svyciprop(method="beta") (survey 4.5, R/svyttest.R): n.eff = p(1-p)/var, times
    # (qt(alpha/2, nrow(design)-1) / qt(alpha/2, degf(design)))^2, then qbeta(alpha/2, n.eff p,
    # n.eff (1-p) + 1) and qbeta(1-alpha/2, n.eff p + 1, n.eff (1-p)). No R-printed value of this
    # case was found, so it is checked against the formula written out.
    p, se, n, df = 4 / 183, 0.0226221, 183, 14
    neff = p * (1 - p) / se**2 * (t_dist.ppf(0.025, n - 1) / t_dist.ppf(0.025, df)) ** 2
    want = (beta_dist.ppf(0.025, neff * p, neff * (1 - p) + 1), beta_dist.ppf(0.975, neff * p + 1, neff * (1 - p)))
    assert survey_proportion_ci(p, se, n, "korn_graubard", df=df) == pytest.approx(want, rel=1e-12)
    # fewer degrees of freedom -> smaller effective n -> wider interval
    lo, hi = survey_proportion_ci(p, se, n, "korn_graubard")
    assert want[0] < lo and hi < want[1]


def test_wilson_with_degrees_of_freedom_uses_the_t_quantile():
    p, se, df = 0.3, 0.05, 9
    k = t_dist.ppf(0.975, df) ** 2
    m = p * (1 - p) / se**2
    centre = (p + k / (2 * m)) / (1 + k / m)
    half = np.sqrt(k) / (1 + k / m) * np.sqrt(p * (1 - p) / m + k / (4 * m * m))
    assert survey_proportion_ci(p, se, 40, "wilson", df=df) == pytest.approx((centre - half, centre + half), rel=1e-12)
    assert survey_proportion_ci(p, se, 40, "wilson", df=np.inf) == survey_proportion_ci(p, se, 40)


def test_survey_interval_special_cells():
    # 0 % and 100 %: SE 0, the unweighted n is the sample size (today's behaviour, documented)
    assert survey_proportion_ci(0.0, 0.0, 12) == pytest.approx(proportion_ci(0, 12))
    assert survey_proportion_ci(1.0, 0.0, 12) == pytest.approx(proportion_ci(12, 12))
    lo, hi = survey_proportion_ci(0.0, 0.0, 12, "korn_graubard")
    assert lo == 0 and hi == pytest.approx(1 - 0.025 ** (1 / 12), rel=1e-12)  # Clopper–Pearson 0 of 12
    # SE 0 inside (0, 1): nothing unknown (e.g. a census) -> zero width; no respondents -> NaN
    assert survey_proportion_ci(0.4, 0.0, 10) == (0.4, 0.4)
    lo, hi = survey_proportion_ci(np.array([0.5, np.nan]), np.array([0.1, np.nan]), np.array([0, 0]))
    assert np.isnan(lo).all() and np.isnan(hi).all()


def test_survey_intervals_are_vectorised():
    p = np.array([0.0, 0.05, 0.3, 0.5, 0.97, 1.0])
    se = np.array([0.0, 0.02, 0.06, 0.1, 0.01, 0.0])
    n = np.array([8, 40, 60, 25, 300, 5])
    df = np.array([3, 10, 20, 5, 40, 2])
    for method in ("wilson", "korn_graubard"):
        lo, hi = survey_proportion_ci(p, se, n, method, 0.1, df=df)
        assert lo.shape == hi.shape == (6,)
        for i in range(6):
            assert (lo[i], hi[i]) == pytest.approx(survey_proportion_ci(p[i], se[i], n[i], method, 0.1, df=df[i]))
        assert np.all((lo <= p) & (p <= hi) & (lo >= 0) & (hi <= 1))


def test_survey_interval_bad_input():
    with pytest.raises(ValueError, match="korn_graubard"):
        survey_proportion_ci(0.2, 0.1, 10, "beta")
    for args in ((1.2, 0.1, 10), (0.2, -0.1, 10), (0.2, 0.1, -1)):
        with pytest.raises(ValueError):
            survey_proportion_ci(*args)


def test_no_degrees_of_freedom_gives_no_interval():
    # a domain inside a single PSU has df 0: R's qt(, 0) is NaN and so is the interval
    for method in ("wilson", "korn_graubard"):
        lo, hi = survey_proportion_ci(np.array([0.3, 0.3]), 0.05, 10, method, df=np.array([0, 5]))
        assert np.isnan([lo[0], hi[0]]).all() and 0 < lo[1] < 0.3 < hi[1] < 1

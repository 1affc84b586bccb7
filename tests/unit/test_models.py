"""Tidy model wrappers (reference: R MASS::polr on ologit_ucla.csv)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.stats.models import diagnostics, logit_weighted, ols_robust, ordered_logit
from analysis.stats.survey import Design, svyglm

LEVELS = ["unlikely", "somewhat likely", "very likely"]
TIDY = ["term", "estimate", "se", "ci_low", "ci_high", "p_value", "n"]


@pytest.fixture(scope="module")
def ucla() -> pd.DataFrame:
    import statsmodels

    path = Path(statsmodels.__file__).parent / "miscmodels" / "tests" / "results" / "ologit_ucla.csv"
    if not path.exists():
        pytest.skip("statsmodels test data not installed")
    return pd.read_csv(path)


def test_ordered_logit_reproduces_polr(ucla):
    out = ordered_logit("apply ~ pared + public + gpa", ucla, levels=LEVELS).set_index("term")
    coef = out.loc[["pared", "public", "gpa"]]
    # R polr: 1.04769011, -0.05878572, 0.61594057; SE 0.2658, 0.2979, 0.2606.
    # polr stops its optimiser early; statsmodels' Newton fit is the exact MLE -> tolerance 1e-3.
    assert coef["estimate"].to_numpy() == pytest.approx([1.04769011, -0.05878572, 0.61594057], abs=1e-3)
    assert coef["se"].to_numpy() == pytest.approx([0.2658, 0.2979, 0.2606], abs=1e-4)
    th = out.loc[["unlikely|somewhat likely", "somewhat likely|very likely"]]
    # thresholds on the polr scale (statsmodels' 2nd parameter is log(ζ2 - ζ1))
    assert th["estimate"].to_numpy() == pytest.approx([2.203915, 4.299363], abs=1e-3)
    # threshold SEs as printed by summary(polr) (UCLA IDRE ordinal logit example): 0.7795, 0.8043
    assert th["se"].to_numpy() == pytest.approx([0.7795, 0.8043], abs=1e-4)
    assert list(out.reset_index().columns[:7]) == TIDY
    d = diagnostics(ordered_logit("apply ~ pared + public + gpa", ucla, levels=LEVELS))
    assert d["converged"] and d["n"] == 400 and d["levels"] == LEVELS and 0 < d["pseudo_r2"] < 1


def test_ordered_logit_matrix_interface_and_ordered_categorical(ucla):
    a = ordered_logit("apply ~ pared + public + gpa", ucla, levels=LEVELS)
    b = ordered_logit(None, y=ucla["apply"], X=ucla[["pared", "public", "gpa"]], levels=LEVELS)
    assert a["estimate"].to_numpy() == pytest.approx(b["estimate"].to_numpy(), rel=1e-8)
    cat = ucla.assign(apply=pd.Categorical(ucla["apply"], categories=LEVELS, ordered=True))
    c = ordered_logit("apply ~ pared + public + gpa", cat)
    assert c["estimate"].to_numpy() == pytest.approx(a["estimate"].to_numpy(), rel=1e-8)
    with pytest.raises(InputError, match="order"):
        ordered_logit("apply ~ pared", ucla)


def test_ols_robust_hc3_by_hand():
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 10, 60)
    y = 2 + 0.5 * x + rng.normal(0, 0.2 + 0.3 * x, 60)
    df = pd.DataFrame({"x": x, "y": y})
    out = ols_robust("y ~ x", df)
    X = np.column_stack([np.ones(60), x])
    xtx_inv = np.linalg.inv(X.T @ X)
    beta = xtx_inv @ X.T @ y
    e = y - X @ beta
    h = np.einsum("ij,jk,ik->i", X, xtx_inv, X)
    meat = (X * (e / (1 - h))[:, None] ** 2).T @ X
    se_hc3 = np.sqrt(np.diag(xtx_inv @ meat @ xtx_inv))
    assert out["estimate"].to_numpy() == pytest.approx(beta)
    assert out["se"].to_numpy() == pytest.approx(se_hc3)
    assert list(out.columns) == TIDY and (out["n"] == 60).all()
    hc1 = ols_robust("y ~ x", df, cov_type="HC1")
    meat1 = (X * e[:, None] ** 2).T @ X * 60 / 58
    assert hc1["se"].to_numpy() == pytest.approx(np.sqrt(np.diag(xtx_inv @ meat1 @ xtx_inv)))
    d = diagnostics(out)
    assert d["cov_type"] == "HC3" and d["df_resid"] == 58 and 0 < d["r_squared"] < 1


def test_logit_weighted_equals_hc0_sandwich_for_a_simple_random_sample():
    import statsmodels.api as sm

    rng = np.random.default_rng(11)
    n = 300
    x = rng.normal(size=n)
    emp = (rng.random(n) < 1 / (1 + np.exp(-(0.3 + 0.8 * x)))).astype(bool)
    df = pd.DataFrame({"x": x, "employed": emp, "w": 1.0})
    out = logit_weighted("employed ~ x", Design(df, "w"))
    ref = sm.GLM(emp.astype(float), sm.add_constant(x), family=sm.families.Binomial()).fit(cov_type="HC0")
    assert out["estimate"].to_numpy() == pytest.approx(ref.params, rel=1e-6)
    # design-based variance of an SRS with replacement = HC0 × n/(n-1)
    assert out["se"].to_numpy() == pytest.approx(ref.bse * np.sqrt(n / (n - 1)), rel=1e-6)
    assert out["odds_ratio"].to_numpy() == pytest.approx(np.exp(out["estimate"].to_numpy()))
    assert diagnostics(out)["design_df"] == n - 1


def test_weighted_logit_point_estimates_are_frequency_weighted():
    import statsmodels.api as sm

    rng = np.random.default_rng(5)
    n = 200
    x = rng.normal(size=n)
    y = (rng.random(n) < 0.5 + 0.2 * np.tanh(x)).astype(float)
    w = rng.choice([1.0, 2.0, 3.0], n)
    out = svyglm(None, Design(pd.DataFrame({"w": w}), "w"), X=sm.add_constant(x), y=y, family="binomial")
    ref = sm.GLM(y, sm.add_constant(x), family=sm.families.Binomial(), freq_weights=w).fit()
    assert out["estimate"].to_numpy() == pytest.approx(ref.params, rel=1e-6)


# --------------------------------------------------------------------------- analytic ordered-logit derivatives
def _ordinal_problem(k_levels: int, k_vars: int, seed: int, n: int = 400):
    """A random proportional-odds problem: y (0..K-1), X (n × k_vars, a dummy among them), parameters."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k_vars))
    X[:, 0] = rng.random(n) < 0.4  # a 0/1 column, as the faculty and sex dummies
    beta = rng.normal(0, 0.7, k_vars)
    cuts = np.sort(rng.normal(0, 1.2, k_levels - 1))
    y = np.searchsorted(cuts, X @ beta + rng.logistic(size=n))
    # a point away from the maximum (the score is not ~0 there): β, θ0, log-increments
    params = np.r_[beta + rng.normal(0, 0.2, k_vars), cuts[0] - 0.3, np.log(np.diff(cuts)) + 0.1]
    return y, X, params


@pytest.mark.parametrize(("k_levels", "k_vars", "seed"), [(3, 2, 1), (4, 3, 2), (5, 4, 3)])
def test_analytic_ordered_logit_derivatives_equal_numerical_ones(k_levels, k_vars, seed):
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    from statsmodels.tools.numdiff import approx_fprime, approx_hess

    from analysis.stats.models import ordered_logit_model_class

    y, X, params = _ordinal_problem(k_levels, k_vars, seed)
    model = ordered_logit_model_class()(y, X, distr="logit")
    plain = OrderedModel(y, X, distr="logit")
    # the objective is statsmodels' own, value for value
    assert np.array_equal(model.loglikeobs(params), plain.loglikeobs(params))
    score = model.score(params)
    assert score == pytest.approx(approx_fprime(params, plain.loglike, centered=True), rel=1e-6, abs=1e-6)
    assert np.max(np.abs(score)) > 1  # not at the maximum: the comparison has something to compare
    obs = model.score_obs(params)
    assert obs.shape == (len(y), k_vars + k_levels - 1)
    assert obs == pytest.approx(approx_fprime(params, plain.loglikeobs, centered=True), rel=1e-5, abs=1e-6)
    assert obs.sum(axis=0) == pytest.approx(score, rel=1e-12)
    hess = model.hessian(params)
    assert np.array_equal(hess, hess.T)
    # approx_hess' default step (EPS^(1/3)·|x|) is dominated by rounding (errors ~1e-4 relative on this
    # problem); a step of 3e-4 is accurate to ~1e-6, and the Jacobian of the analytic score to ~1e-8
    assert hess == pytest.approx(approx_hess(params, plain.loglike, epsilon=3e-4), rel=1e-5, abs=1e-4)
    assert hess == pytest.approx(approx_fprime(params, model.score, centered=True), rel=1e-6, abs=1e-6)
    assert np.all(np.linalg.eigvalsh(-hess) > 0)


def test_analytic_ordered_logit_hessian_by_hand_for_one_row_and_two_categories():
    from analysis.stats.models import ordered_logit_model_class

    # K = 2 is a plain logit in (−β, θ0): row x = 1, y = 0 → ℓ = log F(θ0 − β);
    # score (−(1−F), 1−F), Hessian −F(1−F)·[[1, −1], [−1, 1]]
    model = ordered_logit_model_class()(np.array([0, 1]), np.array([[1.0], [0.0]]), distr="logit")
    beta, th0 = 0.3, 0.8
    F = 1 / (1 + np.exp(-(th0 - beta)))
    G = 1 / (1 + np.exp(-th0))  # row 2: x = 0, y = 1 → ℓ = log(1 − F(θ0))
    assert model.score(np.array([beta, th0])) == pytest.approx([-(1 - F), (1 - F) - G], rel=1e-12)
    expected = -F * (1 - F) * np.array([[1.0, -1.0], [-1.0, 1.0]]) - G * (1 - G) * np.array([[0.0, 0.0], [0.0, 1.0]])
    assert model.hessian(np.array([beta, th0])) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="logit"):
        ordered_logit_model_class()(np.array([0, 1]), np.array([[1.0], [0.0]]), distr="probit")


def _table_with_numerical_derivatives(monkeypatch, *args, **kwargs):
    """The same table fitted by statsmodels' plain OrderedModel (numerical score and Hessian), as before."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    import analysis.stats.models as models

    with monkeypatch.context() as m:
        m.setattr(models, "ordered_logit_model_class", lambda: OrderedModel)
        return ordered_logit(*args, **kwargs)


def test_ordered_logit_table_equals_the_numerical_fit(ucla, monkeypatch):
    y, X, _ = _ordinal_problem(5, 4, seed=3, n=1500)
    Xd = pd.DataFrame(X, columns=["d", "x1", "x2", "x3"])
    for args, kwargs in ((("apply ~ pared + public + gpa", ucla), {"levels": LEVELS}),
                         ((None,), {"y": y + 1.0, "X": Xd, "levels": [1.0, 2.0, 3.0, 4.0, 5.0]})):
        new = ordered_logit(*args, **kwargs)
        old = _table_with_numerical_derivatives(monkeypatch, *args, **kwargs)
        assert list(new["term"]) == list(old["term"]) and list(new["kind"]) == list(old["kind"])
        for col in ("estimate", "se", "ci_low", "ci_high"):
            assert new[col].to_numpy() == pytest.approx(old[col].to_numpy(), rel=1e-5), col
        dn, do = diagnostics(new), diagnostics(old)
        assert dn["converged"] and do["converged"] and dn["n"] == do["n"] and dn["levels"] == do["levels"]
        for key in ("loglike", "aic", "bic", "pseudo_r2"):
            assert dn[key] == pytest.approx(do[key], rel=1e-9), key
    # the null log-likelihood behind pseudo R²: thresholds at the cumulative shares, β = 0
    shares = np.bincount(y) / len(y)
    llnull = float(np.sum(np.bincount(y) * np.log(shares)))
    assert dn["pseudo_r2"] == pytest.approx(1 - dn["loglike"] / llnull, rel=1e-9)

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

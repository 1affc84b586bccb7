"""Rubin's rules (reference: statistics.md §5) and the MICE income sensitivity helper."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.imputation import mice_income, rubin

Q = [0.50, 0.55, 0.45, 0.52, 0.48]
U = [0.010, 0.011, 0.009, 0.010, 0.012]


def test_rubin_reference_vector():
    r = rubin(Q, U)
    assert r["m"] == 5
    assert r["qbar"] == pytest.approx(0.5, rel=1e-12)
    assert r["ubar"] == pytest.approx(0.0104, rel=1e-12)
    assert r["b"] == pytest.approx(0.00145, rel=1e-12)
    assert r["t"] == pytest.approx(0.01214, rel=1e-12)
    assert abs(r["se"] - 0.110182) < 5e-7
    assert abs(r["lambda"] - 0.1433) < 5e-5
    assert abs(r["df_old"] - 194.715) < 5e-4 and r["df"] == r["df_old"]


def test_rubin_fmi_and_interval_by_hand():
    from scipy.stats import t as tdist

    r = rubin(Q, U)
    rr = 1.2 * 0.00145 / 0.0104
    assert r["r"] == pytest.approx(rr)
    assert r["fmi"] == pytest.approx((rr + 2 / (r["df"] + 3)) / (rr + 1))
    half = tdist.ppf(0.975, r["df"]) * r["se"]
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((0.5 - half, 0.5 + half))


def test_rubin_barnard_rubin_df_is_smaller():
    r = rubin(Q, U, dfcom=30)
    assert r["df"] < 30 and r["df"] < r["df_old"] and r["df_old"] == pytest.approx(194.71475756)


def test_rubin_identical_imputations_and_vectors():
    r = rubin([0.3, 0.3, 0.3], [0.01, 0.01, 0.01])
    assert r["b"] == 0 and r["se"] == pytest.approx(0.1) and np.isinf(r["df"]) and r["fmi"] == 0
    both = rubin(np.column_stack([Q, np.array(Q) * 2]), np.column_stack([U, U]))
    assert both["qbar"] == pytest.approx([0.5, 1.0])
    assert both["se"][0] == pytest.approx(rubin(Q, U)["se"])
    with pytest.raises(ValueError):
        rubin([0.5], [0.01])


def _income_data(n=240, seed=2):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"sex": rng.choice(["female", "male"], n), "hours": rng.integers(20, 60, n).astype(float)})
    log_inc = 9.5 + 0.2 * (df["sex"] == "male") + 0.01 * df["hours"] + rng.normal(0, 0.3, n)
    df["income"] = np.exp(log_inc).round()
    return df


def test_mice_without_missing_values_equals_complete_case():
    df = _income_data()
    out = mice_income(df, "income", ["sex", "hours"], m=3).set_index("term")
    row = out.loc["mean_log_income"]
    assert row["estimate"] == pytest.approx(np.log(df["income"]).mean())
    assert row["estimate"] == pytest.approx(row["cc_estimate"]) and row["fmi"] == 0
    assert row["se"] == pytest.approx(np.log(df["income"]).std(ddof=1) / np.sqrt(len(df)))


def test_mice_with_missing_income_is_reproducible_and_pools():
    df = _income_data()
    rng = np.random.default_rng(9)
    df.loc[rng.random(len(df)) < 0.25, "income"] = np.nan
    df.loc[0, "income"] = 0  # unpaid work: excluded from the log scale
    a = mice_income(df, "income", ["sex", "hours"], formula="log_income ~ hours", m=5, n_burnin=3)
    b = mice_income(df, "income", ["sex", "hours"], formula="log_income ~ hours", m=5, n_burnin=3)
    pd.testing.assert_frame_equal(a, b)
    assert list(a["term"]) == ["mean_log_income", "Intercept", "hours"]
    assert (a["fmi"] > 0).all() and (a["n"] == len(df) - 1).all()
    assert a.attrs["n_missing_income"] == int(df["income"].isna().sum())
    assert (a["cc_n"] < a["n"]).all()
    assert a.attrs["geometric_mean_income"] == pytest.approx(np.exp(a["estimate"].iloc[0]))
    hours = a.set_index("term").loc["hours"]
    assert hours["ci_low"] < 0.01 < hours["ci_high"]  # the true slope is recovered


def test_mice_errors():
    with pytest.raises(InputError, match="missing"):
        mice_income(pd.DataFrame({"x": [1]}), "income")

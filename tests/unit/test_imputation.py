"""Rubin's rules (reference: a worked vector computed by hand, Rubin 1987; Barnard & Rubin 1999) and the
chained-equation completed data sets.

The income sensitivity analysis that uses them is tested in ``test_outcome_models.py`` (``income_mi``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.stats.imputation import completed_datasets, rubin

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


def test_completed_datasets_fill_only_the_gaps_and_are_reproducible():
    rng = np.random.default_rng(5)
    x = rng.normal(0, 1, 200)
    data = pd.DataFrame({"y": 2.0 + 3.0 * x + rng.normal(0, 0.1, 200), "x": x})
    gaps = rng.random(200) < 0.2
    data.loc[gaps, "y"] = np.nan
    a = completed_datasets(data, m=3, n_burnin=2, seed=4)
    b = completed_datasets(data, m=3, n_burnin=2, seed=4)
    assert len(a) == 3
    for d, e in zip(a, b):
        pd.testing.assert_frame_equal(d, e)
        assert d["y"].notna().all()
        pd.testing.assert_series_equal(d.loc[~gaps, "y"], data.loc[~gaps, "y"])  # observed values kept
        # predictive mean matching: every imputed value is one of the observed values, near the line
        assert set(d.loc[gaps, "y"]) <= set(data.loc[~gaps, "y"])
        resid = d.loc[gaps, "y"] - (2.0 + 3.0 * d.loc[gaps, "x"])
        assert resid.abs().median() < 0.5
    assert not a[0].equals(a[1])  # the draws differ between imputations


def test_completed_datasets_without_gaps_are_the_data():
    data = pd.DataFrame({"y": [1.0, 2.0, 4.0], "x": [0.0, 1.0, 2.0]})
    out = completed_datasets(data, m=4)
    assert len(out) == 4 and all(d is data for d in out)

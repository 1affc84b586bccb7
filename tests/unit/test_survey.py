"""Design-based estimation against R survey's published outputs (statistics.md §1) and by hand.

R outputs quoted from cran/survey `tests/api.Rout.save` and `tests/rakecheck.Rout.save`; printed
values are compared at their printed precision, and point estimates also against an independent
numpy computation at 1e-10 relative.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.survey import (
    Design,
    by_domain,
    poststratify,
    rake,
    svyglm,
    svymean,
    svyprop,
    svyquantile,
    svytotal,
    trim_weights,
    weight_diagnostics,
)

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "survey-reference"
POP_TYPES = {"E": 4421, "H": 755, "M": 1018}
POP_SCHWIDE = {"No": 1072, "Yes": 5122}
POP_COMPIMP = {"No": 1712, "Yes": 4482}
POP_TYPE_SCHWIDE = pd.Series(
    [472, 3949, 334, 421, 266, 752],
    index=pd.MultiIndex.from_tuples(
        [("E", "No"), ("E", "Yes"), ("H", "No"), ("H", "Yes"), ("M", "No"), ("M", "Yes")],
        names=["stype", "sch.wide"],
    ),
)


@pytest.fixture(scope="module")
def apistrat() -> pd.DataFrame:
    return pd.read_csv(FIX / "rsurvey_apistrat.csv")


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    return pd.read_csv(FIX / "rsurvey_apiclus1.csv")


@pytest.fixture(scope="module")
def dstrat(apistrat) -> Design:
    return Design(apistrat, "pw", strata="stype", fpc="fpc")


@pytest.fixture(scope="module")
def dclus1(apiclus1) -> Design:
    return Design(apiclus1, "pw", cluster="dnum", fpc="fpc")


@pytest.fixture(scope="module")
def dclus1r(dclus1) -> Design:
    return rake(dclus1, {"stype": POP_TYPES, "sch.wide": POP_SCHWIDE})


def _wmean(df, y, w):
    return float(np.sum(df[y] * w) / np.sum(w))


# --- R reference numbers -----------------------------------------------------------------------


def test_stratified_mean_and_total(dstrat, apistrat):
    m = svymean(dstrat, "api00").loc["api00"]
    assert m["estimate"] == pytest.approx(_wmean(apistrat, "api00", apistrat["pw"]), rel=1e-10)
    assert round(m["estimate"], 2) == 662.29 and abs(m["se"] - 9.4089) < 5e-5  # api.Rout.save
    t = svytotal(dstrat, "enroll").loc["enroll"]
    assert abs(t["estimate"] - 3687178) < 0.5 and abs(t["se"] - 114642) < 0.5
    assert m["n"] == 200


def test_one_stage_cluster_mean_and_total(dclus1, apiclus1):
    m = svymean(dclus1, "api00").loc["api00"]
    assert m["estimate"] == pytest.approx(_wmean(apiclus1, "api00", apiclus1["pw"]), rel=1e-10)
    assert round(m["estimate"], 2) == 644.17 and abs(m["se"] - 23.542) < 5e-4
    t = svytotal(dclus1, "enroll").loc["enroll"]
    assert abs(t["estimate"] - 3404940) < 0.5 and abs(t["se"] - 932235) < 0.5


def test_raked_cluster_design(dclus1r):
    m = svymean(dclus1r, "api00").loc["api00"]
    assert round(m["estimate"], 2) == 641.23 and abs(m["se"] - 23.704) < 5e-4  # rakecheck.Rout.save
    t = svytotal(dclus1r, "enroll").loc["enroll"]
    # R rake() stops at epsilon = 1 school and prints 3647300; calibrate(calfun="raking"), which
    # converges fully like ours, prints 3647280. The SE is 400603 for both.
    assert abs(t["estimate"] - 3647280) < 0.5 and abs(t["se"] - 400603) < 0.5
    assert dclus1r.calibration.converged


def test_calibration_residuals_use_the_original_weights(dclus1r):
    # statistics.md: regressing on the calibrated weights instead would give 23.743, not 23.704
    cal = replace(dclus1r.calibration, weights0=dclus1r.w.copy())
    wrong = replace(dclus1r, calibration=cal, _cache={})
    assert abs(svymean(wrong, "api00").loc["api00", "se"] - 23.743) < 5e-4


def test_poststratified_cluster_design(dclus1):
    d = poststratify(dclus1, "stype", POP_TYPES)
    m = svymean(d, "api00").loc["api00"]
    # api.Rout.save prints SE 23.921; we get 23.92049 (2e-5 relative below R's rounding boundary,
    # unexplained; the same design's total SE below agrees with R to 2e-6). Checked to 1e-3.
    assert round(m["estimate"], 2) == 642.31 and abs(m["se"] - 23.921) < 1e-3
    t = svytotal(d, "enroll").loc["enroll"]
    assert abs(t["estimate"] - 3680893) < 0.5 and abs(t["se"] - 406293) < 0.5


def test_raking_with_a_combination_margin(dclus1):
    d = rake(dclus1, {("stype", "sch.wide"): POP_TYPE_SCHWIDE, "comp.imp": POP_COMPIMP})
    m = svymean(d, "api00").loc["api00"]
    # rakecheck.Rout.save, calibrate(~stype*sch.wide+comp.imp, calfun="raking"): 642.61, 22.731
    # (R rake() with its loose default convergence prints 642.62, 22.732)
    assert round(m["estimate"], 2) == 642.61 and abs(m["se"] - 22.731) < 5e-4
    cells = d.data.groupby(["stype", "sch.wide"])[d.weights].sum()
    assert cells.to_numpy() == pytest.approx(POP_TYPE_SCHWIDE.sort_index().to_numpy(), rel=1e-9)


def test_svyglm_stratified(dstrat):
    out = svyglm("api00 ~ ell + meals + mobility", dstrat).set_index("term")
    coef = [820.8873, -0.4806, -3.1415, 0.2257]
    se = [10.0777, 0.3920, 0.2839, 0.3932]
    assert out["estimate"].to_numpy() == pytest.approx(coef, abs=5e-5)
    assert np.all(np.abs(out["se"].to_numpy() - se) < 5e-5)
    assert out.attrs["df_resid"] == 200 - 3 + 1 - 4  # R: degf + 1 - p
    assert np.all(out["ci_low"] < out["estimate"]) and (out["n"] == 200).all()


def test_svyglm_matrix_interface_equals_formula(dstrat, apistrat):
    X = apistrat[["ell", "meals", "mobility"]].assign(const=1.0)[["const", "ell", "meals", "mobility"]]
    a = svyglm(None, dstrat, X=X, y=apistrat["api00"])
    b = svyglm("api00 ~ ell + meals + mobility", dstrat)
    assert a["estimate"].to_numpy() == pytest.approx(b["estimate"].to_numpy(), rel=1e-10)
    assert a["se"].to_numpy() == pytest.approx(b["se"].to_numpy(), rel=1e-10)


# --- raking, trimming, diagnostics -----------------------------------------------------------


def test_raking_reproduces_every_margin(dclus1r):
    w = dclus1r.data.groupby("stype")[dclus1r.weights].sum()
    assert w.to_dict() == pytest.approx(POP_TYPES, rel=1e-10)
    w = dclus1r.data.groupby("sch.wide")[dclus1r.weights].sum()
    assert w.to_dict() == pytest.approx(POP_SCHWIDE, rel=1e-10)
    assert "pw" in dclus1r.data.columns and dclus1r.weights == "pw_raked"
    assert dclus1r.calibration.weights0 == pytest.approx(dclus1r.data["pw"].to_numpy())


def test_raking_refuses_inconsistent_or_unknown_margins(dclus1):
    with pytest.raises(InputError, match="same total"):
        rake(dclus1, {"stype": POP_TYPES, "sch.wide": {"No": 1, "Yes": 2}})
    with pytest.raises(InputError, match="no population count"):
        rake(dclus1, {"stype": {"E": 5000, "H": 1194}})
    with pytest.raises(InputError, match="no respondents"):
        rake(dclus1, {"stype": {**POP_TYPES, "K": 10}})
    with pytest.raises(InputError) as err:
        rake(dclus1, {"faculty": {"A": 1}})
    assert "\n" not in str(err.value) and "faculty" in str(err.value)


def test_weight_diagnostics_by_hand():
    d = Design(pd.DataFrame({"w": [1.0, 1.0, 2.0, 4.0]}), "w")
    g = weight_diagnostics(d)
    # n Σw²/(Σw)² = 4·22/64; CV² = var/mean² = 1.5/4 (population SD)
    assert g["deff_kish"] == pytest.approx(1.375)
    assert g["deff_kish"] == pytest.approx(1 + g["cv"] ** 2)
    assert g["efficiency"] == pytest.approx(1 / 1.375)
    assert g["n_effective"] == pytest.approx(64 / 22)
    assert (g["n"], g["sum"], g["ratio"]) == (4, 8.0, 4.0)


def test_trimming_caps_weights_and_keeps_the_total():
    w = np.array([1.0] * 9 + [30.0])
    d = Design(pd.DataFrame({"w": w}), "w")
    t = trim_weights(d, upper=10.0)
    assert t.w.max() == pytest.approx(10.0) and t.w.sum() == pytest.approx(w.sum())
    # the 20 units removed are spread over the other nine: 1 + 20/9 each
    assert t.w[:9] == pytest.approx(np.full(9, 1 + 20 / 9))
    default = trim_weights(d)  # median × 5 rule
    assert default.w.max() <= 5 * np.median(w) * (1 + 1e-9) and default.w.sum() == pytest.approx(w.sum())


# --- domains -----------------------------------------------------------------------------------


def _dense_domain(design, y, mask):
    """Textbook domain estimator: ratio of totals, scores zero outside the domain."""
    x = design.data[y].to_numpy(float)
    ok = mask & np.isfinite(x)
    w = np.where(ok, design.w, 0.0)
    m = np.sum(w * np.where(ok, x, 0)) / w.sum()
    z = w * (np.where(ok, x, 0) - m) / w.sum()
    return m, float(np.sqrt(design.vcov(z[:, None])[0, 0]))


@pytest.mark.parametrize("which", ["dstrat", "dclus1", "dclus1r"])
def test_by_domain_equals_zero_score_computation(which, request):
    design = request.getfixturevalue(which)
    out = by_domain(design, "api00", ["stype", "awards"])
    assert list(out.columns) == ["stype", "awards", "n", "estimate", "se", "ci_low", "ci_high"]
    for _, r in out.iterrows():
        mask = ((design.data["stype"] == r["stype"]) & (design.data["awards"] == r["awards"])).to_numpy()
        m, se = _dense_domain(design, "api00", mask)
        assert r["estimate"] == pytest.approx(_wmean(design.data[mask], "api00", design.w[mask]), rel=1e-12)
        assert r["estimate"] == pytest.approx(m, rel=1e-12)
        assert r["se"] == pytest.approx(se, rel=1e-8)
        assert r["n"] == mask.sum()


def test_one_domain_for_everyone_reproduces_svymean(dclus1r):
    data = dclus1r.data.assign(all="all")
    out = by_domain(replace(dclus1r, data=data, _cache={}), "api00", ["all"])
    assert abs(out["se"].iloc[0] - 23.704) < 5e-4 and round(out["estimate"].iloc[0], 2) == 641.23


def test_domain_is_not_a_subset_design(dclus1):
    # subsetting drops the districts without elementary schools and so understates the variance
    dom = by_domain(dclus1, "api00", "stype").set_index("stype").loc["H"]
    sub = dclus1.data[dclus1.data["stype"] == "H"]
    naive = svymean(Design(sub, "pw", cluster="dnum", fpc="fpc"), "api00").loc["api00"]
    assert dom["estimate"] == pytest.approx(naive["estimate"])
    assert dom["se"] != pytest.approx(naive["se"], rel=1e-3)


def test_domain_totals_add_up_and_proportions(dstrat):
    tot = by_domain(dstrat, "enroll", "stype", stat="total")
    assert tot["estimate"].sum() == pytest.approx(svytotal(dstrat, "enroll").loc["enroll", "estimate"])
    prop = by_domain(dstrat, "sch.wide", "stype", stat="prop")
    assert set(prop["level"]) == {"No", "Yes"}
    assert prop.groupby("stype")["estimate"].sum().to_numpy() == pytest.approx(1.0)
    # a proportion is the mean of its indicator
    data = dstrat.data.assign(yes=(dstrat.data["sch.wide"] == "Yes").astype(float))
    mean = by_domain(replace(dstrat, data=data, _cache={}), "yes", "stype")
    yes = prop[prop["level"] == "Yes"].reset_index(drop=True)
    assert yes["se"].to_numpy() == pytest.approx(mean["se"].to_numpy(), rel=1e-10)


def test_proportion_of_zero_percent_has_a_finite_interval():
    df = pd.DataFrame({"g": ["a"] * 5 + ["b"] * 5, "job": [0, 0, 0, 0, 0, 1, 0, 1, 1, 0], "w": 2.0})
    out = by_domain(Design(df, "w"), "job", "g", stat="prop").set_index("g")
    assert out.loc["a", "estimate"] == 0 and out.loc["a", "se"] == 0
    assert out.loc["a", "ci_low"] == 0 and 0 < out.loc["a", "ci_high"] < 1
    assert out.loc["b", "ci_low"] < 0.6 < out.loc["b", "ci_high"]


def test_rows_without_domain_or_answer_are_left_out():
    df = pd.DataFrame({
        "g": ["a", "a", None, "b", "b", "b"],
        "y": pd.array([True, False, True, None, True, False], dtype="boolean"),
        "w": [1.0, 2.0, 1.0, 1.0, 1.0, 2.0],
    })
    out = by_domain(Design(df, "w"), "y", "g", stat="prop").set_index("g")
    assert out["n"].to_dict() == {"a": 2, "b": 2}
    assert out["estimate"].to_dict() == pytest.approx({"a": 1 / 3, "b": 1 / 3})


def test_missing_values_stay_in_the_design_with_zero_scores(dstrat):
    data = dstrat.data.copy()
    data.loc[data.index[:10], "api00"] = np.nan
    d = replace(dstrat, data=data, _cache={})
    m = svymean(d, "api00").loc["api00"]
    mask = data["api00"].notna().to_numpy()
    est, se = _dense_domain(d, "api00", mask)
    assert m["n"] == 190 and m["estimate"] == pytest.approx(est) and m["se"] == pytest.approx(se)


# --- proportions, quantiles, design options -----------------------------------------------------


def test_svyprop_categorical_and_boolean(dclus1):
    p = svyprop(dclus1, "stype")
    assert list(p.index) == ["E", "H", "M"] and p["estimate"].sum() == pytest.approx(1.0)
    data = dclus1.data.assign(is_e=dclus1.data["stype"] == "E")
    b = svyprop(replace(dclus1, data=data, _cache={}), "is_e")
    assert b["estimate"].iloc[0] == pytest.approx(p.loc["E", "estimate"])
    assert b["se"].iloc[0] == pytest.approx(p.loc["E", "se"])
    assert (p["ci_low"] < p["estimate"]).all() and (p["estimate"] < p["ci_high"]).all()


def test_svyquantile_math_rule_and_woodruff_interval():
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "w": [1.0, 1.0, 2.0]})
    q = svyquantile(Design(df, "w"), "y", [0.25, 0.5, 0.75])
    # weighted CDF 0.25, 0.5, 1.0 -> smallest y with F(y) >= p
    assert q["estimate"].tolist() == [1.0, 2.0, 3.0]
    rng = np.random.default_rng(1)
    big = pd.DataFrame({"y": rng.lognormal(10, 0.5, 400), "w": rng.uniform(1, 3, 400)})
    r = svyquantile(Design(big, "w"), "y", 0.5).iloc[0]
    assert r["ci_low"] < r["estimate"] < r["ci_high"]
    assert r["se"] == pytest.approx((r["ci_high"] - r["ci_low"]) / (2 * 1.959963984540054))


def test_fpc_as_fraction_equals_fpc_as_population(apistrat):
    n_h = apistrat.groupby("stype")["stype"].transform("size")
    data = apistrat.assign(frac=n_h / apistrat["fpc"])
    a = svymean(Design(data, "pw", strata="stype", fpc="frac"), "api00")
    b = svymean(Design(data, "pw", strata="stype", fpc="fpc"), "api00")
    assert a["se"].iloc[0] == pytest.approx(b["se"].iloc[0], rel=1e-12)
    c = svymean(Design(data, "pw", strata="stype"), "api00")  # with replacement: larger
    assert c["se"].iloc[0] > b["se"].iloc[0]


def test_srs_variance_by_hand():
    y = np.array([1.0, 2.0, 4.0, 7.0])
    d = Design(pd.DataFrame({"y": y}))
    se = svymean(d, "y")["se"].iloc[0]
    assert se == pytest.approx(np.std(y, ddof=1) / 2)  # s/sqrt(n) without fpc
    d = Design(pd.DataFrame({"y": y, "N": 8.0}), fpc="N")
    assert svymean(d, "y")["se"].iloc[0] == pytest.approx(np.std(y, ddof=1) / 2 * np.sqrt(0.5))


def test_design_errors_are_one_line():
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "w": [1.0, np.nan, 1.0], "s": ["a", "b", "b"]})
    with pytest.raises(InputError) as err:
        Design(df, "w")
    assert "row 3" in str(err.value) and "'w'" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(InputError, match="missing"):
        Design(df, "weight")
    lonely = Design(df.assign(w=1.0), "w", strata="s")
    with pytest.raises(InputError, match="single PSU"):
        svymean(lonely, "y")
    adj = Design(df.assign(w=1.0), "w", strata="s", lonely_psu="adjust")
    assert np.isfinite(svymean(adj, "y")["se"].iloc[0])

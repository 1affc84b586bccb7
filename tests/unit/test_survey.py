"""Design-based estimation against R survey's published outputs and by hand.

R outputs quoted from cran/survey `tests/testoutput/api.Rout.saved` and `tests/rakecheck.Rout.save`.
Every R number is compared as R prints it: ``r_print_se`` / ``r_print_est`` / ``r_coefmat`` below
reproduce R's ``print.svystat`` and ``printCoefmat`` formatting (helpers for the tests only; the
other ``test_survey_*.py`` files import them from here). Point estimates are also checked against an
independent numpy computation at 1e-10 relative.
"""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.stats.survey import (
    Design,
    by_domain,
    domain_estimates,
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


# --- how R prints numbers (tests only) ----------------------------------------------------------


def _r_scientific(x: float, digits: int) -> tuple[int, int, int, bool]:
    """R ``scientific()`` (src/main/format.c): sign, power of ten, significant digits, widening."""
    if x == 0:
        return 0, 0, 1, False
    r = abs(x)
    kp = math.floor(math.log10(r)) - digits + 1
    alpha = Decimal(r).scaleb(-kp)  # exact, as R's long-double scaling
    if alpha < 10 ** (digits - 1):
        alpha *= 10
        kp -= 1
    a = int(alpha.to_integral_value(rounding=ROUND_HALF_EVEN))
    nsig = digits
    for _ in range(digits):
        if a % 10:
            break
        a //= 10
        nsig -= 1
    if nsig == 0:
        nsig, kp = 1, kp + 1
    kpower = kp + digits - 1
    widens = 0 < kpower <= 22 and r < 10.0**kpower
    return int(x < 0), kpower, nsig, widens


def r_format(values, digits: int) -> list[str]:
    """R ``format(x, digits=)`` of a numeric vector: common decimals, fixed unless wider than "e"."""
    vals = [float(v) for v in np.atleast_1d(values)]
    neg = mxsl = mxns = 0
    rgt = -(10**9)
    for v in vals:
        neg_i, kpower, nsig, widens = _r_scientific(v, digits)
        left = kpower + 1 - int(widens)
        mxsl = max(mxsl, neg_i + (1 if left <= 0 else left))
        rgt = max(rgt, nsig - left)
        mxns = max(mxns, nsig)
        neg = max(neg, neg_i)
    rgt = max(rgt, 0)
    w_fixed = mxsl + rgt + (rgt != 0)
    w_sci = neg + (mxns > 1) + mxns + 4
    if w_fixed <= w_sci:
        return [f"{v:.{rgt}f}" for v in vals]
    return [f"{v:.{mxns - 1}e}" for v in vals]


def r_print_se(x: float) -> str:
    """An SE as R ``print.svystat`` shows it: rounded to 4 decimals, then 5 significant digits."""
    return r_format([round(float(x), 4)], 5)[0]


def r_print_est(x: float) -> str:
    """An estimate as R ``print.svystat`` shows it (printCoefmat, digits 5, one statistic)."""
    digmin = 1 + math.floor(math.log10(abs(x))) if x else 1
    return r_format([round(float(x), max(1, 5 - digmin))], 5)[0]


def r_coefmat(est, se, digits: int = 4) -> tuple[list[str], list[str]]:
    """Estimate and Std. Error columns as R ``summary.svyglm`` prints them (printCoefmat, digits 4)."""
    both = np.concatenate([np.asarray(est, float), np.asarray(se, float)])
    nz = np.abs(both[both != 0])
    digmin = 1 + math.floor(math.log10(nz.min())) if len(nz) else 1
    text = r_format(np.round(both, max(1, digits - digmin)), digits)
    return text[: len(both) // 2], text[len(both) // 2 :]


def test_r_print_helpers_reproduce_r_formatting():
    # print.svystat: SE rounded to 4 decimals, then 5 significant digits (printCoefmat tst column)
    assert r_print_se(23.920486) == "23.921" and r_print_se(9.40889) == "9.4089"
    assert r_print_se(114642.31) == "114642" and r_print_se(0.0247099) == "0.0247"
    assert r_print_est(662.28743) == "662.29" and r_print_est(3687177.9) == "3687178"
    # summary.svyglm: estimates and SEs formatted together with digits 4 (R vignette, dclus1)
    assert r_coefmat([817.18229, -0.5087967, -3.1455892], [18.670893, 0.3259227, 0.3018025]) == (
        ["817.1823", "-0.5088", "-3.1456"], ["18.6709", "0.3259", "0.3018"])
    assert r_format([0.0028990, 0.0075100, 0.0511720], 3) == ["0.00290", "0.00751", "0.05117"]
    assert r_format([0.84970871], 7) == ["0.8497087"] and r_format([99999.7], 5) == ["100000"]


# --- R reference numbers -----------------------------------------------------------------------


def test_stratified_mean_and_total(dstrat, apistrat):
    m = svymean(dstrat, "api00").loc["api00"]
    assert m["estimate"] == pytest.approx(_wmean(apistrat, "api00", apistrat["pw"]), rel=1e-10)
    assert (r_print_est(m["estimate"]), r_print_se(m["se"])) == ("662.29", "9.4089")  # api.Rout.saved
    t = svytotal(dstrat, "enroll").loc["enroll"]
    assert (r_print_est(t["estimate"]), r_print_se(t["se"])) == ("3687178", "114642")
    assert m["n"] == 200


def test_one_stage_cluster_mean_and_total(dclus1, apiclus1):
    m = svymean(dclus1, "api00").loc["api00"]
    assert m["estimate"] == pytest.approx(_wmean(apiclus1, "api00", apiclus1["pw"]), rel=1e-10)
    assert (r_print_est(m["estimate"]), r_print_se(m["se"])) == ("644.17", "23.542")
    t = svytotal(dclus1, "enroll").loc["enroll"]
    assert (r_print_est(t["estimate"]), r_print_se(t["se"])) == ("3404940", "932235")


def test_raked_cluster_design(dclus1r):
    m = svymean(dclus1r, "api00").loc["api00"]
    assert (r_print_est(m["estimate"]), r_print_se(m["se"])) == ("641.23", "23.704")  # rakecheck.Rout.save
    t = svytotal(dclus1r, "enroll").loc["enroll"]
    # R rake() stops at epsilon = 1 school and prints 3647300; calibrate(calfun="raking"), which
    # converges fully like ours, prints 3647280. The SE is 400603 for both.
    assert (r_print_est(t["estimate"]), r_print_se(t["se"])) == ("3647280", "400603")
    assert dclus1r.calibration.converged


def test_calibration_residuals_use_the_original_weights(dclus1r):
    # regressing on the calibrated weights instead would give 23.743, not R's 23.704
    cal = replace(dclus1r.calibration, weights0=dclus1r.w.copy())
    wrong = replace(dclus1r, calibration=cal, _cache={})
    assert r_print_se(svymean(wrong, "api00").loc["api00", "se"]) == "23.743"


def test_poststratified_cluster_design(dclus1):
    d = poststratify(dclus1, "stype", POP_TYPES)
    m = svymean(d, "api00").loc["api00"]
    # api.Rout.saved prints SE 23.921: R rounds 23.920486 to 23.9205 first, then to 5 digits
    assert (r_print_est(m["estimate"]), r_print_se(m["se"])) == ("642.31", "23.921")
    t = svytotal(d, "enroll").loc["enroll"]
    assert (r_print_est(t["estimate"]), r_print_se(t["se"])) == ("3680893", "406293")


def test_raking_with_a_combination_margin(dclus1):
    d = rake(dclus1, {("stype", "sch.wide"): POP_TYPE_SCHWIDE, "comp.imp": POP_COMPIMP})
    m = svymean(d, "api00").loc["api00"]
    # rakecheck.Rout.save, calibrate(~stype*sch.wide+comp.imp, calfun="raking"): 642.61, 22.731
    # (R rake() with its loose default convergence prints 642.62, 22.732)
    assert (r_print_est(m["estimate"]), r_print_se(m["se"])) == ("642.61", "22.731")
    cells = d.data.groupby(["stype", "sch.wide"])[d.weights].sum()
    assert cells.to_numpy() == pytest.approx(POP_TYPE_SCHWIDE.sort_index().to_numpy(), rel=1e-9)


def test_svyglm_stratified(dstrat):
    out = svyglm("api00 ~ ell + meals + mobility", dstrat).set_index("term")
    # R survey 4.5, summary.svyglm (tests/testoutput/api.Rout.saved, printed with digits 4)
    assert r_coefmat(out["estimate"], out["se"]) == (
        ["820.8873", "-0.4806", "-3.1415", "0.2257"], ["10.0777", "0.3920", "0.2839", "0.3932"])
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


@pytest.mark.parametrize("which", ["dstrat", "dclus1", "dclus1r"])
@pytest.mark.parametrize("stat", ["mean", "total"])
def test_domain_estimates_on_arrays_are_by_domain_to_the_bit(which, stat, request):
    # the results table's path: codes and values as arrays, the design's cached linearisation reused
    design = request.getfixturevalue(which)
    y = design.data["api00"].to_numpy(float).copy()
    y[::7] = np.nan  # missing answers leave the domain, not the design
    data = design.data.assign(y=y)
    ref = by_domain(replace(design, data=data, _cache={}), "y", "stype", stat=stat)
    codes, labels = pd.factorize(design.data["stype"], sort=True)
    n, est, se = domain_estimates(design, y, codes, len(labels), stat=stat)
    assert list(labels) == list(ref["stype"])
    assert n.tolist() == ref["n"].tolist()
    assert est.tolist() == ref["estimate"].tolist() and se.tolist() == ref["se"].tolist()
    # a second variable on the same design object reuses its stages (nothing rebuilt, same numbers)
    stages = design._stages
    n2, est2, _ = domain_estimates(design, np.ones(design.n), codes, len(labels), stat=stat)
    assert design._stages is stages
    assert n2.tolist() == np.bincount(codes).tolist()
    if stat == "mean":
        assert est2 == pytest.approx(1.0)


def test_one_domain_for_everyone_reproduces_svymean(dclus1r):
    data = dclus1r.data.assign(all="all")
    out = by_domain(replace(dclus1r, data=data, _cache={}), "api00", ["all"])
    assert (r_print_est(out["estimate"].iloc[0]), r_print_se(out["se"].iloc[0])) == ("641.23", "23.704")


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


def test_share_intervals_are_the_one_survey_proportion_ci(dclus1):
    from analysis.stats.intervals import survey_proportion_ci

    p = svyprop(dclus1, "stype")
    lo, hi = survey_proportion_ci(p["estimate"], p["se"], p["n"])
    assert p["ci_low"].tolist() == lo.tolist() and p["ci_high"].tolist() == hi.tolist()
    dom = by_domain(dclus1, "sch.wide", "stype", stat="prop")
    lo, hi = survey_proportion_ci(dom["estimate"].clip(0, 1), dom["se"], dom["n"])
    assert dom["ci_low"].tolist() == lo.tolist() and dom["ci_high"].tolist() == hi.tolist()


def test_korn_graubard_shares_use_the_design_and_domain_degrees_of_freedom(dclus1):
    from analysis.stats.intervals import survey_proportion_ci

    data = dclus1.data.assign(no_ell=dclus1.data["ell"] == 0)
    d = replace(dclus1, data=data, _cache={})
    whole = svyprop(d, "no_ell", ci_method="korn_graubard").iloc[0]
    assert whole["estimate"] == pytest.approx(4 / 183)  # equal weights: 4 of 183 schools
    lo, hi = survey_proportion_ci(whole["estimate"], whole["se"], 183, "korn_graubard", df=14)
    assert (whole["ci_low"], whole["ci_high"]) == (lo, hi)
    # by domain (R svyby on subsets): n = the domain's schools, df = its districts - 1
    dom = by_domain(d, "no_ell", "stype", stat="prop", ci_method="korn_graubard").set_index("stype")
    districts = data.groupby("stype")["dnum"].nunique()
    lo, hi = survey_proportion_ci(dom["estimate"].clip(0, 1), dom["se"], dom["n"], "korn_graubard",
                                  df=(districts - 1).loc[dom.index])
    assert dom["ci_low"].tolist() == lo.tolist() and dom["ci_high"].tolist() == hi.tolist()
    assert (dom["ci_high"] > by_domain(d, "no_ell", "stype", stat="prop").set_index("stype")["ci_high"]).all()


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

"""Non-response analyses: Newcombe's interval (published values), propensity weighting that undoes a
simulated attrition, planted differences found and null ones not, cohort comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.stats import nonresponse as nr
from analysis.stats import propensity as pr
from analysis.stats.survey import Design, rake


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


# ------------------------------------------------------------------------------------- Newcombe


@pytest.mark.parametrize("x1,n1,x2,n2,d,lo,hi", [
    # Newcombe (1998), Stat. Med. 17:873, Table II, method 10 (hybrid score, no continuity correction)
    (56, 70, 48, 80, 0.2000, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.6000, 0.1705, 0.8090),
    (5, 56, 0, 29, 0.0893, -0.0381, 0.1926),
    (0, 10, 0, 20, 0.0, -0.1611, 0.2775),
    (10, 10, 0, 20, 1.0, 0.6791, 1.0000),
])
def test_newcombe_hybrid_score_interval_published_examples(x1, n1, x2, n2, d, lo, hi):
    est, low, high = nr.newcombe_diff_ci(x1, n1, x2, n2)
    assert est == pytest.approx(d, abs=5e-5)
    assert low == pytest.approx(lo, abs=5e-5)
    assert high == pytest.approx(hi, abs=5e-5)


def test_newcombe_without_observations_is_nan():
    assert all(np.isnan(v) for v in nr.newcombe_diff_ci(3, 0, 2, 5))


# ------------------------------------------------------------------------------------- simulated cohort


def _cohort(n: int = 4000, seed: int = 7, planted: bool = True) -> pd.DataFrame:
    """Graduates; phase-2 response depends on the phase-1 plan (work abroad: low) and on gpa."""
    rng = np.random.default_rng(seed)
    fac = rng.choice(["PED", "ECON", "ENG", "LAW"], size=n, p=[0.35, 0.3, 0.2, 0.15])
    sex = rng.choice(["female", "male"], size=n, p=[0.6, 0.4])
    level = rng.choice(["bachelor", "master"], size=n, p=[0.85, 0.15])
    gpa = np.round(rng.normal(3.3, 0.4, n), 2)
    plan = rng.choice(["work", "work_abroad", "further_study"], size=n, p=[0.65, 0.2, 0.15])
    r1 = rng.random(n) < 0.85
    logit2 = 0.6 + (-1.8 * (plan == "work_abroad") + 0.8 * (gpa - 3.3) if planted else 0.0)
    r2 = rng.random(n) < _expit(logit2)
    r2 |= ~r1 & (rng.random(n) < 0.3)  # some reached only in phase 2
    abroad = np.where(plan == "work_abroad", rng.random(n) < 0.7, rng.random(n) < 0.05)
    g = pd.DataFrame({
        "pid": [f"G-{i:05d}" for i in range(n)], "faculty": fac, "sex": sex, "level": level,
        "funding": rng.choice(["contract", "state"], size=n), "gpa": gpa,
        "plan": np.where(r1, plan, None),
        "job_status": np.where(r1, rng.choice(["searching", "has_job"], size=n), None),
        "sat_studies": np.where(r1, rng.integers(1, 6, n).astype(str), None),
        "resp_p1": pd.array(r1, dtype="boolean"), "resp_p2": pd.array(r2, dtype="boolean"),
        "abroad": pd.array(np.where(r2, abroad, False), dtype="boolean"),
    })
    g.loc[~r2, "abroad"] = pd.NA
    return g


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    return _cohort()


def _raked(g: pd.DataFrame) -> Design:
    resp = g[g["resp_p2"].to_numpy(bool)].copy()
    resp["w0"] = len(g) / len(resp)
    margins = {("faculty", "sex"): g.groupby(["faculty", "sex"]).size(), "level": g.groupby("level").size()}
    return rake(Design(resp, weights="w0"), margins, new_weights="weight")


def _abroad_share(design: Design) -> float:
    """Weighted share planning to work abroad among phase-2 respondents who answered phase 1."""
    p1 = design.data["resp_p1"].to_numpy(bool)
    x = design.data["plan"].to_numpy(dtype=object)[p1] == "work_abroad"
    return float(np.sum(design.w[p1] * x) / design.w[p1].sum())


def test_propensity_weights_restore_a_margin_distorted_by_attrition(cohort):
    g = cohort
    p1 = g[g["resp_p1"].to_numpy(bool)]
    truth = float((p1["plan"] == "work_abroad").mean())  # among all phase-1 respondents
    raked = _raked(g)
    adj = pr.propensity_adjust(g, raked, predictors=("faculty", "sex", "level", "gpa", "plan"))
    # the phase-2 respondents under-represent planned emigrants; raking on faculty/sex/level cannot see it
    raked_share, adj_share = _abroad_share(raked), _abroad_share(adj)
    assert truth - raked_share > 0.07
    assert abs(adj_share - truth) < 0.02
    # registry margins hold exactly after re-raking
    for (f, s), count in g.groupby(["faculty", "sex"]).size().items():
        m = (adj.data["faculty"] == f).to_numpy() & (adj.data["sex"] == s).to_numpy()
        assert adj.w[m].sum() == pytest.approx(count, rel=1e-8)
    diag = pr.propensity_diagnostics(adj)
    assert 0.6 < diag["auc"] < 0.9
    assert len(diag["classes"]) == 5 and diag["factor_max"] > 1 > diag["factor_min"]
    assert [c["mean_propensity"] for c in diag["classes"]] == sorted(c["mean_propensity"] for c in diag["classes"])
    assert 0 < diag["efficiency_after"] <= 1 and diag["margins_used"] == [["faculty", "sex"], ["level"]]
    assert diag["n_phase2_without_phase1"] == int((g["resp_p2"].to_numpy(bool) & ~g["resp_p1"].to_numpy(bool)).sum())


def test_propensity_accepts_weights_series_or_nothing(cohort):
    g = cohort
    w = pd.Series(np.where(g["resp_p2"].to_numpy(bool), 2.0, np.nan), index=g.index)
    a = pr.propensity_adjust(g, w, predictors=("faculty", "plan"), trim=None)
    b = pr.propensity_adjust(g, None, predictors=("faculty", "plan", "not_a_column"))
    assert a.n == b.n == int(g["resp_p2"].sum())
    assert a.w.sum() == pytest.approx(len(g)) and b.w.sum() == pytest.approx(len(g))
    assert pr.propensity_diagnostics(b)["predictors_missing"] == ["not_a_column"]


def test_propensity_without_attrition_pattern_changes_little():
    g = _cohort(3000, seed=3, planted=False)
    adj = pr.propensity_adjust(g, _raked(g), predictors=("faculty", "sex", "gpa", "plan"))
    d = pr.propensity_diagnostics(adj)
    assert d["auc"] < 0.6
    assert 0.8 < d["factor_min"] <= d["factor_max"] < 1.25


# ------------------------------------------------------------------------------------- comparisons


def test_respondent_comparison_finds_planted_difference_and_not_a_null_one(cohort):
    out = nr.respondent_comparison(cohort, registry_vars=("gpa", "sex"), phase1_vars=("plan", "sat_studies"))
    gpa = out[(out["variable"] == "gpa")].iloc[0]
    assert gpa["statistic"] == "mean" and gpa["universe"] == "all graduates"
    assert gpa["difference"] > 0 and gpa["p_value"] < 1e-6 and gpa["imbalance"]
    sex = out[out["variable"] == "sex"]
    assert (sex["p_value"] > 0.05).all() and (sex["std_diff"].abs() < 0.1).all()
    assert sex["respondents"].sum() == pytest.approx(1.0)
    plan = out[(out["variable"] == "plan") & (out["level"] == "work_abroad")].iloc[0]
    assert plan["universe"] == "phase-1 respondents" and plan["difference"] < 0 and plan["p_value"] < 1e-6
    sat = out[out["variable"] == "sat_studies"].iloc[0]           # answers '1'–'5' compared as a mean
    assert sat["statistic"] == "mean" and sat["p_value"] > 0.05
    p1 = cohort[cohort["resp_p1"].to_numpy(bool)]
    assert plan["n_respondents"] == int(p1["resp_p2"].sum())


def _respondents_with_dates(n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    dates = pd.Timestamp("2026-03-01") + pd.to_timedelta(np.arange(n) // 10, unit="D")
    early = np.arange(n) < n // 3
    emp = np.where(early, rng.random(n) < 0.5, rng.random(n) < 0.85)
    g = pd.DataFrame({
        "pid": [f"G-{i:04d}" for i in range(n)],
        "resp_p2": pd.array(np.ones(n, bool), dtype="boolean"),
        "p2_survey_date": dates,
        "employed": pd.array(emp, dtype="boolean"),
        "hm_subjective": pd.array(rng.random(n) < 0.6, dtype="boolean"),
        "income_stat": rng.normal(20000, 3000, n),
        "p2_mode": rng.choice(["online", "phone", "paper"], size=n, p=[0.6, 0.3, 0.1]),
    })
    return g.sample(frac=1.0, random_state=0)  # order of rows must not matter


def test_early_late_compares_first_and_last_third():
    g = _respondents_with_dates()
    out = nr.early_late(g).set_index("outcome")
    assert out.attrs["group_size"] == 100 and out.attrs["early_until"] < out.attrs["late_from"]
    emp = out.loc["employed"]
    assert emp["n_early"] == emp["n_late"] == 100
    assert emp["difference"] > 0.2 and emp["p_value"] < 1e-4 and emp["ci_low"] > 0
    assert out.loc["hm_subjective", "p_value"] > 0.05
    assert out.loc["income_stat", "test"] == "Mann-Whitney U"
    assert nr.early_late(g.drop(columns="p2_survey_date")).empty


def test_by_mode_detects_a_mode_difference():
    g = _respondents_with_dates(600)
    phone = g["p2_mode"].to_numpy(dtype=object) == "phone"
    high = np.random.default_rng(4).random(len(g)) < 0.95
    g["hm_subjective"] = pd.array(np.where(phone, high, g["hm_subjective"].to_numpy(bool)), dtype="boolean")
    g["faculty"], g["sex"], g["level"] = "PED", np.where(np.arange(len(g)) % 2, "male", "female"), "bachelor"
    out = nr.by_mode(g)
    hm = out[out["outcome"] == "hm_subjective"].set_index("mode")
    assert set(hm.index) == {"online", "paper", "phone"} and hm.loc["phone", "estimate"] > 0.9
    assert hm.loc["online", "n"] + hm.loc["paper", "n"] + hm.loc["phone", "n"] == 600
    assert hm["p_value"].iloc[0] < 1e-6 and hm["p_adjusted"].iloc[0] < 1e-6
    assert out[out["outcome"] == "income_stat"]["test"].iloc[0] == "Kruskal-Wallis"
    assert nr.by_mode(g.drop(columns="p2_mode")).empty

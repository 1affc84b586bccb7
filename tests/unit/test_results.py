"""The results layer (analysis.results.table): one estimator per kind, checked by hand and against the
reference numbers of R's binom and survey packages; hierarchy; the cohort's settings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.results import table as R
from analysis.stats.survey import Design, by_domain, svyquantile

ST = R.Settings(confidence=0.95, ci_method="wilson", weighted_ci_method="wilson")


def _groups(n: int, label: str = "all") -> pd.Series:
    return pd.Series(label, index=range(n), dtype="string")


# ----------------------------------------------------------------- unweighted and census shares
def test_unweighted_share_uses_the_configured_interval_binom_reference():
    y = pd.Series([1.0] * 4 + [0.0] * 16)
    r = R.share_rows(y, _groups(20), ST).iloc[0]
    assert (r["n"], r["x"], r["N"]) == (20, 4, 20)
    assert r["unweighted_ci_low"] == pytest.approx(0.0806577, abs=1e-7)   # R binom: Wilson
    assert r["unweighted_ci_high"] == pytest.approx(0.4160174, abs=1e-7)
    assert r["basis"] == "unweighted" and r["ci_low"] == r["unweighted_ci_low"]
    cp = R.share_rows(y, _groups(20), R.Settings(0.95, "clopper_pearson", "wilson")).iloc[0]
    assert (cp["unweighted_ci_low"], cp["unweighted_ci_high"]) == pytest.approx((0.0573340, 0.4366140), abs=1e-7)


def test_qilt_interval_uses_the_registry_population_and_the_configured_level():
    # QILT (90 % Agresti–Coull with FPC): 60 of 80 respondents, N = 120 graduates → 0.6959–0.7877
    y = pd.Series([1.0] * 60 + [0.0] * 20 + [np.nan] * 40)
    r = R.share_rows(y, _groups(120), R.Settings(0.90, "qilt", "wilson")).iloc[0]
    assert r["N"] == 120
    assert (r["unweighted_ci_low"], r["unweighted_ci_high"]) == pytest.approx((0.6959, 0.7877), abs=5e-5)


def test_census_share_is_exact():
    y = pd.Series([1.0] * 30 + [0.0] * 70)
    r = R.share_rows(y, _groups(100), ST, census=True).iloc[0]
    assert r["basis"] == "census" and r["estimate"] == 0.3 and np.isnan(r["ci_low"])


# ----------------------------------------------------------------- weighted (design-based)
def _design(seed: int = 1) -> tuple[pd.DataFrame, Design]:
    rng = np.random.default_rng(seed)
    n_all = 400
    g = pd.DataFrame({"faculty": rng.choice(["A", "B", "C"], n_all), "sex": rng.choice(["f", "m"], n_all)})
    g["resp"] = rng.random(n_all) < np.where(g["sex"] == "f", 0.7, 0.45)
    g["y"] = (rng.random(n_all) < np.where(g["faculty"] == "A", 0.7, 0.5)).astype(float)
    resp = g[g["resp"]].copy()
    resp["w"] = n_all / len(resp) * rng.uniform(0.8, 1.2, len(resp))
    resp["N"] = float(n_all)
    return g, Design(resp, weights="w", fpc="N")


def test_weighted_share_is_the_verified_domain_estimator_with_wilson_on_the_effective_n():
    from analysis.stats.intervals import proportion_ci

    g, d = _design()
    values = g["y"].where(g["resp"])
    rows = R.share_rows(values, R.domain_groups(g, "faculty"), ST, design=d).set_index("group")
    data = d.data.assign(_y=values.reindex(d.data.index))
    ref = by_domain(Design(data, weights="w", fpc="N"), "_y", ["faculty"], stat="mean").set_index("faculty")
    for f in "ABC":
        r = rows.loc[f]
        assert r["basis"] == "weighted" and r["ci_method"] == "wilson_neff"
        assert r["estimate"] == pytest.approx(ref.loc[f, "estimate"], rel=1e-12)
        assert r["se"] == pytest.approx(ref.loc[f, "se"], rel=1e-12)
        neff = r["estimate"] * (1 - r["estimate"]) / r["se"] ** 2
        lo, hi = proportion_ci(r["estimate"] * neff, neff, "wilson", alpha=0.05)
        assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi), rel=1e-12)
        f_srs = 1 - d.n / 400
        assert r["deff"] == pytest.approx(r["se"] ** 2 / (f_srs * r["estimate"] * (1 - r["estimate"]) / r["n"]))
        assert r["unweighted"] == pytest.approx(g.loc[g["resp"] & (g["faculty"] == f), "y"].mean())


def test_a_lower_confidence_narrows_every_interval():
    g, d = _design()
    values = g["y"].where(g["resp"])
    a = R.share_rows(values, R.domain_groups(g, "faculty"), ST, design=d)
    b = R.share_rows(values, R.domain_groups(g, "faculty"), R.Settings(0.90, "wilson", "wilson"), design=d)
    assert ((b["ci_high"] - b["ci_low"]) < (a["ci_high"] - a["ci_low"])).all()
    width_b = b["unweighted_ci_high"] - b["unweighted_ci_low"]
    assert (width_b < (a["unweighted_ci_high"] - a["unweighted_ci_low"])).all()


def test_weighted_mean_and_median_keep_the_whole_design_in_the_variance():
    g, d = _design(2)
    g["v"] = np.arange(len(g), dtype=float) % 17
    values = g["v"].where(g["resp"])
    m = R.mean_rows(values, R.domain_groups(g, "sex"), ST, design=d).set_index("group")
    ref = by_domain(Design(d.data.assign(_y=values.reindex(d.data.index)), weights="w", fpc="N"), "_y", ["sex"],
                    stat="mean").set_index("sex")
    assert m.loc["f", "estimate"] == pytest.approx(ref.loc["f", "estimate"])
    assert m.loc["f", "ci_low"] == pytest.approx(ref.loc["f", "estimate"] - ST.z * ref.loc["f", "se"])
    med = R.median_rows(values, R.domain_groups(g, "sex"), ST, design=d).set_index("group")
    y = values.reindex(d.data.index).where(d.data["sex"] == "m")
    q = svyquantile(Design(d.data.assign(_y=y), weights="w", fpc="N"), "_y", 0.5).iloc[0]
    assert (med.loc["m", "estimate"], med.loc["m", "ci_low"], med.loc["m", "ci_high"]) == (
        q["estimate"], q["ci_low"], q["ci_high"])
    assert med.loc["m", "ci_method"] == "woodruff"


def test_total_rows_sum_unweighted_and_estimate_weighted_totals():
    g, d = _design(3)
    values = g["resp"].astype(float).where(g["resp"])
    t = R.total_rows(values, R.domain_groups(g, "all"), ST, design=d).iloc[0]
    assert t["unweighted"] == g["resp"].sum() and t["estimate"] == pytest.approx(d.data["w"].sum())


# ----------------------------------------------------------------- differences between cohorts
def test_difference_of_shares_uses_newcombe_and_a_chi_square_test():
    cur = R.share_rows(pd.Series([1.0] * 56 + [0.0] * 14), _groups(70), ST).assign(
        indicator="response_rate_p2", domain="all", category="", unit="share")
    prev = R.share_rows(pd.Series([1.0] * 48 + [0.0] * 32), _groups(80), ST).assign(
        indicator="response_rate_p2", domain="all", category="", unit="share")
    d = R.difference_rows(cur, prev, ST).iloc[0]
    assert d["estimate"] == pytest.approx(0.2)
    assert (d["ci_low"], d["ci_high"]) == pytest.approx((0.0524, 0.3339), abs=5e-5)  # Newcombe (1998) method 10
    from scipy.stats import chi2

    chi = 150 * (56 * 32 - 14 * 48) ** 2 / (70 * 80 * 104 * 46)
    assert d["p_value"] == pytest.approx(chi2.sf(chi, 1), rel=1e-9)
    assert d["n"] == 70 and d["ci_method"] == "newcombe"


# ----------------------------------------------------------------- groups, hierarchy, the registry
def test_domain_groups_and_hierarchy():
    g = pd.DataFrame({"programme": ["P1", "P1", "P2", "P3"], "faculty": ["F", "F", "F", "G"],
                      "sex": ["f", "m", "f", "m"]})
    assert R.domain_groups(g, "programme×sex").tolist() == ["P1|f", "P1|m", "P2|f", "P3|m"]
    h = R.hierarchy(g)
    rel = set(map(tuple, h.to_numpy()))
    assert ("programme", "P2", "faculty", "F") in rel and ("faculty", "G", "all", "all") in rel
    assert ("programme×sex", "P1|m", "programme", "P1") in rel
    assert ("programme×sex", "P1|m", "faculty×sex", "F|m") in rel
    assert ("faculty×sex", "F|f", "sex", "f") in rel


def test_registry_rows_say_not_measured_when_a_question_was_not_asked():
    from analysis.derive.registry import get_indicator

    g = pd.DataFrame({"resp_p2": pd.array([True, True, False], dtype="boolean"),
                      "faculty": ["A", "A", "B"], "programme": ["a", "a", "b"], "sex": ["f", "m", "f"],
                      "level": ["bachelor"] * 3, "funding": ["state"] * 3})
    out = R.registry_rows(g, {}, ST, [get_indicator("employment_rate")])
    assert out["note"].tolist() == ["not measured"] and out["n"].tolist() == [0.0]


def test_finish_flags_where_weighting_changes_a_conclusion():
    rows = pd.DataFrame([{"indicator": "x", "statistic": "share", "basis": "weighted", "estimate": 0.5,
                          "ci_low": 0.45, "ci_high": 0.55, "unweighted": 0.40},
                         {"indicator": "y", "statistic": "share", "basis": "weighted", "estimate": 0.5,
                          "ci_low": 0.45, "ci_high": 0.55, "unweighted": 0.52}])
    out = R.finish([rows], ST)
    assert out["weighting_changes"].tolist() == [True, False]
    assert list(out.columns) == list(R.COLUMNS) and (out["confidence"] == 0.95).all()


# ----------------------------------------------------------------- time to a first job as a reader asks it
def _timing_cohort() -> pd.DataFrame:
    """Ten phase-2 respondents and two non-respondents, by hand: 3 had a job at graduation (time 0), 4 found one
    after it (1, 2, 4 and 7 months), 1 employed without a start month, 1 still searching (censored at 9
    months), 1 in further study (competing event)."""
    rows = [(0.0, 1), (0.0, 1), (0.0, 1), (1.0, 1), (2.0, 1), (4.0, 1), (7.0, 1), (np.nan, 1), (9.0, 0), (9.0, 2)]
    g = pd.DataFrame({"months_to_first_job": [r[0] for r in rows] + [np.nan, np.nan],
                      "first_job_event": pd.array([r[1] for r in rows] + [pd.NA, pd.NA], dtype="Int64"),
                      "resp_p2": pd.array([True] * 10 + [False] * 2, dtype="boolean")})
    g["faculty"] = ["A"] * 6 + ["B"] * 6
    for col in ("programme", "sex", "level", "funding"):
        g[col] = "x"
    return g


def test_job_at_graduation_and_the_median_wait_of_the_others_by_hand():
    from analysis.results.families import first_job_timing_rows

    g = _timing_cohort()
    # 9 of 10 dated (the undated employed one is 1 of 8 who found a job: 87.5 % dated ≥ 80 %)
    rows = first_job_timing_rows(g, ST).set_index(["indicator", "domain", "group"])
    share = rows.loc[("job_at_graduation_share", "all", "all")]
    # universe: 10 respondents minus the employed one without a start month = 9; 3 of them at time 0
    assert (share["n"], share["x"]) == (9, 3) and share["estimate"] == pytest.approx(1 / 3)
    assert share["basis"] == "unweighted" and share["ci_low"] < 1 / 3 < share["ci_high"]
    wait = rows.loc[("months_to_first_job_after_graduation", "all", "all")]
    assert wait["n"] == 4 and wait["estimate"] == pytest.approx(3.0)  # median of 1, 2, 4, 7
    fac_a = rows.loc[("job_at_graduation_share", "faculty", "A")]
    assert (fac_a["n"], fac_a["x"]) == (6, 3)  # A: the three at graduation and 1, 2, 4 months
    assert rows.loc[("months_to_first_job_after_graduation", "faculty", "B"), "estimate"] == pytest.approx(7.0)


def test_job_timing_rows_say_why_without_phase_two_or_dates():
    from analysis.results.families import first_job_timing_rows

    g = _timing_cohort()
    none = first_job_timing_rows(g.assign(resp_p2=pd.array([False] * 12, dtype="boolean")), ST)
    assert list(none["note"]) == ["no data: no_phase2", "no data: no_phase2"]
    undated = g.copy()
    undated.loc[[3, 4, 5], "months_to_first_job"] = np.nan  # 4 of 8 who found a job dated: below 80 %
    rows = first_job_timing_rows(undated, ST)
    assert set(rows["indicator"]) == {"job_at_graduation_share", "months_to_first_job_after_graduation"}
    assert (rows["note"] == "no data: no_dates").all() and "estimate" not in rows
    assert first_job_timing_rows(g.drop(columns="first_job_event"), ST).empty

"""Outcome models: recovery of known effects on simulated data, predictor handling, recorded failures.

Expected values come from the simulation design (the coefficients the data were generated with) or
from published results (R ``MASS::polr`` on the UCLA example; Hanley & McNeil's
AUC as a pair count).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.results import families
from analysis.results.table import Settings
from analysis.stats import models
from analysis.stats import outcome_models as om
from analysis.stats.survey import Design


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


FACULTIES = np.array(["PED", "ECON", "ENG"])  # PED is the largest (prob 0.5)


def _registry(n: int, rng: np.random.Generator) -> pd.DataFrame:
    fac = rng.choice(FACULTIES, size=n, p=[0.5, 0.3, 0.2])
    return pd.DataFrame({
        "pid": [f"G-{i:05d}" for i in range(n)],
        "faculty": pd.array(fac, dtype="string"),
        "sex": pd.array(rng.choice(["female", "male"], size=n, p=[0.6, 0.4]), dtype="string"),
        "level": pd.array(rng.choice(["bachelor", "master"], size=n, p=[0.85, 0.15]), dtype="string"),
        "funding": pd.array(rng.choice(["contract", "state"], size=n, p=[0.65, 0.35]), dtype="string"),
        "gpa": np.round(rng.normal(3.3, 0.4, size=n), 2),
        "internship_done": rng.choice(["yes", "no"], size=n, p=[0.7, 0.3]).astype(object),
        "job_status": rng.choice(["searching", "not_searching", "has_job"], size=n, p=[0.5, 0.3, 0.2]).astype(object),
    })


# true log-odds of employment used by the simulation
TRUE = {"Intercept": -1.5, "faculty[ECON]": 0.6, "faculty[ENG]": -0.5, "sex[male]": 0.4, "level[master]": 0.7,
        "funding[state]": -0.3, "gpa": 0.5, "internship_done[yes]": 0.8, "job_status[has_job]": 1.2,
        "job_status[not_searching]": -1.0}


def _employment_data(n: int = 5000, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = _registry(n, rng)
    a = {c: d[c].to_numpy(dtype=object)
         for c in ("faculty", "sex", "level", "funding", "internship_done", "job_status")}
    eta = (TRUE["Intercept"] + TRUE["gpa"] * (d["gpa"].to_numpy() - 3.3)
           + np.select([a["faculty"] == "ECON", a["faculty"] == "ENG"],
                       [TRUE["faculty[ECON]"], TRUE["faculty[ENG]"]], 0.0)
           + TRUE["sex[male]"] * (a["sex"] == "male") + TRUE["level[master]"] * (a["level"] == "master")
           + TRUE["funding[state]"] * (a["funding"] == "state")
           + TRUE["internship_done[yes]"] * (a["internship_done"] == "yes")
           + np.select([a["job_status"] == "has_job", a["job_status"] == "not_searching"],
                       [TRUE["job_status[has_job]"], TRUE["job_status[not_searching]"]], 0.0))
    y = rng.random(n) < _expit(eta.astype(float))
    d["employed"] = pd.array(y, dtype="boolean")
    d["resp_p2"] = pd.array(np.ones(n, bool), dtype="boolean")
    return d


@pytest.fixture(scope="module")
def emp() -> pd.DataFrame:
    return _employment_data()


@pytest.fixture(scope="module")
def emp_fit(emp):
    d = emp.copy()
    d["gpa"] = d["gpa"] - 3.3  # the simulation's intercept is at gpa 3.3
    return om.employment_logit(Design(d.assign(w=1.0), weights="w"))


def test_employment_logit_recovers_simulated_coefficients(emp_fit):
    table, diag = emp_fit
    assert diag["status"] == "ok" and diag["n"] == 5000
    est = table.set_index("term")
    assert set(TRUE) == set(est.index)
    for term, beta in TRUE.items():
        row = est.loc[term]
        assert abs(row["estimate"] - beta) < 4 * row["se"], (term, row["estimate"], beta)
        assert row["ci_low"] < row["estimate"] < row["ci_high"]
        assert row["odds_ratio"] == pytest.approx(np.exp(row["estimate"]))
    # with n = 5,000 the SEs are small: every true effect is clearly detected
    assert (est.drop(index="Intercept")["p_value"] < 0.01).all()
    assert 0.6 < diag["auc"] < 0.9 and diag["epv"] > 10


def test_references_largest_level_and_no_for_yes_no(emp_fit):
    table, diag = emp_fit
    assert diag["references"]["faculty"] == "PED"          # the largest faculty
    assert diag["references"]["internship_done"] == "no"   # yes/no items: reference "no"
    assert diag["references"]["job_status"] == "searching"
    fac = table[table["variable"] == "faculty"]
    assert set(fac["level"]) == {"ECON", "ENG"} and set(fac["reference"]) == {"PED"}


def test_design_weights_change_the_estimates_not_the_n(emp):
    d = emp.assign(gpa=emp["gpa"] - 3.3)
    w = np.where(d["faculty"].to_numpy(dtype=object) == "ENG", 3.0, 1.0)
    a, _ = om.employment_logit(Design(d.assign(w=1.0), weights="w"))
    b, _ = om.employment_logit(Design(d.assign(w=w), weights="w"))
    assert (a["n"] == b["n"]).all()
    assert not np.allclose(a["se"], b["se"])


def test_separated_level_is_merged_and_reported(emp):
    d = emp.copy()
    d.loc[d["job_status"] == "has_job", "employed"] = True  # everybody with a job at graduation is employed
    table, diag = om.employment_logit(Design(d.assign(w=1.0), weights="w"))
    assert diag["status"] == "ok"
    assert any("has_job" in c and "separation" in c for c in diag["collapsed"])
    assert not (table["level"] == "has_job").any()
    assert np.isfinite(table["estimate"]).all() and (table["estimate"].abs() < 10).all()


def test_aliased_level_and_small_levels(emp):
    d = emp.copy()
    # level college ⇔ faculty ENG
    d["level"] = np.where(d["faculty"].to_numpy(dtype=object) == "ENG", "college", "bachelor")
    d.loc[d.index[:4], "funding"] = "grant"                             # a level with 4 graduates
    table, diag = om.employment_logit(Design(d.assign(w=1.0), weights="w"))
    assert diag["status"] == "ok"
    assert any(x.startswith("level[college]") and "aliased" in x for x in diag["dropped"])
    assert any("funding" in c and "grant" in c for c in diag["collapsed"])
    assert "level[college]" not in set(table["term"])


def test_missing_predictor_is_complete_case_and_counted(emp):
    d = emp.copy()
    d.loc[d.index[:150], "gpa"] = np.nan
    d.loc[d.index[100:200], "internship_done"] = None
    table, diag = om.employment_logit(Design(d.assign(w=1.0), weights="w"))
    assert diag["n_universe"] == 5000 and diag["n"] == 5000 - 200
    assert diag["missing"]["gpa"] == 150 and diag["missing"]["internship_done"] == 50
    assert (table["n"] == 4800).all()


def test_infield_logit_uses_employed_domain(emp):
    rng = np.random.default_rng(5)
    d = emp.copy()
    hm = rng.random(len(d)) < _expit(0.3 + 0.9 * (d["sex"].to_numpy(dtype=object) == "female"))
    d["hm_subjective"] = pd.array(np.where(d["employed"].to_numpy(bool), hm, False), dtype="boolean")
    d.loc[~d["employed"].to_numpy(bool), "hm_subjective"] = pd.NA
    table, diag = om.infield_logit(Design(d.assign(w=1.0), weights="w"))
    assert diag["status"] == "ok" and diag["n"] == int(d["employed"].sum())
    male = table.set_index("term").loc["sex[male]"]
    assert abs(male["estimate"] - (-0.9)) < 4 * male["se"]


def test_income_ols_recovers_log_effects():
    rng = np.random.default_rng(3)
    n = 1500
    d = _registry(n, rng)
    log_inc = 9.8 + 0.25 * (d["sex"].to_numpy(dtype=object) == "male") + 0.10 * (d["gpa"].to_numpy() - 3.3) \
        + rng.normal(0, 0.3, n)
    d["employed"] = pd.array(np.ones(n, bool), dtype="boolean")
    d["resp_p2"] = d["employed"]
    d["income_stat"] = np.round(np.exp(log_inc), -1)
    table, diag = om.income_ols(d)
    assert diag["status"] == "ok" and diag["cov_type"] == "HC3"
    male = table.set_index("term").loc["sex[male]"]
    assert abs(male["estimate"] - 0.25) < 4 * male["se"]
    assert male["pct_effect"] == pytest.approx(100 * (np.exp(male["estimate"]) - 1))
    assert male["pct_low"] == pytest.approx(100 * (np.exp(male["ci_low"]) - 1))
    assert np.isnan(table.set_index("term").loc["Intercept", "pct_effect"])


def test_ordered_logit_fitter_reproduces_polr():
    """R MASS::polr on the UCLA data (apply ~ pared + public + gpa)."""
    import statsmodels

    from analysis.stats.models import ordered_logit

    path = Path(statsmodels.__file__).parent / "miscmodels" / "tests" / "results" / "ologit_ucla.csv"
    if not path.exists():
        pytest.skip("statsmodels' UCLA example file is not installed")
    ucla = pd.read_csv(path)
    codes = ucla["apply"].map({"unlikely": 1, "somewhat likely": 2, "very likely": 3}).to_numpy(float)
    ys = pd.Series(pd.Categorical(codes, categories=[1.0, 2.0, 3.0], ordered=True))
    out = ordered_logit(None, y=ys, X=ucla[["pared", "public", "gpa"]].astype(float), levels=[1.0, 2.0, 3.0],
                        alpha=0.05).set_index("term")
    for term, beta, se in (("pared", 1.04769011, 0.2658), ("public", -0.05878572, 0.2979), ("gpa", 0.61594057, 0.2606)):
        assert out.loc[term, "estimate"] == pytest.approx(beta, abs=1e-3)
        assert out.loc[term, "se"] == pytest.approx(se, abs=1e-3)
    assert out.loc["1.0|2.0", "estimate"] == pytest.approx(2.203915, abs=1e-3)
    assert out.loc["2.0|3.0", "estimate"] == pytest.approx(4.299363, abs=1e-3)


def test_satisfaction_ologit_recovers_latent_effects():
    rng = np.random.default_rng(8)
    n = 1500
    d = _registry(n, rng)
    hm = rng.random(n) < 0.6
    log_inc = rng.normal(9.9, 0.4, n)
    latent = 1.2 * hm + 0.8 * (log_inc - 9.9) + rng.logistic(size=n)
    d["job_satisfaction"] = np.digitize(latent, [-2.0, -0.5, 1.0, 2.5]) + 1  # 1..5
    d["job_satisfaction"] = d["job_satisfaction"].astype(str)  # answers arrive as codes
    d["hm_subjective"] = pd.array(hm, dtype="boolean")
    d["income_kgs"] = np.exp(log_inc)
    d["employed"] = pd.array(np.ones(n, bool), dtype="boolean")
    d["resp_p2"] = d["employed"]
    table, diag = om.satisfaction_ologit(d, predictors=("sex", "hm_subjective", "log_income"))
    assert diag["status"] == "ok" and diag["levels"] == [1, 2, 3, 4, 5]
    est = table.set_index("term")
    for term, beta in (("hm_subjective[yes]", 1.2), ("log_income", 0.8), ("sex[male]", 0.0)):
        assert abs(est.loc[term, "estimate"] - beta) < 4 * est.loc[term, "se"], term
    # thresholds refer to the mean log income: close to the simulated cut points shifted by 1.2·P(hm)
    th = table[table["kind"] == "threshold"]
    assert list(th["term"]) == ["1|2", "2|3", "3|4", "4|5"]
    assert np.all(np.diff(th["estimate"]) > 0)


def test_first_job_cox_recovers_hazard_ratio_and_censors_study():
    rng = np.random.default_rng(21)
    n = 2000
    d = _registry(n, rng)
    hr = np.where(d["funding"].to_numpy(dtype=object) == "state", np.exp(0.5), 1.0)
    t_job = rng.exponential(4.0 / hr)
    t_study = rng.exponential(30.0, n)
    follow = rng.uniform(8, 10, n)
    t = np.minimum.reduce([t_job, t_study, follow])
    ev = np.select([t == t_job, t == t_study], [1, 2], 0)
    d["months_to_first_job"] = np.round(t, 1)
    d["first_job_event"] = pd.array(ev, dtype="Int64")
    d["resp_p2"] = pd.array(np.ones(n, bool), dtype="boolean")
    table, diag = om.first_job_cox(d)
    assert diag["status"] == "ok" and diag["further_study_censored"] == int((ev == 2).sum()) > 0
    assert diag["events"] == int((ev == 1).sum())
    st = table.set_index("term").loc["funding[state]"]
    assert abs(st["estimate"] - 0.5) < 4 * st["se"]
    assert st["hazard_ratio"] == pytest.approx(np.exp(st["estimate"]))
    assert "Intercept" not in set(table["term"])


def _mar_incomes(n: int = 800, seed: int = 4) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Graduates whose amounts high earners skip more often while answering the band (missing at random
    given the band): the table, the true incomes and who skipped."""
    from analysis.derive.income import INCOME_BANDS

    rng = np.random.default_rng(seed)
    d = _registry(n, rng)
    inc = np.exp(rng.normal(9.8, 0.5, n) + 0.2 * (d["sex"].to_numpy(dtype=object) == "male"))
    edges = [lo for _, lo, _ in INCOME_BANDS[1:]]
    band = np.array([b for b, _, _ in INCOME_BANDS])[np.digitize(inc, edges)]
    p_skip = np.where(inc > np.quantile(inc, 0.6), 0.5, 0.05)
    skip = rng.random(n) < p_skip
    d["employed"] = pd.array(np.ones(n, bool), dtype="boolean")
    d["resp_p2"] = d["employed"]
    d["full_time"] = d["employed"]
    d["income_stat"] = np.where(skip, np.nan, inc)
    d["income_excluded_reason"] = pd.array(np.where(skip, "no_exact_income", None), dtype="string")
    d["income_band_any"] = band
    return d, inc, skip


def test_income_mi_corrects_missing_at_random_given_the_band():
    """Amounts skipped more often by high earners, but the band is answered: MI recovers the mean."""
    n = 800
    d, inc, skip = _mar_incomes(n)
    res = om.income_mi(d, m=5, seed=1)
    assert res["status"] == "ok" and res["n"] == n and res["n_missing"] == int(skip.sum())
    assert res["subsample"] is False and res["n_universe"] == n  # below MI_MAX_ROWS: every row
    true_mean, true_median = inc.mean(), np.median(inc)
    assert res["cc_mean"] == pytest.approx(inc[~skip].mean())
    assert res["cc_median"] == pytest.approx(np.median(inc[~skip]))
    assert abs(res["mi_mean"] - true_mean) < 0.5 * abs(res["cc_mean"] - true_mean)
    assert abs(res["mi_median"] - true_median) < abs(res["cc_median"] - true_median)
    assert 0 < res["fmi_mean"] < 1 and 0 <= res["fmi_median"] < 1
    assert res["mi_mean_se"] > 0 and res["cc_median_se"] > 0
    coef = res["coefficients"].set_index("term")
    assert abs(coef.loc["sex[male]", "mi_estimate"] - 0.2) < 4 * coef.loc["sex[male]", "mi_se"]


def test_income_mi_above_its_size_runs_on_a_random_subsample_with_the_same_answer():
    # the size strategy (MI_MAX_ROWS): above it a seeded simple random subsample; here the limit is set below
    # the data so that the answer can be compared with imputing every row
    d, inc, skip = _mar_incomes(4000, seed=5)
    whole = om.income_mi(d, m=5, seed=1)
    sub = om.income_mi(d, m=5, seed=1, max_rows=2000)
    assert sub["status"] == "ok" and sub["subsample"] is True
    assert sub["n"] == 2000 and sub["n_universe"] == 4000 and "subsample of 2000 of 4000" in sub["method"]
    again = om.income_mi(d, m=5, seed=1, max_rows=2000)  # seeded: the same subsample, the same answer
    assert (again["mi_median"], again["cc_mean"], again["n_missing"]) == (sub["mi_median"], sub["cc_mean"],
                                                                           sub["n_missing"])
    for key in ("mi_mean", "mi_median"):
        gap = abs(sub[key] - whole[key])
        assert gap < 2.5 * np.hypot(sub[f"{key}_se"], whole[f"{key}_se"]), key
    # and it still does what the analysis is for: imputing moves the median toward the truth
    assert abs(sub["mi_median"] - np.median(inc)) < abs(sub["cc_median"] - np.median(inc))
    rows = families.income_mi_rows(sub, Settings(0.95, "wilson", "wilson"))
    assert rows["note"].str.contains("subsample=2000/4000").all()


def test_income_mi_is_reproducible():
    d = _employment_data(300, seed=2)
    rng = np.random.default_rng(0)
    d["full_time"] = d["employed"]
    inc = np.exp(rng.normal(9.8, 0.4, len(d)))
    skip = rng.random(len(d)) < 0.2
    d["income_stat"] = np.where(skip, np.nan, inc)
    d["income_excluded_reason"] = pd.array(np.where(skip, "no_exact_income", None), dtype="string")
    d["income_band_any"] = "10_15k"
    a = om.income_mi(d[d["employed"].to_numpy(bool)], m=3, seed=9)
    b = om.income_mi(d[d["employed"].to_numpy(bool)], m=3, seed=9)
    assert a["status"] == "ok" and a["mi_mean"] == b["mi_mean"] and a["mi_median"] == b["mi_median"]


def _salaried(incomes, band="15_20k"):
    """Full-time employed respondents with the given exact incomes (NaN = amount skipped)."""
    n = len(incomes)
    inc = np.asarray(incomes, dtype=float)
    return pd.DataFrame({
        "resp_p2": pd.array([True] * n, dtype="boolean"), "employed": pd.array([True] * n, dtype="boolean"),
        "full_time": pd.array([True] * n, dtype="boolean"),
        "sex": pd.array(["female", "male"] * (n // 2) + ["female"] * (n % 2), dtype="string"),
        "income_stat": inc,
        "income_excluded_reason": pd.array(np.where(np.isnan(inc), "no_exact_income", None), dtype="string"),
        "income_band_any": band,
    })


def test_income_mi_without_missing_amounts_equals_complete_cases_by_hand():
    """No amount skipped: the pooled figures are the complete-case ones, computed here by hand."""
    from scipy.stats import binom, norm

    inc = np.array([9000, 11000, 12000, 14000, 15000, 15500, 16000, 18000, 20000, 21000, 25000, 40000] * 3,
                   dtype=float)
    res = om.income_mi(_salaried(inc), m=3, seed=2, predictors=("sex", "income_band_any"), formula_terms=("sex",))
    assert res["status"] == "ok" and (res["n"], res["n_observed"], res["n_missing"], res["m"]) == (36, 36, 0, 0)
    assert res["cc_mean"] == pytest.approx(inc.mean()) and res["mi_mean"] == pytest.approx(inc.mean())
    assert res["cc_mean_se"] == pytest.approx(inc.std(ddof=1) / 6) == res["mi_mean_se"]
    x = np.sort(inc)
    lo, hi = int(binom.ppf(0.025, 36, 0.5)), int(binom.isf(0.025, 36, 0.5))  # 12 and 24
    se = (x[hi] - x[lo - 1]) / (2 * norm.ppf(0.975))
    assert res["cc_median"] == pytest.approx(15750.0) and res["cc_median_se"] == pytest.approx(se)
    assert res["mi_median"] == pytest.approx(15750.0) and res["mi_median_se"] == pytest.approx(se)
    assert res["fmi"] == 0 and res["fmi_median"] == 0
    assert res["imputation_predictors"] == ["sex[male]"]  # the band has one level here: no variation, left out
    coef = res["coefficients"].set_index("term")
    male = np.log(inc[1::2]).mean() - np.log(inc[0::2]).mean()
    assert coef.loc["sex[male]", "cc_estimate"] == pytest.approx(male)
    assert coef.loc["sex[male]", "mi_estimate"] == pytest.approx(male) and coef.loc["sex[male]", "fmi"] == 0


def test_income_mi_pools_with_rubin_and_fails_in_one_line():
    rng = np.random.default_rng(3)
    inc = np.exp(rng.normal(9.8, 0.4, 240))
    inc[rng.random(240) < 0.25] = np.nan
    res = om.income_mi(_salaried(inc), m=5, seed=7, predictors=("sex",), formula_terms=("sex",))
    assert res["status"] == "ok" and res["m"] == 5 and res["n_missing"] == int(np.isnan(inc).sum())
    assert res["n_observed"] + res["n_missing"] == res["n"] == 240
    assert res["cc_mean"] == pytest.approx(np.nanmean(inc))
    assert 0 < res["fmi_mean"] < 1 and res["mi_mean_se"] > 0 and res["df_mean"] < 239
    for bad, reason in ((_salaried([15000.0, np.nan, 20000.0]), "only 2 exact incomes"),
                        (_salaried([15000.0] * 8).drop(columns="income_stat"), "income column income_stat missing")):
        out = om.income_mi(bad, m=2)
        assert out["status"] == "failed" and out["reason"].startswith(reason) and "\n" not in out["reason"]
    assert om.income_mi(_salaried(inc), m=1)["reason"] == "multiple imputation needs m >= 2"


def test_c_statistic_counts_concordant_pairs():
    # pairs (positive, negative): (0.35 vs 0.1) yes, (0.35 vs 0.4) no, (0.8 vs both) yes → 3/4
    assert models.c_statistic(np.array([0.1, 0.4, 0.35, 0.8]), np.array([0, 0, 1, 1])) == pytest.approx(0.75)
    # ties count one half; weights = replicated rows
    assert models.c_statistic(np.array([0.5, 0.5]), np.array([0, 1])) == pytest.approx(0.5)
    s, y, w = np.array([0.1, 0.4, 0.35, 0.8]), np.array([0, 0, 1, 1]), np.array([2.0, 1.0, 1.0, 1.0])
    rep = models.c_statistic(np.array([0.1, 0.1, 0.4, 0.35, 0.8]), np.array([0, 0, 0, 1, 1]))
    assert models.c_statistic(s, y, w) == pytest.approx(rep)


def test_degenerate_inputs_are_recorded_failures_not_exceptions():
    tiny = _employment_data(4, seed=1)
    tiny["gpa"] = tiny["gpa"] - 3.3
    design = Design(tiny.assign(w=1.0), weights="w")
    same = tiny.assign(employed=pd.array([True] * 4, dtype="boolean"))
    cases = [
        om.employment_logit(design),
        om.employment_logit(Design(same.assign(w=1.0), weights="w")),
        om.employment_logit(None),
        om.infield_logit(design),                 # no hm_subjective column
        om.income_ols(tiny),                      # no income column
        om.satisfaction_ologit(tiny),
        om.first_job_cox(tiny),
        om.first_job_cox(pd.DataFrame({"x": [1]})),
    ]
    for table, diag in cases:
        assert diag["status"] == "failed"
        assert isinstance(diag["reason"], str) and diag["reason"] and "\n" not in diag["reason"]
        assert table.empty and {"term", "estimate", "se", "p_value", "n"} <= set(table.columns)
    mi = om.income_mi(tiny, m=2)
    assert mi["status"] == "failed" and "\n" not in mi["reason"]
    res = om.run_outcome_models(tiny, design, seed=1, m=2)
    assert set(res["failures"]) == {"employment_logit", "infield_logit", "income_ols", "satisfaction_ologit",
                                    "first_job_cox", "income_mi"}
    assert res["models"].empty


def test_run_outcome_models_collects_tables_and_diagnostics():
    rng = np.random.default_rng(13)
    d = _employment_data(600, seed=13)
    n = len(d)
    emp = d["employed"].to_numpy(bool)
    d["labour_status"] = np.where(emp, "employed", "unemployed")
    d["hm_subjective"] = pd.array(np.where(emp, rng.random(n) < 0.6, False), dtype="boolean")
    d.loc[~emp, "hm_subjective"] = pd.NA
    d["income_stat"] = np.where(emp, np.exp(rng.normal(9.8, 0.4, n)), np.nan)
    d["income_kgs"] = d["income_stat"]
    d["job_satisfaction"] = np.where(emp, rng.integers(1, 6, n).astype(str), None)
    d["months_to_first_job"] = np.round(rng.uniform(0, 9, n), 1)
    d["first_job_event"] = pd.array(np.where(emp, 1, 0), dtype="Int64")
    res = om.run_outcome_models(d, None, seed=1, m=2)
    assert res["failures"] == {}
    assert set(res["models"]["model"]) == {"employment_logit", "infield_logit", "income_ols",
                                           "satisfaction_ologit", "first_job_cox"}
    assert any("equal weights" in w for w in res["diagnostics"]["employment_logit"]["warnings"])
    assert res["income_mi"]["n_missing"] == 0 and res["income_mi"]["fmi"] == 0


def test_numeric_predictor_that_separates_is_dropped_and_refitted(emp):
    d = emp.iloc[:400].copy()
    d["employed"] = pd.array(d["gpa"].to_numpy() > 3.3, dtype="boolean")  # gpa decides employment
    table, diag = om.employment_logit(Design(d.assign(w=1.0), weights="w"))
    assert diag["status"] == "ok"
    assert any(x.startswith("gpa:") and "separates" in x for x in diag["dropped"])
    assert "gpa" not in set(table["term"]) and (table["estimate"].abs() < 15).all()

"""Trends over cohorts: linkage by pseudonym, the trend table (levels, Newcombe differences, what the cohorts'
own disclosure hid), pooling of small programmes, the demo scenario's planted effects — on hand-made tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.core.config import config_from_dict
from analysis.demo.population import planted_shift
from analysis.demo.trends import DEMO_TREND_COHORTS, ensure_raw, scenario
from analysis.errors import ConfigError
from analysis.publish.trends import significance
from analysis.results.linkage import chain_rates, link_rate, link_table
from analysis.results.pooling import pooled_rows, small_programmes
from analysis.results.table import Settings
from analysis.results.trends import CohortResults, pairs, trend_hierarchy, trend_rows
from analysis.stats.nonresponse import newcombe_diff_ci

ST = Settings(confidence=0.95, ci_method="wilson", weighted_ci_method="wilson")


# ----------------------------------------------------------------------------- linkage
def _grads(pids, resp):
    return pd.DataFrame({"pid": pids, "resp_p2": pd.array(resp, dtype="boolean")})


def test_link_rate_counts_later_respondents_found_in_the_earlier_wave():
    earlier = _grads(["a", "b", "c", "d"], [True, True, False, None])
    later = _grads(["a", "b", "c", "x", "y"], [True, False, True, True, False])
    r = link_rate(later, earlier, later_name="w2", earlier_name="w1")
    # later respondents: a, c, x; in earlier's registry: a, c; of them earlier respondents: a
    assert (r["respondents"], r["linked"], r["linked_resp"]) == (3, 2, 1)
    assert r["rate"] == pytest.approx(2 / 3) and r["rate_resp"] == pytest.approx(1 / 3)
    assert (r["cohort"], r["earlier"]) == ("w2", "w1")
    assert math.isnan(link_rate(_grads(["a"], [False]), earlier)["rate"])


def test_link_table_one_row_per_pseudonym_with_membership():
    tab = link_table({"c1": _grads(["a", "b"], [True, False]), "c2": _grads(["b", "z"], [True, True])})
    tab = tab.set_index("pid")
    assert list(tab.index) == ["a", "b", "z"]
    assert tab.loc["b", ["in:c1", "in:c2", "resp:c1", "resp:c2", "cohorts"]].tolist() == [True, True, False, True, 2]
    assert not tab.loc["z", "in:c1"] and tab.loc["z", "resp:c2"]
    assert tab["cohorts"].tolist() == [1, 2, 1]
    with pytest.raises(ValueError, match="appears twice"):
        link_table({"c1": _grads(["a", "a"], [True, True])})
    rates = chain_rates({"c1": _grads(["a", "b"], [True, True]), "c2": _grads(["b", "z"], [True, True])})
    assert [(r["earlier"], r["cohort"], r["linked"], r["respondents"]) for r in rates] == [("c1", "c2", 1, 2)]


# ----------------------------------------------------------------------------- the trend table
def _cohort(name, x_all, n_all, x_f, n_f, hide_faculty=False):
    """Results of one cohort: employment_rate all and for faculty F (unweighted = weighted), and counts."""
    rows = []
    for dom, grp, x, n in (("all", "all", x_all, n_all), ("faculty", "F", x_f, n_f)):
        p = x / n
        rows.append({"indicator": "employment_rate", "statistic": "share", "unit": "share", "domain": dom,
                     "group": grp, "category": "", "n": float(n), "N": float(2 * n), "x": float(x),
                     "estimate": p, "se": math.sqrt(p * (1 - p) / n), "ci_low": p - 0.1, "ci_high": p + 0.1,
                     "unweighted": p, "basis": "weighted", "note": ""})
    rows.append({"indicator": "count:graduates", "statistic": "total", "unit": "count", "domain": "all",
                 "group": "all", "category": "", "n": 2.0 * n_all, "estimate": 2.0 * n_all, "basis": "census"})
    est = pd.DataFrame(rows)
    for c in ("note", "basis", "category"):
        est[c] = est[c].fillna("")
    pub = est.assign(status="published")
    if hide_faculty:
        pub.loc[pub["domain"] == "faculty", "status"] = "suppressed"
    return CohortResults(name, est, pub)


def test_pairs_are_consecutive_then_first_to_last():
    assert pairs(["a", "b", "c"]) == [("a", "b"), ("b", "c"), ("a", "c")]
    assert pairs(["a", "b"]) == [("a", "b")]


def test_trend_differences_are_newcombe_intervals_of_the_pipeline_function():
    # Newcombe (1998), method 10, the paper's example: 56/70 − 48/80 = 0.2000, 95 % CI 0.0524 to 0.3339
    t = trend_rows([_cohort("c1", 48, 80, 30, 60), _cohort("c2", 56, 70, 40, 50)], ST)
    d = t[(t["statistic"] == "difference") & (t["domain"] == "all")].iloc[0]
    assert (d["category"], d["cohort"], d["cohort_from"]) == ("c1→c2", "c2", "c1")
    assert d["estimate"] == pytest.approx(0.2, abs=1e-12)
    assert (d["ci_low"], d["ci_high"]) == pytest.approx((0.0524, 0.3339), abs=5e-5)
    assert (d["estimate"], d["ci_low"], d["ci_high"]) == pytest.approx(newcombe_diff_ci(56, 70, 48, 80))
    assert d["n"] == 70  # the smaller base of the two cohorts
    f = t[(t["statistic"] == "difference") & (t["domain"] == "faculty")].iloc[0]
    assert f["estimate"] == pytest.approx(40 / 50 - 30 / 60)
    assert f["n"] == 50
    lv = t[(t["statistic"] == "share") & (t["domain"] == "all")].set_index("category")
    assert lv.loc["c1", "estimate"] == pytest.approx(0.6) and lv.loc["c2", "estimate"] == pytest.approx(0.8)
    counts = t[t["indicator"] == "count:graduates"].set_index("cohort")["estimate"]
    assert counts.to_dict() == {"c1": 160.0, "c2": 140.0}
    assert trend_hierarchy(t).values.tolist() == [["faculty", "F", "all", "all"]]


def test_a_cell_hidden_by_its_cohort_stays_hidden_and_is_not_differenced():
    t = trend_rows([_cohort("c1", 48, 80, 3, 6, hide_faculty=True), _cohort("c2", 56, 70, 40, 50)], ST)
    hidden = t[(t["cohort"] == "c1") & (t["domain"] == "faculty")].iloc[0]
    assert math.isnan(hidden["estimate"]) and math.isnan(hidden["x"]) and hidden["note"] == "suppressed in c1"
    assert t[(t["statistic"] == "difference") & (t["domain"] == "faculty")].empty
    assert len(t[t["statistic"] == "difference"]) == 1


def test_three_cohorts_give_three_differences_and_significance_reads_the_interval():
    t = trend_rows([_cohort("a", 48, 80, 30, 60), _cohort("b", 50, 80, 30, 60), _cohort("c", 56, 70, 40, 50)], ST)
    d = t[(t["statistic"] == "difference") & (t["domain"] == "all")]
    assert d["category"].tolist() == ["a→b", "b→c", "a→c"]
    row = d.set_index("category").loc["a→c"].copy()
    row["status"] = "published"
    assert significance(row) == 1  # 0.0524 … 0.3339 excludes zero
    row2 = d.set_index("category").loc["a→b"].copy()
    row2["status"] = "published"
    assert significance(row2) == 0
    row2["status"] = "suppressed"
    assert significance(row2) == 0


# ----------------------------------------------------------------------------- pooling
def _pool_cohort(prog_emp: dict[str, list[int]], weight: float, prefix: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = []
    for prog, emps in prog_emp.items():
        for i, e in enumerate(emps):
            rows.append({"pid": f"{prefix}{prog}{i}", "programme": prog, "faculty": "F", "resp_p2": True,
                         "labour_status": "employed" if e else "unemployed"})
    g = pd.DataFrame(rows)
    g["resp_p2"] = g["resp_p2"].astype("boolean")
    return g, pd.DataFrame({"pid": g["pid"], "weight": weight})


def test_small_programmes_are_those_under_three_times_min_n():
    g, _ = _pool_cohort({"BIG": [1] * 30, "SMALL": [1] * 29}, 1.0, "x")
    assert small_programmes(g, 10) == ["SMALL"]


def test_pooled_share_is_the_weighted_share_over_the_cohorts_with_a_cohort_note():
    cur, wcur = _pool_cohort({"P": [1, 1, 0, 0], "BIG": [1] * 40}, 2.0, "c")
    old, wold = _pool_cohort({"P": [1, 1, 1, 0, 0, 0]}, 1.0, "o")
    earlier = {"old": old.merge(wold, on="pid")}
    rows = pooled_rows("cur", cur, wcur, earlier, ST, min_n=10, indicators=("employment_rate",))
    assert rows["group"].tolist() == ["P"] and rows["domain"].tolist() == ["programme_pooled"]
    r = rows.iloc[0]
    # weighted: (2·2 + 1·3) / (2·4 + 1·6) = 7/14; unweighted 5/10
    assert r["estimate"] == pytest.approx(0.5) and r["unweighted"] == pytest.approx(0.5) and r["n"] == 10
    assert r["note"] == "cohorts=old,cur"
    assert r["ci_low"] < 0.5 < r["ci_high"]
    # with unequal proportions the weights matter: cohort 1 all employed, weight 3
    cur2, wcur2 = _pool_cohort({"P": [0, 0, 0, 0]}, 1.0, "c")
    old2, wold2 = _pool_cohort({"P": [1, 1, 1, 1]}, 3.0, "o")
    r2 = pooled_rows("cur", cur2, wcur2, {"old": old2.merge(wold2, on="pid")}, ST, 10,
                     indicators=("employment_rate",)).iloc[0]
    assert r2["estimate"] == pytest.approx(12 / 16) and r2["unweighted"] == pytest.approx(0.5)
    # no earlier cohort run: nothing pooled, quietly
    assert pooled_rows("cur", cur, wcur, {}, ST, 10).empty


def test_pool_cohorts_key_is_checked():
    base = {"cohort": "c", "graduation_year": 2025,
            "inputs": [{"path": "r.csv", "instrument": "registry", "format": "registry_csv"}]}
    assert config_from_dict({**base, "pool_cohorts": ["a", "b"]}).pool_cohorts == ("a", "b")
    assert config_from_dict(base).pool_cohorts == ()
    with pytest.raises(ConfigError, match="pool_cohorts"):
        config_from_dict({**base, "pool_cohorts": ["a", "b", "d"]})
    with pytest.raises(ConfigError, match="pool_cohorts"):
        config_from_dict({**base, "pool_cohorts": ["c"]})


# ----------------------------------------------------------------------------- the demo scenario
def test_planted_effects_add_up_by_target_and_vanish_without_effects():
    reg = {"faculty": "ECON", "programme": "ECON-FIN-B"}
    eff = {"employment:all": 0.1, "employment:faculty:ECON": -0.85, "employment:programme:ECON-FIN-B": 0.2,
           "response_p2:all": 5.0}
    assert planted_shift(eff, "employment", reg) == pytest.approx(-0.55)
    assert planted_shift(eff, "response_p2", reg) == pytest.approx(5.0)
    assert planted_shift(None, "employment", reg) == 0.0


def test_scenario_is_three_years_with_the_committed_demo_last(tmp_path):
    assert [c.cohort for c in DEMO_TREND_COHORTS] == ["demo-2023", "demo-2024", "demo-2025"]
    assert [c.graduation_year for c in DEMO_TREND_COHORTS] == [2023, 2024, 2025]
    assert scenario("demo-2025").committed and not scenario("demo-2025").effects
    assert scenario("demo-2023").effects["employment:faculty:ECON"] < scenario("demo-2024").effects[
        "employment:faculty:ECON"] < 0
    assert scenario("real-2026") is None
    assert ensure_raw("real-2026", tmp_path) is False and not any(tmp_path.iterdir())


def test_the_committed_demo_is_never_rewritten_by_the_trends(tmp_path):
    (tmp_path / "registry.xlsx").write_bytes(b"committed")
    assert ensure_raw("demo-2025", tmp_path, 120, force=True) is False
    assert ensure_raw("demo-2023", tmp_path, 120, force=False) is False  # files there, not forced
    assert (tmp_path / "registry.xlsx").read_bytes() == b"committed"


def test_a_later_wave_follows_the_same_graduates_with_its_own_respondents():
    from analysis.demo.synthetic import graduate_truth
    from analysis.demo.trends import DEMO_LATER_WAVES

    w = DEMO_LATER_WAVES[0]
    base = scenario(w.wave_of)
    assert (w.cohort, w.wave_of, w.follow_up_months, w.seed, w.graduation_year) == (
        "demo-2023-w2", "demo-2023", 21, base.seed, base.graduation_year)
    first = graduate_truth(base.seed, 120, graduation_year=2023, effects=dict(base.effects))
    later = graduate_truth(w.seed, 120, graduation_year=2023, effects=dict(w.effects), follow_up_months=21)
    assert first["student_id"].tolist() == later["student_id"].tolist()  # the same graduates (same pseudonyms)
    # enrolment years of 2023's graduates: bachelor 19, specialist 17, master 21, college 20 (6 %: a year earlier)
    assert set(first["student_id"].str[:2]) <= {"16", "17", "18", "19", "20", "21"}
    r1, r2 = first["responded_p2"].astype(bool), later["responded_p2"].astype(bool)
    assert r1.ne(r2).any() and (r1 & r2).any()  # who answers is drawn anew; some answer both waves
    assert later["employed"].astype("boolean").mean() > first["employed"].astype("boolean").mean()


def test_trend_blocks_name_the_significant_difference_and_round_counts():
    from analysis.publish.blocks import Paragraph, Table
    from analysis.publish.disclosure import Rules, publish
    from analysis.publish.trends import trend_blocks

    rows = trend_rows([_cohort("c1", 48, 80, 30, 60), _cohort("c2", 56, 70, 40, 50)], ST)
    pub = publish(rows, trend_hierarchy(rows), Rules())
    base = {"graduation_year": 2024, "synthetic": True,
            "inputs": [{"path": "r.csv", "instrument": "registry", "format": "registry_csv"}]}
    cfgs = [config_from_dict({**base, "cohort": c}) for c in ("c1", "c2")]
    wave = {"cohort": "c1-w2", "earlier": "c1", "months": 21, "respondents": 52, "linked": 52, "linked_resp": 23}
    blocks = trend_blocks(pub, cfgs, "en", waves=[wave])
    text = [b.text for b in blocks if isinstance(b, Paragraph)]
    assert "Significant differences (2): Employment rate (ILO) (c1 → c2: +20.0); Employment rate (ILO), F (c1 → c2: " \
        "+30.0)." in text  # 30/60 → 40/50: Newcombe 0.3 (0.12 … 0.45)
    assert any("SYNTHETIC" in s for s in text)
    # counts rounded to base 5 (HESA): 52 → 50, 23 → 25, the share of the rounded counts
    assert any(s.startswith("c1-w2 — the graduates of c1 surveyed again 21 months after graduation: of its 50 "
                            "respondents, 25 (50.0%) also answered phase 2 of c1") for s in text)
    diff = next(b for b in blocks if isinstance(b, Table) and "Differences" in b.caption)
    assert diff.rows[0] == ("Employment rate (ILO)", "c1 → c2", "+20.0", "5.2 … 33.4", "yes, up")

"""The supply-demand rules and the programme light on hand-made cases (docs/labour-market.md)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.core.config import LABOUR_RULES, config_from_dict
from analysis.errors import ConfigError
from analysis.publish.disclosure import Rules, publish
from analysis.results.labour import allocation, ilo_rule, source_rule
from analysis.results.lights import Estimate, Evidence, light, light_rows, sensitivity
from analysis.results.table import Settings, finish, input_note, parse_inputs

R = dict(LABOUR_RULES)


# ---------------------------------------------------------------- the source's rule
def test_source_rule_current_unemployment_at_ten_percent_is_oversupply():
    # 100 job seekers, 900 employed: 100 / 1000 = 10 % -> oversupply (>= 10 %)
    assert source_rule(100, 900, R) == ("oversupply", pytest.approx(0.10))
    assert source_rule(99, 901, R)[0] == "no_oversupply"
    # base = employed: 100 / 900 = 11.1 %
    verdict, ratio = source_rule(90, 900, {**R, "current_unemployment_base": "employed"})
    assert verdict == "oversupply" and ratio == pytest.approx(0.1)


def test_source_rule_without_an_input_is_not_enough_data():
    assert source_rule(None, 900, R)[0] == "not_enough_data"
    assert source_rule(10, float("nan"), R)[0] == "not_enough_data"
    assert source_rule(0, 0, R)[0] == "not_enough_data"


# ---------------------------------------------------------------- the ILO rule
@pytest.mark.parametrize("g, js, growth, verdict", [
    (0.05, 0.02, 0.05, "increase_intake"),   # low supply, low unemployment, high growth
    (0.05, 0.02, 0.03, "preserve"),          # growth exactly 3 % is moderate
    (0.05, 0.02, -0.03, "preserve"),         # slight decline
    (0.05, 0.02, -0.05, "mixed"),            # strong decline: the rule does not decide
    (0.15, 0.08, None, "reduce"),            # oversupply and high unemployment: growth not needed
    (0.15, 0.02, 0.05, "mixed"),
    (0.05, 0.08, 0.05, "mixed"),
    (0.05, 0.02, None, "not_enough_data"),   # growth decides but is missing
    (None, 0.02, 0.05, "not_enough_data"),
])
def test_ilo_rule(g, js, growth, verdict):
    assert ilo_rule(g, js, growth, R) == verdict


def test_a_threshold_change_flips_the_ilo_verdict():
    assert ilo_rule(0.09, 0.05, 0.04, R) == "increase_intake"
    assert ilo_rule(0.09, 0.05, 0.04, {**R, "graduates_to_employed_max": 0.08}) == "mixed"
    assert ilo_rule(0.09, 0.05, 0.04, {**R, "growth_high": 0.05}) == "preserve"


def test_allocation_main_and_equal():
    assert allocation("23;21") == {"23": 1.0}
    assert allocation("23;21;26", "equal") == pytest.approx({"23": 1 / 3, "21": 1 / 3, "26": 1 / 3})
    assert allocation("") == {}


def test_input_notes_round_trip():
    note = input_note([("labour:supply", "isco", "23"), ("labour:employed", "isco", "23")], "synthetic")
    assert parse_inputs(note) == [("labour:supply", "isco", "23"), ("labour:employed", "isco", "23")]
    assert parse_inputs("period=2025") == []


def test_a_ratio_whose_input_is_suppressed_is_suppressed_too():
    # the disclosure pass hides labour:supply for ISCO 23 (4 respondents < 10); the ratio resting on it (its own
    # base is large) follows
    # with rule 'derived', and so does a verdict-like row resting on that ratio; group 22 stays published
    def row(ind, group, n, est, note=""):
        return {"indicator": ind, "statistic": "total" if ind == "labour:supply" else "ratio",
                "unit": "count" if ind == "labour:supply" else "share", "domain": "isco", "group": group,
                "category": "", "n": float(n), "estimate": est, "basis": "weighted", "note": note}
    results = finish([pd.DataFrame([
        row("labour:supply", "23", 4, 6.0), row("labour:supply", "22", 40, 50.0),
        row("labour:graduates_to_employed", "23", 40, 0.05, input_note([("labour:supply", "isco", "23")])),
        row("labour:graduates_to_employed", "22", 40, 0.07, input_note([("labour:supply", "isco", "22")])),
        row("labour:ratio_of_ratio", "23", 40, 0.5, input_note([("labour:graduates_to_employed", "isco", "23")])),
    ])], Settings(0.95, "wilson", "wilson"))
    out = publish(results, pd.DataFrame(columns=["domain", "group", "parent_domain", "parent_group"]), Rules())
    assert list(out["status"]) == ["suppressed", "published", "suppressed", "published", "suppressed"]
    assert list(out["rule"])[2:] == ["derived", "", "derived"] and math.isnan(out.loc[2, "estimate"])
    assert out.loc[3, "estimate"] == 0.07


# ---------------------------------------------------------------- the light
def _ev(**kw) -> Evidence:
    base = dict(programme="P", occupation="23", employment=Estimate(0.75, 0.68, 0.81, 120),
                infield=Estimate(0.7, 0.6, 0.8, 90), income_ratio=Estimate(0.9, 0.85, 1.0, 80),
                demand_to_supply=0.5, graduates_to_employed=0.05, jobseekers=200.0, employed=10000.0, growth=0.01)
    base.update(kw)
    return Evidence(**base)


def test_green_when_no_source_is_unfavourable_and_one_is_favourable():
    assert light(_ev(), R) == ("green", "green_favourable", ["outcomes:employment_high"])


def test_red_when_two_sources_are_unfavourable():
    ev = _ev(employment=Estimate(0.40, 0.30, 0.50, 60), jobseekers=1500.0)  # 1500/11500 = 13 % >= 10 %
    colour, reason, drivers = light(ev, R)
    assert (colour, reason) == ("red", "red_unfavourable")
    assert drivers == ["outcomes:employment_low", "open_data:source_oversupply"]


def test_amber_with_one_unfavourable_source_and_grey_without_two_sources():
    assert light(_ev(income_ratio=Estimate(0.5, 0.4, 0.6, 80)), R)[:2] == ("amber", "amber_one_unfavourable")
    grey = _ev(employment=None, demand_to_supply=None)
    assert light(grey, R) == ("grey", "grey_missing", ["outcomes:missing", "employers:missing"])


def test_an_unweighted_demand_below_the_supply_is_no_evidence():
    ev = _ev(employment=None, demand_to_supply=0.1, demand_lower_bound=True)
    assert light(ev, R)[0] == "grey"
    ev = _ev(employment=None, demand_to_supply=0.1)   # a weighted (population) estimate: evidence
    assert light(ev, R)[:2] == ("amber", "amber_one_unfavourable")


def test_sensitivity_reports_the_threshold_that_flips_the_light():
    # employment interval 0.68-0.81 is above 0.60: green; at 0.72 (0.60 x 1.2) it is no longer above -> amber
    flips = sensitivity(_ev(), R)
    assert ("employment_rate_min", pytest.approx(0.72), "amber") in flips
    assert all(new != "green" for _, _, new in flips)


def test_changing_a_threshold_in_the_cohort_file_changes_the_verdicts():
    pub = pd.DataFrame([
        {"indicator": "labour:supply", "domain": "isco", "group": "26", "category": "", "status": "published",
         "estimate": 165.0, "ci_low": 145.0, "ci_high": 190.0, "n": 135.0, "basis": "weighted"},
        {"indicator": "labour:graduates_to_employed", "domain": "isco", "group": "26", "category": "",
         "status": "published", "estimate": 0.09, "ci_low": 0.08, "ci_high": 0.1, "n": 135.0, "basis": "weighted"},
        {"indicator": "labour:jobseekers", "domain": "isco", "group": "26", "category": "", "status": "published",
         "estimate": 680.0, "ci_low": math.nan, "ci_high": math.nan, "n": math.nan, "basis": "open_data"},
        {"indicator": "labour:employed", "domain": "isco", "group": "26", "category": "", "status": "published",
         "estimate": 5810.0, "ci_low": math.nan, "ci_high": math.nan, "n": math.nan, "basis": "open_data"},
        {"indicator": "labour:employment_growth", "domain": "isco", "group": "26", "category": "",
         "status": "published", "estimate": -0.015, "ci_low": math.nan, "ci_high": math.nan, "n": math.nan,
         "basis": "open_data"},
    ])
    base = config_from_dict({"cohort": "x", "graduation_year": 2025,
                             "inputs": [{"path": "r.xlsx", "instrument": "registry", "format": "registry_xlsx"}]})
    strict = config_from_dict({"cohort": "x", "graduation_year": 2025,
                               "labour_rules": {"current_unemployment_max": 0.12},
                               "inputs": [{"path": "r.xlsx", "instrument": "registry", "format": "registry_xlsx"}]})

    def verdicts(cfg):
        d = light_rows(pub, {"ECON-ECO-B": "26;24"}, cfg.labour_rules).set_index(["indicator", "domain", "group"])
        return d.loc[("labour:verdict_source", "isco", "26"), "category"], \
            d.loc[("labour:verdict_source", "programme", "ECON-ECO-B"), "category"]

    # 680 / (5810 + 680) = 10.5 %: oversupply at 10 %, not at 12 %
    assert verdicts(base) == ("oversupply", "oversupply")
    assert verdicts(strict) == ("no_oversupply", "no_oversupply")


def test_labour_rules_are_checked_in_the_cohort_file():
    inputs = [{"path": "r.xlsx", "instrument": "registry", "format": "registry_xlsx"}]
    with pytest.raises(ConfigError, match="labour_rules has unknown key"):
        config_from_dict({"cohort": "x", "graduation_year": 2025, "inputs": inputs, "labour_rules": {"ten": 0.1}})
    with pytest.raises(ConfigError, match="supply_allocation must be one of main, equal"):
        config_from_dict({"cohort": "x", "graduation_year": 2025, "inputs": inputs,
                          "labour_rules": {"supply_allocation": "half"}})
    with pytest.raises(ConfigError, match="growth_high must be a number"):
        config_from_dict({"cohort": "x", "graduation_year": 2025, "inputs": inputs,
                          "labour_rules": {"growth_high": "high"}})

"""Tests of the one disclosure pass (analysis.publish.disclosure) against the HESA reference cases and
hand-made results tables with planted recoverable cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ConfigError
from analysis.publish.disclosure import (
    DisclosureError,
    Margin,
    Rules,
    attack,
    check_publication,
    hesa_round,
    margins,
    primary_suppression,
    publish,
    secondary_suppression,
)
from analysis.publish.formatting import format_count, format_number, format_pct
from analysis.results.table import COLUMNS

NBSP = "\u00a0"


# ----------------------------------------------------------------- HESA reference (§6)
@pytest.mark.parametrize("count, expected", [(148, 150), (2, 0), (3, 5), (2.5, 5), (7.5, 10),
                                             (0, 0), (2.49, 0), (12.5, 15), (147.4, 145)])
def test_hesa_round_reference_cases(count, expected):
    assert hesa_round(count) == expected


def test_hesa_round_is_vectorised_and_keeps_missing_values():
    assert hesa_round(np.array([0, 1, 2, 2.5, 3, 7.4, 7.5, 148])).tolist() == [0, 0, 0, 5, 5, 5, 10, 150]
    s = hesa_round(pd.Series([148, None, 3], index=["a", "b", "c"], name="n"))
    assert s.dtype == "Int64" and s.name == "n"
    assert s["a"] == 150 and s["c"] == 5 and pd.isna(s["b"])
    with pytest.raises(ValueError):
        hesa_round(-1)


def _rows(records: list[dict]) -> pd.DataFrame:
    """A results table (analysis.results.table layout) from a few hand-made rows."""
    df = pd.DataFrame(records)
    for c in COLUMNS:
        if c not in df.columns:
            df[c] = "" if c in ("category", "note", "source", "basis", "ci_method", "unit") else np.nan
    df["unit"] = df["unit"].replace("", "share")
    return df[list(COLUMNS)]


def _share(group: str, domain: str, n: float, x: float, indicator: str = "employment_rate", **kw) -> dict:
    return {"indicator": indicator, "statistic": "share", "domain": domain, "group": group, "n": n, "x": x,
            "estimate": x / n, "ci_low": 0.0, "ci_high": 1.0, "unweighted": x / n, **kw}


# ----------------------------------------------------------------- primary rules (HESA, MLASZ)
def test_percentage_reference_cases_5_of_11_suppressed_20_of_23_published():
    r = _rows([_share("a", "all", 11, 5), _share("b", "all", 23, 20)])
    sup, code = primary_suppression(r, Rules())
    assert sup.tolist() == [True, False] and code.tolist() == ["pct_base", ""]
    assert format_pct(100 * 20 / 23, "en") == "87.0%"


def test_percentage_base_threshold_is_fewer_than_22_5_and_min_n():
    r = _rows([_share("a", "all", 22, 11), _share("b", "all", 22.5, 11), _share("c", "all", 9, 1),
               _share("d", "all", 10, 1)])
    assert primary_suppression(r, Rules())[0].tolist() == [True, False, True, True]
    loose = Rules(min_pct_base=0, min_n=10)
    sup, code = primary_suppression(r, loose)
    assert sup.tolist() == [False, False, True, False] and code[2] == "min_n"


def test_means_on_seven_or_fewer_and_models_on_small_n_are_suppressed():
    r = _rows([{"indicator": "median_monthly_income", "statistic": "median", "domain": "all", "group": "all",
                "n": 7, "estimate": 1.0},
               {"indicator": "median_monthly_income", "statistic": "median", "domain": "sex", "group": "f",
                "n": 8, "estimate": 1.0},
               {"indicator": "model:x", "statistic": "coefficient", "domain": "all", "group": "all", "n": 9,
                "estimate": 1.0, "category": "sex=f"},
               {"indicator": "count:graduates", "statistic": "total", "domain": "all", "group": "all", "n": 3,
                "estimate": 3.0}])
    sup, code = primary_suppression(r, Rules(min_n=0))
    assert sup.tolist() == [True, False, False, False] and code[0] == "mean_base"
    sup, code = primary_suppression(r, Rules())  # min_n = 10 also hides the 8 and the model on 9
    assert code.tolist() == ["mean_base", "min_n", "model_n", ""]


@pytest.mark.parametrize("lang, expected", [("ky", "87,0%"), ("ru", f"87,0{NBSP}%"), ("en", "87.0%")])
def test_percentage_formatted_per_cldr_locale(lang, expected):
    # CLDR percent patterns: ky "#,##0%", ru "#,##0 %" (no-break space), en "#,##0%"
    assert format_pct(100 * 20 / 23, lang) == expected
    assert format_pct("..", lang) == ".."


def test_counts_and_numbers_formatted_with_locale_grouping_and_half_up():
    assert format_count(hesa_round(1248), "ky") == f"1{NBSP}250"
    assert format_count(1250, "ru") == f"1{NBSP}250"
    assert format_count(1250, "en") == "1,250"
    assert format_count("..", "ky") == ".."
    assert format_count(float("nan"), "ky") == "–"
    assert format_number(25431.25, "ky") == f"25{NBSP}431,3"  # halves up
    assert format_number(12.25, "ru") == "12,3" and format_number(12.25, "en") == "12.3"  # not half-to-even
    assert format_number(-0.01, "en") == "0.0"  # no negative zero
    assert format_number(25431.25, "en", 0) == "25,431"
    with pytest.raises(ValueError):
        format_count(12.5, "en")
    with pytest.raises(ConfigError, match="ky, ru or en"):
        format_pct(50.0, "xx")


# ------------------------------------------------------------------ secondary suppression and the attack
def _faculty(tourism_n: float = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The issue's case: a faculty of five programmes, one too small to publish (Tourism)."""
    progs = {"ACC": (40, 21), "ECO": (36, 17), "FIN": (30, 15), "MAN": (42, 17), "TOUR": (tourism_n, 7)}
    recs = [_share(p, "programme", n, x) for p, (n, x) in progs.items()]
    n_f = sum(n for n, _ in progs.values())
    x_f = sum(x for _, x in progs.values())
    recs += [_share("ECON", "faculty", n_f, x_f), _share("LAW", "faculty", 85, 36),
             _share("all", "all", n_f + 85, x_f + 36)]
    hier = pd.DataFrame([("programme", p, "faculty", "ECON") for p in progs]
                        + [("faculty", "ECON", "all", "all"), ("faculty", "LAW", "all", "all")],
                        columns=["domain", "group", "parent_domain", "parent_group"])
    return _rows(recs), hier


def test_a_single_suppressed_programme_is_recoverable_from_its_faculty_total():
    r, hier = _faculty()
    prim, _ = primary_suppression(r, Rules())
    assert r.loc[prim, "group"].tolist() == ["TOUR"]
    found = attack(prim, margins(r, hier))
    assert [r.loc[i, "group"] for i in found] == ["TOUR"]  # faculty minus the four others


def test_secondary_suppression_hides_the_smallest_sibling_and_the_attack_then_fails():
    r, hier = _faculty()
    prim, _ = primary_suppression(r, Rules())
    sup = secondary_suppression(r, prim, margins(r, hier))
    assert sorted(r.loc[sup, "group"]) == ["FIN", "TOUR"]  # FIN: the smallest other programme (n=30)
    assert attack(sup, margins(r, hier)) == {}


def test_publish_marks_rules_empties_values_rounds_counts_and_keeps_no_numerator():
    r, hier = _faculty()
    out = publish(r, hier)
    by = out.set_index("group")
    assert by.loc["TOUR", "status"] == "suppressed" and by.loc["TOUR", "rule"] == "pct_base"
    assert by.loc["FIN", "rule"] == "secondary" and np.isnan(by.loc["FIN", "estimate"])
    assert np.isnan(by.loc["FIN", "unweighted"]) and np.isnan(by.loc["FIN", "ci_low"])
    assert by.loc["ACC", "status"] == "published" and by.loc["ACC", "estimate"] == pytest.approx(21 / 40)
    assert by.loc["ECO", "n"] == 35 and by.loc["MAN", "n"] == 40 and by.loc["all", "n"] == 245  # base 5
    assert "x" not in out.columns


def test_check_publication_fails_with_one_line_naming_a_planted_recoverable_cell():
    r, hier = _faculty()
    out = publish(r, hier)
    out.loc[out["group"] == "FIN", "status"] = "published"  # plant: undo the secondary suppression
    with pytest.raises(DisclosureError) as err:
        check_publication(out, hier)
    msg = str(err.value)
    assert "\n" not in msg and "employment_rate programme=TOUR" in msg and "faculty=ECON" in msg


def test_chains_across_hierarchies_are_followed():
    # two suppressed programmes in one faculty, but one of them is recoverable through its sex split
    recs = [_share("A", "programme", 50, 20), _share("B", "programme", 10, 5), _share("C", "programme", 30, 10),
            _share("F", "faculty", 90, 35),
            _share("B|f", "programme×sex", 6, 3, indicator="employment_rate"),
            _share("B|m", "programme×sex", 4, 2, indicator="employment_rate")]
    r = _rows(recs)
    hier = pd.DataFrame([("programme", p, "faculty", "F") for p in "ABC"]
                        + [("programme×sex", "B|f", "programme", "B"), ("programme×sex", "B|m", "programme", "B")],
                        columns=["domain", "group", "parent_domain", "parent_group"])
    sup = np.array([False, True, True, False, False, False])  # B and C hidden, B's sex cells shown
    found = attack(sup, margins(r, hier))
    assert {r.loc[i, "group"] for i in found} == {"B", "C"}  # B from its sexes, then C from the faculty


def test_distributions_add_up_to_the_group_and_aliases_share_a_fate():
    recs = [_share("all", "all", 100, x, indicator="labour_status", category=c)
            for c, x in (("employed", 60), ("unemployed", 20), ("olf_study", 12), ("olf_other", 8))]
    recs.append(_share("all", "all", 100, 60, indicator="employment_rate"))
    r = _rows(recs)
    empty = pd.DataFrame(columns=["domain", "group", "parent_domain", "parent_group"])
    ms = margins(r, empty, {"labour_status": None}, [("employment_rate", "", "labour_status", "employed")])
    assert Margin(None, (0, 1, 2, 3)) in ms
    sup = np.array([False, False, True, False, False])  # only one status hidden: recoverable from n
    assert list(attack(sup, ms)) == [2]
    sup = np.array([True, False, False, False, False])  # "employed" hidden, its alias shown
    assert 0 in attack(sup, ms)
    fixed = secondary_suppression(r, sup, ms)
    assert attack(fixed, ms) == {}


def test_rules_follow_the_cohort_configuration():
    class Cfg:
        disclosure_min_n = 25

    assert Rules.from_config(Cfg()).min_n == 25


def test_published_counts_are_rounded_like_their_bases():
    r = _rows([{"indicator": "employers:count", "statistic": "total", "unit": "count", "domain": "all",
                "group": "all", "n": 11, "estimate": 11.0, "unweighted": 11.0},
               {"indicator": "employers:need_3y_n", "statistic": "total", "unit": "count", "domain": "all",
                "group": "all", "n": 148, "estimate": 1248.0, "ci_low": 1013.0, "ci_high": 1483.0}])
    out = publish(r, pd.DataFrame(columns=["domain", "group", "parent_domain", "parent_group"]))
    assert out["estimate"].tolist() == [10.0, 1250.0] and out["n"].tolist() == [10.0, 150.0]
    assert (out.loc[1, "ci_low"], out.loc[1, "ci_high"]) == (1015.0, 1485.0)

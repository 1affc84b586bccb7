"""Tests of analysis.disclosure against the HESA reference cases (statistics.md §6) and
hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.disclosure import (
    SYMBOL,
    Rules,
    format_count,
    format_number,
    format_pct,
    hesa_round,
    protect_frequency_table,
    protect_table,
    safe_pct,
    secondary_suppression,
    suppressed_mask,
)
from analysis.errors import ConfigError

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


def test_percentage_reference_cases():
    assert safe_pct(5, 11) == SYMBOL == ".."
    assert safe_pct(20, 23) == 87.0  # 86.956… to one decimal


def test_percentage_base_threshold_is_fewer_than_22_5():
    assert safe_pct(11, 22) == ".."
    assert safe_pct(11, 22.5) == 48.9  # a weighted base of exactly 22.5 is published
    loose = Rules(min_pct_base=0, min_n=10)
    assert safe_pct(1, 9, loose) == ".."  # MLASZ: no indicator under 10
    assert safe_pct(1, 10, loose) == 10.0
    assert np.isnan(safe_pct(0, 0))


@pytest.mark.parametrize("lang, expected", [("ky", "87,0%"), ("ru", f"87,0{NBSP}%"), ("en", "87.0%")])
def test_percentage_formatted_per_cldr_locale(lang, expected):
    # CLDR percent patterns: ky "#,##0%", ru "#,##0 %" (no-break space), en "#,##0%"
    assert format_pct(safe_pct(20, 23), lang) == expected
    assert format_pct(safe_pct(5, 11), lang) == ".."


def test_counts_and_numbers_formatted_with_locale_grouping():
    assert format_count(hesa_round(1248), "ky") == f"1{NBSP}250"
    assert format_count(1250, "ru") == f"1{NBSP}250"
    assert format_count(1250, "en") == "1,250"
    assert format_count("..", "ky") == ".."
    assert format_count(float("nan"), "ky") == "–"
    assert format_number(25431.25, "ky") == f"25{NBSP}431,3"  # halves up
    assert format_number(25431.25, "en", 0) == "25,431"
    with pytest.raises(ValueError):
        format_count(12.5, "en")
    with pytest.raises(ConfigError, match="ky, ru or en"):
        format_pct(50.0, "xx")


# ------------------------------------------------------------------------ protect_table
def _results() -> pd.DataFrame:
    return pd.DataFrame({
        "programme": ["A", "B", "C", "D"],
        "n": [148, 11, 23, 40],
        "employed": [100, 5, 20, 2],
        "pct_employed": [100 / 148 * 100, 5 / 11 * 100, 20 / 23 * 100, 2 / 40 * 100],
        "income_median": [21000.0, 18000.0, 19500.0, 23000.0],
        "n_income": [60, 7, 9, 8],
    })


def test_protect_table_rounds_counts_and_suppresses_small_bases():
    out = protect_table(_results(), ["employed"], {"pct_employed": "n"}, {"income_median": "n_income"})
    assert out["n"].tolist() == [150, 10, 25, 40]
    assert out["employed"].tolist() == [100, 5, 20, 0]
    assert out["pct_employed"].tolist() == [67.6, "..", 87.0, 5.0]
    # n ≤ 7 (HESA) and n < 10 (MLASZ) suppress the median; n=60 keeps it
    assert out["income_median"].tolist() == [21000.0, "..", "..", ".."]
    assert out["n_income"].tolist() == [60, 5, 10, 10]  # n's are counts: rounded too
    assert out.attrs["suppressed"] == {"pct_employed": [1], "income_median": [1, 2, 3]}
    mask = suppressed_mask(out)
    assert mask["income_median"].tolist() == [False, True, True, True]
    assert not mask["n"].any()
    assert "22.5" in out.attrs["disclosure"]


def test_protect_table_hesa_alone_suppresses_means_on_seven_or_fewer():
    hesa = Rules(min_n=0)
    out = protect_table(_results(), (), {}, {"income_median": "n_income"}, hesa)
    assert out["income_median"].tolist() == [21000.0, "..", 19500.0, 23000.0]


def test_protect_table_as_numbers_for_charts():
    out = protect_table(_results(), ["employed"], {"pct_employed": "n"}, as_numbers=True)
    assert out["pct_employed"].isna().tolist() == [False, True, False, False]
    assert out["employed"].dtype == "Int64"


def test_totals_are_rounded_after_calculation():
    df = pd.DataFrame({"group": ["a", "b", "c", "Total"], "n": [2, 2, 2, 6]})
    out = protect_table(df, ["n"])
    assert out["n"].tolist() == [0, 0, 0, 5]  # rows need not add up (HESA)


def test_rule_of_ten_on_counts():
    df = pd.DataFrame({"n": [0, 3, 9, 10, 148]})
    out = protect_table(df, ["n"], rules=Rules(count_min=10))
    assert out["n"].tolist() == [0, "..", "..", 10, 150]


# ------------------------------------------------------------------ secondary suppression
def _three_by_three() -> pd.DataFrame:
    t = pd.DataFrame([[20, 3, 15], [12, 25, 30], [18, 14, 11]], index=list("xyz"), columns=list("ABC"))
    t["Total"] = t.sum(axis=1)
    t.loc["Total"] = t.sum()
    return t


def _lines_ok(mask: pd.DataFrame) -> bool:
    """No row or column (margins included) has exactly one suppressed cell."""
    return all(k != 1 for k in mask.sum(axis=1)) and all(k != 1 for k in mask.sum(axis=0))


def test_secondary_suppression_on_a_three_by_three_table():
    table = _three_by_three()
    primary = table < 10  # only x/B = 3
    assert primary.to_numpy().sum() == 1
    mask = secondary_suppression(table, primary)
    # By hand: row x → its smallest other inner cell, x/C = 15; column B → z/B = 14;
    # column C then has x/C alone → z/C = 11; row z now has two. Margins stay published.
    expected = {("x", "B"), ("x", "C"), ("z", "B"), ("z", "C")}
    assert {(r, c) for r in mask.index for c in mask.columns if mask.loc[r, c]} == expected
    assert _lines_ok(mask)


def test_secondary_suppression_prefers_non_zero_cells_and_respects_absent_margins():
    table = pd.DataFrame([[4, 0, 30], [20, 12, 40]], index=["r1", "r2"], columns=["A", "B", "C"])
    table["Total"] = table.sum(axis=1)
    primary = pd.DataFrame(False, index=table.index, columns=table.columns)
    primary.loc["r1", "A"] = True
    mask = secondary_suppression(table, primary, total_row=None)  # only row totals published
    assert mask.loc["r1"].tolist() == [True, False, True, False]  # 30 chosen, not the 0
    assert not mask.loc["r2"].any()  # no column totals: columns are not constraints


def test_protect_frequency_table_suppresses_then_rounds_from_unrounded_values():
    out = protect_frequency_table(_three_by_three(), Rules(count_min=10))
    assert out.loc["x"].tolist() == [20, "..", "..", 40]
    assert out.loc["y"].tolist() == [10, 25, 30, 65]
    assert out.loc["z"].tolist() == [20, "..", "..", 45]
    assert out.loc["Total"].tolist() == [50, 40, 55, 150]
    assert out.attrs["suppressed"] == {"B": [0, 2], "C": [0, 2]}
    plain = protect_frequency_table(_three_by_three())  # HESA: rounding only
    assert plain.loc["x"].tolist() == [20, 5, 15, 40]

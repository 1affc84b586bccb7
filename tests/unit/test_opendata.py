"""Open-data look-ups: expected values read by hand from data/raw/open/kg-open/*.csv."""

from __future__ import annotations

import hashlib
import re

import pytest

from analysis.derive import opendata
from analysis.derive.opendata import TAX_BASE_WAGE, minimum_wage, oblast_average_wage
from analysis.errors import ConfigError

SNAPSHOT = opendata.default_data_dir()


# ---------------------------------------------------------------- average wage, Jalal-Abad oblast
# Jalal-Abad rows in kg_avg_wage_by_region.csv: 2011 Jan–Nov 7 899; 2019 H1 15 136; 2021 Jan–Aug 18 609;
# 2025 (full year headline) 34 633.

def test_exact_year_is_used():
    fig = oblast_average_wage("Jalal-Abad oblast", 2021)
    assert fig.value_kgs == 18609
    assert fig.period == "2021 January-August"
    assert "stat.kg" in fig.source_url


def test_contract_oblast_code_is_accepted():
    assert oblast_average_wage("jalal_abad", 2025) == oblast_average_wage("Jalal-Abad oblast", 2025)
    assert oblast_average_wage("jalal_abad", 2025).value_kgs == 34633


def test_nearest_year_and_tie_prefers_the_earlier_year():
    assert oblast_average_wage(year=2026).value_kgs == 34633           # 2025 is 1 year away
    assert oblast_average_wage(year=2020).value_kgs == 15136           # 2019 and 2021 both 1 away → 2019


def test_no_figure_within_the_gap_is_refused_not_guessed():
    with pytest.raises(ConfigError, match="within 1 year"):
        oblast_average_wage(year=2023)                                  # 2021 and 2025 are 2 years away
    assert oblast_average_wage(year=2023, max_gap_years=2).value_kgs == 18609   # tie → earlier (2021)


def test_within_a_year_the_longest_coverage_wins_and_usd_rows_are_ignored():
    # Kyrgyz Republic 2019: Jan–Feb 15 226 som, Q1 15 716 som, H1 16 287 som (and USD rows)
    assert oblast_average_wage("Kyrgyz Republic", 2019).value_kgs == 16287
    # 2025: Jan–Jun 42 020, Jan–Sep 42 757, full year "44.4 thousand som" → 44 400
    assert oblast_average_wage("KG", 2025).value_kgs == 44400


def test_conflicting_rows_of_one_year_resolved_by_the_documented_rule():
    # 2017: 15 391 (full year, knews.kg, dated), 14 777 (months not stated), 14 800 (undated) → 15 391
    fig = oblast_average_wage("Kyrgyz Republic", 2017)
    assert fig.value_kgs == 15391
    assert "knews.kg" in fig.source_url


def test_different_measure_is_never_mixed_in_silently():
    # Kara-Kul city has only the Cabinet's tax-base wage: refused unless asked for by name
    with pytest.raises(ConfigError, match="different measure"):
        oblast_average_wage("Kara-Kul city (Jalal-Abad oblast)", 2026)
    fig = oblast_average_wage("Kara-Kul city (Jalal-Abad oblast)", 2026, measure=TAX_BASE_WAGE)
    assert fig.value_kgs == 50642
    # and asking for the tax-base measure never returns an NSC figure
    with pytest.raises(ConfigError):
        oblast_average_wage("Jalal-Abad oblast", 2025, measure=TAX_BASE_WAGE)


def test_unknown_measure_and_region():
    with pytest.raises(ConfigError, match="unknown wage measure"):
        oblast_average_wage(year=2025, measure="avg_wage_made_up")
    with pytest.raises(ConfigError, match="no figure of any measure"):
        oblast_average_wage("Atlantis oblast", 2025)


def test_missing_snapshot_folder(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        oblast_average_wage(year=2025, data_dir=tmp_path)


# ---------------------------------------------------------------- minimum wage (step function)

@pytest.mark.parametrize(
    ("year", "value"),
    [(2017, 1200), (2018, 1200), (2019, 1750), (2021, 1750), (2022, 2337), (2025, 2337), (2026, 3280),
     (2027, 3608), (2028, 3968.8), (2031, 3968.8)],
)
def test_minimum_wage_in_force(year, value):
    assert minimum_wage(year).value_kgs == value


def test_minimum_wage_carried_forward_says_so_and_proposal_is_never_used():
    assert "latest published figure on or before 2024" in minimum_wage(2024).period
    assert minimum_wage(2026).period == "2026 (draft republican budget)"
    # the 2019 proposal target of 5 000 som (for 2026) is a different indicator
    assert all(minimum_wage(y).value_kgs != 5000 for y in range(2017, 2036))


def test_minimum_wage_before_the_first_figure_is_refused():
    with pytest.raises(ConfigError, match="on or before 2016"):
        minimum_wage(2016)


# ---------------------------------------------------------------- the snapshot itself

def test_snapshot_checksums_match_snapshot_note():
    note = (SNAPSHOT / "SNAPSHOT.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"\| `([\w.]+)` \| `([0-9a-f]{64})` \|", note))
    assert set(listed) == {"kg_avg_wage_by_region.csv", "kg_minimum_wage.csv", "README.md", "kg_avg_wage_by_sector.csv",
                           "kg_registered_unemployed.csv", "kg_lfs_unemployment.csv", "kg_employment_by_sector.csv",
                           "kg_he_graduates.csv", "kg_subsistence_minimum.csv", "kg_vacancies.csv"}
    for name, digest in listed.items():
        assert hashlib.sha256((SNAPSHOT / name).read_bytes()).hexdigest() == digest, name


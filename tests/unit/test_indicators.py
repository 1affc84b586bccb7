"""Derived variables and indicators: hand-made graduates, expected values worked out by hand
from the standards cited in src/analysis/definitions/indicators.yaml."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.derive.docs import indicators_markdown
from analysis.derive.graduates import (
    DERIVED_COLUMNS,
    P1_ITEMS,
    P2_ITEMS,
    derive_graduates,
    linkage_table,
    load_programmes,
)
from analysis.derive.income import income_for_statistics, income_kgs, income_relative
from analysis.derive.job import (
    abroad,
    informal,
    isco_major_from,
    isco_submajor_from,
    sector,
    skill_level,
    works_in_region,
)
from analysis.derive.labour import available_full_time, employed, full_time, further_study, labour_status, nace_outcome
from analysis.derive.match import (
    COMPETENCES,
    competence_gap,
    degree_effectiveness,
    horizontal_match_normative,
    horizontal_match_subjective,
    vertical_match_normative,
    vertical_match_subjective,
)
from analysis.derive.registry import UNITS, get_indicator, indicator_values, load_registry
from analysis.derive.transition import job_search_months, job_within_months, months_to_first_job
from analysis.errors import ConfigError, InputError
from analysis.results.table import KINDS, Settings, domain_groups, share_rows

ROOT = Path(__file__).resolve().parents[2]
GRAD = pd.Timestamp("2025-06-30")
SURVEY = pd.Timestamp("2026-03-31")       # 274 days after graduation = 9.0 months of 30.4375 days
NOT_ASKED = dict(ilo_family_help=None, ilo_absent=None, ilo_sought=None, ilo_available=None, ilo_future_start=None)


def resp(**kw) -> dict:
    """A consenting phase-2 respondent who did not work and did not look for work (override as needed)."""
    row = dict(consent="yes", survey_date=SURVEY, ilo_worked="no", ilo_family_help="no", ilo_absent="no",
               ilo_sought="no", ilo_available="no", ilo_future_start="no", studying="no", job_before_grad="no")
    row.update(kw)
    return row


def worker(**kw) -> dict:
    """An employed full-time employee with a written contract and Social Fund contributions."""
    row = resp(ilo_worked="yes", **NOT_ASKED, hours=40, emp_type="employee", contract="written",
               social_fund="yes", work_country="KG", work_oblast="jalal_abad",
               first_job_date=pd.Timestamp("2025-09-01"))
    row.update(kw)
    return row


def frame(*rows: dict) -> pd.DataFrame:
    df = pd.DataFrame(list(rows))
    df["graduation_date"] = GRAD
    return df


def one(fn, row: dict, *args, **kw):
    """Apply a per-graduate function to a single hand-made row and return the scalar."""
    out = fn(frame(row), *args, **kw)
    return out.iloc[0]


# ================================================================== labour status (ILO 19th ICLS)

@pytest.mark.parametrize(
    ("case", "row", "expected"),
    [
        ("part-time worker (1 hour or more counts)", worker(hours=12), "employed"),
        ("temporarily absent from a job", resp(ilo_absent="yes", ilo_sought=None, ilo_available=None,
                                                ilo_future_start=None), "employed"),
        ("self-employed", worker(emp_type="self_employed", contract=None), "employed"),
        ("unpaid work in a family business", resp(ilo_family_help="yes", ilo_absent=None, ilo_sought=None,
                                                  ilo_available=None, ilo_future_start=None), "employed"),
        ("studying and working", worker(studying="yes", study_level="master", study_full_time="yes", hours=15),
         "employed"),
        ("seeking and available", resp(ilo_sought="yes", ilo_available="yes"), "unemployed"),
        ("waiting to start a job, available", resp(ilo_future_start="yes", ilo_available="yes"), "unemployed"),
        ("seeking but not available", resp(ilo_sought="yes", ilo_available="no"), "olf_other"),
        ("seeking, not available, studying", resp(ilo_sought="yes", ilo_available="no", studying="yes"),
         "olf_study"),
        ("available but not seeking", resp(ilo_available="yes"), "olf_other"),
        ("full-time student not seeking", resp(studying="yes", study_level="master"), "olf_study"),
    ],
)
def test_labour_status(case, row, expected):
    assert one(labour_status, row) == expected, case


@pytest.mark.parametrize(
    ("case", "row"),
    [
        ("no consent", worker(consent="no")),
        ("did not work, family-help item unanswered", resp(ilo_family_help=None)),
        ("not employed, availability unanswered while seeking", resp(ilo_sought="yes", ilo_available=None)),
        ("core item unanswered", resp(ilo_worked=None)),
    ],
)
def test_labour_status_unknown(case, row):
    assert pd.isna(one(labour_status, row)), case


def test_labour_status_is_ordered_categorical_and_three_valued():
    st = labour_status(frame(worker(), resp(ilo_sought="yes", ilo_available="yes"), resp(), resp(studying="yes")))
    assert list(st.cat.categories) == ["employed", "unemployed", "olf_study", "olf_other"]
    assert st.cat.ordered
    assert employed(frame(worker(), resp(ilo_sought="yes", ilo_available="yes"), resp(consent="no"))).tolist() == [
        True, False, pd.NA]
    # a "yes" to work decides even when the later items are missing (three-valued logic)
    assert one(labour_status, resp(ilo_worked="yes", ilo_family_help=None, ilo_absent=None)) == "employed"


def test_future_start_without_availability_is_not_unemployed():
    assert one(labour_status, resp(ilo_future_start="yes", ilo_available="no")) == "olf_other"


# ================================================================== full-time, QILT universe

def test_full_time_threshold_is_a_parameter():
    df = frame(worker(hours=38), worker(hours=40), resp(ilo_sought="yes", ilo_available="yes"), worker(hours=None))
    assert full_time(df).tolist() == [False, True, False, pd.NA]
    assert full_time(df, threshold=35).tolist() == [True, True, False, pd.NA]


def test_available_for_full_time_work():
    df = frame(
        worker(hours=45),                                          # full-time employed
        worker(hours=20),                                          # part-time, not a student
        worker(hours=20, studying="yes", study_full_time="yes"),   # part-time full-time student
        resp(ilo_sought="yes", ilo_available="yes"),               # unemployed
        resp(studying="yes"),                                      # outside the labour force
    )
    assert available_full_time(df).tolist() == [True, True, False, True, False]
    assert available_full_time(df, part_timers="all").tolist() == [True, True, True, True, False]
    assert available_full_time(df, part_timers="none").tolist() == [True, False, False, True, False]
    with pytest.raises(ConfigError):
        available_full_time(df, part_timers="some")


def test_further_study():
    df = frame(resp(studying="yes", study_level="master", study_full_time="yes"),
               resp(studying="yes", study_level="master", study_full_time="no"),
               resp(studying="yes", study_level="course", study_full_time="yes"),
               resp(studying="no"), resp(studying=None))
    assert further_study(df).tolist() == [True, True, False, False, pd.NA]
    assert further_study(df, full_time_only=True).tolist() == [True, False, False, False, pd.NA]


def test_nace_outcome_and_career_outcomes():
    df = frame(worker(),
               resp(main_activity="military"),
               resp(studying="yes", study_level="master", main_activity="study"),
               resp(ilo_sought="yes", ilo_available="yes", main_activity="seeking"),
               resp(main_activity="family_care"),
               resp(consent="no"))
    out = nace_outcome(df)
    assert out.tolist()[:5] == ["employed", "military", "continuing_education", "seeking", "not_seeking"]
    assert pd.isna(out.iloc[5])


# ================================================================== time to first job

def test_months_to_first_job_cases():
    df = frame(
        worker(job_before_grad="yes", first_job_date=pd.Timestamp("2024-10-01")),   # job before graduation
        worker(first_job_date=pd.Timestamp("2025-09-01")),                          # 63 days → 2.1
        worker(first_job_date=pd.Timestamp("2025-06-01")),                          # graduation month → 0
        worker(first_job_date=pd.Timestamp("2025-04-01"), job_before_grad=None),    # earlier month → 0, flagged
        resp(ilo_sought="yes", ilo_available="yes"),                                # never employed: censored
        resp(studying="yes", study_level="master"),                                 # further study: competing
        resp(ilo_future_start="yes", ilo_available="yes",                           # waiting to start a job
             first_job_date=pd.Timestamp("2026-05-01")),
        worker(first_job_date=None),                                                # employed, date unknown
        resp(consent="no"),
    )
    out = months_to_first_job(df)
    assert out["time"].tolist()[:7] == [0.0, 2.1, 0.0, 0.0, 9.0, 9.0, 9.0]
    assert out["event"].tolist()[:8] == [1, 1, 1, 1, 0, 2, 0, 1]
    assert out["before_grad_flag"].tolist()[:5] == [True, False, False, True, False]
    assert out["censored_flag"].tolist()[:7] == [False, False, False, False, True, False, True]
    assert np.isnan(out["time"].iloc[7])
    assert out.iloc[8].isna().all()


def test_time_unit_is_the_30_4375_day_month_rounded_to_one_decimal():
    # 2025-06-30 → 2025-12-01 is 154 days = 5.0595… months
    out = months_to_first_job(frame(worker(first_job_date=pd.Timestamp("2025-12-01"))))
    assert out["time"].iloc[0] == 5.1
    # graduation and survey dates may also be given as scalars
    out = months_to_first_job(frame(resp(ilo_sought="yes", ilo_available="yes")),
                                graduation_date=pd.Timestamp("2025-07-31"), survey_date="2026-01-31")
    assert out["time"].iloc[0] == round(184 / 30.4375, 1)


def test_job_within_six_months():
    ttj = pd.DataFrame({"time": [0.0, 6.0, 6.1, 9.0, 4.0, 9.0, np.nan],
                        "event": pd.array([1, 1, 1, 0, 0, 2, 1], dtype="Int64")})
    assert job_within_months(ttj, 6).tolist() == [True, True, False, False, pd.NA, pd.NA, pd.NA]


def test_job_search_months():
    df = frame(worker(search_start="after_grad", first_job_date=pd.Timestamp("2025-09-01")),
               worker(search_start="at_grad", first_job_date=pd.Timestamp("2025-09-01")),
               resp(ilo_sought="yes", ilo_available="yes", search_start="before_grad"),
               worker(search_start="not_searched"))
    out = job_search_months(df)
    assert out["months"].tolist()[:3] == [2.1, 2.1, 9.0]
    assert out["upper_bound"].tolist()[:3] == [True, False, False]
    assert out["censored"].tolist()[:3] == [False, False, True]
    assert np.isnan(out["months"].iloc[3])


# ================================================================== occupation, sector, informality, location

def test_isco_major_and_submajor():
    df = frame(worker(isco_code="2330", isco_major="5"), worker(isco_code=None, isco_major="5"),
               worker(isco_code="12345", isco_major="7"), worker(isco_code="0110", isco_major=None))
    assert isco_major_from(df).tolist() == ["2", "5", "7", "0"]
    assert isco_submajor_from(df).tolist() == ["23", pd.NA, pd.NA, "01"]


def test_skill_level_per_ilo_isco08():
    major = pd.Series(["1", "2", "3", "4", "8", "9", "0", "0", None])
    sub = pd.Series([None, None, None, None, None, None, "01", None, None])
    out = skill_level(major, sub)
    assert out.tolist()[:7] == ["3-4", "4", "3", "2", "2", "1", "4"]
    assert out.isna().tolist()[7:] == [True, True]


def test_sector():
    out = sector(frame(worker(sector="p"), worker(sector="A"), worker(sector="C"), resp(sector="P")))
    assert out["gked_section"].tolist()[:3] == ["P", "A", "C"]
    assert out["sector_broad"].tolist()[:3] == ["services", "agriculture", "industry"]
    assert pd.isna(out["gked_section"].iloc[3])    # not employed


@pytest.mark.parametrize(
    ("case", "row", "expected"),
    [
        ("employee, written contract, contributions", worker(), False),
        ("employee, verbal contract (ILO: informal)", worker(contract="verbal"), True),
        ("employee, written contract, no contributions", worker(social_fund="no"), True),
        ("employee, written contract, contributions unknown", worker(social_fund="dk"), pd.NA),
        ("self-employed, no contributions", worker(emp_type="self_employed", contract=None, social_fund="no"), True),
        ("self-employed, contributions", worker(emp_type="self_employed", contract=None, social_fund="yes"), False),
        ("unpaid family worker", resp(ilo_family_help="yes", ilo_absent=None, ilo_sought=None,
                                      ilo_available=None, ilo_future_start=None), True),
        ("not employed", resp(contract="verbal"), pd.NA),
    ],
)
def test_informal(case, row, expected):
    got = one(informal, row)
    assert (pd.isna(got) and expected is pd.NA) or got == expected, case


def test_abroad_and_region():
    df = frame(worker(work_country="RU", work_oblast=None), worker(), worker(work_oblast="bishkek"),
               worker(work_country=None, work_oblast=None), resp())
    assert abroad(df).tolist() == [True, False, False, pd.NA, pd.NA]
    assert works_in_region(df).tolist() == [False, True, False, pd.NA, pd.NA]


# ================================================================== income

def test_refused_income_with_band_is_kept_apart():
    df = frame(worker(income=None, income_band="10_15k"), worker(income=None, income_band="refuse"),
               worker(income=23000, income_band=None), worker(income=None, income_band="gt50k"))
    out = income_kgs(df)
    assert out["income_kgs"].isna().tolist() == [True, True, False, True]
    assert out["income_band_mid_kgs"].iloc[0] == 12500
    assert np.isnan(out["income_band_mid_kgs"].iloc[2])          # never filled for an exact answer
    assert np.isnan(out["income_band_mid_kgs"].iloc[3])          # open top band: no midpoint
    assert out["income_from_band"].tolist() == [True, pd.NA, False, True]
    bands = out["income_band_any"]
    assert (bands.iloc[0], bands.iloc[2], bands.iloc[3]) == ("10_15k", "20_30k", "gt50k") and pd.isna(bands.iloc[1])
    stat = income_for_statistics(df)
    assert stat["income_stat"].isna().tolist() == [True, True, False, True]
    assert stat["income_excluded_reason"].iloc[0] == "no_exact_income"


def test_income_statistics_universe_and_hesa_trimming():
    df = frame(worker(income=2000), worker(income=15000), worker(income=20000, hours=20),
               resp(ilo_family_help="yes", ilo_absent=None, ilo_sought=None, ilo_available=None,
                    ilo_future_start=None, hours=40, emp_type="family_worker", income=0))
    plain = income_for_statistics(df)
    assert plain["income_stat"].tolist()[:2] == [2000, 15000]
    assert plain["income_excluded_reason"].astype(object).tolist()[2:] == ["not_full_time", "unpaid_family_work"]
    trimmed = income_for_statistics(df, trim=True, min_wage=3280)
    assert np.isnan(trimmed["income_stat"].iloc[0])
    assert trimmed["income_excluded_reason"].iloc[0] == "below_min_wage"
    with pytest.raises(ConfigError, match="minimum wage"):
        income_for_statistics(df, trim=True, min_wage=None)


def test_top_tenth_of_a_percent_is_trimmed_only_from_1000_incomes():
    rows = [worker(income=10000 + i) for i in range(1000)]
    out = income_for_statistics(frame(*rows), trim=True, min_wage=3280)
    dropped = out["income_excluded_reason"] == "top_0_1pct"
    assert dropped.sum() == 1 and out.loc[dropped.to_numpy(), "income_stat"].isna().all()
    assert bool(dropped.iloc[999])                                # the largest income (10 999)
    small = income_for_statistics(frame(*rows[:999]), trim=True, min_wage=3280)
    assert (small["income_excluded_reason"] == "top_0_1pct").sum() == 0


def test_income_relative_and_below_minimum_wage():
    df = frame(worker(income=17316.5), worker(income=2000), worker(income=2000, hours=20), resp())
    out = income_relative(df, oblast_wage=34633, min_wage=3280)
    assert out["income_rel_oblast"].iloc[0] == pytest.approx(0.5)
    assert out["below_min_wage"].tolist() == [False, True, pd.NA, pd.NA]   # part-time: not in the universe
    missing = income_relative(df, oblast_wage=None, min_wage=None)
    assert missing["income_rel_oblast"].isna().all() and missing["below_min_wage"].isna().all()


# ================================================================== mismatch (ILO 20th ICLS)

def test_vertical_match_subjective():
    df = frame(worker(vertical_match="same"), worker(vertical_match="lower"), worker(vertical_match="none_needed"),
               worker(vertical_match="higher"), resp(vertical_match="same"))
    assert vertical_match_subjective(df).astype(object).tolist()[:4] == [
        "matched", "over_educated", "over_educated", "under_educated"]
    assert pd.isna(vertical_match_subjective(df).iloc[4])


def test_vertical_match_normative():
    major = pd.Series(["5", "2", "3", "3", "2", "7", "9", "1"])
    isced = pd.Series([6, 6, 6, 5, 5, 5, 4, 5])
    out = vertical_match_normative(major, isced).astype(object).tolist()
    # tertiary (ISCED 6) in ISCO 5 is over-qualified; bachelor as professional matched; bachelor in
    # ISCO 3 matched (Eurostat); college (ISCED 5) in 3 matched, in 2 under, in 7 over; ISCED 4 in 9 over;
    # college in managers (skill 3-4) matched
    assert out == ["over_qualified", "matched", "matched", "matched", "under_qualified", "over_qualified",
                   "over_qualified", "matched"]
    strict = vertical_match_normative(pd.Series(["3"]), pd.Series([6]), rule="ilo")
    assert strict.iloc[0] == "over_qualified"
    armed = vertical_match_normative(pd.Series(["0", "0"]), pd.Series([6, 6]), pd.Series(["01", None]))
    assert armed.iloc[0] == "matched" and pd.isna(armed.iloc[1])


def test_horizontal_match_subjective():
    df = frame(worker(horizontal_match="5"), worker(horizontal_match="4"), worker(horizontal_match="3"),
               worker(horizontal_match=None), resp(horizontal_match="5"))
    assert horizontal_match_subjective(df).tolist() == [True, True, False, pd.NA, pd.NA]


def test_horizontal_match_normative_from_the_crosswalk():
    progs = load_programmes().set_index("programme")
    maths = progs.loc["PED-MATH-B", "expected_isco"]              # "23": teaching professionals
    nurse = progs.loc["COL-NUR-C", "expected_isco"]               # "32;22"
    code = pd.Series(["2330", "4110", None, None, "3221"])
    expected = pd.Series([maths, maths, maths, maths, nurse])
    major = pd.Series(["2", "4", "2", "4", "3"])
    out = horizontal_match_normative(code, expected, major)
    # 2330 secondary teacher: match; 4110 office clerk: no; major 2 alone: undecidable (23 is in it);
    # major 4 alone: no expected group in it → no match; 3221 nurse for the nursing college: match
    assert out.tolist() == [True, False, pd.NA, False, True]


@pytest.mark.parametrize(
    ("need", "use", "level"),
    [("same", "5", "very_effective"), ("higher", "4", "very_effective"), ("same", "3", "effective"),
     ("lower", "5", "effective"), ("lower", "3", "fairly_effective"), ("lower", "1", "slightly_effective"),
     ("none_needed", "2", "slightly_effective"), ("none_needed", "1", "not_effective"),
     ("same", "1", "fairly_effective"), ("none_needed", "5", "fairly_effective")],
)
def test_degree_effectiveness_almalaurea(need, use, level):
    assert one(degree_effectiveness, worker(vertical_match=need, usefulness=use)) == level


def test_degree_effectiveness_needs_both_items_and_a_job():
    assert pd.isna(one(degree_effectiveness, worker(vertical_match="same", usefulness=None)))
    assert pd.isna(one(degree_effectiveness, resp(vertical_match="same", usefulness="5")))


def test_competence_gap():
    df = pd.DataFrame({"comp_job_ict": ["5", "2", None], "comp_grad_ict": ["3", "4", "4"]})
    gap = competence_gap(df)
    assert list(gap.columns) == [f"comp_gap_{c}" for c in COMPETENCES]
    assert gap["comp_gap_ict"].tolist()[:2] == [2.0, -2.0] and np.isnan(gap["comp_gap_ict"].iloc[2])


# ================================================================== the graduates table

def registry(n: int = 4) -> pd.DataFrame:
    return pd.DataFrame({
        "student_id": [f"2021000{i}" for i in range(n, 0, -1)],       # deliberately unsorted
        "full_name": [f"Name {i}" for i in range(n)],
        "email": ["x@example.org"] * n,
        "sex": ["female", "male"] * (n // 2),
        "date_of_birth": pd.to_datetime(["2002-07-01"] * n),
        "programme": ["PED-MATH-B", "COL-NUR-C", "ECON-ECO-B", "PED-MATH-B"][:n],
        "faculty": ["PED", "COL", "ECON", "PED"][:n],
        "level": ["bachelor", "college", "bachelor", "bachelor"][:n],
        "graduation_date": [GRAD] * n,
        "funding": ["state", "contract"] * (n // 2),
    })


def phases():
    p1 = pd.DataFrame([
        dict(student_id="20210001", consent="yes", job_status="has_job", plan="work", comp_grad_ict="3",
             eval_content="4", eval_practical="3", eval_teachers="5", eval_overall="4", email_new="a@b.kg",
             _mode="online"),
        dict(student_id="20210002", consent="yes", job_status="searching", plan="work", eval_content="2",
             _mode="paper"),
        dict(student_id="20210003", consent="no", _mode="online"),
    ])
    p2 = pd.DataFrame([
        {**worker(isco_code="2330", income=20000, comp_job_ict="5", vertical_match="same", usefulness="5",
                  horizontal_match="5", job_satisfaction="4", need_more_education="no"), "student_id": "20210001",
         "_mode": "phone"},
        {**resp(ilo_sought="yes", ilo_available="yes", need_more_education="yes"), "student_id": "20210002",
         "_mode": "online"},
        {**resp(consent="no", ilo_worked=None), "student_id": "20210003", "_mode": "online"},
        {**worker(), "student_id": "99999999", "_mode": "online"},     # not in the registry
    ])
    return p1, p2


PARAMS = {"oblast_wage_kgs": 40000, "min_wage_kgs": 3280, "unrelated_key": 1}


def test_one_row_per_registry_graduate_with_response_flags():
    p1, p2 = phases()
    g = derive_graduates(registry(), p1, p2, params=PARAMS)
    assert g["student_id"].tolist() == ["20210001", "20210002", "20210003", "20210004"]   # sorted
    assert g["resp_p1"].tolist() == [True, True, False, False]
    assert g["resp_p2"].tolist() == [True, True, False, False]
    assert g["labour_status"].astype(object).tolist()[:2] == ["employed", "unemployed"]
    assert g["labour_status"].isna().tolist()[2:] == [True, True]
    # phase-2 respondents: horizontal normative match of a maths teacher (2330) → True
    assert g["hm_normative"].tolist() == [True, pd.NA, pd.NA, pd.NA]
    assert g.loc[0, "vm_normative"] == "matched" and g.loc[0, "isced_level"] == 6
    assert g.loc[0, "comp_gap_ict"] == 2.0                               # 5 (job) − 3 (graduation)
    assert g.loc[0, "income_rel_oblast"] == pytest.approx(0.5)           # 20 000 / 40 000
    assert g.loc[0, "programme_eval_score"] == pytest.approx(4.0)        # (4 + 3 + 5 + 4) / 4
    assert np.isnan(g.loc[1, "programme_eval_score"])                    # one item < 3 answered
    assert g.loc[0, "age_at_grad"] == 22
    assert g.attrs["comparators"]["oblast_wage"]["value_kgs"] == 40000


def test_personal_data_are_not_carried_and_shared_items_are_prefixed():
    p1, p2 = phases()
    g = derive_graduates(registry(), p1, p2, params=PARAMS)
    for col in ("full_name", "email", "date_of_birth", "email_new", "phone_new"):
        assert col not in g.columns
    for col in ("p1_consent", "p2_consent", "p1_survey_date", "p2_survey_date", "p1__mode", "p2__mode"):
        assert col in g.columns
    assert g["p2__mode"].tolist()[:2] == ["phone", "online"]


def test_column_order_is_deterministic_and_independent_of_empty_phases():
    p1, p2 = phases()
    full = derive_graduates(registry(), p1.drop(columns="_mode"), p2.drop(columns="_mode"), params=PARAMS)
    empty = derive_graduates(registry(), pd.DataFrame(), None, params=PARAMS)
    assert list(full.columns) == list(empty.columns)
    flags = ["resp_p1", "resp_p2", "outcome_known"]
    start = list(empty.columns).index("resp_p1")
    assert list(empty.columns)[start:start + 3 + len(DERIVED_COLUMNS)] == flags + list(DERIVED_COLUMNS)
    assert (~empty["resp_p2"]).all() and empty["labour_status"].isna().all()
    assert len(derive_graduates(registry().iloc[0:0], None, None, params=PARAMS)) == 0


def test_pseudonymised_tables_link_on_pid():
    p1, p2 = phases()
    reg = registry().rename(columns={"student_id": "pid"})
    g = derive_graduates(reg, p1.rename(columns={"student_id": "pid"}), p2.rename(columns={"student_id": "pid"}),
                           params=PARAMS)
    assert "pid" in g.columns and "student_id" not in g.columns
    assert g["resp_p2"].sum() == 2
    with pytest.raises(InputError, match="pseudonymise"):
        derive_graduates(reg, None, p2, params=PARAMS)


def test_duplicate_graduate_in_a_phase_is_an_input_error_with_its_row():
    p1, p2 = phases()
    dup = pd.concat([p2, p2.iloc[[1]]], ignore_index=True)
    with pytest.raises(InputError) as err:
        derive_graduates(registry(), p1, dup, params=PARAMS)
    assert "row 6" in str(err.value) and "20210002" in str(err.value)


def test_linkage_table():
    p1, p2 = phases()
    link = linkage_table(registry(), p1, p2).set_index("phase")
    counts = ["records", "linked", "not_in_registry", "consented", "valid"]
    assert link.loc["phase2", counts].tolist() == [4, 3, 1, 2, 2]
    assert link.loc["phase1", "response_rate"] == 0.5


# ================================================================== computing indicators

def graduates_for_rates() -> pd.DataFrame:
    reg = pd.DataFrame({
        "student_id": [f"{i:08d}" for i in range(1, 9)],
        "programme": ["PED-MATH-B"] * 4 + ["ECON-ECO-B"] * 3 + ["LAW-JUR-B"],
        "faculty": ["PED"] * 4 + ["ECON"] * 3 + ["LAW"],
        "graduation_date": [GRAD] * 8,
    })
    p2 = pd.DataFrame([
        {**worker(income=20000), "student_id": "00000001"},
        {**worker(income=30000, hours=20), "student_id": "00000002"},
        {**resp(ilo_sought="yes", ilo_available="yes"), "student_id": "00000003"},
        {**resp(studying="yes", study_level="master", study_full_time="yes"), "student_id": "00000004"},
        {**worker(income=10000), "student_id": "00000005"},
        {**resp(ilo_sought="yes", ilo_available="yes"), "student_id": "00000006"},
        # 00000007 and the LAW graduate 00000008 did not respond
    ])
    return derive_graduates(reg, None, p2, params=PARAMS)


ST = Settings(confidence=0.95, ci_method="wilson", weighted_ci_method="wilson")


def _all(g: pd.DataFrame, ind: str) -> pd.Series:
    """The unweighted whole-cohort row of one registry indicator (analysis.results.table)."""
    values = indicator_values(g, ind)
    stat = get_indicator(ind).statistic
    return KINDS[stat](values, domain_groups(g, "all"), ST).iloc[0]


def test_labour_market_rates_by_hand():
    g = graduates_for_rates()
    # respondents 6: employed 3, unemployed 2, outside (studying) 1
    emp = _all(g, "employment_rate")
    assert (emp["n"], emp["x"]) == (6, 3) and emp["estimate"] == pytest.approx(0.5)
    une = _all(g, "unemployment_rate")
    assert (une["n"], une["x"]) == (5, 2)
    assert _all(g, "labour_force_participation_rate")["estimate"] == pytest.approx(5 / 6)
    assert _all(g, "response_rate_p2")["estimate"] == pytest.approx(6 / 8)
    # QILT full-time rate: FT employed 2 ÷ (FT 2 + part-timer not studying 1 + unemployed 2) = 2/5
    ft = _all(g, "full_time_employment_rate")
    assert (ft["n"], ft["x"]) == (5, 2)
    assert _all(g, "further_study_rate")["estimate"] == pytest.approx(1 / 6)
    # median income of the full-time employed: 10 000 and 20 000 → 15 000 (the part-timer is excluded)
    med = _all(g, "median_monthly_income")
    assert med["n"] == 2 and med["estimate"] == 15000


def test_indicator_values_are_one_zero_or_missing_outside_the_universe():
    g = graduates_for_rates()
    v = indicator_values(g, "employment_rate")
    assert v.tolist()[:6] == [1.0, 1.0, 0.0, 0.0, 1.0, 0.0] and v.iloc[6:].isna().all()  # 2 non-respondents
    inc = indicator_values(g, get_indicator("median_monthly_income"))
    assert sorted(inc.dropna().tolist()) == [10000.0, 20000.0]


def test_grouped_estimates_leave_out_groups_without_respondents():
    g = graduates_for_rates()
    by = share_rows(indicator_values(g, "employment_rate"), domain_groups(g, "faculty"), ST).set_index("group")
    assert list(by.index) == ["ECON", "PED"]  # LAW: its one graduate did not answer
    assert by.loc["PED", "n"] == 4 and by.loc["PED", "x"] == 2 and by.loc["PED", "N"] == 4


def test_not_asked_is_not_measured_and_unknown_ids_are_errors():
    g = graduates_for_rates()
    assert indicator_values(g.drop(columns=["labour_status"]), "employment_rate") is None
    gaps = indicator_values(g, "competence_gap", item="ethics")
    assert gaps.isna().all()  # nobody answered phase 1 here
    with pytest.raises(ConfigError, match="unknown indicator"):
        indicator_values(g, "happiness_rate")


# ================================================================== the registry and its documentation

REQUIRED = {
    "response_rate_p1", "response_rate_p2", "knowledge_rate", "employment_rate", "unemployment_rate",
    "labour_force_participation_rate", "full_time_employment_rate", "overall_employment_rate",
    "further_study_rate", "career_outcomes_rate", "informal_employment_share", "working_abroad_share",
    "median_monthly_income", "income_relative_to_oblast_wage", "below_minimum_wage_share",
    "median_months_to_first_job", "job_within_6_months_share", "vertical_match_subjective_rate",
    "vertical_match_normative_rate", "overqualification_rate", "horizontal_match_subjective_rate",
    "horizontal_match_normative_rate", "degree_effectiveness_rate", "competence_gap", "job_satisfaction_rate",
    "programme_usefulness_rate", "programme_evaluation_score", "need_more_education_rate",
}


def test_registry_is_complete_and_trilingual():
    reg = load_registry()
    assert REQUIRED <= {i.id for i in reg}
    for ind in reg:
        assert all(ind.label[lang].strip() and ind.description[lang].strip() for lang in ("ky", "ru", "en")), ind.id
        assert ind.unit in UNITS and ind.standard and ind.source and ind.universe_text, ind.id
    # Kyrgyz texts are Kyrgyz (they use the letters ң, ө or ү somewhere), not copies of the Russian
    ky = " ".join(i.label["ky"] + i.description["ky"] for i in reg)
    assert re.search("[ңөү]", ky) and all(i.label["ky"] != i.label["ru"] for i in reg)


def test_every_registry_condition_and_variable_exists_in_the_graduates_table():
    cols = set(derive_graduates(registry(), None, None, params=PARAMS).columns)
    for ind in load_registry():
        assert set(ind.universe_where) <= cols, ind.id
        assert set(ind.numerator_where or {}) <= cols, ind.id
        assert set(ind.variables()) <= cols, ind.id


def test_malformed_registry_is_a_config_error(tmp_path):
    bad = tmp_path / "indicators.yaml"
    bad.write_text("indicators:\n  - id: x\n    label: {en: X}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="missing field"):
        load_registry(bad)


def test_docs_are_generated_from_the_registry_and_up_to_date():
    committed = (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    assert committed == indicators_markdown("en"), "run: tracer indicators docs"
    ky = indicators_markdown("ky")
    assert "Жумуштуулуктун деңгээли (ЭЭУ)" in ky and "`employment_rate`" in ky


def test_contract_item_lists_follow_docs_variables():
    text = (ROOT / "docs" / "variables.md").read_text(encoding="utf-8")

    def names(section: str) -> list[str]:
        body = text.split(section, 1)[1].split("\n## ", 1)[0]
        out = []
        for m in re.finditer(r"^\| ([a-z_0-9`<>]+) \|", body, flags=re.M):
            name = m.group(1)
            if name == "name":
                continue
            if "`<c>`" in name:
                out += [name.replace("`<c>`", c) for c in COMPETENCES]
            else:
                out.append(name)
        return out

    assert names("## 2. Phase 1") == list(P1_ITEMS)
    assert names("## 3. Phase 2") == list(P2_ITEMS)


# ================================================================== the programme crosswalk

ISCO08_SUBMAJOR = {"01", "02", "03", *(f"{m}{s}" for m, n in
                   ((1, 4), (2, 6), (3, 5), (4, 4), (5, 4), (6, 3), (7, 5), (8, 3), (9, 6)) for s in range(1, n + 1))}


def test_crosswalk_codes_are_valid():
    with (ROOT / "src" / "analysis" / "definitions" / "programmes.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 35 and len({r["programme"] for r in rows}) == 35
    level_isced = {"college": {"5"}, "bachelor": {"6"}, "master": {"7"}, "specialist": {"7"}}
    for r in rows:
        assert r["isced_level"] in level_isced[r["level"]], r["programme"]
        assert re.fullmatch(r"\d{4}", r["isced_f"]) and r["isced_f"][:2] in {"01", "02", "03", "04", "06", "07",
                                                                              "08", "09", "10"}, r["programme"]
        groups = r["expected_isco"].split(";")
        assert groups and set(groups) <= ISCO08_SUBMAJOR, r["programme"]
    fields = {r["programme"]: r["isced_f"] for r in rows}
    # primary-class teacher training is 0113 (without subject specialisation), not 0112 (pre-school)
    assert fields["PED-PRIM-B"] == fields["COL-TEA-C"] == "0113"
    assert "26" in next(r for r in rows if r["programme"] == "ECON-ECO-B")["expected_isco"].split(";")  # 2631

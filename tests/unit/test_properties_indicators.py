"""Property-based tests (hypothesis) of the per-graduate derivations in :mod:`analysis.derive`

Random small phase-2 frames — valid codes, empty cells, missing values and junk mixed — must never make a
derivation raise, and the results must obey the definitions: ILO 19th ICLS labour status, full-time at a
threshold, further study, months to the first job with censoring and a competing event, the income rules
(QILT/HESA universe, trimming below the minimum wage) and the subjective/normative match rules (ILO 20th
ICLS). Each property is checked on empty, one-row and all-missing frames too (``min_size=0``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.derive.income import income_for_statistics, income_kgs, income_relative
from analysis.derive.labour import LABOUR_STATUS, available_full_time, employed, full_time, further_study, labour_status
from analysis.derive.match import (
    VM_NORMATIVE,
    VM_SUBJECTIVE,
    horizontal_match_normative,
    horizontal_match_subjective,
    vertical_match_normative,
    vertical_match_subjective,
)
from analysis.derive.transition import job_within_months, months_to_first_job

FAST = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])

YN = st.sampled_from(["yes", "yes", "no", "no", None, "", "maybe"])
NUM = st.one_of(st.integers(0, 80).map(str), st.integers(-5, 120).map(str), st.none(), st.just(""),
                st.sampled_from(["abc", "40.0", "1e3"]))
INCOME = st.one_of(st.integers(0, 60).map(lambda k: str(k * 1000)), st.none(), st.just(""), st.just("abc"))
DATE = st.one_of(st.dates(min_value=pd.Timestamp("2025-05-01").date(), max_value=pd.Timestamp("2026-05-31").date())
                 .map(str), st.none(), st.just(""), st.just("2024-13-45"))
FIELDS = {
    "consent": st.sampled_from(["yes", "yes", "yes", "no", None, "maybe"]),
    "ilo_worked": YN, "ilo_family_help": YN, "ilo_absent": YN, "ilo_sought": YN, "ilo_available": YN,
    "ilo_future_start": YN,
    "studying": YN, "study_level": st.sampled_from(["bachelor", "master", "course", None, "x"]),
    "study_full_time": YN,
    "main_activity": st.sampled_from(["work", "study", "seeking", "military", "work_and_study", None, "zz"]),
    "hours": NUM, "income": INCOME,
    "income_band": st.sampled_from(["lt10k", "10_20k", "gt50k", "refuse", None, "bogus"]),
    "emp_type": st.sampled_from(["employee", "employee", "family_worker", "self_employed", None]),
    "job_before_grad": st.sampled_from(["no", "no", "yes", None]), "first_job_date": DATE,
    "survey_date": st.one_of(st.just("2026-03-15"), DATE), "graduation_date": st.one_of(st.just("2025-06-20"), DATE),
    "horizontal_match": st.sampled_from(["1", "2", "3", "4", "5", None, "9", "x"]),
    "vertical_match": st.sampled_from(["same", "lower", "higher", "none_needed", None, "?"]),
}


def frames(**overrides: st.SearchStrategy) -> st.SearchStrategy:
    """Phase-2 frames of 0–12 rows; ``overrides`` replace the strategy of some questions."""
    fields = {**FIELDS, **overrides}
    return st.lists(st.fixed_dictionaries(fields), min_size=0, max_size=12).map(
        lambda rows: pd.DataFrame(rows, columns=list(fields)))


FRAMES = frames()
#: mostly consenting, working respondents with plausible hours: the income and time-to-job rules apply
WORKERS = frames(consent=st.sampled_from(["yes"] * 5 + ["no"]), ilo_worked=st.sampled_from(["yes"] * 4 + ["no", None]),
                 hours=st.one_of(st.integers(20, 60).map(str), NUM), emp_type=st.sampled_from(["employee"] * 4 + [
                     "family_worker", None]), first_job_date=st.one_of(DATE, st.just("2025-09-01")))


def _is(s: pd.Series, value: str) -> np.ndarray:
    return (s.astype("string").str.strip() == value).fillna(False).to_numpy(bool)


@FAST
@given(FRAMES)
def test_labour_status_follows_the_ilo_rules_on_any_answers(df):
    status = labour_status(df)
    assert len(status) == len(df) and set(status.dropna().unique()) <= set(LABOUR_STATUS)
    consent = _is(df["consent"], "yes")
    assert status[~consent].isna().all(), "no consent, no status"
    any_yes = _is(df["ilo_worked"], "yes") | _is(df["ilo_family_help"], "yes") | _is(df["ilo_absent"], "yes")
    assert (status[consent & any_yes] == "employed").all(), "one 'yes' to an employment item is employed"
    all_no = _is(df["ilo_worked"], "no") & _is(df["ilo_family_help"], "no") & _is(df["ilo_absent"], "no")
    assert not (status[~(consent & any_yes)] == "employed").any()
    # unemployed: not employed, searched or a job to start, and available within two weeks
    unemp = (status == "unemployed").to_numpy(bool)
    assert (all_no[unemp]).all() and _is(df["ilo_available"], "yes")[unemp].all()
    assert (_is(df["ilo_sought"], "yes") | _is(df["ilo_future_start"], "yes"))[unemp].all()
    emp = employed(df)
    assert (emp.isna().to_numpy() == status.isna().to_numpy()).all()
    assert (emp.fillna(False).to_numpy(bool) == (status == "employed").fillna(False).to_numpy(bool)).all()


@FAST
@given(FRAMES, st.sampled_from([20, 35, 40]))
def test_full_time_needs_employment_and_enough_hours_and_is_monotone_in_the_threshold(df, threshold):
    status = labour_status(df)
    df = df.assign(labour_status=status)  # derived once, as derive_graduates does
    ft = full_time(df, threshold)
    hours = pd.to_numeric(df["hours"], errors="coerce")
    true = ft.fillna(False).to_numpy(bool)
    assert (status[true] == "employed").all() and (hours[true] >= threshold).all()
    not_emp = status.notna().to_numpy(bool) & (status != "employed").fillna(False).to_numpy(bool)
    assert not ft[not_emp].any()  # False where known (a missing value stays missing)
    assert ft[status.isna().to_numpy(bool)].isna().all()
    stricter = full_time(df, threshold + 10).fillna(False).to_numpy(bool)
    assert not (stricter & ~true).any(), "a higher threshold can only remove full-time workers"
    avail = available_full_time(df, threshold)
    assert not (true & ~avail.fillna(False).to_numpy(bool)).any(), "full-time workers are available"


@FAST
@given(FRAMES)
def test_further_study_is_a_degree_programme_of_a_consenting_respondent(df):
    fs = further_study(df)
    fs_ft = further_study(df, full_time_only=True)
    true = fs.fillna(False).to_numpy(bool)
    assert _is(df["consent"], "yes")[true].all() and _is(df["studying"], "yes")[true].all()
    assert not _is(df["study_level"], "course")[true].any()
    assert not (fs_ft.fillna(False).to_numpy(bool) & ~true).any(), "full-time further study is further study"
    assert fs[~_is(df["consent"], "yes")].isna().all()


@FAST
@given(WORKERS, st.sampled_from([3.0, 6.0, 12.0]))
def test_months_to_first_job_events_times_and_the_fast_job_share(df, months):
    status = labour_status(df)
    ttj = months_to_first_job(df, "graduation_date", "survey_date")
    ev, t = ttj["event"], ttj["time"].to_numpy(float)
    assert set(ev.dropna().astype(int)) <= {0, 1, 2}
    assert (ev.isna().to_numpy() == status.isna().to_numpy()).all(), "an event for every known status"
    assert (t[np.isfinite(t)] >= 0).all()
    before = (_is(df["job_before_grad"], "yes") & status.notna().to_numpy(bool))
    assert (ev[before] == 1).all() and (t[before] == 0).all()
    comp = (ev == 2).fillna(False).to_numpy(bool)
    assert (status[comp] == "olf_study").all(), "the competing event is further study without a job search"
    cens = (ev == 0).fillna(False).to_numpy(bool)
    assert (status[cens] != "employed").all()
    fast = job_within_months(ttj, months).fillna(False).to_numpy(bool)
    assert ((ev == 1).fillna(False).to_numpy(bool)[fast]).all() and (t[fast] <= months).all()
    slower = job_within_months(ttj, months + 3).fillna(False).to_numpy(bool)
    assert not (fast & ~slower).any(), "a longer window can only add fast jobs"


@FAST
@given(WORKERS, st.sampled_from([None, 5000.0, 20000.0]))
def test_income_rules_keep_only_full_time_paid_exact_incomes(df, min_wage):
    status = labour_status(df)
    d = df.assign(labour_status=status)
    inc = income_kgs(d)
    emp = (status == "employed").fillna(False).to_numpy(bool)
    assert inc["income_kgs"][~emp].isna().all(), "income only for the employed"
    assert not (inc["income_kgs"].notna() & inc["income_band_mid_kgs"].notna()).any(), "exact and band apart"
    d["income_kgs"] = inc["income_kgs"]
    stat = income_for_statistics(d, 40, trim=min_wage is not None, min_wage=min_wage)
    included = stat["income_stat"].notna().to_numpy(bool)
    assert emp[included].all() and full_time(d, 40).fillna(False).to_numpy(bool)[included].all()
    assert not _is(d["emp_type"], "family_worker")[included].any(), "unpaid family work has no income"
    if min_wage is not None:
        assert (stat["income_stat"].dropna() >= min_wage).all()
    reason = stat["income_excluded_reason"]
    assert reason[included].isna().all() and reason[~emp].isna().all()
    assert reason[emp & ~included].notna().all(), "every employed graduate left out has a reason"
    rel = income_relative(d.assign(income_stat=stat["income_stat"]), 30000.0, min_wage, 40)
    np.testing.assert_allclose(rel["income_rel_oblast"].to_numpy(float), stat["income_stat"].to_numpy(float) / 30000.0)
    none = income_relative(d.assign(income_stat=stat["income_stat"]), None, None, 40)
    assert none["income_rel_oblast"].isna().all() and none["below_min_wage"].isna().all(), "no comparator, no guess"


@FAST
@given(FRAMES)
def test_subjective_match_is_four_or_five_among_the_employed(df):
    status = labour_status(df)
    df = df.assign(labour_status=status)
    hm = horizontal_match_subjective(df)
    emp = (status == "employed").fillna(False).to_numpy(bool)
    score = pd.to_numeric(df["horizontal_match"], errors="coerce")
    assert (hm.fillna(False).to_numpy(bool) == (emp & (score >= 4).to_numpy(bool))).all()
    assert hm[~emp].isna().all()
    vm = vertical_match_subjective(df)
    assert vm[~emp].isna().all() and set(vm.dropna().astype(str)) <= set(VM_SUBJECTIVE)


@FAST
@given(st.lists(st.tuples(st.sampled_from(["0", "1", "2", "3", "4", "9", None, "x"]),
                          st.sampled_from(["01", "02", "03", "21", None]),
                          st.sampled_from([4, 5, 6, 7, None]),
                          st.sampled_from(["2111", "23", "7", "", None, "abcd"]),
                          st.sampled_from(["21;23", "31", "", None])), min_size=0, max_size=10))
def test_normative_match_categories_are_defined_for_every_rule(rows):
    df = pd.DataFrame(rows, columns=["major", "sub", "isced", "code", "expected"])
    for rule in ("eurostat", "ilo"):
        vm = vertical_match_normative(df["major"], df["isced"], df["sub"], rule)
        assert len(vm) == len(df) and set(vm.dropna().astype(str)) <= set(VM_NORMATIVE)
        assert vm[df["isced"].isna().to_numpy(bool)].isna().all()
    hm = horizontal_match_normative(df["code"], df["expected"])
    valid = df["code"].astype("string").str.fullmatch(r"[0-9]{2,4}").fillna(False).to_numpy(bool)
    has_list = df["expected"].astype("string").str.strip().fillna("").ne("").to_numpy(bool)
    sub_in = [isinstance(c, str) and isinstance(e, str) and c[:2] in e.split(";")
              for c, e in zip(df["code"], df["expected"])]
    assert (hm[valid & has_list].to_numpy(bool) == np.array(sub_in, bool)[valid & has_list]).all()
    assert hm[~has_list].isna().all(), "no expected occupations: undecidable"

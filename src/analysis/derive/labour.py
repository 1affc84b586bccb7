"""Labour-market status of each graduate: ILO status, full-time work, further study, NACE outcome.

One job: the per-graduate labour-force variables of the reference week. Standards: ILO 19th ICLS (2013)
resolution I (employed, unemployed, outside the labour force), QILT (full-time employment and the
universe of graduates available for full-time work, full-time further study), NACE first-destination
standards (the priority order of outcomes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.derive.columns import (
    as_category,
    as_number,
    col_or_na,
    consent_given,
    is_code,
    is_false,
    is_known,
    is_true,
    tri_state,
    yes_no,
)
from analysis.errors import ConfigError

LABOUR_STATUS = ("employed", "unemployed", "olf_study", "olf_other")
NACE_OUTCOMES = ("employed", "military", "continuing_education", "seeking", "not_seeking")


def status_of(df: pd.DataFrame) -> pd.Series:
    """The frame's ``labour_status`` column, or :func:`labour_status` derived from its ILO items."""
    return df["labour_status"] if "labour_status" in df.columns else labour_status(df)


def employed_mask(df: pd.DataFrame) -> np.ndarray:
    """Plain bool array: ILO employed (:func:`status_of`; unknown → False)."""
    return (status_of(df) == "employed").fillna(False).to_numpy(dtype=bool)


def labour_status(df: pd.DataFrame) -> pd.Series:
    """ILO labour-force status in the reference week, as an ordered categorical.

    Standard: ILO 19th ICLS (2013), resolution I. The categories are:

    * ``employed``: worked at least 1 hour for pay or profit (``ilo_worked``); OR helped without
      pay in a family business producing for sale (``ilo_family_help``), because contributing
      family workers are employed; OR had a job and was temporarily absent (``ilo_absent``).
    * ``unemployed``: not employed, AND sought work in the last 4 weeks (``ilo_sought``) or has a
      job that starts later (``ilo_future_start``), AND available within 2 weeks (``ilo_available``).
    * ``olf_study``: outside the labour force and studying (``studying`` = yes or
      ``main_activity`` = study).
    * ``olf_other``: outside the labour force for any other reason (not seeking, not available).

    Missing answers follow three-valued logic. A "yes" to any employment item is enough. "Not
    employed" needs a "no" to all three. "Unemployed" needs the search or future-start test and
    availability to be decidable. Rows without consent = yes, and undecidable rows, are ``<NA>``.
    """
    idx = df.index
    worked, fam, absent = (yes_no(col_or_na(df, c)) for c in ("ilo_worked", "ilo_family_help", "ilo_absent"))
    emp = worked | fam | absent
    seek = yes_no(col_or_na(df, "ilo_sought")) | yes_no(col_or_na(df, "ilo_future_start"))
    unemp = seek & yes_no(col_or_na(df, "ilo_available"))
    studying = is_code(col_or_na(df, "studying"), "yes") | is_code(col_or_na(df, "main_activity"), "study")
    ok = consent_given(df)
    is_emp, not_emp = is_true(emp) & ok, is_false(emp) & ok
    out = np.full(len(df), None, dtype=object)
    out[is_emp] = "employed"
    out[not_emp & is_true(unemp)] = "unemployed"
    olf = not_emp & is_false(unemp)
    out[olf & studying] = "olf_study"
    out[olf & ~studying] = "olf_other"
    return as_category(out, LABOUR_STATUS, idx)


def employed(df: pd.DataFrame) -> pd.Series:
    """Employed (ILO 19th ICLS) as nullable boolean; <NA> when labour status is unknown."""
    st = status_of(df)
    return tri_state((st == "employed").fillna(False).to_numpy(bool), st.notna().to_numpy(bool), df.index)


def full_time(df: pd.DataFrame, threshold: float = 40) -> pd.Series:
    """Works full-time: employed with ``hours`` ≥ ``threshold`` a week (nullable boolean).

    The Kyrgyz statutory week is 40 hours (the default). QILT uses 35, which is available as a
    parameter. Graduates who are not employed are ``False``. Employed graduates without hours, and
    graduates with an unknown status, are ``<NA>``.
    """
    st = status_of(df)
    hours = as_number(col_or_na(df, "hours"))
    emp = (st == "employed").fillna(False).to_numpy(bool)
    h_known = hours.notna().to_numpy(bool)
    ft = emp & h_known & (hours.fillna(-1).to_numpy() >= threshold)
    known = (st.notna().to_numpy(bool) & ~emp) | (emp & h_known)
    return tri_state(ft, known, df.index)


def available_full_time(
    df: pd.DataFrame, threshold: float = 40, part_timers: str = "non_students"
) -> pd.Series:
    """In QILT's universe of graduates available for full-time work (nullable boolean).

    Standard: QILT Graduate Outcomes Survey. The full-time employment rate is the full-time
    employed divided by those available for full-time work, which QILT defines as the full-time
    employed plus those seeking full-time work.

    Simplification: the contract has no "seeking full-time work" item, so the project counts:

    * full-time employed: True;
    * unemployed (ILO): True, assumed to seek full-time work;
    * employed part-time: ``part_timers="non_students"`` (default) is True unless in full-time
      study (``studying`` = yes and ``study_full_time`` = yes); ``"all"`` is always True;
      ``"none"`` is always False;
    * outside the labour force: False.
    """
    if part_timers not in ("non_students", "all", "none"):
        raise ConfigError(f"part_timers must be non_students, all or none, not {part_timers!r}")
    st = status_of(df)
    ft = full_time(df, threshold)
    emp = (st == "employed").fillna(False).to_numpy(bool)
    unemp = (st == "unemployed").fillna(False).to_numpy(bool)
    pt = emp & is_false(ft)
    ft_student = is_code(col_or_na(df, "studying"), "yes") & is_code(col_or_na(df, "study_full_time"), "yes")
    pt_avail = {"all": pt, "none": np.zeros(len(df), bool), "non_students": pt & ~ft_student}[part_timers]
    true = is_true(ft) | unemp | pt_avail
    known = st.notna().to_numpy(bool) & ~(emp & ft.isna().to_numpy(bool))
    return tri_state(true, known, df.index)


def further_study(df: pd.DataFrame, full_time_only: bool = False) -> pd.Series:
    """Enrolled in a further degree programme (nullable boolean).

    A degree programme is ``studying`` = yes with ``study_level`` in bachelor, master, phd or
    residency; a missing level counts as a degree programme and a short ``course`` does not. With
    ``full_time_only`` the enrolment must also be full-time (``study_full_time`` = yes), as in
    QILT's full-time further study rate. Rows without consent are <NA>.
    """
    ok = consent_given(df)
    studying = col_or_na(df, "studying")
    enrolled = is_code(studying, "yes") & ~is_code(col_or_na(df, "study_level"), "course")
    known = ok & is_known(studying)
    if full_time_only:
        sft = col_or_na(df, "study_full_time")
        known = known & (~enrolled | is_known(sft))
        enrolled = enrolled & is_code(sft, "yes")
    return tri_state(enrolled & ok, known, df.index)


def nace_outcome(df: pd.DataFrame) -> pd.Series:
    """First-destination outcome in NACE's categories (ordered categorical).

    Standard: NACE first-destination standards. Each graduate gets the first category that
    applies, in this priority order:

    1. ``employed``: ILO employed, or main_activity work / work_and_study when status is unknown;
    2. ``military``: main_activity = military;
    3. ``continuing_education``: further study (:func:`further_study`), or main_activity = study
       when ``studying`` is unanswered;
    4. ``seeking``: ILO unemployed, or sought work in the last 4 weeks, or main_activity = seeking;
    5. ``not_seeking``: any other known outcome.

    NACE's "service" (volunteer or national service) has no item in the contract. Rows without
    consent, or without labour status and main activity, are <NA> (outcome unknown).
    """
    st = status_of(df)
    ma = col_or_na(df, "main_activity")
    ok = consent_given(df)
    st_known = st.notna().to_numpy(bool)
    fs = further_study(df)
    emp = (st == "employed").fillna(False).to_numpy(bool) | (~st_known & is_code(ma, "work", "work_and_study"))
    mil = ~emp & is_code(ma, "military")
    edu = ~emp & ~mil & (is_true(fs) | (fs.isna().to_numpy(bool) & is_code(ma, "study")))
    seek = ~emp & ~mil & ~edu & (
        (st == "unemployed").fillna(False).to_numpy(bool) | is_code(col_or_na(df, "ilo_sought"), "yes")
        | (~st_known & is_code(ma, "seeking"))
    )
    known = ok & (st_known | is_known(ma))
    out = np.full(len(df), None, dtype=object)
    for mask, name in ((emp, "employed"), (mil, "military"), (edu, "continuing_education"), (seek, "seeking")):
        out[known & mask & (out == None)] = name  # noqa: E711 - elementwise on object array
    out[known & (out == None)] = "not_seeking"  # noqa: E711
    return as_category(out, NACE_OUTCOMES, df.index)

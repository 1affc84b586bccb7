"""Transition to work: months from graduation to the first job, the fast-job flag, job-search duration.

One job: the time-to-event variables of each graduate, with right censoring and further study as a
competing event. Standards: ETF/Cedefop/ILO (2016) tracer-study guide (time to first job, job-search
duration), the Indonesian national tracer standard (a job within 6 months is "fast"); Kaplan–Meier and
cumulative incidence are estimated from these columns by :mod:`analysis.stats.survival`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.derive.columns import as_dates, col_or_na, is_code, tri_state
from analysis.derive.labour import status_of

FIRST_JOB_EVENTS = {0: "censored", 1: "first job", 2: "further study (competing)"}
DAYS_PER_MONTH = 30.4375  # 365.25 / 12


def months_between(later: pd.Series, earlier: pd.Series) -> pd.Series:
    """Months from ``earlier`` to ``later`` (datetime64), in months of 30.4375 days, 1 decimal."""
    return ((later - earlier).dt.days / DAYS_PER_MONTH).round(1)


def months_to_first_job(
    df: pd.DataFrame, graduation_date: Any = "graduation_date", survey_date: Any = "survey_date"
) -> pd.DataFrame:
    """Months from graduation to the first job, with censoring and a competing event.

    Returns a frame with four columns, aligned with ``df``: ``time`` (months of 30.4375 days,
    1 decimal), ``event`` (Int64: 1 first job, 2 further study as a competing event, 0 censored),
    ``censored_flag`` and ``before_grad_flag``. The graduation and survey dates may be column
    names, Series or scalars. The rules are applied in order:

    1. ``job_before_grad`` = yes → time 0, event 1, before-graduation flag.
    2. ``first_job_date`` (day 01) on or before the survey date → months since graduation, event 1.
       A job starting in the month of graduation counts as 0. A first-job month before the
       graduation month counts as 0, with the before-graduation flag. The date gives only the
       month, so the time runs to the first day of that month: a lower bound, by less than a month.
    3. Employed now but no date → event 1, time unknown (interval-censored; excluded by the
       models). A first_job_date after the survey date is a future start, not a job yet.
    4. Never employed and in further study without seeking (status ``olf_study``) → event 2 at
       the months since graduation. Graduates who continue their studies are not labour supply
       (ILO Kyrgyz method); they are a competing risk, not censored.
    5. Otherwise → censored (event 0) at the months since graduation at the survey.

    Standard: ETF/Cedefop/ILO (2016) tracer-study guide (time to first job); survival analysis with
    right censoring (Kaplan–Meier, as R ``survfit``) and further study as a competing risk (cumulative
    incidence, Putter, Fiocco & Geskus 2007). Rows with an unknown labour status are all <NA>.
    """
    idx = df.index
    st = status_of(df)
    grad = as_dates(graduation_date, df)
    surv = as_dates(survey_date, df)
    fjd = as_dates("first_job_date", df)
    known = st.notna().to_numpy(bool)
    since = months_between(surv, grad)
    before = is_code(col_or_na(df, "job_before_grad"), "yes")
    fj_ok = fjd.notna().to_numpy(bool) & ~(surv.notna() & (fjd > surv)).to_numpy(bool)
    fj_month = fjd.dt.year * 12 + fjd.dt.month
    grad_month = grad.dt.year * 12 + grad.dt.month
    fj_earlier_month = (fj_month < grad_month).fillna(False).to_numpy(bool)
    fj_same_month = (fj_month == grad_month).fillna(False).to_numpy(bool)
    fj_time = months_between(fjd, grad).clip(lower=0)
    emp = (st == "employed").fillna(False).to_numpy(bool)
    olf_study = (st == "olf_study").fillna(False).to_numpy(bool)

    time = np.full(len(df), np.nan)
    event = np.full(len(df), -1)
    flag_before = np.zeros(len(df), bool)
    r1 = known & before
    time[r1], event[r1], flag_before[r1] = 0.0, 1, True
    r2 = known & ~r1 & fj_ok
    time[r2 & (fj_earlier_month | fj_same_month)] = 0.0
    rest = r2 & ~(fj_earlier_month | fj_same_month)
    time[rest] = fj_time.to_numpy()[rest]
    event[r2] = 1
    flag_before[r2 & fj_earlier_month] = True
    r3 = known & ~r1 & ~r2 & emp
    event[r3] = 1
    r4 = known & ~r1 & ~r2 & ~emp & olf_study
    r5 = known & ~r1 & ~r2 & ~emp & ~olf_study
    time[r4 | r5] = since.to_numpy()[r4 | r5]
    event[r4], event[r5] = 2, 0
    ev = pd.array(event, dtype="Int64")
    ev[event < 0] = pd.NA
    return pd.DataFrame(
        {
            "time": pd.Series(time, index=idx, dtype="float64"),
            "event": pd.Series(ev, index=idx),
            "censored_flag": tri_state(r5, known, idx),
            "before_grad_flag": tri_state(flag_before, known, idx),
        },
        index=idx,
    )


def job_within_months(ttj: pd.DataFrame, months: float = 6.0) -> pd.Series:
    """First job within ``months`` of graduation (nullable boolean), from :func:`months_to_first_job`.

    Standard: the Indonesian national tracer standard, where a waiting time of 6 months or less is
    "fast". A job before graduation counts as fast (time 0). The value is <NA> for a competing
    event (further study without seeking), for a first job with an unknown date, and for
    graduates observed for less than ``months`` without a job.
    """
    t, e = ttj["time"].to_numpy(float), ttj["event"]
    e1 = (e == 1).fillna(False).to_numpy(bool)
    e0 = (e == 0).fillna(False).to_numpy(bool)
    has_t = ~np.isnan(t)
    true = e1 & has_t & (np.nan_to_num(t, nan=np.inf) <= months)
    known = (e1 & has_t) | (e0 & has_t & (np.nan_to_num(t, nan=-1) >= months))
    return tri_state(true, known, ttj.index)


def job_search_months(df: pd.DataFrame, ttj: pd.DataFrame | None = None) -> pd.DataFrame:
    """Job-search duration in months: columns ``months``, ``censored``, ``upper_bound``.

    Standard: ETF/Cedefop/ILO (2016) tracer-study guide (job-search duration). The contract records
    only when the search started (``search_start``: before_grad, at_grad, after_grad,
    not_searched), not its date. So the duration is counted from graduation to the first job
    (:func:`months_to_first_job`), for graduates who searched:

    * before_grad / at_grad: the search after graduation, measured exactly (any search before
      graduation is not counted);
    * after_grad: an upper bound, since the search started some time after graduation, so
      ``upper_bound`` is True;
    * not searched, or unanswered: <NA>;
    * still without a job at the survey (event 0 or 2): the months since graduation, with
      ``censored`` True.
    """
    ttj = months_to_first_job(df) if ttj is None else ttj
    ss = col_or_na(df, "search_start")
    searched = is_code(ss, "before_grad", "at_grad", "after_grad")
    e = ttj["event"]
    found = (e == 1).fillna(False).to_numpy(bool)
    known_ev = e.notna().to_numpy(bool)
    t = ttj["time"].to_numpy(float)
    months = np.where(searched & known_ev, t, np.nan)
    known = searched & known_ev & ~np.isnan(months)
    return pd.DataFrame(
        {
            "months": pd.Series(months, index=df.index, dtype="float64"),
            "censored": tri_state(~found, known, df.index),
            "upper_bound": tri_state(is_code(ss, "after_grad"), known, df.index),
        },
        index=df.index,
    )

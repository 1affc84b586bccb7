"""The answer keys of the synthetic demo cohort: ``truth.csv`` and the planted defects.

``truth.csv`` gives the population values of :data:`TRUTH_INDICATORS` overall, by faculty and by sex, computed
with the indicator registry's own definitions from the generator's latent state of every graduate
(:func:`latent_frame`, :func:`truth_table`) — never from the survey files. :func:`plant` plants the
documented data-quality problems (file, row, column, expected check) into the rows of the output files, and
``planted_defects.csv`` lists them (:func:`defects_csv`, read back by :func:`planted_defects`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.demo.exports import Row, kobo_meta
from analysis.demo.population import TRUTH_REFERENCE_DATE, Graduate, Rand
from analysis.derive.graduates import DeriveParams
from analysis.derive.registry import get_indicator, indicator_values
from analysis.derive.transition import DAYS_PER_MONTH

# ============================================================================= the truth
#: indicators of the registry whose population value ``truth.csv`` gives (overall, by faculty, by sex)
TRUTH_INDICATORS: tuple[str, ...] = (
    "employment_rate", "unemployment_rate", "labour_force_participation_rate", "further_study_rate",
    "job_within_6_months_share", "horizontal_match_subjective_rate", "median_monthly_income",
)
TRUTH_DOMAINS: tuple[str, ...] = ("all", "faculty", "sex")


def _months(later: date, earlier: date) -> float:
    """Months of 30.4375 days between two dates, to 1 decimal (as
    :func:`analysis.derive.transition.months_to_first_job`)."""
    return round((later - earlier).days / DAYS_PER_MONTH, 1)


def _latent_row(g: Graduate, full_time_hours: float, fast_job_months: float) -> dict[str, Any]:
    """The derived variables of one graduate, from the generator's latent state (never from answers).

    The same variables, with the same definitions, as :func:`analysis.derive.graduates.derive_graduates`
    computes from a consenting respondent's answers (ILO 19th ICLS labour status; the registry's
    further study, time to first job, income and field-match rules) — here for every graduate.
    """
    reg = g.reg
    employed = g.status == "employed"
    if employed:
        status = "employed"
    else:
        sought, available, future = g.extra["search"]
        if (sought == "yes" or future == "yes") and available == "yes":
            status = "unemployed"
        elif g.study_level:  # the not employed who study are the generator's status "study"
            status = "olf_study"
        else:
            status = "olf_other"
    # time to first job: a job before graduation counts as 0; else the month of the first job (never
    # after the reference month); further study without a job is a competing event; the others are
    # censored at the reference date (``job_within_6m`` unknown when observed for less than 6 months)
    grad = date.fromisoformat(reg["graduation_date"])
    ref = g.extra.get("survey_date", g.extra.get("reference_date", TRUTH_REFERENCE_DATE.replace(year=grad.year + 1)))
    if g.job_before:
        within: bool | None = True
    elif g.first_job is not None:
        fj = min(g.first_job, date(ref.year, ref.month, 1))
        t = 0.0 if (fj.year, fj.month) <= (grad.year, grad.month) else max(0.0, _months(fj, grad))
        within = t <= fast_job_months
    elif employed or status == "olf_study":
        within = None
    else:
        within = False if _months(ref, grad) >= fast_job_months else None
    income = None
    if employed and g.emp_kind != "family_worker" and g.extra["hours"] >= full_time_hours:
        income = float(g.extra["income"])
    return {
        "student_id": reg["student_id"], "faculty": reg["faculty"], "sex": reg["sex"],
        "responded_p2": bool(g.p2 is not None and g.p2.get("consent") == "yes"),
        "resp_p2": True,  # in truth every graduate has a labour status: the universe is every graduate
        "labour_status": status,
        "employed": employed,
        "in_labour_force": status in ("employed", "unemployed"),
        "further_study_ft": bool(g.study_level) and g.study_level != "course" and g.extra["study_full_time"],
        "job_within_6m": within,
        "hm_subjective": (g.extra["horizontal_match"] >= 4) if employed else None,
        "full_time": employed and g.extra["hours"] >= full_time_hours,
        "income_stat": income,
    }


def latent_frame(grads: list[Graduate]):
    """One row per graduate of the registry with the latent derived variables (:func:`_latent_row`)."""

    p = DeriveParams()  # the demo cohort uses the default derive parameters (40-hour week, 6 months, no trim)
    rows = [_latent_row(g, p.full_time_hours, p.fast_job_months) for g in grads]
    df = pd.DataFrame(rows)
    for c in ("resp_p2", "employed", "in_labour_force", "further_study_ft", "job_within_6m", "hm_subjective",
              "full_time", "responded_p2"):
        df[c] = pd.array(df[c].tolist(), dtype="boolean")
    df["income_stat"] = df["income_stat"].astype("float64")
    return df.sort_values("student_id", kind="stable").reset_index(drop=True)


def truth_table(latent) -> list[dict[str, Any]]:
    """Population values of :data:`TRUTH_INDICATORS` overall, by faculty and by sex.

    Each indicator is computed with its registry definition (``definitions/indicators.yaml``:
    universe, numerator, statistic, applied by :func:`analysis.derive.registry.indicator_values`) on the
    latent frame of :func:`latent_frame`, in which every graduate is in the respondent universe.
    ``N`` is the number of graduates the value is computed over (the universe, with the variable
    known); ``value`` is a share (0–1) or KGS per month; empty when ``N`` is 0.
    """

    g = latent.assign(all="all")
    rows = []
    for ind_id in TRUTH_INDICATORS:
        ind = get_indicator(ind_id)
        values = indicator_values(g, ind)
        for domain in TRUTH_DOMAINS:
            for group in sorted(g[domain].astype(str).unique()):
                y = values[(g[domain].astype(str) == group).to_numpy()].dropna().to_numpy(float)
                value = None
                if len(y):  # a share is the mean of 0/1 values; "mean" indicators the same
                    value = float(np.median(y)) if ind.statistic == "median" else float(y.mean())
                rows.append({"indicator": ind_id, "domain": domain, "group": group, "N": int(len(y)),
                             "value": value, "unit": ind.unit})
    return rows


def truth_csv(rows: list[dict[str, Any]]) -> str:
    """The text of ``truth.csv``: the rows of :func:`truth_table`, shares to 6 decimals, KGS to 1."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["indicator", "domain", "group", "N", "value"])
    for r in rows:
        v = r["value"]
        text = "" if v is None else (f"{v:.6f}" if r["unit"] == "share" else f"{v:.1f}")
        w.writerow([r["indicator"], r["domain"], r["group"], r["N"], text])
    return buf.getvalue()


# ============================================================================= the planted defects
@dataclass
class Defect:
    """A deliberately planted data-quality problem (file, row, column, what is wrong, expected rule)."""

    file: str
    row_obj: Row
    column: str
    respondent: str
    value: str
    defect: str
    expect: str
    row: int = 0


def _mistype_id(r: Rand, sid: str, known: set[str]) -> str:
    """A plausible typing error of an 8-digit id (one digit changed) that matches no graduate."""
    while True:
        pos = r.int(2, 7)
        new = sid[:pos] + str((int(sid[pos]) + r.int(1, 9)) % 10) + sid[pos + 1:]
        if new not in known:
            return new


def plant(r: Rand, files: dict[str, list[Row]], known: set[str],
          grad_of: dict[str, Graduate]) -> list[Defect]:
    """Plant the documented defects (a small share of rows; each row has at most one)."""
    out: list[Defect] = []
    used: set[int] = set()

    def pick(name: str, cond) -> Row:
        rows = [x for x in files[name] if id(x) not in used and x.answers.get("consent") in ("yes", None)
                and cond(x.answers)]
        if not rows:  # tiny cohorts: fall back to any consenting row of the file
            rows = [x for x in files[name] if id(x) not in used and x.answers.get("consent") in ("yes", None)]
        row = rows[r.int(0, len(rows) - 1)]
        used.add(id(row))
        return row

    def add(name: str, row: Row, column: str, value: str, defect: str, expect: str) -> None:
        sid = row.answers.get("student_id") or row.answers.get("employer_id", "")
        row.answers[column] = value
        out.append(Defect(name, row, column, sid, value, defect, expect))

    employed = lambda a: a.get("hours", "") != ""  # noqa: E731
    searched = lambda a: a.get("applications_n", "") not in ("", "0")  # noqa: E731
    # phase 1 (Kobo CSV)
    f = "phase1_kobo.csv"
    row = pick(f, lambda a: True)
    add(f, row, "student_id", _mistype_id(r, row.answers["student_id"], known),
        "respondent id not in the registry (one digit mistyped)", "student_id must match a registry row")
    row = pick(f, lambda a: a["worked_during_studies"] == "part_time")
    add(f, row, "worked_during_studies", "parttime",
        "unknown choice code (old form version's spelling of part_time)", "select_one value not in list worked_studies")
    # phase 2 online (Kobo CSV)
    f = "phase2_online_kobo.csv"
    row = pick(f, lambda a: employed(a) and a["income"] != "" and a["job_satisfaction"] not in ("", "5"))
    dup = Row(dict(row.answers), dict(row.meta))
    day = date.fromisoformat(row.answers["survey_date"]) + timedelta(days=1)
    dup.meta = {**kobo_meta(r, day), "_validation_status": ""}
    dup.sort_key = (dup.meta["_submission_time"], dup.meta["_uuid"])
    dup.answers["survey_date"] = day.isoformat()
    files[f].append(dup)
    used.add(id(dup))
    out.append(Defect(f, row, "student_id", row.answers["student_id"], row.answers["student_id"],
                      "first of two submissions of the same graduate (see next defect)",
                      "duplicate respondent: keep one row (latest submission), the other merged_duplicate"))
    js = row.answers.get("job_satisfaction", "")
    if js in ("1", "2", "3", "4"):
        add(f, dup, "job_satisfaction", str(int(js) + 1),
            "resubmission one day later by the same graduate, job_satisfaction changed",
            "duplicate respondent: keep one row (latest submission), the other merged_duplicate")
    else:
        flipped = "no" if row.answers.get("need_more_education") == "yes" else "yes"
        add(f, dup, "need_more_education", flipped,
            "resubmission one day later by the same graduate, need_more_education changed",
            "duplicate respondent: keep one row (latest submission), the other merged_duplicate")
    row = pick(f, lambda a: employed(a) and a["income"] != "")
    add(f, row, "income", "2500000", "absurd monthly income (2,500,000 KGS)", "income between 0 and 1,000,000")
    row = pick(f, lambda a: searched(a) and a["replies_n"] not in ("",))
    add(f, row, "replies_n", str(int(row.answers["applications_n"] or 0) + 4),
        "more replies than applications", "replies_n <= applications_n")
    # phase 2 phone (ODK Central CSV)
    f = "phase2_phone_odk.csv"
    row = pick(f, lambda a: True)
    twin = Row(dict(row.answers), dict(row.meta), row.sort_key)
    files[f].insert(files[f].index(row) + 1, twin)
    used.add(id(twin))
    out.append(Defect(f, twin, "KEY", row.answers["student_id"], row.meta["KEY"],
                      "exact duplicate of the previous row (same KEY, same answers)",
                      "exact duplicate: one of the two identical rows merged_duplicate"))
    row = pick(f, lambda a: searched(a) and a["replies_n"] == "0" and a["interviews_n"] == "0")
    add(f, row, "applications_n", "-3", "negative number of applications",
        "applications_n >= 0 (also fails replies_n <= applications_n)")
    row = pick(f, employed)
    add(f, row, "hours", "120", "120 working hours a week", "hours between 1 and 98")
    row = pick(f, lambda a: True)
    add(f, row, "student_id", _mistype_id(r, row.answers["student_id"], known),
        "respondent id not in the registry (interviewer mistyped one digit)", "student_id must match a registry row")
    # phase 2 paper (data-entry workbook)
    f = "phase2_paper_entry.xlsx"
    row = pick(f, lambda a: True)
    add(f, row, "consent", "", "required answer skipped: consent box left empty on the paper form",
        "consent is required")
    row = pick(f, lambda a: True)
    keyed = row.answers["survey_date"]
    wrong = f"{int(keyed[:4]) - 1}{keyed[4:]}" if keyed[:4].isdigit() else keyed
    also = " (also: first_job_date after survey_date)" if row.answers.get("first_job_date", "") > wrong else ""
    add(f, row, "survey_date", wrong, f"survey date before graduation (year keyed as {wrong[:4]})",
        "survey_date after graduation_date" + also)
    row = pick(f, lambda a: employed(a) and a["income"] != "")
    add(f, row, "income", "20 миң", "text in a numeric field (\"20 миң\" = 20 thousand)", "income must be an integer")
    row = pick(f, lambda a: a.get("work_rayon", "") != "")
    add(f, row, "work_rayon", "jalalabad", "unknown choice code (misspelt jalal_abad_city)",
        "select_one value not in list rayon")
    # employer survey (Kobo XLSX)
    f = "employers_kobo.xlsx"
    row = pick(f, lambda a: a["vacancies_n"] not in ("", "0"))
    add(f, row, "hard_to_fill_n", str(int(row.answers["vacancies_n"] or 0) + 3),
        "more hard-to-fill vacancies than vacancies", "hard_to_fill_n <= vacancies_n")
    return out


def defects_csv(defects: list[Defect]) -> str:
    """The text of ``planted_defects.csv``: one line per planted defect (file, spreadsheet row, column, …)."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["file", "row", "column", "respondent", "value", "defect", "expected_check"])
    for d in defects:
        w.writerow([d.file, d.row, d.column, d.respondent, d.value, d.defect, d.expect])
    return buf.getvalue()


def planted_defects(folder: Path) -> list[dict[str, str]]:
    """The planted defects of a generated demo folder, as listed in its ``planted_defects.csv``.

    Reference API: the answer key the tests check validation against (every planted defect must be
    found at its file, row and column), and the list of respondents to leave out when the demo's
    truth is compared with what the pipeline derives. The pipeline itself never reads it: it must
    find the defects without being told.
    """
    with (Path(folder) / "planted_defects.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))

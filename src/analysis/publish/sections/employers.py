"""Report section: the employer survey answered item by item (source items 1–9 and the questionnaire's
additions), weighted to the enterprise frame, with the staff needed in three years by specialty, ISCO-08
group and sex. Renders only published rows (:mod:`analysis.results.employers`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.core.i18n import t
from analysis.derive.themes import load_specialties
from analysis.publish.sections._common import rows_table

DISTRIBUTIONS = (("respondent_type", "emp_item_type"), ("legal_form", "emp_item_legal_form"),
                 ("sector", "emp_item_sector"), ("size_band", "emp_item_size"))
TOTALS = (("staff_women", "emp_staff_women"), ("staff_men", "emp_staff_men"),
          ("share_women_staff", "emp_share_women_staff"), ("grads_higher", "emp_grads_higher"),
          ("grads_vocational", "emp_grads_vocational"), ("share_higher_staff", "emp_share_higher_staff"),
          ("share_vocational_staff", "emp_share_vocational_staff"))
VACANCIES = (("vacancies_n", "emp_vacancies"), ("hard_to_fill_n", "emp_hard_to_fill"),
             ("share_hard_to_fill", "emp_share_hard_to_fill"), ("share_skill_shortage", "emp_share_skill_shortage"),
             ("skills_gap", "emp_skills_gap"), ("internships_offered", "emp_internships_offered"),
             ("internships_n", "emp_internships_n"))
MULTIPLE = (("ready_to_train", "emp_item_ready_to_train"), ("vacancy_isco", "emp_item_vacancy_isco"),
            ("hard_to_fill_reasons", "emp_item_htf_reasons"), ("recruit_channels", "emp_item_recruit"))


def _lines(rep: Any, items: tuple[tuple[str, str], ...], caption: str) -> None:
    rows = []
    for col, key in items:
        r = rep.cell(f"employers:{col}")
        if r is not None:
            rows.append(r.rename(None).to_frame().T.assign(_label=t(key, rep.lang)))
    if rows:
        df = pd.concat(rows, ignore_index=True)
        rep.show_table(rows_table(rep, df, lambda r: r["_label"]), caption)


def render(rep: Any) -> None:
    """The employer section: weighting, items 1–9 (distributions, staff, needs, readiness to train,
    curriculum suggestions → open answers), vacancies and skills, recruitment, the demand tables."""
    rep.heading("emp_heading")
    rep.para("emp_intro")
    if not rep.cfg.inputs_for("employer"):
        rep.lack("no_employer_file")
        return
    count = rep.cell("employers:count")
    if count is None or rep.empty(count):
        rep.lack_rows(rep.cells("employers:count"))
        return
    w = rep.cell("employers:weighting")
    method = str(w["note"]).split(";")[0].replace("method=", "") if w is not None else "none"
    if method in ("poststratification", "raking"):
        rep.note(f"emp_weighted_{method}", n=rep.count(count["n"]), frame=rep.count(w["estimate"]))
        if rep.cfg.synthetic:
            rep.note("emp_frame_synthetic")
    else:
        rep.para("emp_unweighted_caveat", "tracer-flag", n=rep.count(count["n"]))
    rep.note("emp_size_caveat")
    for col, key in DISTRIBUTIONS:
        rows = rep.cells(f"employers:{col}")
        if not rows.empty:
            rep.show_table(rows_table(rep, rows, lambda r, c=col: rep.labels.value(c, r["category"]),
                                      "col_answer"), key)
    _lines(rep, TOTALS, "emp_item_staff")
    demand(rep)
    for col, key in MULTIPLE:
        rows = rep.cells(f"employers:{col}")
        if not rows.empty:
            rep.show_table(rows_table(rep, rows, lambda r, c=col: rep.labels.value(c, r["category"]),
                                      "col_answer"), key)
            if col == "ready_to_train":
                rep.note("emp_multiple_note")
    rep.note("emp_curriculum_see_open")
    _lines(rep, VACANCIES, "emp_item_vacancies")
    if method not in ("poststratification", "raking"):
        rep.note("emp_no_interval_unweighted")


def demand(rep: Any) -> None:
    """Staff needed in three years (source items 6–7): total, by sex, by ISCO-08 major group and by
    specialty, with the assumption of the equal split and the share that could not be coded."""
    total = rep.cell("employer_demand_3y")
    if total is None:
        return
    if rep.empty(total):
        rep.heading("emp_demand_heading", level=3)
        rep.lack_rows(rep.cells("employer_demand_3y"))
        return
    rep.heading("emp_demand_heading", level=3)
    rep.para("emp_demand_intro", total=rep.value(total), ci=rep.interval(total), n=rep.count(total["n"]),
             conf=rep.conf)
    unc = rep.cell("employer_demand_3y_uncoded")
    rep.note("emp_demand_split", uncoded=rep.value(unc), ci=rep.interval(unc))
    sex = rep.cells("employer_demand_3y_sex")
    if not sex.empty:
        rep.show_table(rows_table(rep, sex, lambda r: t(f"emp_sex_{r['category']}", rep.lang), "col_answer"),
                       "emp_demand_sex")
    isco = rep.cells("employer_demand_3y", "demand_isco")
    if not isco.empty:
        rep.show_table(rows_table(rep, isco.sort_values("group"), lambda r: (
            t("emp_uncoded", rep.lang) if r["group"] == "uncoded" else rep.labels.value("isco_major", r["group"])),
            "col_answer"), "emp_demand_isco")
    spec = rep.cells("employer_demand_3y", "demand_specialty")
    if not spec.empty:
        names = {e.code: e.label[rep.lang] for e in load_specialties()}
        spec = spec.assign(_v=pd.to_numeric(spec["estimate"], errors="coerce")).sort_values("_v", ascending=False)
        rep.show_table(rows_table(rep, spec, lambda r: (
            t("emp_uncoded", rep.lang) if r["group"] == "uncoded" else names.get(r["group"], r["group"])),
            "col_answer"), "emp_demand_specialty")
    rep.note("emp_business_rule")

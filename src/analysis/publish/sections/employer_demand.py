"""What employers need: the employer survey in a few lines (employers surveyed, vacancies, hard-to-fill
vacancies, staff needed over three years, skills gaps, internships) and their rating of the institution's
graduates (means 1–5). Unweighted: the employers are the ones who answered."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.core.i18n import t


def render(rep: Any) -> None:
    """The employer survey: counts and shares, then the ratings of graduates."""
    rep.heading("sec_employers")
    emp = rep.published[rep.published["indicator"].str.startswith("employers:")]
    if not rep.cfg.inputs_for("employer"):
        rep.lack("no_employer_file")
        return
    rep.para("sec_employers_intro", region=rep.region(), institution=rep.institution(short=True))
    if emp.empty or all(rep.empty(r) for _, r in emp.iterrows()):
        if emp.empty:
            rep.lack("no_employers")
        else:
            rep.lack_rows(emp)
        return
    lines, ratings = [], []
    for _, r in emp.iterrows():
        item = r["indicator"].split(":", 1)[1]
        if item.startswith("rate_"):
            label = rep.question_label("employer", item).split(" — ")[0]
            ratings.append({t("col_competence", rep.lang): label, t("col_n", rep.lang): rep.count(r["n"]),
                            rep.value_column("scale"): rep.value(r),
                            t("col_ci_level", rep.lang, conf=rep.conf): rep.interval(r)})
        else:
            lines.append({t("col_indicator", rep.lang): t(f"employer_{item}", rep.lang),
                          t("col_value", rep.lang): rep.value(r),
                          t("col_ci_level", rep.lang, conf=rep.conf): rep.interval(r),
                          t("col_n_employers", rep.lang): rep.count(r["n"])})
    if lines:
        rep.show_table(pd.DataFrame(lines), "caption_employers", denominator=t("denom_employers", rep.lang))
    if ratings:
        rep.show_table(pd.DataFrame(ratings), "caption_employer_ratings",
                       institution=rep.institution(short=True), denominator=t("denom_employer_ratings", rep.lang))

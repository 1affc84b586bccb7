"""Appendix: every indicator of the registry for the whole cohort — n, value, interval, the unweighted check and
whom each figure describes (its denominator) — plus the time-to-job figures of the results layer."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.core.i18n import t
from analysis.derive.registry import load_registry
from analysis.publish.sections.methods import ci_note

EXTRA = ("job_at_graduation_share", "months_to_first_job_after_graduation")
"""Result rows outside the registry shown with it (after ``job_within_6_months_share``)."""


def render(rep: Any) -> None:
    """The table of every indicator, and which estimate and interval it shows."""
    rep.heading("sec_all_indicators")
    ids: list[str] = []
    for ind in load_registry():
        ids.append(ind.id)
        if ind.id == "job_within_6_months_share":
            ids += list(EXTRA)
    ids += [i for i in EXTRA if i not in ids]
    rows = []
    for ind in ids:
        r = rep.cell(ind)
        if r is None:
            continue
        if str(r["note"]) == "not measured":
            est = t("not_measured", rep.lang)
        elif rep.empty(r):
            est = t("nodata_short", rep.lang)
        else:
            est = rep.value(r)
        rows.append({t("col_indicator", rep.lang): rep.indicator_label(ind),
                     t("col_base", rep.lang): rep.denominator(ind),
                     t("col_n", rep.lang): rep.count(r["n"]),
                     t("col_estimate", rep.lang): est,
                     t("col_ci_level", rep.lang, conf=rep.conf): rep.interval(r),
                     t("col_unweighted", rep.lang): rep.value(r, "unweighted") if r["basis"] == "weighted" else "–"})
    rep.show_table(pd.DataFrame(rows), "caption_all_indicators", denominator=t("denom_all_indicators", rep.lang),
                   text_cols=(t("col_base", rep.lang),))
    ci_note(rep)

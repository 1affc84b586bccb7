"""Report section: graduate answers collected but not reported elsewhere — sector of activity (ГКЭД),
occupation (ISCO-08 major groups), reasons for working outside the field, job-search channels — as shares
with n and intervals, for the cohort and by faculty where publishable (:mod:`analysis.results.graduate_items`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.core.i18n import t

ITEMS = (("sector", "gra_sector"), ("isco_major", "gra_isco"), ("mismatch_reason", "gra_mismatch_reason"),
         ("search_channels", "gra_search_channels"))


def render(rep: Any) -> None:
    """One table per item: answers as rows, the cohort (value, interval, n) and each faculty's share."""
    rep.heading("gra_heading")
    why = rep.phase_why("p2") if hasattr(rep, "phase_why") else None
    if why:
        rep.lack(why)
        return
    for col, key in ITEMS:
        rows = rep.cells(f"graduates:{col}")
        if rows.empty:
            continue
        allr = rows[rows["domain"] == "all"]
        fac = rows[rows["domain"] == "faculty"]
        faculties = sorted(fac["group"].unique())
        shown_fac = [f for f in faculties if any(rep.shown(r) for _, r in fac[fac["group"] == f].iterrows())]
        out = []
        for _, r in allr.iterrows():
            rec = {t("col_answer", rep.lang): rep.labels.value(col, r["category"]),
                   t("all_graduates", rep.lang): rep.value(r),
                   t("col_ci_level", rep.lang, conf=rep.conf): rep.interval(r)}
            for f in shown_fac:
                c = rep.cell(f"graduates:{col}", "faculty", f, r["category"])
                rec[rep.labels.value("faculty", f)] = rep.value(c)
            out.append(rec)
        n = rep.count(allr["n"].iloc[0]) if not allr.empty else "–"
        rep.show_table(pd.DataFrame(out), key, n=n)
        if len(shown_fac) < len(faculties):
            rep.note("gra_faculty_hidden")
    rep.note("gra_note")

"""Which competences are lacking: the level graduates reached at graduation (phase 1) against the level their
job requires (phase 2), means on 1–5, largest gap first."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.core.i18n import t
from analysis.publish.charts import dumbbell


def render(rep: Any) -> None:
    """The dumbbell chart and the table of means and gaps with the gap's interval."""
    rep.heading("sec_competences")
    rep.para("sec_competences_intro")
    why = rep.phase_why("p1") or rep.phase_why("p2")
    if why:
        rep.lack(why)
        return
    acq = rep.cells("competence_acquired", "all").set_index("category")
    req = rep.cells("competence_required", "all").set_index("category")
    gap = rep.cells("competence_gap", "all").set_index("category")
    items = [c for c in gap.index if gap.loc[c, "status"] == "published" and c in acq.index and c in req.index
             and acq.loc[c, "status"] == "published" and req.loc[c, "status"] == "published"]
    if not items:
        if gap.empty:
            rep.lack("no_competences")
        else:
            rep.lack_of("competence_gap", {"no_answers": "no_competences"})
        return
    items = sorted(items, key=lambda c: -float(gap.loc[c, "estimate"]))
    labels = [rep.question_label("phase2", f"comp_job_{c}").split(" — ")[0] for c in items]
    what = t("chart_competences", rep.lang)
    alt = t("alt_competences", rep.lang, what=what, k=len(items), top=labels[0],
            top_gap=rep.value(gap.loc[items[0]]), low=labels[-1], low_gap=rep.value(gap.loc[items[-1]]))
    rep.figure(dumbbell(labels, acq.loc[items, "estimate"], req.loc[items, "estimate"],
                        t("legend_acquired", rep.lang), t("legend_required", rep.lang), ""), alt, what)
    rows = [{t("col_competence", rep.lang): lab, t("col_n", rep.lang): rep.count(gap.loc[c, "n"]),
             t("legend_acquired", rep.lang): rep.value(acq.loc[c]),
             t("legend_required", rep.lang): rep.value(req.loc[c]),
             t("col_gap", rep.lang): rep.value(gap.loc[c]),
             t("col_ci_level", rep.lang, conf=rep.conf): rep.interval(gap.loc[c])}
            for c, lab in zip(items, labels)]
    rep.show_table(pd.DataFrame(rows), caption=what, denominator=t("denom_competences", rep.lang))

"""How graduates rate their programme (phase 1) and, once in work, their job and the programme's usefulness
(phase 2): means on 1–5 with their intervals, one table per survey."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.core.i18n import t


def render(rep: Any) -> None:
    """One table of means per phase; a phase that shows nothing says why once."""
    rep.heading("sec_feedback")
    pub = rep.published
    fb = pub[pub["indicator"].str.startswith("feedback:") & (pub["domain"] == "all")]
    gaps = fb[pd.Series([rep.empty(r) for _, r in fb.iterrows()], index=fb.index, dtype=bool)]
    fb = fb.drop(gaps.index)
    shown_any = False
    for phase, inst in (("p1", "phase1"), ("p2", "phase2")):
        d = fb[fb["category"] == phase]
        if not d.empty:
            rows = [{t("col_question", rep.lang): rep.question_label(inst, r["indicator"].split(":", 1)[1]),
                     t("col_n", rep.lang): rep.count(r["n"]), rep.value_column("scale"): rep.value(r),
                     t("col_ci_level", rep.lang, conf=rep.conf): rep.interval(r)} for _, r in d.iterrows()]
            rep.show_table(pd.DataFrame(rows), f"caption_feedback_{phase}", denominator=t(f"denom_feedback_{phase}",
                                                                                         rep.lang))
            shown_any = True
            continue
        why = rep.phase_why(phase)
        if why:
            rep.lack(why)
        elif (gaps["category"] == phase).any():
            rep.lack_rows(gaps[gaps["category"] == phase])
        elif not shown_any and phase == "p2":
            rep.lack("no_answers")
    if shown_any:
        rep.note("feedback_scale")

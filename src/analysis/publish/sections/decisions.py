"""Report section: the decisions register followed up — for each recommendation of the expert group
(``decisions/*.yaml``: what, why, owner, date), the indicator it targeted in the baseline cohort and now, with
the difference and its interval; one line when the baseline cohort has not been run
(:mod:`analysis.results.decisions`). Numbers come only from published rows; the register gives the words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.i18n import t
from analysis.results.decisions import load_decisions


def render(rep: Any) -> None:
    """One table row per decision with before / after / difference, or one line saying why not."""
    rep.heading("dec_heading")
    pub = rep.published
    dec = pub[pub["indicator"].str.startswith("decision:")]
    if dec.empty:
        rep.note("dec_none")
        return
    root = Path(rep.cfg.project_root) if rep.cfg.project_root else Path.cwd()
    register = {d.id: d for d in load_decisions(root / "decisions")}
    rows = []
    for ind, d in dec.groupby("indicator", sort=True):
        did = ind.split(":", 1)[1]
        first = d.iloc[0]
        target = str(first["source"]).replace("target=", "")
        reg = register.get(did)
        if reg is not None:
            rep.note("dec_item", id=did, what=reg.text("what", rep.lang), why=reg.text("why", rep.lang),
                     owner=reg.text("owner", rep.lang), date=reg.date,
                     indicator=rep.indicator_label(target),
                     group=rep.labels.value(first["domain"], first["group"]))
        note = str(first["note"])
        if note.startswith("baseline not run:"):
            rep.lack("baseline_not_run", cohort=note.split(":", 1)[1].strip())
            continue
        if note.startswith("baseline is this cohort"):
            rep.note("dec_baseline_now")
            continue
        b = d[d["category"] == "before"]
        f = d[d["category"] == "difference"]
        b = b.iloc[0] if not b.empty else None
        f = f.iloc[0] if not f.empty else None
        after = rep.cell(target, first["domain"], first["group"])
        rows.append({t("dec_col_id", rep.lang): did,
                     t("col_indicator", rep.lang): rep.indicator_label(target),
                     t("dec_col_group", rep.lang): rep.labels.value(first["domain"], first["group"]),
                     t("dec_col_before", rep.lang): rep.value(b), t("dec_col_after", rep.lang): rep.value(after),
                     t("dec_col_difference", rep.lang): rep.value(f),
                     t("col_ci_level", rep.lang, conf=rep.conf): rep.interval(f),
                     "p": rep.p_value(f["p_value"]) if f is not None and f["status"] == "published" else ".."})
    if rows:
        rep.show_table(pd.DataFrame(rows))
        rep.note("dec_method")

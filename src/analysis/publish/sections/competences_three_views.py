"""Report section (for the competence section's owner to call): competences on one list, three views — the
level at graduation (graduates, phase 1), the level the job requires (graduates, phase 2) and the employers'
rating of the university's graduates — with both gaps and their intervals, as a chart and a table. Renders
only published rows (:func:`analysis.results.families.competence_rows`)."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.core.i18n import t
from analysis.publish.charts import setup
from analysis.publish.labels import column_labels


def _chart(rep: Any, labels: list[str], views: list[tuple[str, pd.Series, pd.Series, pd.Series]]) -> Any:
    """Three markers per competence with their intervals (a dot plot, matplotlib)."""
    setup()
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(labels) + 1.2))
    y = np.arange(len(labels))
    for k, (name, est, lo, hi) in enumerate(views):
        off = (k - 1) * 0.22
        e = pd.to_numeric(est, errors="coerce").to_numpy(float)
        lo_ = pd.to_numeric(lo, errors="coerce").to_numpy(float)
        hi_ = pd.to_numeric(hi, errors="coerce").to_numpy(float)
        ax.errorbar(e, y + off, xerr=[np.nan_to_num(e - lo_), np.nan_to_num(hi_ - e)], fmt="o", ms=4, capsize=2,
                    label=name)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(1, 5)
    ax.set_xlabel(t("comp3_axis", rep.lang))
    ax.set_title(t("comp3_chart", rep.lang, conf=rep.conf))
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.02 + 0.02), ncol=3, fontsize=8, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return fig


def render(rep: Any) -> None:
    """The three-view competence table and chart; one line saying why when nothing can be shown."""
    rep.heading("comp3_heading", level=3)
    acq = rep.cells("competence_acquired", "all").set_index("category")
    req = rep.cells("competence_required", "all").set_index("category")
    gap = rep.cells("competence_gap", "all").set_index("category")
    emp = rep.cells("competence_employer", "all").set_index("category")
    egap = rep.cells("competence_employer_gap", "all").set_index("category")
    items = [c for c in dict.fromkeys(list(acq.index) + list(emp.index))
             if (c in acq.index and rep.shown(acq.loc[c])) or (c in emp.index and rep.shown(emp.loc[c]))]
    if not items:
        rows = pd.concat([rep.cells("competence_gap"), rep.cells("competence_employer")])
        rep.lack_rows(rows, {"no_answers": "no_competences"})
        return
    names = column_labels([f"comp_job_{c}" for c in items], rep.lang)
    label = {c: names[f"comp_job_{c}"].split(" — ")[0] for c in items}

    def get(tab: pd.DataFrame, c: str) -> Any:
        return tab.loc[c] if c in tab.index else None

    views = []
    for name, tab in ((t("legend_acquired", rep.lang), acq), (t("legend_required", rep.lang), req),
                      (t("comp3_employers", rep.lang), emp)):
        shown = [get(tab, c) if rep.shown(get(tab, c)) else None for c in items]
        views.append((name, pd.Series([r["estimate"] if r is not None else np.nan for r in shown]),
                      pd.Series([r["ci_low"] if r is not None else np.nan for r in shown]),
                      pd.Series([r["ci_high"] if r is not None else np.nan for r in shown])))
    rep.figure(_chart(rep, [label[c] for c in items], views), alt=t("comp3_alt", rep.lang, items=", ".join(
        label[c] for c in items)), caption=t("comp3_chart", rep.lang, conf=rep.conf))
    ci = t("col_ci_level", rep.lang, conf=rep.conf)
    rows = []
    for c in items:
        a, q, g, e, eg = (get(x, c) for x in (acq, req, gap, emp, egap))
        rows.append({t("col_indicator", rep.lang): label[c],
                     t("legend_acquired", rep.lang): rep.value(a), t("legend_required", rep.lang): rep.value(q),
                     t("comp3_gap_job", rep.lang): rep.value(g), t("comp3_gap_job_ci", rep.lang, conf=rep.conf):
                         rep.interval(g),
                     t("col_n", rep.lang): rep.count(g["n"]) if g is not None else "–",
                     t("comp3_employers", rep.lang): rep.value(e),
                     t("comp3_gap_emp", rep.lang): rep.value(eg), ci: rep.interval(eg),
                     t("comp3_n_employers", rep.lang): rep.count(e["n"]) if e is not None else "–"})
    rep.show_table(pd.DataFrame(rows), "comp3_table")
    rep.note("comp3_method")

"""Do graduates work in their field: the graduates' own view and the comparison of their occupation with their
studies (field and level), side by side with their intervals; the own view by faculty."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.core.i18n import t
from analysis.publish.charts import point_intervals

INDICATORS = ("horizontal_match_subjective_rate", "horizontal_match_normative_rate",
              "vertical_match_subjective_rate", "overqualification_rate")


def render(rep: Any) -> None:
    """The four match indicators (chart and table) and the self-assessed match by faculty."""
    rep.heading("sec_match")
    rep.para("sec_match_intro")
    why = rep.phase_why("p2")
    if why:
        rep.lack(why)
        return
    cells = [rep.cell(i) for i in INDICATORS]
    if all(c is None or rep.empty(c) for c in cells):
        pub = rep.published
        rep.lack_rows(pub[pub["indicator"].isin(INDICATORS) & (pub["domain"] == "all")])
        return
    shown = [(i, c) for i, c in zip(INDICATORS, cells) if rep.shown(c)]
    if shown:
        plot = pd.DataFrame({"label": [rep.indicator_label(i) for i, _ in shown],
                             "estimate": [float(c["estimate"]) for _, c in shown],
                             "ci_low": [float(c["ci_low"]) for _, c in shown],
                             "ci_high": [float(c["ci_high"]) for _, c in shown],
                             "text": [f"{rep.value(c)} ({t('kpi_n_note', rep.lang, n=rep.count(c['n']))})"
                                      for _, c in shown]})
        what = t("chart_match", rep.lang)
        alt = t("alt_points", rep.lang, what=what, items="; ".join(f"{a}: {b}" for a, b in zip(plot["label"],
                                                                                               plot["text"])),
                conf=rep.conf)
        rep.figure(point_intervals(plot, rep.denominator("horizontal_match_subjective_rate")), alt,
                   t("caption_with_ci", rep.lang, what=what, conf=rep.conf))
    rows = []
    for ind, r in zip(INDICATORS, cells):
        if r is None:
            continue
        rows.append({t("col_indicator", rep.lang): rep.indicator_label(ind),
                     t("col_n", rep.lang): rep.count(r["n"]),
                     rep.value_column("share"): rep.value(r) if not rep.empty(r) else t("nodata_short", rep.lang),
                     t("col_ci_level", rep.lang, conf=rep.conf): rep.interval(r)})
    rep.show_table(pd.DataFrame(rows), caption=t("chart_match", rep.lang),
                   denominator=rep.denominator("horizontal_match_subjective_rate"))
    rep.show_indicator_table("horizontal_match_subjective_rate", "faculty")

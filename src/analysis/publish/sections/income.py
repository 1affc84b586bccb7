"""What graduates earn: the median monthly net income by faculty (chart against the oblast's average wage) and by
level of study. The imputation check is in the appendix (:mod:`.methods`)."""

from __future__ import annotations

import re
from typing import Any

from analysis.core.i18n import t
from analysis.publish.charts import bars_with_ci
from analysis.publish.formatting import fmt_number

INCOMES = {"no_answers": "no_incomes"}


def benchmark_year(row: Any) -> str:
    """The year of an open-data benchmark from its period note ("period=2025 (…)" → "2025"); never the note's
    free text, which may carry the source's own remarks."""
    m = re.search(r"(19|20)\d\d", str(row["note"]))
    return m.group(0) if m else ""


def render(rep: Any) -> None:
    """Median income by faculty (chart and table) and by level, against the oblast wage and the minimum wage."""
    rep.heading("sec_income")
    why = rep.phase_why("p2")
    if why:
        rep.lack(why)
        return
    wage, mw = rep.cell("context:oblast_average_wage"), rep.cell("context:minimum_wage")
    benchmark = rep.shown(wage) and rep.shown(mw)
    if benchmark:
        rep.para("sec_income_intro", wage=fmt_number(wage["estimate"], rep.lang), year=benchmark_year(wage),
                 minwage=fmt_number(mw["estimate"], rep.lang), region=rep.region())
    else:
        rep.para("sec_income_intro_plain")
    pub = rep.published
    inc = pub[pub["indicator"].isin(["median_monthly_income", "income_relative_to_oblast_wage"])]
    if not any(rep.shown(r) for _, r in inc.iterrows()):  # nothing to show: one line, not two empty tables
        rep.lack_of("median_monthly_income", INCOMES)
        return
    rows = rep.shown_rows(rep.cells("median_monthly_income", "faculty"))
    if not rows.empty:
        labels = [rep.group_label("faculty", g, n) for g, n in zip(rows["group"], rows["n"])]
        values = [rep.value(r) for _, r in rows.iterrows()]
        ref = float(wage["estimate"]) if rep.shown(wage) else None
        fig = bars_with_ci(labels, rows["estimate"], rows["ci_low"], rows["ci_high"], "",
                           f"{rep.indicator_label('median_monthly_income')}, {t('unit_kgs', rep.lang)}",
                           reference=ref, reference_label=t("ref_oblast_wage", rep.lang), percent=False,
                           value_labels=values)
        order = rows.assign(_l=labels, _v=values).sort_values("estimate", ascending=False)
        what = rep.caption("median_monthly_income", "faculty")
        rep.figure(fig, rep.alt_ranked(what, list(order["_l"]), list(order["_v"])),
                   t("caption_with_ci", rep.lang, what=what, conf=rep.conf))
    rep.show_indicator_table("median_monthly_income", "faculty", rename=INCOMES)
    rep.show_indicator_table("median_monthly_income", "level", rename=INCOMES)
    rel = rep.cell("income_relative_to_oblast_wage")
    if rep.shown(rel) and benchmark:
        rep.say(t("income_ratio_line", rep.lang, ratio=rep.value(rel), ci=rep.ci_n(rel)))
    if benchmark:
        rep.note("income_gross_net_note")

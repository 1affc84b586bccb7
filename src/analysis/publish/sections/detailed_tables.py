"""Appendix: the detailed tables — the employment rate by programme (with the estimate pooled toward the
faculty for small programmes), and the weighted against the unweighted employment rate for every breakdown (the
weighting check)."""

from __future__ import annotations

from typing import Any

from analysis.core.i18n import t
from analysis.publish.sections.employment import breakdown_table


def render(rep: Any) -> None:
    """Employment by programme; the weighting check by faculty, sex, level and funding."""
    rep.heading("sec_detailed")
    if rep.phase_why("p2") or rep.cell("employment_rate") is None or rep.empty(rep.cell("employment_rate")):
        rep.lack(rep.phase_why("p2") or rep.rows_why(rep.cells("employment_rate")))
        return
    pooled = rep.cells("employment_rate", "programme")["pooled"].notna().any()
    rep.show_indicator_table("employment_rate", "programme", pooled=bool(pooled))
    if pooled:
        rep.note("pooled_note")
    if (rep.cells("employment_rate")["basis"] == "weighted").any():
        tab = breakdown_table(rep, "employment_rate", ("faculty", "sex", "level", "funding"), check=True)
        if not tab.empty:
            rep.show_table(tab, caption=t("caption_weighting_check", rep.lang,
                                          indicator=rep.indicator_label("employment_rate")),
                           indicator="employment_rate", text_cols=(t("col_breakdown", rep.lang),))
            rep.note("weighting_check_note")

"""Report section: open answers summarised — graduates' strengths, weaknesses and suggestions and employers'
curriculum suggestions, coded into the themes of ``definitions/themes.yaml``: share of those who answered
per theme with its interval, the share no theme matched, and short example quotes where a theme was named by
enough people (:mod:`analysis.results.themes`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.core.i18n import t
from analysis.derive.themes import UNCODED, load_themes

QUESTIONS = (("strengths", "oa_strengths"), ("weaknesses", "oa_weaknesses"), ("suggestions", "oa_suggestions"),
             ("curriculum_suggestions", "oa_curriculum"))


def render(rep: Any) -> None:
    """A table per open question (themes by share, uncoded last), then its example quotes."""
    rep.heading("oa_heading")
    rep.para("oa_intro")
    names = {e.code: e.label[rep.lang] for e in load_themes()}
    shown_any = False
    for q, key in QUESTIONS:
        rows = rep.cells(f"theme:{q}", "all")
        if rows.empty:
            continue
        shown_any = True
        rows = rows.assign(_v=pd.to_numeric(rows["estimate"], errors="coerce"),
                           _u=(rows["category"] == UNCODED).astype(int))
        rows = rows.sort_values(["_u", "_v"], ascending=[True, False])
        out = [{t("oa_col_theme", rep.lang): t("oa_uncoded", rep.lang) if r["category"] == UNCODED
                else names.get(r["category"], r["category"]),
                t("col_value", rep.lang): rep.value(r), t("col_ci_level", rep.lang, conf=rep.conf): rep.interval(r)}
               for _, r in rows.iterrows()]
        rep.show_table(pd.DataFrame(out), key, n=rep.count(rows["n"].iloc[0]))
        quotes = rep.cells(f"theme_quote:{q}")
        quotes = quotes[quotes["status"] == "published"]
        if not quotes.empty:
            qt = [{t("oa_col_theme", rep.lang): names.get(r["category"], r["category"]),
                   t("oa_col_quote", rep.lang): f"«{r['note']}»"} for _, r in quotes.iterrows()]
            rep.show_table(pd.DataFrame(qt), "oa_quotes", min_n=10)
    if not shown_any:
        rep.lack("no_answers")
        return
    rep.note("oa_method")

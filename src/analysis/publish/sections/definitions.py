"""Appendix: the definition of every indicator, from the indicator registry (``definitions/indicators.yaml``):
its label and definition in the report's language and the standard it follows (a bibliographic reference, kept
in its original language and marked as such)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.core.i18n import t
from analysis.derive.registry import load_registry


def render(rep: Any) -> None:
    """The registry's indicators: label, definition, standard."""
    rep.heading("sec_appendix_indicators")
    rows = [{t("col_indicator", rep.lang): i.label[rep.lang], t("col_definition", rep.lang): i.description[rep.lang],
             t("col_standard", rep.lang): i.standard} for i in load_registry()]
    if not rows:
        return
    df = pd.DataFrame(rows)
    rep.show_table(df, "caption_definitions", denominator="", text_cols=tuple(df.columns),
                   foreign_cols=(t("col_standard", rep.lang),))

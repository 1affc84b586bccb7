"""Appendix: the open-data tables the run used (``data/raw/open/``, :mod:`analysis.derive.open_tables`) — id,
version, real or synthetic, rows, title, publisher, licence — from the published ``opendata:table`` rows."""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from analysis.core.i18n import t

__all__ = ["render"]


def render(rep: Any) -> None:
    """The open-data tables used by the run: id, version, kind (real or synthetic), rows, title, publisher,
    licence (from the ``opendata:table`` rows)."""
    rep.heading("sec_appendix_open_data")
    tables = rep.cells("opendata:table", "table")
    if tables.empty:
        rep.lack("no_open_data")
        return
    rep.para("open_data_appendix_intro")
    out = []
    for _, r in tables.sort_values("group").iterrows():
        meta = json.loads(str(r["note"]) or "{}")
        n = r["estimate"]
        out.append({t("col_table", rep.lang): str(r["group"]), t("col_version", rep.lang): str(r["category"]),
                    t("col_kind", rep.lang): t("kind_synthetic" if meta.get("synthetic") else "kind_real", rep.lang),
                    t("col_n", rep.lang): rep.count(n) if not (isinstance(n, float) and math.isnan(n)) else "..",
                    t("col_definition", rep.lang): str(meta.get("title", "")),
                    t("col_publisher", rep.lang): str(meta.get("publisher", "")),
                    t("col_licence", rep.lang): str(meta.get("licence", ""))})
    rep.show_table(pd.DataFrame(out), code_cols=(t("col_table", rep.lang), t("col_version", rep.lang)),
                   foreign_cols=(t("col_definition", rep.lang), t("col_publisher", rep.lang),
                                 t("col_licence", rep.lang)))

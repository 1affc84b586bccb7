"""What the employer, competence, open-answer and decision sections share: a table of published rows.
Computes nothing: every value is a published row, formatted by the report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from analysis.core.i18n import t


def rows_table(rep: Any, rows: pd.DataFrame, label: Callable[[pd.Series], str], label_key: str = "col_indicator"
               ) -> pd.DataFrame:
    """Published rows as a table: label, n, value, interval (``..`` when suppressed, ``–`` without one)."""
    out = []
    for _, r in rows.iterrows():
        out.append({t(label_key, rep.lang): label(r), t("col_n", rep.lang): rep.count(r["n"]),
                    t("col_value", rep.lang): rep.value(r),
                    t("col_ci_level", rep.lang, conf=rep.conf): rep.interval(r)})
    return pd.DataFrame(out)

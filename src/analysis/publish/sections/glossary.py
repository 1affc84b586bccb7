"""Appendix: a glossary of the words a reader may not know (interval, weighting, labour status, median …), in
the report's language, from the catalogue ``definitions/messages/glossary.yaml`` (``glossary_<term>`` gives the
term, ``glossary_<term>_def`` its meaning), in the file's order."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.core.i18n import catalogue, t


def terms() -> list[str]:
    """The glossary's term keys, in the catalogue's order."""
    return [k for k in catalogue() if k.startswith("glossary_") and not k.endswith("_def")
            and f"{k}_def" in catalogue()]


def render(rep: Any) -> None:
    """The glossary as a two-column table."""
    rep.heading("sec_glossary")
    rows = [{t("col_term", rep.lang): t(k, rep.lang), t("col_meaning", rep.lang): t(f"{k}_def", rep.lang)}
            for k in terms()]
    df = pd.DataFrame(rows)
    rep.show_table(df, "caption_glossary", denominator="", text_cols=tuple(df.columns))

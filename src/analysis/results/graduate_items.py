"""Graduate answers collected but not reported elsewhere, as distributions of the results table.

Phase-2 respondents' sector of economic activity (ГКЭД section, ``sector``), occupation (ISCO-08 major group,
``isco_major``) — both among those who work and answered — the reasons for working outside their field
(``mismatch_reason``, asked when the job is not or hardly related to the field; several reasons allowed)
and the job-search channels (``search_channels``, several allowed). Weighted with the phase-2 design, by
the whole cohort and by faculty; a share's base ``n`` is those who answered the question.

======================================  ===================================================================
indicator                               rows
======================================  ===================================================================
``graduates:sector``                    share per ГКЭД section (categories add up)
``graduates:isco_major``                share per ISCO-08 major group (categories add up)
``graduates:mismatch_reason``           share naming each reason (several per person: no sum)
``graduates:search_channels``           share using each channel (several per person: no sum)
======================================  ===================================================================
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.results.table import Settings, estimate

__all__ = ["GRADUATE_DISTRIBUTIONS", "GRADUATE_ITEMS", "graduate_item_rows"]

GRADUATE_ITEMS: tuple[tuple[str, bool], ...] = (("sector", False), ("isco_major", False),
                                                 ("mismatch_reason", True), ("search_channels", True))
"""(phase-2 column, select_multiple?) of the items reported here."""
GRADUATE_DISTRIBUTIONS: dict[str, str | None] = {f"graduates:{c}": None for c, multi in GRADUATE_ITEMS if not multi}
"""Families whose categories add up to the group's respondents who answered (for disclosure control)."""
DOMAINS = ("all", "faculty")


def graduate_item_rows(graduates: pd.DataFrame, st: Settings, design: Any) -> pd.DataFrame:
    """Shares of each answer of :data:`GRADUATE_ITEMS` among the phase-2 respondents who answered, by the
    cohort and by faculty (weighted with ``design``, the phase-2 design; unweighted when None)."""
    if "resp_p2" not in graduates:
        return pd.DataFrame()
    resp = graduates["resp_p2"].astype("boolean").fillna(False).to_numpy(bool)
    frames = []
    for col, multi in GRADUATE_ITEMS:
        if col not in graduates:
            continue
        raw = graduates[col].astype("string").str.strip().replace("", pd.NA).where(resp)
        # each distinct answer split once (answers repeat: at scale a per-row split per level was the cost)
        tokens = {t: t.split() for t in raw.dropna().unique()}
        levels = sorted({c for v in tokens.values() for c in (v if multi else [" ".join(v)])})
        text = raw.astype(object)
        for lv in levels:
            if multi:
                v = text.map({t: float(lv in tk) for t, tk in tokens.items()})  # no answer: NaN
            else:
                v = (raw == lv).astype(float).where(raw.notna())
            frames.append(estimate(v.astype(float), graduates, "share", st, indicator=f"graduates:{col}",
                                   unit="share", domains=DOMAINS, design=design, category=str(lv)))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

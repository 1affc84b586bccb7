"""The SYNTHETIC enterprise frame of a demo cohort (``enterprise_frame.csv``).

It stands in for the counts a university gets from the statistics office's business register (enterprises by
ГКЭД section × size band in Jalal-Abad oblast; schema in docs/employers.md). It is made consistent with the
demo's employer survey: every cell's count is the number of surveyed employers in it divided by a sampling
fraction that falls with size (micro enterprises are rarely surveyed, large ones often), times a seeded factor
between 0.8 and 1.25; cells no demo employer falls in get a few enterprises in the sectors and bands where
employers are plausible. Every count is at least the number of surveyed employers. Deterministic: the same
employers give the same bytes. :func:`analysis.demo.synthetic.generate_cohort` writes it with the other files.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.stats.weighting import GKED_SECTIONS, SIZE_BANDS

SAMPLING_FRACTION = {"lt5": 1 / 40, "5_20": 1 / 12, "20_50": 1 / 5, "50_200": 1 / 2.5, "gt200": 1 / 1.4}
EMPTY_CELL = {"lt5": (5, 60), "5_20": (2, 15), "20_50": (0, 4), "50_200": (0, 2), "gt200": (0, 1)}
SOURCE = "SYNTHETIC demo frame (analysis.demo.frame) — not the business register"


def frame_from(employers: pd.DataFrame, seed: int = 20250630) -> pd.DataFrame:
    """The synthetic frame for the surveyed ``employers`` (columns sector, size_band)."""
    rng = np.random.default_rng(seed)
    got = employers.groupby(["sector", "size_band"]).size()
    rows = []
    for s in GKED_SECTIONS:
        for b in SIZE_BANDS:
            n = int(got.get((s, b), 0))
            factor = rng.uniform(0.8, 1.25)
            lo, hi = EMPTY_CELL[b]
            extra = int(rng.integers(lo, hi + 1))
            if n:
                count = max(n, int(round(n / SAMPLING_FRACTION[b] * factor)))
            elif s in "TU":
                count = 0
            else:
                count = extra
            rows.append({"sector": s, "size_band": b, "enterprises": count, "source": SOURCE})
    return pd.DataFrame(rows)



def frame_csv(employers: pd.DataFrame, seed: int = 20250630) -> bytes:
    """The frame of :func:`frame_from` as the bytes of ``enterprise_frame.csv``."""
    return frame_from(employers, seed).to_csv(index=False, lineterminator="\n").encode("utf-8")

"""Write the SYNTHETIC enterprise frame of the demo cohort (``python tools/make_enterprise_frame.py``).

``data/raw/demo-2025/enterprise_frame.csv`` stands in for the counts a university gets from the statistics
office's business register (enterprises by ГКЭД section × size band in Jalal-Abad oblast; schema in
docs/employers.md). It is made consistent with the demo's employer survey: every cell's count is the number of
surveyed employers in it divided by a sampling fraction that falls with size (micro enterprises are rarely
surveyed, large ones often), times a seeded factor between 0.8 and 1.25; cells no demo employer falls in get a
few enterprises in the sectors and bands where employers are plausible. Every count is at least the number of
surveyed employers. Deterministic: the same demo file gives the same bytes (a test checks it).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "data" / "raw" / "demo-2025"
SAMPLING_FRACTION = {"lt5": 1 / 40, "5_20": 1 / 12, "20_50": 1 / 5, "50_200": 1 / 2.5, "gt200": 1 / 1.4}
EMPTY_CELL = {"lt5": (5, 60), "5_20": (2, 15), "20_50": (0, 4), "50_200": (0, 2), "gt200": (0, 1)}
SOURCE = "SYNTHETIC demo frame (tools/make_enterprise_frame.py) — not the business register"


def frame_from(employers: pd.DataFrame, seed: int = 20250630) -> pd.DataFrame:
    """The synthetic frame for the surveyed ``employers`` (columns sector, size_band)."""
    from analysis.stats.weighting import GKED_SECTIONS, SIZE_BANDS

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


def main() -> int:
    from analysis.ingest import read_input

    res = read_input("employers_kobo.xlsx", "employer", "kobo_xlsx", mode="online", base_dir=FOLDER)
    frame = frame_from(res.table)
    out = FOLDER / "enterprise_frame.csv"
    out.write_bytes(frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    print("wrote", out, f"({len(frame)} cells, {frame['enterprises'].sum()} enterprises)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

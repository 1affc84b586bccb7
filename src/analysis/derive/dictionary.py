"""The data dictionary written next to every processed table: one row per column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def data_dictionary(df: pd.DataFrame, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Describe each column: type, categories (in order) or range, non-missing count, label.

    ``labels`` maps column names to a human label (from the codebook or the indicator registry).
    """
    rows = []
    labels = labels or {}
    for col in df.columns:
        s = df[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            kind = "ordered categorical" if s.cat.ordered else "categorical"
            values = " < ".join(map(str, s.cat.categories)) if s.cat.ordered else ", ".join(map(str, s.cat.categories))
        elif pd.api.types.is_bool_dtype(s):
            kind, values = "boolean", "True, False"
        elif pd.api.types.is_numeric_dtype(s):
            kind = "number"
            values = f"{s.min()} … {s.max()}" if s.notna().any() else ""
        elif pd.api.types.is_datetime64_any_dtype(s):
            kind = "date"
            values = f"{s.min():%Y-%m-%d} … {s.max():%Y-%m-%d}" if s.notna().any() else ""
        else:
            kind, values = "text", ""
        rows.append({"variable": col, "type": kind, "values": values, "non_missing": int(s.notna().sum()),
                     "label": labels.get(col, "")})
    return pd.DataFrame(rows)


def write_data_dictionary(df: pd.DataFrame, path: Path, labels: dict[str, str] | None = None) -> Path:
    """Write :func:`data_dictionary` as UTF-8 CSV with a BOM (opens correctly in Excel)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data_dictionary(df, labels).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return path

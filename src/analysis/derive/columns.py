"""Reading the contract's columns for the derivations: codes, numbers, dates and three-valued booleans.

One job: turn a validated (or raw) phase column into the typed values every derivation compares —
nullable code strings, floats, ``datetime64`` dates — and build the results as pandas' nullable
``boolean`` (``<NA>`` = not applicable or unknown, never "no") or as categoricals. A missing column is
all-missing. Standard: the variable contract ``docs/variables.md`` (codes as strings, ``yes``/``no``).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


def col_or_na(df: pd.DataFrame, name: str) -> pd.Series:
    """Column ``name`` or an all-missing column when the frame lacks it."""
    if name in df.columns:
        return df[name]
    return pd.Series([pd.NA] * len(df), index=df.index, dtype="object")


def as_codes(s: pd.Series) -> pd.Series:
    """Codes as nullable strings, stripped, empty → <NA>; whole numbers without '.0' (5.0 → '5')."""
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.map({True: "yes", False: "no"}).astype("string")
    if pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype("Float64")
    out = s.astype("string").str.strip().str.replace(r"^(-?\d+)\.0$", r"\1", regex=True)
    return out.mask((out == "").fillna(False))


def is_code(s: pd.Series, *codes: str) -> np.ndarray:
    """Plain bool array: value is one of ``codes`` (missing → False)."""
    return as_codes(s).isin(codes).fillna(False).to_numpy(dtype=bool)


def is_known(s: pd.Series) -> np.ndarray:
    """Plain bool array: the code is known (not missing, not empty)."""
    return as_codes(s).notna().to_numpy(dtype=bool)


def as_number(s: pd.Series) -> pd.Series:
    """Numbers as float64 (a text that is no number, or a missing value, → NaN)."""
    return pd.to_numeric(s.astype("object"), errors="coerce").astype("float64")


def as_dates(x: Any, df: pd.DataFrame) -> pd.Series:
    """Dates from a column name, a Series or a scalar (a date string too), as datetime64 (NaT when unknown)."""
    if isinstance(x, str) and x not in df.columns and re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", x):
        x = pd.Timestamp(x)
    if isinstance(x, str):
        s = col_or_na(df, x)
    elif isinstance(x, pd.Series):
        s = x.reindex(df.index) if not x.index.equals(df.index) else x
    else:
        s = pd.Series([x] * len(df), index=df.index, dtype="object")
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.astype("datetime64[ns]")
    with warnings.catch_warnings():  # a text that is no date is NaT, without pandas' format-inference warning
        warnings.simplefilter("ignore", UserWarning)
        return pd.to_datetime(s.astype("object"), errors="coerce").astype("datetime64[ns]")


def yes_no(s: pd.Series) -> pd.Series:
    """yes/no codes → nullable boolean (anything else → <NA>)."""
    return tri_state(is_code(s, "yes"), is_code(s, "yes", "no"), s.index)


def tri_state(true: np.ndarray, known: np.ndarray, index: pd.Index) -> pd.Series:
    """Nullable boolean Series: ``true`` where known, <NA> elsewhere."""
    arr = pd.array(np.asarray(true, dtype=bool), dtype="boolean")
    arr[~np.asarray(known, dtype=bool)] = pd.NA
    return pd.Series(arr, index=index)


def is_true(s: pd.Series) -> np.ndarray:
    """Plain bool array: nullable boolean is True."""
    return s.astype("boolean").fillna(False).to_numpy(dtype=bool)


def is_false(s: pd.Series) -> np.ndarray:
    """Plain bool array: nullable boolean is False."""
    return (~s.astype("boolean")).fillna(False).to_numpy(dtype=bool)


def as_category(values: Sequence[Any], categories: Sequence[str], index: pd.Index, ordered: bool = True) -> pd.Series:
    """A categorical Series of ``values`` over ``categories`` (ordered by default; other values → NaN)."""
    return pd.Series(pd.Categorical(list(values), categories=list(categories), ordered=ordered), index=index)


def consent_given(df: pd.DataFrame) -> np.ndarray:
    """consent = yes; a frame without a consent column counts as consented rows."""
    if "consent" not in df.columns:
        return np.ones(len(df), dtype=bool)
    return is_code(df["consent"], "yes")


def scale_at_least(df: pd.DataFrame, col: str, cut: float, mask: np.ndarray) -> pd.Series:
    """Nullable boolean: the rating ``col`` is ≥ ``cut`` (e.g. 4 on a 5-point scale), for rows in ``mask``
    with a rating; <NA> elsewhere."""
    v = as_number(col_or_na(df, col))
    ok = mask & v.notna().to_numpy(bool)
    return tri_state(ok & (v.fillna(0).to_numpy() >= cut), ok, df.index)

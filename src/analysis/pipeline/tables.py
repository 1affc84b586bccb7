"""Reading and writing the stages' tables (Parquet, deterministic) — the one place that touches files
of ``data/processed/``, so that statistics never reach up into the pipeline to save their results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.errors import InputError

__all__ = ["fresh_dir", "read_parquet", "write_parquet"]


def write_parquet(df: pd.DataFrame, path: Path) -> Path:
    """Write a DataFrame as Parquet deterministically (no pandas metadata timestamps, fixed row groups)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(table, path, compression="zstd", row_group_size=1_000_000, write_statistics=False,
                   store_schema=True)
    return path


def fresh_dir(path: Path) -> Path:
    """Empty a stage's output folder (only the files a stage writes), so no stale result survives a re-run."""
    if path.exists():
        for p in sorted(path.rglob("*")):
            if p.is_file() and p.suffix in (".parquet", ".json", ".csv"):
                p.unlink()
    path.mkdir(parents=True, exist_ok=True)
    return path


def read_parquet(path: Path) -> pd.DataFrame:
    """Read a stage output, with a clear error when the previous stage has not run."""
    if not path.exists():
        raise InputError(path, "not found — run the previous stage first (tracer run COHORT)")
    return pd.read_parquet(path)

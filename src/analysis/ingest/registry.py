"""The registrar's graduate list (``registry_xlsx``, ``registry_csv``) → raw table.

Headers are the contract names (``student_id``, ``full_name`` …) or the registry XLSForm's question
labels in Kyrgyz or Russian (or English); both are mapped by :mod:`analysis.ingest.labels`.
Excel date cells become ISO ``YYYY-MM-DD``; an Excel date serial (a whole number between
1930-01-01 and 2099-12-31) in a date question is converted too — in the CSV variant as well,
because a registrar's CSV saved from Excel carries serials where the date format was lost. Every
conversion is logged as a notice.
"""

from __future__ import annotations

from analysis.ingest.context import RawTable, ReadContext
from analysis.ingest.sources import check_extension, read_csv_raw, read_xlsx_raw


def read_registry_xlsx(ctx: ReadContext, sheet: str | int | None = 0) -> RawTable:
    """Read the registrar's workbook (first sheet, header in row 1)."""
    check_extension(ctx, (".xlsx", ".xlsm"))
    return read_xlsx_raw(ctx, sheet=sheet)


def read_registry_csv(ctx: ReadContext, encoding: str | None = None, delimiter: str | None = None) -> RawTable:
    """Read the registrar's CSV (delimiter declared or detected; digit-only dates as Excel serials)."""
    check_extension(ctx, (".csv", ".txt"))
    ctx.serial_text_dates = True
    return read_csv_raw(ctx, encoding=encoding, delimiter=delimiter)

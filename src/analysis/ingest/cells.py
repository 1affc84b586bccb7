"""Cells to canonical text: the only automatic fixes, each counted for a notice.

One job: one raw cell → text (:func:`cell_to_text`). Fixes, and nothing else: Unicode NFC (UAX #15),
surrounding whitespace stripped, internal runs of spaces and tabs collapsed; whole numbers without
``.0``; Excel dates and, for date questions, Excel date serials (ECMA-376 Part 1, §18.17.4.1) and typed
dates (:mod:`analysis.ingest.dates`) as ISO ``YYYY-MM-DD``. Every fix is tallied per column
(:class:`FixTally`), every unreadable date too (:class:`DateProblems`), and reported as one notice each.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from analysis.ingest.context import RawTable, ReadContext
from analysis.ingest.dates import read_date
from analysis.instruments.xlsform import normalise_label

# Plausible Excel date serials for date questions: 1930-01-01 … 2099-12-31 (1900 date system).
SERIAL_MIN, SERIAL_MAX = 10959, 73415
_EXCEL_EPOCH_1900 = dt.date(1899, 12, 30)
_SPACES = re.compile(r"[ \t]{2,}|\t")


class FixTally:
    """Counts automatic fixes per (column, kind) and emits one notice per pair."""

    def __init__(self) -> None:
        self.count: Counter[tuple[str, str]] = Counter()
        self.first: dict[tuple[str, str], int] = {}

    def add(self, column: str, kind: str, row: int) -> None:
        key = (column, kind)
        self.count[key] += 1
        self.first.setdefault(key, row)

    def flush(self, ctx: ReadContext) -> None:
        for (column, kind), n in sorted(self.count.items(), key=lambda kv: (self.first[kv[0]], kv[0])):
            first = self.first[(column, kind)]
            ctx.note("cell_fix", row=first, column=column, count=n, fix=kind, n=n, first=first)



def norm_key(text: str) -> str:
    """Key for matching labels and names — the codebook's own :func:`analysis.instruments.xlsform.normalise_label`
    (NFC, casefolded, whitespace runs → one space, dashes and no-break spaces unified)."""
    return normalise_label(text)


def is_clean_text(text: str) -> bool:
    """True when :func:`normalise_text` has nothing to fix in ``text`` (NFC already — UAX #15 —, no surrounding
    whitespace, no run of spaces or tab); a quick test that creates no object, for reading whole columns."""
    return (not text or not (text[0].isspace() or text[-1].isspace())) and "  " not in text and "\t" not in text \
        and (text.isascii() or unicodedata.is_normalized("NFC", text))


def normalise_text(text: str) -> tuple[str, list[str]]:
    """Apply the automatic text fixes; return the text and the keys of the fixes applied
    (``nfc``, ``strip``, ``collapse``: :data:`analysis.ingest.notices.FIXES`).

    Fixes (and nothing else): Unicode NFC (UAX #15); surrounding whitespace stripped; internal
    runs of spaces/tabs collapsed to one space (line breaks inside open answers are kept).
    """
    if is_clean_text(text):
        return text, []
    fixes = []
    out = unicodedata.normalize("NFC", text)
    if out != text:
        fixes.append("nfc")
    stripped = out.strip()
    if stripped != out:
        fixes.append("strip")
    collapsed = _SPACES.sub(" ", stripped)
    if collapsed != stripped:
        fixes.append("collapse")
    return collapsed, fixes


def format_number(value: float | int) -> str:
    """Write a number as text: whole numbers without ``.0``, others in plain positional notation."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if float(value).is_integer() and abs(value) < 1e18:
        return str(int(value))

    return np.format_float_positional(float(value), trim="-")


def excel_serial_to_iso(serial: float, date1904: bool = False) -> str | None:
    """ISO date of an Excel serial day number (1900 or 1904 date system), or None if implausible.

    Only whole serials between 1930-01-01 and 2099-12-31 are accepted (ECMA-376 Part 1, §18.17.4.1):
    anything else is more likely a number typed into a date question than a date.
    """
    if not float(serial).is_integer():
        return None
    s = int(serial)
    if date1904:
        s += 1462
    if not (SERIAL_MIN <= s <= SERIAL_MAX):
        return None
    return (_EXCEL_EPOCH_1900 + dt.timedelta(days=s)).isoformat()


class DateProblems:
    """A file's day-first rule and the date answers it could not read (for one notice each)."""

    def __init__(self, dayfirst: bool | None) -> None:
        self.dayfirst = dayfirst
        self.problems: dict[tuple[str, str], list[Any]] = {}  # (column, status) → [n, first row, value]

    def add(self, column: str, status: str, row: int, value: str) -> None:
        rec = self.problems.setdefault((column, status), [0, row, value])
        rec[0] += 1

    def flush(self, ctx: ReadContext) -> None:
        for (column, status), (n, row, value) in self.problems.items():
            ctx.note("date_ambiguous" if status == "ambiguous" else "date_unreadable", row=row, column=column,
                     count=n, n=n, first=row, value=value)


def cell_to_text(value: Any, qtype: str | None, column: str, row: int, tally: FixTally,
                 raw: RawTable, serial_text_dates: bool = False, dates: DateProblems | None = None) -> str:
    """Convert one raw cell to canonical text, tallying every automatic fix.

    Text answers of date questions are read by :func:`analysis.ingest.dates.read_date` (dd.mm.yyyy,
    dd/mm/yyyy by the file's day-first rule in ``dates``, Excel serials); what cannot be read is kept
    as written and counted in ``dates`` (validation then warns about each such cell).
    """
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, str):
        text, fixes = normalise_text(value)
        for f in fixes:
            tally.add(column, f, row)
        if qtype == "date" and text:
            r = read_date(text, dates.dayfirst if dates is not None else None, raw.date1904,
                          serials=True)
            if r.status == "converted":
                tally.add(column, r.fix or "iso_date", row)
            elif r.status in ("ambiguous", "unreadable") and dates is not None:
                dates.add(column, r.status, row, text)
            return r.text
        return text
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0) and value.tzinfo is None:
            tally.add(column, "excel_date", row)
            return value.date().isoformat()
        if qtype == "date":
            tally.add(column, "date_time_dropped", row)
            return value.date().isoformat()
        tally.add(column, "excel_datetime", row)
        return value.isoformat()
    if isinstance(value, dt.date):
        tally.add(column, "iso_date", row)
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and math.isnan(value):
            return ""
        if qtype == "date":
            iso = excel_serial_to_iso(value, raw.date1904)
            if iso is not None:
                tally.add(column, "excel_serial", row)
                return iso
        text = format_number(value)
        if isinstance(value, float) and value.is_integer():
            tally.add(column, "whole_number", row)
        if qtype == "date" and dates is not None:
            dates.add(column, "unreadable", row, text)
        return text
    if isinstance(value, np.generic):  # numpy scalars and the like
        return cell_to_text(value.item(), qtype, column, row, tally, raw, serial_text_dates, dates)
    text, _ = normalise_text(str(value))
    return text

"""Dates as people type them: ISO, dd.mm.yyyy, dd/mm/yyyy (or mm/dd/yyyy) and Excel serials → ISO.

Only the answers of ``date`` questions are read this way (``docs/ingestion.md``, "Dates"):

* ``YYYY-MM-DD`` (ISO 8601) stays as it is; ``YYYY/MM/DD`` and ``YYYY.MM.DD`` are written with dashes;
* ``dd.mm.yyyy`` and ``dd-mm-yyyy`` (Russian- and Kyrgyz-locale Excel, most of Europe) are read
  **day-first** — no locale writes the month first with dots or dashes — unless the file declares
  ``dayfirst: false``;
* ``dd/mm/yyyy`` or ``mm/dd/yyyy``: the order is the file's ``dayfirst`` setting when declared;
  otherwise **what the file shows decides** (:func:`decide_order`): a first number above 12
  (``25/03/2025``) can only be a day, a second number above 12 (``03/25/2025``) only a day in
  second place. If the file's slash dates all point one way, that order is used for all of them;
  if they point both ways, or nowhere, each date whose two readings differ (``03/04/2025``) is
  **ambiguous**: it is left as written, and validation flags it (rule ``date_ambiguous``: a
  warning naming file, row, column and value; the cell is set aside, the row kept);
* a whole number from 10959 to 73415 (1930-01-01 … 2099-12-31) is an Excel date serial (ECMA-376
  Part 1, §18.17.4.1; the 1904 date system when the workbook uses it);
* a time of day after the date (``30.06.2025 14:30``, ``2025-06-30T14:30:00``) is dropped;
* anything else — two-digit years, impossible dates (``31.02.2025``), words — is left as written:
  validation warns (rule ``type_date``), empties the cell and keeps the row.

Nothing here drops a value silently: every conversion is counted in an ingestion notice
(:mod:`analysis.ingest.notices`), and every value left as written is reported by validation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["DateReading", "decide_order", "read_date", "is_ambiguous", "SERIAL_MIN", "SERIAL_MAX"]

SERIAL_MIN, SERIAL_MAX = 10959, 73415
"""Plausible Excel date serials: 1930-01-01 … 2099-12-31 (1900 date system)."""
_EPOCH_1900 = dt.date(1899, 12, 30)

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(rf"^(\d{{4}})-(\d{{2}})-(\d{{2}})({_TIME})$")
_YEAR_FIRST = re.compile(rf"^(\d{{4}})[./](\d{{1,2}})[./](\d{{1,2}})({_TIME})$")
_YEAR_LAST = re.compile(rf"^(\d{{1,2}})([./-])(\d{{1,2}})\2(\d{{4}})({_TIME})$")
_SERIAL = re.compile(r"^\d{5}$")
_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass(frozen=True)
class DateReading:
    """The result of reading one answer: ``text`` to store, and what happened.

    ``status`` is ``iso`` (already ISO, unchanged), ``converted`` (``fix`` names the conversion,
    a key of :data:`analysis.ingest.notices.FIXES`), ``ambiguous`` or ``unreadable`` (``text`` is
    the answer as written).
    """

    text: str
    status: str
    fix: str | None = None


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _slash_parts(text: str) -> tuple[int, int] | None:
    m = _YEAR_LAST.match(text)
    if m and m.group(2) == "/":
        return int(m.group(1)), int(m.group(3))
    return None


def decide_order(texts: Iterable[str], declared: bool | None) -> tuple[bool | None, str]:
    """The day-first rule for a file's ``dd/mm/yyyy``-like answers, and why (in English, for the notice).

    ``declared`` (the input's ``dayfirst``) wins. Otherwise: slash dates whose first number is above
    12 are evidence of day-first, those whose second number is above 12 of month-first; one kind of
    evidence decides, none or both leave the order undecided (``None``).
    """
    if declared is not None:
        return declared, "declared in the cohort file (dayfirst: " + ("true)" if declared else "false)")
    day = month = 0
    ex_day = ex_month = ""
    for t in texts:
        parts = _slash_parts(t)
        if parts is None:
            continue
        a, b = parts
        if a > 12 and b <= 12:
            day += 1
            ex_day = ex_day or t
        elif b > 12 and a <= 12:
            month += 1
            ex_month = ex_month or t
    if day and not month:
        return True, f"{day} date(s) such as {ex_day!r} can only be day-first"
    if month and not day:
        return False, f"{month} date(s) such as {ex_month!r} can only be month-first"
    if day and month:
        return None, (f"the file mixes day-first ({ex_day!r}) and month-first ({ex_month!r}) dates: "
                      "each date that reads both ways is ambiguous")
    return None, "no date in the file tells the order: each date that reads both ways is ambiguous"


def read_date(text: str, dayfirst: bool | None, date1904: bool = False, serials: bool = True) -> DateReading:
    """Read one answer of a date question (see the module docstring).

    Parameters
    ----------
    text
        The answer, already stripped.
    dayfirst
        The file's order for ``/`` dates (:func:`decide_order`); ``None`` = undecided. Dots and
        dashes are day-first unless ``dayfirst`` is False.
    date1904
        The workbook uses Excel's 1904 date system.
    serials
        Read 5-digit whole numbers as Excel date serials.
    """
    if not text:
        return DateReading(text, "iso")
    m = _ISO.match(text)
    if m:
        iso = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso is None:
            return DateReading(text, "unreadable")
        if m.group(4):
            return DateReading(iso, "converted", "date_time_dropped")
        return DateReading(text, "iso")
    m = _YEAR_FIRST.match(text)
    if m:
        iso = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return DateReading(iso, "converted", "iso_date") if iso else DateReading(text, "unreadable")
    m = _YEAR_LAST.match(text)
    if m:
        a, sep, b, y = int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))
        if sep == "/" and dayfirst is None:
            first, second = _iso(y, b, a), _iso(y, a, b)  # day-first, month-first readings
            if first and second and first != second:
                return DateReading(text, "ambiguous")
            iso = first or second
            if iso is None:
                return DateReading(text, "unreadable")
            return DateReading(iso, "converted", "dayfirst" if first else "monthfirst")
        day_first = dayfirst if dayfirst is not None else True
        iso = _iso(y, b, a) if day_first else _iso(y, a, b)
        if iso is None:
            return DateReading(text, "unreadable")
        return DateReading(iso, "converted", "dayfirst" if day_first else "monthfirst")
    if serials and _SERIAL.match(text):
        s = int(text) + (1462 if date1904 else 0)
        if SERIAL_MIN <= s <= SERIAL_MAX:
            return DateReading((_EPOCH_1900 + dt.timedelta(days=s)).isoformat(), "converted", "excel_serial")
    return DateReading(text, "unreadable")


def is_ambiguous(text: str) -> bool:
    """True for a ``a/b/yyyy`` answer whose day-first and month-first readings are two different real
    dates (what :func:`read_date` leaves as written when the order is undecided)."""
    m = _SLASH.match(text.strip()) if isinstance(text, str) else None
    if not m:
        return False
    a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    first, second = _iso(y, b, a), _iso(y, a, b)
    return bool(first and second and first != second)

"""Low-level readers: a CSV text or an XLSX sheet → :class:`~analysis.ingest.context.RawTable`.

CSV (RFC 4180 quoting): decoded by the encoding policy of :mod:`analysis.ingest.encoding`; the
delimiter declared or detected; every record must have as many fields as the header (a ragged
record means a truncated or broken file and names its row). Rows are numbered as a spreadsheet
shows them: one record = one row, the header is row 1.

XLSX (ECMA-376, read with openpyxl): the chosen sheet's cells as Python values (text, numbers,
datetimes); the conversion to text is done once, in :func:`~analysis.ingest.canonical.build_canonical`.
Two cell kinds are not plain data and get a stated rule:

* **merged cells** overlapping the header or data rows are an :class:`InputError`: a merged value
  stands for several rows (or columns) and assigning it to each of them would be a guess;
* **formula cells** are read as the value Excel cached when the file was last saved, and every such
  cell is reported in a notice; a formula with no cached value (a file written by a program, never
  opened in Excel) is kept as its formula text so that validation rejects it visibly.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from analysis.errors import InputError
from analysis.ingest.context import RawTable, ReadContext
from analysis.ingest.encoding import decode_bytes, delimiter_name, detect_delimiter

_DELIM_ALIASES = {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ",", "pipe": "|"}


def parse_delimiter(value: str | None, file: str) -> str | None:
    """Validate a declared delimiter (``;``, ``,``, ``tab``/``\\t``, ``|``)."""
    if value is None or value == "":
        return None
    d = _DELIM_ALIASES.get(value.lower(), value)
    if len(d) != 1 or d in "\"\r\n":
        raise InputError(file, f"declared delimiter {value!r} is not a single character",
                         fix="declare one of ; , tab |")
    return d


def read_csv_raw(ctx: ReadContext, encoding: str | None = None, delimiter: str | None = None,
                 expected_delimiter: str | None = None, skip_rows: int = 0) -> RawTable:
    """Read a CSV file into a raw table (header record after ``skip_rows`` records).

    Raises :class:`InputError` for an empty file, an undecodable text, a record with the wrong
    number of fields, or broken quoting; names the row.
    """
    data = ctx.path.read_bytes()
    if not data.strip() or data.strip() in (b"\xef\xbb\xbf",):
        raise ctx.error("the file is empty", fix="export the data again; the file has no header and no rows")
    dec = decode_bytes(data, ctx.display, encoding)
    ctx.info.update({"encoding": dec.encoding, "bom": dec.bom})
    if dec.fallback:
        multibyte = dec.encoding.lower().replace("_", "-").startswith(("utf-16", "utf-32"))
        ctx.note("encoding_fallback" if multibyte else "encoding_single_byte", encoding=dec.encoding)
    text = dec.text
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ctx.error(f"the text contains NUL characters (first on line {line}): a binary file, or UTF-16 "
                        "without a byte-order mark", fix="re-save it as 'CSV UTF-8', or declare encoding: "
                        "utf-16-le (or utf-16-be) for this file")
    if not text.strip():
        raise ctx.error("the file is empty", fix="export the data again; the file has no header and no rows")
    body = text
    if skip_rows:
        body = _drop_records(text, skip_rows)
    declared = parse_delimiter(delimiter, ctx.display)
    if declared:
        delim = declared
    else:
        delim = detect_delimiter(body, ctx.display)
        ctx.note("delimiter_detected", delimiter=delimiter_name(delim))
    if expected_delimiter and delim != expected_delimiter:
        ctx.note("delimiter_unusual", delimiter=delimiter_name(delim), expected=delimiter_name(expected_delimiter))
    ctx.info["delimiter"] = delim
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delim, quotechar='"',
                        doublequote=True, strict=True)
    header: list[str] | None = None
    rows: list[list[Any]] = []
    numbers: list[int] = []
    n = skip_rows
    try:
        for record in reader:
            n += 1
            if header is None:
                if not record or all(not c.strip() for c in record):
                    raise ctx.error("the header row is empty", row=n,
                                    fix="the first row must hold the column names")
                header = record
                continue
            if not record:  # a blank line
                rows.append([])
                numbers.append(n)
                continue
            if len(record) != len(header):
                more = "more" if len(record) > len(header) else "fewer"
                raise ctx.error(
                    f"the row has {len(record)} fields, {more} than the {len(header)} of the header "
                    f"(truncated or broken row; delimiter {delimiter_name(delim)})", row=n,
                    fix="re-export the file; if a text contains the delimiter it must be in double quotes")
            rows.append(record)
            numbers.append(n)
    except csv.Error as exc:
        raise ctx.error(f"broken CSV quoting ({exc}); the file may be truncated", row=n + 1,
                        fix="re-export the file; every double quote inside a field must be doubled") from None
    if header is None:
        raise ctx.error("the file is empty", fix="export the data again; the file has no header and no rows")
    while rows and not any(str(c).strip() for c in rows[-1]):  # trailing blank lines are not rows
        rows.pop()
        numbers.pop()
    return RawTable(header=list(header), rows=rows, row_numbers=numbers, header_row=skip_rows + 1)


def _drop_records(text: str, k: int) -> str:
    """Text after the first ``k`` CSV records (quotes respected)."""
    in_quotes, seen, i = False, 0, 0
    while i < len(text) and seen < k:
        ch = text[i]
        if ch == '"':
            in_quotes = not in_quotes
        elif ch == "\n" and not in_quotes:
            seen += 1
        i += 1
    return text[i:]


def _cell_ref(col: int, row: int) -> str:
    return f"{get_column_letter(col)}{row}"


def open_workbook(ctx: ReadContext, data_only: bool = False, read_only: bool = False):
    """Open an .xlsx with openpyxl; an unreadable file is an InputError (not a traceback)."""

    if ctx.path.stat().st_size == 0:
        raise ctx.error("the file is empty", fix="export the data again")
    try:
        return load_workbook(ctx.path, data_only=data_only, read_only=read_only)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ctx.error(f"not a readable .xlsx workbook ({type(exc).__name__})",
                        fix="save it from Excel as 'Excel Workbook (.xlsx)'; .xls and .csv need another "
                            "format") from None


def read_xlsx_raw(ctx: ReadContext, sheet: str | int | None = 0, header_row: int = 1,
                  first_data_row: int | None = None, wb: Any = None) -> RawTable:
    """Read one sheet of an .xlsx into a raw table (see the module docstring for merges and formulas).

    Parameters
    ----------
    sheet : sheet name, or 0-based index among the workbook's sheets (default: the first).
    header_row : 1-based row of the header.
    first_data_row : 1-based first data row (default: the row after the header).
    """
    wb = wb or open_workbook(ctx)
    ws = _pick_sheet(ctx, wb, sheet)
    ctx.info["sheet"] = ws.title
    first = first_data_row or header_row + 1
    if ws.max_row < header_row or (ws.max_row == 1 and ws.max_column == 1 and ws.cell(1, 1).value is None):
        raise ctx.error(f"sheet '{ws.title}' is empty", fix="put the data on the first sheet, header in row "
                        f"{header_row}")
    for rng in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        if rng.max_row >= header_row:
            raise ctx.error(
                f"merged cells {rng.coord} in the {'header' if rng.min_row <= header_row else 'data'} "
                f"area of sheet '{ws.title}'", row=rng.min_row,
                fix="unmerge them and type the value into every cell it applies to (a merged value "
                    "cannot be assigned to rows without guessing)")
    ncol = ws.max_column
    header = [ws.cell(header_row, c).value for c in range(1, ncol + 1)]
    while header and (header[-1] is None or str(header[-1]).strip() == ""):
        # a trailing column without header: keep only if it holds data (reported later)
        col = len(header)
        if any(ws.cell(r, col).value not in (None, "") for r in range(first, ws.max_row + 1)):
            break
        header.pop()
    width = len(header)
    rows: list[list[Any]] = []
    numbers: list[int] = []
    formulas: list[tuple[int, int, str]] = []
    for r_idx, row in enumerate(ws.iter_rows(min_row=first, max_row=ws.max_row, max_col=width),
                                start=first):
        values = []
        for c_idx, c in enumerate(row, start=1):
            v = c.value
            if c.data_type == "f" or (isinstance(v, str) and v.startswith("=") and c.data_type == "f"):
                formulas.append((r_idx, c_idx, str(v)))
            values.append(v)
        rows.append(values)
        numbers.append(r_idx)
    if formulas:
        cached_wb = open_workbook(ctx, data_only=True)
        cws = cached_wb[ws.title]
        shown = []
        for r_idx, c_idx, ftext in formulas:
            cached = cws.cell(r_idx, c_idx).value
            ref = _cell_ref(c_idx, r_idx)
            if cached is None:
                rows[r_idx - first][c_idx - 1] = ftext
                ctx.note("formula_no_value", row=r_idx, count=1,
                         column=str(header[c_idx - 1]) if c_idx - 1 < width else None, ref=ref, formula=ftext)
            else:
                rows[r_idx - first][c_idx - 1] = cached
                shown.append(ref)
                ctx.note("formula_cached", row=r_idx, count=1,
                         column=str(header[c_idx - 1]) if c_idx - 1 < width else None, ref=ref, formula=ftext,
                         value=repr(cached))
    while rows and all(v is None or (isinstance(v, str) and not v.strip()) for v in rows[-1]):
        rows.pop()
        numbers.pop()

    return RawTable(header=header, rows=rows, row_numbers=numbers, header_row=header_row,
                    date1904=getattr(wb, "epoch", None) == CALENDAR_MAC_1904)


def _pick_sheet(ctx: ReadContext, wb: Any, sheet: str | int | None):
    if sheet is None:
        sheet = 0
    if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit()):
        i = int(sheet)
        if i >= len(wb.worksheets):
            raise ctx.error(f"the workbook has no sheet number {i + 1}", fix="check the sheet setting")
        return wb.worksheets[i]
    if sheet not in wb.sheetnames:
        raise ctx.error(f"the workbook has no sheet '{sheet}' (sheets: {', '.join(wb.sheetnames)})",
                        fix="check the sheet setting")
    return wb[sheet]


def check_extension(ctx: ReadContext, allowed: tuple[str, ...]) -> str:
    """The file's extension (lower case) if it is one of ``allowed``; else an InputError."""
    ext = ctx.path.suffix.lower()
    if ext not in allowed:
        raise ctx.error(f"format '{ctx.fmt}' reads {' or '.join(allowed)} files, not '{ext or 'no extension'}'",
                        fix="declare the right format for the file, or export it again as "
                            + " / ".join(allowed))
    if not ctx.path.is_file():
        raise ctx.error("file not found", fix="check the path in the cohort file")
    return ext


def path_for_messages(path: Path, base_dir: Path | None) -> str:
    """The path as shown to users and stored in ``_source_file``: relative to ``base_dir`` if inside."""
    if base_dir is not None:
        try:
            return path.resolve().relative_to(Path(base_dir).resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()

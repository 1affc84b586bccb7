"""The statistical tables of a cohort as an Excel workbook, ``reports/COHORT/tables.LANG.xlsx`` (ky / ru / en).

For administrators and analysts who paste figures into their own tables. It follows the UK Government Analysis
Function's guidance "Releasing statistics in spreadsheets" (the rules ONS's ``gptables`` implements on
XlsxWriter), with XlsxWriter directly:

* a **cover sheet** (title, institution, cohort, survey timing, the synthetic-data warning of a synthetic cohort,
  how to read ``..``, ``[x]`` and ``[z]``, licence, contact), a **contents sheet** (one line per sheet, its name a
  hyperlink, and its title) and a **notes sheet** (numbered notes, referred to as ``[note N]`` in titles and column
  headings — ``[эскертүү N]``, ``[примечание N]`` in ky and ru: disclosure control, rounding, precision,
  intervals, weighting, sources, licence);
* **one table per sheet** (:func:`analysis.publish.release.plan`): each registry indicator with its domains
  stacked (a Breakdown column to filter on), each result family; each sheet has a title row naming the table,
  its unit and base, a description row, a line on the shorthand and the source, then the table as a real Excel
  table object (header row, filter buttons) with no blank rows or merged cells, frozen below its header;
* **numbers as numbers** at the report's precision (:func:`analysis.publish.release.shown`): shares as fractions
  with a percent format (0.640 shows 64.0%), counts as whole numbers, intervals in two columns; a suppressed
  value is the text ``..`` (HESA) with the rule in the row's Notes cell; ``[x]`` (not available) and ``[z]`` (not
  applicable) are the guidance's shorthand.

Every data row of every table sheet is one row of ``results/published.parquet``; nothing is computed or
suppressed here. The file is reproducible: the same published rows give the same bytes (fixed document date).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from analysis.core.i18n import t
from analysis.publish.release import (
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    Labeller,
    Table,
    cell,
    cover_lines,
    load_published,
    marker,
    note_label,
    note_numbers,
    note_texts,
    plan,
)

__all__ = ["DOCUMENT_DATE", "MAX_WIDTH", "sheet_names", "workbook_path", "write_workbook"]

DOCUMENT_DATE = datetime(2000, 1, 1)
"""The workbook's document date (file properties): fixed, so that the same rows give a byte-identical file;
the cover says which cohort and code version the tables are from."""
MAX_WIDTH = 70
"""Widest column (characters); longer labels wrap."""
_FORMATS = {"share": "0.0%", "KGS": "#,##0", "count": "#,##0", "months": "0.0", "percent_effect": "0.0",
            "chi2": "0.0"}
_INVALID_SHEET = re.compile(r"[\[\]:*?/\\]")


def workbook_path(cfg: Any, lang: str) -> Path:
    """``reports/COHORT/tables.LANG.xlsx``."""
    return cfg.paths.reports / f"tables.{lang}.xlsx"


def _number_format(unit: str, column: str) -> str:
    """Excel number format of a value column (the report's precision: :data:`analysis.publish.release.DIGITS`)."""
    if column in ("n", "N"):
        return "#,##0"
    if column == "p_value":
        return "0.000"
    if column == "time":
        return "0.0"
    if unit in _FORMATS:
        return _FORMATS[unit]
    return "0.00"


def sheet_names(tables: list[Table], lang: str) -> tuple[str, str, str, list[str]]:
    """Names of the cover, contents and notes sheets and of each table's sheet (``Table_1`` …) in ``lang``:
    at most 31 characters, unique, without the characters Excel forbids."""
    def clean(name: str) -> str:
        return _INVALID_SHEET.sub("_", name)[:31]

    names = [clean(t(k, lang)) for k in ("xl_sheet_cover", "xl_sheet_contents", "xl_sheet_notes")]
    names += [clean(t("xl_sheet_table", lang, n=i)) for i in range(1, len(tables) + 1)]
    if len({n.lower() for n in names}) != len(names):
        raise ValueError(f"sheet names of language {lang!r} are not unique: {names}")
    return names[0], names[1], names[2], names[3:]


class _Book:
    """The workbook being written: formats and the column-width bookkeeping."""

    def __init__(self, path: Path, lang: str, title: str, author: str):
        self.wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                                  "strings_to_urls": False, "nan_inf_to_errors": False})
        self.wb.set_properties({"title": title, "author": author, "company": author, "created": DOCUMENT_DATE,
                                "comments": "UK Government Analysis Function spreadsheet guidance"})
        self.lang = lang
        add = self.wb.add_format
        self.title = add({"bold": True, "font_size": 15})
        self.heading = add({"bold": True, "font_size": 12})
        self.text = add({"text_wrap": False})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.header = add({"bold": True, "text_wrap": True, "valign": "bottom", "bottom": 1})
        self.cell_text = add({"valign": "top", "text_wrap": True})
        self.symbol = add({"align": "right", "valign": "top"})
        self.link = add({"font_color": "#0000FF", "underline": 1, "valign": "top"})
        self.warning = add({"bold": True, "font_color": "#9C0006"})
        self._numbers: dict[str, Any] = {}

    def number(self, fmt: str):
        if fmt not in self._numbers:
            self._numbers[fmt] = self.wb.add_format({"num_format": fmt, "valign": "top"})
        return self._numbers[fmt]


def _width(values: list[Any], header: str) -> int:
    longest = max((len(str(v)) if not isinstance(v, float) else 8 for v in values), default=4)
    words = max((len(w) for w in header.split()), default=4)
    return int(min(MAX_WIDTH, max(longest, words, 6) + 2))


def _write_table(book: _Book, ws: Worksheet, top: int, name: str, headers: list[str],
                 rows: list[list[tuple[Any, Any]]]) -> None:
    """An Excel table object at row ``top``: ``headers`` and ``rows`` of ``(value, format)`` cells; text columns
    wrap, numbers keep their format; frozen below the header."""
    last = top + max(len(rows), 1)
    ws.add_table(top, 0, last, len(headers) - 1,
                 {"name": name, "style": "Table Style Light 1", "autofilter": True,
                  "columns": [{"header": h, "header_format": book.header} for h in headers]})
    for i, row in enumerate(rows, start=top + 1):
        for j, (value, fmt) in enumerate(row):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(i, j, value, fmt)
            else:
                ws.write_string(i, j, str(value), fmt)
    for j, h in enumerate(headers):
        ws.set_column(j, j, _width([r[j][0] for r in rows], h))
    ws.freeze_panes(top + 1, 0)


def _dim_header(lab: Labeller, table: Table, dim: str) -> str:
    return lab.text(table.spec.headers.get(dim, f"out_col_{dim}"))


def _value_header(lab: Labeller, table: Table, column: str, conf: int) -> str:
    units = table.units
    unit = lab.unit(units[0]) if len(units) == 1 else ""
    if column == "n":
        return f"{lab.text('out_col_n')} {marker('rounding', lab.lang)}"
    if column == "N":
        return f"{lab.text('out_col_N')} {marker('rounding', lab.lang)}"
    if column == "estimate":
        head = lab.text("out_col_estimate_unit", unit=unit) if unit else lab.text("out_col_estimate")
        return f"{head} {marker('suppression', lab.lang)}"
    if column in ("ci_low", "ci_high"):
        return f"{lab.text(f'out_col_{column}', conf=conf)} {marker('intervals', lab.lang)}"
    if column == "unweighted":
        return f"{lab.text('out_col_unweighted')} {marker('weights', lab.lang)}"
    if column == "p_value":
        return f"{lab.text('out_col_p_value')} {marker('precision', lab.lang)}"
    raise ValueError(f"unknown value column {column!r}")


def _title(lab: Labeller, table: Table, number: int) -> str:
    spec = table.spec
    units = table.units
    unit = lab.unit(units[0]) if len(units) == 1 else lab.text("out_unit_mixed")
    base = lab.base(spec)
    refs = " ".join(marker(n, lab.lang) for n in spec.notes if n not in ("suppression", "rounding"))
    text = lab.text("xl_title", table=lab.text("xl_table_label", n=number), title=lab.title(spec), unit=unit)
    if base:
        text += "; " + lab.text("xl_base", base=base.rstrip("."))
    return f"{text} {refs}".strip()


def _table_sheet(book: _Book, ws: Worksheet, lab: Labeller, table: Table, number: int, cfg: Any) -> None:
    spec = table.spec
    conf = int(round(100 * float(cfg.confidence)))
    lines = [(_title(lab, table, number), book.title), (lab.description(spec), book.text),
             (lab.text("xl_sheet_line", symbol="..", x=NOT_AVAILABLE, z=NOT_APPLICABLE,
                       note=marker("suppression", lab.lang), shorthand=marker("shorthand", lab.lang)), book.text),
             (lab.text("xl_source_benchmarks" if spec.kind == "context" else "xl_source", cohort=cfg.cohort,
                       note=marker("sources", lab.lang)), book.text)]
    if cfg.synthetic:
        lines.append((lab.text("xl_synthetic"), book.warning))
    for i, (text, fmt) in enumerate(lines):
        ws.write_string(i, 0, text, fmt)
    headers = [_dim_header(lab, table, d) for d in spec.dims]
    headers += [_value_header(lab, table, c, conf) for c in spec.values]
    headers.append(lab.text("out_col_notes"))
    rows = []
    for _, r in table.rows.iterrows():
        out = []
        for d in spec.dims:
            v = lab.dim(r, d)
            out.append((v, book.number("0.0") if isinstance(v, float) else
                        book.symbol if v in (NOT_APPLICABLE, NOT_AVAILABLE) else book.cell_text))
        for c in spec.values:
            v = cell(r, c)
            out.append((v, book.symbol if isinstance(v, str) else book.number(_number_format(str(r["unit"]), c))))
        out.append((lab.note(r), book.cell_text))
        rows.append(out)
    _write_table(book, ws, len(lines), "t_" + re.sub(r"\W", "_", spec.key), headers, rows)


def _manifest_version(cfg: Any) -> str:
    p = cfg.paths.processed / "manifest.json"
    try:
        return str(json.loads(p.read_text(encoding="utf-8")).get("code_version", ""))
    except (OSError, ValueError):
        return ""


def write_workbook(cfg: Any, lang: str, path: Path | None = None, published: pd.DataFrame | None = None) -> Path:
    """Write the cohort's tables to an Excel workbook in ``lang`` and return its path.

    Parameters
    ----------
    cfg
        The cohort (:class:`analysis.core.config.CohortConfig`): name, year, timing, inputs, disclosure and
        interval parameters, ``licence``, ``contact``, ``synthetic``.
    lang
        ``ky``, ``ru`` or ``en``: every word of the workbook (the message catalogue, the registry, the
        questionnaires' labels).
    path
        Where to write (default ``reports/COHORT/tables.LANG.xlsx``).
    published
        The published results table (default: the cohort's ``results/published.parquet``).

    Returns
    -------
    pathlib.Path
        The workbook; written to a temporary name first, so a failed run leaves no half-written file.
    """
    published = load_published(cfg) if published is None else published
    path = Path(path) if path is not None else workbook_path(cfg, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    tables = plan(published)
    lab = Labeller(lang, int(cfg.disclosure_min_n), cfg.project_root or None)
    cover, contents, notes, names = sheet_names(tables, lang)
    tmp = path.with_name(path.name + ".part")
    title = t("xl_cover_title", lang, cohort=cfg.cohort)
    book = _Book(tmp, lang, title, t("out_institution", lang))

    ws = book.wb.add_worksheet(cover)
    ws.set_column(0, 0, 110)
    row = 0
    for text, fmt in [(title, book.title), (t("xl_cover_intro", lang, n=len(tables)), book.wrap)]:
        ws.write_string(row, 0, text, fmt)
        row += 1
    if cfg.synthetic:
        ws.write_string(row, 0, t("xl_synthetic", lang), book.warning)
        row += 1
    for heading, text in cover_lines(cfg, lang):
        ws.write_string(row, 0, heading, book.heading)
        ws.write_string(row + 1, 0, text, book.wrap)
        row += 2
    version = _manifest_version(cfg)
    if version:
        ws.write_string(row, 0, t("xl_cover_version", lang, version=version), book.wrap)
        row += 1
    ws.write_url(row, 0, f"internal:'{contents}'!A1", book.link, t("xl_cover_contents_link", lang))

    ws = book.wb.add_worksheet(contents)
    ws.write_string(0, 0, t("xl_contents_title", lang), book.title)
    ws.write_string(1, 0, t("xl_contents_line", lang), book.text)
    items = [(notes, t("xl_notes_title", lang))] + [
        (name, lab.title(tb.spec)) for name, tb in zip(names, tables)]
    _write_table(book, ws, 2, "t_contents", [t("xl_col_sheet", lang), t("xl_col_table_title", lang)],
                 [[("", book.link), (title_, book.cell_text)] for _, title_ in items])
    for i, (name, _) in enumerate(items, start=3):  # the sheet names as hyperlinks, inside the table
        ws.write_url(i, 0, f"internal:'{name}'!A1", book.link, name)

    ws = book.wb.add_worksheet(notes)
    ws.write_string(0, 0, t("xl_notes_title", lang), book.title)
    ws.write_string(1, 0, t("xl_notes_line", lang, example=marker("suppression", lang)), book.text)
    numbers = note_numbers()
    _write_table(book, ws, 2, "t_notes", [t("xl_col_note_number", lang), t("xl_col_note_text", lang)],
                 [[(note_label(numbers[k], lang), book.cell_text), (text, book.cell_text)]
                  for k, text in note_texts(cfg, lang)])

    for number, (name, table) in enumerate(zip(names, tables), start=1):
        _table_sheet(book, book.wb.add_worksheet(name), lab, table, number, cfg)
    book.wb.close()
    tmp.replace(path)
    return path

"""The data-entry workbook of one XLSForm: written for keying in paper and phone answers, its values read back.

One job: the entry workbook's format, both ways. :func:`entry_workbook` writes an Excel workbook with
dropdowns, ranges and messages taken from the XLSForm (texts ``entry_*`` of
``definitions/messages/questionnaire.yaml``); the ingestion step reads it (format ``entry_xlsx``,
:mod:`analysis.ingest.workbook`) and maps the keyed values to codes with :func:`entry_value_to_code`.

Layout (also written to its hidden ``_meta`` sheet, which readers should use): sheet ``data``; row 1 =
column names (XLSForm names, plus ``mode`` and ``entered_by``); row 2 = the question text in the
workbook's language; data from row 3. Single-choice cells hold ``"code – label"`` (the dropdown's text;
the code before the en dash is what counts) — a bare code or a label in any of the three languages is
accepted too. A multiple-choice question gets one column per option, named ``question/code`` (the
KoboToolbox export convention), holding ``1`` (ticked) or ``0``. Standard: Excel data validation as
read by Excel and LibreOffice (no formulas).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from analysis.core.i18n import LANGS, check_lang, messages
from analysis.core.i18n import t as message
from analysis.instruments.constraints import date_lower_bound, numeric_range, regex_length, regex_pattern
from analysis.instruments.expressions import Node
from analysis.instruments.relevance import describe_relevant, number_text, parse_relevant_or_none, question_numbers
from analysis.instruments.xlsform import Instrument, Question, normalise_label

__all__ = [
    "ENTRY_HEADER_ROW",
    "ENTRY_LABEL_ROW",
    "ENTRY_FIRST_DATA_ROW",
    "ENTRY_MODES",
    "CHOICE_SEP",
    "entry_workbook",
    "entry_value_to_code",
]

ENTRY_HEADER_ROW = 1
ENTRY_LABEL_ROW = 2
ENTRY_FIRST_DATA_ROW = 3
CHOICE_SEP = " – "  # en dash between code and label in dropdown values
#: the collection modes keyed in with the workbook (its ``mode`` column; labels ``entry_paper``, ``entry_phone``)
ENTRY_MODES = ("paper", "phone")
_DATA_SHEET = "data"


def _entry_choice_text(inst: Instrument, code: str, label: str) -> str:
    n_label, n_code = normalise_label(label), normalise_label(code)
    if not label or n_label == n_code or n_label.startswith(n_code + " "):
        return label or code
    return f"{code}{CHOICE_SEP}{label}"


@dataclass(frozen=True)
class _Column:
    """One column of the data sheet: its header, the question (and option) it keys, the label row's text."""

    name: str           # header (row 1)
    question: str | None
    option: str | None  # select_multiple option code
    label: str          # row 2


def _entry_columns(inst: Instrument, lang: str) -> list[_Column]:
    ui = messages("entry_", lang)
    cols: list[_Column] = []
    if inst.name != "registry":
        cols.append(_Column("mode", None, None, ui["mode"]))
    cols.append(_Column("entered_by", None, None, ui["entered_by"]))
    for number, q in enumerate(inst.data_questions, start=1):
        label = f"{number}. {inst.label(q.name, lang)}"
        if q.type == "select_multiple":
            for c in inst.choices[q.list_name]:
                cols.append(_Column(f"{q.name}/{c.name}", q.name, c.name,
                                    f"{label}: {inst.choice_label(q.list_name, c.name, lang)}"))
        else:
            cols.append(_Column(q.name, q.name, None, label))
    return cols


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def entry_workbook(inst: Instrument, lang: str = "ky", path: Path | str | None = None,
                   max_rows: int = 2000) -> Path:
    """Write a data-entry workbook for keying in paper and phone answers of ``inst``.

    Columns: ``mode`` (paper/phone; not for the registry), ``entered_by``, then one column per data
    question in form order (a multiple-choice question: one 0/1 column per option, ``q/code``).
    Row 1 = names, row 2 = question number (as in :func:`questionnaire_html`) and text in ``lang``,
    data from row 3 (see the module docstring and
    the hidden ``_meta`` sheet). Excel data validation: dropdowns for choices (``"code – label"``),
    whole-number / decimal ranges and date checks from the XLSForm constraints, text length from
    simple ``regex()`` constraints; input messages from hints and skip logic; error messages from
    constraint messages. No formulas. Opens in Excel and LibreOffice.

    Parameters
    ----------
    inst : the instrument (:func:`analysis.instruments.xlsform.load_instrument`).
    lang : language of labels and messages (``ky``, ``ru``, ``en``).
    path : output ``.xlsx`` (default ``<name>_entry.<lang>.xlsx`` in the current folder).
    max_rows : number of data rows that carry validation.

    Returns
    -------
    Path of the written workbook.
    """
    check_lang(lang)
    ui = messages("entry_", lang)
    out = Path(path) if path else Path(f"{inst.name}_entry.{lang}.xlsx")
    numbers = question_numbers(inst)

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = _DATA_SHEET
    lists_ws = wb.create_sheet("_lists")
    meta_ws = wb.create_sheet("_meta")

    # choice lists used by single-choice columns
    list_ranges: dict[str, str] = {}
    list_col = 0
    used_lists = [q.list_name for q in inst.data_questions if q.type == "select_one"]
    extra = {"mode": [(m, ui[m]) for m in ENTRY_MODES]}
    for list_name in list(dict.fromkeys(used_lists)) + ["mode"]:
        list_col += 1
        letter = get_column_letter(list_col)
        lists_ws.cell(row=1, column=list_col, value=list_name)
        items = ([(c.name, inst.choice_label(list_name, c.name, lang)) for c in inst.choices[list_name]]
                 if list_name != "mode" else extra["mode"])
        for r, (code, label) in enumerate(items, start=2):
            lists_ws.cell(row=r, column=list_col, value=_entry_choice_text(inst, code, label))
        list_ranges[list_name] = f"'_lists'!${letter}$2:${letter}${len(items) + 1}"
        lists_ws.column_dimensions[letter].width = 40

    head_font = Font(bold=True, color="1F3864")
    head_fill = PatternFill("solid", fgColor="D9E1F2")
    label_fill = PatternFill("solid", fgColor="F2F2F2")
    thin = Side(style="thin", color="A6A6A6")
    last_row = ENTRY_FIRST_DATA_ROW + max_rows - 1
    cols = _entry_columns(inst, lang)
    first_question_col = None

    for j, col in enumerate(cols, start=1):
        letter = get_column_letter(j)
        h = ws.cell(row=ENTRY_HEADER_ROW, column=j, value=col.name)
        h.font, h.fill = head_font, head_fill
        h.border = Border(bottom=thin)
        lab = ws.cell(row=ENTRY_LABEL_ROW, column=j, value=col.label)
        lab.alignment = Alignment(wrap_text=True, vertical="top")
        lab.fill = label_fill
        lab.font = Font(size=9)
        rng = f"{letter}{ENTRY_FIRST_DATA_ROW}:{letter}{last_row}"
        width = 16
        dv = None
        q = inst.question(col.question) if col.question else None
        if q is not None and first_question_col is None:
            first_question_col = j
        # input message: hint + skip instruction
        prompt_parts = []
        if q is not None:
            if q.hints:
                prompt_parts.append(inst.hint(q.name, lang))
            rel = q.relevant
            if rel:
                cond = describe_relevant(inst, parse_relevant_or_none(rel) or Node("str", rel), lang, numbers)
                prompt_parts.append(message("skip_only_if", lang, c=cond))
        if col.name == "mode":
            dv = DataValidation(type="list", formula1=list_ranges["mode"], allow_blank=True)
            dv.error = ui["bad_choice"]
            width = 22
        elif col.name == "entered_by":
            width = 18
        elif col.option is not None:
            dv = DataValidation(type="list", formula1='"1,0"', allow_blank=True)
            dv.error = ui["ticked"]
            prompt_parts.insert(0, ui["ticked"])
            width = 14
        elif q.type == "select_one":
            dv = DataValidation(type="list", formula1=list_ranges[q.list_name], allow_blank=True)
            dv.error = _clip(_pick_msg(q, lang) or ui["bad_choice"], 255)
            longest = max(len(_entry_choice_text(inst, c.name, inst.choice_label(q.list_name, c.name, lang)))
                          for c in inst.choices[q.list_name])
            width = max(14, min(45, longest + 2))
        elif q.type in ("integer", "decimal"):
            lo, hi = numeric_range(q.constraint)
            kind = "whole" if q.type == "integer" else "decimal"
            if lo is not None and hi is not None:
                dv = DataValidation(type=kind, operator="between", formula1=number_text(lo), formula2=number_text(hi),
                                    allow_blank=True)
                rng_txt = ui["range"].format(a=number_text(lo), b=number_text(hi))
            elif lo is not None:
                dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=number_text(lo),
                                    allow_blank=True)
                rng_txt = f"≥ {number_text(lo)}"
            elif hi is not None:
                dv = DataValidation(type=kind, operator="lessThanOrEqual", formula1=number_text(hi), allow_blank=True)
                rng_txt = f"≤ {number_text(hi)}"
            else:
                dv = DataValidation(type=kind, operator="between", formula1="-999999999", formula2="999999999",
                                    allow_blank=True)
                rng_txt = ""
            base = ui["bad_int" if q.type == "integer" else "bad_dec"]
            dv.error = _clip(_pick_msg(q, lang) or (f"{base}: {rng_txt}" if rng_txt else base), 255)
            prompt_parts.insert(0, rng_txt)
            width = 12
        elif q.type == "date":
            lo_date = date_lower_bound(q.constraint) or _dt.date(1900, 1, 1)
            dv = DataValidation(type="date", operator="between",
                                formula1=str((lo_date - _dt.date(1899, 12, 30)).days),
                                formula2=str((_dt.date(2100, 12, 31) - _dt.date(1899, 12, 30)).days),
                                allow_blank=True)
            dv.error = _clip(" ".join(x for x in (_pick_msg(q, lang), ui["bad_date"]) if x), 255)
            prompt_parts.insert(0, ui["date_format"])
            width = 13
        elif q.type == "text":
            pattern = regex_pattern(q.constraint)
            bounds = regex_length(pattern) if pattern is not None else None
            if bounds:
                lo_len, hi_len = bounds
                if lo_len == hi_len:
                    dv = DataValidation(type="textLength", operator="equal", formula1=str(lo_len), allow_blank=True)
                else:
                    dv = DataValidation(type="textLength", operator="between", formula1=str(lo_len),
                                        formula2=str(hi_len), allow_blank=True)
                dv.error = _clip(_pick_msg(q, lang) or ui["bad_len"], 255)
            width = 30 if q.appearance == "multiline" else 22
        if dv is not None:
            dv.showErrorMessage = True
            dv.errorStyle = "stop"
            dv.errorTitle = _clip(col.name, 32)
            prompt = _clip(" ".join(p for p in prompt_parts if p), 255)
            if prompt:
                dv.showInputMessage = True
                dv.promptTitle = _clip(col.name, 32)
                dv.prompt = prompt
            ws.add_data_validation(dv)
            dv.add(rng)
        elif prompt_parts:
            dv = DataValidation(type=None, allow_blank=True)
            dv.showInputMessage = True
            dv.promptTitle = _clip(col.name, 32)
            dv.prompt = _clip(" ".join(p for p in prompt_parts if p), 255)
            ws.add_data_validation(dv)
            dv.add(rng)
        ws.column_dimensions[letter].width = width
        # cell formats for the data rows (text stays text, dates show as ISO)
        fmt = None
        if q is not None and q.type == "text":
            fmt = "@"
        elif q is not None and q.type == "date" and col.option is None:
            fmt = "yyyy-mm-dd"
        if fmt:
            for r in range(ENTRY_FIRST_DATA_ROW, last_row + 1):
                ws.cell(row=r, column=j).number_format = fmt

    ws.row_dimensions[ENTRY_LABEL_ROW].height = 90
    freeze_col = get_column_letter((first_question_col or 1) + 1)
    ws.freeze_panes = f"{freeze_col}{ENTRY_FIRST_DATA_ROW}"

    meta = [
        ("key", "value"),
        ("instrument", inst.name),
        ("form_id", inst.form_id),
        ("version", inst.version),
        ("lang", lang),
        ("data_sheet", _DATA_SHEET),
        ("header_row", ENTRY_HEADER_ROW),
        ("label_row", ENTRY_LABEL_ROW),
        ("first_data_row", ENTRY_FIRST_DATA_ROW),
        ("max_rows", max_rows),
        ("choice_format", f"code{CHOICE_SEP}label (the code before the en dash counts; a bare code or a "
                          "label in ky/ru/en is accepted)"),
        ("select_multiple_format", "one column per option named question/code; 1 = ticked, 0 = not ticked, "
                                   "empty = not answered"),
        ("extra_columns", "mode entered_by" if inst.name != "registry" else "entered_by"),
        ("mode_values", " ".join(ENTRY_MODES)),
        ("reader", "tracer ingest FILE -i INSTRUMENT -f entry_xlsx (analysis.ingest.read_input)"),
    ]
    for row in meta:
        meta_ws.append(list(row))
    meta_ws.column_dimensions["A"].width = 24
    meta_ws.column_dimensions["B"].width = 90
    lists_ws.sheet_state = "hidden"
    meta_ws.sheet_state = "hidden"
    wb.active = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out



def _pick_msg(q: Question, lang: str) -> str:
    msgs = q.constraint_messages
    return msgs.get(lang) or next((msgs[x] for x in LANGS if msgs.get(x)), "")




def _scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value != value:
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    return " ".join(str(value).split())


def _one_code(inst: Instrument, q: Question, text: str) -> str:
    mapping = inst.label_to_code(q.name)
    key = normalise_label(text)
    if key in mapping:
        return mapping[key]
    for sep in (CHOICE_SEP, " - ", " — "):
        if sep in text:
            code = text.split(sep, 1)[0].strip()
            if code in inst.choice_codes(q.name):
                return code
    raise ValueError(f"'{text}' is not a choice of '{q.name}' (list '{q.list_name}')")


def entry_value_to_code(inst: Instrument, question: str | Question, value: Any) -> str:
    """The canonical string of a keyed-in ``value`` of ``question``: choice code(s), ISO date, number.

    Single choice: ``"code – label"``, a bare code or a label in ky/ru/en → the code. Multiple
    choice: codes or labels separated by ``;`` (or codes separated by spaces) → space-separated codes
    in form order. Dates → ``YYYY-MM-DD``; Excel numbers → ``"12"`` / ``"3.5"``; text stripped.
    Empty → ``""``. Raises ``ValueError`` for a choice that matches no code or label.
    """
    q = question if isinstance(question, Question) else inst.question(question)
    text = _scalar_text(value)
    if text == "":
        return ""
    if q.type == "select_one":
        return _one_code(inst, q, text)
    if q.type == "select_multiple":
        try:
            items = [_one_code(inst, q, text)]
        except ValueError:
            parts = [p for p in re.split(r"\s*;\s*", text) if p] if ";" in text else text.split()
            items = [_one_code(inst, q, p) for p in parts]
        order = inst.choice_codes(q.name)
        chosen = set(items)
        return " ".join(c for c in order if c in chosen)
    if q.type == "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]00:00(:00)?", text):
        return text[:10]
    return text

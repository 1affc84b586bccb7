"""Paper, phone and keyed-entry versions of one XLSForm (one definition for every collection mode).

* :func:`entry_workbook` — an Excel workbook for keying in paper and phone answers, with dropdowns,
  ranges and messages taken from the XLSForm. It is read back by the ingestion step (format
  ``entry_xlsx``, :mod:`analysis.ingest.workbook`), which maps the keyed values to codes with
  :func:`entry_value_to_code`.
* :func:`questionnaire_html` — a printable paper questionnaire or a telephone-interview script,
  with the skip logic (XLSForm ``relevant``) written out as instructions.
* :func:`parse_relevant` / :func:`evaluate_relevant` — the subset of ODK XPath used in ``relevant``
  (``${q} = 'v'``, ``!=``, ``<``/``>``, ``and``/``or``/``not()``, ``selected()``, ``string-length()``,
  ``coalesce()``), read by the project's one parser (:mod:`analysis.instruments.expressions`) and evaluated on
  its tree with three-valued logic (``None`` = unknown); :func:`describe_relevant` writes the same
  tree out in words.

Layout of the entry workbook (also written to its hidden ``_meta`` sheet, which readers should use):
sheet ``data``; row 1 = column names (XLSForm names, plus ``mode`` and ``entered_by``); row 2 = the
question text in the workbook's language; data from row 3. Single-choice cells hold
``"code – label"`` (the dropdown's text; the code before the en dash is what counts) — a bare code or a
label in any of the three languages is accepted too. A multiple-choice question gets one column per
option, named ``question/code`` (the KoboToolbox export convention), holding ``1`` (ticked) or ``0``.
"""

from __future__ import annotations

import datetime as _dt
import html as _html
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from analysis.core.i18n import LANGS
from analysis.errors import ConfigError
from analysis.instruments.expressions import (
    ARITHMETIC,
    COMPARISON,
    ExpressionError,
    Node,
    chain,
    self_regex,
    split_bounds,
)
from analysis.instruments.expressions import parse as parse_expression
from analysis.instruments.xlsform import Instrument, Question, normalise_label

__all__ = [
    "ENTRY_HEADER_ROW",
    "ENTRY_LABEL_ROW",
    "ENTRY_FIRST_DATA_ROW",
    "CHOICE_SEP",
    "entry_workbook",
    "entry_value_to_code",
    "questionnaire_html",
    "parse_relevant",
    "evaluate_relevant",
    "describe_relevant",
]

ENTRY_HEADER_ROW = 1
ENTRY_LABEL_ROW = 2
ENTRY_FIRST_DATA_ROW = 3
CHOICE_SEP = " – "  # en dash between code and label in dropdown values
MODES = ("paper", "phone")
_DATA_SHEET = "data"

# ============================================================================ relevance (XPath subset)


class RelevantSyntaxError(ExpressionError):
    """An expression outside the supported XPath subset."""


def parse_relevant(expr: str) -> Node:
    """Parse an XLSForm ``relevant`` expression into the shared syntax tree
    (:func:`analysis.instruments.expressions.parse`; any function name is read, :func:`evaluate_relevant`
    rejects the ones it does not know).

    Raises :class:`RelevantSyntaxError` (a ``ValueError``) outside the supported subset.
    """
    try:
        return parse_expression(expr)
    except ExpressionError as exc:
        raise RelevantSyntaxError(str(exc)) from None


_UNKNOWN = None


def _num(v: Any) -> float:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v).strip())
    except ValueError:
        return float("nan")


def _arith(op: str, x: float, y: float) -> float:
    """XPath 1.0 §3.5 arithmetic on IEEE 754 doubles (``div`` by 0 gives ±Infinity or NaN,
    ``mod`` is the remainder of a truncating division)."""
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "div":
        if y == 0:
            return float("nan") if x == 0 or x != x else math.copysign(math.inf, x) * math.copysign(1.0, y)
        return x / y
    try:
        return math.fmod(x, y)
    except ValueError:  # x infinite or y zero
        return float("nan")


def _eval(node: Node, values: dict[str, Any]) -> Any:
    kind = node.kind
    if kind == "binop":
        op = node.value
        if op == "or":
            res: Any = False
            for part in node.args:
                v = _eval(part, values)
                if v is True:
                    return True
                if v is None:
                    res = None
            return res
        if op == "and":
            res = True
            for part in node.args:
                v = _eval(part, values)
                if v is False:
                    return False
                if v is None:
                    res = None
            return res
        a, b = _eval(node.args[0], values), _eval(node.args[1], values)
        if a is None or b is None:
            return None
        if op in ARITHMETIC:
            return _arith(op, _num(a), _num(b))
        if op in ("=", "!="):
            if isinstance(a, float) or isinstance(b, float):
                x, y = _num(a), _num(b)
                eq = x == y
            else:
                eq = str(a) == str(b)
            return eq if op == "=" else not eq
        x, y = _num(a), _num(b)
        if x != x or y != y:
            return False
        return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]
    if kind == "field":
        v = values.get(node.value, _UNKNOWN)
        return None if v is None else ("" if v != v else v)  # NaN -> ""
    if kind == "str":
        return node.value
    if kind == "num":
        return float(node.value)
    if kind == "self":
        return values.get(".", None)
    if kind == "bool":
        return node.value == "true"
    if kind == "not":
        v = _eval(node.args[0], values)
        return None if v is None else not _truthy(v)
    if kind == "call":
        name, args = node.value, node.args
        if name == "selected":
            a, b = _eval(args[0], values), _eval(args[1], values)
            if a is None or b is None:
                return None
            return str(b) in str(a).split()
        if name == "count-selected":
            a = _eval(args[0], values)
            return None if a is None else float(len(str(a).split()))
        if name == "string-length":
            a = _eval(args[0], values)
            return None if a is None else float(len(str(a)))
        if name == "coalesce":
            a = _eval(args[0], values)
            if a is None:
                return None
            return a if str(a) != "" else _eval(args[1], values)
        if name == "number":
            a = _eval(args[0], values)
            return None if a is None else _num(a)
        if name == "boolean":
            a = _eval(args[0], values)
            return None if a is None else _truthy(a)
        raise RelevantSyntaxError(f"function '{name}()' is not supported")
    raise RelevantSyntaxError(f"cannot evaluate node {kind}")  # pragma: no cover - every kind is handled


def _truthy(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        return v == v and v != 0
    return str(v) != ""


def evaluate_relevant(expr: str | Node | None, values: dict[str, Any]) -> bool | None:
    """Evaluate a ``relevant`` expression on answers ``values`` ({name: code string}).

    ODK semantics (XPath 1.0 as used by XLSForm): answers are strings, ``""`` = not answered;
    ``<``/``>`` compare numbers (an empty answer compares false). A name missing from ``values``
    (or ``None``) is *unknown*, and the result is ``None`` when it depends on an unknown (Kleene
    three-valued logic). ``None``/empty ``expr`` means always relevant. ``expr`` may be the text or
    its tree from :func:`parse_relevant`. The paper questionnaire's skip instructions
    (:func:`questionnaire_html`) are computed with it.

    Raises :class:`RelevantSyntaxError` for text outside the supported subset or an unsupported
    function.
    """
    if expr is None or (isinstance(expr, str) and not expr.strip()):
        return True
    v = _eval(parse_relevant(expr) if isinstance(expr, str) else expr, values)
    return None if v is None else _truthy(v)


# ============================================================================ text of the skip logic
_SKIP = {
    "ky": {
        "eq": "{q}-суроонун жообу «{v}»", "ne": "{q}-суроонун жообу «{v}» эмес",
        "one_of": "{q}-суроонун жообу {vs}", "blank": "{q}-суроо жоопсуз калган",
        "filled": "{q}-суроого жооп берилген", "num": "{q}-суроонун жообу {op} {x}",
        "selected": "{q}-суроодо «{v}» белгиленген", "and": " жана ", "or": " же ", "not": "{x} эмес",
        "only_if": "Эгер {c} болсо гана жооп бериңиз.",
        "section_only_if": "Бул бөлүмгө эгер {c} болсо гана жооп бериңиз.",
        "ask_only_if": "Эгер {c} болсо гана сураңыз.",
        "section_ask_only_if": "Бул бөлүмдү эгер {c} болсо гана сураңыз.",
        "goto": "→ {n}-суроого өтүңүз", "goto_end": "→ сурамжылоо бүттү",
    },
    "ru": {
        "eq": "в вопросе {q} ответ «{v}»", "ne": "в вопросе {q} ответ не «{v}»",
        "one_of": "в вопросе {q} ответ {vs}", "blank": "вопрос {q} оставлен без ответа",
        "filled": "на вопрос {q} дан ответ", "num": "в вопросе {q} ответ {op} {x}",
        "selected": "в вопросе {q} отмечено «{v}»", "and": " и ", "or": " или ", "not": "неверно, что {x}",
        "only_if": "Отвечайте, только если {c}.", "section_only_if": "Отвечайте на этот раздел, только если {c}.",
        "ask_only_if": "Задавайте, только если {c}.", "section_ask_only_if": "Задавайте этот раздел, только если {c}.",
        "goto": "→ перейдите к вопросу {n}", "goto_end": "→ конец опроса",
    },
    "en": {
        "eq": "the answer to Q{q} is “{v}”", "ne": "the answer to Q{q} is not “{v}”",
        "one_of": "the answer to Q{q} is {vs}", "blank": "Q{q} was left blank",
        "filled": "Q{q} was answered", "num": "the answer to Q{q} is {op} {x}",
        "selected": "“{v}” is ticked in Q{q}", "and": " and ", "or": " or ", "not": "not ({x})",
        "only_if": "Answer only if {c}.", "section_only_if": "Answer this section only if {c}.",
        "ask_only_if": "Ask only if {c}.", "section_ask_only_if": "Ask this section only if {c}.",
        "goto": "→ go to question {n}", "goto_end": "→ end of the questionnaire",
    },
}
_QUOTE = {"ky": ("«", "»"), "ru": ("«", "»"), "en": ("“", "”")}


def _fmt_num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


class _Describer:
    def __init__(self, inst: Instrument, numbers: dict[str, int], lang: str):
        self.inst, self.numbers, self.lang, self.t = inst, numbers, lang, _SKIP[lang]

    def qref(self, name: str) -> str:
        return str(self.numbers.get(name, name))

    def value_label(self, qname: str, code: str) -> str:
        try:
            return self.inst.choice_label(qname, code, self.lang)
        except KeyError:
            return code

    def text(self, node: Node, top: bool = True) -> str:
        t = self.t
        kind, op, args = node.kind, node.value, node.args
        if kind == "binop" and op in ("and", "or"):
            # Q = 'a' or Q = 'b'  ->  one_of
            if op == "or" and all(p.kind == "binop" and p.value == "=" and p.args[0].kind == "field"
                                  and p.args[1].kind == "str" for p in args) \
                    and len({p.args[0].value for p in args}) == 1:
                q = args[0].args[0].value
                lq, rq = _QUOTE[self.lang]
                vs = t["or"].join(f"{lq}{self.value_label(q, p.args[1].value)}{rq}" for p in args)
                return t["one_of"].format(q=self.qref(q), vs=vs)
            parts = [self.text(p, top=False) for p in args]
            s = t[op].join(parts)
            return s if top else f"({s})"
        if kind == "binop" and op in COMPARISON:
            a, b = args
            if b.kind == "field" and a.kind != "field":
                a, b = b, a
                op = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
            if a.kind == "field":
                q = a.value
                if b.kind == "str" and b.value == "":
                    return t["blank" if op == "=" else "filled"].format(q=self.qref(q))
                if b.kind == "str" and op in ("=", "!="):
                    return t["eq" if op == "=" else "ne"].format(q=self.qref(q), v=self.value_label(q, b.value))
                if b.kind in ("num", "str"):
                    x = _fmt_num(float(b.value)) if b.kind == "num" else b.value
                    sym = {"!=": "≠", "<=": "≤", ">=": "≥"}.get(op, op)
                    return t["num"].format(q=self.qref(q), op=sym, x=x)
        if kind == "call" and op == "selected" and args[0].kind == "field" and args[1].kind == "str":
            q = args[0].value
            return t["selected"].format(q=self.qref(q), v=self.value_label(q, args[1].value))
        if kind == "not":
            return t["not"].format(x=self.text(args[0], top=True))
        if kind == "call" and op == "string-length" and args[0].kind == "field":
            return f"len({self.qref(args[0].value)})"
        return _unparse(node, self.numbers)


def _unparse(node: Node, numbers: dict[str, int]) -> str:
    """The expression written back, with ``Q<n>`` for the questions in ``numbers``."""
    kind, value = node.kind, node.value
    if kind == "binop" and value in ("and", "or"):
        return "(" + f" {value} ".join(_unparse(p, numbers) for p in node.args) + ")"
    if kind == "binop":
        return f"{_unparse(node.args[0], numbers)} {value} {_unparse(node.args[1], numbers)}"
    if kind == "field":
        return f"Q{numbers[value]}" if value in numbers else value
    if kind == "str":
        return f"'{value}'"
    if kind == "num":
        return _fmt_num(float(value))
    if kind == "self":
        return "."
    if kind == "bool":
        return f"{value}()"
    if kind == "not":
        return "not(" + _unparse(node.args[0], numbers) + ")"
    return f"{value}(" + ", ".join(_unparse(a, numbers) for a in node.args) + ")"  # call


def describe_relevant(inst: Instrument, expr: str | Node, lang: str = "ky",
                      numbers: dict[str, int] | None = None) -> str:
    """The condition ``expr`` in words in ``lang``, referring to questions by number (``numbers``,
    default: the position among the instrument's data questions, as on the paper form).

    ``expr`` is the text or its tree from :func:`parse_relevant`; text that does not parse is
    returned as it is. The paper and phone questionnaires and the entry workbook's input messages
    write their skip logic with it. Example (en): ``${ilo_worked} = 'no'`` → ``the answer to Q4 is
    “No”``.
    """
    _check_lang(lang)
    nums = numbers if numbers is not None else _numbers(inst)
    if isinstance(expr, str):
        try:
            expr = parse_relevant(expr)
        except RelevantSyntaxError:
            return expr
    return _Describer(inst, nums, lang).text(expr)


def _is_and(node: Node) -> bool:
    return node.kind == "binop" and node.value == "and"


def _strip_conjuncts(node: Node, known: Node | None) -> Node | None:
    """Drop from ``node`` the conjuncts already stated by the section condition ``known``."""
    if known is None:
        return node
    known_parts = set(known.args) if _is_and(known) else {known}
    if node == known or node in known_parts:
        return None
    if _is_and(node):
        rest = tuple(p for p in node.args if p not in known_parts and p != known)
        if not rest:
            return None
        return rest[0] if len(rest) == 1 else Node("binop", "and", rest)
    return node


def _numbers(inst: Instrument) -> dict[str, int]:
    return {q.name: i for i, q in enumerate(inst.data_questions, start=1)}


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ConfigError(f"language '{lang}' is not supported (choose from {', '.join(LANGS)})")


# ============================================================================ entry workbook
#: the entry workbook's own texts per language (headers, mode labels, validation prompts); the readers map
#: a mode typed as its label back to its code with it (:mod:`analysis.ingest.common`)
ENTRY_LABELS: dict[str, dict[str, str]] = {
    "ky": {"mode": "Маалымат чогултуу ыкмасы (кагаз / телефон)", "entered_by": "Киргизген адам (аты же коду)",
           "paper": "Кагаз анкета", "phone": "Телефон аркылуу маек", "ticked": "1 = белгиленген, 0 = белгиленген эмес",
           "bad_choice": "Тизмеден тандаңыз.", "bad_int": "Бүтүн сан жазыңыз", "bad_dec": "Сан жазыңыз",
           "bad_date": "Күндү ЖЖЖЖ-АА-КК түрүндө жазыңыз.", "bad_len": "Белгилердин саны туура эмес.",
           "range": "{a} – {b}", "skip": "Эскертүү"},
    "ru": {"mode": "Способ сбора (бумага / телефон)", "entered_by": "Кто ввёл (имя или код)",
           "paper": "Бумажная анкета", "phone": "Телефонное интервью", "ticked": "1 = отмечено, 0 = не отмечено",
           "bad_choice": "Выберите значение из списка.", "bad_int": "Введите целое число",
           "bad_dec": "Введите число", "bad_date": "Введите дату в формате ГГГГ-ММ-ДД.",
           "bad_len": "Неверное число знаков.", "range": "{a} – {b}", "skip": "Примечание"},
    "en": {"mode": "Collection mode (paper / phone)", "entered_by": "Entered by (name or code)",
           "paper": "Paper questionnaire", "phone": "Telephone interview", "ticked": "1 = ticked, 0 = not ticked",
           "bad_choice": "Choose a value from the list.", "bad_int": "Enter a whole number",
           "bad_dec": "Enter a number", "bad_date": "Enter the date as YYYY-MM-DD.",
           "bad_len": "Wrong number of characters.", "range": "{a} – {b}", "skip": "Note"},
}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _constraint_terms(constraint: str | None) -> list[Node]:
    """The top-level ``and`` terms of a constraint ([] when there is none or it cannot be read)."""
    node = _safe_parse(constraint) if constraint else None
    return chain(node, "and") if node is not None else []


def _numeric_range(constraint: str | None) -> tuple[float | None, float | None]:
    """Lower and upper bounds on ``.`` among the constraint's top-level ``and`` terms (strictness
    ignored), as floats; None where there is none."""
    node = _safe_parse(constraint) if constraint else None
    bounds = split_bounds(node)[0] if node is not None else None
    if bounds is None:
        return None, None
    lo, hi = bounds[0], bounds[1]
    return (float(lo) if lo is not None else None, float(hi) if hi is not None else None)


def _date_lower_bound(constraint: str | None) -> _dt.date | None:
    """The date of a top-level term ``. >= date('YYYY-MM-DD')`` (or ``>``), else None."""
    for term in _constraint_terms(constraint):
        if term.kind == "binop" and term.value in (">=", ">") and term.args[0].kind == "self":
            b = term.args[1]
            if b.kind == "call" and b.value == "date" and b.args[0].kind == "str" \
                    and _ISO_DATE.fullmatch(b.args[0].value):
                return _dt.date.fromisoformat(b.args[0].value)
    return None


def _regex_pattern(constraint: str | None) -> str | None:
    """The pattern of the first top-level term ``regex(., 'pattern')``, else None."""
    return next((p for p in map(self_regex, _constraint_terms(constraint)) if p is not None), None)


def _regex_length(pattern: str) -> tuple[int, int] | None:
    """Length bounds of a simple anchored regex (literals, classes with {n} or {m,n}); else None."""
    p = pattern
    if not (p.startswith("^") and p.endswith("$")):
        return None
    p = p[1:-1]
    lo = hi = 0
    i = 0
    while i < len(p):
        if p[i] == "\\" and i + 1 < len(p):
            unit, i = 1, i + 2
        elif p[i] == "[":
            j = p.find("]", i)
            if j < 0:
                return None
            unit, i = 1, j + 1
        elif p[i] in "()|*+?.":
            return None
        else:
            unit, i = 1, i + 1
        m = re.match(r"\{(\d+)(?:,(\d+))?\}", p[i:])
        if m:
            a = int(m.group(1))
            b = int(m.group(2)) if m.group(2) else a
            lo, hi = lo + unit * a, hi + unit * b
            i += m.end()
        else:
            lo, hi = lo + unit, hi + unit
    return lo, hi


def _entry_choice_text(inst: Instrument, code: str, label: str) -> str:
    n_label, n_code = normalise_label(label), normalise_label(code)
    if not label or n_label == n_code or n_label.startswith(n_code + " "):
        return label or code
    return f"{code}{CHOICE_SEP}{label}"


@dataclass(frozen=True)
class _Column:
    name: str           # header (row 1)
    question: str | None
    option: str | None  # select_multiple option code
    label: str          # row 2


def _entry_columns(inst: Instrument, lang: str) -> list[_Column]:
    ui = ENTRY_LABELS[lang]
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
    _check_lang(lang)
    ui = ENTRY_LABELS[lang]
    out = Path(path) if path else Path(f"{inst.name}_entry.{lang}.xlsx")
    numbers = _numbers(inst)

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = _DATA_SHEET
    lists_ws = wb.create_sheet("_lists")
    meta_ws = wb.create_sheet("_meta")

    # choice lists used by single-choice columns
    list_ranges: dict[str, str] = {}
    list_col = 0
    used_lists = [q.list_name for q in inst.data_questions if q.type == "select_one"]
    extra = {"mode": [(m, ui[m]) for m in MODES]}
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
                cond = describe_relevant(inst, _safe_parse(rel) or Node("str", rel), lang, numbers)
                prompt_parts.append(_SKIP[lang]["only_if"].format(c=cond))
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
            lo, hi = _numeric_range(q.constraint)
            kind = "whole" if q.type == "integer" else "decimal"
            if lo is not None and hi is not None:
                dv = DataValidation(type=kind, operator="between", formula1=_fmt_num(lo), formula2=_fmt_num(hi),
                                    allow_blank=True)
                rng_txt = ui["range"].format(a=_fmt_num(lo), b=_fmt_num(hi))
            elif lo is not None:
                dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=_fmt_num(lo), allow_blank=True)
                rng_txt = f"≥ {_fmt_num(lo)}"
            elif hi is not None:
                dv = DataValidation(type=kind, operator="lessThanOrEqual", formula1=_fmt_num(hi), allow_blank=True)
                rng_txt = f"≤ {_fmt_num(hi)}"
            else:
                dv = DataValidation(type=kind, operator="between", formula1="-999999999", formula2="999999999",
                                    allow_blank=True)
                rng_txt = ""
            base = ui["bad_int" if q.type == "integer" else "bad_dec"]
            dv.error = _clip(_pick_msg(q, lang) or (f"{base}: {rng_txt}" if rng_txt else base), 255)
            prompt_parts.insert(0, rng_txt)
            width = 12
        elif q.type == "date":
            lo_date = _date_lower_bound(q.constraint) or _dt.date(1900, 1, 1)
            dv = DataValidation(type="date", operator="between",
                                formula1=str((lo_date - _dt.date(1899, 12, 30)).days),
                                formula2=str((_dt.date(2100, 12, 31) - _dt.date(1899, 12, 30)).days),
                                allow_blank=True)
            dv.error = _clip(" ".join(x for x in (_pick_msg(q, lang), ui["bad_date"]) if x), 255)
            prompt_parts.insert(0, "ЖЖЖЖ-АА-КК" if lang == "ky" else "ГГГГ-ММ-ДД" if lang == "ru" else "YYYY-MM-DD")
            width = 13
        elif q.type == "text":
            pattern = _regex_pattern(q.constraint)
            bounds = _regex_length(pattern) if pattern is not None else None
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
        ("mode_values", " ".join(MODES)),
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


def _safe_parse(expr: str) -> Node | None:
    try:
        return parse_relevant(expr)
    except RelevantSyntaxError:
        return None


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


# ============================================================================ paper / phone questionnaire
_HTML_UI = {
    "ky": {"paper": "Кагаз анкета", "phone": "Телефон аркылуу маектин сценарийи", "tick_one": "Бир жоопту белгилеңиз.",
           "tick_many": "Бир нече жоопту белгилесеңиз болот.", "read": "Окуп бериңиз:", "interviewer": "Маекчиге:",
           "fills": "Маекчи толтурат:",
           "no_read": "Варианттарды окубаңыз; жоопко ылайыктуусун белгилеңиз.",
           "read_opts": "Варианттарды окуп бериңиз.",
           "read_many": "Варианттарды окуп бериңиз; бир нече жооп болушу мүмкүн.",
           "verbatim": "Жоопту сөзмө-сөз жазыңыз.", "required": "милдеттүү", "date": "күн / ай / жыл",
           "month": "ай / жыл", "number": "сан", "version": "версия",
           "office": "Анкетанын № ______   Киргизген: ______   Күнү: ______",
           "greeting": "Саламатсызбы! Менин атым ______. Мен Б. Осмонов атындагы Жалал-Абад мамлекеттик "
                       "университетинен "
                       "чалып жатам. {who} менен сүйлөшсөм болобу?",
           "who_grad": "Бүтүрүүчү ______", "who_emp": "Уюмдун жетекчиси же кадрлар бөлүмүнүн кызматкери",
           "scale_hint": "1ден 5ке чейинки бир санды белгилеңиз.", "section": "Бөлүм"},
    "ru": {"paper": "Бумажная анкета", "phone": "Сценарий телефонного интервью", "tick_one": "Отметьте один ответ.",
           "tick_many": "Можно отметить несколько ответов.", "read": "Зачитайте:", "interviewer": "Интервьюеру:",
           "fills": "Заполняет интервьюер:",
           "no_read": "Не зачитывайте варианты; отметьте подходящий ответ.", "read_opts": "Зачитайте варианты.",
           "read_many": "Зачитайте варианты; возможно несколько ответов.", "verbatim": "Запишите ответ дословно.",
           "required": "обязательно", "date": "день / месяц / год", "month": "месяц / год", "number": "число",
           "version": "версия", "office": "№ анкеты ______   Ввёл(а): ______   Дата: ______",
           "greeting": "Здравствуйте! Меня зовут ______. Я звоню из Джалал-Абадского государственного университета "
                       "им. Б. Осмонова. Могу ли я поговорить с {who}?",
           "who_grad": "выпускником ______", "who_emp": "руководителем или сотрудником отдела кадров",
           "scale_hint": "Отметьте одно число от 1 до 5.", "section": "Раздел"},
    "en": {"paper": "Paper questionnaire", "phone": "Telephone interview script", "tick_one": "Tick one box.",
           "tick_many": "Tick all that apply.", "read": "Read out:", "interviewer": "Interviewer:",
           "fills": "Interviewer fills in:",
           "no_read": "Do not read out the options; tick the one that fits the answer.",
           "read_opts": "Read out the options.", "read_many": "Read out the options; several answers are possible.",
           "verbatim": "Write down the answer word for word.", "required": "required", "date": "day / month / year",
           "month": "month / year", "number": "number", "version": "version",
           "office": "Questionnaire no. ______   Entered by: ______   Date: ______",
           "greeting": "Hello! My name is ______. I am calling from Jalal-Abad State University named after "
                       "B. Osmonov. May I speak to {who}?",
           "who_grad": "the graduate ______", "who_emp": "the manager or a member of the personnel department",
           "scale_hint": "Tick one number from 1 to 5.", "section": "Section"},
}

# filled in by the interviewer from the contact list or the call itself, not read out on the phone
_INTERVIEWER_FILLS = frozenset({"student_id", "employer_id", "survey_date", "isco_code"})

_CSS = """
@page { size: A4; margin: 15mm 14mm 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; font-size: 10.5pt; line-height: 1.35;
       color: #111; max-width: 190mm; margin: 0 auto; }
h1 { font-size: 15pt; margin: 0 0 2mm 0; }
.meta { color: #555; font-size: 8.5pt; margin-bottom: 3mm; }
.office { border: 1px solid #999; padding: 1.5mm 3mm; font-size: 8.5pt; margin-bottom: 4mm; }
.intro { border-left: 3px solid #335; padding: 1mm 3mm; margin: 3mm 0; background: #f4f6fa; }
h2 { font-size: 12pt; border-bottom: 1.5px solid #333; margin: 6mm 0 2mm 0; padding-bottom: 1mm;
     break-after: avoid; page-break-after: avoid; }
.sec-rel { font-style: italic; font-size: 9pt; margin: 0 0 2mm 0; }
.q { margin: 0 0 3.5mm 0; break-inside: avoid; page-break-inside: avoid; }
.qt { font-weight: bold; }
.qn { display: inline-block; min-width: 8mm; }
.req { color: #a00; font-weight: normal; font-size: 8pt; }
.rel { font-style: italic; font-size: 9pt; color: #333; margin: 0.5mm 0 0.5mm 8mm; }
.hint { font-size: 9pt; color: #444; margin: 0.5mm 0 0.5mm 8mm; }
.instr { font-size: 8.5pt; color: #444; margin: 0.5mm 0 0.5mm 8mm; text-transform: none; }
.read { font-size: 8.5pt; color: #035; font-weight: bold; }
ul.opts { list-style: none; margin: 1mm 0 0 8mm; padding: 0; }
ul.opts.cols { columns: 2; column-gap: 8mm; }
ul.opts li { margin: 0.6mm 0; break-inside: avoid; }
.box { display: inline-block; width: 3.6mm; height: 3.6mm; border: 1px solid #000; margin-right: 2mm;
       vertical-align: -0.6mm; }
.skip { font-weight: bold; font-size: 9pt; margin-left: 2mm; }
table.scale { margin: 1mm 0 0 8mm; border-collapse: collapse; }
table.scale td { text-align: center; padding: 0.5mm 3mm; font-size: 9pt; }
.line { border-bottom: 1px solid #000; height: 6.5mm; margin: 0 0 0 8mm; }
.cells { margin: 1.5mm 0 0 8mm; font-family: "DejaVu Sans Mono", monospace; letter-spacing: 0.5mm; }
.cells small { font-family: "DejaVu Sans", Arial, sans-serif; color: #555; letter-spacing: 0; margin-left: 2mm; }
.note { margin: 2mm 0; }
.end { text-align: center; font-weight: bold; margin-top: 6mm; }
@media print { body { max-width: none; } a { color: inherit; text-decoration: none; } }
"""


def _e(text: object) -> str:
    return _html.escape(str(text), quote=True)


def questionnaire_html(inst: Instrument, lang: str = "ky", kind: str = "paper") -> str:
    """A printable, self-contained HTML version of ``inst``: paper questionnaire or phone script.

    Questions are numbered (data questions only, in form order); tick boxes for choices; answer
    lines and digit cells for numbers and dates. The skip logic (``relevant``) is written out as
    "Answer only if …" under each question whose condition is not already the section's, and as
    "→ go to question N" next to an answer that skips the following questions (computed by
    evaluating the conditions with that answer, three-valued). ``kind="phone"`` adds the
    interviewer's introduction, read-out and recording instructions. No scripts, no external
    resources; print CSS for A4.
    """
    _check_lang(lang)
    if kind not in ("paper", "phone"):
        raise ConfigError(f"questionnaire kind '{kind}' is not supported (choose paper or phone)")
    ui = _HTML_UI[lang]
    t = _SKIP[lang]
    phone = kind == "phone"
    numbers = _numbers(inst)
    data_qs = list(inst.data_questions)
    parsed = {q.name: _safe_parse(q.relevant) if q.relevant else None for q in inst.questions}
    title = inst.title.split(" / ")[LANGS.index(lang)] if inst.title.count(" / ") == 2 else inst.title

    out = ["<!DOCTYPE html>", f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">',
           f"<title>{_e(title)} — {_e(ui[kind])}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
           f"<h1>{_e(title)}</h1>",
           f'<div class="meta">{_e(ui[kind])} · {_e(inst.form_id)} · {_e(ui["version"])} {_e(inst.version)}</div>',
           f'<div class="office">{_e(ui["office"])}</div>']
    if phone:
        who = ui["who_emp"] if inst.name == "employer" else ui["who_grad"]
        out.append(f'<div class="intro"><span class="read">{_e(ui["read"])}</span> '
                   f'{_e(ui["greeting"].format(who=who))}</div>')

    current_group: object = object()
    section_node: Node | None = None
    for q in inst.questions:
        if q.type == "group":
            continue
        if q.group != current_group:
            current_group = q.group
            section_node = parsed.get(q.group) if q.group else None
            if q.group:
                out.append(f"<h2>{_e(inst.label(q.group, lang))}</h2>")
                if section_node is not None:
                    key = "section_ask_only_if" if phone else "section_only_if"
                    cond = describe_relevant(inst, section_node, lang, numbers)
                    out.append(f'<p class="sec-rel">{_e(t[key].format(c=cond))}</p>')
        if q.type == "note":
            cls = "intro" if q.name == "intro" else "end" if q.name == "end_note" else "note"
            prefix = f'<span class="read">{_e(ui["read"])}</span> ' if phone else ""
            out.append(f'<div class="{cls}">{prefix}{_e(inst.label(q.name, lang))}</div>')
            continue
        if not q.is_data:
            continue
        out.append(_question_html(inst, q, lang, phone, numbers, parsed, section_node, data_qs))
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _skip_targets(inst: Instrument, q: Question, data_qs: list[Question],
                  parsed: dict[str, Node | None], numbers: dict[str, int]) -> dict[str, str]:
    """For each choice of a single-choice question, where to go next if later questions are skipped."""
    if q.type != "select_one" or not q.list_name:
        return {}
    idx = next(i for i, x in enumerate(data_qs) if x.name == q.name)
    later = data_qs[idx + 1:]
    if not later:
        return {}
    out: dict[str, str] = {}
    for code in inst.choice_codes(q.name):
        values: dict[str, Any] = {q.name: code}
        first_asked = None
        for y in later:
            conds = [parsed.get(y.name)]
            g = y.group
            while g:
                conds.append(parsed.get(g))
                g = inst.question(g).group
            res: Any = True
            for node in conds:
                if node is None:
                    continue
                try:
                    v = evaluate_relevant(node, values)
                except RelevantSyntaxError:
                    v = None
                if v is False:
                    res = False
                    break
                if v is None:
                    res = None
            if res is False:
                values[y.name] = ""
                continue
            first_asked = y
            break
        if first_asked is None:
            out[code] = "end"
        elif first_asked is not later[0]:
            out[code] = str(numbers[first_asked.name])
    return out


def _question_html(inst: Instrument, q: Question, lang: str, phone: bool, numbers: dict[str, int],
                   parsed: dict[str, Node | None], section_node: Node | None,
                   data_qs: list[Question]) -> str:
    ui, t = _HTML_UI[lang], _SKIP[lang]
    n = numbers[q.name]
    parts = ['<div class="q">']
    req = f' <span class="req">({_e(ui["required"])})</span>' if q.required else ""
    read = ""
    if phone:
        key = "fills" if q.name in _INTERVIEWER_FILLS else "read"
        read = f'<span class="read">{_e(ui[key])}</span> '
    parts.append(f'<div class="qt"><span class="qn">{n}.</span>{read}{_e(inst.label(q.name, lang))}{req}</div>')
    node = parsed.get(q.name)
    if node is not None:
        own = _strip_conjuncts(node, section_node)
        if own is not None:
            key = "ask_only_if" if phone else "only_if"
            parts.append(f'<div class="rel">{_e(t[key].format(c=describe_relevant(inst, own, lang, numbers)))}</div>')
    elif q.relevant:  # unparsable expression: show it as is
        parts.append(f'<div class="rel">{_e(q.relevant)}</div>')
    hint = inst.hint(q.name, lang)
    if hint:
        who = f'{_e(ui["interviewer"])} ' if phone else ""
        parts.append(f'<div class="hint">{who}{_e(hint)}</div>')
    if q.type in ("select_one", "select_multiple"):
        codes = inst.choice_codes(q.name)
        is_scale = q.list_name == "scale5"
        if phone:
            if q.type == "select_multiple":
                instr = ui["read_many"]
            elif is_scale:
                instr = ui["scale_hint"]
            elif q.list_name in ("yes_no",) or len(codes) > 6:
                instr = ui["no_read"]
            else:
                instr = ui["read_opts"]
        else:
            instr = ui["tick_many"] if q.type == "select_multiple" else ui["scale_hint"] if is_scale else ui["tick_one"]
        if q.list_name not in ("yes_no", "yes_no_dk"):
            parts.append(f'<div class="instr">{_e(instr)}</div>')
        skips = _skip_targets(inst, q, data_qs, parsed, numbers)
        if is_scale:
            heads = "".join(f"<td>{_e(c)}</td>" for c in codes)
            boxes = "".join('<td><span class="box"></span></td>' for _ in codes)
            low = inst.choice_label(q.list_name, codes[0], lang)
            high = inst.choice_label(q.list_name, codes[-1], lang)
            anchors = (f'<tr><td colspan="{len(codes)}" style="text-align:left">{_e(low)} … {_e(high)}</td></tr>'
                       if low != codes[0] else "")
            parts.append(f'<table class="scale"><tr>{heads}</tr><tr>{boxes}</tr>{anchors}</table>')
        else:
            cls = "opts cols" if len(codes) > 8 else "opts"
            items = []
            for c in codes:
                label = inst.choice_label(q.name, c, lang)
                skip = ""
                if c in skips:
                    target = skips[c]
                    skip = (f'<span class="skip">{_e(t["goto_end"])}</span>' if target == "end"
                            else f'<span class="skip">{_e(t["goto"].format(n=target))}</span>')
                items.append(f'<li><span class="box"></span>{_e(label)}{skip}</li>')
            parts.append(f'<ul class="{cls}">' + "".join(items) + "</ul>")
    elif q.type in ("integer", "decimal"):
        lo, hi = _numeric_range(q.constraint)
        width = max(2, len(_fmt_num(hi))) if hi is not None else 4
        cells = "".join("|__" for _ in range(min(width, 8))) + "|"
        rng_txt = f"{_fmt_num(lo)} – {_fmt_num(hi)}" if lo is not None and hi is not None else ui["number"]
        parts.append(f'<div class="cells">{cells}<small>({_e(rng_txt)})</small></div>')
    elif q.type == "date":
        if q.appearance == "month-year":
            parts.append(f'<div class="cells">|__|__| . |__|__|__|__|<small>({_e(ui["month"])})</small></div>')
        else:
            parts.append('<div class="cells">|__|__| . |__|__| . |__|__|__|__|'
                         f'<small>({_e(ui["date"])})</small></div>')
    else:  # text
        if phone and q.name not in _INTERVIEWER_FILLS:
            parts.append(f'<div class="instr">{_e(ui["verbatim"])}</div>')
        lines = 3 if q.appearance == "multiline" else 1
        parts.extend('<div class="line"></div>' for _ in range(lines))
    parts.append("</div>")
    return "\n".join(parts)

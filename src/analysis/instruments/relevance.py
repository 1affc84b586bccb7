"""The skip logic of a questionnaire: XLSForm ``relevant`` expressions parsed, evaluated and written in words.

One job: the questions' conditions. :func:`parse_relevant` reads the subset of ODK XPath used in
``relevant`` (``${q} = 'v'``, ``!=``, ``<``/``>``, ``and``/``or``/``not()``, ``selected()``,
``string-length()``, ``coalesce()``) with the project's one parser (:mod:`analysis.instruments.expressions`);
:func:`evaluate_relevant` evaluates its tree on answers with three-valued (Kleene) logic, as XPath 1.0 /
ODK do (``None`` = unknown); :func:`describe_relevant` writes the same tree out in words in ky, ru or en
(the texts are ``skip_*`` of ``definitions/messages/questionnaire.yaml``). The paper questionnaire, the
phone script and the entry workbook's input messages state their skip logic with it.
"""

from __future__ import annotations

import math
from typing import Any

from analysis.core.i18n import check_lang, messages
from analysis.instruments.expressions import ARITHMETIC, COMPARISON, ExpressionError, Node
from analysis.instruments.expressions import parse as parse_expression
from analysis.instruments.xlsform import Instrument

__all__ = [
    "RelevantSyntaxError",
    "parse_relevant",
    "parse_relevant_or_none",
    "evaluate_relevant",
    "describe_relevant",
    "question_numbers",
    "number_text",
]


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



def parse_relevant_or_none(expr: str) -> Node | None:
    """:func:`parse_relevant`, or ``None`` for text outside the supported subset (shown as it is by the callers)."""
    try:
        return parse_relevant(expr)
    except RelevantSyntaxError:
        return None


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



def number_text(x: float) -> str:
    """A number as the forms print it: whole numbers without a decimal point (``5.0`` → ``5``)."""
    return str(int(x)) if float(x).is_integer() else str(x)


class _Describer:
    """Writes a condition's tree in words in one language, questions by their numbers."""

    def __init__(self, inst: Instrument, numbers: dict[str, int], lang: str):
        self.inst, self.numbers, self.lang, self.t = inst, numbers, lang, messages("skip_", lang)

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
                lq, rq = t["quote_open"], t["quote_close"]
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
                    x = number_text(float(b.value)) if b.kind == "num" else b.value
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
        return number_text(float(value))
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
    check_lang(lang)
    nums = numbers if numbers is not None else question_numbers(inst)
    if isinstance(expr, str):
        try:
            expr = parse_relevant(expr)
        except RelevantSyntaxError:
            return expr
    return _Describer(inst, nums, lang).text(expr)



def question_numbers(inst: Instrument) -> dict[str, int]:
    """The number of each data question, as printed on the paper form: its position among
    :attr:`~analysis.instruments.xlsform.Instrument.data_questions`, from 1."""
    return {q.name: i for i, q in enumerate(inst.data_questions, start=1)}

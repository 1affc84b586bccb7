"""Translate XLSForm ``relevant`` / ``constraint`` expressions into pandas ``DataFrame.query`` strings.

The XLSForm expression language is a subset of XPath 1.0 with ODK functions (ODK XForms
specification, "XPath operators" and "XPath functions"). This translator supports what the
project's questionnaires use, and nothing silently: any other construct raises
:class:`XPathTranslationError` when the suites are built. The expression is read by the project's
one parser, :func:`analysis.instruments.expressions.parse`; this module walks its tree to emit pandas.

Supported
    ``${x}``, ``.`` (the question itself, in constraints), string and number literals,
    ``=  !=  <  <=  >  >=``, ``+  -  *  div  mod``, ``and``, ``or``, parentheses,
    ``not(e)``, ``selected(${x}, 'v')``, ``count-selected(${x})``, ``string-length(${x})``,
    ``regex(${x}, 'pattern')``, ``true()``, ``false()``, ``date('YYYY-MM-DD')``, ``today()``,
    ``coalesce(a, b)`` (numbers).

Semantics (chosen to match ODK's XPath evaluation on the canonical table, where an empty
answer is missing):

* ``${x} = 'v'`` / ``${x} != 'v'`` compare text: ``x == 'v'`` / ``x != 'v'`` (an empty answer is
  not equal to ``'v'``, so ``!=`` is true for it, as in ODK where the empty string ≠ ``'v'``);
* ``${x} = ''`` / ``${x} != ''`` become ``x.isna()`` / ``x.notna()``;
* relational operators and comparisons with a number compare **numbers**: ``${x}`` becomes the
  helper column ``x__num`` (the answer parsed as a number, NaN when empty or not a number), so
  an empty answer makes the comparison false, as XPath's ``number('')`` = NaN does;
* a **date** question in a comparison becomes ``x__date`` (``datetime64``, NaT when empty or not a
  real date); ``date('2000-01-01')`` becomes the text ``'2000-01-01'`` (pandas compares it as a
  date) and ``today()`` the helper column ``__today`` (the date of the validation run, so a stored
  suite does not change from day to day);
* ``count-selected(${x})`` and ``string-length(${x})`` use the helper columns ``x__nsel`` and
  ``x__len`` (0 when empty); ``coalesce(a, b)`` becomes ``(a).fillna(b)``.

Helper columns are named ``<question>__num``, ``__nsel``, ``__len``, ``__date`` and ``__today``;
:func:`helper_columns` lists those a query needs and :func:`add_helper_columns` computes them.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.instruments.expressions import (
    ARITY,
    Bounds,
    ExpressionError,
    Node,
    chain,
    field_names,
)
from analysis.instruments.expressions import parse as _parse
from analysis.instruments.expressions import self_regex as _self_regex
from analysis.instruments.expressions import split_bounds as _split_bounds

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "XPathTranslationError", "Node", "parse", "to_query", "relevance_query",
    "simple_regex", "split_bounds", "helper_columns", "add_helper_columns", "referenced_fields",
    "parse_iso_dates", "to_number", "add_effective_columns",
]


class XPathTranslationError(ExpressionError):
    """An XLSForm expression uses something the translator does not support (or is malformed)."""


# --------------------------------------------------------------------------- parsing

_FUNCS = {name: ARITY[name] for name in ("not", "selected", "count-selected", "string-length", "regex",
                                         "true", "false", "date", "today", "coalesce")}


def _supported(name: str, text: str) -> None:
    if name not in _FUNCS:
        raise XPathTranslationError(
            f"function {name}() is not supported by the relevance translator "
            f"(supported: {', '.join(f + '()' for f in sorted(_FUNCS))}) in {text!r}")


def parse(text: str) -> Node:
    """Parse an XLSForm expression into a :class:`Node` tree (:func:`analysis.instruments.expressions.parse`),
    accepting only the functions this translator supports (raises :class:`XPathTranslationError`)."""
    try:
        return _parse(str(text), on_call=_supported)
    except XPathTranslationError:
        raise
    except ExpressionError as exc:
        raise XPathTranslationError(str(exc)) from None


# --------------------------------------------------------------------------- emitting pandas


_NUM_OPS = {"+": "+", "-": "-", "*": "*", "div": "/", "mod": "%"}
_REL_OPS = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}
_EQ_OPS = {"=": "==", "!=": "!="}


def _q(col: str) -> str:
    return f"`{col}`"


def _lit(text: str) -> str:
    return repr(str(text))


class _Emitter:
    def __init__(self, self_name: str | None, known: set[str] | None, text: str,
                 types: dict[str, str] | None = None, eff: set[str] | None = None) -> None:
        self.self_name = self_name
        self.known = known
        self.text = text
        self.types = types or {}
        self.eff = eff or set()

    def text_col(self, node: Node) -> str:
        """The text column of a referenced question: ``x__eff`` when ``x`` has a relevance (its answer
        counts only where it applies, as in ODK), else ``x``."""
        name = self.field_name(node)
        return _q(f"{name}__eff" if name in self.eff else name)

    def field_name(self, node: Node) -> str:
        if node.kind == "self":
            if not self.self_name:
                raise XPathTranslationError(f"'.' (the question itself) is only allowed in a constraint: "
                                            f"{self.text!r}")
            return self.self_name
        name = node.value
        if self.known is not None and name not in self.known:
            raise XPathTranslationError(f"${{{name}}} is not a question of this instrument in {self.text!r}")
        return name

    def is_fieldlike(self, node: Node) -> bool:
        return node.kind in ("field", "self")

    def is_numeric(self, node: Node) -> bool:
        if node.kind == "num":
            return True
        if node.kind == "binop" and node.value in _NUM_OPS:
            return True
        return node.kind == "call" and node.value in ("count-selected", "string-length", "date", "today",
                                                      "coalesce")

    # numbers ---------------------------------------------------------------
    def num(self, node: Node) -> str:
        if node.kind == "num":
            return node.value
        if node.kind == "str":
            try:
                float(node.value)
            except ValueError:
                raise XPathTranslationError(f"text {node.value!r} used as a number in {self.text!r}") from None
            return node.value
        if self.is_fieldlike(node):
            name = self.field_name(node)
            return _q(name + ("__date" if self.types.get(name) == "date" else "__num"))
        if node.kind == "call" and node.value == "date":
            arg = node.args[0]
            if arg.kind != "str" or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", arg.value):
                raise XPathTranslationError(f"date() needs a literal 'YYYY-MM-DD' in {self.text!r}")
            return _lit(arg.value)
        if node.kind == "call" and node.value == "today":
            return _q("__today")
        if node.kind == "call" and node.value == "coalesce":
            return f"({self.num(node.args[0])}).fillna({self.num(node.args[1])})"
        if node.kind == "call" and node.value == "count-selected":
            return _q(self.field_name(self._field_arg(node, 0)) + "__nsel")
        if node.kind == "call" and node.value == "string-length":
            return _q(self.field_name(self._field_arg(node, 0)) + "__len")
        if node.kind == "binop" and node.value in _NUM_OPS:
            a, b = node.args
            return f"({self.num(a)} {_NUM_OPS[node.value]} {self.num(b)})"
        raise XPathTranslationError(f"cannot use this part as a number in {self.text!r}")

    def _field_arg(self, node: Node, i: int) -> Node:
        arg = node.args[i]
        if not self.is_fieldlike(arg):
            raise XPathTranslationError(f"{node.value}() needs a question (${{name}} or .) as argument "
                                        f"{i + 1} in {self.text!r}")
        return arg

    # booleans --------------------------------------------------------------
    def cond(self, node: Node) -> str:
        k = node.kind
        if k == "bool":
            return "True" if node.value == "true" else "False"
        if k == "not":
            return f"~({self.cond(node.args[0])})"
        if self.is_fieldlike(node):  # boolean(node-set): the answer is not empty
            return f"{self.text_col(node)}.notna()"
        if k == "call":
            if node.value == "selected":
                col = self.text_col(self._field_arg(node, 0))
                code = node.args[1]
                if code.kind not in ("str", "num"):
                    raise XPathTranslationError(f"selected() needs a literal choice code in {self.text!r}")
                pattern = r"(?:^| )" + re.escape(code.value) + r"(?: |$)"
                return f"{col}.str.contains({_lit(pattern)}, regex=True, na=False)"
            if node.value == "regex":
                col = self.text_col(self._field_arg(node, 0))
                pat = node.args[1]
                if pat.kind != "str":
                    raise XPathTranslationError(f"regex() needs a literal pattern in {self.text!r}")
                re.compile(pat.value)
                return f"{col}.str.contains({_lit(pat.value)}, regex=True, na=False)"
            raise XPathTranslationError(f"{node.value}() gives a number, not a condition, in {self.text!r}")
        if k == "binop":
            op = node.value
            if op in ("and", "or"):
                joiner = " & " if op == "and" else " | "
                return joiner.join(f"({self.cond(part)})" for part in chain(node, op))
            a, b = node.args
            if op in _REL_OPS:
                return f"{self.num(a)} {_REL_OPS[op]} {self.num(b)}"
            if op in _EQ_OPS:
                return self.equality(op, a, b)
            raise XPathTranslationError(f"'{op}' gives a number, not a condition, in {self.text!r}")
        raise XPathTranslationError(f"a literal alone is not a condition in {self.text!r}")

    def equality(self, op: str, a: Node, b: Node) -> str:
        pop = _EQ_OPS[op]
        if b.kind == "str" and b.value == "" and self.is_fieldlike(a):
            return f"{self.text_col(a)}.{'isna' if op == '=' else 'notna'}()"
        if a.kind == "str" and a.value == "" and self.is_fieldlike(b):
            return f"{self.text_col(b)}.{'isna' if op == '=' else 'notna'}()"
        if self.is_numeric(a) or self.is_numeric(b):
            return f"{self.num(a)} {pop} {self.num(b)}"
        if self.is_fieldlike(a) and b.kind == "str":
            return f"{self.text_col(a)} {pop} {_lit(b.value)}"
        if a.kind == "str" and self.is_fieldlike(b):
            return f"{self.text_col(b)} {pop} {_lit(a.value)}"
        if self.is_fieldlike(a) and self.is_fieldlike(b):
            return f"{self.text_col(a)} {pop} {self.text_col(b)}"
        if a.kind == "bool" or b.kind == "bool" or a.kind in ("not", "binop") or b.kind in ("not", "binop"):
            return f"({self.cond(a)}) {pop} ({self.cond(b)})"
        raise XPathTranslationError(f"cannot compare these two parts in {self.text!r}")


def to_query(expr: str | Node, self_name: str | None = None, known: Iterable[str] | None = None,
             types: dict[str, str] | None = None, eff: Iterable[str] | None = None) -> str:
    """Translate an XLSForm condition into a pandas ``DataFrame.query`` string.

    Parameters
    ----------
    expr
        The XLSForm expression (e.g. ``${ilo_worked} = 'no' and not(selected(${x}, 'a'))``).
    self_name
        The question that ``.`` stands for (constraints only).
    known
        Question names of the instrument; a reference to any other name is an error.
    types
        Question name → XLSForm base type; date questions compare as dates (``__date`` helpers).
    eff
        Questions that have a relevance: a reference to their text uses ``<q>__eff`` (the answer
        where the question applies, empty elsewhere — ODK clears answers that do not apply), so a
        condition on them cascades, e.g. ``${ilo_worked} = 'yes'`` is false when consent is no.

    Returns
    -------
    str
        A condition for ``DataFrame.query`` (default pandas parser; backticked column names,
        helper columns as described in the module docstring).
    """
    node = parse(expr) if isinstance(expr, str) else expr
    text = expr if isinstance(expr, str) else "<expression>"
    return _Emitter(self_name, set(known) if known is not None else None, text, types,
                    set(eff) if eff is not None else None).cond(node)


def relevance_query(expr: str | None, known: Iterable[str] | None = None,
                    types: dict[str, str] | None = None, eff: Iterable[str] | None = None) -> str | None:
    """The pandas condition of an XLSForm ``relevant`` expression (None when always relevant)."""
    if expr is None or not str(expr).strip():
        return None
    node = parse(str(expr))
    if node.kind == "bool" and node.value == "true":
        return None
    return to_query(str(expr), known=known, types=types, eff=eff)


def referenced_fields(expr: str | Node) -> list[str]:
    """Question names referenced with ``${...}`` in an expression, sorted."""
    return field_names(parse(expr) if isinstance(expr, str) else expr)


# --------------------------------------------------------------------------- constraint shapes


def split_bounds(expr: str) -> tuple[Bounds | None, Node | None]:
    """Split a constraint into numeric bounds on ``.`` and the rest.

    The top-level ``and`` terms ``. >= a``, ``. > a``, ``. <= b``, ``. < b`` (either side order;
    one lower and one upper at most) become ``(min, max, strict_min, strict_max)``; the other
    terms are returned as one expression tree (None when there are none), see
    :func:`analysis.instruments.expressions.split_bounds`.
    ``. >= 0 and . <= 500 and . <= ${applications_n}`` → ``((0, 500, False, False), <. <= ${applications_n}>)``.
    """
    return _split_bounds(parse(expr))


def simple_regex(expr: str) -> str | None:
    """The pattern of a constraint that is exactly ``regex(., 'pattern')``, else None."""
    try:
        node = parse(expr)
    except XPathTranslationError:
        return None
    return _self_regex(node)


# --------------------------------------------------------------------------- helper columns

_HELPER = re.compile(r"`([A-Za-z][A-Za-z0-9_]*?)__(num|nsel|len|date)`")


def helper_columns(queries: Iterable[str]) -> set[tuple[str, str]]:
    """``(question, kind)`` pairs of the helper columns that the given query strings use
    (``("", "today")`` for ``__today``)."""
    out: set[tuple[str, str]] = set()
    for q in queries:
        if q:
            out.update((m.group(1), m.group(2)) for m in _HELPER.finditer(q))
            if "`__today`" in q:
                out.add(("", "today"))
    return out


def add_effective_columns(df: pd.DataFrame, applies: list[tuple[str, str]],
                          needed: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """Add ``<q>__eff`` (the answer where ``q`` applies, missing elsewhere) and the helpers, in place.

    ``applies`` lists ``(question, pandas condition)`` in form order; each condition may use the
    ``__eff`` and helper columns of earlier questions, which are computed first (ODK evaluates
    relevance in form order, and an answer that does not apply counts as empty).
    """

    needed = set(needed)
    by_name: dict[str, set[tuple[str, str]]] = {}
    for name, kind in needed:
        by_name.setdefault(name, set()).add((name, kind))
    done: set[str] = set()
    with warnings.catch_warnings():  # columns are added one by one on purpose (form order)
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        for name, cond in applies:
            refs = {m.group(1) for m in re.finditer(r"`([A-Za-z][A-Za-z0-9_]*?)__(?:num|nsel|len|date|eff)`",
                                                     cond)}
            add_helper_columns(df, {h for r in refs - done for h in by_name.get(r, set())} | (
                {("", "today")} if "`__today`" in cond else set()))
            cols = [c for c in dict.fromkeys(re.findall(r"`([^`]+)`", cond)) if c in df.columns]
            mask = df[cols].eval(cond) if len(df) else pd.Series(False, index=df.index)
            mask = pd.Series(mask, index=df.index).fillna(False).astype(bool)
            df[f"{name}__eff"] = df[name].where(mask, None)
            done.add(name)
            add_helper_columns(df, by_name.get(name, set()))
        add_helper_columns(df, needed)
    df._consolidate_inplace()
    return df


def parse_iso_dates(s: pd.Series) -> pd.Series:
    """Dates written ``YYYY-MM-DD`` → ``datetime64[us]`` (NaT when empty or not a real date).

    Python ``datetime.strptime(v, "%Y-%m-%d")``: the rule of great-expectations'
    ``ExpectColumnValuesToMatchStrftimeFormat``, so every value a suite accepts is converted.
    """

    cache: dict[str, object] = {}

    def one(v: object) -> object:
        if not isinstance(v, str):
            return None
        if v not in cache:
            try:
                cache[v] = dt.datetime.strptime(v, "%Y-%m-%d")
            except ValueError:
                cache[v] = None
        return cache[v]

    vals = s.astype("object").map(one)
    return pd.Series(pd.array(vals.tolist(), dtype="datetime64[us]"), index=s.index)


def to_number(s: pd.Series) -> pd.Series:
    """Answers as float64 numbers: ``"12"`` → 12.0, ``"3,5"`` → 3.5; empty or non-numeric → NaN."""
    text = s.astype("object").where(s.notna(), None)
    text = text.map(lambda v: v.replace(",", ".", 1) if isinstance(v, str) and v.count(",") == 1
                    and "." not in v else v)
    return pd.to_numeric(text, errors="coerce").astype("float64")


def add_helper_columns(df: pd.DataFrame, needed: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """Add the helper columns ``needed`` (from :func:`helper_columns`) to ``df`` in place; return it.

    ``__num``: the answer as a float (NaN when empty or not a number); ``__nsel``: number of
    space-separated codes (0 when empty); ``__len``: number of characters (0 when empty);
    ``__date``: the answer as a date (NaT when empty or not a real date); ``__today``: today's
    date (the day of the run). A question missing from ``df`` gives an all-missing helper.
    Helpers are computed from ``<q>__eff`` when it exists (the answer where the question applies).
    """
    for name, kind in sorted(needed):
        if kind == "today":
            if "__today" not in df.columns:
                df["__today"] = pd.Series(pd.Timestamp.now().normalize(), index=df.index).astype("datetime64[us]")
            continue
        col = f"{name}__{kind}"
        if col in df.columns:
            continue
        if name not in df.columns:
            if kind == "date":
                df[col] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[us]")
            else:
                df[col] = np.nan if kind == "num" else 0
            continue
        s = df[f"{name}__eff"] if f"{name}__eff" in df.columns else df[name]
        if kind == "num":
            df[col] = to_number(s)
        elif kind == "date":
            df[col] = parse_iso_dates(s)
        elif kind == "nsel":
            df[col] = s.str.split().str.len().fillna(0).astype("int64")
        else:
            df[col] = s.str.len().fillna(0).astype("int64")
    return df

"""What an XLSForm ``constraint`` allows, for the printed and keyed-in forms: ranges, earliest dates, text lengths.

One job: read the bounds a data-entry check or a paper form can state from a ``constraint`` expression's
top-level ``and`` terms — a numeric range on ``.``, the earliest date ``. >= date('YYYY-MM-DD')``, and the
length of a simple anchored ``regex(., '^…$')``. Anything more complex gives no bound (the validation
stage checks the full constraint, :mod:`analysis.validate.xpath`).
"""

from __future__ import annotations

import datetime as _dt
import re

from analysis.instruments.expressions import Node, chain, self_regex, split_bounds
from analysis.instruments.relevance import parse_relevant_or_none

__all__ = ["constraint_terms", "numeric_range", "date_lower_bound", "regex_pattern", "regex_length"]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def constraint_terms(constraint: str | None) -> list[Node]:
    """The top-level ``and`` terms of a constraint ([] when there is none or it cannot be read)."""
    node = parse_relevant_or_none(constraint) if constraint else None
    return chain(node, "and") if node is not None else []


def numeric_range(constraint: str | None) -> tuple[float | None, float | None]:
    """Lower and upper bounds on ``.`` among the constraint's top-level ``and`` terms (strictness
    ignored), as floats; None where there is none."""
    node = parse_relevant_or_none(constraint) if constraint else None
    bounds = split_bounds(node)[0] if node is not None else None
    if bounds is None:
        return None, None
    lo, hi = bounds[0], bounds[1]
    return (float(lo) if lo is not None else None, float(hi) if hi is not None else None)


def date_lower_bound(constraint: str | None) -> _dt.date | None:
    """The date of a top-level term ``. >= date('YYYY-MM-DD')`` (or ``>``), else None."""
    for term in constraint_terms(constraint):
        if term.kind == "binop" and term.value in (">=", ">") and term.args[0].kind == "self":
            b = term.args[1]
            if b.kind == "call" and b.value == "date" and b.args[0].kind == "str" \
                    and _ISO_DATE.fullmatch(b.args[0].value):
                return _dt.date.fromisoformat(b.args[0].value)
    return None


def regex_pattern(constraint: str | None) -> str | None:
    """The pattern of the first top-level term ``regex(., 'pattern')``, else None."""
    return next((p for p in map(self_regex, constraint_terms(constraint)) if p is not None), None)


def regex_length(pattern: str) -> tuple[int, int] | None:
    """Length bounds ``(shortest, longest)`` of a simple anchored regex — literals, escapes and classes, each
    optionally with ``{n}`` or ``{m,n}`` (e.g. ``^[0-9]{9}$`` → ``(9, 9)``); ``None`` for anything else
    (alternation, ``*``, ``+``, ``?``, groups, or no anchors)."""
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

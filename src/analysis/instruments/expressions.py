"""One tokenizer and parser for XLSForm expressions (``relevant``, ``constraint``, ``required``).

The XLSForm expression language is XPath 1.0 (W3C Recommendation, 1999, §3 "Expressions") with
ODK's ``${name}`` references and functions (ODK XForms specification, "XPath operators" and
"XPath functions"). This module only reads the text into a syntax tree (:class:`Node`); what the
tree means is up to its consumers, which walk the same tree:

* :mod:`analysis.validate.xpath` translates it into pandas ``DataFrame.query`` conditions;
* :mod:`analysis.instruments.relevance` evaluates it on answers (three-valued) and writes it out in words.

Grammar (XPath 1.0 precedence, lowest first): ``or`` < ``and`` < ``=  !=`` < ``<  <=  >  >=`` <
``+  -`` < ``*  div  mod`` < unary ``-`` < primary. Primaries: ``${name}``, ``.`` (the question
itself, in constraints), ``'text'`` / ``"text"``, numbers (``3``, ``2.5``, ``.5``), ``( … )`` and
function calls ``name(arg, …)``. Anything else (paths, ``..``, ``|``, ``$var``, predicates) is an
:class:`ExpressionError` whose one-line message names the expression.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "ExpressionError", "Node", "ARITY", "FIELD_REF", "COMPARISON", "ARITHMETIC", "Bounds",
    "parse", "chain", "field_names", "split_bounds", "self_regex",
]


class ExpressionError(ValueError):
    """An XLSForm expression that cannot be read (malformed, or outside the supported grammar)."""


#: Arity of the ODK functions the project's consumers understand; a call of one of them with
#: another number of arguments is an :class:`ExpressionError` (other names are left to consumers).
ARITY: dict[str, int] = {
    "not": 1, "true": 0, "false": 0, "selected": 2, "count-selected": 1, "string-length": 1,
    "regex": 2, "date": 1, "today": 0, "coalesce": 2, "number": 1, "boolean": 1,
}
#: Binary operators (``Node.value`` of a ``binop``) other than ``and``/``or``, in XPath spelling.
COMPARISON = frozenset({"=", "!=", "<", "<=", ">", ">="})
ARITHMETIC = frozenset({"+", "-", "*", "div", "mod"})

# --------------------------------------------------------------------------- tokens

_FIELD = r"\$\{\s*(?P<fname>[A-Za-z_][A-Za-z0-9_.\-]*)\s*\}"
#: A ``${name}`` reference (group ``fname`` = the question name), as the tokenizer reads it.
FIELD_REF = re.compile(_FIELD)

_TOKEN = re.compile(
    rf"""\s*(?:
        (?P<field>{_FIELD})
      | (?P<num>\d+(?:\.\d+)?|\.\d+)
      | (?P<str>'[^']*'|"[^"]*")
      | (?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,)
      | (?P<name>[A-Za-z_][A-Za-z0-9_\-:]*)
      | (?P<dot>\.)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Tok:
    kind: str
    value: str


def _tokenize(text: str) -> list[_Tok]:
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExpressionError(f"cannot read {text[pos:pos + 20]!r} in expression {text!r}")
        pos = m.end()
        if m.group("field"):
            out.append(_Tok("field", m.group("fname")))
        elif m.group("num") is not None:
            out.append(_Tok("num", m.group("num")))
        elif m.group("str") is not None:
            out.append(_Tok("str", m.group("str")[1:-1]))
        elif m.group("op"):
            out.append(_Tok("op", m.group("op")))
        elif m.group("name"):
            out.append(_Tok("name", m.group("name")))
        else:
            out.append(_Tok("dot", "."))
    return out


# --------------------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class Node:
    """A node of a parsed expression.

    ``kind`` is one of

    * ``field`` (``value`` = question name), ``self`` (``.``), ``str`` (``value`` = the text without
      quotes), ``num`` (``value`` = the number as written, ``-`` prefixed when negated), ``bool``
      (``value`` = ``true``/``false``, from ``true()``/``false()``);
    * ``not`` (``args`` = the operand of ``not()``), ``call`` (``value`` = function name);
    * ``binop`` (``value`` = the operator in XPath spelling). ``and``/``or`` hold two or more
      operands: a chain written without parentheses is one node, a parenthesised chain stays a
      nested node (so the writer's grouping can be shown); every other operator holds two.

    Nodes are immutable and compare by value.
    """

    kind: str
    value: str = ""
    args: tuple[Node, ...] = ()


class _Parser:
    """Recursive descent over XPath 1.0 precedence: or < and < equality < relational < additive
    < multiplicative < unary < primary."""

    def __init__(self, text: str, on_call: Callable[[str, str], None] | None = None) -> None:
        self.text = text
        self.on_call = on_call
        self.toks = _tokenize(text)
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise ExpressionError(f"expression ends too early: {self.text!r}")
        self.i += 1
        return tok

    def expect(self, value: str) -> None:
        tok = self.take()
        if tok.value != value or tok.kind not in ("op", "name"):
            raise ExpressionError(f"expected {value!r} but found {tok.value!r} in {self.text!r}")

    def _is(self, kind: str, *values: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == kind and tok.value in values

    def parse(self) -> Node:
        if not self.toks:
            raise ExpressionError("empty expression")
        node = self.or_()
        tok = self.peek()
        if tok is not None:
            raise ExpressionError(f"unexpected {tok.value!r} in {self.text!r}")
        return node

    def _logical(self, op: str, operand) -> Node:  # noqa: ANN001 - a bound method
        parts = [operand()]
        while self._is("name", op):
            self.take()
            parts.append(operand())
        return parts[0] if len(parts) == 1 else Node("binop", op, tuple(parts))

    def or_(self) -> Node:
        return self._logical("or", self.and_)

    def and_(self) -> Node:
        return self._logical("and", self.equality)

    def equality(self) -> Node:
        node = self.relational()
        while self._is("op", "=", "!="):
            op = self.take().value
            node = Node("binop", op, (node, self.relational()))
        return node

    def relational(self) -> Node:
        node = self.additive()
        while self._is("op", "<", "<=", ">", ">="):
            op = self.take().value
            node = Node("binop", op, (node, self.additive()))
        return node

    def additive(self) -> Node:
        node = self.multiplicative()
        while self._is("op", "+", "-"):
            op = self.take().value
            node = Node("binop", op, (node, self.multiplicative()))
        return node

    def multiplicative(self) -> Node:
        node = self.unary()
        while self._is("op", "*") or self._is("name", "div", "mod"):
            op = self.take().value
            node = Node("binop", op, (node, self.unary()))
        return node

    def unary(self) -> Node:
        if self._is("op", "-"):
            self.take()
            inner = self.unary()
            if inner.kind == "num":
                return Node("num", "-" + inner.value if not inner.value.startswith("-") else inner.value[1:])
            return Node("binop", "-", (Node("num", "0"), inner))
        return self.primary()

    def primary(self) -> Node:
        tok = self.take()
        if tok.kind == "field":
            return Node("field", tok.value)
        if tok.kind == "dot":
            return Node("self")
        if tok.kind == "num":
            return Node("num", tok.value)
        if tok.kind == "str":
            return Node("str", tok.value)
        if tok.kind == "op" and tok.value == "(":
            node = self.or_()
            self.expect(")")
            return node
        if tok.kind == "name" and self._is("op", "("):
            return self.call(tok.value)
        raise ExpressionError(f"unexpected {tok.value!r} in {self.text!r}")

    def call(self, name: str) -> Node:
        if self.on_call is not None:
            self.on_call(name, self.text)
        self.take()  # "("
        args: list[Node] = []
        if not self._is("op", ")"):
            args.append(self.or_())
            while self._is("op", ","):
                self.take()
                args.append(self.or_())
        self.expect(")")
        if name in ARITY and len(args) != ARITY[name]:
            raise ExpressionError(f"{name}() takes {ARITY[name]} argument(s), got {len(args)} in {self.text!r}")
        if name in ("true", "false"):
            return Node("bool", name)
        if name == "not":
            return Node("not", args=tuple(args))
        return Node("call", name, tuple(args))


def parse(text: str, on_call: Callable[[str, str], None] | None = None) -> Node:
    """Parse an XLSForm expression into a :class:`Node` tree.

    Parameters
    ----------
    text
        The expression, e.g. ``${consent} = 'yes' and not(selected(${x}, 'a'))``.
    on_call
        Called as ``on_call(function_name, text)`` when a function call is read (in reading order,
        before its arguments); a consumer that supports only some functions raises from it.

    Returns
    -------
    Node
        The syntax tree (XPath 1.0 precedence; see the module docstring).

    Raises
    ------
    ExpressionError
        One line naming the expression, when it is empty, malformed or outside the grammar, or
        calls a function of :data:`ARITY` with the wrong number of arguments. Function names are
        not checked otherwise: consumers reject the ones they do not support (``on_call``).
    """
    return _Parser(str(text), on_call).parse()


# --------------------------------------------------------------------------- walking the tree


def chain(node: Node, op: str) -> list[Node]:
    """The operands of a chain of ``op`` (``and``/``or``), nested chains of the same operator
    flattened: ``a or (b or c)`` → ``[a, b, c]``; any other node → ``[node]``."""
    if node.kind == "binop" and node.value == op:
        return [part for a in node.args for part in chain(a, op)]
    return [node]


def field_names(node: Node) -> list[str]:
    """Question names referenced as ``${name}`` in the tree, sorted and unique."""
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if n.kind == "field":
            out.add(n.value)
        stack.extend(n.args)
    return sorted(out)


# --------------------------------------------------------------------------- constraint shapes

#: ``(min, max, strict_min, strict_max)`` of a numeric constraint on ``.``; a missing side is None.
Bounds = tuple[float | None, float | None, bool, bool]

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _bound(c: Node) -> tuple[str, float] | None:
    """``('>=', 1)`` for a term ``. >= 1`` (or ``1 <= .``), None for anything else."""
    if c.kind != "binop" or c.value not in _FLIP:
        return None
    a, b = c.args
    op = c.value
    if a.kind == "num" and b.kind == "self":
        a, b, op = b, a, _FLIP[op]
    if not (a.kind == "self" and b.kind == "num"):
        return None
    v = float(b.value)
    return op, (int(v) if v.is_integer() else v)


def split_bounds(node: Node) -> tuple[Bounds | None, Node | None]:
    """Split a parsed constraint into numeric bounds on ``.`` and the rest.

    The top-level ``and`` terms ``. >= a``, ``. > a``, ``. <= b``, ``. < b`` (either side order;
    the first lower and the first upper bound) become ``(min, max, strict_min, strict_max)``
    (numbers as written: ``int`` when whole); the other terms are returned as one ``and`` node (or
    the single term; None when there are none). Bounds are None when there is no such term.
    ``. >= 0 and . <= 500 and . <= ${n}`` → ``((0, 500, False, False), <. <= ${n}>)``.
    """
    lo: float | None = None
    hi: float | None = None
    slo = shi = False
    rest: list[Node] = []
    for c in chain(node, "and"):
        b = _bound(c)
        if b is None:
            rest.append(c)
            continue
        op, v = b
        if op in (">", ">=") and lo is None:
            lo, slo = v, op == ">"
        elif op in ("<", "<=") and hi is None:
            hi, shi = v, op == "<"
        else:
            rest.append(c)
    bounds = (lo, hi, slo, shi) if (lo is not None or hi is not None) else None
    if not rest:
        return bounds, None
    return bounds, rest[0] if len(rest) == 1 else Node("binop", "and", tuple(rest))


def self_regex(node: Node) -> str | None:
    """The pattern when the tree is exactly ``regex(., 'pattern')`` (ODK ``regex()``), else None."""
    if node.kind == "call" and node.value == "regex" and node.args[0].kind == "self" \
            and node.args[1].kind == "str":
        return node.args[1].value
    return None

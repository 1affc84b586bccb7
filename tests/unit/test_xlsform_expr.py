"""The one XLSForm expression parser (analysis.instruments.expressions) and the two consumers that walk its tree.

Expected trees follow the XPath 1.0 grammar (W3C XPath 1.0 §3: or < and < equality < relational <
additive < multiplicative < unary) and ODK's ``${name}`` references; they are written out by hand.
"""

from __future__ import annotations

import pytest

from analysis.instruments import expressions as X
from analysis.instruments.expressions import ExpressionError, Node, chain, field_names, parse, self_regex, split_bounds


def F(name: str) -> Node:
    return Node("field", name)


def S(text: str) -> Node:
    return Node("str", text)


def N(text: str) -> Node:
    return Node("num", text)


def B(op: str, *args: Node) -> Node:
    return Node("binop", op, args)


A_X, B_Y, C_Z = B("=", F("a"), S("x")), B("=", F("b"), S("y")), B("=", F("c"), S("z"))


# ------------------------------------------------------------------ and / or / not
def test_and_binds_tighter_than_or():
    assert parse("${a} = 'x' or ${b} = 'y' and ${c} = 'z'") == B("or", A_X, B("and", B_Y, C_Z))
    assert parse("${a} = 'x' and ${b} = 'y' or ${c} = 'z'") == B("or", B("and", A_X, B_Y), C_Z)


def test_parentheses_override_precedence_and_stay_nested():
    assert parse("(${a} = 'x' or ${b} = 'y') and ${c} = 'z'") == B("and", B("or", A_X, B_Y), C_Z)
    # a chain written without parentheses is one node; a parenthesised one stays a nested node
    assert parse("${a} = 'x' or ${b} = 'y' or ${c} = 'z'") == B("or", A_X, B_Y, C_Z)
    nested = parse("(${a} = 'x' or ${b} = 'y') or ${c} = 'z'")
    assert nested == B("or", B("or", A_X, B_Y), C_Z)
    assert chain(nested, "or") == [A_X, B_Y, C_Z]
    assert chain(nested, "and") == [nested]
    assert parse("((${a} = 'x'))") == A_X


def test_not_is_a_function_and_binds_only_its_argument():
    assert parse("not(${a} = 'x') and ${b} = 'y'") == B("and", Node("not", args=(A_X,)), B_Y)
    assert parse("not(${a} = 'x' or ${b} = 'y')") == Node("not", args=(B("or", A_X, B_Y),))


def test_keywords_need_spaces_only_where_a_name_would_run_on():
    assert parse("${a}='x'and${b}='y'") == B("and", A_X, B_Y)
    assert parse("  ${a} = 'x'  ") == A_X


# ------------------------------------------------------------------ comparisons and arithmetic
@pytest.mark.parametrize("op", ["=", "!=", "<", "<=", ">", ">="])
def test_each_comparison_operator(op):
    assert parse(f"${{n}} {op} 3") == B(op, F("n"), N("3"))


def test_relational_binds_tighter_than_equality_and_chains_to_the_left():
    assert parse("1 < 2 = true()") == B("=", B("<", N("1"), N("2")), Node("bool", "true"))
    assert parse("${a} = ${b} != ${c}") == B("!=", B("=", F("a"), F("b")), F("c"))


def test_arithmetic_precedence_and_associativity():
    assert parse("1 + 2 * 3") == B("+", N("1"), B("*", N("2"), N("3")))
    assert parse("10 - 4 - 3") == B("-", B("-", N("10"), N("4")), N("3"))
    assert parse("${a} div 2 mod 3") == B("mod", B("div", F("a"), N("2")), N("3"))
    assert parse(". + coalesce(${w}, 0) <= ${n}") == B(
        "<=", B("+", Node("self"), Node("call", "coalesce", (F("w"), N("0")))), F("n"))


def test_unary_minus():
    assert parse("-3") == N("-3")
    assert parse("- -3") == N("3")
    assert parse("-${a} < 3") == B("<", B("-", N("0"), F("a")), N("3"))
    assert parse("${a}-1") == B("-", F("a"), N("1"))


# ------------------------------------------------------------------ primaries
def test_field_references_and_self():
    assert parse("${consent}") == F("consent")
    assert parse("${ consent }") == F("consent")
    assert parse("${ilo.worked-2}") == F("ilo.worked-2")
    assert parse(".") == Node("self")


def test_string_and_number_literals_keep_their_text():
    assert parse("''") == S("")
    assert parse("'yes'") == S("yes")
    assert parse('"it\'s"') == S("it's")
    assert parse("'${a} and (b'") == S("${a} and (b")
    assert parse("2.50") == N("2.50")
    assert parse(".5") == N(".5")


def test_ODK_function_calls():
    assert parse("selected(${m}, 'b')") == Node("call", "selected", (F("m"), S("b")))
    assert parse("count-selected(${m}) >= 2") == B(">=", Node("call", "count-selected", (F("m"),)), N("2"))
    assert parse("string-length(.)") == Node("call", "string-length", (Node("self"),))
    assert parse("today()") == Node("call", "today")
    assert parse("date('2000-01-01')") == Node("call", "date", (S("2000-01-01"),))
    assert parse("coalesce(${w}, 0)") == Node("call", "coalesce", (F("w"), N("0")))
    assert parse("regex(., '^[0-9]{8}$')") == Node("call", "regex", (Node("self"), S("^[0-9]{8}$")))
    assert parse("true()") == Node("bool", "true")
    assert parse("false()") == Node("bool", "false")


def test_other_function_names_are_read_and_left_to_consumers():
    assert parse("if(${a} = 'x', 1, 0)") == Node("call", "if", (A_X, N("1"), N("0")))
    assert parse("jr:choice-name(${a}, '${a}')") == Node("call", "jr:choice-name", (F("a"), S("${a}")))


def test_on_call_sees_functions_in_reading_order_and_can_reject():
    seen: list[str] = []
    parse("not(regex(., 'x')) and count-selected(${m}) > coalesce(${w}, today())",
          on_call=lambda name, text: seen.append(name))
    assert seen == ["not", "regex", "count-selected", "coalesce", "today"]

    def only_selected(name: str, text: str) -> None:
        if name != "selected":
            raise ExpressionError(f"{name}() not allowed in {text!r}")

    with pytest.raises(ExpressionError, match=r"if\(\) not allowed"):
        parse("selected(${a}, 'x') or if(1, 2, 3 4)", on_call=only_selected)  # rejected before its bad args


def test_nodes_compare_by_value_and_hash():
    assert parse("${a}='x'") == parse("${a} = 'x'")
    assert len({parse("${a} = 'x'"), parse(" ${a}  =  'x' "), parse("${a} = 'y'")}) == 2


def test_field_names_are_sorted_unique_and_skip_string_contents():
    assert field_names(parse("${b} = '1' and (${a} > ${b} or selected(${c}, '${z}'))")) == ["a", "b", "c"]


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize("expr, message", [
    ("${a} = = 'x'", "unexpected '='"),
    ("${a} = 'x' and", "expression ends too early"),
    ("${a} = 'x' )", "unexpected ')'"),
    ("(${a} = 'x'", "expression ends too early"),
    ("position(..) > 1", "expected ')' but found '.'"),  # XPath location paths are not XLSForm
    ("/data/a = 'x'", "cannot read \"/data/a"),
    ("$a = 1", "cannot read '$a = 1'"),
    ("${a} = 'x", "cannot read \" 'x\""),  # an unclosed string
    ("selected(${a})", "selected() takes 2 argument(s), got 1"),
    ("not(${a}, ${b})", "not() takes 1 argument(s), got 2"),
    ("today(1)", "today() takes 0 argument(s), got 1"),
    ("${a} 'x'", "unexpected 'x'"),
])
def test_unsupported_syntax_is_a_one_line_error_naming_the_expression(expr, message):
    with pytest.raises(ExpressionError) as info:
        parse(expr)
    text = str(info.value)
    assert message in text
    assert "\n" not in text
    assert repr(expr) in text or repr(expr.strip()) in text


def test_empty_expression_is_an_error_and_a_value_error():
    with pytest.raises(ValueError, match="empty expression"):
        parse("   ")
    assert issubclass(ExpressionError, ValueError)


# ------------------------------------------------------------------ constraint shapes
def test_split_bounds_takes_top_level_bounds_on_self():
    bounds, rest = split_bounds(parse(". >= 0 and . <= 500 and . <= ${applications_n}"))
    assert bounds == (0, 500, False, False)
    assert rest == B("<=", Node("self"), F("applications_n"))
    assert split_bounds(parse("1 < . and . < 10")) == ((1, 10, True, True), None)
    assert split_bounds(parse("2.5 <= .")) == ((2.5, None, False, False), None)
    both = parse(". >= 1 and . >= 2 and ${a} = 'x'")  # second lower bound is kept as a term
    assert split_bounds(both) == ((1, None, False, False), B("and", B(">=", Node("self"), N("2")), A_X))
    inside_or = parse(". >= 1 or . = 99")
    assert split_bounds(inside_or) == (None, inside_or)


def test_self_regex_only_for_exactly_regex_of_self():
    assert self_regex(parse("regex(., '^[0-9]{8}$')")) == "^[0-9]{8}$"
    assert self_regex(parse("regex(${a}, '^x$')")) is None
    assert self_regex(parse("not(regex(., '^x$'))")) is None


# ------------------------------------------------------------------ both consumers walk this tree
def test_consumers_share_the_tree_and_the_error_class():
    from analysis.instruments.relevance import RelevantSyntaxError, parse_relevant
    from analysis.validate import xpath

    expr = "(${a} = 'x' or ${b} = 'y') and not(selected(${m}, 'c'))"
    assert xpath.parse(expr) == parse_relevant(expr) == parse(expr)
    assert xpath.Node is Node
    assert issubclass(xpath.XPathTranslationError, ExpressionError)
    assert issubclass(RelevantSyntaxError, ExpressionError)
    with pytest.raises(xpath.XPathTranslationError, match="not supported by the relevance translator"):
        xpath.parse("if(${a} = 'x', 1, 0) = 1")  # the pandas emitter rejects functions it cannot translate
    with pytest.raises(RelevantSyntaxError):
        parse_relevant("${a} = = 'x'")


def test_evaluator_follows_xpath_arithmetic():
    from analysis.instruments.relevance import evaluate_relevant

    assert evaluate_relevant("1 + 2 * 3 = 7", {}) is True  # * before +
    assert evaluate_relevant("${n} div 4 = 2.5", {"n": "10"}) is True
    assert evaluate_relevant("-7 mod 3 = -1", {}) is True  # XPath mod truncates (like C fmod)
    assert evaluate_relevant("1 div 0 > 1000000", {}) is True  # IEEE 754: 1 div 0 = Infinity
    assert evaluate_relevant("${n} - 1 > 0", {}) is None  # unknown answer stays unknown


def test_module_lists_its_api():
    assert set(X.__all__) >= {"parse", "Node", "ExpressionError", "chain", "field_names", "split_bounds",
                              "self_regex"}

"""The printable paper questionnaire and the telephone-interview script of one XLSForm, as one HTML page.

One job: the questionnaire as a document. :func:`questionnaire_html` builds a view of the instrument in
one language — numbered data questions in form order, tick boxes, digit cells, answer lines, the skip
logic written out as "Answer only if …" and "→ go to question N" (computed by evaluating the conditions,
three-valued, :mod:`analysis.instruments.relevance`) — and renders it with the Jinja2 template
``templates/questionnaire.html.j2`` (package data; autoescaped with :func:`html.escape`). The texts are
``form_*`` and ``skip_*`` of ``definitions/messages/questionnaire.yaml``; the page is self-contained (no
scripts, no external resources) with print CSS for A4.
"""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from analysis.core.i18n import LANGS, check_lang, messages
from analysis.core.paths import TEMPLATES
from analysis.errors import ConfigError
from analysis.instruments.constraints import numeric_range
from analysis.instruments.expressions import Node
from analysis.instruments.relevance import (
    RelevantSyntaxError,
    describe_relevant,
    evaluate_relevant,
    number_text,
    parse_relevant_or_none,
    question_numbers,
)
from analysis.instruments.xlsform import Instrument, Question

__all__ = ["QUESTIONNAIRE_TEMPLATE", "KINDS", "questionnaire_html"]

#: the Jinja2 template of the page (package data)
QUESTIONNAIRE_TEMPLATE = TEMPLATES / "questionnaire.html.j2"

#: the two documents: the paper questionnaire and the telephone-interview script
KINDS = ("paper", "phone")

# filled in by the interviewer from the contact list or the call itself, not read out on the phone
_INTERVIEWER_FILLS = frozenset({"student_id", "employer_id", "survey_date", "isco_code"})


def _escape(value: Any) -> Markup:
    """Every printed value escaped as :func:`html.escape` does (``&quot;``, ``&#x27;``), once."""
    return value if isinstance(value, Markup) else Markup(html.escape(str(value), quote=True))


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(QUESTIONNAIRE_TEMPLATE.parent), autoescape=True, finalize=_escape,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
    )
    return env.get_template(QUESTIONNAIRE_TEMPLATE.name)


def questionnaire_html(inst: Instrument, lang: str = "ky", kind: str = "paper") -> str:
    """A printable, self-contained HTML version of ``inst``: paper questionnaire or phone script.

    Questions are numbered (data questions only, in form order); tick boxes for choices; answer
    lines and digit cells for numbers and dates. The skip logic (``relevant``) is written out as
    "Answer only if …" under each question whose condition is not already the section's, and as
    "→ go to question N" next to an answer that skips the following questions (computed by
    evaluating the conditions with that answer, three-valued). ``kind="phone"`` adds the
    interviewer's introduction, read-out and recording instructions. No scripts, no external
    resources; print CSS for A4 (the template ``templates/questionnaire.html.j2``).
    """
    check_lang(lang)
    if kind not in KINDS:
        raise ConfigError(f"questionnaire kind '{kind}' is not supported (choose paper or phone)")
    ui = messages("form_", lang)
    t = messages("skip_", lang)
    phone = kind == "phone"
    numbers = question_numbers(inst)
    data_qs = list(inst.data_questions)
    parsed = {q.name: parse_relevant_or_none(q.relevant) if q.relevant else None for q in inst.questions}
    title = inst.title.split(" / ")[LANGS.index(lang)] if inst.title.count(" / ") == 2 else inst.title
    greeting = None
    if phone:
        who = ui["who_emp"] if inst.name == "employer" else ui["who_grad"]
        greeting = ui["greeting"].format(who=who)

    blocks: list[dict[str, Any]] = []
    current_group: object = object()
    section_node: Node | None = None
    for q in inst.questions:
        if q.type == "group":
            continue
        if q.group != current_group:
            current_group = q.group
            section_node = parsed.get(q.group) if q.group else None
            if q.group:
                condition = None
                if section_node is not None:
                    key = "section_ask_only_if" if phone else "section_only_if"
                    condition = t[key].format(c=describe_relevant(inst, section_node, lang, numbers))
                blocks.append({"kind": "section", "title": inst.label(q.group, lang), "condition": condition})
        if q.type == "note":
            css = "intro" if q.name == "intro" else "end" if q.name == "end_note" else "note"
            blocks.append({"kind": "note", "css": css, "read": ui["read"] if phone else None,
                           "text": inst.label(q.name, lang)})
            continue
        if not q.is_data:
            continue
        blocks.append(_question_view(inst, q, lang, phone, numbers, parsed, section_node, data_qs))
    return _template().render(
        lang=lang, title=title, kind_label=ui[kind], form_id=inst.form_id, version_label=ui["version"],
        version=inst.version, office=ui["office"], read_out=ui["read"], greeting=greeting, blocks=blocks,
    )


def _is_and(node: Node) -> bool:
    """The node is an ``and`` of several terms."""
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




def _question_view(inst: Instrument, q: Question, lang: str, phone: bool, numbers: dict[str, int],
                   parsed: dict[str, Node | None], section_node: Node | None,
                   data_qs: list[Question]) -> dict[str, Any]:
    """What the template prints for one data question, every text in ``lang`` (not yet escaped)."""
    ui, t = messages("form_", lang), messages("skip_", lang)
    view: dict[str, Any] = {
        "kind": "question", "n": numbers[q.name], "label": inst.label(q.name, lang),
        "read": ui["fills" if q.name in _INTERVIEWER_FILLS else "read"] if phone else None,
        "required": ui["required"] if q.required else None, "condition": None,
        "hint": inst.hint(q.name, lang), "interviewer": ui["interviewer"] if phone else None,
        "instruction": None, "answer": "text", "lines": 0,
    }
    node = parsed.get(q.name)
    if node is not None:
        own = _strip_conjuncts(node, section_node)
        if own is not None:
            key = "ask_only_if" if phone else "only_if"
            view["condition"] = t[key].format(c=describe_relevant(inst, own, lang, numbers))
    elif q.relevant:  # unparsable expression: show it as is
        view["condition"] = q.relevant
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
            view["instruction"] = instr
        if is_scale:
            low = inst.choice_label(q.list_name, codes[0], lang)
            high = inst.choice_label(q.list_name, codes[-1], lang)
            view.update(answer="scale", codes=codes, anchors=(low, high) if low != codes[0] else None)
        else:
            skips = _skip_targets(inst, q, data_qs, parsed, numbers)
            options = []
            for c in codes:
                target = skips.get(c)
                skip = None if target is None else t["goto_end"] if target == "end" else t["goto"].format(n=target)
                options.append((inst.choice_label(q.name, c, lang), skip))
            view.update(answer="options", options_class="opts cols" if len(codes) > 8 else "opts", options=options)
    elif q.type in ("integer", "decimal"):
        lo, hi = numeric_range(q.constraint)
        width = max(2, len(number_text(hi))) if hi is not None else 4
        rng_txt = f"{number_text(lo)} – {number_text(hi)}" if lo is not None and hi is not None else ui["number"]
        view.update(answer="cells", cells="".join("|__" for _ in range(min(width, 8))) + "|", cells_note=rng_txt)
    elif q.type == "date":
        if q.appearance == "month-year":
            view.update(answer="cells", cells="|__|__| . |__|__|__|__|", cells_note=ui["month"])
        else:
            view.update(answer="cells", cells="|__|__| . |__|__| . |__|__|__|__|", cells_note=ui["date"])
    else:  # text
        if phone and q.name not in _INTERVIEWER_FILLS:
            view["instruction"] = ui["verbatim"]
        view["lines"] = 3 if q.appearance == "multiline" else 1
    return view

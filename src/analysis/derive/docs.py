"""The indicator reference page ``docs/indicators.md``, generated from the registry and the derivations' docstrings.

One job: write the registry (:mod:`analysis.derive.registry`) as Markdown in ky, ru or en — headings and
prose from the message catalogue (``definitions/messages/indicator_docs.yaml``), technical definitions
in English as in the registry — and the rules of the per-graduate variables from the docstrings of the
derivation modules, so the page never disagrees with the code.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analysis.core.i18n import LANGS
from analysis.core.i18n import t as message
from analysis.core.paths import SOURCE_ROOT
from analysis.derive import income, job, labour, match, transition
from analysis.derive.registry import GROUPS, load_registry
from analysis.errors import ConfigError

DOCS_FILE = SOURCE_ROOT / "docs" / "indicators.md"


#: the language of the registry's technical definitions (universe, numerator, sources): the page says so in
#: the other languages
TECHNICAL_LANG = "en"

#: the derivations whose rules the page quotes, in the order of the page
DOC_FUNCTIONS = (
    labour.labour_status, labour.full_time, labour.available_full_time, labour.further_study, labour.nace_outcome,
    transition.months_to_first_job, transition.job_within_months, transition.job_search_months,
    job.isco_major_from, job.skill_level, job.sector, job.informal, job.abroad, job.works_in_region,
    income.income_kgs, income.income_for_statistics, income.income_relative,
    match.vertical_match_subjective, match.vertical_match_normative, match.horizontal_match_subjective,
    match.horizontal_match_normative, match.degree_effectiveness, match.competence_gap, match.programme_eval_score,
)


def _condition_text(where: Mapping[str, Any] | None) -> str:
    if not where:
        return "all rows"
    parts = []
    for col, cond in where.items():
        if isinstance(cond, Mapping):
            for op, val in cond.items():
                sym = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "ne": "≠"}.get(op)
                if op == "notna":
                    parts.append(f"{col} is {'known' if val else 'missing'}")
                elif op == "in":
                    parts.append(f"{col} ∈ {{{', '.join(map(_fmt, val))}}}")
                else:
                    parts.append(f"{col} {sym} {_fmt(val)}")
        elif isinstance(cond, (list, tuple)):
            parts.append(f"{col} ∈ {{{', '.join(map(_fmt, cond))}}}")
        else:
            parts.append(f"{col} = {_fmt(cond)}")
    return " AND ".join(parts)


def _fmt(v: Any) -> str:
    return str(v).lower() if isinstance(v, bool) else str(v)


def _md(text: str) -> str:
    """reStructuredText bits of a docstring → Markdown (roles, double backticks, <NA>)."""
    text = re.sub(r":(?:func|mod|class|meth):`~?([^`]+)`", r"`\1`", text)
    text = text.replace("``", "`")
    return re.sub(r"(?<!`)<NA>(?!`)", "`<NA>`", text)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def indicators_markdown(lang: str = "en") -> str:
    """The indicator reference page (Markdown) generated from the registry, in ``lang`` (ky, ru, en).

    Labels, descriptions and headings are in ``lang``. Technical definitions (universe, numerator,
    denominator, sources) are in English, as in the registry.
    """
    if lang not in LANGS:
        raise ConfigError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")

    def t(key: str) -> str:
        return message("indicator_docs_" + key.replace(":", "_"), lang)

    inds = load_registry()
    lines = [f"# {t('title')}", "", f"<!-- {t('generated')} -->", "", t("intro"), ""]
    if lang != TECHNICAL_LANG:
        lines += [t("tech_en"), ""]
    lines += [f"## {t('summary')}", "", f"| id | {t('indicator')} | {t('unit')} | {t('statistic')} | {t('standard')} |",
              "|---|---|---|---|---|"]
    for ind in inds:
        lines.append(f"| `{ind.id}` | {_cell(ind.label[lang])} | {ind.unit} | {ind.statistic} "
                     f"| {_cell(ind.standard)} |")
    lines.append("")
    for group in GROUPS:
        members = [i for i in inds if i.group == group]
        if not members:
            continue
        lines += [f"## {t('group:' + group)}", ""]
        for ind in members:
            lines += [f"### {ind.label[lang]} (`{ind.id}`)", "", ind.description[lang], ""]
            rows = [
                (t("universe"), f"{ind.universe_text} — {t('condition')}: `{_condition_text(ind.universe_where)}`"),
                (t("numerator"), ind.numerator_text + (
                    f" — {t('condition')}: `{_condition_text(ind.numerator_where)}`" if ind.numerator_where else "")),
                (t("denominator"), ind.denominator),
                (t("statistic"), ind.statistic),
                (t("unit"), ind.unit),
                (t("variable"), f"`{ind.variable}`"),
            ]
            if ind.items:
                rows.append((t("items"), ", ".join(f"`{i}`" for i in ind.items)))
            rows += [(t("direction"), t(ind.direction)), (t("min_n"), str(ind.min_n))]
            if ind.target is not None:
                rows.append((t("target"), f"{ind.target:.0%}"))
            rows += [(t("standard"), ind.standard), (t("source"), ind.source)]
            if ind.notes:
                rows.append((t("notes"), ind.notes))
            lines += ["| | |", "|---|---|"] + [f"| {k} | {_cell(v)} |" for k, v in rows] + [""]
    lines += [f"## {t('derived')}", "", t("derived_intro"), ""]
    for func in DOC_FUNCTIONS:
        doc = inspect.getdoc(func) or ""
        body = doc.split("\n\n")
        lines += [f"### `{func.__name__}`", ""]
        for para in body:
            if re.match(r"^(Parameters|Returns|Raises)\n-+", para):
                break
            lines += [_md(para), ""]
    return "\n".join(lines).rstrip() + "\n"


def write_indicator_docs(path: str | Path | None = None, lang: str = "en") -> Path:
    """Write :func:`indicators_markdown` to ``path`` (default ``docs/indicators.md``); return the path."""
    path = Path(path or DOCS_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(indicators_markdown(lang), encoding="utf-8")
    return path

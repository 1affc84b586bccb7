"""The validation rules: severity and action of each, and its message in Kyrgyz, Russian and English.

Each rule has a **severity** and an **action** (what happens to the row or cell):

=========  ================  ==========================================================================
severity   action            effect on the raw row
=========  ================  ==========================================================================
error      quarantine_row    the row is ``quarantined``: kept out of the accepted table until fixed
warning    null_cell         the row is accepted (``warning``); this cell is set to empty in the
                             accepted table (the raw value stays in ``quarantine.parquet``)
warning    flag              the row is accepted (``warning``) unchanged
merged     merge             the row is ``merged_duplicate``: superseded by the kept row named in the
                             message
=========  ================  ==========================================================================

Messages of rules that come from a questionnaire constraint use the XLSForm's own
``constraint_message`` when it has one; otherwise the rule's message (``rule_message_<key>`` of
``definitions/messages/validation_messages.yaml``). Placeholders in ``{braces}``
are filled from the expectation's parameters and the row's values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from analysis.core.i18n import LANGS, catalogue
from analysis.errors import ConfigError


@dataclass(frozen=True)
class Rule:
    """One validation rule: its key, severity and action; its message per language is ``rule_message_<key>``
    of ``definitions/messages/validation_messages.yaml``."""

    key: str
    severity: str
    action: str

    @property
    def text(self) -> dict[str, str]:
        """The message in ky/ru/en, placeholders in braces."""
        return dict(catalogue()[f"rule_message_{self.key}"])


_RULES: tuple[Rule, ...] = (
    # ---- from the questionnaire (great-expectations suites)
    Rule("type_integer", "error", "quarantine_row"),
    Rule("type_decimal", "error", "quarantine_row"),
    Rule("type_date", "warning", "null_cell"),
    Rule("date_ambiguous", "warning", "null_cell"),
    Rule("unknown_code", "error", "quarantine_row"),
    Rule("out_of_range", "error", "quarantine_row"),
    Rule("pattern", "error", "quarantine_row"),
    Rule("contact_pattern", "warning", "flag"),
    Rule("constraint", "error", "quarantine_row"),
    Rule("required", "error", "quarantine_row"),
    Rule("not_relevant", "warning", "null_cell"),
    Rule("duplicate_id", "info", "none"),
    # ---- hand-written cross-field and cross-file rules (crossfile.py)
    Rule("exact_duplicate", "merged", "merge"),
    Rule("duplicate_submission", "merged", "merge"),
    Rule("not_in_registry", "error", "quarantine_row"),
    Rule("survey_before_graduation", "error", "quarantine_row"),
    Rule("first_job_too_early", "error", "quarantine_row"),
    Rule("first_job_after_survey", "error", "quarantine_row"),
    Rule("hours_range", "error", "quarantine_row"),
    Rule("income_implausible", "error", "quarantine_row"),
    Rule("income_below_min_wage", "warning", "flag"),
    Rule("replies_gt_applications", "error", "quarantine_row"),
    Rule("interviews_gt_replies", "error", "quarantine_row"),
    Rule("programme_mismatch", "warning", "flag"),
    Rule("select_multiple_repeated", "warning", "flag"),
    Rule("select_multiple_exclusive", "error", "quarantine_row"),
    Rule("select_multiple_split", "warning", "flag"),
    Rule("job_block_missing", "warning", "flag"),
    Rule("job_block_not_employed", "warning", "null_cell"),
)

RULES: dict[str, Rule] = {r.key: r for r in _RULES}
"""Every rule by key."""

SEVERITIES = ("error", "warning", "merged", "info")


def rule(key: str) -> Rule:
    """The :class:`Rule` ``key`` (KeyError for an unknown rule: a programming error)."""
    return RULES[key]


ALL_LANGS = "all"
"""``lang`` value asking :func:`message` for every language at once (a JSON object)."""


def split_messages(df: pd.DataFrame, column: str = "message") -> pd.DataFrame:
    """Turn JSON messages made with ``lang="all"`` into ``message_ky``, ``message_ru``, ``message_en``
    columns; ``message`` keeps the Kyrgyz text. Plain (one-language) messages are copied to all three."""
    out = df.copy()
    parsed = [json.loads(m) if isinstance(m, str) and m.startswith("{") else None for m in out[column]]
    for code in LANGS:
        out[f"{column}_{code}"] = [p[code] if p else m for p, m in zip(parsed, out[column])]
    out[column] = out[f"{column}_ky"]
    return out


def message(key: str, lang: str = "ky", override: dict[str, str] | None = None, **fmt: object) -> str:
    """The message of rule ``key`` in ``lang`` with placeholders filled.

    ``override`` is a per-language text from the questionnaire (an XLSForm ``constraint_message``);
    it wins when it has text for ``lang``. Unknown placeholders are left as written.
    """
    if lang == ALL_LANGS:
        # every language at once (JSON), so one validation run serves reports in ky, ru and en
        return json.dumps({code: message(key, code, override, **fmt) for code in LANGS},
                          ensure_ascii=False, sort_keys=True)
    if lang not in LANGS:
        raise ConfigError(f"language '{lang}' is not supported for validation messages "
                          f"(choose from {', '.join(LANGS)})")
    text = (override or {}).get(lang) or RULES[key].text[lang]
    return text.format_map(_Keep(fmt))


class _Keep(dict):
    """``str.format_map`` mapping that leaves unknown placeholders as ``{name}``."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"

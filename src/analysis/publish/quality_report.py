"""Tables of the report's data-quality section, formatted from the validation stage's outputs.

The numbers are computed once, by :func:`analysis.validate.quality.quality_data`, and written by
stage 1 to ``data/processed/COHORT/validated/quality/``; this module only labels them in the report
language. Counts of problems describe files, not people, and are shown as they are; response rates
(percentages of people) are rows of the published results table, under its disclosure control.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from analysis.core.i18n import catalogue, t
from analysis.core.paths import CohortPaths
from analysis.publish.formatting import fmt_pct

OUTCOMES = ("accepted", "warning", "quarantined", "merged_duplicate")


def rule_title(rule: str, lang: str) -> str:
    """The short title of a validation rule in ``lang`` (the rule key when it has none)."""
    return t(f"rule_{rule}", lang) if f"rule_{rule}" in catalogue() else rule
_OUTCOME_COL = {"accepted": "col_accepted", "warning": "col_warning", "quarantined": "col_quarantined",
                "merged_duplicate": "col_merged"}
_WHAT = {"phase2_response": "what_p2_response", "knowledge_rate": "what_knowledge_rate"}


def _read(path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.exists() else pd.DataFrame()


def accounting(by_file: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, bool]:
    """Raw rows per file split by outcome, and whether the identity holds for every file."""
    if by_file.empty:
        return pd.DataFrame(), True
    out = pd.DataFrame({t("col_file", lang): by_file["file"], t("col_rows", lang): by_file["raw_rows"]})
    for o in OUTCOMES:
        out[t(_OUTCOME_COL[o], lang)] = by_file[o] if o in by_file else 0
    parts = by_file[[o for o in OUTCOMES if o in by_file]].sum(axis=1)
    ok = bool((parts == by_file["raw_rows"]).all()) and bool(by_file.get("identity_holds", pd.Series([True])).all())
    return out, ok


def rules_table(by_rule: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Problems per rule: severity, action, issues, rows affected."""
    if by_rule.empty:
        return by_rule
    by_rule = by_rule.assign(rule=[rule_title(r, lang) for r in by_rule["rule"]])
    return by_rule[["rule", "issues", "rows"]].rename(
        columns={"rule": t("col_rule", lang), "issues": t("col_count", lang), "rows": t("col_rows_affected", lang)})


def examples_table(examples: pd.DataFrame, lang: str) -> pd.DataFrame:
    """One example per rule: file, row, question, value (personal values hidden), message."""
    if examples.empty:
        return examples
    if f"message_{lang}" in examples.columns:
        examples = examples.assign(message=examples[f"message_{lang}"])
    examples = examples.assign(rule=[rule_title(r, lang) for r in examples["rule"]])
    cols = {"rule": t("col_rule", lang), "file": t("col_file", lang), "row": t("col_row", lang),
            "column": t("col_column", lang), "value": t("col_value", lang), "message": t("col_message", lang)}
    return examples[[c for c in cols if c in examples.columns]].rename(columns=cols)


def target_flags(flags: pd.DataFrame, lang: str, label: Callable[[str, str], str]) -> list[tuple[str, bool]]:
    """Sentences on the cohort-level targets (HESA response, NACE knowledge rate, previous cohort)."""
    lines = []
    if flags.empty:
        return lines
    overall = flags[flags["domain"] == "all"]
    for _, f in overall.iterrows():
        key = "target_missed" if f["missed"] else "target_met"
        lines.append((t(key, lang, what=t(_WHAT.get(f["indicator"], "what_p2_response"), lang),
                        value=fmt_pct(f["rate"], lang), target=fmt_pct(f["threshold"], lang)) +
                      f" ({f['reference']})", not bool(f["missed"])))
    missed = flags[(flags["domain"] != "all") & flags["missed"] & (flags["indicator"] == "phase2_response")]
    if len(missed):
        names = sorted(set(missed["domain"].astype(str)))
        shown = ", ".join(label("programme", n) for n in names)
        lines.append((t("groups_below_target", lang, k=len(names), names=shown), False))
    return lines


def quality_tables(paths: CohortPaths, lang: str, label: Callable[[str, str], str]) -> dict[str, Any]:
    """The file-level tables of the data-quality section (response rates of people come from the
    published results table instead)."""
    q = paths.validated / "quality"
    acc, ok = accounting(_read(q / "by_file.parquet"), lang)
    return {"accounting": acc, "identity_ok": ok, "rules": rules_table(_read(q / "by_rule.parquet"), lang),
            "examples": examples_table(_read(q / "examples.parquet"), lang),
            "flags": target_flags(_read(q / "flags.parquet"), lang, label)}

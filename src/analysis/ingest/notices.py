"""Ingestion notices as structured records, with their messages in Kyrgyz, Russian and English.

Every reader reports what it fixed or noticed through :meth:`analysis.ingest.context.ReadContext.note`
with a **kind** (a key of :data:`KINDS`) and the values of its placeholders. A notice then carries:

* ``file``, ``row`` (as a spreadsheet user sees it; ``None`` for the whole file), ``column``;
* ``kind`` and ``level``: ``info`` (an automatic fix, nothing lost), ``warning`` (something the
  checker must look at: answers dropped or set aside, an assumption made) or ``error`` (the run
  stops: :func:`analysis.ingest.cohort.check_cohort`);
* ``count`` — the answers (cells) or rows affected;
* the message and a suggestion in ky/ru/en (:func:`render`).

Stage 1 writes them to ``data/processed/COHORT/validated/notices.parquet``
(:data:`NOTICE_COLUMNS`, :func:`notice_records`); ``tracer run`` prints one line per notice,
notebook 01 and the report's data-quality section show them. Which notices stop a run is decided
in :mod:`analysis.ingest.cohort` and documented in ``docs/ingestion.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.core.i18n import LANGS, catalogue, check_lang

LEVELS: tuple[str, ...] = ("info", "warning", "error")

NOTICE_COLUMNS: tuple[str, ...] = (
    "file", "row", "column", "kind", "level", "count", "message_ky", "message_ru", "message_en",
    "suggestion_ky", "suggestion_ru", "suggestion_en",
)
"""Columns of ``validated/notices.parquet`` (one line per notice, in the order they were found)."""


@dataclass(frozen=True)
class Kind:
    """One kind of notice: its name and default level; its message (``notice_kind_<name>``) and optional
    suggestion (``notice_todo_<name>``) per language are in ``definitions/messages/notice_kinds.yaml``."""

    name: str
    level: str

    @property
    def text(self) -> dict[str, str]:
        """The message in ky/ru/en, placeholders in braces."""
        return dict(catalogue()[f"notice_kind_{self.name}"])

    @property
    def suggestion(self) -> dict[str, str] | None:
        """What to do, in ky/ru/en; None for a kind without advice."""
        texts = catalogue().get(f"notice_todo_{self.name}")
        return dict(texts) if texts else None


FIXES: tuple[str, ...] = (
    "nfc", "strip", "collapse", "whole_number", "excel_date", "excel_datetime", "iso_date", "excel_serial",
    "dayfirst", "monthfirst", "date_time_dropped",
)
"""The automatic cell fixes (kind ``cell_fix``); their names per language are ``cell_fix_<fix>`` of the catalogue."""

KINDS: dict[str, Kind] = {name: Kind(name, level) for name, level in (
    ("cell_fix", "info"), ("lost_letters", "warning"), ("labels_to_codes", "info"), ("unmapped_answers", "warning"),
    ("labels_language", "info"), ("multi_odd_values", "warning"), ("multi_summary_empty", "warning"),
    ("multi_ambiguous", "warning"), ("multi_disagree", "warning"), ("empty_rows", "info"), ("date_order", "info"),
    ("date_ambiguous", "warning"), ("date_unreadable", "warning"), ("blank_header", "warning"),
    ("unknown_column", "warning"), ("did_you_mean", "warning"), ("option_not_in_list", "warning"),
    ("header_case", "info"), ("renamed_column", "info"), ("dropped_on_purpose", "info"), ("rename_unused", "warning"),
    ("questions_absent", "info"), ("not_asked", "info"), ("encoding_fallback", "info"),
    ("encoding_single_byte", "warning"), ("delimiter_detected", "info"), ("delimiter_unusual", "info"),
    ("zip_root", "info"), ("formula_no_value", "warning"), ("formula_cached", "info"), ("workbook_no_meta", "info"),
    ("workbook_version", "info"), ("workbook_label_row", "info"), ("spss_label_match", "info"),
    ("spss_values_mapped", "info"), ("spss_labels_language", "info"), ("bad_mode", "warning"),
    ("mode_mismatch", "info"), ("mode_not_declared", "info"), ("mapping_columns_missing", "warning"),
    ("mapping_values_unused", "warning"), ("values_recoded", "info"), ("constant_ignored", "warning"),
    ("constant_set", "warning"), ("question_derived", "info"), ("row_id_generated", "info"), ("covariate", "info"),
    ("covariate_invalid", "warning"), ("required_missing", "error"), ("required_missing_in_file", "warning"),
    ("answers_lost", "error"), ("not_asked_cohort", "info"), ("no_registry", "warning"), ("note", "info"),
)}
"""Every kind of notice and its default level (message and suggestion: :class:`Kind`)."""


class _Keep(dict):
    """``str.format_map`` mapping that leaves unknown placeholders as ``{name}``."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _params(params: dict[str, Any]) -> dict[str, Any]:
    """Placeholders plus the English plural endings derived from ``n``."""
    out = dict(params)
    n = out.get("n")
    if isinstance(n, int):
        out.setdefault("s", "" if n == 1 else "s")
        out.setdefault("s_match", " matches" if n == 1 else "s match")
    else:
        out.setdefault("s", "s")
        out.setdefault("s_match", "s match")
    return out


def render(kind: str, lang: str, params: dict[str, Any], suggestion: bool = False) -> str:
    """The message (or, with ``suggestion``, the suggestion) of a notice of ``kind`` in ``lang``.

    ``fix`` (kind ``cell_fix``) is translated through :data:`FIXES` (``cell_fix_<fix>``). An unknown kind
    renders as its ``text`` parameter; a missing suggestion as ``""``.
    """
    check_lang(lang)
    k = KINDS.get(kind, KINDS["note"])
    p = _params(params)
    if kind == "cell_fix" and p.get("fix") in FIXES:
        p["fix"] = catalogue()[f"cell_fix_{p['fix']}"][lang]
    if suggestion:
        sug = k.suggestion
        return "" if sug is None else sug[lang].format_map(_Keep(p))
    return k.text[lang].format_map(_Keep(p))


def notice_records(notices: Iterable[Any]) -> pd.DataFrame:
    """The notices (:class:`analysis.ingest.context.Notice`) as a table with :data:`NOTICE_COLUMNS`."""
    rows = []
    for n in notices:
        rec = {"file": n.file, "row": n.row, "column": n.column, "kind": n.kind, "level": n.level,
               "count": n.count}
        for lang in LANGS:
            rec[f"message_{lang}"] = n.message(lang)
            rec[f"suggestion_{lang}"] = n.suggestion(lang)
        rows.append(rec)
    df = pd.DataFrame(rows, columns=list(NOTICE_COLUMNS))
    df["row"] = pd.array(df["row"].tolist(), dtype="Int64")
    df["count"] = pd.array(df["count"].tolist(), dtype="Int64")
    for c in NOTICE_COLUMNS:
        if c not in ("row", "count"):
            df[c] = df[c].astype(object).where(df[c].notna(), "").astype(str)
    return df


def console_line(rec: dict[str, Any] | pd.Series, lang: str = "en") -> str:
    """One notice as one console line: level, where, message, count and suggestion."""
    where = str(rec["file"])
    row = rec.get("row")
    if row is not None and not pd.isna(row):
        where += f", row {int(row)}"
    if rec.get("column"):
        where += f", column '{rec['column']}'"
    line = f"{str(rec['level']).upper():7s} {where}: {rec[f'message_{lang}']}"
    count = rec.get("count")
    if count is not None and not pd.isna(count):
        line += f" [{int(count)}]"
    sug = rec.get(f"suggestion_{lang}")
    if sug:
        line += f" — {sug}"
    return " ".join(line.split())

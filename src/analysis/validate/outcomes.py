"""Row outcomes, the quarantine table, the accounting identity and the typed accepted table.

Every raw row ends in exactly one outcome (``docs/architecture.md``, "Row outcomes"):

* ``merged_duplicate`` — superseded by another row of the same respondent (rule in its message);
* ``quarantined`` — at least one issue of severity ``error``;
* ``warning`` — accepted, with at least one issue of severity ``warning``;
* ``accepted`` — no issue.

The identity *raw rows = accepted + warning + quarantined + merged_duplicate* is checked per
file by :func:`check_identity`, which raises :class:`AccountingError` when it does not hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from analysis.errors import TracerError
from analysis.validate import xpath
from analysis.validate.messages import RULES, message
from analysis.validate.suites import question_type

__all__ = [
    "OUTCOMES", "ISSUE_COLUMNS", "QUARANTINE_COLUMNS", "OUTCOME_COLUMNS", "AccountingError",
    "issue_frame", "empty_issues", "dedupe_issues", "assign_outcomes", "check_identity",
    "quarantine_table", "typed_table", "parse_iso_dates",
]

OUTCOMES: tuple[str, ...] = ("accepted", "warning", "quarantined", "merged_duplicate")

ISSUE_COLUMNS: tuple[str, ...] = (
    "_row_key", "instrument", "file", "row", "respondent_id", "submission_id", "column", "rule",
    "severity", "action", "value", "message",
)
"""Columns of the internal issue table (``_row_key`` = position of the row in its instrument's table)."""

QUARANTINE_COLUMNS: tuple[str, ...] = (
    "instrument", "file", "row", "respondent_id", "submission_id", "column", "rule", "severity",
    "action", "value", "message", "outcome",
)
"""Columns of ``quarantine.parquet``: one line per problem found (errors and warnings, merged rows)."""

OUTCOME_COLUMNS: tuple[str, ...] = (
    "instrument", "file", "row", "submission_id", "respondent_id", "outcome", "rules", "kept_file",
    "kept_row",
)
"""Columns of ``outcomes.parquet``: one line per raw row."""

_SEVERITY_RANK = {"error": 0, "warning": 1, "merged": 2, "info": 3}


class AccountingError(TracerError):
    """The row accounting identity does not hold for a file (a bug: please report it)."""

    exit_code = 3


# --------------------------------------------------------------------------- issues


def empty_issues() -> pd.DataFrame:
    """An issue table with no rows and the right columns."""
    df = pd.DataFrame({c: pd.Series(dtype="int64" if c in ("_row_key", "row") else "str")
                       for c in ISSUE_COLUMNS})
    return df


def issue_frame(frame: pd.DataFrame, keys: Sequence[int] | pd.Index, column: str, rule_key: str,
                lang: str, id_col: str | None, values: Sequence[Any] | None = None,
                messages: Sequence[str] | str | None = None, override: dict[str, str] | None = None,
                **fmt: Any) -> pd.DataFrame:
    """Issue rows of rule ``rule_key`` on ``column`` for the rows ``keys`` of a validation frame.

    ``values`` default to the raw text of ``column``; ``messages`` default to the rule's message
    in ``lang`` (with ``override`` — the form's constraint message — and ``fmt`` placeholders).
    """
    keys = list(keys)
    if not keys:
        return empty_issues()
    sub = frame.iloc[keys]
    rule = RULES[rule_key]
    if values is None:
        values = sub[column].tolist() if column in sub.columns else [""] * len(keys)
    values = ["" if (v is None or (isinstance(v, float) and v != v) or v is pd.NA) else str(v) for v in values]
    if messages is None:
        messages = message(rule_key, lang, override=override, **fmt)
    if isinstance(messages, str):
        messages = [messages] * len(keys)
    rid = sub[id_col].fillna("").astype(str).tolist() if id_col and id_col in sub.columns else [""] * len(keys)
    return pd.DataFrame({
        "_row_key": pd.array(keys, dtype="int64"),
        "instrument": sub["_instrument"].astype(str).tolist(),
        "file": sub["_source_file"].astype(str).tolist(),
        "row": pd.array(sub["_source_row"].tolist(), dtype="int64"),
        "respondent_id": rid,
        "submission_id": sub["_submission_id"].fillna("").astype(str).tolist(),
        "column": column,
        "rule": rule_key,
        "severity": rule.severity,
        "action": rule.action,
        "value": values,
        "message": list(messages),
    })


def _concat(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_issues()
    out = pd.concat(frames, ignore_index=True)
    return out[list(ISSUE_COLUMNS)]


def dedupe_issues(*tables: pd.DataFrame) -> pd.DataFrame:
    """Concatenate issue tables and keep one issue per (row, column, severity): the first found.

    The suites run first, so a value that breaks both a questionnaire constraint and a hand-written
    rule (e.g. hours 120) is reported once, under the questionnaire's rule.
    """
    out = _concat(tables)
    if out.empty:
        return out
    mask = (out["column"] != "") & out["severity"].isin(["error", "warning"])
    dups = out[mask].duplicated(subset=["_row_key", "column", "severity"], keep="first")
    out = out.drop(index=dups[dups].index)
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- outcomes


def assign_outcomes(frame: pd.DataFrame, issues: pd.DataFrame, id_col: str | None) -> pd.DataFrame:
    """One outcome per row of ``frame`` from its issues (see the module docstring).

    Returns a table with :data:`OUTCOME_COLUMNS` plus ``_row_key``, in frame order. ``rules``
    lists the row's distinct rules (errors first), separated by ``;``.
    """
    n = len(frame)
    outcome = pd.Series("accepted", index=range(n), dtype="object")
    iss = issues[issues["severity"].isin(["error", "warning", "merged"])]
    for sev, name in (("warning", "warning"), ("error", "quarantined"), ("merged", "merged_duplicate")):
        keys = iss.loc[iss["severity"] == sev, "_row_key"].unique()
        outcome.iloc[keys] = name
    rules = [""] * n
    if len(iss):
        ordered = iss.assign(_rank=iss["severity"].map(_SEVERITY_RANK)).sort_values(
            ["_row_key", "_rank", "rule"], kind="stable")
        for key, grp in ordered.groupby("_row_key", sort=True):
            rules[int(key)] = ";".join(dict.fromkeys(grp["rule"]))
    kept_file = [""] * n
    kept_row = [pd.NA] * n
    merged = issues[issues["severity"] == "merged"]
    if len(merged):
        for key, val in zip(merged["_row_key"], merged["value"]):
            # value of a merge issue = "file:row" of the kept row
            f, _, r = str(val).rpartition(":")
            kept_file[int(key)] = f
            kept_row[int(key)] = int(r) if r.isdigit() else pd.NA
    rid = frame[id_col].fillna("").astype(str).tolist() if id_col and id_col in frame.columns else [""] * n
    return pd.DataFrame({
        "_row_key": pd.array(range(n), dtype="int64"),
        "instrument": pd.array(frame["_instrument"].astype(str).tolist(), dtype="str"),
        "file": pd.array(frame["_source_file"].astype(str).tolist(), dtype="str"),
        "row": pd.array(frame["_source_row"].tolist(), dtype="int64"),
        "submission_id": pd.array(frame["_submission_id"].fillna("").astype(str).tolist(), dtype="str"),
        "respondent_id": pd.array(rid, dtype="str"),
        "outcome": pd.array(outcome.tolist(), dtype="str"),
        "rules": pd.array(rules, dtype="str"),
        "kept_file": pd.array(kept_file, dtype="str"),
        "kept_row": pd.array(kept_row, dtype="Int64"),
    })


def check_identity(raw: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Check *raw rows = accepted + warning + quarantined + merged_duplicate* per file.

    Parameters
    ----------
    raw
        The canonical table(s) as received (``_instrument``, ``_source_file``, ``_source_row``).
    outcomes
        The outcome table of the same rows.

    Returns
    -------
    DataFrame
        One row per (instrument, file): ``raw_rows``, one count per outcome, ``identity_holds``.

    Raises
    ------
    AccountingError
        When a file's counts do not add up, or a raw row has no outcome or several.
    """
    raw_n = raw.groupby(["_instrument", "_source_file"], sort=True).size()
    counts = (outcomes.groupby(["instrument", "file", "outcome"]).size().unstack("outcome", fill_value=0)
              .reindex(columns=list(OUTCOMES), fill_value=0))
    counts.index = counts.index.set_names(["_instrument", "_source_file"])
    table = counts.reindex(raw_n.index, fill_value=0)
    table.insert(0, "raw_rows", raw_n)
    keyed_raw = raw.groupby(["_instrument", "_source_file", "_source_row"]).size()
    keyed_out = outcomes.groupby(["instrument", "file", "row"]).size()
    for (inst, file), row in table.iterrows():
        total = int(sum(row[o] for o in OUTCOMES))
        if total != int(row["raw_rows"]):
            raise AccountingError(
                f"{file}: row accounting broken for '{inst}': {int(row['raw_rows'])} raw rows but "
                f"accepted {row['accepted']} + warning {row['warning']} + quarantined {row['quarantined']} "
                f"+ merged_duplicate {row['merged_duplicate']} = {total}")
    if not keyed_raw.sort_index().equals(keyed_out.rename_axis(keyed_raw.index.names).sort_index()):
        raise AccountingError("the outcome table does not list every raw row exactly once")
    extra = set(zip(outcomes["instrument"], outcomes["file"])) - set(raw_n.index)
    if extra:
        raise AccountingError(f"outcomes for files that were not read: {sorted(extra)}")
    out = table.reset_index().rename(columns={"_instrument": "instrument", "_source_file": "file"})
    for c in ("raw_rows", *OUTCOMES):
        out[c] = out[c].astype("int64")
    out["identity_holds"] = True
    return out


def quarantine_table(issues: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """The published problem table: every issue (not ``info``) with the outcome of its row, sorted."""
    iss = issues[issues["severity"] != "info"]
    if iss.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else "str") for c in QUARANTINE_COLUMNS})
    out = iss.merge(outcomes[["instrument", "_row_key", "outcome"]], on=["instrument", "_row_key"],
                    how="left", validate="many_to_one")
    out = out.assign(_rank=out["severity"].map(_SEVERITY_RANK))
    out = out.sort_values(["instrument", "file", "row", "_rank", "column", "rule"], kind="stable")
    out = out[list(QUARANTINE_COLUMNS)].reset_index(drop=True)
    out["row"] = out["row"].astype("int64")
    for c in QUARANTINE_COLUMNS:
        if c != "row":
            out[c] = out[c].astype("str")
    return out


# --------------------------------------------------------------------------- typed table


parse_iso_dates = xpath.parse_iso_dates


def typed_table(frame: pd.DataFrame, questions: Sequence[Any], issues: pd.DataFrame,
                outcomes: pd.DataFrame) -> pd.DataFrame:
    """The accepted rows (outcome ``accepted`` or ``warning``) with typed columns.

    Cells named by a ``null_cell`` issue are emptied. Types: integer → ``Int64``; decimal →
    ``float64``; date → ``datetime64[us]``; select_one, select_multiple (space-separated codes),
    text → ``str`` with missing values. Provenance and marker columns (``_not_asked``,
    ``_generated``) and covariates (``x_<name>``, as text) are kept, plus ``_outcome``.
    """
    keep = outcomes["outcome"].isin(["accepted", "warning"]).to_numpy()
    names = [q.name for q in questions]
    data = frame[names].copy()
    nulls = issues[issues["action"] == "null_cell"]
    for col, grp in nulls.groupby("column"):
        if col in data.columns:
            data.iloc[grp["_row_key"].to_numpy(), data.columns.get_loc(col)] = None
    data = data.iloc[keep]
    out: dict[str, pd.Series] = {}
    for q in questions:
        s = data[q.name]
        t = question_type(q)
        if t == "integer":
            out[q.name] = xpath.to_number(s).round().astype("Int64")
        elif t in ("decimal", "range"):
            out[q.name] = xpath.to_number(s)
        elif t == "date":
            out[q.name] = parse_iso_dates(s)
        else:
            out[q.name] = s.astype("str").where(s.notna(), None).astype("str")
    typed = pd.DataFrame(out, index=data.index)
    prov = frame.loc[keep, [c for c in frame.columns if (c.startswith("_") or c.startswith("x_"))
                            and c != "_row_key" and "__" not in c]]
    typed = pd.concat([typed, prov], axis=1)
    typed["_outcome"] = outcomes.loc[keep, "outcome"].to_numpy()
    return typed.reset_index(drop=True)

"""Validation with nothing lost: canonical tables → accepted typed tables + quarantine + outcomes.

Stage ``validate`` of ``docs/architecture.md``. For each instrument (registry first):

1. the great-expectations suite generated from the questionnaire (:mod:`.suites`, :mod:`.run`);
2. the hand-written cross-field and cross-file rules (:mod:`.crossfile`);
3. duplicate resolution (resubmissions → ``merged_duplicate``);
4. one outcome per raw row and the accounting identity per file (:mod:`.outcomes`), enforced:
   *raw rows = accepted + warning + quarantined + merged_duplicate*.

The result (:class:`CohortValidation`) stays in memory: it still holds student ids and direct
identifiers. Only the ingest stage writes it, after pseudonymisation
(:func:`analysis.pipeline.stages.ingest_validate`, across the privacy boundary of ``docs/architecture.md``):
``validated/<instrument>.parquet`` (typed accepted rows, ``pid`` only), ``quarantine.parquet`` (file,
row, pseudonymised respondent id, column, rule, value with personal values masked, message…),
``outcomes.parquet`` (one line per raw row) and ``summary.json``.

Importing this package does not import great-expectations (only running a suite does).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from analysis.errors import ConfigError
from analysis.ingest.dates import is_ambiguous
from analysis.validate.crossfile import (
    field_issues,
    registry_issues,
    resolve_duplicates,
)
from analysis.validate.messages import RULES, message
from analysis.validate.outcomes import (
    OUTCOME_COLUMNS,
    OUTCOMES,
    AccountingError,
    assign_outcomes,
    check_identity,
    dedupe_issues,
    quarantine_table,
    typed_table,
)
from analysis.validate.params import ValidationParams
from analysis.validate.run import ValidationResult, prepare_frame, validate_instrument
from analysis.validate.suites import id_column, instrument_key

__all__ = [
    "CohortValidation", "ValidationParams", "ValidationResult", "AccountingError", "validate_cohort",
    "validate_instrument", "INSTRUMENT_ORDER",
]

INSTRUMENT_ORDER: tuple[str, ...] = ("registry", "phase1", "phase2", "employer")


@dataclass
class CohortValidation:
    """The result of validating one cohort.

    Attributes
    ----------
    accepted
        Typed accepted rows (outcome accepted or warning) per instrument.
    quarantine
        Every problem found (:data:`analysis.validate.outcomes.QUARANTINE_COLUMNS`).
    outcomes
        One line per raw row (:data:`analysis.validate.outcomes.OUTCOME_COLUMNS`).
    identity
        Per file: raw rows, one count per outcome, ``identity_holds`` (always True: a broken
        identity raises :class:`AccountingError`).
    summary
        Counts per file, per rule and per instrument (what ``summary.json`` holds).
    registry
        The registry's validation frame (all rows, text), for response rates; None without registry.
    results
        The per-instrument suite results (timings, expectation counts).
    """

    accepted: dict[str, pd.DataFrame]
    quarantine: pd.DataFrame
    outcomes: pd.DataFrame
    identity: pd.DataFrame
    summary: dict[str, Any]
    lang: str = "ky"
    registry: pd.DataFrame | None = None
    results: dict[str, ValidationResult] = field(default_factory=dict)


def instrument_map(insts: Any) -> dict[str, Any]:
    """Instruments by key: a mapping is kept (keys as text), a list is keyed by
    :func:`~analysis.validate.suites.instrument_key`."""
    if isinstance(insts, Mapping):
        return {str(k): v for k, v in insts.items()}
    return {instrument_key(i): i for i in insts}


def _group_canonical(canonical: Mapping[str, pd.DataFrame], known: Iterable[str]) -> dict[str, pd.DataFrame]:
    """Canonical tables per instrument key (several files of one instrument are stacked in order)."""
    parts: dict[str, list[pd.DataFrame]] = {}
    items = list(canonical.items())
    known = set(known)
    for k, df in items:
        if "_instrument" in df.columns and len(df) and (df["_instrument"] != "").all():
            for inst_key, sub in df.groupby("_instrument", sort=False):
                parts.setdefault(str(inst_key), []).append(sub)
        else:
            parts.setdefault(str(k), []).append(df.assign(_instrument=str(k)) if k in known else df)
    return {k: pd.concat(v, ignore_index=True) for k, v in parts.items()}


def validate_cohort(canonical: Mapping[str, pd.DataFrame], insts: Any, registry_df: pd.DataFrame | None = None,
                    params: Any = None, lang: str = "ky", independent_files: bool = False) -> CohortValidation:
    """Validate every canonical table of a cohort; account for every raw row.

    Parameters
    ----------
    canonical
        Canonical tables keyed by instrument (or by file; rows are grouped by their
        ``_instrument`` column), as produced by :func:`analysis.ingest.read_input`.
    insts
        Instruments (codebooks): a mapping key → instrument or an iterable of instruments.
    registry_df
        The registry to check phase-1/phase-2 rows against, when ``canonical`` holds no registry
        table (e.g. re-validating one file): it is then a reference only — not validated, and its
        rows are not part of the outcomes. When ``canonical`` holds the registry, that table is
        validated and used. Without any registry the registry links and date-order rules are not
        run (``summary["rules_not_run"]`` says so).
    params
        Rule thresholds (:class:`ValidationParams`, a mapping, or the cohort configuration).
    lang
        Language of the messages in the quarantine table: ``ky``, ``ru`` or ``en``.
    independent_files
        Look for duplicate rows within each file only (checking files one by one as they arrive
        during fieldwork); by default duplicates are resolved across all files of an instrument.

    Raises
    ------
    analysis.errors.InputError
        A registry with one student id on rows with different data.
    AccountingError
        If the row accounting identity fails for a file (a bug).
    """
    p = ValidationParams.from_any(params)
    inst_by_key = instrument_map(insts)
    tables = _group_canonical(canonical, inst_by_key)
    unknown = sorted(set(tables) - set(inst_by_key))
    if unknown:
        raise ConfigError(f"no instrument definition for {', '.join(unknown)} "
                          f"(known: {', '.join(sorted(inst_by_key))})")
    order = [k for k in INSTRUMENT_ORDER if k in tables] + sorted(set(tables) - set(INSTRUMENT_ORDER))
    registry_frame = None
    accepted: dict[str, pd.DataFrame] = {}
    all_issues, all_outcomes, identities = [], [], []
    results: dict[str, ValidationResult] = {}
    not_run: list[str] = []
    if "registry" not in tables:
        if registry_df is not None and "registry" in inst_by_key:
            registry_frame = prepare_frame(registry_df, inst_by_key["registry"])
        elif registry_df is not None:
            raise ConfigError("a registry table was given but no 'registry' instrument definition")
        else:
            not_run += ["not_in_registry", "survey_before_graduation", "first_job_too_early"]
    for key in order:
        inst = inst_by_key[key]
        raw = tables[key]
        res = validate_instrument(raw, inst, lang=lang)
        results[key] = res
        if key == "registry":
            registry_frame = res.frame
        cross = field_issues(res.frame, inst, p, lang)
        links = registry_issues(res.frame, inst, registry_frame, p, lang)
        issues = exempt_issues(res.frame, dedupe_issues(res.issues, cross, links), lang)
        merged = resolve_duplicates(res.frame, inst, issues, res.duplicate_keys, lang,
                                    within_file=independent_files)
        issues = dedupe_issues(issues, merged)
        if key == "registry":
            issues = census_issues(issues, id_column(inst))
        outs = assign_outcomes(res.frame, issues, id_column(inst))
        if len(outs) != len(raw):
            raise AccountingError(f"{key}: {len(raw)} raw rows but {len(outs)} outcomes")
        identities.append(check_identity(res.frame, outs))
        accepted[key] = typed_table(res.frame, list(inst.data_questions), issues, outs)
        all_issues.append(issues)
        all_outcomes.append(outs)
        if key != "registry":
            # the validation frame (text, with the skip rules' helper columns) is not needed after this point:
            # released before the next instrument is validated (at 1,000,000 graduates each is GBs)
            results[key] = replace(res, frame=res.frame.iloc[:0])
        del res, raw
        tables.pop(key)
    issues = pd.concat(all_issues, ignore_index=True) if all_issues else dedupe_issues()
    outcomes = pd.concat(all_outcomes, ignore_index=True) if all_outcomes else \
        pd.DataFrame(columns=["_row_key", *OUTCOME_COLUMNS])
    quarantine = quarantine_table(issues, outcomes)
    identity = pd.concat(identities, ignore_index=True) if identities else pd.DataFrame()
    outcomes_pub = outcomes.drop(columns="_row_key")[list(OUTCOME_COLUMNS)].sort_values(
        ["instrument", "file", "row"], kind="stable").reset_index(drop=True)
    summary = _summary(identity, quarantine, results, lang, not_run)
    return CohortValidation(accepted, quarantine, outcomes_pub, identity, summary, lang, registry_frame, results)


def _summary(identity: pd.DataFrame, quarantine: pd.DataFrame, results: dict[str, ValidationResult],
             lang: str, not_run: list[str]) -> dict[str, Any]:
    files = []
    for rec in identity.to_dict("records"):
        files.append({k: (int(v) if k in ("raw_rows", *OUTCOMES) else v) for k, v in rec.items()})
    rules = []
    if len(quarantine):
        g = quarantine.groupby("rule", sort=True)
        for rule, grp in g:
            r = RULES[rule]
            rules.append({"rule": rule, "severity": r.severity, "action": r.action, "issues": int(len(grp)),
                          "rows": int(grp[["instrument", "file", "row"]].drop_duplicates().shape[0])})
    per_inst = {}
    for key, res in sorted(results.items()):
        ident = identity[identity["instrument"] == key]
        per_inst[key] = {"raw_rows": int(ident["raw_rows"].sum()),
                         **{o: int(ident[o].sum()) for o in OUTCOMES},
                         "expectations": int(res.n_expectations), "expectations_failed": int(res.n_failed)}
    totals = {"raw_rows": int(identity["raw_rows"].sum()) if len(identity) else 0,
              **{o: (int(identity[o].sum()) if len(identity) else 0) for o in OUTCOMES}}
    return {"lang": lang, "files": files, "rules": rules, "instruments": per_inst, "totals": totals,
            "identity_holds": bool(identity["identity_holds"].all()) if len(identity) else True,
            "rules_not_run": sorted(not_run)}


GENERATED_EXEMPT = frozenset({"pattern", "type_integer", "type_decimal", "constraint", "out_of_range"})
"""Rules not applied to values the reader generated (a legacy file's row id is not a student card number)."""


def _marked(frame: pd.DataFrame, marker: str) -> list[set[str]]:
    if marker not in frame.columns:
        return [set()] * len(frame)
    return [set(str(v).split()) if isinstance(v, str) and v else set() for v in frame[marker]]


def exempt_issues(frame: pd.DataFrame, issues: pd.DataFrame, lang: str = "ky") -> pd.DataFrame:
    """Issues left after the questions that were not asked, generated values and ambiguous dates.

    * a question in the row's ``_not_asked`` marker was never asked by that file's survey: no issue
      about its (empty) cell — ``required`` above all — is kept (``docs/ingestion.md``);
    * a column in the row's ``_generated`` marker (a legacy row id) is not held to the form's
      patterns and types (:data:`GENERATED_EXEMPT`);
    * a date that reads both day-first and month-first (:func:`analysis.ingest.dates.is_ambiguous`)
      is reported under ``date_ambiguous`` instead of ``type_date`` (both: warning, cell set aside);
      other rules on an unreadable date's cell (a constraint comparing dates) are dropped with it.
    """
    if issues.empty:
        return issues

    not_asked, generated = _marked(frame, "_not_asked"), _marked(frame, "_generated")
    keys = issues["_row_key"].astype(int).tolist()
    drop = [i for i, (k, col, rule) in enumerate(zip(keys, issues["column"], issues["rule"]))
            if col in not_asked[k] or (col in generated[k] and rule in GENERATED_EXEMPT)]
    out = issues.drop(index=issues.index[drop]).reset_index(drop=True) if drop else issues.copy()
    # an unreadable date is set aside: the other checks of that cell (constraints on dates) do not apply
    bad_dates = set(zip(out.loc[out["rule"] == "type_date", "_row_key"], out.loc[out["rule"] == "type_date", "column"]))
    if bad_dates:
        other = [(k, c) in bad_dates and r != "type_date"
                 for k, c, r in zip(out["_row_key"], out["column"], out["rule"])]
        out = out[[not o for o in other]].reset_index(drop=True)
    amb = (out["rule"] == "type_date").to_numpy(bool) & out["value"].map(is_ambiguous).to_numpy(bool)
    if amb.any():
        r = RULES["date_ambiguous"]
        out.loc[amb, "rule"] = "date_ambiguous"
        out.loc[amb, "severity"] = r.severity
        out.loc[amb, "action"] = r.action
        out.loc[amb, "message"] = [message("date_ambiguous", lang, value=v) for v in out.loc[amb, "value"]]
    return out


def census_issues(issues: pd.DataFrame, id_col: str | None) -> pd.DataFrame:
    """The registry is a census: a graduate with a faulty cell is still a graduate.

    Errors in the registry (other than in the student id, without which the graduate cannot be
    linked) empty the faulty cell and keep the row, as a warning, so every graduate stays in the
    denominators; the raw value and the reason stay in the quarantine table.
    """
    out = issues.copy()
    faulty = (out["severity"] == "error") & (out["action"] == "quarantine_row") & (out["column"] != id_col)
    out.loc[faulty, "severity"] = "warning"
    out.loc[faulty, "action"] = "null_cell"
    return out

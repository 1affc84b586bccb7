"""Run an instrument's great-expectations suite on a canonical table and collect the failing rows.

The canonical table (all text, ``""`` = empty) becomes a *validation frame*: empty text → missing
(so ``ExpectColumnValuesToNotBeNull`` means "answered"), a ``_row_key`` column (the row's position),
and the helper columns the suite needs (``<q>__num`` etc., :mod:`.xpath`). The suite runs in an
ephemeral great-expectations context with
``result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["_row_key"]}``
passed to ``validate`` (a result format given to an expectation's constructor is ignored), and
every unexpected row becomes an issue row (:mod:`.outcomes`). The suite runs in parts that share a
``row_condition``, each on a batch of the columns it reads (:func:`_parts`: same results, faster).

great-expectations is imported inside :func:`validate_instrument` only (≈ 3.6 s, ≈ 230 MB).
"""

from __future__ import annotations

import os
import re
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.validate import xpath
from analysis.validate.outcomes import empty_issues, issue_frame
from analysis.validate.suites import (
    applies_conditions,
    build_suite,
    id_column,
    instrument_key,
    suite_specs,
)

__all__ = ["ValidationResult", "prepare_frame", "validate_instrument", "RESULT_FORMAT"]

RESULT_FORMAT: dict[str, Any] = {"result_format": "COMPLETE", "unexpected_index_column_names": ["_row_key"]}
PROVENANCE = ("_instrument", "_source_file", "_source_row", "_mode", "_submission_id", "_submitted_at",
              "_review_state")


@dataclass
class ValidationResult:
    """What one suite run found.

    Attributes
    ----------
    instrument
        Instrument key.
    frame
        The validation frame (text with missing values, ``_row_key``, helper columns).
    issues
        One row per failing (row, expectation), columns :data:`analysis.validate.outcomes.ISSUE_COLUMNS`.
    duplicate_keys
        ``_row_key`` of rows whose id is not unique (``ExpectColumnValuesToBeUnique``), for
        :func:`analysis.validate.crossfile.resolve_duplicates`.
    n_expectations, n_failed
        Expectations evaluated and expectations with at least one unexpected row.
    seconds
        Wall time of the suite run (excluding the great-expectations import).
    """

    instrument: str
    frame: pd.DataFrame
    issues: pd.DataFrame
    duplicate_keys: list[int] = field(default_factory=list)
    n_expectations: int = 0
    n_failed: int = 0
    seconds: float = 0.0


def prepare_frame(canonical: pd.DataFrame, inst: Any) -> pd.DataFrame:
    """The validation frame of a canonical table (see the module docstring).

    Question columns absent from ``canonical`` are added as missing; provenance columns absent
    are added as ``""`` (``_source_row`` as the spreadsheet row of the position).
    """
    df = canonical.reset_index(drop=True).copy()
    names = [q.name for q in inst.data_questions]
    for name in names:
        if name not in df.columns:
            df[name] = pd.Series([None] * len(df), dtype="object")
        s = df[name].astype("object")
        # object dtype (not pandas' Arrow-backed str): GX copies the frame for every row_condition,
        # and taking rows of object columns is ~10x faster
        df[name] = s.where(s.notna() & (s != ""), None)
    for c in PROVENANCE:
        if c not in df.columns:
            df[c] = pd.Series(range(2, len(df) + 2), dtype="int64") if c == "_source_row" else ""
    if (df["_instrument"] == "").all():
        df["_instrument"] = instrument_key(inst)
    df["_source_row"] = pd.to_numeric(df["_source_row"], errors="coerce").fillna(0).astype("int64")
    df["_row_key"] = pd.array(range(len(df)), dtype="int64")
    return df


def _consolidated(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose columns of one dtype share one block (one ``take`` per dtype, not per column)."""
    out = df.copy()
    out._consolidate_inplace()
    return out


def _parts(specs: list[dict[str, Any]], frame: pd.DataFrame) -> list[tuple[list[dict[str, Any]], list[str]]]:
    """The suite split into parts that share a ``row_condition``, each with the columns it reads.

    Same expectations, same results: GX applies a row_condition with ``DataFrame.query`` several
    times per expectation, and pandas' query cost grows with the number of columns, so each part
    runs on a batch holding only its columns (≈ 2x faster on the phase-2 suite).
    """
    groups: dict[str, list[dict[str, Any]]] = {}
    for s in specs:
        groups.setdefault(s["kwargs"].get("row_condition") or "", []).append(s)
    out = []
    for cond, group in groups.items():
        need = {s["kwargs"]["column"] for s in group} | {"_row_key"}
        need |= set(re.findall(r"`([^`]+)`", cond))
        if len(frame) * len(need) <= SPLIT_CELLS:
            out.append((group, [c for c in frame.columns if c in need]))
            continue
        # a large part: one batch per column. GX copies the whole batch (every column) several times per
        # expectation (its non-null filters), so at 1,000,000 graduates a wide part cost a fifth of stage 1
        by_column: dict[str, list[dict[str, Any]]] = {}
        for s in group:
            by_column.setdefault(s["kwargs"]["column"], []).append(s)
        for column, sub in by_column.items():
            cols = {column, "_row_key"} | set(re.findall(r"`([^`]+)`", cond))
            out.append((sub, [c for c in frame.columns if c in cols]))
    return out


SPLIT_CELLS = 2_000_000
"""A suite part whose batch would hold more cells (rows × columns) than this runs one batch per column instead
(:func:`_parts`): same expectations on the same rows, less copying inside GX; small parts stay whole, because
each batch also has a fixed cost (the demo's parts are far below it)."""


def _apply_condition(part: pd.DataFrame, group: list[dict[str, Any]]
                     ) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """A part's shared ``row_condition`` applied once, as GX applies it (``DataFrame.query`` with the pandas
    parser, :meth:`PandasExecutionEngine._apply_row_condition_filter`), and the part's expectations without it.

    Same expectations on the same rows, same results (rows are named by ``_row_key``, not by position): GX filters
    the batch again for every metric of every expectation (at 1,000,000 graduates a quarter of stage 1, py-spy),
    here it is filtered once per part. A part whose condition no row meets keeps its ``row_condition`` on the
    whole part, so GX still reports every expectation of it (on no rows)."""
    cond = group[0]["kwargs"].get("row_condition") if group else None
    if not cond:
        return part, group
    kept = part.query(cond, parser=group[0]["kwargs"].get("condition_parser") or "pandas")
    if kept.empty:
        return part, group
    bare = [{**s, "kwargs": {k: v for k, v in s["kwargs"].items() if k not in ("row_condition", "condition_parser")}}
            for s in group]
    return kept, bare


def _needed_helpers(specs: list[dict[str, Any]]) -> set[tuple[str, str]]:
    texts = []
    for s in specs:
        kw = s["kwargs"]
        texts.append(kw.get("row_condition") or "")
        texts.append(f"`{kw.get('column', '')}`")
    needed = xpath.helper_columns(texts)
    # numbers of integer/decimal questions are always there for the cross-field rules
    needed |= {(s["meta"]["question"], "num") for s in specs if s["meta"]["rule"] in ("type_integer", "type_decimal")}
    return needed


def _fmt_number(v: Any) -> str:
    if v is None:
        return "…"
    f = float(v)
    return str(int(f)) if f.is_integer() else str(f)


def _message_fields(spec_meta: dict[str, Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    return {
        "list": spec_meta.get("list", ""),
        "min": _fmt_number(kwargs.get("min_value")),
        "max": _fmt_number(kwargs.get("max_value")),
        "pattern": kwargs.get("regex", ""),
        "constraint": spec_meta.get("constraint", ""),
        "relevant": spec_meta.get("relevant", ""),
    }


def _drop_cascades(issues: pd.DataFrame, specs: list[dict[str, Any]]) -> pd.DataFrame:
    """Drop ``not_relevant`` warnings whose relevance reads — directly or through other relevances —
    an answer that is an error in the same row (e.g. consent missing → every later answer "does
    not apply"). That row is quarantined by the error anyway, so nothing is set aside silently; the
    quarantine table just stays readable."""
    if issues.empty or not (issues["severity"] == "error").any():
        return issues
    refs = {s["meta"]["question"]: xpath.referenced_fields(s["meta"].get("relevant") or "true()")
            for s in specs if s["meta"]["rule"] == "not_relevant"}
    errors: dict[int, set[str]] = {}
    for key, col in zip(issues.loc[issues["severity"] == "error", "_row_key"],
                        issues.loc[issues["severity"] == "error", "column"]):
        errors.setdefault(int(key), set()).add(col)
    tainted: dict[int, set[str]] = {}
    for key, bad in errors.items():
        t = set(bad)
        for q, fields in refs.items():  # form order: a relevance reads earlier questions
            if any(f in t for f in fields):
                t.add(q)
        tainted[key] = t - bad
    drop = [i for i, (key, col, rule) in enumerate(zip(issues["_row_key"], issues["column"], issues["rule"]))
            if rule == "not_relevant" and col in tainted.get(int(key), ())]
    return issues.drop(index=drop).reset_index(drop=True) if drop else issues


def validate_instrument(canonical_df: pd.DataFrame, inst: Any, lang: str = "ky",
                        specs: list[dict[str, Any]] | None = None) -> ValidationResult:
    """Validate one instrument's canonical table against its suite (great-expectations).

    Parameters
    ----------
    canonical_df
        Canonical table (``docs/architecture.md``): question columns as text, provenance columns.
    inst
        The instrument (codebook) from :func:`analysis.instruments.xlsform.load_instrument`.
    lang
        Language of the issue messages: ``ky``, ``ru`` or ``en``.
    specs
        The suite as plain dicts (default: :func:`analysis.validate.suites.suite_specs` of ``inst``,
        identical to the committed ``expectations/gx/expectations/<instrument>.json``).

    Returns
    -------
    ValidationResult
    """
    specs = suite_specs(inst) if specs is None else specs
    key = instrument_key(inst)
    frame = prepare_frame(canonical_df, inst)
    xpath.add_effective_columns(frame, applies_conditions(specs), _needed_helpers(specs))
    idc = id_column(inst)
    if frame.empty:
        return ValidationResult(key, frame, empty_issues(), n_expectations=len(specs))

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    # lazy: great-expectations costs 1.9 s, paid only when a suite is built or run
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    t0 = time.perf_counter()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch_def = (context.data_sources.add_pandas(name=f"tracer_{key}")
                 .add_dataframe_asset(name=key)
                 .add_batch_definition_whole_dataframe(name="all_rows"))
    results = []
    for group, columns in _parts(specs, frame):
        data, group = _apply_condition(frame[columns], group)
        batch = batch_def.get_batch(batch_parameters={"dataframe": _consolidated(data)})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            results.extend(batch.validate(build_suite(inst, group), result_format=RESULT_FORMAT).results)

    by_check = {s["meta"]["check"]: s for s in specs}
    blocks: list[pd.DataFrame] = []
    dup_keys: list[int] = []
    n_failed = 0
    for r in results:
        meta = r.expectation_config.meta or {}
        spec = by_check.get(meta.get("check"))
        if spec is None:  # pragma: no cover - suites are built from specs
            raise RuntimeError(f"{key}: result for an unknown expectation {meta!r}")
        exc = r.exception_info or {}
        if exc.get("raised_exception"):
            raise RuntimeError(f"{key}: expectation {meta['check']} ({spec['type']}) could not run: "
                               f"{str(exc.get('exception_message', '')).splitlines()[0:1]}")
        if r.success:
            continue
        n_failed += 1
        rows = [int(d["_row_key"]) for d in (r.result.get("unexpected_index_list") or [])]
        if meta["rule"] == "duplicate_id":
            dup_keys.extend(rows)
            continue
        question = meta["question"]
        blocks.append(issue_frame(frame, sorted(rows), question, meta["rule"], lang, idc,
                                  override=meta.get("message") or None,
                                  **_message_fields(meta, spec["kwargs"])))
    issues = pd.concat(blocks, ignore_index=True) if blocks else empty_issues()
    issues = _drop_cascades(issues, specs)
    # suite order, then row order: deterministic regardless of GX's result order
    order = {s["meta"]["check"]: i for i, s in enumerate(specs)}
    if len(issues):
        issues["_o"] = [order[f"{c}:{r}"] for c, r in zip(issues["column"], issues["rule"])]
        issues = issues.sort_values(["_o", "_row_key"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return ValidationResult(key, frame, issues, sorted(set(dup_keys)), len(results), n_failed,
                            time.perf_counter() - t0)

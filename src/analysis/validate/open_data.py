"""The open-data tables' one schema and its great-expectations suite.

Every open-data table under ``data/raw/open/tables/<table>/<version>.csv`` has the columns of
``data/raw/open/schema.yaml`` (indicator, region, period, occupation, value, unit, source URL, title,
publication date, note) and a sidecar ``<version>.yaml`` with its provenance (``docs/labour-market.md`` §1).
This module turns the schema into

* **specs** — plain dicts, one per check (:func:`suite_specs`), pure Python, cheap to inspect;
* a **great-expectations suite** ``open_data`` built from the specs (:func:`build_suite`), stored
  deterministically as ``expectations/gx/expectations/open_data.json`` (:func:`write_suite`,
  :func:`check_suite`) — the same file-project conventions as the questionnaire suites
  (:mod:`analysis.validate.suites`: sorted keys, UUID5 ids);
* a **validation** of one table (:func:`validate_table`): the suite run by great-expectations on the
  table, each failure one line naming file, row, column and problem (:class:`~analysis.errors.InputError`);
  plus the sidecar's required keys (:func:`check_sidecar`).

The checks: the columns and their order (``ExpectTableColumnsToMatchOrderedList``), required values
(``ExpectColumnValuesToNotBeNull``), patterns (``ExpectColumnValuesToMatchRegex``: a plain decimal
``value``, ISO-like dates, ``source_url``, occupation codes), units from the schema's list
(``ExpectColumnValuesToBeInSet``) and no duplicate row (``ExpectCompoundColumnsToBeUnique``).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import uuid
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from analysis.core.paths import SOURCE_ROOT
from analysis.errors import ConfigError, InputError
from analysis.validate.suites import suite_json

__all__ = [
    "SUITE_NAME",
    "OpenSchema",
    "build_suite",
    "check_sidecar",
    "check_suite",
    "load_schema",
    "schema_path",
    "suite_path",
    "suite_specs",
    "validate_table",
    "write_suite",
]

SUITE_NAME = "open_data"
SUITE_NAMESPACE = uuid.UUID("3f0b7a52-8d1e-5c64-a1f2-0c9e4d6b7a21")
"""UUID5 namespace of the open-data suite's ids (a fixed UUID; never change it)."""


def schema_path(root: Path | str | None = None) -> Path:
    """``data/raw/open/schema.yaml`` under ``root`` (default: this repository)."""
    return Path(root or SOURCE_ROOT) / "data" / "raw" / "open" / "schema.yaml"


def suite_path(root: Path | str | None = None) -> Path:
    """``expectations/gx/expectations/open_data.json`` under ``root`` (default: this repository)."""
    return Path(root or SOURCE_ROOT) / "expectations" / "gx" / "expectations" / f"{SUITE_NAME}.json"


class OpenSchema:
    """The parsed schema: ``columns`` (name → rule dict, in order), ``unique`` (columns of the row key),
    ``sidecar`` (name → rule dict) and the file it came from."""

    def __init__(self, data: dict[str, Any], path: Path) -> None:
        self.path = path
        try:
            self.columns: dict[str, dict[str, Any]] = {c["name"]: c for c in data["columns"]}
            self.unique: list[str] = list(data.get("unique") or [])
            self.sidecar: dict[str, dict[str, Any]] = {c["name"]: c for c in data["sidecar"]}
        except (KeyError, TypeError) as exc:
            raise ConfigError(f"{path}: the schema needs 'columns' and 'sidecar' lists of {{name: …}}") from exc
        unknown = [c for c in self.unique if c not in self.columns]
        if unknown:
            raise ConfigError(f"{path}: 'unique' names unknown column(s) {', '.join(unknown)}")

    @property
    def names(self) -> list[str]:
        """The column names, in the required order."""
        return list(self.columns)


@lru_cache(maxsize=4)
def _schema(path_str: str) -> OpenSchema:
    path = Path(path_str)
    if not path.is_file():
        raise ConfigError(f"{path}: open-data schema not found — restore data/raw/open/schema.yaml")
    return OpenSchema(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, path)


def load_schema(root: Path | str | None = None) -> OpenSchema:
    """The open-data schema of the project under ``root`` (read once)."""
    return _schema(str(schema_path(root)))


# --------------------------------------------------------------------------- specs (pure Python)
def _spec(etype: str, kwargs: dict[str, Any], check: str, column: str | None, problem: str) -> dict[str, Any]:
    sid = str(uuid.uuid5(SUITE_NAMESPACE, f"{SUITE_NAME}/{check}"))
    return {"id": sid, "type": etype, "kwargs": kwargs, "severity": "critical",
            "meta": {"check": check, "column": column, "problem": problem}}


def suite_specs(schema: OpenSchema) -> list[dict[str, Any]]:
    """One spec per check of the schema (type, kwargs, meta with the one-line problem), in a fixed order."""
    out = [_spec("expect_table_columns_to_match_ordered_list", {"column_list": schema.names}, "columns", None,
                 f"the columns must be exactly {', '.join(schema.names)} (in this order)")]
    for name, rule in schema.columns.items():
        if rule.get("required"):
            out.append(_spec("expect_column_values_to_not_be_null", {"column": name}, f"required/{name}", name,
                             "empty, but the schema requires a value"))
        if rule.get("pattern"):
            out.append(_spec("expect_column_values_to_match_regex", {"column": name, "regex": rule["pattern"]},
                             f"pattern/{name}", name, f"does not match {rule['pattern']}"))
        if rule.get("in"):
            out.append(_spec("expect_column_values_to_be_in_set", {"column": name, "value_set": list(rule["in"])},
                             f"in/{name}", name, "is not one of the schema's values (data/raw/open/schema.yaml)"))
    if schema.unique:
        out.append(_spec("expect_compound_columns_to_be_unique", {"column_list": schema.unique}, "unique", None,
                         f"duplicate row (same {', '.join(schema.unique)})"))
    return out


# --------------------------------------------------------------------------- the great-expectations suite
def _gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    # lazy: great-expectations costs 1.9 s, paid only when the suite is built or run
    import great_expectations as gx

    return gx


def build_suite(specs: list[dict[str, Any]]):
    """A ``great_expectations.ExpectationSuite`` named ``open_data`` from ``specs`` (imports great-expectations)."""
    gx = _gx()
    # lazy: great-expectations costs 1.9 s, paid only when the suite is built or run
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    exps = [ExpectationConfiguration(type=s["type"], kwargs=dict(s["kwargs"]), meta=dict(s["meta"]),
                                     severity=s["severity"]).to_domain_obj() for s in specs]
    return gx.ExpectationSuite(name=SUITE_NAME, expectations=exps,
                               meta={"generated_by": "tracer opendata suite", "source": "data/raw/open/schema.yaml"})


def _suite_text(schema: OpenSchema) -> str:
    """The suite's JSON text, stored through a great-expectations file context in a temporary folder (so the
    file has GX's own layout), then made deterministic."""
    gx = _gx()
    specs = suite_specs(schema)
    with tempfile.TemporaryDirectory(prefix="tracer-open-suite-") as tmp:
        context = gx.get_context(mode="file", project_root_dir=tmp)
        context.suites.add_or_update(build_suite(specs))
        stored = Path(tmp) / "gx" / "expectations" / f"{SUITE_NAME}.json"
        return suite_json(json.loads(stored.read_text(encoding="utf-8")), specs, SUITE_NAMESPACE)


def write_suite(root: Path | str | None = None) -> Path:
    """Write ``expectations/gx/expectations/open_data.json`` from the schema; returns the path."""
    path = suite_path(root)
    text = _suite_text(load_schema(root))
    if not (path.is_file() and path.read_text(encoding="utf-8") == text):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path


def check_suite(root: Path | str | None = None) -> list[str]:
    """One line per difference between the committed suite and the schema (empty: in step)."""
    path = suite_path(root)
    if not path.is_file():
        return [f"{path}: missing — run 'tracer opendata suite' to generate it"]
    if path.read_text(encoding="utf-8") != _suite_text(load_schema(root)):
        return [f"{path}: differs from data/raw/open/schema.yaml — run 'tracer opendata suite' and commit it"]
    return []


# --------------------------------------------------------------------------- validation of one table
def _frame(table: pd.DataFrame) -> pd.DataFrame:
    """The validation frame: text, empty → missing, ``_row`` = the spreadsheet row (header = 1)."""
    df = table.reset_index(drop=True).astype("string")
    df = df.mask(df.apply(lambda s: s.str.strip() == ""))
    df["_row"] = range(2, len(df) + 2)
    return df


def validate_table(table: pd.DataFrame, file: Path | str, schema: OpenSchema | None = None) -> list[InputError]:
    """Run the ``open_data`` suite (great-expectations) on one table read as text; returns one
    :class:`InputError` per failing check and row (file, row, column, problem), in file order — empty when
    the table conforms. A wrong header is one error for the whole file (the row checks are then skipped)."""
    schema = schema or load_schema()
    specs = suite_specs(schema)
    if list(table.columns) != schema.names:
        return [InputError(file, specs[0]["meta"]["problem"], row=1,
                           fix=f"found {', '.join(map(str, table.columns)) or 'no columns'}")]
    frame = _frame(table)
    gx = _gx()
    context = gx.get_context(mode="ephemeral")
    # lazy: great-expectations costs 1.9 s, paid only when the suite is built or run
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch = (context.data_sources.add_pandas(name="tracer_open_data").add_dataframe_asset(name="table")
             .add_batch_definition_whole_dataframe(name="all_rows")
             .get_batch(batch_parameters={"dataframe": frame}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", message="This pattern is interpreted as a regular expression")
        result = batch.validate(build_suite(specs[1:]),
                                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["_row"]})
    errors: list[tuple[int, int, InputError]] = []
    order = {s["meta"]["check"]: i for i, s in enumerate(specs)}
    for r in result.results:
        if r.success:
            continue
        meta = r.expectation_config.meta or {}
        column = meta.get("column")
        for item in r.result.get("unexpected_index_list") or []:
            row = int(item["_row"])
            value = item.get(column) if column else None
            problem = meta.get("problem", "fails the schema")
            if column and value is not None and meta.get("check", "").split("/")[0] in ("pattern", "in"):
                problem = f"{value!r} {problem}"
            errors.append((row, order.get(meta.get("check"), 0), InputError(file, problem, row=row, column=column)))
    return [e for _, _, e in sorted(errors, key=lambda x: (x[0], x[1]))]


_VERSION = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def check_sidecar(meta: Any, file: Path | str, schema: OpenSchema | None = None,
                  table_id: str | None = None, version: str | None = None) -> list[InputError]:
    """The sidecar's problems, one :class:`InputError` each: not a mapping, a required key missing or empty,
    an unknown key, ``synthetic`` not true/false, ``version`` not YYYY-MM-DD, or ``id``/``version`` not
    those of the file's folder and name."""
    schema = schema or load_schema()
    if not isinstance(meta, dict):
        return [InputError(file, "the sidecar must be a YAML mapping of the schema's sidecar keys")]
    out = []
    for key, rule in schema.sidecar.items():
        if rule.get("required") and (key not in meta or meta[key] is None or str(meta[key]).strip() == ""):
            out.append(InputError(file, f"sidecar key '{key}' is missing or empty ({rule.get('meaning', '')})"))
    unknown = sorted(set(meta) - set(schema.sidecar))
    if unknown:
        out.append(InputError(file, f"unknown sidecar key(s) {', '.join(map(str, unknown))}",
                              fix=f"allowed: {', '.join(schema.sidecar)}"))
    if "synthetic" in meta and not isinstance(meta["synthetic"], bool):
        out.append(InputError(file, "sidecar key 'synthetic' must be true or false"))
    if "version" in meta and not _VERSION.match(str(meta["version"])):
        out.append(InputError(file, f"sidecar version {meta['version']!r} is not a date YYYY-MM-DD"))
    if table_id is not None and "id" in meta and str(meta["id"]) != table_id:
        out.append(InputError(file, f"sidecar id {meta['id']!r} differs from the table's folder {table_id!r}"))
    if version is not None and "version" in meta and str(meta["version"]) != version:
        out.append(InputError(file, f"sidecar version {meta['version']!r} differs from the file name {version!r}"))
    return out

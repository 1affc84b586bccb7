"""Older spreadsheets (``legacy``): a .csv or .xlsx read through a declarative YAML mapping.

A legacy file is a first-class input: an old survey that used other column names, other answer
texts, no student ids, fewer questions and questions of its own. The mapping file says how to read
it (all scalars are read as text — YAML 1.1 would turn ``yes``/``no`` into booleans)::

    sheet: Sheet1            # .xlsx only: sheet name or 0-based index (default: the first)
    skip_rows: 2             # rows above the header (titles); default 0
    columns:                 # old header → question name; ~ (null) drops the column on purpose
      ФИО: full_name
      Студ. билет: student_id
      Примечание: ~
    values:                  # per question (new name): old answer → new answer (exact text)
      consent: {Да: yes, Нет: no}
    derive:                  # more questions from one old column: unlisted answers stay empty
      ilo_family_help: {from: Статус, values: {Безработный: "no"}}
    row_id:                  # the respondent id when the file has none (stable: same file, same ids)
      from: row_number       # or one old column (from: Номер), or several (from: [Год, Номер], sep: "-")
      prefix: "TN-"          # optional text in front; width: 4 pads a row number with zeros
    not_asked:               # questions the old survey never asked: a distinct state, never an answer
      - main_activity
    covariates:              # old columns kept for the models as x_<name>, with their type
      Балл: {type: number}                    # number | category | ordinal (with levels, low → high)
      Оценка: {type: ordinal, levels: [Low, Average, High], name: finalgrade}
    constants:               # columns the old file lacks, same value on every row — an assumption:
      survey_date: "2023-04-01"   # reported as a warning; for a question never asked use not_asked

Old headers match after whitespace normalisation, ignoring case. Headers not listed pass through
unchanged (a question name or label is still recognised; anything else is reported and dropped).
Value maps apply before the codebook's label mapping, so an old label list can be mapped to codes.

What each key does downstream (``docs/ingestion.md``):

* ``row_id`` fills the instrument's id column (``student_id``; ``employer_id``). The values are
  generated, so validation does not hold them to the form's id pattern; two rows with the same id
  stop the read (:class:`~analysis.errors.InputError`), since merging them would be a guess;
* ``not_asked`` questions get empty cells and the row marker ``_not_asked``: validation does not
  ask for them (even when required), and a question not asked in any file of an instrument is left
  out of the processed tables, so the derived variables and indicators that need it are *not
  measured* (never 0 %);
* ``covariates`` become columns ``x_<name>`` of the canonical table, carried through validation and
  the derive stage into ``graduates.parquet`` with their type (:func:`cast_covariates`); the cohort
  file's ``model_covariates`` adds them to the employment models.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from analysis.errors import ConfigError
from analysis.ingest.cells import format_number, norm_key, normalise_text
from analysis.ingest.context import RawTable, ReadContext
from analysis.ingest.sources import check_extension, read_csv_raw, read_xlsx_raw

__all__ = ["MAPPING_KEYS", "COVARIATE_TYPES", "load_mapping", "read_legacy", "covariate_name", "cast_covariates"]

MAPPING_KEYS = ("columns", "values", "constants", "skip_rows", "sheet", "derive", "row_id", "not_asked",
                "covariates")
COVARIATE_TYPES = ("number", "category", "ordinal")
"""Types of a covariate: ``number`` (decimal point or comma), ``category`` (text levels),
``ordinal`` (text levels in the order given by ``levels``, lowest first)."""


def _text(v: Any) -> str:
    """A mapping scalar as text; ``~``/``null`` (YAML's null, read as text by BaseLoader) → empty."""
    return "" if v is None or v in ("~", "null") else str(v)


def covariate_name(header: str, spec: dict[str, Any]) -> str:
    """The canonical column of a covariate: ``x_`` + its ``name`` (or the old header) in snake_case ASCII."""
    base = _text(spec.get("name")) or header
    slug = re.sub(r"[^0-9a-z]+", "_", base.casefold()).strip("_")
    if not slug:
        raise ConfigError(f"covariate '{header}': give it a name (name: …) made of Latin letters or digits")
    return f"x_{slug}"


def load_mapping(mapping: str | Path | dict | None, base_dir: Path | None) -> tuple[dict[str, Any], str]:
    """Load and check a legacy mapping (a YAML file or a dict); return it and its name for messages."""
    if mapping is None:
        raise ConfigError("format 'legacy' needs a mapping file (mapping: old_file.yaml in the cohort file)")
    if isinstance(mapping, dict):
        data, name = mapping, "<mapping>"
    else:
        p = Path(mapping)
        if not p.is_absolute() and base_dir is not None and not p.exists():
            p = base_dir / p
        name = str(p)
        if not p.is_file():
            raise ConfigError(f"{name}: mapping file not found")
        try:
            data = yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{name}: not a readable YAML mapping ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: the mapping must be a YAML mapping with keys {', '.join(MAPPING_KEYS)}")
    data = dict(data)
    unknown = sorted(set(data) - set(MAPPING_KEYS))
    if unknown:
        raise ConfigError(f"{name}: unknown key(s) {unknown}; allowed: {', '.join(MAPPING_KEYS)}")
    for key in ("columns", "values", "constants", "derive", "covariates"):
        if not isinstance(data.get(key) or {}, dict):
            raise ConfigError(f"{name}: '{key}' must be a mapping")
    for col, vmap in (data.get("values") or {}).items():
        if not isinstance(vmap, dict):
            raise ConfigError(f"{name}: values.{col} must be a mapping of old answer → new answer")
    for q, spec in (data.get("derive") or {}).items():
        if not isinstance(spec, dict) or not _text(spec.get("from")) or not isinstance(spec.get("values"), dict):
            raise ConfigError(f"{name}: derive.{q} must be {{from: old column, values: {{old answer: new answer}}}}")
    na = data.get("not_asked") or []
    if isinstance(na, str):
        na = [na]
    if not isinstance(na, list) or not all(isinstance(x, str) for x in na):
        raise ConfigError(f"{name}: 'not_asked' must be a list of question names")
    data["not_asked"] = [x.strip() for x in na if x.strip()]
    rid = data.get("row_id")
    if rid not in (None, "", "~"):
        if isinstance(rid, str):
            rid = {"from": rid}
        if not isinstance(rid, dict) or "from" not in rid:
            raise ConfigError(f"{name}: row_id must be {{from: row_number | old column | [old columns]}}")
        extra = sorted(set(rid) - {"from", "prefix", "width", "sep", "column"})
        if extra:
            raise ConfigError(f"{name}: row_id has unknown key(s) {extra}; allowed: from, prefix, width, sep, column")
        try:
            rid["width"] = int(rid.get("width") or 0)
        except (TypeError, ValueError):
            raise ConfigError(f"{name}: row_id.width must be a whole number") from None
        data["row_id"] = rid
    else:
        data["row_id"] = None
    for header, spec in (data.get("covariates") or {}).items():
        if isinstance(spec, str):
            spec = {"type": spec}
            data["covariates"][header] = spec
        if not isinstance(spec, dict) or _text(spec.get("type")) not in COVARIATE_TYPES:
            raise ConfigError(f"{name}: covariates.{header} needs type: {' | '.join(COVARIATE_TYPES)}")
        if spec["type"] == "ordinal" and not isinstance(spec.get("levels"), list):
            raise ConfigError(f"{name}: covariates.{header} (ordinal) needs levels: [lowest, …, highest]")
        covariate_name(str(header), spec)
    try:
        data["skip_rows"] = int(data.get("skip_rows") or 0)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}: skip_rows must be a whole number") from None
    if data["skip_rows"] < 0:
        raise ConfigError(f"{name}: skip_rows must be 0 or more")
    return data, name


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return normalise_text(v)[0]
    if isinstance(v, (int, float)):
        return format_number(v)
    return normalise_text(str(v))[0]


def _blank(row: list[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _find(header: list[Any], old: str) -> int | None:
    k = norm_key(old)
    for i, h in enumerate(header):
        if norm_key("" if h is None else str(h)) == k:
            return i
    return None


def _parse_number(text: str) -> float | None:
    t = text.replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)", t):
        return float(t.replace(",", "."))
    return None


def _row_ids(ctx: ReadContext, raw: RawTable, spec: dict[str, Any], id_col: str, name: str) -> list[str]:
    """One generated id per raw row ("" for empty rows); duplicates stop the read."""
    src = spec["from"]
    prefix, width, sep = _text(spec.get("prefix")), int(spec.get("width") or 0), _text(spec.get("sep")) or "-"
    ids: list[str] = []
    if isinstance(src, str) and src.strip() == "row_number":
        k = 0
        for row in raw.rows:
            if _blank(row):
                ids.append("")
                continue
            k += 1
            ids.append(f"{prefix}{str(k).zfill(width) if width else k}")
        source = "the row number"
    else:
        cols = [src] if isinstance(src, str) else list(src)
        idx = []
        for c in cols:
            i = _find(raw.header, str(c))
            if i is None:
                raise ctx.error(f"mapping {name}: row_id column '{c}' is not in the file", row=raw.header_row,
                                fix="name the old column(s) exactly as in the header, or use from: row_number")
            idx.append(i)
        for row in raw.rows:
            if _blank(row):
                ids.append("")
                continue
            parts = [_cell_text(row[i] if i < len(row) else None) for i in idx]
            ids.append(prefix + sep.join(parts) if all(parts) else "")
        source = "column(s) " + ", ".join(f"'{c}'" for c in cols)
    seen: dict[str, int] = {}
    for rownum, v in zip(raw.row_numbers, ids):
        if not v:
            continue
        if v in seen:
            raise ctx.error(f"the generated {id_col} {v!r} is on rows {seen[v]} and {rownum}", row=rownum,
                            column=id_col, fix="row_id must give every row its own id: add a column to "
                                                "row_id.from, or use from: row_number")
        seen[v] = rownum
    example = next((v for v in ids if v), "")
    ctx.note("row_id_generated", column=id_col, count=len(seen), id_column=id_col, source=source, example=example)
    return ids


def read_legacy(ctx: ReadContext, mapping: str | Path | dict | None, base_dir: Path | None,
                encoding: str | None = None, delimiter: str | None = None) -> RawTable:
    """Read an old spreadsheet through its mapping (see the module docstring)."""
    spec, spec_name = load_mapping(mapping, base_dir)
    ext = check_extension(ctx, (".csv", ".txt", ".xlsx", ".xlsm"))
    skip = spec["skip_rows"]
    ctx.info["mapping"] = spec_name
    if ext in (".xlsx", ".xlsm"):
        sheet = spec.get("sheet")
        raw = read_xlsx_raw(ctx, sheet=sheet if sheet not in (None, "") else 0, header_row=skip + 1)
    else:
        raw = read_csv_raw(ctx, encoding=encoding, delimiter=delimiter, skip_rows=skip)
    id_col = "employer_id" if ctx.instrument_key == "employer" else "student_id"
    columns = {norm_key(k): (None if v in (None, "", "~", "null") else str(v))
               for k, v in (spec.get("columns") or {}).items()}

    # ---- computed from the original columns: the row id, derived questions, covariates
    rid = spec.get("row_id")
    ids = None
    if rid:
        id_target = _text(rid.get("column")) or id_col
        if id_target in columns.values():
            raise ConfigError(f"{spec_name}: row_id and columns both give '{id_target}'; keep one of them")
        ids = _row_ids(ctx, raw, rid, id_target, spec_name)
        ctx.generated = (*ctx.generated, id_target)
    derived: dict[str, list[str]] = {}
    consumed: set[int] = set()
    for q, dspec in (spec.get("derive") or {}).items():
        i = _find(raw.header, _text(dspec["from"]))
        if i is None:
            ctx.note("mapping_columns_missing", level="warning", mapping=spec_name, columns=repr(_text(dspec["from"])))
            continue
        table = {normalise_text(_text(o))[0]: _text(n) for o, n in dspec["values"].items()}
        vals = [table.get(_cell_text(r[i] if i < len(r) else None), "") for r in raw.rows]
        derived[str(q)] = vals
        consumed.add(i)
        n = sum(1 for v in vals if v)
        ctx.note("question_derived", column=str(q), count=n, question=str(q), source=_text(dspec["from"]), n=n)
    if rid and not (isinstance(rid["from"], str) and rid["from"].strip() == "row_number"):
        for c in ([rid["from"]] if isinstance(rid["from"], str) else rid["from"]):
            i = _find(raw.header, str(c))
            if i is not None and norm_key(str(raw.header[i])) not in columns:
                consumed.add(i)
    cov_specs: dict[str, dict[str, Any]] = {}
    cov_values: dict[str, list[str]] = {}
    for header, cspec in (spec.get("covariates") or {}).items():
        i = _find(raw.header, str(header))
        xname = covariate_name(str(header), cspec)
        if i is None:
            ctx.note("mapping_columns_missing", level="warning", mapping=spec_name, columns=repr(str(header)))
            continue
        levels = [normalise_text(_text(v))[0] for v in (cspec.get("levels") or [])]
        ctype = cspec["type"]
        vals, bad = [], []
        for rownum, r in zip(raw.row_numbers, raw.rows):
            t = _cell_text(r[i] if i < len(r) else None)
            if t and ctype == "number":
                num = _parse_number(t)
                if num is None:
                    bad.append((rownum, t))
                    t = ""
                else:
                    t = format_number(num)
            elif t and ctype == "ordinal":
                hit = [lv for lv in levels if norm_key(lv) == norm_key(t)]
                if not hit:
                    bad.append((rownum, t))
                    t = ""
                else:
                    t = hit[0]
            vals.append(t)
        cov_specs[xname] = {"type": ctype, "levels": levels, "header": str(header)}
        cov_values[xname] = vals
        consumed.add(i)
        n = sum(1 for v in vals if v)
        ctx.note("covariate", column=str(header), count=n, header=str(header), name=xname, type=ctype, n=n)
        if bad:
            ctx.note("covariate_invalid", row=bad[0][0], column=str(header), count=len(bad), name=xname,
                     type="a number" if ctype == "number" else "one of " + ", ".join(levels), n=len(bad),
                     first=bad[0][0], value=bad[0][1])

    # ---- renamed and kept columns
    used = set()
    header: list[Any] = []
    keep: list[int] = []
    for i, h in enumerate(raw.header):
        k = norm_key("" if h is None else str(h))
        if k in columns:
            used.add(k)
            if columns[k] is None:
                n = sum(1 for r in raw.rows if i < len(r) and _cell_text(r[i]))
                ctx.note("dropped_on_purpose", row=raw.header_row, column=str(h), count=n, header=str(h), n=n,
                         how=f"mapping {Path(spec_name).name}: ~")
                continue
            header.append(columns[k])
        elif i in consumed:
            continue
        else:
            header.append(h)
        keep.append(i)
    missing = [k for k in columns if k not in used]
    if missing:
        ctx.note("mapping_columns_missing", mapping=spec_name, columns=", ".join(repr(m) for m in missing))
    rows = [[r[i] if i < len(r) else None for i in keep] for r in raw.rows]
    values = spec.get("values") or {}
    for col, vmap in values.items():
        if col in derived:
            continue
        if col not in header:
            ctx.note("mapping_values_unused", mapping=spec_name, question=col)
            continue
        j = header.index(col)
        table = {normalise_text(_text(old))[0]: _text(new) for old, new in vmap.items()}
        n = 0
        for r in rows:
            v = r[j]
            key = normalise_text(v)[0] if isinstance(v, str) else (None if v is None else _num_text(v))
            if key is not None and key in table:
                r[j] = table[key]
                n += 1
        if n:
            ctx.note("values_recoded", column=col, count=n, n=n)
    for q, vals in derived.items():
        if q in header:
            raise ConfigError(f"{spec_name}: derive.{q}: the file already has a column for '{q}'")
        header.append(q)
        for r, v in zip(rows, vals):
            r.append(v or None)
    if ids is not None:
        header.append(ctx.generated[-1])
        for r, v in zip(rows, ids):
            r.append(v or None)
    for xname, vals in cov_values.items():
        header.append(xname)
        for r, v in zip(rows, vals):
            r.append(v or None)
    for col, value in (spec.get("constants") or {}).items():
        if col in header:
            ctx.note("constant_ignored", column=col, mapping=spec_name, question=col)
            continue
        header.append(col)
        n = 0
        for r in rows:  # an empty row stays empty (it is skipped, not turned into data)
            filled = any(v is not None and str(v).strip() for v in r)
            r.append(_text(value) if filled else None)
            n += filled
        ctx.note("constant_set", column=col, count=n, value=_text(value))
    ctx.not_asked = tuple(dict.fromkeys([*ctx.not_asked, *spec.get("not_asked", [])]))
    ctx.covariates = {**ctx.covariates, **cov_specs}
    ctx.info["covariate_specs"] = cov_specs
    return RawTable(header=header, rows=rows, row_numbers=raw.row_numbers, header_row=raw.header_row,
                    date1904=raw.date1904)


def _num_text(v: Any) -> str:
    if isinstance(v, (int, float)):
        return format_number(v)
    return str(v)


def cast_covariates(df: pd.DataFrame, specs: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Give the covariate columns ``x_<name>`` of an accepted table their declared type.

    ``number`` → float64 (decimal comma read as a point); ``category`` → text; ``ordinal`` → an
    ordered categorical with the mapping's levels (lowest first). Columns without a spec stay text.
    """
    out = df.copy()
    for col, spec in specs.items():
        if col not in out.columns:
            continue
        vals = [None if v is None or (isinstance(v, float) and v != v) or v is pd.NA or str(v).strip() == ""
                else str(v).strip() for v in out[col].astype("object").tolist()]
        if spec.get("type") == "number":
            nums = [_parse_number(v) if v is not None else None for v in vals]
            out[col] = pd.Series([np.nan if x is None else x for x in nums], index=out.index, dtype="float64")
        elif spec.get("type") == "ordinal":
            out[col] = pd.Categorical(vals, categories=list(spec.get("levels") or []), ordered=True)
        else:
            out[col] = pd.Series(vals, index=out.index, dtype="object").astype("string")
    return out

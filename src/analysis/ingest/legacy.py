"""Older spreadsheets (``legacy``): a .csv or .xlsx read through a declarative YAML mapping.

The mapping file (all scalars read as text — YAML 1.1 would turn ``yes``/``no`` into booleans)::

    sheet: Sheet1            # .xlsx only: sheet name or 0-based index (default: the first)
    skip_rows: 2             # rows above the header (titles); default 0
    columns:                 # old header → question name; ~ (null) drops the column on purpose
      ФИО: full_name
      Студ. билет: student_id
      Примечание: ~
    values:                  # per question (new name): old answer → new answer (exact text)
      consent: {Да: yes, Нет: no}
    constants:               # columns the old file lacks, same value on every row
      survey_date: "2023-04-01"

Old headers match after whitespace normalisation, ignoring case. Headers not listed pass through
unchanged (a question name or label is still recognised; anything else is reported and dropped).
Value maps apply before the codebook's label mapping, so an old label list can be mapped to codes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from analysis.errors import ConfigError
from analysis.ingest.common import RawTable, ReadContext, norm_key, normalise_text
from analysis.ingest.sources import check_extension, read_csv_raw, read_xlsx_raw

MAPPING_KEYS = ("columns", "values", "constants", "skip_rows", "sheet")


def load_mapping(mapping: str | Path | dict | None, base_dir: Path | None) -> tuple[dict[str, Any], str]:
    """Load and check a legacy mapping (a YAML file or a dict); return it and its name for messages."""
    import yaml

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
    unknown = sorted(set(data) - set(MAPPING_KEYS))
    if unknown:
        raise ConfigError(f"{name}: unknown key(s) {unknown}; allowed: {', '.join(MAPPING_KEYS)}")
    for key in ("columns", "values", "constants"):
        if not isinstance(data.get(key) or {}, dict):
            raise ConfigError(f"{name}: '{key}' must be a mapping")
    for col, vmap in (data.get("values") or {}).items():
        if not isinstance(vmap, dict):
            raise ConfigError(f"{name}: values.{col} must be a mapping of old answer → new answer")
    try:
        data["skip_rows"] = int(data.get("skip_rows") or 0)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}: skip_rows must be a whole number") from None
    if data["skip_rows"] < 0:
        raise ConfigError(f"{name}: skip_rows must be 0 or more")
    return data, name


def _text(v: Any) -> str:
    """A mapping scalar as text; ``~``/``null`` (YAML's null, read as text by BaseLoader) → empty."""
    return "" if v is None or v in ("~", "null") else str(v)


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
    columns = {norm_key(k): (None if v in (None, "", "~", "null") else str(v))
               for k, v in (spec.get("columns") or {}).items()}
    used = set()
    header: list[Any] = []
    keep: list[int] = []
    for i, h in enumerate(raw.header):
        k = norm_key("" if h is None else str(h))
        if k in columns:
            used.add(k)
            if columns[k] is None:
                continue  # dropped on purpose
            header.append(columns[k])
        else:
            header.append(h)
        keep.append(i)
    missing = [k for k in columns if k not in used]
    if missing:
        ctx.note(f"mapping {spec_name}: column(s) {', '.join(repr(m) for m in missing)} not in the file")
    rows = [[r[i] if i < len(r) else None for i in keep] for r in raw.rows]
    values = spec.get("values") or {}
    for col, vmap in values.items():
        if col not in header:
            ctx.note(f"mapping {spec_name}: values given for '{col}', which is not a column after renaming")
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
            ctx.note(f"{n} value(s) recoded by the mapping", column=col)
    for col, value in (spec.get("constants") or {}).items():
        if col in header:
            ctx.note(f"mapping {spec_name}: constant for '{col}' ignored, the file has that column", column=col)
            continue
        header.append(col)
        for r in rows:  # an empty row stays empty (it is skipped, not turned into data)
            filled = any(v is not None and str(v).strip() for v in r)
            r.append(_text(value) if filled else None)
        ctx.note(f"constant value {_text(value)!r} set on every row by the mapping", column=col)
    return RawTable(header=header, rows=rows, row_numbers=raw.row_numbers, header_row=raw.header_row,
                    date1904=raw.date1904)


def _num_text(v: Any) -> str:
    from analysis.ingest.common import format_number

    if isinstance(v, (int, float)):
        return format_number(v)
    return str(v)

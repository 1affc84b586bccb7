"""The open-data layer: versioned tables in one schema, with provenance, loaded once per run.

Folder ``data/raw/open/`` (``docs/labour-market.md`` §1, ``data/raw/open/README.md``):

* ``schema.yaml`` — the one schema (columns indicator, region, period, occupation, value, unit, source_url,
  source_title, published_date, note; the sidecar keys), checked by the great-expectations suite
  ``expectations/gx/expectations/open_data.json`` (:mod:`analysis.validate.open_data`);
* ``tables/<table>/<version>.csv`` + ``<version>.yaml`` — one table per folder, one file per version (the
  snapshot date, ``YYYY-MM-DD``); the latest version of each table is used;
* ``kg-open/`` — verbatim copies of the kg-open collection (``SNAPSHOT.md`` lists them with their sha256);
  the schema tables ``kg_*`` are made from them by :func:`from_kg_open` (the transformation is documented
  in each sidecar's ``transformation`` and below).

**Transformation of a kg-open file** (:func:`from_kg_open`): the kg-open columns are the schema's without
``occupation``. A region written ``"<region> | <breakdown>"`` is split: the region stays, the breakdown
becomes the ``occupation`` column — an ISCO-08 code where the occupation maps cleanly
(:data:`KG_VACANCY_OCCUPATIONS`, the 19 January 2026 vacancies by occupation), ``gked:<section>`` for an
economic-activity section, ``label:<text>`` otherwise. Nothing else changes: values, units, periods,
sources and notes are copied as printed.

**Which figure a rule uses** (:meth:`OpenData.pick`): among the rows of an indicator, region and
occupation, a real (non-synthetic) table wins over a synthetic one; then the latest period (the year in the
period label), then the latest publication date. A rule that finds no row says "not enough data".
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from analysis.core.paths import SOURCE_ROOT
from analysis.errors import ConfigError, InputError
from analysis.validate.open_data import check_sidecar, load_schema, suite_path, validate_table

__all__ = [
    "KG_COLUMNS",
    "KG_VACANCY_OCCUPATIONS",
    "OpenData",
    "TableInfo",
    "add_table",
    "check_tables",
    "from_kg_open",
    "list_tables",
    "load_open_data",
    "open_root",
    "read_table",
    "table_text",
    "write_table",
]

KG_COLUMNS = ("indicator", "region", "period", "value", "unit", "source_url", "source_title", "published_date", "note")
"""Columns of a verbatim kg-open file (the schema's without ``occupation``)."""

KG_VACANCY_OCCUPATIONS: dict[str, str] = {
    "preschool and school educators (тарбиячылар)": "23",
    "cashiers": "5230",
    "sales agents (professional list)": "3322",
    "managers": "1",
    "accountants": "2411",
    "lawyers": "2611",
    "economists": "2631",
    "computer specialists": "25",
    "cooks": "5120",
    "sales agents (worker list)": "5223",
    "seamstresses/tailors (тигүүчү)": "7531",
    "welders": "7212",
    "construction workers": "71",
    "drivers": "83",
}
"""The Ministry of Labour's occupation labels of 19 January 2026 (kg-open ``kg_vacancies.csv``, translated from
Kyrgyz by the compiler) → ISCO-08 codes (ILO, ISCO-08 vol. I: 2342/2330 teachers → 23; 5230 cashiers and
ticket clerks; 3322 commercial sales representatives; 1 managers; 2411 accountants; 2611 lawyers; 2631
economists; 25 ICT professionals; 5120 cooks; 5223 shop sales assistants; 7531 tailors; 7212 welders; 71
building trades; 83 drivers). Labels that span several groups (medical workers: 22 and 32; state and
municipal employees; administrators; interns; service workers) and the two list totals keep their label."""

_SECTION = re.compile(r"^([A-U])\s")


def open_root(root: Path | str | None = None) -> Path:
    """``data/raw/open`` under ``root`` (default: this repository)."""
    return Path(root or SOURCE_ROOT) / "data" / "raw" / "open"


@dataclass(frozen=True)
class TableInfo:
    """One version of one open-data table: its files and sidecar."""

    id: str
    version: str
    csv: Path
    sidecar: Path
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def synthetic(self) -> bool:
        return bool(self.meta.get("synthetic", False))

    @property
    def title(self) -> str:
        return str(self.meta.get("title", ""))


def _read_meta(path: Path) -> Any:
    if not path.is_file():
        raise InputError(path, "sidecar not found",
                         fix="every table <version>.csv needs <version>.yaml with its provenance")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(path, f"not valid YAML ({getattr(exc, 'problem', exc)})") from None


def list_tables(root: Path | str | None = None, *, all_versions: bool = False) -> list[TableInfo]:
    """The tables under ``data/raw/open/tables/``: the latest version of each (``all_versions``: every one),
    sorted by id and version. Sidecars are read, not checked (:func:`check_tables` checks)."""
    base = open_root(root) / "tables"
    out: list[TableInfo] = []
    for folder in sorted(p for p in base.glob("*") if p.is_dir()):
        versions = sorted(folder.glob("*.csv"))
        for csv_path in (versions if all_versions else versions[-1:]):
            side = csv_path.with_suffix(".yaml")
            meta = _read_meta(side) if side.is_file() else {}
            out.append(TableInfo(folder.name, csv_path.stem, csv_path, side,
                                 meta if isinstance(meta, dict) else {}))
    return out


def read_table(path: Path | str) -> pd.DataFrame:
    """A table as text (every cell a string, ``""`` for empty), columns as in the file. Raises a one-line
    :class:`InputError` for a file that is not UTF-8 CSV."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found")
    try:
        text = path.read_text(encoding="utf-8-sig")
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text", fix="save the table as CSV UTF-8") from None
    except pd.errors.ParserError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise InputError(path, "not a well-formed CSV (a row has more fields than the header)",
                         row=int(line.group(1)) if line else None) from None
    except pd.errors.EmptyDataError:
        raise InputError(path, "empty file", fix="a table needs a header row and at least one row") from None


def check_tables(root: Path | str | None = None) -> list[InputError]:
    """Every problem of every version of every table (schema suite + sidecar), one error each."""
    schema = load_schema(root)
    problems: list[InputError] = []
    for info in list_tables(root, all_versions=True):
        side = _read_meta(info.sidecar)
        problems += check_sidecar(side, info.sidecar, schema, table_id=info.id, version=info.version)
        problems += validate_table(read_table(info.csv), info.csv, schema)
    return problems


# ----------------------------------------------------------------------------- the transformation
def _split_region(region: str, table_id: str) -> tuple[str, str]:
    if " | " not in region:
        return region, ""
    head, tail = (s.strip() for s in region.split(" | ", 1))
    if table_id == "kg_vacancies" and tail in KG_VACANCY_OCCUPATIONS:
        return head, KG_VACANCY_OCCUPATIONS[tail]
    m = _SECTION.match(tail)
    if m:
        return head, f"gked:{m.group(1)}"
    return head, f"label:{tail}"


def from_kg_open(path: Path | str, table_id: str) -> pd.DataFrame:
    """A verbatim kg-open CSV in the schema's columns (the transformation in the module docstring)."""
    path = Path(path)
    raw = read_table(path)
    if tuple(raw.columns) != KG_COLUMNS:
        raise InputError(path, f"not a kg-open file: columns must be {', '.join(KG_COLUMNS)}", row=1)
    split = [_split_region(r, table_id) for r in raw["region"]]
    out = raw.copy()
    out["region"] = [s[0] for s in split]
    out.insert(3, "occupation", [s[1] for s in split])
    return out[load_schema().names]


def table_text(table: pd.DataFrame) -> str:
    """The CSV text of a table (UTF-8, ``\\n`` line ends, minimal quoting): the byte-stable stored form."""
    buf = io.StringIO()
    table.to_csv(buf, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return buf.getvalue()


def write_table(table: pd.DataFrame, meta: dict[str, Any], root: Path | str | None = None) -> Path:
    """Write a checked table as ``tables/<id>/<version>.csv`` with its sidecar; returns the CSV path.

    Raises the first :class:`InputError` of the schema suite or the sidecar check (nothing is written then).
    """
    table_id, version = str(meta.get("id", "")), str(meta.get("version", ""))
    folder = open_root(root) / "tables" / table_id
    dest = folder / f"{version}.csv"
    problems = check_sidecar(meta, dest.with_suffix(".yaml"), table_id=table_id or None, version=version or None)
    problems = problems or validate_table(table, dest)
    if problems:
        raise problems[0]
    folder.mkdir(parents=True, exist_ok=True)
    dest.write_text(table_text(table), encoding="utf-8")
    dest.with_suffix(".yaml").write_text(
        yaml.safe_dump(dict(meta), allow_unicode=True, sort_keys=False, width=110), encoding="utf-8")
    return dest


def add_table(file: Path | str, root: Path | str | None = None, *, sidecar: Path | str | None = None) -> Path:
    """``tracer opendata add FILE``: validate a new table and copy it, with its provenance, into
    ``data/raw/open/tables/<id>/<version>.csv``.

    ``FILE`` is a CSV in the schema, or a verbatim kg-open CSV (transformed by :func:`from_kg_open`); its
    sidecar (default: ``FILE`` with the suffix ``.yaml``) gives id, title, version, synthetic, licence and
    publisher. The copy records ``derived_from`` (the file name and its sha256) unless the sidecar names one.
    Refuses to overwrite an existing version. Raises the first problem as a one-line :class:`InputError`.
    """
    file = Path(file)
    side = Path(sidecar) if sidecar else file.with_suffix(".yaml")
    if not side.is_file():
        raise InputError(side, "sidecar not found", fix="write a YAML file with id, title, version (YYYY-MM-DD), "
                                                        "synthetic, licence and publisher next to the table")
    meta = _read_meta(side)
    if not isinstance(meta, dict):
        raise InputError(side, "the sidecar must be a YAML mapping")
    meta = {k: (str(v) if k == "version" and v is not None else v) for k, v in meta.items()}
    table = read_table(file)
    if tuple(table.columns) == KG_COLUMNS:
        table = from_kg_open(file, str(meta.get("id", "")))
        meta.setdefault("transformation", "kg-open layout: 'region | breakdown' split into region and occupation "
                                          "(analysis.derive.open_tables.from_kg_open); values unchanged")
    meta.setdefault("derived_from", f"{file.name} sha256:{hashlib.sha256(file.read_bytes()).hexdigest()}")
    problems = check_sidecar(meta, side) or validate_table(table, file)
    if problems:  # named by the file the user gave, not by its destination
        raise problems[0]
    dest = open_root(root) / "tables" / str(meta.get("id", "")) / f"{meta.get('version', '')}.csv"
    if dest.exists():
        raise InputError(dest, "this version of the table already exists",
                         fix="give the new snapshot a new version date in its sidecar")
    return write_table(table, meta, root)


# ----------------------------------------------------------------------------- loading once per run
def _year(period: str) -> int:
    years = re.findall(r"\b(?:19|20)\d{2}\b", period)
    return int(years[0]) if years else 0


@dataclass
class OpenData:
    """Every row of every table (latest versions), typed, with its table's provenance.

    ``rows`` columns: the schema's, ``value`` as float, plus ``table``, ``version``, ``synthetic``, ``year``
    (the first year in the period label — the period's own, before any publication note; 0 when none).
    ``tables``: the :class:`TableInfo` loaded.
    """

    rows: pd.DataFrame
    tables: list[TableInfo]

    def table(self, table_id: str) -> TableInfo | None:
        """The loaded version of ``table_id`` (None when absent)."""
        return next((t for t in self.tables if t.id == table_id), None)

    def select(self, indicator: str, region: str | None = None, occupation: str | None = None) -> pd.DataFrame:
        """Rows of one indicator (and region, occupation when given), real tables first, latest first."""
        r = self.rows
        m = r["indicator"] == indicator
        if region is not None:
            m &= r["region"] == region
        if occupation is not None:
            m &= r["occupation"] == occupation
        return r[m].sort_values(["synthetic", "year", "published_date"], ascending=[True, False, False],
                                kind="stable")

    def pick(self, indicator: str, region: str | None = None, occupation: str | None = None,
             year: int | None = None) -> pd.Series | None:
        """The figure a rule uses (module docstring): real before synthetic, then the latest year (or exactly
        ``year`` when given), then the latest publication date; None when there is none."""
        s = self.select(indicator, region, occupation)
        if year is not None:
            s = s[s["year"] == year]
        return None if s.empty else s.iloc[0]


@lru_cache(maxsize=4)
def _load(root_str: str, stamp: tuple[tuple[str, float], ...], validate: bool) -> OpenData:
    root = Path(root_str)
    tables = list_tables(root)
    frames = []
    checked = _checked(root) if validate else set()
    passed = set()
    for info in tables:
        text = read_table(info.csv)
        if validate:
            digest = _check_digest(root, info)
            if digest not in checked:  # a table already checked against the same schema and suite is not re-run
                problems = check_sidecar(_read_meta(info.sidecar), info.sidecar, table_id=info.id,
                                         version=info.version)
                problems = problems or validate_table(text, info.csv)
                if problems:
                    raise problems[0]
            passed.add(digest)
        df = text.copy()
        df["value"] = pd.to_numeric(df["value"], errors="coerce")
        df["table"], df["version"], df["synthetic"] = info.id, info.version, info.synthetic
        df["year"] = [_year(p) for p in df["period"]]
        frames.append(df)
    if validate and passed - checked:
        _remember_checked(root, passed)
    cols = load_schema(root).names + ["table", "version", "synthetic", "year"]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    return OpenData(rows=rows, tables=tables)


CHECKED_FILE = Path("data") / "processed" / ".open-data-checked.json"
"""Under the project root: the SHA-256 digests of the open-data tables that passed their suite (see
:func:`_check_digest`), so that the model stage does not run great-expectations again on unchanged tables
(about 2 s of import and 11 tables a run on the demo; ``docs/performance.md``). Regenerated output: delete it to
force a new check; ``tracer opendata check`` always checks."""


def _check_digest(root: Path, info: TableInfo) -> str:
    """SHA-256 over everything the check depends on: the table's and its sidecar's bytes, the schema and the
    stored suite (a change to any of them means a new check)."""
    h = hashlib.sha256()
    for path in (info.csv, info.sidecar, open_root(root) / "schema.yaml", suite_path(root)):
        h.update(str(path.name).encode())
        h.update(path.read_bytes() if path.is_file() else b"-")
    return h.hexdigest()


def _checked(root: Path) -> set[str]:
    path = root / CHECKED_FILE
    try:
        return set(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return set()


def _remember_checked(root: Path, digests: set[str]) -> None:
    path = root / CHECKED_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(sorted(digests)) + "\n", encoding="utf-8")
    except OSError:  # a read-only project: check again next time
        pass


def load_open_data(root: Path | str | None = None, *, validate: bool = True) -> OpenData:
    """Every open-data table (latest versions) of the project under ``root`` — the repository's own when that
    project has no ``data/raw/open/tables`` — checked against the schema's suite (great-expectations) when
    ``validate`` — a table that fails stops the run with one line (file, row, column, problem). Read once per
    process while the files are unchanged."""
    base = open_root(root) / "tables"
    if not base.is_dir() and root is not None:  # a project without its own tables uses the repository's
        root, base = None, open_root() / "tables"
    stamp = tuple(sorted((str(p), p.stat().st_mtime) for p in base.rglob("*") if p.is_file())) if base.is_dir() else ()
    if not base.is_dir():
        raise ConfigError(f"{base}: open-data tables not found — restore data/raw/open/tables/ (docs/labour-market.md)")
    return _load(str(Path(root or SOURCE_ROOT)), stamp, validate)


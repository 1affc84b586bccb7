"""The inverse of the readers: write a canonical table as a platform would export it.

Used by the tests (every format must read back to the same canonical rows) and by the demo
generator. The files follow the platforms' export conventions (KoboToolbox formpack, ODK Central)
exactly, as the readers expect them:

* Kobo CSV — separator ``;``, every field quoted, embedded quotes doubled, CRLF, UTF-8 without BOM;
  group paths ``grp/q``; select_multiple as summary ``q`` plus ``q/choice`` columns holding 1/0,
  empty when unanswered; meta columns ``start end today … __version__ meta/instanceID _id _uuid
  _submission_time _validation_status _notes _status _submitted_by _tags _index``.
  ``labels_lang`` gives a "Labels" export (question labels as headers, choice labels as values).
* Kobo XLSX — the same table on the first sheet (all cells as text, Kobo's default "store date and
  number responses as text").
* ODK Central CSV — ``,``, minimal quoting, ``\\n``; groups joined with ``-``; ``q/option`` 0/1
  columns (empty when unanswered); ``SubmissionDate … KEY SubmitterID SubmitterName
  AttachmentsPresent AttachmentsExpected Status ReviewState DeviceID Edits FormVersion``.
* SPSS .sav — pyreadstat ``write_sav`` with variable labels and value labels (numeric variables for
  numeric choice lists, string variables with value labels otherwise; select_multiple as a string of
  codes).

Output is deterministic: meta values come from the table's provenance columns, the ``meta`` argument,
or a generator seeded with ``seed``; .xlsx files are rewritten by :func:`deterministic_xlsx`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat
from openpyxl import Workbook

from analysis.ingest.labels import base_type, question_group_path

KOBO_META_BEFORE = ("start", "end", "today")
KOBO_META_AFTER = ("__version__", "meta/instanceID", "_id", "_uuid", "_submission_time",
                   "_validation_status", "_notes", "_status", "_submitted_by", "_tags", "_index")
ODK_META_AFTER = ("meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent",
                  "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion")
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_DOC_TIME = "1980-01-01T00:00:00Z"


def _cell(df: pd.DataFrame, i: int, col: str) -> str:
    if col not in df.columns:
        return ""
    v = df[col].iat[i]
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return str(v)


def _meta_values(df: pd.DataFrame, meta: Mapping[str, Sequence[Any]] | pd.DataFrame | None,
                 seed: int) -> list[dict[str, str]]:
    """Per-row platform meta values: given ones win, then provenance columns, then seeded values."""
    rng = random.Random(seed)
    n = len(df)
    given: dict[str, list[str]] = {}
    if meta is not None:
        items = meta.items() if not isinstance(meta, pd.DataFrame) else ((c, meta[c]) for c in meta.columns)
        for k, vals in items:
            vals = list(vals)
            if len(vals) != n:
                raise ValueError(f"meta column '{k}' has {len(vals)} values for {n} rows")
            given[k] = ["" if v is None else str(v) for v in vals]
    base_id = 300_000_000 + rng.randrange(1_000_000)
    version = "v" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
                            for _ in range(22))
    out = []
    day0 = dt.datetime(2025, 3, 1, 8, 0, 0)
    for i in range(n):
        u = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        sid = _cell(df, i, "_submission_id")
        if re.fullmatch(r"(uuid:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", sid):
            u = sid.removeprefix("uuid:")
        survey = _cell(df, i, "survey_date")
        try:
            day = dt.datetime.fromisoformat(survey) if survey else day0 + dt.timedelta(days=i // 20)
        except ValueError:
            day = day0
        start = day.replace(hour=8) + dt.timedelta(minutes=rng.randrange(10 * 60))
        end = start + dt.timedelta(minutes=5 + rng.randrange(25), seconds=rng.randrange(60))
        sub = end + dt.timedelta(seconds=5 + rng.randrange(600))
        submitted = _cell(df, i, "_submitted_at") or sub.strftime("%Y-%m-%dT%H:%M:%S")
        row = {
            "start": start.strftime("%Y-%m-%dT%H:%M:%S.000+06:00"),
            "end": end.strftime("%Y-%m-%dT%H:%M:%S.000+06:00"),
            "today": start.date().isoformat(),
            "__version__": version,
            "meta/instanceID": f"uuid:{u}",
            "_id": str(base_id + i),
            "_uuid": u,
            "_submission_time": submitted,
            "_validation_status": _cell(df, i, "_review_state"),
            "_notes": "",
            "_status": "submitted_via_web",
            "_submitted_by": "",
            "_tags": "",
            "_index": str(i + 1),
            # ODK Central
            "SubmissionDate": submitted if submitted.endswith("Z") else
            (dt.datetime.fromisoformat(submitted[:19]).strftime("%Y-%m-%dT%H:%M:%S")
             + f".{rng.randrange(1000):03d}Z"),
            "meta-instanceID": f"uuid:{u}",
            "KEY": f"uuid:{u}",
            "SubmitterID": str(5 + rng.randrange(3)),
            "SubmitterName": f"enumerator{1 + rng.randrange(3)}",
            "AttachmentsPresent": "0",
            "AttachmentsExpected": "0",
            "Status": "",
            "ReviewState": _cell(df, i, "_review_state"),
            "DeviceID": f"collect:{rng.getrandbits(64):016X}"[:24],
            "Edits": "0",
            "FormVersion": "2025.1",
        }
        for k, vals in given.items():
            row[k] = vals[i]
        out.append(row)
    return out


def _question_label(inst: Any, q: Any, lang: str) -> str:
    try:
        lab = inst.label(q.name, lang)
    except Exception:
        lab = None
    if not lab:
        labels = getattr(q, "labels", None) or {}
        lab = labels.get(lang) if isinstance(labels, dict) else None
    return lab or q.name


def _choice_label(inst: Any, name: str, code: str, lang: str) -> str:
    try:
        lab = inst.choice_label(name, code, lang)
    except Exception:
        lab = None
    return lab or code


def _form_table(df: pd.DataFrame, inst: Any, labels_lang: str | None, group_sep: str | None,
                split_sep: str = "/") -> tuple[list[str], list[list[str]]]:
    """Header and rows of the question part of an export (select_multiple: summary + options)."""
    header: list[str] = []
    cols: list[tuple[str, Any, str | None]] = []  # (kind, question, code)
    for q in inst.data_questions:
        t = base_type(q)
        if labels_lang:
            head = _question_label(inst, q, labels_lang)
        else:
            path = question_group_path(q, inst) if group_sep else []
            head = (group_sep or "/").join([*path, q.name])
        header.append(head)
        cols.append(("q", q, None))
        if t == "select_multiple":
            for code in inst.choice_codes(q.name):
                opt = _choice_label(inst, q.name, str(code), labels_lang) if labels_lang else str(code)
                header.append(f"{head}{split_sep}{opt}")
                cols.append(("opt", q, str(code)))
    rows = []
    for i in range(len(df)):
        row = []
        for kind, q, code in cols:
            v = _cell(df, i, q.name)
            t = base_type(q)
            if kind == "opt":
                row.append("" if not v else ("1" if code in v.split() else "0"))
            elif labels_lang and t == "select_one" and v:
                row.append(_choice_label(inst, q.name, v, labels_lang) if v in _codes(inst, q.name) else v)
            elif labels_lang and t == "select_multiple" and v:
                codes = _codes(inst, q.name)
                row.append(" ".join(_choice_label(inst, q.name, c, labels_lang) if c in codes else c
                                    for c in v.split()))
            else:
                row.append(v)
        rows.append(row)
    return header, rows


def _codes(inst: Any, name: str) -> list[str]:
    return [str(c) for c in inst.choice_codes(name)]


def kobo_table(df: pd.DataFrame, inst: Any, labels_lang: str | None = None, group_paths: bool = True,
               meta: Mapping[str, Sequence[Any]] | pd.DataFrame | None = None,
               seed: int = 0) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a Kobo export of ``df`` (see the module docstring for the layout)."""
    header, rows = _form_table(df, inst, labels_lang, "/" if group_paths else None)
    metas = _meta_values(df, meta, seed)
    full_header = [*KOBO_META_BEFORE, *header, *KOBO_META_AFTER]
    out = [[*(m[k] for k in KOBO_META_BEFORE), *r, *(m[k] for k in KOBO_META_AFTER)]
           for m, r in zip(metas, rows)]
    return full_header, out


def write_kobo_csv(df: pd.DataFrame, inst: Any, path: str | Path, labels_lang: str | None = None,
                   group_paths: bool = True, meta: Mapping[str, Sequence[Any]] | pd.DataFrame | None = None,
                   seed: int = 0) -> Path:
    """Write ``df`` (canonical columns) as a KoboToolbox CSV export.

    Parameters
    ----------
    df : canonical table (question columns as text; provenance columns used for meta when present).
    inst : the instrument.
    path : output file.
    labels_lang : None for "XML values and headers"; ``ky``/``ru``/``en`` for a "Labels" export.
    group_paths : include group paths in headers (``grp/q``), Kobo's "include groups in headers".
    meta : per-row values of Kobo meta columns (``_uuid``, ``_submission_time``, ``start`` …).
    seed : seed of the generator of the meta values not given.
    """
    header, rows = kobo_table(df, inst, labels_lang, group_paths, meta, seed)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=";", quotechar='"', quoting=csv.QUOTE_ALL, doublequote=True,
                   lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def write_kobo_xlsx(df: pd.DataFrame, inst: Any, path: str | Path, labels_lang: str | None = None,
                    group_paths: bool = True, meta: Mapping[str, Sequence[Any]] | pd.DataFrame | None = None,
                    seed: int = 0, sheet_title: str | None = None) -> Path:
    """Write ``df`` as a KoboToolbox XLSX export (first sheet, every cell as text); deterministic bytes."""
    header, rows = kobo_table(df, inst, labels_lang, group_paths, meta, seed)
    wb = Workbook()
    ws = wb.active
    title = sheet_title or str(getattr(inst, "title", None) or getattr(inst, "form_id", "data"))
    ws.title = (re.sub(r"[\[\]:*?/\\]", " ", title).strip() or "data")[:31]
    ws.append(header)
    for r in rows:
        ws.append(r)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return deterministic_xlsx(path)


def odk_table(df: pd.DataFrame, inst: Any, meta: Mapping[str, Sequence[Any]] | pd.DataFrame | None = None,
              seed: int = 0) -> tuple[list[str], list[list[str]]]:
    """Header and rows of an ODK Central CSV export of ``df``."""
    header, rows = _form_table(df, inst, None, "-")
    metas = _meta_values(df, meta, seed)
    full_header = ["SubmissionDate", *header, *ODK_META_AFTER]
    out = [[m["SubmissionDate"], *r, *(m[k] for k in ODK_META_AFTER)] for m, r in zip(metas, rows)]
    return full_header, out


def write_odk_csv(df: pd.DataFrame, inst: Any, path: str | Path,
                  meta: Mapping[str, Sequence[Any]] | pd.DataFrame | None = None, seed: int = 0) -> Path:
    """Write ``df`` as an ODK Central CSV export (``,``, minimal quoting, UTF-8, ``\\n``)."""
    header, rows = odk_table(df, inst, meta, seed)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=",", quotechar='"', quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def _all_parse(values: list[str], parse) -> bool:
    """True when ``parse`` accepts every non-empty value (helper of the reference API :func:`write_spss`)."""
    try:
        for v in values:
            if v:
                parse(v)
    except (ValueError, TypeError):
        return False
    return True


def write_spss(df: pd.DataFrame, inst: Any, path: str | Path, labels_lang: str = "ky") -> Path:
    """Write the question columns of ``df`` as an SPSS .sav with variable and value labels.

    select_one: numeric variable with value labels when every code of the list is a whole number
    (``scale5``, ``isco_major``), else a string variable with value labels code → label.
    select_multiple: a string of space-separated codes. integer/decimal: numeric when every value
    parses, else string. date: SPSS DATE when every value is ISO, else string. Labels in
    ``labels_lang``.

    Reference API: no pipeline step writes SPSS (the demo cohort ships Kobo, ODK and entry-workbook
    files). It exists to build test inputs — the format-equivalence test (the same answers as SPSS
    read back to the same canonical rows as every other format) and the bad-input corpus
    (``tests/bad_inputs/make_corpus.py``) — so that the SPSS reader is tested on files with real
    variable and value labels without committing binary fixtures by hand.
    """
    data: dict[str, Any] = {}
    col_labels: dict[str, str] = {}
    value_labels: dict[str, dict[Any, str]] = {}
    for q in inst.data_questions:
        name, t = q.name, base_type(q)
        vals = [_cell(df, i, name) for i in range(len(df))]
        col_labels[name] = _question_label(inst, q, labels_lang)
        if t == "select_one":
            codes = _codes(inst, name)
            labels = {c: _choice_label(inst, name, c, labels_lang) for c in codes}
            if codes and all(c.isdigit() for c in codes) and all(v == "" or v.isdigit() for v in vals):
                data[name] = [float(v) if v else float("nan") for v in vals]
                value_labels[name] = {float(c): lab for c, lab in labels.items()}
            else:
                data[name] = vals
                value_labels[name] = labels
        elif t in ("integer", "decimal") and _all_parse(vals, float):
            data[name] = [float(v) if v else float("nan") for v in vals]
        elif t == "date" and _all_parse(vals, dt.date.fromisoformat):
            data[name] = [dt.date.fromisoformat(v) if v else None for v in vals]
        else:
            data[name] = vals
    out = pd.DataFrame(data)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pyreadstat.write_sav(out, str(path), column_labels=col_labels, variable_value_labels=value_labels)
    return path


def deterministic_xlsx(path: str | Path) -> Path:
    """Rewrite an .xlsx (a ZIP) so that its bytes do not depend on when it was written.

    Every ZIP entry gets the date 1980-01-01 00:00:00 (the ZIP epoch), fixed permissions and
    DEFLATE compression, in the original order; ``docProps/core.xml``'s ``dcterms:created`` and
    ``dcterms:modified`` become 1980-01-01T00:00:00Z (ECMA-376 Part 2, core properties).
    """
    path = Path(path)
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            if name == "docProps/core.xml":
                text = data.decode("utf-8")
                for tag in ("dcterms:created", "dcterms:modified"):
                    text = re.sub(rf"(<{tag}[^>]*>)[^<]*(</{tag}>)", rf"\g<1>{FIXED_DOC_TIME}\g<2>", text)
                data = text.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            info.create_system = 0
            zout.writestr(info, data)
    path.write_bytes(buf.getvalue())
    return path

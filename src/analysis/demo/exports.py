"""The platform writers of the synthetic demo cohort: rows and meta columns as each platform exports them.

:class:`Row` is one data row of an output file; :func:`kobo_meta` and :func:`odk_meta` make the seeded meta
columns of a KoboToolbox or ODK Central submission; :func:`answer_frame` and :func:`meta_frame` hand the rows
to the writers of :mod:`analysis.ingest.writers` (Kobo CSV/XLSX, ODK CSV); :func:`write_registry` writes the
registrar's workbook and :func:`write_entry` keys paper questionnaires into the project's data-entry workbook.
Every file is deterministic (ZIP entries of the .xlsx files dated 1980-01-01).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from analysis.demo.population import Rand
from analysis.ingest.writers import deterministic_xlsx
from analysis.instruments.entry_workbook import CHOICE_SEP, entry_workbook

# ----------------------------------------------------------------------------- the contract's columns
REGISTRY_COLUMNS = (
    "student_id", "full_name", "sex", "date_of_birth", "programme", "faculty", "level", "graduation_date",
    "gpa", "funding", "home_oblast", "home_rayon", "email", "phone_mobile", "phone_landline",
    "social_network", "social_handle", "parent_name", "parent_phone",
)


# ============================================================================= rows and platform meta
@dataclass
class Row:
    """One data row of an output file: the answers (contract names), platform meta, a sort key."""

    answers: dict[str, str]
    meta: dict[str, str] = field(default_factory=dict)
    sort_key: tuple = ()


_INTERVIEWERS = (("7", "interviewer_aigul"), ("8", "interviewer_bakyt"), ("9", "interviewer_nurzada"))


def kobo_meta(r: Rand, day: date, status: str = "") -> dict[str, str]:
    """Kobo meta columns of one submission: local times +06:00 (Asia/Bishkek), submission time in UTC."""
    start = datetime(day.year, day.month, day.day, 9, 0) + timedelta(minutes=r.int(0, 13 * 60), seconds=r.int(0, 59))
    end = start + timedelta(minutes=r.int(6, 28), seconds=r.int(0, 59))
    sub = end - timedelta(hours=6) + timedelta(seconds=r.int(2, 900))
    u = r.uuid4()
    return {
        "start": start.strftime("%Y-%m-%dT%H:%M:%S.000+06:00"),
        "end": end.strftime("%Y-%m-%dT%H:%M:%S.000+06:00"),
        "today": day.isoformat(),
        "_uuid": u,
        "meta/instanceID": f"uuid:{u}",
        "_submission_time": sub.strftime("%Y-%m-%dT%H:%M:%S"),
        "_validation_status": status,
        "_status": "submitted_via_web",
    }


def odk_meta(r: Rand, day: date) -> dict[str, str]:
    """ODK Central meta columns of one phone interview (submitted from the interviewer's tablet)."""
    sub_id, name = r.pick(_INTERVIEWERS)
    t = datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC) + timedelta(minutes=r.int(0, 12 * 60))
    u = r.uuid4()
    return {
        "SubmissionDate": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{r.int(0, 999):03d}Z",
        "meta-instanceID": f"uuid:{u}",
        "KEY": f"uuid:{u}",
        "SubmitterID": sub_id,
        "SubmitterName": name,
        "AttachmentsPresent": "0",
        "AttachmentsExpected": "0",
        "Status": "",
        "ReviewState": "approved" if r.p(0.3) else "",
        "DeviceID": f"collect:{r.hexstr(8).upper()}",
        "Edits": "0",
    }


def answer_frame(rows: list[Row], columns: tuple[str, ...]):
    """The answers of ``rows`` as a table of text with the contract's ``columns`` (missing answers empty)."""
    return pd.DataFrame([[x.answers.get(c, "") for c in columns] for x in rows], columns=list(columns), dtype=object)


def meta_frame(rows: list[Row], r: Rand, with_ids: bool) -> dict[str, list[str]]:
    """Per-row meta columns; Kobo ``_id`` values increase with submission time, with gaps (other projects)."""
    keys = sorted({k for x in rows for k in x.meta})
    meta = {k: [x.meta.get(k, "") for x in rows] for k in keys}
    if with_ids:
        ids, cur = [], 480_000_000 + r.int(0, 9_999_999)
        for _ in rows:
            cur += r.int(1, 60)
            ids.append(str(cur))
        meta["_id"] = ids
    return meta


def write_registry(rows: list[Row], path: Path, year: int = 2025) -> None:
    """The registrar's workbook: contract names in row 1, dates as Excel dates, GPA as a number."""

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(f"Бүтүрүүчүлөр {year}")
    for j, c in enumerate(REGISTRY_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(j)].width = {"full_name": 38, "email": 30, "parent_name": 26}.get(c, 16)
    ws.freeze_panes = "B2"
    ws.append(list(REGISTRY_COLUMNS))
    for x in rows:
        out: list[Any] = []
        for c in REGISTRY_COLUMNS:
            v = x.answers[c]
            if c in ("date_of_birth", "graduation_date") and v:
                cell = WriteOnlyCell(ws, value=date.fromisoformat(v))
                cell.number_format = "DD.MM.YYYY"
                out.append(cell)
            elif c == "gpa" and v:
                out.append(float(v))
            else:
                out.append(v)
        ws.append(out)
    wb.save(path)
    deterministic_xlsx(path)


_ENTRY_CLERKS = ("Абдыкадырова Н.", "Токтосунов Э.", "Мамытова Ж.")


def write_entry(rows: list[Row], inst: Any, path: Path, r: Rand) -> int:
    """Key the paper questionnaires into the project's data-entry workbook; returns its first data row.

    Single choices are written as the workbook's own dropdown text (``code – label``), a few as bare
    codes, as clerks do; multiple choices as 0/1 option columns; dates as Excel dates.
    """

    entry_workbook(inst, lang="ky", path=path, max_rows=max(200, len(rows) + 20))
    wb = openpyxl.load_workbook(path)
    meta = {str(a): b for a, b in wb["_meta"].iter_rows(min_row=2, values_only=True) if a}
    ws = wb[str(meta.get("data_sheet", "data"))]
    header_row, first = int(meta["header_row"]), int(meta["first_data_row"])
    header = [c.value for c in ws[header_row]]
    # the dropdown texts offered for each choice list (sheet _lists: list name in row 1)
    dropdown: dict[str, dict[str, str]] = {}
    if "_lists" in wb.sheetnames:
        for col in wb["_lists"].iter_cols(values_only=True):
            if not col or not col[0]:
                continue
            texts = [str(t) for t in col[1:] if t is not None]
            dropdown[str(col[0])] = {t.split(CHOICE_SEP, 1)[0].strip(): t for t in texts}
    questions = {q.name: q for q in inst.data_questions}
    for i, x in enumerate(rows):
        excel_row = first + i
        clerk = _ENTRY_CLERKS[r.int(0, len(_ENTRY_CLERKS) - 1)]
        for j, name in enumerate(header, start=1):
            if not name:
                continue
            name = str(name)
            value: Any = None
            if name == "mode":
                value = dropdown.get("mode", {}).get("paper", "paper")
            elif name == "entered_by":
                value = clerk
            elif "/" in name:
                qn, code = name.split("/", 1)
                v = x.answers.get(qn, "")
                value = None if v == "" else (1 if code in v.split() else 0)
            elif name in questions:
                q = questions[name]
                v = x.answers.get(name, "")
                if v == "":
                    value = None
                elif q.type == "select_one":
                    offered = dropdown.get(q.list_name, {})
                    value = offered.get(v, v) if r.p(0.9) else v
                elif q.type == "date":
                    try:
                        value = date.fromisoformat(v)
                    except ValueError:
                        value = v
                elif q.type == "integer":
                    value = int(v) if v.lstrip("-").isdigit() else v
                else:
                    value = v
            if value is not None:
                ws.cell(row=excel_row, column=j, value=value)
    wb.save(path)
    deterministic_xlsx(path)
    return first

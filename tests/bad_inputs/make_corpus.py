"""Build the bad-input corpus: small, realistic broken files and their documented outcomes.

Run from the project root to (re)build ``tests/bad_inputs/files/`` and ``tests/bad_inputs/cases.yaml``::

    .venv/bin/python tests/bad_inputs/make_corpus.py

Every file follows the platforms' export conventions (KoboToolbox CSV/XLSX, ODK Central CSV, the registrar's
workbook/CSV, the project's entry workbook, SPSS) with exactly one realistic problem (or a clean file
that must read, as a control). Each case states its expected outcome by hand — either a whole-file
``error`` (a substring of the one-line message) or the row outcomes and the rules expected in the
quarantine table — and ``why`` (the rule of ``docs/architecture.md`` / ``docs/variables.md`` that
decides it). ``tests/unit/test_bad_inputs.py`` checks each one.

The output is deterministic (fixed ids and timestamps; .xlsx files normalised with
:func:`analysis.ingest.writers.deterministic_xlsx`).
"""

from __future__ import annotations

import codecs
import csv
import io
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
PROVENANCE = ("_instrument", "_source_file", "_source_row", "_mode", "_submission_id", "_submitted_at",
              "_review_state")

# --------------------------------------------------------------------------- clean base rows

GRAD = "2025-06-30"
REGISTRY_ROWS: list[dict[str, str]] = [
    dict(student_id="24000001", full_name="Айгүл Төрөбекова", sex="female", date_of_birth="2002-04-11",
         programme="PED-PRIM-B", faculty="PED", level="bachelor", graduation_date=GRAD, gpa="3.6",
         funding="state", home_oblast="jalal_abad", home_rayon="suzak", email="aigul.t@example.kg",
         phone_mobile="+996555100001", social_network="telegram", social_handle="@aigul_t",
         parent_name="Гүлнара Төрөбекова", parent_phone="+996777100001"),
    dict(student_id="24000002", full_name="Нурлан Өмүрзаков", sex="male", date_of_birth="2001-09-02",
         programme="PED-MATH-B", faculty="PED", level="bachelor", graduation_date=GRAD, gpa="3.1",
         funding="contract", home_oblast="jalal_abad", home_rayon="nooken", email="nurlan.o@example.kg",
         phone_mobile="+996555100002", social_network="whatsapp", social_handle="+996555100002",
         parent_name="Бакыт Өмүрзаков", parent_phone="+996777100002"),
    dict(student_id="24000003", full_name="Жаңыл Сыдыкова", sex="female", date_of_birth="2002-01-20",
         programme="PED-PRIM-B", faculty="PED", level="bachelor", graduation_date=GRAD, gpa="3.9",
         funding="state", home_oblast="osh_oblast", email="janyl.s@example.kg", phone_mobile="+996555100003",
         social_network="instagram", social_handle="@janyl", parent_name="Үмүт Сыдыкова",
         parent_phone="+996777100003"),
    dict(student_id="24000004", full_name="Бекболот Үсөнов", sex="male", date_of_birth="2000-12-05",
         programme="PED-MATH-B", faculty="PED", level="bachelor", graduation_date=GRAD, gpa="2.8",
         funding="contract", home_oblast="jalal_abad", home_rayon="aksy", email="bek.u@example.kg",
         phone_mobile="+996555100004", social_network="none", parent_name="Өмүр Үсөнов",
         parent_phone="+996777100004"),
    dict(student_id="24000005", full_name="Чолпон Абдыкадырова", sex="female", date_of_birth="2002-07-30",
         programme="PED-PRIM-B", faculty="PED", level="bachelor", graduation_date=GRAD, gpa="3.4",
         funding="state", home_oblast="jalal_abad", home_rayon="bazar_korgon", email="cholpon.a@example.kg",
         phone_mobile="+996555100005", social_network="telegram", social_handle="@cholpon_a",
         parent_name="Мээрим Абдыкадырова", parent_phone="+996777100005"),
    dict(student_id="24000006", full_name="Эрмек Түгөлбаев", sex="male", date_of_birth="2001-03-14",
         programme="PED-MATH-B", faculty="PED", level="bachelor", graduation_date=GRAD, gpa="3.0",
         funding="contract", home_oblast="bishkek", email="ermek.t@example.kg", phone_mobile="+996555100006",
         social_network="vk", social_handle="ermek_t", parent_name="Сапар Түгөлбаев",
         parent_phone="+996777100006"),
]

_SCALE = {f"comp_grad_{c}": "4" for c in (
    "ethics", "field_knowledge", "foreign_language", "ict", "communication", "teamwork", "self_development",
    "critical_thinking", "problem_solving", "research", "time_management", "pressure")}
PHASE1_BASE = dict(consent="yes", survey_date="2025-06-10", internship_done="yes", internship_months="3",
                   internship_relevant="4", worked_during_studies="part_time", job_status="job_promised",
                   plan="work", job_search_started="yes", applications_n="4", sat_studies="4",
                   sat_services="3", eval_content="4", eval_practical="3", eval_teachers="5",
                   eval_equipment="3", eval_overall="4", **_SCALE, consent_phase2="yes")

_JOB_COMP = {f"comp_job_{c}": "4" for c in (
    "ethics", "field_knowledge", "foreign_language", "ict", "communication", "teamwork", "self_development",
    "critical_thinking", "problem_solving", "research", "time_management", "pressure")}
PHASE2_EMPLOYED = dict(consent="yes", survey_date="2026-03-20", ilo_worked="yes", main_activity="work",
                       studying="no", hours="40", emp_type="employee", contract="written", social_fund="yes",
                       employer_type="government", sector="P", job_title="Мугалим", isco_major="2",
                       work_country="KG", work_oblast="jalal_abad", work_rayon="suzak", job_before_grad="no",
                       first_job_date="2025-09-01", search_start="at_grad", search_channels="internet relatives",
                       applications_n="5", replies_n="3", interviews_n="2", income="22000",
                       vertical_match="same", horizontal_match="5", **_JOB_COMP, job_satisfaction="4",
                       usefulness="4", need_more_education="no", strengths="Практика", weaknesses="",
                       suggestions="", isco_code="2341")
PHASE2_IDLE = dict(consent="yes", survey_date="2026-03-21", ilo_worked="no", ilo_family_help="no",
                   ilo_absent="no", ilo_sought="yes", ilo_available="yes", ilo_future_start="no",
                   main_activity="seeking", studying="no", job_before_grad="no", search_start="after_grad",
                   search_channels="employment_service internet", applications_n="12", replies_n="2",
                   interviews_n="1", need_more_education="yes", strengths="", weaknesses="Аз практика",
                   suggestions="")

_RATES = {f"rate_{c}": "3" for c in (
    "ethics", "field_knowledge", "foreign_language", "ict", "communication", "teamwork", "self_development",
    "critical_thinking", "problem_solving", "research", "time_management", "pressure")}
EMPLOYER_ROWS: list[dict[str, str]] = [
    dict(employer_id="JA-E001", respondent_type="legal_entity", legal_form="state_org", sector="P",
         sector_text="Мектеп", rayon="suzak", size_band="20_50", staff_women="30", staff_men="10",
         grads_higher="25", grads_vocational="5", need_3y_n="4", need_3y_women="3", need_3y_men="1",
         ready_to_train="managers", vacancies_n="2", vacancy_isco="2", hard_to_fill_n="1",
         hard_to_fill_reasons="low_pay", skills_gap="yes", **_RATES, recruit_channels="university",
         internships_offered="yes", internships_n="3"),
    dict(employer_id="JA-E002", respondent_type="individual_entrepreneur", legal_form="ie", sector="G",
         sector_text="Дүкөн", rayon="nooken", size_band="lt5", staff_women="1", staff_men="2",
         grads_higher="1", grads_vocational="0", need_3y_n="0", vacancies_n="0", skills_gap="no", **_RATES,
         recruit_channels="relatives", internships_offered="no"),
    dict(employer_id="JA-E003", respondent_type="legal_entity", legal_form="enterprise", sector="C",
         sector_text="Тигүү цехи", rayon="aksy", size_band="5_20", staff_women="12", staff_men="3",
         grads_higher="2", grads_vocational="6", need_3y_n="5", need_3y_women="4", need_3y_men="1",
         ready_to_train="technicians it", vacancies_n="3", vacancy_isco="7 8", hard_to_fill_n="2",
         hard_to_fill_reasons="lack_skills lack_experience", skills_gap="yes", **_RATES,
         recruit_channels="employment_service internet", internships_offered="yes", internships_n="2"),
]


def phase1_row(sid: str, **changes: str) -> dict[str, str]:
    return {"student_id": sid, **PHASE1_BASE, **changes}


def phase2_row(sid: str, employed: bool = True, **changes: str) -> dict[str, str]:
    base = PHASE2_EMPLOYED if employed else PHASE2_IDLE
    return {"student_id": sid, **base, **changes}


# --------------------------------------------------------------------------- tables and writers


def _inst(name: str) -> Any:
    from analysis.instruments.xlsform import load_instrument

    return load_instrument(name)


def canonical(instrument: str, rows: list[dict[str, str]], mode: str = "online",
              submitted: list[str] | None = None, uuids: list[str] | None = None) -> pd.DataFrame:
    """A canonical table of ``rows`` (missing answers empty) with deterministic provenance."""
    inst = _inst(instrument)
    names = [q.name for q in inst.data_questions]
    unknown = sorted({k for r in rows for k in r} - set(names))
    if unknown:
        raise ValueError(f"{instrument}: not questions: {unknown}")
    df = pd.DataFrame([{n: r.get(n, "") for n in names} for r in rows], columns=names)
    n = len(df)
    df["_instrument"] = instrument
    df["_source_file"] = ""
    df["_source_row"] = range(2, 2 + n)
    df["_mode"] = mode
    df["_submission_id"] = uuids or [f"8b3c{instrument[:4]}-0000-4000-8000-{i:012d}" for i in range(1, n + 1)]
    df["_submitted_at"] = submitted or [f"2026-03-{20 + (i % 8):02d}T10:{i % 60:02d}:00" for i in range(n)]
    df["_review_state"] = ""
    return df


def kobo_csv_text(instrument: str, rows: list[dict[str, str]], labels_lang: str | None = None,
                  **kw: Any) -> str:
    from analysis.ingest.writers import kobo_table

    header, body = kobo_table(canonical(instrument, rows, **kw), _inst(instrument), labels_lang, True, None, 0)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(body)
    return buf.getvalue()


def kobo_xlsx(path: Path, instrument: str, rows: list[dict[str, str]], **kw: Any) -> None:
    from analysis.ingest.writers import write_kobo_xlsx

    write_kobo_xlsx(canonical(instrument, rows, **kw), _inst(instrument), path)


def odk_csv_text(instrument: str, rows: list[dict[str, str]], **kw: Any) -> str:
    from analysis.ingest.writers import odk_table

    header, body = odk_table(canonical(instrument, rows, mode="phone", **kw), _inst(instrument), None, 0)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=",", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    w.writerow(header)
    w.writerows(body)
    return buf.getvalue()


def registry_table(rows: list[dict[str, str]]) -> tuple[list[str], list[list[Any]]]:
    names = [q.name for q in _inst("registry").data_questions]
    return names, [[r.get(n, "") for n in names] for r in rows]


def registry_csv_text(rows: list[dict[str, str]], delimiter: str = ";") -> str:
    header, body = registry_table(rows)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(body)
    return buf.getvalue()


def registry_xlsx(path: Path, rows: list[dict[str, str]], edit: Callable[[Any], None] | None = None) -> None:
    """The registrar's workbook: names in row 1, one graduate per row; dates as real Excel dates."""
    import datetime as dt

    import openpyxl

    from analysis.ingest.writers import deterministic_xlsx

    header, body = registry_table(rows)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "graduates"
    ws.append(header)
    for r in body:
        out: list[Any] = []
        for name, v in zip(header, r):
            if name in ("date_of_birth", "graduation_date") and v:
                out.append(dt.datetime.strptime(v, "%Y-%m-%d"))
            elif name == "gpa" and v:
                out.append(float(v))
            else:
                out.append(v or None)
        ws.append(out)
    if edit is not None:
        edit(ws)
    wb.save(path)
    deterministic_xlsx(path)


def entry_xlsx(path: Path, instrument: str, rows: list[dict[str, Any]], lang: str = "ky",
               edit: Callable[[Any], None] | None = None) -> None:
    """The project's entry workbook (``tracer template``) with ``rows`` keyed in from row 3."""
    import openpyxl

    from analysis.ingest.writers import deterministic_xlsx
    from analysis.instruments.entry_workbook import entry_workbook

    entry_workbook(_inst(instrument), lang=lang, path=path, max_rows=20)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    inst = _inst(instrument)
    multi = {q.name for q in inst.data_questions if q.type == "select_multiple"}
    for i, r in enumerate(rows):
        for j, h in enumerate(header, start=1):
            if h is None:
                continue
            if h == "mode":
                v: Any = r.get("_mode", "paper")
            elif h == "entered_by":
                v = r.get("_entered_by", "operator1")
            elif "/" in h and h.split("/", 1)[0] in multi:
                q, code = h.split("/", 1)
                chosen = str(r.get(q, "")).split()
                v = (1 if code in chosen else 0) if r.get(q, "") else None
            else:
                v = r.get(h, "")
                v = None if v == "" else v
            ws.cell(row=3 + i, column=j, value=v)
    if edit is not None:
        edit(ws)
    wb.save(path)
    deterministic_xlsx(path)


def fixed_sav_timestamp(path: Path) -> None:
    """Overwrite the creation date and time in a .sav header (bytes 92–109 of the ``$FL2`` record)
    with 01 Jan 80 00:00:00, so the corpus is byte-identical on every rebuild."""
    data = bytearray(path.read_bytes())
    if data[:4] == b"$FL2":
        data[92:101] = b"01 Jan 80"
        data[101:109] = b"00:00:00"
        path.write_bytes(bytes(data))


# --------------------------------------------------------------------------- the cases

CASES: list[dict[str, Any]] = []


def case(file: str, instrument: str, fmt: str, expected: dict[str, Any], why: str,
         options: dict[str, Any] | None = None, registry: str | None = "registry_ok.csv",
         cohort: bool = False, notices: list[dict[str, Any]] | None = None, standalone: bool = False) -> None:
    """One documented case. ``cohort``: the file is also checked as the whole cohort
    (:func:`analysis.ingest.cohort.check_cohort`: what stops a run); ``notices``: ingestion notices
    the read must give (kind, column and parameters); ``standalone``: validated alone, not in the
    batch of its instrument (the batch has the clean registry as reference)."""
    c = {"file": file, "instrument": instrument, "format": fmt, "options": options or {},
         "registry": registry if instrument in ("phase1", "phase2") else None,
         "expected": expected, "why": why}
    if cohort:
        c["cohort"] = True
    if notices:
        c["expected"]["notices"] = notices
    if standalone:
        c["standalone"] = True
    CASES.append(c)


def edit_csv(text: str, delimiter: str, rename: dict[str, str] | None = None,
             drop: tuple[str, ...] = ()) -> str:
    """A CSV text with header cells renamed and columns dropped (as a newer or older form version)."""
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    keep = [i for i, h in enumerate(rows[0]) if h not in drop]
    rows = [[r[i] for i in keep] for r in rows]
    rows[0] = [(rename or {}).get(h, h) for h in rows[0]]
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def outcome(accepted: int = 0, warning: int = 0, quarantined: int = 0, merged_duplicate: int = 0,
            rules: list[str] | None = None) -> dict[str, Any]:
    return {"outcomes": {"accepted": accepted, "warning": warning, "quarantined": quarantined,
                         "merged_duplicate": merged_duplicate}, "rules": sorted(rules or [])}


def build() -> None:  # noqa: PLR0915 - one block per case, on purpose
    if FILES.exists():
        shutil.rmtree(FILES)
    FILES.mkdir(parents=True)
    w = lambda name, text, enc="utf-8": (FILES / name).write_bytes(text.encode(enc))  # noqa: E731
    ids = [r["student_id"] for r in REGISTRY_ROWS]

    # ---- the reference registry (clean) used by the phase-1/phase-2 cases
    w("registry_ok.csv", registry_csv_text(REGISTRY_ROWS))
    case("registry_ok.csv", "registry", "registry_csv", outcome(accepted=6),
         "control: the clean registrar's CSV reads and validates without a problem")

    # ---- encodings
    w("registry_cp1251_lost_letters.csv", registry_csv_text(REGISTRY_ROWS), "cp1251_lossy")
    case("registry_cp1251_lost_letters.csv", "registry", "registry_csv", {"error": "ң ө ү seem lost"},
         "saved from a Russian-locale office as cp1251: ң ө ү became '?'; refused by default",
         options={"encoding": "cp1251"})
    case("registry_cp1251_lost_letters.csv", "registry", "registry_csv", outcome(accepted=6),
         "the same file read on purpose with allow_lost_letters: rows kept, one notice per damaged cell",
         options={"encoding": "cp1251", "allow_lost_letters": True})
    case("registry_cp1251_lost_letters.csv", "registry", "registry_csv", {"error": "UTF-8"},
         "the cp1251 file without a configured fallback encoding: strict UTF-8 fails with the fix")
    # KZ-1048 encodes ң ө ү; read as cp1251 they show up as ѕ ґ ї
    (FILES / "phase1_kz1048_read_as_cp1251.csv").write_bytes(
        kobo_csv_text("phase1", [phase1_row(ids[0]), phase1_row(ids[1], email_new="Өмүр@example.kg")])
        .encode("kz1048"))
    case("phase1_kz1048_read_as_cp1251.csv", "phase1", "kobo_csv", {"error": "seem lost"},
         "a KZ-1048 file declared as cp1251 shows ѕ ґ ї instead of ң ө ү",
         options={"encoding": "cp1251"})
    w("phase2_utf16.csv", "\ufeff" + kobo_csv_text("phase2", [phase2_row(ids[0])]), "utf-16-le")
    case("phase2_utf16.csv", "phase2", "kobo_csv", {"error": "UTF-16"},
         "UTF-16 (Excel 'Unicode text') is read only when declared", options={"mode": "online"})
    case("phase2_utf16.csv", "phase2", "kobo_csv", outcome(accepted=1),
         "the same UTF-16 file with encoding declared reads", options={"mode": "online", "encoding": "utf-16"})
    w("phase2_bom.csv", "\ufeff" + kobo_csv_text("phase2", [phase2_row(ids[0]), phase2_row(ids[1], False)]))
    case("phase2_bom.csv", "phase2", "kobo_csv", outcome(accepted=2),
         "UTF-8 with a byte-order mark (Excel 'CSV UTF-8') is plain UTF-8", options={"mode": "online"})

    # ---- delimiters, truncation, empty
    w("phase2_wrong_delimiter.csv", kobo_csv_text("phase2", [phase2_row(ids[0]), phase2_row(ids[1], False)]))
    case("phase2_wrong_delimiter.csv", "phase2", "kobo_csv", {"error": "broken CSV quoting"},
         "a ';' Kobo export declared as ',': one giant column, no question found",
         options={"mode": "online", "delimiter": ","})
    w("registry_tab_separated.txt", registry_csv_text(REGISTRY_ROWS[:3], delimiter="\t"))
    case("registry_tab_separated.txt", "registry", "registry_csv", outcome(accepted=3),
         "tab-separated text from a copy-paste: the delimiter is detected from the header")
    text = kobo_csv_text("phase2", [phase2_row(ids[0]), phase2_row(ids[1], False), phase2_row(ids[2])])
    w("phase2_truncated.csv", text[: text.rindex("\r\n", 0, len(text) - 2) + 2 + 180])
    case("phase2_truncated.csv", "phase2", "kobo_csv", {"error": "truncated"},
         "an export cut off in the middle of the last row (incomplete download): whole-file error",
         options={"mode": "online"})
    w("phase2_empty.csv", "")
    case("phase2_empty.csv", "phase2", "kobo_csv", {"error": "empty"}, "a 0-byte file",
         options={"mode": "online"})
    w("phase2_header_only.csv", kobo_csv_text("phase2", [phase2_row(ids[0])]).split("\r\n")[0] + "\r\n")
    case("phase2_header_only.csv", "phase2", "kobo_csv", {"error": "no data rows"},
         "an export with the header and no submissions (wrong date filter)", options={"mode": "online"})

    # ---- columns
    text = kobo_csv_text("phase2", [phase2_row(ids[0])])
    lines = text.split("\r\n")
    head = lines[0].split(";")
    keep = [i for i, h in enumerate(head) if h.strip('"').split("/")[-1] != "student_id"]
    w("phase2_missing_id_column.csv", "\r\n".join(";".join(line.split(";")[i] for i in keep) for line in lines if line)
      + "\r\n")
    case("phase2_missing_id_column.csv", "phase2", "kobo_csv", {"error": "required column 'student_id' missing"},
         "the respondent id column is required (architecture.md: missing required columns)",
         options={"mode": "online"})
    text = kobo_csv_text("phase2", [phase2_row(ids[0]), phase2_row(ids[1], False)])
    lines = [line for line in text.split("\r\n") if line]
    lines = [lines[0] + ';"interviewer_comment";"old_var_2019"'] + [line + ';"ok";"x"' for line in lines[1:]]
    w("phase2_extra_columns.csv", "\r\n".join(lines) + "\r\n")
    case("phase2_extra_columns.csv", "phase2", "kobo_csv", outcome(accepted=2),
         "columns the form does not know are reported and dropped; the rows are fine",
         options={"mode": "online"})
    w("phase1_as_phase2.csv", kobo_csv_text("phase1", [phase1_row(ids[0]), phase1_row(ids[1])]))
    case("phase1_as_phase2.csv", "phase2", "kobo_csv", {"error": "looks like a 'phase1' file"},
         "the exit-survey export declared as the follow-up: the reader recognises the other instrument",
         options={"mode": "online"})

    # ---- values
    w("phase2_text_in_numbers.csv", kobo_csv_text("phase2", [
        phase2_row(ids[0], income="20 миң"), phase2_row(ids[1], hours="кырк"), phase2_row(ids[2])]))
    case("phase2_text_in_numbers.csv", "phase2", "kobo_csv",
         outcome(accepted=1, quarantined=2, rules=["type_integer"]),
         "text typed into integer questions is kept as text by ingestion and quarantined with its reason",
         options={"mode": "online"})
    w("phase2_wages.csv", kobo_csv_text("phase2", [
        phase2_row(ids[0], income="-5000"), phase2_row(ids[1], income="2500000"),
        phase2_row(ids[2], income="1200"), phase2_row(ids[3], income="48000")]))
    case("phase2_wages.csv", "phase2", "kobo_csv",
         outcome(accepted=1, warning=1, quarantined=2, rules=["out_of_range", "income_below_min_wage"]),
         "negative and absurd monthly incomes break the form's 0–1,000,000 constraint (quarantine); "
         "1,200 KGS for 40 h a week is below the minimum wage (warning)", options={"mode": "online"})
    w("phase2_impossible_dates.csv", kobo_csv_text("phase2", [
        phase2_row(ids[0], survey_date="2026-02-30"), phase2_row(ids[1], survey_date="2025-05-15"),
        phase2_row(ids[2], first_job_date="2026-05-01"), phase2_row(ids[3], first_job_date="2019-02-01"),
        phase2_row(ids[4])]))
    case("phase2_impossible_dates.csv", "phase2", "kobo_csv",
         outcome(accepted=1, warning=1, quarantined=3, rules=["type_date", "survey_before_graduation",
                                                               "first_job_after_survey", "first_job_too_early"]),
         "30 February (a warning: the date is set aside, the row kept); a survey before graduation; a first "
         "job after the survey; a first job 6 years before graduation", options={"mode": "online"})
    w("phase1_unknown_codes.csv", kobo_csv_text("phase1", [
        phase1_row(ids[0], worked_during_studies="parttime"), phase1_row(ids[1], plan="abroad"),
        phase1_row(ids[2])]))
    case("phase1_unknown_codes.csv", "phase1", "kobo_csv",
         outcome(accepted=1, quarantined=2, rules=["unknown_code"]),
         "codes from an old form version are kept verbatim by ingestion and quarantined by validation",
         options={"mode": "online"})
    w("phase2_unknown_multi_code.csv", kobo_csv_text("phase2", [
        phase2_row(ids[0], search_channels="internet newspaper"), phase2_row(ids[1])]))
    case("phase2_unknown_multi_code.csv", "phase2", "kobo_csv",
         outcome(accepted=1, quarantined=1, rules=["unknown_code"]),
         "every token of a select_multiple answer must be a code of its list", options={"mode": "online"})
    w("phase2_labels_mixed_languages.csv",
      kobo_csv_text("phase2", [phase2_row(ids[0]), phase2_row(ids[1], False)], labels_lang="ky")
      + kobo_csv_text("phase2", [phase2_row(ids[2])], labels_lang="ru").split("\r\n", 1)[1])
    case("phase2_labels_mixed_languages.csv", "phase2", "kobo_csv", outcome(accepted=3),
         "a Kobo 'Labels' export whose rows carry Kyrgyz and Russian labels: all mapped back to codes",
         options={"mode": "online"})
    w("phase2_not_in_registry.csv", kobo_csv_text("phase2", [phase2_row("24009999"), phase2_row(ids[1])]))
    case("phase2_not_in_registry.csv", "phase2", "kobo_csv",
         outcome(accepted=1, quarantined=1, rules=["not_in_registry"]),
         "a mistyped student id matches no graduate (one digit wrong)", options={"mode": "online"})
    w("phase2_counts.csv", kobo_csv_text("phase2", [
        phase2_row(ids[0], applications_n="3", replies_n="5"), phase2_row(ids[1], hours="120"),
        phase2_row(ids[2], applications_n="-3"), phase2_row(ids[3])]))
    case("phase2_counts.csv", "phase2", "kobo_csv",
         outcome(accepted=1, quarantined=3, rules=["constraint", "out_of_range"]),
         "more replies than applications; 120 hours a week; a negative count", options={"mode": "online"})
    w("phase2_skip_logic.csv", kobo_csv_text("phase2", [
        phase2_row(ids[0], False, income="15000"), phase2_row(ids[1], consent="no")]))
    case("phase2_skip_logic.csv", "phase2", "kobo_csv",
         outcome(warning=2, rules=["not_relevant"]),
         "answers where the question does not apply (income of a non-employed graduate; answers after "
         "consent = no): accepted with a warning, the answers set aside", options={"mode": "online"})

    # ---- duplicates
    w("phase2_resubmission.csv", kobo_csv_text("phase2", [
        phase2_row(ids[0], job_satisfaction="3"), phase2_row(ids[1]), phase2_row(ids[0], job_satisfaction="4")],
        submitted=["2026-03-20T10:00:00", "2026-03-20T11:00:00", "2026-03-21T09:30:00"]))
    case("phase2_resubmission.csv", "phase2", "kobo_csv",
         outcome(accepted=2, merged_duplicate=1, rules=["duplicate_submission"]),
         "the same graduate submitted twice: the later complete submission is kept", options={"mode": "online"})
    w("phase2_odk_exact_duplicate.csv", odk_csv_text("phase2", [phase2_row(ids[0]), phase2_row(ids[0]),
                                                                phase2_row(ids[1], False)],
                                                     uuids=["uuid:aa", "uuid:aa", "uuid:bb"],
                                                     submitted=["2026-03-20T10:00:00.000Z"] * 3))
    case("phase2_odk_exact_duplicate.csv", "phase2", "odk_csv",
         outcome(accepted=2, merged_duplicate=1, rules=["exact_duplicate"]),
         "the same ODK submission exported twice (same KEY, same answers)", options={"mode": "phone"})
    kobo_xlsx(FILES / "employers_duplicate_ids.xlsx", "employer",
              [EMPLOYER_ROWS[0], EMPLOYER_ROWS[1], {**EMPLOYER_ROWS[0], "staff_women": "31"}, EMPLOYER_ROWS[2]],
              submitted=["2026-02-01T09:00:00", "2026-02-01T10:00:00", "2026-02-03T09:00:00",
                         "2026-02-04T09:00:00"])
    case("employers_duplicate_ids.xlsx", "employer", "kobo_xlsx",
         outcome(accepted=3, merged_duplicate=1, rules=["duplicate_submission"]),
         "an employer interviewed twice under the same employer id: the later answer is kept",
         options={"mode": "online"})
    kobo_xlsx(FILES / "employers_constraints.xlsx", "employer", [
        {**EMPLOYER_ROWS[0], "hard_to_fill_n": "5"}, {**EMPLOYER_ROWS[1], "legal_form": "enterprise"},
        EMPLOYER_ROWS[2]])
    case("employers_constraints.xlsx", "employer", "kobo_xlsx",
         outcome(accepted=1, quarantined=2, rules=["constraint"]),
         "more hard-to-fill vacancies than vacancies; an individual entrepreneur with an enterprise's "
         "legal form", options={"mode": "online"})
    w("registry_duplicate_ids.csv", registry_csv_text(
        REGISTRY_ROWS + [{**REGISTRY_ROWS[2], "full_name": "Жаңыл Сыдыкова-Асанова", "gpa": "3.7"}]))
    case("registry_duplicate_ids.csv", "registry", "registry_csv", {"error": "student id 24000003 is on rows 4, 8"},
         "two different graduates under one student id: the registry is every rate's denominator, so the "
         "cohort stops until the registrar fixes it")
    w("registry_exact_duplicate_rows.csv", registry_csv_text(REGISTRY_ROWS + [REGISTRY_ROWS[4]]))
    case("registry_exact_duplicate_rows.csv", "registry", "registry_csv",
         outcome(accepted=6, merged_duplicate=1, rules=["exact_duplicate"]),
         "the same graduate copied twice (identical rows): counted once")

    # ---- registry content
    w("registry_bad_values.csv", registry_csv_text([
        {**REGISTRY_ROWS[0], "gpa": "4,5"}, {**REGISTRY_ROWS[1], "graduation_date": ""},
        {**REGISTRY_ROWS[2], "sex": "Ж"}, {**REGISTRY_ROWS[3], "phone_mobile": "0555 10 00 04"},
        {**REGISTRY_ROWS[4], "student_id": "2400005"}, REGISTRY_ROWS[5]]))
    case("registry_bad_values.csv", "registry", "registry_csv",
         outcome(accepted=1, warning=4, quarantined=1,
                 rules=["out_of_range", "required", "unknown_code", "contact_pattern", "pattern"]),
         "GPA 4,5 on a 0–4 scale; no graduation date; a sex code the list does not have; a phone without "
         "+996 (a warning: contacts do not make answers unreliable); a 7-digit student id. The registry is a "
         "census: faulty cells are emptied and the graduate kept (warning), except a bad student id, which "
         "cannot be linked (quarantined)")

    w("registry_programme_mismatch.csv", registry_csv_text([
        REGISTRY_ROWS[0], {**REGISTRY_ROWS[1], "faculty": "ECON", "level": "master"}]))
    case("registry_programme_mismatch.csv", "registry", "registry_csv",
         outcome(accepted=1, warning=1, rules=["programme_mismatch"]),
         "faculty and level that contradict the programme code (definitions/programmes.csv): a warning, "
         "they can be derived from the programme")

    # ---- workbooks
    registry_xlsx(FILES / "registry_excel_dates.xlsx", REGISTRY_ROWS[:4])
    case("registry_excel_dates.xlsx", "registry", "registry_xlsx", outcome(accepted=4),
         "control: real Excel dates in the registrar's workbook become ISO dates")

    def serials(ws: Any) -> None:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if hasattr(cell.value, "year"):
                    cell.value = (cell.value - __import__("datetime").datetime(1899, 12, 30)).days
                    cell.number_format = "General"

    registry_xlsx(FILES / "registry_date_serials.xlsx", REGISTRY_ROWS[:4], edit=serials)
    case("registry_date_serials.xlsx", "registry", "registry_xlsx", outcome(accepted=4),
         "dates stored as plain numbers (Excel serials, cell format lost): converted for date questions")

    def formula(ws: Any) -> None:
        ws["I2"] = "=3.2+0.4"  # gpa column of the first graduate

    registry_xlsx(FILES / "registry_formula.xlsx", REGISTRY_ROWS[:3], edit=formula)
    case("registry_formula.xlsx", "registry", "registry_xlsx",
         outcome(accepted=2, warning=1, rules=["type_decimal"]),
         "a formula never calculated by Excel (no saved value): kept as the formula text, which is not a "
         "number; the registry is a census, so the cell is emptied and the graduate kept, with a warning")

    def merged(ws: Any) -> None:
        ws.merge_cells("E2:E4")  # programme merged over three graduates

    registry_xlsx(FILES / "registry_merged_cells.xlsx", REGISTRY_ROWS[:4], edit=merged)
    case("registry_merged_cells.xlsx", "registry", "registry_xlsx", {"error": "merged cells"},
         "merged cells hide the value of every row but the first: whole-file error with the fix")
    (FILES / "registry_not_really.xlsx").write_bytes(registry_csv_text(REGISTRY_ROWS[:2]).encode("utf-8"))
    case("registry_not_really.xlsx", "registry", "registry_xlsx", {"error": "not a readable .xlsx"},
         "a CSV renamed to .xlsx: not a workbook")
    entry_xlsx(FILES / "phase2_paper_entry.xlsx", "phase2", [
        phase2_row(ids[0]), {**phase2_row(ids[1], False), "consent": ""},
        phase2_row(ids[2], work_rayon="jalalabad"), phase2_row(ids[3], income="20 миң"),
        phase2_row(ids[4], False)])
    case("phase2_paper_entry.xlsx", "phase2", "entry_xlsx",
         outcome(accepted=2, quarantined=3, rules=["required", "unknown_code", "type_integer"]),
         "keyed-in paper forms: consent box left empty; a misspelt rayon; '20 миң' in the income box",
         options={"mode": "paper"})

    # ---- SPSS
    from analysis.ingest.writers import write_spss

    sav = write_spss(canonical("phase1", [phase1_row(ids[0]), phase1_row(ids[1], internship_months="30")]),
                     _inst("phase1"), FILES / "phase1_spss.sav")
    fixed_sav_timestamp(Path(sav))
    case("phase1_spss.sav", "phase1", "spss", outcome(accepted=1, quarantined=1, rules=["out_of_range"]),
         "an SPSS file with value labels reads; 30 months of internship breaks the 0–24 constraint",
         options={"mode": "paper"})

    # ---- personal data (docs/privacy.md): phones typed into open answers; an old registry layout
    w("phase2_phones_in_open_answers.csv", kobo_csv_text("phase2", [
        phase2_row(ids[0], job_title="Мугалим, тел. 555 81 23 47", strengths="Практика көп болду, 2025-жылы"),
        phase2_row(ids[1], job_title="Бухгалтер", suggestions="Чалыңыз: 0 (3722) 5-12-34 же +996 (700) 12-34-56"),
        phase2_row(ids[2], False, weaknesses="Аз практика; звоните 0777.12.34.56, пишите janyl.s@example.kg"),
        phase2_row(ids[3], strengths="Айлык 25 000 сом, 12.05.2025 баштадым", suggestions="@bek_u_99 жазгыла"),
    ]))
    case("phase2_phones_in_open_answers.csv", "phase2", "kobo_csv", outcome(accepted=4),
         "phones in local formats (555 81 23 47, 0 (3722) 5-12-34, 0777.12.34.56), an e-mail and a handle typed "
         "into open answers: accepted as answers, redacted at the privacy boundary (tests/unit/"
         "test_privacy_redaction.py); the ISCO code 2341, the amount and the date stay", options={"mode": "online"})
    legacy_rows = [{**r, "phone_mobile": "0" + r["phone_mobile"][4:7] + " " + r["phone_mobile"][7:]}
                   for r in REGISTRY_ROWS]
    header, body = registry_table(legacy_rows)
    old_names = {"student_id": "Студ. билет", "full_name": "ФИО", "date_of_birth": "Дата рождения",
                 "phone_mobile": "Тел.", "parent_name": "ФИО родителя", "parent_phone": "Тел. родителя"}
    buf = io.StringIO(newline="")
    cw = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    cw.writerow(["Список выпускников 2025"])
    cw.writerow([old_names.get(h, h) for h in header])
    cw.writerows(body)
    w("registry_legacy_headers.csv", buf.getvalue())
    case("registry_legacy_headers.csv", "registry", "legacy", outcome(warning=6, rules=["contact_pattern"]),
         "a registrar's list in an old layout (a title row, Russian headers) read through a legacy mapping; "
         "mobiles written the local way (0555 100001) are a contact-pattern warning, and the personal-data "
         "gate reads the file with the same mapping (tests/unit/test_privacy_gate.py)",
         options={"mapping": {"skip_rows": "1", "columns": {v: k for k, v in old_names.items()}}})
    # ---- form versions, legacy files, dates as people type them (docs/ingestion.md)
    two = [phase2_row(ids[0]), phase2_row(ids[1])]
    w("phase2_renamed_hours.csv", edit_csv(kobo_csv_text("phase2", two), ";",
                                           rename={"grp_job/hours": "hours_per_week"}))
    case("phase2_renamed_hours.csv", "phase2", "kobo_csv", outcome(accepted=2),
         "a newer form version renamed hours to hours_per_week; the cohort file maps it back (renames)",
         options={"mode": "online", "renames": {"hours_per_week": "hours"}},
         notices=[{"kind": "renamed_column", "column": "hours_per_week", "count": 2}])
    case("phase2_renamed_hours.csv", "phase2", "kobo_csv", {"error": "did you mean 'hours'?"}, cohort=True,
         why="the same file without renames: its 2 answers would be dropped while 'hours' is in no file — "
             "the run stops with the did-you-mean and the renames line to add",
         options={"mode": "online"})
    w("phase2_did_you_mean.csv", edit_csv(kobo_csv_text("phase2", two), ";",
                                          rename={"grp_job/job_title": "job_tittle"}))
    case("phase2_did_you_mean.csv", "phase2", "kobo_csv", outcome(accepted=2),
         "a misspelt header: reported as 'did you mean job_title?' with its answer count (a warning: read alone, "
         "the file could be one of several)", options={"mode": "online"},
         notices=[{"kind": "did_you_mean", "column": "job_tittle", "count": 2, "question": "job_title"}])
    w("phase2_missing_required.csv", edit_csv(kobo_csv_text("phase2", two), ";",
                                              drop=("grp_status/main_activity",)))
    case("phase2_missing_required.csv", "phase2", "kobo_csv",
         {"error": "required question 'main_activity' of 'phase2' is in no file"}, cohort=True,
         why="a required question missing from every file of the instrument, not declared not asked: the run "
             "stops (every row would be quarantined)", options={"mode": "online"})
    legacy_map = {
        "columns": {"ID": "student_id", "Status": "ilo_worked"},
        "values": {"ilo_worked": {"Employed": "yes", "Unemployed": "no"}},
        "derive": {q: {"from": "Status", "values": {"Unemployed": v}} for q, v in (
            ("ilo_family_help", "no"), ("ilo_absent", "no"), ("ilo_sought", "yes"), ("ilo_available", "yes"))},
        "not_asked": ["consent", "main_activity", "studying", "ilo_future_start"],
    }
    w("phase2_legacy_not_asked.csv", "ID,Status,Score\n24000001,Employed,81\n24000002,Unemployed,90\n"
                                     "24000003,Employed,77\n")
    case("phase2_legacy_not_asked.csv", "phase2", "legacy", outcome(accepted=3),
         "an old survey that never asked consent, main activity, studying or future start: declared not_asked, "
         "no row is quarantined for these required questions; its score is carried as covariate x_score",
         options={"mode": "online", "mapping": {**legacy_map, "covariates": {"Score": {"type": "number"}}}},
         notices=[{"kind": "not_asked", "count": 3}, {"kind": "covariate", "column": "Score", "count": 3}])
    w("phase2_legacy_row_id.csv", "Status;Sex\nEmployed;F\nUnemployed;M\nEmployed;M\n")
    case("phase2_legacy_row_id.csv", "phase2", "legacy", outcome(accepted=3),
         "an old survey without any id: the mapping generates OLD-001 … from the row number; the generated ids "
         "are not held to the student-card pattern (no registry to link with)", registry=None, standalone=True,
         options={"mode": "online", "mapping": {**{k: v for k, v in legacy_map.items() if k != "columns"},
                                                 "columns": {"Status": "ilo_worked"},
                                                 "row_id": {"from": "row_number", "prefix": "OLD-", "width": "3"},
                                                 "covariates": {"Sex": {"type": "category", "name": "gender"}}}},
         notices=[{"kind": "row_id_generated", "count": 3, "example": "OLD-001"}])
    dotted = [{**r, "date_of_birth": "{2}.{1}.{0}".format(*r["date_of_birth"].split("-")),
               "graduation_date": "30.06.2025"} for r in REGISTRY_ROWS]
    w("registry_ddmmyyyy.csv", registry_csv_text(dotted))
    case("registry_ddmmyyyy.csv", "registry", "registry_csv", outcome(accepted=6),
         "dates typed dd.mm.yyyy by a Russian-locale Excel: read day-first, never emptied",
         notices=[{"kind": "cell_fix", "column": "graduation_date", "count": 6, "fix": "dayfirst"}])
    slashed = [{**REGISTRY_ROWS[0], "date_of_birth": "02/04/2002", "graduation_date": "01/07/2025"},
               {**REGISTRY_ROWS[1], "graduation_date": "01/07/2025"},
               {**REGISTRY_ROWS[2], "date_of_birth": "12/12/2000"}]
    w("registry_slash_dates.csv", registry_csv_text(slashed))
    case("registry_slash_dates.csv", "registry", "registry_csv",
         outcome(accepted=1, warning=2, rules=["date_ambiguous"]),
         "dd/mm or mm/dd? Nothing in the file tells: 02/04/2002 and 01/07/2025 are warnings naming file, row, "
         "column and value (cell set aside, row kept); 12/12/2000 reads the same both ways",
         notices=[{"kind": "date_ambiguous", "column": "graduation_date", "count": 2}])
    case("registry_slash_dates.csv", "registry", "registry_csv", outcome(accepted=3),
         "the same file with dayfirst: true declared for it: every date reads", options={"dayfirst": True},
         standalone=True, notices=[{"kind": "cell_fix", "column": "date_of_birth", "fix": "dayfirst"}])
    serial = [phase2_row(ids[0], survey_date="46101", first_job_date="45901"), phase2_row(ids[1])]
    w("phase2_serial_dates.csv", kobo_csv_text("phase2", serial))
    case("phase2_serial_dates.csv", "phase2", "kobo_csv", outcome(accepted=2),
         "dates that lost their cell format in Excel (serials 46101, 45901 = 2026-03-20, 2025-09-01) in a CSV: "
         "read as dates", options={"mode": "online"},
         notices=[{"kind": "cell_fix", "column": "survey_date", "count": 1, "fix": "excel_serial"}])

    # ---- cases.yaml
    header = ("# The bad-input corpus: one case per line of defence. Generated by make_corpus.py — edit "
              "the script, not this file.\n# expected: error (substring of the one-line message) or the "
              "row outcomes and the rules expected in the quarantine table.\n")
    (HERE / "cases.yaml").write_text(header + yaml.safe_dump(CASES, allow_unicode=True, sort_keys=False,
                                                              width=110), encoding="utf-8")


codecs.register_error("lossy_kyrgyz", lambda exc: ("?", exc.end))


def _cp1251_lossy(name: str) -> codecs.CodecInfo | None:
    if name != "cp1251_lossy":
        return None
    base = codecs.lookup("cp1251")
    return codecs.CodecInfo(lambda s, errors="strict": base.encode(s, "lossy_kyrgyz"), base.decode,
                            name="cp1251_lossy")


codecs.register(_cp1251_lossy)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[1] / "src"))
    build()
    print(f"{len(CASES)} cases, {len(list(FILES.iterdir()))} files in {FILES}")

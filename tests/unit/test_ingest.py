"""Ingestion: every collection mode's file gives the same canonical rows; whole-file problems are
one-line InputErrors; the only automatic fixes are the documented ones.

Reference for the file conventions: KoboToolbox's export library (kobotoolbox/formpack) and ODK Central
(getodk/central-backend). Expected values are written by hand below.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.ingest import FORMATS, PROVENANCE, read_input
from analysis.ingest.encoding import detect_delimiter, lost_letters
from analysis.ingest.writers import (
    deterministic_xlsx,
    write_kobo_csv,
    write_kobo_xlsx,
    write_odk_csv,
    write_spss,
)
from analysis.instruments.xlsform import load_instrument

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


@pytest.fixture(scope="module")
def p2():
    return load_instrument("phase2")


@pytest.fixture(scope="module")
def names(p2):
    return [q.name for q in p2.data_questions]


# Four phase-2 respondents written by hand: select_multiple, skipped answers (relevance), Kyrgyz text
# with ң ө ү, an open answer with ';', quotes and a line break, numbers and dates.
ANSWERS = [
    {"student_id": "20210001", "consent": "yes", "survey_date": "2026-03-15", "ilo_worked": "yes",
     "main_activity": "work", "studying": "no", "hours": "40", "emp_type": "employee",
     "contract": "written", "social_fund": "yes", "employer_type": "government", "sector": "P",
     "job_title": "Мектепте мугалим, өңүттүү сабактар", "isco_major": "2", "work_country": "KG",
     "work_oblast": "jalal_abad", "work_rayon": "suzak", "job_before_grad": "no",
     "first_job_date": "2025-09-01", "search_start": "after_grad", "search_channels": "internet relatives",
     "applications_n": "6", "replies_n": "3", "interviews_n": "2", "income": "25000",
     "vertical_match": "same", "horizontal_match": "2", "mismatch_reason": "better_pay other",
     "comp_job_ict": "4", "comp_job_ethics": "5", "job_satisfaction": "4", "usefulness": "3",
     "need_more_education": "yes", "strengths": "Практика көп болду; мугалимдер күчтүү",
     "suggestions": 'Жаңы "лабораториялар" керек.\nАнглис тилин күчөтүү'},
    {"student_id": "20210002", "consent": "yes", "survey_date": "2026-03-16", "ilo_worked": "no",
     "ilo_family_help": "no", "ilo_absent": "no", "ilo_sought": "yes", "ilo_available": "yes",
     "ilo_future_start": "no", "main_activity": "seeking", "studying": "no",
     "search_start": "at_grad", "search_channels": "employment_service", "applications_n": "12",
     "replies_n": "1", "interviews_n": "0", "need_more_education": "no", "weaknesses": "Үй-бүлөлүк ишкана жок"},
    {"student_id": "20210003", "consent": "no"},
    {"student_id": "20210004", "consent": "yes", "survey_date": "2026-03-18", "ilo_worked": "yes",
     "main_activity": "work_and_study", "studying": "yes", "study_level": "master",
     "study_full_time": "no", "hours": "20", "emp_type": "self_employed", "contract": "none",
     "social_fund": "dk", "employer_type": "own_business", "sector": "G", "isco_major": "5",
     "work_country": "RU", "search_start": "not_searched", "income": "", "income_band": "refuse",
     "vertical_match": "lower", "horizontal_match": "1", "mismatch_reason": "no_job_in_field",
     "job_satisfaction": "5", "usefulness": "1"},
]


@pytest.fixture(scope="module")
def expected(names):
    return pd.DataFrame([{n: a.get(n, "") for n in names} for a in ANSWERS], columns=names)


def test_answers_use_the_codebook(p2, names):
    """Guard on the hand-written answers themselves: every name and code exists in the form."""
    for a in ANSWERS:
        for k, v in a.items():
            assert k in names
            q = p2.question(k)
            if q.type == "select_one" and v:
                assert v in p2.choice_codes(k), (k, v)
            if q.type == "select_multiple":
                assert set(v.split()) <= set(p2.choice_codes(k)), (k, v)


def _fill_entry_workbook(p2, df: pd.DataFrame, path: Path) -> Path:
    """Key the answers into the project's data-entry workbook the way a clerk would: Kyrgyz labels
    or codes for single choices, 1/0 ticks for options, Excel dates and numbers."""
    from analysis.instruments.entry_workbook import entry_workbook

    entry_workbook(p2, "ky", path, max_rows=20)
    wb = openpyxl.load_workbook(path)
    ws = wb["data"]
    header = [c.value for c in ws[1]]
    col = {h: j + 1 for j, h in enumerate(header)}
    for i, row in enumerate(df.to_dict("records")):
        r = 3 + i
        ws.cell(r, col["mode"], "paper")
        for q in p2.data_questions:
            v = row[q.name]
            if q.type == "select_multiple":
                if v:
                    for code in p2.choice_codes(q.name):
                        ws.cell(r, col[f"{q.name}/{code}"], 1 if code in v.split() else 0)
                continue
            if not v:
                continue
            if q.type == "select_one":
                cell = p2.choice_label(q.name, v, "ky") if i % 2 == 0 else v  # label or code
            elif q.type == "integer":
                cell = int(v)
            elif q.type == "date":
                cell = dt.datetime.fromisoformat(v)
            else:
                cell = v
            ws.cell(r, col[q.name], cell)
    wb.save(path)
    return path


DELIVERIES = ["kobo_csv_xml", "kobo_csv_labels_ky", "kobo_csv_labels_ru", "kobo_xlsx", "odk_csv",
              "entry_xlsx", "spss"]


def _deliver(kind: str, p2, df: pd.DataFrame, folder: Path) -> tuple[Path, str]:
    if kind == "kobo_csv_xml":
        return write_kobo_csv(df, p2, folder / "k.csv", seed=1), "kobo_csv"
    if kind.startswith("kobo_csv_labels_"):
        lang = kind.rsplit("_", 1)[1]
        return write_kobo_csv(df, p2, folder / f"k_{lang}.csv", labels_lang=lang, seed=2), "kobo_csv"
    if kind == "kobo_xlsx":
        return write_kobo_xlsx(df, p2, folder / "k.xlsx", seed=3), "kobo_xlsx"
    if kind == "odk_csv":
        return write_odk_csv(df, p2, folder / "o.csv", seed=4), "odk_csv"
    if kind == "entry_xlsx":
        return _fill_entry_workbook(p2, df, folder / "entry.xlsx"), "entry_xlsx"
    return write_spss(df, p2, folder / "s.sav", labels_lang="ru"), "spss"


@pytest.mark.parametrize("kind", DELIVERIES)
def test_same_answers_give_identical_canonical_rows(kind, p2, names, expected, tmp_path):
    """THE KEY TEST: the same answers as Kobo (XML values; labels in ky; labels in ru), Kobo XLSX, ODK
    Central, the data-entry workbook and SPSS give identical canonical question columns."""
    path, fmt = _deliver(kind, p2, expected, tmp_path)
    res = read_input(path, "phase2", fmt, mode="paper" if fmt == "entry_xlsx" else "online",
                     base_dir=tmp_path)
    got = res.table
    assert list(got.columns) == [*names, *PROVENANCE]
    pd.testing.assert_frame_equal(got[names].reset_index(drop=True), expected, check_dtype=False)
    assert all(isinstance(v, str) for v in got[names].to_numpy().ravel())
    first = 3 if fmt == "entry_xlsx" else 2  # entry workbook: names in row 1, labels in row 2
    assert got["_source_row"].tolist() == list(range(first, first + len(ANSWERS)))
    assert set(got["_instrument"]) == {"phase2"}
    assert set(got["_source_file"]) == {path.name}
    assert got["_submission_id"].is_unique
    if kind.startswith("kobo_csv_labels_"):
        lang = kind.rsplit("_", 1)[1]
        assert res.info["export_style"] == "labels"
        assert res.info["labels_language"] == lang
        assert any("labels mapped back" in w.problem for w in res.warnings)
    if kind == "kobo_csv_xml":
        assert res.info["export_style"] == "xml" and res.info["labels_language"] is None


def test_hand_written_kobo_and_odk_exports_agree():
    """Two small files written by hand to those conventions: Kobo CSV (';', all quoted, CRLF, group paths,
    split columns empty when unanswered, meta columns) and ODK Central CSV (',', '-' groups, KEY)."""
    kobo = read_input(FIXTURES / "phase2_kobo_xml.csv", "phase2", "kobo_csv", mode="online",
                      base_dir=FIXTURES)
    odk = read_input(FIXTURES / "phase2_odk.csv", "phase2", "odk_csv", mode="phone", base_dir=FIXTURES)
    cols = ["student_id", "consent", "survey_date", "ilo_worked", "hours", "job_title",
            "search_channels", "strengths"]
    pd.testing.assert_frame_equal(kobo.table[cols], odk.table[cols])
    t = kobo.table
    assert t["search_channels"].tolist() == ["internet relatives", "", ""]
    assert t.loc[1, "strengths"] == 'Өңүттүү "сабактар" жана ыңгайлуу китепкана'
    assert t.loc[0, "strengths"] == "Практика көп болду; мугалимдер күчтүү"
    assert t["_submission_id"].tolist()[0] == "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b"  # Kobo _uuid
    assert t["_submitted_at"].tolist()[0] == "2026-03-15T03:15:02"
    assert t["_review_state"].tolist() == ["validation_status_approved", "", "validation_status_on_hold"]
    assert t["_source_file"].tolist()[0] == "phase2_kobo_xml.csv"
    assert kobo.info["delimiter"] == ";" and kobo.info["bom"] is False
    o = odk.table
    assert o["_submission_id"].tolist()[0] == "uuid:6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b"  # ODK KEY
    assert o["_review_state"].tolist() == ["approved", "", "hasIssues"]
    assert o["_mode"].tolist() == ["phone"] * 3
    assert odk.info["delimiter"] == ","
    # platform meta are not reported as unknown columns
    assert kobo.info["columns_dropped"] == [] and odk.info["columns_dropped"] == []


# ------------------------------------------------------------------------------------ writers


def test_kobo_csv_writer_follows_formats_md(p2, expected, tmp_path):
    data = write_kobo_csv(expected, p2, tmp_path / "k.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM
    text = data.decode("utf-8")
    records = text.split("\r\n")
    assert records[-1] == "" and text.count("\n") == text.count("\r\n") + 1  # CRLF; one \n inside a field
    header = records[0].split(";")
    assert all(h.startswith('"') and h.endswith('"') for h in header)  # every field quoted
    header = [h.strip('"') for h in header]
    assert header[:3] == ["start", "end", "today"] and header[-1] == "_index"
    assert "grp_path/search_channels" in header and "grp_path/search_channels/internet" in header
    i_int, i_emp = header.index("grp_path/search_channels/internet"), header.index(
        "grp_path/search_channels/employment_service")
    rows = [r.split('";"') for r in records[1:3]]
    assert rows[0][i_int] == "1" and rows[0][i_emp] == "0"  # answered: 1/0
    third = records[3].split('";"')  # respondent 3 (no consent): option columns empty, not 0
    assert third[i_int] == "" and third[i_emp] == ""


def test_odk_writer_header_and_groups(p2, expected, tmp_path):
    text = write_odk_csv(expected, p2, tmp_path / "o.csv").read_text(encoding="utf-8")
    header = text.splitlines()[0].split(",")
    assert header[0] == "SubmissionDate"
    assert header[-11:] == ["meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent",
                            "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits",
                            "FormVersion"]
    assert "grp_consent-student_id" in header and "grp_path-search_channels/internet" in header


def test_writers_are_deterministic(p2, expected, tmp_path):
    a = write_kobo_xlsx(expected, p2, tmp_path / "a.xlsx", seed=7).read_bytes()
    b = write_kobo_xlsx(expected, p2, tmp_path / "b.xlsx", seed=7).read_bytes()
    assert a == b
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert core.count("1980-01-01T00:00:00Z") == 2
    c1 = write_kobo_csv(expected, p2, tmp_path / "c1.csv", seed=7).read_bytes()
    c2 = write_kobo_csv(expected, p2, tmp_path / "c2.csv", seed=7).read_bytes()
    c3 = write_kobo_csv(expected, p2, tmp_path / "c3.csv", seed=8).read_bytes()
    assert c1 == c2 and c1 != c3


def test_deterministic_xlsx_fixes_openpyxl_timestamps(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.save(tmp_path / "w.xlsx")
    deterministic_xlsx(tmp_path / "w.xlsx")
    with zipfile.ZipFile(tmp_path / "w.xlsx") as z:
        core = z.read("docProps/core.xml").decode()
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in z.infolist())
    assert re.search(r"<dcterms:modified[^>]*>1980-01-01T00:00:00Z<", core)
    assert openpyxl.load_workbook(tmp_path / "w.xlsx").active["A1"].value == "x"  # still a workbook


# ------------------------------------------------------------------------------------ whole-file errors


def _kobo(rows: list[list[str]], path: Path, encoding: str = "utf-8", delimiter: str = ";") -> Path:
    text = "\r\n".join(delimiter.join(f'"{c}"' for c in r) for r in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


HEAD = ["grp_consent/student_id", "grp_consent/consent", "grp_job/job_title", "_uuid"]


def _one_line(err: InputError, path: Path) -> str:
    s = str(err)
    assert "\n" not in s and path.name in s
    return s


@pytest.mark.parametrize("case, needle", [
    ("empty", "empty"),
    ("header_only", "no data rows"),
    ("missing_consent", "'consent'"),
    ("ragged", "row 3"),
    ("truncated_quote", "row 3"),
    ("extension", "'.pdf'"),
    ("cp1251_no_config", "--encoding cp1251"),
    ("utf16_no_config", "UTF-16"),
    ("utf16_without_bom", "NUL"),
])
def test_whole_file_problems_are_one_line_errors(case, needle, tmp_path):
    p = tmp_path / "f.csv"
    if case == "empty":
        p.write_bytes(b"")
    elif case == "header_only":
        _kobo([HEAD], p)
    elif case == "missing_consent":
        _kobo([["grp_consent/student_id", "grp_job/job_title"], ["20210001", "x"]], p)
    elif case == "ragged":
        p.write_bytes(b'"student_id";"consent"\r\n"1";"yes"\r\n"2";"yes";"extra"\r\n')
    elif case == "truncated_quote":
        p.write_bytes(b'"student_id";"consent"\r\n"1";"yes"\r\n"2";"ye')
    elif case == "extension":
        p = tmp_path / "f.pdf"
        p.write_bytes(b"%PDF")
    elif case == "cp1251_no_config":
        _kobo([HEAD, ["20210001", "yes", "Учитель", "u1"]], p, encoding="cp1251")
    elif case == "utf16_no_config":
        _kobo([HEAD, ["20210001", "yes", "Мугалим", "u1"]], p, encoding="utf-16")
    elif case == "utf16_without_bom":  # decodes as "UTF-8" full of NUL characters
        _kobo([HEAD, ["20210001", "yes", "Мугалим", "u1"]], p, encoding="utf-16-le")
    with pytest.raises(InputError) as exc:
        read_input(p, "phase2", "kobo_csv")
    assert needle in _one_line(exc.value, p)


def test_missing_required_column_is_named_and_row_given(tmp_path):
    p = _kobo([["grp_consent/student_id", "grp_job/job_title"], ["20210001", "x"]], tmp_path / "m.csv")
    with pytest.raises(InputError) as exc:
        read_input(p, "phase2", "kobo_csv")
    assert exc.value.row == 1 and "consent" in exc.value.problem


def test_wrong_instrument_is_detected_by_column_overlap(tmp_path):
    p1 = load_instrument("phase1")
    df = pd.DataFrame([{q.name: "" for q in p1.data_questions} | {"student_id": "20210001", "consent": "yes",
                                                                     "internship_done": "yes"}])
    path = write_kobo_csv(df, p1, tmp_path / "exit.csv")
    with pytest.raises(InputError) as exc:
        read_input(path, "phase2", "kobo_csv")
    msg = _one_line(exc.value, path)
    assert "'phase1'" in msg and "instrument: phase1" in msg
    assert read_input(path, "phase1", "kobo_csv").table.loc[0, "internship_done"] == "yes"


def test_entry_workbook_of_another_instrument_is_rejected(tmp_path):
    from analysis.instruments.entry_workbook import entry_workbook

    path = entry_workbook(load_instrument("phase1"), "ru", tmp_path / "p1_entry.xlsx", max_rows=5)
    with pytest.raises(InputError) as exc:
        read_input(path, "phase2", "entry_xlsx")
    assert "jasu_tracer_phase1" in _one_line(exc.value, path)


def test_entry_workbook_modes_ticks_and_empty_rows(p2, tmp_path):
    from analysis.instruments.entry_workbook import entry_workbook

    path = entry_workbook(p2, "ru", tmp_path / "e.xlsx", max_rows=10)
    wb = openpyxl.load_workbook(path)
    ws = wb["data"]
    col = {c.value: c.column for c in ws[1]}
    ws.cell(3, col["mode"], "phone – Телефонное интервью")  # the dropdown's text
    ws.cell(3, col["student_id"], "20210001")
    ws.cell(3, col["consent"], "yes – Да")
    ws.cell(3, col["search_channels/job_fair"], "x")  # a tick mark
    ws.cell(3, col["search_channels/internet"], 1)
    ws.cell(5, col["student_id"], "20210002")  # row 4 left empty
    ws.cell(5, col["consent"], "Жок")  # Kyrgyz label in a Russian workbook
    wb.save(path)
    res = read_input(path, "phase2", "entry_xlsx", mode="paper")
    t = res.table
    assert t["_source_row"].tolist() == [3, 5]
    assert t["_mode"].tolist() == ["phone", "paper"]  # the row's own mode, else the declared one
    assert t["consent"].tolist() == ["yes", "no"]
    assert t["search_channels"].tolist() == ["internet job_fair", ""]  # choice-list order
    assert any("1 completely empty row" in w.problem for w in res.warnings)
    assert any(w.column == "mode" and "declared 'paper'" in w.problem for w in res.warnings)
    assert res.info["form_id"] == "jasu_tracer_phase2"


def test_entry_workbook_round_trip_labels_dates_numbers_and_unknown_choices(p2, tmp_path):
    """A clerk keys one paper questionnaire into a Kyrgyz entry workbook the way clerks do: dropdown
    texts, labels in any of the three languages, bare codes, Excel dates and numbers, 1/0 ticks;
    a second answer two rows lower. (Ported from the former second reader of the entry workbook.)"""
    from analysis.instruments.entry_workbook import ENTRY_FIRST_DATA_ROW, entry_workbook

    path = entry_workbook(p2, "ky", tmp_path / "phase2.xlsx", max_rows=20)
    wb = openpyxl.load_workbook(path)
    ws = wb["data"]
    col = {c.value: c.column for c in ws[1]}
    r = ENTRY_FIRST_DATA_ROW
    put = {
        "mode": "paper – Кагаз анкета", "entered_by": "A.K.", "student_id": "20210001",
        "consent": "yes – Ооба", "survey_date": dt.datetime(2026, 3, 1), "ilo_worked": "Жок",
        "ilo_family_help": "Нет", "ilo_absent": "yes", "hours": 40.0, "emp_type": "Наёмный работник",
        "sector": "P – P. Билим берүү", "work_country": "Марс",
        "search_channels/internet": 1, "search_channels/relatives": 1, "search_channels/university": 0,
    }
    for name, value in put.items():
        ws.cell(r, col[name], value)
    ws.cell(r + 2, col["student_id"], "20210002")  # a second row after an empty one
    wb.save(path)
    res = read_input(path, "phase2", "entry_xlsx", mode="paper")
    t = res.table
    assert t["_source_row"].tolist() == [3, 5] and t["_mode"].tolist() == ["paper", "paper"]
    assert "entered_by" not in t.columns and "mode" not in t.columns  # known workbook columns, not kept
    row = t.iloc[0]
    assert (row["consent"], row["ilo_worked"], row["ilo_family_help"], row["ilo_absent"]) == ("yes", "no", "no", "yes")
    assert row["survey_date"] == "2026-03-01" and row["hours"] == "40"
    assert row["emp_type"] == "employee" and row["sector"] == "P"
    assert row["work_country"] == "Марс"  # no such choice: kept verbatim for validation to report
    assert row["search_channels"] == "internet relatives"
    assert t.iloc[1]["search_channels"] == "" and t.iloc[1]["consent"] == ""
    assert res.info["form_id"] == "jasu_tracer_phase2" and res.info["entry_lang"] == "ky"


def test_odk_zip_export_reads_the_root_table(tmp_path):
    z = tmp_path / "jasu_tracer_phase2.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(FIXTURES / "phase2_odk.csv", "jasu_tracer_phase2.csv")
        zf.writestr("jasu_tracer_phase2-children.csv", "PARENT_KEY,KEY\n")
    res = read_input(z, "phase2", "odk_csv")
    assert res.table["student_id"].tolist() == ["20210001", "20210002", "20210003"]
    assert res.table["_source_file"].tolist()[0] == str(z.as_posix())


def test_merged_cells_in_the_data_area_are_an_error(p2, tmp_path):
    from analysis.instruments.entry_workbook import entry_workbook

    path = entry_workbook(p2, "ky", tmp_path / "e.xlsx", max_rows=5)
    wb = openpyxl.load_workbook(path)
    ws = wb["data"]
    ws["C3"], ws["C4"] = "20210001", "20210002"
    ws["D3"] = "yes"
    ws.merge_cells("D3:D4")
    wb.save(path)
    with pytest.raises(InputError) as exc:
        read_input(path, "phase2", "entry_xlsx")
    msg = _one_line(exc.value, path)
    assert "D3:D4" in msg and exc.value.row == 3 and "unmerge" in msg


# ------------------------------------------------------------------------------------ encodings


def test_bom_and_no_bom_read_the_same(tmp_path):
    rows = [HEAD, ["20210001", "yes", "Мугалим, өңүттүү", "u1"]]
    a = _kobo(rows, tmp_path / "a.csv")
    b = tmp_path / "b.csv"
    b.write_bytes(b"\xef\xbb\xbf" + a.read_bytes())
    ra, rb = read_input(a, "phase2", "kobo_csv"), read_input(b, "phase2", "kobo_csv")
    q = [c for c in ra.table.columns if c not in ("_source_file", "_submission_id")]
    pd.testing.assert_frame_equal(ra.table[q], rb.table[q])
    assert ra.table.loc[0, "student_id"] == "20210001"  # the BOM is not part of the first header
    assert (ra.info["bom"], rb.info["bom"]) == (False, True)


def test_utf16_is_read_only_when_configured(tmp_path):
    p = _kobo([HEAD, ["20210001", "yes", "Мугалим", "u1"]], tmp_path / "u.csv", encoding="utf-16")
    res = read_input(p, "phase2", "kobo_csv", encoding="utf-16")
    assert res.table.loc[0, "job_title"] == "Мугалим"
    q = _kobo([HEAD, ["20210001", "yes", "Мугалим", "u1"]], tmp_path / "q.csv", encoding="utf-16-le")
    assert read_input(q, "phase2", "kobo_csv", encoding="utf-16-le").table.loc[0, "job_title"] == "Мугалим"


def test_cp1251_with_configuration_is_read_with_a_warning(tmp_path):
    p = _kobo([HEAD, ["20210001", "Да", "Учитель", "u1"]], tmp_path / "w.csv", encoding="cp1251")
    res = read_input(p, "phase2", "kobo_csv", encoding="cp1251")
    assert res.table.loc[0, "job_title"] == "Учитель" and res.table.loc[0, "consent"] == "yes"
    assert res.info["encoding"] == "cp1251"
    assert any("not UTF-8" in w.problem and "cp1251" in w.problem for w in res.warnings)


def test_lost_kyrgyz_letters_are_flagged(tmp_path):
    # "Жаңы мугалим" saved as cp1251: ң cannot be encoded and became '?'
    text = "Жаңы мугалим".encode("cp1251", errors="replace").decode("cp1251")
    assert text == "Жа?ы мугалим"
    p = _kobo([HEAD, ["20210001", "yes", text, "u1"], ["20210002", "yes", "Учитель?", "u2"]],
              tmp_path / "w.csv", encoding="cp1251")
    with pytest.raises(InputError) as exc:
        read_input(p, "phase2", "kobo_csv", encoding="cp1251")
    msg = _one_line(exc.value, p)
    assert exc.value.row == 2 and exc.value.column == "job_title" and "allow-lost-letters" in msg
    res = read_input(p, "phase2", "kobo_csv", encoding="cp1251", allow_lost_letters=True)
    flagged = [w for w in res.warnings if "seem lost" in w.problem]
    assert [(w.row, w.column) for w in flagged] == [(2, "job_title")]  # 'Учитель?' is a question mark
    assert res.table.loc[0, "job_title"] == "Жа?ы мугалим"  # kept as written


def test_kz1048_read_as_cp1251_is_flagged(tmp_path):
    p = _kobo([HEAD, ["20210001", "yes", "Жаңы өнүгүү", "u1"]], tmp_path / "k.csv", encoding="kz1048")
    with pytest.raises(InputError) as exc:
        read_input(p, "phase2", "kobo_csv", encoding="cp1251")
    assert "KZ-1048" in str(exc.value)
    assert read_input(p, "phase2", "kobo_csv", encoding="kz1048").table.loc[0, "job_title"] == "Жаңы өнүгүү"


def test_lost_letter_rule():
    assert lost_letters("Жа?ы") and lost_letters("?нүгүү") and lost_letters("ѕ")
    assert lost_letters("Кандай? Жакшы") is None and lost_letters("Сиз иштейсизби?") is None


def test_delimiter_detection_rule(tmp_path):
    assert detect_delimiter('"a;b",c,d\n1,2,3', "x") == ","  # ';' inside quotes does not count
    assert detect_delimiter("a\tb\tc|d\n", "x") == "\t"
    assert detect_delimiter("a;b,c\n", "x") == ";"  # tie: ';' first
    p = _kobo([HEAD, ["20210001", "yes", "Мугалим", "u1"]], tmp_path / "c.csv", delimiter=",")
    res = read_input(p, "phase2", "kobo_csv")
    assert res.info["delimiter"] == "," and res.table.loc[0, "consent"] == "yes"
    assert any("comma" in w.problem and "platform" in w.problem for w in res.warnings)


# ------------------------------------------------------------------------------------ cells and columns


def test_unknown_column_is_dropped_with_a_warning(tmp_path):
    p = _kobo([[*HEAD, "favourite_colour"], ["20210001", "yes", "Мугалим", "u1", "green"]],
              tmp_path / "u.csv")
    res = read_input(p, "phase2", "kobo_csv")
    assert "favourite_colour" not in res.table.columns
    w = [w for w in res.warnings if w.column == "favourite_colour"]
    assert len(w) == 1 and "dropped" in w[0].problem and w[0].row == 1
    assert res.info["columns_dropped"] == ["favourite_colour"]


def test_row_level_problems_are_kept_as_written(tmp_path):
    p = _kobo([["student_id", "consent", "hours", "sex_of_boss"],
               ["20210001", "maybe", "сорок", "x"]], tmp_path / "r.csv")
    res = read_input(p, "phase2", "kobo_csv")
    assert res.table.loc[0, "hours"] == "сорок"  # text in a number field reaches validation
    assert res.table.loc[0, "consent"] == "maybe"  # unknown code kept
    assert any(w.column == "consent" and "kept as written" in w.problem for w in res.warnings)


def test_cell_normalisation_is_logged(tmp_path):
    decomposed = "Мугалим  е\u0308"  # two spaces; 'ё' as e + combining diaeresis
    p = _kobo([HEAD, ["  20210001 ", "yes", decomposed, "u1"]], tmp_path / "n.csv")
    res = read_input(p, "phase2", "kobo_csv")
    assert res.table.loc[0, "student_id"] == "20210001"
    assert res.table.loc[0, "job_title"] == "Мугалим ё"
    problems = {(w.column, w.problem.split(":")[0]) for w in res.warnings}
    assert ("student_id", "surrounding whitespace stripped") in problems
    assert ("job_title", "internal runs of spaces collapsed") in problems
    assert ("job_title", "Unicode normalised to NFC") in problems


def test_summary_and_option_columns_disagree(tmp_path):
    head = ["student_id", "consent", "search_channels", "search_channels/internet",
            "search_channels/relatives"]
    p = _kobo([head, ["20210001", "yes", "internet", "0", "1"], ["20210002", "yes", "", "", ""]],
              tmp_path / "s.csv")
    res = read_input(p, "phase2", "kobo_csv")
    assert res.table["search_channels"].tolist() == ["internet", ""]  # the summary wins
    w = [w for w in res.warnings if w.column == "search_channels" and "disagree" in w.problem]
    assert len(w) == 1 and w[0].row == 2


def test_option_columns_alone_build_the_answer(tmp_path):
    head = ["student_id", "consent", "search_channels/relatives", "search_channels/internet"]
    p = _kobo([head, ["20210001", "yes", "1", "1"], ["20210002", "yes", "", ""]], tmp_path / "o.csv")
    res = read_input(p, "phase2", "kobo_csv")
    assert res.table["search_channels"].tolist() == ["internet relatives", ""]  # choice-list order


def test_registry_xlsx_russian_headers_dates_and_numbers(tmp_path):
    reg = load_instrument("registry")
    wb = openpyxl.Workbook()
    ws = wb.active
    heads = [reg.label(n, "ru") for n in ("student_id", "full_name", "sex", "date_of_birth",
                                           "graduation_date", "gpa")] + ["Примечание"]
    ws.append(heads)
    ws.append([20210001, "Асанова Айгүл", reg.choice_label("sex", "female", "ru"),
               dt.datetime(2002, 4, 5), 45838, 3.5, "ok"])
    ws.append([20210002, "Бекров Нурлан", "male", dt.datetime(2001, 12, 31), dt.datetime(2025, 6, 30), 3.0, ""])
    wb.save(tmp_path / "reg.xlsx")
    res = read_input(tmp_path / "reg.xlsx", "registry", "registry_xlsx")
    t = res.table
    assert t["student_id"].tolist() == ["20210001", "20210002"]
    assert t["sex"].tolist() == ["female", "male"]
    assert t["date_of_birth"].tolist() == ["2002-04-05", "2001-12-31"]
    # Excel serial 45838 = 2025-06-30 (serial 45658 is 2025-01-01, plus 180 days)
    assert t["graduation_date"].tolist() == ["2025-06-30", "2025-06-30"]
    assert t["gpa"].tolist() == ["3.5", "3"]  # whole number without '.0'
    assert res.info["export_style"] == "labels" and res.info["labels_language"] == "ru"
    assert any(w.column == "graduation_date" and "serial" in w.problem for w in res.warnings)
    assert any(w.column == "Примечание" and "dropped" in w.problem for w in res.warnings)


def test_registry_csv_date_serial_text(tmp_path):
    p = tmp_path / "reg.csv"
    p.write_text("student_id,full_name,graduation_date\n20210001,Асанова Айгүл,45838\n"
                 "20210002,Бекров Нурлан,2025-06-28\n20210003,Осмонов Бакыт,2024\n", encoding="utf-8")
    res = read_input(p, "registry", "registry_csv")
    # a 4-digit year is not a plausible serial (before 1930): kept for validation
    assert res.table["graduation_date"].tolist() == ["2025-06-30", "2025-06-28", "2024"]


def test_formula_cells_are_reported(p2, tmp_path):
    df = pd.DataFrame([{q.name: "" for q in p2.data_questions} | {"student_id": "20210001", "consent": "yes"}])
    path = write_kobo_xlsx(df, p2, tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    heads = [c.value for c in ws[1]]
    ws.cell(2, heads.index("grp_job/hours") + 1, "=20+20")
    ws.cell(2, heads.index("grp_path/applications_n") + 1, "=1+1")
    wb.save(path)
    # give the first formula a cached value, as Excel does when it saves
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet, n = re.subn(r"(<f>20\+20</f>)<v\s*/>|(<f>20\+20</f>)<v></v>|(<f>20\+20</f>)", r"<f>20+20</f><v>40</v>",
                       sheet, count=1)
    assert n == 1
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as z:
        for k, v in parts.items():
            z.writestr(k, v)
    res = read_input(path, "phase2", "kobo_xlsx")
    assert res.table.loc[0, "hours"] == "40"
    assert res.table.loc[0, "applications_n"] == "=1+1"  # no saved value: formula text, for validation
    msgs = [w.problem for w in res.warnings if "formula" in w.problem]
    assert any("value Excel saved" in m for m in msgs) and any("no saved value" in m for m in msgs)


def test_legacy_mapping(tmp_path):
    p = tmp_path / "old.csv"
    p.write_text("Выпуск 2023 года;;;\nСтуд. билет;Согласие;Должность;Примечание\n"
                 "20190001;+;Мугалим;звонили дважды\n20190002;-;;\n", encoding="utf-8")
    m = tmp_path / "old.yaml"
    m.write_text("skip_rows: 1\ncolumns:\n  Студ. билет: student_id\n  согласие: consent\n"
                 "  Должность: job_title\n  Примечание: ~\nvalues:\n  consent: {'+': yes, '-': no}\n"
                 "constants:\n  survey_date: '2023-04-01'\n", encoding="utf-8")
    res = read_input(p, "phase2", "legacy", mapping="old.yaml", base_dir=tmp_path, mode="phone")
    t = res.table
    assert t["student_id"].tolist() == ["20190001", "20190002"]
    assert t["consent"].tolist() == ["yes", "no"]  # YAML 'yes'/'no' stay text, not booleans
    assert t["survey_date"].tolist() == ["2023-04-01"] * 2
    assert t["_source_row"].tolist() == [3, 4]  # title row 1, header row 2
    # dropped on purpose, yet never silently: an info notice with the number of answers dropped
    dropped = [w for w in res.warnings if w.column == "Примечание"]
    assert [(w.kind, w.level, w.count) for w in dropped] == [("dropped_on_purpose", "info", 1)]


def test_formats_match_the_cohort_configuration():
    from analysis.core.config import FORMATS as CONFIG_FORMATS

    assert set(FORMATS) == set(CONFIG_FORMATS)


# ------------------------------------------------------------------------------------ command


def test_cli_summary_and_error(tmp_path, capsys):
    from analysis.cli import main

    good = FIXTURES / "phase2_kobo_xml.csv"
    assert main(["ingest", str(good), "-i", "phase2", "-f", "kobo_csv", "--mode", "online",
                 "-o", str(tmp_path / "out.parquet")]) == 0
    out = capsys.readouterr().out
    assert "3 rows of 'phase2'" in out and "delimiter semicolon" in out
    assert pd.read_parquet(tmp_path / "out.parquet")["student_id"].tolist() == ["20210001", "20210002",
                                                                               "20210003"]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"")
    assert main(["ingest", str(bad), "-i", "phase2", "-f", "kobo_csv"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "bad.csv" in err and "\n" not in err and "Traceback" not in err


def test_entry_workbook_without_meta_skips_its_label_row(p2, tmp_path):
    from analysis.instruments.entry_workbook import entry_workbook

    path = entry_workbook(p2, "ky", tmp_path / "e.xlsx", max_rows=5)
    wb = openpyxl.load_workbook(path)
    del wb["_meta"]
    ws = wb["data"]
    col = {c.value: c.column for c in ws[1]}
    ws.cell(3, col["student_id"], "20210001")
    ws.cell(3, col["consent"], "yes")
    wb.save(path)
    res = read_input(path, "phase2", "entry_xlsx", mode="paper")
    assert res.table["student_id"].tolist() == ["20210001"] and res.table["_source_row"].tolist() == [3]
    assert any("no _meta sheet" in w.problem for w in res.warnings)
    assert any(w.row == 2 and "label row" in w.problem for w in res.warnings)

"""Entry workbook, paper/phone questionnaires, constraints and the relevance helpers (analysis.instruments)."""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pytest

from analysis.errors import ConfigError
from analysis.instruments.constraints import regex_length
from analysis.instruments.entry_workbook import entry_value_to_code, entry_workbook
from analysis.instruments.questionnaire import questionnaire_html
from analysis.instruments.relevance import describe_relevant, evaluate_relevant, parse_relevant
from analysis.instruments.xlsform import INSTRUMENTS, load_instrument


@pytest.fixture(scope="module")
def p2():
    return load_instrument("phase2")


@pytest.fixture(scope="module")
def reg():
    return load_instrument("registry")


@pytest.fixture(scope="module")
def p2_book(tmp_path_factory, p2):
    return entry_workbook(p2, "ky", tmp_path_factory.mktemp("entry") / "phase2.xlsx", max_rows=20)


def _validations(ws):
    """{first cell of the range: DataValidation}."""
    return {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}


def _col(ws, name):
    for cell in ws[1]:
        if cell.value == name:
            return cell.column_letter
    raise KeyError(name)


# ------------------------------------------------------------------ entry workbook
def test_entry_workbook_layout(p2_book, p2):
    wb = openpyxl.load_workbook(p2_book)
    assert wb.sheetnames == ["data", "_lists", "_meta"]
    assert wb["_lists"].sheet_state == "hidden" and wb["_meta"].sheet_state == "hidden"
    meta = {r[0]: r[1] for r in wb["_meta"].iter_rows(min_row=2, values_only=True)}
    assert meta["form_id"] == "jasu_tracer_phase2" and meta["lang"] == "ky"
    assert (meta["header_row"], meta["label_row"], meta["first_data_row"]) == (1, 2, 3)
    ws = wb["data"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["mode", "entered_by", "student_id"]
    # one column per option of each multiple-choice question, named question/code
    assert [h for h in header if h.startswith("search_channels/")] == \
        [f"search_channels/{c}" for c in p2.choice_codes("search_channels")]
    singles = [q.name for q in p2.data_questions if q.type != "select_multiple"]
    assert [h for h in header if "/" not in h][2:] == singles
    # row 2: question number (as on the paper form) and the Kyrgyz text
    assert ws[f"{_col(ws, 'ilo_worked')}2"].value.startswith("4. Акыркы 7 күндө")
    assert ws.freeze_panes == "D3"


def test_entry_workbook_validations(p2_book):
    wb = openpyxl.load_workbook(p2_book)
    ws = wb["data"]
    dvs = _validations(ws)
    consent = dvs[f"{_col(ws, 'consent')}3"]
    assert consent.type == "list" and consent.formula1.startswith("'_lists'!")
    col = re.search(r"\$([A-Z]+)\$2", consent.formula1).group(1)
    values = [c.value for c in wb["_lists"][col][1:] if c.value]
    assert values == ["yes – Ооба", "no – Жок"]
    hours = dvs[f"{_col(ws, 'hours')}3"]
    assert (hours.type, hours.operator, hours.formula1, hours.formula2) == ("whole", "between", "1", "98")
    assert hours.error == "Сан 1 менен 98 ортосунда болушу керек."  # the XLSForm constraint message
    sid = dvs[f"{_col(ws, 'student_id')}3"]
    assert (sid.type, sid.operator, sid.formula1) == ("textLength", "equal", "8")  # from regex ^[0-9]{8}$
    assert "8 сан" in sid.prompt  # input message from the hint
    date = dvs[f"{_col(ws, 'survey_date')}3"]
    assert date.type == "date"
    multi = dvs[f"{_col(ws, 'search_channels/internet')}3"]
    assert multi.type == "list" and multi.formula1 == '"1,0"'
    fam = dvs[f"{_col(ws, 'ilo_family_help')}3"]
    assert "Эгер 4-суроонун жообу «Жок» болсо гана жооп бериңиз." in fam.prompt  # skip logic as input message
    assert ws[f"{_col(ws, 'student_id')}3"].number_format == "@"  # ids and phones stay text


def test_registry_workbook_ranges(tmp_path, reg):
    ws = openpyxl.load_workbook(entry_workbook(reg, "en", tmp_path / "reg.xlsx", max_rows=5))["data"]
    assert [c.value for c in ws[1]][:2] == ["entered_by", "student_id"]  # no 'mode' for registrar data
    dvs = _validations(ws)
    gpa = dvs[f"{_col(ws, 'gpa')}3"]
    assert (gpa.type, gpa.formula1, gpa.formula2) == ("decimal", "0", "4")
    phone = dvs[f"{_col(ws, 'phone_mobile')}3"]
    assert (phone.type, phone.formula1) == ("textLength", "13")  # '+996' + 9 digits
    dob = dvs[f"{_col(ws, 'date_of_birth')}3"]
    assert dob.formula1 == str((dt.date(1940, 1, 1) - dt.date(1899, 12, 30)).days)


def test_entry_value_to_code(p2, reg):
    assert entry_value_to_code(p2, "consent", "yes – Ооба") == "yes"
    assert entry_value_to_code(p2, "consent", "ДА") == "yes"
    assert entry_value_to_code(p2, "horizontal_match", "5 – эң жогору") == "5"
    assert entry_value_to_code(p2, "horizontal_match", 3) == "3"
    assert entry_value_to_code(p2, "search_channels", "job_fair internet") == "internet job_fair"  # form order
    assert entry_value_to_code(p2, "search_channels", "Ярмарка вакансий; Туугандар, достор, тааныштар") == \
        "relatives job_fair"
    assert entry_value_to_code(p2, "income", 15000.0) == "15000"
    assert entry_value_to_code(reg, "gpa", 3.25) == "3.25"
    assert entry_value_to_code(reg, "graduation_date", dt.datetime(2025, 6, 30)) == "2025-06-30"
    assert entry_value_to_code(reg, "student_id", 20210001) == "20210001"
    assert entry_value_to_code(p2, "income", None) == ""
    with pytest.raises(ValueError, match="not a choice"):
        entry_value_to_code(p2, "consent", "maybe")


# ------------------------------------------------------------------ paper and phone questionnaires
@pytest.mark.parametrize("name", INSTRUMENTS)
@pytest.mark.parametrize("kind", ["paper", "phone"])
def test_questionnaire_is_self_contained(name, kind):
    html = questionnaire_html(load_instrument(name), "ky", kind)
    assert html.startswith("<!DOCTYPE html>") and '<html lang="ky">' in html
    assert "<script" not in html.lower() and "http" not in html.lower()
    assert "@page" in html and "<link" not in html
    assert set("ңөү") <= set(html)


def test_paper_questionnaire_skip_instructions(p2):
    html = questionnaire_html(p2, "ky", "paper")
    # numbering: 1 student_id, 2 consent, 3 survey_date, 4 ilo_worked, 5 ilo_family_help, ... 10 main_activity
    assert "Эгер 4-суроонун жообу «Жок» болсо гана жооп бериңиз." in html  # ilo_family_help
    assert "Эгер 4-суроонун жообу «Жок» жана 5-суроонун жообу «Жок» болсо гана жооп бериңиз." in html
    # "yes" to Q4 (worked) skips the rest of the ILO sequence (Q5–Q9): go to Q10
    q4 = html.split('<span class="qn">4.</span>')[1].split('<span class="qn">5.</span>')[0]
    assert re.search(r"Ооба<span class=\"skip\">→ 10-суроого өтүңүз</span>", q4)
    # "no" to consent ends the questionnaire
    q2 = html.split('<span class="qn">2.</span>')[1].split('<span class="qn">3.</span>')[0]
    assert "Жок<span class=\"skip\">→ сурамжылоо бүттү</span>" in q2
    # the section condition is said once, not repeated under each question
    assert html.count("Эгер 2-суроонун жообу «Ооба» болсо гана жооп бериңиз.") == 1  # survey_date only
    assert "Бул бөлүмгө эгер 2-суроонун жообу «Ооба» болсо гана жооп бериңиз." in html


def test_phone_script_in_english(p2):
    html = questionnaire_html(p2, "en", "phone")
    assert "Read out:" in html and "Hello! My name is" in html
    assert "Ask only if the answer to Q4 is “No”." in html
    assert "Ask only if the answer to Q22 is “Kyrgyzstan”." in html  # work_oblast
    assert "Write down the answer word for word." in html
    assert '<span class="qn">1.</span><span class="read">Interviewer fills in:</span> Your student ID' in html


def test_russian_paper_form_and_bad_arguments(p2):
    html = questionnaire_html(p2, "ru", "paper")
    assert "Отвечайте, только если в вопросе 4 ответ «Нет»." in html
    with pytest.raises(ConfigError):
        questionnaire_html(p2, "de", "paper")
    with pytest.raises(ConfigError):
        questionnaire_html(p2, "ky", "web")


# ------------------------------------------------------------------ relevance expressions
def test_evaluate_relevant_three_valued():
    e = "${a} = 'yes' or ${b} = 'yes'"
    assert evaluate_relevant(e, {"a": "yes"}) is True  # b unknown, but a decides
    assert evaluate_relevant(e, {"a": "no"}) is None  # depends on unknown b
    assert evaluate_relevant(e, {"a": "no", "b": "no"}) is False
    assert evaluate_relevant("${n} > 0", {"n": ""}) is False  # empty number compares false (ODK)
    assert evaluate_relevant("${n} > 0", {"n": "3"}) is True
    assert evaluate_relevant("${x} = ''", {"x": ""}) is True
    assert evaluate_relevant("selected(${m}, 'b')", {"m": "a b"}) is True
    assert evaluate_relevant("not(selected(${m}, 'c'))", {"m": "a b"}) is True
    assert evaluate_relevant(". + coalesce(${w}, 0) <= ${n}", {".": "3", "w": "", "n": "3"}) is True
    assert evaluate_relevant(None, {}) is True
    with pytest.raises(ValueError):
        parse_relevant("${a} = = 'x'")


def test_describe_relevant_text_or_tree(p2):
    q = [q.name for q in p2.data_questions].index("horizontal_match") + 1
    expr = "${horizontal_match} = '1' or ${horizontal_match} = '2'"
    text = describe_relevant(p2, expr, "en")
    assert text == f"the answer to Q{q} is “1 – lowest” or “2”"
    assert describe_relevant(p2, parse_relevant(expr), "en") == text  # the tree the questionnaires pass
    assert describe_relevant(p2, "${ilo_worked} = 'no'", "en", numbers={"ilo_worked": 7}) == \
        "the answer to Q7 is “No”"
    assert describe_relevant(p2, "${a} = = 'x'", "en") == "${a} = = 'x'"  # unreadable: shown as written


def test_evaluate_relevant_takes_the_parsed_tree_and_rejects_unknown_functions():
    tree = parse_relevant("${a} = 'yes' and ${n} >= 2")
    assert evaluate_relevant(tree, {"a": "yes", "n": "2"}) is True
    assert evaluate_relevant(tree, {"a": "no"}) is False  # decided although n is unknown
    assert evaluate_relevant("   ", {}) is True
    with pytest.raises(ValueError, match="not supported"):
        evaluate_relevant("today() > 0", {})


def testregex_length():
    assert regex_length("^[0-9]{8}$") == (8, 8)
    assert regex_length(r"^\+996[0-9]{9}$") == (13, 13)
    assert regex_length("^[0-9]{2,4}$") == (2, 4)
    assert regex_length("^[^@ ]+@[^@ ]+$") is None


def test_cli_template_and_questionnaire(tmp_path, capsys):
    from analysis.cli import main

    assert main(["template", "employer", "--lang", "ru", "-o", str(tmp_path / "e.xlsx"), "--rows", "5"]) == 0
    ws = openpyxl.load_workbook(tmp_path / "e.xlsx")["data"]
    assert ws["C1"].value == "employer_id"
    assert main(["questionnaire", "phase1", "--lang", "ky", "--kind", "phone", "-o", str(tmp_path / "p.html")]) == 0
    assert "Окуп бериңиз:" in (tmp_path / "p.html").read_text(encoding="utf-8")
    assert main(["template", "employer", "-o", str(tmp_path / "e.csv")]) == 2
    assert "must be an .xlsx" in capsys.readouterr().err

"""The four XLSForms and the codebook (analysis.instruments.xlsform) against the contract in docs/variables.md."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from analysis.errors import ConfigError, InputError
from analysis.instruments.relevance import evaluate_relevant
from analysis.instruments.xlsform import (
    INSTRUMENTS,
    LANGS,
    codebook_csv,
    codebook_markdown,
    codebook_table,
    forms_dir_default,
    load_instrument,
    normalise_label,
)

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / "questionnaires"
LANG_COLUMNS = ("Kyrgyz (ky)", "Russian (ru)", "English (en)")
KY_LETTERS = set("ңөүҢӨҮ")
# staff-coded fields that the forms keep in a final "office use" section, away from respondents
MOVED_TO_END = {"phase2": {"isco_code"}}


# ------------------------------------------------------------------ the contract, parsed from docs/variables.md
def _md_tables(text: str) -> list[tuple[str, list[list[str]]]]:
    """(heading, rows) for every Markdown table; rows without the header and the --- line."""
    tables, heading, rows = [], "", None
    for line in text.splitlines():
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        if line.startswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            if rows is None:
                rows = []
                tables.append((heading, rows))
                continue  # header row
            if all(set(c) <= set("-: ") for c in cells):
                continue
            rows.append(cells)
        else:
            rows = None
    return tables


def _ticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


@pytest.fixture(scope="module")
def contract() -> dict:
    text = (ROOT / "docs" / "variables.md").read_text(encoding="utf-8")
    tables = _md_tables(text)
    competences = _ticked(text.split("**Competence list**")[1].split("\n\n")[0])
    competences = [c for c in competences if c != "<c>"]
    programmes = [r["programme"] for r in csv.DictReader(
        (ROOT / "src/analysis/definitions/programmes.csv").open(encoding="utf-8"))]
    shared: dict[str, list[str]] = {}
    for heading, rows in tables:
        if heading != "Shared choice lists":
            continue
        for list_cell, codes_cell in rows:
            name = _ticked(list_cell)[0]
            codes_cell = re.sub(r"\(see [^)]*\)", "", codes_cell).strip()
            if "35 codes" in codes_cell:
                codes = programmes
            elif "…" in codes_cell:
                a, b = [x.strip() for x in codes_cell.split("(")[0].split("…")]
                codes = [chr(c) for c in range(ord(a), ord(b) + 1)]
            else:
                codes = [c.strip() for c in codes_cell.split(",")]
            shared[name] = codes
    instruments: dict[str, dict[str, dict]] = {}
    for heading, rows in tables:
        m = re.search(r"\(`(\w+)`\)", heading)
        if not m:
            continue
        spec: dict[str, dict] = {}
        for row in rows:
            name, qtype, rule = row[0], row[1], row[2]
            pd_flag = row[3] if len(row) > 3 else ""
            names = [name.replace("`<c>`", c).replace("<c>", c).strip("`") for c in competences] \
                if "<c>" in name else [name.strip("`")]
            for n in names:
                spec[n] = {"type": qtype, "rule": rule, "pd": pd_flag}
        instruments[m.group(1)] = spec
    return {"instruments": instruments, "shared": shared, "competences": competences}


def _expected_codes(rule: str, shared: dict[str, list[str]]) -> tuple[str | None, list[str]]:
    """(named shared list or None, codes) of a select question from its contract rule cell."""
    ticked = _ticked(rule)
    if len(ticked) >= 2:
        return None, ticked
    first = re.split(r"[\s,;(—]", rule.strip(), maxsplit=1)[0]
    return first, shared[first]


@pytest.fixture(scope="module")
def insts() -> dict:
    return {name: load_instrument(name) for name in INSTRUMENTS}


def test_contract_parser_reads_all_four_instruments(contract):
    assert set(contract["instruments"]) == set(INSTRUMENTS)
    assert len(contract["competences"]) == 12
    assert contract["shared"]["gked"][0] == "A" and contract["shared"]["gked"][-1] == "U"
    assert contract["shared"]["isco_major"] == list("0123456789")
    assert len(contract["shared"]["programme"]) == 35


# ------------------------------------------------------------------ pyxform
@pytest.mark.parametrize("name", INSTRUMENTS)
def test_pyxform_converts_every_form_without_warnings(name):
    from pyxform.xls2xform import convert

    warnings: list[str] = []
    result = convert(str(FORMS / f"{name}.xlsx"), warnings=warnings, validate=False)
    assert warnings == []
    assert f"jasu_tracer_{name}" in result.xform
    # the custom 'pd' column is ignored by pyxform: it never reaches the XForm
    assert re.search(r"\bpd\s*=|<pd[ >]", result.xform) is None
    # every language is declared as an itext translation
    for lang in LANG_COLUMNS:
        assert f'lang="{lang}"' in result.xform


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_sheets_columns_and_settings(name, insts):
    wb = openpyxl.load_workbook(FORMS / f"{name}.xlsx", read_only=True)
    assert {"survey", "choices", "settings"} <= set(wb.sheetnames)
    survey_head = next(wb["survey"].iter_rows(max_row=1, values_only=True))
    for kind in ("label", "hint", "constraint_message", "required_message"):
        for lang in LANG_COLUMNS:
            assert f"{kind}::{lang}" in survey_head
    for col in ("type", "name", "required", "constraint", "relevant", "pd"):
        assert col in survey_head
    settings = list(wb["settings"].iter_rows(values_only=True))
    row = dict(zip(settings[0], settings[1]))
    assert row["form_id"] == f"jasu_tracer_{name}" == insts[name].form_id
    assert row["default_language"] == "Kyrgyz (ky)"
    assert str(row["version"]) == insts[name].version != ""
    wb.close()


# ------------------------------------------------------------------ three languages everywhere
@pytest.mark.parametrize("name", INSTRUMENTS)
def test_every_text_exists_in_all_three_languages(name, insts):
    inst = insts[name]
    for q in inst.questions:
        assert all(q.labels.get(lg) for lg in LANGS), (q.name, q.labels)
        if q.hints:
            assert all(q.hints.get(lg) for lg in LANGS), (q.name, q.hints)
        assert bool(q.constraint) == bool(q.constraint_messages), q.name
        if q.constraint:
            assert all(q.constraint_messages.get(lg) for lg in LANGS), q.name
        if q.required:
            assert all(q.required_messages.get(lg) for lg in LANGS), q.name
    for list_name, choices in inst.choices.items():
        for c in choices:
            assert all(c.labels.get(lg) for lg in LANGS), (list_name, c.name, c.labels)


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_kyrgyz_is_real_kyrgyz_not_a_copy_of_russian(name, insts):
    qs = [q for q in insts[name].questions if q.type != "group"]
    with_letters = [q for q in qs if KY_LETTERS & set(q.labels["ky"] + q.hints.get("ky", ""))]
    assert len(with_letters) / len(qs) > 0.4  # short registry labels ("Жынысы") need none of ң ө ү
    same_as_ru = [q.name for q in qs if q.labels["ky"] == q.labels["ru"]]
    assert same_as_ru == []
    # no Latin letter hiding inside a Cyrillic word (a classic copy-paste error)
    for q in qs:
        for lang in ("ky", "ru"):
            for word in re.findall(r"\w+", q.labels[lang] + " " + q.hints.get(lang, "")):
                assert not (re.search("[а-яёңөү]", word, re.I) and re.search("[a-z]", word, re.I)), (q.name, word)


def test_ilo_question_uses_the_standard_kyrgyz_wording(insts):
    # wording given in the project brief (ILO 19th ICLS "at least one hour for pay or profit")
    assert insts["phase2"].label("ilo_worked", "ky") == (
        "Акыркы 7 күндө сиз акы төлөнүүчү же киреше алып келүүчү жумушта жок дегенде бир саат иштедиңизби?")
    assert "one hour" in insts["phase2"].label("ilo_worked", "en")


# ------------------------------------------------------------------ names, types and codes = the contract
@pytest.mark.parametrize("name", INSTRUMENTS)
def test_names_types_and_codes_match_the_contract(name, insts, contract):
    inst = insts[name]
    spec = contract["instruments"][name]
    names = [q.name for q in inst.data_questions]
    assert sorted(names) == sorted(spec), "names differ from docs/variables.md"
    moved = MOVED_TO_END.get(name, set())
    assert [n for n in names if n not in moved] == [n for n in spec if n not in moved], "order differs"
    for q in inst.data_questions:
        s = spec[q.name]
        assert q.type == s["type"], q.name
        if q.type.startswith("select"):
            list_name, codes = _expected_codes(s["rule"], contract["shared"])
            assert inst.choice_codes(q.name) == codes, q.name
            if list_name is not None:
                assert q.list_name == list_name, q.name


def test_programme_and_faculty_lists_come_from_the_definitions(insts):
    reg = insts["registry"]
    rows = list(csv.DictReader((ROOT / "src/analysis/definitions/programmes.csv").open(encoding="utf-8")))
    for r in rows[:3] + rows[-2:]:
        for lg in LANGS:
            assert reg.choice_label("programme", r["programme"], lg) == r[f"name_{lg}"]
    assert reg.choice_label("faculty", "MED", "ru") == "Медицинский факультет"


def test_personal_data_flags(insts, contract):
    reg = insts["registry"]
    spec = contract["instruments"]["registry"]
    assert reg.direct_identifiers == {n for n, s in spec.items() if s["pd"] == "direct"}
    assert reg.personal_names == {n for n, s in spec.items() if s["pd"] in ("direct", "quasi")}
    assert insts["phase1"].direct_identifiers == {"student_id", "email_new", "phone_new"}
    assert insts["phase2"].direct_identifiers == {"student_id"}
    assert insts["employer"].personal_names == set()


# ------------------------------------------------------------------ skip logic = the contract
def _employed_cases():
    # (answers to the ILO sequence, employed?) — ILO 19th ICLS: worked >= 1 h, or contributing family
    # worker, or temporarily absent from a job
    return [
        ({"ilo_worked": "yes", "ilo_family_help": "", "ilo_absent": ""}, True),
        ({"ilo_worked": "no", "ilo_family_help": "yes", "ilo_absent": ""}, True),
        ({"ilo_worked": "no", "ilo_family_help": "no", "ilo_absent": "yes"}, True),
        ({"ilo_worked": "no", "ilo_family_help": "no", "ilo_absent": "no"}, False),
        ({"ilo_worked": "", "ilo_family_help": "", "ilo_absent": ""}, False),  # refused / consent = no
    ]


@pytest.mark.parametrize("qname", ["hours", "emp_type", "contract", "social_fund", "income"])
def test_employment_questions_follow_the_ilo_definition(insts, qname):
    inst = insts["phase2"]
    for answers, employed in _employed_cases():
        assert evaluate_relevant(inst.effective_relevant(qname), {"consent": "yes", **answers}) is employed


def test_ilo_sequence(insts):
    inst = insts["phase2"]
    rel = {n: inst.question(n).relevant for n in
           ("ilo_family_help", "ilo_absent", "ilo_sought", "ilo_available", "ilo_future_start")}
    assert evaluate_relevant(rel["ilo_family_help"], {"ilo_worked": "no"}) is True
    assert evaluate_relevant(rel["ilo_family_help"], {"ilo_worked": "yes"}) is False
    assert evaluate_relevant(rel["ilo_absent"], {"ilo_worked": "no", "ilo_family_help": "no"}) is True
    assert evaluate_relevant(rel["ilo_absent"], {"ilo_worked": "no", "ilo_family_help": "yes"}) is False
    for n in ("ilo_sought", "ilo_available", "ilo_future_start"):
        for answers, employed in _employed_cases()[:4]:
            assert evaluate_relevant(rel[n], answers) is (not employed), (n, answers)


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_simple_if_rules_of_the_contract(name, insts, contract):
    """Every 'if X = v' in the contract is a condition of the question's relevance."""
    inst = insts[name]
    for qname, s in contract["instruments"][name].items():
        for x, v in re.findall(r"if (\w+) = (\w+)", s["rule"]):
            rel = inst.question(qname).relevant or ""
            assert f"${{{x}}} = '{v}'" in rel, (qname, rel)
        if "required" in s["rule"]:
            assert inst.question(qname).required, qname


@pytest.mark.parametrize("name", ["phase1", "phase2"])
def test_no_consent_means_nothing_else_is_asked(name, insts):
    inst = insts[name]
    after = [q for q in inst.data_questions][2:]
    for q in after:
        values = {x.name: "" for x in inst.data_questions}
        values.update(student_id="20210001", consent="no")
        assert evaluate_relevant(inst.effective_relevant(q.name), values) is False, q.name


def test_other_conditional_rules(insts):
    p2 = insts["phase2"]
    emp = {"consent": "yes", "ilo_worked": "yes"}
    band = p2.effective_relevant("income_band")
    assert evaluate_relevant(band, {**emp, "income": ""}) is True
    assert evaluate_relevant(band, {**emp, "income": "15000"}) is False
    mis = p2.effective_relevant("mismatch_reason")
    assert [evaluate_relevant(mis, {**emp, "horizontal_match": v}) for v in "12345"] == [True, True, False, False,
                                                                                        False]
    assert "${applications_n}" in p2.question("replies_n").constraint
    assert "${replies_n}" in p2.question("interviews_n").constraint
    emp_form = insts["employer"]
    assert "${vacancies_n}" in emp_form.question("hard_to_fill_n").constraint
    reasons = emp_form.question("hard_to_fill_reasons").relevant
    assert evaluate_relevant(reasons, {"hard_to_fill_n": "0"}) is False
    assert evaluate_relevant(reasons, {"hard_to_fill_n": "2"}) is True
    assert evaluate_relevant(reasons, {"hard_to_fill_n": ""}) is False


# ------------------------------------------------------------------ lookups
def test_label_to_code_accepts_all_three_languages(insts):
    p2 = insts["phase2"]
    m = p2.label_to_code("emp_type")
    for text in ("Жалданма кызматкер", "Наёмный работник", "Employee", "  EMPLOYEE ", "employee",
                 "наёмный   работник"):
        assert m[normalise_label(text)] == "employee", text
    assert p2.label_to_code("social_fund")[normalise_label("Не знаю")] == "dk"
    assert p2.label_to_code("sector")[normalise_label("P. Билим берүү")] == "P"


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_labels_are_unambiguous_within_each_list(name, insts):
    """A label (in any language) never names two different codes, so label exports map back safely."""
    inst = insts[name]
    for list_name, choices in inst.choices.items():
        seen: dict[str, str] = {}
        for c in choices:
            for lg in LANGS:
                key = normalise_label(c.labels[lg])
                assert seen.setdefault(key, c.name) == c.name, (list_name, key)


def test_lookups(insts):
    p1 = insts["phase1"]
    assert p1.choice_codes("job_status") == ["has_job", "job_promised", "searching", "not_searching"]
    assert p1.choice_label("consent", "no", "ky") == "Жок"
    assert p1.choice_label("yes_no", "yes", "ru") == "Да"
    assert p1.label("consent", "en") == "Do you agree to take part in this survey?"
    assert p1.question("internship_months").group == "grp_internship"
    assert all(q.type not in ("note", "group", "calculate") for q in p1.data_questions)
    assert p1.metadata == ("start", "end")
    with pytest.raises(KeyError):
        p1.question("no_such_question")


# ------------------------------------------------------------------ codebook
def test_codebook_table(insts):
    reg = insts["registry"]
    df = codebook_table(reg, "ky")
    assert list(df.columns) == ["name", "type", "label", "choices", "required", "relevant", "constraint", "pd"]
    assert len(df) == 19
    row = df.set_index("name").loc["sex"]
    assert row["choices"] == "female = Аял; male = Эркек"
    assert bool(row["required"]) is True
    assert df.set_index("name").loc["home_rayon", "relevant"] == "${home_oblast} = 'jalal_abad'"
    assert df.set_index("name").loc["date_of_birth", "pd"] == "quasi"


def test_codebook_csv_round_trip(insts):
    text = codebook_csv(insts["employer"], "en")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["name"] for r in rows] == [q.name for q in insts["employer"].data_questions]
    assert rows[0]["label"] == "Employer code"


@pytest.mark.parametrize("name", INSTRUMENTS)
@pytest.mark.parametrize("lang", LANGS)
def test_committed_codebooks_are_up_to_date(name, lang, insts):
    path = ROOT / "docs" / "codebooks" / f"{name}.{lang}.md"
    assert path.is_file(), f"run: tracer codebook all -o docs/codebooks ({path} is missing)"
    assert path.read_text(encoding="utf-8") == codebook_markdown(insts[name], lang), \
        "docs/codebooks is out of date: run 'tracer codebook all -o docs/codebooks'"


def test_codebook_markdown_mentions_every_question(insts):
    md = codebook_markdown(insts["phase2"], "ru")
    for q in insts["phase2"].data_questions:
        assert f"`{q.name}`" in md
    assert "### gked" in md and "Образование" in md


# ------------------------------------------------------------------ loading and errors
def test_unknown_instrument_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown instrument 'phase3'"):
        load_instrument("phase3")


def test_missing_form_names_the_file(tmp_path):
    with pytest.raises(InputError) as exc:
        load_instrument("phase1", forms_dir=tmp_path)
    assert "phase1.xlsx" in str(exc.value) and "\n" not in str(exc.value)


def test_broken_form_raises_one_line_input_error_naming_the_file(tmp_path):
    shutil.copy(FORMS / "phase1.xlsx", tmp_path / "phase1.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "phase1.xlsx")
    ws = wb["survey"]
    head = [c.value for c in ws[1]]
    row = ws.max_row + 1
    ws.cell(row=row, column=head.index("type") + 1, value="select_one no_such_list")
    ws.cell(row=row, column=head.index("name") + 1, value="broken")
    ws.cell(row=row, column=head.index("label::Kyrgyz (ky)") + 1, value="Бузулган")
    wb.save(tmp_path / "phase1.xlsx")
    with pytest.raises(InputError) as exc:
        load_instrument("phase1", forms_dir=tmp_path)
    msg = str(exc.value)
    assert "phase1.xlsx" in msg and "\n" not in msg and "XLSForm" in msg


def test_bad_pd_flag_is_reported(tmp_path):
    shutil.copy(FORMS / "employer.xlsx", tmp_path / "employer.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "employer.xlsx")
    ws = wb["survey"]
    head = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        if ws.cell(row=r, column=head.index("name") + 1).value == "sector_text":
            ws.cell(row=r, column=head.index("pd") + 1, value="secret")
    wb.save(tmp_path / "employer.xlsx")
    with pytest.raises(InputError, match="pd must be"):
        load_instrument("employer", forms_dir=tmp_path)


def test_project_root_override(tmp_path, monkeypatch):
    (tmp_path / "questionnaires").mkdir()
    shutil.copy(FORMS / "registry.xlsx", tmp_path / "questionnaires" / "registry.xlsx")
    monkeypatch.setenv("TRACER_PROJECT_ROOT", str(tmp_path))
    assert forms_dir_default() == tmp_path.resolve() / "questionnaires"
    assert load_instrument("registry").path == (tmp_path / "questionnaires" / "registry.xlsx").resolve()


def test_cli_codebook_and_help(capsys):
    from analysis.cli import main

    assert main(["codebook", "phase1", "--lang", "en", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "name,type,label,choices,required,relevant,constraint,pd"
    assert "consent_phase2" in out
    assert main(["codebook", "all"]) == 2  # needs -o FOLDER: one-line error, exit code 2
    assert "needs -o" in capsys.readouterr().err

"""Nothing dropped silently (structured, trilingual notices; did-you-mean; what stops a run) and dates as
people type them (dd.mm.yyyy, dd/mm/yyyy by the file's day-first rule, Excel serials)."""

from __future__ import annotations

import re
import string

import pytest

from analysis.core.i18n import catalogue
from analysis.errors import InputError
from analysis.ingest import read_input
from analysis.ingest.dates import decide_order, is_ambiguous, read_date
from analysis.ingest.notices import FIXES, KINDS, LANGS, NOTICE_COLUMNS, notice_records, render

# ----------------------------------------------------------------------------- dates


@pytest.mark.parametrize("text, dayfirst, expected", [
    ("2025-06-30", None, ("2025-06-30", "iso", None)),
    ("30.06.2025", None, ("2025-06-30", "converted", "dayfirst")),      # Russian-locale Excel
    ("5.3.2025", None, ("2025-03-05", "converted", "dayfirst")),
    ("30-06-2025", None, ("2025-06-30", "converted", "dayfirst")),
    ("05.03.2025", False, ("2025-05-03", "converted", "monthfirst")),   # the file says so
    ("30/06/2025", None, ("2025-06-30", "converted", "dayfirst")),      # only one reading
    ("06/30/2025", None, ("2025-06-30", "converted", "monthfirst")),
    ("03/04/2025", None, ("03/04/2025", "ambiguous", None)),            # 3 April or 4 March
    ("03/04/2025", True, ("2025-04-03", "converted", "dayfirst")),
    ("03/04/2025", False, ("2025-03-04", "converted", "monthfirst")),
    ("04/04/2025", None, ("2025-04-04", "converted", "dayfirst")),      # both readings agree
    ("2025/6/30", None, ("2025-06-30", "converted", "iso_date")),
    ("30.06.2025 14:30", None, ("2025-06-30", "converted", "dayfirst")),
    ("2025-06-30T14:30:00", None, ("2025-06-30", "converted", "date_time_dropped")),
    ("45838", None, ("2025-06-30", "converted", "excel_serial")),       # 45658 = 2025-01-01, + 180 days
    ("31.02.2025", None, ("31.02.2025", "unreadable", None)),
    ("2025-02-30", None, ("2025-02-30", "unreadable", None)),
    ("30.06.25", None, ("30.06.25", "unreadable", None)),               # two-digit year: a guess, not read
    ("2024", None, ("2024", "unreadable", None)),
    ("June 2025", None, ("June 2025", "unreadable", None)),
])
def test_read_date(text, dayfirst, expected):
    r = read_date(text, dayfirst)
    assert (r.text, r.status, r.fix) == expected


def test_excel_1904_serial():
    # the 1904 date system counts from 1904-01-01: serial 44376 there is 44376 + 1462 in the 1900 system
    assert read_date("44376", None, date1904=True).text == "2025-06-30"


def test_decide_order_from_what_the_file_shows():
    assert decide_order(["25/03/2025", "03/04/2025"], None)[0] is True
    assert decide_order(["03/25/2025", "03/04/2025"], None)[0] is False
    order, why = decide_order(["25/03/2025", "03/25/2025"], None)
    assert order is None and "mixes" in why
    assert decide_order(["03/04/2025", "30.06.2025"], None)[0] is None   # dots say nothing about slashes
    assert decide_order(["03/25/2025"], True) == (True, "declared in the cohort file (dayfirst: true)")
    assert is_ambiguous("03/04/2025") and not is_ambiguous("04/04/2025") and not is_ambiguous("25/03/2025")


def _registry_csv(tmp_path, dates: list[str]) -> str:
    p = tmp_path / "reg.csv"
    body = "".join(f"2021000{i};Асанова Айгүл;{d}\n" for i, d in enumerate(dates, start=1))
    p.write_text("student_id;full_name;graduation_date\n" + body, encoding="utf-8")
    return str(p)


def test_the_file_decides_the_order_and_says_how(tmp_path):
    res = read_input(_registry_csv(tmp_path, ["25/06/2025", "03/07/2025", "30.06.2025"]), "registry", "registry_csv")
    assert res.table["graduation_date"].tolist() == ["2025-06-25", "2025-07-03", "2025-06-30"]
    order = [n for n in res.warnings if n.kind == "date_order"]
    assert len(order) == 1 and "day-first" in order[0].problem and "'25/06/2025'" in order[0].problem
    fix = [n for n in res.warnings if n.kind == "cell_fix" and n.params["fix"] == "dayfirst"]
    assert fix[0].count == 3 and fix[0].row == 2


def test_ambiguous_and_unreadable_dates_are_warnings_and_the_row_is_kept(tmp_path):
    from analysis.instruments.xlsform import INSTRUMENTS, load_instrument
    from analysis.validate import validate_cohort

    res = read_input(_registry_csv(tmp_path, ["03/07/2025", "31.02.2025", "2025-06-30"]), "registry", "registry_csv")
    t = res.table
    assert t["graduation_date"].tolist() == ["03/07/2025", "31.02.2025", "2025-06-30"]  # left as written
    amb = [n for n in res.warnings if n.kind == "date_ambiguous"]
    assert len(amb) == 1 and amb[0].level == "warning" and "dayfirst" in amb[0].suggestion("en")
    cv = validate_cohort({"registry": t}, {n: load_instrument(n) for n in INSTRUMENTS}, lang="en")
    q = cv.quarantine[cv.quarantine["column"] == "graduation_date"].set_index("row")
    assert q.loc[2, "rule"] == "date_ambiguous" and q.loc[2, "value"] == "03/07/2025"
    assert q.loc[2, "file"].endswith("reg.csv") and q.loc[2, "column"] == "graduation_date"
    assert q.loc[3, "rule"] == "type_date" and q.loc[3, "severity"] == "warning"
    assert cv.identity["quarantined"].sum() == 0 and len(cv.accepted["registry"]) == 3
    assert cv.accepted["registry"]["graduation_date"].isna().sum() == 2  # set aside; the raw value is logged


# ----------------------------------------------------------------------------- notices


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_notice_kind_speaks_three_languages_with_the_same_placeholders():
    plural = {"s", "s_match"}
    for kind, k in KINDS.items():
        assert set(k.text) == set(LANGS) and all(k.text[lang].strip() for lang in LANGS), kind
        en = _fields(k.text["en"]) - plural
        for lang in ("ky", "ru"):
            assert _fields(k.text[lang]) - plural == en, (kind, lang)
            if kind != "note":
                assert k.text[lang] != k.text["en"], (kind, lang)  # translated, not copied
        if k.suggestion:
            assert all(k.suggestion[lang].strip() for lang in LANGS), kind
    cat = catalogue()
    assert all(set(cat[f"cell_fix_{fix}"]) == set(LANGS) for fix in FIXES)
    assert render("cell_fix", "ru", {"fix": "strip", "n": 2, "first": 3}) == \
        "пробелы по краям удалены: ячеек — 2 (первая в строке 3)"


def test_notice_records_are_structured(tmp_path):
    p = tmp_path / "p2.csv"
    p.write_text("student_id;consent;hours_per_week;favourite_colour\n20210001;yes;40;red\n20210002;yes;;\n",
                 encoding="utf-8")
    res = read_input(p, "phase2", "kobo_csv")
    df = notice_records(res.warnings)
    assert list(df.columns) == list(NOTICE_COLUMNS)
    dym = df[df["kind"] == "did_you_mean"].iloc[0]
    assert (dym["column"], dym["count"], dym["level"], dym["row"]) == ("hours_per_week", 1, "warning", 1)
    assert "Did you mean 'hours'?" in dym["message_en"]
    assert "«hours»" in dym["message_ru"] and "«hours»" in dym["message_ky"]
    assert "renames: {hours_per_week: hours}" in dym["suggestion_en"]
    unk = df[df["kind"] == "unknown_column"].iloc[0]
    assert unk["column"] == "favourite_colour" and unk["count"] == 1 and unk["suggestion_en"] == ""
    assert render("cell_fix", "ru", {"fix": "dayfirst", "n": 3, "first": 2}).startswith("дата в виде день-месяц-год")


@pytest.mark.parametrize("header, expected", [
    ("hours_per_week", "hours"), ("grp_job/hours_per_week", "hours"), ("grp_job-hours_per_week", "hours"),
    ("income_kgs", "income"), ("applications", "applications_n"),
    ("job_tittle", "job_title"), ("Emp Type", "emp_type"), ("favourite_colour", None),
])
def test_did_you_mean(header, expected):
    from analysis.ingest import codebook
    from analysis.ingest.headers import suggest_question

    assert suggest_question(header, codebook("phase2")) == expected


def test_did_you_mean_by_label_with_a_typo():
    from analysis.ingest import codebook
    from analysis.ingest.headers import suggest_question
    from analysis.instruments.xlsform import load_instrument

    label = load_instrument("phase2").label("job_title", "ru")
    assert suggest_question(label[:-2] + label[-1], codebook("phase2")) == "job_title"


def test_renames_map_or_drop_columns_and_a_stale_rename_is_reported(tmp_path):
    p = tmp_path / "p2.csv"
    p.write_text("student_id;consent;hours_per_week;note\n20210001;yes;40;call back\n", encoding="utf-8")
    res = read_input(p, "phase2", "kobo_csv", renames={"Hours_per_week": "hours", "note": None, "gone": "income"})
    assert res.table.loc[0, "hours"] == "40"
    kinds = {(n.kind, n.column, n.count) for n in res.warnings}
    assert ("renamed_column", "hours_per_week", 1) in kinds and ("dropped_on_purpose", "note", 1) in kinds
    assert ("rename_unused", "gone", None) in kinds


def test_check_cohort_decides_what_stops_a_run(tmp_path):
    from analysis.ingest.cohort import check_cohort, raise_errors

    ilo = "ilo_worked;ilo_family_help;ilo_absent;ilo_sought;ilo_available;ilo_future_start"
    full = tmp_path / "a.csv"
    full.write_text(f"student_id;consent;{ilo};main_activity;studying\n20210001;yes;yes;;;;;;work;no\n",
                    encoding="utf-8")
    part = tmp_path / "b.csv"
    part.write_text(f"student_id;consent;{ilo}\n20210002;yes;yes;;;;;\n", encoding="utf-8")
    a, b = (read_input(f, "phase2", "kobo_csv", base_dir=tmp_path) for f in (full, part))
    # present in one file: a warning for the other (its rows will be quarantined), no error
    check = check_cohort([("phase2", a), ("phase2", b)])
    warn = [n for n in check.notices if n.kind == "required_missing_in_file"]
    assert {(n.file, n.column, n.count) for n in warn} == {("b.csv", "main_activity", 1), ("b.csv", "studying", 1)}
    raise_errors(check.notices)
    assert "hours" in check.not_asked["phase2"] and "main_activity" not in check.not_asked["phase2"]
    # in no file: the run stops with one line naming the file, the question and the fix
    with pytest.raises(InputError) as exc:
        raise_errors(check_cohort([("phase2", b)]).notices)
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith("b.csv, column 'main_activity': required question "
                                              "'main_activity' of 'phase2' is in no file")
    assert "(and 1 more problem of this kind" in msg and "not_asked" in msg
    # declared not asked: no error
    c = read_input(part, "phase2", "kobo_csv", base_dir=tmp_path, not_asked=["main_activity", "studying"])
    ok = check_cohort([("phase2", c)])
    assert not [n for n in ok.notices if n.level == "error"]
    assert {"main_activity", "studying"} <= set(ok.not_asked["phase2"])


def test_a_notice_prints_as_one_line_with_its_suggestion(tmp_path):
    from analysis.ingest.notices import console_line

    p = tmp_path / "p2.csv"
    p.write_text("student_id;consent;hours_per_week\n20210001;yes;40\n", encoding="utf-8")
    rec = notice_records(read_input(p, "phase2", "kobo_csv", base_dir=tmp_path).warnings)
    line = console_line(rec[rec["kind"] == "did_you_mean"].iloc[0].to_dict())
    assert line == ("WARNING p2.csv, row 1, column 'hours_per_week': column 'hours_per_week' is not a question of "
                    "'phase2'; dropped (1 answer). Did you mean 'hours'? [1] — add renames: {hours_per_week: hours} "
                    "to this input in the cohort file (or renames: {hours_per_week: ~} to drop it on purpose)")
    assert not re.search(r"\{[a-z_]+\}", line)

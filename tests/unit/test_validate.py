"""Tests of analysis.validate: the relevance translator, suites, rules, outcomes and the identity.

Hand-made instruments and canonical tables: each case row breaks one rule, and the expected rule
and outcome are written next to it (derived from docs/variables.md and the rule's definition).
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import InputError, TracerError
from analysis.validate import xpath
from analysis.validate.messages import LANGS, RULES, message
from analysis.validate.outcomes import AccountingError, assign_outcomes, check_identity, empty_issues
from analysis.validate.suites import SuiteBuildError, suite_specs

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- a tiny codebook


@dataclass
class Q:
    name: str
    type: str
    list_name: str | None = None
    required: bool = False
    relevant: str | None = None
    constraint: str | None = None
    constraint_messages: dict = field(default_factory=dict)
    pd: str | None = None


@dataclass
class Inst:
    name: str
    data_questions: list
    lists: dict

    def choice_codes(self, name: str) -> list[str]:
        q = next(q for q in self.data_questions if q.name == name)
        return list(self.lists[q.list_name])


EMPLOYED = "${ilo_worked} = 'yes' or ${ilo_family_help} = 'yes' or ${ilo_absent} = 'yes'"


def registry_inst() -> Inst:
    return Inst("registry", [
        Q("student_id", "text", required=True, constraint="regex(., '^[0-9]{8}$')", pd="direct"),
        Q("full_name", "text", required=True, pd="direct"),
        Q("sex", "select_one", "sex", required=True),
        Q("programme", "select_one", "programme", required=True),
        Q("graduation_date", "date", required=True),
        Q("gpa", "decimal", constraint=". >= 0 and . <= 4"),
        Q("phone_mobile", "text", constraint="regex(., '^\\+996[0-9]{9}$')", pd="direct"),
    ], {"sex": ["female", "male"], "programme": ["PED-PRIM-B", "ECON-FIN-B"]})


def phase2_inst() -> Inst:
    return Inst("phase2", [
        Q("student_id", "text", required=True, pd="direct"),
        Q("consent", "select_one", "yes_no", required=True),
        Q("survey_date", "date", relevant="${consent} = 'yes'"),
        Q("ilo_worked", "select_one", "yes_no", required=True, relevant="${consent} = 'yes'"),
        Q("ilo_family_help", "select_one", "yes_no", relevant="${ilo_worked} = 'no'"),
        Q("ilo_absent", "select_one", "yes_no", relevant="${ilo_worked} = 'no' and ${ilo_family_help} = 'no'"),
        Q("hours", "integer", relevant=EMPLOYED, constraint=". >= 1 and . <= 98",
          constraint_messages={"en": "Hours: 1 to 98.", "ru": "Часы: от 1 до 98.", "ky": "Саат: 1ден 98ге чейин."}),
        Q("contract", "select_one", "contract"),
        Q("first_job_date", "date"),
        Q("search_channels", "select_multiple", "channels"),
        Q("applications_n", "integer", constraint=". >= 0 and . <= 500"),
        Q("replies_n", "integer", constraint=". >= 0 and . <= 500"),
        Q("interviews_n", "integer", constraint=". >= 0 and . <= 500 and . <= ${replies_n}"),
        Q("income", "integer", relevant=EMPLOYED),
    ], {"yes_no": ["yes", "no"], "contract": ["written", "verbal", "none"],
        "channels": ["internet", "relatives", "university", "none"]})


def canonical(inst: Inst, rows: list[dict], file: str, submitted: list[str] | None = None) -> pd.DataFrame:
    names = [q.name for q in inst.data_questions]
    df = pd.DataFrame([{n: r.get(n, "") for n in names} for r in rows], columns=names).astype(str)
    df["_instrument"] = inst.name
    df["_source_file"] = file
    df["_source_row"] = range(2, 2 + len(df))
    df["_mode"] = "online"
    df["_submission_id"] = [f"uuid-{file}-{i}" for i in range(len(df))]
    df["_submitted_at"] = submitted or [""] * len(df)
    df["_review_state"] = ""
    for c in df.columns:
        if c != "_source_row":
            df[c] = df[c].astype(str)
    return df


REG = [  # spreadsheet row in the comment
    dict(student_id="20210001", full_name="A", sex="female", programme="PED-PRIM-B", graduation_date="2025-06-30",
         gpa="3.5", phone_mobile="+996555000001"),                                            # 2 clean
    dict(student_id="20210002", full_name="B", sex="male", programme="ECON-FIN-B", graduation_date="2025-06-30",
         gpa="3,2"),                                                                          # 3 clean (comma)
    dict(student_id="20210003", full_name="C", sex="male", programme="ECON-FIN-B", graduation_date="2025-06-30",
         gpa="5"),                                                                            # 4 out_of_range
    dict(student_id="20210004", full_name="D", sex="female", programme="ECON-FIN-B", graduation_date="2025-06-30",
         phone_mobile="0555 12"),                                                             # 5 contact_pattern
    dict(student_id="20210004", full_name="D", sex="female", programme="ECON-FIN-B", graduation_date="2025-06-30",
         phone_mobile="0555 12"),                                                             # 6 exact copy of 5
    *[dict(student_id=f"2021{n:04d}", full_name="X", sex="female", programme="PED-PRIM-B",
           graduation_date="2025-06-30") for n in range(5, 25)],                              # 7..26 clean
    dict(student_id="2021", full_name="E", sex="male", programme="PED-PRIM-B", graduation_date="2025-06-30",
         gpa="3.x"),                                                                          # 27 pattern, type
]

WORK = dict(consent="yes", survey_date="2026-03-20", ilo_worked="yes", hours="40", contract="written", income="25000")
IDLE = dict(consent="yes", survey_date="2026-03-20", ilo_worked="no", ilo_family_help="no", ilo_absent="no")

# (row fields, expected rule on the row or None, expected outcome)
P2_CASES = [
    (dict(student_id="20210001", **WORK), None, "accepted"),                                           # 2
    (dict(student_id="20210002", **IDLE, search_channels="internet relatives"), None, "accepted"),    # 3
    (dict(student_id="20210005", **{**WORK, "hours": "abc"}), "type_integer", "quarantined"),       # 4
    # an impossible date is a warning: the cell is set aside, the row is kept (docs/ingestion.md, "Dates")
    (dict(student_id="20210006", **{**WORK, "survey_date": "2026-02-30"}), "type_date", "warning"),  # 5
    (dict(student_id="20210007", **{**WORK, "contract": "oral"}), "unknown_code", "quarantined"),    # 6
    (dict(student_id="20210008", **WORK, search_channels="internet tv"), "unknown_code", "quarantined"),  # 7
    (dict(student_id="20210009", **{**WORK, "hours": "120"}), "out_of_range", "quarantined"),       # 8
    (dict(student_id="20210010", consent=""), "required", "quarantined"),                            # 9
    (dict(student_id="20210011", **IDLE, income="5000"), "not_relevant", "warning"),                 # 10
    (dict(student_id="20210012", **WORK, applications_n="3", replies_n="5", interviews_n="1"),
     "replies_gt_applications", "quarantined"),                                                      # 11
    (dict(student_id="20210013", **WORK, applications_n="9", replies_n="2", interviews_n="4"),
     "constraint", "quarantined"),  # 12: the form's own constraint wins over interviews_gt_replies
    (dict(student_id="29999999", **WORK), "not_in_registry", "quarantined"),                         # 13
    (dict(student_id="20210014", **{**WORK, "survey_date": "2025-05-01"}), "survey_before_graduation",
     "quarantined"),                                                                                 # 14
    (dict(student_id="20210015", **WORK, first_job_date="2019-01-01"), "first_job_too_early", "quarantined"),  # 15
    (dict(student_id="20210016", **WORK, first_job_date="2026-04-01"), "first_job_after_survey", "quarantined"),  # 16
    (dict(student_id="20210017", **{**WORK, "income": "1500"}), "income_below_min_wage", "warning"),  # 17
    (dict(student_id="20210018", **WORK, search_channels="internet internet"), "select_multiple_repeated",
     "warning"),                                                                                     # 18
    (dict(student_id="20210019", **WORK, search_channels="none internet"), "select_multiple_exclusive",
     "quarantined"),                                                                                 # 19
    (dict(student_id="20210020", **{**WORK, "hours": "", "contract": ""}), "job_block_missing", "warning"),  # 20
    (dict(student_id="20210021", **IDLE, contract="verbal"), "job_block_not_employed", "warning"),   # 21
    (dict(student_id="20210022", **{**WORK, "income": "3000000"}), "out_of_range", "quarantined"),   # 22
    (dict(student_id="20210023", **WORK), "duplicate_submission", "merged_duplicate"),               # 23 (older)
    (dict(student_id="20210023", **{**WORK, "hours": "38"}), None, "accepted"),                      # 24 (newer)
    (dict(student_id="20210004", consent="no", ilo_worked="yes", hours="40", income="9000"), "not_relevant",
     "warning"),                                                                                       # 25
    (dict(student_id="20210024", **IDLE), None, "accepted"),                                         # 26
    (dict(student_id="20210024", **IDLE), "exact_duplicate", "merged_duplicate"),                    # 27
]
SUBMITTED = [""] * len(P2_CASES)
SUBMITTED[21] = "2026-03-20T09:00:00"
SUBMITTED[22] = "2026-03-21T09:00:00Z"


@pytest.fixture(scope="module")
def cohort():
    from analysis.validate import validate_cohort

    reg, p2 = registry_inst(), phase2_inst()
    canon = {"registry": canonical(reg, REG, "registry.xlsx"),
             "phase2": canonical(p2, [c[0] for c in P2_CASES], "phase2.csv", SUBMITTED)}
    params = {"full_time_hours": 40, "min_wage_kgs": 2337, "previous": {"phase2_response": 0.99}}
    return validate_cohort(canon, [reg, p2], params=params, lang="en"), canon


# --------------------------------------------------------------------------- translator


@pytest.mark.parametrize("expr, expected", [
    ("${a} = 'yes'", "`a` == 'yes'"),
    ("${a} != 'yes'", "`a` != 'yes'"),
    ("${a} = 'x' and ${b} = 'y'", "(`a` == 'x') & (`b` == 'y')"),
    ("${a} = 'x' or ${b} = 'y' or ${c} = 'z'", "(`a` == 'x') | (`b` == 'y') | (`c` == 'z')"),
    ("not(${a} = 'x')", "~(`a` == 'x')"),
    ("selected(${m}, 'b')", "`m`.str.contains('(?:^| )b(?: |$)', regex=True, na=False)"),
    ("${n} > 0", "`n__num` > 0"),
    ("${n} <= 2.5", "`n__num` <= 2.5"),
    ("${n} = 3", "`n__num` == 3"),
    ("${a} = ''", "`a`.isna()"),
    ("${a} != ''", "`a`.notna()"),
    ("(${a} = 'x' or ${b} = 'y') and ${c} = ''", "((`a` == 'x') | (`b` == 'y')) & (`c`.isna())"),
    ("count-selected(${m}) >= 2", "`m__nsel` >= 2"),
])
def test_translator_output(expr, expected):
    assert xpath.to_query(expr) == expected


def test_translator_semantics_on_a_frame():
    # XLSForm/ODK semantics: an empty answer is not equal to 'v' (so != is true), numbers compare as numbers
    df = pd.DataFrame({"a": ["yes", "no", None], "n": ["3", "10", None], "m": ["x b", "bb", None]})
    xpath.add_helper_columns(df, xpath.helper_columns([xpath.to_query("${n} > 5")]))
    assert df.query(xpath.to_query("${a} = 'yes'")).index.tolist() == [0]
    assert df.query(xpath.to_query("${a} != 'yes'")).index.tolist() == [1, 2]
    assert df.query(xpath.to_query("${n} > 5")).index.tolist() == [1]          # "10" > 5 numerically
    assert df.query(xpath.to_query("not(${n} > 5)")).index.tolist() == [0, 2]
    assert df.query(xpath.to_query("selected(${m}, 'b')")).index.tolist() == [0]  # 'bb' is not 'b'


def test_translator_constraints_with_self_dates_and_coalesce():
    q = xpath.to_query(". >= date('1940-01-01') and . <= today()", self_name="dob", types={"dob": "date"})
    assert q == "(`dob__date` >= '1940-01-01') & (`dob__date` <= `__today`)"
    q = xpath.to_query(". + coalesce(${w}, 0) <= ${n}", self_name="m")
    assert q == "(`m__num` + (`w__num`).fillna(0)) <= `n__num`"
    df = pd.DataFrame({"m": ["3", "3", "3"], "w": ["1", None, "5"], "n": ["4", "4", "4"]})
    xpath.add_helper_columns(df, xpath.helper_columns([q]))
    assert df.query(q).index.tolist() == [0, 1]  # 3+1 <= 4, 3+0 <= 4, 3+5 > 4


@pytest.mark.parametrize("expr", [
    "position(..) > 1", "jr:choice-name(${a}, '${a}')", "${a} = 'x' and", "if(${a} = 'x', 1, 0) = 1",
    "${a} = 'x' ) ", "",
])
def test_translator_rejects_unsupported(expr):
    with pytest.raises(xpath.XPathTranslationError):
        xpath.to_query(expr)


def test_translator_rejects_unknown_question_and_dot_outside_constraint():
    with pytest.raises(xpath.XPathTranslationError, match="not a question"):
        xpath.to_query("${nope} = 'x'", known=["a"])
    with pytest.raises(xpath.XPathTranslationError, match="only allowed in a constraint"):
        xpath.to_query(". > 1")


def test_split_bounds_keeps_cross_field_terms():
    bounds, rest = xpath.split_bounds(". >= 0 and . <= 500 and . <= ${applications_n}")
    assert bounds == (0, 500, False, False)
    assert xpath.to_query(rest, self_name="replies_n") == "`replies_n__num` <= `applications_n__num`"
    assert xpath.split_bounds("1 < . and . < 10") == ((1, 10, True, True), None)  # strict, either side
    bounds, rest = xpath.split_bounds(". <= ${x}")
    assert bounds is None and xpath.to_query(rest, self_name="y") == "`y__num` <= `x__num`"
    assert xpath.simple_regex("regex(., '^[0-9]{8}$')") == "^[0-9]{8}$"


# --------------------------------------------------------------------------- suites


def test_suite_specs_from_codebook():
    specs = suite_specs(phase2_inst())
    by = {s["meta"]["check"]: s for s in specs}
    assert by["hours:type_integer"]["kwargs"]["regex"] == "^[+-]?[0-9]+$"
    assert by["hours:out_of_range"]["kwargs"] == {"column": "hours__num", "min_value": 1, "max_value": 98}
    assert by["hours:out_of_range"]["meta"]["message"]["en"] == "Hours: 1 to 98."
    assert by["consent:unknown_code"]["kwargs"]["value_set"] == ["yes", "no"]
    assert by["consent:required"]["kwargs"] == {"column": "consent"}
    # conditionally required: only where relevant
    assert by["ilo_worked:required"]["kwargs"]["row_condition"] == "`consent` == 'yes'"
    # a value where the question does not apply: a warning
    assert by["survey_date:not_relevant"]["kwargs"]["row_condition"] == "~(`consent` == 'yes')"
    assert by["survey_date:not_relevant"]["severity"] == "warning"
    assert by["survey_date:type_date"]["type"] == "expect_column_values_to_match_strftime_format"
    # select_multiple: every token must be a code
    rx = by["search_channels:unknown_code"]["kwargs"]["regex"]
    import re
    assert re.match(rx, "internet relatives") and not re.match(rx, "internet tv")
    # income has no constraint in this form: the contract's range applies (docs/variables.md)
    assert by["income:out_of_range"]["kwargs"]["max_value"] == 1_000_000
    assert by["student_id:duplicate_id"]["type"] == "expect_column_values_to_be_unique"
    assert len({s["id"] for s in specs}) == len(specs)
    assert suite_specs(phase2_inst()) == specs  # deterministic


def test_suite_build_error_names_question():
    inst = phase2_inst()
    inst.data_questions[2].relevant = "position(..) = 1"
    with pytest.raises(SuiteBuildError) as exc:
        suite_specs(inst)
    assert "survey_date" in str(exc.value) and "\n" not in str(exc.value)
    assert isinstance(exc.value, TracerError)


def test_suites_regenerate_byte_identically_and_match_committed(tmp_path):
    from analysis.instruments.xlsform import INSTRUMENTS, load_instrument
    from analysis.validate.suites import check_suites, write_suites

    mini = [registry_inst(), phase2_inst()]
    a, b = tmp_path / "a", tmp_path / "b"
    fa, fb = write_suites(mini, a), write_suites(mini, b)
    assert [f.read_bytes() for f in fa] == [f.read_bytes() for f in fb]
    write_suites(mini, a)  # regenerate in place: unchanged
    assert [f.read_bytes() for f in fa] == [f.read_bytes() for f in fb]
    stored = json.loads((a / "gx/expectations/phase2.json").read_text(encoding="utf-8"))
    assert [e["id"] for e in stored["expectations"]] == [s["id"] for s in suite_specs(phase2_inst())]
    # the committed suites match the questionnaires (what `tracer expectations --check` does)
    real = [load_instrument(n) for n in INSTRUMENTS]
    assert check_suites(real, ROOT / "expectations") == []
    # a drifted suite is detected
    p = a / "gx/expectations/phase2.json"
    p.write_text(p.read_text(encoding="utf-8").replace('"max_value": 98', '"max_value": 99'), encoding="utf-8")
    problems = check_suites(mini, a)
    assert len(problems) == 1 and "phase2.json" in problems[0] and "tracer expectations" in problems[0]


def test_stored_suite_loads_in_a_file_context(tmp_path):
    import great_expectations as gx

    from analysis.validate.suites import write_suites

    write_suites([phase2_inst()], tmp_path)
    ctx = gx.get_context(mode="file", project_root_dir=str(tmp_path))
    assert ctx.variables.analytics_enabled is False
    with warnings.catch_warnings():  # string row_conditions are deprecated in GX 1.9+ (see suites.py)
        warnings.simplefilter("ignore", DeprecationWarning)
        suite = ctx.suites.get("phase2")
    specs = suite_specs(phase2_inst())
    assert [e.meta["check"] for e in suite.expectations] == [s["meta"]["check"] for s in specs]


# --------------------------------------------------------------------------- rules and outcomes


def _outcome(cv, file, row):
    o = cv.outcomes
    return o[(o["file"] == file) & (o["row"] == row)].iloc[0]


def test_every_rule_fires_on_its_case(cohort):
    cv, _ = cohort
    q = cv.quarantine
    for i, (_, rule, outcome) in enumerate(P2_CASES):
        row = i + 2
        rules = set(q.loc[(q["file"] == "phase2.csv") & (q["row"] == row), "rule"])
        got = _outcome(cv, "phase2.csv", row)
        assert got["outcome"] == outcome, (row, rules)
        if rule is None:
            assert rules == set(), (row, rules)
        else:
            assert rule in rules, (row, rule, rules)


def test_registry_rules(cohort):
    cv, _ = cohort
    assert _outcome(cv, "registry.xlsx", 2)["outcome"] == "accepted"
    assert _outcome(cv, "registry.xlsx", 3)["outcome"] == "accepted"     # decimal comma accepted
    assert _outcome(cv, "registry.xlsx", 4)["rules"] == "out_of_range"
    # row 6 is an exact copy of row 5: counted once — the first row is kept
    merged = _outcome(cv, "registry.xlsx", 6)
    assert (merged["outcome"], merged["kept_file"], merged["kept_row"]) == ("merged_duplicate", "registry.xlsx", 5)
    kept = _outcome(cv, "registry.xlsx", 5)
    assert (kept["outcome"], kept["rules"]) == ("warning", "contact_pattern")  # a warning, not quarantine
    bad = _outcome(cv, "registry.xlsx", 27)
    assert (bad["outcome"], set(bad["rules"].split(";"))) == ("quarantined", {"pattern", "type_decimal"})


def test_duplicate_rule_keeps_latest_submission(cohort):
    cv, _ = cohort
    older = _outcome(cv, "phase2.csv", 23)
    assert older["outcome"] == "merged_duplicate" and older["kept_row"] == 24
    q = cv.quarantine
    msg = q.loc[(q["row"] == 23) & (q["file"] == "phase2.csv"), "message"].iloc[0]
    assert "phase2.csv, row 24" in msg and "most recently submitted" in msg


def test_quarantine_table_carries_file_row_id_column_value_message(cohort):
    cv, _ = cohort
    q = cv.quarantine
    hit = q[(q["file"] == "phase2.csv") & (q["row"] == 8)].iloc[0]  # hours 120 (form constraint message)
    assert (hit["respondent_id"], hit["column"], hit["rule"], hit["value"]) == ("20210009", "hours",
                                                                               "out_of_range", "120")
    assert hit["message"] == "Hours: 1 to 98."
    assert hit["severity"] == "error" and hit["outcome"] == "quarantined"
    # one issue per cell: the hand-written hours rule does not repeat the form's constraint
    assert len(q[(q["file"] == "phase2.csv") & (q["row"] == 8) & (q["column"] == "hours")]) == 1


def test_accounting_identity(cohort):
    cv, canon = cohort
    ident = cv.identity.set_index("file")
    assert ident.loc["phase2.csv", "raw_rows"] == len(P2_CASES)
    for _file, row in ident.iterrows():
        assert row["raw_rows"] == row[["accepted", "warning", "quarantined", "merged_duplicate"]].sum()
    expected = pd.Series([c[2] for c in P2_CASES]).value_counts()
    assert ident.loc["phase2.csv", "quarantined"] == expected["quarantined"]
    assert cv.summary["totals"]["raw_rows"] == len(REG) + len(P2_CASES)
    # tampering with the outcomes breaks the identity, loudly
    from analysis.validate.run import prepare_frame

    frame = prepare_frame(canon["phase2"], phase2_inst())
    outs = assign_outcomes(frame, empty_issues(), "student_id")
    check_identity(frame, outs)
    with pytest.raises(AccountingError, match="phase2.csv"):
        check_identity(frame, outs.iloc[1:])


def test_typed_accepted_table(cohort):
    cv, _ = cohort
    t = cv.accepted["phase2"]
    assert str(t["hours"].dtype) == "Int64" and str(t["income"].dtype) == "Int64"
    assert str(t["survey_date"].dtype).startswith("datetime64")
    assert t["search_channels"].dtype == "str"
    # the not-relevant income of row 10 is set aside in the typed table (raw value in the quarantine table)
    r10 = t[t["_source_row"] == 10].iloc[0]
    assert pd.isna(r10["income"]) and r10["_outcome"] == "warning"
    assert set(t["_outcome"]) <= {"accepted", "warning"}
    assert len(t) == sum(c[2] in ("accepted", "warning") for c in P2_CASES)
    assert cv.accepted["registry"]["gpa"].dtype == "float64"
    assert 3.2 in cv.accepted["registry"]["gpa"].tolist()


def test_relevance_cascades_as_in_odk(cohort):
    # consent = no: ilo_worked does not apply, so hours and income (asked of the employed) do not
    # apply either, although ilo_worked says yes — all three are set aside, with a warning each
    cv, _ = cohort
    q = cv.quarantine
    row = q[(q["file"] == "phase2.csv") & (q["row"] == 25)]
    assert set(row["column"]) == {"ilo_worked", "hours", "income"} and set(row["rule"]) == {"not_relevant"}
    t = cv.accepted["phase2"]
    r = t[t["_source_row"] == 25].iloc[0]
    assert r["consent"] == "no" and pd.isna(r["ilo_worked"]) and pd.isna(r["hours"]) and pd.isna(r["income"])


def test_cross_field_rules_on_their_own():
    # an instrument without constraints: the hand-written ranges and the programme rule apply
    from analysis.validate.crossfile import field_issues
    from analysis.validate.run import prepare_frame

    inst = Inst("registry", [Q("student_id", "text"), Q("programme", "select_one", "p"),
                             Q("faculty", "select_one", "f"), Q("level", "select_one", "l")], {})
    rows = [dict(student_id="1", programme="PED-PRIM-B", faculty="PED", level="bachelor"),
            dict(student_id="2", programme="PED-PRIM-B", faculty="MED", level="bachelor"),
            dict(student_id="3", programme="NOT-A-CODE", faculty="MED", level="master")]
    got = field_issues(prepare_frame(canonical(inst, rows, "r.csv"), inst), inst, lang="ru")
    assert got["row"].tolist() == [3] and got["rule"].tolist() == ["programme_mismatch"]
    assert got["value"].iloc[0] == "MED / bachelor" and "PED / bachelor" in got["message"].iloc[0]

    inst = Inst("phase2", [Q("student_id", "text"), Q("hours", "integer"), Q("income", "integer")], {})
    rows = [dict(student_id="1", hours="40", income="30000"), dict(student_id="2", hours="0", income="-1"),
            dict(student_id="3", hours="99", income="1000001"), dict(student_id="4", hours="45", income="2000")]
    got = field_issues(prepare_frame(canonical(inst, rows, "p.csv"), inst),
                       inst, {"min_wage_kgs": 2337, "full_time_hours": 40}, lang="en")
    pairs = sorted(zip(got["row"], got["rule"]))
    assert pairs == [(3, "hours_range"), (3, "income_implausible"), (4, "hours_range"), (4, "income_implausible"),
                     (5, "income_below_min_wage")]

    inst = Inst("phase2", [Q("student_id", "text"), Q("replies_n", "integer"), Q("interviews_n", "integer"),
                           Q("channels", "select_multiple", "ch")], {"ch": ["a", "b"]})
    rows = [dict(student_id="1", replies_n="2", interviews_n="3", channels="a b")]
    frame = prepare_frame(canonical(inst, rows, "p.csv"), inst)
    frame["channels/a"], frame["channels/b"] = "1", "0"  # per-option columns of a Kobo export
    got = field_issues(frame, inst, lang="ky")
    assert sorted(got["rule"]) == ["interviews_gt_replies", "select_multiple_split"]


DIRECT_RULES = {"programme_mismatch", "hours_range", "income_implausible", "income_below_min_wage",
                "interviews_gt_replies", "select_multiple_split"}


def test_every_rule_is_exercised_somewhere(cohort):
    # every rule of the catalogue fires in this file's cohort, in a direct test, or in the bad-input corpus
    import yaml

    cases = yaml.safe_load((ROOT / "tests/bad_inputs/cases.yaml").read_text(encoding="utf-8"))
    corpus = {r for c in cases for r in c["expected"].get("rules", [])}
    seen = set(cohort[0].quarantine["rule"]) | DIRECT_RULES | corpus
    assert set(RULES) - {"duplicate_id"} <= seen, set(RULES) - seen


def test_clean_data_has_no_issues():
    from analysis.validate import validate_cohort

    reg, p2 = registry_inst(), phase2_inst()
    canon = {"registry": canonical(reg, REG[:2], "r.csv"),
             "phase2": canonical(p2, [P2_CASES[0][0], P2_CASES[1][0]], "p.csv")}
    cv = validate_cohort(canon, [reg, p2], lang="ky")
    assert cv.quarantine.empty
    assert set(cv.outcomes["outcome"]) == {"accepted"}


def test_registry_with_conflicting_ids_stops_the_cohort():
    from analysis.validate import validate_cohort

    reg = registry_inst()
    rows = [REG[0], {**REG[0], "full_name": "Other"}]
    with pytest.raises(InputError) as exc:
        validate_cohort({"registry": canonical(reg, rows, "registry.xlsx")}, [reg])
    text = str(exc.value)
    assert "\n" not in text and text.startswith("registry.xlsx, row 3")
    assert "20210001" in text and "rows 2, 3" in text


def test_messages_are_trilingual_with_the_same_placeholders():
    import string

    for key, rule in RULES.items():
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(rule.text[lang]) if f} for lang in LANGS}
        assert all(rule.text[lang].strip() for lang in LANGS), key
        assert fields["ky"] == fields["ru"] == fields["en"], key
    assert message("out_of_range", "ky", min=1, max=98) == "Жооп 1 – 98 аралыгында болушу керек."
    assert message("out_of_range", "ru", override={"ru": "Своё"}) == "Своё"


def test_quality_rates_and_flags(cohort):
    from analysis.validate.quality import HIDDEN, quality_data

    cv, _ = cohort
    qd = quality_data(cv, [registry_inst(), phase2_inst()], params={"previous": {"phase2_response": 0.99}})
    # graduates: distinct student ids in the registry; respondents: accepted/warning phase-2 rows
    # with consent yes and ilo_worked answered, one per graduate (a refusal is not a response)
    grads = len({r["student_id"] for r in REG})
    resp = len({c[0]["student_id"] for c in P2_CASES
                if c[2] in ("accepted", "warning") and c[0].get("consent") == "yes"})
    tot = qd.response[(qd.response["programme"] == "all") & (qd.response["sex"] == "all")
                      & (qd.response["mode"] == "all")].iloc[0]
    assert (tot["graduates"], tot["respondents"]) == (grads, resp)
    assert tot["rate"] == pytest.approx(resp / grads)
    k = qd.knowledge.set_index("programme").loc["all"]
    assert (k["graduates"], k["known"]) == (grads, resp)
    f = qd.flags[(qd.flags["domain"] == "all")].set_index(["indicator", "reference"])
    missed = f.loc[("phase2_response", "HESA Graduate Outcomes response-rate target"), "missed"]
    assert bool(missed) == (resp / grads < 0.6)
    assert bool(f.loc[("phase2_response", "previous cohort"), "missed"]) is True
    # examples: one per rule, student ids hidden, submission id shown
    assert qd.examples["rule"].is_unique
    assert (qd.examples.loc[qd.examples["column"] == "student_id", "value"] == HIDDEN).all()
    assert qd.examples["submission_id"].str.startswith("uuid-").all()


def test_import_analysis_validate_does_not_import_great_expectations():
    code = ("import sys, analysis, analysis.validate, analysis.validate.quality; "
            "print('great_expectations' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_tracer_expectations_command_is_registered():
    from analysis.cli import build_parser

    args = build_parser().parse_args(["expectations", "--check"])
    assert args.check is True and callable(args.func)
    assert build_parser().parse_args(["expectations"]).check is False


def _validated_both_ways(monkeypatch, name: str, value) -> tuple:
    """The test cohort validated as it is, then with ``analysis.validate.run.<name>`` set to ``value``."""
    import analysis.validate.run as run
    from analysis.validate import validate_cohort

    reg, p2 = registry_inst(), phase2_inst()
    canon = {"registry": canonical(reg, REG, "registry.xlsx"),
             "phase2": canonical(p2, [c[0] for c in P2_CASES], "phase2.csv", SUBMITTED)}
    params = {"full_time_hours": 40, "min_wage_kgs": 2337, "previous": {"phase2_response": 0.99}}
    before = validate_cohort(canon, [reg, p2], params=params, lang="en")
    monkeypatch.setattr(run, name, value)
    after = validate_cohort(canon, [reg, p2], params=params, lang="en")
    pd.testing.assert_frame_equal(before.quarantine, after.quarantine)
    pd.testing.assert_frame_equal(before.outcomes, after.outcomes)
    assert before.summary == after.summary
    return p2, canon


def test_a_parts_condition_applied_once_gives_what_gx_gives_applying_it_itself(monkeypatch):
    # the validator filters a part's rows by its row_condition once (analysis.validate.run._apply_condition);
    # with that turned off GX applies the same condition to every metric itself: the outcome must not change
    import analysis.validate.run as run

    p2, _ = _validated_both_ways(monkeypatch, "_apply_condition", lambda part, group: (part, group))
    assert [s for s in run.suite_specs(p2) if s["kwargs"].get("row_condition")]  # the instrument has skip rules


def test_a_condition_no_row_meets_stays_with_gx():
    from analysis.validate.run import _apply_condition

    part = pd.DataFrame({"_row_key": [1, 2, 3], "a": ["x", "y", "x"], "b": [None, "5", "6"]})
    spec = {"type": "expect_column_values_to_not_be_null", "meta": {"check": "b:required"},
            "kwargs": {"column": "b", "row_condition": "`a` == 'x'", "condition_parser": "pandas", "mostly": 1.0}}
    kept, group = _apply_condition(part, [spec])
    assert kept["_row_key"].tolist() == [1, 3]
    assert group[0]["kwargs"] == {"column": "b", "mostly": 1.0} and spec["kwargs"]["row_condition"]  # not mutated
    none = {**spec, "kwargs": {**spec["kwargs"], "row_condition": "`a` == 'z'"}}
    kept, group = _apply_condition(part, [none])
    assert kept is part and group == [none]
    assert _apply_condition(part, [{**spec, "kwargs": {"column": "b"}}])[0] is part


def test_large_parts_run_one_column_per_batch_with_the_same_outcome(monkeypatch):
    # above SPLIT_CELLS a part runs one batch per column (less copying inside GX): the outcome must not change
    import analysis.validate.run as run

    p2, canon = _validated_both_ways(monkeypatch, "SPLIT_CELLS", 0)
    specs = run.suite_specs(p2)
    parts = run._parts(specs, run.prepare_frame(canon["phase2"], p2))
    assert len(parts) == len({(s["kwargs"].get("row_condition"), s["kwargs"]["column"]) for s in specs})

"""Redaction of free text at the privacy boundary: which columns, which phone formats, and that
pseudonyms never change.

Expected pseudonyms are computed independently with the standard library's ``hmac``; the phone
corpus lists the formats respondents type (docs/privacy.md §1) and numbers that only look alike.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.instruments.xlsform import load_instrument
from analysis.pipeline.stages import DEMO_KEY
from analysis.privacy.boundary import protect_table, pseudonymise_record_ids
from analysis.privacy.minimisation import age_in_completed_years, minimise_birth_date
from analysis.privacy.redaction import PERSONAL_PATTERNS, drop_personal, redact_text
from analysis.privacy.values import DIRECT_IDENTIFIERS, free_text_questions

CORPUS = Path(__file__).resolve().parents[1] / "bad_inputs" / "files"


def expected_pid(key: bytes, text: str) -> str:
    return "G-" + hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


# --------------------------------------------------------------------------- phone formats
MUST_REDACT = [
    # international and national prefixes, any grouping
    "+996 555 12-34-56", "+996555123456", "+996 (555) 12 34 56", "+996-555-123-456", "+996 555 123 456",
    "996 700 98 76 54", "996700987654", "00996 555 123 456", "0555123456", "0555 12 34 56",
    "0 555 12 34 56", "0(555)12-34-56", "(0555) 12-34-56", "0555-12-34-56", "0555.12.34.56",
    "0\u00a0700\u00a012\u00a034\u00a056",
    # 9-digit local mobiles without a prefix (libphonenumber KG mobile ranges)
    "555 81 23 47", "555-81-23-47", "555.81.23.47", "(555) 81-23-47", "555812347", "700 123 456",
    "770-12-34-56", "777 123 456", "999 12 34 56", "990 123456", "220 12 34 56", "205 123 456",
    "504 11 22 33", "755 12 34 56", "880 12 34 56",
    # Jalal-Abad fixed lines (area code 3722)
    "0 3722 5-12-34", "0 (3722) 5-12-34", "(03722) 51234", "03722 2-11-22", "+996 3722 51234", "3722 5 12 34",
    # another country, with "+"
    "+7 912 345 67 89",
]

MUST_KEEP = [
    "2025", "25 000 сом", "12.05.2025", "87,0 %", "ISCO 2341", "2341", "20250001", "1 250 000",
    "2024-2025", "30.06.2025-15.03.2026", "GPA 3.45", "0.75", "15 000 - 20 000 сом", "10:30-18:00",
    "2025-06-30", "№ 123456", "+5 %", "150 000 000 сом", "1 200 000 000", "0.555123456", "20250001.0",
    "3722", "2.5 жыл", "45838", "G-0134593045a035d1", "5-12-34",
]


def test_the_corpus_is_big_enough():
    assert len(MUST_REDACT) >= 30 and len(MUST_KEEP) >= 15


@pytest.mark.parametrize("phone", MUST_REDACT)
@pytest.mark.parametrize("context", ["{}", "тел: {}.", "звоните {}, спасибо", "Мугалим ({})", "{}\nрахмат"])
def test_phone_formats_are_redacted_in_any_context(phone, context):
    text = context.format(phone)
    out = redact_text(pd.Series([text])).iloc[0]
    assert out.count("[phone]") == 1 and not any(ch.isdigit() for ch in out), out
    assert out.replace("[phone]", "").replace("(", "").replace(")", "") == context.format("").replace(
        "(", "").replace(")", ""), out


@pytest.mark.parametrize("text", MUST_KEEP)
def test_look_alikes_are_not_redacted(text):
    for context in ("{}", "Айлык {} болду", "{}."):
        s = context.format(text)
        assert redact_text(pd.Series([s])).iloc[0] == s
        assert not PERSONAL_PATTERNS["phone"].search(s)


def test_only_free_text_questions_of_the_instrument_are_redacted():
    phase2, employer = load_instrument("phase2"), load_instrument("employer")
    assert free_text_questions(phase2) == ("job_title", "strengths", "weaknesses", "suggestions")
    assert free_text_questions(employer) == (
        "sector_text", "need_3y_specialty", "need_3y_profession", "curriculum_suggestions")
    # identifiers, codes with a format, and personal columns are never free text
    assert free_text_questions(load_instrument("registry")) == ()
    assert free_text_questions(load_instrument("phase1")) == ()
    for name in ("student_id", "isco_code", "employer_id"):
        assert name not in free_text_questions(phase2) + free_text_questions(employer)


def test_ids_and_codes_in_their_own_columns_are_never_redacted():
    df = pd.DataFrame({"student_id": ["555812347"], "employer_id": ["0555123456"], "isco_code": ["2341"],
                       "_submission_id": ["0 555 12 34 56"], "strengths": ["555812347"],
                       "sector_text": ["+996 555 12 34 56"]})
    free = free_text_questions(load_instrument("phase2")) + free_text_questions(load_instrument("employer"))
    out = drop_personal(df, personal_columns=(), free_text=free)
    assert out.iloc[0].tolist() == ["555812347", "0555123456", "2341", "0 555 12 34 56", "[phone]", "[phone]"]
    assert out.attrs["redacted"] == {"strengths": 1, "sector_text": 1}


def test_drop_personal_refuses_to_redact_an_identifier_column():
    df = pd.DataFrame({"pid": ["G-0134593045a035d1"], "employer_id": ["JA-E001"]})
    with pytest.raises(ValueError, match="pid"):
        drop_personal(df, free_text=["pid"])
    with pytest.raises(ValueError, match="employer_id"):
        drop_personal(df, free_text=["employer_id"])


# --------------------------------------------------------------------------- pseudonyms
# The three demo graduates whose pseudonyms the old redaction turned into "G-[phone]…"
DEMO_CORRUPTED = {"19896686": "G-0134593045a035d1", "21951167": "G-0515929899dabe22",
                  "19232110": "G-0958748238ed38d4"}


def _phase2_frame(ids: pd.Series, **text: object) -> pd.DataFrame:
    df = pd.DataFrame({"student_id": ids.astype("string")})
    for col in free_text_questions(load_instrument("phase2")):
        df[col] = text.get(col, pd.NA)
    df["isco_code"] = text.get("isco_code", "2341")
    df["_instrument"], df["_submission_id"] = "phase2", ids.astype("string").radd("phase2.csv:")
    return df


def test_the_three_demo_pseudonyms_pass_the_boundary_unchanged():
    ids = pd.Series(list(DEMO_CORRUPTED))
    assert [expected_pid(DEMO_KEY, i) for i in ids] == list(DEMO_CORRUPTED.values())
    df = _phase2_frame(ids, strengths=["тел. 555 81 23 47", "жакшы", None],
                       suggestions=list(DEMO_CORRUPTED.values()))  # a pid pasted into an answer stays too
    out = protect_table(df, DEMO_KEY, set(DIRECT_IDENTIFIERS), load_instrument("phase2"))
    assert out["pid"].tolist() == list(DEMO_CORRUPTED.values())
    assert out["suggestions"].tolist() == list(DEMO_CORRUPTED.values())
    assert out["strengths"].tolist()[:2] == ["тел. [phone]", "жакшы"]
    assert out["_submission_id"].tolist() == [f"phase2.csv:{i}" for i in ids]
    assert "student_id" not in out.columns
    assert out.attrs["redacted"] == {"strengths": 1}


def test_a_million_pseudonyms_pass_the_redaction_path_unchanged():
    ids = pd.Series(np.arange(20_000_000, 21_000_000).astype(str))
    start = time.perf_counter()
    out = protect_table(_phase2_frame(ids), DEMO_KEY, set(DIRECT_IDENTIFIERS), load_instrument("phase2"))
    pids = out["pid"]
    assert pids.str.fullmatch(r"G-[0-9a-f]{16}").all() and pids.nunique() == len(ids)
    for i in (0, 123_456, 999_999):  # independent HMAC on a sample
        assert pids.iloc[i] == expected_pid(DEMO_KEY, ids.iloc[i])
    # the patterns themselves never match a pseudonym: even as free text it would stay whole
    # (the old pattern changed 326 of these million)
    assert redact_text(pids).equals(pids.astype("string"))
    assert time.perf_counter() - start < 30


def test_corpus_file_with_phones_in_open_answers_is_redacted_at_the_boundary():
    from analysis.ingest import read_input

    table = read_input(CORPUS / "phase2_phones_in_open_answers.csv", "phase2", "kobo_csv",
                       base_dir=CORPUS).table
    out = protect_table(table, DEMO_KEY, set(DIRECT_IDENTIFIERS), load_instrument("phase2"))
    by_pid = out.set_index("pid")
    pid = {sid: expected_pid(DEMO_KEY, sid) for sid in ("24000001", "24000002", "24000003", "24000004")}
    assert by_pid.loc[pid["24000001"], "job_title"] == "Мугалим, тел. [phone]"
    assert by_pid.loc[pid["24000001"], "strengths"] == "Практика көп болду, 2025-жылы"
    assert by_pid.loc[pid["24000002"], "suggestions"] == "Чалыңыз: [phone] же [phone]"
    assert by_pid.loc[pid["24000003"], "weaknesses"] == "Аз практика; звоните [phone], пишите [email]"
    assert by_pid.loc[pid["24000004"], "strengths"] == "Айлык 25 000 сом, 12.05.2025 баштадым"
    assert by_pid.loc[pid["24000004"], "suggestions"] == "[handle] жазгыла"
    assert out["isco_code"].tolist() == ["2341", "2341", "", "2341"]  # canonical tables: "" for empty
    assert out.attrs["redacted"] == {"job_title": 1, "weaknesses": 1, "suggestions": 2}


# --------------------------------------------------------------------------- minimisation
def test_age_in_completed_years_counts_birthdays_exactly():
    birth = pd.Series(pd.to_datetime(["2000-03-01", "2003-06-27", "2003-06-28", "2004-02-29", "2004-02-29", None]))
    at = pd.Series(pd.to_datetime(["2025-03-01", "2025-06-27", "2025-06-27", "2025-02-28", "2025-03-01",
                                   "2025-06-27"]))
    # 2000-03-01 → 2025-03-01 is 25 (floor(days/365.25) gave 24); 29 February ages on 1 March
    assert age_in_completed_years(birth, at).tolist() == [25, 22, 21, 20, 21, pd.NA]


def test_the_processed_registry_keeps_the_age_not_the_date_of_birth():
    reg = pd.DataFrame({
        "student_id": ["24000001", "24000002"], "full_name": ["Айгүл Төрөбекова", "Нурлан Өмүрзаков"],
        "sex": ["female", "male"], "date_of_birth": pd.to_datetime(["2002-07-01", "2001-06-30"]),
        "graduation_date": pd.to_datetime(["2025-06-30", "2025-06-30"]), "_instrument": "registry",
    })
    out = protect_table(reg, DEMO_KEY, set(DIRECT_IDENTIFIERS), load_instrument("registry"))
    assert list(out.columns) == ["pid", "sex", "age_at_grad", "graduation_date", "_instrument"]
    assert out["age_at_grad"].tolist() == [22, 24]
    assert minimise_birth_date(pd.DataFrame({"x": [1]})).columns.tolist() == ["x"]


def test_derive_uses_the_age_of_the_processed_registry():
    from analysis.derive.graduates import derive_graduates

    reg = pd.DataFrame({"pid": ["G-1", "G-2"], "sex": ["female", "male"], "programme": ["PED-PRIM-B"] * 2,
                        "faculty": ["PED"] * 2, "level": ["bachelor"] * 2,
                        "graduation_date": pd.to_datetime(["2025-06-30"] * 2), "gpa": [3.5, 3.0],
                        "funding": ["state"] * 2, "home_oblast": ["jalal_abad"] * 2, "home_rayon": ["suzak"] * 2,
                        "age_at_grad": pd.array([22, 31], dtype="Int64")})
    g = derive_graduates(reg, None, None, None, {"wage_year": 2025})
    assert g["age_at_grad"].tolist() == [22, 31]
    assert not any("birth" in c for c in g.columns)


def test_a_quarantined_date_of_birth_shows_only_its_year():
    q = pd.DataFrame({"respondent_id": ["24000001", "", "24000002"],
                      "column": ["date_of_birth", "gpa", "date_of_birth"],
                      "value": ["2031-05-12", "4,5", "12.05.1890"]})
    out = pseudonymise_record_ids(q, DEMO_KEY)
    assert out["value"].tolist() == ["2031-**-**", "4,5", "1890-**-**"]
    assert out["respondent_id"].tolist() == [expected_pid(DEMO_KEY, "24000001"), "", expected_pid(DEMO_KEY, "24000002")]

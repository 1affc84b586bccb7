"""Tests of analysis.privacy (keys, pseudonyms, redaction, minimisation, values, scan) and the tracer commands.

Expected pseudonyms are computed independently with the standard library's ``hmac`` module;
scan cases plant known values in one file of each format and check clean files stay clean.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import stat
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ConfigError, InputError, KeyMissingError
from analysis.privacy.keys import KEY_BYTES, KEY_ENV, init_key, key_path, load_key
from analysis.privacy.minimisation import k_anonymity
from analysis.privacy.pseudonyms import pseudonymise
from analysis.privacy.redaction import PERSONAL_PATTERNS, drop_personal
from analysis.privacy.scan import collect_files, mask_value, scan_for_personal_data
from analysis.privacy.values import personal_values

KEY = bytes(range(32))


def expected_pid(key: bytes, text: str, prefix: str = "G") -> str:
    return f"{prefix}-" + hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


@pytest.fixture
def config_home(tmp_path, monkeypatch):
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.delenv(KEY_ENV, raising=False)
    return home


# ------------------------------------------------------------------------------------ key
def test_key_path_follows_xdg_then_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert key_path() == tmp_path / "cfg" / "tracer" / "pseudonym.key"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert key_path() == tmp_path / "home" / ".config" / "tracer" / "pseudonym.key"


def test_init_key_writes_private_hex_key_and_refuses_to_overwrite(config_home):
    path = init_key()
    assert path == config_home / "tracer" / "pseudonym.key"
    text = path.read_text().strip()
    assert len(bytes.fromhex(text)) == 32
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(ConfigError, match="linkage"):
        init_key()
    assert path.read_text().strip() == text  # untouched
    init_key(force=True)
    assert path.read_text().strip() != text
    assert load_key() == bytes.fromhex(path.read_text().strip())


def test_init_key_refuses_a_git_working_tree(tmp_path):
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    with pytest.raises(ConfigError, match="never be committed"):
        init_key(tmp_path / "repo" / "secrets" / "pseudonym.key")
    assert not (tmp_path / "repo" / "secrets" / "pseudonym.key").exists()


def test_load_key_prefers_the_environment(config_home, monkeypatch):
    init_key()
    monkeypatch.setenv(KEY_ENV, KEY.hex())
    assert load_key() == KEY


def test_missing_key_is_a_one_line_error_naming_the_fix(config_home):
    with pytest.raises(KeyMissingError) as err:
        load_key()
    msg = str(err.value)
    assert "\n" not in msg
    assert "tracer init-key" in msg and KEY_ENV in msg


def test_malformed_key_is_a_config_error(config_home, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "not-hex")
    with pytest.raises(ConfigError, match="hexadecimal"):
        load_key()
    monkeypatch.setenv(KEY_ENV, "abcd")
    with pytest.raises(ConfigError, match="at least 16"):
        load_key()


# ------------------------------------------------------------------------------ pseudonyms
def test_pseudonym_is_truncated_hmac_sha256_of_the_id():
    out = pseudonymise(pd.Series(["20250001", "20250002"]), KEY)
    assert out.tolist() == [expected_pid(KEY, "20250001"), expected_pid(KEY, "20250002")]
    assert out.str.fullmatch(r"G-[0-9a-f]{16}").all()
    assert pseudonymise(pd.Series(["x1"]), KEY, prefix="").iloc[0] == expected_pid(KEY, "x1")[2:]


def test_long_keys_are_hashed_first_as_in_rfc2104():
    long_key = bytes(range(100))
    assert pseudonymise(pd.Series(["abc"]), long_key).iloc[0] == expected_pid(long_key, "abc")


REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "pseudonyms" / "reference.json"


def reference_ids(n: int = 10_000) -> pd.Series:
    """10,000 ids in the shapes a registry holds: digits, padded, spreadsheet floats, letters in either case,
    decomposed Unicode (NFD), leading zeros, integers, ``ң``, and missing ones (None, "", NaN)."""
    out: list[object] = []
    for i in range(n):
        v = i % 8
        if i % 97 == 0:
            out.append(None if i % 2 else "")
        elif v == 0:
            out.append(str(20210000 + i))
        elif v == 1:
            out.append(f"  {20210000 + i}\t")
        elif v == 2:
            out.append(float(20210000 + i))
        elif v == 3:
            out.append(f"S{i:05d}" if i % 3 else f"s{i:05d}")
        elif v == 4:
            out.append(unicodedata.normalize("NFD", f"Жü-{i}"))
        elif v == 5:
            out.append(f"000{i}")
        elif v == 6:
            out.append(i)
        else:
            out.append(np.nan if i % 5 == 0 else f"ID-{i}-ң")
    return pd.Series(out, dtype=object)


@pytest.mark.parametrize("ref", json.loads(REFERENCE.read_text(encoding="utf-8"))["keys"], ids=lambda r: r["key"])
def test_pseudonyms_are_byte_identical_to_the_hand_written_hmac(ref):
    """The standard library's hmac gives exactly the pseudonyms of the former ipad/opad implementation
    (fixture computed with it): linkage across phases and cohorts survives the change."""
    out = pseudonymise(reference_ids(), bytes.fromhex(ref["key_hex"]), prefix=ref["prefix"])
    shown = out.astype(object).where(out.notna(), None)
    assert shown.head(12).tolist() == ref["first"]
    assert (int(out.isna().sum()), int(out.nunique())) == (ref["missing"], ref["distinct"]) == (351, 9649)
    text = "\n".join("" if v is None else v for v in shown)
    assert hashlib.sha256(text.encode()).hexdigest() == ref["sha256"]


def test_pseudonyms_normalise_whitespace_case_and_spreadsheet_floats():
    ids = pd.Series([" AB-12 ", "ab-12", "Ab-12\t", 20250001.0, "20250001", None, "  "],
                    index=list("abcdefg"))
    out = pseudonymise(ids, KEY)
    assert out.index.tolist() == list("abcdefg")
    assert out["a"] == out["b"] == out["c"] == expected_pid(KEY, "ab-12")
    assert out["d"] == out["e"] == expected_pid(KEY, "20250001")
    assert out[["f", "g"]].isna().all()


def test_different_keys_give_unrelated_pseudonyms_and_same_key_is_stable():
    ids = pd.Series([f"{20250000 + i}" for i in range(2000)])
    a1, a2 = pseudonymise(ids, KEY), pseudonymise(ids, KEY)
    b = pseudonymise(ids, bytes(32))
    assert a1.equals(a2)
    assert not (a1 == b).any()
    assert a1.nunique() == 2000


# ------------------------------------------------------------------------- drop and redact
@pytest.mark.parametrize("text", ["+996 555 12-34-56", "+996555123456", "0555123456",
                                  "0 (3722) 5-12-34", "996 700 98 76 54", "+7 912 345 67 89"])
def test_phone_pattern_finds_kyrgyz_and_international_numbers(text):
    assert PERSONAL_PATTERNS["phone"].search(f"tel: {text}.")


@pytest.mark.parametrize("text", ["2025-06-30", "20250001", "87,0 %", "25 000 som", "ISCO 2341"])
def test_phone_pattern_ignores_dates_ids_and_statistics(text):
    assert not PERSONAL_PATTERNS["phone"].search(text)


def test_email_and_handle_patterns_do_not_overlap():
    text = "write aibek.asanov@mail.kg or @aibek_99"
    assert PERSONAL_PATTERNS["email"].findall(text) == ["aibek.asanov@mail.kg"]
    assert PERSONAL_PATTERNS["handle"].findall(text) == ["@aibek_99"]


def test_drop_personal_removes_identifiers_and_redacts_free_text():
    df = pd.DataFrame({
        "pid": ["G-1", "G-2"], "full_name": ["Асанов Айбек", "Токтогулова Айжан"],
        "phone_mobile": ["+996555123456", "+996700987654"], "sex": ["male", "female"],
        "suggestions": ["позвоните 0555 12 34 56 или aibek@mail.kg", "больше практики"],
        "hours": [40, 20],
    })
    out = drop_personal(df, free_text=["suggestions"])
    assert list(out.columns) == ["pid", "sex", "suggestions", "hours"]
    assert out.loc[0, "suggestions"] == "позвоните [phone] или [email]"
    assert out.loc[1, "suggestions"] == "больше практики"
    assert out.attrs["dropped_personal"] == ["full_name", "phone_mobile"]
    assert out.attrs["redacted"] == {"suggestions": 1}
    assert list(df.columns)[1] == "full_name"  # input untouched


# ---------------------------------------------------------------------------- k-anonymity
def test_k_anonymity_lists_groups_smaller_than_k():
    df = pd.DataFrame({
        "faculty": ["PED"] * 5 + ["MED"] * 2 + ["LAW"],
        "sex": ["female"] * 4 + ["male"] + ["female"] * 2 + ["male"],
    })
    small = k_anonymity(df, ["faculty", "sex"], k=3)
    assert small.to_dict("records") == [
        {"faculty": "LAW", "sex": "male", "n": 1},
        {"faculty": "PED", "sex": "male", "n": 1},
        {"faculty": "MED", "sex": "female", "n": 2},
    ]
    assert k_anonymity(df, ["faculty", "sex"], k=1).empty
    with pytest.raises(ValueError, match="rayon"):
        k_anonymity(df, ["rayon"])


# ---------------------------------------------------------------------------------- scan
REGISTRY = pd.DataFrame({
    "student_id": ["20250001", "20250002"],
    "full_name": ["Асанов Айбек Бакытович", "Токтогулова Айжан"],
    "email": ["aibek.asanov@mail.kg", "aijan.t@gmail.com"],
    "phone_mobile": ["+996555123456", "+996700987654"],
    "social_handle": ["@aibek_asanov", "@aijan_t"],
    "parent_phone": ["0772 11 22 33", None],
    "sex": ["male", "female"],
})
CLEAR = ["Асанов", "Айбек", "aibek.asanov", "555123456", "5551234", "20250001", "aijan_t",
         "700987654", "0772"]


def _notebook(text: str) -> dict:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
            "cells": [{"cell_type": "code", "source": "df.head()", "metadata": {}, "execution_count": 1,
                       "outputs": [{"output_type": "stream", "name": "stdout", "text": [text]},
                                   {"output_type": "display_data", "metadata": {},
                                    "data": {"image/png": "iVBORw0KGgo="}}]}]}


def _write_clean_files(d):
    d.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({
        "pid": pseudonymise(REGISTRY["student_id"], KEY),
        "weight": [0.555123456, 1.0700987654], "income": [25000, 555123],
        "job_title": ["мугалим", "бухгалтер"],
    }).to_parquet(d / "graduates.parquet")
    (d / "estimates.csv").write_text("domain,n,estimate\nall,148,0.8700987654\nPED,23,0.869565\n",
                                     encoding="utf-8")
    (d / "report.ky.html").write_text("<p>Жумушка орношкондор: 87,0%, n = 150</p>", encoding="utf-8")
    (d / "stage.ipynb").write_text(json.dumps(_notebook("n = 2025, 87,0%\n")), encoding="utf-8")
    (d / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")


def test_scan_finds_planted_values_in_ipynb_parquet_html_and_xlsx(tmp_path):
    import openpyxl

    _write_clean_files(tmp_path)
    (tmp_path / "leak.ipynb").write_text(
        json.dumps(_notebook("call 0 (555) 12-34-56 today\n")), encoding="utf-8")
    pd.DataFrame({"student_id": [20250001, 20250002], "x": [1, 2]}).to_parquet(tmp_path / "leak.parquet")
    # Cyrillic as HTML character references, different case and spacing
    (tmp_path / "leak.html").write_text(
        "<td>&#1040;&#1081;&#1073;&#1077;&#1082;   АСАНОВ</td>", encoding="utf-8")
    wb = openpyxl.Workbook()
    wb.active.append(["contact", "AIJAN.T@GMAIL.COM"])
    wb.save(tmp_path / "leak.xlsx")

    hits = scan_for_personal_data([tmp_path], personal_values(REGISTRY))
    found = {(h.file.name, h.kind) for h in hits}
    assert found == {
        ("leak.ipynb", "phone_mobile"),
        ("leak.parquet", "student_id"),
        ("leak.html", "full_name"),
        ("leak.xlsx", "email"),
    }
    parquet_hits = [h for h in hits if h.file.name == "leak.parquet"]
    assert sum(h.count for h in parquet_hits) == 2
    assert {h.location for h in parquet_hits} == {"column 'student_id'"}
    ipynb_hit = next(h for h in hits if h.file.name == "leak.ipynb")
    assert ipynb_hit.location == "cell 1"
    for h in hits:  # never the clear value in what is shown
        shown = f"{h} {h.masked}"
        assert not any(c.casefold() in shown.casefold() for c in CLEAR)


def test_scan_of_clean_files_finds_nothing_even_with_patterns(tmp_path):
    _write_clean_files(tmp_path)
    assert scan_for_personal_data([tmp_path], personal_values(REGISTRY), patterns=True) == []
    scannable, skipped = collect_files([tmp_path])
    assert [p.name for p in skipped] == ["chart.png"]
    assert len(scannable) == 4


def test_scan_guesses_kinds_from_plain_values(tmp_path):
    (tmp_path / "notes.md").write_text("Contact @aijan_t or +996 700 98-76-54.", encoding="utf-8")
    hits = scan_for_personal_data([tmp_path / "notes.md"], ["@aijan_t", "+996700987654", "Ли"])
    assert sorted(h.kind for h in hits) == ["handle", "phone"]


def test_scan_ignores_placeholders_and_non_values_in_contact_columns(tmp_path):
    (tmp_path / "notes.txt").write_text("Телефону: нет телефона; e-mail: жок почта; unknown",
                                        encoding="utf-8")
    values = {"phone_mobile": ["нет телефона"], "email": ["жок почта", "unknown"],
              "social_handle": ["unknown", "---"]}
    assert scan_for_personal_data([tmp_path], values) == []


def test_scan_reports_an_unreadable_file_instead_of_skipping_it(tmp_path):
    (tmp_path / "broken.parquet").write_bytes(b"not a parquet file")
    with pytest.raises(InputError, match="broken.parquet"):
        scan_for_personal_data([tmp_path], ["Асанов Айбек"])


def test_masked_values_hide_the_value():
    assert mask_value("+996555123456") == "**********56"
    assert mask_value("aibek.asanov@mail.kg") == "a***@***.kg"
    assert mask_value("Асанов Айбек") == "А*** А***"
    assert mask_value("@aijan_t") == "@a***"


# ------------------------------------------------------------------------------- commands
def _parser():
    from analysis.cli.commands import privacy as cmd

    parser = argparse.ArgumentParser(prog="tracer")
    cmd.register(parser.add_subparsers())
    return parser


def _run(argv):
    args = _parser().parse_args(argv)
    return args.func(args)


def test_init_key_command_writes_the_key_once(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    target = tmp_path / "k" / "pseudonym.key"
    assert _run(["init-key", "--path", str(target)]) == 0
    assert len(bytes.fromhex(target.read_text().strip())) == 32
    assert "Back it up" in capsys.readouterr().out
    with pytest.raises(ConfigError):
        _run(["init-key", "--path", str(target)])


def test_scan_personal_command_exit_codes_and_masked_lines(tmp_path, capsys):
    root = tmp_path / "project"
    (root / "data" / "raw" / "c1").mkdir(parents=True)
    REGISTRY.to_excel(root / "data" / "raw" / "c1" / "registry.xlsx", index=False)
    _write_clean_files(root / "data" / "processed" / "c1")
    _write_clean_files(root / "reports" / "c1")

    assert _run(["scan-personal", "c1", "--root", str(root)]) == 0
    assert "clean" in capsys.readouterr().out

    with open(root / "reports" / "c1" / "report.ky.html", "a", encoding="utf-8") as fh:
        fh.write("<p>Айбек Асанов, +996 555 123 456</p>")
    assert _run(["scan-personal", "c1", "--root", str(root)]) == 1
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if "report.ky.html" in ln]
    assert len(lines) == 2
    assert not any(c.casefold() in out.casefold() for c in CLEAR)


def test_scan_personal_command_needs_identifier_columns(tmp_path):
    raw = tmp_path / "raw.csv"
    raw.write_text("sex,programme\nmale,PED-PRIM-B\n", encoding="utf-8")
    with pytest.raises(InputError, match="direct-identifier"):
        _run(["scan-personal", "c1", "--root", str(tmp_path), "--registry", str(raw)])


def test_pseudonymise_a_million_ids_quickly():
    """Guard the vectorised path (≈2–3 s for 10⁶ ids); 10⁵ here keeps the suite fast."""
    import time

    ids = pd.Series(np.arange(20_000_000, 20_100_000).astype(str))
    start = time.perf_counter()
    out = pseudonymise(ids, KEY)
    assert time.perf_counter() - start < 3.0
    assert out.nunique() == len(ids)
    assert out.iloc[12345] == expected_pid(KEY, ids.iloc[12345])
    assert KEY_BYTES == 32

"""The personal-data gate: whole-token matching, the registry read with its legacy mapping, and the
one-line key error before any kernel starts.

Hand-made outputs hold each personal value once as a leak and once as a look-alike (a phone's
digits inside a date, a decimal, a hex pseudonym, a longer number) that must not be a hit.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analysis.errors import KeyMissingError
from analysis.privacy.keys import KEY_ENV
from analysis.privacy.scan import phone_key, scan_for_personal_data
from analysis.privacy.values import cohort_personal_values

VALUES = {
    "student_id": ["24000001"],
    "full_name": ["Асанов Айбек Бакытович"],
    "phone_mobile": ["+996555123456"],
    "parent_phone": ["0 (3722) 5-12-34", "+996 220 305 120"],
    "email": ["aibek.asanov@mail.kg"],
}


def _hits(tmp_path: Path, name: str, text: str) -> list[tuple[str, int]]:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return sorted((h.kind, h.count) for h in scan_for_personal_data([f], VALUES))


def test_phone_key_is_the_national_number():
    for digits in ("996555123456", "0555123456", "555123456", "00996555123456"):
        assert phone_key(digits) == "555123456"
    assert phone_key("79123456789") == "79123456789"  # a foreign number keeps its country code


@pytest.mark.parametrize("text", [
    "тел. 0555 12 34 56", "+996 (555) 12-34-56", "555-12-34-56", "996555123456", "0555.12.34.56",
    "pid,phone\nG-1,555123456\n", "2025 0555 12 34 56",  # the phone is a run of whole groups
    "тел.0555123456", "(0555) 12-34-56",
])
def test_a_phone_is_found_as_a_whole_number_token(tmp_path, text):
    assert _hits(tmp_path, "out.csv", text) == [("phone_mobile", 1)]


@pytest.mark.parametrize("text", [
    "survey_date\n2022-03-05 12:00:00\n",  # 220305120 is inside the date's digits (the 20k false alarm)
    "counts 1555 1234 567",                 # 555123456 inside a run of numbers, not whole groups
    "weight\n0.555123456\n",                # the fraction of a decimal
    "pid\nG-0555123456abcdef\n",           # inside a hex pseudonym
    "n\n15551234567\n",                     # inside a longer number (not a whole group run)
    "x 5551234567 y",                       # ten digits not starting with 0
    "code 55512345",                        # eight digits
])
def test_a_phones_digits_inside_other_values_are_not_a_hit(tmp_path, text):
    assert _hits(tmp_path, "out.csv", text) == []


def test_ids_names_and_emails_match_only_whole_tokens(tmp_path):
    assert _hits(tmp_path, "a.csv", "id\n24000001\n24000001.0\n") == [("student_id", 2)]
    assert _hits(tmp_path, "b.csv", "id\n124000001\nG-24000001ab\n2400000100\n") == []
    assert _hits(tmp_path, "c.html", "<tr><td>АСАНОВ</td><td>Айбек</td></tr>") == [("full_name", 1)]
    assert _hits(tmp_path, "d.md", "Асановдун Айбек; Асанова Айбека") == []  # other word forms
    assert _hits(tmp_path, "e.txt", "write to Aibek.Asanov@mail.kg") == [("email", 1)]
    assert _hits(tmp_path, "f.txt", "xaibek.asanov@mail.kg") == []
    assert _hits(tmp_path, "g.html", '<p title="0 3722 51234">landline</p>') == [("parent_phone", 1)]


def test_the_gate_costs_the_same_per_byte_whatever_the_number_of_values(tmp_path):
    """Hashed look-ups: 20,000 extra personal values must not slow a scan down noticeably."""
    import time

    out = tmp_path / "out.csv"
    out.write_text("\n".join(f"{i},{i * 7919 % 10_000_000:07d} Асан уулу,2025-06-30" for i in range(60_000)),
                   encoding="utf-8")
    many = {"full_name": [f"Фамилия{i} Аты{i}" for i in range(20_000)],
            "phone_mobile": [f"+996700{i:06d}" for i in range(20_000)], **VALUES}
    t0 = time.perf_counter()
    few_hits = scan_for_personal_data([out], VALUES)
    t1 = time.perf_counter()
    many_hits = scan_for_personal_data([out], many)
    t2 = time.perf_counter()
    assert few_hits == [] and many_hits == []
    assert (t2 - t1) < 3 * (t1 - t0) + 1.0, (t1 - t0, t2 - t1)


# ------------------------------------------------------------------------- legacy registry
def test_the_gate_reads_a_legacy_registry_with_its_mapping(legacy_project):
    from analysis.core.config import load_config
    from analysis.pipeline.run import StageFailed, privacy_gate

    root = legacy_project
    cfg = load_config("old-2019", root)
    values = cohort_personal_values(cfg)
    assert values["student_id"][:2] == ["24000001", "24000002"]
    assert "Айгүл Төрөбекова" in values["full_name"]  # "ФИО" read as full_name
    assert "0555 100001" in values["phone_mobile"]  # "Тел." read as phone_mobile
    privacy_gate(cfg)  # clean outputs pass

    report = root / "reports" / "old-2019"
    report.mkdir(parents=True)
    (report / "report.ru.html").write_text("<td>Айгүл</td><td>Төрөбекова</td>", encoding="utf-8")
    with pytest.raises(StageFailed, match=r"personal data found in 1 output file.*full_name"):
        privacy_gate(cfg)
    (report / "report.ru.html").write_text("<p>+996 555 100 001</p>", encoding="utf-8")
    with pytest.raises(StageFailed, match=r"phone_mobile \*+01"):
        privacy_gate(cfg)


def test_scan_personal_reads_the_legacy_registry_of_the_cohort_file(legacy_project, capsys):
    import argparse

    from analysis.cli.commands import privacy as cmd

    root = legacy_project
    parser = argparse.ArgumentParser(prog="tracer")
    cmd.register(parser.add_subparsers())
    args = parser.parse_args(["scan-personal", "old-2019", "--root", str(root)])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "personal values from 1 file(s)" in out and "clean" in out
    (root / "data" / "processed" / "old-2019" / "leak.csv").write_text("pid,phone\nG-1,0555100003\n",
                                                                      encoding="utf-8")
    assert args.func(args) == 1
    assert "leak.csv: phone_mobile ********03 found 1 time\n" in capsys.readouterr().out


# ------------------------------------------------------------------------------- preflight
def _real_cohort(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "project"
    (root / "cohorts").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    (root / "cohorts" / "real-2026.yaml").write_text(yaml.safe_dump({
        "cohort": "real-2026", "graduation_year": 2026,
        "inputs": [{"path": "registry.xlsx", "instrument": "registry", "format": "registry_xlsx"}],
    }), encoding="utf-8")
    # never the user's real key: an empty config home, no key variable
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "empty-config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setenv("TRACER_PROJECT_ROOT", str(root))
    return root


def test_a_real_cohort_without_key_stops_before_any_kernel(tmp_path, monkeypatch):
    from analysis.pipeline import run as pipeline

    root = _real_cohort(tmp_path, monkeypatch)
    started: list[str] = []
    monkeypatch.setattr(pipeline, "execute_stage", lambda *a, **k: started.append("kernel"))
    monkeypatch.setattr(pipeline, "kernel_name", lambda: started.append("kernel spec") or "python3")
    with pytest.raises(KeyMissingError) as err:
        pipeline.run_cohort("real-2026", root=root, log=lambda _m: None)
    assert started == []
    msg = str(err.value)
    assert "\n" not in msg and "tracer init-key" in msg and KEY_ENV in msg
    assert str(tmp_path / "empty-config" / "tracer" / "pseudonym.key") in msg
    # stages that need no key run without one
    pipeline.run_cohort("real-2026", root=root, stages=("model",), log=lambda _m: None)
    assert started == ["kernel"]


def test_tracer_run_prints_the_one_line_key_error(tmp_path, monkeypatch, capsys):
    from analysis.cli import main
    from analysis.pipeline import run as pipeline

    _real_cohort(tmp_path, monkeypatch)
    monkeypatch.setattr(pipeline, "execute_stage", lambda *a, **k: pytest.fail("a kernel was started"))
    assert main(["run", "real-2026"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("error: no pseudonymisation key:") and "tracer init-key" in err[0]
    assert err[-1] == "1 of 1 cohort(s) failed: real-2026"


def test_a_study_without_a_registry_is_scanned_for_its_survey_files_identifiers(tmp_path):
    """No registry (a legacy survey): the gate still runs, on the ids and contacts the survey files carry."""
    from analysis.core.config import load_config
    from analysis.pipeline.run import StageFailed, privacy_gate

    root = tmp_path / "project"
    raw = root / "data" / "raw" / "old-2018"
    raw.mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    (raw / "p1.csv").write_text("Студ. билет,Эл. почта,Статус\n18000001,aibek.old@mail.kg,Employed\n"
                                "18000002,,Unemployed\n", encoding="utf-8")
    (raw / "p1.yaml").write_text(yaml.safe_dump({
        "columns": {"Студ. билет": "student_id", "Эл. почта": "email_new", "Статус": None},
        "not_asked": ["consent", "job_status", "plan"]}, allow_unicode=True),
        encoding="utf-8")
    (root / "cohorts").mkdir()
    (root / "cohorts" / "old-2018.yaml").write_text(yaml.safe_dump({
        "cohort": "old-2018", "graduation_year": 2018,
        "inputs": [{"path": "p1.csv", "instrument": "phase1", "format": "legacy", "mapping": "p1.yaml"}],
    }), encoding="utf-8")
    cfg = load_config("old-2018", root)
    values = cohort_personal_values(cfg)
    assert values["student_id"] == ["18000001", "18000002"] and values["email_new"] == ["aibek.old@mail.kg"]
    processed = root / "data" / "processed" / "old-2018"
    processed.mkdir(parents=True)
    (processed / "clean.csv").write_text("pid\nG-0134593045a035d1\n", encoding="utf-8")
    privacy_gate(cfg)
    (processed / "leak.csv").write_text("note\nwrite to aibek.old@mail.kg\n", encoding="utf-8")
    with pytest.raises(StageFailed, match="email_new"):
        privacy_gate(cfg)

"""The fieldwork monitor: response against the registry, the call list, and where it may be written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.core.config import load_config
from analysis.core.paths import ROOT_ENV
from analysis.errors import ConfigError
from analysis.pipeline.monitor import check_output_path, monitor
from analysis.pipeline.stages import DEMO_KEY


@pytest.fixture(scope="module")
def small(tmp_path_factory, root):
    from analysis.demo.synthetic import generate_cohort

    proj = tmp_path_factory.mktemp("proj")
    shutil.copy(root / "pyproject.toml", proj / "pyproject.toml")
    shutil.copytree(root / "questionnaires", proj / "questionnaires")
    (proj / "cohorts").mkdir()
    cfg = yaml.safe_load((root / "cohorts" / "demo-2025.yaml").read_text(encoding="utf-8"))
    cfg["cohort"] = "mon-2025"
    (proj / "cohorts" / "mon-2025.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    generate_cohort(proj / "data" / "raw" / "mon-2025", n_graduates=150, cohort="mon-2025")
    # fieldwork still going on: the paper forms have not been keyed in yet
    (proj / "data" / "raw" / "mon-2025" / "phase2_paper_entry.xlsx").unlink()
    return load_config("mon-2025", proj)


def test_monitor_counts_respondents_against_the_registry(small):
    res = monitor(small, DEMO_KEY)
    o = res.overall.iloc[0]
    assert o.graduates == 150
    assert 0 < o.responded < 150
    assert o.rate == pytest.approx(o.responded / o.graduates)
    assert res.missing_files == ["phase2_paper_entry.xlsx"]
    assert set(res.by_mode["mode"]) <= {"online", "phone"}
    assert res.by_mode["responded"].sum() == o.responded
    # the programme × sex table adds up to the registry
    assert res.by_programme_sex["graduates"].sum() == 150
    assert res.by_programme_sex["responded"].sum() == o.responded


def test_call_list_is_pseudonymous_unless_contacts_are_asked_for(small):
    res = monitor(small, DEMO_KEY)
    assert len(res.call_list) == res.overall.iloc[0].graduates - res.overall.iloc[0].responded
    assert res.call_list["pid"].str.startswith("G-").all()
    assert not {"full_name", "phone_mobile"} & set(res.call_list.columns)
    # weakest groups first
    rates = res.call_list["group_rate"].tolist()
    assert rates == sorted(rates)
    with_contacts = monitor(small, DEMO_KEY, with_contacts=True).call_list
    assert {"full_name", "phone_mobile", "parent_phone"} <= set(with_contacts.columns)


def test_call_list_is_never_written_under_processed_or_reports(small, tmp_path):
    root = small.paths.root
    for bad in (root / "data" / "processed" / "x.csv", root / "reports" / "mon-2025" / "calls.csv"):
        with pytest.raises(ConfigError, match="may not be written"):
            check_output_path(bad, root)
    check_output_path(tmp_path / "calls.csv", root)  # anywhere else is fine


def test_tables_show_programme_sex_and_mode_names_in_the_chosen_language(small):
    from analysis.pipeline.monitor import display_table

    res = monitor(small, DEMO_KEY)
    ps = res.by_programme_sex
    assert "PED-PRIM-B" in set(ps["programme"])  # the result keeps codes
    for lang, prog, sex in (("ky", "Башталгыч билим берүү", "Аял"), ("ru", "Начальное образование", "Женский"),
                            ("en", "Primary education", "Female")):
        shown = display_table(ps, lang, small.project_root)
        row = shown[(ps["programme"] == "PED-PRIM-B") & (ps["sex"] == "female")].iloc[0]
        assert (row["programme"], row["sex"]) == (prog, sex)
        assert row["graduates"] == ps[(ps["programme"] == "PED-PRIM-B") & (ps["sex"] == "female")]["graduates"].iloc[0]
    modes = display_table(res.by_mode, "en", small.project_root)
    assert set(modes["mode"]) <= {"Online", "Phone"}
    assert display_table(pd.DataFrame({"programme": ["NOT-A-CODE"]}), "en")["programme"].tolist() == ["NOT-A-CODE"]


def test_monitor_command_prints_names_not_codes(small, monkeypatch, capsys, tmp_path):
    from analysis.cli import main

    monkeypatch.setenv(ROOT_ENV, str(small.paths.root))
    assert main(["monitor", "mon-2025", "--lang", "ru", "--top", "500", "-o", str(tmp_path / "calls.csv")]) == 0
    out = capsys.readouterr().out
    assert "Начальное образование" in out and "Женский" in out and "Онлайн" in out
    assert "PED-PRIM-B" not in out and "Empty DataFrame" not in out
    calls = pd.read_csv(tmp_path / "calls.csv", encoding="utf-8-sig")
    assert list(calls.columns[:3]) == ["pid", "programme", "programme_name"]
    assert set(calls.loc[calls["programme"] == "PED-PRIM-B", "programme_name"]) <= {"Начальное образование"}


def test_monitor_without_any_phase2_file_says_so_in_one_line(small, monkeypatch, capsys, tmp_path):
    from analysis.cli import main

    proj = tmp_path / "proj"
    shutil.copytree(small.paths.root / "questionnaires", proj / "questionnaires")
    shutil.copy(small.paths.root / "pyproject.toml", proj / "pyproject.toml")
    (proj / "cohorts").mkdir()
    cfg = yaml.safe_load((small.paths.root / "cohorts" / "mon-2025.yaml").read_text(encoding="utf-8"))
    cfg["cohort"] = "early-2025"
    (proj / "cohorts" / "early-2025.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    raw = proj / "data" / "raw" / "early-2025"
    raw.mkdir(parents=True)
    shutil.copy(small.paths.raw / "registry.xlsx", raw / "registry.xlsx")  # the registry only
    monkeypatch.setenv(ROOT_ENV, str(proj))
    assert main(["monitor", "early-2025"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "early-2025: no phase-2 answers yet — none of the phase-2 files listed in early-2025.yaml is in "
        "data/raw/early-2025/ (phase2_online_kobo.csv, phase2_phone_odk.csv, phase2_paper_entry.xlsx)."]
    res = monitor(load_config("early-2025", proj), DEMO_KEY)
    assert not res.has_phase2_files and res.overall.iloc[0].responded == 0 and res.by_mode.empty
    # no phase-2 file listed at all
    cfg["inputs"] = [i for i in cfg["inputs"] if i["instrument"] != "phase2"]
    (proj / "cohorts" / "early-2025.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    assert main(["monitor", "early-2025"]) == 0
    assert capsys.readouterr().out == "early-2025: no phase-2 answers yet — early-2025.yaml lists no phase-2 file.\n"


def test_monitor_without_a_registry_says_so_in_one_line(capsys):
    from analysis.core.config import load_config
    from analysis.errors import ConfigError

    cfg = load_config("trento-2013", Path(__file__).resolve().parents[2])
    with pytest.raises(ConfigError) as err:
        monitor(cfg, DEMO_KEY)
    assert "\n" not in str(err.value) and "lists none" in str(err.value)

"""The fieldwork monitor: response against the registry, the call list, and where it may be written."""

from __future__ import annotations

import shutil

import pytest
import yaml

from analysis.config import load_config
from analysis.errors import ConfigError
from analysis.monitor import check_output_path, monitor
from analysis.stages import DEMO_KEY


@pytest.fixture(scope="module")
def small(tmp_path_factory, root):
    from analysis.demo import generate_cohort

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

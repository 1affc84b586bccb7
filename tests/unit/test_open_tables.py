"""The open-data layer: the schema's great-expectations suite, the tables and their provenance, the CLI."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.demo.open_occupations import synthetic_occupation_table
from analysis.derive.open_tables import (
    from_kg_open,
    list_tables,
    load_open_data,
    open_root,
    read_table,
    table_text,
)
from analysis.errors import InputError
from analysis.validate.open_data import check_suite

ROOT = Path(__file__).resolve().parents[2]
SIDE = "id: es_2026\ntitle: t\nversion: 2027-01-15\nsynthetic: false\nlicence: x\npublisher: y\n"


def test_every_table_conforms_and_the_committed_suite_matches_the_schema(capsys):
    assert check_suite() == []
    assert main(["opendata", "check"]) == 0
    assert "10 table version(s) match" in capsys.readouterr().out


def test_the_kg_tables_are_the_documented_transformation_of_the_verbatim_copies():
    for info in list_tables():
        if not info.id.startswith("kg_"):
            continue
        src = open_root() / "kg-open" / f"{info.id}.csv"
        assert info.meta["derived_from"].endswith(hashlib.sha256(src.read_bytes()).hexdigest())
        assert table_text(from_kg_open(src, info.id)) == info.csv.read_text(encoding="utf-8"), info.id


def test_the_synthetic_table_is_marked_and_regenerates_byte_identically():
    info = next(t for t in list_tables() if t.id == "ja_occupations_synthetic")
    assert info.synthetic is True
    assert table_text(synthetic_occupation_table()) == info.csv.read_text(encoding="utf-8")
    assert {t.id for t in list_tables() if t.synthetic} == {"ja_occupations_synthetic"}


def test_vacancy_occupations_map_to_isco_and_the_rest_keep_their_label():
    t = read_table(open_root() / "tables" / "kg_vacancies" / "2026-12-06.csv")
    occ = dict(zip(t["occupation"], t["value"]))
    assert occ["2611"] == "24" and occ["83"] == "1000" and occ["label:medical workers"] == "320"
    assert set(t["region"]) <= {"Kyrgyz Republic", "Bishkek city"}


def test_a_real_figure_wins_over_a_synthetic_one_and_the_latest_year_is_picked():
    od = load_open_data()
    js = od.pick("registered_unemployed_official_status", "Jalal-Abad oblast")
    assert (js["value"], js["synthetic"]) == (10376.0, False)
    emp = od.pick("employed_by_occupation", "Jalal-Abad oblast", "23")
    assert (emp["year"], emp["value"], emp["synthetic"]) == (2025, 26760.0, True)


@pytest.mark.parametrize("row, message", [
    ("x,Kyrgyz Republic,2027,,12o0,som,https://x.kg/a,t,2027-01-01,", "row 2, column 'value': '12o0' does not match"),
    ("x,Kyrgyz Republic,2027,,1200,roubles,https://x.kg/a,t,,", "row 2, column 'unit': 'roubles' is not one of"),
    ("x,Kyrgyz Republic,2027,,1200,som,x.kg/a,t,,", "row 2, column 'source_url'"),
    ("x,,2027,,1200,som,https://x.kg/a,t,,", "row 2, column 'region': empty, but the schema requires a value"),
    ("x,Kyrgyz Republic,2027,23a,1200,som,https://x.kg/a,t,,", "row 2, column 'occupation'"),
])
def test_add_refuses_a_bad_table_with_one_line(tmp_path, capsys, row, message):
    header = "indicator,region,period,occupation,value,unit,source_url,source_title,published_date,note"
    (tmp_path / "t.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
    (tmp_path / "t.yaml").write_text(SIDE, encoding="utf-8")
    assert main(["opendata", "add", str(tmp_path / "t.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err and str(tmp_path / "t.csv") in err


def test_add_refuses_a_wrong_header_and_a_missing_sidecar(tmp_path, capsys):
    (tmp_path / "t.csv").write_text("indicator,region\nx,y\n", encoding="utf-8")
    assert main(["opendata", "add", str(tmp_path / "t.csv")]) == 2
    assert "t.yaml: sidecar not found" in capsys.readouterr().err
    (tmp_path / "t.yaml").write_text(SIDE.replace("version: 2027-01-15", "version: soon"), encoding="utf-8")
    assert main(["opendata", "add", str(tmp_path / "t.csv")]) == 2
    assert "sidecar version 'soon' is not a date YYYY-MM-DD" in capsys.readouterr().err


def test_add_copies_a_kg_open_layout_table_with_provenance(tmp_path, monkeypatch):
    proj = tmp_path / "proj"
    shutil.copytree(ROOT / "data" / "raw" / "open", proj / "data" / "raw" / "open")
    src = tmp_path / "es.csv"
    src.write_text("indicator,region,period,value,unit,source_url,source_title,published_date,note\n"
                   "registered_jobseekers_by_profession,Jalal-Abad oblast | teachers,as of 2027-01-01,600,persons,"
                   "https://example.kg/es,Employment service table,2027-01-15,\n", encoding="utf-8")
    (tmp_path / "es.yaml").write_text(SIDE, encoding="utf-8")
    from analysis.derive.open_tables import add_table

    dest = add_table(src, proj)
    t = read_table(dest)
    assert list(t["region"]) == ["Jalal-Abad oblast"] and list(t["occupation"]) == ["label:teachers"]
    meta = dest.with_suffix(".yaml").read_text(encoding="utf-8")
    assert "sha256:" in meta and "from_kg_open" in meta
    with pytest.raises(Exception, match="already exists"):
        add_table(src, proj)


def test_the_model_stage_checks_an_unchanged_table_once_and_a_changed_or_broken_one_again(tmp_path, monkeypatch):
    from analysis.derive import open_tables as ot

    proj = tmp_path / "proj"
    shutil.copytree(ROOT / "data" / "raw" / "open", proj / "data" / "raw" / "open")
    shutil.copytree(ROOT / "expectations", proj / "expectations", ignore=shutil.ignore_patterns("uncommitted"))
    calls: list[str] = []
    real = ot.validate_table
    monkeypatch.setattr(ot, "validate_table", lambda table, file, *a, **k: calls.append(Path(file).name) or
                        real(table, file, *a, **k))
    n_tables = len(list_tables(proj))
    ot._load.cache_clear()
    load_open_data(proj)
    assert len(calls) == n_tables and (proj / ot.CHECKED_FILE).is_file()
    ot._load.cache_clear()
    load_open_data(proj)
    assert len(calls) == n_tables  # unchanged: not checked again
    # a broken table (a value that is not a number) is checked again and stops the run with one line
    info = next(i for i in list_tables(proj) if i.id == "kg_minimum_wage")
    lines = info.csv.read_text(encoding="utf-8").splitlines()
    head, first = lines[0].split(","), lines[1].split(",")
    first[head.index("value")] = "about 3000"
    info.csv.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n", encoding="utf-8")
    ot._load.cache_clear()
    with pytest.raises(InputError, match=r"kg_minimum_wage.*row 2.*value"):
        load_open_data(proj)
    assert calls[-1] == info.csv.name

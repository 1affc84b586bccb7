"""End to end: the run writes the Excel workbook in each language, the open data, the pages per faculty and
programme and the slides after the report, says so, and they hold the published numbers (the session cohort of
tests/end_to_end/conftest.py, no extra run)."""

from __future__ import annotations

import csv
import json

import openpyxl
import pandas as pd
import pytest

pytestmark = pytest.mark.slow

COHORT = "tiny-2025"  # the session cohort of tests/end_to_end/conftest.py


def _published(proj) -> pd.DataFrame:
    return pd.read_parquet(proj / "data" / "processed" / COHORT / "results" / "published.parquet")


def test_the_run_writes_a_workbook_per_language_and_the_open_data(run):
    proj, record, lines = run
    reports = proj / "reports" / COHORT
    for lang in ("ky", "ru", "en"):
        assert (reports / f"tables.{lang}.xlsx").is_file()
        assert any(f"wrote reports/{COHORT}/tables.{lang}.xlsx" in line for line in lines), lang
    assert any(f"wrote reports/{COHORT}/open-data/" in line for line in lines)
    assert {p.name for p in (reports / "open-data").iterdir()} == {
        "results.csv", "benchmarks.csv", "indicators.csv", "datapackage.json"}
    steps = [s["step"] for s in record.timings]
    assert steps.index("open data") < steps.index("personal-data scan")  # the gate scans them too
    assert {"workbook ky", "workbook ru", "workbook en"} <= set(steps)


def test_the_run_writes_the_pages_per_faculty_and_programme_in_each_language(run):
    proj, record, lines = run
    reports = proj / "reports" / COHORT
    hierarchy = pd.read_parquet(proj / "data" / "processed" / COHORT / "results" / "hierarchy.parquet")
    programmes = set(_published(proj).query("domain == 'programme'")["group"]) & set(
        hierarchy.query("domain == 'programme'")["group"])
    assert len(programmes) >= 10
    for lang in ("ky", "ru", "en"):
        folder = reports / "pages" / lang
        assert any(f"wrote reports/{COHORT}/pages/{lang}/" in line for line in lines), lang
        names = {p.name for p in folder.iterdir()}
        assert "index.html" in names and {f"programme-{p}.html" for p in programmes} <= names
        assert sum(n.startswith("faculty-") for n in names) >= 5
        index = (folder / "index.html").read_text(encoding="utf-8")
        assert f'href="../../report.{lang}.html"' in index  # the report was written first
    steps = [s["step"] for s in record.timings]
    assert steps.index("pages en") < steps.index("personal-data scan")


def test_the_run_writes_the_slides_in_each_language(run):
    proj, record, lines = run
    reports = proj / "reports" / COHORT
    for lang in ("ky", "ru", "en"):
        deck = (reports / f"slides.{lang}.html").read_text(encoding="utf-8")
        assert any(f"wrote reports/{COHORT}/slides.{lang}.html" in line for line in lines), lang
        slides = deck.count("<section>")
        assert 10 <= slides <= 15 and deck.count('<aside class="notes">') == slides
        assert deck.count('<img class="sl-chart"') == slides - 5  # the report's figures, one a slide
    steps = [s["step"] for s in record.timings]
    assert steps.index("slides en") < steps.index("personal-data scan")


def test_the_open_data_validates_and_round_trips(run):
    from frictionless import validate

    from analysis.publish.release import shown, shown_text

    proj, _, _ = run
    folder = proj / "reports" / COHORT / "open-data"
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    pub = _published(proj)
    with open(folder / "results.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == (pub["basis"] != "open_data").sum()
    key = ["indicator", "domain", "group", "category"]
    by_key = {tuple(r[k] for k in key) + (r["time"],): r for r in rows}
    for ind in ("employment_rate", "response_rate_p2", "median_monthly_income"):
        for _, p in pub[(pub["indicator"] == ind)].iterrows():
            r = by_key[tuple(p[k] for k in key) + (shown_text(p["time"], "", "time"),)]
            assert r["status"] == p["status"] and r["rule"] == p["rule"]
            assert r["estimate"] == shown_text(p["estimate"], p["unit"]), (ind, p["domain"], p["group"])
            assert r["n"] == shown_text(p["n"], p["unit"], "n")
    emp = pub[(pub["indicator"] == "employment_rate") & (pub["domain"] == "all")].iloc[0]
    desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert desc["name"] == f"jasu-tracer-{COHORT}" and desc["synthetic"] is True

    wb = openpyxl.load_workbook(proj / "reports" / COHORT / "tables.en.xlsx")
    contents = wb["Contents"]
    name = next(r[0] for r in contents.iter_rows(values_only=True) if r[1] == "Employment rate (ILO)")
    total = next(r for r in wb[name].iter_rows(values_only=True) if r[:2] == ("Total", "All graduates"))
    assert total[4] == shown(emp["estimate"], "share") and total[2] == int(emp["n"])


def test_every_published_row_is_a_row_of_the_workbook(run):
    proj, _, _ = run
    pub = _published(proj)
    for lang in ("ky", "ru", "en"):
        wb = openpyxl.load_workbook(proj / "reports" / COHORT / f"tables.{lang}.xlsx")
        rows = 0
        for ws in wb.worksheets[3:]:
            (table,) = ws.tables.values()
            rows += len(list(ws[table.ref])) - 1
        assert rows == len(pub), lang
        assert all(len(n) <= 31 for n in wb.sheetnames)

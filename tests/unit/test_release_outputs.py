"""The Excel workbook and the open data, on a hand-made published table: what an analyst pastes and what a
machine reads must be the published rows — numbers as numbers at the report's precision, ".." where disclosure
control suppressed, notes by marker, one table per sheet, Kyrgyz intact — and the Data Package must validate."""

from __future__ import annotations

import csv
import json
import math
import re
import socket

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis.core.config import config_from_dict
from analysis.core.i18n import LANGS, catalogue, t
from analysis.derive.registry import load_registry
from analysis.errors import ConfigError
from analysis.privacy.scan import scan_for_personal_data
from analysis.publish import release
from analysis.publish.datapackage import FIELDS, write_package
from analysis.publish.release import Labeller, cell, plan, public_note, shown, shown_text
from analysis.publish.workbook import sheet_names, write_workbook
from analysis.results.table import COLUMNS

_TEXT = ("indicator", "statistic", "unit", "domain", "group", "category", "basis", "ci_method", "unweighted_ci_method",
         "source", "note", "status", "rule")
W = {"statistic": "share", "unit": "share", "basis": "weighted", "ci_method": "wilson_neff", "status": "published"}


def _published(rows: list[dict]) -> pd.DataFrame:
    """A published results table (the columns of results.table plus status and rule, without x)."""
    cols = [c for c in COLUMNS if c != "x"] + ["status", "rule"]
    df = pd.DataFrame(rows)
    for c in cols:
        if c not in df:
            df[c] = np.nan
    df = df[cols]
    for c in _TEXT:
        df[c] = df[c].astype("string").fillna("")
    for c in cols:
        if c not in _TEXT and c != "weighting_changes":
            df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    df["confidence"] = 0.95
    df["weighting_changes"] = False
    return df


ROWS = [
    {"indicator": "count:graduates", "statistic": "total", "unit": "count", "domain": "all", "group": "all",
     "n": 2000, "estimate": 2000, "basis": "census", "status": "published"},
    {**W, "indicator": "employment_rate", "domain": "all", "group": "all", "n": 1095, "N": 2000, "estimate": 0.639611,
     "se": 0.0142, "ci_low": 0.611345, "ci_high": 0.666941, "unweighted": 0.637443, "deff": 0.96, "n_eff": 1142.4},
    {**W, "indicator": "employment_rate", "domain": "faculty", "group": "ENG", "n": 115, "N": 245,
     "estimate": 0.728612, "ci_low": 0.640337, "ci_high": 0.801924, "unweighted": 0.724138},
    {**W, "indicator": "employment_rate", "domain": "faculty", "group": "LAW", "n": 20, "N": 130,
     "status": "suppressed", "rule": "pct_base"},
    {**W, "indicator": "employment_rate", "domain": "programme", "group": "AGRI-AGR-B", "n": 25, "N": 40,
     "status": "suppressed", "rule": "secondary"},
    {**W, "indicator": "employment_rate", "domain": "programme×sex", "group": "AGRI-AGR-B|female", "n": 10, "N": 20,
     "status": "suppressed", "rule": "min_n"},
    {"indicator": "response_rate_p1", "statistic": "share", "unit": "share", "domain": "all", "group": "all",
     "n": 2000, "N": 2000, "estimate": 0.8375, "basis": "census", "ci_method": "exact", "status": "published"},
    {**W, "indicator": "labour_status", "domain": "all", "group": "all", "category": "employed", "n": 1095,
     "estimate": 0.639611, "ci_low": 0.611345, "ci_high": 0.666941, "unweighted": 0.637443},
    {**W, "indicator": "labour_status", "domain": "all", "group": "all", "category": "olf_study", "n": 1095,
     "estimate": 0.1329, "ci_low": 0.113, "ci_high": 0.155, "unweighted": 0.1333},
    {"indicator": "median_monthly_income", "statistic": "median", "unit": "KGS", "domain": "all", "group": "all",
     "n": 0, "note": "no data: no_phase2", "status": "published"},
    {"indicator": "informal_employment_share", "statistic": "share", "unit": "share", "domain": "all",
     "group": "all", "n": 0, "note": "not measured", "status": "published"},
    {"indicator": "model:employment_logit", "statistic": "coefficient", "unit": "odds_ratio", "domain": "all",
     "group": "all", "category": "faculty=LAW", "n": 995, "estimate": 0.306497, "ci_low": 0.167687,
     "ci_high": 0.560211, "p_value": 0.000126, "basis": "model", "ci_method": "wald", "note": "reference=COL",
     "status": "published"},
    {"indicator": "model:income_ols", "statistic": "coefficient", "unit": "percent_effect", "domain": "all",
     "group": "all", "n": 0, "note": "failed: too few complete cases (n=37; needs at least 50)",
     "status": "published"},
    {"indicator": "feedback:sat_studies", "statistic": "mean", "unit": "scale", "domain": "all", "group": "all",
     "category": "p1", "n": 1675, "estimate": 3.68692, "ci_low": 3.6414, "ci_high": 3.7324, "basis": "weighted",
     "unweighted": 3.69, "status": "published"},
    {"indicator": "income_mi:median", "statistic": "median", "unit": "KGS", "domain": "all", "group": "all",
     "n": 155, "estimate": 20500.5, "ci_low": 19000.2, "ci_high": 22000.8, "basis": "model", "ci_method": "rubin",
     "note": "m=20; missing=52", "status": "published"},
    {"indicator": "context:oblast_average_wage", "statistic": "value", "unit": "KGS", "domain": "all",
     "group": "all", "estimate": 34633.0, "basis": "open_data", "source": "https://example.org/nsc-wage",
     "note": "period=2025 (headline 'за 2025 год'; exact months not visible in excerpt)", "status": "published"},
    {"indicator": "new_family:thing", "statistic": "share", "unit": "share", "domain": "all", "group": "all",
     "n": 300, "estimate": 0.1234, "basis": "unweighted", "status": "published"},
    {"indicator": "employment_rate", "statistic": "difference", "unit": "share", "domain": "cohort_difference",
     "group": "all", "n": 900, "estimate": 0.0512, "ci_low": 0.01, "ci_high": 0.09, "p_value": 0.0123,
     "basis": "unweighted", "ci_method": "newcombe", "note": "previous n=883", "status": "published"},
]


@pytest.fixture
def published() -> pd.DataFrame:
    return _published(ROWS)


@pytest.fixture
def cfg(tmp_path):
    return config_from_dict({
        "cohort": "test-2025", "graduation_year": 2025, "synthetic": True, "project_root": str(tmp_path),
        "inputs": [{"path": "r.xlsx", "instrument": "registry", "format": "registry_xlsx"},
                   {"path": "p1.csv", "instrument": "phase1", "format": "kobo_csv", "mode": "online"},
                   {"path": "p2.csv", "instrument": "phase2", "format": "kobo_csv", "mode": "online"}]})


def _table_sheets(wb) -> list:
    return [ws for ws in wb.worksheets if ws.title.startswith(("Table_", "Таблица_"))]


def _table_rows(ws) -> tuple[list[str], list[tuple]]:
    """Header and data rows of a sheet's one Excel table."""
    (ref,) = [tb.ref for tb in ws.tables.values()]
    rows = list(ws[ref])
    return [c.value for c in rows[0]], [tuple(c.value for c in r) for r in rows[1:]]


def _sheet_of(wb, title: str):
    """The table sheet whose contents line carries ``title``."""
    contents = wb.worksheets[1]
    _, rows = _table_rows(contents)
    name = next(r[0] for r in rows if r[1] == title)
    return wb[name]


# ----------------------------------------------------------------------------- precision and cells
def test_values_are_shown_at_the_reports_precision_half_up():
    assert shown(0.639611, "share") == 0.64 and shown_text(0.639611, "share") == "0.640"
    assert shown(0.12345, "share") == 0.123 and shown(0.0125, "share") == 0.013  # 1.25 % → 1.3 % (half up)
    assert shown(25431.5, "KGS") == 25432 and shown_text(34633.0, "KGS") == "34633"
    assert shown(3.68692, "scale") == 3.69 and shown(-0.0001, "scale") == 0.0 and shown_text(-0.0001, "scale") == "0.00"
    assert shown(0.000126, "odds_ratio", "p_value") == 0.0 and shown_text(0.0123, "", "p_value") == "0.012"
    assert shown(1095.0, "share", "n") == 1095 and isinstance(shown(1095.0, "share", "n"), int)
    assert shown(float("nan"), "share") is None and shown_text(None, "share") == ""


def test_the_precision_is_the_reports():
    from analysis.publish import report

    assert release.DIGITS == report._DIGITS


def test_a_cell_is_a_number_or_a_symbol(published):
    row = published.iloc[1]
    assert cell(row, "estimate") == 0.64 and cell(row, "n") == 1095 and cell(row, "unweighted") == 0.637
    sup = published.iloc[3]
    assert cell(sup, "estimate") == ".." and cell(sup, "ci_low") == ".." and cell(sup, "n") == 20
    census = published.iloc[6]
    assert cell(census, "ci_low") == "[z]" and cell(census, "unweighted") == "[z]" and cell(census, "estimate") == 0.838
    nodata = published.iloc[9]
    assert cell(nodata, "estimate") == "[x]" and cell(nodata, "n") == 0


def test_public_notes_keep_no_unrounded_count():
    assert public_note("m=20; missing=52") == "m=20"
    assert public_note("previous n=883") == ""
    assert public_note("failed: too few complete cases (n=37; needs at least 50)") == "failed: too_few"
    assert public_note("failed: ValueError: 37 rows") == "failed: other"
    assert public_note("no data: no_phase2") == "no data: no_phase2"
    assert public_note("reference=COL") == "reference=COL"
    assert public_note("period=2025 (a; b)") == "period=2025 (a; b)"


def test_every_published_row_is_in_exactly_one_table(published):
    tables = plan(published)
    keys = [tb.key for tb in tables]
    assert keys[:4] == ["response_rate_p1", "employment_rate", "informal_employment_share",
                        "median_monthly_income"]  # registry order
    assert keys[-2:] == ["other", "differences"]
    assert {"labour_status", "model_employment_logit", "model_income_ols", "feedback", "income_mi", "counts",
            "benchmarks"} <= set(keys)
    idx = pd.concat([tb.rows for tb in tables]).index
    assert sorted(idx) == list(range(len(published)))
    emp = next(tb for tb in tables if tb.key == "employment_rate")
    assert (emp.rows["domain"] != "cohort_difference").all() and len(emp.rows) == 5


def test_labels_come_from_the_one_label_sources():
    ky, en = Labeller("ky"), Labeller("en")
    assert ky.group("faculty", "ENG") == "Инженердик-техникалык факультет"
    assert en.group("programme×sex", "AGRI-AGR-B|male") == "Agronomy × Male"
    assert en.domain("programme×sex") == "Programme × Sex"
    assert en.category("model:employment_logit", "faculty=LAW") == "Faculty or institute: Faculty of Law"
    assert en.category("labour_status", "olf_study") == "Studying (not seeking)"
    assert ky.indicator("employment_rate") == next(i for i in load_registry() if i.id == "employment_rate").label["ky"]
    assert en.indicator("feedback:sat_studies").startswith("Overall, how satisfied")
    row = pd.Series({"status": "published", "note": "failed: too few complete cases (n=37; needs at least 50)"})
    assert "(35;" in en.note(row)  # the count in a reason is rounded as every published count


def test_every_registry_indicator_has_its_base_in_three_languages():
    cat = catalogue()
    for ind in load_registry():
        if "{item}" in ind.variable:
            continue
        key = f"out_base_{ind.id}"
        assert key in cat, f"no translated base for {ind.id}"
        assert cat[key]["en"] == ind.denominator, f"{key}: the English base differs from the registry's denominator"


# ----------------------------------------------------------------------------- the workbook
@pytest.fixture
def books(cfg, published, tmp_path) -> dict:
    return {lang: openpyxl.load_workbook(write_workbook(cfg, lang, tmp_path / f"tables.{lang}.xlsx", published))
            for lang in LANGS}


def test_the_workbook_has_a_cover_contents_notes_and_one_table_per_sheet(books, published):
    wb = books["en"]
    assert wb.sheetnames[:3] == ["Cover_sheet", "Contents", "Notes"]
    tables = _table_sheets(wb)
    assert len(tables) == len(plan(published)) == len(wb.sheetnames) - 3
    data_rows = 0
    for ws in tables + wb.worksheets[1:3]:
        assert len(ws.tables) == 1, ws.title
        assert not ws.merged_cells.ranges, ws.title
        header, rows = _table_rows(ws)
        top = int(next(iter(ws.tables.values())).ref.split(":")[0][1:])
        assert ws.freeze_panes == f"A{top + 1}", ws.title  # frozen below the header row
        assert all(r[0] not in (None, "") for r in rows), f"{ws.title}: a blank row inside the table"
        assert all(ws.cell(i, 1).value for i in range(1, top)), f"{ws.title}: a blank line above the table"
        assert len(set(header)) == len(header)
        if ws in tables:
            data_rows += len(rows)
    assert data_rows == len(published)  # every published row, once
    cover = [c.value for c in wb["Cover_sheet"]["A"] if c.value]
    assert cover[0] == "Graduate tracer study test-2025: statistical tables"
    assert t("xl_synthetic", "en") in cover and "Licence" in cover and "Contact" in cover
    assert any("Creative Commons Attribution 4.0" in c for c in cover)
    assert any("“..” marks a value suppressed" in c for c in cover)


def test_numbers_are_numbers_with_formats_and_suppressed_cells_are_dots(books):
    wb = books["en"]
    ws = _sheet_of(wb, "Employment rate (ILO)")
    header, rows = _table_rows(ws)
    assert header[:2] == ["Breakdown", "Group"] and header[-1] == "Notes"
    assert header[2] == "n (respondents) [note 2]" and header[4] == "Estimate (%) [note 1]"
    assert header[5:7] == ["Lower limit, 95% interval [note 5]", "Upper limit, 95% interval [note 5]"]
    total = rows[0]
    assert total[:8] == ("Total", "All graduates", 1095, 2000, 0.64, 0.611, 0.667, 0.637)
    top = int(next(iter(ws.tables.values())).ref.split(":")[0][1:])
    first = top + 1
    assert ws.cell(first, 5).number_format == "0.0%" and ws.cell(first, 3).number_format == "#,##0"
    assert isinstance(ws.cell(first, 3).value, int) and isinstance(ws.cell(first, 5).value, float)
    law = next(r for r in rows if r[1] == "Faculty of Law")
    assert law[2:8] == (20, 130, "..", "..", "..", "..")
    assert law[8] == "Suppressed: a percentage based on fewer than 23 people."
    cross = next(r for r in rows if r[0] == "Programme × Sex")
    assert cross[1] == "Agronomy × Female" and cross[8] == "Suppressed: the group has fewer than 10 respondents."
    title = ws["A1"].value
    assert title.startswith("Table 2: Employment rate (ILO) — %; base: Phase-2 respondents [note 5]")
    assert "[note 5]" in title and "[note 7]" in title


def test_empty_rows_say_why_and_models_name_their_reference(books):
    wb = books["en"]
    _, rows = _table_rows(_sheet_of(wb, "Median monthly net income"))
    assert rows[0][4] == "[x]" and rows[0][-1].startswith("Not enough data: no phase-2 answer was accepted")
    _, rows = _table_rows(_sheet_of(wb, "Informal employment share"))
    assert rows[0][4] == "[x]" and rows[0][-1] == "Not measured: the cohort's survey did not ask these questions."
    header, rows = _table_rows(_sheet_of(wb, "Model: chance of being employed (odds ratios)"))
    assert header[:2] == ["Model term", "Reference category"]
    assert rows[0][:7] == ("Faculty or institute: Faculty of Law", "JASU College", 995, 0.31, 0.17, 0.56, 0.0)
    _, rows = _table_rows(_sheet_of(wb, "Model: monthly income (per cent effects)"))
    assert rows[0][-1] == ("Not enough data: too few respondents with complete data for the model (35; it needs at "
                           "least 50).")
    _, rows = _table_rows(_sheet_of(wb, "Open-data benchmarks"))
    assert rows[0][1] == "2025 (headline 'за 2025 год'; exact months not visible in excerpt)"
    assert rows[0][2:4] == ("https://example.org/nsc-wage", 34633)
    _, rows = _table_rows(_sheet_of(wb, "Other results"))
    assert rows[0][0] == "new_family:thing" and 0.123 in rows[0]
    _, rows = _table_rows(_sheet_of(wb, "Income: sensitivity to missing incomes (multiple imputation)"))
    assert rows[0][-1] == "20 imputations"  # not the unrounded count of missing incomes


def test_contents_link_every_sheet_and_notes_answer_every_marker(books):
    for lang, wb in books.items():
        contents = wb.worksheets[1]
        header, rows = _table_rows(contents)
        names = [r[0] for r in rows]
        assert names == wb.sheetnames[2:]  # the notes sheet, then every table sheet
        top = int(next(iter(contents.tables.values())).ref.split(":")[0][1:])
        for i, name in enumerate(names, start=top + 1):
            assert contents.cell(i, 1).hyperlink.location == f"'{name}'!A1", (lang, name)
        _, notes = _table_rows(wb.worksheets[2])
        numbers = {r[0] for r in notes}
        word = t("out_note_word", lang)
        assert numbers == {f"{word} {i}" for i in range(1, len(release.NOTES) + 1)}
        found = set()
        for ws in _table_sheets(wb):
            text = " ".join(str(c.value) for row in ws.iter_rows(max_row=8) for c in row if c.value)
            assert "[note" not in text or lang == "en", (lang, ws.title)  # markers in the sheet's language
            for m in re.findall(rf"\[{word} (\d+)\]", text):
                assert f"{word} {m}" in numbers, (lang, ws.title, m)
                found.add(m)
        assert {"1", "2", "3", "5", "14"} <= found


def test_sheet_names_are_short_unique_and_kyrgyz_is_intact(books, published):
    for lang, wb in books.items():
        assert all(len(n) <= 31 for n in wb.sheetnames)
        assert len({n.lower() for n in wb.sheetnames}) == len(wb.sheetnames)
        cover, contents, notes, names = sheet_names(plan(published), lang)
        assert wb.sheetnames == [cover, contents, notes, *names]
    ky = books["ky"]
    assert ky.sheetnames[:4] == ["Мукаба", "Мазмуну", "Эскертүүлөр", "Таблица_1"]
    ws = _sheet_of(ky, next(i for i in load_registry() if i.id == "employment_rate").label["ky"])
    header, rows = _table_rows(ws)
    assert header[0] == "Бөлүнүшү" and rows[1][1] == "Инженердик-техникалык факультет"
    assert header[2] == "n (жооп бергендер) [эскертүү 2]"
    assert "негизи: 2-этапта жооп бергендер" in ws["A1"].value
    law = next(r for r in rows if r[1] == "Юридика факультети")
    assert law[-1] == "Жашырылды: 23 адамдан азга негизделген пайыз."
    text = " ".join(str(c.value) for ws in ky.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert all(ch in text for ch in "ңөүҢӨҮ" if ch.islower())


def test_the_workbook_is_reproducible(cfg, published, tmp_path):
    a = write_workbook(cfg, "ky", tmp_path / "a.xlsx", published).read_bytes()
    b = write_workbook(cfg, "ky", tmp_path / "b.xlsx", published).read_bytes()
    assert a == b


# ----------------------------------------------------------------------------- the open data
@pytest.fixture
def package(cfg, published, tmp_path):
    return write_package(cfg, tmp_path / "open-data", published)


def _csv(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_data_package_validates_offline(package, monkeypatch):
    from frictionless import validate

    def no_network(*args, **kwargs):
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    report = validate(str(package))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert [task.stats["rows"] for task in report.tasks] == [len(ROWS) - 1, 1, 12]  # 12 indicator codes


def test_results_csv_round_trips_the_published_rows(package, published):
    rows = _csv(package.parent / "results.csv")
    assert list(rows[0]) == [f[0] for f in FIELDS]
    assert not {"se", "deff", "n_eff", "x", "weighting_changes", "unweighted_ci_method"} & set(rows[0])
    assert len(rows) == (published["basis"] != "open_data").sum()
    pub = published[published["basis"] != "open_data"].reset_index(drop=True)
    for rec, (_, row) in zip(rows, pub.iterrows()):
        assert (rec["indicator"], rec["domain"], rec["group"], rec["category"]) == (
            row["indicator"], row["domain"], row["group"], row["category"])
        assert rec["status"] == row["status"] and rec["rule"] == row["rule"]
        for col in ("estimate", "ci_low", "ci_high", "unweighted", "p_value"):
            want = shown(row[col], row["unit"], col)
            assert (float(rec[col]) if rec[col] else None) == want, (rec["indicator"], col)
        assert int(rec["n"]) == int(row["n"])
    emp = next(r for r in rows if r["indicator"] == "employment_rate" and r["domain"] == "all")
    assert (emp["estimate"], emp["ci_low"], emp["ci_high"], emp["n"], emp["population"]) == (
        "0.640", "0.611", "0.667", "1095", "2000")
    assert (emp["indicator_ky"], emp["indicator_en"]) == ("Жумуштуулуктун деңгээли (ЭЭУ)", "Employment rate (ILO)")
    law = next(r for r in rows if r["group"] == "LAW")
    assert (law["estimate"], law["status"], law["rule"], law["group_ru"]) == (
        "", "suppressed", "pct_base", "Юридический факультет")
    assert next(r for r in rows if r["indicator"] == "income_mi:median")["note"] == "m=20"
    assert next(r for r in rows if r["domain"] == "cohort_difference")["note"] == ""


def test_the_descriptor_carries_three_languages_licences_and_sources(package):
    desc = json.loads(package.read_text(encoding="utf-8"))
    assert desc["licenses"][0]["name"] == "CC-BY-4.0"
    res = {r["name"]: r for r in desc["resources"]}
    assert res["benchmarks"]["licenses"][0]["name"] == "CC-BY-NC-SA-4.0"
    assert set(desc["titles"]) == set(LANGS) and "titles" in desc["description"]
    for r in res.values():
        for f in r["schema"]["fields"]:
            assert set(f["titles"]) == set(LANGS) and set(f["descriptions"]) == set(LANGS), f["name"]
            assert f["title"] == f["titles"]["en"]
    fields = {f["name"]: f for f in res["results"]["schema"]["fields"]}
    assert fields["n"]["titles"]["ky"] == "n (жооп бергендер)" and fields["n"]["type"] == "integer"
    assert fields["status"]["constraints"]["enum"] == ["published", "suppressed"]
    assert fields["indicator_ky"]["titles"]["ky"] == "Көрсөткүчтүн аталышы (ky)"
    assert res["results"]["schema"]["primaryKey"] == ["indicator", "domain", "group", "category", "time"]
    titles = [s["title"] for s in desc["sources"]]
    assert titles[0].startswith("The university's graduate registry") and len(titles) == 4
    assert desc["sources"][-1] == {"title": t("out_source_nsc", "en"), "path": "https://example.org/nsc-wage",
                                   "licence": "CC-BY-NC-SA-4.0"}
    assert desc["disclosure"]["min_n"] == 10 and desc["disclosure"]["round_base"] == 5
    assert desc["synthetic"] is True and "ң" in json.dumps(desc, ensure_ascii=False)


def test_a_broken_foreign_key_fails_validation(package):
    from frictionless import validate

    ind = package.parent / "indicators.csv"
    lines = ind.read_text(encoding="utf-8").splitlines(keepends=True)
    ind.write_text("".join(line for line in lines if not line.startswith("employment_rate,")), encoding="utf-8")
    report = validate(str(package))
    assert not report.valid
    assert "foreign-key" in {e[0] for e in report.flatten(["type"])}


def test_the_licence_is_a_cohort_parameter(cfg, published, tmp_path):
    from dataclasses import replace

    desc = json.loads(write_package(replace(cfg, licence="CC0-1.0"), tmp_path / "cc0", published).read_text())
    assert desc["licenses"][0] == {"name": "CC0-1.0",
                                   "title": "Creative Commons Zero 1.0 Universal (public domain dedication)",
                                   "path": "https://creativecommons.org/publicdomain/zero/1.0/"}
    with pytest.raises(ConfigError, match=r"'licence' 'MIT' is not one of CC-BY-4.0"):
        config_from_dict({"cohort": "x", "graduation_year": 2025, "licence": "MIT",
                          "inputs": [{"path": "r.xlsx", "instrument": "registry", "format": "registry_xlsx"}]})


def test_the_personal_data_scan_reads_the_workbook_and_the_csv(cfg, tmp_path):
    leak = _published([{**W, "indicator": "employment_rate", "domain": "programme", "group": "Асанов Айбек",
                        "n": 30, "N": 40, "estimate": 0.5, "ci_low": 0.3, "ci_high": 0.7, "unweighted": 0.5}])
    xlsx = write_workbook(cfg, "ky", tmp_path / "leak.xlsx", leak)
    pkg = write_package(cfg, tmp_path / "od", leak)
    hits = scan_for_personal_data([xlsx, pkg.parent / "results.csv"], {"full_name": ["Асанов Айбек"]})
    assert sorted(h.file.name for h in hits) == ["leak.xlsx", "results.csv"]


def test_nothing_is_nan_or_infinite_in_the_workbook(books):
    for wb in books.values():
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                assert not any(isinstance(v, float) and not math.isfinite(v) for v in row)


def test_every_disclosure_rule_is_explained_in_three_languages():
    from analysis.core.i18n import LANGS, catalogue, t
    from analysis.publish.disclosure import RULE_CODES

    for code in RULE_CODES:
        assert f"out_rule_{code}" in catalogue(), code
        texts = {lang: t(f"out_rule_{code}", lang, min_n=10, pct_base=23, mean_n=2, business_n=3, business_p="10")
                 for lang in LANGS}
        assert all(texts.values()) and len(set(texts.values())) == 3, texts

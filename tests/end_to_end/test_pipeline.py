"""End to end: a tiny generated cohort goes through every stage notebook (papermill, fresh kernels) to
rendered, offline HTML reports in three languages — in a temporary project folder."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.slow

COHORT = "tiny-2025"  # the session cohort of tests/end_to_end/conftest.py


def test_every_stage_ran_and_reported_progress(run):
    proj, record, lines = run
    steps = [t["step"] for t in record.timings]
    assert any("01_ingest_validate" in s for s in steps) and any(s.startswith("render") for s in steps)
    assert any("done in" in line for line in lines)
    executed = proj / "reports" / COHORT / "executed"
    assert sorted(p.name for p in executed.glob("*.ipynb")) == [
        "01_ingest_validate.ipynb", "02_clean_derive.ipynb", "03_model.ipynb",
        "04_report.en.ipynb", "04_report.ky.ipynb", "04_report.ru.ipynb"]


@pytest.mark.parametrize("lang, words", [
    ("ky", ["бүтүрүүчү", "Маалыматтардын сапаты"]),
    ("ru", ["выпускник", "Качество данных"]),
    ("en", ["graduate", "Data quality"]),
])
def test_report_is_offline_codeless_and_in_the_language(run, lang, words):
    proj, _, _ = run
    html = (proj / "reports" / COHORT / f"report.{lang}.html").read_text(encoding="utf-8")
    for w in words:
        assert w.lower() in html.lower(), f"{lang}: '{w}' missing"
    assert f'lang="{lang}"' in html
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?(https?:)?//""", html), "network reference"
    assert not re.search(r'class="[^"]*jp-InputArea', html), "code input cells leaked into the report"
    assert "rep.section_employment()" not in html and "report.Report.load" not in html, "code leaked"
    charts = re.findall(r'<img[^>]+src="data:image/png;base64,', html)
    # a tiny cohort shows fewer charts (groups below the disclosure threshold are left out), never none
    assert len(charts) >= 3, f"expected the report's charts as embedded PNGs, found {len(charts)}"
    assert "&lt;Figure size" not in html and "<Figure size" not in html, "a chart was shown as text"
    text = re.sub(r"<[^>]+>", " ", html)
    assert "Traceback" not in text and "PapermillExecutionError" not in text

def test_kyrgyz_report_has_kyrgyz_letters_and_provenance(run):
    proj, _, _ = run
    html = (proj / "reports" / COHORT / "report.ky.html").read_text(encoding="utf-8")
    assert all(ch in html for ch in "ңөү")
    assert "sha256" in html.lower() or "SHA-256" in html
    assert "registry.xlsx" in html  # input files listed with checksums


def test_no_personal_data_leaves_raw(run):
    from analysis.privacy.scan import scan_for_personal_data
    from analysis.privacy.values import personal_values

    proj, _, _ = run
    import pandas as pd
    reg = pd.read_excel(proj / "data" / "raw" / COHORT / "registry.xlsx", dtype=str)
    values = personal_values(reg)
    files = [p for p in (proj / "data" / "processed").rglob("*") if p.is_file()] + \
            [p for p in (proj / "reports").rglob("*") if p.is_file()]
    hits = scan_for_personal_data(files, values)
    assert hits == [], [str(h) for h in hits[:5]]


def test_processed_files_are_byte_identical_on_rerun(run):
    from analysis.pipeline import stages

    proj, _, _ = run
    processed = proj / "data" / "processed" / COHORT
    before = {p: p.read_bytes() for p in sorted(processed.rglob("*.parquet")) if "results" not in p.parts}
    cfg = stages.config_for(COHORT, str(proj))
    stages.ingest_validate(cfg)
    stages.derive(cfg)
    after = {p: p.read_bytes() for p in before}
    changed = [str(p.relative_to(processed)) for p in before if before[p] != after[p]]
    assert not changed, f"not deterministic: {changed}"
    assert (processed / "graduates.parquet") in before


def test_research_entry_point_reads_the_cohort(run):
    from analysis import load_cohort

    proj, _, _ = run
    c = load_cohort(COHORT, lang="ky", project_root=proj)
    assert len(c.graduates) == 240
    assert c.graduates["resp_p2"].sum() > 0

"""The report as blocks (analysis.publish.blocks), its PDF (analysis.publish.pdf), the sections' outline and the
Report core on hand-made published rows: captions name their indicator and denominator, headings are numbered,
the summary says the five results with their intervals, legacy covariates read as their labels."""

from __future__ import annotations

import json
import re

import nbformat
import numpy as np
import pandas as pd
import pytest

from analysis.core.config import config_from_dict
from analysis.publish import blocks as B
from analysis.publish.pdf import typst_source, write_pdf
from analysis.publish.report import Labels, Report
from analysis.publish.sections import SECTIONS, outline, summary
from analysis.results.table import COLUMNS

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")  # 1×1 pixel


# ----------------------------------------------------------------------------- blocks
def test_blocks_render_escaped_html_with_captions_denominators_and_alt_text():
    table = B.Table(("Faculty", "n", "Share, %"), (("Law <&>", "85", "42.8%"), ("registry.xlsx", "1", "..")),
                    caption="Table 1. Employment rate (ILO), by faculty", indicator="Employment rate (ILO)",
                    denominator="% of phase-2 respondents", code_columns=(0,))
    html = B.to_html(table)
    assert '<caption><span class="tracer-caption">Table 1. Employment rate (ILO), by faculty</span>' in html
    assert '<span class="tracer-base">% of phase-2 respondents</span>' in html
    assert "<code>Law &lt;&amp;&gt;</code>" in html and '<td>42.8%</td>' in html
    fig = B.Figure(PNG, alt='Диаграмма: "ң"', caption="1-сүрөт.")
    assert 'alt="Диаграмма: &quot;ң&quot;"' in B.to_html(fig) and "<figcaption>1-сүрөт.</figcaption>" in B.to_html(fig)
    toc = B.Contents("Мазмуну", (("1.", "Иш", "sec-employment"),))
    assert '<a href="#sec-employment"><span class="num">1.</span> Иш</a>' in B.to_html(toc)
    assert B.to_html(B.Heading("Иш", 2, "sec-employment")) == '<h2 id="sec-employment">Иш</h2>'
    assert B.anchor_of("sec_employment") == "sec-employment"
    assert B.plain_text([table]).splitlines()[-1] == "1 | .."  # code columns are not prose


def test_blocks_travel_in_the_notebook_and_come_back_identical(tmp_path):
    blocks = [B.Heading("Title", 1, "report-title"), B.Paragraph("Маалымат жетишсиз", "nodata"),
              B.KeyFigures((B.Card("64,0%", "иштешет", "n = 1 095"),)),
              B.Table(("a", "b"), (("1", "2"),), caption="c", denominator="d", text_columns=(1,)),
              B.Figure(PNG, alt="alt ң", caption="cap"), B.Contents("C", (("", "S", "sec-summary"),)),
              B.PageBreak(), B.Verbatim('{"a": 1}')]
    outputs = []
    for b in blocks:
        data, meta = B.display_object(b)._repr_mimebundle_()
        outputs.append(nbformat.v4.new_output("display_data", data=data, metadata=meta))
    fig_data = outputs[4]["data"]
    assert "text/html" not in fig_data and outputs[4]["metadata"]["image/png"]["alt"] == "alt ң"  # PNG stored once
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=outputs)])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    assert B.blocks_from_notebook(path) == blocks


def test_typst_source_quotes_every_text_and_the_pdf_is_made_offline(tmp_path):
    text = 'a #b *c* _d_ $e$ @f <g> [h] "i" \\j ң'
    src, images = typst_source([B.Heading(text, 2, "sec-x"), B.Paragraph(text), B.Figure(PNG, alt=text, caption="c"),
                                B.Table(("k", "v"), ((text, "1"),), caption="t", denominator="d")],
                               "ky", "Тема", "demo")
    quoted = '"a #b *c* _d_ $e$ @f <g> [h] \\"i\\" \\\\j ң"'
    assert src.count(quoted) == 4  # heading, paragraph, alt text, table cell: string literals, never markup
    assert "#heading(level: 1)[#" + quoted + "] <sec-x>" in src and list(images) == ["figure-1.png"]
    out = tmp_path / "r.pdf"
    assert write_pdf([B.Heading("Бүтүрүүчүлөр", 1), B.Contents("Мазмуну", (("1.", "Иш", "sec-x"),)),
                      B.PageBreak(), B.Heading("Иш ң ө ү", 2, "sec-x"), B.Paragraph(text)], out, "ky", "Тема") == []
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF") and re.search(rb"/Count 2\b", pdf) and b"DejaVuSans" in pdf


# ----------------------------------------------------------------------------- outline
def test_outline_numbers_main_sections_and_letters_appendices_per_language():
    ky = outline("ky")
    keys = [k for k, _n, _a in ky]
    assert keys[0] == "sec_summary" and ky[0][1] == ""  # the summary is unnumbered, first
    assert [n for k, n, _a in ky if k in ("sec_employment", "sec_first_job")] == ["1.", "2."]
    assert dict((k, n) for k, n, _a in ky)["sec_methods"] == "А тиркеме."
    assert dict((k, n) for k, n, _a in outline("ru"))["sec_models"] == "Приложение В."
    assert dict((k, n) for k, n, _a in outline("en"))["sec_appendix_provenance"] == "Appendix I."
    assert len(keys) == len(set(keys)) == sum(1 for _m, k, _p in SECTIONS if k)


# ----------------------------------------------------------------------------- the Report core
def _rep(tmp_path, rows: list[dict], lang: str = "en", **cfg_kw) -> Report:
    files = [{"path": "r.csv", "instrument": "registry", "format": "registry_csv"},
             {"path": "p2.csv", "instrument": "phase2", "format": "kobo_csv", "mode": "online"}]
    cfg = config_from_dict({"cohort": "hand-2025", "graduation_year": 2025, "project_root": str(tmp_path),
                            "inputs": files, **cfg_kw})
    pub = pd.DataFrame(rows)
    for col in COLUMNS:
        if col not in pub.columns:
            pub[col] = "" if col in ("category", "note", "source", "basis", "ci_method") else np.nan
    pub["status"] = [r.get("status", "published") for r in rows] if rows else []
    pub["rule"] = ""
    rep = Report(cfg=cfg, lang=lang, numbers={k: n for k, n, _a in outline(lang)})
    rep.__dict__["published"] = pub
    rep.__dict__["labels"] = Labels(lang)
    return rep


def _share(ind, est, lo, hi, n, domain="all", group="all", unit="share", stat="share", **kw):
    return {"indicator": ind, "statistic": stat, "unit": unit, "domain": domain, "group": group, "n": n,
            "estimate": est, "ci_low": lo, "ci_high": hi, "unweighted": est, "basis": "weighted", **kw}


def test_headings_are_numbered_and_tables_name_indicator_and_denominator(tmp_path, monkeypatch):
    monkeypatch.setattr("analysis.publish.report._show", lambda obj: None)
    rep = _rep(tmp_path, [_share("employment_rate", 0.6125, 0.563, 0.663, 100, "faculty", "AGRI")])
    rep.labels.value = lambda domain, code: code
    rep.heading("sec_employment")
    rep.show_indicator_table("employment_rate", "faculty")
    rep.show_table(pd.DataFrame({"a": ["x"]}), caption="Second")
    heading, table, second = rep.blocks
    assert (heading.text, heading.anchor) == ("1. What are graduates doing now?", "sec-employment")
    assert table.caption == "Table 1. Employment rate (ILO), by faculty"
    assert (table.indicator, table.denominator) == ("Employment rate (ILO)", "% of phase-2 respondents")
    assert table.columns == ("Faculty", "n", "Share, %", "95% interval") and table.rows == (
        ("AGRI", "100", "61.3%", "56.3–66.3"),)
    assert second.caption == "Table 2. Second"
    # denominators: the catalogue's own, else by the indicator's universe
    assert rep.denominator("median_monthly_income") == "KGS, graduates in full-time paid work who gave an exact income"
    assert rep.denominator("working_abroad_share") == "% of employed respondents who answered"


def test_the_institution_is_a_cohort_parameter_with_the_catalogue_as_default(tmp_path):
    assert _rep(tmp_path, [], "ru").institution(short=True) == "ЖАГУ"
    assert _rep(tmp_path, [], "ky").institution().startswith("Б. Осмонов атындагы")
    own = {"ky": {"name": "Тренто университети (Италия)", "short": "Тренто университети"},
           "ru": "Университет Тренто", "en": {"name": "University of Trento (Italy)", "short": "University of Trento"}}
    assert _rep(tmp_path, [], "ky", institution=own).institution(short=True) == "Тренто университети"
    assert _rep(tmp_path, [], "ru", institution=own).institution(short=True) == "Университет Тренто"
    assert _rep(tmp_path, [], "en", institution="Osh State University").institution() == "Osh State University"
    with pytest.raises(Exception, match="'institution' must be a name"):
        _rep(tmp_path, [], "en", institution={"en": "only English"})


def test_covariate_labels_come_from_the_legacy_mapping_or_a_readable_name(tmp_path):
    raw = tmp_path / "data" / "raw" / "hand-2025"
    raw.mkdir(parents=True)
    (raw / "m.yaml").write_text(json.dumps({"covariates": {
        "gender": {"type": "category", "label": {"ky": "Жынысы", "ru": "Пол", "en": "Sex"},
                   "level_labels": {"Male": {"ky": "Эркек", "ru": "Мужской", "en": "Male"}}},
        "social_class": {"type": "category"}}}), encoding="utf-8")
    files = [{"path": "old.csv", "instrument": "phase2", "format": "legacy", "mapping": "m.yaml"}]
    cfg = config_from_dict({"cohort": "hand-2025", "graduation_year": 2025, "project_root": str(tmp_path),
                            "inputs": files})
    rep = Report(cfg=cfg, lang="ky")
    assert rep.term_label("x_gender=Male") == "Жынысы: Эркек"
    assert rep.var_label("x_social_class") == "Social class"  # no label: a readable name, never the code
    assert rep.labels.value("sex", "female+male") == "Аял / Эркек"  # a merged model level reads as its parts


def test_the_summary_says_five_results_with_their_intervals(tmp_path, monkeypatch):
    monkeypatch.setattr("analysis.publish.report._show", lambda obj: None)
    rows = [_share("employment_rate", 0.64, 0.611, 0.667, 1095),
            _share("horizontal_match_subjective_rate", 0.611, 0.576, 0.646, 700),
            _share("job_at_graduation_share", 0.331, 0.303, 0.358, 1095),
            _share("months_to_first_job_after_graduation", 2.4, 2.3, 3.2, 410, unit="months", stat="median"),
            _share("job_within_6_months_share", 0.70, 0.672, 0.728, 985),
            _share("median_monthly_income", 19000, 18500, 20000, 465, unit="KGS", stat="median"),
            _share("income_relative_to_oblast_wage", 0.55, 0.53, 0.58, 465, unit="ratio", stat="median"),
            {"indicator": "context:oblast_average_wage", "statistic": "value", "unit": "KGS", "domain": "all",
             "group": "all", "estimate": 34633.0, "basis": "open_data", "note": "period=2025 (excerpt note)"},
            _share("response_rate_p2", 0.548, np.nan, np.nan, 2000, basis="census"),
            {"indicator": "count:graduates", "statistic": "total", "unit": "count", "domain": "all",
             "group": "all", "n": 2000, "estimate": 2000.0, "basis": "census"},
            {"indicator": "count:respondents_p2", "statistic": "total", "unit": "count", "domain": "all",
             "group": "all", "n": 1095, "estimate": 1095.0, "basis": "census"}]
    rep = _rep(tmp_path, rows, targets={"phase2_response": 0.6})
    summary.render(rep)
    lines = [b.text for b in rep.blocks if isinstance(b, B.Paragraph) and b.text[:2] in ("1.", "2.", "3.", "4.", "5.")]
    assert lines == [
        "1. 9 months after graduation, 64.0% of the graduates who answered the follow-up survey are in work "
        "(95%: 61.1–66.7; n = 1,095).",
        "2. Of those in work, 61.1% say they work in their field of study (95%: 57.6–64.6; n = 700).",
        "3. 33.1% had a job at graduation (95%: 30.3–35.8; n = 1,095). Of the others, those who found a job later "
        "took a median of 2.4 months (95%: 2.3–3.2; n = 410). Of those who could look for work, 70.0% had a job "
        "within 6 months of graduation (95%: 67.2–72.8; n = 985).",
        "4. Graduates in full-time paid work earn a median of 19,000 KGS a month, net (95%: 18,500–20,000; n = 465). "
        "That is 0.55 times the average wage in Jalal-Abad oblast (34,633 KGS, before tax).",
        "5. 1,095 of the 2,000 graduates in the registry (54.8%) answered the follow-up survey; the estimates are "
        "weighted to describe all graduates. The target (60%) was missed: read the results with care."]
    cards = next(b for b in rep.blocks if isinstance(b, B.KeyFigures)).cards
    assert [c.value for c in cards] == ["64.0%", "61.1%", "33.1%", "70.0%", "19,000 KGS", "54.8%"]
    assert "excerpt" not in rep.text()  # the benchmark's period note never reaches the reader

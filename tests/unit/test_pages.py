"""The pages per faculty and programme (analysis.publish.pages) on a hand-made published table: the values with n
and intervals, ``..`` with the rule in words, "n of k graduates answered", the pooled column and its sentence (rows of
domain ``programme_pooled`` — written here by hand, before the trends stage makes them), the "not pooled" line of a
small programme, the light with its reason, links that resolve, alt texts, and no English in the Kyrgyz pages."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core.config import config_from_dict
from analysis.publish.pages import page_report, pooled_cohorts, write_pages
from analysis.results.table import COLUMNS

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _row(ind, domain, group, est, lo, hi, n, unit="share", status="published", rule="", note="", **kw):
    return {"indicator": ind, "statistic": "share" if unit == "share" else "value", "unit": unit, "domain": domain,
            "group": group, "n": n, "estimate": est if status == "published" else np.nan,
            "ci_low": lo if status == "published" else np.nan, "ci_high": hi if status == "published" else np.nan,
            "basis": "weighted", "status": status, "rule": rule, "note": note, "category": "", **kw}


ROWS = [
    _row("count:graduates", "all", "all", 200, np.nan, np.nan, 200, unit="count"),
    _row("count:respondents_p2", "all", "all", 120, np.nan, np.nan, 120, unit="count"),
    _row("employment_rate", "all", "all", 0.64, 0.60, 0.68, 120),
    _row("employment_rate", "faculty", "ENG", 0.70, 0.64, 0.76, 75),
    _row("employment_rate", "programme", "ENG-CIV-B", np.nan, np.nan, np.nan, 15, status="suppressed",
         rule="pct_base"),
    _row("employment_rate", "programme", "ENG-INF-B", 0.72, 0.66, 0.78, 45),
    _row("employment_rate", "programme", "ENG-POW-B", 0.65, 0.45, 0.81, 25),
    _row("employment_rate", "programme_pooled", "ENG-CIV-B", 0.66, 0.55, 0.76, 40,
         note="cohorts=demo-2023,demo-2024,demo-2025"),
    _row("median_monthly_income", "programme", "ENG-CIV-B", 23000, 15000, 32000, 10, unit="KGS"),
    _row("median_monthly_income", "all", "all", 19000, 18500, 20000, 465, unit="KGS"),
    _row("response_rate_p2", "all", "all", 0.60, np.nan, np.nan, 200),
    _row("response_rate_p2", "faculty", "ENG", 0.625, np.nan, np.nan, 120),
    _row("response_rate_p2", "programme", "ENG-CIV-B", 0.30, np.nan, np.nan, 50),
    _row("response_rate_p2", "programme", "ENG-INF-B", 0.90, np.nan, np.nan, 50),
    _row("response_rate_p2", "programme", "ENG-POW-B", 0.833, np.nan, np.nan, 30),
    {**_row("labour:light", "programme", "ENG-INF-B", np.nan, np.nan, np.nan, 45,
            note="reason=amber_no_signal; drivers=; occupation=2512"), "category": "amber", "unit": ""},
]
HIERARCHY = pd.DataFrame({"domain": ["faculty", "programme", "programme", "programme", "programme"],
                          "group": ["ENG", "ENG-CIV-B", "ENG-INF-B", "ENG-POW-B", "ENG-INF-B"],
                          "parent_domain": ["all", "faculty", "faculty", "faculty", "isco"],
                          "parent_group": ["all", "ENG", "ENG", "ENG", "2512"]})  # a programme is also in an occupation


def _published(rows=ROWS) -> pd.DataFrame:
    pub = pd.DataFrame(rows)
    for col in COLUMNS:
        if col not in pub.columns:
            pub[col] = "" if col in ("category", "note", "source", "basis", "ci_method") else np.nan
    return pub


@pytest.fixture
def cfg(tmp_path):
    files = [{"path": "r.csv", "instrument": "registry", "format": "registry_csv"},
             {"path": "p2.csv", "instrument": "phase2", "format": "kobo_csv", "mode": "online"}]
    return config_from_dict({"cohort": "hand-2025", "graduation_year": 2025, "project_root": str(tmp_path),
                             "inputs": files})


class _Page(HTMLParser):
    """Visible text (without code), alt texts and link targets of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text, self.alts, self.links, self.skip = [], [], [], 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.alts.append(a.get("alt"))
        if tag == "a":
            self.links.append(a.get("href"))
        if tag in ("code", "style", "title", "script"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("code", "style", "title", "script"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.text.append(data)


def _read(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _text(path: Path) -> str:
    return " ".join(" ".join(_read(path).text).split())


def test_a_programme_page_shows_it_against_faculty_and_university_with_n_intervals_and_suppression(cfg, tmp_path):
    out = tmp_path / "pages" / "en"
    index = write_pages(cfg, "en", published=_published(), hierarchy=HIERARCHY, out=out)
    assert index == out / "index.html"
    assert sorted(p.name for p in out.iterdir()) == ["faculty-ENG.html", "index.html", "programme-ENG-CIV-B.html",
                                                     "programme-ENG-INF-B.html", "programme-ENG-POW-B.html"]
    inf = _text(out / "programme-ENG-INF-B.html")
    assert "45 of 50 graduates answered the survey 9 months after graduation." in inf
    # programme | faculty | university, each with its interval and n (counts as published)
    assert "Employment rate (ILO) 72.0% (66.0–78.0), n = 45 70.0% (64.0–76.0), n = 75 64.0% (60.0–68.0), n = 120" in inf
    assert "Labour-market light: amber No clear signal: the sources are neutral." in inf
    assert "Not pooled" not in inf and "pooled" not in inf.replace("pooled over", "")  # 45 ≥ 3 × 10 respondents
    civ = _text(out / "programme-ENG-CIV-B.html")
    assert "15 of 50 graduates answered" in civ
    # suppressed: "..", and the rule in words, naming the indicator
    assert "Employment rate (ILO) .. 66.0% (55.0–76.0), n = 40 70.0% (64.0–76.0), n = 75" in civ
    assert ("Indicators shown as “..” (Employment rate (ILO)): Suppressed: a percentage based on fewer than 23 "
            "people.") in civ
    assert "23,000 KGS (15,000–32,000), n = 10" in civ  # a median in som
    assert "Light" not in civ  # no light published for it: nothing said


def test_pooled_rows_get_their_own_column_and_one_sentence_and_a_small_programme_says_it_is_not_pooled(cfg, tmp_path):
    rep = page_report(cfg, "en", _published())
    assert pooled_cohorts(rep, "ENG-CIV-B") == ["demo-2023", "demo-2024", "demo-2025"]
    assert pooled_cohorts(rep, "ENG-POW-B") == []
    out = tmp_path / "pages" / "en"
    write_pages(cfg, "en", published=_published(), hierarchy=HIERARCHY, out=out)
    html = (out / "programme-ENG-CIV-B.html").read_text(encoding="utf-8")
    assert '<th scope="col">Programme, 3 cohorts pooled</th>' in html
    assert ("so the column “Programme, 3 cohorts pooled” pools 3 cohorts (<code>demo-2023</code>, "
            "<code>demo-2024</code>, <code>demo-2025</code>)") in html.replace("&quot;", "\"")
    assert "Not pooled" not in html
    pow_ = _text(out / "programme-ENG-POW-B.html")  # 25 respondents < 3 × 10, no pooled row
    assert "Not pooled: no earlier cohort has been run (the programme has fewer than 30 respondents)." in pow_
    assert "cohorts pooled" not in pow_
    # without the pooled rows the column and the sentence disappear
    write_pages(cfg, "en", published=_published([r for r in ROWS if r["domain"] != "programme_pooled"]),
                hierarchy=HIERARCHY, out=out)
    civ = _text(out / "programme-ENG-CIV-B.html")
    assert "cohorts pooled" not in civ and "Not pooled: no earlier cohort has been run" in civ


def test_the_index_links_resolve_and_every_chart_has_alt_text(cfg, tmp_path):
    out = tmp_path / "pages" / "ru"
    write_pages(cfg, "ru", published=_published(), hierarchy=HIERARCHY, out=out)
    index = _read(out / "index.html")
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.index('href="faculty-ENG.html"') < html.index('href="programme-ENG-INF-B.html"')  # under its faculty
    assert "По программам" not in html  # no programme without its faculty
    assert sorted(set(index.links)) == ["faculty-ENG.html", "programme-ENG-CIV-B.html", "programme-ENG-INF-B.html",
                                        "programme-ENG-POW-B.html"]
    text = _text(out / "index.html")
    assert "На опрос через 9 месяцев после выпуска ответили 120 из 200 выпускников." in text
    for page in out.glob("*.html"):
        parsed = _read(page)
        for link in parsed.links:
            assert (out / link.split("#")[0]).is_file(), (page.name, link)
    charts = [a for p in out.glob("*.html") for a in _read(p).alts]
    assert len(charts) == 3  # the faculty page, ENG-INF-B and ENG-POW-B; none where the own rate is ".."
    assert all(a and "Уровень занятости (МОТ)" in a and "95" in a for a in charts), charts
    faculty = _read(out / "faculty-ENG.html").alts[0]
    assert faculty.startswith("Диаграмма: Уровень занятости (МОТ): факультет и университет. 2 ")


def test_kyrgyz_pages_have_no_english_words(cfg, tmp_path):
    out = tmp_path / "pages" / "ky"
    write_pages(cfg, "ky", published=_published(), hierarchy=HIERARCHY, out=out)
    for page in out.glob("*.html"):
        parsed = _read(page)
        words = sorted({w for w in LATIN_WORD.findall(" ".join(parsed.text + [a or "" for a in parsed.alts]))})
        assert words == [], (page.name, words)
    civ = _text(out / "programme-ENG-CIV-B.html")
    assert "50 бүтүрүүчүдөн 15 адам бүтүргөндөн 9 ай өткөндөгү сурамжылоого жооп берди." in civ
    assert "«..» деп белгиленген көрсөткүчтөр (Жумуштуулуктун деңгээли (ЭЭУ)): Жашырылды:" in civ


def test_a_cohort_without_registry_or_faculties_gets_an_index_that_says_so(tmp_path):
    files = [{"path": "p2.csv", "instrument": "phase2", "format": "kobo_csv", "mode": "online"}]
    cfg = config_from_dict({"cohort": "hand-2013", "graduation_year": 2013, "project_root": str(tmp_path),
                            "inputs": files})
    rows = [_row("count:respondents_p2", "all", "all", 3280, np.nan, np.nan, 3280, unit="count"),
            _row("employment_rate", "all", "all", 0.64, 0.62, 0.66, 3280)]
    out = tmp_path / "pages" / "en"
    write_pages(cfg, "en", published=_published(rows), hierarchy=HIERARCHY.iloc[:0], out=out)
    assert [p.name for p in out.iterdir()] == ["index.html"]
    text = _text(out / "index.html")
    assert "3,280 graduates answered the survey 9 months after graduation." in text  # no "of k": no registry
    assert "This cohort has no breakdown by faculty and programme (no graduate registry)." in text


def test_the_catalogue_of_the_pages_and_slides_has_no_english_in_kyrgyz_and_russian():
    import yaml

    from analysis.core.paths import DEFINITIONS
    bad = {}
    for name in ("pages.yaml", "slides.yaml"):
        for key, texts in yaml.safe_load((DEFINITIONS / "messages" / name).read_text(encoding="utf-8")).items():
            for lang in ("ky", "ru"):
                words = LATIN_WORD.findall(re.sub(r"\{\w+\}", " ", texts[lang]))
                if words:
                    bad[f"{name}:{key}:{lang}"] = words
    assert not bad, bad

"""The report read as its readers read it: no English in the Kyrgyz and Russian reports (Latin-script words outside
a short list of standard acronyms), no raw codes, no internal notes, alt text on every chart in the report's
language, a linked table of contents, every table with its caption and denominator, the summary first; the PDF
next to the HTML; a quiet, logged run.

The rendered checks use the tiny cohort of ``conftest.py`` (ky, ru, en through every stage notebook); the check of
the message catalogue itself is fast (no notebook run).

The language rule: a *word* is a run of two or more Latin letters (single letters are statistical symbols: n, N,
p). Text in ``<code>``, ``<pre>`` and elements marked with another language (``lang="en"``: bibliographic
references) is left out — file names, checksums, parameters and cited standards are identifiers, not prose.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

COHORT = "tiny-2025"
LATIN_OK = frozenset({"ISCO", "ISCED", "HESA", "NACE", "QILT", "AlmaLaurea", "GPA", "ID", "SHA", "Python",
                      # product names in answer options, and the names of methods written the same in every language
                      "Excel", "Telegram", "WhatsApp", "Instagram", "IT", "TF", "IDF", "NMF", "SE"})
"""Latin words allowed in ky and ru: classifications and standards known by their acronyms (ISCO, ISCED, NACE,
HESA, QILT), the AlmaLaurea consortium's name, the grade point average (GPA), the student ID of the
questionnaires, the SHA-256 checksum and the Python language."""
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
RAW_CODE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b|\b[a-z_]{2,}\+[a-z_]{2,}")
INTERNAL = re.compile(r"excerpt|TODO|FIXME|XXX|not visible|No description has been provided", re.I)


class _Visible(HTMLParser):
    """The visible text of a page, without code, preformatted text and foreign-language elements; plus the alt
    text of every image, the ids of the page and the targets of its internal links."""

    SKIP = {"style", "script", "code", "pre", "head", "title"}
    VOID = {"img", "br", "hr", "meta", "link", "input", "col", "wbr", "source"}

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang, self.stack, self.text = lang, [], []
        self.alts: list[str | None] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.captions = 0
        self.tables = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "img":
            self.alts.append(a.get("alt"))
        if tag == "a" and (a.get("href") or "").startswith("#"):
            self.links.append(a["href"][1:])
        if tag == "table":
            self.tables += 1
        if tag == "caption":
            self.captions += 1
        if tag in self.VOID:
            return
        foreign = "lang" in a and a["lang"] != self.lang
        self.stack.append(tag in self.SKIP or foreign)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not any(self.stack):
            self.text.append(data)


def _page(proj: Path, lang: str) -> _Visible:
    parser = _Visible(lang)
    parser.feed((proj / "reports" / COHORT / f"report.{lang}.html").read_text(encoding="utf-8"))
    return parser


def _latin_words(text: str) -> list[str]:
    return sorted({w for w in LATIN_WORD.findall(text) if w not in LATIN_OK})


def test_the_report_catalogue_has_no_english_in_kyrgyz_and_russian():
    """Fast: every message the report uses (report.yaml, glossary.yaml), in ky and ru, placeholders removed."""
    folder = Path(__file__).resolve().parents[2] / "src" / "analysis" / "definitions" / "messages"
    bad = {}
    for name in ("report.yaml", "glossary.yaml"):
        for key, texts in yaml.safe_load((folder / name).read_text(encoding="utf-8")).items():
            for lang in ("ky", "ru"):
                words = _latin_words(re.sub(r"\{\w+\}", " ", texts[lang]))
                if words:
                    bad[f"{name}:{key}:{lang}"] = words
    assert not bad, bad


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_kyrgyz_and_russian_reports_have_no_english_codes_or_notes(run, lang):
    proj, _, _ = run
    page = _page(proj, lang)
    text = " ".join(page.text)
    assert _latin_words(text) == [], f"{lang}: Latin words outside the list"
    alts = " ".join(a or "" for a in page.alts)
    assert _latin_words(alts) == [], f"{lang}: Latin words in alt texts"
    for found in (RAW_CODE.findall(text + " " + alts), INTERNAL.findall(text + " " + alts)):
        assert not found, f"{lang}: {found[:5]}"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ky", "ru", "en"])
def test_every_chart_has_alt_text_and_every_table_a_caption_and_the_contents_link(run, lang):
    proj, _, _ = run
    page = _page(proj, lang)
    assert len(page.alts) >= 3 and all(a and len(a) > 20 for a in page.alts), page.alts
    assert page.tables >= 5 and page.captions == page.tables  # every table names what it shows
    assert len(page.links) >= 10 and set(page.links) <= page.ids  # the contents: every link has its target
    text = " ".join(" ".join(page.text).split())
    if lang == "en":
        assert not RAW_CODE.findall(text) and not INTERNAL.findall(text)
        summary, contents = text.index("Summary"), text.index("Contents")
        assert summary < contents < text.index("1. What are graduates doing now?") < text.index("Appendix A.")
        # time to a first job as two figures a reader can take in, and the denominator sentence
        assert "had a job at graduation" in text and "took a median of" in text
        assert "that is why the table’s share is higher than the curve at 6 months" in text
        assert "Median months to first job 0" not in text[:summary + 4000]


@pytest.mark.slow
def test_the_pdf_stands_next_to_the_html_and_the_run_is_quiet_and_logged(run):
    proj, record, lines = run
    out = proj / "reports" / COHORT
    for lang in ("ky", "ru", "en"):
        pdf = (out / f"report.{lang}.pdf").read_bytes()
        pages = int(re.search(rb"/Count (\d+)", pdf).group(1))
        assert pdf.startswith(b"%PDF") and pages >= 8 and b"DejaVuSans" in pdf, (lang, pages)
    assert {s["step"] for s in record.timings} >= {"pdf ky", "pdf ru", "pdf en", "render ky"}
    log = (out / "run.log").read_text(encoding="utf-8")
    assert all(line in log for line in lines)  # every line the run printed
    assert "timings (seconds):" in log and re.search(r"\d+\.\d\d  pdf ky", log)
    assert "without encryption" not in log and not any("without encryption" in line for line in lines)

"""End to end: cohorts nobody tuned for. Each case is a small generated demo cohort, edited to lack something
(:mod:`thin_cohorts`): an instrument, a faculty or sex, the incomes, the dates, every phase-2 row. The whole
pipeline must run to the reports in ky/ru/en, every section without data must say why in one line in the
report's language, no Python error may reach the HTML, and the published table must pass the attack check.

Most cases run the stage notebooks' own code in this process (:func:`thin_cohorts.run_inline`, about four
times faster than fresh kernels); two run the real notebooks through ``tracer run`` (papermill).
"""

from __future__ import annotations

import html as htmllib
import re
import time
from pathlib import Path

import pandas as pd
import pytest
import thin_cohorts as tc

pytestmark = pytest.mark.slow

LANGS = ("ky", "ru", "en")
TIMINGS: dict[str, float] = {}

#: the reasons (``why_<code>`` of the message catalogue) each case must show, and how often at least
EXPECTED: dict[str, dict[str, int]] = {
    "small": {"suppressed": 3, "model_too_few": 1},
    "no_employers": {"no_employer_file": 1},
    "no_phase1": {"no_phase1_file": 2},          # competences, programme feedback
    "one_faculty": {"one_group": 1},
    "one_sex": {"suppressed": 1},
    "no_incomes": {"no_incomes": 1},
    "no_dates": {"no_dates": 1},
    "phase2_quarantined": {"no_phase2": 7},      # employment, first job, income, match, competences, feedback, models
    "no_phase2": {"no_phase2_file": 8},          # … and the data-quality table of response by mode
}
#: cohort size per case: 40 graduates, except where the reason only shows once groups are publishable
SIZES = {"one_faculty": 200}
#: the cases run through ``tracer run`` (papermill, fresh kernels, three languages); the others in process
NOTEBOOK_CASES = ("no_phase2",)
ERROR_TEXT = re.compile(r"Traceback|\w+Error\b|\w+Warning\b|Exception|\bnan\b|\bNaN\b|<NA>|\bNone\b|\bfailed: "
                        r"|Empty DataFrame|\(\)|\{\w+\}")


def _expected_text(code: str, lang: str) -> str:
    """The one line a section shows, from the message catalogue (the same fields the report fills)."""
    from analysis.core.i18n import t
    from analysis.publish.formatting import fmt_pct

    why = t(f"why_{code}", lang, min_n=10, pct_base=23, need=fmt_pct(0.8, lang, 0), n="", reason="")
    return t("nodata", lang, why=why)


def _text(page: str) -> str:
    """The visible text of a report page (tags, styles and scripts removed, entities decoded)."""
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.DOTALL)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("thin")


def _run(base: Path, case: str, monkeypatch) -> tuple[Path, str, dict[str, str]]:
    t0 = time.perf_counter()
    proj, cohort = tc.make_project(base, case, SIZES.get(case, tc.N_GRADUATES))
    if case in NOTEBOOK_CASES:
        from analysis.cli import main

        monkeypatch.setenv("TRACER_PROJECT_ROOT", str(proj))
        assert main(["run", cohort, "--lang", ",".join(LANGS)]) == 0  # the exit code of `tracer run`
        pages = {lang: (proj / "reports" / cohort / f"report.{lang}.html").read_text(encoding="utf-8")
                 for lang in LANGS}
    else:
        pages = tc.run_inline(proj, cohort, LANGS)
    TIMINGS[case] = time.perf_counter() - t0
    return proj, cohort, pages


@pytest.mark.parametrize("case", list(tc.CASES))
def test_thin_cohort_runs_to_reports_that_say_why(base, case, monkeypatch):
    from analysis.publish.disclosure import check_publication
    from analysis.results.families import ALIASES, DISTRIBUTIONS

    proj, cohort, pages = _run(base, case, monkeypatch)
    for lang in LANGS:
        text = _text(pages[lang])
        assert len(text) > 2000, f"{case}/{lang}: the report is (nearly) empty"
        for code, times in EXPECTED[case].items():
            line = _expected_text(code, lang).split("{")[0]
            if code == "model_too_few":
                line = line.split("(")[0]
            found = text.count(line)
            assert found >= times, f"{case}/{lang}: '{line}' shown {found}×, expected at least {times}×"
        bad = ERROR_TEXT.search(text)
        around = text[max(0, bad.start() - 80):bad.end() + 80] if bad else ""
        assert bad is None, f"{case}/{lang}: error text in the report: …{around}…"
        assert "Not enough data" not in text or lang == "en", f"{case}/{lang}: English reason in another language"
    results = proj / "data" / "processed" / cohort / "results"
    pub = pd.read_parquet(results / "published.parquet")
    check_publication(pub, pd.read_parquet(results / "hierarchy.parquet"), distributions=DISTRIBUTIONS,
                      aliases=ALIASES)
    failed = pub[pub["note"].str.startswith("failed:") & ~pub["indicator"].str.startswith("model:")]
    assert failed.empty, f"{case}: computations that raised: {failed[['indicator', 'note']].to_dict('records')}"


def test_the_english_lines_read_as_written(base):
    """The English wording of the main reasons, literally (the catalogue could drift into nonsense)."""
    assert _expected_text("no_phase2_file", "en") == ("Not enough data: this cohort has no phase-2 (follow-up survey) "
                                                      "file.")
    assert _expected_text("no_dates", "en") == ("Not enough data: fewer than 80% of those who found a job gave the "
                                                "month it started.")
    assert _expected_text("suppressed", "en") == ("Not enough data: every group is too small to publish (disclosure "
                                                  "control: at least 10 respondents, 23 for a percentage).")
    assert _expected_text("no_phase2", "ru").startswith("Недостаточно данных: ни один ответ 2-го этапа не принят")
    assert _expected_text("no_incomes", "ky").startswith("Маалымат жетишсиз: ")


def test_matrix_time_is_reported(base):
    """Prints the time of each case (``-s`` or ``-rA`` to see it). Not a timed test: the time depends on the
    machine's load; ``make bench`` measures speed."""
    if not TIMINGS:
        pytest.skip("no case ran in this session")
    total = sum(TIMINGS.values())
    print("thin-cohort matrix: " + ", ".join(f"{k} {v:.1f} s" for k, v in TIMINGS.items()) + f"; total {total:.1f} s")
    assert set(TIMINGS) <= set(tc.CASES) and all(v > 0 for v in TIMINGS.values())

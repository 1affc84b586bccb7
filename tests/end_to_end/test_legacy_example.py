"""End to end: the Trento example (real legacy microdata, no registry, no ids) through `tracer run` —
every stage notebook from a fresh kernel — to readable reports in Kyrgyz, Russian and English.

Reference values: 2,854 of 3,282 graduates employed (87.0 %; published n rounded to 3,280), Wilson 95 %
interval 85.8–88.1 %; odds ratios of the employment logit (maximum likelihood, statsmodels Logit on the
raw file): male 1.60, final grade high 1.06 / low 0.89 (vs average), school score 1.02 per point.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

COHORT = "trento-2013"


@pytest.fixture(scope="module")
def trento_run(tmp_path_factory):
    from analysis.pipeline.run import run_cohort

    root = Path(__file__).resolve().parents[2]
    proj = tmp_path_factory.mktemp("legacy-project")
    for folder in ("notebooks", "questionnaires", "expectations"):
        shutil.copytree(root / folder, proj / folder, ignore=shutil.ignore_patterns("uncommitted", ".ipynb*"))
    shutil.copy(root / "pyproject.toml", proj / "pyproject.toml")
    (proj / "cohorts" / "examples").mkdir(parents=True)
    shutil.copy(root / "cohorts" / "examples" / f"{COHORT}.yaml", proj / "cohorts" / "examples")
    shutil.copytree(root / "data" / "raw" / COHORT, proj / "data" / "raw" / COHORT)
    shutil.copytree(root / "data" / "raw" / "open", proj / "data" / "raw" / "open")
    mp = pytest.MonkeyPatch()
    mp.setenv("TRACER_PROJECT_ROOT", str(proj))
    mp.setenv("TRACER_PSEUDONYM_KEY", "cd" * 32)
    lines: list[str] = []
    try:
        record = run_cohort(COHORT, ("ky", "ru", "en"), root=proj, log=lines.append)
    finally:
        mp.undo()
    return proj, record, lines


def _text(proj: Path, lang: str, verbatim: bool = True) -> str:
    raw = (proj / "reports" / COHORT / f"report.{lang}.html").read_text(encoding="utf-8")
    raw = re.sub(r"<style.*?</style>", " ", raw, flags=re.S)
    if not verbatim:  # the parameters of the run, shown as identifiers in the provenance appendix
        raw = re.sub(r"<pre>.*?</pre>", " ", raw, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", raw)))


def test_the_run_prints_every_notice_and_ends_in_three_reports(trento_run):
    proj, record, lines = trento_run
    assert any(s["step"] == "render en" for s in record.timings)
    for lang in ("ky", "ru", "en"):
        assert (proj / "reports" / COHORT / f"report.{lang}.html").is_file()
    notices = [line for line in lines if line.startswith("  INFO ") or line.startswith("  WARNING ")]
    assert any("row id 'student_id' generated from the row number (e.g. TN-0001) [3282]" in n for n in notices)
    assert any("no graduate registry" in n for n in notices)
    assert any("personal-data scan of data/processed/trento-2013/ and reports/trento-2013/: clean" in line
               for line in lines)  # no registry: the survey files' identifiers are scanned (none here)


@pytest.mark.parametrize("lang, rate, n, interval, odds, no_registry, terms", [
    ("en", "87.0%", "3,280", "85.8–88.1", ["1.60", "1.06", "0.89", "1.02"], "no graduate registry",
     ["Sex: Male", "Final degree mark: high", "Final degree mark: low", "High-school final score (per point)"]),
    ("ru", "87,0", "3 280", "85,8–88,1", ["1,60", "1,06", "0,89", "1,02"], "нет реестра выпускников",
     ["Пол: Мужской", "Итоговая оценка диплома: высокая", "Итоговая оценка диплома: низкая",
      "Балл выпускного экзамена школы (на 1 балл)"]),
    ("ky", "87,0", "3 280", "85,8–88,1", ["1,60", "1,06", "0,89", "1,02"], "бүтүрүүчүлөр реестри жок",
     ["Жынысы: Эркек", "Дипломдун баасы: жогору", "Дипломдун баасы: төмөн", "Мектепти бүтүрүүдөгү балл (бир баллга)"]),
])
def test_the_report_states_the_employment_rate_and_the_logit_with_the_covariates(trento_run, lang, rate, n,
                                                                                   interval, odds, no_registry,
                                                                                   terms):
    proj, _, _ = trento_run
    text = _text(proj, lang).replace("\u00a0", " ").replace("\u202f", " ")
    assert "Traceback" not in text and "PapermillExecutionError" not in text
    # the employment rate with its n and interval, in the all-indicators table
    assert re.search(rf"{re.escape(n)} {re.escape(rate)}\s*%? {re.escape(interval)}", text), lang
    # the no-registry caveat, in one line
    assert no_registry in text
    # the employment logit with the legacy covariates, named by the mapping's labels in the report's language
    # (never x_gender): odds ratios with their intervals, called unweighted (there are no weights)
    start = text.index(terms[0])
    block = text[start:text.index(terms[3], start) + len(terms[3]) + 20]
    for value in odds:
        assert value in block, (lang, value, block)
    assert all(term in block for term in terms), (lang, block)
    prose = _text(proj, lang, verbatim=False)
    assert "x_gender" not in prose and "x_finalgrade" not in prose
    assert {"en": "unweighted", "ru": "без взвешивания", "ky": "салмаксыз"}[lang] in text
    # the institution of the cohort, not the default
    assert {"en": "University of Trento", "ru": "Университет Тренто", "ky": "Тренто университети"}[lang] in text
    assert "Jalal-Abad State" not in text and "Джалал-Абадский" not in text
    # questions the Trento survey never asked are "not measured", never 0 %
    assert {"en": "not measured", "ru": "не измерялось", "ky": "өлчөнгөн эмес"}[lang] in text

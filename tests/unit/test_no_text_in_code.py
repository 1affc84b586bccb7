"""No Kyrgyz or Russian text in the code: every human-readable text lives in the catalogues.

The texts people read — report prose, notices, validation messages, questionnaire and workbook texts,
labels — are in ``src/analysis/definitions/`` (``messages/*.yaml``, ``labels.yaml``), three languages side
by side. This test parses every module under ``src/analysis`` and fails on a Python string literal with a
Cyrillic letter outside docstrings (comments are not string literals), except the short list below.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

from analysis.core.i18n import LANGS
from analysis.core.paths import DEFINITIONS, PACKAGE_DIR
from analysis.publish.labels import DERIVED_VALUE_LABELS, DERIVED_VARIABLE_LABELS

CYRILLIC = re.compile(r"[\u0400-\u04FF]")

#: module → the Cyrillic string literals it may hold, each with its reason. None of them is a text shown to
#: people in one language that would need the others: they are vocabularies matched in the DATA, regexes,
#: or English sentences naming Kyrgyz letters.
ALLOWED: dict[str, set[str]] = {
    # words respondents type that mean "ticked" in the entry workbook's option columns (input vocabulary)
    "ingest/canonical.py": {"ооба", "да"},
    # a regex character class of the letters of the three languages (tokens of a header)
    "ingest/headers.py": {"[^0-9a-zа-яёңөү]+"},
    # the Cyrillic code block and the letters a wrong code page makes of ң ө ү (detection of lost letters)
    "ingest/encoding.py": {"Ѐ-ӿ", "ѕґїЅҐЇ"},
    # placeholder answers that are no personal value ("none", "unknown" in ky/ru), matched in the data
    # the letter ё read as е when matching theme stems in respondents' answers (text normalisation)
    "derive/themes.py": {"ё", "е"},
    # a regex of capital letters (Latin and Cyrillic) that starts a name in a quote candidate
    "results/themes.py": {"^[A-ZА-ЯЁӨҮҢ]"},
    # a planted defect of the demo cohort: text typed into a numeric field of the paper-entry workbook (data)
    "demo/truth.py": {"20 миң", 'text in a numeric field ("20 миң" = 20 thousand)'},
    # occupation labels as the kg-open vacancy file prints them, matched to ISCO-08 codes (input vocabulary)
    "derive/open_tables.py": {"preschool and school educators (тарбиячылар)", "seamstresses/tailors (тигүүчү)"},
    "privacy/scan.py": {"нет", "жок", "неизвестно", "белгисиз", "отсутствует", "не указано", "көрсөтүлгөн эмес"},
}
#: English texts that name Kyrgyz letters or the university's acronym (allowed wherever they occur)
ENGLISH_NAMING = re.compile(r"^[\x00-\x7f]*(?:(?:ң ө ү|Ң Ө Ү|ЖАМУ)[\x00-\x7f\u2013\u2014…()]*)+$")
#: the modules of the synthetic demo cohort whose Kyrgyz/Russian literals are the DATA they write: names
#: (people), job titles (population), open answers (answers, employers), data-entry clerks (exports) and the
#: README's English sentences naming ЖАМУ and ГКЭД (synthetic); the other demo modules are checked
SKIPPED = ("demo/population.py", "demo/people.py", "demo/answers.py", "demo/employers.py", "demo/exports.py",
           "demo/synthetic.py")


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
        # attribute docstrings: a string expression right after an assignment
        for field in ("body", "orelse"):
            stmts = getattr(node, field, None)
            if isinstance(stmts, list):
                for prev, stmt in zip(stmts, stmts[1:]):
                    if isinstance(prev, (ast.Assign, ast.AnnAssign)) and isinstance(stmt, ast.Expr) \
                            and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                        out.add(id(stmt.value))
    return out


def cyrillic_literals(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string literal with a Cyrillic letter in ``path``, docstrings excepted."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
            and CYRILLIC.search(node.value)]


def test_no_kyrgyz_or_russian_text_in_python_string_literals():
    found = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        rel = path.relative_to(PACKAGE_DIR).as_posix()
        if rel.startswith(SKIPPED):
            continue
        allowed = ALLOWED.get(rel, set())
        found += [f"{rel}:{line}: {text[:60]!r}" for line, text in cyrillic_literals(path)
                  if text not in allowed and not ENGLISH_NAMING.match(text)]
    assert not found, "texts belong in src/analysis/definitions/ (messages/*.yaml, labels.yaml):\n" + "\n".join(found)


def test_the_scan_sees_a_text_in_code(tmp_path):
    src = tmp_path / "m.py"
    src.write_text('"""Модуль (a docstring is allowed)."""\n\nTITLE = {"ky": "Отчёт", "en": "Report"}\n'
                   '# комментарий\nX = 1\n"""Атрибут (allowed too)."""\n', encoding="utf-8")
    assert cyrillic_literals(src) == [(3, "Отчёт")]


def test_the_allowed_literals_still_exist():
    """The list above names only literals that are really there (a stale entry hides nothing)."""
    for rel, texts in ALLOWED.items():
        present = {text for _, text in cyrillic_literals(PACKAGE_DIR / rel)}
        assert texts <= present, (rel, texts - present)


def test_every_label_has_three_languages():
    raw = yaml.safe_load((DEFINITIONS / "labels.yaml").read_text(encoding="utf-8"))
    assert set(raw) == {"variables", "competence_gap", "phase_suffix", "values"}
    for texts in [*DERIVED_VARIABLE_LABELS.values(), *(t for codes in DERIVED_VALUE_LABELS.values()
                                                        for t in codes.values())]:
        assert set(texts) == set(LANGS) and all(texts[lang].strip() for lang in LANGS)
    assert DERIVED_VARIABLE_LABELS["labour_status"]["ky"] == "Эмгек статусу (ЭЭУ)"
    assert DERIVED_VALUE_LABELS["skill_level"]["3-4"]["en"] == "Skill level 3–4"
    assert list(DERIVED_VALUE_LABELS["degree_effectiveness"]) == [
        "not_effective", "slightly_effective", "fairly_effective", "effective", "very_effective"]

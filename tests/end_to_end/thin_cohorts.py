"""Thin cohorts for the end-to-end matrix: a small generated demo cohort, edited to lack something.

Each case starts from :func:`analysis.demo.synthetic.generate_cohort` (a few dozen graduates) in a temporary
project folder and then edits the raw files the way real cohorts arrive short of data: an instrument
missing, one faculty or one sex only, income or date questions never answered, every phase-2 row
quarantined. The raw files are edited in their own formats (Kobo CSV ``;`` fully quoted, ODK CSV ``,``,
Kobo XLSX, the data-entry workbook, the registrar's workbook), so ingestion and validation see what a
platform would export.

:func:`run_inline` runs the four stage notebooks' own code cells in this process (no kernel start, a
fraction of papermill's time) and collects what the report displays as HTML text; the matrix runs the
real notebooks through :func:`analysis.pipeline.run.run_cohort` for a few cases only.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
N_GRADUATES = int(__import__("os").environ.get("THIN_N", "40"))
SEED = 20250630

PHASE2_FILES = ("phase2_online_kobo.csv", "phase2_phone_odk.csv", "phase2_paper_entry.xlsx")
PHASE1_FILES = ("phase1_kobo.csv",)
SURVEY_FILES = PHASE1_FILES + PHASE2_FILES


# ----------------------------------------------------------------------------- raw files as grids
def _columns(header: list[str], name: str) -> list[int]:
    """Columns of question ``name``: ``name``, ``group/name`` (Kobo) or ``group-name`` (ODK)."""
    out = []
    for j, h in enumerate(header):
        h = str(h or "")
        if h == name or h.endswith(("/" + name, "-" + name)):
            # not the 0/1 column of a select_multiple option (``q/option``) of another question
            out.append(j)
    return out


def _csv_dialect(text: str) -> tuple[str, int, str]:
    delim = ";" if text.startswith('"') and '";"' in text.split("\n", 1)[0] else ","
    quoting = csv.QUOTE_ALL if delim == ";" else csv.QUOTE_MINIMAL
    eol = "\r\n" if "\r\n" in text[:5000] else "\n"
    return delim, quoting, eol


def edit_file(path: Path, fn: Callable[[list[str], list[list[Any]]], list[list[Any]]]) -> None:
    """Rewrite a raw survey/registry file in its own format after ``fn(header, rows) -> rows``."""
    if path.suffix == ".csv":
        text = path.read_text(encoding="utf-8")
        delim, quoting, eol = _csv_dialect(text)
        rows = list(csv.reader(io.StringIO(text), delimiter=delim))
        header, body = rows[0], rows[1:]
        body = fn(header, body)
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=delim, quoting=quoting, lineterminator=eol)
        w.writerow(header)
        w.writerows(body)
        path.write_text(buf.getvalue(), encoding="utf-8")
        return
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    first = 3 if ws.title == "data" and "entered_by" in [c.value for c in ws[1]] else 2  # entry workbook
    header = [c.value for c in ws[1]]
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=first, max_row=ws.max_row)]
    body = [r for r in body if any(v not in (None, "") for v in r)]
    new = fn(header, body)
    if ws.max_row >= first:
        ws.delete_rows(first, ws.max_row - first + 1)
    for i, r in enumerate(new):
        for j, v in enumerate(r):
            ws.cell(row=first + i, column=j + 1, value=v)
    wb.save(path)


def blank(*names: str) -> Callable[[list[str], list[list[Any]]], list[list[Any]]]:
    """An edit that empties every answer of the questions ``names``."""

    def fn(header: list[str], rows: list[list[Any]]) -> list[list[Any]]:
        cols = [j for n in names for j in _columns(header, n)]
        for r in rows:
            for j in cols:
                r[j] = "" if isinstance(r[j], str) or r[j] is None else None
        return rows

    return fn


def set_value(name: str, value: Any) -> Callable[[list[str], list[list[Any]]], list[list[Any]]]:
    """An edit that sets every answer of question ``name`` to ``value``."""

    def fn(header: list[str], rows: list[list[Any]]) -> list[list[Any]]:
        cols = _columns(header, name)
        for r in rows:
            for j in cols:
                r[j] = value
        return rows

    return fn


def keep_rows(name: str, allowed: set[str]) -> Callable[[list[str], list[list[Any]]], list[list[Any]]]:
    """An edit that keeps only the rows whose ``name`` answer is in ``allowed``."""

    def fn(header: list[str], rows: list[list[Any]]) -> list[list[Any]]:
        j = _columns(header, name)[0]
        return [r for r in rows if str(r[j] if r[j] is not None else "").strip() in allowed]

    return fn


def registry_ids(raw: Path, column: str, value: str) -> set[str]:
    """Student ids of the registry's graduates whose ``column`` is ``value``."""
    import openpyxl

    ws = openpyxl.load_workbook(raw / "registry.xlsx", read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    h = list(rows[0])
    return {str(r[h.index("student_id")]) for r in rows[1:] if str(r[h.index(column)]) == value}


# ----------------------------------------------------------------------------- the cases
def _drop_inputs(cfg: dict, *paths: str) -> None:
    cfg["inputs"] = [i for i in cfg["inputs"] if i["path"] not in paths]


def _subset(raw: Path, cfg: dict, column: str) -> str:
    """Keep the registry's largest group of ``column`` and the survey rows of its graduates."""
    import collections

    import openpyxl

    ws = openpyxl.load_workbook(raw / "registry.xlsx", read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    j = list(rows[0]).index(column)
    value = collections.Counter(str(r[j]) for r in rows[1:]).most_common(1)[0][0]
    ids = registry_ids(raw, column, value)
    edit_file(raw / "registry.xlsx", keep_rows("student_id", ids))
    for f in SURVEY_FILES:
        edit_file(raw / f, keep_rows("student_id", ids))
    return value


def case_small(raw: Path, cfg: dict) -> None:
    """(a) the demo cohort with 40 graduates, unedited."""


def case_no_employers(raw: Path, cfg: dict) -> None:
    """(b) no employer survey file."""
    _drop_inputs(cfg, "employers_kobo.xlsx")
    (raw / "employers_kobo.xlsx").unlink()


def case_no_phase1(raw: Path, cfg: dict) -> None:
    """(c) no phase-1 (exit survey) file."""
    _drop_inputs(cfg, *PHASE1_FILES)
    for f in PHASE1_FILES:
        (raw / f).unlink()


def case_one_faculty(raw: Path, cfg: dict) -> None:
    """(d) one faculty only: registry and surveys filtered to its graduates."""
    _subset(raw, cfg, "faculty")


def case_one_sex(raw: Path, cfg: dict) -> None:
    """(e) one sex only: registry and surveys filtered to its graduates."""
    _subset(raw, cfg, "sex")


def case_no_incomes(raw: Path, cfg: dict) -> None:
    """(f) no incomes: the exact income and the income band never answered."""
    for f in PHASE2_FILES:
        edit_file(raw / f, blank("income", "income_band"))


def case_no_dates(raw: Path, cfg: dict) -> None:
    """(g) no dates: first-job dates and job-search start dates never answered."""
    for f in PHASE2_FILES:
        edit_file(raw / f, blank("first_job_date", "search_start"))


def case_phase2_quarantined(raw: Path, cfg: dict) -> None:
    """(h) every phase-2 row quarantined: an invalid consent code everywhere."""
    for f in PHASE2_FILES:
        edit_file(raw / f, set_value("consent", "maybe"))


def case_no_phase2(raw: Path, cfg: dict) -> None:
    """(i) no phase-2 file at all (the follow-up has not been run yet)."""
    _drop_inputs(cfg, *PHASE2_FILES)
    for f in PHASE2_FILES:
        (raw / f).unlink()


CASES: dict[str, Callable[[Path, dict], None]] = {
    "small": case_small,
    "no_employers": case_no_employers,
    "no_phase1": case_no_phase1,
    "one_faculty": case_one_faculty,
    "one_sex": case_one_sex,
    "no_incomes": case_no_incomes,
    "no_dates": case_no_dates,
    "phase2_quarantined": case_phase2_quarantined,
    "no_phase2": case_no_phase2,
}


def make_project(base: Path, case: str, n_graduates: int = N_GRADUATES) -> tuple[Path, str]:
    """A temporary project folder with one thin cohort ``thin-<case>``; returns (root, cohort)."""
    from analysis.demo.synthetic import generate_cohort

    cohort = f"thin-{case.replace('_', '-')}"
    proj = base / case
    for folder in ("notebooks", "questionnaires", "expectations"):
        if (ROOT / folder).exists() and not (proj / folder).exists():
            shutil.copytree(ROOT / folder, proj / folder, ignore=shutil.ignore_patterns("uncommitted", ".ipynb*"))
    shutil.copy(ROOT / "pyproject.toml", proj / "pyproject.toml")
    (proj / "cohorts").mkdir(exist_ok=True)
    if (ROOT / "data" / "raw" / "open").exists() and not (proj / "data" / "raw" / "open").exists():
        shutil.copytree(ROOT / "data" / "raw" / "open", proj / "data" / "raw" / "open")
    cfg = yaml.safe_load((ROOT / "cohorts" / "demo-2025.yaml").read_text(encoding="utf-8"))
    cfg["cohort"] = cohort
    raw = proj / "data" / "raw" / cohort
    generate_cohort(raw, seed=SEED, n_graduates=n_graduates, cohort=cohort)
    CASES[case](raw, cfg)
    (proj / "cohorts" / f"{cohort}.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return proj, cohort


# ----------------------------------------------------------------------------- running in process
def _code_cells(notebook: Path) -> list[tuple[list[str], str]]:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    return [(c.get("metadata", {}).get("tags", []), "".join(c["source"])) for c in nb["cells"]
            if c["cell_type"] == "code"]


def run_notebook_inline(notebook: Path, params: dict[str, Any]) -> dict[str, Any]:
    """Execute a stage notebook's code cells here, with ``params`` injected after its parameters cell
    (what papermill does in a fresh kernel); returns the notebook's namespace."""
    ns: dict[str, Any] = {"__name__": "__thin__"}
    for tags, src in _code_cells(notebook):
        exec(compile(src, f"{notebook.name}", "exec"), ns)  # noqa: S102 - the project's own notebooks
        if "parameters" in tags:
            ns.update(params)
    return ns


def run_inline(proj: Path, cohort: str, langs: tuple[str, ...] = ("ky", "ru", "en")) -> dict[str, str]:
    """The whole pipeline in this process: notebooks 01–03 once, 04 per language, then the personal-data
    scan. Returns ``{lang: the report's displayed HTML}`` (images as ``<img src="data:image/png…">``)."""
    from unittest import mock

    from analysis.core.config import load_config
    from analysis.pipeline.run import STAGES, notebook_parameters, privacy_gate
    from analysis.publish import report

    cfg = load_config(cohort, proj)
    nbs = proj / "notebooks"
    for stage in STAGES[:3]:
        run_notebook_inline(nbs / stage.notebook, notebook_parameters(cfg, nbs / stage.notebook))
    out: dict[str, str] = {}
    for lang in langs:
        parts: list[str] = []

        def show(obj: Any, parts: list[str] = parts) -> None:
            if hasattr(obj, "_repr_html_") and obj._repr_html_() is not None:
                parts.append(obj._repr_html_())
            elif type(obj).__name__ == "Image":
                parts.append('<img src="data:image/png;base64,…">')
            else:
                parts.append(f"<pre>{obj!r}</pre>")

        nb = nbs / STAGES[3].notebook
        with mock.patch.object(report, "_show", show):
            run_notebook_inline(nb, notebook_parameters(cfg, nb, lang))
        out[lang] = "\n".join(parts)
    privacy_gate(cfg)
    return out

"""Write the thin stage notebooks (``python tools/make_notebooks.py [NOTEBOOK …]``; default: all four).

Kept so that the four notebooks stay uniform: same metadata, a `parameters` cell with literal defaults
(the demo cohort's values), calls into `analysis`, narrative markdown. No outputs are stored.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis.publish.sections import SECTIONS

ROOT = Path(__file__).resolve().parents[1]
DEMO = yaml.safe_load((ROOT / "cohorts" / "demo-2025.yaml").read_text(encoding="utf-8"))


#: literal defaults of parameters the demo cohort file does not set (the configuration's own defaults)
DEFAULTS = {"model_covariates": [], "institution": None, "pool_cohorts": []}


def params_cell(keys: list[str], extra: dict | None = None) -> nbformat.NotebookNode:
    lines = ["# Parameters (papermill injects the cohort's values after this cell; literal defaults only)"]
    for k in keys:
        lines.append(f"{k} = {DEMO[k]!r}" if k in DEMO else f"{k} = {DEFAULTS.get(k)!r}")
    for k, v in (extra or {}).items():
        lines.append(f"{k} = {v!r}")
    cell = new_code_cell("\n".join(lines))
    cell.metadata["tags"] = ["parameters"]
    return cell


def import_line(module: str, names: list[str]) -> str:
    """``from module import names`` as ruff's isort formats it (sorted; wrapped one per line past 120)."""
    line = f"from {module} import " + ", ".join(sorted(names))
    if len(line) <= 120:
        return line
    return f"from {module} import (\n" + "".join(f"    {n},\n" for n in sorted(names)) + ")"


def code(src: str, *tags: str) -> nbformat.NotebookNode:
    cell = new_code_cell(src.strip())
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def md(src: str, *tags: str) -> nbformat.NotebookNode:
    cell = new_markdown_cell(src.strip())
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def notebook(cells: list) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "tracer", "display_name": "Python (tracer)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    return nb


CONFIG = "cfg = stages.config_for(**{k: v for k, v in globals().items() if k in stages.PARAMETER_KEYS})"
SETUP = "from analysis.pipeline import stages\n\n" + CONFIG

NOTEBOOKS = {
    "01_ingest_validate.ipynb": [
        md("""
# 1. Ingest and validate

Reads every raw file of the cohort listed in `cohorts/COHORT.yaml` (registrar's registry, phase-1 and phase-2
surveys in every collection mode, employer survey) into one canonical table per instrument, validates them with
the great-expectations suites in `expectations/` plus the cross-file rules, and writes — **after** replacing the
student id by a keyed pseudonym and dropping direct identifiers — the accepted rows, the quarantine and the
outcome of every raw row to `data/processed/COHORT/validated/`.
"""),
        params_cell(["cohort", "graduation_year", "inputs", "targets", "previous_cohort", "synthetic"],
                    {"project_root": ""}),
        code(SETUP),
        md("## Ingest and validate every file\nEvery raw row ends *accepted*, *accepted with warnings*, *quarantined* "
           "or *merged as a duplicate*; the identity is checked per file."),
        code("result = stages.ingest_validate(cfg)\nresult.accounting"),
        md("## Ingestion notices\nEverything the readers fixed or noticed, one line each, with the number of answers "
           "or rows affected and what to do (`validated/notices.parquet`; `tracer run` prints the same lines). "
           "Warnings need a look: answers dropped or set aside, dates that read two ways, constants a mapping "
           "invented, questions not asked. A notice of level *error* stops the run before this table "
           "(docs/ingestion.md)."),
        code("result.notice_table('en')"),
        md("## Rules that fired"),
        code("result.rule_counts"),
        md("## Response against the registry"),
        code("result.response"),
    ],
    "02_clean_derive.ipynb": [
        md("""
# 2. Clean, link and derive

Links the pseudonymous registry with phase 1 and phase 2, and derives every graduate's standard variables
(ILO labour status, time to first job, income relative to the oblast wage, level and field match, competence
gaps, …) from the definitions in `src/analysis/definitions/indicators.yaml`. Writes one row per graduate —
respondents and non-respondents — to `data/processed/COHORT/graduates.parquet`, the employers to
`employers.parquet`, and a data dictionary.
"""),
        params_cell(["cohort", "graduation_year", "region", "survey_months_after", "full_time_hours"],
                    {"project_root": ""}),
        code(SETUP),
        code("derived = stages.derive(cfg)\nderived.linkage"),
        md("## Overview of the derived variables"),
        code("derived.overview"),
    ],
    "03_model.ipynb": [
        md("""
# 3. Weights, estimates and models

Non-response weights (raking to registry margins, trimmed), design-based estimates with Taylor-linearised
standard errors and honest intervals for every indicator by faculty, programme, sex, level and funding, and
the models of employment outcomes. Writes tidy tables to `data/processed/COHORT/results/`.
"""),
        params_cell(["cohort", "confidence", "ci_method", "weighted_ci_method", "weighting_margins",
                     "weight_trim_ratio", "finite_population_correction", "disclosure_min_n", "model_covariates",
                     "labour_rules", "seed", "enterprise_frame", "pool_cohorts"], {"project_root": ""}),
        code(SETUP),
        code("modelled = stages.model(cfg)\nmodelled.weights"),
        md("## Headline estimates (published: after disclosure control)"),
        code("modelled.headline"),
        md("## Cells published and suppressed\nThe disclosure pass ran its attack check: no suppressed cell can be "
           "recovered by subtraction from what is published."),
        code("modelled.disclosure"),
    ],
    "04_report.ipynb": [
        md("Report notebook: every visible word comes from `analysis.publish` in the chosen language; each cell "
           "below renders one section (`analysis.publish.sections.<name>.render`, in the order of "
           "`analysis.publish.sections.SECTIONS`). Markdown cells tagged `remove_cell` (like this one) are notes "
           "for researchers and are not rendered.", "remove_cell"),
        params_cell(["cohort", "confidence", "institution"], {"project_root": "", "lang": "ky"}),
        code("from analysis.pipeline import stages\nfrom analysis.publish import report, sections\n"
             + import_line("analysis.publish.sections", [m for m, _k, _p in SECTIONS]) + "\n\n"
             + CONFIG + "\nrep = report.Report.load(cfg, lang, outline=sections.outline(lang))"),
        *[code(f"{m}.render(rep)") for m, _k, _p in SECTIONS],
    ],
}


def keep_ids(nb: nbformat.NotebookNode, path: Path) -> None:
    """Reuse the cell ids of the notebook already at ``path`` (cell by cell, where the cell type is the same),
    so that regenerating a notebook changes only the cells that changed."""
    if not path.is_file():
        return
    old = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    used = set()
    for i, cell in enumerate(nb.cells):
        if i < len(old) and old[i].get("cell_type") == cell.cell_type and old[i].get("id") and old[i]["id"] not in used:
            cell["id"] = old[i]["id"]
        used.add(cell["id"])


def main(argv: list[str] | None = None) -> int:
    """Write the notebooks named on the command line (default: all four)."""
    names = (argv if argv is not None else sys.argv[1:]) or list(NOTEBOOKS)
    out = ROOT / "notebooks"
    out.mkdir(exist_ok=True)
    for name in names:
        nb = notebook(NOTEBOOKS[name])
        keep_ids(nb, out / name)
        nbformat.validate(nb)
        (out / name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print("wrote", out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())

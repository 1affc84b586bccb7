"""The stage notebooks stay thin and their parameters stay in step with the cohort parameter files."""

from __future__ import annotations

import json

import papermill as pm
import pytest
import yaml

from analysis.core.config import PARAMETER_KEYS
from analysis.pipeline.run import RUN_PARAMETERS, STAGES


@pytest.fixture(scope="module")
def notebooks(root):
    return {s.notebook: root / "notebooks" / s.notebook for s in STAGES}


def test_every_stage_notebook_exists_and_has_a_parameters_cell(notebooks):
    for name, path in notebooks.items():
        nb = json.loads(path.read_text(encoding="utf-8"))
        tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{name}: exactly one cell must be tagged 'parameters'"
        assert nb["metadata"]["kernelspec"]["language"] == "python"  # papermill needs it


def test_notebook_parameters_match_the_cohort_files(root, notebooks):
    declared: set[str] = set()
    for name, path in notebooks.items():
        params = set(pm.inspect_notebook(str(path)))
        allowed = set(PARAMETER_KEYS) | set(RUN_PARAMETERS)
        assert params <= allowed, f"{name} declares parameters unknown to cohorts/*.yaml: {params - allowed}"
        declared |= params
    for cohort_file in sorted((root / "cohorts").rglob("*.yaml")):  # example cohorts too
        keys = set(yaml.safe_load(cohort_file.read_text(encoding="utf-8")))
        assert keys <= declared, f"{cohort_file.name}: keys no notebook uses: {sorted(keys - declared)}"


def test_notebook_defaults_are_the_demo_values(root, notebooks):
    demo = yaml.safe_load((root / "cohorts" / "demo-2025.yaml").read_text(encoding="utf-8"))
    for name, path in notebooks.items():
        for key, info in pm.inspect_notebook(str(path)).items():
            if key in demo:
                assert eval(info["default"]) == demo[key], f"{name}: default of '{key}' differs from demo-2025.yaml"


def test_notebooks_are_thin_and_carry_no_outputs(notebooks):
    for name, path in notebooks.items():
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            src = "".join(cell["source"])
            assert not cell.get("outputs"), f"{name}: committed notebooks carry no outputs"
            assert "def " not in src and "class " not in src, f"{name}: logic belongs in src/analysis"

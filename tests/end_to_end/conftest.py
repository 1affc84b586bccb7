"""Shared end-to-end fixtures: one tiny generated cohort, run once per test session through every stage
notebook (papermill, fresh kernels) in a temporary project folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

COHORT = "tiny-2025"


@pytest.fixture(scope="session")
def tiny_project(tmp_path_factory) -> Path:
    from analysis.demo.synthetic import generate_cohort

    root = Path(__file__).resolve().parents[2]

    proj = tmp_path_factory.mktemp("project")
    for folder in ("notebooks", "questionnaires", "expectations"):
        if (root / folder).exists():
            shutil.copytree(root / folder, proj / folder, ignore=shutil.ignore_patterns("uncommitted", ".ipynb*"))
    shutil.copy(root / "pyproject.toml", proj / "pyproject.toml")
    (proj / "cohorts").mkdir()
    demo = yaml.safe_load((root / "cohorts" / "demo-2025.yaml").read_text(encoding="utf-8"))
    demo["cohort"] = COHORT
    (proj / "cohorts" / f"{COHORT}.yaml").write_text(yaml.safe_dump(demo, allow_unicode=True), encoding="utf-8")
    if (root / "data" / "raw" / "open").exists():
        shutil.copytree(root / "data" / "raw" / "open", proj / "data" / "raw" / "open")
    generate_cohort(proj / "data" / "raw" / COHORT, n_graduates=240, cohort=COHORT)
    return proj


@pytest.fixture(scope="session")
def run(tiny_project, monkeypatch_session):
    from analysis.pipeline.run import run_cohort

    monkeypatch_session.setenv("TRACER_PROJECT_ROOT", str(tiny_project))
    lines: list[str] = []
    record = run_cohort(COHORT, ("ky", "ru", "en"), root=tiny_project, log=lines.append)
    return tiny_project, record, lines


@pytest.fixture(scope="session")
def monkeypatch_session():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()



"""Shared test set-up: the project root, a small legacy project, and matplotlib warnings about missing glyphs
as failures."""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(autouse=True)
def _glyph_warnings_fail():
    """A chart that cannot draw a Kyrgyz letter (ң ө ү) must fail the test that draws it."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*Glyph .* missing from.*")
        yield


@pytest.fixture
def legacy_project(tmp_path: Path) -> Path:
    """A project whose registry is the bad-input corpus's old-layout CSV, read through a mapping file, with one
    processed graduates table (the privacy gate's and the one-read tests' project)."""
    corpus = ROOT / "tests" / "bad_inputs"
    case = next(c for c in yaml.safe_load((corpus / "cases.yaml").read_text(encoding="utf-8"))
                if c["file"] == "registry_legacy_headers.csv")
    proj = tmp_path / "project"
    raw = proj / "data" / "raw" / "old-2019"
    raw.mkdir(parents=True)
    (proj / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    (proj / "questionnaires").symlink_to(ROOT / "questionnaires")
    shutil.copy(corpus / "files" / "registry_legacy_headers.csv", raw / "registry_2019.csv")
    (raw / "registry_2019.yaml").write_text(yaml.safe_dump(case["options"]["mapping"], allow_unicode=True),
                                            encoding="utf-8")
    (proj / "cohorts").mkdir()
    (proj / "cohorts" / "old-2019.yaml").write_text(yaml.safe_dump({
        "cohort": "old-2019", "graduation_year": 2019,
        "inputs": [{"path": "registry_2019.csv", "instrument": "registry", "format": "legacy",
                    "mapping": "registry_2019.yaml"}],
    }), encoding="utf-8")
    processed = proj / "data" / "processed" / "old-2019"
    processed.mkdir(parents=True)
    pd.DataFrame({"pid": ["G-0134593045a035d1"], "age_at_grad": [23], "n": [1250000]}).to_parquet(
        processed / "graduates.parquet")
    return proj

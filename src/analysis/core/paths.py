"""Where things live: the package's data folders, the project root and the per-cohort folders (one place for
every path rule)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT_ENV = "TRACER_PROJECT_ROOT"

PACKAGE_DIR = Path(__file__).resolve().parents[1]
"""The installed package folder ``src/analysis``."""
DEFINITIONS = PACKAGE_DIR / "definitions"
"""The package's definition files: indicator registry, message catalogue, programmes and faculties."""
TEMPLATES = PACKAGE_DIR / "templates"
"""The package's nbconvert templates (offline HTML report)."""
SOURCE_ROOT = PACKAGE_DIR.parents[1]
"""The checkout that holds ``src/analysis`` (the project root of an editable install)."""


def project_root(start: Path | None = None) -> Path:
    """Return the project root: ``$TRACER_PROJECT_ROOT`` or the nearest folder with ``pyproject.toml``.

    The search starts at ``start`` (default: the current directory, then this file's folder), so the
    same code works from a clone, from notebooks/ and from an editable install.
    """
    env = os.environ.get(ROOT_ENV)
    if env:
        return Path(env).resolve()
    candidates = [Path(start) if start else Path.cwd(), PACKAGE_DIR]
    for base in candidates:
        for folder in [base.resolve(), *base.resolve().parents]:
            if (folder / "pyproject.toml").is_file() and (folder / "cohorts").is_dir():
                return folder
    return SOURCE_ROOT


@dataclass(frozen=True)
class CohortPaths:
    """All folders of one cohort, derived from the project root and the cohort name."""

    root: Path
    cohort: str

    @property
    def config_file(self) -> Path:
        return self.root / "cohorts" / f"{self.cohort}.yaml"

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw" / self.cohort

    @property
    def open_data(self) -> Path:
        return self.root / "data" / "raw" / "open"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed" / self.cohort

    @property
    def canonical(self) -> Path:
        return self.processed / "canonical"

    @property
    def validated(self) -> Path:
        return self.processed / "validated"

    @property
    def results(self) -> Path:
        return self.processed / "results"

    @property
    def reports(self) -> Path:
        return self.root / "reports" / self.cohort

    @property
    def executed(self) -> Path:
        return self.reports / "executed"

    def report_html(self, lang: str) -> Path:
        return self.reports / f"report.{lang}.html"


def cohort_paths(cohort: str, root: Path | str | None = None) -> CohortPaths:
    """Paths of ``cohort`` under ``root`` (default :func:`project_root`)."""
    return CohortPaths(Path(root).resolve() if root else project_root(), cohort)

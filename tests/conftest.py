"""Shared test set-up: the project root, and matplotlib warnings about missing glyphs as failures."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

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

"""The cohort's outputs beyond the report, written after it by the run (:func:`analysis.pipeline.run.run_cohort`):
the Excel workbook in each language (:mod:`analysis.publish.workbook`), the open data with its Data Package
(:mod:`analysis.publish.datapackage`), the pages per faculty and programme in each language
(:mod:`analysis.publish.pages`) and the slides for the expert group in each language (:mod:`analysis.publish.slides`).
All read only ``results/published.parquet`` (the slides also the figures of the executed report notebook); the
personal-data gate of the run then scans them with everything else under ``reports/COHORT/``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from analysis.publish.datapackage import write_package
from analysis.publish.pages import write_pages
from analysis.publish.release import load_published, relative
from analysis.publish.slides import write_slides
from analysis.publish.workbook import write_workbook

__all__ = ["EARLY_OUTPUTS", "OUTPUTS", "write_outputs"]

OUTPUTS = ("workbook", "open data", "pages", "slides")
EARLY_OUTPUTS = ("workbook", "open data")  # from the published table alone (pages link to the report, slides
# take its figures)


def write_outputs(cfg: Any, langs: Sequence[str], log: Callable[[str], None] = print,
                  timing: Callable[[str, float], None] | None = None,
                  parts: Sequence[str] = OUTPUTS) -> list[Path]:
    """Write ``reports/COHORT/tables.LANG.xlsx`` for each of ``langs``, ``reports/COHORT/open-data/``, the pages
    ``reports/COHORT/pages/LANG/`` and the slides ``reports/COHORT/slides.LANG.html`` for each of ``langs``, one
    progress line and one timing each; return the paths written (a folder's main file: ``datapackage.json``,
    ``index.html``).

    Parameters
    ----------
    cfg
        The cohort (:class:`analysis.core.config.CohortConfig`); its model stage must have run.
    langs
        Languages of the workbooks (``ky``, ``ru``, ``en``); the open data carries all three whatever they are.
    log
        Where progress lines go (``tracer run`` prints them to stderr).
    timing
        Called with ``(step, seconds)`` for the run record (``RunRecord.add``).
    parts
        Which of :data:`OUTPUTS` to write (the run writes :data:`EARLY_OUTPUTS` while the report kernels run, a
        language's pages once its report is rendered, then the slides).
    """
    published = load_published(cfg)
    root = cfg.project_root or cfg.paths.root
    written = []
    unknown = sorted(set(parts) - set(OUTPUTS))
    if unknown:
        raise ValueError(f"unknown output(s) {unknown}; outputs are {', '.join(OUTPUTS)}")
    steps = []
    if "workbook" in parts:
        steps += [(f"workbook {lang}", lambda lang=lang: write_workbook(cfg, lang, published=published))
                  for lang in langs]
    if "open data" in parts:
        steps.append(("open data", lambda: write_package(cfg, published=published)))
    if "pages" in parts:
        steps += [(f"pages {lang}", lambda lang=lang: write_pages(cfg, lang, published=published))
                  for lang in langs]
    if "slides" in parts:
        steps += [(f"slides {lang}", lambda lang=lang: write_slides(cfg, lang, published=published))
                  for lang in langs]
    for step, write in steps:
        t0 = time.perf_counter()
        path = write()
        dt = time.perf_counter() - t0
        shown = path.parent if path.name in ("datapackage.json", "index.html") else path
        log(f"{cfg.cohort}: wrote {relative(shown, root)}{'/' if shown != path else ''} ({dt:.1f} s)")
        if timing is not None:
            timing(step, dt)
        written.append(path)
    return written

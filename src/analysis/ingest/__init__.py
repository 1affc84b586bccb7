"""Ingestion: every collection mode's file → one canonical table per instrument.

One reader per format (:data:`FORMATS`), one set of rules for the result (``docs/architecture.md``,
"The canonical table"): question columns named as in the XLSForm, every cell as text, select answers
as codes, select_multiple as space-separated codes, provenance columns. Whole-file problems raise
:class:`~analysis.errors.InputError` (one line, with the fix); everything the reader fixed or noticed
is in :attr:`IngestResult.warnings`.

>>> from analysis.ingest import read_input
>>> res = read_input("data/raw/demo-2025/phase2_online_kobo.csv", "phase2", "kobo_csv", mode="online")
>>> res.table, res.warnings, res.info["delimiter"]
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from analysis.core.vocabulary import INSTRUMENTS, MODES
from analysis.errors import ConfigError, InputError
from analysis.ingest import kobo, legacy, odk, registry, spss, workbook
from analysis.ingest.canonical import build_canonical
from analysis.ingest.context import PROVENANCE, IngestResult, Notice, RawTable, ReadContext
from analysis.ingest.labels import Codebook, instrument_key
from analysis.ingest.sources import path_for_messages
from analysis.instruments.xlsform import load_instrument

__all__ = ["FORMATS", "PROVENANCE", "MARKERS", "IngestResult", "Notice", "read_input", "codebook"]

MARKERS: tuple[str, ...] = ("_not_asked", "_generated")
"""Marker columns a canonical table carries only when a file needs them (see
:func:`analysis.ingest.canonical.build_canonical`)."""

FORMATS: dict[str, str] = {
    "kobo_csv": "KoboToolbox CSV export (';', XML values or labels in any form language)",
    "kobo_xlsx": "KoboToolbox XLSX export (first sheet)",
    "odk_csv": "ODK Central CSV export (',', groups joined with '-'), or its ZIP",
    "entry_xlsx": "the project's data-entry workbook (paper and phone questionnaires)",
    "registry_xlsx": "the registrar's graduate list as .xlsx",
    "registry_csv": "the registrar's graduate list as .csv",
    "spss": "SPSS .sav file (value labels mapped to codes)",
    "legacy": "older spreadsheet (.csv/.xlsx) read through a YAML mapping file",
}
"""Supported formats (the ``format:`` of an input in a cohort file) and what each reads."""

_CODEBOOKS: dict[int, Codebook] = {}


def _load_instrument(name: str) -> Any:
    return load_instrument(name)


def codebook(instrument: Any) -> Codebook:
    """The (cached) lookups for an instrument given as a key (``phase2``) or an Instrument."""
    if isinstance(instrument, str):
        if instrument not in INSTRUMENTS:
            raise ConfigError(f"unknown instrument '{instrument}' (choose from {', '.join(INSTRUMENTS)})")
        inst = _load_instrument(instrument)
        key = instrument
    else:
        inst, key = instrument, instrument_key(instrument)
    cb = _CODEBOOKS.get(id(inst))
    if cb is None or cb.inst is not inst:
        cb = Codebook(inst, key)
        _CODEBOOKS[id(inst)] = cb
    return cb


def _others(key: str) -> Callable[[], list[Codebook]]:
    def load() -> list[Codebook]:
        out = []
        for other in INSTRUMENTS:
            if other == key:
                continue
            try:
                out.append(codebook(other))
            except Exception:  # an instrument that cannot be loaded cannot be compared with
                continue
        return out

    return load


def read_input(path: str | Path, instrument: Any, fmt: str, mode: str | None = None,
               encoding: str | None = None, delimiter: str | None = None,
               mapping: str | Path | dict | None = None, base_dir: str | Path | None = None,
               allow_lost_letters: bool = False, others: Callable[[], list[Any]] | None = None,
               dayfirst: bool | None = None, renames: dict[str, str | None] | None = None,
               not_asked: list[str] | tuple[str, ...] | None = None) -> IngestResult:
    """Read one raw file as the canonical table of ``instrument``.

    Parameters
    ----------
    path : the file.
    instrument : ``registry``, ``phase1``, ``phase2``, ``employer``, or an
        :class:`analysis.instruments.xlsform.Instrument`.
    fmt : one of :data:`FORMATS`.
    mode : collection mode stored in ``_mode`` (online, phone, paper); None leaves it empty.
    encoding : fallback encoding of a CSV that is not UTF-8 (e.g. ``cp1251``); see
        :mod:`analysis.ingest.encoding`. For ``spss``: the .sav's encoding.
    delimiter : CSV delimiter; detected from the header line when None.
    mapping : ``legacy`` only — the YAML mapping file (path, relative to ``base_dir``) or a dict.
    base_dir : the cohort folder; ``_source_file`` and messages use the path relative to it.
    allow_lost_letters : read a file whose Kyrgyz letters ң ө ү look lost, with a warning per cell,
        instead of rejecting it.
    others : for tests — a callable returning the codebooks of the other instruments (default:
        loaded with :func:`analysis.instruments.xlsform.load_instrument`), used to recognise a wrong
        instrument.
    dayfirst : how to read ``a/b/yyyy`` dates: True = day first, False = month first, None = as the
        file's own dates show (:func:`analysis.ingest.dates.decide_order`). Dots and dashes are read
        day-first unless this is False.
    renames : the file's header → question name (``None`` or ``"~"``: drop the column on purpose),
        e.g. ``{"hours_per_week": "hours"}`` for a form version that renamed a question.
    not_asked : questions this file's survey never asked (their cells are marked, never answers;
        validation does not require them).

    Returns
    -------
    IngestResult
        ``table`` (canonical DataFrame), ``warnings`` (list of :class:`Notice`), ``info``.

    Raises
    ------
    InputError
        A whole-file problem (one line naming the file, and the row/column where relevant).
    ConfigError
        An unknown format, mode or instrument.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"unknown input format '{fmt}' (choose from {', '.join(FORMATS)})")
    if mode is not None and mode not in MODES:
        raise ConfigError(f"unknown collection mode '{mode}' (choose from {', '.join(MODES)})")
    path = Path(path)
    base = Path(base_dir) if base_dir is not None else None
    if base is not None and not path.is_absolute() and not path.exists():
        path = base / path
    cb = codebook(instrument)
    display = path_for_messages(path, base)
    ctx = ReadContext(path=path, display=display, instrument_key=cb.key, fmt=fmt, mode=mode,
                      allow_lost_letters=allow_lost_letters, dayfirst=dayfirst,
                      renames=dict(renames or {}), not_asked=tuple(not_asked or ()))
    ctx.info.update({"format": fmt, "file": display, "instrument": cb.key, "encoding": None,
                     "delimiter": None, "bom": None})
    if not path.exists():
        raise InputError(display, "file not found", fix="check the path (relative to the cohort folder)")
    if fmt != "entry_xlsx" and path.is_dir():
        raise InputError(display, "is a folder, not a file", fix="name the export file itself")
    raw: RawTable
    if fmt == "kobo_csv":
        raw = kobo.read_kobo_csv(ctx, encoding, delimiter)
    elif fmt == "kobo_xlsx":
        raw = kobo.read_kobo_xlsx(ctx)
    elif fmt == "odk_csv":
        raw = odk.read_odk_csv(ctx, encoding, delimiter)
    elif fmt == "registry_xlsx":
        raw = registry.read_registry_xlsx(ctx)
    elif fmt == "registry_csv":
        raw = registry.read_registry_csv(ctx, encoding, delimiter)
    elif fmt == "entry_xlsx":
        raw = workbook.read_entry_xlsx(ctx, cb)
    elif fmt == "spss":
        raw = spss.read_spss(ctx, cb, encoding)
    else:
        raw = legacy.read_legacy(ctx, mapping, base, encoding, delimiter)
    if others is None:
        others = _others(cb.key)
    else:
        supplied = others
        others = lambda: [codebook(o) if not isinstance(o, Codebook) else o for o in supplied()]  # noqa: E731
    return build_canonical(raw, cb, ctx, others)

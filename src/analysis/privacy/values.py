"""What counts as personal: the identifier columns, the free-text questions, and a cohort's personal values.

One job: say which columns and values are personal data. The direct and quasi-identifiers follow the
``pd`` flags of ``docs/variables.md`` and of the XLSForms; :func:`cohort_personal_values` reads every raw
input of a cohort exactly as stage 1 does and collects the values the personal-data scan
(:mod:`analysis.privacy.scan`) looks for in outputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.ingest import read_input
from analysis.ingest.legacy import load_mapping
from analysis.instruments.xlsform import load_instrument

if TYPE_CHECKING:
    from analysis.core.config import CohortConfig
    from analysis.instruments.xlsform import Instrument


DIRECT_IDENTIFIERS: tuple[str, ...] = (
    "student_id",
    "full_name",
    "email",
    "phone_mobile",
    "phone_landline",
    "social_handle",
    "parent_name",
    "parent_phone",
    "email_new",
    "phone_new",
)
"""Columns flagged ``pd = direct`` in ``docs/variables.md`` (registry and phase-1 contact update)."""

QUASI_IDENTIFIERS: tuple[str, ...] = ("date_of_birth", "home_rayon")
"""Columns flagged ``pd = quasi`` in ``docs/variables.md``."""



def is_identifier_column(name: str) -> bool:
    """True for a pseudonym or identifier column, which is never redacted or rewritten.

    These are ``pid`` (the keyed pseudonym) and every ``*_id`` column (``student_id``,
    ``employer_id``, ``_submission_id``): the naming convention of the questionnaires and of
    the canonical tables' provenance columns.
    """
    return name == "pid" or name.endswith("_id")


def free_text_questions(instrument: Instrument) -> tuple[str, ...]:
    """The questions of an instrument whose answers are free text a respondent types.

    Decided from the XLSForm definition (:mod:`analysis.instruments.xlsform`), not from column names:
    a question of type ``text`` that is not flagged ``pd`` (direct identifiers are dropped
    whole, never redacted), has no ``regex(...)`` constraint (a code with a fixed format, such
    as ``isco_code`` ``^[0-9]{2,4}$``) and is not an identifier (:func:`is_identifier_column`,
    e.g. ``employer_id``).

    Parameters
    ----------
    instrument
        A loaded questionnaire (:func:`analysis.instruments.xlsform.load_instrument`).

    Returns
    -------
    tuple of str
        Question names in form order; for the phase-2 form ``job_title``, ``strengths``,
        ``weaknesses``, ``suggestions``.
    """
    return tuple(
        q.name for q in instrument.data_questions
        if q.type == "text" and not q.pd and "regex(" not in (q.constraint or "")
        and not is_identifier_column(q.name)
    )  # fmt: skip


def _value_text(value: object) -> str | None:
    """A cell as stripped text; integral floats (12345678.0 from a spreadsheet) lose ``.0``."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        if value != value:
            return None
        if value.is_integer():
            value = int(value)
    return str(value).strip() or None


def personal_values(
    df: pd.DataFrame, columns: Iterable[str] = DIRECT_IDENTIFIERS
) -> dict[str, list[str]]:
    """The personal values of a raw table, by column, for :func:`analysis.privacy.scan.scan_for_personal_data`.

    Returns
    -------
    dict
        Column → distinct non-blank values (stripped text), for the ``columns`` present in
        ``df`` (default :data:`DIRECT_IDENTIFIERS`).
    """
    out: dict[str, list[str]] = {}
    for col in columns:
        if col not in df.columns:
            continue
        clean = sorted({t for t in map(_value_text, df[col].tolist()) if t})
        if clean:
            out[col] = clean
    return out


def _generated_ids(item, raw: Path) -> bool:
    """True when a legacy file's ids are generated from its row numbers (``row_id: {from: row_number}``)."""
    if item.format != "legacy" or not item.mapping:
        return False

    spec, _ = load_mapping(raw / item.mapping, raw)
    rid = spec.get("row_id") or {}
    src = rid.get("from") if isinstance(rid, dict) else None
    return isinstance(src, str) and src.strip() == "row_number"


def cohort_personal_values(cfg: CohortConfig) -> dict[str, list[str]]:
    """The personal values of every raw input of a cohort, read exactly as stage 1 reads it.

    Every input of the cohort file (the registry and the survey files alike) is read with
    :func:`analysis.ingest.read_input` with its declared format, encoding, delimiter and — for the
    ``legacy`` format — its column mapping (``InputFile.mapping``, relative to the cohort's raw folder),
    so old headers such as "ФИО" are recognised as ``full_name``. The personal columns are the
    :data:`DIRECT_IDENTIFIERS` plus the questions the instrument flags as direct identifiers
    (XLSForm ``pd`` column: e.g. contact updates typed into phase 1). A study without a registry is
    therefore scanned for the identifiers its survey files carry — except ids a legacy mapping generated
    from row numbers, which identify nobody.

    Parameters
    ----------
    cfg
        The cohort configuration.

    Returns
    -------
    dict
        Direct-identifier column → distinct values (:func:`personal_values`), merged over the files.

    Raises
    ------
    InputError, ConfigError
        A file or its mapping cannot be read (one line naming the file).
    """
    raw = cfg.paths.raw
    values: dict[str, set[str]] = {}
    for item in cfg.inputs:
        mapping = (raw / item.mapping) if item.mapping else None
        table = read_input(raw / item.path, item.instrument, item.format, mode=item.mode, encoding=item.encoding,
                           delimiter=item.delimiter, mapping=mapping, base_dir=raw).table
        add_input_values(values, cfg, item, table)
    return {col: sorted(vals) for col, vals in values.items()}


def add_input_values(values: dict[str, set[str]], cfg: CohortConfig, item: Any, table: pd.DataFrame) -> None:
    """Add the personal values of one input's canonical ``table`` (as :func:`cohort_personal_values` reads it) to
    ``values`` (column → set). Stage 1 calls it on the tables it has read, so the privacy gate needs no
    second read of the raw files (:func:`analysis.privacy.scan.hashed_index`)."""
    forms = Path(cfg.project_root) / "questionnaires" if cfg.project_root else None
    if forms is not None and not forms.is_dir():
        forms = None  # the package's own questionnaires
    flagged = set(load_instrument(item.instrument, forms).direct_identifiers)
    columns = [*DIRECT_IDENTIFIERS, *sorted(flagged)]
    if _generated_ids(item, cfg.paths.raw):
        columns = [c for c in columns if c not in ("student_id", "employer_id")]  # row numbers, nobody's id
    for col, vals in personal_values(table, columns).items():
        values.setdefault(col, set()).update(vals)


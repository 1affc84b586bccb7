"""The privacy boundary applied to one table in memory, before any write: pseudonyms in, identifiers out.

One job: compose the privacy tools for stage 1 (:func:`analysis.pipeline.stages.ingest_validate`). An
accepted table gets ``pid`` = HMAC-SHA256 of ``student_id`` (:mod:`analysis.privacy.pseudonyms`), loses every
direct identifier, has phones, e-mail addresses and @handles redacted in its free-text answers
(:mod:`analysis.privacy.redaction`) and the date of birth replaced by the age (:mod:`analysis.privacy.minimisation`);
the quarantine and outcome tables get pseudonymised ids (:func:`pseudonymise_record_ids`). ``docs/privacy.md``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.privacy.minimisation import minimise_birth_date
from analysis.privacy.pseudonyms import pseudonymise
from analysis.privacy.redaction import drop_personal
from analysis.privacy.values import free_text_questions

__all__ = ["protect_table", "pseudonymise_record_ids"]


def protect_table(df: pd.DataFrame, key: bytes, personal: set[str], instrument: Any,
                  id_col: str = "student_id") -> pd.DataFrame:
    """The privacy boundary for one accepted table: ``student_id`` → ``pid``, every direct identifier
    dropped, phones/e-mails/handles redacted in the free-text answers of ``instrument`` (the table's
    :class:`~analysis.instruments.xlsform.Instrument`) only —
    :func:`analysis.privacy.values.free_text_questions`;
    ``pid`` and ``*_id`` are never touched — and the date of birth replaced by ``age_at_grad``
    (:func:`analysis.privacy.minimisation.minimise_birth_date`)."""
    out = df.copy()
    if id_col in out.columns:
        out.insert(0, "pid", pseudonymise(out[id_col].astype("string"), key).astype("string"))
    drop = [c for c in out.columns if c in personal or c == id_col]
    out = drop_personal(out, drop, free_text=free_text_questions(instrument))
    attrs = dict(out.attrs)
    out = minimise_birth_date(out)
    out.attrs.update(attrs)
    return out


def pseudonymise_record_ids(df: pd.DataFrame, key: bytes, column: str = "respondent_id") -> pd.DataFrame:
    """Replace the student ids of a quarantine/outcome table by their pseudonyms (empty stays empty),
    and show only the year of a quarantined date of birth (``2031-**-**``: enough to see why it was
    refused, the full date stays in ``data/raw``)."""
    out = df.copy()
    if column in out.columns:
        ids = out[column].astype("string")
        known = ids.notna() & (ids.str.strip() != "")
        out[column] = pseudonymise(ids.where(known), key).astype("string").where(known, "")
    if {"column", "value"} <= set(out.columns):
        dob = out["column"].astype("string").eq("date_of_birth").fillna(False).to_numpy(bool)
        if dob.any():
            year = out.loc[dob, "value"].astype("string").str.extract(r"(?<!\d)(\d{4})(?!\d)", expand=False)
            out["value"] = out["value"].astype(object)
            out.loc[dob, "value"] = (year.fillna("****") + "-**-**").astype(object).to_numpy()
    return out

"""The stage functions the notebooks call: each reads the previous stage's files and writes its own.

A notebook stays thin: parameters, ``cfg = stages.config_for(...)``, one call here, display. Each
function is the table of contents of its stage; the work is done in the modules it names.

* :func:`ingest_validate` — raw files → canonical tables → validation → **pseudonymised** accepted rows,
  quarantine and row outcomes (``data/processed/COHORT/validated/``) and the run manifest.
* :func:`derive` — validated tables → one row per graduate with every derived variable.
* :func:`model` — graduates → weights, estimates, models (``data/processed/COHORT/results/``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.config import PARAMETER_KEYS, CohortConfig, config_from_dict, load_config
from analysis.errors import InputError
from analysis.tables import fresh_dir, read_parquet, write_parquet

__all__ = ["PARAMETER_KEYS", "config_for", "ingest_validate", "derive", "model", "read_parquet", "write_parquet"]

DEMO_KEY = b"jamu-tracer-demo-key-not-secret!"
"""Published key used ONLY for cohorts marked ``synthetic: true`` (the demo). Real cohorts need
``tracer init-key``; a real cohort never falls back to this key."""


def config_for(cohort: str, project_root: str = "", **params: Any) -> CohortConfig:
    """The cohort's configuration, with the notebook's (papermill-injected) parameters applied."""
    base = load_config(cohort, project_root or None)
    data = base.as_parameters()
    data.update({k: v for k, v in params.items() if k in PARAMETER_KEYS})
    data["project_root"] = base.project_root
    return config_from_dict(data, base.paths.config_file)


def pseudonym_key(cfg: CohortConfig) -> bytes:
    """The pseudonymisation key: the published demo key for synthetic cohorts, else the user's key."""
    from analysis.privacy import load_key

    return DEMO_KEY if cfg.synthetic else load_key()


# ----------------------------------------------------------------------------- stage 1
@dataclass
class IngestValidateResult:
    """What stage 1 shows: per-file accounting, rule counts, response against the registry."""

    accounting: pd.DataFrame
    rule_counts: pd.DataFrame
    response: pd.DataFrame
    notices: list[str] = field(default_factory=list)


def _pseudonymise_frame(df: pd.DataFrame, key: bytes, personal: set[str], instrument: Any,
                        id_col: str = "student_id") -> pd.DataFrame:
    """The privacy boundary for one accepted table: ``student_id`` → ``pid``, every direct identifier
    dropped, phones/e-mails/handles redacted in the free-text answers of ``instrument`` (the table's
    :class:`~analysis.instruments.Instrument`) only — :func:`analysis.privacy.free_text_questions`;
    ``pid`` and ``*_id`` are never touched — and the date of birth replaced by ``age_at_grad``
    (:func:`analysis.privacy.minimise_birth_date`)."""
    from analysis.privacy import (
        drop_personal,
        free_text_questions,
        minimise_birth_date,
        pseudonymise,
    )

    out = df.copy()
    if id_col in out.columns:
        out.insert(0, "pid", pseudonymise(out[id_col].astype("string"), key).astype("string"))
    drop = [c for c in out.columns if c in personal or c == id_col]
    out = drop_personal(out, drop, free_text=free_text_questions(instrument))
    attrs = dict(out.attrs)
    out = minimise_birth_date(out)
    out.attrs.update(attrs)
    return out


def validation_parameters(cfg: CohortConfig) -> dict[str, Any]:
    """The cohort's parameters plus the statutory minimum wage in force at the follow-up survey
    (from the open-data snapshot), used to flag full-time incomes below it."""
    from analysis.errors import ConfigError
    from analysis.opendata import minimum_wage

    params = cfg.as_parameters()
    try:
        params["min_wage_kgs"] = minimum_wage(cfg.graduation_year + 1).value_kgs
    except ConfigError:
        pass  # the validation's documented default applies
    return params


def ingest_validate(cfg: CohortConfig) -> IngestValidateResult:
    """Stage 1: read every input, validate, pseudonymise, write ``validated/`` and ``manifest.json``."""
    from analysis.ingest import read_input
    from analysis.instruments import load_instrument
    from analysis.privacy import DIRECT_IDENTIFIERS, mask_value
    from analysis.provenance import input_records, write_manifest
    from analysis.validate import validate_cohort
    from analysis.validate.messages import ALL_LANGS, split_messages
    from analysis.validate.quality import quality_data

    paths = cfg.paths
    for item in cfg.inputs:
        if not (paths.raw / item.path).is_file():
            raise InputError(paths.raw / item.path, "input file listed in the cohort parameters is missing",
                             fix=f"put the file there or correct {paths.config_file.name}")
    records = input_records(paths.raw, list(cfg.inputs))
    write_manifest(paths.processed / "manifest.json", cohort=cfg.cohort, root=Path(cfg.project_root),
                   parameters=cfg.as_parameters(), inputs=records)

    fresh_dir(paths.validated)
    frames: dict[str, list[pd.DataFrame]] = {}
    notices: list[str] = []
    for item in cfg.inputs:
        mapping = (paths.raw / item.mapping) if item.mapping else None
        res = read_input(paths.raw / item.path, item.instrument, item.format, mode=item.mode,
                         encoding=item.encoding, delimiter=item.delimiter, mapping=mapping, base_dir=paths.raw)
        frames.setdefault(item.instrument, []).append(res.table)
        notices += [str(n) for n in res.warnings]
    canonical = {k: pd.concat(v, ignore_index=True) for k, v in frames.items()}
    insts = {name: load_instrument(name, Path(cfg.project_root) / "questionnaires") for name in canonical}
    val = validate_cohort(canonical, insts, canonical["registry"], validation_parameters(cfg), lang=ALL_LANGS)

    key = pseudonym_key(cfg)
    personal = set(DIRECT_IDENTIFIERS) | {n for i in insts.values() for n in i.direct_identifiers}
    out = paths.validated
    for name, table in val.accepted.items():
        write_parquet(_pseudonymise_frame(table, key, personal, insts[name]), out / f"{name}.parquet")
    quarantine = split_messages(_pseudonymise_ids(val.quarantine, key))
    is_personal = quarantine["column"].isin(personal | {"student_id"})
    quarantine.loc[is_personal, "value"] = quarantine.loc[is_personal, "value"].map(
        lambda v: mask_value(str(v)) if v is not None and v == v and str(v) != "" else v)
    write_parquet(quarantine, out / "quarantine.parquet")
    write_parquet(_pseudonymise_ids(val.outcomes, key), out / "outcomes.parquet")
    qd = quality_data(val, insts, cfg)
    qd.examples = split_messages(qd.examples)
    for name in ("by_file", "by_rule", "examples", "response", "knowledge", "flags"):
        write_parquet(getattr(qd, name).reset_index(drop=True), out / "quality" / f"{name}.parquet")
    (out / "notices.json").write_text(json.dumps(notices, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out / "summary.json").write_text(json.dumps(val.summary, ensure_ascii=False, indent=1, sort_keys=True,
                                                 default=str) + "\n", encoding="utf-8")
    overall = qd.response[(qd.response["programme"] == "all") & (qd.response["sex"] == "all")]
    return IngestValidateResult(qd.by_file, qd.by_rule, overall, notices)


def _pseudonymise_ids(df: pd.DataFrame, key: bytes, column: str = "respondent_id") -> pd.DataFrame:
    """Replace the student ids of a quarantine/outcome table by their pseudonyms (empty stays empty),
    and show only the year of a quarantined date of birth (``2031-**-**``: enough to see why it was
    refused, the full date stays in ``data/raw``)."""
    from analysis.privacy import pseudonymise

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


# ----------------------------------------------------------------------------- stage 2
@dataclass
class DeriveResult:
    """What stage 2 shows: linkage rates and an overview of the derived variables."""

    linkage: pd.DataFrame
    overview: pd.DataFrame


def derive(cfg: CohortConfig) -> DeriveResult:
    """Stage 2: link the pseudonymous tables and derive every graduate's variables."""
    from analysis.indicators import derive_graduates, linkage_table, load_programmes

    v = cfg.paths.validated
    registry = read_parquet(v / "registry.parquet")
    phase1 = read_parquet(v / "phase1.parquet") if (v / "phase1.parquet").exists() else pd.DataFrame()
    phase2 = read_parquet(v / "phase2.parquet") if (v / "phase2.parquet").exists() else pd.DataFrame()
    graduates = derive_graduates(registry, phase1, phase2, load_programmes(), cfg)
    write_parquet(graduates, cfg.paths.processed / "graduates.parquet")
    if (v / "employer.parquet").exists():
        write_parquet(read_parquet(v / "employer.parquet"), cfg.paths.processed / "employers.parquet")
    from analysis.dictionary import write_data_dictionary

    write_data_dictionary(graduates, cfg.paths.processed / "graduates.dictionary.csv")
    link = linkage_table(registry, phase1, phase2)
    overview = graduates.describe(include="all").T.reset_index().rename(columns={"index": "variable"})
    return DeriveResult(link, overview[["variable", "count"]].head(60))


# ----------------------------------------------------------------------------- stage 3
@dataclass
class ModelResult:
    """What stage 3 shows: weighting diagnostics, headline estimates, cells published and suppressed."""

    weights: pd.DataFrame
    headline: pd.DataFrame
    disclosure: pd.DataFrame


def model(cfg: CohortConfig) -> ModelResult:
    """Stage 3: weights, the results table and its disclosure pass → ``results/``."""
    from analysis.estimation import run_models

    graduates = read_parquet(cfg.paths.processed / "graduates.parquet")
    emp = cfg.paths.processed / "employers.parquet"
    employers = read_parquet(emp) if emp.exists() else None
    out = run_models(graduates, cfg, fresh_dir(cfg.paths.results), employers)
    return ModelResult(out["weights"], out["headline"], out["disclosure"])

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
from types import SimpleNamespace
from typing import Any

import pandas as pd

from analysis.core.config import (
    PARAMETER_KEYS,
    CohortConfig,
    config_from_dict,
    config_path,
    load_config,
)
from analysis.derive.dictionary import write_data_dictionary
from analysis.derive.graduates import P1_ITEMS, P2_ITEMS, derive_graduates, linkage_table, load_programmes
from analysis.derive.opendata import minimum_wage
from analysis.errors import ConfigError, InputError
from analysis.ingest import read_input
from analysis.ingest.cohort import check_cohort, cohort_notice, raise_errors
from analysis.ingest.legacy import cast_covariates, covariate_name, load_mapping
from analysis.ingest.notices import notice_records
from analysis.instruments.xlsform import load_instrument
from analysis.pipeline.estimation import run_models
from analysis.pipeline.provenance import input_records, write_manifest
from analysis.pipeline.tables import fresh_dir, read_parquet, write_parquet
from analysis.privacy.boundary import protect_table, pseudonymise_record_ids
from analysis.privacy.keys import load_key
from analysis.privacy.scan import mask_value, write_gate_index
from analysis.privacy.values import DIRECT_IDENTIFIERS, add_input_values
from analysis.validate import validate_cohort
from analysis.validate.messages import ALL_LANGS, split_messages
from analysis.validate.quality import quality_data

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
    return config_from_dict(data, config_path(cohort, base.project_root))


def pseudonym_key(cfg: CohortConfig) -> bytes:
    """The pseudonymisation key: the published demo key for synthetic cohorts, else the user's key."""
    return DEMO_KEY if cfg.synthetic else load_key()


# ----------------------------------------------------------------------------- stage 1
@dataclass
class IngestValidateResult:
    """What stage 1 shows: per-file accounting, rule counts, response against the registry, and every
    ingestion notice (one line each: :data:`analysis.ingest.notices.NOTICE_COLUMNS`)."""

    accounting: pd.DataFrame
    rule_counts: pd.DataFrame
    response: pd.DataFrame
    notices: pd.DataFrame = field(default_factory=pd.DataFrame)

    def notice_table(self, lang: str = "en") -> pd.DataFrame:
        """The notices to show: file, row, column, level, count, message and suggestion in ``lang``."""
        n = self.notices
        if n.empty:
            return pd.DataFrame(columns=["file", "row", "column", "level", "count", "message", "suggestion"])
        return n[["file", "row", "column", "level", "count", f"message_{lang}", f"suggestion_{lang}"]].rename(
            columns={f"message_{lang}": "message", f"suggestion_{lang}": "suggestion"})


def validation_parameters(cfg: CohortConfig) -> dict[str, Any]:
    """The cohort's parameters plus the statutory minimum wage in force at the follow-up survey
    (from the open-data snapshot), used to flag full-time incomes below it."""
    params = cfg.as_parameters()
    try:
        params["min_wage_kgs"] = minimum_wage(cfg.graduation_year + 1).value_kgs
    except ConfigError:
        pass  # the validation's documented default applies
    return params


def _mark_not_asked(table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Add ``names`` to every row's ``_not_asked`` marker (questions no file of the cohort asked)."""
    if not names:
        return table
    out = table.copy()
    old = out["_not_asked"].fillna("").astype(str) if "_not_asked" in out.columns else pd.Series("", index=out.index)
    have = [set(v.split()) for v in old]
    out["_not_asked"] = [" ".join([*v.split(), *(n for n in names if n not in h)]) for v, h in zip(old, have)]
    return out


def covariate_specs(cfg: CohortConfig) -> dict[str, dict[str, Any]]:
    """The covariates declared by the cohort's legacy mappings: ``x_<name>`` → ``{type, levels}``."""
    specs: dict[str, dict[str, Any]] = {}
    for item in cfg.inputs:
        if item.format == "legacy" and item.mapping:
            spec, _ = load_mapping(cfg.paths.raw / item.mapping, cfg.paths.raw)
            for header, cspec in (spec.get("covariates") or {}).items():
                specs[covariate_name(str(header), cspec)] = {
                    "type": cspec["type"], "levels": [str(v) for v in (cspec.get("levels") or [])]}
    return specs


def read_cohort_inputs(cfg: CohortConfig, personal: dict[str, set[str]] | None = None
                       ) -> tuple[dict[str, list[pd.DataFrame]], list[Any], Any]:
    """Read every input of the cohort and check them together (:func:`analysis.ingest.cohort.check_cohort`).

    Returns the canonical tables per instrument (rows of cohort-level not-asked questions marked), every
    notice (readers' and the cohort's, in input order; plus ``no_registry`` when the cohort has none) and
    the :class:`~analysis.ingest.cohort.CohortCheck`. Raises nothing for error notices: the caller writes
    them first, then calls :func:`analysis.ingest.cohort.raise_errors`. With ``personal`` (column → set), the
    personal values of every input are added to it (:func:`analysis.privacy.values.add_input_values`), from
    the same read.
    """
    paths = cfg.paths
    reads = []
    for item in cfg.inputs:
        mapping = (paths.raw / item.mapping) if item.mapping else None
        res = read_input(paths.raw / item.path, item.instrument, item.format, mapping=mapping, base_dir=paths.raw,
                         **item.read_options())
        reads.append((item.instrument, res))
        if personal is not None:
            add_input_values(personal, cfg, item, res.table)
    insts = {k: load_instrument(k, Path(cfg.project_root) / "questionnaires") for k in {k for k, _ in reads}}
    check = check_cohort(reads, insts)
    notices = [n for _, r in reads for n in r.warnings] + check.notices
    if not cfg.has_registry:
        notices.append(cohort_notice(", ".join(i.path for i in cfg.inputs), "no_registry"))
    frames: dict[str, list[pd.DataFrame]] = {}
    for key, res in reads:
        frames.setdefault(key, []).append(_mark_not_asked(res.table, check.not_asked.get(key, [])))
    return frames, notices, check


def ingest_validate(cfg: CohortConfig) -> IngestValidateResult:
    """Stage 1: read every input, validate, pseudonymise, write ``validated/`` and ``manifest.json``.

    Besides the tables of ``docs/architecture.md`` it writes ``validated/notices.parquet`` (every
    ingestion notice, :mod:`analysis.ingest.notices`) — before stopping on a notice that must stop the
    run (:mod:`analysis.ingest.cohort`). A question that no file of an instrument asked is left out of
    that instrument's validated table; the covariates of legacy mappings (``x_<name>``) are kept with
    their declared type.
    """

    paths = cfg.paths
    for item in cfg.inputs:
        for rel in (item.path, item.mapping):
            if rel and not (paths.raw / rel).is_file():
                raise InputError(paths.raw / rel, "input file listed in the cohort parameters is missing",
                                 fix=f"put the file there or correct {paths.config_file.name}")
    listed = list(cfg.inputs) + [SimpleNamespace(path=i.mapping, instrument=i.instrument, format="mapping", mode=None)
                                 for i in cfg.inputs if i.mapping]
    records = input_records(paths.raw, listed)
    write_manifest(paths.processed / "manifest.json", cohort=cfg.cohort, root=Path(cfg.project_root),
                   parameters=cfg.as_parameters(), inputs=records)

    fresh_dir(paths.validated)
    personal_values: dict[str, set[str]] = {}
    frames, notices, check = read_cohort_inputs(cfg, personal_values)
    # the privacy gate's value set, from this one read of each raw file (hashed, kept in the raw folder)
    write_gate_index(cfg, personal_values, pseudonym_key(cfg), {r.path: r.sha256 for r in records})
    del personal_values
    notice_df = notice_records(notices)
    write_parquet(notice_df, paths.validated / "notices.parquet")
    raise_errors(notices)
    canonical = {k: pd.concat(v, ignore_index=True) for k, v in frames.items()}
    del frames  # each file's table is now in its instrument's table: not kept twice (memory at scale)
    for df in canonical.values():
        for marker in ("_not_asked", "_generated"):
            if marker in df.columns:
                df[marker] = df[marker].fillna("").astype(str)
    insts = {name: load_instrument(name, Path(cfg.project_root) / "questionnaires") for name in canonical}
    val = validate_cohort(canonical, insts, canonical.get("registry"), validation_parameters(cfg), lang=ALL_LANGS)
    specs = covariate_specs(cfg)

    key = pseudonym_key(cfg)
    personal = set(DIRECT_IDENTIFIERS) | {n for i in insts.values() for n in i.direct_identifiers}
    out = paths.validated
    for name, table in val.accepted.items():
        table = table.drop(columns=[c for c in check.not_asked.get(name, []) if c in table.columns])
        table = cast_covariates(table, specs)
        write_parquet(protect_table(table, key, personal, insts[name]), out / f"{name}.parquet")
    quarantine = split_messages(pseudonymise_record_ids(val.quarantine, key))
    is_personal = quarantine["column"].isin(personal | {"student_id"})
    quarantine.loc[is_personal, "value"] = quarantine.loc[is_personal, "value"].map(
        lambda v: mask_value(str(v)) if v is not None and v == v and str(v) != "" else v)
    write_parquet(quarantine, out / "quarantine.parquet")
    write_parquet(pseudonymise_record_ids(val.outcomes, key), out / "outcomes.parquet")
    qd = quality_data(val, insts, cfg)
    qd.examples = split_messages(qd.examples)
    for name in ("by_file", "by_rule", "examples", "response", "knowledge", "flags"):
        write_parquet(getattr(qd, name).reset_index(drop=True), out / "quality" / f"{name}.parquet")
    (out / "summary.json").write_text(json.dumps(val.summary, ensure_ascii=False, indent=1, sort_keys=True,
                                                 default=str) + "\n", encoding="utf-8")
    overall = qd.response[(qd.response["programme"] == "all") & (qd.response["sex"] == "all")]
    return IngestValidateResult(qd.by_file, qd.by_rule, overall, notice_df)


# ----------------------------------------------------------------------------- stage 2
@dataclass
class DeriveResult:
    """What stage 2 shows: linkage rates and an overview of the derived variables."""

    linkage: pd.DataFrame
    overview: pd.DataFrame


def derive(cfg: CohortConfig) -> DeriveResult:
    """Stage 2: link the pseudonymous tables and derive every graduate's variables.

    Without a registry (none listed in the cohort file) the survey rows define the graduates. A phase
    the cohort lists no file for was not asked at all: its items are ``not_asked``, so the variables
    that need them are not measured (:data:`analysis.derive.graduates.DERIVED_NEEDS`).
    """
    v = cfg.paths.validated
    registry = read_parquet(v / "registry.parquet") if cfg.has_registry else None
    phase1 = read_parquet(v / "phase1.parquet") if (v / "phase1.parquet").exists() else pd.DataFrame()
    phase2 = read_parquet(v / "phase2.parquet") if (v / "phase2.parquet").exists() else pd.DataFrame()
    not_asked = {"phase1": [] if cfg.inputs_for("phase1") else list(P1_ITEMS),
                 "phase2": [] if cfg.inputs_for("phase2") else list(P2_ITEMS)}
    graduates = derive_graduates(registry, phase1, phase2, load_programmes(), cfg, not_asked=not_asked)
    write_parquet(graduates, cfg.paths.processed / "graduates.parquet")
    if (v / "employer.parquet").exists():
        write_parquet(read_parquet(v / "employer.parquet"), cfg.paths.processed / "employers.parquet")

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
    graduates = read_parquet(cfg.paths.processed / "graduates.parquet")
    emp = cfg.paths.processed / "employers.parquet"
    employers = read_parquet(emp) if emp.exists() else None
    out = run_models(graduates, cfg, fresh_dir(cfg.paths.results), employers)
    return ModelResult(out["weights"], out["headline"], out["disclosure"])

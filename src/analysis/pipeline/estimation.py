"""The model stage: weights, the results table, and the one disclosure pass.

Called by :func:`analysis.pipeline.stages.model` (notebook 03); the statistics are computed in
:mod:`analysis.stats` and :mod:`analysis.results`, the disclosure pass in :mod:`analysis.publish.disclosure`.
Reads ``graduates.parquet`` (one row per graduate) and ``employers.parquet`` and writes to ``results/``:

* ``estimates.parquet`` — the results table (:mod:`analysis.results.table`): every registry indicator by
  domain, unweighted and design-based, plus the result families of :mod:`analysis.results.families`
  (labour-status distribution, response by mode, time to first job, models, competences, feedback,
  employers, non-response checks, open-data benchmarks, income imputation, cohort differences). Full
  precision, pseudonymous research output: never published as it is.
* ``published.parquet`` — the same rows after disclosure control (:func:`analysis.publish.disclosure.publish`):
  status and rule per row, suppressed values emptied, counts rounded. **Everything that renders reads
  only this file.** Writing it runs the attack check; a recoverable cell stops the run.
* ``hierarchy.parquet`` — which groups add up to which (used by the disclosure pass).
* ``weights.parquet`` (phase-2 respondents: pid, weight) and ``weights.json`` (diagnostics per phase).

Every method is explained for the expert group in ``docs/methodology.md``.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.config import CohortConfig
from analysis.derive.graduates import load_programmes
from analysis.derive.match import COMPETENCES
from analysis.derive.open_tables import load_open_data
from analysis.derive.opendata import minimum_wage, oblast_average_wage
from analysis.derive.registry import load_registry
from analysis.derive.themes import UNCODED, code_answers, load_specialties, load_themes
from analysis.errors import ConfigError
from analysis.pipeline.tables import write_parquet
from analysis.publish.disclosure import Rules, publish
from analysis.results.decisions import decision_links, decision_rows, load_decisions
from analysis.results.employers import EMPLOYER_DISTRIBUTIONS, demand_hierarchy
from analysis.results.families import (
    ALIASES,
    DISTRIBUTIONS,
    cif_rows,
    competence_rows,
    context_rows,
    employer_rows,
    feedback_rows,
    first_job_timing_rows,
    income_mi_rows,
    labour_status_rows,
    model_rows,
    nonresponse_rows,
    response_mode_rows,
)
from analysis.results.graduate_items import GRADUATE_DISTRIBUTIONS, graduate_item_rows
from analysis.results.labour import context_rows as open_context_rows
from analysis.results.labour import labour_hierarchy, occupation_rows, supply_rows
from analysis.results.lights import light_rows
from analysis.results.pooling import load_pool, pooled_rows
from analysis.results.table import (
    Settings,
    difference_rows,
    finish,
    hierarchy,
    registry_rows,
)
from analysis.results.themes import propose_themes, theme_rows
from analysis.stats.nonresponse import early_late, respondent_comparison
from analysis.stats.outcome_models import run_outcome_models
from analysis.stats.weighting import read_enterprise_frame, weight_respondents, weight_to_frame

__all__ = ["run_models"]


def _previous_rows(cfg: CohortConfig) -> pd.DataFrame | None:
    """The previous cohort's results table (internal, full precision), when it has been run."""
    if not cfg.previous_cohort:
        return None
    prev = cfg.paths.root / "data" / "processed" / cfg.previous_cohort / "results" / "estimates.parquet"
    return pd.read_parquet(prev) if prev.exists() else None


def _income_context(cfg: CohortConfig) -> dict[str, Any]:
    """The oblast average wage and the minimum wage used as income benchmarks (with their sources);
    ``{"unavailable": reason}`` when the open-data snapshot has no figure close enough to the year."""
    try:
        wage = oblast_average_wage(cfg.region, year=cfg.graduation_year + 1)
        mw = minimum_wage(cfg.graduation_year + 1)
    except ConfigError as exc:
        return {"unavailable": str(exc)}
    return {"oblast_wage": wage.value_kgs, "oblast_wage_period": wage.period, "source": wage.source_url,
            "minimum_wage": mw.value_kgs, "minimum_wage_period": mw.period}


def employer_design(cfg: CohortConfig, employers: pd.DataFrame | None) -> tuple[Any, dict[str, Any]]:
    """The employers' design weighted to the cohort's enterprise frame (``enterprise_frame`` in the cohort
    file, read from ``data/raw/COHORT/``; a broken frame stops the run with one line); (None, why) without
    a frame or employers — the employer rows are then unweighted and the report says so."""
    if employers is None or employers.empty:
        return None, {"method": "none", "respondents": 0, "note": "no employers"}
    frame = read_enterprise_frame(cfg.paths.raw / cfg.enterprise_frame) if cfg.enterprise_frame else None
    return weight_to_frame(employers.reset_index(drop=True), frame)


def _write_theme_proposals(graduates: pd.DataFrame, employers: pd.DataFrame | None, themes: Any, path: Path,
                           seed: int) -> None:
    """Proposed new themes from the answers no theme matched (:func:`analysis.results.themes.propose_themes`),
    per open question, for the expert group's review: ``data/processed/COHORT/theme_proposals.csv`` (never
    in the report). Graduates' answers only of phase-2 respondents."""
    frames = []
    sources = [(q, graduates, "resp_p2") for q in ("strengths", "weaknesses", "suggestions")]
    sources.append(("curriculum_suggestions", employers, None))
    for q, table, flag in sources:
        if table is None or q not in table:
            continue
        texts = table[q].astype("string")
        if flag and flag in table:
            texts = texts.where(table[flag].astype("boolean").fillna(False).to_numpy(bool))
        coded = code_answers(texts, themes, q)
        left = texts[coded[UNCODED].fillna(False).astype(bool)]
        prop = propose_themes(left, seed=seed)
        if not prop.empty:
            frames.append(prop.assign(question=q, uncoded_answers=int(left.notna().sum())))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["topic", "top_words", "answers", "example", "question", "uncoded_answers"])
    write_csv = out[["question", "uncoded_answers", "topic", "top_words", "answers", "example"]]
    path.write_text(write_csv.to_csv(index=False, lineterminator="\n"), encoding="utf-8")


def count_rows(graduates: pd.DataFrame) -> pd.DataFrame:
    """Graduates in the registry and respondents of each phase, as published counts."""
    rows = [{"indicator": "count:graduates", "estimate": float(len(graduates))}]
    for flag in ("resp_p1", "resp_p2"):
        if flag in graduates:
            rows.append({"indicator": f"count:respondents_{flag[-2:]}",
                         "estimate": float(graduates[flag].astype("boolean").fillna(False).sum())})
    out = pd.DataFrame(rows)
    out["n"] = out["estimate"]
    return out.assign(statistic="total", unit="count", domain="all", group="all", basis="census")


def _family(indicator: str, rows: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """The rows of one result family; if computing them raises, one row ``failed: <error>`` instead —
    the model stage records a failure and goes on, the report says the figure could not be computed
    (the disclosure check, which must stop the run, is not a family)."""
    try:
        return rows()
    except Exception as exc:  # noqa: BLE001 - recorded in the results table, shown in the report
        first = (str(exc).strip().splitlines() or [""])[0]
        return pd.DataFrame([{"indicator": indicator, "statistic": "value", "unit": "", "domain": "all",
                              "group": "all", "n": 0.0, "note": f"failed: {type(exc).__name__}: {first}"}])


def run_models(graduates: pd.DataFrame, cfg: CohortConfig, out: Path,
               employers: pd.DataFrame | None = None) -> dict[str, Any]:
    """The whole model stage; writes ``results/`` and returns what the notebook shows."""

    covariates = tuple(getattr(cfg, "model_covariates", ()) or ())
    unknown = [c for c in covariates if c not in graduates.columns]
    if unknown:
        have = sorted(c for c in graduates.columns if c.startswith("x_"))
        raise ConfigError(f"{cfg.paths.config_file.name}: model_covariates names {', '.join(unknown)}, which the "
                          f"graduates table lacks (covariates of this cohort: {', '.join(have) or 'none'}; declare "
                          "them under covariates in the legacy mapping)")
    out.mkdir(parents=True, exist_ok=True)
    st = Settings.from_config(cfg)
    designs: dict[str, Any] = {}
    diags: dict[str, Any] = {}
    has_registry = bool(getattr(cfg, "has_registry", True))
    for phase, flag in (("p1", "resp_p1"), ("p2", "resp_p2")):
        designs[phase], diags[phase] = weight_respondents(graduates, cfg.weighting_margins, cfg.weight_trim_ratio,
                                                          flag, fpc=cfg.finite_population_correction,
                                                          has_registry=has_registry)
    employers = employers.reset_index(drop=True) if employers is not None else None
    edesign, diags["employers"] = employer_design(cfg, employers)
    programmes = load_programmes()
    specialties = load_specialties(programmes=programmes)
    themes = load_themes()
    decisions = load_decisions(cfg.paths.root / "decisions", indicators=[i.id for i in load_registry()],
                               programmes=list(programmes["programme"].astype(str)))
    p2 = designs["p2"]
    if p2 is not None:
        write_parquet(p2.data[["pid", "weight"]].reset_index(drop=True), out / "weights.parquet")
    (out / "weights.json").write_text(json.dumps(diags, indent=1, sort_keys=True, default=float) + "\n",
                                      encoding="utf-8")

    frames = [count_rows(graduates), registry_rows(graduates, designs, st)]
    if cfg.pool_cohorts and p2 is not None:  # small programmes pooled with earlier cohorts (docs/trends.md)
        pool = load_pool(cfg.paths.root, cfg.pool_cohorts)
        frames.append(_family("programme_pooled", lambda: pooled_rows(
            cfg.cohort, graduates, p2.data[["pid", "weight"]], pool, st, cfg.disclosure_min_n)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        employer_frame = _family("employers:count", lambda: employer_rows(employers, st, COMPETENCES, edesign,
                                                                          specialties, diags["employers"]))
        frames += [_family("labour_status", lambda: labour_status_rows(graduates, st, p2)),
                   _family("response_mode_p2", lambda: response_mode_rows(graduates, st)),
                   _family("first_job_cif", lambda: cif_rows(graduates, st, months=float(cfg.survey_months_after) + 3)),
                   _family("job_at_graduation_share", lambda: first_job_timing_rows(graduates, st, p2)),
                   _family("competence_gap", lambda: competence_rows(graduates, st, p2, COMPETENCES, employers,
                                                                     edesign)),
                   _family("feedback", lambda: feedback_rows(graduates, st, designs)),
                   employer_frame,
                   _family("graduates:sector", lambda: graduate_item_rows(graduates, st, p2)),
                   _family("theme:strengths", lambda: theme_rows(graduates, employers, st, p2, edesign, themes))]
        fitted = run_outcome_models(graduates, p2, seed=cfg.seed, alpha=st.alpha, covariates=covariates)
        frames.append(model_rows(fitted, fitted.get("failures", {})))
        frames.append(income_mi_rows(fitted.get("income_mi") or {}, st))
        frames.append(_family("nonresponse", lambda: nonresponse_rows(
            respondent_comparison(graduates) if "resp_p2" in graduates else pd.DataFrame(),
            early_late(graduates) if "resp_p2" in graduates else pd.DataFrame())))
    frames.append(context_rows(_income_context(cfg)))
    # supply against demand (docs/labour-market.md): open data read once, checked by its suite (a broken
    # table stops the run with one line); verdicts and lights come after the disclosure pass
    rules = cfg.labour_rules
    open_data = load_open_data(cfg.project_root or None)
    supply = _family("labour:supply", lambda: supply_rows(graduates, st, p2, rules))
    frames += [supply, _family("labour:demand_to_supply", lambda: occupation_rows(
        supply, employer_frame, open_data, cfg.region, rules)),
        open_context_rows(open_data, cfg.region, cfg.graduation_year + 1)]
    results = finish(frames, st)
    previous = _previous_rows(cfg)
    if previous is not None:
        cur = results[(results["domain"] == "all") & results["statistic"].isin(["share", "mean", "median"])
                      & ~results["indicator"].str.contains(":")]
        prev = previous[(previous["domain"] == "all") & previous["statistic"].isin(["share", "mean", "median"])]
        results = finish([results, difference_rows(cur, prev, st).assign(domain="cohort_difference")], st)
    if decisions:
        results = finish([results, _family("decision", lambda: decision_rows(decisions, results, cfg.cohort,
                                                                              cfg.paths.root, st))], st)
    _write_theme_proposals(graduates, employers, themes, out.parent / "theme_proposals.csv", cfg.seed)
    hier = pd.concat([hierarchy(graduates), demand_hierarchy(specialties), labour_hierarchy(graduates, rules)],
                     ignore_index=True)
    write_parquet(hier, out / "hierarchy.parquet")
    published = publish(results, hier, Rules.from_config(cfg),
                        distributions={**DISTRIBUTIONS, **EMPLOYER_DISTRIBUTIONS, **GRADUATE_DISTRIBUTIONS},
                        aliases=ALIASES, dependent=decision_links(decisions))
    # the verdicts and lights rest on published rows only (docs/labour-market.md): they carry no number
    crosswalk = (dict(graduates[["programme", "expected_isco"]].dropna().astype(str).drop_duplicates("programme")
                      .itertuples(index=False, name=None)) if {"programme", "expected_isco"} <= set(graduates) else {})
    lights = finish([light_rows(published, crosswalk, rules)], st)
    results = finish([results, lights], st)
    write_parquet(results, out / "estimates.parquet")
    published = pd.concat([published, lights.drop(columns="x").assign(status="published", rule="")],
                          ignore_index=True)
    write_parquet(published, out / "published.parquet")

    reg = published[(published["domain"] == "all") & ~published["indicator"].str.contains(":")
                     & (published["category"] == "")]
    head = reg[["indicator", "n", "estimate", "ci_low", "ci_high", "unweighted", "status"]]
    wtab = pd.DataFrame([{"phase": ph, "diagnostic": k, "value": str(v)} for ph, d in diags.items()
                         for k, v in d.items()])
    counts = published["status"].value_counts().rename_axis("status").reset_index(name="cells")
    return {"weights": wtab, "headline": head, "disclosure": counts}

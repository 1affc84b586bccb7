"""Appendix: how to read the figures and how they were made — intervals and their methods, weighting to the
registry (raking) and whether it changed anything, disclosure control, the time-to-job curves (censoring,
further study as a competing risk, the faculty test), the imputation check of income. Method names live here,
not in the main text."""

from __future__ import annotations

import re
from typing import Any

from analysis.core.i18n import t
from analysis.derive.registry import load_registry
from analysis.publish.disclosure import hesa_round
from analysis.publish.formatting import fmt_number


def ci_note(rep: Any, indicator: str = "employment_rate") -> None:
    """Which estimate and interval the tables show, in words, from the published rows (the first registry
    indicator with a published interval when ``indicator`` has none; nothing when none has)."""
    r = rep.cell(indicator)
    if not (rep.shown(r) and str(r["ci_method"])):
        shown = [c for c in (rep.cell(i.id) for i in load_registry())
                 if rep.shown(c) and c["basis"] != "census" and str(c["ci_method"])]
        r = next((c for c in shown if c["statistic"] == "share"), shown[0] if shown else None)
        if r is None:
            return
    method = rep.method_name(str(r["ci_method"]))
    unweighted = rep.method_name(str(rep.cfg.ci_method))
    key = "methods_ci_weighted" if r["basis"] == "weighted" else "methods_ci_unweighted"
    rep.note(key, conf=rep.conf, method=method, unweighted=unweighted)


def weighting_note(rep: Any) -> None:
    """How the phase-2 weights were made: raked to the requested registry margins, to fewer of them, or not at
    all (equal weights), from ``results/weights.json`` (:func:`analysis.stats.weighting.weight_respondents`)."""
    if not getattr(rep.cfg, "has_registry", True):
        rep.note("no_registry_unweighted")
        return
    diag = rep.json_file(rep.paths.results / "weights.json").get("p2", {})
    used, asked = diag.get("margins_used"), diag.get("margins_requested")
    if used is None or used == asked:
        rep.note("weighted_note")
    elif not used:
        rep.note("weighted_note_equal")
    else:
        rep.note("weighted_note_fallback",
                 margins="; ".join(" × ".join(rep.var_label(c) for c in m) for m in used))
    pub = rep.published
    share = pub[(pub["basis"] == "weighted") & (pub["statistic"] == "share") & (pub["status"] == "published")
                & pub["estimate"].notna()]
    if not share.empty:  # no weighted share published: there is nothing weighting could have changed
        k = int(share["weighting_changes"].sum())
        rep.note("weighting_changes" if k else "weighting_no_change", k=k)


def render(rep: Any) -> None:
    """Reading the figures, intervals, weighting, disclosure control, time to a first job, income imputation."""
    rep.heading("sec_methods")
    rep.para("methods_intro", conf=rep.conf)
    ci_note(rep)
    weighting_note(rep)
    rep.note("disclosure_note", min_n=rep.cfg.disclosure_min_n)
    if (rep.published["rule"] == "secondary").any():
        rep.note("secondary_note")
    rep.para("methods_first_job")
    lr = rep.cell("first_job_logrank", "faculty")
    if rep.shown(lr):
        rep.note("logrank_note", chi2=fmt_number(lr["estimate"], rep.lang, 1), p=rep.p_value(lr["p_value"]))
    elif lr is not None and rep.empty(lr):
        rep.lack_of("first_job_logrank")
    mi, cc = rep.cell("income_mi:median"), rep.cell("income_mi:complete_case_median")
    if rep.shown(mi) and rep.shown(cc):
        rep.note("mi_note", mi=rep.value(mi), cc=rep.value(cc))
        sub = re.search(r"subsample=(\d+)/(\d+)", str(mi.get("note") or ""))
        if sub:  # stats.outcome_models.MI_MAX_ROWS: imputed on a random subsample
            rep.note("mi_subsample_note", n=rep.count(hesa_round(int(sub.group(1)))),
                     total=rep.count(hesa_round(int(sub.group(2)))))
    if rep.cfg.previous_cohort:
        rep.note("trend_method_note")
    rep.note("methods_more", title=t("sec_glossary", rep.lang))

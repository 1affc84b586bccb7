"""Appendix: what is associated with finding work — the logistic regression of employment (odds ratios with
their intervals, chart and table) and the regression of log income (% differences). Weighted (design-based
standard errors) when the respondents carry weights, unweighted otherwise; the text says which."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.core.i18n import t
from analysis.publish.charts import coefficient_plot
from analysis.publish.disclosure import hesa_round
from analysis.publish.formatting import fmt_number
from analysis.results.families import model_why


def weighted(rep: Any) -> bool:
    """Whether the models were fitted with weights: a registry, and raking that kept at least one margin."""
    if not getattr(rep.cfg, "has_registry", True):
        return False
    used = rep.json_file(rep.paths.results / "weights.json").get("p2", {}).get("margins_used")
    return used is None or bool(used)


def model_lack(rep: Any, rows: pd.DataFrame) -> None:
    """Why a model shows no coefficient, in one line: too small to publish, or the recorded failure
    (:func:`analysis.results.families.model_why`), counts rounded as every published count."""
    if rows.empty or (rows["status"] == "suppressed").all():
        rep.lack("suppressed")
        return
    code, fields = model_why(rows["note"].iloc[0])
    if code == "other":
        rep.lack("failed", reason=fields.get("reason", ""))
        return
    if "n" in fields:
        fields["n"] = rep.count(hesa_round(int(fields["n"])))
    rep.lack(f"model_{code}", **fields)


def _terms(rep: Any, m: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame([{t("col_model_term", rep.lang): rep.term_label(r["category"]),
                          t("col_estimate", rep.lang): rep.value(r),
                          t("col_ci_level", rep.lang, conf=rep.conf): rep.interval(r)} for _, r in m.iterrows()])


def render(rep: Any) -> None:
    """Odds ratios of employment (chart, reference groups, table) and % effects on income."""
    rep.heading("sec_models")
    rep.para("sec_models_intro_weighted" if weighted(rep) else "sec_models_intro_unweighted")
    why = rep.phase_why("p2")
    if why:
        rep.lack(why)
        return
    m = rep.cells("model:employment_logit")
    m = m[m["status"] == "published"]
    if m.empty or m["estimate"].isna().all():
        model_lack(rep, rep.cells("model:employment_logit"))
        return
    plot = pd.DataFrame({"term": [rep.term_label(c) for c in m["category"]], "estimate": m["estimate"],
                         "ci_low": m["ci_low"], "ci_high": m["ci_high"]})
    fig = coefficient_plot(plot, "", t("axis_odds_ratio", rep.lang), null=1.0)
    ax = fig.axes[0]
    ax.set_xscale("log")
    lo, hi = plot["ci_low"].min() / 1.2, plot["ci_high"].max() * 1.2
    ticks = [x for x in (0.125, 0.25, 0.5, 1, 2, 4, 8) if lo <= x <= hi]
    ax.set_xticks(ticks, [fmt_number(x, rep.lang, 2 if x < 1 else 0) for x in ticks])
    ax.minorticks_off()
    what = t("chart_models", rep.lang, conf=rep.conf)
    ranked = plot.sort_values("estimate", ascending=False)
    rep.figure(fig, rep.alt_ranked(what, list(ranked["term"]), [fmt_number(v, rep.lang, 2)
                                                                for v in ranked["estimate"]]), what)
    refs = {c.split("=", 1)[0]: str(n).replace("reference=", "") for c, n in zip(m["category"], m["note"])
            if "=" in c and str(n).startswith("reference=")}
    ref = "; ".join(f"{rep.var_label(v)}: {rep.labels.value(v, r)}" for v, r in refs.items())
    if ref:
        rep.note("reference_category", ref=ref)
    rep.note("reference_other")
    rep.note("model_n_note", n=rep.count(m["n"].iloc[0]))
    rep.show_table(_terms(rep, m), "caption_model_employment", denominator=t("denom_model_employment", rep.lang))
    inc = rep.cells("model:income_ols")
    inc = inc[inc["status"] == "published"]
    if not inc.empty and inc["estimate"].notna().any():
        rep.show_table(_terms(rep, inc), "model_income_heading", denominator=t("denom_model_income", rep.lang))

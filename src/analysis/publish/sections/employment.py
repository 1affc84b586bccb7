"""What graduates do now: labour status (ILO) and the employment rate by faculty, sex, level and funding; this
cohort against the previous one when one is set. Programme tables and the weighting check are in the appendix
(:mod:`.detailed_tables`), how the figures are made in :mod:`.methods`."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.core.i18n import t
from analysis.publish.charts import stacked_shares
from analysis.publish.formatting import fmt_number

STATUSES = ("employed", "unemployed", "olf_study", "olf_other")


def breakdown_table(rep: Any, indicator: str, domains: tuple[str, ...], check: bool = False) -> pd.DataFrame:
    """One indicator by several domains in one table: the breakdown (named once per block), the group, n, the
    value and its interval (``check``: the unweighted value too)."""
    frames = []
    for dom in domains:
        tab = rep.indicator_table(indicator, dom, check=check)
        if tab.empty:
            continue
        tab = tab.rename(columns={tab.columns[0]: t("col_group", rep.lang)})
        tab.insert(0, t("col_breakdown", rep.lang), [t(f"domain_name_{dom}", rep.lang)] + [""] * (len(tab) - 1))
        frames.append(tab)
    return pd.concat(frames, ignore_index=True).fillna("–") if frames else pd.DataFrame()


def status_chart(rep: Any) -> None:
    """Labour status of graduates by faculty (100 % bars, n in the labels)."""
    status = rep.cells("labour_status", "faculty")
    status = status[status["status"] == "published"]
    if status.empty:
        return
    wide = status.pivot_table(index="group", columns="category", values="estimate", observed=True).fillna(0)
    wide = wide[[c for c in STATUSES if c in wide.columns]]
    n = status.groupby("group")["n"].first()
    order = wide.sort_values(wide.columns[0], ascending=False).index if len(wide.columns) else wide.index
    wide = wide.loc[order]
    labels = [rep.group_label("faculty", g, n[g]) for g in wide.index]
    top = [f"{lab}: {fmt_number(100 * v, rep.lang, 0)}%" for lab, v in zip(labels, wide.iloc[:, 0])]
    wide.index = labels
    wide.columns = [rep.labels.value("status", c) for c in wide.columns]
    what = t("chart_status", rep.lang)
    alt = t("alt_status", rep.lang, what=what, k=len(labels), first=wide.columns[0],
            top=top[0], low=top[-1])
    rep.figure(stacked_shares(wide, ""), alt, f"{what} ({rep.denominator('employment_rate')})")


def status_table(rep: Any) -> None:
    """The whole cohort's labour status: the share of each status with its interval."""
    rows = rep.cells("labour_status", "all")
    rows = rows[rows["status"] == "published"]
    if rows.empty:
        return
    order = {c: i for i, c in enumerate(STATUSES)}
    rows = rows.sort_values("category", key=lambda c: c.map(order))
    tab = pd.DataFrame([{t("col_status", rep.lang): rep.labels.value("status", r["category"]),
                         rep.value_column("share"): rep.value(r),
                         t("col_ci_level", rep.lang, conf=rep.conf): rep.interval(r)} for _, r in rows.iterrows()])
    rep.show_table(tab, "chart_status_all", denominator=t("denom_status", rep.lang,
                                                           n=rep.count(rows["n"].iloc[0])))


def trend_table(rep: Any) -> None:
    """This cohort against the previous one (when ``previous_cohort`` is set and has been run)."""
    pub = rep.published
    comp = pub[(pub["domain"] == "cohort_difference") & (pub["unit"] == "share")]
    if comp.empty:
        return
    rows = []
    for _, r in comp.iterrows():
        ok = r["status"] == "published"
        diff = (f"{fmt_number(100 * r['estimate'], rep.lang, 1)} "
                f"({fmt_number(100 * r['ci_low'], rep.lang, 1)}…{fmt_number(100 * r['ci_high'], rep.lang, 1)})")
        rows.append({t("col_indicator", rep.lang): rep.indicator_label(r["indicator"]),
                     t("col_difference", rep.lang, conf=rep.conf): diff if ok else "..",
                     t("col_p", rep.lang): rep.p_value(r["p_value"]) if ok else ".."})
    rep.show_table(pd.DataFrame(rows), "trend_heading", previous=rep.cfg.previous_cohort or "",
                   denominator=t("denom_trend", rep.lang))
    rep.note("trend_note")


def render(rep: Any) -> None:
    """Labour status and the employment rate, by faculty and by sex, level and funding."""
    rep.heading("sec_employment")
    rep.para("sec_employment_intro", months=rep.cfg.survey_months_after)
    why = rep.phase_why("p2")
    emp = rep.published[rep.published["indicator"].isin(["employment_rate", "labour_status"])]
    if why or not any(rep.shown(r) for _, r in emp.iterrows()):  # nothing to show: one line, not six
        if why:
            rep.lack(why)
        else:
            rep.lack_of("employment_rate")
        return
    overall = rep.cell("employment_rate")
    if rep.shown(overall):
        rep.say(t("employment_overall", rep.lang, value=rep.value(overall), ci=rep.ci_n(overall),
                  months=rep.cfg.survey_months_after))
    status_table(rep)
    status_chart(rep)
    rep.bar_chart("employment_rate", "faculty")
    rep.show_indicator_table("employment_rate", "faculty")
    tab = breakdown_table(rep, "employment_rate", ("sex", "level", "funding"))
    if not tab.empty:
        rep.show_table(tab, caption=t("caption_by", rep.lang, indicator=rep.indicator_label("employment_rate"),
                                      by=t("by_sex_level_funding", rep.lang)),
                       indicator="employment_rate", text_cols=(t("col_breakdown", rep.lang),))
    rep.note("how_to_read", conf=rep.conf)
    trend_table(rep)

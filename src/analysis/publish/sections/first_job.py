"""How fast graduates found a first job: who had a job at graduation, how long the others who found one waited
(median), the share with a job within six months, and the curve of the share who had found one by each month —
by faculty. Why the six-month share and the curve differ is said in one sentence (their denominators differ).
The methods (cumulative incidence, the faculty test) are in the appendix."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.core.i18n import t
from analysis.publish.charts import cumulative_curves

SIX = 6.0


def _curves(rep: Any, domain: str) -> dict[str, pd.DataFrame]:
    cif = rep.cells("first_job_cif", domain)
    cif = cif[(cif["status"] == "published") & cif["estimate"].notna()]
    out = {}
    for g, d in cif.groupby("group", sort=True):
        d = d.sort_values("time")
        label = rep.group_label(domain, g, d["n"].iloc[0]) if domain != "all" else rep.labels.value("all", "all")
        out[label] = pd.DataFrame({"time": d["time"].to_numpy(float), "value": d["estimate"].to_numpy(float),
                                   "low": d["ci_low"].to_numpy(float), "high": d["ci_high"].to_numpy(float)})
    return out


def _at(curve: pd.DataFrame, month: float) -> float:
    before = curve[curve["time"] <= month]
    return float(before["value"].iloc[-1]) if not before.empty else 0.0


def timing_table(rep: Any) -> pd.DataFrame:
    """By faculty: n, had a job at graduation (% and interval), the median wait of those who found one later
    (months, n), found a job within six months (%)."""
    at = rep.cells("job_at_graduation_share", "faculty").set_index("group")
    wait = rep.cells("months_to_first_job_after_graduation", "faculty").set_index("group")
    six = rep.cells("job_within_6_months_share", "faculty").set_index("group")
    lang = rep.lang
    rows = []
    for g in sorted(set(at.index) | set(six.index)):
        a = at.loc[g] if g in at.index else None
        w = wait.loc[g] if g in wait.index else None
        s = six.loc[g] if g in six.index else None
        rows.append({t("domain_name_faculty", lang): rep.labels.value("faculty", g),
                     t("col_n", lang): rep.count(a["n"]) if a is not None else "..",
                     t("col_at_graduation", lang): rep.value(a),
                     t("col_ci_level", lang, conf=rep.conf): rep.interval(a),
                     t("col_wait_months", lang): rep.value(w),
                     t("col_wait_n", lang): rep.count(w["n"]) if w is not None else "..",
                     t("col_within_six", lang): rep.value(s)})
    return pd.DataFrame(rows)


def render(rep: Any) -> None:
    """The three figures, the table by faculty, the curves, and the denominator sentence."""
    rep.heading("sec_first_job")
    rep.para("sec_first_job_intro")
    why = rep.phase_why("p2")
    if why:
        rep.lack(why)
        return
    all_rows = rep.cells("first_job_cif")
    timing = rep.published[rep.published["indicator"].isin(
        ["job_at_graduation_share", "months_to_first_job_after_graduation", "job_within_6_months_share"])]
    if not any(rep.shown(r) for _, r in timing.iterrows()) and not any(
            rep.shown(r) for _, r in all_rows.iterrows()):
        rep.lack_rows(all_rows if not all_rows.empty else rep.cells("job_within_6_months_share"))
        return
    at, wait, six = (rep.cell("job_at_graduation_share"), rep.cell("months_to_first_job_after_graduation"),
                     rep.cell("job_within_6_months_share"))
    lines = [t(key, rep.lang, value=rep.value(r), ci=rep.ci_n(r))
             for key, r in (("sum_at_graduation", at), ("sum_wait", wait), ("sum_six_months", six)) if rep.shown(r)]
    if lines:
        rep.say(" ".join(lines))
    tab = timing_table(rep)
    if not tab.empty and (tab.iloc[:, 2] != "..").any():
        rep.show_table(tab, caption=t("caption_by", rep.lang, indicator=t("caption_first_job", rep.lang),
                                      by=t("by_faculty", rep.lang)),
                       denominator=t("denom_first_job_table", rep.lang))
    domain = "faculty"
    curves = _curves(rep, domain)
    if not curves:  # no faculty large enough: the curve of the whole cohort, when it may be shown
        domain, curves = "all", _curves(rep, "all")
    if curves:
        overall = _curves(rep, "all")
        overall_curve = next(iter(overall.values())) if overall else None
        fig = cumulative_curves(curves, overall_curve if domain != "all" else None, t("axis_months", rep.lang),
                                t("axis_found_job", rep.lang),
                                (t("legend_group", rep.lang), t("legend_band", rep.lang, conf=rep.conf),
                                 t("all_graduates", rep.lang)),
                                xmax=float(rep.cfg.survey_months_after) + 3, marks=(SIX,))
        ranked = sorted(((lab, _at(c, SIX)) for lab, c in curves.items()), key=lambda x: -x[1])
        what = t("chart_first_job", rep.lang)
        rep.figure(fig, rep.alt_ranked(t("alt_first_job", rep.lang, what=what), [x[0] for x in ranked],
                                       [rep.fmt(x[1], "share") for x in ranked]),
                   t("caption_with_ci", rep.lang, what=what, conf=rep.conf))
        if rep.shown(six):
            rep.note("first_job_denominators")
    elif not all_rows.empty:
        rep.lack_rows(all_rows)
    lr = rep.cell("first_job_logrank", "faculty")
    if rep.shown(lr):
        rep.note("first_job_differ" if float(lr["p_value"]) < 0.05 else "first_job_no_differ")

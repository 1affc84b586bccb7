"""The one-page summary: five headline results in plain words, each with its interval and n.

1. employment (ILO) among the follow-up respondents; 2. work in the field of study among the employed;
3. the time to a first job — had a job at graduation, the median wait of those who found one later, and the share
with a job within six months; 4. the median income against the oblast's average wage; 5. who answered (the
response rate against the registry, or — without a registry — how many graduates the figures describe).
Every number is a published row; a figure that cannot be shown says so in the same sentence's place.
"""

from __future__ import annotations

from typing import Any

from analysis.core.i18n import t
from analysis.publish.formatting import fmt_number, fmt_pct


def _missing(rep: Any, row: Any) -> str:
    """"not measured" (the cohort's survey did not ask: no row, or a ``not measured`` note) or "not enough
    data" (asked, but nothing can be shown)."""
    if row is None or str(row["note"]) == "not measured":
        return t("not_measured", rep.lang)
    return t("nodata_short", rep.lang)


def card(rep: Any, ind: str, label_key: str, unit_suffix: str = "") -> tuple[str, str, str]:
    """A key-figure card ``(value, label, detail)`` of one headline indicator: the published value, its label,
    n and the interval, or why there is none (also used by the slides)."""
    r = rep.cell(ind)
    label = t(label_key, rep.lang)
    if r is None or rep.empty(r):
        return ("–", label, _missing(rep, r))
    detail = t("kpi_n_note", rep.lang, n=rep.count(r["n"]))
    if rep.shown(r) and rep.interval(r) not in ("–", ".."):
        detail += f" · {rep.conf}%: {rep.interval(r)}"
    return (rep.value(r) + (unit_suffix if rep.shown(r) else ""), label, detail)


def _sentence(rep: Any, key: str, row: Any, **fmt: Any) -> str | None:
    """The sentence ``key`` with the row's value and its "(95%: …; n = …)", or None when it cannot be shown."""
    if not rep.shown(row):
        return None
    return t(key, rep.lang, value=rep.value(row), ci=rep.ci_n(row), **fmt)


def headline_cards(rep: Any) -> list[tuple[str, str, str]]:
    """The key-figure cards of the headline results (employment, in-field work, job at graduation, first job
    within six months, income; the follow-up's response when there is a registry) — the summary's and the
    slides'."""
    kgs = f" {t('unit_kgs', rep.lang)}"
    cards = [card(rep, "employment_rate", "kpi_employment"),
             card(rep, "horizontal_match_subjective_rate", "kpi_infield"),
             card(rep, "job_at_graduation_share", "kpi_job_at_graduation"),
             card(rep, "job_within_6_months_share", "kpi_first_job"),
             card(rep, "median_monthly_income", "kpi_income", kgs)]
    if bool(getattr(rep.cfg, "has_registry", True)):
        cards.append(card(rep, "response_rate_p2", "kpi_response_p2"))
    return cards


def render(rep: Any) -> None:
    """Heading, the key-figure cards and one plain sentence per headline result."""
    rep.heading("sec_summary")
    lang = rep.lang
    months = rep.cfg.survey_months_after
    rep.para("summary_intro", "lead", months=months, conf=rep.conf)
    rep.cards(headline_cards(rep))

    lines: list[str] = []

    # 1. employment
    emp = rep.cell("employment_rate")
    s = _sentence(rep, "sum_employment", emp, months=months)
    lines.append(s or t("sum_missing", lang, what=t("kpi_employment", lang), why=_missing(rep, emp)))
    # 2. work in the field
    inf = rep.cell("horizontal_match_subjective_rate")
    s = _sentence(rep, "sum_infield", inf)
    lines.append(s or t("sum_missing", lang, what=t("kpi_infield", lang), why=_missing(rep, inf)))
    # 3. time to a first job
    at, wait, six = (rep.cell("job_at_graduation_share"), rep.cell("months_to_first_job_after_graduation"),
                     rep.cell("job_within_6_months_share"))
    parts = [s for s in (_sentence(rep, "sum_at_graduation", at), _sentence(rep, "sum_wait", wait),
                         _sentence(rep, "sum_six_months", six)) if s]
    lines.append(" ".join(parts) if parts else t("sum_missing", lang, what=t("kpi_first_job", lang),
                                                 why=_missing(rep, six)))
    # 4. income against the oblast's average wage
    inc, rel = rep.cell("median_monthly_income"), rep.cell("income_relative_to_oblast_wage")
    wage = rep.cell("context:oblast_average_wage")
    if rep.shown(inc):
        s = _sentence(rep, "sum_income", inc)
        if rep.shown(rel) and rep.shown(wage):
            s += " " + t("sum_income_ratio", lang, ratio=rep.value(rel), wage=fmt_number(wage["estimate"], lang),
                         region=rep.region())
        elif not rep.shown(wage):
            s += " " + t("sum_income_no_benchmark", lang)
        lines.append(s)
    else:
        lines.append(t("sum_missing", lang, what=t("kpi_income", lang), why=_missing(rep, inc)))
    # 5. who answered
    grads, resp = rep.cell("count:graduates"), rep.cell("count:respondents_p2")
    if bool(getattr(rep.cfg, "has_registry", True)):
        rr = rep.cell("response_rate_p2")
        if rep.shown(rr) and grads is not None:
            target = getattr(rep.cfg, "targets", {}).get("phase2_response")
            s = t("sum_response", lang, value=rep.value(rr), graduates=rep.count(grads["estimate"]),
                  respondents=rep.count(resp["estimate"]) if resp is not None else "..")
            if target:
                key = "sum_target_met" if float(rr["estimate"]) >= float(target) else "sum_target_missed"
                s += " " + t(key, lang, target=fmt_pct(float(target), lang, 0))
            lines.append(s)
        else:
            lines.append(t("sum_missing", lang, what=t("kpi_response_p2", lang), why=_missing(rep, rr)))
    else:
        n = rep.count(resp["estimate"]) if resp is not None else ".."
        lines.append(t("sum_no_registry", lang, n=n))
    for i, line in enumerate(lines, start=1):
        rep.say(f"{i}. {line[:1].upper()}{line[1:]}", "lead")
    rep.note("summary_how_to_read", conf=rep.conf, min_n=rep.cfg.disclosure_min_n)
    rep.page_break()

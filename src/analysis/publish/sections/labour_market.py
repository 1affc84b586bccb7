"""The labour-market section: open-data context, supply against demand by occupation with both rules, a light
per programme with its reason and sensitivity (the open-data tables used are an appendix,
:mod:`analysis.publish.sections.open_data`).

Renders only published rows (``labour:*`` and ``opendata:*``, :mod:`analysis.results.labour`,
:mod:`analysis.results.lights`) through the :class:`~analysis.publish.report.Report` it is given; computes no
statistic. Every figure from a synthetic table carries ``*`` and the section says what that means.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from analysis.core.i18n import catalogue, t
from analysis.publish.formatting import fmt_number, fmt_pct
from analysis.publish.release import note_fields

__all__ = ["driver_text", "render"]

_SUPPLY_COLUMNS = (("labour:employed", "col_employed"), ("labour:employment_growth", "col_growth"),
                   ("labour:jobseekers", "col_jobseekers"), ("labour:vacancies_registered", "col_vacancies_registered"),
                   ("labour:other_graduates", "col_other_graduates"))
_SHARE_RULES = ("employment_rate_min", "infield_rate_min", "current_unemployment_max", "graduates_to_employed_max",
                "jobseekers_to_employed_max", "growth_high", "growth_slight_decline", "sensitivity_change")


def _synthetic(row: Any) -> bool:
    return row is not None and "synthetic" in str(row.get("note", ""))


def _star(rep: Any, row: Any, text: str | None = None) -> str:
    text = rep.value(row) if text is None else text
    return text + ("*" if _synthetic(row) and text not in ("..", "–") else "")


def _threshold(rep: Any, key: str) -> str:
    v = rep.cfg.labour_rules[key]
    if isinstance(v, str):  # a choice (supply_allocation: main | equal; current_unemployment_base: …)
        return t(f"rule_value_{v}", rep.lang) if f"rule_value_{v}" in catalogue() else v
    return _fmt(rep, key, v)


def _period(text: str) -> str:
    """The period of an open-data figure without the source's wording: a date, a year or a span of years."""
    m = re.search(r"\d{4}-\d{2}-\d{2}|\d{4}(?:[–-]\d{4})?", text)
    return m.group(0) if m else text


def _fmt(rep: Any, key: str, v: float) -> str:
    """A threshold's value: a percentage for shares, two decimals for ratios."""
    return fmt_pct(v, rep.lang) if key in _SHARE_RULES else fmt_number(v, rep.lang, 2)


def _with_ci(rep: Any, row: Any) -> str:
    if row is None:
        return "–"
    if not rep.shown(row):
        return rep.value(row)
    ci = rep.interval(row)
    return rep.value(row) + (f" ({ci})" if ci not in ("–", "..") else "")


def _occupation_label(rep: Any, code: str) -> str:
    return f"{code} · {rep.labels.value('isco_major', code[0])}" if code else ""


def render(rep: Any) -> None:
    """The section: context, supply-demand by occupation, employers' demand, lights, thresholds."""
    rep.heading("sec_labour")
    rep.para("sec_labour_intro")
    _context(rep)
    _supply_table(rep)
    _demand_table(rep)
    _lights(rep)
    _rules(rep)


def _context(rep: Any) -> None:
    pub = rep.published
    ctx = pub[pub["indicator"].str.startswith("opendata:") & (pub["indicator"] != "opendata:table")]
    out = []
    for _, r in ctx.iterrows():
        name = r["indicator"].split(":", 1)[1]
        period = str(r["note"]).split("period=", 1)[1].split(";")[0] if "period=" in str(r["note"]) else ""
        src = str(r["source"])
        host = src.split("/")[2] if "://" in src else src
        out.append({t("col_indicator", rep.lang): t(f"od_{name}", rep.lang),
                    t("col_region", rep.lang): rep.region(str(r["group"])),
                    t("col_value", rep.lang): _star(rep, r) if not rep.empty(r) else t("nodata_short", rep.lang),
                    t("col_period", rep.lang): _period(period), t("col_source", rep.lang): host})
    rep.show_table(pd.DataFrame(out), "labour_context_heading", code_cols=(t("col_source", rep.lang),))
    rep.note("labour_context_note")


def _supply_table(rep: Any) -> None:
    sup = rep.cells("labour:supply", "isco")
    sup = sup[sup["group"].str.len() >= 2]
    if sup.empty:
        rep.heading("labour_supply_heading", level=3)
        rep.lack_rows(rep.cells("labour:supply"))
        return
    out = []
    synthetic = False
    for _, s in sup.sort_values("group").iterrows():
        code = str(s["group"])
        row = {t("col_occupation", rep.lang): _occupation_label(rep, code), t("col_n", rep.lang): rep.count(s["n"]),
               t("col_supply", rep.lang): _with_ci(rep, s)}
        for ind, key in _SUPPLY_COLUMNS:
            r = rep.cell(ind, "isco", code)
            row[t(key, rep.lang)] = _star(rep, r) if r is not None else "–"
            synthetic |= _synthetic(r)
        for ind, key in (("labour:graduates_to_employed", "col_g_ratio"),
                         ("labour:jobseekers_to_employed", "col_js_ratio"),
                         ("labour:current_unemployment", "col_current_unemployment")):
            r = rep.cell(ind, "isco", code)
            row[t(key, rep.lang)] = _star(rep, r, _with_ci(rep, r)) if r is not None else "–"
        for ind, key in (("labour:verdict_source", "col_rule_source"), ("labour:verdict_ilo", "col_rule_ilo")):
            verdict = _decision(rep, ind, "isco", code)
            row[t(key, rep.lang)] = t(f"verdict_{verdict}", rep.lang) if verdict else "–"
        out.append(row)
    rep.show_table(pd.DataFrame(out), "labour_supply_heading")
    rep.note("labour_supply_note", conf=rep.conf)
    if synthetic:
        rep.note("labour_synthetic_note")


def _decision(rep: Any, indicator: str, domain: str, group: str) -> str | None:
    rows = rep.cells(indicator, domain)
    rows = rows[rows["group"] == group]
    return None if rows.empty else str(rows["category"].iloc[0])


def _demand_table(rep: Any) -> None:
    dem = rep.cells("employer_demand_3y", "demand_isco")
    dem = dem[dem["group"] != "uncoded"]
    if dem.empty:
        return
    out = []
    lower = False
    for _, d in dem.sort_values("group").iterrows():
        code = str(d["group"])
        if rep.empty(d):
            continue
        s = rep.cell("labour:supply", "isco", code)
        r = rep.cell("labour:demand_to_supply", "isco", code)
        lower |= d["basis"] != "weighted"
        out.append({t("col_occupation", rep.lang): (rep.labels.value("isco_major", code) if len(code) == 1
                                                    else _occupation_label(rep, code)),
                    t("col_n", rep.lang): rep.count(d["n"]), t("col_demand", rep.lang): rep.value(d),
                    t("col_supply", rep.lang): _with_ci(rep, s),
                    t("col_demand_ratio", rep.lang): rep.value(r) if r is not None else "–"})
    if not out:
        rep.heading("labour_demand_heading", level=3)
        rep.lack_rows(dem)
        return
    rep.show_table(pd.DataFrame(out), "labour_demand_heading")
    if lower:
        rep.note("labour_demand_note")


def driver_text(rep: Any, programme: str, occupation: str, level: str, driver: str) -> str:
    """One driver of a programme's light (``source:code``, e.g. ``open_data:source_oversupply``) as a sentence in
    the report's language, with the published value and the threshold it crossed (also used by the programme
    pages)."""
    source, code = driver.split(":", 1)
    if code == "missing":
        return t(f"driver_{source}_missing", rep.lang)
    fields: dict[str, Any] = {"conf": rep.conf, "value": "", "threshold": ""}
    cell = {"employment_low": ("employment_rate", "programme", programme, "employment_rate_min"),
            "employment_high": ("employment_rate", "programme", programme, "employment_rate_min"),
            "infield_low": ("horizontal_match_subjective_rate", "programme", programme, "infield_rate_min"),
            "income_low": ("income_relative_to_oblast_wage", "programme", programme, "income_ratio_min"),
            "demand_high": ("labour:demand_to_supply", "isco", level, "demand_to_supply_high"),
            "demand_low": ("labour:demand_to_supply", "isco", level, "demand_to_supply_low"),
            "source_oversupply": ("labour:current_unemployment", "isco", occupation,
                                  "current_unemployment_max")}.get(code)
    if cell:
        r = rep.cell(cell[0], cell[1], cell[2])
        fields["value"] = _star(rep, r, _with_ci(rep, r)) if r is not None else ".."
        fields["threshold"] = _threshold(rep, cell[3])
    return t(f"driver_{code}", rep.lang, **fields)


def _lights(rep: Any) -> None:
    lights = rep.cells("labour:light", "programme")
    rep.heading("labour_lights_heading", level=3)
    rep.para("labour_lights_intro")
    if lights.empty:
        rep.lack_rows(rep.cells("labour:supply"))
        return
    sens = rep.cells("labour:light_sensitivity", "programme")
    change = _fmt(rep, "sensitivity_change", rep.cfg.labour_rules["sensitivity_change"])
    out = []
    for _, r in lights.sort_values("group").iterrows():
        p = str(r["group"])
        f = note_fields(r["note"])
        drivers = [d for d in f.get("drivers", "").split(",") if d]
        text = "; ".join(driver_text(rep, p, f.get("occupation", ""), f.get("demand_level", ""), d) for d in drivers)
        reason = t(f"reason_{f.get('reason', 'grey_missing')}", rep.lang, drivers=text)
        flips = [t("sensitivity_flip", rep.lang, light=t(f"light_{s['category']}", rep.lang),
                   threshold=t(f"rule_{note_fields(s['note'])['threshold']}", rep.lang),
                   value=_fmt_rule(rep, note_fields(s["note"])))
                 for _, s in sens[sens["group"] == p].iterrows()]
        emp = rep.cell("employment_rate", "programme", p)
        ilo = _decision(rep, "labour:verdict_ilo", "programme", p) or "not_enough_data"
        infield = rep.cell("horizontal_match_subjective_rate", "programme", p)
        income = rep.cell("income_relative_to_oblast_wage", "programme", p)
        stable = t("sensitivity_stable", rep.lang, change=change)
        out.append({t("domain_programme", rep.lang): rep.labels.value("programme", p),
                    t("col_light", rep.lang): t(f"light_{r['category']}", rep.lang),
                    t("col_n", rep.lang): rep.count(emp["n"]) if emp is not None else "–",
                    t("col_employment", rep.lang): _with_ci(rep, emp),
                    t("col_infield", rep.lang): _with_ci(rep, infield),
                    t("col_income_ratio", rep.lang): _with_ci(rep, income),
                    t("col_rule_ilo", rep.lang): t(f"verdict_{ilo}", rep.lang),
                    t("col_reason", rep.lang): reason,
                    t("col_sensitivity", rep.lang): "; ".join(flips) if flips else stable})
    rep.show_table(pd.DataFrame(out))
    rep.note("labour_supply_note", conf=rep.conf)


def _fmt_rule(rep: Any, fields: dict[str, str]) -> str:
    key, value = fields.get("threshold", ""), fields.get("value", "")
    try:
        v = float(value)
    except ValueError:
        return value
    return _fmt(rep, key, v)


def _rules(rep: Any) -> None:
    rows = [{t("col_threshold", rep.lang): t(f"rule_{k}", rep.lang), t("col_value", rep.lang): _threshold(rep, k)}
            for k in rep.cfg.labour_rules]
    rep.show_table(pd.DataFrame(rows), "labour_rules_heading")
    rep.note("labour_rules_note")

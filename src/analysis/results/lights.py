"""Verdicts by occupation and a traffic light per programme, from published rows only.

Run after the disclosure pass (:func:`analysis.publish.disclosure.publish`) on ``published.parquet``: a
verdict or a light never rests on a hidden number — an input that is suppressed, missing or failed counts as
missing, and a decision without its inputs is ``not_enough_data`` (grey), never a guess. The rows carry no
number of their own (the decision is the ``category``, the reason code and its inputs the ``note``), so they
add nothing an attacker could subtract; they are appended to both the results table and the published table.

Rows (``docs/labour-market.md`` §3–4):

* ``labour:verdict_source`` / ``labour:verdict_ilo`` — by ``isco`` group: the source's rule and the ILO rule
  (:func:`analysis.results.labour.source_rule`, :func:`~analysis.results.labour.ilo_rule`); by ``programme``:
  the verdicts of the programme's main occupation (its first ISCO group in ``programmes.csv``);
* ``labour:light`` — by programme: ``green`` / ``amber`` / ``red`` / ``grey`` (:func:`light`), ``note`` =
  ``reason=<code>; drivers=<signal>:<evidence>,…``;
* ``labour:light_sensitivity`` — by programme, one row per threshold whose change by ±``sensitivity_change``
  flips the light: ``category`` = the light it flips to, ``note`` = ``threshold=<key>; value=<new value>;
  from=<light>``.

**The light** triangulates three sources, each a signal +1 (favourable), 0 (neutral) or −1 (unfavourable),
or missing:

1. *graduates' outcomes* — the programme's employment rate against ``employment_rate_min`` (+1 when its
   interval lies above, −1 below); the in-field rate (``infield_rate_min``) and the median income relative
   to the oblast wage (``income_ratio_min``) can each only pull it down (−1 when their interval lies below);
   missing when the employment rate is;
2. *employers' demand* — demand ÷ the university's supply to the programme's main occupation (its ISCO
   sub-major group, else its major group): +1 at or above ``demand_to_supply_high``, −1 below
   ``demand_to_supply_low``; an unweighted demand (surveyed employers only) is a lower bound of the oblast's,
   so below ``demand_to_supply_high`` it is no evidence (missing);
3. *open-data ratios* — −1 when the source's rule says oversupply or the ILO rule says reduce; +1 when the ILO
   rule says increase intake (and the source's rule no oversupply); 0 for preserve or mixed; missing when both
   rules lack data.

Grey: fewer than two sources with evidence. Red: two or more unfavourable. Green: none unfavourable and at
least one favourable. Amber: everything else (one unfavourable, or no clear signal).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from analysis.results.labour import NOT_ENOUGH, ilo_rule, source_rule
from analysis.results.table import input_note

__all__ = [
    "LIGHTS",
    "SENSITIVE_THRESHOLDS",
    "Estimate",
    "Evidence",
    "light_rows",
    "evidence_for",
    "light",
    "sensitivity",
]

LIGHTS = ("green", "amber", "red", "grey")
SENSITIVE_THRESHOLDS = (
    "employment_rate_min", "infield_rate_min", "income_ratio_min", "demand_to_supply_high", "demand_to_supply_low",
    "current_unemployment_max", "graduates_to_employed_max", "jobseekers_to_employed_max", "growth_high",
    "growth_slight_decline",
)
"""Thresholds whose change can flip a light (each moved by ±``sensitivity_change``)."""


@dataclass(frozen=True)
class Estimate:
    """A published estimate with its interval (NaN when not published) and its ``n``."""

    value: float
    low: float = math.nan
    high: float = math.nan
    n: float = math.nan


@dataclass(frozen=True)
class Evidence:
    """What the light of one programme rests on (published values only; None = missing or hidden)."""

    programme: str
    occupation: str | None = None
    employment: Estimate | None = None
    infield: Estimate | None = None
    income_ratio: Estimate | None = None
    demand_to_supply: float | None = None
    demand_level: str | None = None
    demand_lower_bound: bool = False
    graduates_to_employed: float | None = None
    jobseekers: float | None = None
    employed: float | None = None
    growth: float | None = None


# ----------------------------------------------------------------------------- signals and the light
def _below(e: Estimate | None, threshold: float) -> bool:
    return e is not None and math.isfinite(e.high) and e.high < threshold


def _above(e: Estimate | None, threshold: float) -> bool:
    return e is not None and math.isfinite(e.low) and e.low >= threshold


def outcome_signal(ev: Evidence, rules: Mapping[str, Any]) -> tuple[int | None, list[str]]:
    """Source 1 (graduates' outcomes): the signal and its drivers (``employment_low``, ``infield_low``,
    ``income_low``, ``employment_high``)."""
    if ev.employment is None:
        return None, []
    low = [name for name, e, key in (("employment_low", ev.employment, "employment_rate_min"),
                                     ("infield_low", ev.infield, "infield_rate_min"),
                                     ("income_low", ev.income_ratio, "income_ratio_min")) if _below(e, rules[key])]
    if low:
        return -1, low
    if _above(ev.employment, rules["employment_rate_min"]):
        return 1, ["employment_high"]
    return 0, []


def employer_signal(ev: Evidence, rules: Mapping[str, Any]) -> tuple[int | None, list[str]]:
    """Source 2 (employers' demand ÷ the university's supply): the signal and its driver."""
    r = ev.demand_to_supply
    if r is None or not math.isfinite(r):
        return None, []
    if r >= rules["demand_to_supply_high"]:
        return 1, ["demand_high"]
    if ev.demand_lower_bound:  # surveyed employers only: a lower bound below the supply proves nothing
        return None, []
    if r < rules["demand_to_supply_low"]:
        return -1, ["demand_low"]
    return 0, []


def open_data_verdicts(ev: Evidence, rules: Mapping[str, Any]) -> tuple[str, str]:
    """The source's verdict and the ILO verdict of the programme's main occupation under ``rules``."""
    src, _ = source_rule(ev.jobseekers, ev.employed, rules)
    js_ratio = (ev.jobseekers / ev.employed if ev.jobseekers is not None and ev.employed
                and math.isfinite(ev.jobseekers) and math.isfinite(ev.employed) else None)
    return src, ilo_rule(ev.graduates_to_employed, js_ratio, ev.growth, rules)


def open_data_signal(ev: Evidence, rules: Mapping[str, Any]) -> tuple[int | None, list[str]]:
    """Source 3 (the open-data ratios): the signal and its drivers (``source_oversupply``, ``ilo_reduce``,
    ``ilo_increase``)."""
    src, ilo = open_data_verdicts(ev, rules)
    if src == NOT_ENOUGH and ilo == NOT_ENOUGH:
        return None, []
    bad = (["source_oversupply"] if src == "oversupply" else []) + (["ilo_reduce"] if ilo == "reduce" else [])
    if bad:
        return -1, bad
    if ilo == "increase_intake":
        return 1, ["ilo_increase"]
    return 0, []


SOURCES = (("outcomes", outcome_signal), ("employers", employer_signal), ("open_data", open_data_signal))


def light(ev: Evidence, rules: Mapping[str, Any]) -> tuple[str, str, list[str]]:
    """The light of one programme: ``(light, reason, drivers)``.

    ``reason`` is one of ``grey_missing`` (fewer than two sources with evidence), ``red_unfavourable`` (two or
    more sources unfavourable), ``green_favourable`` (none unfavourable, one or more favourable),
    ``amber_one_unfavourable``, ``amber_no_signal``; ``drivers`` name what drove it as ``<source>:<signal>``
    (for grey: ``<source>:missing`` of the sources without evidence).
    """
    signals = {name: fn(ev, rules) for name, fn in SOURCES}
    have = {k: v for k, v in signals.items() if v[0] is not None}
    if len(have) < 2:
        return "grey", "grey_missing", [f"{k}:missing" for k, v in signals.items() if v[0] is None]
    neg = [f"{k}:{d}" for k, (s, ds) in have.items() if s == -1 for d in ds]
    pos = [f"{k}:{d}" for k, (s, ds) in have.items() if s == 1 for d in ds]
    n_neg = sum(1 for s, _ in have.values() if s == -1)
    if n_neg >= 2:
        return "red", "red_unfavourable", neg
    if n_neg == 1:
        return "amber", "amber_one_unfavourable", neg
    if pos:
        return "green", "green_favourable", pos
    return "amber", "amber_no_signal", []


def sensitivity(ev: Evidence, rules: Mapping[str, Any]) -> list[tuple[str, float, str]]:
    """The threshold changes that flip the light: ``(threshold, new value, new light)`` for each of
    :data:`SENSITIVE_THRESHOLDS` moved down and up by the relative ``sensitivity_change``."""
    base = light(ev, rules)[0]
    out = []
    delta = float(rules["sensitivity_change"])
    for key in SENSITIVE_THRESHOLDS:
        for factor in (1 - delta, 1 + delta):
            changed = {**rules, key: float(rules[key]) * factor}
            new = light(ev, changed)[0]
            if new != base:
                out.append((key, changed[key], new))
    return out


# ----------------------------------------------------------------------------- from published rows
def _published(pub: pd.DataFrame) -> dict[tuple[str, str, str], pd.Series]:
    ok = pub[(pub["status"] == "published") & pub["estimate"].notna() & (pub["category"] == "")]
    return {(str(r["indicator"]), str(r["domain"]), str(r["group"])): r for _, r in ok.iterrows()}


def _est(cells: dict, indicator: str, domain: str, group: str) -> Estimate | None:
    r = cells.get((indicator, domain, group))
    if r is None:
        return None
    return Estimate(float(r["estimate"]), float(r["ci_low"]), float(r["ci_high"]), float(r["n"]))


def _basis(cells: dict, indicator: str, group: str) -> str:
    r = cells.get((indicator, "isco", group))
    return "" if r is None else str(r["basis"])


def _val(cells: dict, indicator: str, group: str) -> float | None:
    r = cells.get((indicator, "isco", group))
    return None if r is None else float(r["estimate"])


def evidence_for(cells: dict, programme: str, expected_isco: str) -> Evidence:
    """The evidence of one programme from the published cells (``_published``): its outcomes (programme
    rows) and its main occupation's ratios (``isco`` rows; employers' demand at the sub-major group, else
    at the major group)."""
    codes = [c.strip() for c in str(expected_isco or "").split(";") if c.strip()]
    occ = codes[0] if codes else None
    ev = Evidence(programme=programme, occupation=occ,
                  employment=_est(cells, "employment_rate", "programme", programme),
                  infield=_est(cells, "horizontal_match_subjective_rate", "programme", programme),
                  income_ratio=_est(cells, "income_relative_to_oblast_wage", "programme", programme))
    if occ is None:
        return ev
    level, dts = occ, _val(cells, "labour:demand_to_supply", occ)
    if dts is None and len(occ) > 1:
        level, dts = occ[0], _val(cells, "labour:demand_to_supply", occ[0])
    return replace(ev, demand_to_supply=dts, demand_level=level if dts is not None else None,
                   demand_lower_bound=dts is not None and _basis(cells, "labour:demand_to_supply", level) != "weighted",
                   graduates_to_employed=_val(cells, "labour:graduates_to_employed", occ),
                   jobseekers=_val(cells, "labour:jobseekers", occ), employed=_val(cells, "labour:employed", occ),
                   growth=_val(cells, "labour:employment_growth", occ))


def _decision(indicator: str, domain: str, group: str, verdict: str, note: str) -> dict[str, Any]:
    return {"indicator": indicator, "statistic": "value", "unit": "", "domain": domain, "group": group,
            "category": verdict, "basis": "rule", "note": note}


def light_rows(published: pd.DataFrame, crosswalk: Mapping[str, str], rules: Mapping[str, Any]) -> pd.DataFrame:
    """Verdicts by occupation and by programme, the lights and their sensitivity, from ``published`` (the
    table after the disclosure pass); ``crosswalk`` maps each programme to its ``expected_isco``.
    Every row is ``status = published`` (it carries no number)."""
    cells = _published(published)
    rows: list[dict[str, Any]] = []
    isco = sorted({str(g) for g in published.loc[(published["indicator"] == "labour:supply")
                                                 & (published["domain"] == "isco"), "group"]},
                  key=lambda c: (len(c), c))
    for code in isco:
        if len(code) < 2:
            continue
        ev = Evidence(programme="", occupation=code,
                      graduates_to_employed=_val(cells, "labour:graduates_to_employed", code),
                      jobseekers=_val(cells, "labour:jobseekers", code), employed=_val(cells, "labour:employed", code),
                      growth=_val(cells, "labour:employment_growth", code))
        src, ilo = open_data_verdicts(ev, rules)
        rows.append(_decision("labour:verdict_source", "isco", code, src, input_note(
            [("labour:jobseekers", "isco", code), ("labour:employed", "isco", code)])))
        rows.append(_decision("labour:verdict_ilo", "isco", code, ilo, input_note(
            [("labour:graduates_to_employed", "isco", code), ("labour:jobseekers", "isco", code),
             ("labour:employed", "isco", code), ("labour:employment_growth", "isco", code)])))
    for programme, expected in sorted(crosswalk.items()):
        ev = evidence_for(cells, programme, expected)
        if ev.occupation:
            src, ilo = open_data_verdicts(ev, rules)
            rows.append(_decision("labour:verdict_source", "programme", programme, src, f"occupation={ev.occupation}"))
            rows.append(_decision("labour:verdict_ilo", "programme", programme, ilo, f"occupation={ev.occupation}"))
        colour, reason, drivers = light(ev, rules)
        note = f"reason={reason}; drivers={','.join(drivers)}; occupation={ev.occupation or ''}"
        if ev.demand_level:
            note += f"; demand_level={ev.demand_level}"
        rows.append(_decision("labour:light", "programme", programme, colour, note))
        for key, value, new in sensitivity(ev, rules):
            rows.append(_decision("labour:light_sensitivity", "programme", programme, new,
                                  f"threshold={key}; value={value:.6g}; from={colour}"))
    out = pd.DataFrame(rows)
    if not out.empty:
        out["status"], out["rule"] = "published", ""
    return out

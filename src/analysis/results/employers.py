"""The employer survey, item by item, as rows of the results table (:mod:`analysis.results.table`).

Each of the source document's nine employer items, and the questionnaire's additions, becomes rows
(``domain``/``group`` = ``all``/``all`` unless said; ``category`` = the answer level):

======================================  ===========================================================================
indicator                               what
======================================  ===========================================================================
``employers:count``                     employers surveyed (accepted answers), and the frame's enterprises
``employers:<select_one>``              distributions: ``respondent_type``, ``legal_form``, ``sector`` (ГКЭД),
                                        ``size_band`` (source items 1–3) — shares of employers, categories add up
``employers:<select_multiple>``         shares of employers choosing each option: ``ready_to_train`` (item 8),
                                        ``vacancy_isco``, ``hard_to_fill_reasons``, ``recruit_channels``
``employers:<number>``                  estimated totals: ``staff_women``, ``staff_men`` (item 4),
                                        ``grads_higher``, ``grads_vocational`` (item 5), ``vacancies_n``,
                                        ``hard_to_fill_n``, ``internships_n``
``employers:share_<x>``                 ratios of totals: women among staff, staff with higher / vocational
                                        education, hard-to-fill among vacancies (density), skill-shortage
``employers:skills_gap`` …              shares answering yes: ``skills_gap``, ``internships_offered``
``employers:rate_<competence>``         mean rating (1–5) of the university's graduates
``employer_demand_3y``                  staff needed in three years (items 6–7): the total (domain ``all``), by
                                        specialty (``demand_specialty``), by ISCO-08 major group
                                        (``demand_isco``); ``uncoded`` groups hold what could not be coded
``employer_demand_3y_sex``              the same need by sex: ``women``, ``men``, ``unspecified`` (add up)
``employer_demand_3y_uncoded``          share of the need that could not be coded to a specialty (ratio)
======================================  ===========================================================================

Weighting: with an enterprise frame the rows are design-based (``basis`` weighted: post-stratified or raked
to the frame, :func:`analysis.stats.weighting.weight_to_frame`), totals are estimated totals of the region's
enterprises with Taylor-linearised intervals; without one they are the sample's own (``basis`` unweighted;
totals without an interval — they describe only the surveyed employers).

Business disclosure columns: every magnitude cell (totals, ratios of totals, demand) carries
``contributors`` (employers with a positive contribution) and ``top1``/``top2`` (the two largest weighted
contributions as shares of the cell's total), read by the threshold and p % rules of
:mod:`analysis.publish.disclosure` and dropped from the published table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.derive.themes import UNCODED, Entry, allocate_demand
from analysis.results.table import Settings, mean_rows, note_row, share_rows, total_rows
from analysis.stats.survey import Design, svyratio, svytotal

__all__ = [
    "DEMAND",
    "EMPLOYER_DISTRIBUTIONS",
    "contributions",
    "demand_hierarchy",
    "demand_rows",
    "employer_item_rows",
    "employer_rating_rows",
]

SELECT_ONE = ("respondent_type", "legal_form", "sector", "size_band")
SELECT_MULTIPLE = ("ready_to_train", "vacancy_isco", "hard_to_fill_reasons", "recruit_channels")
TOTALS = ("staff_women", "staff_men", "grads_higher", "grads_vocational", "vacancies_n", "hard_to_fill_n",
          "internships_n")
YES_NO = ("skills_gap", "internships_offered")
SKILL_SHORTAGE = ("lack_skills", "lack_experience", "lack_qualification")
"""Hard-to-fill reasons that make a vacancy a skill-shortage vacancy (UK Employer Skills Survey)."""
DEMAND = "employer_demand_3y"
DEMAND_DOMAINS = ("demand_specialty", "demand_isco")
EMPLOYER_DISTRIBUTIONS: dict[str, str | None] = {
    **{f"employers:{c}": None for c in SELECT_ONE},
    f"{DEMAND}_sex": DEMAND,
}
"""Employer result families whose categories add up (to the employers, or to the total need)."""


def _all(index: pd.Index) -> pd.Series:
    return pd.Series("all", index=index, dtype="string")


def contributions(values: pd.Series, design: Design | None) -> dict[str, float]:
    """The business-disclosure columns of one magnitude cell: ``contributors`` (employers with a positive
    value) and ``top1``/``top2``, the two largest contributions as **shares of the cell's total** (so the
    table never holds an employer's own amount). A contribution is ``w_i·y_i``, the employer's part of the
    estimated total (weighted cells, as τ-ARGUS applies the rules to weighted data); ``y_i`` without a design.
    An empty cell has 0 contributors and shares 0."""
    y = pd.to_numeric(values, errors="coerce").fillna(0.0).clip(lower=0)
    w = pd.Series(design.w, index=design.data.index).reindex(y.index).fillna(0.0) if design is not None else 1.0
    c = np.sort((y * w).to_numpy(float))[::-1]
    total = float(c.sum())
    if total <= 0:
        return {"contributors": 0.0, "top1": 0.0, "top2": 0.0}
    return {"contributors": float((c > 0).sum()), "top1": float(c[0]) / total,
            "top2": float(c[1]) / total if len(c) > 1 else 0.0}


def _codes(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip().replace("", pd.NA)


def _multi(s: pd.Series) -> tuple[pd.Series, list[str]]:
    """A select_multiple column as lists of codes (NA when unanswered) and its levels in first-seen order."""
    lists = _codes(s).astype(object).map(lambda v: v.split() if isinstance(v, str) else None)
    levels: list[str] = []
    for v in lists.dropna():
        levels += [c for c in v if c not in levels]
    return lists, sorted(levels)


def _ratio_row(data: pd.DataFrame, num: pd.Series, den: pd.Series, design: Design | None, st: Settings,
               indicator: str) -> dict[str, Any] | None:
    """A ratio of two totals (Σwy/Σwx, Taylor SE, :func:`analysis.stats.survey.svyratio`) as one row;
    unweighted: the ratio of the sample's sums with an SRS-with-replacement SE (basis unweighted)."""
    ok = num.notna() & den.notna()
    if not ok.any() or float(den[ok].sum()) <= 0:
        return None
    base = design.data if design is not None else data
    d = base.assign(_num=num.where(ok).astype(float).reindex(base.index),
                    _den=den.where(ok).astype(float).reindex(base.index))
    des = (Design(d, weights=design.weights, calibration=design.calibration) if design is not None
           else Design(d))
    r = svyratio(des, "_num", "_den", alpha=st.alpha).iloc[0]
    plain = float(num[ok].sum()) / float(den[ok].sum())
    return {"indicator": indicator, "statistic": "ratio", "unit": "share", "n": float(ok.sum()),
            "estimate": float(r["estimate"]), "se": float(r["se"]), "ci_low": max(0.0, float(r["ci_low"])),
            "ci_high": min(1.0, float(r["ci_high"])), "unweighted": plain,
            "basis": "weighted" if design is not None else "unweighted", "ci_method": "normal",
            **contributions(num.where(ok), design)}


def employer_item_rows(employers: pd.DataFrame, st: Settings, design: Design | None) -> pd.DataFrame:
    """Every employer item except the ratings and the three-year need (:func:`demand_rows`): distributions,
    multiple choices, totals, ratios of totals and yes/no shares, weighted when ``design`` is given."""
    e = employers
    groups = _all(e.index)
    frames: list[pd.DataFrame] = []
    rows: list[dict[str, Any]] = [{"indicator": "employers:count", "statistic": "total", "unit": "count",
                                   "n": float(len(e)), "estimate": float(len(e)), "basis": "census"}]
    if design is not None:
        rows.append({"indicator": "employers:frame_enterprises", "statistic": "total", "unit": "count",
                     "n": float(len(e)), "estimate": float(design.w.sum()), "basis": "weighted"})
    for col in SELECT_ONE:
        if col not in e:
            continue
        codes = _codes(e[col])
        for lv in sorted(codes.dropna().unique()):
            r = share_rows((codes == lv).astype(float).where(codes.notna()), groups, st, design)
            frames.append(r.assign(indicator=f"employers:{col}", unit="share", category=str(lv)))
    for col in SELECT_MULTIPLE:
        if col not in e:
            continue
        lists, levels = _multi(e[col])
        for lv in levels:
            v = lists.map(lambda x, lv=lv: float(lv in x) if isinstance(x, list) else np.nan)
            r = share_rows(v, groups, st, design)
            frames.append(r.assign(indicator=f"employers:{col}", unit="share", category=lv))
    for col in YES_NO:
        if col in e:
            codes = _codes(e[col])
            r = share_rows((codes == "yes").astype(float).where(codes.notna()), groups, st, design)
            frames.append(r.assign(indicator=f"employers:{col}", unit="share"))
    num = {c: pd.to_numeric(e[c], errors="coerce").astype(float) for c in TOTALS if c in e}
    for col, v in num.items():
        if not v.notna().any():
            continue
        r = total_rows(v, groups, st, design)
        for k, val in contributions(v, design).items():
            r[k] = val
        frames.append(r.assign(indicator=f"employers:{col}", unit="count"))
    if {"staff_women", "staff_men"} <= set(num):
        staff = num["staff_women"] + num["staff_men"]
        for name, top in (("share_women_staff", num["staff_women"]),
                          ("share_higher_staff", num.get("grads_higher")),
                          ("share_vocational_staff", num.get("grads_vocational"))):
            if top is not None:
                rows.append(_ratio_row(e, top, staff, design, st, f"employers:{name}"))
    if {"vacancies_n", "hard_to_fill_n"} <= set(num):
        vac = num["vacancies_n"]
        htf = num["hard_to_fill_n"].where(vac > 0, 0.0)
        rows.append(_ratio_row(e, htf.where(vac.notna()), vac, design, st, "employers:share_hard_to_fill"))
        if "hard_to_fill_reasons" in e:
            lists, _ = _multi(e["hard_to_fill_reasons"])
            skill = lists.map(lambda x: isinstance(x, list) and bool(set(x) & set(SKILL_SHORTAGE)))
            ssv = htf.where(skill.astype(bool), 0.0)
            rows.append(_ratio_row(e, ssv.where(vac.notna()), vac, design, st, "employers:share_skill_shortage"))
    frames.append(pd.DataFrame([r for r in rows if r is not None]))
    out = pd.concat([f for f in frames if not f.empty], ignore_index=True)
    out["domain"], out["group"] = "all", "all"
    out["category"] = out["category"].fillna("") if "category" in out else ""
    return out


def employer_rating_rows(employers: pd.DataFrame, st: Settings, design: Design | None,
                         items: Sequence[str]) -> pd.DataFrame:
    """Employers' mean rating (1–5) of the university's graduates per competence (``rate_<item>``):
    ``employers:rate_<item>`` (the three-view competence table has the same estimate as
    ``competence_employer``, :func:`analysis.results.families.competence_rows`)."""
    frames = []
    groups = _all(employers.index)
    for c in items:
        col = f"rate_{c}"
        if col not in employers:
            continue
        v = pd.to_numeric(employers[col], errors="coerce").astype(float)
        if not v.notna().any():
            continue
        r = mean_rows(v, groups, st, design)
        frames.append(r.assign(indicator=f"employers:{col}", unit="scale", domain="all", category=""))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def demand_rows(employers: pd.DataFrame, st: Settings, design: Design | None,
                specialties: Sequence[Entry]) -> pd.DataFrame:
    """Staff needed in three years: the total, by specialty and by ISCO-08 major group, by sex, and the share
    that could not be coded — estimated totals with intervals (with a frame) and business-disclosure columns.

    The need of an employer (``need_3y_n``) is split equally over the specialties it listed
    (:func:`analysis.derive.themes.allocate_demand`). By sex: ``need_3y_women``, ``need_3y_men`` and the rest
    (``unspecified``: need not split by sex), so the three add up to the total.
    """
    if "need_3y_n" not in employers:
        return pd.DataFrame()
    need = pd.to_numeric(employers["need_3y_n"], errors="coerce").astype(float)
    if not need.notna().any():
        return note_row(DEMAND, "total", "count", "no_answers")
    alloc = allocate_demand(employers, specialties)
    cols: dict[tuple[str, str, str], pd.Series] = {("all", "all", ""): need}
    for dom, key in (("demand_specialty", "specialty"), ("demand_isco", "isco_major")):
        for code, part in alloc.groupby(key):
            s = part.groupby("employer")["need"].sum().reindex(employers.index).fillna(0.0)
            cols[(dom, str(code), "")] = s.where(need.notna())
    women = pd.to_numeric(employers.get("need_3y_women"), errors="coerce").astype(float)
    men = pd.to_numeric(employers.get("need_3y_men"), errors="coerce").astype(float)
    pos = need.fillna(0) > 0
    w_ = women.where(pos, 0.0).fillna(0.0).where(need.notna())
    m_ = men.where(pos, 0.0).fillna(0.0).where(need.notna())
    for cat, s in (("women", w_), ("men", m_), ("unspecified", (need - w_ - m_).clip(lower=0))):
        cols[("sex", "all", cat)] = s
    data = (design.data if design is not None else employers).copy()
    names = {}
    for i, (key, s) in enumerate(cols.items()):
        data[f"_d{i}"] = s.reindex(data.index).to_numpy(float)
        names[f"_d{i}"] = key
    rows = []
    tot = None
    if design is not None:
        des = Design(data, weights=design.weights, calibration=design.calibration)
        tot = svytotal(des, list(names), alpha=st.alpha)
    for col, (dom, grp, cat) in names.items():
        v = data[col]
        row = {"indicator": DEMAND if dom != "sex" else f"{DEMAND}_sex", "statistic": "total", "unit": "count",
               "domain": dom if dom != "sex" else "all", "group": grp, "category": cat,
               "unweighted": float(v.sum()), **contributions(v, design)}
        row["n"] = float(need.notna().sum()) if dom in ("all", "sex") else row["contributors"]
        if tot is not None:
            t = tot.loc[col]
            row.update({"estimate": float(t["estimate"]), "se": float(t["se"]),
                        "ci_low": max(0.0, float(t["ci_low"])), "ci_high": float(t["ci_high"]),
                        "basis": "weighted", "ci_method": "normal"})
        else:
            row.update({"estimate": float(v.sum()), "basis": "unweighted", "ci_method": "none"})
        rows.append(row)
    unc = cols.get(("demand_specialty", UNCODED, ""), pd.Series(0.0, index=employers.index).where(need.notna()))
    r = _ratio_row(employers, unc, need, design, st, f"{DEMAND}_uncoded")
    if r is not None:
        rows.append({**r, "domain": "all", "group": "all", "category": ""})
    return pd.DataFrame(rows)


def demand_hierarchy(specialties: Sequence[Entry]) -> pd.DataFrame:
    """Which demand groups add up to which (for secondary suppression and the attack check): every
    specialty within its ISCO major group and within the total; every ISCO group within the total; the
    uncoded need in both domains."""
    rows = []
    for e in specialties:
        rows += [("demand_specialty", e.code, "demand_isco", e.isco_major),
                 ("demand_specialty", e.code, "all", "all")]
    for major in sorted({e.isco_major for e in specialties}) + [UNCODED]:
        rows.append(("demand_isco", major, "all", "all"))
    rows += [("demand_specialty", UNCODED, "demand_isco", UNCODED), ("demand_specialty", UNCODED, "all", "all")]
    return pd.DataFrame(sorted(set(rows)), columns=["domain", "group", "parent_domain", "parent_group"])


def frame_rows(diag: dict[str, Any]) -> pd.DataFrame:
    """How the employers were weighted, as a row the report reads (``employers:weighting``; ``note``:
    ``method=…; frame=…``)."""
    method = str(diag.get("method", "none"))
    note = f"method={method}"
    if diag.get("note"):
        note += f"; {diag['note']}"
    est = float(diag["frame_total"]) if diag.get("frame_total") is not None else math.nan
    return pd.DataFrame([{"indicator": "employers:weighting", "statistic": "value", "unit": "count",
                          "domain": "all", "group": "all", "category": "", "n": float(diag.get("respondents", 0)),
                          "estimate": est if method != "none" else math.nan,
                          "deff": float(diag.get("deff_kish", math.nan)),
                          "n_eff": float(diag.get("n_effective", math.nan)), "basis": "census", "note": note}])

"""Statistical disclosure control: one pass over the results table before anything is rendered.

Rules (see ``docs/privacy.md``):

* **HESA rounding and suppression** (HESA, "Rounding and suppression to anonymise statistics"):
  counts rounded to the nearest multiple of 5, counts below 2.5 to 0, halves upwards (2.5 → 5);
  totals computed from unrounded data, then rounded (rows need not add up); percentages on fewer
  than 22.5 people suppressed; averages on 7 or fewer people suppressed; suppressed cells shown as
  ``..``.
* **Minimum group size for indicators** (MLASZ/ELA graduate monitoring): no indicator for a group of
  fewer than ``disclosure_min_n`` (10) respondents.
* **Business data** (employer survey; Hundepool et al., *Statistical Disclosure Control*, Wiley 2012,
  §4.2; Eurostat/τ-ARGUS practice): a magnitude cell (totals, ratios of totals, demand) needs at least
  ``business_min_contributors`` (3) contributing employers — the **threshold rule** — and must pass the
  **p % rule** (p = 10): it is sensitive when ``total − x₁ − x₂ < p/100 · x₁`` (x₁, x₂ the two largest
  contributions), i.e. when the second-largest contributor could estimate the largest one's value to
  within p %. The rules read the per-row columns ``contributors``, ``top1``, ``top2`` (shares of the
  cell's total) that :mod:`analysis.results.employers` adds; the columns are dropped from the published
  table. The p % rule is preferred to the (n, k) dominance rule because it protects the largest
  contributor directly and has no discontinuity in n (Hundepool et al. 2012, §4.2.2).
* **Secondary suppression** (ONS/ABS output checking, HESA practice): every margin of a published
  table — programme within faculty within the university, sex within the university, programme×sex
  within programme and within faculty×sex, the categories of a distribution — that contains a
  suppressed cell contains at least one more, or its total is suppressed, so that no suppressed cell
  can be recovered by subtraction. Checked by an **attack** the run executes
  (:func:`check_publication`).

:func:`publish` applies all of it to the results table (:mod:`analysis.results.table`); the report, the
workbooks and the open data render only its output, formatted by :mod:`analysis.publish.formatting`
(Babel, ``ky``/``ru``/``en``, rounding half up).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.errors import TracerError
from analysis.publish.formatting import SYMBOL
from analysis.results.table import parse_inputs

__all__ = [
    "DisclosureError",
    "Margin",
    "Rules",
    "attack",
    "business_sensitive",
    "check_publication",
    "hesa_round",
    "margins",
    "primary_suppression",
    "publish",
    "secondary_suppression",
]



@dataclass(frozen=True)
class Rules:
    """Disclosure-control parameters; the defaults are HESA's plus the MLASZ minimum n.

    Attributes
    ----------
    round_base
        Counts are rounded to the nearest multiple of this (HESA: 5); ``None`` for no rounding.
    min_pct_base
        Percentages whose denominator (unrounded) is below this are suppressed (HESA: 22.5).
    max_mean_n_suppressed
        Means and medians on this many people or fewer are suppressed (HESA: 7).
    min_n
        No indicator (percentage, mean, median, rate) for a group smaller than this
        (MLASZ/ELA: 10).
    count_min
        Optional primary suppression of counts: a count ``0 < n < count_min`` is suppressed
        (ONS/ABS "rule of 10": 10). ``None`` (HESA) relies on rounding alone.
    pct_decimals
        Decimals kept for percentages (HESA publishes one).
    symbol
        Shown for a suppressed cell (HESA: ``..``).
    business_min_contributors
        Threshold rule for business (employer) cells: fewer contributing employers than this is
        sensitive (3).
    business_p
        p of the p % rule for business cells (10): sensitive when ``total − x₁ − x₂ < p/100 · x₁``.
    """

    round_base: int | None = 5
    min_pct_base: float = 22.5
    max_mean_n_suppressed: int = 7
    min_n: int = 10
    count_min: int | None = None
    pct_decimals: int = 1
    symbol: str = SYMBOL
    business_min_contributors: int = 3
    business_p: float = 10.0

    @classmethod
    def from_config(cls, cfg) -> Rules:
        """The cohort's rules: HESA rounding and bases, with the cohort's ``disclosure_min_n``."""
        return cls(min_n=int(cfg.disclosure_min_n))


# --------------------------------------------------------------------------------------------
# rounding
# --------------------------------------------------------------------------------------------
def hesa_round(count, base: int = 5):
    """Round counts to the nearest multiple of ``base``, halves upwards (HESA rounding).

    Parameters
    ----------
    count
        A non-negative count (people, possibly a fractional weighted/FPE count), or an
        array-like / Series of them.
    base
        Rounding base (HESA: 5).

    Returns
    -------
    int or numpy.ndarray or pd.Series
        Same shape as ``count``: 148 → 150, 2 → 0, 2.5 → 5, 3 → 5, 7.5 → 10. A Series comes
        back as nullable ``Int64`` with missing values kept; a scalar missing value gives
        ``pd.NA``.

    Raises
    ------
    ValueError
        A negative count.
    """
    if isinstance(count, pd.Series):
        values = pd.to_numeric(count, errors="raise").astype("Float64")
        if bool((values < 0).any()):
            raise ValueError("hesa_round: counts must not be negative")
        out = (np.floor(values / base + 0.5) * base).astype("Int64")
        return out.rename(count.name)
    if np.ndim(count) == 0:
        if count is None or count is pd.NA or (isinstance(count, float) and np.isnan(count)):
            return pd.NA
        if count < 0:
            raise ValueError("hesa_round: counts must not be negative")
        return int(np.floor(float(count) / base + 0.5) * base)
    arr = np.asarray(count, dtype=float)
    if np.any(arr < 0):
        raise ValueError("hesa_round: counts must not be negative")
    out = np.floor(arr / base + 0.5) * base
    return out if np.isnan(out).any() else out.astype(np.int64)


# --------------------------------------------------------------------------------------------
# the disclosure pass over the results table
# --------------------------------------------------------------------------------------------
class DisclosureError(TracerError):
    """A suppressed cell could be recovered from published cells: nothing may be published."""


ADDITIVE = ("share", "mean", "total", "cif")
"""Statistics whose cells add up along a hierarchy (count = share × n, sum = mean × n), so a suppressed
cell could be recovered by subtraction; medians, ratios, model terms and tests cannot."""
PCT_LIKE = ("share", "cif")
MEAN_LIKE = ("mean", "median", "ratio")


@dataclass(frozen=True)
class Margin:
    """Cells (row positions of the results table) whose numerators add up to a parent cell's.

    ``parent`` is None when the total is always published (e.g. the number of respondents of a group,
    which every share of a distribution adds up to).
    """

    parent: int | None
    children: tuple[int, ...]


def primary_suppression(results: pd.DataFrame, rules: Rules) -> tuple[np.ndarray, np.ndarray]:
    """Cells that fail a primary rule, and the rule's code (``pct_base``, ``mean_base``, ``min_n``,
    ``model_n``, ``business_n``, ``p_percent``; ``""`` when published).

    Shares and curves: the unrounded base ``n`` below ``rules.min_pct_base`` (HESA 22.5) or
    ``rules.min_n``. Means, medians and ratios: ``n`` ≤ ``rules.max_mean_n_suppressed`` (HESA 7) or below
    ``rules.min_n``. Estimated (weighted) totals: ``n`` below ``rules.min_n``.
    Differences: the smaller base of the two cohorts (stored in ``n``). Model terms: the
    model's ``n`` below ``rules.min_n``. Totals of people are only rounded (HESA), unless
    ``rules.count_min`` asks for a rule of 10. Rows without any value (headline, interval, unweighted or
    pooled estimate) are left alone: nothing to hide, e.g. a note that a model could not be fitted.
    """
    stat = results["statistic"].astype(str).to_numpy()
    n = pd.to_numeric(results["n"], errors="coerce").to_numpy(float)
    # a row has something to hide when ANY of its values is there: a weighted median that could not be
    # computed (one respondent) still carries the unweighted one, which would otherwise be published
    value_cols = [c for c in VALUE_COLUMNS if c in results.columns and c != "p_value"]
    has_value = np.zeros(len(results), dtype=bool)
    for c in value_cols:
        has_value |= pd.to_numeric(results[c], errors="coerce").notna().to_numpy()
    code = np.full(len(results), "", dtype=object)
    pct = np.isin(stat, PCT_LIKE) | ((stat == "difference") & (results["unit"].astype(str) == "share").to_numpy())
    mean = np.isin(stat, MEAN_LIKE) | ((stat == "difference") & ~pct)
    with np.errstate(invalid="ignore"):
        code[pct & (n < rules.min_pct_base)] = "pct_base"
        code[mean & (n <= rules.max_mean_n_suppressed)] = "mean_base"
        code[(pct | mean) & (code == "") & (n < rules.min_n)] = "min_n"
        code[(stat == "coefficient") & (n < rules.min_n)] = "model_n"
        # an estimated (weighted) total is an estimate like a share: no value for fewer than min_n respondents
        weighted = (results["basis"].astype(str) == "weighted").to_numpy()
        code[(stat == "total") & weighted & (n < rules.min_n)] = "min_n"
        if rules.count_min:
            code[(stat == "total") & (n > 0) & (n < rules.count_min)] = "count_min"
    biz = business_sensitive(results, rules)
    code[(code == "") & (biz != "")] = biz[(code == "") & (biz != "")]
    code[~has_value] = ""
    return code != "", code


RULE_CODES: tuple[str, ...] = ("pct_base", "mean_base", "min_n", "model_n", "count_min", "business_n", "p_percent",
                               "secondary", "derived")
"""Every code the ``rule`` column of the published table can hold (empty when published): the primary rules,
the business rules (:func:`business_sensitive`), ``secondary`` suppression and ``derived`` (a ratio or verdict
whose input is hidden). The workbook and the open data describe each (``out_rule_<code>`` messages)."""

BUSINESS_COLUMNS = ("contributors", "top1", "top2")
"""Per-row columns of business (employer) cells read by :func:`business_sensitive`, never published."""


def business_sensitive(results: pd.DataFrame, rules: Rules) -> np.ndarray:
    """The business rules' code per row: ``business_n`` (threshold: fewer than
    ``rules.business_min_contributors`` employers contribute), ``p_percent`` (the p % rule:
    ``1 − s₁ − s₂ < p/100 · s₁`` with ``s₁, s₂`` = ``top1``, ``top2``, the two largest contributions as
    shares of the cell's total — the rule ``total − x₁ − x₂ < p/100 · x₁`` divided by the total), or ``""``.
    Rows without ``contributors`` (not business data) are never sensitive here. An empty cell (no
    contributor: a published zero) is not sensitive — it discloses no employer's value.
    """
    out = np.full(len(results), "", dtype=object)
    if "contributors" not in results.columns:
        return out
    k = pd.to_numeric(results["contributors"], errors="coerce").to_numpy(float)
    s1 = pd.to_numeric(results.get("top1"), errors="coerce").to_numpy(float) if "top1" in results else np.nan * k
    s2 = pd.to_numeric(results.get("top2"), errors="coerce").fillna(0.0).to_numpy(float) if "top2" in results \
        else 0.0 * k
    with np.errstate(invalid="ignore"):
        biz = np.isfinite(k) & (k > 0)
        out[biz & (k < rules.business_min_contributors)] = "business_n"
        p_rule = biz & (out == "") & np.isfinite(s1) & ((1.0 - s1 - s2) < rules.business_p / 100.0 * s1 - 1e-12)
    out[p_rule] = "p_percent"
    return out


def margins(results: pd.DataFrame, hierarchy: pd.DataFrame,
            distributions: Mapping[str, str | None] | None = None,
            aliases: Iterable[tuple[str, str, str, str]] = ()) -> list[Margin]:
    """Every published sum in ``results``: the additive relations an attacker can subtract along.

    * **domain hierarchy** (``hierarchy``: domain, group, parent_domain, parent_group — programme within
      faculty within all, sex within all, programme×sex within programme and within faculty×sex): for
      each indicator, category and time, a parent cell is the sum of its child groups;
    * **distributions** (``{indicator: parent indicator or None}``): the categories of a group add up to
      the parent indicator's cell of the same group, or to the group's respondents (always published);
    * **aliases** (``(indicator, category, indicator, category)``): two cells with the same numerator
      and base (e.g. the employment rate and the "employed" share of the labour-status distribution).
    """
    distributions = dict(distributions or {})
    r = results.reset_index(drop=True)
    stat = r["statistic"].astype(str)
    additive = stat.isin(ADDITIVE).to_numpy()
    time = pd.to_numeric(r["time"], errors="coerce").fillna(-1.0).round(9)
    key = list(zip(r["indicator"].astype(str), r["category"].astype(str), time, r["domain"].astype(str),
                   r["group"].astype(str)))
    pos = {k: i for i, k in enumerate(key) if additive[i]}
    out: list[Margin] = []
    if not hierarchy.empty:
        slices: dict[tuple, list[int]] = {}
        for i, k in enumerate(key):
            if additive[i]:
                slices.setdefault(k[:3], []).append(i)
        h = hierarchy.astype(str)
        links = list(zip(h["domain"], h["group"], h["parent_domain"], h["parent_group"]))
        for sl in slices:
            fam: dict[tuple[str, str, str], list[int]] = {}
            for dom, grp, pdom, pgrp in links:
                child = pos.get((*sl, dom, grp))
                if child is not None:
                    fam.setdefault((dom, pdom, pgrp), []).append(child)
            for (_dom, pdom, pgrp), kids in fam.items():
                parent = pos.get((*sl, pdom, pgrp))
                if parent is not None:
                    out.append(Margin(parent, tuple(sorted(kids))))
    by_group: dict[tuple, list[int]] = {}
    for i, (ind, _cat, t, dom, grp) in enumerate(key):
        if ind in distributions and additive[i]:
            by_group.setdefault((ind, t, dom, grp), []).append(i)
    for (ind, t, dom, grp), kids in by_group.items():
        parent_ind = distributions[ind]
        parent = pos.get((parent_ind, "", t, dom, grp)) if parent_ind else None
        out.append(Margin(parent, tuple(sorted(kids))))
    for ind_a, cat_a, ind_b, cat_b in aliases:
        for i, (ind, cat, t, dom, grp) in enumerate(key):
            if ind == ind_a and cat == cat_a and additive[i]:
                j = pos.get((ind_b, cat_b, t, dom, grp))
                if j is not None:
                    out += [Margin(i, (j,)), Margin(j, (i,))]
    return out


def attack(suppressed: np.ndarray, margin_list: Sequence[Margin]) -> dict[int, Margin]:
    """Try to recover suppressed cells by subtraction along every margin, repeatedly.

    Starting from what is published, a margin whose total is known and which has exactly one unknown
    cell gives that cell (total minus the others); a margin whose cells are all known gives its total.
    Recovered cells count as known for the next round, until nothing changes (so chains across
    hierarchies are followed). Rounding of published counts is ignored — the check is conservative.

    Returns the suppressed cells that were recovered, each with the margin that gave it away, in the order
    they were found (the first one was recovered from published cells alone).
    """
    known = ~np.asarray(suppressed, dtype=bool)
    found: dict[int, Margin] = {}
    changed = True
    while changed:
        changed = False
        for m in margin_list:
            unknown = [c for c in m.children if not known[c]]
            parent_known = True if m.parent is None else bool(known[m.parent])
            if parent_known and len(unknown) == 1:
                known[unknown[0]] = True
                found.setdefault(unknown[0], m)
                changed = True
            elif not parent_known and not unknown:
                known[m.parent] = True
                found.setdefault(m.parent, m)
                changed = True
    return {i: m for i, m in found.items() if suppressed[i]}


def secondary_suppression(results: pd.DataFrame, suppressed: np.ndarray,
                          margin_list: Sequence[Margin]) -> np.ndarray:
    """Extend ``suppressed`` until :func:`attack` recovers nothing (ONS/HESA practice).

    While a suppressed cell can be recovered, the margin that gives it away gets one more suppressed
    cell: its published cell with the smallest base ``n`` (ties: table order), or, when every other cell
    of the margin is already suppressed, the margin's total. Each step hides one more cell, so the loop
    ends; the result is checked by the same attack the run executes.
    """
    sup = np.asarray(suppressed, dtype=bool).copy()
    n = pd.to_numeric(results["n"], errors="coerce").fillna(np.inf).to_numpy(float)
    while True:
        found = attack(sup, margin_list)
        if not found:
            return sup
        cell = next(iter(found))  # the first recovered: its margin's other cells are all published
        m = found[cell]
        shown = [c for c in m.children if not sup[c] and c != cell]
        if shown:
            sup[min(shown, key=lambda c: (n[c], c))] = True
        elif m.parent is not None and not sup[m.parent]:
            sup[m.parent] = True
        else:  # pragma: no cover - a margin with no published cell left cannot give a cell away
            raise DisclosureError(f"secondary suppression cannot protect cell {_describe(results, cell)}")


def _describe(results: pd.DataFrame, i: int) -> str:
    r = results.iloc[i]
    parts = [str(r["indicator"])]
    if str(r.get("category", "")):
        parts.append(f"[{r['category']}]")
    parts.append(f"{r['domain']}={r['group']}")
    t = r.get("time")
    if t is not None and t == t:
        parts.append(f"t={float(t):g}")
    return " ".join(parts)


VALUE_COLUMNS = ("x", "estimate", "se", "ci_low", "ci_high", "deff", "n_eff", "unweighted",
                 "unweighted_ci_low", "unweighted_ci_high", "pooled", "pooled_ci_low", "pooled_ci_high", "p_value")


def _derived_from_hidden(r: pd.DataFrame, sup: np.ndarray) -> np.ndarray:
    """Rows derived from other cells (``note`` = ``inputs=…``, :func:`analysis.results.table.input_note`) one
    of whose inputs is suppressed: a ratio times its published denominator would give the hidden number back.
    Repeated until nothing changes (a ratio of ratios)."""
    notes = r["note"].astype("string").fillna("")
    inputs = {i: parse_inputs(n) for i, n in enumerate(notes) if n.startswith("inputs=")}
    if not inputs:
        return np.zeros(len(r), dtype=bool)
    key = list(zip(r["indicator"].astype(str), r["domain"].astype(str), r["group"].astype(str)))
    out = np.zeros(len(r), dtype=bool)
    while True:
        hidden = {key[i] for i in np.flatnonzero(sup | out)}
        new = [i for i, cells in inputs.items() if not out[i] and not sup[i] and any(c in hidden for c in cells)]
        if not new:
            return out
        out[new] = True


def publish(results: pd.DataFrame, hierarchy: pd.DataFrame, rules: Rules | None = None, *,
            distributions: Mapping[str, str | None] | None = None,
            aliases: Iterable[tuple[str, str, str, str]] = (),
            dependent: Iterable[tuple[str, str]] = ()) -> pd.DataFrame:
    """The one disclosure pass: what of ``results`` may be published, and how.

    A derived row (a ratio, ``note`` = ``inputs=…``) is suppressed with rule ``derived`` when one of its inputs
    is. ``dependent`` lists ``(indicator, target)`` pairs: every row of ``indicator`` is suppressed when the
    uncategorised cell of ``target`` in the same domain and group is (e.g. a decision's before/difference
    rows, which with the target's published cell would give away a suppressed one).

    1. primary suppression (:func:`primary_suppression`);
    2. secondary suppression across every published margin (:func:`margins`,
       :func:`secondary_suppression`);
    3. the published table: ``status`` (published / suppressed), ``rule`` (the primary rule's code or
       ``secondary``), every value of a suppressed cell emptied, the unweighted numerator ``x`` dropped,
       counts ``n`` and ``N`` and every published count (``total`` rows in unit ``count``, with their
       intervals) rounded to base 5 (HESA; totals rounded after calculation), the business columns
       (``contributors``, ``top1``, ``top2``) dropped, shares and
       intervals kept unrounded (formatting rounds them half up, :func:`~analysis.publish.formatting.format_pct`);
    4. :func:`check_publication` — the attack the run executes; it raises :class:`DisclosureError`.

    Everything that renders (report, pages, workbook, open data, slides, charts) reads only this table.
    """
    rules = rules or Rules()
    r = results.reset_index(drop=True)
    prim, code = primary_suppression(r, rules)
    mlist = margins(r, hierarchy, distributions, aliases)
    sup = secondary_suppression(r, prim, mlist)
    for ind, target in dependent:
        at = sup & (r["indicator"] == target).to_numpy() & (r["category"] == "").to_numpy()
        hidden = r.loc[at, ["domain", "group"]]
        keys = set(zip(hidden["domain"], hidden["group"]))
        rows = (r["indicator"] == ind).to_numpy() & np.array([(d, g) in keys for d, g in zip(r["domain"], r["group"])],
                                                            dtype=bool)
        sup |= rows
    derived = _derived_from_hidden(r, sup)
    sup |= derived
    out = r.copy()
    out["status"] = np.where(sup, "suppressed", "published")
    out["rule"] = np.where(prim, code, np.where(derived, "derived", np.where(sup, "secondary", "")))
    for col in VALUE_COLUMNS:
        if col in out.columns:
            out.loc[sup, col] = np.nan
    if rules.round_base:
        for col in ("n", "N"):
            v = pd.to_numeric(out[col], errors="coerce")
            out[col] = hesa_round(v.clip(lower=0), rules.round_base).astype("Float64").astype(float)
        counts = (out["statistic"] == "total") & (out["unit"] == "count")  # published counts: rounded too
        for col in ("estimate", "ci_low", "ci_high", "unweighted"):
            v = pd.to_numeric(out.loc[counts, col], errors="coerce")
            out.loc[counts, col] = hesa_round(v.clip(lower=0), rules.round_base).astype("Float64").astype(float)
    out = out.drop(columns=["x", *BUSINESS_COLUMNS], errors="ignore")
    out.attrs = {}
    check_publication(out, hierarchy, distributions=distributions, aliases=aliases)
    return out


def check_publication(published: pd.DataFrame, hierarchy: pd.DataFrame, *,
                      distributions: Mapping[str, str | None] | None = None,
                      aliases: Iterable[tuple[str, str, str, str]] = ()) -> None:
    """The attack the run executes on what it is about to publish: for every suppressed cell, try to
    recover it by subtraction along each hierarchy (:func:`attack`). Raises :class:`DisclosureError`
    naming the first recoverable cell and the margin that gives it away."""
    r = published.reset_index(drop=True)
    sup = (r["status"].astype(str) == "suppressed").to_numpy()
    found = attack(sup, margins(r, hierarchy, distributions, aliases))
    if found:
        cell = next(iter(found))
        m = found[cell]
        via = _describe(r, m.parent) if m.parent is not None else "the group's respondents"
        raise DisclosureError(
            f"suppressed cell {_describe(r, cell)} can be recovered by subtraction from {via} and "
            f"{len(m.children) - 1} published cell(s) — do not publish; secondary suppression is incomplete")

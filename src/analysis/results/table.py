"""The results layer: one tidy table of everything the project can publish.

Every number a report, a workbook, a page or a slide shows is a row of this table, built here from the
indicator registry (``definitions/indicators.yaml``) and the verified statistical core
(:mod:`analysis.stats.survey`, :mod:`analysis.stats.intervals`). Disclosure control (:mod:`analysis.publish.disclosure`)
then decides, row by row, what may be published; outputs only format rows, they never compute.

One row per ``indicator × domain × group × category × time``:

=====================  ===================================================================================
column                 meaning
=====================  ===================================================================================
indicator              registry id (``employment_rate``) or a result family (``labour_status``,
                       ``first_job_cif``, ``model:employment_logit``, ``competence_required`` …)
statistic              share | mean | median | total | ratio | difference | cif | coefficient | test | value
unit                   share | months | KGS | ratio | index | scale | count | odds_ratio | …
domain, group          ``all``/``all``, ``faculty``/code, ``programme``/code, ``sex``/code, ``level``, ``funding``,
                       cross-classifications ``programme×sex``/``P|f``
category               a level of a distribution (labour status, mode), a model term, a competence item
time                   months since graduation (curves); NaN otherwise
n                      respondents in the universe with a known value (unweighted)
N                      graduates of the group in the registry (the population)
x                      unweighted numerator of a share (count), NaN otherwise
estimate, se           the headline value: design-based weighted estimate (``basis`` = weighted), the exact
ci_low, ci_high        census value (``census``) or the unweighted estimate when no weights exist
                       (``unweighted``); ``se``/interval as named in ``ci_method``
basis                  weighted | census | unweighted | model | open_data
ci_method, confidence  the interval method of the headline and its level (from the cohort's configuration)
deff, n_eff            design effect (variance over that of a simple random sample of the same n drawn
                       without replacement) and Kish's effective sample size ``n/deff``
unweighted, …_ci_*     the unweighted estimate with the configured interval (``cfg.ci_method``): a check
unweighted_ci_method
pooled, pooled_ci_*    programme shares shrunk toward their faculty (empirical Bayes), a companion estimate
p_value                tests (log-rank, cohort differences, model terms)
weighting_changes      True when the unweighted estimate lies outside the weighted interval
source, note           open-data source, or a short machine note (why a value is missing)
contributors, top1,    business data (employer survey): employers contributing to the cell and the two largest
top2                   contributions as shares of the cell's total — read by the business disclosure rules,
                       never published
=====================  ===================================================================================

Methods are explained for the expert group in ``docs/methodology.md`` §3 (estimates and intervals).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.derive.registry import indicator_universe, indicator_values, load_registry
from analysis.stats.intervals import (
    proportion_ci,
    shrink_proportions,
    survey_proportion_ci,
)
from analysis.stats.nonresponse import newcombe_diff_ci
from analysis.stats.survey import domain_estimates, svyquantile

__all__ = [
    "COLUMNS",
    "DOMAINS",
    "Settings",
    "domain_groups",
    "estimate",
    "hierarchy",
    "indicator_design",
    "share_rows",
    "mean_rows",
    "median_rows",
    "total_rows",
    "difference_rows",
    "registry_rows",
    "WHY",
    "dated_share",
    "missing_why",
    "no_data_note",
    "note_row",
    "why_of",
    "input_note",
    "parse_inputs",
]

COLUMNS: tuple[str, ...] = (
    "indicator", "statistic", "unit", "domain", "group", "category", "time", "n", "N", "x",
    "estimate", "se", "ci_low", "ci_high", "basis", "ci_method", "confidence", "deff", "n_eff",
    "unweighted", "unweighted_ci_low", "unweighted_ci_high", "unweighted_ci_method",
    "pooled", "pooled_ci_low", "pooled_ci_high", "p_value", "weighting_changes", "source", "note",
    "contributors", "top1", "top2",
)
_TEXT = ("indicator", "statistic", "unit", "domain", "group", "category", "basis", "ci_method",
         "unweighted_ci_method", "source", "note")

DOMAINS: dict[str, tuple[str, ...]] = {
    "all": (),
    "faculty": ("faculty",),
    "programme": ("programme",),
    "sex": ("sex",),
    "level": ("level",),
    "funding": ("funding",),
    "faculty×sex": ("faculty", "sex"),
    "programme×sex": ("programme", "sex"),
}
"""Domains of estimation: name → the graduates-table columns that define its groups."""

STANDARD_DOMAINS: tuple[str, ...] = ("all", "faculty", "programme", "sex", "level", "funding")
RESPONSE_DOMAINS: tuple[str, ...] = STANDARD_DOMAINS + ("faculty×sex", "programme×sex")
SEP = "|"

# ----------------------------------------------------------------------------- why a value is missing
NOT_MEASURED = "not measured"
NO_DATA = "no data"
WHY: dict[str, str] = {
    "no_phase1": "no phase-1 respondent",
    "no_phase2": "no phase-2 respondent",
    "no_employers": "no employer survey answer",
    "no_universe": "nobody in the indicator's universe (e.g. no employed respondent)",
    "no_answers": "people in the universe, but none answered what the indicator needs",
    "no_dates": "too few of those who found a job gave the month it started",
    "one_group": "one group only: nothing to compare",
}
"""Machine reasons of a row without a value, written ``no data: <why>`` in the ``note`` column; the report
says each in ky/ru/en (``why_<why>`` in the message catalogue)."""
MIN_DATED_SHARE = 0.8
"""Time-to-job figures need the start month of the first job for at least this share of the phase-2
respondents who found one: the undated are dropped from a curve, so without most dates the curve would
count little more than the jobs held before graduation (time 0)."""
TIME_TO_JOB_VARIABLES = ("months_to_first_job", "job_within_6m", "job_search_months")


def no_data_note(why: str) -> str:
    """The ``note`` of a row without a value: ``no data: <why>`` (``why`` one of :data:`WHY`)."""
    if why not in WHY:
        raise ValueError(f"unknown reason {why!r}; use one of {', '.join(WHY)}")
    return f"{NO_DATA}: {why}"


def why_of(note: Any) -> str | None:
    """The reason code of a ``no data: <why>`` note (None for any other note)."""
    text = str(note or "")
    if not text.startswith(NO_DATA + ":"):
        return None
    return text.split(":", 1)[1].strip().split(";")[0].strip() or None


def note_row(indicator: str, statistic: str, unit: str, why: str, **extra: Any) -> pd.DataFrame:
    """One row without a value that says why (``n`` = 0, ``domain``/``group`` = all unless given)."""
    row = {"indicator": indicator, "statistic": statistic, "unit": unit, "domain": "all", "group": "all",
           "category": "", "n": 0.0, "note": no_data_note(why)}
    row.update(extra)
    return pd.DataFrame([row])


def _respondents(graduates: pd.DataFrame, flag: str) -> int:
    if flag not in graduates.columns:
        return 0
    return int(graduates[flag].astype("boolean").fillna(False).sum())


def dated_share(graduates: pd.DataFrame) -> float:
    """Share of the phase-2 respondents who found a first job (``first_job_event`` = 1) whose time to it is
    known (``months_to_first_job``); NaN when nobody found one."""
    need = {"first_job_event", "months_to_first_job"}
    if not need <= set(graduates.columns):
        return math.nan
    found = (pd.to_numeric(graduates["first_job_event"], errors="coerce") == 1).fillna(False).to_numpy(bool)
    if "resp_p2" in graduates.columns:
        found &= graduates["resp_p2"].astype("boolean").fillna(False).to_numpy(bool)
    if not found.any():
        return math.nan
    return float(pd.to_numeric(graduates["months_to_first_job"], errors="coerce")[found].notna().mean())


def missing_why(graduates: pd.DataFrame, ind: Any, values: pd.Series | None = None) -> str | None:
    """Why an indicator has no value to estimate: ``no_phase1``/``no_phase2`` (nobody answered that phase),
    ``no_dates`` (time-to-job indicators without enough dates), ``no_universe`` (nobody to ask, e.g. no
    employed respondent) or ``no_answers`` (nobody answered); None when there is something to estimate."""
    kind = indicator_design(ind)
    if kind == "p1" and _respondents(graduates, "resp_p1") == 0:
        return "no_phase1"
    if kind == "p2" and _respondents(graduates, "resp_p2") == 0:
        return "no_phase2"
    if ind.variable in TIME_TO_JOB_VARIABLES and dated_share(graduates) < MIN_DATED_SHARE:
        return "no_dates"
    if values is not None and values.notna().any():
        return None
    universe = indicator_universe(graduates, ind)
    return "no_universe" if universe is not None and not universe.any() else "no_answers"


@dataclass(frozen=True)
class Settings:
    """How intervals are computed (from the cohort's configuration; one source of defaults)."""

    confidence: float
    ci_method: str            # unweighted interval: wilson | agresti_coull | clopper_pearson | jeffreys | qilt
    weighted_ci_method: str   # weighted shares: wilson (on n_eff) | korn_graubard

    @classmethod
    def from_config(cls, cfg: Any) -> Settings:
        return cls(float(cfg.confidence), str(cfg.ci_method), str(getattr(cfg, "weighted_ci_method", "wilson")))

    @property
    def alpha(self) -> float:
        return 1.0 - self.confidence

    @property
    def z(self) -> float:
        # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
        from scipy.stats import norm

        return float(norm.ppf(0.5 + self.confidence / 2))


# ----------------------------------------------------------------------------- groups and hierarchy
def domain_groups(graduates: pd.DataFrame, domain: str) -> pd.Series:
    """The group label of every graduate in ``domain`` (``"all"``, a code, or ``"a|b"``); NA = no group."""
    cols = DOMAINS[domain]
    if not cols:
        return pd.Series("all", index=graduates.index, dtype="string")
    missing = [c for c in cols if c not in graduates.columns]
    if missing:
        return pd.Series(pd.NA, index=graduates.index, dtype="string")
    parts = [graduates[c].astype("string") for c in cols]
    out = parts[0]
    for p in parts[1:]:
        out = out + SEP + p
    return out.astype("string")


def hierarchy(graduates: pd.DataFrame, domains: Iterable[str] = RESPONSE_DOMAINS) -> pd.DataFrame:
    """Which published group adds up to which: ``domain, group, parent_domain, parent_group``.

    Every group of a domain has one or more parents whose counts are the sums of their children's
    (programme within faculty within the university; sex within all; programme×sex within programme and
    within faculty×sex). Disclosure control uses it for secondary suppression and the attack check.
    """
    rows: list[tuple[str, str, str, str]] = []
    fac_of: dict[str, str] = {}
    if {"programme", "faculty"} <= set(graduates.columns):
        pf = graduates[["programme", "faculty"]].dropna().astype("string").drop_duplicates()
        fac_of = dict(zip(pf["programme"], pf["faculty"]))
    for dom in domains:
        if dom == "all":
            continue
        groups = domain_groups(graduates, dom).dropna().unique()
        for g in sorted(str(x) for x in groups):
            if dom in ("faculty", "sex", "level", "funding"):
                rows.append((dom, g, "all", "all"))
            elif dom == "programme":
                if g in fac_of:
                    rows.append((dom, g, "faculty", fac_of[g]))
            elif dom == "faculty×sex":
                f, s = g.split(SEP, 1)
                rows += [(dom, g, "faculty", f), (dom, g, "sex", s)]
            elif dom == "programme×sex":
                p, s = g.split(SEP, 1)
                rows.append((dom, g, "programme", p))
                if p in fac_of:
                    rows.append((dom, g, "faculty×sex", f"{fac_of[p]}{SEP}{s}"))
    return pd.DataFrame(rows, columns=["domain", "group", "parent_domain", "parent_group"])


# ----------------------------------------------------------------------------- designs per indicator
def indicator_design(ind: Any) -> str:
    """Which sample an indicator is estimated from: ``census`` (response rates: every graduate is
    counted, nothing is estimated), ``p1`` (phase-1 respondents only) or ``p2`` (phase-2 respondents)."""
    if getattr(ind, "group", "") == "response":
        return "census"
    where = ind.universe.get("where") if isinstance(ind.universe, dict) else None
    keys = set((where or {}).keys())
    if keys == {"resp_p1"}:
        return "p1"
    return "p2"


# ----------------------------------------------------------------------------- one function per kind
def _frame(groups: pd.Series, values: pd.Series) -> pd.DataFrame:
    d = pd.DataFrame({"g": groups, "y": values.astype(float)})
    return d[d["g"].notna() & d["y"].notna()]


def _population(groups: pd.Series) -> pd.Series:
    pop = groups.dropna().value_counts()
    pop.index = pop.index.astype(str)
    return pop


def _weighted_by_domain(design: Any, values: pd.Series, groups: pd.Series, stat: str,
                        alpha: float) -> pd.DataFrame:
    """Domain estimates (``stat`` mean/total) from the design: group, estimate, se (Taylor, calibration
    residuals, FPC — :func:`analysis.stats.survey.domain_estimates`, the arithmetic of
    :func:`analysis.stats.survey.by_domain` on arrays: the design's linearisation is built once per design and
    reused by every indicator × domain variable, nothing is copied)."""
    index = design.data.index
    y = values.reindex(index).to_numpy(float)
    g = groups.reindex(index).astype("string")
    codes, uniq = pd.factorize(g, sort=True)  # sorted labels, -1 = no group: the order of a sorted group-by
    labels = np.asarray(uniq, dtype=object).astype(str)
    if design.n < 2:
        # one respondent is one sampling unit: a point estimate but no variance (the design-based SE
        # needs two units; analysis.stats.survey refuses a single PSU, as R does)
        ok = (codes >= 0) & np.isfinite(y)
        w = design.w[ok]
        c = codes[ok]
        num = np.bincount(c, weights=w * y[ok], minlength=len(labels))
        den = np.bincount(c, weights=w, minlength=len(labels))
        n = np.bincount(c, minlength=len(labels)).astype(float)
        keep = n > 0
        est = num if stat == "total" else num / np.where(den > 0, den, np.nan)
        return pd.DataFrame({"group": labels[keep], "n": n[keep], "estimate": est[keep].astype(float),
                             "se": np.nan})
    n, est, se = domain_estimates(design, y, codes, len(labels), stat=stat)
    keep = n > 0
    return pd.DataFrame({"group": labels[keep], "n": n[keep], "estimate": est[keep], "se": se[keep]})


def _srs_factor(design: Any) -> float:
    """``1 − n/N`` of the design's finite-population correction (1 without one): the design effect
    compares with a simple random sample drawn the same way (without replacement)."""
    if design is None or design.fpc is None:
        return 1.0
    big_n = float(pd.to_numeric(design.data[design.fpc], errors="coerce").iloc[0])
    return 1.0 - (design.n / big_n if big_n > 1 else big_n)


def _weighted_share_ci(p: np.ndarray, se: np.ndarray, n: np.ndarray, st: Settings,
                       design: Any) -> tuple[np.ndarray, np.ndarray]:
    """Wilson on the effective sample size (normal quantile), or Korn–Graubard with the design's degrees
    of freedom (R ``svyciprop(method="beta")``): :func:`analysis.stats.intervals.survey_proportion_ci`."""
    df = design.degf if st.weighted_ci_method == "korn_graubard" else None
    return survey_proportion_ci(p, se, n, method=st.weighted_ci_method, alpha=st.alpha, df=df)


WEIGHTED_METHOD_NAMES = {"wilson": "wilson_neff", "korn_graubard": "korn_graubard"}


def share_rows(values: pd.Series, groups: pd.Series, st: Settings, design: Any = None,
               census: bool = False) -> pd.DataFrame:
    """Shares (0–1) by group: unweighted with ``st.ci_method``; design-based weighted with its
    linearised SE and a ``st.weighted_ci_method`` interval; or the exact census share.

    ``values`` are per-graduate 0/1 (NaN outside the universe or unknown); ``groups`` the group label of
    every graduate (:func:`domain_groups`). ``design`` is the respondents' calibrated design
    (:func:`analysis.stats.weighting.weight_respondents`), or None for no weighting.
    """
    d = _frame(groups, values)
    if d.empty:
        return pd.DataFrame(columns=COLUMNS)
    agg = d.groupby("g", sort=True, observed=True)["y"].agg(["size", "sum"])
    pop = _population(groups)
    out = pd.DataFrame({"group": agg.index.astype(str), "n": agg["size"].to_numpy(float),
                        "x": agg["sum"].to_numpy(float)})
    out["N"] = out["group"].map(pop).astype(float)
    p = out["x"] / out["n"]
    out["unweighted"] = p
    if st.ci_method == "qilt":
        lo, hi = proportion_ci(out["x"].to_numpy(), out["n"].to_numpy(), method="qilt", alpha=st.alpha,
                               N=np.maximum(out["N"].to_numpy(), out["n"].to_numpy()))
    else:
        lo, hi = proportion_ci(out["x"].to_numpy(), out["n"].to_numpy(), method=st.ci_method, alpha=st.alpha)
    out["unweighted_ci_low"], out["unweighted_ci_high"] = lo, hi
    out["unweighted_ci_method"] = st.ci_method
    out["statistic"] = "share"
    if census:
        out["estimate"], out["basis"], out["ci_method"] = p, "census", "exact"
        out["ci_low"] = out["ci_high"] = np.nan  # every graduate is counted: nothing is estimated
        return out
    if design is None:
        out["estimate"], out["basis"], out["ci_method"] = p, "unweighted", st.ci_method
        out["ci_low"], out["ci_high"] = lo, hi
        return out
    w = _weighted_by_domain(design, values, groups, "mean", st.alpha)
    out = out.merge(w.drop(columns="n"), on="group", how="left")
    pw, se, n = out["estimate"].to_numpy(float), out["se"].to_numpy(float), out["n"].to_numpy(float)
    wlo, whi = _weighted_share_ci(pw, se, n, st, design)
    out["ci_low"], out["ci_high"] = wlo, whi
    with np.errstate(divide="ignore", invalid="ignore"):
        srs = _srs_factor(design) * pw * (1 - pw) / n
        out["deff"] = np.where(srs > 0, se**2 / srs, np.nan)
        out["n_eff"] = n / out["deff"]
    out["basis"], out["ci_method"] = "weighted", WEIGHTED_METHOD_NAMES[st.weighted_ci_method]
    return out


def mean_rows(values: pd.Series, groups: pd.Series, st: Settings, design: Any = None) -> pd.DataFrame:
    """Means by group: unweighted with a t interval; weighted (design-based SE, normal interval, as R's
    ``confint(svymean)``)."""
    # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
    from scipy.stats import t as tdist

    d = _frame(groups, values)
    if d.empty:
        return pd.DataFrame(columns=COLUMNS)
    g = d.groupby("g", sort=True, observed=True)["y"]
    agg = g.agg(["size", "mean", "std"])
    out = pd.DataFrame({"group": agg.index.astype(str), "n": agg["size"].to_numpy(float),
                        "unweighted": agg["mean"].to_numpy(float)})
    out["N"] = out["group"].map(_population(groups)).astype(float)
    n = out["n"].to_numpy(float)
    sd = agg["std"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = np.where(n > 1, tdist.ppf(0.5 + st.confidence / 2, np.maximum(n - 1, 1)) * sd / np.sqrt(n), np.nan)
    out["unweighted_ci_low"] = out["unweighted"] - half
    out["unweighted_ci_high"] = out["unweighted"] + half
    out["unweighted_ci_method"] = "t"
    out["statistic"] = "mean"
    if design is None:
        out["estimate"], out["basis"], out["ci_method"] = out["unweighted"], "unweighted", "t"
        out["ci_low"], out["ci_high"] = out["unweighted_ci_low"], out["unweighted_ci_high"]
        return out
    w = _weighted_by_domain(design, values, groups, "mean", st.alpha)
    out = out.merge(w.drop(columns="n"), on="group", how="left")
    out["ci_low"] = out["estimate"] - st.z * out["se"]
    out["ci_high"] = out["estimate"] + st.z * out["se"]
    with np.errstate(divide="ignore", invalid="ignore"):
        srs = np.where(n > 1, _srs_factor(design) * sd**2 / n, np.nan)
        out["deff"] = out["se"].to_numpy(float) ** 2 / srs
        out["n_eff"] = n / out["deff"]
    out["basis"], out["ci_method"] = "weighted", "normal"
    return out


def _median_ci(y: np.ndarray, conf: float) -> tuple[float, float]:
    """Distribution-free interval of a median from binomial order statistics (Conover 1999, §3.2)."""
    # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
    from scipy.stats import binom

    y = np.sort(y)
    n = len(y)
    if n < 2:
        return (math.nan, math.nan)
    a = (1 - conf) / 2
    lo_k = int(binom.ppf(a, n, 0.5))
    hi_k = int(binom.isf(a, n, 0.5))
    return float(y[max(lo_k - 1, 0)]), float(y[min(hi_k, n - 1)])


def median_rows(values: pd.Series, groups: pd.Series, st: Settings, design: Any = None) -> pd.DataFrame:
    """Medians by group: unweighted with the order-statistic interval; weighted with Woodruff's interval
    (:func:`analysis.stats.survey.svyquantile`, domain estimation: values outside the group are set missing, so
    the whole design — calibration and FPC — stays in the variance)."""
    d = _frame(groups, values)
    if d.empty:
        return pd.DataFrame(columns=COLUMNS)
    rows = []
    for g, s in d.groupby("g", sort=True, observed=True):
        y = s["y"].to_numpy(float)
        lo, hi = _median_ci(y, st.confidence)
        rows.append({"group": str(g), "n": float(len(y)), "unweighted": float(np.median(y)),
                     "unweighted_ci_low": lo, "unweighted_ci_high": hi})
    out = pd.DataFrame(rows)
    out["N"] = out["group"].map(_population(groups)).astype(float)
    out["unweighted_ci_method"] = "order_statistics"
    out["statistic"] = "median"
    if design is None:
        out["estimate"], out["basis"], out["ci_method"] = out["unweighted"], "unweighted", "order_statistics"
        out["ci_low"], out["ci_high"] = out["unweighted_ci_low"], out["unweighted_ci_high"]
        return out
    data = design.data.copy()
    y_all = values.reindex(data.index).to_numpy(float)
    g_all = groups.reindex(data.index).astype("string").to_numpy()
    est, se, wlo, whi = [], [], [], []
    for g in out["group"]:
        yy = np.where(g_all == g, y_all, np.nan)
        if np.isfinite(yy).sum() < 2:
            est.append(math.nan), se.append(math.nan), wlo.append(math.nan), whi.append(math.nan)
            continue
        dd = design.with_weights(design.w, name=design.weights or "weight")
        dd.data["_y"] = yy
        q = svyquantile(dd, "_y", 0.5, alpha=st.alpha).iloc[0]
        est.append(q["estimate"]), se.append(q["se"]), wlo.append(q["ci_low"]), whi.append(q["ci_high"])
    out["estimate"], out["se"], out["ci_low"], out["ci_high"] = est, se, wlo, whi
    out["basis"], out["ci_method"] = "weighted", "woodruff"
    return out


def total_rows(values: pd.Series, groups: pd.Series, st: Settings, design: Any = None) -> pd.DataFrame:
    """Totals by group (e.g. staff needed): the unweighted sum, and the design-based estimated total with
    its linearised SE when a design is given."""
    d = _frame(groups, values)
    if d.empty:
        return pd.DataFrame(columns=COLUMNS)
    agg = d.groupby("g", sort=True, observed=True)["y"].agg(["size", "sum"])
    out = pd.DataFrame({"group": agg.index.astype(str), "n": agg["size"].to_numpy(float),
                        "unweighted": agg["sum"].to_numpy(float)})
    out["N"] = out["group"].map(_population(groups)).astype(float)
    out["statistic"] = "total"
    if design is None:
        out["estimate"], out["basis"], out["ci_method"] = out["unweighted"], "unweighted", "none"
        return out
    w = _weighted_by_domain(design, values, groups, "total", st.alpha)
    out = out.merge(w.drop(columns="n"), on="group", how="left")
    out["ci_low"] = out["estimate"] - st.z * out["se"]
    out["ci_high"] = out["estimate"] + st.z * out["se"]
    out["basis"], out["ci_method"] = "weighted", "normal"
    return out


KINDS = {"share": share_rows, "mean": mean_rows, "median": median_rows, "total": total_rows}


def difference_rows(current: pd.DataFrame, previous: pd.DataFrame, st: Settings) -> pd.DataFrame:
    """Differences (current − previous) of the same indicator, domain and group between two cohorts.

    Shares: Newcombe's (1998) hybrid score interval (method 10) on the unweighted counts, with a
    two-sample test; means: Welch-type normal interval from the two standard errors (independent
    cohorts). Medians get the difference only (no interval). Input: result rows of both cohorts.
    """
    keys = ["indicator", "domain", "group", "category"]
    m = current.merge(previous, on=keys, suffixes=("", "_prev"))
    rows = []
    for _, r in m.iterrows():
        stat = r["statistic"]
        row = {k: r[k] for k in keys}
        row.update({"statistic": "difference", "unit": r["unit"], "n": r["n"], "N": r["N"]})
        diff = r["unweighted"] - r["unweighted_prev"]
        lo = hi = p = math.nan
        if stat == "share" and r["n"] > 0 and r["n_prev"] > 0:
            diff, lo, hi = newcombe_diff_ci(r["x"], r["n"], r["x_prev"], r["n_prev"], alpha=st.alpha)
            # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
            from scipy.stats import chi2_contingency

            table = np.array([[r["x"], r["n"] - r["x"]], [r["x_prev"], r["n_prev"] - r["x_prev"]]])
            if (table.sum(axis=0) > 0).all():
                p = float(chi2_contingency(table, correction=False)[1])
        elif stat == "mean":
            se = math.hypot(r["se"], r["se_prev"]) if np.isfinite(r["se"]) and np.isfinite(r["se_prev"]) else math.nan
            lo, hi = diff - st.z * se, diff + st.z * se
        row.update({"estimate": diff, "ci_low": lo, "ci_high": hi, "p_value": p, "basis": "unweighted",
                    "ci_method": "newcombe" if stat == "share" else ("normal" if stat == "mean" else "none"),
                    "note": f"previous n={int(r['n_prev'])}"})
        rows.append(row)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- the registry, estimated
def registry_rows(graduates: pd.DataFrame, designs: Mapping[str, Any], st: Settings,
                  indicators: Sequence[Any] | None = None) -> pd.DataFrame:
    """Every registry indicator by every domain (one function per kind, :data:`KINDS`), with programme
    shares also pooled toward their faculty (empirical Bayes, :func:`analysis.stats.intervals.shrink_proportions`).

    ``designs`` maps ``"p1"``/``"p2"`` to the calibrated design of that phase's respondents (missing or
    None: unweighted). Indicators whose variables the graduates table lacks (e.g. a question a legacy
    survey never asked) give a row-less ``not measured`` note instead of failing; indicators with nothing
    to estimate give a row-less ``no data: <why>`` note (:func:`missing_why`, :data:`WHY`), and an
    indicator whose estimation raises gives a ``failed: <error>`` note — the run goes on and the report
    says why the figure is missing.
    """
    frames = []
    for ind in (indicators if indicators is not None else load_registry()):
        if "{item}" in ind.variable:
            continue  # per-item indicators (competences) have their own rows
        values = indicator_values(graduates, ind)
        if values is None:
            frames.append(pd.DataFrame([{"indicator": ind.id, "statistic": ind.statistic, "unit": ind.unit,
                                         "domain": "all", "group": "all", "n": 0.0, "note": NOT_MEASURED}]))
            continue
        why = missing_why(graduates, ind, values)
        if why is not None:
            frames.append(note_row(ind.id, ind.statistic, ind.unit, why))
            continue
        try:
            frames += _indicator_rows(graduates, ind, values, designs, st)
        except Exception as exc:  # noqa: BLE001 - one indicator must not stop the run: recorded, shown
            first = (str(exc).strip().splitlines() or [""])[0]
            frames.append(pd.DataFrame([{"indicator": ind.id, "statistic": ind.statistic, "unit": ind.unit,
                                         "domain": "all", "group": "all", "n": 0.0,
                                         "note": f"failed: {type(exc).__name__}: {first}"}]))
    return finish(frames, st)


def _indicator_rows(graduates: pd.DataFrame, ind: Any, values: pd.Series, designs: Mapping[str, Any],
                    st: Settings) -> list[pd.DataFrame]:
    """The rows of one registry indicator by every domain (see :func:`registry_rows`)."""
    frames = []
    kind = indicator_design(ind)
    design = designs.get(kind) if kind != "census" else None
    doms = RESPONSE_DOMAINS if kind == "census" else STANDARD_DOMAINS
    for dom in doms:
        groups = domain_groups(graduates, dom)
        if ind.statistic == "share":
            rows = share_rows(values, groups, st, design, census=kind == "census")
        else:
            rows = KINDS[ind.statistic](values, groups, st, design)
        if rows.empty:
            continue
        if dom == "programme" and ind.statistic == "share" and kind != "census" and "faculty" in graduates:
            fac = (graduates[["programme", "faculty"]].dropna().astype("string").drop_duplicates()
                   .set_index("programme")["faculty"])
            sh = shrink_proportions(rows["x"].to_numpy(), rows["n"].to_numpy(),
                                    rows["group"].map(fac).fillna("?").to_numpy(),
                                    labels=rows["group"].to_numpy(), alpha=st.alpha)
            rows["pooled"] = sh["estimate"].to_numpy()
            rows["pooled_ci_low"] = sh["ci_low"].to_numpy()
            rows["pooled_ci_high"] = sh["ci_high"].to_numpy()
        rows["indicator"], rows["domain"], rows["unit"] = ind.id, dom, ind.unit
        frames.append(rows)
    return frames


def estimate(values: pd.Series, graduates: pd.DataFrame, statistic: str, st: Settings, *,
             indicator: str, unit: str, domains: Sequence[str] = ("all",), design: Any = None,
             category: str = "") -> pd.DataFrame:
    """Rows for any per-graduate variable (not in the registry) by ``domains``, with the same estimators
    as registry indicators (e.g. the share of each labour status, competence means)."""
    frames = []
    for dom in domains:
        rows = KINDS[statistic](values, domain_groups(graduates, dom), st, design)
        if rows.empty:
            continue
        rows["indicator"], rows["domain"], rows["unit"], rows["category"] = indicator, dom, unit, category
        frames.append(rows)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


def finish(frames: Iterable[pd.DataFrame], st: Settings) -> pd.DataFrame:
    """Stack result rows into the table's column order and types, with the settings and the weighting
    check (is the unweighted estimate outside the weighted interval?)."""
    frames = [f for f in frames if f is not None and not f.empty]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="string" if c in _TEXT else "float64") for c in COLUMNS})
    out = pd.concat(frames, ignore_index=True)
    for c in COLUMNS:
        if c not in out.columns:
            out[c] = np.nan
    out = out[list(COLUMNS)].copy()
    for c in _TEXT:
        out[c] = out[c].astype("string").fillna("")
    for c in COLUMNS:
        if c not in _TEXT and c != "weighting_changes":
            out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    out["confidence"] = out["confidence"].fillna(st.confidence)
    weighted = out["basis"] == "weighted"
    outside = (out["unweighted"] < out["ci_low"]) | (out["unweighted"] > out["ci_high"])
    out["weighting_changes"] = (weighted & outside.fillna(False)).astype(bool)
    return out.reset_index(drop=True)


def input_note(inputs: Sequence[tuple[str, str, str]], extra: str = "") -> str:
    """``inputs=<indicator>@<domain>=<group>,…`` (plus ``; extra``): the cells a derived row rests on (a ratio,
    a verdict). The disclosure pass hides a derived row whose input it hid
    (:func:`analysis.publish.disclosure.publish`): the ratio times its published denominator would give the
    hidden number back."""
    text = "inputs=" + ",".join(f"{i}@{d}={g}" for i, d, g in inputs)
    return f"{text}; {extra}" if extra else text


def parse_inputs(note: Any) -> list[tuple[str, str, str]]:
    """The input cells named by :func:`input_note` (empty for any other note)."""
    text = str(note or "")
    if not text.startswith("inputs="):
        return []
    body = text[len("inputs="):].split(";", 1)[0]
    out = []
    for item in body.split(","):
        if "@" in item and "=" in item:
            ind, rest = item.split("@", 1)
            dom, grp = rest.split("=", 1)
            out.append((ind.strip(), dom.strip(), grp.strip()))
    return out

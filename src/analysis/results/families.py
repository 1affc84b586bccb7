"""Result rows outside the indicator registry, in the results-table layout of :mod:`analysis.results.table`.

Each function returns rows (``indicator`` names a family) that the model stage stacks with the
registry indicators into the one results table:

* ``labour_status`` — the ILO status distribution (categories add up to the respondents);
* ``response_mode_p2`` — phase-2 responses by collection mode (categories add up to the phase-2
  response rate's numerator);
* ``first_job_cif`` — cumulative incidence of a first job (further study a competing risk) on a
  half-monthly grid, and ``first_job_logrank`` — the log-rank test between faculties;
* ``job_at_graduation_share`` and ``months_to_first_job_after_graduation`` — time to a first job as a reader
  asks it: who had a job at graduation, and how long the others who found one waited (median);
* ``model:<name>`` — model terms on their reading scale (odds ratio, hazard ratio, % effect);
* ``competence_acquired`` / ``competence_required`` / ``competence_gap`` — per competence item;
* ``feedback:<item>`` — programme evaluation, satisfaction and usefulness means (1–5);
* ``employers:<item>``, ``employer_demand_3y*`` — the employer survey item by item (:mod:`analysis.results.employers`);
* ``nonresponse:<variable>`` — respondents vs non-respondents (bias check), ``early_late:<outcome>``;
* ``context:<what>`` — open-data benchmarks (oblast average wage, minimum wage) with their sources;
* ``income_mi:<what>`` — the multiple-imputation sensitivity analysis of income.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.vocabulary import MODES
from analysis.derive.labour import LABOUR_STATUS
from analysis.results.employers import demand_rows, employer_item_rows, employer_rating_rows, frame_rows
from analysis.results.table import (
    MIN_DATED_SHARE,
    STANDARD_DOMAINS,
    Settings,
    dated_share,
    domain_groups,
    estimate,
    mean_rows,
    note_row,
    share_rows,
)
from analysis.stats.survival import cumulative_incidence, logrank

DISTRIBUTIONS: dict[str, str | None] = {"labour_status": None, "response_mode_p2": "response_rate_p2"}
"""Result families whose categories add up: to the group's respondents (None) or to another indicator."""
ALIASES: tuple[tuple[str, str, str, str], ...] = (
    ("employment_rate", "", "labour_status", "employed"),
)
"""Cells with the same numerator and base under two names (suppressed together)."""

STATUSES = LABOUR_STATUS
CIF_GRID_STEP = 0.5


def _flag(s: pd.Series) -> pd.Series:
    return s.astype("boolean").fillna(False).astype(bool)


def labour_status_rows(graduates: pd.DataFrame, st: Settings, design: Any) -> pd.DataFrame:
    """Share of each ILO labour status among phase-2 respondents, by the standard domains (weighted)."""
    if "labour_status" not in graduates:
        return pd.DataFrame()
    status = graduates["labour_status"].astype("string")
    known = _flag(graduates["resp_p2"]) & status.notna()
    frames = []
    for s in STATUSES:
        values = (status == s).astype(float).where(known)
        frames.append(estimate(values, graduates, "share", st, indicator="labour_status", unit="share",
                               domains=STANDARD_DOMAINS, design=design, category=s))
    return pd.concat(frames, ignore_index=True)


def response_mode_rows(graduates: pd.DataFrame, st: Settings, mode_col: str = "p2__mode") -> pd.DataFrame:
    """Phase-2 response by collection mode: respondents via each mode ÷ all graduates (a census)."""
    if mode_col not in graduates or "resp_p2" not in graduates:
        return pd.DataFrame()
    mode = graduates[mode_col].astype("string")
    resp = _flag(graduates["resp_p2"])
    frames = []
    for m in MODES:
        values = (resp & (mode == m)).astype(float)
        for dom in ("all", "faculty", "programme"):
            rows = share_rows(values, domain_groups(graduates, dom), st, census=True)
            rows["indicator"], rows["domain"], rows["unit"], rows["category"] = "response_mode_p2", dom, "share", m
            frames.append(rows)
    return pd.concat(frames, ignore_index=True)


def cif_rows(graduates: pd.DataFrame, st: Settings, months: float | None = None) -> pd.DataFrame:
    """Cumulative incidence of a first job by faculty and overall (Aalen–Johansen; further study is a
    competing risk), evaluated every half month, plus the log-rank test between faculties.

    Needs ``months_to_first_job`` and ``first_job_event`` (1 job, 2 further study, 0 censored). Without
    them there are no rows; with no phase-2 respondent, or when fewer than
    :data:`~analysis.results.table.MIN_DATED_SHARE` of those who found a job gave its start month (the undated
    would be dropped, so the curve would mostly count jobs held before graduation), one row without a value
    says why (``no data: no_phase2`` / ``no_dates``). The log-rank test of a cohort with one faculty is a
    row ``no data: one_group``.
    """
    need = {"months_to_first_job", "first_job_event", "resp_p2", "faculty"}
    if not need <= set(graduates.columns):
        return pd.DataFrame()
    resp = graduates[_flag(graduates["resp_p2"])]
    if resp.empty:
        return note_row("first_job_cif", "cif", "share", "no_phase2")
    if dated_share(resp) < MIN_DATED_SHARE:
        return note_row("first_job_cif", "cif", "share", "no_dates")
    g = resp.dropna(subset=["months_to_first_job", "first_job_event"])
    if g.empty:
        return note_row("first_job_cif", "cif", "share", "no_answers")
    t = g["months_to_first_job"].astype(float).to_numpy()
    ev = g["first_job_event"].astype(int).to_numpy()
    horizon = months if months is not None else float(np.nanmax(t))
    grid = np.arange(0.0, math.floor(horizon / CIF_GRID_STEP) * CIF_GRID_STEP + 1e-9, CIF_GRID_STEP)
    frames = []
    for dom in ("all", "faculty"):
        groups = domain_groups(g, dom).astype(str).to_numpy()
        cif = cumulative_incidence(t, ev, group=groups, alpha=st.alpha)
        for grp, c in cif.groupby("group", sort=True):
            c = c.sort_values("time")
            idx = np.searchsorted(c["time"].to_numpy(float), grid, side="right") - 1
            ok = idx >= 0
            est = np.where(ok, c["cif_1"].to_numpy(float)[np.clip(idx, 0, None)], 0.0)
            lo = np.where(ok, c["ci_low_1"].to_numpy(float)[np.clip(idx, 0, None)], 0.0)
            hi = np.where(ok, c["ci_high_1"].to_numpy(float)[np.clip(idx, 0, None)], 0.0)
            n = float((groups == grp).sum())
            frames.append(pd.DataFrame({"indicator": "first_job_cif", "statistic": "cif", "unit": "share",
                                        "domain": dom, "group": str(grp), "time": grid, "n": n,
                                        "estimate": est, "ci_low": lo, "ci_high": hi, "basis": "unweighted",
                                        "ci_method": "aalen_johansen"}))
    faculties = g["faculty"].astype(str).to_numpy()
    if len(set(faculties)) >= 2:
        lr = logrank(t, (ev == 1).astype(int), faculties)
        frames.append(pd.DataFrame([{"indicator": "first_job_logrank", "statistic": "test", "unit": "chi2",
                                     "domain": "faculty", "group": "all", "n": float(len(g)),
                                     "estimate": float(lr["statistic"]), "p_value": float(lr["p_value"]),
                                     "basis": "unweighted", "ci_method": "logrank",
                                     "note": f"df={int(lr.get('df', len(set(faculties)) - 1))}"}]))
    else:
        frames.append(note_row("first_job_logrank", "test", "chi2", "one_group", domain="faculty",
                               n=float(len(g))))
    return pd.concat(frames, ignore_index=True)


def first_job_timing_rows(graduates: pd.DataFrame, st: Settings, design: Any = None) -> pd.DataFrame:
    """Time to a first job in two figures a reader can take in, by the standard domains (weighted with the
    phase-2 design):

    * ``job_at_graduation_share`` — share of phase-2 respondents whose first job started before graduation or
      in its month (time 0, ``first_job_event`` = 1). Universe: phase-2 respondents whose first-job history is
      known (``first_job_event`` known); an employed respondent who did not give the start month is left out,
      since nobody can tell whether that job started by graduation.
    * ``months_to_first_job_after_graduation`` — median months from graduation to the first job among those
      whose first job started after graduation (``first_job_event`` = 1, time > 0). It leaves out those still
      without a job at the survey (shown by the curve and the labour status).

    A median over everyone who found a job ("median months to first job") is pulled to 0 by the jobs held at
    graduation and reads as "a few days"; these two figures say the same without that trap (ETF/Cedefop/ILO
    2016 tracer-study guide, time to the first job). Months are of 30.4375 days (``months_to_first_job``).

    Without the time-to-job columns there are no rows; without a phase-2 respondent, or when fewer than
    :data:`~analysis.results.table.MIN_DATED_SHARE` of those who found a job gave its start month, one row per
    figure says why (``no data: no_phase2`` / ``no_dates``).
    """
    need = {"months_to_first_job", "first_job_event", "resp_p2"}
    if not need <= set(graduates.columns):
        return pd.DataFrame()
    names = (("job_at_graduation_share", "share", "share"), ("months_to_first_job_after_graduation", "median",
                                                              "months"))
    resp = _flag(graduates["resp_p2"])
    why = "no_phase2" if not resp.any() else ("no_dates" if dated_share(graduates) < MIN_DATED_SHARE else None)
    if why is not None:
        return pd.concat([note_row(ind, stat, unit, why) for ind, stat, unit in names], ignore_index=True)
    event = pd.to_numeric(graduates["first_job_event"], errors="coerce")
    months = pd.to_numeric(graduates["months_to_first_job"], errors="coerce")
    found = resp & (event == 1).fillna(False)
    known = resp & event.notna() & ~(found & months.isna())
    at_grad = (found & (months == 0).fillna(False)).astype(float).where(known)
    after = months.where(found & (months > 0).fillna(False))
    frames = [estimate(at_grad, graduates, "share", st, indicator=names[0][0], unit="share",
                       domains=STANDARD_DOMAINS, design=design)]
    if after.notna().any():
        frames.append(estimate(after, graduates, "median", st, indicator=names[1][0], unit="months",
                               domains=STANDARD_DOMAINS, design=design))
    else:
        frames.append(note_row(names[1][0], "median", "months", "no_universe"))
    return pd.concat(frames, ignore_index=True)


MODEL_SCALES = {
    "employment_logit": ("odds_ratio", "odds_ratio", "or_low", "or_high"),
    "infield_logit": ("odds_ratio", "odds_ratio", "or_low", "or_high"),
    "satisfaction_ologit": ("odds_ratio", None, None, None),
    "first_job_cox": ("hazard_ratio", "hazard_ratio", "hr_low", "hr_high"),
    "income_ols": ("percent_effect", "pct_effect", "pct_low", "pct_high"),
}


MODEL_WHY: tuple[tuple[str, str], ...] = (
    ("no_phase2", r"no survey design|no phase-2|no resp_p2"),
    ("too_few", r"too few complete cases.*\(n=(?P<n>\d+); needs at least (?P<need>\d+)"),
    ("no_cases", r"no complete cases"),
    ("no_variation", r"hardly varies|only \d+ events|single answer"),
    ("unstable", r"did not converge|separation|not finite"),
    ("not_measured", r"missing from the graduates table|column \S+ missing|has no \S+ column"),
)
"""Why a model could not be fitted, from the one-line reason :mod:`analysis.stats.outcome_models` records
(first match wins); the report says each in ky/ru/en (``why_model_<code>``)."""


def model_why(note: Any) -> tuple[str, dict[str, str]]:
    """The reason code of a model row's ``failed: <reason>`` note and its named values (e.g. ``n`` and
    ``need`` of "too few complete cases"); ``("other", {"reason": …})`` for any other reason."""
    reason = str(note or "")
    reason = reason[len("failed:"):].strip() if reason.startswith("failed:") else reason
    for code, pattern in MODEL_WHY:
        m = re.search(pattern, reason)
        if m:
            return code, {k: v for k, v in m.groupdict().items() if v is not None}
    return "other", {"reason": reason}


def model_rows(tables: Mapping[str, pd.DataFrame], failures: Mapping[str, Any]) -> pd.DataFrame:
    """Model terms on their reading scale: odds ratios (logit, ordered logit), hazard ratios (Cox), %
    effect on income (OLS of log income). ``category`` is ``variable=level`` (or the term), ``note`` the
    reference level; a model that could not be fitted gives one row with the reason."""
    frames = []
    for name, (unit, col, lo, hi) in MODEL_SCALES.items():
        t = tables.get(name)
        if t is None or t.empty:
            reason = failures.get(name, "not fitted") if isinstance(failures, Mapping) else "not fitted"
            frames.append(pd.DataFrame([{"indicator": f"model:{name}", "statistic": "coefficient", "unit": unit,
                                         "domain": "all", "group": "all", "category": "", "n": 0.0,
                                         "note": f"failed: {reason}"}]))
            continue
        t = t[t["term"] != "Intercept"]
        if "kind" in t:
            t = t[t["kind"] == "coefficient"]
        est = t[col] if col else np.exp(t["estimate"])
        low = t[lo] if lo else np.exp(t["ci_low"])
        high = t[hi] if hi else np.exp(t["ci_high"])
        var = t["variable"].astype("string") if "variable" in t else pd.Series(pd.NA, index=t.index)
        lev = t["level"].astype("string") if "level" in t else pd.Series(pd.NA, index=t.index)
        cat = [f"{v}={lv}" if isinstance(v, str) and isinstance(lv, str) and lv else (v if isinstance(v, str) else term)
               for v, lv, term in zip(var, lev, t["term"])]
        ref = t["reference"].astype("string").fillna("") if "reference" in t else ""
        frames.append(pd.DataFrame({"indicator": f"model:{name}", "statistic": "coefficient", "unit": unit,
                                    "domain": "all", "group": "all", "category": cat,
                                    "n": t["n"].astype(float).to_numpy(), "estimate": est.to_numpy(float),
                                    "se": t["se"].to_numpy(float), "ci_low": low.to_numpy(float),
                                    "ci_high": high.to_numpy(float), "p_value": t["p_value"].to_numpy(float),
                                    "basis": "model", "ci_method": "wald",
                                    "note": [f"reference={r}" if r else ""
                                             for r in (ref if len(ref) else [""] * len(t))]}))
    return pd.concat(frames, ignore_index=True)


def competence_rows(graduates: pd.DataFrame, st: Settings, design: Any, items: tuple[str, ...],
                    employers: pd.DataFrame | None = None, employer_design: Any = None) -> pd.DataFrame:
    """Competences on one list, three views, and their gaps (1–5 scale), per item:

    * ``competence_acquired`` — level at graduation (phase 1, ``comp_grad_<item>``) and
      ``competence_required`` — level the job requires (phase 2, ``comp_job_<item>``), among graduates who
      rated both (weighted with the phase-2 design); ``competence_gap`` — their **paired** mean difference
      (required − acquired) with its design-based interval;
    * ``competence_employer`` — employers' rating of the university's graduates (``rate_<item>``, weighted
      to the enterprise frame when there is one) and ``competence_employer_gap`` — employers' rating minus
      the graduates' level at graduation, a **two-sample** difference of independent samples
      (SE = √(SE₁² + SE₂²), normal interval; ``basis`` unweighted when either side is).
    """
    frames = []
    measured = False
    acquired: dict[str, pd.Series] = {}
    for c in items:
        a, b = f"comp_grad_{c}", f"comp_job_{c}"
        if a not in graduates or b not in graduates:
            continue
        measured = True
        av = pd.to_numeric(graduates[a], errors="coerce")
        bv = pd.to_numeric(graduates[b], errors="coerce")
        both = av.notna() & bv.notna()
        if not both.any():
            continue
        for ind, v in (("competence_acquired", av), ("competence_required", bv), ("competence_gap", bv - av)):
            r = estimate(v.where(both), graduates, "mean", st, indicator=ind, unit="scale", design=design, category=c)
            frames.append(r)
            if ind == "competence_acquired" and not r.empty:
                acquired[c] = r.iloc[0]
    if employers is not None and not employers.empty:
        allg = pd.Series("all", index=employers.index, dtype="string")
        for c in items:
            col = f"rate_{c}"
            if col not in employers:
                continue
            v = pd.to_numeric(employers[col], errors="coerce").astype(float)
            if not v.notna().any():
                continue
            r = mean_rows(v, allg, st, employer_design).assign(indicator="competence_employer", unit="scale",
                                                              domain="all", category=c)
            frames.append(r)
            if c in acquired and not r.empty:
                frames.append(_two_sample(r.iloc[0], acquired[c], st, c))
    if frames:
        return pd.concat(frames, ignore_index=True)
    if not measured:
        return pd.DataFrame()
    why = ("no_phase1" if _count(graduates, "resp_p1") == 0 else "no_phase2" if _count(graduates, "resp_p2") == 0
           else "no_answers")
    return note_row("competence_gap", "mean", "scale", why)


def _two_sample(emp: pd.Series, grad: pd.Series, st: Settings, item: str) -> pd.DataFrame:
    """Employers' mean minus graduates' mean (independent samples): difference, normal interval from the two
    standard errors; ``n`` the smaller of the two bases (what disclosure control reads)."""
    diff = float(emp["estimate"]) - float(grad["estimate"])
    se_e = float(emp["se"]) if "se" in emp and np.isfinite(emp["se"]) else math.nan
    se_g = float(grad["se"]) if "se" in grad and np.isfinite(grad["se"]) else math.nan
    # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
    from scipy.stats import t as tdist

    def unweighted_se(r: pd.Series) -> float:  # the t interval's half-width over its t quantile = s/√n
        n = float(r["n"])
        return ((float(r["ci_high"]) - float(r["estimate"])) / float(tdist.ppf(0.5 + st.confidence / 2, n - 1))
                if n > 1 else math.nan)

    se_e = se_e if np.isfinite(se_e) else unweighted_se(emp)
    se_g = se_g if np.isfinite(se_g) else unweighted_se(grad)
    se = math.hypot(se_e, se_g)
    basis = "weighted" if emp.get("basis") == "weighted" and grad.get("basis") == "weighted" else "unweighted"
    return pd.DataFrame([{"indicator": "competence_employer_gap", "statistic": "difference", "unit": "scale",
                          "domain": "all", "group": "all", "category": item,
                          "n": float(min(float(emp["n"]), float(grad["n"]))), "estimate": diff, "se": se,
                          "ci_low": diff - st.z * se, "ci_high": diff + st.z * se,
                          "unweighted": float(emp["unweighted"]) - float(grad["unweighted"]),
                          "basis": basis, "ci_method": "normal",
                          "note": f"two-sample: employers n={int(emp['n'])}, graduates n={int(grad['n'])}"}])


def _count(graduates: pd.DataFrame, flag: str) -> int:
    return int(_flag(graduates[flag]).sum()) if flag in graduates else 0


FEEDBACK_ITEMS = (("p1", "sat_studies"), ("p1", "eval_content"), ("p1", "eval_practical"),
                  ("p1", "eval_teachers"), ("p1", "eval_equipment"), ("p1", "eval_overall"),
                  ("p2", "job_satisfaction"), ("p2", "usefulness"))


def feedback_rows(graduates: pd.DataFrame, st: Settings, designs: Mapping[str, Any]) -> pd.DataFrame:
    """Means (1–5) of the programme-evaluation items (phase 1) and of job satisfaction and usefulness
    (phase 2), weighted with that phase's design."""
    frames = []
    for phase, item in FEEDBACK_ITEMS:
        if item not in graduates:
            continue
        v = pd.to_numeric(graduates[item], errors="coerce")
        if v.notna().any():
            frames.append(estimate(v, graduates, "mean", st, indicator=f"feedback:{item}", unit="scale",
                                   design=designs.get(phase), category=phase))
        elif _count(graduates, f"resp_{phase}") == 0:  # the phase's items say why they are empty
            frames.append(note_row(f"feedback:{item}", "mean", "scale", f"no_{'phase1' if phase == 'p1' else 'phase2'}",
                                   category=phase))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def employer_rows(employers: pd.DataFrame | None, st: Settings, items: tuple[str, ...],
                  design: Any = None, specialties: Sequence[Any] = (), weighting: Mapping[str, Any] | None = None
                  ) -> pd.DataFrame:
    """The employer survey item by item (:mod:`analysis.results.employers`): distributions, multiple
    choices, totals and ratios, ratings of the graduates (1–5), the staff needed in three years by
    specialty, ISCO group and sex, and how the employers were weighted. ``design`` is the employers'
    design weighted to the enterprise frame (:func:`analysis.stats.weighting.weight_to_frame`), None
    for unweighted rows. Without an accepted answer (no file, or every row quarantined) one row
    ``no data: no_employers``."""
    if employers is None or employers.empty:
        return note_row("employers:count", "total", "count", "no_employers")
    frames = [employer_item_rows(employers, st, design), employer_rating_rows(employers, st, design, items),
              demand_rows(employers, st, design, specialties),
              frame_rows(dict(weighting or {"method": "none", "respondents": len(employers)}))]
    return pd.concat([f for f in frames if not f.empty], ignore_index=True)


def nonresponse_rows(comparison: pd.DataFrame, early_late: pd.DataFrame) -> pd.DataFrame:
    """Respondents vs non-respondents (registry and phase-1 variables) and early vs late respondents, as
    rows: group = respondents / non_respondents (early / late), category = the level compared."""
    frames = []
    if not comparison.empty:
        c = comparison
        for grp, val, n in (("respondents", "respondents", "n_respondents"),
                            ("non_respondents", "non_respondents", "n_non_respondents")):
            frames.append(pd.DataFrame({
                "indicator": "nonresponse:" + c["variable"].astype(str), "statistic": c["statistic"].astype(str),
                "unit": np.where(c["statistic"] == "share", "share", "value"), "domain": "response_group",
                "group": grp, "category": c["level"].astype("string").fillna("").to_numpy(),
                "n": c[n].astype(float).to_numpy(), "estimate": c[val].astype(float).to_numpy(),
                "p_value": c["p_value"].astype(float).to_numpy(), "basis": "unweighted",
                "note": "universe=" + c["universe"].astype(str)}))
    if not early_late.empty:
        e = early_late
        for grp, val, n in (("early", "early", "n_early"), ("late", "late", "n_late")):
            frames.append(pd.DataFrame({
                "indicator": "early_late:" + e["outcome"].astype(str), "statistic": e["statistic"].astype(str),
                "unit": np.where(e["statistic"] == "share", "share", "value"), "domain": "response_timing",
                "group": grp, "n": e[n].astype(float).to_numpy(), "estimate": e[val].astype(float).to_numpy(),
                "p_value": e["p_value"].astype(float).to_numpy(), "basis": "unweighted"}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def context_rows(context: Mapping[str, Any]) -> pd.DataFrame:
    """Open-data benchmarks as rows (value, unit, period, source URL)."""
    if not context or "oblast_wage" not in context:
        return pd.DataFrame([{"indicator": "context:oblast_average_wage", "statistic": "value", "unit": "KGS",
                              "domain": "all", "group": "all", "basis": "open_data",
                              "note": f"unavailable: {context.get('unavailable', '')}"}])
    return pd.DataFrame([
        {"indicator": "context:oblast_average_wage", "statistic": "value", "unit": "KGS", "domain": "all",
         "group": "all", "estimate": float(context["oblast_wage"]), "basis": "open_data",
         "source": str(context.get("source", "")), "note": f"period={context.get('oblast_wage_period', '')}"},
        {"indicator": "context:minimum_wage", "statistic": "value", "unit": "KGS", "domain": "all", "group": "all",
         "estimate": float(context["minimum_wage"]), "basis": "open_data",
         "note": f"period={context.get('minimum_wage_period', '')}"},
    ])


def income_mi_rows(mi: Mapping[str, Any], st: Settings) -> pd.DataFrame:
    """The multiple-imputation sensitivity analysis: median income with imputed missing incomes against
    the complete-case median (Rubin's rules)."""
    if not mi or mi.get("status") != "ok":
        return pd.DataFrame([{"indicator": "income_mi:median", "statistic": "median", "unit": "KGS",
                              "domain": "all", "group": "all", "n": 0.0,
                              "note": f"not available: {mi.get('reason') if mi else 'no incomes to impute'}"}])
    # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
    from scipy.stats import t as tdist

    rows = []
    for what, key in (("median", "mi_median"), ("complete_case_median", "cc_median")):
        se = float(mi.get(f"{key}_se", math.nan))
        est = float(mi[key])
        df = float(mi.get("df_median", math.inf)) if what == "median" else math.inf
        q = float(tdist.ppf(0.5 + st.confidence / 2, df)) if math.isfinite(df) else st.z
        rows.append({"indicator": f"income_mi:{what}", "statistic": "median", "unit": "KGS", "domain": "all",
                     "group": "all", "n": float(mi.get("n", math.nan)), "estimate": est, "se": se,
                     "ci_low": est - q * se, "ci_high": est + q * se,
                     "basis": "model", "ci_method": "rubin" if what == "median" else "normal",
                     "note": f"m={mi.get('m')}; missing={mi.get('n_missing')}"
                             + (f"; subsample={mi.get('n')}/{mi.get('n_universe')}" if mi.get("subsample") else "")})
    return pd.DataFrame(rows)

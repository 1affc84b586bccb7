"""The model stage: weights, every registry indicator by domain (unweighted and design-based), models.

Reads ``graduates.parquet`` (one row per graduate) and writes tidy tables to ``results/``:

* ``estimates.parquet`` — indicator × domain × group: ``n`` (respondents in the universe), ``x``
  (numerator, unweighted), ``estimate`` with ``ci_low``/``ci_high`` (the cohort's interval method,
  Wilson by default), ``w_estimate``/``w_se``/``w_ci_low``/``w_ci_high`` (raked weights, Taylor
  linearisation with calibration residuals), ``pooled`` (programme estimates shrunk toward the
  faculty, empirical Bayes) and ``N`` (graduates in the group).
* ``weights.parquet`` (one row per phase-2 respondent: pid, weight) and ``weights.json`` (diagnostics).
* ``status_shares``, ``km_faculty``, ``logrank.json``, ``cif``, ``model_*``, ``competences``,
  ``feedback``, ``employers_summary``, ``nonresponse``, ``income_context.json``, ``income_mi.json``,
  ``weighting_check``, ``counts``.

Every method is explained for the expert group in ``docs/methodology.md``.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.config import CohortConfig
from analysis.indicators import COMPETENCES

DOMAINS = ("all", "faculty", "programme", "sex", "level", "funding")
CI_METHOD_NAMES = {"wilson": "Wilson", "agresti_coull": "Agresti–Coull", "clopper_pearson": "Clopper–Pearson",
                   "jeffreys": "Jeffreys", "qilt": "QILT: 90% Agresti–Coull + FPC"}


# ----------------------------------------------------------------------------- where-clauses
def where_mask(df: pd.DataFrame, where: dict[str, Any] | None) -> pd.Series:
    """Rows satisfying a registry ``where`` clause (one evaluator: :func:`analysis.indicators._where`)."""
    from analysis.indicators import _where

    return pd.Series(_where(df, where), index=df.index)


def indicator_values(graduates: pd.DataFrame, ind: Any, item: str | None = None) -> pd.Series:
    """Per-graduate value of an indicator: 0/1 (share) or a number; NaN outside its universe."""
    universe = where_mask(graduates, ind.universe.get("where") if isinstance(ind.universe, dict) else None)
    var = ind.variable.replace("{item}", item) if item else ind.variable
    if ind.statistic == "share":
        num_where = ind.numerator.get("where") if isinstance(ind.numerator, dict) else None
        if num_where:
            y = where_mask(graduates, num_where).astype(float)
            known = graduates[var].notna() if var in graduates.columns else pd.Series(True, index=graduates.index)
        else:
            s = graduates[var]
            y = s.astype("boolean").astype("Float64").astype(float)
            known = s.notna()
        return y.where(universe & known)
    s = pd.to_numeric(graduates[var], errors="coerce") if var in graduates.columns else pd.Series(np.nan, index=graduates.index)
    return s.astype(float).where(universe)


# ----------------------------------------------------------------------------- weights
def registry_margins(graduates: pd.DataFrame, margins: tuple[tuple[str, ...], ...]) -> dict:
    """Population counts of every raking margin, from the registry (every graduate)."""
    out = {}
    for m in margins:
        key = m[0] if len(m) == 1 else tuple(m)
        out[key] = graduates.groupby(list(m), observed=True).size()
    return out


def weight_respondents(graduates: pd.DataFrame, cfg: CohortConfig, flag: str = "resp_p2"):
    """Rake phase-2 respondents to registry margins, trim, re-rake; returns (design, diagnostics).

    Falls back to one-way margins, then to the overall total, when a margin cell has graduates but
    no respondents (raking cannot reach it); the margins actually used are reported.
    """
    from analysis.errors import InputError
    from analysis.survey import Design, rake, trim_weights, weight_diagnostics

    resp = graduates[graduates[flag].fillna(False).astype(bool)].copy()
    N, n = len(graduates), len(resp)
    resp["w0"] = N / n if n else np.nan
    tried = [cfg.weighting_margins, tuple((v,) for m in cfg.weighting_margins for v in m), ()]
    design, used = Design(resp, weights="w0"), ()
    for margins in tried:
        if not margins:
            break
        try:
            design = rake(Design(resp, weights="w0"), registry_margins(graduates, margins), max_iter=2000,
                          new_weights="w_raked")
            design = trim_weights(design, max_ratio=cfg.weight_trim_ratio, new_weights="w_trim")
            design = rake(Design(design.data, weights="w_trim"), registry_margins(graduates, margins),
                          max_iter=2000, new_weights="weight")
            used = margins
            break
        except InputError:
            continue
    if not used:
        design.data["weight"] = design.data["w0"]
        design = Design(design.data, weights="weight")
    diag = weight_diagnostics(design)
    diag.update({"margins_used": [list(m) for m in used], "margins_requested": [list(m) for m in cfg.weighting_margins],
                 "trim_ratio": cfg.weight_trim_ratio, "respondents": n, "graduates": N})
    return design, diag


# ----------------------------------------------------------------------------- estimates
def _unweighted(values: pd.Series, groups: pd.Series, statistic: str, method: str, conf: float,
                population: pd.Series) -> pd.DataFrame:
    from analysis.intervals import proportion_ci

    d = pd.DataFrame({"y": values, "g": groups}).dropna(subset=["y"])
    rows = []
    for g, s in d.groupby("g", observed=True, sort=True):
        y = s["y"].to_numpy(float)
        n = len(y)
        if statistic == "share":
            x = float(y.sum())
            N = float(population.get(g, np.nan))
            kw = {"N": N} if method == "qilt" and N == N and N >= n else {}
            alpha = 0.10 if method == "qilt" else 1 - conf
            lo, hi = proportion_ci(x, n, method=method if (method != "qilt" or kw) else "agresti_coull",
                                   alpha=alpha, **kw)
            est = x / n
        elif statistic == "median":
            x, est = np.nan, float(np.median(y))
            lo, hi = _median_ci(y, conf)
        else:
            x, est = np.nan, float(y.mean())
            se = y.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
            z = _z(conf)
            lo, hi = est - z * se, est + z * se
        rows.append({"group": str(g), "n": n, "x": x, "estimate": est, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows)


def _z(conf: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + conf / 2))


def _median_ci(y: np.ndarray, conf: float) -> tuple[float, float]:
    """Distribution-free CI of a median from binomial order statistics (Conover 1999, §3.2)."""
    from scipy.stats import binom

    y = np.sort(y)
    n = len(y)
    if n < 2:
        return (np.nan, np.nan)
    a = (1 - conf) / 2
    lo_k = int(binom.ppf(a, n, 0.5))
    hi_k = int(binom.isf(a, n, 0.5))
    return float(y[max(lo_k - 1, 0)]), float(y[min(hi_k, n - 1)])


def _weighted(design, values: pd.Series, domain: str, statistic: str, conf: float) -> pd.DataFrame:
    from analysis.survey import Design, by_domain, svyquantile

    data = design.data.copy()
    data["_y"] = values.reindex(data.index).to_numpy(float)
    data["_all"] = "all"
    dom = "_all" if domain == "all" else domain
    d = Design(data, weights=design.weights, strata=design.strata, cluster=design.cluster, fpc=design.fpc,
               calibration=design.calibration, lonely_psu=design.lonely_psu)
    if statistic in ("share", "mean"):
        out = by_domain(d, "_y", [dom], stat="mean", alpha=1 - conf)
        out = out.rename(columns={dom: "group"})
    else:
        rows = []
        for g, sub in data.groupby(dom, observed=True, sort=True):
            sub = sub[sub["_y"].notna()]
            if len(sub) < 2:
                continue
            q = svyquantile(Design(sub, weights=design.weights), "_y", 0.5, alpha=1 - conf)
            r = q.iloc[0]
            rows.append({"group": g, "estimate": r["estimate"], "se": r.get("se", np.nan),
                         "ci_low": r["ci_low"], "ci_high": r["ci_high"]})
        out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["group"] = out["group"].astype(str)
    return out.rename(columns={"estimate": "w_estimate", "se": "w_se", "ci_low": "w_ci_low",
                               "ci_high": "w_ci_high"})[["group", "w_estimate", "w_se", "w_ci_low", "w_ci_high"]]


def estimate_indicators(graduates: pd.DataFrame, design, cfg: CohortConfig) -> pd.DataFrame:
    """Every registry indicator by every domain: unweighted with honest intervals, weighted, pooled."""
    from analysis.indicators import load_registry
    from analysis.intervals import shrink_proportions

    g = graduates.copy()
    g["all"] = "all"
    frames = []
    for ind in load_registry():
        if "{item}" in ind.variable:
            continue  # per-item indicators (competence gaps) have their own table
        values = indicator_values(g, ind)
        if values.notna().sum() == 0:
            continue
        census = ind.id.startswith("response_rate") or ind.id == "knowledge_rate"
        for domain in DOMAINS:
            pop = g.groupby(domain, observed=True).size()
            pop.index = pop.index.astype(str)
            u = _unweighted(values, g[domain].astype("string"), ind.statistic, cfg.ci_method, cfg.confidence, pop)
            if u.empty:
                continue
            u["N"] = u["group"].map(pop).astype(float)
            if census:
                # a census of the registry: the rate is exact, not an estimate from a sample
                u[["ci_low", "ci_high"]] = np.nan
            elif design is not None and not values.loc[design.data.index].isna().all():
                w = _weighted(design, values, domain, ind.statistic, cfg.confidence)
                if not w.empty:
                    u = u.merge(w, on="group", how="left")
            if domain == "programme" and ind.statistic == "share" and not census:
                fac = g.drop_duplicates("programme").set_index(g.drop_duplicates("programme")["programme"].astype(str))["faculty"]
                sh = shrink_proportions(u["x"].to_numpy(), u["n"].to_numpy(), u["group"].map(fac).to_numpy(),
                                        labels=u["group"].to_numpy(), alpha=1 - cfg.confidence)
                u["pooled"] = sh["estimate"].to_numpy()
                u["pooled_ci_low"] = sh["ci_low"].to_numpy()
                u["pooled_ci_high"] = sh["ci_high"].to_numpy()
            u.insert(0, "domain", domain)
            u.insert(0, "indicator", ind.id)
            u["statistic"] = ind.statistic
            u["unit"] = ind.unit
            u["method"] = "census" if census else cfg.ci_method
            frames.append(u)
    cols = ["indicator", "domain", "group", "n", "N", "x", "estimate", "ci_low", "ci_high", "w_estimate", "w_se",
            "w_ci_low", "w_ci_high", "pooled", "pooled_ci_low", "pooled_ci_high", "statistic", "unit", "method"]
    out = pd.concat(frames, ignore_index=True)
    for c in cols:
        if c not in out.columns:
            out[c] = np.nan
    return out[cols].sort_values(["indicator", "domain", "group"], kind="stable").reset_index(drop=True)


def weighting_check(est: pd.DataFrame) -> pd.DataFrame:
    """Where weighting changes a conclusion: the unweighted estimate lies outside the weighted CI."""
    e = est[(est["statistic"] == "share") & est["w_estimate"].notna() & (est["domain"] != "programme")].copy()
    e["difference"] = e["w_estimate"] - e["estimate"]
    e["significant"] = (e["estimate"] < e["w_ci_low"]) | (e["estimate"] > e["w_ci_high"])
    return e[["indicator", "domain", "group", "n", "estimate", "w_estimate", "difference", "significant"]]


# ----------------------------------------------------------------------------- other result tables
TIME_COL, EVENT_COL = "months_to_first_job", "first_job_event"   # event: 1 job, 2 further study, 0 censored


def status_shares(graduates: pd.DataFrame) -> pd.DataFrame:
    """Counts and shares of ILO labour status by domain (phase-2 respondents)."""
    g = graduates[graduates["resp_p2"].fillna(False).astype(bool) & graduates["labour_status"].notna()].copy()
    g["all"] = "all"
    rows = []
    for domain in ("all", "faculty", "sex", "level", "funding"):
        for grp, s in g.groupby(domain, observed=True, sort=True):
            counts = s["labour_status"].astype("string").value_counts()
            for status, c in counts.items():
                rows.append({"domain": domain, "group": str(grp), "status": status, "count": int(c),
                             "n": len(s), "share": c / len(s)})
    return pd.DataFrame(rows)


def time_to_first_job(graduates: pd.DataFrame, conf: float) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """Kaplan–Meier by faculty (job = event; further study censored), the log-rank test, and by faculty
    the cumulative incidence of a first job with further study as a competing risk (Aalen–Johansen) —
    the curve the report shows."""
    from analysis.survival import cumulative_incidence, kaplan_meier, logrank

    g = graduates[graduates["resp_p2"].fillna(False).astype(bool)].dropna(subset=[TIME_COL, EVENT_COL])
    t = g[TIME_COL].astype(float).to_numpy()
    ev = g[EVENT_COL].astype(int).to_numpy()
    km = kaplan_meier(t, (ev == 1).astype(int), group=g["faculty"].astype(str).to_numpy(), alpha=1 - conf)
    sizes = g.groupby("faculty", observed=True).size()
    sizes.index = sizes.index.astype(str)
    km["n"] = km["group"].map(sizes)
    lr = logrank(t, (ev == 1).astype(int), g["faculty"].astype(str).to_numpy())
    cif = cumulative_incidence(t, ev, group=g["faculty"].astype(str).to_numpy(), alpha=1 - conf)
    cif["n"] = cif["group"].map(sizes)
    return km, {k: (float(v) if isinstance(v, (int, float, np.floating, np.integer)) else v)
                for k, v in lr.items() if not isinstance(v, (pd.DataFrame, np.ndarray))}, cif


def competences(graduates: pd.DataFrame) -> pd.DataFrame:
    """Mean competence at graduation (phase 1) and required in the job (phase 2), same graduates."""
    rows = []
    for c in COMPETENCES:
        a, b = f"comp_grad_{c}", f"comp_job_{c}"
        if a not in graduates or b not in graduates:
            continue
        pair = graduates[[a, b]].apply(pd.to_numeric, errors="coerce").dropna()
        if pair.empty:
            continue
        rows.append({"item": c, "n": len(pair), "acquired": pair[a].mean(), "required": pair[b].mean(),
                     "gap": (pair[b] - pair[a]).mean()})
    return pd.DataFrame(rows)


FEEDBACK_ITEMS = (("phase1", "sat_studies"), ("phase1", "eval_content"), ("phase1", "eval_practical"),
                  ("phase1", "eval_teachers"), ("phase1", "eval_equipment"), ("phase1", "eval_overall"),
                  ("phase2", "job_satisfaction"), ("phase2", "usefulness"))


def feedback(graduates: pd.DataFrame) -> pd.DataFrame:
    """Means (1–5) of the programme-evaluation items, with n."""
    rows = []
    for inst, item in FEEDBACK_ITEMS:
        if item not in graduates:
            continue
        v = pd.to_numeric(graduates[item], errors="coerce").dropna()
        if len(v):
            rows.append({"instrument": inst, "item": item, "n": len(v), "mean": v.mean()})
    return pd.DataFrame(rows)


EMPLOYER_LINES = (
    ("employers", "count", {"ky": "Сурамжыланган иш берүүчүлөр", "ru": "Опрошено работодателей", "en": "Employers surveyed"}),
    ("vacancies_n", "sum", {"ky": "Учурдагы бош орундар", "ru": "Текущие вакансии", "en": "Current vacancies"}),
    ("hard_to_fill_n", "sum", {"ky": "Толтурулушу кыйын бош орундар", "ru": "Трудно заполняемые вакансии", "en": "Hard-to-fill vacancies"}),
    ("need_3y_n", "sum", {"ky": "3 жылда керектелүүчү кызматкерлер", "ru": "Потребность в кадрах на 3 года", "en": "Staff needed in the next 3 years"}),
    ("skills_gap", "share_yes", {"ky": "Кызматкерлеринде көндүм жетишсиздиги бар иш берүүчүлөр", "ru": "Работодатели с дефицитом навыков у персонала", "en": "Employers reporting skills gaps"}),
    ("internships_offered", "share_yes", {"ky": "Практика сунуштаган иш берүүчүлөр", "ru": "Работодатели, предлагающие практику", "en": "Employers offering internships"}),
)


def employers_summary(employers: pd.DataFrame) -> pd.DataFrame:
    """Employer demand in a few lines: counts, vacancy totals, shares, mean ratings of graduates."""
    rows = []
    n = len(employers)
    for col, kind, label in EMPLOYER_LINES:
        if col == "employers":
            rows.append({"item": col, "kind": "count", "value": n, "n": n, **{f"label_{k}": v for k, v in label.items()}})
        elif col in employers and kind == "sum":
            v = pd.to_numeric(employers[col], errors="coerce")
            rows.append({"item": col, "kind": "count", "value": float(v.sum()), "n": int(v.notna().sum()),
                         **{f"label_{k}": v_ for k, v_ in label.items()}})
        elif col in employers and kind == "share_yes":
            s = employers[col].dropna().astype(str)
            rows.append({"item": col, "kind": "share", "value": (s == "yes").mean() if len(s) else np.nan,
                         "n": len(s), **{f"label_{k}": v_ for k, v_ in label.items()}})
    for c in COMPETENCES:
        col = f"rate_{c}"
        if col in employers:
            v = pd.to_numeric(employers[col], errors="coerce").dropna()
            if len(v):
                rows.append({"item": col, "kind": "mean", "value": v.mean(), "n": len(v),
                             "label_ky": f"ЖАМУ бүтүрүүчүлөрүнүн баасы: {c}", "label_ru": f"Оценка выпускников ЖАГУ: {c}",
                             "label_en": f"Rating of JASU graduates: {c}"})
    return pd.DataFrame(rows)


def run_models(graduates: pd.DataFrame, cfg: CohortConfig, out: Path) -> dict[str, Any]:
    """The whole model stage; writes ``results/`` and returns the tables the notebook shows."""
    from analysis.stages import write_parquet

    out.mkdir(parents=True, exist_ok=True)
    design, diag = weight_respondents(graduates, cfg)
    write_parquet(design.data[["pid", "weight"]].reset_index(drop=True), out / "weights.parquet")
    (out / "weights.json").write_text(json.dumps(diag, indent=1, sort_keys=True, default=float) + "\n", encoding="utf-8")

    est = estimate_indicators(graduates, design, cfg)
    write_parquet(est, out / "estimates.parquet")
    write_parquet(weighting_check(est), out / "weighting_check.parquet")
    write_parquet(status_shares(graduates), out / "status_shares.parquet")
    counts = pd.DataFrame([{"what": "graduates", "value": len(graduates)},
                           {"what": "respondents_p1", "value": int(graduates["resp_p1"].fillna(False).sum())},
                           {"what": "respondents_p2", "value": int(graduates["resp_p2"].fillna(False).sum())}])
    write_parquet(counts, out / "counts.parquet")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if TIME_COL in graduates and EVENT_COL in graduates:
            km, lr, cif = time_to_first_job(graduates, cfg.confidence)
            write_parquet(km, out / "km_faculty.parquet")
            write_parquet(cif, out / "cif.parquet")
            (out / "logrank.json").write_text(json.dumps(lr, indent=1, default=float) + "\n", encoding="utf-8")
        fitted = _outcome_models(graduates, design, cfg, out)
        _nonresponse(graduates, cfg, out)
    write_parquet(competences(graduates), out / "competences.parquet")
    write_parquet(feedback(graduates), out / "feedback.parquet")
    emp = cfg.paths.processed / "employers.parquet"
    if emp.exists():
        write_parquet(employers_summary(pd.read_parquet(emp)), out / "employers_summary.parquet")
    _income_context(cfg, out)

    head = est[(est["domain"] == "all")][["indicator", "n", "estimate", "ci_low", "ci_high", "w_estimate"]]
    wtab = pd.DataFrame([{"diagnostic": k, "value": str(v)} for k, v in diag.items()])
    return {"weights": wtab, "headline": head, "models": fitted}


MODEL_NAMES = ("employment_logit", "infield_logit", "income_ols", "satisfaction_ologit", "first_job_cox")


def _outcome_models(graduates: pd.DataFrame, design, cfg: CohortConfig, out: Path) -> pd.DataFrame:
    """Fit the outcome models (:mod:`analysis.outcome_models`); write one tidy table per model,
    the multiple-imputation sensitivity analysis, and the reasons of any model that could not be fitted."""
    from analysis.outcome_models import run_outcome_models
    from analysis.stages import write_parquet

    res = run_outcome_models(graduates, design, seed=cfg.seed)
    for name in MODEL_NAMES:
        table = res.get(name)
        if isinstance(table, pd.DataFrame) and not table.empty:
            table = table.copy()
            table.attrs = {}
            write_parquet(table, out / f"model_{name}.parquet")
    mi = dict(res.get("income_mi") or {})
    coefs = mi.pop("coefficients", None)
    if isinstance(coefs, pd.DataFrame):
        write_parquet(coefs.reset_index(drop=True), out / "income_mi_coefficients.parquet")
    (out / "income_mi.json").write_text(json.dumps(mi, indent=1, sort_keys=True, default=str) + "\n", encoding="utf-8")
    (out / "model_failures.json").write_text(json.dumps(res.get("failures", {}), indent=1, sort_keys=True) + "\n",
                                             encoding="utf-8")
    models = res.get("models")
    return models if isinstance(models, pd.DataFrame) else pd.DataFrame()


def _nonresponse(graduates: pd.DataFrame, cfg: CohortConfig, out: Path) -> None:
    """Non-response bias checks and, when a previous cohort exists, the cohort comparison."""
    from analysis.nonresponse import by_mode, compare_cohorts, early_late, respondent_comparison
    from analysis.stages import write_parquet

    for name, fn in (("respondents", respondent_comparison), ("early_late", early_late), ("by_mode", by_mode)):
        table = fn(graduates)
        table.attrs = {}
        write_parquet(table.reset_index(drop=True), out / f"nonresponse_{name}.parquet")
    if cfg.previous_cohort:
        prev = cfg.paths.root / "data" / "processed" / cfg.previous_cohort / "graduates.parquet"
        if prev.exists():
            table = compare_cohorts(graduates, pd.read_parquet(prev))
            table.attrs = {}
            write_parquet(table.reset_index(drop=True), out / "cohort_comparison.parquet")


def _income_context(cfg: CohortConfig, out: Path) -> None:
    """The oblast average wage and the minimum wage used as income benchmarks (with their sources).

    When the snapshot has no figure close enough to the survey year, the report says so instead of
    failing (the derive stage leaves the relative income empty in that case, with a warning).
    """
    from analysis.errors import ConfigError
    from analysis.opendata import minimum_wage, oblast_average_wage

    try:
        wage = oblast_average_wage(cfg.region, year=cfg.graduation_year + 1)
        mw = minimum_wage(cfg.graduation_year + 1)
    except ConfigError as exc:
        ctx: dict[str, Any] = {"unavailable": str(exc)}
    else:
        ctx = {"oblast_wage": wage.value_kgs, "oblast_wage_period": wage.period, "source": wage.source_url,
               "minimum_wage": mw.value_kgs, "minimum_wage_period": mw.period}
    (out / "income_context.json").write_text(json.dumps(ctx, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

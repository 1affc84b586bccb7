"""The data for the report's data-quality section: outcomes, examples, response and knowledge rates.

Definitions (HESA Graduate Outcomes, NACE first-destination standards; ``docs/indicators.md``):

* **respondent** — an accepted row (outcome ``accepted`` or ``warning``) with a valid answer to the
  core questions of its phase (:data:`CORE_QUESTIONS`; HESA counts only records with a valid
  answer to a minimum set of core questions), one per graduate;
* **response rate** — respondents ÷ graduates in the registry, by programme × sex, overall and
  per collection mode (the mode rows split the numerator: their rates add up to the overall rate);
* **knowledge rate** (NACE first-destination standards) — graduates with a known outcome (a
  phase-2 respondent, or known from a verified other source) ÷ all graduates;
* **flags** — phase-2 response below the HESA target (60 %), knowledge rate below the NACE
  target (65 %), or either below the previous cohort's rate when it is given.

Examples show the ``_submission_id`` (never names or student ids) and hide the value of a
personal-data question (``pd`` direct or quasi).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.core.vocabulary import MODES
from analysis.validate import instrument_map
from analysis.validate.params import ValidationParams

__all__ = ["QualityData", "quality_data", "CORE_QUESTIONS", "MODES", "HIDDEN"]

CORE_QUESTIONS: dict[str, tuple[str, ...]] = {
    "phase1": ("consent",),
    "phase2": ("consent", "ilo_worked"),
}
"""Questions a row must answer (consent = yes) to count as a response."""

HIDDEN = "•••"
"""Shown instead of the value of a personal-data question in the examples."""

TARGET_SOURCES = {
    "phase2_response": "HESA Graduate Outcomes response-rate target",
    "knowledge_rate": "NACE first-destination knowledge-rate standard",
}


@dataclass
class QualityData:
    """Tables of the data-quality section (all counts unrounded; disclosure control is the report's job).

    Attributes
    ----------
    by_file
        Per file: raw rows and one count per outcome (the accounting identity).
    by_rule
        Per rule: severity, action, issues, rows affected.
    examples
        One example per rule (the first by file and row).
    response
        Per phase × programme × sex × mode (``all`` for margins): graduates, respondents, rate.
    knowledge
        Per programme (and ``all``): graduates, known outcomes, knowledge rate.
    flags
        Targets missed: indicator, domain, rate, target, reference, missed.
    """

    by_file: pd.DataFrame
    by_rule: pd.DataFrame
    examples: pd.DataFrame
    response: pd.DataFrame
    knowledge: pd.DataFrame
    flags: pd.DataFrame


def _respondents(accepted: pd.DataFrame | None, phase: str) -> pd.DataFrame:
    """One row per responding graduate: student_id and mode of the kept answer."""
    if accepted is None or accepted.empty or "student_id" not in accepted.columns:
        return pd.DataFrame({"student_id": pd.Series(dtype="str"), "mode": pd.Series(dtype="str")})
    ok = accepted["student_id"].notna()
    for q in CORE_QUESTIONS.get(phase, ()):
        if q in accepted.columns:
            ok &= (accepted[q] == "yes").fillna(False) if q == "consent" else accepted[q].notna()
    sub = accepted.loc[ok, ["student_id", "_mode"]].rename(columns={"_mode": "mode"})
    sub["mode"] = sub["mode"].fillna("").replace("", "unknown")
    return sub.drop_duplicates("student_id", keep="last").reset_index(drop=True)


def _graduates(registry: pd.DataFrame | None) -> pd.DataFrame:
    if registry is None or registry.empty:
        return pd.DataFrame({"student_id": pd.Series(dtype="str"), "programme": pd.Series(dtype="str"),
                             "sex": pd.Series(dtype="str")})
    g = registry[registry["student_id"].notna()].drop_duplicates("student_id", keep="first")
    out = pd.DataFrame({"student_id": g["student_id"].astype(str)})
    for c in ("programme", "sex"):
        out[c] = g[c].fillna("?").astype(str) if c in g.columns else "?"
    return out.reset_index(drop=True)


def _rate(num: int, den: int) -> float:
    return num / den if den else float("nan")


def _response_table(grads: pd.DataFrame, resp: pd.DataFrame, phase: str) -> list[dict[str, Any]]:
    merged = grads.merge(resp, on="student_id", how="left")
    rows = []
    for by in (("programme", "sex"), ("programme",), ("sex",), ()):
        groups = merged.groupby(list(by), sort=True) if by else [((), merged)]
        for key, grp in groups:
            key = key if isinstance(key, tuple) else (key,)
            dom = dict(zip(by, key))
            n = len(grp)
            base = {"phase": phase, "programme": dom.get("programme", "all"), "sex": dom.get("sex", "all")}
            total = int(grp["mode"].notna().sum())
            rows.append({**base, "mode": "all", "graduates": n, "respondents": total, "rate": _rate(total, n)})
            modes = sorted(set(grp["mode"].dropna()) - set(MODES))
            for m in (*MODES, *modes):
                k = int((grp["mode"] == m).sum())
                rows.append({**base, "mode": m, "graduates": n, "respondents": k, "rate": _rate(k, n)})
    return rows


def quality_data(cv: Any, insts: Any = None, params: Any = None, other_known: Iterable[str] = ()) -> QualityData:
    """Gather the data-quality tables from a :class:`~analysis.validate.CohortValidation`.

    Parameters
    ----------
    cv
        The validation result of the cohort.
    insts
        The instruments (mapping or iterable), to hide the values of their personal-data questions
        (``pd`` direct/quasi); values of ``student_id``, names and contact columns are always hidden.
    params
        Targets and the previous cohort's rates (:class:`~analysis.validate.ValidationParams`).
    other_known
        Student ids whose outcome is known from a verified source other than the survey (NACE).
    """
    p = ValidationParams.from_any(params)
    by_file = cv.identity.copy()
    by_rule = pd.DataFrame(cv.summary.get("rules", []),
                           columns=["rule", "severity", "action", "issues", "rows"])

    hidden: set[tuple[str, str]] = set()
    if insts is not None:
        for key, inst in instrument_map(insts).items():
            for q in inst.data_questions:
                if str(getattr(q, "pd", "") or "") in ("direct", "quasi"):
                    hidden.add((key, q.name))
    default_hidden = {"student_id", "full_name", "email", "phone_mobile", "phone_landline", "social_handle",
                      "parent_name", "parent_phone", "email_new", "phone_new", "date_of_birth"}
    q = cv.quarantine
    ex = q.drop_duplicates("rule", keep="first").sort_values(["rule"]).reset_index(drop=True)
    ex = ex[["rule", "severity", "instrument", "file", "row", "submission_id", "column", "value", "message"]].copy()
    hide = [((i, c) in hidden) or c in default_hidden for i, c in zip(ex["instrument"], ex["column"])]
    ex.loc[hide, "value"] = HIDDEN
    examples = ex

    grads = _graduates(cv.registry)
    rows: list[dict[str, Any]] = []
    for phase in ("phase1", "phase2"):
        if phase in cv.accepted:
            rows += _response_table(grads, _respondents(cv.accepted.get(phase), phase), phase)
    response = pd.DataFrame(rows, columns=["phase", "programme", "sex", "mode", "graduates", "respondents",
                                           "rate"])

    known_ids = set(_respondents(cv.accepted.get("phase2"), "phase2")["student_id"]) | set(map(str, other_known))
    g = grads.assign(known=grads["student_id"].isin(known_ids))
    krows = [{"programme": prog, "graduates": len(grp), "known": int(grp["known"].sum()),
              "rate": _rate(int(grp["known"].sum()), len(grp))} for prog, grp in g.groupby("programme", sort=True)]
    krows.append({"programme": "all", "graduates": len(g), "known": int(g["known"].sum()),
                  "rate": _rate(int(g["known"].sum()), len(g))})
    knowledge = pd.DataFrame(krows, columns=["programme", "graduates", "known", "rate"])

    flags = []

    def check(indicator: str, domain: str, rate: float) -> None:
        if rate != rate:  # no graduates
            return
        target = p.targets.get(indicator)
        if target is not None:
            flags.append({"indicator": indicator, "domain": domain, "rate": rate, "threshold": float(target),
                          "reference": TARGET_SOURCES[indicator], "missed": bool(rate < target)})
        prev = (p.previous or {}).get(indicator)
        if prev is not None and domain == "all":
            flags.append({"indicator": indicator, "domain": domain, "rate": rate, "threshold": float(prev),
                          "reference": "previous cohort", "missed": bool(rate < prev)})

    if len(response):
        r2 = response[(response["phase"] == "phase2") & (response["mode"] == "all") & (response["sex"] == "all")]
        for prog, rate in zip(r2["programme"], r2["rate"]):
            check("phase2_response", prog, rate)
    for prog, rate in zip(knowledge["programme"], knowledge["rate"]):
        check("knowledge_rate", prog, rate)
    flags_df = pd.DataFrame(flags, columns=["indicator", "domain", "rate", "threshold", "reference", "missed"])
    return QualityData(by_file, by_rule, examples, response, knowledge, flags_df)

"""The graduates table: one row per graduate of the registry, linked across the phases, with every derived variable.

One job: link the registry, phase 1 and phase 2 on the graduate's id (:func:`linkage_table`,
:func:`derive_graduates`), carry the registry and crosswalk facts (``definitions/programmes.csv``), call
the derivations of :mod:`~analysis.derive.labour`, :mod:`~analysis.derive.transition`,
:mod:`~analysis.derive.job`, :mod:`~analysis.derive.income` and :mod:`~analysis.derive.match` with the
cohort's parameters (:class:`DeriveParams`), and leave out what was never asked (:data:`DERIVED_NEEDS`,
so an indicator is *not measured*, never 0 %). A response counts only with consent and the core items
answered (HESA).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.defaults import FULL_TIME_HOURS
from analysis.core.paths import DEFINITIONS
from analysis.derive import opendata
from analysis.derive.columns import (
    as_codes,
    as_dates,
    as_number,
    col_or_na,
    consent_given,
    is_code,
    is_known,
    scale_at_least,
    tri_state,
)
from analysis.derive.income import income_for_statistics, income_kgs, income_relative
from analysis.derive.job import (
    abroad,
    informal,
    isco_major_from,
    isco_submajor_from,
    sector,
    skill_level,
    works_in_region,
)
from analysis.derive.labour import available_full_time, employed, full_time, further_study, labour_status, nace_outcome
from analysis.derive.match import (
    COMPETENCES,
    competence_gap,
    degree_effectiveness,
    horizontal_match_normative,
    horizontal_match_subjective,
    programme_eval_score,
    vertical_match_normative,
    vertical_match_subjective,
)
from analysis.derive.transition import job_search_months, job_within_months, months_between, months_to_first_job
from analysis.errors import ConfigError, InputError
from analysis.privacy.minimisation import age_in_completed_years

PROGRAMMES_FILE = DEFINITIONS / "programmes.csv"


@dataclass(frozen=True)
class DeriveParams:
    """Parameters of :func:`derive_graduates`, with the project's documented defaults.

    Attributes
    ----------
    full_time_hours
        Weekly hours from which a job counts as full-time. The default 40 is the Kyrgyz statutory
        week; QILT uses 35.
    part_timers_available
        Which part-time workers count as available for full-time work (see
        :func:`available_full_time`).
    fast_job_months
        The waiting time that counts as "fast" (Indonesian standard: 6).
    income_trim
        Apply HESA trimming to income statistics (see :func:`income_for_statistics`).
    oblast_wage_kgs, min_wage_kgs
        Comparators in KGS. When ``None`` they are looked up in the open-data snapshot
        (:mod:`analysis.derive.opendata`) for ``wage_year``, if ``lookup_open_data`` is True.
    wage_region
        Region of the average-wage comparator (a kg-open label or an ``oblast`` code).
    wage_year
        Year of the comparators. Default: the year of the median phase-2 survey date, else the
        median graduation year.
    home_region
        ``oblast`` code for :func:`works_in_region`.
    normative_rule
        ``eurostat`` or ``ilo`` (see :func:`vertical_match_normative`).
    phase2_survey_date
        Survey date used where a phase-2 row has none.
    """

    full_time_hours: float = float(FULL_TIME_HOURS)
    part_timers_available: str = "non_students"
    fast_job_months: float = 6.0
    income_trim: bool = False
    oblast_wage_kgs: float | None = None
    min_wage_kgs: float | None = None
    lookup_open_data: bool = True
    wage_region: str = "Jalal-Abad oblast"
    wage_year: int | None = None
    home_region: str = "jalal_abad"
    normative_rule: str = "eurostat"
    phase2_survey_date: Any = None

    @classmethod
    def from_any(cls, params: Any) -> DeriveParams:
        """Build from ``None``, a DeriveParams, a mapping or an object with these attributes.

        Keys or attributes that are not parameters of this stage are ignored, because a cohort
        parameter file holds settings for every stage.
        """
        if params is None:
            return cls()
        if isinstance(params, cls):
            return params
        names = [f.name for f in fields(cls)]
        get = (lambda k: params[k]) if isinstance(params, Mapping) else (lambda k: getattr(params, k))
        has = (lambda k: k in params) if isinstance(params, Mapping) else (lambda k: hasattr(params, k))
        kw = {k: get(k) for k in names if has(k)}
        for name, alias in _PARAM_ALIASES.items():  # the cohort file's names for the same settings
            if name not in kw and has(alias) and get(alias) is not None:
                kw[name] = get(alias)
        try:
            return cls(**kw)
        except TypeError as exc:  # pragma: no cover - defensive
            raise ConfigError(f"invalid derive parameters: {exc}") from exc


#: DeriveParams field → the cohort parameter file's name for it (``analysis.core.config.CohortConfig``)
_PARAM_ALIASES = {"wage_region": "region"}

REGISTRY_KEEP = ("sex", "programme", "faculty", "level", "funding", "graduation_date", "gpa", "home_oblast",
                 "home_rayon")
CROSSWALK_KEEP = ("isced_level", "isced_f", "expected_isco")
FLAG_COLUMNS = ("resp_p1", "resp_p2", "outcome_known")
DERIVED_COLUMNS = (
    "labour_status", "employed", "unemployed", "in_labour_force", "full_time", "available_full_time",
    "further_study", "further_study_ft", "nace_outcome", "career_outcome",
    "months_since_grad", "months_to_first_job", "first_job_event", "first_job_censored",
    "first_job_before_grad", "job_within_6m", "job_search_months", "job_search_censored",
    "job_search_upper_bound",
    "isco1", "isco2", "skill_level", "high_skilled", "gked_section", "sector_broad",
    "informal", "abroad", "works_in_region",
    "income_kgs", "income_band_mid_kgs", "income_from_band", "income_band_any", "income_stat",
    "income_excluded_reason", "income_rel_oblast", "below_min_wage",
    "vm_subjective", "vm_normative", "hm_subjective", "hm_normative", "degree_effectiveness",
    *(f"comp_gap_{c}" for c in COMPETENCES),
    "job_satisfied", "usefulness_high", "programme_eval_score", "needs_more_education",
)
#: phase-1 items of the contract (docs/variables.md §2; a test keeps the two in step)
P1_ITEMS = (
    "student_id", "consent", "survey_date", "internship_done", "internship_months", "internship_relevant",
    "worked_during_studies", "job_status", "plan", "job_search_started", "applications_n", "sat_studies",
    "sat_services", "eval_content", "eval_practical", "eval_teachers", "eval_equipment", "eval_overall",
    *(f"comp_grad_{c}" for c in COMPETENCES), "email_new", "phone_new", "consent_phase2",
)
#: phase-2 items of the contract (docs/variables.md §3)
P2_ITEMS = (
    "student_id", "consent", "survey_date", "ilo_worked", "ilo_family_help", "ilo_absent", "ilo_sought",
    "ilo_available", "ilo_future_start", "main_activity", "studying", "study_level", "study_full_time",
    "hours", "emp_type", "contract", "social_fund", "employer_type", "sector", "job_title", "isco_major",
    "isco_code", "work_country", "work_oblast", "work_rayon", "job_before_grad", "first_job_date",
    "search_start", "search_channels", "applications_n", "replies_n", "interviews_n", "income",
    "income_band", "vertical_match", "horizontal_match", "mismatch_reason",
    *(f"comp_job_{c}" for c in COMPETENCES), "job_satisfaction", "usefulness", "need_more_education",
    "strengths", "weaknesses", "suggestions",
)
#: phase items that are direct identifiers and never leave data/raw (docs/variables.md, pd = direct)
PHASE_DROP = ("student_id", "pid", "email_new", "phone_new")
#: items present in both phases (``mode`` is added by ingestion): prefixed p1_/p2_ in the graduates table
SHARED_ITEMS = ("consent", "survey_date", "applications_n", "mode")

_STATUS = (("ilo_worked",),)
_SPLIT = (("ilo_worked",), ("ilo_sought", "ilo_future_start"), ("ilo_available",))
_FIRST_JOB = (("ilo_worked",), ("first_job_date", "job_before_grad"), ("survey_date",), ("reg:graduation_date",))
DERIVED_NEEDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "resp_p1": (("p1:job_status",), ("p1:plan",)),
    "resp_p2": _STATUS, "outcome_known": _STATUS, "labour_status": _STATUS, "employed": _STATUS,
    "unemployed": _SPLIT, "in_labour_force": _SPLIT,
    "full_time": (("ilo_worked",), ("hours",)),
    "available_full_time": (*_SPLIT, ("hours",)),
    "further_study": (("studying",),), "further_study_ft": (("studying",), ("study_full_time",)),
    "nace_outcome": (("ilo_worked",), ("main_activity",), ("studying",)),
    "career_outcome": (("ilo_worked",), ("main_activity",), ("studying",)),
    "months_since_grad": (("survey_date",), ("reg:graduation_date",)),
    **{c: _FIRST_JOB for c in ("months_to_first_job", "first_job_event", "first_job_censored",
                               "first_job_before_grad", "job_within_6m")},
    **{c: (*_FIRST_JOB, ("search_start",)) for c in ("job_search_months", "job_search_censored",
                                                      "job_search_upper_bound")},
    **{c: (("isco_major", "isco_code"),) for c in ("isco1", "isco2", "skill_level", "high_skilled")},
    "gked_section": (("sector",),), "sector_broad": (("sector",),),
    "informal": (("emp_type", "contract", "social_fund"),),
    "abroad": (("work_country",),), "works_in_region": (("work_country", "work_oblast"),),
    **{c: (("income", "income_band"),) for c in ("income_kgs", "income_band_mid_kgs", "income_from_band",
                                                  "income_band_any")},
    **{c: (("income",), ("hours",)) for c in ("income_stat", "income_excluded_reason", "income_rel_oblast",
                                               "below_min_wage")},
    "vm_subjective": (("vertical_match",),), "vm_normative": (("isco_major", "isco_code"), ("reg:programme",)),
    "hm_subjective": (("horizontal_match",),), "hm_normative": (("isco_code",), ("reg:programme",)),
    "degree_effectiveness": (("vertical_match",), ("usefulness",)),
    **{f"comp_gap_{c}": ((f"comp_job_{c}",), (f"p1:comp_grad_{c}",)) for c in COMPETENCES},
    "job_satisfied": (("job_satisfaction",),), "usefulness_high": (("usefulness",),),
    "programme_eval_score": (("p1:eval_content", "p1:eval_practical", "p1:eval_teachers", "p1:eval_equipment",
                              "p1:eval_overall"),),
    "needs_more_education": (("need_more_education",),),
}
"""What each flag and derived column needs: groups of items, each group satisfied when at least one of
its items was asked (phase-2 items by name, ``p1:`` phase 1, ``reg:`` the registry). A column whose
needs are not met — a question the cohort never asked (``not_asked`` of :func:`derive_graduates`), or no
registry — is left out of the graduates table, so the indicators computed from it are *not measured*
(:func:`indicator_values` returns None), never a share of empty answers."""


def not_measured(not_asked: Mapping[str, Iterable[str]] | None) -> list[str]:
    """The flags and derived columns (:data:`DERIVED_NEEDS`) that cannot be measured when the questions in
    ``not_asked`` (``{"registry" | "phase1" | "phase2": names}``) were never asked."""
    na = {k: set(v) for k, v in (not_asked or {}).items()}
    gone = {f"reg:{n}" for n in na.get("registry", ())} | {f"p1:{n}" for n in na.get("phase1", ())} | \
        set(na.get("phase2", ()))
    return [col for col, groups in DERIVED_NEEDS.items() if any(all(i in gone for i in g) for g in groups)]


def not_asked_items(frame: pd.DataFrame | None) -> list[str]:
    """Questions listed in the ``_not_asked`` marker of EVERY row of a validated table (never asked in the
    cohort), in marker order; ``[]`` without the marker or rows."""
    if frame is None or len(frame) == 0 or "_not_asked" not in frame.columns:
        return []
    sets = [str(v).split() if isinstance(v, str) else [] for v in frame["_not_asked"]]
    common = set(sets[0]).intersection(*map(set, sets[1:]))
    return [n for n in sets[0] if n in common]


def _survey_graduates(id_col: str, *phases: pd.DataFrame | None) -> pd.DataFrame:
    """Without a registry: one graduate per survey row (ids of phase 2, then phase 1's others)."""
    ids: list[str] = []
    seen: set[str] = set()
    for ph in phases:
        if ph is None or id_col not in ph.columns:
            continue
        for v in ph[id_col].astype("string").dropna():
            if v not in seen:
                seen.add(v)
                ids.append(str(v))
    return pd.DataFrame({id_col: pd.array(ids, dtype="string")})


def load_programmes(path: str | Path | None = None) -> pd.DataFrame:
    """Read the programme crosswalk ``definitions/programmes.csv`` with every column as text."""
    path = Path(path or PROGRAMMES_FILE)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: programme crosswalk not found") from exc
    return df.replace({"": pd.NA})


def _id_column(frame: pd.DataFrame, what: str) -> str:
    for c in ("pid", "student_id"):
        if c in frame.columns:
            return c
    raise InputError(what, "has neither a 'pid' nor a 'student_id' column", row=1,
                     fix="pass the validated (or pseudonymised) table")


def _check_unique(frame: pd.DataFrame, id_col: str, what: str) -> None:
    ids = frame[id_col].astype("string")
    dup = ids.duplicated(keep="first") & ids.notna()
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy(bool))[0])
        raise InputError(what, f"graduate id {ids.iloc[pos]!r} appears more than once", row=pos + 2,
                         column=id_col, fix="the validation stage must keep one row per graduate")


def _align(phase: pd.DataFrame | None, ids: pd.Series, id_col: str, what: str) -> pd.DataFrame:
    """The phase's rows in registry order (one per graduate; <NA> rows for non-respondents)."""
    if phase is None or (len(phase) == 0 and id_col not in phase.columns):
        return pd.DataFrame(index=ids.index)
    if id_col not in phase.columns:
        other = "student_id" if id_col == "pid" else "pid"
        hint = (f" (it has '{other}': pseudonymise the registry and the phases together)"
                if other in phase.columns else "")
        raise InputError(what, f"has no '{id_col}' column to link with the registry{hint}", row=1, column=id_col)
    _check_unique(phase, id_col, what)
    ph = phase.copy()
    ph[id_col] = ph[id_col].astype("string")
    left = pd.DataFrame({id_col: ids.astype("string").to_numpy()})
    merged = left.merge(ph, on=id_col, how="left", sort=False)
    merged.index = ids.index
    return merged.drop(columns=[id_col])


def linkage_table(
    registry: pd.DataFrame | None, phase1: pd.DataFrame | None = None, phase2: pd.DataFrame | None = None
) -> pd.DataFrame:
    """How the survey phases link to the registry, one row per phase.

    The columns are:

    * ``records``: rows in the phase;
    * ``linked``: rows whose id is in the registry;
    * ``not_in_registry``: rows whose id is not;
    * ``graduates``: registry size;
    * ``consented``: linked rows with consent = yes;
    * ``valid``: graduates counted as respondents, by the same rule as ``resp_p1`` / ``resp_p2`` in
      :func:`derive_graduates`;
    * ``link_rate``: linked ÷ records;
    * ``response_rate``: valid ÷ graduates.

    Without a registry (``registry`` None) there is nothing to link to: ``linked``, ``not_in_registry``,
    ``graduates``, ``link_rate`` and ``response_rate`` are empty (not measured).
    """
    if registry is None:
        first = next((f for f in (phase2, phase1) if f is not None and len(f.columns)), None)
        id_col = _id_column(first, "phase2") if first is not None else "pid"
        out = linkage_table(_survey_graduates(id_col, phase2, phase1), phase1, phase2)
        for c in ("linked", "not_in_registry", "graduates", "link_rate", "response_rate"):
            out[c] = np.nan
        return out
    id_col = _id_column(registry, "registry")
    ids = set(registry[id_col].astype("string").dropna())
    rows = []
    for name, phase in (("phase1", phase1), ("phase2", phase2)):
        phase = phase if phase is not None else pd.DataFrame()
        if len(phase) and id_col not in phase.columns:
            _align(phase, registry[id_col], id_col, name)  # raises the explanatory InputError
        pid = phase[id_col].astype("string") if id_col in phase.columns else pd.Series([], dtype="string")
        linked = pid.isin(ids).fillna(False).to_numpy(bool)
        sub = phase[linked] if len(phase) else phase
        if "_not_asked" in sub.columns:  # a survey that never asked consent: the graduate answered it
            asked = ~sub["_not_asked"].map(lambda v: isinstance(v, str) and "consent" in v.split()).astype(bool)
            sub = sub.assign(consent=col_or_na(sub, "consent").astype("object").where(asked, "yes"))
        consented = int(consent_given(sub).sum()) if "consent" in sub.columns else 0
        if "consent" not in sub.columns:
            valid = np.zeros(len(sub), bool)
        elif name == "phase1":
            valid = consent_given(sub) & is_known(col_or_na(sub, "job_status")) & is_known(col_or_na(sub, "plan"))
        else:
            valid = labour_status(sub).notna().to_numpy(bool)
        n_valid = len(set(sub[id_col].astype("string")[valid])) if len(sub) else 0
        rows.append({
            "phase": name, "records": len(phase), "linked": int(linked.sum()), "not_in_registry": int((~linked).sum()),
            "graduates": len(ids), "consented": consented, "valid": n_valid,
            "link_rate": linked.sum() / len(phase) if len(phase) else np.nan,
            "response_rate": n_valid / len(ids) if ids else np.nan,
        })
    return pd.DataFrame(rows)


def _median_year(s: pd.Series) -> int | None:
    s = s.dropna()
    if s.empty:
        return None
    return int(pd.Timestamp(s.astype("int64").median()).year)


def _comparators(p: DeriveParams, year: int | None) -> dict[str, Any]:
    """Oblast wage and minimum wage in KGS, from the parameters or the open-data snapshot."""
    out: dict[str, Any] = {"year": year}
    for key, given, lookup in (
        ("oblast_wage", p.oblast_wage_kgs, lambda y: opendata.oblast_average_wage(p.wage_region, y)),
        ("min_wage", p.min_wage_kgs, opendata.minimum_wage),
    ):
        if given is not None:
            out[key] = {"value_kgs": float(given), "period": "cohort parameter", "source_url": None}
        elif p.lookup_open_data and year is not None:
            try:
                fig = lookup(year)
                out[key] = {"value_kgs": fig.value_kgs, "period": fig.period, "source_url": fig.source_url}
            except ConfigError as exc:
                warnings.warn(f"{key} not available, left empty: {exc}", stacklevel=3)
                out[key] = {"value_kgs": None, "period": None, "source_url": None, "problem": str(exc)}
        else:
            out[key] = {"value_kgs": None, "period": None, "source_url": None}
    return out


def derive_graduates(
    registry: pd.DataFrame | None,
    phase1: pd.DataFrame | None = None,
    phase2: pd.DataFrame | None = None,
    programmes: pd.DataFrame | None = None,
    params: Any = None,
    not_asked: Mapping[str, Iterable[str]] | None = None,
) -> pd.DataFrame:
    """One row per graduate of the registry, respondents and non-respondents, with every derived variable.

    Parameters
    ----------
    registry
        The graduate registry (contract section 1), keyed by ``student_id`` or, after
        pseudonymisation, ``pid``. Only the columns in ``REGISTRY_KEEP`` are carried over.
        ``age_at_grad`` (completed years) is taken from the processed registry, or computed from
        ``date_of_birth`` when the registry still has it (a raw table); the date of birth itself is
        never carried. Direct identifiers are dropped.
        ``None`` when the study has no registry: then each survey row is one graduate (phase-2 ids,
        then phase-1 ids not in phase 2), the registry columns are absent and the flag ``in_registry``
        is False on every row, so the response rates and every registry-based variable are *not
        measured*.
    phase1, phase2
        The validated exit and follow-up surveys, keyed like the registry. Each may be ``None`` or
        empty. Rows whose id is not in the registry are not carried; validation reports them.
    programmes
        The crosswalk (default :func:`load_programmes`). It adds ``isced_level``, ``isced_f`` and
        ``expected_isco``.
    params
        :class:`DeriveParams`, a mapping or a cohort-parameter object (see
        :meth:`DeriveParams.from_any`).
    not_asked
        Questions the cohort never asked, ``{"phase1" | "phase2": names}`` (default: read from the
        ``_not_asked`` marker of the phase tables, :func:`not_asked_items`). They are not carried as
        items, and the flags and derived columns that need them (:data:`DERIVED_NEEDS`) are left out.
        A row whose own marker lists ``consent`` (its survey never asked it) counts as consenting:
        the graduate answered.

    Returns
    -------
    pandas.DataFrame
        Rows sorted by id. The columns come in this order: id (then ``in_registry`` when there is no
        registry), registry, crosswalk, response flags (``resp_p1``, ``resp_p2``, ``outcome_known``), derived variables
        (``DERIVED_COLUMNS``), then the phase-1 and phase-2 items under their contract names, then
        their other columns (provenance, covariates ``x_<name>`` of a legacy mapping). Items
        asked in both phases get a ``p1_``/``p2_`` prefix; contact updates are dropped. A response
        counts only with consent = yes and the core items answered (HESA): job_status and plan in
        phase 1, a decidable labour status in phase 2. The comparators used (wage, minimum wage,
        period, source) are in ``.attrs["comparators"]``; the columns left out as not measured in
        ``.attrs["not_measured"]``.
    """
    p = DeriveParams.from_any(params)
    na: dict[str, list[str]] = {"phase1": not_asked_items(phase1), "phase2": not_asked_items(phase2)}
    for k, v in (not_asked or {}).items():
        na[k] = list(dict.fromkeys([*na.get(k, []), *v]))
    has_registry = registry is not None
    if not has_registry:
        first = next((f for f in (phase2, phase1) if f is not None and len(f.columns)), None)
        registry = _survey_graduates(_id_column(first, "phase2") if first is not None else "pid", phase2, phase1)
        na["registry"] = [*REGISTRY_KEEP, "date_of_birth"]
    id_col = _id_column(registry, "registry")
    _check_unique(registry, id_col, "registry")
    reg = registry.copy()
    reg[id_col] = reg[id_col].astype("string")
    reg = reg.sort_values(id_col, kind="stable").reset_index(drop=True)
    idx = reg.index
    base = pd.DataFrame({id_col: reg[id_col]}, index=idx)
    for c in REGISTRY_KEEP:
        base[c] = col_or_na(reg, c)
    base["graduation_date"] = as_dates("graduation_date", reg)
    base["gpa"] = as_number(base["gpa"])
    for c in ("sex", "programme", "faculty", "level", "funding", "home_oblast", "home_rayon"):
        base[c] = as_codes(base[c])
    if "age_at_grad" in reg.columns:  # the processed registry carries the age, not the date of birth
        base["age_at_grad"] = as_number(reg["age_at_grad"]).astype("Float64").astype("Int64")
    else:
        base["age_at_grad"] = age_in_completed_years(as_dates("date_of_birth", reg), base["graduation_date"])

    progs = load_programmes() if programmes is None else programmes
    xw = progs.copy()
    xw["programme"] = as_codes(col_or_na(xw, "programme"))
    xw = xw.drop_duplicates("programme").set_index("programme")
    prog = base["programme"]
    base["isced_level"] = as_number(prog.map(col_or_na(xw, "isced_level"))).astype("Float64").astype("Int64")
    base["isced_f"] = prog.map(col_or_na(xw, "isced_f")).astype("string")
    base["expected_isco"] = prog.map(col_or_na(xw, "expected_isco")).astype("string")

    p1 = _align(phase1, base[id_col], id_col, "phase1")
    p2 = _align(phase2, base[id_col], id_col, "phase2")

    # ---- phase-1 flags and scores
    p1c = p1
    if "_not_asked" in p1.columns:  # a survey that never asked consent: the graduate answered it
        no_consent_q = p1["_not_asked"].map(lambda v: isinstance(v, str) and "consent" in v.split()).astype(bool)
        p1c = p1.assign(consent=col_or_na(p1, "consent").astype("object").where(~no_consent_q, "yes"))
    p1_ok = consent_given(p1c) if "consent" in p1c.columns else np.zeros(len(base), bool)
    resp_p1 = p1_ok & is_known(col_or_na(p1, "job_status")) & is_known(col_or_na(p1, "plan"))
    p1_eval = p1c.copy()
    if "consent" not in p1_eval.columns:
        p1_eval["consent"] = pd.Series(pd.NA, index=idx, dtype="object")

    # ---- phase-2 derivations (contract names, plus registry and crosswalk facts)
    d = p2.copy()
    if "consent" not in d.columns:
        d["consent"] = pd.Series(pd.NA, index=idx, dtype="object")
    if "_not_asked" in d.columns:  # a survey that never asked consent: the graduate answered it
        no_consent_q = d["_not_asked"].map(lambda v: isinstance(v, str) and "consent" in v.split()).astype(bool)
        d["consent"] = d["consent"].astype("object").where(~no_consent_q, "yes")
    d["survey_date"] = as_dates("survey_date", d)
    if p.phase2_survey_date is not None:
        d["survey_date"] = d["survey_date"].fillna(pd.Timestamp(p.phase2_survey_date))
    d["graduation_date"] = base["graduation_date"]
    d["labour_status"] = labour_status(d)
    st = d["labour_status"]
    emp_np = (st == "employed").fillna(False).to_numpy(bool)
    known_st = st.notna().to_numpy(bool)

    out = base.copy()
    out["resp_p1"] = pd.array(resp_p1, dtype="boolean")
    out["resp_p2"] = pd.array(known_st, dtype="boolean")
    nace = nace_outcome(d)
    out["outcome_known"] = pd.array(nace.notna().to_numpy(bool), dtype="boolean")

    out["labour_status"] = st
    out["employed"] = employed(d)
    out["unemployed"] = tri_state((st == "unemployed").fillna(False).to_numpy(bool), known_st, idx)
    out["in_labour_force"] = tri_state(st.isin(["employed", "unemployed"]).to_numpy(bool), known_st, idx)
    out["full_time"] = full_time(d, p.full_time_hours)
    out["available_full_time"] = available_full_time(d, p.full_time_hours, p.part_timers_available)
    out["further_study"] = further_study(d)
    out["further_study_ft"] = further_study(d, full_time_only=True)
    out["nace_outcome"] = nace
    ce = nace.isin(["employed", "military", "continuing_education"]).to_numpy(bool)
    out["career_outcome"] = tri_state(ce, ce | (nace == "seeking").fillna(False).to_numpy(bool), idx)

    out["months_since_grad"] = months_between(d["survey_date"], d["graduation_date"]).where(known_st)
    ttj = months_to_first_job(d, "graduation_date", "survey_date")
    out["months_to_first_job"] = ttj["time"]
    out["first_job_event"] = ttj["event"]
    out["first_job_censored"] = ttj["censored_flag"]
    out["first_job_before_grad"] = ttj["before_grad_flag"]
    out["job_within_6m"] = job_within_months(ttj, p.fast_job_months)
    js = job_search_months(d, ttj)
    out["job_search_months"] = js["months"]
    out["job_search_censored"] = js["censored"]
    out["job_search_upper_bound"] = js["upper_bound"]

    isco1 = isco_major_from(d).where(emp_np)
    isco2 = isco_submajor_from(d).where(emp_np)
    out["isco1"], out["isco2"] = isco1, isco2
    out["skill_level"] = skill_level(isco1, isco2)
    sl = out["skill_level"]
    out["high_skilled"] = tri_state(sl.isin(["3", "3-4", "4"]).to_numpy(bool), sl.notna().to_numpy(bool), idx)
    sec = sector(d)
    out["gked_section"], out["sector_broad"] = sec["gked_section"], sec["sector_broad"]
    out["informal"] = informal(d)
    out["abroad"] = abroad(d)
    out["works_in_region"] = works_in_region(d, p.home_region)

    inc = income_kgs(d)
    for c in inc.columns:
        out[c] = inc[c]
    d["income_kgs"] = inc["income_kgs"]
    year = p.wage_year or _median_year(d["survey_date"].where(known_st)) or _median_year(base["graduation_date"])
    comps = _comparators(p, year)
    mw = comps["min_wage"]["value_kgs"]
    ow = comps["oblast_wage"]["value_kgs"]
    istat = income_for_statistics(d, p.full_time_hours, p.income_trim, mw)
    out["income_stat"] = istat["income_stat"]
    out["income_excluded_reason"] = istat["income_excluded_reason"]
    d["income_stat"] = istat["income_stat"]
    rel = income_relative(d, ow, mw, p.full_time_hours)
    out["income_rel_oblast"] = rel["income_rel_oblast"]
    out["below_min_wage"] = rel["below_min_wage"]

    out["vm_subjective"] = vertical_match_subjective(d)
    out["vm_normative"] = vertical_match_normative(isco1, base["isced_level"], isco2, p.normative_rule)
    out["hm_subjective"] = horizontal_match_subjective(d)
    hm = horizontal_match_normative(col_or_na(d, "isco_code").where(emp_np), base["expected_isco"], isco1)
    out["hm_normative"] = hm.where(pd.Series(emp_np, index=idx))
    out["degree_effectiveness"] = degree_effectiveness(d)
    linked = pd.concat([p1[[c for c in p1.columns if c.startswith("comp_grad_")]],
                        d[[c for c in d.columns if c.startswith("comp_job_")]]], axis=1)
    gap = competence_gap(linked)
    gap_ok = pd.Series(emp_np & p1_ok, index=idx)
    for c in gap.columns:
        out[c] = gap[c].where(gap_ok)
    out["job_satisfied"] = scale_at_least(d, "job_satisfaction", 4, emp_np)
    out["usefulness_high"] = scale_at_least(d, "usefulness", 4, emp_np)
    out["programme_eval_score"] = programme_eval_score(p1_eval).where(pd.Series(p1_ok, index=idx))
    nme = col_or_na(d, "need_more_education")
    out["needs_more_education"] = tri_state(is_code(nme, "yes"), known_st & is_code(nme, "yes", "no"), idx)

    # ---- raw items: every contract item (missing ones empty; never-asked ones left out), then extra
    #      columns sorted (covariates x_<name> unprefixed unless both phases carry them); items of both
    #      phases prefixed p1_/p2_; identifiers and contact updates dropped
    p2 = p2.assign(survey_date=d["survey_date"])
    extra1 = sorted(c for c in p1.columns if c not in P1_ITEMS and c not in PHASE_DROP)
    extra2 = sorted(c for c in p2.columns if c not in P2_ITEMS and c not in PHASE_DROP)
    shared = set(SHARED_ITEMS) | (set(extra1) & set(extra2))
    taken = set(out.columns)
    parts = [out]
    for frame, items, extra, prefix, phase in ((p1, P1_ITEMS, extra1, "p1_", "phase1"),
                                               (p2, P2_ITEMS, extra2, "p2_", "phase2")):
        gone = set(na.get(phase, ()))
        cols = [c for c in (*items, *(e for e in extra if e not in items)) if c not in PHASE_DROP and c not in gone]
        r = pd.DataFrame({c: col_or_na(frame, c) for c in cols}, index=idx)
        r = r.rename(columns={c: f"{prefix}{c}" for c in cols if c in shared or c in taken})
        parts.append(r)
        taken |= set(r.columns)
    result = pd.concat(parts, axis=1)
    dropped = [c for c in not_measured(na) if c in result.columns]
    if not has_registry:
        dropped += [c for c in (*REGISTRY_KEEP, *CROSSWALK_KEEP, "age_at_grad") if c in result.columns]
        result.insert(1, "in_registry", pd.array([False] * len(result), dtype="boolean"))
    result = result.drop(columns=dropped)
    result.attrs["comparators"] = comps
    result.attrs["params"] = {f.name: getattr(p, f.name) for f in fields(p)}
    result.attrs["not_measured"] = dropped
    return result

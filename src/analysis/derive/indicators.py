"""Standard indicators: the registry of definitions and the per-graduate derived variables.

The registry ``definitions/indicators.yaml`` defines every indicator once: universe, numerator,
denominator, unit, standard and source. This module does four things:

* loads the registry (:func:`load_registry`);
* derives the per-graduate variables the registry refers to, each with a small pure function
  that cites its standard (ILO 19th ICLS for labour status, QILT, HESA, NACE, AlmaLaurea,
  ELA/MLASZ, ILO 20th ICLS for mismatch);
* assembles one row per graduate of the registry (:func:`derive_graduates`);
* gives each graduate's value of an indicator (:func:`indicator_values`) and writes the reference page
  ``docs/indicators.md`` (:func:`write_indicator_docs`).

Weighted, design-based estimates come from :mod:`analysis.stats.survey`, from the same derived columns.

Input: frames with the contract's column names (``docs/variables.md``), already type-cast by the
validation stage. ``select_one`` values are code strings, numbers are numbers (NaN when empty),
and dates are ``datetime64``. Every function also accepts raw strings for numbers and dates, and
treats a missing column as all-missing. Derived booleans use pandas' nullable ``boolean`` dtype:
``<NA>`` means "not applicable or unknown", never "no".
"""

from __future__ import annotations

import inspect
import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from analysis.core.defaults import FULL_TIME_HOURS
from analysis.core.i18n import LANGS
from analysis.core.paths import DEFINITIONS, SOURCE_ROOT
from analysis.derive import opendata
from analysis.errors import ConfigError, InputError
from analysis.privacy.personal_data import age_in_completed_years

__all__ = [
    "COMPETENCES",
    "DERIVED_NEEDS",
    "DeriveParams",
    "Indicator",
    "abroad",
    "available_full_time",
    "competence_gap",
    "indicator_universe",
    "indicator_values",
    "degree_effectiveness",
    "derive_graduates",
    "employed",
    "full_time",
    "further_study",
    "get_indicator",
    "horizontal_match_normative",
    "horizontal_match_subjective",
    "income_for_statistics",
    "income_kgs",
    "income_relative",
    "indicators_markdown",
    "informal",
    "isco_major_from",
    "isco_submajor_from",
    "job_search_months",
    "job_within_months",
    "labour_status",
    "linkage_table",
    "load_programmes",
    "load_registry",
    "months_to_first_job",
    "nace_outcome",
    "not_asked_items",
    "not_measured",
    "sector",
    "skill_level",
    "vertical_match_normative",
    "vertical_match_subjective",
    "works_in_region",
    "write_indicator_docs",
]

REGISTRY_FILE = DEFINITIONS / "indicators.yaml"
PROGRAMMES_FILE = DEFINITIONS / "programmes.csv"
DOCS_FILE = SOURCE_ROOT / "docs" / "indicators.md"

#: the contract's competence list (suffix ``<c>`` of comp_grad_/comp_job_/rate_)
COMPETENCES: tuple[str, ...] = (
    "ethics", "field_knowledge", "foreign_language", "ict", "communication", "teamwork",
    "self_development", "critical_thinking", "problem_solving", "research", "time_management",
    "pressure",
)
LABOUR_STATUS = ("employed", "unemployed", "olf_study", "olf_other")
NACE_OUTCOMES = ("employed", "military", "continuing_education", "seeking", "not_seeking")
VM_SUBJECTIVE = ("under_educated", "matched", "over_educated")
VM_NORMATIVE = ("under_qualified", "matched", "over_qualified")
EFFECTIVENESS = ("not_effective", "slightly_effective", "fairly_effective", "effective", "very_effective")
SKILL_LEVELS = ("1", "2", "3", "3-4", "4")
GKED = tuple("ABCDEFGHIJKLMNOPQRSTU")
SECTOR_BROAD = ("agriculture", "industry", "services")
INCOME_BANDS: tuple[tuple[str, float, float | None], ...] = (
    ("lt5k", 0, 5_000), ("5_10k", 5_000, 10_000), ("10_15k", 10_000, 15_000),
    ("15_20k", 15_000, 20_000), ("20_30k", 20_000, 30_000), ("30_50k", 30_000, 50_000),
    ("gt50k", 50_000, None),
)
INCOME_EXCLUSION = (
    "unpaid_family_work", "no_exact_income", "hours_unknown", "not_full_time", "below_min_wage",
    "top_0_1pct",
)
FIRST_JOB_EVENTS = {0: "censored", 1: "first job", 2: "further study (competing)"}
DAYS_PER_MONTH = 30.4375  # 365.25 / 12

UNITS = ("share", "months", "KGS", "ratio", "index")
STATISTICS = ("share", "median", "mean")
DIRECTIONS = ("higher_is_better", "lower_is_better", "neutral")
GROUPS = ("response", "labour_status", "transition", "job_quality", "income", "mismatch", "feedback")


# ================================================================== registry


@dataclass(frozen=True, eq=False)
class Indicator:
    """One indicator of the registry (``definitions/indicators.yaml``); see that file for fields."""

    id: str
    group: str
    label: dict[str, str]
    description: dict[str, str]
    universe_text: str
    universe_where: dict[str, Any]
    numerator_text: str
    numerator_where: dict[str, Any] | None
    denominator: str
    statistic: str
    unit: str
    variable: str
    direction: str
    standard: str
    source: str
    min_n: int
    items: tuple[str, ...] = ()
    target: float | None = None
    notes: str | None = None

    @property
    def universe(self) -> dict[str, Any]:
        """The universe as in the registry file: ``{"text": ..., "where": {...}}``."""
        return {"text": self.universe_text, "where": dict(self.universe_where)}

    @property
    def numerator(self) -> dict[str, Any]:
        """The numerator as in the registry file: ``{"text": ..., "where": {...} or None}``."""
        return {"text": self.numerator_text, "where": dict(self.numerator_where) if self.numerator_where else None}

    def variables(self) -> list[str]:
        """Derived column(s) the indicator reads: one per item, or just ``variable``."""
        if self.items:
            return [self.variable.format(item=i) for i in self.items]
        return [self.variable]


def _parse_indicator(raw: Mapping[str, Any], defaults: Mapping[str, Any], path: Path) -> Indicator:
    iid = raw.get("id", "?")

    def bad(problem: str) -> ConfigError:
        return ConfigError(f"{path}: indicator {iid!r}: {problem}")

    required = ("id", "group", "label", "description", "universe", "numerator", "denominator",
                "statistic", "unit", "variable", "direction", "standard", "source")
    missing = [k for k in required if k not in raw]
    if missing:
        raise bad(f"missing field(s) {', '.join(missing)}")
    for key in ("label", "description"):
        val = raw[key]
        if not isinstance(val, Mapping) or any(not str(val.get(lang) or "").strip() for lang in LANGS):
            raise bad(f"{key} needs non-empty ky, ru and en texts")
    checks = (("statistic", STATISTICS), ("unit", UNITS), ("direction", DIRECTIONS), ("group", GROUPS))
    for key, allowed in checks:
        if raw[key] not in allowed:
            raise bad(f"{key} {raw[key]!r} is not one of {', '.join(allowed)}")
    uni, num = raw["universe"], raw["numerator"]
    if not isinstance(uni, Mapping) or "text" not in uni or not isinstance(uni.get("where", {}), Mapping):
        raise bad("universe needs text and a where mapping")
    if not isinstance(num, Mapping) or "text" not in num:
        raise bad("numerator needs text")
    if raw["statistic"] == "share" and not isinstance(num.get("where"), Mapping):
        raise bad("a share needs numerator.where")
    items = tuple(raw.get("items") or ())
    if items and "{item}" not in raw["variable"]:
        raise bad("items given but variable has no {item} placeholder")
    return Indicator(
        id=str(raw["id"]), group=raw["group"],
        label={k: str(raw["label"][k]) for k in LANGS},
        description={k: str(raw["description"][k]) for k in LANGS},
        universe_text=str(uni["text"]), universe_where=dict(uni.get("where") or {}),
        numerator_text=str(num["text"]),
        numerator_where=dict(num["where"]) if isinstance(num.get("where"), Mapping) else None,
        denominator=str(raw["denominator"]), statistic=raw["statistic"], unit=raw["unit"],
        variable=str(raw["variable"]), direction=raw["direction"], standard=str(raw["standard"]),
        source=str(raw["source"]), min_n=int(raw.get("min_n", defaults.get("min_n", 10))),
        items=items, target=raw.get("target"), notes=raw.get("notes"),
    )


@lru_cache(maxsize=8)
def _load_registry(path_str: str) -> tuple[tuple[Indicator, ...], dict[str, Any]]:
    path = Path(path_str)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: indicator registry not found") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from exc
    if not isinstance(doc, Mapping) or not isinstance(doc.get("indicators"), list):
        raise ConfigError(f"{path}: expected a mapping with a list 'indicators'")
    defaults = dict(doc.get("defaults") or {})
    out = tuple(_parse_indicator(raw, defaults, path) for raw in doc["indicators"])
    ids = [i.id for i in out]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ConfigError(f"{path}: duplicate indicator id(s) {', '.join(dupes)}")
    return out, defaults


def load_registry(path: str | Path | None = None) -> list[Indicator]:
    """Read the indicator registry (cached per path); raise ConfigError if it is malformed."""
    return list(_load_registry(str(path or REGISTRY_FILE))[0])


def get_indicator(indicator_id: str, path: str | Path | None = None) -> Indicator:
    """Return one indicator of the registry by id."""
    for ind in load_registry(path):
        if ind.id == indicator_id:
            return ind
    known = ", ".join(i.id for i in load_registry(path))
    raise ConfigError(f"unknown indicator {indicator_id!r} — known: {known}")


# ================================================================== small helpers


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    """Column ``name`` or an all-missing column when the frame lacks it."""
    if name in df.columns:
        return df[name]
    return pd.Series([pd.NA] * len(df), index=df.index, dtype="object")


def _codes(s: pd.Series) -> pd.Series:
    """Codes as nullable strings, stripped, empty → <NA>; whole numbers without '.0' (5.0 → '5')."""
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.map({True: "yes", False: "no"}).astype("string")
    if pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype("Float64")
    out = s.astype("string").str.strip().str.replace(r"^(-?\d+)\.0$", r"\1", regex=True)
    return out.mask((out == "").fillna(False))


def _is(s: pd.Series, *codes: str) -> np.ndarray:
    """Plain bool array: value is one of ``codes`` (missing → False)."""
    return _codes(s).isin(codes).fillna(False).to_numpy(dtype=bool)


def _known(s: pd.Series) -> np.ndarray:
    return _codes(s).notna().to_numpy(dtype=bool)


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.astype("object"), errors="coerce").astype("float64")


def _dates(x: Any, df: pd.DataFrame) -> pd.Series:
    """Dates from a column name, a Series or a scalar (a date string too), as datetime64 (NaT when unknown)."""
    if isinstance(x, str) and x not in df.columns and re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", x):
        x = pd.Timestamp(x)
    if isinstance(x, str):
        s = _col(df, x)
    elif isinstance(x, pd.Series):
        s = x.reindex(df.index) if not x.index.equals(df.index) else x
    else:
        s = pd.Series([x] * len(df), index=df.index, dtype="object")
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.astype("datetime64[ns]")
    with warnings.catch_warnings():  # a text that is no date is NaT, without pandas' format-inference warning
        warnings.simplefilter("ignore", UserWarning)
        return pd.to_datetime(s.astype("object"), errors="coerce").astype("datetime64[ns]")


def _yn(s: pd.Series) -> pd.Series:
    """yes/no codes → nullable boolean (anything else → <NA>)."""
    return _tri(_is(s, "yes"), _is(s, "yes", "no"), s.index)


def _tri(true: np.ndarray, known: np.ndarray, index: pd.Index) -> pd.Series:
    """Nullable boolean Series: ``true`` where known, <NA> elsewhere."""
    arr = pd.array(np.asarray(true, dtype=bool), dtype="boolean")
    arr[~np.asarray(known, dtype=bool)] = pd.NA
    return pd.Series(arr, index=index)


def _t(s: pd.Series) -> np.ndarray:
    """Plain bool array: nullable boolean is True."""
    return s.astype("boolean").fillna(False).to_numpy(dtype=bool)


def _f(s: pd.Series) -> np.ndarray:
    """Plain bool array: nullable boolean is False."""
    return (~s.astype("boolean")).fillna(False).to_numpy(dtype=bool)


def _cat(values: Sequence[Any], categories: Sequence[str], index: pd.Index, ordered: bool = True) -> pd.Series:
    return pd.Series(pd.Categorical(list(values), categories=list(categories), ordered=ordered), index=index)


def _consented(df: pd.DataFrame) -> np.ndarray:
    """consent = yes; a frame without a consent column counts as consented rows."""
    if "consent" not in df.columns:
        return np.ones(len(df), dtype=bool)
    return _is(df["consent"], "yes")


def _status(df: pd.DataFrame) -> pd.Series:
    return df["labour_status"] if "labour_status" in df.columns else labour_status(df)


def _emp(df: pd.DataFrame) -> np.ndarray:
    return (_status(df) == "employed").fillna(False).to_numpy(dtype=bool)


# ================================================================== labour status (ILO 19th ICLS)


def labour_status(df: pd.DataFrame) -> pd.Series:
    """ILO labour-force status in the reference week, as an ordered categorical.

    Standard: ILO 19th ICLS (2013), resolution I. The categories are:

    * ``employed``: worked at least 1 hour for pay or profit (``ilo_worked``); OR helped without
      pay in a family business producing for sale (``ilo_family_help``), because contributing
      family workers are employed; OR had a job and was temporarily absent (``ilo_absent``).
    * ``unemployed``: not employed, AND sought work in the last 4 weeks (``ilo_sought``) or has a
      job that starts later (``ilo_future_start``), AND available within 2 weeks (``ilo_available``).
    * ``olf_study``: outside the labour force and studying (``studying`` = yes or
      ``main_activity`` = study).
    * ``olf_other``: outside the labour force for any other reason (not seeking, not available).

    Missing answers follow three-valued logic. A "yes" to any employment item is enough. "Not
    employed" needs a "no" to all three. "Unemployed" needs the search or future-start test and
    availability to be decidable. Rows without consent = yes, and undecidable rows, are ``<NA>``.
    """
    idx = df.index
    worked, fam, absent = (_yn(_col(df, c)) for c in ("ilo_worked", "ilo_family_help", "ilo_absent"))
    emp = worked | fam | absent
    seek = _yn(_col(df, "ilo_sought")) | _yn(_col(df, "ilo_future_start"))
    unemp = seek & _yn(_col(df, "ilo_available"))
    studying = _is(_col(df, "studying"), "yes") | _is(_col(df, "main_activity"), "study")
    ok = _consented(df)
    is_emp, not_emp = _t(emp) & ok, _f(emp) & ok
    out = np.full(len(df), None, dtype=object)
    out[is_emp] = "employed"
    out[not_emp & _t(unemp)] = "unemployed"
    olf = not_emp & _f(unemp)
    out[olf & studying] = "olf_study"
    out[olf & ~studying] = "olf_other"
    return _cat(out, LABOUR_STATUS, idx)


def employed(df: pd.DataFrame) -> pd.Series:
    """Employed (ILO 19th ICLS) as nullable boolean; <NA> when labour status is unknown."""
    st = _status(df)
    return _tri((st == "employed").fillna(False).to_numpy(bool), st.notna().to_numpy(bool), df.index)


def full_time(df: pd.DataFrame, threshold: float = 40) -> pd.Series:
    """Works full-time: employed with ``hours`` ≥ ``threshold`` a week (nullable boolean).

    The Kyrgyz statutory week is 40 hours (the default). QILT uses 35, which is available as a
    parameter. Graduates who are not employed are ``False``. Employed graduates without hours, and
    graduates with an unknown status, are ``<NA>``.
    """
    st = _status(df)
    hours = _num(_col(df, "hours"))
    emp = (st == "employed").fillna(False).to_numpy(bool)
    h_known = hours.notna().to_numpy(bool)
    ft = emp & h_known & (hours.fillna(-1).to_numpy() >= threshold)
    known = (st.notna().to_numpy(bool) & ~emp) | (emp & h_known)
    return _tri(ft, known, df.index)


def available_full_time(
    df: pd.DataFrame, threshold: float = 40, part_timers: str = "non_students"
) -> pd.Series:
    """In QILT's universe of graduates available for full-time work (nullable boolean).

    Standard: QILT Graduate Outcomes Survey. The full-time employment rate is the full-time
    employed divided by those available for full-time work, which QILT defines as the full-time
    employed plus those seeking full-time work.

    Simplification: the contract has no "seeking full-time work" item, so the project counts:

    * full-time employed: True;
    * unemployed (ILO): True, assumed to seek full-time work;
    * employed part-time: ``part_timers="non_students"`` (default) is True unless in full-time
      study (``studying`` = yes and ``study_full_time`` = yes); ``"all"`` is always True;
      ``"none"`` is always False;
    * outside the labour force: False.
    """
    if part_timers not in ("non_students", "all", "none"):
        raise ConfigError(f"part_timers must be non_students, all or none, not {part_timers!r}")
    st = _status(df)
    ft = full_time(df, threshold)
    emp = (st == "employed").fillna(False).to_numpy(bool)
    unemp = (st == "unemployed").fillna(False).to_numpy(bool)
    pt = emp & _f(ft)
    ft_student = _is(_col(df, "studying"), "yes") & _is(_col(df, "study_full_time"), "yes")
    pt_avail = {"all": pt, "none": np.zeros(len(df), bool), "non_students": pt & ~ft_student}[part_timers]
    true = _t(ft) | unemp | pt_avail
    known = st.notna().to_numpy(bool) & ~(emp & ft.isna().to_numpy(bool))
    return _tri(true, known, df.index)


def further_study(df: pd.DataFrame, full_time_only: bool = False) -> pd.Series:
    """Enrolled in a further degree programme (nullable boolean).

    A degree programme is ``studying`` = yes with ``study_level`` in bachelor, master, phd or
    residency; a missing level counts as a degree programme and a short ``course`` does not. With
    ``full_time_only`` the enrolment must also be full-time (``study_full_time`` = yes), as in
    QILT's full-time further study rate. Rows without consent are <NA>.
    """
    ok = _consented(df)
    studying = _col(df, "studying")
    enrolled = _is(studying, "yes") & ~_is(_col(df, "study_level"), "course")
    known = ok & _known(studying)
    if full_time_only:
        sft = _col(df, "study_full_time")
        known = known & (~enrolled | _known(sft))
        enrolled = enrolled & _is(sft, "yes")
    return _tri(enrolled & ok, known, df.index)


def nace_outcome(df: pd.DataFrame) -> pd.Series:
    """First-destination outcome in NACE's categories (ordered categorical).

    Standard: NACE first-destination standards. Each graduate gets the first category that
    applies, in this priority order:

    1. ``employed``: ILO employed, or main_activity work / work_and_study when status is unknown;
    2. ``military``: main_activity = military;
    3. ``continuing_education``: further study (:func:`further_study`), or main_activity = study
       when ``studying`` is unanswered;
    4. ``seeking``: ILO unemployed, or sought work in the last 4 weeks, or main_activity = seeking;
    5. ``not_seeking``: any other known outcome.

    NACE's "service" (volunteer or national service) has no item in the contract. Rows without
    consent, or without labour status and main activity, are <NA> (outcome unknown).
    """
    st = _status(df)
    ma = _col(df, "main_activity")
    ok = _consented(df)
    st_known = st.notna().to_numpy(bool)
    fs = further_study(df)
    emp = (st == "employed").fillna(False).to_numpy(bool) | (~st_known & _is(ma, "work", "work_and_study"))
    mil = ~emp & _is(ma, "military")
    edu = ~emp & ~mil & (_t(fs) | (fs.isna().to_numpy(bool) & _is(ma, "study")))
    seek = ~emp & ~mil & ~edu & (
        (st == "unemployed").fillna(False).to_numpy(bool) | _is(_col(df, "ilo_sought"), "yes")
        | (~st_known & _is(ma, "seeking"))
    )
    known = ok & (st_known | _known(ma))
    out = np.full(len(df), None, dtype=object)
    for mask, name in ((emp, "employed"), (mil, "military"), (edu, "continuing_education"), (seek, "seeking")):
        out[known & mask & (out == None)] = name  # noqa: E711 - elementwise on object array
    out[known & (out == None)] = "not_seeking"  # noqa: E711
    return _cat(out, NACE_OUTCOMES, df.index)


# ================================================================== time to first job


def _months_between(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return ((later - earlier).dt.days / DAYS_PER_MONTH).round(1)


def months_to_first_job(
    df: pd.DataFrame, graduation_date: Any = "graduation_date", survey_date: Any = "survey_date"
) -> pd.DataFrame:
    """Months from graduation to the first job, with censoring and a competing event.

    Returns a frame with four columns, aligned with ``df``: ``time`` (months of 30.4375 days,
    1 decimal), ``event`` (Int64: 1 first job, 2 further study as a competing event, 0 censored),
    ``censored_flag`` and ``before_grad_flag``. The graduation and survey dates may be column
    names, Series or scalars. The rules are applied in order:

    1. ``job_before_grad`` = yes → time 0, event 1, before-graduation flag.
    2. ``first_job_date`` (day 01) on or before the survey date → months since graduation, event 1.
       A job starting in the month of graduation counts as 0. A first-job month before the
       graduation month counts as 0, with the before-graduation flag. The date gives only the
       month, so the time runs to the first day of that month: a lower bound, by less than a month.
    3. Employed now but no date → event 1, time unknown (interval-censored; excluded by the
       models). A first_job_date after the survey date is a future start, not a job yet.
    4. Never employed and in further study without seeking (status ``olf_study``) → event 2 at
       the months since graduation. Graduates who continue their studies are not labour supply
       (ILO Kyrgyz method); they are a competing risk, not censored.
    5. Otherwise → censored (event 0) at the months since graduation at the survey.

    Standard: ETF/Cedefop/ILO (2016) tracer-study guide (time to first job); survival analysis with
    right censoring (Kaplan–Meier, as R ``survfit``) and further study as a competing risk (cumulative
    incidence, Putter, Fiocco & Geskus 2007). Rows with an unknown labour status are all <NA>.
    """
    idx = df.index
    st = _status(df)
    grad = _dates(graduation_date, df)
    surv = _dates(survey_date, df)
    fjd = _dates("first_job_date", df)
    known = st.notna().to_numpy(bool)
    since = _months_between(surv, grad)
    before = _is(_col(df, "job_before_grad"), "yes")
    fj_ok = fjd.notna().to_numpy(bool) & ~(surv.notna() & (fjd > surv)).to_numpy(bool)
    fj_month = fjd.dt.year * 12 + fjd.dt.month
    grad_month = grad.dt.year * 12 + grad.dt.month
    fj_earlier_month = (fj_month < grad_month).fillna(False).to_numpy(bool)
    fj_same_month = (fj_month == grad_month).fillna(False).to_numpy(bool)
    fj_time = _months_between(fjd, grad).clip(lower=0)
    emp = (st == "employed").fillna(False).to_numpy(bool)
    olf_study = (st == "olf_study").fillna(False).to_numpy(bool)

    time = np.full(len(df), np.nan)
    event = np.full(len(df), -1)
    flag_before = np.zeros(len(df), bool)
    r1 = known & before
    time[r1], event[r1], flag_before[r1] = 0.0, 1, True
    r2 = known & ~r1 & fj_ok
    time[r2 & (fj_earlier_month | fj_same_month)] = 0.0
    rest = r2 & ~(fj_earlier_month | fj_same_month)
    time[rest] = fj_time.to_numpy()[rest]
    event[r2] = 1
    flag_before[r2 & fj_earlier_month] = True
    r3 = known & ~r1 & ~r2 & emp
    event[r3] = 1
    r4 = known & ~r1 & ~r2 & ~emp & olf_study
    r5 = known & ~r1 & ~r2 & ~emp & ~olf_study
    time[r4 | r5] = since.to_numpy()[r4 | r5]
    event[r4], event[r5] = 2, 0
    ev = pd.array(event, dtype="Int64")
    ev[event < 0] = pd.NA
    return pd.DataFrame(
        {
            "time": pd.Series(time, index=idx, dtype="float64"),
            "event": pd.Series(ev, index=idx),
            "censored_flag": _tri(r5, known, idx),
            "before_grad_flag": _tri(flag_before, known, idx),
        },
        index=idx,
    )


def job_within_months(ttj: pd.DataFrame, months: float = 6.0) -> pd.Series:
    """First job within ``months`` of graduation (nullable boolean), from :func:`months_to_first_job`.

    Standard: the Indonesian national tracer standard, where a waiting time of 6 months or less is
    "fast". A job before graduation counts as fast (time 0). The value is <NA> for a competing
    event (further study without seeking), for a first job with an unknown date, and for
    graduates observed for less than ``months`` without a job.
    """
    t, e = ttj["time"].to_numpy(float), ttj["event"]
    e1 = (e == 1).fillna(False).to_numpy(bool)
    e0 = (e == 0).fillna(False).to_numpy(bool)
    has_t = ~np.isnan(t)
    true = e1 & has_t & (np.nan_to_num(t, nan=np.inf) <= months)
    known = (e1 & has_t) | (e0 & has_t & (np.nan_to_num(t, nan=-1) >= months))
    return _tri(true, known, ttj.index)


def job_search_months(df: pd.DataFrame, ttj: pd.DataFrame | None = None) -> pd.DataFrame:
    """Job-search duration in months: columns ``months``, ``censored``, ``upper_bound``.

    Standard: ETF/Cedefop/ILO (2016) tracer-study guide (job-search duration). The contract records
    only when the search started (``search_start``: before_grad, at_grad, after_grad,
    not_searched), not its date. So the duration is counted from graduation to the first job
    (:func:`months_to_first_job`), for graduates who searched:

    * before_grad / at_grad: the search after graduation, measured exactly (any search before
      graduation is not counted);
    * after_grad: an upper bound, since the search started some time after graduation, so
      ``upper_bound`` is True;
    * not searched, or unanswered: <NA>;
    * still without a job at the survey (event 0 or 2): the months since graduation, with
      ``censored`` True.
    """
    ttj = months_to_first_job(df) if ttj is None else ttj
    ss = _col(df, "search_start")
    searched = _is(ss, "before_grad", "at_grad", "after_grad")
    e = ttj["event"]
    found = (e == 1).fillna(False).to_numpy(bool)
    known_ev = e.notna().to_numpy(bool)
    t = ttj["time"].to_numpy(float)
    months = np.where(searched & known_ev, t, np.nan)
    known = searched & known_ev & ~np.isnan(months)
    return pd.DataFrame(
        {
            "months": pd.Series(months, index=df.index, dtype="float64"),
            "censored": _tri(~found, known, df.index),
            "upper_bound": _tri(_is(ss, "after_grad"), known, df.index),
        },
        index=df.index,
    )


# ================================================================== occupation, sector, job


def isco_major_from(df: pd.DataFrame) -> pd.Series:
    """ISCO-08 major group ('0'–'9'): the first digit of ``isco_code``, else ``isco_major``.

    ``isco_code`` is coded by staff from the job title, so it wins over the respondent's own
    choice. Codes that are not 2–4 digits are ignored. Returns nullable strings.
    """
    code = _codes(_col(df, "isco_code"))
    valid = code.str.fullmatch(r"[0-9]{2,4}").fillna(False)
    major = _codes(_col(df, "isco_major"))
    major = major.where(major.str.fullmatch(r"[0-9]").fillna(False))
    return code.str[0].where(valid, major).astype("string")


def isco_submajor_from(df: pd.DataFrame) -> pd.Series:
    """ISCO-08 sub-major group (2 digits) from ``isco_code``; <NA> when only the major group is known."""
    code = _codes(_col(df, "isco_code"))
    valid = code.str.fullmatch(r"[0-9]{2,4}").fillna(False)
    return code.str[:2].where(valid).astype("string")


_SKILL_BY_MAJOR = {"1": "3-4", "2": "4", "3": "3", "4": "2", "5": "2", "6": "2", "7": "2", "8": "2", "9": "1"}
_SKILL_ARMED = {"01": "4", "02": "2", "03": "1"}


def skill_level(isco_major: pd.Series, isco_submajor: pd.Series | None = None) -> pd.Series:
    """ISCO-08 skill level of the occupation (ordered categorical '1' < '2' < '3' < '3-4' < '4').

    Standard: ILO (2012), ISCO-08 vol. I, mapping of the major groups to the four skill levels.
    Managers (1) span levels 3 and 4, professionals (2) are level 4, technicians and associate
    professionals (3) are level 3, major groups 4–8 are level 2, and elementary occupations (9)
    are level 1. Armed forces (0) are mixed: commissioned officers (01) are level 4,
    non-commissioned officers (02) level 2, other ranks (03) level 1. Major group 0 without a
    sub-major group is <NA>.
    """
    major = _codes(isco_major)
    sub = _codes(isco_submajor) if isco_submajor is not None else pd.Series(pd.NA, index=major.index, dtype="string")
    out = [_skill_of(m, s) for m, s in zip(major.tolist(), sub.tolist())]
    return _cat(out, SKILL_LEVELS, major.index)


def _skill_of(major: Any, sub: Any) -> str | None:
    if not isinstance(major, str):
        return None
    if major == "0":
        return _SKILL_ARMED.get(sub) if isinstance(sub, str) else None
    return _SKILL_BY_MAJOR.get(major)


def sector(df: pd.DataFrame) -> pd.DataFrame:
    """Economic sector of the job: ``gked_section`` (ГКЭД-3 / NACE Rev.2 section A–U) and ``sector_broad``.

    The broad sectors follow ILO: agriculture (A), industry (B–F), services (G–U). Only employed
    graduates get a value; invalid codes are <NA>.
    """
    emp = _emp(df)
    code = _codes(_col(df, "sector")).str.upper()
    sec = [c if e and isinstance(c, str) and c in GKED else None for c, e in zip(code.tolist(), emp)]
    broad = [None if s is None else "agriculture" if s == "A" else "industry" if s in "BCDEF" else "services"
             for s in sec]
    return pd.DataFrame(
        {"gked_section": _cat(sec, GKED, df.index, ordered=False),
         "sector_broad": _cat(broad, SECTOR_BROAD, df.index, ordered=False)},
        index=df.index,
    )


def informal(df: pd.DataFrame) -> pd.Series:
    """The job is informal (nullable boolean; employed graduates only).

    Standard: ILO 17th ICLS guidelines (2003) on informal employment, operationalised with the
    contract's items:

    * contributing family workers (``emp_type`` = family_worker, or unpaid family help only) are
      always informal;
    * employees and paid interns (and employed graduates with no ``emp_type``) are informal if
      ``contract`` is verbal or none, OR ``social_fund`` = no. They are formal if the contract is
      written AND social_fund = yes. Otherwise (written contract, contributions unknown) <NA>;
    * the self-employed and employers follow their enterprise. The contract does not ask whether
      it is registered, so Social Fund contributions stand in: no → informal, yes → formal,
      don't know → <NA>.
    """
    emp = _emp(df)
    et, c, sf = _col(df, "emp_type"), _col(df, "contract"), _col(df, "social_fund")
    family = _is(et, "family_worker") | (
        ~_known(et) & ~_is(_col(df, "ilo_worked"), "yes") & _is(_col(df, "ilo_family_help"), "yes")
    )
    own = _is(et, "self_employed", "employer")
    employee = ~family & ~own
    emp_inf = _is(c, "verbal", "none") | _is(sf, "no")
    emp_formal = _is(c, "written") & _is(sf, "yes")
    true = emp & (family | (employee & emp_inf) | (own & _is(sf, "no")))
    known = emp & (family | (employee & (emp_inf | emp_formal)) | (own & _is(sf, "yes", "no")))
    return _tri(true, known, df.index)


def abroad(df: pd.DataFrame) -> pd.Series:
    """Works abroad: employed with ``work_country`` other than KG (nullable boolean)."""
    emp = _emp(df)
    wc = _col(df, "work_country")
    return _tri(emp & _known(wc) & ~_is(wc, "KG"), emp & _known(wc), df.index)


def works_in_region(df: pd.DataFrame, region: str = "jalal_abad") -> pd.Series:
    """Works in the home region: employed, ``work_country`` = KG and ``work_oblast`` = ``region``.

    Employed graduates working abroad, or in another oblast, are False. An unknown location is <NA>.
    """
    emp = _emp(df)
    wc, wo = _col(df, "work_country"), _col(df, "work_oblast")
    kg = _is(wc, "KG")
    true = emp & kg & _is(wo, region)
    known = emp & ((kg & _known(wo)) | (_known(wc) & ~kg))
    return _tri(true, known, df.index)


def _scale_ge(df: pd.DataFrame, col: str, cut: float, mask: np.ndarray) -> pd.Series:
    v = _num(_col(df, col))
    ok = mask & v.notna().to_numpy(bool)
    return _tri(ok & (v.fillna(0).to_numpy() >= cut), ok, df.index)


# ================================================================== income


def _band_mid(code: Any) -> float:
    if not isinstance(code, str):
        return np.nan
    for name, lo, hi in INCOME_BANDS:
        if code == name:
            return np.nan if hi is None else (lo + hi) / 2
    return np.nan


def _band_of(value: float) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    for name, lo, hi in INCOME_BANDS:
        if value >= lo and (hi is None or value < hi):
            return name
    return None


def income_kgs(df: pd.DataFrame) -> pd.DataFrame:
    """Monthly net income in KGS, exact and band, kept apart (employed graduates only).

    Returns the columns:

    * ``income_kgs``: the exact amount (``income``), the only source of income statistics.
    * ``income_band_mid_kgs``: the midpoint of ``income_band`` when the exact amount was skipped.
      It is a fallback for rough analyses. The open top band (gt50k) and ``refuse`` have no
      midpoint.
    * ``income_from_band``: True when only the band is known, False when the exact amount is.
    * ``income_band_any``: the band, taken from the exact amount (lower bound inclusive) or from
      the band answer. It lets tables by band use every answer without mixing numbers.
    """
    emp = _emp(df)
    inc = _num(_col(df, "income")).where(emp)
    band = _codes(_col(df, "income_band"))
    exact = inc.notna().to_numpy(bool)
    valid_band = band.isin([b for b, _, _ in INCOME_BANDS]).fillna(False).to_numpy(bool)
    from_band = emp & ~exact & valid_band
    mids = np.array([_band_mid(b) for b in band.tolist()], dtype=float)
    any_band = [_band_of(v) if x else (b if fb else None)
                for v, x, b, fb in zip(inc.tolist(), exact, band.tolist(), from_band)]
    return pd.DataFrame(
        {
            "income_kgs": inc,
            "income_band_mid_kgs": pd.Series(np.where(from_band, mids, np.nan), index=df.index),
            "income_from_band": _tri(from_band, exact | from_band, df.index),
            "income_band_any": _cat(any_band, [b for b, _, _ in INCOME_BANDS], df.index),
        },
        index=df.index,
    )


def _unpaid(df: pd.DataFrame) -> np.ndarray:
    et = _col(df, "emp_type")
    return _is(et, "family_worker") | (
        ~_known(et) & ~_is(_col(df, "ilo_worked"), "yes") & _is(_col(df, "ilo_family_help"), "yes")
    )


def income_for_statistics(
    df: pd.DataFrame, threshold: float = 40, trim: bool = False, min_wage: float | None = None
) -> pd.DataFrame:
    """Income that enters income statistics (``income_stat``) and why others are left out.

    Standard: QILT (median salary of the full-time employed) and HESA Graduate Outcomes (salaries
    of full-time paid employment). The universe is employed, full-time (:func:`full_time`), paid
    work, with an exact income. With ``trim=True`` the HESA trimming rule is applied on top:
    incomes below the monthly minimum wage (for full-time work) are dropped, and so are the
    ``floor(0.001 · n)`` highest incomes, the top 0.1% (none when n < 1000). Ties are broken by
    row order.

    ``income_excluded_reason`` says why an employed graduate's income is left out:
    unpaid_family_work, no_exact_income, hours_unknown, not_full_time, below_min_wage or
    top_0_1pct. It is <NA> for included and non-employed rows.
    """
    emp = _emp(df)
    inc = df["income_kgs"] if "income_kgs" in df.columns else income_kgs(df)["income_kgs"]
    ft = full_time(df, threshold)
    reason = np.full(len(df), None, dtype=object)
    checks = (
        (_unpaid(df), "unpaid_family_work"),
        (inc.isna().to_numpy(bool), "no_exact_income"),
        (ft.isna().to_numpy(bool), "hours_unknown"),
        (_f(ft), "not_full_time"),
    )
    for mask, name in checks:
        reason[emp & mask & (reason == None)] = name  # noqa: E711
    if trim:
        if min_wage is None or not np.isfinite(min_wage):
            raise ConfigError("income trimming (income_trim) needs a minimum wage: set min_wage_kgs "
                              "or allow the open-data lookup")
        low = emp & (reason == None) & (inc.fillna(np.inf).to_numpy() < min_wage)  # noqa: E711
        reason[low] = "below_min_wage"
        keep = np.flatnonzero(emp & (reason == None))  # noqa: E711
        k = int(math.floor(0.001 * len(keep)))
        if k:
            vals = inc.to_numpy(float)[keep]
            top = keep[np.argsort(-vals, kind="stable")[:k]]
            reason[top] = "top_0_1pct"
    included = emp & (reason == None)  # noqa: E711
    return pd.DataFrame(
        {
            "income_stat": inc.where(included).astype("float64"),
            "income_excluded_reason": _cat(reason, INCOME_EXCLUSION, df.index, ordered=False),
        },
        index=df.index,
    )


def income_relative(
    df: pd.DataFrame, oblast_wage: float | None, min_wage: float | None, threshold: float = 40
) -> pd.DataFrame:
    """Income relative to the oblast average wage, and a below-minimum-wage flag.

    Returns the columns:

    * ``income_rel_oblast``: ``income_stat`` divided by the oblast's average monthly wage (a
      ratio; 1 = the average). ``income_stat`` comes from :func:`income_for_statistics` when the
      frame lacks it. Standard: ELA/MLASZ, earnings relative to the local average wage.
    * ``below_min_wage``: for full-time paid employees with an exact income (before trimming),
      whether ``income_kgs`` is below ``min_wage``.

    Both comparators are gross monthly figures, while ``income`` is net. See
    :mod:`analysis.derive.opendata` for the caveat. A missing comparator gives <NA>, never a guess.
    """
    emp = _emp(df)
    inc = df["income_kgs"] if "income_kgs" in df.columns else income_kgs(df)["income_kgs"]
    stat = df["income_stat"] if "income_stat" in df.columns else income_for_statistics(df, threshold)["income_stat"]
    ow = float(oblast_wage) if oblast_wage is not None and np.isfinite(oblast_wage) and oblast_wage > 0 else np.nan
    rel = (stat / ow).astype("float64")
    base = emp & ~_unpaid(df) & _t(full_time(df, threshold)) & inc.notna().to_numpy(bool)
    mw = float(min_wage) if min_wage is not None and np.isfinite(min_wage) else np.nan
    below = base & (inc.fillna(np.inf).to_numpy() < mw)
    return pd.DataFrame(
        {"income_rel_oblast": rel, "below_min_wage": _tri(below, base & ~np.isnan(mw), df.index)},
        index=df.index,
    )


# ================================================================== mismatch (ILO 20th ICLS)


def vertical_match_subjective(df: pd.DataFrame) -> pd.Series:
    """Self-assessed vertical match (ordered categorical; employed only).

    Standard: ILO 20th ICLS guidelines (2018) on skills mismatch, subjective approach. The item is
    ``vertical_match``: which education level fits the job best (Indonesian standard
    questionnaire). ``same`` → matched; ``lower`` or ``none_needed`` → over_educated;
    ``higher`` → under_educated.
    """
    emp = _emp(df)
    vm = _codes(_col(df, "vertical_match"))
    m = {"same": "matched", "lower": "over_educated", "none_needed": "over_educated", "higher": "under_educated"}
    out = [m.get(v) if e and isinstance(v, str) else None for v, e in zip(vm.tolist(), emp)]
    return _cat(out, VM_SUBJECTIVE, df.index)


#: ISCED 2011 levels required by each ISCO-08 major group (ILO 2012: skill level 1 ↔ ISCED 1,
#: level 2 ↔ ISCED 2–4, level 3 ↔ ISCED 5, level 4 ↔ ISCED 6–8; major group 1 spans levels 3–4)
_REQUIRED_ISCED = {"1": (5, 8), "2": (6, 8), "3": (5, 5), "4": (2, 4), "5": (2, 4), "6": (2, 4),
                   "7": (2, 4), "8": (2, 4), "9": (1, 1), "01": (6, 8), "02": (2, 4), "03": (1, 1)}


def vertical_match_normative(
    isco_major: pd.Series,
    isced_level: pd.Series,
    isco_submajor: pd.Series | None = None,
    rule: str = "eurostat",
) -> pd.Series:
    """Normative vertical match: the job's skill level against the qualification's ISCED level.

    Standard: ILO 20th ICLS guidelines (2018) on skills mismatch, normative approach. The ISCO-08
    skill levels come from ILO (2012), vol. I, and are mapped to ISCED 2011 as level 1 ↔ ISCED 1,
    level 2 ↔ ISCED 2–4, level 3 ↔ ISCED 5, level 4 ↔ ISCED 6–8.

    * ``rule="eurostat"`` (default): tertiary graduates at ISCED 6–8 are ``matched`` in ISCO major
      groups 1–3 and ``over_qualified`` in 4–9, as in Eurostat's experimental over-qualification
      rate. Other levels follow the ILO mapping. A college graduate (ISCED 5) is then matched in
      groups 1 (managers span levels 3–4) and 3, under-qualified in 2 (professionals need ISCED 6+),
      and over-qualified in 4–9. An ISCED 4 graduate is matched in 4–8, under-qualified in 1–3 and
      over-qualified in 9.
    * ``rule="ilo"``: the strict ILO mapping at every level. A bachelor in ISCO group 3 (level 3 ↔
      ISCED 5) is then over-qualified.

    Armed forces need the sub-major group (01/02/03); major group 0 alone is <NA>.
    """
    if rule not in ("eurostat", "ilo"):
        raise ConfigError(f"normative vertical-match rule must be eurostat or ilo, not {rule!r}")
    major = _codes(isco_major)
    sub = _codes(isco_submajor) if isco_submajor is not None else pd.Series(pd.NA, index=major.index, dtype="string")
    lvl = _num(isced_level)
    out = []
    for m, s, lv in zip(major.tolist(), sub.tolist(), lvl.tolist()):
        key = None if not isinstance(m, str) else m if m != "0" else s if isinstance(s, str) else None
        if key not in _REQUIRED_ISCED or lv is None or math.isnan(lv):
            out.append(None)
            continue
        if rule == "eurostat" and lv >= 6 and key in ("1", "2", "3", "4", "5", "6", "7", "8", "9"):
            out.append("matched" if key in ("1", "2", "3") else "over_qualified")
            continue
        lo, hi = _REQUIRED_ISCED[key]
        out.append("over_qualified" if lv > hi else "under_qualified" if lv < lo else "matched")
    return _cat(out, VM_NORMATIVE, major.index)


def horizontal_match_subjective(df: pd.DataFrame) -> pd.Series:
    """Self-assessed field match: ``horizontal_match`` ≥ 4 on the 5-point scale (employed only).

    Standard: ILO 20th ICLS guidelines (2018), subjective field-of-study match. The item is the
    Indonesian standard's "how closely is your field of study related to your job"; 4 = closely
    and 5 = very closely count as matched.
    """
    return _scale_ge(df, "horizontal_match", 4, _emp(df))


def horizontal_match_normative(
    isco_code: pd.Series, expected_isco: pd.Series, isco_major: pd.Series | None = None
) -> pd.Series:
    """Normative field match: the job's ISCO-08 sub-major group is in the programme's expected list.

    Standard: ILO 20th ICLS guidelines (2018). Horizontal mismatch is measured normatively by
    crossing the ISCED-F field of study with ISCO occupations. ``expected_isco`` is the
    crosswalk's ``;``-separated list of sub-major groups (``definitions/programmes.csv``, basis in
    ``programmes_sources.md``). With only a major group (no valid ``isco_code``), the result is
    False if no expected group lies in that major group, and <NA> otherwise (undecidable).
    """
    code = _codes(isco_code)
    valid = code.str.fullmatch(r"[0-9]{2,4}").fillna(False)
    sub = code.str[:2].where(valid)
    major = _codes(isco_major) if isco_major is not None else code.str[0].where(valid)
    exp = _codes(expected_isco)
    true, known = [], []
    for s, m, e in zip(sub.tolist(), major.tolist(), exp.tolist()):
        groups = {g.strip() for g in e.split(";") if g.strip()} if isinstance(e, str) else set()
        if groups and isinstance(s, str):
            true.append(s in groups)
            known.append(True)
        elif groups and isinstance(m, str) and not any(g.startswith(m) for g in groups):
            true.append(False)
            known.append(True)
        else:
            true.append(False)
            known.append(False)
    return _tri(np.array(true, bool), np.array(known, bool), code.index)


_NEED = {"same": 2, "higher": 2, "lower": 1, "none_needed": 0}


def degree_effectiveness(df: pd.DataFrame) -> pd.Series:
    """AlmaLaurea's effectiveness of the degree, 5 levels (ordered categorical; employed only).

    Standard: AlmaLaurea, *Condizione occupazionale dei Laureati*, methodological notes. The
    "efficacia della laurea" combines the need of the degree for the job (formally or in
    substance) with the use at work of the competences acquired at university. The project maps
    the contract's items to AlmaLaurea's two components and scores each 0–2:

    * need, from ``vertical_match``: same or higher = required or necessary (2); lower = useful but
      not required (1); none_needed = neither required nor useful (0);
    * use, from ``usefulness`` of the programme for the current work (1–5): 4–5 = high use (2);
      2–3 = reduced use (1); 1 = no use (0).

    The level is the sum: 4 very_effective, 3 effective, 2 fairly_effective, 1 slightly_effective,
    0 not_effective. This gives AlmaLaurea's published cells: required with high use is very
    effective; required with reduced use, or useful with high use, is effective; useful with
    reduced use is fairly effective; useful with no use, or not needed with reduced use, is
    slightly effective; not needed with no use is not effective. Two combinations are rare and not
    spelled out in the notes; the sum puts both at fairly_effective: required with no use, and not
    needed with high use.
    """
    emp = _emp(df)
    vm = _codes(_col(df, "vertical_match")).tolist()
    use = _num(_col(df, "usefulness")).tolist()
    out = []
    for v, u, e in zip(vm, use, emp):
        if not e or not isinstance(v, str) or v not in _NEED or u is None or math.isnan(u):
            out.append(None)
            continue
        use_score = 2 if u >= 4 else 1 if u >= 2 else 0
        out.append(EFFECTIVENESS[_NEED[v] + use_score])
    return _cat(out, EFFECTIVENESS, df.index)


def competence_gap(df: pd.DataFrame) -> pd.DataFrame:
    """Competence gap per item: ``comp_gap_<c>`` = ``comp_job_<c>`` − ``comp_grad_<c>`` (−4 … +4).

    Standard: Indonesian national tracer questionnaire. It compares competences at graduation (A,
    phase 1) with those required in the current job (B, phase 2). The two phases must be linked
    on the graduate's id. Positive values are shortfalls. Either item missing gives <NA>.
    """
    return pd.DataFrame(
        {f"comp_gap_{c}": _num(_col(df, f"comp_job_{c}")) - _num(_col(df, f"comp_grad_{c}")) for c in COMPETENCES},
        index=df.index,
    )


def programme_eval_score(df: pd.DataFrame, min_items: int = 3) -> pd.Series:
    """Programme evaluation score: the mean of a graduate's phase-1 ratings (1–5).

    The items are eval_content, eval_practical, eval_teachers, eval_equipment and eval_overall.
    At least ``min_items`` must be answered; otherwise the score is <NA>.

    Standard: ETF/Cedefop/ILO (2016) tracer-study guide, evaluation of teaching and of the programme.
    """
    items = ["eval_content", "eval_practical", "eval_teachers", "eval_equipment", "eval_overall"]
    vals = pd.concat([_num(_col(df, c)) for c in items], axis=1)
    score = vals.mean(axis=1, skipna=True)
    ok = (vals.notna().sum(axis=1) >= min_items) & pd.Series(_consented(df), index=df.index)
    return score.where(ok).astype("float64")


# ================================================================== assembling the graduates table


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
            sub = sub.assign(consent=_col(sub, "consent").astype("object").where(asked, "yes"))
        consented = int(_consented(sub).sum()) if "consent" in sub.columns else 0
        if "consent" not in sub.columns:
            valid = np.zeros(len(sub), bool)
        elif name == "phase1":
            valid = _consented(sub) & _known(_col(sub, "job_status")) & _known(_col(sub, "plan"))
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
        base[c] = _col(reg, c)
    base["graduation_date"] = _dates("graduation_date", reg)
    base["gpa"] = _num(base["gpa"])
    for c in ("sex", "programme", "faculty", "level", "funding", "home_oblast", "home_rayon"):
        base[c] = _codes(base[c])
    if "age_at_grad" in reg.columns:  # the processed registry carries the age, not the date of birth
        base["age_at_grad"] = _num(reg["age_at_grad"]).astype("Float64").astype("Int64")
    else:
        base["age_at_grad"] = age_in_completed_years(_dates("date_of_birth", reg), base["graduation_date"])

    progs = load_programmes() if programmes is None else programmes
    xw = progs.copy()
    xw["programme"] = _codes(_col(xw, "programme"))
    xw = xw.drop_duplicates("programme").set_index("programme")
    prog = base["programme"]
    base["isced_level"] = _num(prog.map(_col(xw, "isced_level"))).astype("Float64").astype("Int64")
    base["isced_f"] = prog.map(_col(xw, "isced_f")).astype("string")
    base["expected_isco"] = prog.map(_col(xw, "expected_isco")).astype("string")

    p1 = _align(phase1, base[id_col], id_col, "phase1")
    p2 = _align(phase2, base[id_col], id_col, "phase2")

    # ---- phase-1 flags and scores
    p1c = p1
    if "_not_asked" in p1.columns:  # a survey that never asked consent: the graduate answered it
        no_consent_q = p1["_not_asked"].map(lambda v: isinstance(v, str) and "consent" in v.split()).astype(bool)
        p1c = p1.assign(consent=_col(p1, "consent").astype("object").where(~no_consent_q, "yes"))
    p1_ok = _consented(p1c) if "consent" in p1c.columns else np.zeros(len(base), bool)
    resp_p1 = p1_ok & _known(_col(p1, "job_status")) & _known(_col(p1, "plan"))
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
    d["survey_date"] = _dates("survey_date", d)
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
    out["unemployed"] = _tri((st == "unemployed").fillna(False).to_numpy(bool), known_st, idx)
    out["in_labour_force"] = _tri(st.isin(["employed", "unemployed"]).to_numpy(bool), known_st, idx)
    out["full_time"] = full_time(d, p.full_time_hours)
    out["available_full_time"] = available_full_time(d, p.full_time_hours, p.part_timers_available)
    out["further_study"] = further_study(d)
    out["further_study_ft"] = further_study(d, full_time_only=True)
    out["nace_outcome"] = nace
    ce = nace.isin(["employed", "military", "continuing_education"]).to_numpy(bool)
    out["career_outcome"] = _tri(ce, ce | (nace == "seeking").fillna(False).to_numpy(bool), idx)

    out["months_since_grad"] = _months_between(d["survey_date"], d["graduation_date"]).where(known_st)
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
    out["high_skilled"] = _tri(sl.isin(["3", "3-4", "4"]).to_numpy(bool), sl.notna().to_numpy(bool), idx)
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
    hm = horizontal_match_normative(_col(d, "isco_code").where(emp_np), base["expected_isco"], isco1)
    out["hm_normative"] = hm.where(pd.Series(emp_np, index=idx))
    out["degree_effectiveness"] = degree_effectiveness(d)
    linked = pd.concat([p1[[c for c in p1.columns if c.startswith("comp_grad_")]],
                        d[[c for c in d.columns if c.startswith("comp_job_")]]], axis=1)
    gap = competence_gap(linked)
    gap_ok = pd.Series(emp_np & p1_ok, index=idx)
    for c in gap.columns:
        out[c] = gap[c].where(gap_ok)
    out["job_satisfied"] = _scale_ge(d, "job_satisfaction", 4, emp_np)
    out["usefulness_high"] = _scale_ge(d, "usefulness", 4, emp_np)
    out["programme_eval_score"] = programme_eval_score(p1_eval).where(pd.Series(p1_ok, index=idx))
    nme = _col(d, "need_more_education")
    out["needs_more_education"] = _tri(_is(nme, "yes"), known_st & _is(nme, "yes", "no"), idx)

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
        r = pd.DataFrame({c: _col(frame, c) for c in cols}, index=idx)
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


# ================================================================== computing indicators


def _where(df: pd.DataFrame, where: Mapping[str, Any] | None) -> np.ndarray:
    """Rows satisfying a registry condition (AND of clauses; missing values never match)."""
    mask = np.ones(len(df), dtype=bool)
    for col, cond in (where or {}).items():
        if col not in df.columns:
            raise ConfigError(f"indicator condition refers to column {col!r}, which the graduates table lacks")
        s = df[col]
        if isinstance(cond, Mapping):
            for op, val in cond.items():
                if op == "notna":
                    m = s.notna().to_numpy(bool) == bool(val)
                elif op in ("ge", "gt", "le", "lt", "ne"):
                    num = _num(s) if not isinstance(val, str) else _codes(s)
                    m = getattr(num, op)(val).fillna(False).to_numpy(bool) & num.notna().to_numpy(bool)
                elif op == "in":
                    m = _match_values(s, list(val))
                else:
                    raise ConfigError(f"unknown operator {op!r} in condition on {col!r}")
                mask &= m
        elif isinstance(cond, (list, tuple)):
            mask &= _match_values(s, list(cond))
        else:
            mask &= _match_values(s, [cond])
    return mask


def _match_values(s: pd.Series, values: list[Any]) -> np.ndarray:
    if isinstance(s.dtype, pd.BooleanDtype) or s.dtype == bool:
        b = s.astype("boolean")
        out = np.zeros(len(s), bool)
        for v in values:
            out |= (b == bool(v)).fillna(False).to_numpy(bool)
        return out
    if pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype):
        return _num(s).isin([float(v) for v in values]).to_numpy(bool)
    return s.astype("object").isin([str(v) if not isinstance(v, bool) else v for v in values]).to_numpy(bool)


def indicator_values(graduates: pd.DataFrame, ind: Indicator | str, item: str | None = None) -> pd.Series | None:
    """Per-graduate value of one registry indicator: the one definition every estimate starts from.

    Shares give 1 (numerator) / 0 (in the universe, not in the numerator); means and medians give the
    variable's number; graduates outside the universe, or whose variable is unknown, give NaN.
    :mod:`analysis.results.table` turns these values into unweighted, weighted and census estimates by group.

    Parameters
    ----------
    graduates
        The table from :func:`derive_graduates`, one row per graduate.
    ind
        An :class:`Indicator` or an ``id`` of ``definitions/indicators.yaml``.
    item
        For per-item indicators (``{item}`` in the variable), the item.

    Returns
    -------
    pandas.Series or None
        Float values aligned with ``graduates``; ``None`` when the table lacks a column the definition
        needs (a question that was not asked, e.g. in a legacy survey), or for a response indicator when
        no graduate is from a registry (``in_registry`` False on every row: the study has none): the
        indicator is *not measured*, which is different from zero.
    """
    ind = get_indicator(ind) if isinstance(ind, str) else ind
    var = ind.variable.replace("{item}", item) if item else ind.variable
    needed = {var, *(ind.universe_where or {}), *(ind.numerator_where or {})} if ind.statistic == "share" \
        else {var, *(ind.universe_where or {})}
    if ind.group == "response" and "in_registry" in graduates.columns and not graduates["in_registry"].any():
        return None  # a rate over every graduate of the registry: no registry, no rate
    if any(c not in graduates.columns for c in needed):
        return None
    universe = _where(graduates, ind.universe_where)
    known = graduates[var].notna().to_numpy(bool)
    if ind.statistic == "share":
        y = _where(graduates, ind.numerator_where).astype(float)
    else:
        y = _num(graduates[var]).to_numpy(float)
    return pd.Series(np.where(universe & known, y, np.nan), index=graduates.index, dtype="float64")


def indicator_universe(graduates: pd.DataFrame, ind: Indicator | str) -> np.ndarray | None:
    """Which graduates are in the indicator's universe (its ``universe.where``), whatever their value.

    With :func:`indicator_values` it tells an empty universe (nobody to ask: e.g. no employed respondent)
    from unanswered questions (people to ask, no answers): the results layer says which, instead of a
    bare "no data". ``None`` when the table lacks a column of the condition (not measured).
    """
    ind = get_indicator(ind) if isinstance(ind, str) else ind
    if any(c not in graduates.columns for c in (ind.universe_where or {})):
        return None
    return _where(graduates, ind.universe_where)


# ================================================================== documentation


_T = {
    "title": {"en": "Standard indicators", "ru": "Стандартные показатели", "ky": "Стандарттык көрсөткүчтөр"},
    "intro": {
        "en": "Each indicator of the graduate tracer study is defined once, in the registry "
              "`src/analysis/definitions/indicators.yaml`. Code, reports and this page all read it. "
              "Values are computed from the graduates table (one row per graduate of the registry) by "
              "`analysis.derive.indicators.indicator_values` and estimated by `analysis.results.table`, weighted and "
              "design-based with `analysis.stats.survey`. Shares are proportions (0–1); reports print them as "
              "percentages. "
              "Disclosure control (HESA rounding, primary and secondary suppression) is applied once to the "
              "results table before anything is published (`analysis.publish.disclosure.publish`).",
        "ru": "Каждый показатель исследования выпускников определён один раз в реестре "
              "`src/analysis/definitions/indicators.yaml`. Код, отчёты и эта страница используют его. "
              "Значения рассчитываются по таблице выпускников (одна строка на выпускника реестра) функцией "
              "`analysis.derive.indicators.indicator_values` и оцениваются модулем `analysis.results.table` "
              "(взвешенные "
              "оценки с дизайн-ориентированными ошибками — `analysis.stats.survey`). Доли даны от 0 до 1, в отчётах — "
              "в процентах. Защита конфиденциальности (округление по правилам HESA, первичное и вторичное "
              "подавление) применяется один раз к таблице результатов до публикации "
              "(`analysis.publish.disclosure.publish`).",
        "ky": "Бүтүрүүчүлөрдү изилдөөнүн ар бир көрсөткүчү `src/analysis/definitions/indicators.yaml` "
              "реестринде бир жолу аныкталат. Код, отчеттор жана бул барак ошол реестрди колдонот. "
              "Маанилер бүтүрүүчүлөр таблицасынан (реестрдеги ар бир бүтүрүүчүгө бир сап) "
              "`analysis.derive.indicators.indicator_values` функциясы менен эсептелип, `analysis.results.table` "
              "модулунда "
              "бааланат (салмактанган баалоолор жана алардын каталары — `analysis.stats.survey`). Үлүштөр 0дөн 1ге "
              "чейин берилет, отчетто пайыз менен көрсөтүлөт. Купуялуулукту коргоо (HESA боюнча тегеректөө, "
              "биринчилик жана экинчилик жашыруу) жарыялоонун алдында натыйжалар таблицасына бир жолу "
              "колдонулат (`analysis.publish.disclosure.publish`).",
    },
    "generated": {
        "en": "Generated from the registry by `analysis.derive.indicators.write_indicator_docs`; do not edit by hand.",
        "ru": "Создано из реестра функцией `analysis.derive.indicators.write_indicator_docs`; не редактируйте вручную.",
        "ky": "Реестрден `analysis.derive.indicators.write_indicator_docs` функциясы менен түзүлгөн; кол менен "
              "өзгөртпөңүз.",
    },
    "tech_en": {
        "en": "",
        "ru": "Технические определения (совокупность, числитель, знаменатель, источники) приводятся на английском "
              "языке, как в реестре.",
        "ky": "Техникалык аныктамалар (жыйындысы, алымы, бөлүмү, булактар) реестрдегидей англис тилинде берилет.",
    },
    "summary": {"en": "Summary", "ru": "Сводка", "ky": "Кыскача маалымат"},
    "indicator": {"en": "Indicator", "ru": "Показатель", "ky": "Көрсөткүч"},
    "universe": {"en": "Universe", "ru": "Совокупность", "ky": "Жыйындысы"},
    "condition": {"en": "condition", "ru": "условие", "ky": "шарты"},
    "numerator": {"en": "Numerator", "ru": "Числитель", "ky": "Алымы"},
    "denominator": {"en": "Denominator", "ru": "Знаменатель", "ky": "Бөлүмү"},
    "statistic": {"en": "Statistic", "ru": "Статистика", "ky": "Статистика"},
    "unit": {"en": "Unit", "ru": "Единица", "ky": "Бирдиги"},
    "variable": {"en": "Variable", "ru": "Переменная", "ky": "Өзгөрмө"},
    "items": {"en": "Items", "ru": "Пункты", "ky": "Пункттар"},
    "direction": {"en": "Direction", "ru": "Направление", "ky": "Багыты"},
    "standard": {"en": "Standard", "ru": "Стандарт", "ky": "Стандарт"},
    "source": {"en": "Source", "ru": "Источник", "ky": "Булак"},
    "min_n": {"en": "Minimum n", "ru": "Минимальное n", "ky": "Минималдуу n"},
    "target": {"en": "Target", "ru": "Цель", "ky": "Максат"},
    "notes": {"en": "Notes", "ru": "Примечания", "ky": "Эскертүүлөр"},
    "derived": {"en": "Derived variables", "ru": "Производные переменные", "ky": "Туунду өзгөрмөлөр"},
    "derived_intro": {
        "en": "Rules of the per-graduate variables, from the docstrings of `analysis.derive.indicators`:",
        "ru": "Правила расчёта переменных по каждому выпускнику (из документации `analysis.derive.indicators`, на "
              "английском):",
        "ky": "Ар бир бүтүрүүчү үчүн өзгөрмөлөрдүн эрежелери (`analysis.derive.indicators` документациясынан, англис "
              "тилинде):",
    },
    "higher_is_better": {"en": "higher is better", "ru": "чем выше, тем лучше",
                        "ky": "канчалык жогору болсо, ошончолук жакшы"},
    "lower_is_better": {"en": "lower is better", "ru": "чем ниже, тем лучше",
                       "ky": "канчалык төмөн болсо, ошончолук жакшы"},
    "neutral": {"en": "neutral (read in context)", "ru": "нейтрально (зависит от контекста)",
               "ky": "нейтралдуу (контекстке жараша)"},
    "group:response": {"en": "Response and coverage", "ru": "Отклик и охват", "ky": "Жооп берүү жана камтуу"},
    "group:labour_status": {"en": "Labour-market status", "ru": "Статус на рынке труда",
                           "ky": "Эмгек рыногундагы абалы"},
    "group:transition": {"en": "Transition to work", "ru": "Переход к работе", "ky": "Жумушка өтүү"},
    "group:job_quality": {"en": "Job characteristics", "ru": "Характеристики работы", "ky": "Жумуштун мүнөздөмөлөрү"},
    "group:income": {"en": "Income", "ru": "Доход", "ky": "Киреше"},
    "group:mismatch": {"en": "Education–job match", "ru": "Соответствие образования и работы",
                      "ky": "Билим менен жумуштун шайкештиги"},
    "group:feedback": {"en": "Feedback on the programme", "ru": "Оценка программы", "ky": "Программага пикир"},
}

_DOC_FUNCTIONS = (
    "labour_status", "full_time", "available_full_time", "further_study", "nace_outcome",
    "months_to_first_job", "job_within_months", "job_search_months", "isco_major_from", "skill_level",
    "sector", "informal", "abroad", "works_in_region", "income_kgs", "income_for_statistics",
    "income_relative", "vertical_match_subjective", "vertical_match_normative",
    "horizontal_match_subjective", "horizontal_match_normative", "degree_effectiveness",
    "competence_gap", "programme_eval_score",
)


def _condition_text(where: Mapping[str, Any] | None) -> str:
    if not where:
        return "all rows"
    parts = []
    for col, cond in where.items():
        if isinstance(cond, Mapping):
            for op, val in cond.items():
                sym = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "ne": "≠"}.get(op)
                if op == "notna":
                    parts.append(f"{col} is {'known' if val else 'missing'}")
                elif op == "in":
                    parts.append(f"{col} ∈ {{{', '.join(map(_fmt, val))}}}")
                else:
                    parts.append(f"{col} {sym} {_fmt(val)}")
        elif isinstance(cond, (list, tuple)):
            parts.append(f"{col} ∈ {{{', '.join(map(_fmt, cond))}}}")
        else:
            parts.append(f"{col} = {_fmt(cond)}")
    return " AND ".join(parts)


def _fmt(v: Any) -> str:
    return str(v).lower() if isinstance(v, bool) else str(v)


def _md(text: str) -> str:
    """reStructuredText bits of a docstring → Markdown (roles, double backticks, <NA>)."""
    text = re.sub(r":(?:func|mod|class|meth):`~?([^`]+)`", r"`\1`", text)
    text = text.replace("``", "`")
    return re.sub(r"(?<!`)<NA>(?!`)", "`<NA>`", text)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def indicators_markdown(lang: str = "en") -> str:
    """The indicator reference page (Markdown) generated from the registry, in ``lang`` (ky, ru, en).

    Labels, descriptions and headings are in ``lang``. Technical definitions (universe, numerator,
    denominator, sources) are in English, as in the registry.
    """
    if lang not in LANGS:
        raise ConfigError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")

    def t(key: str) -> str:
        return _T[key][lang]

    inds = load_registry()
    lines = [f"# {t('title')}", "", f"<!-- {t('generated')} -->", "", t("intro"), ""]
    if t("tech_en"):
        lines += [t("tech_en"), ""]
    lines += [f"## {t('summary')}", "", f"| id | {t('indicator')} | {t('unit')} | {t('statistic')} | {t('standard')} |",
              "|---|---|---|---|---|"]
    for ind in inds:
        lines.append(f"| `{ind.id}` | {_cell(ind.label[lang])} | {ind.unit} | {ind.statistic} "
                     f"| {_cell(ind.standard)} |")
    lines.append("")
    for group in GROUPS:
        members = [i for i in inds if i.group == group]
        if not members:
            continue
        lines += [f"## {t('group:' + group)}", ""]
        for ind in members:
            lines += [f"### {ind.label[lang]} (`{ind.id}`)", "", ind.description[lang], ""]
            rows = [
                (t("universe"), f"{ind.universe_text} — {t('condition')}: `{_condition_text(ind.universe_where)}`"),
                (t("numerator"), ind.numerator_text + (
                    f" — {t('condition')}: `{_condition_text(ind.numerator_where)}`" if ind.numerator_where else "")),
                (t("denominator"), ind.denominator),
                (t("statistic"), ind.statistic),
                (t("unit"), ind.unit),
                (t("variable"), f"`{ind.variable}`"),
            ]
            if ind.items:
                rows.append((t("items"), ", ".join(f"`{i}`" for i in ind.items)))
            rows += [(t("direction"), t(ind.direction)), (t("min_n"), str(ind.min_n))]
            if ind.target is not None:
                rows.append((t("target"), f"{ind.target:.0%}"))
            rows += [(t("standard"), ind.standard), (t("source"), ind.source)]
            if ind.notes:
                rows.append((t("notes"), ind.notes))
            lines += ["| | |", "|---|---|"] + [f"| {k} | {_cell(v)} |" for k, v in rows] + [""]
    lines += [f"## {t('derived')}", "", t("derived_intro"), ""]
    module = inspect.getmodule(indicators_markdown)
    for name in _DOC_FUNCTIONS:
        doc = inspect.getdoc(getattr(module, name)) or ""
        body = doc.split("\n\n")
        lines += [f"### `{name}`", ""]
        for para in body:
            if re.match(r"^(Parameters|Returns|Raises)\n-+", para):
                break
            lines += [_md(para), ""]
    return "\n".join(lines).rstrip() + "\n"


def write_indicator_docs(path: str | Path | None = None, lang: str = "en") -> Path:
    """Write :func:`indicators_markdown` to ``path`` (default ``docs/indicators.md``); return the path."""
    path = Path(path or DOCS_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(indicators_markdown(lang), encoding="utf-8")
    return path

"""Supply against demand by occupation: the result rows and the two decision rules.

Rows (``docs/labour-market.md`` §2–3), in the results-table layout of :mod:`analysis.results.table`:

========================================  ===========================================================================
indicator                                 what
========================================  ===========================================================================
``labour:supply``                         graduates of the cohort entering the labour market: registry graduates × the
                                          weighted share in the ILO labour force (employed or unemployed; further
                                          study and those not seeking are not supply), an estimated count with its
                                          design-based interval; domains all, faculty, programme and ``isco``
                                          (the programme → ISCO-08 crosswalk, ``programmes.csv``)
``labour:employed``, ``…:employed_prev``  employed in the occupation in the oblast (open data), latest and previous year
``labour:employment_growth``              (latest − previous) ÷ previous
``labour:jobseekers``                     job seekers registered by profession with the employment service
``labour:vacancies_registered``           vacancies registered with the employment service
``labour:other_graduates``                graduates of the oblast's other institutions (open data)
``labour:graduates_to_employed``          (supply + other graduates) ÷ employed — the ILO rule's first ratio
``labour:jobseekers_to_employed``         job seekers ÷ employed — the ILO rule's second ratio
``labour:current_unemployment``           job seekers ÷ (employed + job seekers) — the source's "current unemployment"
``labour:demand_to_supply``               employers' staff needed in three years (``employer_demand_3y`` by
                                          ``demand_isco``, :mod:`analysis.results.employers`) ÷ the university's
                                          supply to the occupation's major group
``opendata:<indicator>``                  the open-data context figures of the report (with source and period)
``opendata:table``                        one row per open-data table used (provenance in ``note``, JSON)
========================================  ===========================================================================

Open-data rows have ``basis`` = ``open_data``, the figure's URL in ``source`` and ``table=<id>@<version>;
period=<as printed>[; synthetic]`` in ``note``. Derived rows name their inputs in ``note``
(:func:`analysis.results.table.input_note`) so that the disclosure pass hides a ratio whose input it hid.

The verdicts (:func:`source_rule`, :func:`ilo_rule`) are computed after the disclosure pass, from published
rows only (:mod:`analysis.results.lights`): a verdict never rests on a hidden number, and an input that is
missing or hidden gives ``not_enough_data``, never a guess.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from analysis.derive.open_tables import OpenData
from analysis.results.table import Settings, domain_groups, input_note, note_row, total_rows

__all__ = [
    "CONTEXT",
    "ILO_VERDICTS",
    "SOURCE_VERDICTS",
    "allocation",
    "context_rows",
    "ilo_rule",
    "labour_hierarchy",
    "occupation_rows",
    "source_rule",
    "supply_rows",
]

SOURCE_VERDICTS = ("oversupply", "no_oversupply", "not_enough_data")
ILO_VERDICTS = ("increase_intake", "preserve", "reduce", "mixed", "not_enough_data")
NOT_ENOUGH = "not_enough_data"

CONTEXT: tuple[tuple[str, str], ...] = (
    ("registered_unemployed_official_status", "{region}"),
    ("unemployment_rate_lfs", "{region}"),
    ("unemployment_rate_lfs", "Kyrgyz Republic"),
    ("registered_unemployment_rate", "Kyrgyz Republic"),
    ("vacancies_registered", "Kyrgyz Republic"),
    ("subsistence_minimum_per_capita", "{region}"),
    ("minimum_wage_monthly", "Kyrgyz Republic"),
)
"""The open-data context of the report: (indicator, region) — ``{region}`` is the cohort's oblast."""

_UNITS = {"%": ("share", 0.01), "som": ("KGS", 1.0), "thousand som": ("KGS", 1000.0), "persons": ("count", 1.0),
          "thousand persons": ("count", 1000.0), "vacancies": ("count", 1.0), "thousand": ("count", 1000.0)}


# ----------------------------------------------------------------------------- the rules
def source_rule(jobseekers: float | None, employed: float | None, rules: Mapping[str, Any]) -> tuple[str, float]:
    """The source document's rule: "current unemployment" by profession ≥ ``current_unemployment_max`` (10 %)
    ⇒ oversupply.

    "Current unemployment" = job seekers registered with the profession ÷ (employed in it + those job seekers)
    (``current_unemployment_base: labour_force``, an unemployment rate), or ÷ employed (``employed``).

    Returns
    -------
    (verdict, ratio)
        ``oversupply`` | ``no_oversupply`` | ``not_enough_data`` (an input missing or the base not positive),
        and the ratio (NaN when not computed).
    """
    if not _ok(jobseekers) or not _ok(employed):
        return NOT_ENOUGH, math.nan
    base = employed + jobseekers if rules["current_unemployment_base"] == "labour_force" else employed
    if base <= 0:
        return NOT_ENOUGH, math.nan
    ratio = jobseekers / base
    return ("oversupply" if ratio >= rules["current_unemployment_max"] else "no_oversupply"), ratio


def ilo_rule(graduates_ratio: float | None, jobseekers_ratio: float | None, growth: float | None,
             rules: Mapping[str, Any]) -> str:
    """The ILO short-term-demand rule (V. Gasskov; Chuy 2019, Jalal-Abad 2020) for one occupation.

    ===================  =========================  =======================  ===========================
    recommendation       graduates ÷ employed       job seekers ÷ employed   employment growth
    ===================  =========================  =======================  ===========================
    ``increase_intake``  ≤ ``graduates_to_…_max``   ≤ ``jobseekers_…_max``   > ``growth_high``
    ``preserve``         ≤ (10 %)                   ≤ (5–6 %)                from −``growth_slight_decline``
                                                                             to ``growth_high`` (0–3 %)
    ``reduce``           > (10 %)                   > (high)                 any (the source table is cut)
    ``mixed``            any other combination: the rule does not decide (expert judgement)
    ===================  =========================  =======================  ===========================

    ``not_enough_data`` when a ratio is missing, or growth is missing where it decides.
    """
    if not _ok(graduates_ratio) or not _ok(jobseekers_ratio):
        return NOT_ENOUGH
    low_supply = graduates_ratio <= rules["graduates_to_employed_max"]
    low_unemployment = jobseekers_ratio <= rules["jobseekers_to_employed_max"]
    if not low_supply and not low_unemployment:
        return "reduce"
    if low_supply and low_unemployment:
        if not _ok(growth):
            return NOT_ENOUGH
        if growth > rules["growth_high"]:
            return "increase_intake"
        if growth >= -rules["growth_slight_decline"]:
            return "preserve"
    return "mixed"


def _ok(v: Any) -> bool:
    try:
        return v is not None and math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


# ----------------------------------------------------------------------------- supply
def allocation(expected_isco: str, how: str = "main") -> dict[str, float]:
    """Share of a programme's graduates counted in each ISCO-08 group of its crosswalk entry
    (``"23;21"``): ``main`` — all to the first (main destination), ``equal`` — split equally."""
    codes = [c.strip() for c in str(expected_isco or "").split(";") if c.strip()]
    if not codes:
        return {}
    if how == "main":
        return {codes[0]: 1.0}
    return {c: 1.0 / len(codes) for c in codes}


def _programme_allocation(graduates: pd.DataFrame, how: str) -> dict[str, dict[str, float]]:
    if not {"programme", "expected_isco"} <= set(graduates.columns):
        return {}
    pairs = graduates[["programme", "expected_isco"]].dropna().astype(str).drop_duplicates("programme")
    return {p: allocation(e, how) for p, e in zip(pairs["programme"], pairs["expected_isco"])}


def _with_majors(alloc: dict[str, float]) -> dict[str, float]:
    out = dict(alloc)
    for code, a in alloc.items():
        out[code[0]] = out.get(code[0], 0.0) + a if len(code) > 1 else out.get(code[0], 0.0)
    return out


def supply_rows(graduates: pd.DataFrame, st: Settings, design: Any, rules: Mapping[str, Any]) -> pd.DataFrame:
    """``labour:supply``: the estimated number of the cohort's graduates in the ILO labour force, by all,
    faculty and programme, and by ISCO-08 group (sub-major and major) through the crosswalk.

    The estimate is the design-based total Σ wᵢ yᵢ over phase-2 respondents, yᵢ = 1 in the labour force
    (× the programme's allocation to the group), the weights calibrated to the registry
    (:func:`analysis.stats.weighting.weight_respondents`), with the linearised standard error and a
    normal interval (:func:`analysis.results.table.total_rows`); ``n`` = respondents behind it. Without
    phase-2 respondents or weights: one row ``no data: no_phase2``.
    """
    need = {"in_labour_force", "resp_p2"}
    if not need <= set(graduates.columns) or design is None:
        return note_row("labour:supply", "total", "count", "no_phase2")
    resp = graduates["resp_p2"].astype("boolean").fillna(False).astype(bool)
    if not resp.any():
        return note_row("labour:supply", "total", "count", "no_phase2")
    lf = graduates["in_labour_force"].astype("boolean").astype("Float64").astype(float).where(resp)
    frames = []
    for dom in ("all", "faculty", "programme"):
        rows = total_rows(lf, domain_groups(graduates, dom), st, design)
        rows["indicator"], rows["domain"], rows["unit"] = "labour:supply", dom, "count"
        frames.append(rows)
    alloc = _programme_allocation(graduates, str(rules["supply_allocation"]))
    codes = sorted({c for a in alloc.values() for c in _with_majors(a)}, key=lambda c: (len(c), c))
    everyone = domain_groups(graduates, "all")
    prog = graduates["programme"].astype(str) if "programme" in graduates else pd.Series("", index=graduates.index)
    majors = {p: _with_majors(alloc.get(p, {})) for p in prog.unique()}  # once per programme, not per row
    for code in codes:
        share = prog.map({p: m.get(code, 0.0) for p, m in majors.items()}).astype(float)
        y = lf * share  # 0 for respondents of other programmes, NaN outside the phase-2 respondents
        contributes = share > 0
        rows = total_rows(y, everyone, st, design)
        if rows.empty:
            continue
        rows["n"] = float((resp & contributes & lf.notna()).sum())
        rows["indicator"], rows["domain"], rows["group"], rows["unit"] = "labour:supply", "isco", code, "count"
        rows["note"] = "allocation=" + str(rules["supply_allocation"])
        frames.append(rows)
    return pd.concat(frames, ignore_index=True)


def labour_hierarchy(graduates: pd.DataFrame, rules: Mapping[str, Any]) -> pd.DataFrame:
    """Links ``programme → isco`` for the disclosure pass: an occupation's supply is a (weighted) sum of its
    programmes' supply, so a hidden programme must not be recoverable from the occupation and its siblings
    (:func:`analysis.publish.disclosure.margins`). Columns as :func:`analysis.results.table.hierarchy`."""
    alloc = _programme_allocation(graduates, str(rules["supply_allocation"]))
    rows = [("programme", p, "isco", c) for p, a in sorted(alloc.items()) for c in sorted(_with_majors(a))]
    return pd.DataFrame(rows, columns=["domain", "group", "parent_domain", "parent_group"])


# ----------------------------------------------------------------------------- demand (employers)
def _demand(employer_rows: pd.DataFrame | None) -> pd.DataFrame:
    """Employers' staff needed in three years by ISCO-08 major group: the employer family's
    ``employer_demand_3y`` rows in domain ``demand_isco`` (weighted to the enterprise frame when the cohort has
    one, :mod:`analysis.results.employers`), without the uncoded group; empty without employer answers."""
    if employer_rows is None or employer_rows.empty or not {"indicator", "estimate"} <= set(employer_rows):
        return pd.DataFrame(columns=["indicator", "domain", "group", "estimate", "basis", "n"])
    cat = employer_rows["category"].fillna("") if "category" in employer_rows else pd.Series("", employer_rows.index)
    e = employer_rows[(employer_rows["indicator"] == "employer_demand_3y") & (employer_rows["domain"] == "demand_isco")
                      & (cat == "") & (employer_rows["group"] != "uncoded")]
    return e[pd.to_numeric(e["estimate"], errors="coerce").notna()]


# ----------------------------------------------------------------------------- by occupation
def _open_note(row: pd.Series) -> str:
    text = f"table={row['table']}@{row['version']}; period={row['period']}"
    return text + ("; synthetic" if bool(row["synthetic"]) else "")


def _open_row(indicator: str, row: pd.Series, code: str, value: float | None = None, unit: str = "count",
              statistic: str = "value") -> dict[str, Any]:
    return {"indicator": indicator, "statistic": statistic, "unit": unit, "domain": "isco", "group": code,
            "category": "", "estimate": float(row["value"] if value is None else value), "basis": "open_data",
            "source": str(row["source_url"]), "note": _open_note(row)}


def occupation_rows(supply: pd.DataFrame, employer_rows: pd.DataFrame | None, data: OpenData, region: str,
                    rules: Mapping[str, Any]) -> pd.DataFrame:
    """The supply-demand table by ISCO-08 group, as rows: the open-data figures of each occupation the
    university supplies (employed, growth, job seekers, registered vacancies, other graduates), the employers'
    demand and the ratios of both rules with their inputs named in ``note`` (:func:`input_note`).

    ``supply``: the ``labour:supply`` rows (full precision); ``employer_rows``: the employer family's rows
    (their ``employer_demand_3y`` by ``demand_isco`` is the employers' demand); ``data``: the open-data tables
    (:func:`analysis.derive.open_tables.load_open_data`); ``region``: the cohort's oblast as the tables label it.
    """
    sup = supply[(supply["indicator"] == "labour:supply") & (supply["domain"] == "isco")].set_index("group")
    dem = _demand(employer_rows).set_index("group") if employer_rows is not None else pd.DataFrame()
    rows: list[dict[str, Any]] = []
    for code in sup.index:
        s = sup.loc[code]
        s_est, s_n = float(s["estimate"]), float(s["n"])
        emp = data.pick("employed_by_occupation", region, code)
        prev = data.pick("employed_by_occupation", region, code, year=int(emp["year"]) - 1) if emp is not None else None
        js = data.pick("registered_jobseekers_by_profession", region, code)
        vac = data.pick("registered_vacancies_by_profession", region, code)
        other = data.pick("graduates_other_institutions_by_occupation", region, code)
        for ind, r in (("labour:employed", emp), ("labour:employed_prev", prev), ("labour:jobseekers", js),
                       ("labour:vacancies_registered", vac), ("labour:other_graduates", other)):
            if r is not None:
                rows.append(_open_row(ind, r, code))
        e = float(emp["value"]) if emp is not None else math.nan
        if emp is not None and prev is not None and float(prev["value"]) > 0:
            g = (e - float(prev["value"])) / float(prev["value"])
            row = _open_row("labour:employment_growth", emp, code, g, unit="share", statistic="ratio")
            row["note"] = _open_note(emp) + f"; previous={prev['period']}"
            rows.append(row)
        if emp is not None and e > 0:
            grads = s_est + (float(other["value"]) if other is not None else 0.0)
            extra = "other institutions included" if other is not None else "university graduates only: a lower bound"
            if emp is not None and bool(emp["synthetic"]) or (other is not None and bool(other["synthetic"])):
                extra += "; synthetic"
            rows.append({"indicator": "labour:graduates_to_employed", "statistic": "ratio", "unit": "share",
                         "domain": "isco", "group": code, "category": "", "n": s_n, "estimate": grads / e,
                         "basis": "weighted", "ci_method": "normal",
                         "ci_low": (float(s["ci_low"]) + grads - s_est) / e if _ok(s["ci_low"]) else math.nan,
                         "ci_high": (float(s["ci_high"]) + grads - s_est) / e if _ok(s["ci_high"]) else math.nan,
                         "note": input_note([("labour:supply", "isco", code), ("labour:employed", "isco", code)]
                                            + ([("labour:other_graduates", "isco", code)] if other is not None else []),
                                            extra)})
            if js is not None:
                jsv = float(js["value"])
                syn = "; synthetic" if bool(emp["synthetic"]) or bool(js["synthetic"]) else ""
                rows.append({"indicator": "labour:jobseekers_to_employed", "statistic": "ratio", "unit": "share",
                             "domain": "isco", "group": code, "category": "", "estimate": jsv / e,
                             "basis": "open_data", "note": input_note([("labour:jobseekers", "isco", code),
                                                                       ("labour:employed", "isco", code)], syn[2:])})
                _, cu = source_rule(jsv, e, rules)
                if _ok(cu):
                    rows.append({"indicator": "labour:current_unemployment", "statistic": "ratio", "unit": "share",
                                 "domain": "isco", "group": code, "category": "", "estimate": cu,
                                 "basis": "open_data",
                                 "note": input_note([("labour:jobseekers", "isco", code),
                                                     ("labour:employed", "isco", code)],
                                                    f"base={rules['current_unemployment_base']}{syn}")})
        if code in dem.index and s_est > 0 and _ok(dem.loc[code, "estimate"]):
            d = dem.loc[code]
            rows.append({"indicator": "labour:demand_to_supply", "statistic": "ratio", "unit": "ratio",
                         "domain": "isco", "group": code, "category": "", "n": s_n,
                         "estimate": float(d["estimate"]) / s_est,
                         "basis": "weighted" if str(d.get("basis", "")) == "weighted" else "unweighted",
                         "note": input_note([("employer_demand_3y", "demand_isco", code),
                                             ("labour:supply", "isco", code)])})
    return pd.DataFrame(rows)


def context_rows(data: OpenData, region: str, year: int | None = None) -> pd.DataFrame:
    """The open-data context (:data:`CONTEXT`) as ``opendata:<indicator>`` rows — the latest figure of a year up
    to ``year`` (the survey year: a planned minimum wage of a later year is not the one in force) — and one
    ``opendata:table`` row per table loaded (its provenance as JSON in ``note``; ``estimate`` = its rows)."""
    rows = []
    for indicator, reg in CONTEXT:
        label = reg.format(region=region)
        cands = data.select(indicator, label, "")
        if year is not None:
            cands = cands[cands["year"] <= year]
        r = None if cands.empty else cands.iloc[0]
        if r is None:
            rows.append({"indicator": f"opendata:{indicator}", "statistic": "value", "unit": "", "domain": "region",
                         "group": label, "category": "", "basis": "open_data",
                         "note": "no data: no_open_data"})
            continue
        unit, factor = _UNITS.get(str(r["unit"]), (str(r["unit"]), 1.0))
        rows.append({"indicator": f"opendata:{indicator}", "statistic": "value", "unit": unit, "domain": "region",
                     "group": label, "category": "", "estimate": float(r["value"]) * factor, "basis": "open_data",
                     "source": str(r["source_url"]), "note": _open_note(r)})
    for info in data.tables:
        meta = {k: info.meta.get(k, "") for k in ("title", "publisher", "licence", "coverage")}
        meta.update({"id": info.id, "version": info.version, "synthetic": info.synthetic})
        n = float((data.rows["table"] == info.id).sum())
        rows.append({"indicator": "opendata:table", "statistic": "value", "unit": "count", "domain": "table",
                     "group": info.id, "category": info.version, "estimate": n, "basis": "open_data",
                     "source": str(info.meta.get("derived_from", "")), "note": json.dumps(meta, ensure_ascii=False)})
    return pd.DataFrame(rows)

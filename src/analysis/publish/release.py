"""A cohort's published results as a release: tables of published rows, their labels in ky/ru/en, the precision
shown, the notes, sources and licence — shared by the Excel workbook (:mod:`analysis.publish.workbook`) and the
open data (:mod:`analysis.publish.datapackage`).

Everything here reads only ``results/published.parquet``: the results table (:mod:`analysis.results.table`) after
the one disclosure pass (:func:`analysis.publish.disclosure.publish`). Nothing is estimated and nothing is
suppressed here; this module

* groups the published rows into tables, **every row in exactly one table** (:func:`plan`): one table per
  registry indicator with its domains stacked, one per result family (labour-status distribution, response by
  mode, time to first job, competences, feedback, employers, each model, non-response checks, …), and a table of
  other results for rows of a family it does not know yet (nothing is dropped);
* labels codes in one language (:class:`Labeller`) from the one label source (:mod:`analysis.publish.labels`),
  the indicator registry and the message catalogue (``definitions/messages/outputs.yaml``);
* rounds every value to the precision the report shows (:func:`shown`, :data:`DIGITS`), half up through the one
  formatter's :func:`~analysis.publish.formatting.round_half_up`, and no further: more digits would let a reader
  undo the rounding of counts — an unweighted share of 0.663366 with ``n`` shown as 100 (98 to 102 people) can
  only be 67 of 101, while 66.3 % could also be 65 of 98. The outputs release exactly what the report shows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core import defaults as D
from analysis.core.i18n import catalogue, t
from analysis.derive.registry import load_registry
from analysis.errors import InputError
from analysis.publish.disclosure import Rules, hesa_round
from analysis.publish.formatting import SYMBOL, fmt_pct, round_half_up
from analysis.publish.labels import column_labels, value_label
from analysis.results.families import FEEDBACK_ITEMS, MODEL_SCALES, model_why
from analysis.results.table import MIN_DATED_SHARE, NOT_MEASURED, why_of

__all__ = [
    "DIFFERENCES",
    "DIGITS",
    "FAMILY_TABLES",
    "NOTES",
    "NOT_APPLICABLE",
    "NOT_AVAILABLE",
    "OTHER",
    "Labeller",
    "Table",
    "TableDef",
    "cell",
    "cover_lines",
    "licence",
    "load_published",
    "marker",
    "note_label",
    "note_numbers",
    "note_texts",
    "open_data_licence",
    "plan",
    "public_note",
    "registry_table",
    "relative",
    "shown",
    "shown_text",
    "sources",
]

# ----------------------------------------------------------------------------- precision
DIGITS: dict[str, int] = {"share": 1, "KGS": 0, "months": 1, "ratio": 2, "index": 2, "scale": 2, "odds_ratio": 2,
                          "hazard_ratio": 2, "percent_effect": 1, "count": 0, "chi2": 1, "value": 2}
"""Decimals shown per unit — of the percentage for ``share`` (87.0 %), of the value otherwise; the report's
precision (``analysis.publish.report``; a test keeps the two equal)."""
P_DIGITS = 3
"""Decimals of a p-value (0.000 means p < 0.0005)."""
TIME_DIGITS = 1
"""Decimals of months since graduation (the curves' half-monthly grid)."""
SYMBOL_SUPPRESSED = SYMBOL
NOT_AVAILABLE = "[x]"
"""Shorthand of the UK Government Analysis Function for a value that is not available (nothing could be
estimated: the row's note says why)."""
NOT_APPLICABLE = "[z]"
"""Shorthand of the UK Government Analysis Function for a value that does not apply (e.g. no interval for a
rate counted over the whole registry)."""


def _num(value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return math.nan
    return v


def _decimal(value: Any, unit: str, column: str = "estimate") -> Decimal | None:
    """The value as shown, as an exact decimal (the unit's own scale: a share stays a share)."""
    v = _num(value)
    if v != v or math.isinf(v):
        return None
    if column == "p_value":
        return Decimal(repr(round_half_up(v, P_DIGITS))).quantize(Decimal(1).scaleb(-P_DIGITS))
    if column == "time":
        return Decimal(repr(round_half_up(v, TIME_DIGITS))).quantize(Decimal(1).scaleb(-TIME_DIGITS))
    if column in ("n", "N"):
        return Decimal(int(round(v)))
    d = DIGITS.get(unit, 2)
    if unit == "share":  # as the report: the percentage rounded half up, then back to a share
        pct = Decimal(repr(round_half_up(100 * v, d)))
        out = (pct / 100).quantize(Decimal(1).scaleb(-(d + 2)))
    else:
        out = Decimal(repr(round_half_up(v, d))).quantize(Decimal(1).scaleb(-d))
    return abs(out) if out == 0 else out  # no "-0.0"


def shown(value: Any, unit: str, column: str = "estimate") -> float | int | None:
    """A published value rounded half up to the precision the report shows, as a number (None when missing).

    ``column`` picks the rule: ``p_value`` (three decimals), ``time`` (one), ``n``/``N`` (whole numbers, already
    rounded to base 5 by the disclosure pass), any other column by ``unit`` (:data:`DIGITS`; a share keeps one
    decimal of its percentage: 0.63961 → 0.640). Counts come back as ``int``.
    """
    d = _decimal(value, unit, column)
    if d is None:
        return None
    if column in ("n", "N") or (unit == "count" and d == d.to_integral_value()):
        return int(d)
    return float(d)


def shown_text(value: Any, unit: str, column: str = "estimate") -> str:
    """:func:`shown` as plain text with a fixed number of decimals and a point (``"0.640"``, ``"34633"``), for
    CSV; ``""`` when missing."""
    d = _decimal(value, unit, column)
    return "" if d is None else format(d, "f")


# ----------------------------------------------------------------------------- inputs
def load_published(cfg: Any) -> pd.DataFrame:
    """``results/published.parquet`` of the cohort ``cfg`` (:class:`analysis.core.config.CohortConfig`)."""
    p = cfg.paths.results / "published.parquet"
    if not p.exists():
        raise InputError(p, "not found — run the model stage first (tracer run COHORT)")
    return pd.read_parquet(p)


# ----------------------------------------------------------------------------- the tables
@dataclass(frozen=True)
class TableDef:
    """One table of a release: which published rows it holds and how they are shown.

    ``dims`` are the text columns that say what a row is (``breakdown``, ``group``, ``category``, ``indicator``,
    ``time``, ``unit``, ``reference``, ``period``, ``source``), ``values`` the number columns (``n``, ``N``,
    ``estimate``, ``ci_low``, ``ci_high``, ``unweighted``, ``p_value``) — a Notes column always ends the table.
    ``headers`` renames a dimension's heading (message keys); ``notes`` are the numbered notes the title refers to.
    """

    key: str
    kind: str
    dims: tuple[str, ...]
    values: tuple[str, ...]
    notes: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    match: Callable[[str], bool] | None = None
    sort: Callable[[pd.DataFrame], pd.DataFrame] | None = None

    def owns(self, indicator: str) -> bool:
        return bool(self.match and self.match(indicator))


@dataclass
class Table:
    """A table and its published rows (in table order)."""

    spec: TableDef
    rows: pd.DataFrame

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def units(self) -> list[str]:
        return list(dict.fromkeys(str(u) for u in self.rows["unit"] if str(u)))


_ESTIMATES = ("n", "estimate", "ci_low", "ci_high")


def _is(*names: str) -> Callable[[str], bool]:
    return lambda ind: ind in names


def _starts(prefix: str) -> Callable[[str], bool]:
    return lambda ind: ind.startswith(prefix)


def _by(*columns: str, order: dict[str, list[str]] | None = None) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """Sort rows by columns (stable; listed values of a column first, in the listed order)."""

    def sort(rows: pd.DataFrame) -> pd.DataFrame:
        keys = []
        for c in columns:
            if order and c in order:
                pos = {v: i for i, v in enumerate(order[c])}
                keys.append(rows[c].map(lambda v, pos=pos: pos.get(str(v), len(pos))).rename(f"_{c}"))
            else:
                keys.append(rows[c].rename(f"_{c}"))
        k = pd.concat(keys, axis=1)
        return rows.loc[k.sort_values(list(k.columns), kind="stable").index]

    return sort


_COMPETENCE = ("competence_acquired", "competence_required", "competence_gap")
FAMILY_TABLES: tuple[TableDef, ...] = (
    TableDef("labour_status", "distribution", ("breakdown", "group", "category"),
             ("n", "estimate", "ci_low", "ci_high", "unweighted"), ("suppression", "rounding", "intervals", "weights"),
             {"category": "out_col_status"}, _is("labour_status")),
    TableDef("response_mode_p2", "distribution", ("breakdown", "group", "category"), ("N", "estimate"),
             ("suppression", "rounding", "census"), {"category": "out_col_mode"}, _is("response_mode_p2")),
    TableDef("first_job_cif", "curve", ("breakdown", "group", "time"), _ESTIMATES,
             ("suppression", "rounding", "first_job"), {}, _is("first_job_cif")),
    TableDef("first_job_logrank", "test", ("breakdown",), ("n", "estimate", "p_value"),
             ("rounding", "first_job", "precision"), {}, _is("first_job_logrank")),
    TableDef("competences", "items", ("category", "indicator"), _ESTIMATES,
             ("suppression", "rounding", "intervals", "weights"), {"category": "out_col_competence",
                                                                    "indicator": "out_col_measure"},
             _is(*_COMPETENCE), _by("category", "indicator", order={"indicator": list(_COMPETENCE)})),
    TableDef("feedback", "items", ("indicator", "category"), _ESTIMATES + ("unweighted",),
             ("suppression", "rounding", "intervals", "weights"), {"indicator": "out_col_item",
                                                                    "category": "out_col_phase"},
             _starts("feedback:")),
    TableDef("employers", "items", ("indicator", "unit"), _ESTIMATES,
             ("suppression", "rounding", "employers"), {"indicator": "out_col_item"}, _starts("employers:")),
    *(TableDef(f"model_{name}", "model", ("category", "reference"), _ESTIMATES + ("p_value",),
               ("suppression", "rounding", "models", "precision"), {"category": "out_col_term"},
               _is(f"model:{name}")) for name in MODEL_SCALES),
    TableDef("nonresponse", "comparison", ("indicator", "category", "group", "unit"), ("n", "estimate", "p_value"),
             ("suppression", "rounding", "nonresponse", "precision"),
             {"indicator": "out_col_variable", "category": "out_col_level", "group": "out_col_response"},
             _starts("nonresponse:")),
    TableDef("early_late", "comparison", ("indicator", "group", "unit"), ("n", "estimate", "p_value"),
             ("suppression", "rounding", "nonresponse", "precision"),
             {"indicator": "out_col_outcome", "group": "out_col_timing"}, _starts("early_late:"),
             _by("indicator", "group", order={"group": ["early", "late"]})),
    TableDef("income_mi", "items", ("indicator",), _ESTIMATES,
             ("suppression", "rounding", "income"), {"indicator": "out_col_item"}, _starts("income_mi:")),
    TableDef("counts", "items", ("indicator",), ("estimate",), ("rounding", "sources"),
             {"indicator": "out_col_item"}, _starts("count:")),
    TableDef("benchmarks", "context", ("indicator", "period", "source"), ("estimate",), ("income", "licence"),
             {"indicator": "out_col_item"}, _starts("context:")),
)
"""The result families' tables, in workbook order (after the registry's indicators)."""
OTHER = TableDef("other", "other", ("indicator", "breakdown", "group", "category", "time", "unit"),
                 _ESTIMATES + ("unweighted", "p_value"), ("suppression", "rounding", "intervals"),
                 {"indicator": "out_col_item"})
"""Rows of a family no table above knows (a new family shows here, labelled by its codes, until it gets one)."""
DIFFERENCES = TableDef("differences", "difference", ("indicator",), _ESTIMATES + ("p_value",),
                       ("suppression", "rounding", "differences", "precision"), {"indicator": "out_col_item"})
"""Differences from the previous cohort (``domain = cohort_difference``), when the cohort names one."""


def registry_table(ind: Any) -> TableDef:
    """The table of one registry indicator: its domains stacked (breakdown, group), one row per group."""
    notes = ["suppression", "rounding"]
    notes += ["census"] if ind.id.startswith(("response_rate", "knowledge_rate")) else ["intervals", "weights"]
    if ind.group == "income":
        notes.append("income")
    values = ("n", "N", "estimate", "ci_low", "ci_high") + (() if "census" in notes else ("unweighted",))
    return TableDef(ind.id, "indicator", ("breakdown", "group"), values, tuple(notes), {}, _is(ind.id))


def plan(published: pd.DataFrame, registry: Iterable[Any] | None = None) -> list[Table]:
    """The release's tables over ``published`` (the published results table), every row in exactly one table.

    Order: one table per registry indicator (registry order; its rows of every domain, stacked), the result
    families (:data:`FAMILY_TABLES`), rows no table knows (:data:`OTHER`), then the differences from the previous
    cohort (:data:`DIFFERENCES`). A table without rows is left out.
    """
    pub = published.reset_index(drop=True)
    ind = pub["indicator"].astype(str)
    taken = pd.Series(False, index=pub.index)
    diff = pub["domain"].astype(str) == "cohort_difference"
    specs = [registry_table(i) for i in (registry if registry is not None else load_registry())
             if "{item}" not in i.variable]
    specs += list(FAMILY_TABLES)
    out: list[Table] = []
    for spec in specs:
        mask = ind.map(spec.owns).astype(bool) & ~diff & ~taken
        if mask.any():
            rows = pub[mask]
            out.append(Table(spec, spec.sort(rows) if spec.sort else rows))
            taken |= mask
    for spec, mask in ((OTHER, ~diff & ~taken), (DIFFERENCES, diff)):
        if mask.any():
            out.append(Table(spec, pub[mask]))
    return out


# ----------------------------------------------------------------------------- cells
def cell(row: pd.Series, column: str) -> float | int | str:
    """What a table shows for ``column`` of a published row: the number at the shown precision (:func:`shown`),
    ``..`` when disclosure control suppressed the row's values, ``[x]`` when nothing could be estimated (the
    row's note says why), ``[z]`` when the value does not apply to the row (an interval of a census rate, the
    unweighted check of an estimate that is not weighted)."""
    unit = str(row.get("unit", ""))
    if column in ("n", "N"):
        v = shown(row.get(column), unit, column)
        return NOT_APPLICABLE if v is None else v
    if column == "unweighted" and str(row.get("basis")) != "weighted":
        return NOT_APPLICABLE
    if str(row.get("status")) == "suppressed":
        return SYMBOL_SUPPRESSED
    v = shown(row.get(column), unit, column)
    if v is not None:
        return v
    return NOT_AVAILABLE if _empty(row) else NOT_APPLICABLE


_VALUES = ("estimate", "ci_low", "ci_high", "unweighted", "pooled", "p_value")


def _empty(row: pd.Series) -> bool:
    return all(_num(row.get(c)) != _num(row.get(c)) for c in _VALUES)


_SAFE_NOTES = ("no data", "not measured", "failed", "unavailable", "not available", "reference=", "period=", "df=",
               "universe=", "m=")


def public_note(note: Any) -> str:
    """The machine note of a published row as the open data carries it: the reason a value is missing (``no
    data: <why>``, ``not measured``, ``failed: <code>`` — the code of :func:`analysis.results.families.model_why`,
    never the raw error, which can name an unrounded count), a model's reference level, an open-data period, a
    test's degrees of freedom, a comparison's universe, the number of imputations. Parts that carry an unrounded
    count (``missing=``, ``previous n=``) are left out."""
    text = str(note or "").strip()
    if not text:
        return ""
    if text.startswith("failed:"):
        code, _ = model_why(text)
        return f"failed: {code}"
    if text.startswith(("unavailable", "not available")):
        return text.split(":", 1)[0]
    if text.startswith(("no data", NOT_MEASURED, "period=")):
        return text
    parts = [p.strip() for p in text.split(";")]
    return "; ".join(p for p in parts if p.startswith(_SAFE_NOTES))


def note_fields(note: str) -> dict[str, str]:
    """``key=value`` parts of a note (``;``-separated); a ``period=`` note is one value (its text may hold ``;``)."""
    if note.startswith("period="):
        return {"period": note[len("period="):].strip()}
    return {k.strip(): v.strip() for k, v in (p.split("=", 1) for p in note.split(";") if "=" in p)}


# ----------------------------------------------------------------------------- labels
_DOMAIN_COLUMN = {"status": "labour_status", "mode": "p2_mode"}
_FEEDBACK_PHASE = {item: phase for phase, item in FEEDBACK_ITEMS}


@dataclass
class Labeller:
    """Labels of a release's codes in one language (``ky``, ``ru``, ``en``).

    Parameters
    ----------
    lang
        Language of every label.
    min_n
        The cohort's ``disclosure_min_n`` (said in the reasons a value is missing).
    project_root
        Project whose questionnaires label the questions (default: the current project).
    """

    lang: str
    min_n: int = D.DISCLOSURE_MIN_N
    project_root: str | None = None

    @cached_property
    def registry(self) -> dict[str, Any]:
        """The indicator registry by id (:func:`analysis.derive.indicators.load_registry`)."""
        return {i.id: i for i in load_registry()}

    def text(self, key: str, **fmt: Any) -> str:
        """A message of the catalogue in this language."""
        return t(key, self.lang, **fmt)

    def _maybe(self, key: str, fallback: str, **fmt: Any) -> str:
        return t(key, self.lang, **fmt) if key in catalogue() else fallback

    def var(self, column: str, instrument: str | None = None) -> str:
        """The short label of a variable: its question text without the sub-title after " — "."""
        return column_labels([column], self.lang, instrument=instrument,
                             project_root=self.project_root)[column].split(" — ")[0]

    def question(self, column: str, instrument: str) -> str:
        """The full question text of ``column`` in ``instrument``."""
        return column_labels([column], self.lang, instrument=instrument, project_root=self.project_root)[column]

    def value(self, column: str, code: Any) -> str:
        """The label of a code of ``column`` (:func:`analysis.publish.labels.value_label`)."""
        return value_label(column, code, self.lang, project_root=self.project_root)

    # -- codes of the results table ------------------------------------------------------
    def indicator(self, ind: str) -> str:
        """The label of a results-table ``indicator``: the registry's label, a family's message, or the question
        an item of a family asks (feedback, employer ratings, non-response variables)."""
        ind = str(ind)
        if ind in self.registry:
            return self.registry[ind].label[self.lang]
        family, _, item = ind.partition(":")
        if family == "feedback" and item:
            return self.question(item, "phase1" if _FEEDBACK_PHASE.get(item) == "p1" else "phase2")
        if family == "employers" and item:
            return (self.question(item, "employer") if item.startswith("rate_")
                    else self._maybe(f"employer_{item}", item))
        if family in ("nonresponse", "early_late") and item:
            return self.var(item)
        if ind == "labour_status":
            return self.var("labour_status")
        key = "out_ind_" + re.sub(r"\W", "_", ind)
        return self._maybe(key, ind)

    def domain(self, domain: str) -> str:
        """The label of a breakdown (``faculty`` → "Faculty"); cross-classifications joined by ×."""
        domain = str(domain)
        key = "out_domain_" + re.sub(r"\W", "_", domain)
        if key in catalogue():
            return self.text(key)
        if "×" in domain:
            return " × ".join(self.domain(d) for d in domain.split("×"))
        return domain

    def group(self, domain: str, group: Any) -> str:
        """The label of a group of a breakdown (``faculty``/``ENG`` → the faculty's name)."""
        domain, group = str(domain), str(group)
        if group == "all" or domain == "all":
            return self.text("out_group_all")
        key = f"out_group_{group}"
        if domain in ("response_group", "response_timing") and key in catalogue():
            return self.text(key)
        if "×" in domain and "|" in group:
            return " × ".join(self.value(_DOMAIN_COLUMN.get(d, d), g)
                              for d, g in zip(domain.split("×"), group.split("|")))
        return self.value(_DOMAIN_COLUMN.get(domain, domain), group)

    def category(self, indicator: str, category: Any) -> str:
        """The label of a row's ``category``: a labour status, a survey mode, a competence, a survey phase, a
        model term ("Faculty: Faculty of Law"), a level of a compared variable."""
        indicator, category = str(indicator), str(category or "")
        if not category:
            return ""
        family, _, item = indicator.partition(":")
        if indicator == "labour_status":
            return self.value("labour_status", category)
        if indicator == "response_mode_p2":
            return self.value("p2_mode", category)
        if indicator in _COMPETENCE:
            return self.var(f"comp_job_{category}", "phase2")
        if family == "feedback":
            return self._maybe(f"out_phase_{category}", category)
        if family == "model":
            return self.term(category)
        if family == "nonresponse" and item:
            return self.value(item, category)
        return category

    def term(self, category: str) -> str:
        """A model term ``variable=level`` as "Variable: level"; a numeric term as its variable's label."""
        if "=" not in category:
            return self.var(category) if category else ""
        var, level = category.split("=", 1)
        return f"{self.var(var)}: {self.value(var, level)}"

    def reference(self, row: pd.Series) -> str:
        """A model term's reference level ("Faculty: College"), from the row's ``reference=`` note."""
        ref = note_fields(str(row.get("note", ""))).get("reference", "")
        var = str(row.get("category", "")).split("=", 1)[0]
        if not ref or "=" not in str(row.get("category", "")):
            return ""
        return " + ".join(self.value(var, r) for r in ref.split("+"))

    def unit(self, unit: str) -> str:
        """The unit in words (``share`` → "%", ``KGS`` → "som a month")."""
        return self._maybe(f"out_unit_{unit}", str(unit))

    def note(self, row: pd.Series) -> str:
        """The Notes cell of a row: why it shows no value (suppressed by which rule; not enough data, and why;
        not measured), or what its note says (degrees of freedom, period of a benchmark, number of imputations,
        the universe of a comparison)."""
        if str(row.get("status")) == "suppressed":
            rules = Rules()
            return self._maybe(f"out_rule_{row.get('rule') or 'secondary'}", str(row.get("rule")), min_n=self.min_n,
                               pct_base=math.ceil(rules.min_pct_base), mean_n=rules.max_mean_n_suppressed,
                               business_n=rules.business_min_contributors, business_p=f"{rules.business_p:g}")
        note = str(row.get("note", "") or "")
        if note == NOT_MEASURED:
            return self.text("out_note_not_measured")
        why = why_of(note)
        if why:
            return self.why(why)
        if note.startswith("failed:"):
            code, fields = model_why(note)
            if code == "other":
                return self.text("nodata", why=self.text("why_failed", reason=fields.get("reason", "")))
            if "n" in fields:
                fields["n"] = str(hesa_round(int(fields["n"])))
            return self.why(f"model_{code}", **fields)
        if note.startswith(("unavailable", "not available")):
            return self.text("out_note_unavailable")
        f = note_fields(note)
        parts = []
        if "df" in f:
            parts.append(self.text("out_note_df", df=f["df"]))
        if "m" in f:
            parts.append(self.text("out_note_mi", m=f["m"]))
        if "universe" in f:
            u = re.sub(r"\W+", "_", f["universe"]).strip("_")
            parts.append(self._maybe(f"out_universe_{u}", f["universe"]))
        return "; ".join(parts)

    def why(self, why: str, **fmt: Any) -> str:
        """"Not enough data: <why>" (``why_<why>`` of the message catalogue, as the report says it)."""
        fields = {"min_n": self.min_n, "pct_base": math.ceil(Rules().min_pct_base),
                  "need": fmt_pct(MIN_DATED_SHARE, self.lang, 0), "reason": "", "n": "", **fmt}
        key = f"why_{why}"
        return self.text("nodata", why=self.text(key, **fields) if key in catalogue() else why)

    def dim(self, row: pd.Series, dim: str) -> str | float | int:
        """The text (or, for ``time``, the number) a dimension column shows for a row; never an empty cell:
        ``[x]`` in a row without a value (e.g. the term of a model that could not be fitted), ``[z]`` otherwise."""
        out = self._dim(row, dim)
        if out == "":
            return NOT_AVAILABLE if _empty(row) else NOT_APPLICABLE
        return out

    def _dim(self, row: pd.Series, dim: str) -> str | float | int:
        if dim == "breakdown":
            return self.domain(row["domain"])
        if dim == "group":
            return self.group(row["domain"], row["group"])
        if dim == "category":
            return self.category(row["indicator"], row["category"])
        if dim == "indicator":
            return self.indicator(row["indicator"])
        if dim == "time":
            v = shown(row.get("time"), "", "time")
            return NOT_APPLICABLE if v is None else v
        if dim == "unit":
            return self.unit(str(row.get("unit", "")))
        if dim == "reference":
            return self.reference(row)
        if dim == "period":
            return note_fields(str(row.get("note", ""))).get("period", "") or NOT_AVAILABLE
        if dim == "source":
            return str(row.get("source", "") or "") or NOT_AVAILABLE
        raise ValueError(f"unknown table dimension {dim!r}")

    # -- tables -----------------------------------------------------------------------
    def title(self, spec: TableDef) -> str:
        """The table's subject: the registry indicator's label, or the family table's title."""
        if spec.kind == "indicator":
            return self.registry[spec.key].label[self.lang]
        return self.text(f"out_table_{spec.key}")

    def description(self, spec: TableDef) -> str:
        """One sentence on what the table holds (the registry's description for an indicator)."""
        if spec.kind == "indicator":
            return self.registry[spec.key].description[self.lang]
        return self.text(f"out_table_{spec.key}_desc")

    def base(self, spec: TableDef) -> str:
        """Who the percentages or means are of (the indicator's denominator), in this language; the registry's
        English text when the catalogue has no translation yet."""
        if spec.kind == "indicator":
            return self._maybe(f"out_base_{spec.key}", self.registry[spec.key].denominator)
        return self._maybe(f"out_table_{spec.key}_base", "")


# ----------------------------------------------------------------------------- notes, sources, licence
NOTES: tuple[str, ...] = ("suppression", "rounding", "shorthand", "precision", "intervals", "census", "weights",
                          "first_job", "models", "income", "employers", "nonresponse", "differences", "sources",
                          "licence")
"""The numbered notes of a release, in order (``note 1`` = suppression …); a table's title and headings refer to
them as ``[note N]`` (:func:`marker`)."""


def note_numbers() -> dict[str, int]:
    """Note id → its number (1-based, :data:`NOTES` order)."""
    return {k: i for i, k in enumerate(NOTES, start=1)}


def note_label(number: int | str, lang: str) -> str:
    """A note's number as the notes table and the markers write it: ``note 3`` (``эскертүү 3``, ``примечание 3``)."""
    return f"{t('out_note_word', lang)} {number}"


def marker(note: str, lang: str) -> str:
    """The marker of a note id (:data:`NOTES`) in titles and column headings: ``[note N]`` in English (the
    guidance's form), ``[эскертүү N]`` in Kyrgyz, ``[примечание N]`` in Russian."""
    return f"[{note_label(note_numbers()[note], lang)}]"


def note_texts(cfg: Any, lang: str) -> list[tuple[str, str]]:
    """The text of every note in ``lang``: ``[(note id, text)]`` in :data:`NOTES` order, filled with the cohort's
    parameters (minimum group size, interval level and methods, weighting margins, timing, licence)."""
    rules = Rules.from_config(cfg)
    conf = int(round(100 * float(cfg.confidence)))
    margins = "; ".join(" × ".join(m) for m in cfg.weighting_margins)
    method = t("method_korn_graubard" if cfg.weighted_ci_method == "korn_graubard" else "method_wilson_neff", lang)
    title, url = D.LICENCES[cfg.licence]
    nsc_title, nsc_url = D.LICENCES[D.OPEN_DATA_LICENCE]
    fields = {"min_n": rules.min_n, "pct_base": math.ceil(rules.min_pct_base), "mean_n": rules.max_mean_n_suppressed,
              "base": rules.round_base, "conf": conf, "method": method, "margins": margins,
              "trim": f"{cfg.weight_trim_ratio:g}", "months": cfg.survey_months_after,
              "licence": f"{title} ({cfg.licence}, {url})", "nsc_licence": f"{nsc_title} ({nsc_url})",
              "symbol": SYMBOL_SUPPRESSED, "x": NOT_AVAILABLE, "z": NOT_APPLICABLE}
    return [(k, t(f"out_note_{k}", lang, **fields)) for k in NOTES]


def licence(cfg: Any) -> dict[str, str]:
    """The licence of the cohort's own results: ``{name (SPDX), title, path (URL)}`` (cohort key ``licence``)."""
    title, url = D.LICENCES[cfg.licence]
    return {"name": cfg.licence, "title": title, "path": url}


def open_data_licence() -> dict[str, str]:
    """The licence of the NSC open data quoted as benchmarks (CC BY-NC-SA 4.0)."""
    title, url = D.LICENCES[D.OPEN_DATA_LICENCE]
    return {"name": D.OPEN_DATA_LICENCE, "title": title, "path": url}


_INSTRUMENT_SOURCES = (("registry", "out_source_registry"), ("phase1", "out_source_phase1"),
                       ("phase2", "out_source_phase2"), ("employer", "out_source_employer"))


def sources(cfg: Any, published: pd.DataFrame, lang: str) -> list[dict[str, str]]:
    """The sources of a release in ``lang``: the cohort's registry and surveys (those its file lists) and every
    open-data source a published benchmark row names (``source`` column), with the NSC open-data licence."""
    out = []
    for instrument, key in _INSTRUMENT_SOURCES:
        if cfg.inputs_for(instrument):
            out.append({"title": t(key, lang, year=cfg.graduation_year, months=cfg.survey_months_after)})
    ctx = published[published["basis"].astype(str) == "open_data"]
    for src in dict.fromkeys(str(s) for s in ctx["source"] if str(s)):
        out.append({"title": t("out_source_nsc", lang), "path": src, "licence": D.OPEN_DATA_LICENCE})
    if not ctx.empty and not any("path" in s for s in out):
        out.append({"title": t("out_source_nsc", lang), "licence": D.OPEN_DATA_LICENCE})
    return out


def cover_lines(cfg: Any, lang: str) -> list[tuple[str, str]]:
    """The cover's facts as ``[(heading, text)]`` in ``lang``: institution, cohort, survey timing, contact, how to
    read the tables, licence (the synthetic-data warning is added by the caller where it applies)."""
    phases = [t(k, lang, year=cfg.graduation_year, months=cfg.survey_months_after)
              for inst, k in _INSTRUMENT_SOURCES if cfg.inputs_for(inst)]
    lic = licence(cfg)
    return [
        (t("out_cover_institution", lang), t("out_institution", lang)),
        (t("out_cover_cohort", lang), t("out_cover_cohort_text", lang, cohort=cfg.cohort, year=cfg.graduation_year)),
        (t("out_cover_timing", lang), "; ".join(phases)),
        (t("out_cover_reading", lang), t("out_cover_reading_text", lang, symbol=SYMBOL_SUPPRESSED, x=NOT_AVAILABLE,
                                         z=NOT_APPLICABLE, min_n=cfg.disclosure_min_n,
                                         marker=f"[{note_label('N', lang)}]")),
        (t("out_cover_licence", lang), t("out_cover_licence_text", lang, licence=f"{lic['title']} ({lic['path']})",
                                         nsc=open_data_licence()["title"])),
        (t("out_cover_contact", lang), cfg.contact or t("out_contact_default", lang)),
    ]


def relative(path: Path, root: Any) -> str:
    """``path`` relative to the project root when it lies under it (for progress lines)."""
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(path)

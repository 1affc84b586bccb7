"""The indicator registry: the definitions of ``definitions/indicators.yaml`` and each graduate's value.

One job: read the registry (:func:`load_registry`, :func:`get_indicator`; a malformed file is one
:class:`~analysis.errors.ConfigError` line) and apply a definition's universe and numerator to the
graduates table (:func:`indicator_values`, :func:`indicator_universe`) — the one definition every
estimate of :mod:`analysis.results.table` starts from. Each indicator names its standard (ILO ICLS,
QILT, HESA, NACE, AlmaLaurea, ELA/MLASZ …) in the registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from analysis.core.i18n import LANGS
from analysis.core.paths import DEFINITIONS
from analysis.derive.columns import as_codes, as_number
from analysis.errors import ConfigError

REGISTRY_FILE = DEFINITIONS / "indicators.yaml"

UNITS = ("share", "months", "KGS", "ratio", "index")
STATISTICS = ("share", "median", "mean")
DIRECTIONS = ("higher_is_better", "lower_is_better", "neutral")
GROUPS = ("response", "labour_status", "transition", "job_quality", "income", "mismatch", "feedback")


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
                    num = as_number(s) if not isinstance(val, str) else as_codes(s)
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
        return as_number(s).isin([float(v) for v in values]).to_numpy(bool)
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
        y = as_number(graduates[var]).to_numpy(float)
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

"""Look-ups in the Kyrgyz open-data snapshot: the oblast average wage and the minimum wage.

The figures come from ``data/raw/open/kg-open/``. That folder is a verbatim copy of the project's
shared ``kg-open`` collection, with provenance per row (see its ``README.md`` and
``SNAPSHOT.md``). This module applies the snapshot's rules. Each function returns the figure
together with its period and source, so that a report can cite what it compared against.

Rules, also stated in ``SNAPSHOT.md``:

* **One measure at a time.** The average wage is the NSC statistic ``avg_monthly_nominal_wage``,
  which excludes small enterprises. The Cabinet's tax-base wage is a different measure. It is used
  only when asked for by name. A region that lacks the requested measure raises
  :class:`~analysis.errors.ConfigError`; there is never a fallback to another measure.
* **Nearest published period.** The requested year is used when it exists. Otherwise the nearest
  year is used, preferring the earlier year on a tie. Years further than ``max_gap_years`` away
  are refused. Within a year the preferred figure has, in order: the longest known coverage of
  months; an exact figure in ``som``; a stated publication date; the latest publication date.
* **Minimum wage as a step function.** A statutory minimum stays in force until it is changed.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from analysis.core.paths import SOURCE_ROOT
from analysis.errors import ConfigError, InputError

__all__ = [
    "NSC_WAGE",
    "TAX_BASE_WAGE",
    "OpenFigure",
    "default_data_dir",
    "minimum_wage",
    "oblast_average_wage",
    "region_label",
]

NSC_WAGE = "avg_monthly_nominal_wage"
TAX_BASE_WAGE = "avg_monthly_wage_for_income_tax_and_social_contributions_base"
MIN_WAGE = "minimum_wage_monthly"

WAGE_FILE = "kg_avg_wage_by_region.csv"
MIN_WAGE_FILE = "kg_minimum_wage.csv"

#: contract ``oblast`` codes (docs/variables.md) → region labels used in the kg-open files
REGION_LABELS: dict[str, str] = {
    "batken": "Batken oblast",
    "jalal_abad": "Jalal-Abad oblast",
    "issyk_kul": "Issyk-Kul oblast",
    "naryn": "Naryn oblast",
    "osh_oblast": "Osh oblast",
    "talas": "Talas oblast",
    "chui": "Chui oblast",
    "bishkek": "Bishkek city",
    "osh_city": "Osh city",
    "KG": "Kyrgyz Republic",
}

_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january", "february", "march", "april", "may", "june",
            "july", "august", "september", "october", "november", "december",
        ],
        start=1,
    )
}
_UNIT_FACTOR = {"som": 1.0, "thousand som": 1000.0}


class OpenFigure(NamedTuple):
    """A published figure: value in KGS (som), the period as printed, and the source URL."""

    value_kgs: float
    period: str
    source_url: str


def default_data_dir() -> Path:
    """Return the snapshot folder ``data/raw/open/kg-open`` of this repository."""
    return SOURCE_ROOT / "data" / "raw" / "open" / "kg-open"


def region_label(region: str) -> str:
    """Map a contract ``oblast`` code (e.g. ``jalal_abad``) to the kg-open label; labels pass through."""
    return REGION_LABELS.get(region, region)


@lru_cache(maxsize=16)
def _read(path_str: str) -> tuple[dict[str, str], ...]:
    path = Path(path_str)
    if not path.is_file():
        raise ConfigError(
            f"{path}: open-data file not found — restore the snapshot data/raw/open/kg-open/ "
            "(a verbatim copy of the kg-open collection, see its SNAPSHOT.md) or pass data_dir="
        )
    with path.open(encoding="utf-8", newline="") as fh:
        rows = tuple(csv.DictReader(fh))
    needed = {"indicator", "region", "period", "value", "unit", "source_url"}
    if rows and not needed <= set(rows[0]):
        missing = ", ".join(sorted(needed - set(rows[0])))
        raise InputError(path, f"missing columns {missing}", row=1, fix="use the kg-open file unchanged")
    return rows


def _period_year(period: str) -> int | None:
    m = re.search(r"\b(19|20)\d{2}\b", period)
    return int(m.group(0)) if m else None


def _period_months(period: str) -> int | None:
    """Months covered by a period label; ``None`` when the source does not say."""
    low = period.lower()
    if "not stated" in low or "not visible" in low:
        return None
    rng = re.search(r"(" + "|".join(_MONTHS) + r")\s*-\s*(" + "|".join(_MONTHS) + r")", low)
    if rng:
        return _MONTHS[rng.group(2)] - _MONTHS[rng.group(1)] + 1
    if any(re.search(rf"\b{m}\b", low) for m in _MONTHS):
        return 1
    if re.fullmatch(r"\s*(19|20)\d{2}\s*", period):
        return 12
    return None


def _value_kgs(row: dict[str, str], path: Path, line: int) -> float:
    try:
        return float(row["value"]) * _UNIT_FACTOR[row["unit"]]
    except (KeyError, ValueError) as exc:  # pragma: no cover - the snapshot is clean
        raise InputError(path, f"value {row.get('value')!r} {row.get('unit')!r} is not a som amount",
                         row=line, column="value") from exc


def oblast_average_wage(
    region: str = "Jalal-Abad oblast",
    year: int | None = None,
    *,
    measure: str = NSC_WAGE,
    max_gap_years: int = 1,
    data_dir: str | Path | None = None,
) -> OpenFigure:
    """Average monthly nominal wage of a region, in KGS, for the published period nearest ``year``.

    Parameters
    ----------
    region
        A kg-open label (``"Jalal-Abad oblast"``, ``"Kyrgyz Republic"``) or a contract ``oblast`` code
        (``"jalal_abad"``).
    year
        Calendar year wanted, e.g. the year of the phase-2 survey. ``None`` gives the latest year.
    measure
        ``NSC_WAGE`` (default): the NSC average wage, excluding small enterprises, gross. Use
        ``TAX_BASE_WAGE`` only if that is what you mean. It is never mixed with the NSC figure.
    max_gap_years
        Refuse to use a figure more than this many years from ``year``.
    data_dir
        Folder of the snapshot; default :func:`default_data_dir`.

    Returns
    -------
    OpenFigure
        ``(value_kgs, period, source_url)``. The period is printed as in the source, e.g.
        ``"2021 January-August"``.

    Raises
    ------
    ConfigError
        If there is no figure of that measure for the region, or none within ``max_gap_years``.
    """
    label = region_label(region)
    path = Path(data_dir or default_data_dir()) / WAGE_FILE
    rows = _read(str(path))
    measures = sorted({r["indicator"] for r in rows if r["indicator"].startswith("avg_monthly")})
    if measure not in measures:
        raise ConfigError(f"{path}: unknown wage measure {measure!r} — choose one of {', '.join(measures)}")
    cands = []
    for line, r in enumerate(rows, start=2):
        if r["region"] != label or r["indicator"] != measure or r["unit"] not in _UNIT_FACTOR:
            continue
        y = _period_year(r["period"])
        if y is None:
            continue
        cands.append((y, line, r))
    if not cands:
        other = sorted({r["indicator"] for r in rows if r["region"] == label} - {measure})
        hint = (
            f"only {', '.join(other)} is published for it — a different measure (see the kg-open README "
            "caveats); pass measure= explicitly if you really mean it"
            if other
            else "no figure of any measure for this region; check the region label or code"
        )
        raise ConfigError(f"{path}: no {measure!r} for region {label!r}: {hint}")
    years = sorted({y for y, _, _ in cands})
    if year is None:
        chosen_year = years[-1]
    else:
        # nearest year; on a tie the earlier (already published) year wins
        chosen_year = min(years, key=lambda y: (abs(y - year), y))
        if abs(chosen_year - year) > max_gap_years:
            raise ConfigError(
                f"{path}: no {measure!r} for {label!r} within {max_gap_years} year(s) of {year} "
                f"(published years: {', '.join(map(str, years))}) — set the wage in the cohort "
                "parameters (oblast_wage_kgs) or allow a larger max_gap_years"
            )

    def rank(item: tuple[int, int, dict[str, str]]) -> tuple:
        _, line, r = item
        months = _period_months(r["period"]) or 0
        exact = 1 if r["unit"] == "som" else 0
        published = r.get("published_date") or ""
        return (-months, -exact, 0 if published else 1, _neg(published), line)

    _, line, best = min((c for c in cands if c[0] == chosen_year), key=rank)
    return OpenFigure(_value_kgs(best, path, line), best["period"], best["source_url"])


def _neg(text: str) -> tuple[int, ...]:
    """Sort key that puts later ISO dates first."""
    return tuple(-ord(ch) for ch in text)


def minimum_wage(year: int, *, data_dir: str | Path | None = None) -> OpenFigure:
    """Statutory monthly minimum wage in force in ``year``, in KGS (gross).

    Rule: a statutory minimum stays in force until changed. So the figure used is the latest one
    stated on or before ``year`` (the statement's year, from the period label). Later years carry
    the last figure forward. The period label then says so. The 2019 proposal target
    (``minimum_wage_monthly_proposal_target``) is a different indicator and is never used.
    Figures for 2026–2028 come from the draft or planned budget (see the period label).

    Raises
    ------
    ConfigError
        For a year before the first published figure (2017).
    """
    path = Path(data_dir or default_data_dir()) / MIN_WAGE_FILE
    rows = _read(str(path))
    cands = []
    for line, r in enumerate(rows, start=2):
        if r["indicator"] != MIN_WAGE or r["unit"] not in _UNIT_FACTOR:
            continue
        y = _period_year(r["period"])
        if y is not None and y <= year:
            cands.append((y, line, r))
    if not cands:
        raise ConfigError(
            f"{path}: no statutory minimum wage published on or before {year} — set min_wage_kgs in "
            "the cohort parameters"
        )
    y, line, best = max(cands, key=lambda c: (c[0], c[1]))
    period = best["period"]
    if y != year:
        period = f"{period}; latest published figure on or before {year}"
    return OpenFigure(_value_kgs(best, path, line), period, best["source_url"])

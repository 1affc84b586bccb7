"""Statistical disclosure control for every published number, applied at render time.

Rules (see ``docs/privacy.md`` and ``/reference/indicators.md`` §5):

* **HESA rounding and suppression** (HESA, "Rounding and suppression to anonymise
  statistics"): counts rounded to the nearest multiple of 5, counts below 2.5 to 0, halves
  upwards (2.5 → 5); totals computed from unrounded data, then rounded (rows need not add up);
  percentages on fewer than 22.5 people suppressed; averages on 7 or fewer people suppressed;
  suppressed cells shown as ``..``.
* **Minimum group size for indicators** (MLASZ/ELA graduate monitoring): no indicator for a
  group of fewer than 10 graduates.
* **Rule of 10 and secondary suppression** (ONS/ABS output checking), optional: counts below
  10 suppressed and, in tables with margins, further cells suppressed so that a suppressed
  cell cannot be recovered by subtraction.

Numbers are computed on unrounded data; protection happens last, just before formatting with
:func:`format_count` / :func:`format_pct` (Babel, ``ky``/``ru``/``en``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from numbers import Number

import numpy as np
import pandas as pd

from analysis.errors import ConfigError

__all__ = [
    "SYMBOL",
    "Rules",
    "format_count",
    "format_number",
    "format_pct",
    "hesa_round",
    "is_suppressed",
    "protect_frequency_table",
    "protect_table",
    "round_half_up",
    "safe_pct",
    "secondary_suppression",
    "suppressed_mask",
]

SYMBOL = ".."
"""Shown in place of a suppressed number (HESA convention)."""


@dataclass(frozen=True)
class Rules:
    """Disclosure-control parameters; the defaults are HESA's plus the MLASZ minimum n.

    Attributes
    ----------
    round_base
        Counts are rounded to the nearest multiple of this (HESA: 5); ``None`` for no rounding.
    min_pct_base
        Percentages whose denominator (unrounded) is below this are suppressed (HESA: 22.5).
    max_mean_n_suppressed
        Means and medians on this many people or fewer are suppressed (HESA: 7).
    min_n
        No indicator (percentage, mean, median, rate) for a group smaller than this
        (MLASZ/ELA: 10).
    count_min
        Optional primary suppression of counts: a count ``0 < n < count_min`` is suppressed
        (ONS/ABS "rule of 10": 10). ``None`` (HESA) relies on rounding alone.
    pct_decimals
        Decimals kept for percentages (HESA publishes one).
    symbol
        Shown for a suppressed cell (HESA: ``..``).
    """

    round_base: int | None = 5
    min_pct_base: float = 22.5
    max_mean_n_suppressed: int = 7
    min_n: int = 10
    count_min: int | None = None
    pct_decimals: int = 1
    symbol: str = SYMBOL

    def describe(self) -> str:
        """One sentence stating the rules applied, for a table footnote (English)."""
        parts = []
        if self.round_base:
            parts.append(f"counts rounded to the nearest {self.round_base} (HESA)")
        if self.count_min:
            parts.append(f"counts below {self.count_min} suppressed, with secondary suppression")
        parts.append(
            f"percentages on fewer than {self.min_pct_base:g} people, means on "
            f"{self.max_mean_n_suppressed} or fewer and any indicator on fewer than {self.min_n} "
            f"people suppressed ({self.symbol})"
        )
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + "."


# --------------------------------------------------------------------------------------------
# rounding
# --------------------------------------------------------------------------------------------
def hesa_round(count, base: int = 5):
    """Round counts to the nearest multiple of ``base``, halves upwards (HESA rounding).

    Parameters
    ----------
    count
        A non-negative count (people, possibly a fractional weighted/FPE count), or an
        array-like / Series of them.
    base
        Rounding base (HESA: 5).

    Returns
    -------
    int or numpy.ndarray or pd.Series
        Same shape as ``count``: 148 → 150, 2 → 0, 2.5 → 5, 3 → 5, 7.5 → 10. A Series comes
        back as nullable ``Int64`` with missing values kept; a scalar missing value gives
        ``pd.NA``.

    Raises
    ------
    ValueError
        A negative count.
    """
    if isinstance(count, pd.Series):
        values = pd.to_numeric(count, errors="raise").astype("Float64")
        if bool((values < 0).any()):
            raise ValueError("hesa_round: counts must not be negative")
        out = (np.floor(values / base + 0.5) * base).astype("Int64")
        return out.rename(count.name)
    if np.ndim(count) == 0:
        if count is None or count is pd.NA or (isinstance(count, float) and np.isnan(count)):
            return pd.NA
        if count < 0:
            raise ValueError("hesa_round: counts must not be negative")
        return int(np.floor(float(count) / base + 0.5) * base)
    arr = np.asarray(count, dtype=float)
    if np.any(arr < 0):
        raise ValueError("hesa_round: counts must not be negative")
    out = np.floor(arr / base + 0.5) * base
    return out if np.isnan(out).any() else out.astype(np.int64)


def round_half_up(value: float, decimals: int = 1) -> float:
    """Round a number half away from zero on its decimal representation (6.25 → 6.3)."""
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP))


# --------------------------------------------------------------------------------------------
# single values
# --------------------------------------------------------------------------------------------
def _is_missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def is_suppressed(value, rules: Rules | None = None) -> bool:
    """True when ``value`` is the suppression symbol."""
    return isinstance(value, str) and value == (rules or Rules()).symbol


def safe_pct(numerator: float, denominator: float, rules: Rules | None = None) -> float | str:
    """A publishable percentage (0–100) of ``numerator`` in ``denominator`` people.

    Returns
    -------
    float or str
        The percentage rounded half up to ``rules.pct_decimals`` (20 of 23 → 87.0), or the
        suppression symbol when the unrounded denominator is below
        ``rules.min_pct_base`` (HESA: 22.5; 5 of 11 → ``..``) or below
        ``rules.min_n``. ``nan`` for a zero or missing denominator.
    """
    rules = rules or Rules()
    if _is_missing(denominator) or _is_missing(numerator) or denominator == 0:
        return float("nan")
    if denominator < rules.min_pct_base or denominator < rules.min_n:
        return rules.symbol
    return round_half_up(100.0 * numerator / denominator, rules.pct_decimals)


# --------------------------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------------------------
def _check_columns(df: pd.DataFrame, cols: Iterable[str]) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"protect_table: columns not in the table: {', '.join(map(str, missing))}")


def _finish(out: pd.DataFrame, mask: pd.DataFrame, rules: Rules, as_numbers: bool) -> pd.DataFrame:
    """Put the symbol (or NaN) into suppressed cells and record them in ``attrs``."""
    for col in mask.columns:
        m = mask[col].to_numpy(dtype=bool)
        if as_numbers:
            if m.any():
                out[col] = out[col].astype("Float64").mask(m)
        else:
            values = out[col].astype(object).to_numpy(copy=True)
            values[m] = rules.symbol
            values = [None if _is_missing(v) else v for v in values]
            out[col] = pd.Series(values, index=out.index, dtype=object)
    out.attrs["suppressed"] = {
        str(c): [int(i) for i in np.flatnonzero(mask[c].to_numpy(dtype=bool))]
        for c in mask.columns
        if mask[c].any()
    }
    out.attrs["disclosure"] = rules.describe()
    return out


def protect_table(
    df: pd.DataFrame,
    count_cols: Iterable[str] = (),
    pct_cols: Mapping[str, str] | None = None,
    mean_cols: Mapping[str, str] | None = None,
    rules: Rules | None = None,
    *,
    as_numbers: bool = False,
) -> pd.DataFrame:
    """Make a results table publishable: round counts, suppress small-base indicators.

    Parameters
    ----------
    df
        Unrounded results, one row per group. Totals rows, if any, must already be computed
        from unrounded data (HESA: totals are rounded after calculation, so rows need not
        add up).
    count_cols
        Counts of people: rounded with :func:`hesa_round`; with ``rules.count_min``, counts
        ``0 < n < count_min`` are suppressed first. The denominator and n columns named in
        ``pct_cols`` and ``mean_cols`` are treated as counts too (drop them from the
        result if they are not to be shown).
    pct_cols
        Percentage column (0–100) → its denominator column. Suppressed when the unrounded
        denominator is below ``rules.min_pct_base`` or ``rules.min_n``, else
        rounded half up to ``rules.pct_decimals``.
    mean_cols
        Mean, median or other average → its n column. Suppressed when n ≤
        ``rules.max_mean_n_suppressed`` or n < ``rules.min_n``; not rounded.
    rules
        :class:`Rules` (default HESA + MLASZ minimum 10).
    as_numbers
        ``False`` (default): protected columns hold numbers or the symbol ``..`` (object
        dtype), ready for :func:`format_count` / :func:`format_pct`. ``True``: suppressed
        cells are ``<NA>`` (for charts).

    Returns
    -------
    pd.DataFrame
        A copy. ``attrs["suppressed"]`` maps each column with suppressed cells to their row
        positions (see :func:`suppressed_mask`); ``attrs["disclosure"]`` is a footnote.
    """
    rules = rules or Rules()
    pct_cols = dict(pct_cols or {})
    mean_cols = dict(mean_cols or {})
    # denominators and n's are counts of people too: they are published, so they are rounded
    count_cols = list(dict.fromkeys([*count_cols, *pct_cols.values(), *mean_cols.values()]))
    _check_columns(df, [*count_cols, *pct_cols, *pct_cols.values(), *mean_cols, *mean_cols.values()])

    out = df.copy()
    mask = pd.DataFrame(False, index=df.index, columns=[*count_cols, *pct_cols, *mean_cols])

    def num(col: str) -> pd.Series:
        return pd.to_numeric(df[col], errors="coerce").astype(float)

    for col, den_col in pct_cols.items():  # decide on unrounded denominators
        den = num(den_col)
        small = (den < rules.min_pct_base) | (den < rules.min_n)
        mask[col] = small.fillna(False).to_numpy(dtype=bool)
        out[col] = [
            float("nan") if np.isnan(v) else round_half_up(v, rules.pct_decimals) for v in num(col)
        ]
    for col, n_col in mean_cols.items():
        n = num(n_col)
        small = (n <= rules.max_mean_n_suppressed) | (n < rules.min_n)
        mask[col] = small.fillna(False).to_numpy(dtype=bool)
    for col in count_cols:
        c = num(col)
        if rules.count_min:
            mask[col] = ((c > 0) & (c < rules.count_min)).fillna(False).to_numpy(dtype=bool)
        out[col] = hesa_round(c, rules.round_base) if rules.round_base else c.round().astype("Int64")
    return _finish(out, mask, rules, as_numbers)


def suppressed_mask(table: pd.DataFrame) -> pd.DataFrame:
    """Boolean mask of the cells suppressed by :func:`protect_table` /
    :func:`protect_frequency_table`, rebuilt from ``table.attrs["suppressed"]``."""
    mask = pd.DataFrame(False, index=table.index, columns=table.columns)
    for col, positions in table.attrs.get("suppressed", {}).items():
        key = next((c for c in table.columns if str(c) == col), None)
        if key is not None:
            mask.iloc[positions, table.columns.get_loc(key)] = True
    return mask


def secondary_suppression(
    table: pd.DataFrame,
    primary: pd.DataFrame,
    *,
    total_row: object | None = "Total",
    total_col: object | None = "Total",
) -> pd.DataFrame:
    """Extend primary suppression so no suppressed cell can be recovered from the margins.

    Parameters
    ----------
    table
        Unrounded two-way frequency table including its margins: a row labelled
        ``total_row`` holding column totals and a column ``total_col`` holding row totals
        (as made by ``pd.crosstab(..., margins=True, margins_name="Total")``). ``None`` when
        a margin is not published.
    primary
        Boolean mask of the same shape: the cells suppressed by a primary rule.

    Returns
    -------
    pd.DataFrame
        Boolean mask of all suppressed cells (primary and secondary).

    Notes
    -----
    Heuristic (as in ONS/ABS output-checking guidance): every published sum gives a line of
    cells — each row with its row total (when ``total_col`` is published), each column with
    its column total (when ``total_row`` is published), including the total row and column
    with the grand total. A line with exactly one suppressed cell lets a reader recover it by
    subtraction, so the smallest other cell of that line is suppressed too, preferring inner
    cells to totals and non-zero cells to zeros (ties: first in table order). Lines are
    visited rows first, then columns, until nothing changes. Every line then has none or at
    least two suppressed cells; this is a necessary condition, not a proof against every
    linear attack, which is what rounding the published counts adds.
    """
    if primary.shape != table.shape:
        raise ValueError("secondary_suppression: the mask must have the shape of the table")
    values = table.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    mask = np.array(
        primary.reindex(index=table.index, columns=table.columns).fillna(False), dtype=bool
    )
    rows, cols = list(table.index), list(table.columns)
    if total_row is not None and total_row not in rows:
        raise ValueError(f"secondary_suppression: no row labelled {total_row!r}")
    if total_col is not None and total_col not in cols:
        raise ValueError(f"secondary_suppression: no column labelled {total_col!r}")
    tr = rows.index(total_row) if total_row is not None else None
    tc = cols.index(total_col) if total_col is not None else None

    lines: list[list[tuple[int, int]]] = []
    if tc is not None:
        lines += [[(i, j) for j in range(len(cols))] for i in range(len(rows))]
    if tr is not None:
        lines += [[(i, j) for i in range(len(rows))] for j in range(len(cols))]

    def cost(cell: tuple[int, int]) -> tuple:
        i, j = cell
        v = values[i, j]
        is_margin = i == tr or j == tc
        return (is_margin, v == 0 or np.isnan(v), np.nan_to_num(v, nan=np.inf), i, j)

    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [c for c in line if mask[c]]
            if len(hidden) != 1:
                continue
            shown = [c for c in line if not mask[c]]
            if not shown:
                continue
            mask[min(shown, key=cost)] = True
            changed = True
    return pd.DataFrame(mask, index=table.index, columns=table.columns)


def protect_frequency_table(
    table: pd.DataFrame,
    rules: Rules | None = None,
    *,
    total_row: object | None = "Total",
    total_col: object | None = "Total",
    as_numbers: bool = False,
) -> pd.DataFrame:
    """Protect a two-way frequency table with margins: primary, secondary suppression, rounding.

    Primary suppression uses ``rules.count_min`` (counts ``0 < n < count_min``; none when it
    is ``None``), then :func:`secondary_suppression`, then every published cell, margins
    included, is rounded with :func:`hesa_round` from its unrounded value.

    Returns
    -------
    pd.DataFrame
        As :func:`protect_table`: numbers or ``..`` (or ``<NA>`` with ``as_numbers``), with
        ``attrs["suppressed"]`` and ``attrs["disclosure"]``.
    """
    rules = rules or Rules()
    values = table.apply(pd.to_numeric, errors="coerce").astype(float)
    if rules.count_min:
        primary = (values > 0) & (values < rules.count_min)
    else:
        primary = pd.DataFrame(False, index=table.index, columns=table.columns)
    mask = secondary_suppression(values, primary, total_row=total_row, total_col=total_col)
    out = values.copy()
    for col in out.columns:
        out[col] = hesa_round(values[col], rules.round_base) if rules.round_base else values[col]
    return _finish(out, mask, rules, as_numbers)


# --------------------------------------------------------------------------------------------
# formatting (Babel, CLDR)
# --------------------------------------------------------------------------------------------
def _locale(lang: str):
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError, AttributeError):
        raise ConfigError(
            f"unknown report language {lang!r} — use ky, ru or en"
        ) from None


def _special(value, symbol: str, missing: str) -> str | None:
    if isinstance(value, str):
        if value == symbol or value == SYMBOL:
            return symbol
        raise ValueError(f"cannot format {value!r} as a number")
    if _is_missing(value):
        return missing
    return None


def format_pct(
    value, lang: str, decimals: int = 1, *, symbol: str = SYMBOL, missing: str = "–"
) -> str:
    """Format a percentage (0–100) in the language's CLDR percent pattern, via Babel.

    ``format_pct(87.0, "ky")`` → ``87,0%``; ``"ru"`` → ``87,0 %`` (no-break space, CLDR ru
    pattern ``#,##0 %``); ``"en"`` → ``87.0%``. The suppression symbol stays ``..``; a
    missing value gives ``missing``. Rounds half up to ``decimals``.
    """
    special = _special(value, symbol, missing)
    if special is not None:
        return special
    from babel.numbers import format_percent

    loc = _locale(lang)
    pattern = loc.percent_formats[None].pattern
    if decimals > 0:
        at = max(i for i, ch in enumerate(pattern) if ch == "0")
        pattern = pattern[: at + 1] + "." + "0" * decimals + pattern[at + 1 :]
    q = Decimal(repr(round_half_up(float(value), decimals))) / 100
    return format_percent(q, format=pattern, locale=loc)


def format_count(value, lang: str, *, symbol: str = SYMBOL, missing: str = "–") -> str:
    """Format a (already rounded) count with the language's digit grouping, via Babel.

    ``ky`` and ``ru`` group with a no-break space (``1 250``), ``en`` with a comma
    (``1,250``). The suppression symbol stays ``..``; a missing value gives ``missing``.
    Formatting does not round: protect the table first (:func:`protect_table`).
    """
    special = _special(value, symbol, missing)
    if special is not None:
        return special
    from babel.numbers import format_decimal

    if not isinstance(value, Number) or float(value) != int(float(value)):
        raise ValueError(f"format_count: {value!r} is not a whole number")
    return format_decimal(int(float(value)), format="#,##0", locale=_locale(lang))


def format_number(
    value, lang: str, decimals: int = 1, *, symbol: str = SYMBOL, missing: str = "–"
) -> str:
    """Format a mean, median or other number with ``decimals`` decimals (half up), via Babel.

    ``format_number(25431.25, "ky")`` → ``25 431,3``. Suppressed → ``..``.
    """
    special = _special(value, symbol, missing)
    if special is not None:
        return special
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    q = Decimal(repr(round_half_up(float(value), decimals)))
    return format_decimal(q, format=pattern, locale=_locale(lang))

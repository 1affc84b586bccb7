"""Numbers as people read them, in ky / ru / en: the one formatter of every published number.

Percentages, counts and other numbers are formatted with Babel (CLDR patterns; glibc locales are not
generated on these machines), rounding half up on the decimal representation. A suppressed cell shows
:data:`SYMBOL` (``..``, HESA). :func:`fmt_pct` and :func:`fmt_number` are the report's short forms
(a share 0–1, missing → ``..``). Used by :mod:`analysis.publish.report` and
:mod:`analysis.publish.quality_report`; disclosure control itself (:mod:`analysis.publish.disclosure`)
decides what is shown, never how.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from numbers import Number

import numpy as np
import pandas as pd
from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal, format_percent

from analysis.errors import ConfigError

__all__ = ["SYMBOL", "fmt_number", "fmt_pct", "format_count", "format_number", "format_pct", "round_half_up"]

SYMBOL = ".."
"""Shown in place of a suppressed number (HESA convention)."""


def round_half_up(value: float, decimals: int = 1) -> float:
    """Round a number half away from zero on its decimal representation (6.25 → 6.3)."""
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP))


def _is_missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _locale(lang: str):
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
    Formatting does not round: counts are rounded by the disclosure pass first (:func:`publish`).
    """
    special = _special(value, symbol, missing)
    if special is not None:
        return special

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

    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    q = Decimal(repr(round_half_up(float(value), decimals)))
    if q == 0:
        q = abs(q)  # no "-0,0"
    return format_decimal(q, format=pattern, locale=_locale(lang))


def fmt_number(value: float | int | None, lang: str = "ky", digits: int = 0) -> str:
    """A number with the language's grouping and decimal signs (``1 234,5`` in ky/ru), rounded half up;
    ``..`` for a missing value. Delegates to :func:`format_number` (one formatter)."""
    if value is None or value != value:  # NaN
        return ".."
    return format_number(float(value), lang, digits)


def fmt_pct(share: float | None, lang: str = "ky", digits: int = 1) -> str:
    """A share 0–1 as a percentage in the language's CLDR pattern (ky ``87,0%``, ru ``87,0 %``, en ``87.0%``).

    Delegates to :func:`format_pct` (one formatter for the whole project);
    ``..`` for a missing value, as for a suppressed one.
    """
    if share is None or share != share:
        return ".."
    return format_pct(100 * float(share), lang, digits)

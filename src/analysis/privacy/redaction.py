"""Redaction: direct identifiers dropped, phones, e-mail addresses and @handles in free text replaced.

One job: remove personal data from a table that stays. :func:`drop_personal` drops the direct-identifier
columns and passes the free-text answers through :func:`redact_text`, which replaces every
:data:`PERSONAL_PATTERNS` match by ``[phone]``, ``[email]`` or ``[handle]``. Telephone numbers follow
ITU-T E.164 and the national numbering plan of the Kyrgyz Republic (mobile ranges from libphonenumber's
metadata, territory KG; Jalal-Abad fixed lines, area code 3722).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from analysis.privacy.values import DIRECT_IDENTIFIERS, is_identifier_column

# ---- Kyrgyz telephone numbers ---------------------------------------------------------------
# Numbering plan (ITU-T E.164; national plan of the Kyrgyz Republic): country code 996, national
# prefix 0, international prefix 00, national significant number (NSN) always 9 digits.
# Mobile NSN ranges, from Google libphonenumber's metadata (resources/PhoneNumberMetadata.xml,
# territory "KG", <mobile> nationalNumberPattern of the current releases):
#     (?:2(?:0[0-35]|2\d)|5[0-24-7]\d|600|7(?:[07]\d|55)|88[08]|9(?:12|9[05-9]))\d{6}
# i.e. operator prefixes 200-203, 205, 220-229, 500-529, 540-579, 600, 700-709, 755, 770-779,
# 880, 888, 912, 990, 995-999 (the Bishkek-only 312 58x / 312 973 mobile blocks are covered
# only with a 0 / +996 prefix).
# Fixed lines of Jalal-Abad city: area code 3722 + 5-digit subscriber number (same metadata,
# fixedLine "37(?:22…)"), written 0 3722 5-12-34 or +996 3722 51234.
KG_MOBILE_PREFIXES: tuple[str, ...] = (
    r"20[0-35]", r"22\d", r"5[0-24-7]\d", r"600", r"7[07]\d", r"755", r"88[08]", r"912", r"99[05-9]",
)
"""The first three digits of a Kyrgyz mobile NSN, as regex atoms (libphonenumber, territory KG)."""

JALAL_ABAD_AREA_CODE = "3722"
"""Area code of Jalal-Abad city fixed lines (NSN = 3722 + 5 digits)."""

_SEP = r"[ \u00a0\-.()]{0,3}"  # between any two digits: spaces, no-break spaces, dashes, dots, brackets
_ATOM = re.compile(r"\\d|\[[^\]]*\]|\d")


def _spaced(atoms_regex: str) -> str:
    """A digit regex (atoms: ``\\d``, ``[0-35]``, ``7``) allowing :data:`_SEP` between atoms."""
    return _SEP.join(_ATOM.findall(atoms_regex))


def _phone_regex() -> re.Pattern[str]:
    nsn_any = _spaced(r"\d" * 9)
    bare_mobile = "(?:" + "|".join(_spaced(p) for p in KG_MOBILE_PREFIXES) + ")" + _SEP + _spaced(r"\d" * 6)
    bare_landline = _spaced(JALAL_ABAD_AREA_CODE) + _SEP + _spaced(r"\d" * 5)
    return re.compile(
        # not inside a word or number, and not right after "digit + separator" (12.05.2025 or
        # 1 200 000 000 never yield a phone from their tail)
        r"(?<![\w+])(?<!\d[ \u00a0.\-/:,])\(?(?!\d[.,]\d)"
        r"(?:(?:\+|00)" + _SEP + "996" + _SEP + nsn_any      # +996 555 12-34-56, 00996 555123456
        + r"|996" + _SEP + nsn_any                            # 996 700 98 76 54
        + r"|0" + _SEP + nsn_any                              # 0555 12 34 56, 0 (3722) 5-12-34
        + r"|" + bare_mobile                                  # 555 81 23 47 (no prefix: mobile ranges only)
        + r"|" + bare_landline                                # 3722 5 12 34
        + r"|\+[1-9](?:" + _SEP + r"\d){9,14}"               # other countries: +7 912 345 67 89
        + r")(?<![.,]\d)(?!\w)(?![.,]\d)"  # never the fraction of a decimal number (0.555123456)
    )


PERSONAL_PATTERNS: dict[str, re.Pattern[str]] = {
    # Kyrgyz numbers with +996 / 00996 / 996 / 0 before the 9-digit NSN, or without a prefix when
    # the NSN starts with a mobile range (KG_MOBILE_PREFIXES) or the Jalal-Abad area code 3722;
    # any spaces, dashes, dots or brackets between digits. Other international numbers need "+".
    # Not phones: 5-6 digit local numbers without the area code (5-12-34), which cannot be told
    # apart from amounts such as "25 000".
    "phone": _phone_regex(),
    "email": re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?!\w)"),
    # @handle as used by Telegram/Instagram/TikTok (3-32 characters); "@" inside an e-mail
    # address is excluded by the look-behind.
    "handle": re.compile(r"(?<![\w.@])@[A-Za-z0-9_][A-Za-z0-9_.]{2,31}(?<!\.)(?![\w@])"),
}
"""Regexes for personal data written into free text; used by :func:`redact_text`."""

_REDACT_PREFILTER: dict[str, str] = {
    "email": "@",
    "handle": "@",
    "phone": "\\d(?:[ \u00a0\\-.()]{0,3}\\d){8}",  # at least 9 digits, as close as a phone writes them
}


# --------------------------------------------------------------------------------------------


def redact_text(text: pd.Series) -> pd.Series:
    """Replace phones, e-mail addresses and @handles in free text by ``[phone]`` etc.

    Parameters
    ----------
    text
        Free-text answers (e.g. ``strengths``, ``suggestions``, ``job_title``).

    Returns
    -------
    pd.Series
        The same values (string dtype) with every :data:`PERSONAL_PATTERNS` match replaced;
        missing stays missing. Vectorised (``Series.str.contains`` pre-filter, then
        ``Series.str.replace`` on the candidates): under a second per million pseudonym-like values.
    """
    out = text.astype("string")
    for kind in ("email", "phone", "handle"):  # e-mail first: it contains "@"
        # a cheap vectorised pre-filter (no look-arounds, so pyarrow's engine runs it) picks the
        # values that can hold a match; only those go through the full pattern
        maybe = out.str.contains(_REDACT_PREFILTER[kind], regex=True).fillna(False).astype(bool)
        if bool(maybe.any()):
            out[maybe] = out[maybe].str.replace(PERSONAL_PATTERNS[kind], f"[{kind}]", regex=True)
    return out


def drop_personal(
    df: pd.DataFrame,
    personal_columns: Iterable[str] = DIRECT_IDENTIFIERS,
    *,
    free_text: Iterable[str] = (),
) -> pd.DataFrame:
    """Drop direct-identifier columns and redact personal patterns in the free-text answers.

    Parameters
    ----------
    df
        A table from ``data/raw`` (registry or phase export). Pseudonymise ``student_id``
        first: it is dropped here.
    personal_columns
        Columns to drop (default :data:`DIRECT_IDENTIFIERS`); names absent from ``df`` are
        ignored.
    free_text
        The free-text columns to pass through :func:`redact_text`, normally
        :func:`free_text_questions` of the table's instrument; names absent from ``df`` are
        ignored. No other column is touched.

    Returns
    -------
    pd.DataFrame
        A copy; ``attrs["dropped_personal"]`` lists the dropped columns and
        ``attrs["redacted"]`` the number of redacted cells per column.

    Raises
    ------
    ValueError
        ``free_text`` names an identifier column (``pid``, ``*_id``): pseudonyms and ids are
        never redacted (a redacted pseudonym no longer links).
    """
    drop = [c for c in dict.fromkeys(personal_columns) if c in df.columns]
    out = df.drop(columns=drop).copy()
    redacted: dict[str, int] = {}
    for col in dict.fromkeys(free_text):
        if is_identifier_column(str(col)):
            raise ValueError(f"drop_personal: '{col}' is an identifier column and is never redacted")
        if col not in out.columns or col in drop:
            continue
        s = out[col]
        if s.dtype == object:
            is_text = s.map(type).eq(str)
        elif pd.api.types.is_string_dtype(s.dtype):
            is_text = s.notna()
        else:
            continue  # numbers or dates: nothing typed by a respondent
        before = s[is_text].astype("string")
        after = redact_text(before)
        changed = after.ne(before).fillna(False).astype(bool)
        n = int(changed.sum())
        if n:
            out.loc[changed.index[changed.to_numpy()], col] = after[changed].astype(object).to_numpy()
            redacted[str(col)] = n
    out.attrs["dropped_personal"] = drop
    out.attrs["redacted"] = redacted
    return out

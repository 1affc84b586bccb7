"""Data minimisation of quasi-identifiers: the date of birth becomes the age, rare combinations are listed.

One job: the quasi-identifiers. :func:`minimise_birth_date` keeps only the age at graduation in completed
years (UN *Principles and Recommendations for Population and Housing Censuses*, Rev. 3; GDPR Art. 5(1)(c));
:func:`k_anonymity` lists combinations shared by fewer than *k* records (Sweeney 2002) before microdata are
released beyond the project.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def age_in_completed_years(birth: pd.Series, at: pd.Series) -> pd.Series:
    """Age in completed years (age at last birthday) on a reference date.

    Parameters
    ----------
    birth, at
        Dates of birth and reference dates (anything :func:`pandas.to_datetime` reads; NaT
        for unknown), aligned by index.

    Returns
    -------
    pd.Series
        Whole years (``Int64``), ``<NA>`` where either date is unknown. A person born on
        29 February becomes a year older on 1 March in common years. This is the "age at last
        birthday", "completed solar years" of the UN *Principles and Recommendations for
        Population and Housing Censuses* (Rev. 3).
    """
    b = pd.to_datetime(birth, errors="coerce")
    a = pd.to_datetime(at, errors="coerce")
    years = a.dt.year - b.dt.year
    before_birthday = (a.dt.month < b.dt.month) | ((a.dt.month == b.dt.month) & (a.dt.day < b.dt.day))
    age = years - before_birthday.astype("int64")
    return age.astype("Float64").astype("Int64").where(b.notna() & a.notna())


def minimise_birth_date(df: pd.DataFrame, at: str = "graduation_date",
                        birth: str = "date_of_birth") -> pd.DataFrame:
    """Replace the full date of birth by the age at graduation (data minimisation).

    Only the age is analysed (``age_at_grad`` in the non-response comparison and the models),
    so the processed tables never carry the day and month of birth, a quasi-identifier
    (GDPR Art. 5(1)(c), data minimisation).

    Parameters
    ----------
    df
        A table with a date-of-birth column (the validated registry); returned unchanged (a
        copy) when it has none.
    at
        The reference-date column (graduation date).
    birth
        The date-of-birth column, dropped.

    Returns
    -------
    pd.DataFrame
        A copy without ``birth`` and with ``age_at_grad`` (``Int64``, completed years,
        :func:`age_in_completed_years`) inserted where ``birth`` was.
    """
    out = df.copy()
    if birth not in out.columns:
        return out
    at_values = out[at] if at in out.columns else pd.Series(pd.NaT, index=out.index)
    age = age_in_completed_years(out[birth], at_values)
    pos = list(out.columns).index(birth)
    out = out.drop(columns=[birth])
    out.insert(pos, "age_at_grad", age)
    return out


def k_anonymity(df: pd.DataFrame, quasi_identifiers: Iterable[str], k: int = 5) -> pd.DataFrame:
    """Combinations of quasi-identifiers shared by fewer than ``k`` records.

    Reference API: no stage calls it; the expert group runs it by hand before releasing microdata
    beyond the project (``docs/privacy.md`` §6).

    Parameters
    ----------
    df
        Microdata, one row per person.
    quasi_identifiers
        Columns an outsider could know (e.g. faculty, programme, sex, cohort, region).
    k
        Minimum group size (Sweeney 2002, "k-anonymity"; 3 or 5 usual for released microdata).

    Returns
    -------
    pd.DataFrame
        One row per offending combination: the quasi-identifier columns and ``n`` (its size),
        smallest groups first. Empty when ``df`` is k-anonymous. Missing values form their own
        group.
    """
    qi = list(quasi_identifiers)
    missing = [c for c in qi if c not in df.columns]
    if missing:
        raise ValueError(f"k_anonymity: columns not in the table: {', '.join(missing)}")
    if not qi:
        raise ValueError("k_anonymity: give at least one quasi-identifier")
    if k < 1:
        raise ValueError("k_anonymity: k must be at least 1")
    sizes = df.groupby(qi, dropna=False, observed=True, sort=True).size().rename("n")
    small = sizes[sizes < k].reset_index()
    return small.sort_values(["n", *qi], kind="stable", na_position="last").reset_index(drop=True)

"""The job of each employed graduate: occupation (ISCO-08), skill level, sector, informality, place of work.

One job: the per-graduate job characteristics. Standards: ISCO-08 (ILO 2012, vol. I: major groups and
the four skill levels), ГКЭД-3 / NACE Rev.2 sections and ILO's three broad sectors, ILO 17th ICLS
guidelines (2003) on informal employment; work abroad and in the home region from the contract's items.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.derive.columns import as_category, as_codes, col_or_na, is_code, is_known, tri_state
from analysis.derive.labour import employed_mask

SKILL_LEVELS = ("1", "2", "3", "3-4", "4")
GKED = tuple("ABCDEFGHIJKLMNOPQRSTU")
SECTOR_BROAD = ("agriculture", "industry", "services")


def isco_major_from(df: pd.DataFrame) -> pd.Series:
    """ISCO-08 major group ('0'–'9'): the first digit of ``isco_code``, else ``isco_major``.

    ``isco_code`` is coded by staff from the job title, so it wins over the respondent's own
    choice. Codes that are not 2–4 digits are ignored. Returns nullable strings.
    """
    code = as_codes(col_or_na(df, "isco_code"))
    valid = code.str.fullmatch(r"[0-9]{2,4}").fillna(False)
    major = as_codes(col_or_na(df, "isco_major"))
    major = major.where(major.str.fullmatch(r"[0-9]").fillna(False))
    return code.str[0].where(valid, major).astype("string")


def isco_submajor_from(df: pd.DataFrame) -> pd.Series:
    """ISCO-08 sub-major group (2 digits) from ``isco_code``; <NA> when only the major group is known."""
    code = as_codes(col_or_na(df, "isco_code"))
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
    major = as_codes(isco_major)
    sub = as_codes(isco_submajor) if isco_submajor is not None else pd.Series(pd.NA, index=major.index, dtype="string")
    out = [_skill_of(m, s) for m, s in zip(major.tolist(), sub.tolist())]
    return as_category(out, SKILL_LEVELS, major.index)


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
    emp = employed_mask(df)
    code = as_codes(col_or_na(df, "sector")).str.upper()
    sec = [c if e and isinstance(c, str) and c in GKED else None for c, e in zip(code.tolist(), emp)]
    broad = [None if s is None else "agriculture" if s == "A" else "industry" if s in "BCDEF" else "services"
             for s in sec]
    return pd.DataFrame(
        {"gked_section": as_category(sec, GKED, df.index, ordered=False),
         "sector_broad": as_category(broad, SECTOR_BROAD, df.index, ordered=False)},
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
    emp = employed_mask(df)
    et, c, sf = col_or_na(df, "emp_type"), col_or_na(df, "contract"), col_or_na(df, "social_fund")
    family = is_code(et, "family_worker") | (
        ~is_known(et) & ~is_code(col_or_na(df, "ilo_worked"), "yes") & is_code(col_or_na(df, "ilo_family_help"), "yes")
    )
    own = is_code(et, "self_employed", "employer")
    employee = ~family & ~own
    emp_inf = is_code(c, "verbal", "none") | is_code(sf, "no")
    emp_formal = is_code(c, "written") & is_code(sf, "yes")
    true = emp & (family | (employee & emp_inf) | (own & is_code(sf, "no")))
    known = emp & (family | (employee & (emp_inf | emp_formal)) | (own & is_code(sf, "yes", "no")))
    return tri_state(true, known, df.index)


def abroad(df: pd.DataFrame) -> pd.Series:
    """Works abroad: employed with ``work_country`` other than KG (nullable boolean)."""
    emp = employed_mask(df)
    wc = col_or_na(df, "work_country")
    return tri_state(emp & is_known(wc) & ~is_code(wc, "KG"), emp & is_known(wc), df.index)


def works_in_region(df: pd.DataFrame, region: str = "jalal_abad") -> pd.Series:
    """Works in the home region: employed, ``work_country`` = KG and ``work_oblast`` = ``region``.

    Employed graduates working abroad, or in another oblast, are False. An unknown location is <NA>.
    """
    emp = employed_mask(df)
    wc, wo = col_or_na(df, "work_country"), col_or_na(df, "work_oblast")
    kg = is_code(wc, "KG")
    true = emp & kg & is_code(wo, region)
    known = emp & ((kg & is_known(wo)) | (is_known(wc) & ~kg))
    return tri_state(true, known, df.index)

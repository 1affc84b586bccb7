"""Education–job match and feedback: vertical and horizontal match, degree effectiveness, competence gaps,
programme evaluation.

One job: the per-graduate match and feedback variables. Standards: ILO 20th ICLS guidelines (2018) on
skills mismatch (subjective and normative approaches, ISCO-08 skill levels ↔ ISCED 2011), Eurostat's
over-qualification rule, AlmaLaurea's "efficacia della laurea", the Indonesian national tracer
questionnaire (competences at graduation and in the job), ETF/Cedefop/ILO (2016) (programme evaluation).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.derive.columns import (
    as_category,
    as_codes,
    as_number,
    col_or_na,
    consent_given,
    scale_at_least,
    tri_state,
)
from analysis.derive.labour import employed_mask
from analysis.errors import ConfigError

#: the contract's competence list (suffix ``<c>`` of comp_grad_/comp_job_/rate_)
COMPETENCES: tuple[str, ...] = (
    "ethics", "field_knowledge", "foreign_language", "ict", "communication", "teamwork",
    "self_development", "critical_thinking", "problem_solving", "research", "time_management",
    "pressure",
)
VM_SUBJECTIVE = ("under_educated", "matched", "over_educated")
VM_NORMATIVE = ("under_qualified", "matched", "over_qualified")
EFFECTIVENESS = ("not_effective", "slightly_effective", "fairly_effective", "effective", "very_effective")


def vertical_match_subjective(df: pd.DataFrame) -> pd.Series:
    """Self-assessed vertical match (ordered categorical; employed only).

    Standard: ILO 20th ICLS guidelines (2018) on skills mismatch, subjective approach. The item is
    ``vertical_match``: which education level fits the job best (Indonesian standard
    questionnaire). ``same`` → matched; ``lower`` or ``none_needed`` → over_educated;
    ``higher`` → under_educated.
    """
    emp = employed_mask(df)
    vm = as_codes(col_or_na(df, "vertical_match"))
    m = {"same": "matched", "lower": "over_educated", "none_needed": "over_educated", "higher": "under_educated"}
    out = [m.get(v) if e and isinstance(v, str) else None for v, e in zip(vm.tolist(), emp)]
    return as_category(out, VM_SUBJECTIVE, df.index)


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
    major = as_codes(isco_major)
    sub = as_codes(isco_submajor) if isco_submajor is not None else pd.Series(pd.NA, index=major.index, dtype="string")
    lvl = as_number(isced_level)
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
    return as_category(out, VM_NORMATIVE, major.index)


def horizontal_match_subjective(df: pd.DataFrame) -> pd.Series:
    """Self-assessed field match: ``horizontal_match`` ≥ 4 on the 5-point scale (employed only).

    Standard: ILO 20th ICLS guidelines (2018), subjective field-of-study match. The item is the
    Indonesian standard's "how closely is your field of study related to your job"; 4 = closely
    and 5 = very closely count as matched.
    """
    return scale_at_least(df, "horizontal_match", 4, employed_mask(df))


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
    code = as_codes(isco_code)
    valid = code.str.fullmatch(r"[0-9]{2,4}").fillna(False)
    sub = code.str[:2].where(valid)
    major = as_codes(isco_major) if isco_major is not None else code.str[0].where(valid)
    exp = as_codes(expected_isco)
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
    return tri_state(np.array(true, bool), np.array(known, bool), code.index)


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
    emp = employed_mask(df)
    vm = as_codes(col_or_na(df, "vertical_match")).tolist()
    use = as_number(col_or_na(df, "usefulness")).tolist()
    out = []
    for v, u, e in zip(vm, use, emp):
        if not e or not isinstance(v, str) or v not in _NEED or u is None or math.isnan(u):
            out.append(None)
            continue
        use_score = 2 if u >= 4 else 1 if u >= 2 else 0
        out.append(EFFECTIVENESS[_NEED[v] + use_score])
    return as_category(out, EFFECTIVENESS, df.index)


def competence_gap(df: pd.DataFrame) -> pd.DataFrame:
    """Competence gap per item: ``comp_gap_<c>`` = ``comp_job_<c>`` − ``comp_grad_<c>`` (−4 … +4).

    Standard: Indonesian national tracer questionnaire. It compares competences at graduation (A,
    phase 1) with those required in the current job (B, phase 2). The two phases must be linked
    on the graduate's id. Positive values are shortfalls. Either item missing gives <NA>.
    """
    return pd.DataFrame(
        {f"comp_gap_{c}": as_number(col_or_na(df, f"comp_job_{c}")) - as_number(col_or_na(df, f"comp_grad_{c}"))
         for c in COMPETENCES},
        index=df.index,
    )


def programme_eval_score(df: pd.DataFrame, min_items: int = 3) -> pd.Series:
    """Programme evaluation score: the mean of a graduate's phase-1 ratings (1–5).

    The items are eval_content, eval_practical, eval_teachers, eval_equipment and eval_overall.
    At least ``min_items`` must be answered; otherwise the score is <NA>.

    Standard: ETF/Cedefop/ILO (2016) tracer-study guide, evaluation of teaching and of the programme.
    """
    items = ["eval_content", "eval_practical", "eval_teachers", "eval_equipment", "eval_overall"]
    vals = pd.concat([as_number(col_or_na(df, c)) for c in items], axis=1)
    score = vals.mean(axis=1, skipna=True)
    ok = (vals.notna().sum(axis=1) >= min_items) & pd.Series(consent_given(df), index=df.index)
    return score.where(ok).astype("float64")

"""Hand-written cross-field and cross-file rules (pandas), and the resolution of duplicate rows.

Rules that a per-question suite cannot express (``docs/variables.md``; ILO 19th ICLS for the
employment block; HESA for the income floor):

* **duplicates** — a row identical in every question to an earlier row is its copy:
  ``merged_duplicate`` (``exact_duplicate``), the first one is kept. Other rows sharing a respondent
  id (``student_id``; ``employer_id``) are resubmissions: one is kept, the others are
  ``merged_duplicate`` (``duplicate_submission``). The kept row is the best by, in order: no error;
  complete (consent = yes where the form asks consent); latest ``_submitted_at``; most questions
  answered; later in the file (a re-keyed paper form is a correction). **In the registry**, rows sharing a
  student id with different data stop the cohort
  (:class:`~analysis.errors.InputError`): the registry is the denominator of every rate, and
  neither row can be preferred by rule; exact copies are merged;
* **registry links** — every phase-1/phase-2 student id is in the registry (``not_in_registry``);
* **date order** — phase 2: survey date after the graduation date; first job date not before
  graduation minus ``first_job_years_before_grad`` years and not after the survey date;
* **numbers** — hours within ``hours_min``–``hours_max``; income within 0–``income_cap_kgs``
  (error: the questionnaire forbids it and it is usually a typing slip the team can fix in the raw
  file, so the row is held back rather than silently trimmed); full-time income below
  ``min_wage_kgs`` is a warning; replies ≤ applications; interviews ≤ replies;
* **registry** — faculty and level agree with the programme (``definitions/programmes.csv``;
  a warning: they can be derived from the programme);
* **select_multiple** — a code repeated (warning); an exclusive code (``none``, ``dk``, ``refuse``)
  combined with others (error); per-option ``q/code`` columns, when present, agree with ``q``;
* **employment block** — employed respondents (ILO: worked ≥ 1 hour, helped in a family business,
  or temporarily absent) answered the job questions (else warning); others did not (an answer is
  set aside with a warning, for job questions that carry no relevance of their own in the form —
  otherwise the suite's relevance check already reports it).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.paths import DEFINITIONS
from analysis.errors import InputError
from analysis.validate import xpath
from analysis.validate.messages import message
from analysis.validate.outcomes import empty_issues, issue_frame, parse_iso_dates
from analysis.validate.params import ValidationParams
from analysis.validate.suites import id_column, instrument_key, question_type

__all__ = [
    "field_issues", "registry_issues", "resolve_duplicates", "employment_status", "EXCLUSIVE_CODES",
    "JOB_BLOCK", "JOB_CORE",
]

EXCLUSIVE_CODES = frozenset({"none", "dk", "refuse", "not_applicable"})
JOB_BLOCK: tuple[str, ...] = ("hours", "emp_type", "contract", "social_fund", "income")
"""Questions asked only of employed respondents (``docs/variables.md``, "if employed")."""
JOB_CORE: tuple[str, ...] = ("hours", "emp_type")
"""An employed respondent who answered none of these skipped the job block."""


def _num(frame: pd.DataFrame, name: str) -> pd.Series:
    col = f"{name}__num"
    if col not in frame.columns:
        xpath.add_helper_columns(frame, {(name, "num")})
    return frame[col]


def answers(frame: pd.DataFrame, name: str) -> pd.Series:
    """The answers to ``name`` where the question applies (``<name>__eff``), else as given."""
    return frame[f"{name}__eff"] if f"{name}__eff" in frame.columns else frame[name]


def frame_keys(mask: pd.Series) -> list[int]:
    """Positions (``_row_key``) where ``mask`` is true."""
    return np.flatnonzero(mask.fillna(False).to_numpy(dtype=bool)).tolist()


def _fmt(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    f = float(v)
    return str(int(f)) if f.is_integer() else str(f)


def employment_status(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """``(employed, not_employed)`` masks by the ILO 19th ICLS definition used in phase 2.

    Employed: ``ilo_worked``, ``ilo_family_help`` or ``ilo_absent`` is yes. Not employed: none is
    yes and ``ilo_worked`` is no. Rows with ``ilo_worked`` unanswered are neither.
    """
    def yes(c: str, v: str = "yes") -> pd.Series:
        return (answers(frame, c) == v).fillna(False) if c in frame.columns else \
            pd.Series(False, index=frame.index)

    employed = yes("ilo_worked") | yes("ilo_family_help") | yes("ilo_absent")
    worked_no = yes("ilo_worked", "no")
    return employed, worked_no & ~employed


def programme_table() -> dict[str, tuple[str, str]]:
    """Programme code → (faculty, level) from ``src/analysis/definitions/programmes.csv``."""
    path = DEFINITIONS / "programmes.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["programme"]: (r["faculty"], r["level"]) for r in csv.DictReader(fh)}


# --------------------------------------------------------------------------- within one instrument


def field_issues(frame: pd.DataFrame, inst: Any, params: Any = None, lang: str = "ky") -> pd.DataFrame:
    """Cross-field issues within one instrument's validation frame (see the module docstring)."""
    p = ValidationParams.from_any(params)
    idc = id_column(inst)
    qs = {q.name: q for q in inst.data_questions}
    cols = set(frame.columns)
    out: list[pd.DataFrame] = []

    # select_multiple consistency
    for name, q in qs.items():
        if question_type(q) != "select_multiple" or name not in cols:
            continue
        s = answers(frame, name)
        present = s.notna()
        if not present.any():
            continue
        toks = s[present].str.split()
        repeated = toks.map(lambda t: len(t) != len(set(t)))
        out.append(issue_frame(frame, frame_keys(repeated.reindex(frame.index, fill_value=False)), name,
                               "select_multiple_repeated", lang, idc))
        excl_hits = toks.map(lambda t: next((c for c in t if c in EXCLUSIVE_CODES), None) if len(set(t)) > 1
                             else None)
        bad = excl_hits.notna().reindex(frame.index, fill_value=False)
        keys = frame_keys(bad)
        if keys:
            msgs = [message("select_multiple_exclusive", lang, code=excl_hits.loc[k]) for k in keys]
            out.append(issue_frame(frame, keys, name, "select_multiple_exclusive", lang, idc, messages=msgs))
        split_cols = {c.split("/", 1)[1]: c for c in frame.columns if c.startswith(f"{name}/")}
        if split_cols:
            marked = pd.Series([""] * len(frame), index=frame.index)
            for code, c in sorted(split_cols.items()):
                on = frame[c].isin(["1", "TRUE", "true", "True"]).fillna(False)
                marked = marked.where(~on, marked + " " + code)
            marked = marked.str.strip()
            summary = s.fillna("").str.split().map(lambda t: " ".join(sorted(set(t))))
            diff = (summary != marked.str.split().map(lambda t: " ".join(sorted(set(t)))))
            keys = frame_keys(diff)
            if keys:
                msgs = [message("select_multiple_split", lang, value=s.iloc[k] or "", split=marked.iloc[k] or "—")
                        for k in keys]
                out.append(issue_frame(frame, keys, name, "select_multiple_split", lang, idc, messages=msgs))

    # counts: replies ≤ applications, interviews ≤ replies
    for small, big, rule in (("replies_n", "applications_n", "replies_gt_applications"),
                             ("interviews_n", "replies_n", "interviews_gt_replies")):
        if small in cols and big in cols:
            a, b = _num(frame, small), _num(frame, big)
            keys = frame_keys(a > b)
            if keys:
                msgs = [message(rule, lang, value=_fmt(a.iloc[k]), **{big: _fmt(b.iloc[k])}) for k in keys]
                out.append(issue_frame(frame, keys, small, rule, lang, idc, messages=msgs))

    # hours and income
    if "hours" in cols:
        h = _num(frame, "hours")
        out.append(issue_frame(frame, frame_keys((h < p.hours_min) | (h > p.hours_max)), "hours", "hours_range",
                               lang, idc, min=_fmt(p.hours_min), max=_fmt(p.hours_max)))
    if "income" in cols:
        inc = _num(frame, "income")
        out.append(issue_frame(frame, frame_keys((inc < 0) | (inc > p.income_cap_kgs)), "income",
                               "income_implausible", lang, idc, min="0", max=f"{p.income_cap_kgs:,.0f}"))
        if p.min_wage_kgs and "hours" in cols:
            h = _num(frame, "hours")
            paid = ~frame["emp_type"].isin(["self_employed", "employer", "family_worker"]).fillna(False) \
                if "emp_type" in cols else pd.Series(True, index=frame.index)
            low = (h >= p.full_time_hours) & (inc >= 0) & (inc < p.min_wage_kgs) & paid
            out.append(issue_frame(frame, frame_keys(low), "income", "income_below_min_wage", lang, idc,
                                   hours=_fmt(p.full_time_hours), floor=f"{p.min_wage_kgs:,.0f}"))

    # first job not after the survey
    if "first_job_date" in cols and "survey_date" in cols:
        fj, sd = parse_iso_dates(answers(frame, "first_job_date")), parse_iso_dates(answers(frame, "survey_date"))
        keys = frame_keys(fj > sd)
        if keys:
            msgs = [message("first_job_after_survey", lang, value=frame["first_job_date"].iloc[k],
                            survey_date=frame["survey_date"].iloc[k]) for k in keys]
            out.append(issue_frame(frame, keys, "first_job_date", "first_job_after_survey", lang, idc,
                                   messages=msgs))

    # registry: faculty and level follow from the programme (definitions/programmes.csv)
    if {"programme", "faculty", "level"} <= cols and instrument_key(inst) == "registry":
        ref = programme_table()
        known = frame["programme"].isin(list(ref))
        exp_fac = frame["programme"].map({k: v[0] for k, v in ref.items()})
        exp_lev = frame["programme"].map({k: v[1] for k, v in ref.items()})
        bad = known & ((frame["faculty"] != exp_fac) | (frame["level"] != exp_lev))
        keys = frame_keys(bad)
        if keys:
            vals = [f"{frame['faculty'].iloc[k] or '—'} / {frame['level'].iloc[k] or '—'}" for k in keys]
            msgs = [message("programme_mismatch", lang, value=v, programme=frame["programme"].iloc[k],
                            expected=f"{exp_fac.iloc[k]} / {exp_lev.iloc[k]}") for v, k in zip(vals, keys)]
            out.append(issue_frame(frame, keys, "faculty", "programme_mismatch", lang, idc, values=vals,
                                   messages=msgs))

    # employment block (phase 2)
    if "ilo_worked" in cols:
        employed, not_employed = employment_status(frame)
        core = [c for c in JOB_CORE if c in cols]
        if core:
            consent_ok = (frame["consent"] != "no").fillna(True) if "consent" in cols else True
            none_answered = pd.concat([answers(frame, c).isna() for c in core], axis=1).all(axis=1)
            out.append(issue_frame(frame, frame_keys(employed & none_answered & consent_ok), core[0],
                                   "job_block_missing", lang, idc))
        for c in JOB_BLOCK:
            if c in cols and c in qs and not str(getattr(qs[c], "relevant", "") or "").strip():
                out.append(issue_frame(frame, frame_keys(not_employed & frame[c].notna()), c,
                                       "job_block_not_employed", lang, idc))
    return _cat(out)


def _cat(blocks: Sequence[pd.DataFrame]) -> pd.DataFrame:
    blocks = [b for b in blocks if len(b)]
    return pd.concat(blocks, ignore_index=True) if blocks else empty_issues()


# --------------------------------------------------------------------------- against the registry


def registry_issues(frame: pd.DataFrame, inst: Any, registry_frame: pd.DataFrame | None,
                    params: Any = None, lang: str = "ky") -> pd.DataFrame:
    """Issues of a phase-1/phase-2 frame against the registry: links and date order.

    ``registry_frame`` is the registry's validation frame (all its rows: a registry row with a
    problem of its own still proves that the graduate exists). Returns no issues for the
    registry itself, for instruments without ``student_id``, or when no registry is given.
    """
    key = instrument_key(inst)
    if key == "registry" or registry_frame is None or "student_id" not in frame.columns:
        return empty_issues()
    p = ValidationParams.from_any(params)
    idc = id_column(inst)
    reg = registry_frame[registry_frame["student_id"].notna()]
    sid = frame["student_id"]
    out = [issue_frame(frame, frame_keys(sid.notna() & ~sid.isin(set(reg["student_id"]))), "student_id",
                       "not_in_registry", lang, idc)]
    if "graduation_date" in reg.columns and key == "phase2":
        grad_by_id = pd.Series(parse_iso_dates(reg["graduation_date"]).to_numpy(), index=reg["student_id"])
        grad_by_id = grad_by_id[~grad_by_id.index.duplicated(keep="first")]
        grad = sid.map(grad_by_id)
        grad_text = grad.dt.strftime("%Y-%m-%d")
        if "survey_date" in frame.columns:
            sd = parse_iso_dates(answers(frame, "survey_date"))
            keys = frame_keys(sd <= grad)
            if keys:
                msgs = [message("survey_before_graduation", lang, value=frame["survey_date"].iloc[k],
                                graduation_date=grad_text.iloc[k]) for k in keys]
                out.append(issue_frame(frame, keys, "survey_date", "survey_before_graduation", lang, idc,
                                       messages=msgs))
        if "first_job_date" in frame.columns:
            fj = parse_iso_dates(answers(frame, "first_job_date"))
            limit = grad - pd.DateOffset(years=p.first_job_years_before_grad)
            keys = frame_keys(fj < limit)
            if keys:
                msgs = [message("first_job_too_early", lang, value=frame["first_job_date"].iloc[k],
                                graduation_date=grad_text.iloc[k], years=p.first_job_years_before_grad)
                        for k in keys]
                out.append(issue_frame(frame, keys, "first_job_date", "first_job_too_early", lang, idc,
                                       messages=msgs))
    return _cat(out)


# --------------------------------------------------------------------------- duplicates


def _ranking(frame: pd.DataFrame, issues: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Sort keys of the kept-row rule (larger is better), one row per frame row."""
    errors = set(issues.loc[issues["severity"] == "error", "_row_key"].tolist())
    no_error = ~frame["_row_key"].isin(errors)
    complete = (frame["consent"] == "yes").fillna(False) if "consent" in frame.columns else \
        pd.Series(True, index=frame.index)
    submitted = pd.to_datetime(frame["_submitted_at"].replace("", None), errors="coerce", utc=True,
                               format="ISO8601")
    epoch = pd.Timestamp("1970-01-01", tz="UTC")
    sub_s = (submitted - epoch).dt.total_seconds().fillna(-np.inf)
    return pd.DataFrame({
        "no_error": no_error.astype(int), "complete": complete.astype(int), "submitted": sub_s,
        "answered": frame[names].notna().sum(axis=1), "position": frame["_row_key"],
    })


def _best(rank: pd.DataFrame, keys: list[int]) -> int:
    sub = rank.iloc[keys]
    best = sub.sort_values(["no_error", "complete", "submitted", "answered", "position"], kind="stable")
    return int(best.index[-1])


def _merge_issues(frame: pd.DataFrame, merged: list[tuple[int, int]], rule: str, lang: str,
                  idc: str | None) -> pd.DataFrame:
    if not merged:
        return empty_issues()
    keys = [m for m, _ in merged]
    kept = [k for _, k in merged]
    files = frame["_source_file"].iloc[kept].tolist()
    rows = frame["_source_row"].iloc[kept].tolist()
    values = [f"{f}:{r}" for f, r in zip(files, rows)]
    msgs = [message(rule, lang, kept_file=f, kept_row=r) for f, r in zip(files, rows)]
    return issue_frame(frame, keys, idc or "", rule, lang, idc, values=values, messages=msgs)


def resolve_duplicates(frame: pd.DataFrame, inst: Any, issues: pd.DataFrame,
                       duplicate_keys: Sequence[int] | None = None, lang: str = "ky",
                       within_file: bool = False) -> pd.DataFrame:
    """Merge duplicate rows by the stated rule (module docstring); return the ``merge`` issues.

    Parameters
    ----------
    frame
        The instrument's validation frame.
    issues
        The issues found so far (errors decide which row is kept).
    duplicate_keys
        Rows whose id is not unique, as found by the suite's ``ExpectColumnValuesToBeUnique``
        (computed here when None).
    within_file
        Compare rows of the same file only (files checked one by one as they arrive); default:
        across all files of the instrument (a graduate may answer online and by phone).

    Raises
    ------
    InputError
        In the registry, when one student id is on rows with different data.
    """
    if frame.empty:
        return empty_issues()
    key = instrument_key(inst)
    idc = id_column(inst)
    names = [q.name for q in inst.data_questions]
    rank = _ranking(frame, issues, names)
    merged_exact: list[tuple[int, int]] = []
    cols = (["_source_file"] if within_file else []) + names
    hashed = pd.util.hash_pandas_object(frame[cols].astype("object").where(frame[cols].notna(), "\x00"),
                                        index=False)
    dup_mask = hashed.duplicated(keep=False)
    for _, grp in hashed[dup_mask].groupby(hashed[dup_mask], sort=False):
        keys = sorted(grp.index.tolist())
        kept = keys[0]  # identical answers: the first row is the original, the later ones its copies
        merged_exact.extend((k, kept) for k in keys if k != kept)
    gone = {m for m, _ in merged_exact}

    merged_sub: list[tuple[int, int]] = []
    if idc and idc in frame.columns:
        ids = frame[idc]
        if duplicate_keys is None:
            cand = ids.notna() & ids.duplicated(keep=False)
            duplicate_keys = frame_keys(cand)
        remaining = [k for k in sorted(set(duplicate_keys)) if k not in gone and pd.notna(ids.iloc[k])]
        groups: dict[Any, list[int]] = {}
        files = frame["_source_file"]
        for k in remaining:
            groups.setdefault((files.iloc[k], ids.iloc[k]) if within_file else ids.iloc[k], []).append(k)
        conflicts = {i: ks for i, ks in groups.items() if len(ks) > 1}
        if conflicts and key == "registry":
            first_id, ks = sorted(conflicts.items(), key=lambda kv: kv[1][0])[0]
            first_id = ids.iloc[ks[0]]
            rows = [int(frame["_source_row"].iloc[k]) for k in ks]
            plural = "s" if len(conflicts) > 2 else ""
            more = f" (and {len(conflicts) - 1} more id{plural})" if len(conflicts) > 1 else ""
            raise InputError(frame["_source_file"].iloc[ks[0]],
                             f"student id {first_id} is on rows {', '.join(map(str, rows))} with different data"
                             f"{more}", row=rows[1], column=idc,
                             fix="keep one row per graduate — the registry is the denominator of every rate — "
                                 "and run again")
        for _, ks in sorted(conflicts.items(), key=lambda kv: kv[1][0]):
            kept = _best(rank, ks)
            merged_sub.extend((k, kept) for k in ks if k != kept)
    out = _cat([_merge_issues(frame, merged_exact, "exact_duplicate", lang, idc),
                _merge_issues(frame, merged_sub, "duplicate_submission", lang, idc)])
    return out

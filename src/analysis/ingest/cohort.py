"""Checks on all the files of a cohort together: which notices stop the run, which questions were never asked.

Reading one file cannot tell whether a missing column is a problem: another file of the same
instrument may hold it. :func:`check_cohort` looks at every file of each instrument at once
(``docs/ingestion.md``, "What stops a run"):

**Errors — the run stops** with one line naming the file, the column and the fix
(:func:`raise_errors`):

* ``required_missing`` — a question the questionnaire requires is in no file of the instrument
  and not declared ``not_asked``: every row would be quarantined for it. The fix is to add the
  column, map it (``renames``), or declare that the survey never asked it;
* ``answers_lost`` — a column with answers would be dropped as unknown while the question it most
  probably is ("did you mean …?", :func:`analysis.ingest.headers.suggest_question`) is in no file:
  the answers would be lost (a form version that renamed ``hours`` to ``hours_per_week``). The fix
  is ``renames: {hours_per_week: hours}`` (or ``{hours_per_week: ~}`` to drop it on purpose).

**Warnings** — the run goes on, the notice is shown on the console, in notebook 01 and in the
report: ``required_missing_in_file`` (a required column missing from one file while another file
has it: that file's rows are quarantined), and every reader warning (unknown columns, ambiguous or
unreadable dates, constants set by a mapping, answers matching no code, …).

**Not asked in the cohort** (``not_asked_cohort``, info): a question that no file of the instrument
has (absent or declared ``not_asked``) was not asked in this cohort. Stage 1 marks it in every row
(``_not_asked``) and leaves it out of the validated tables, so every derived variable and indicator
that needs it is *not measured* — never an empty answer counted as "no".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from analysis.errors import InputError
from analysis.ingest import codebook
from analysis.ingest.context import IngestResult, Notice
from analysis.ingest.notices import KINDS, render
from analysis.instruments.xlsform import required_value

__all__ = ["CohortCheck", "check_cohort", "cohort_notice", "raise_errors", "required_questions"]


def required_questions(inst: Any) -> list[str]:
    """Questions the XLSForm marks required (always, or under a condition), in form order."""
    return [q.name for q in inst.data_questions if required_value(getattr(q, "required", False))]


class CohortCheck:
    """The result of :func:`check_cohort`: cohort-level notices and the questions never asked.

    Attributes
    ----------
    notices
        New notices (levels ``error``, ``warning``, ``info``) about the cohort as a whole.
    not_asked
        Instrument → questions that no file of the instrument asked, in form order.
    """

    def __init__(self, notices: list[Notice], not_asked: dict[str, list[str]]) -> None:
        self.notices = notices
        self.not_asked = not_asked


def cohort_notice(file: str, kind: str, column: str | None = None, count: int | None = None,
                  **params: Any) -> Notice:
    """A cohort-level notice of ``kind`` (:data:`analysis.ingest.notices.KINDS`) about ``file`` (no row),
    its English text rendered from the catalogue; ``params`` fill the message."""
    return Notice(file, None, column, render(kind, "en", params), kind, KINDS[kind].level, count, dict(params))


def check_cohort(reads: Sequence[tuple[str, IngestResult]], instruments: dict[str, Any] | None = None) -> CohortCheck:
    """Check the files of a cohort together (module docstring); nothing is raised here.

    Parameters
    ----------
    reads
        ``(instrument key, result of read_input)`` for every input file, in the cohort file's order.
    instruments
        Instrument key → :class:`analysis.instruments.xlsform.Instrument` (default: loaded by key).
    """
    by_inst: dict[str, list[IngestResult]] = defaultdict(list)
    for key, res in reads:
        by_inst[key].append(res)
    notices: list[Notice] = []
    never: dict[str, list[str]] = {}
    for key, results in by_inst.items():
        inst = (instruments or {}).get(key)
        cb = codebook(inst if inst is not None else key)
        names = [q.name for q in cb.questions]
        has = [set(names) - set(r.info.get("questions_absent", [])) - set(r.info.get("not_asked", []))
               for r in results]
        declared = [set(r.info.get("not_asked", [])) for r in results]
        present_anywhere = set().union(*has)
        never[key] = [n for n in names if n not in present_anywhere]
        for q in required_questions(cb.inst):
            if q in present_anywhere:
                for r, h, d in zip(results, has, declared):
                    if q not in h and q not in d:
                        n = int(r.info.get("n_rows", len(r.table)))
                        notices.append(cohort_notice(r.info.get("file", ""), "required_missing_in_file", q, n,
                                               question=q, n=n))
                continue
            undeclared = [r for r, d in zip(results, declared) if q not in d]
            if undeclared:
                r = undeclared[0]
                notices.append(cohort_notice(r.info.get("file", ""), "required_missing", q,
                                       int(r.info.get("n_rows", len(r.table))), question=q, instrument=key))
        for r, d in zip(results, declared):
            for u in r.info.get("unknown_columns", []):
                sug = u.get("suggestion")
                if sug and u.get("answers", 0) > 0 and sug in never[key] and sug not in d:
                    notices.append(cohort_notice(r.info.get("file", ""), "answers_lost", u["header"], int(u["answers"]),
                                           header=u["header"], question=sug, n=int(u["answers"])))
        if never[key]:
            notices.append(cohort_notice(", ".join(r.info.get("file", "") for r in results), "not_asked_cohort",
                                   count=len(never[key]), instrument=key, names=", ".join(never[key])))
    return CohortCheck(notices, never)


def raise_errors(notices: Iterable[Notice]) -> None:
    """Raise the first error notice as a one-line :class:`~analysis.errors.InputError` (with the fix and
    how many other errors there are); do nothing when there is none."""
    errors = [n for n in notices if n.level == "error"]
    if not errors:
        return
    first = errors[0]
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''} of this kind: see " \
           "validated/notices.parquet)" if len(errors) > 1 else ""
    raise InputError(first.file, first.problem + more, row=first.row, column=first.column,
                     fix=first.suggestion("en") or None)

"""What a reader hands over and what it reports: the raw table, the read's context, notices, the result.

One job: the shared records of one read. A reader's only job is to turn its file into a :class:`RawTable`
(header cells, data rows, the spreadsheet row number of each data row) under a :class:`ReadContext` (the
file's options, the notices it collects through :meth:`ReadContext.note`); then
:func:`analysis.ingest.canonical.build_canonical` turns it into the canonical table of the contract
(``docs/architecture.md``) and an :class:`IngestResult`. The provenance columns and the platforms' meta
columns are defined here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.errors import InputError
from analysis.ingest.notices import KINDS, render

PROVENANCE: tuple[str, ...] = (
    "_instrument", "_source_file", "_source_row", "_mode", "_submission_id", "_submitted_at",
    "_review_state",
)
"""Provenance columns of every canonical table (``_source_row`` is an integer, the others text)."""

# Platform meta columns → provenance target (None: known meta, not kept).
KOBO_META: dict[str, str | None] = {
    "_id": None, "_uuid": "_submission_id", "_submission_time": "_submitted_at",
    "_validation_status": "_review_state", "_notes": None, "_status": None, "_submitted_by": None,
    "_tags": None, "_index": None, "start": None, "end": None, "today": None,
    "meta/instanceID": "_instance_id", "formhub/uuid": None, "__version__": None,
    "_attachments": None, "_geolocation": None, "_xform_id_string": None, "deviceid": None,
    "username": None, "phonenumber": None, "simserial": None, "subscriberid": None, "audit": None,
    "meta/instanceName": None, "meta/deprecatedID": None, "meta/rootUuid": None,
}
ODK_META: dict[str, str | None] = {
    "SubmissionDate": "_submitted_at", "meta-instanceID": "_instance_id", "KEY": "_submission_id",
    "SubmitterID": None, "SubmitterName": None, "AttachmentsPresent": None,
    "AttachmentsExpected": None, "Status": None, "ReviewState": "_review_state", "DeviceID": None,
    "Edits": None, "FormVersion": None, "start": None, "end": None, "today": None, "deviceid": None,
    "meta-instanceName": None, "meta-deprecatedID": None, "instanceID": "_instance_id",
}
ALL_META: dict[str, str | None] = {**ODK_META, **KOBO_META}
ENTRY_META: dict[str, str | None] = {"mode": "_row_mode", "entered_by": None}
"""Extra columns of the data-entry workbook: the row's collection mode, and who keyed it in."""


@dataclass(frozen=True)
class Notice:
    """One thing a reader did or found, for the person who checks the file (not an error).

    ``problem`` is the English message; :meth:`message` and :meth:`suggestion` give it in ky/ru/en
    from the notice's ``kind`` (:data:`analysis.ingest.notices.KINDS`). ``level`` is ``info``,
    ``warning`` or ``error`` (the run stops); ``count`` is the number of answers or rows affected.
    """

    file: str
    row: int | None
    column: str | None
    problem: str
    kind: str = "note"
    level: str = "info"
    count: int | None = None
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def message(self, lang: str = "en") -> str:
        """The message in ``lang`` (ky, ru, en)."""
        if self.kind == "note":
            return self.problem
        return render(self.kind, lang, self.params)

    def suggestion(self, lang: str = "en") -> str:
        """What to do about it in ``lang`` (``""`` when nothing needs doing)."""
        return render(self.kind, lang, self.params, suggestion=True)

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        sug = self.suggestion("en")
        return f"{where}: {self.problem}" + (f" — {sug}" if sug else "")


@dataclass
class IngestResult:
    """The output of :func:`analysis.ingest.read_input`.

    ``table`` is the canonical table (question columns as text, then provenance columns);
    ``warnings`` lists every automatic fix and every problem found; ``info`` describes the file
    (``format``, ``delimiter``, ``encoding``, ``bom``, ``n_rows``, ``header`` (the file's header
    cells), ``export_style`` (``xml`` names / ``labels`` / ``mixed``), ``labels_language``,
    ``columns_mapped``, ``columns_dropped``, ``questions_absent``).
    """

    table: pd.DataFrame
    warnings: list[Notice] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class RawTable:
    """What a reader produces: header cells, data rows (raw cell values), spreadsheet row numbers."""

    header: list[Any]
    rows: list[list[Any]]
    row_numbers: list[int]
    header_row: int = 1
    date1904: bool = False


@dataclass
class ReadContext:
    """Options of one read, shared by the readers and :func:`build_canonical`."""

    path: Path
    display: str
    """The file name used in messages and in ``_source_file`` (relative to the cohort folder)."""
    instrument_key: str
    fmt: str
    mode: str | None = None
    allow_lost_letters: bool = False
    platform: str = "generic"
    """``kobo``, ``odk`` or ``generic``: which meta columns and group separator to expect."""
    serial_text_dates: bool = False
    """Kept for the readers that set it; every format now reads a 5-digit text in a date question as an
    Excel date serial (:func:`analysis.ingest.dates.read_date`)."""
    value_mapper: Callable[[str, str], str | None] | None = None
    """Optional extra mapping of a select answer to a code (the entry workbook's own rule)."""
    notices: list[Notice] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    dayfirst: bool | None = None
    """The file's day-first rule for ``/`` dates (None: decided by what the file shows)."""
    renames: dict[str, str | None] = field(default_factory=dict)
    """Header of the file → question name (None: drop on purpose), from the cohort file's ``renames``."""
    not_asked: tuple[str, ...] = ()
    """Questions this file's survey never asked (cohort file or legacy mapping ``not_asked``)."""
    covariates: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Extra columns carried as ``x_<name>`` (legacy mapping ``covariates``): name → spec."""
    generated: tuple[str, ...] = ()
    """Question columns whose values the reader generated (the legacy mapping's ``row_id``)."""

    def note(self, kind: str, row: int | None = None, column: str | None = None, count: int | None = None,
             level: str | None = None, **params: Any) -> Notice:
        """Record a notice of ``kind`` (:data:`analysis.ingest.notices.KINDS`) with its placeholders.

        A ``kind`` that is not a known kind is taken as an English text (kind ``note``).
        """
        if kind not in KINDS:
            params = {"text": kind}
            kind = "note"
        n = Notice(self.display, row, column, render(kind, "en", params), kind,
                   level or KINDS[kind].level, count, dict(params))
        self.notices.append(n)
        return n

    def error(self, problem: str, row: int | None = None, column: str | None = None,
              fix: str | None = None) -> InputError:
        """The one-line :class:`~analysis.errors.InputError` naming this file, row and column (to raise)."""
        return InputError(self.display, problem, row=row, column=column, fix=fix)

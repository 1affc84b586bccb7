"""KoboToolbox exports (``kobo_csv``, ``kobo_xlsx``) → raw table.

Conventions (KoboToolbox's export library, kobotoolbox/formpack): CSV separated by ``;``, every field
quoted, CRLF, UTF-8 without BOM; group paths ``grp/sub/q``; select_multiple as a summary column
``q`` plus ``q/choice`` columns holding 1/0, empty when unanswered; meta columns ``_id``, ``_uuid``,
``_submission_time``, ``_validation_status``, ``_notes``, ``_status``, ``_submitted_by``, ``_tags``,
``_index``, ``start``, ``end``, ``today``, ``meta/instanceID``, ``formhub/uuid``, ``__version__``.
Both the "XML values and headers" and the "Labels" exports (question and choice labels in any form
language) are read; the header and label mapping is shared (:mod:`analysis.ingest.headers`,
:mod:`analysis.ingest.labels`).
The XLSX export's first sheet is the main table (the others hold repeat groups).
"""

from __future__ import annotations

from analysis.ingest.context import RawTable, ReadContext
from analysis.ingest.sources import check_extension, read_csv_raw, read_xlsx_raw


def read_kobo_csv(ctx: ReadContext, encoding: str | None = None, delimiter: str | None = None) -> RawTable:
    """Read a Kobo CSV export (``;`` expected; another delimiter is detected and reported)."""
    check_extension(ctx, (".csv", ".txt"))
    ctx.platform = "kobo"
    return read_csv_raw(ctx, encoding=encoding, delimiter=delimiter, expected_delimiter=";")


def read_kobo_xlsx(ctx: ReadContext) -> RawTable:
    """Read the first sheet of a Kobo XLSX export."""
    check_extension(ctx, (".xlsx", ".xlsm"))
    ctx.platform = "kobo"
    return read_xlsx_raw(ctx, sheet=0)

"""ODK Central exports (``odk_csv``) → raw table.

Conventions (ODK Central, getodk/central-backend and its tests): comma-separated UTF-8; groups joined with
``-`` (``g1-q2``); select_multiple split columns ``q/option`` with 0/1; meta columns
``SubmissionDate``, ``meta-instanceID``, ``KEY``, ``SubmitterID``, ``SubmitterName``,
``AttachmentsPresent``, ``AttachmentsExpected``, ``Status``, ``ReviewState``, ``DeviceID``, ``Edits``,
``FormVersion``. Central downloads a ZIP (root table + one CSV per repeat + ``files/``): a ``.zip``
is accepted and its root table read (the CSV whose name is a prefix of every other CSV's name).
"""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

from analysis.ingest.context import RawTable, ReadContext
from analysis.ingest.sources import check_extension, read_csv_raw


def read_odk_csv(ctx: ReadContext, encoding: str | None = None, delimiter: str | None = None) -> RawTable:
    """Read an ODK Central CSV (``,`` expected), or the root table of a Central ZIP export."""
    ext = check_extension(ctx, (".csv", ".txt", ".zip"))
    ctx.platform = "odk"
    if ext != ".zip":
        return read_csv_raw(ctx, encoding=encoding, delimiter=delimiter, expected_delimiter=",")
    try:
        with zipfile.ZipFile(ctx.path) as zf:
            csvs = sorted(n for n in zf.namelist() if n.lower().endswith(".csv") and "/" not in n.strip("/"))
            if not csvs:
                raise ctx.error("the ZIP holds no CSV table at its top level",
                                fix="download the submissions as CSV (ZIP) from ODK Central")
            stems = [Path(n).stem for n in csvs]
            roots = [n for n, s in zip(csvs, stems) if all(o.startswith(s) for o in stems)]
            if len(roots) != 1:
                raise ctx.error(f"cannot tell the root table among {', '.join(csvs)}",
                                fix="extract the main table's CSV and declare it instead")
            data = zf.read(roots[0])
    except zipfile.BadZipFile:
        raise ctx.error("not a readable ZIP file", fix="download the export again") from None
    ctx.note("zip_root", root=roots[0], n=len(csvs) - 1)
    with tempfile.TemporaryDirectory() as tmp:
        inner = Path(tmp) / "root.csv"
        inner.write_bytes(data)
        sub = replace(ctx, path=inner)
        sub.notices = ctx.notices
        sub.info = ctx.info
        return read_csv_raw(sub, encoding=encoding, delimiter=delimiter, expected_delimiter=",")

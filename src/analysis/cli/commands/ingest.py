"""``tracer ingest FILE``: read one raw file as an instrument's canonical table, for checking by hand."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

FORMATS_HELP = "kobo_csv, kobo_xlsx, odk_csv, entry_xlsx, registry_xlsx, registry_csv, spss, legacy"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``ingest`` subcommand."""
    p = subparsers.add_parser(
        "ingest", help="read one raw file and report how it maps to the canonical table",
        description="Read one raw export (Kobo, ODK Central, data-entry workbook, registrar's list, SPSS, "
                    "legacy spreadsheet) as the canonical table of an instrument and print a summary: rows, "
                    "columns, delimiter, encoding, language of labels, warnings. A broken file gives a "
                    "one-line error and exit code 2.")
    p.add_argument("file", type=Path, help="the raw file")
    p.add_argument("--instrument", "-i", required=True, choices=("registry", "phase1", "phase2", "employer"),
                   help="which questionnaire the file holds")
    p.add_argument("--format", "-f", dest="fmt", required=True, metavar="FORMAT",
                   help=f"export format: {FORMATS_HELP}")
    p.add_argument("--mode", choices=("online", "phone", "paper"), help="collection mode stored in _mode")
    p.add_argument("--encoding", help="fallback encoding of a non-UTF-8 CSV (e.g. cp1251), or of a .sav")
    p.add_argument("--delimiter", help="CSV delimiter (; , tab |); detected from the header when omitted")
    p.add_argument("--mapping", type=Path, help="YAML mapping file (format legacy)")
    p.add_argument("--allow-lost-letters", action="store_true",
                   help="read a file whose Kyrgyz letters ң ө ү look lost, with a warning per cell")
    p.add_argument("-o", "--output", type=Path, help="write the canonical table to OUT.csv (UTF-8 with BOM, "
                   "for Excel) or OUT.parquet")
    p.add_argument("--all-warnings", action="store_true", help="list every warning (default: the first 20)")
    p.set_defaults(func=run)


def summary(res, shown: int | None = 20) -> str:
    """The one-paragraph summary of an :class:`~analysis.ingest.IngestResult`, then its warnings."""
    # lazy: `tracer --help` stays at 0.06 s; importing every command's modules up front costs 0.9 s
    from analysis.core.i18n import LANG_NAMES
    from analysis.ingest.context import PROVENANCE
    from analysis.ingest.encoding import delimiter_name

    info = res.info
    q_cols = [c for c in res.table.columns if c not in PROVENANCE]
    filled = sum(1 for c in q_cols if (res.table[c] != "").any())
    parts = [f"{info.get('file')}: {info.get('n_rows', len(res.table))} rows of '{info.get('instrument')}' "
             f"read as {info.get('format')}"]
    if info.get("delimiter"):
        parts.append(f"delimiter {delimiter_name(info['delimiter'])}")
    if info.get("encoding"):
        parts.append(f"encoding {info['encoding']}" + (" with BOM" if info.get("bom") else ""))
    if info.get("sheet"):
        parts.append(f"sheet '{info['sheet']}'")
    parts.append(f"{len(info.get('header', []))} columns in the file: {len(info.get('columns_mapped', {}))} "
                 f"questions, {len(info.get('meta_columns', []))} platform meta, "
                 f"{len(info.get('columns_dropped', []))} unknown (dropped)")
    parts.append(f"{filled} of {len(q_cols)} questions have answers")
    style = info.get("export_style")
    lang = info.get("labels_language")
    if style:
        parts.append(f"headers as {'XML names' if style == 'xml' else style}")
    if lang:
        parts.append(f"labels in {LANG_NAMES.get(lang, lang)}")
    parts.append(f"{len(res.warnings)} warning{'s' if len(res.warnings) != 1 else ''}")
    lines = ["; ".join(parts) + "."]
    for w in res.warnings[: shown if shown is not None else len(res.warnings)]:
        lines.append(f"  - {w}")
    if shown is not None and len(res.warnings) > shown:
        lines.append(f"  … {len(res.warnings) - shown} more (use --all-warnings)")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Handler of ``tracer ingest``."""
    # lazy: `tracer --help` stays at 0.06 s; importing every command's modules up front costs 0.9 s
    from analysis.errors import InputError
    from analysis.ingest import FORMATS, read_input

    if args.fmt not in FORMATS:
        print(f"error: unknown format '{args.fmt}' (choose from {', '.join(FORMATS)})", file=sys.stderr)
        return 2
    res = read_input(args.file, args.instrument, args.fmt, mode=args.mode, encoding=args.encoding,
                     delimiter=args.delimiter, mapping=args.mapping, allow_lost_letters=args.allow_lost_letters)
    print(summary(res, None if args.all_warnings else 20))
    if args.output:
        out: Path = args.output
        suffix = out.suffix.lower()
        if suffix not in (".csv", ".parquet"):
            raise InputError(out, "output must end in .csv or .parquet", fix="e.g. -o checked.csv")
        out.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            res.table.to_csv(out, index=False, encoding="utf-8-sig")
        else:
            res.table.to_parquet(out, index=False)
        print(f"wrote {out}")
    return 0

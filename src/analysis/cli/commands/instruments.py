"""``tracer codebook``, ``tracer template`` and ``tracer questionnaire``: the instruments as documents.

All three read the XLSForms in ``questionnaires/`` (the source of truth), so an edited form gives an
updated codebook, entry workbook and paper/phone questionnaire.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.core.i18n import LANGS
from analysis.core.vocabulary import INSTRUMENTS
from analysis.errors import ConfigError

_INSTR_HELP = "registry (graduate registry), phase1 (exit survey at graduation), phase2 (follow-up nine months " \
              "after graduation) or employer (employer survey)"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "codebook", help="print or write the codebook of an instrument (names, types, labels, codes, skip logic)",
        description="Codebook of one instrument read from its XLSForm (questionnaires/INSTRUMENT.xlsx): one row per "
                    "question with its name, type, question text, choice codes and labels, whether it is "
                    "required, when it is asked (XLSForm 'relevant'), its constraint and its personal-data flag. "
                    "With INSTRUMENT 'all' and -o FOLDER, writes FOLDER/<instrument>.<lang>.md for every "
                    "instrument and language (this is how docs/codebooks/ is regenerated).",
        epilog="Examples: tracer codebook phase2 --lang ru | tracer codebook employer --format csv -o employer.csv | "
               "tracer codebook all -o docs/codebooks")
    p.add_argument("instrument", metavar="INSTRUMENT", choices=INSTRUMENTS + ("all",),
                   help=_INSTR_HELP + ", or all")
    p.add_argument("--lang", choices=LANGS, default="ky", help="language of labels: ky (default), ru, en")
    p.add_argument("--format", choices=("md", "csv"), default="md", dest="fmt",
                   help="md = Markdown tables (default), csv = one row per question (UTF-8 with BOM, for Excel)")
    p.add_argument("-o", "--output", type=Path, default=None,
                   help="output file (default: print to the screen); a folder with INSTRUMENT 'all'")
    p.set_defaults(func=_codebook)

    p = sub.add_parser(
        "template", help="write an Excel workbook for keying in paper and phone answers",
        description="Write a data-entry workbook for INSTRUMENT: sheet 'data' with one column per question "
                    "(row 1 = question names, row 2 = question text in --lang, answers from row 3), dropdown "
                    "lists for choices ('code – label'), number/date/length checks and messages from the "
                    "XLSForm, and columns 'mode' (paper/phone) and 'entered_by'. A multiple-choice question has "
                    "one 0/1 column per option ('question/code'). Read it back with the ingestion step "
                    "(format 'entry_xlsx', e.g. tracer ingest FILE -i INSTRUMENT -f entry_xlsx).",
        epilog="Example: tracer template phase2 --lang ky -o phase2_entry.xlsx")
    p.add_argument("instrument", metavar="INSTRUMENT", choices=INSTRUMENTS, help=_INSTR_HELP)
    p.add_argument("--lang", choices=LANGS, default="ky", help="language of question text and messages (default ky)")
    p.add_argument("-o", "--output", type=Path, required=True, help="the .xlsx file to write")
    p.add_argument("--rows", type=int, default=2000, help="number of rows that carry the checks (default 2000)")
    p.set_defaults(func=_template)

    p = sub.add_parser(
        "questionnaire", help="write a printable paper questionnaire or a telephone-interview script (HTML)",
        description="Write INSTRUMENT as a self-contained HTML page to print (A4): numbered questions, tick "
                    "boxes, answer lines, and the skip logic written out ('Answer only if …', '→ go to question "
                    "N'). --kind phone gives the interviewer's script (introduction, read-out and recording "
                    "instructions). Open the file in a browser and print it, or save it as PDF.",
        epilog="Example: tracer questionnaire phase1 --lang ky --kind paper -o phase1_ky.html")
    p.add_argument("instrument", metavar="INSTRUMENT", choices=INSTRUMENTS, help=_INSTR_HELP)
    p.add_argument("--lang", choices=LANGS, default="ky", help="language (default ky)")
    p.add_argument("--kind", choices=("paper", "phone"), default="paper",
                   help="paper = self-completion questionnaire (default), phone = interviewer script")
    p.add_argument("-o", "--output", type=Path, required=True, help="the .html file to write")
    p.set_defaults(func=_questionnaire)


def _codebook(args: argparse.Namespace) -> int:
    # lazy: `tracer --help` stays at 0.06 s; importing every command's modules up front costs 0.9 s
    from analysis.instruments.xlsform import (
        INSTRUMENTS,
        codebook_csv,
        codebook_markdown,
        load_instrument,
        write_codebooks,
    )

    if args.instrument == "all":
        if args.output is None:
            raise ConfigError("'tracer codebook all' needs -o FOLDER (e.g. -o docs/codebooks)")
        if args.fmt == "md":
            paths = write_codebooks(args.output)
        else:
            args.output.mkdir(parents=True, exist_ok=True)
            paths = []
            for name in INSTRUMENTS:
                for lang in LANGS:
                    path = args.output / f"{name}.{lang}.csv"
                    path.write_text(codebook_csv(load_instrument(name), lang), encoding="utf-8-sig")
                    paths.append(path)
        print(f"wrote {len(paths)} codebooks to {args.output}")
        return 0
    inst = load_instrument(args.instrument)
    text = codebook_markdown(inst, args.lang) if args.fmt == "md" else codebook_csv(inst, args.lang)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8-sig" if args.fmt == "csv" else "utf-8")
    print(f"wrote {args.output}")
    return 0


def _template(args: argparse.Namespace) -> int:
    # lazy: `tracer --help` stays at 0.06 s; importing every command's modules up front costs 0.9 s
    from analysis.instruments.entry_workbook import entry_workbook
    from analysis.instruments.xlsform import load_instrument

    if args.output.suffix.lower() != ".xlsx":
        raise ConfigError(f"{args.output}: the entry workbook must be an .xlsx file")
    if args.rows < 1:
        raise ConfigError("--rows must be at least 1")
    path = entry_workbook(load_instrument(args.instrument), args.lang, args.output, max_rows=args.rows)
    print(f"wrote {path}")
    return 0


def _questionnaire(args: argparse.Namespace) -> int:
    # lazy: `tracer --help` stays at 0.06 s; importing every command's modules up front costs 0.9 s
    from analysis.instruments.questionnaire import questionnaire_html
    from analysis.instruments.xlsform import load_instrument

    html = questionnaire_html(load_instrument(args.instrument), args.lang, args.kind)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(html, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0

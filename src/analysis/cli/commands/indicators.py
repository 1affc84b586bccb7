"""``tracer indicators``: list the indicator registry and (re)generate ``docs/indicators.md``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.core.i18n import LANGS


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``indicators`` subcommand with its ``list`` and ``docs`` actions."""
    p = subparsers.add_parser(
        "indicators", help="list the standard indicators or regenerate their reference page",
        description="The standard indicators are defined once, in src/analysis/definitions/indicators.yaml "
                    "(ILO, QILT, HESA, NACE, AlmaLaurea, ELA/MLASZ definitions). 'list' prints them; 'docs' "
                    "writes docs/indicators.md from the registry ('--check' only verifies it is up to date).")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    lst = actions.add_parser("list", help="print id, unit and label of every indicator")
    lst.add_argument("--lang", choices=LANGS, default="ky", help="language of the labels (default ky)")
    lst.set_defaults(func=_list)
    docs = actions.add_parser("docs", help="write the indicator reference page from the registry")
    docs.add_argument("--lang", choices=LANGS, default="en", help="language of the page (default en)")
    docs.add_argument("-o", "--output", type=Path, help="file to write (default docs/indicators.md)")
    docs.add_argument("--check", action="store_true",
                      help="do not write; exit 1 if the file differs from the registry")
    docs.set_defaults(func=_docs)
    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])


def _list(args: argparse.Namespace) -> int:
    # lazy: `tracer --help` stays at 0.06 s; importing every command's modules up front costs 0.9 s
    from analysis.derive.registry import load_registry

    for ind in load_registry():
        print(f"{ind.id:36s} {ind.unit:6s} {ind.label[args.lang]}")
    return 0


def _docs(args: argparse.Namespace) -> int:
    # lazy: `tracer --help` stays at 0.06 s; importing every command's modules up front costs 0.9 s
    from analysis.derive.docs import DOCS_FILE, indicators_markdown, write_indicator_docs

    path = args.output or DOCS_FILE
    if args.check:
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current != indicators_markdown(args.lang):
            print(f"{path}: out of date — run 'tracer indicators docs'", file=sys.stderr)
            return 1
        print(f"{path}: up to date")
        return 0
    print(write_indicator_docs(path, args.lang))
    return 0

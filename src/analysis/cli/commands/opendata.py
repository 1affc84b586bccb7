"""``tracer opendata``: list, check and add the open-data tables under ``data/raw/open/tables/``."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``opendata`` subcommand with its ``list``, ``check``, ``add`` and ``suite`` actions."""
    p = subparsers.add_parser(
        "opendata", help="list, check or add the open-data tables (wages, unemployment, vacancies by occupation)",
        description="The open-data tables live in data/raw/open/tables/<table>/<version>.csv, one schema for all "
                    "(data/raw/open/schema.yaml), each with a provenance sidecar <version>.yaml; the latest version "
                    "of each table is used (docs/labour-market.md). 'list' prints them with their periods and "
                    "sources; 'check' runs the schema's great-expectations suite on every table and sidecar; 'add' "
                    "checks a new table and copies it in; 'demo-table' rewrites the demo's synthetic table by "
                    "occupation; 'suite' regenerates the suite from the schema.",
        epilog="Examples: tracer opendata list | tracer opendata check | tracer opendata add es_2026.csv "
               "(with es_2026.yaml beside it: id, title, version, synthetic, licence, publisher)")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    lst = actions.add_parser("list", help="print every table: id, version, rows, periods, synthetic, title, sources")
    lst.set_defaults(func=_list)
    chk = actions.add_parser("check", help="check every table and sidecar against the schema (exit 1 on a problem)")
    chk.set_defaults(func=_check)
    add = actions.add_parser("add", help="check a new table (schema or kg-open layout) and copy it with provenance")
    add.add_argument("file", type=Path, metavar="FILE", help="the table, a UTF-8 CSV")
    add.add_argument("--sidecar", type=Path, metavar="YAML", help="its provenance (default: FILE with .yaml)")
    add.set_defaults(func=_add)
    demo = actions.add_parser("demo-table", help="(re)write the demo's synthetic table by occupation "
                              "(ja_occupations_synthetic; identical when unchanged)")
    demo.set_defaults(func=_demo_table)
    suite = actions.add_parser("suite", help="regenerate expectations/gx/expectations/open_data.json from the schema")
    suite.add_argument("--check", action="store_true", help="do not write; exit 1 if the suite is out of date")
    suite.set_defaults(func=_suite)
    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])


def _list(args: argparse.Namespace) -> int:
    # lazy: `tracer --help` stays at 0.06 s; importing every command's modules up front costs 0.9 s
    from analysis.derive.open_tables import list_tables, read_table

    for info in list_tables():
        t = read_table(info.csv)
        years = sorted({y for p in t["period"] for y in _years(p)})
        span = f"{years[0]}–{years[-1]}" if years else "?"
        hosts = sorted({u.split("/")[2] if "://" in u else u for u in t["source_url"]})
        flag = "SYNTHETIC" if info.synthetic else "real"
        print(f"{info.id:28s} {info.version}  {len(t):4d} rows  {span:10s} {flag:9s} {info.title}")
        print(f"{'':28s} sources: {', '.join(hosts[:6])}{' …' if len(hosts) > 6 else ''}")
    return 0


def _years(period: str) -> list[int]:
    return [int(y) for y in re.findall(r"\b(?:19|20)\d{2}\b", period)]


def _check(args: argparse.Namespace) -> int:
    # lazy: great-expectations and pandas load only for the actions that need them
    from analysis.derive.open_tables import check_tables, list_tables
    from analysis.validate.open_data import check_suite

    problems = [str(p) for p in check_tables()] + check_suite()
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        return 1
    print(f"opendata: {len(list_tables(all_versions=True))} table version(s) match data/raw/open/schema.yaml")
    return 0


def _add(args: argparse.Namespace) -> int:
    # lazy: great-expectations and pandas load only for the actions that need them
    from analysis.derive.open_tables import add_table

    dest = add_table(args.file, sidecar=args.sidecar)
    print(f"added {dest} (+ {dest.with_suffix('.yaml').name}); the next run uses it")
    return 0


def _demo_table(args: argparse.Namespace) -> int:
    # lazy: pandas and the generator load only for this action
    from analysis.demo.open_occupations import write_synthetic_occupation_table

    print(f"wrote {write_synthetic_occupation_table()} (synthetic: not real data)")
    return 0


def _suite(args: argparse.Namespace) -> int:
    # lazy: great-expectations loads only for the actions that need it
    from analysis.validate.open_data import check_suite, write_suite

    if args.check:
        problems = check_suite()
        for line in problems:
            print(line, file=sys.stderr)
        return 1 if problems else 0
    print(f"wrote {write_suite()}")
    return 0

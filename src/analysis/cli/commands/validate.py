"""``tracer expectations``: regenerate (or check) the great-expectations suites from the questionnaires."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "expectations", help="regenerate the great-expectations suites in expectations/ from the questionnaires",
        description="Build one great-expectations suite per instrument (registry, phase1, phase2, employer) from "
                    "the XLSForms in questionnaires/ — answer types, choice codes, ranges and patterns, required "
                    "answers, skip logic — and store them as JSON under expectations/gx/ (a great-expectations "
                    "file project). The files are deterministic: regenerating without a questionnaire change "
                    "gives the same bytes. Commit the result.",
        epilog="Examples: tracer expectations | tracer expectations --check (in CI: exit 1 when the committed "
               "suites no longer match the questionnaires)")
    p.add_argument("--check", action="store_true",
                   help="do not write; exit 1 if the committed suites differ from the questionnaires")
    p.set_defaults(func=_expectations)


def _expectations(args: argparse.Namespace) -> int:
    # lazy: `tracer --help` stays at 0.06 s; importing every command's modules up front costs 0.9 s
    from analysis.core.paths import project_root
    from analysis.instruments.xlsform import INSTRUMENTS, load_instrument
    from analysis.validate.suites import check_suites, write_suites

    root = project_root() / "expectations"
    insts = [load_instrument(name) for name in INSTRUMENTS]
    if args.check:
        problems = check_suites(insts, root)
        for line in problems:
            print(line, file=sys.stderr)
        if problems:
            return 1
        print(f"expectations: {len(insts)} suites in {root} match the questionnaires")
        return 0
    files = write_suites(insts, root)
    for f in files:
        print(f"wrote {f.relative_to(root.parent)}")
    return 0

"""The ``tracer`` command: one entry point for every task of the tracer study.

Subcommands live in :mod:`analysis.cli.commands` (one module per family) and are discovered here;
``python -m analysis.cli`` runs the same entry point (:mod:`analysis.cli.__main__`).
User errors (bad input, bad configuration) are printed as ONE line and give exit code 2;
no traceback is shown for them.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import analysis.cli.commands as commands
from analysis.core.version import __version__
from analysis.errors import TracerError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every discovered subcommand."""
    parser = argparse.ArgumentParser(
        prog="tracer",
        description="Graduate tracer study of Jalal-Abad State University (ЖАМУ): from raw survey exports "
                    "to validated data, indicators, models and reports in Kyrgyz, Russian and English.",
        epilog="Run 'tracer COMMAND --help' for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=f"tracer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        try:
            module = importlib.import_module(f"analysis.cli.commands.{mod.name}")
        except ImportError as exc:  # a broken optional command must not take the others down
            print(f"warning: command module '{mod.name}' could not be loaded: {exc}", file=sys.stderr)
            continue
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``tracer`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except TracerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130

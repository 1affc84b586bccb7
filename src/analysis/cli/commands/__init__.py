"""Subcommands of the ``tracer`` command.

Each module here defines ``register(subparsers)`` that adds one or more subcommands with
``parser.set_defaults(func=handler)``; ``handler(args) -> int`` returns the exit code.
:mod:`analysis.cli` discovers the modules automatically, so adding a file adds a command.
"""

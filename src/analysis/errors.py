"""Errors a user can act on.

Every problem with input data or configuration is raised as a :class:`TracerError` subclass whose
``str()`` is **one line** naming the file, row, column and problem (and the fix, when known).
The ``tracer`` command prints that line and exits non-zero; it never shows a traceback for them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path


class TracerError(Exception):
    """Base class: an error whose message is meant for the user, on one line."""

    exit_code: int = 2


@dataclass
class InputError(TracerError):
    """A problem in an input file: names the file, and the row and column where known.

    Rows are counted as a spreadsheet user sees them: the header is row 1, the first data
    row is row 2.
    """

    file: str | Path
    problem: str
    row: int | None = None
    column: str | None = None
    fix: str | None = None

    def __str__(self) -> str:  # one line, always
        where = str(self.file)
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        msg = f"{where}: {self.problem}"
        if self.fix:
            msg += f" — {self.fix}"
        return " ".join(msg.split())


class ConfigError(TracerError):
    """A cohort parameter file or project setting is missing or invalid."""


class KeyMissingError(TracerError):
    """The pseudonymisation key is not configured (see ``tracer init-key``)."""


def user_stacklevel() -> int:
    """``stacklevel`` for :func:`warnings.warn` that makes a warning point at the caller's code, outside
    this package (a notebook cell, a script), not at the package's own frames."""
    package = str(Path(__file__).resolve().parent)
    frame, level = sys._getframe(1), 1
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(package):
        frame, level = frame.f_back, level + 1
    return level

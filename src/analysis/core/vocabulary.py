"""The project's fixed name lists: the four instruments and the three collection modes, defined once.

One job: the names every family checks against or loops over — the cohort file (:mod:`analysis.core.config`),
the questionnaires (:mod:`analysis.instruments.xlsform`), the readers (:mod:`analysis.ingest`), the quality
tables, the results and the ``tracer`` commands import them from here. Standard: the variable contract
``docs/variables.md`` (instrument names, ``mode`` codes of the questionnaires).
"""

from __future__ import annotations

INSTRUMENTS: tuple[str, ...] = ("registry", "phase1", "phase2", "employer")
"""The instruments, in data-flow order: the registrar's graduate registry, the exit survey (phase 1), the
follow-up survey (phase 2) and the employer survey."""

MODES: tuple[str, ...] = ("online", "phone", "paper")
"""The collection modes of a survey answer (the ``mode`` column; the registry has none)."""

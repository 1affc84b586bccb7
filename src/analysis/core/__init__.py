"""Core: what every family reads — the cohort's configuration, the documented defaults, where files live,
the one language list and the message catalogue, the package version.

Modules: :mod:`~analysis.core.config` (``cohorts/COHORT.yaml`` as a typed object),
:mod:`~analysis.core.defaults` (the project's defaults, each with its source), :mod:`~analysis.core.paths`
(project root, per-cohort folders, the package's data folders), :mod:`~analysis.core.i18n` (ky/ru/en and
``definitions/messages/*.yaml``), :mod:`~analysis.core.version`. Imports only :mod:`analysis.errors`.
"""

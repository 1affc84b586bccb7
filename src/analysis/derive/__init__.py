"""Derive: from pseudonymous validated tables to one row per graduate with every derived variable.

Modules, one job each: :mod:`~analysis.derive.registry` (the indicator registry ``definitions/indicators.yaml``
and each graduate's value of an indicator), :mod:`~analysis.derive.columns` (reading the contract's columns:
codes, numbers, dates, three-valued booleans), the derivations :mod:`~analysis.derive.labour` (ILO labour
status, full-time work, further study, NACE outcome), :mod:`~analysis.derive.transition` (time to first job,
job search), :mod:`~analysis.derive.job` (ISCO, skill level, sector, informality, place of work),
:mod:`~analysis.derive.income` and :mod:`~analysis.derive.match` (education–job match, degree effectiveness,
competence gaps, programme evaluation); :mod:`~analysis.derive.graduates` (linkage and the per-graduate
assembly, ``derive_graduates``), :mod:`~analysis.derive.docs` (the generator of ``docs/indicators.md``),
:mod:`~analysis.derive.opendata` (open-data benchmarks: oblast average wage, minimum wage),
:mod:`~analysis.derive.dictionary` (the data dictionary written next to every processed table).
"""

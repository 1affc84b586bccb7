"""Derive: from pseudonymous validated tables to one row per graduate with every derived variable.

Modules: :mod:`~analysis.derive.indicators` (the indicator registry ``definitions/indicators.yaml``, the
programmes crosswalk and the per-graduate derivations, e.g. ILO labour status), :mod:`~analysis.derive.opendata`
(open-data benchmarks the derivations use: oblast average wage, minimum wage), :mod:`~analysis.derive.dictionary`
(the data dictionary written next to every processed table).
"""

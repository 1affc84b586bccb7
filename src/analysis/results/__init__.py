"""Results: the one tidy table of everything the project can publish.

Modules: :mod:`~analysis.results.table` (the table's columns, every registry indicator by domain:
``share_rows``, ``mean_rows`` …) and :mod:`~analysis.results.families` (result rows outside the registry:
labour-status distribution, time to first job, models, competences, feedback, employers, non-response).
"""

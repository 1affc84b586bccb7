"""Publish: from the results table to what people read — disclosure control, formatting, labels, charts
and the ky/ru/en report.

Modules: :mod:`~analysis.publish.disclosure` (the one disclosure pass and its attack check),
:mod:`~analysis.publish.formatting` (numbers and percentages per language, Babel),
:mod:`~analysis.publish.labels` (labels of codes and variables), :mod:`~analysis.publish.charts`,
:mod:`~analysis.publish.quality_report` (data-quality tables) and :mod:`~analysis.publish.report`
(the report sections, rendered only from ``results/published.parquet``).
"""

"""Pipeline: the stages that read and write ``data/processed/COHORT/`` and the run that executes them.

Modules: :mod:`~analysis.pipeline.stages` (the stage functions the notebooks call: ingest+validate,
derive, model), :mod:`~analysis.pipeline.estimation` (the model stage: weights, the results table, the
disclosure pass), :mod:`~analysis.pipeline.run` (papermill runs of the stage notebooks, HTML rendering,
the personal-data gate), :mod:`~analysis.pipeline.tables` (Parquet I/O of the stages),
:mod:`~analysis.pipeline.provenance` (the run manifest), :mod:`~analysis.pipeline.monitor` (fieldwork
monitor).
"""

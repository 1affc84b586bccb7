"""Privacy: the pseudonymisation key, keyed pseudonyms, dropping and redacting direct identifiers,
and the scan for personal data in outputs (:mod:`~analysis.privacy.personal_data`).

Used at the privacy boundary of stage 1 (:func:`analysis.pipeline.stages.ingest_validate`), by the
run's personal-data gate (:func:`analysis.pipeline.run.privacy_gate`) and by ``tracer scan-personal``.
See ``docs/privacy.md``.
"""

"""Privacy: personal data kept in ``data/raw/`` and out of everything the pipeline writes.

Modules, one job each: :mod:`~analysis.privacy.values` (what counts as personal: identifier columns,
free-text questions, a cohort's personal values), :mod:`~analysis.privacy.keys` (the pseudonymisation key),
:mod:`~analysis.privacy.pseudonyms` (keyed pseudonyms, stdlib HMAC-SHA256), :mod:`~analysis.privacy.redaction`
(direct identifiers dropped; phones, e-mails and handles redacted in free text),
:mod:`~analysis.privacy.minimisation` (date of birth → age; k-anonymity), :mod:`~analysis.privacy.boundary`
(the privacy boundary applied to one table) and :mod:`~analysis.privacy.scan` (the personal-data scan).

Used at the privacy boundary of stage 1 (:func:`analysis.pipeline.stages.ingest_validate`), by the
run's personal-data gate (:func:`analysis.pipeline.run.privacy_gate`) and by ``tracer scan-personal``.
See ``docs/privacy.md``.
"""

"""Statistics: design-based estimation and models, independent of the tracer study's files.

Modules: :mod:`~analysis.stats.intervals` (intervals for shares and means), :mod:`~analysis.stats.survey`
(the survey design, raking, Taylor-linearised variances: ``Design.vcov``, ``by_domain``),
:mod:`~analysis.stats.weighting` (each phase's respondents calibrated to the registry),
:mod:`~analysis.stats.models` (weighted regression), :mod:`~analysis.stats.survival` (time to the first
job), :mod:`~analysis.stats.design_matrix` (complete-case treatment-coded model matrices),
:mod:`~analysis.stats.outcome_models` (the employment-outcome models), :mod:`~analysis.stats.imputation`
(multiple imputation), :mod:`~analysis.stats.nonresponse` (non-response checks and propensity weighting).
Explained in ``docs/methodology.md``.
"""

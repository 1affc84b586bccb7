"""The project's documented defaults, defined once (the cohort file overrides them; every stage reads
them through :class:`analysis.core.config.CohortConfig`). Each names its source."""

from __future__ import annotations

FULL_TIME_HOURS = 40
"""Weekly hours from which a job counts as full-time: the Kyrgyz statutory week (Labour Code, art. 89);
QILT uses 35."""
CONFIDENCE = 0.95
"""Level of every confidence interval (QILT publishes 90 %)."""
CI_METHOD = "wilson"
"""Interval of unweighted shares: Wilson (Brown, Cai & DasGupta 2001 recommend it for small n)."""
WEIGHTED_CI_METHOD = "wilson"
"""Interval of weighted shares: Wilson on the effective sample size p(1−p)/SE² (Kish); or
``korn_graubard`` (R ``svyciprop(method="beta")``)."""
FINITE_POPULATION_CORRECTION = False
"""Whether variances treat respondents as a without-replacement sample of the registry (factor 1 − n/N).
Off by default: the correction is exact only if non-response is ignorable given the weighting margins; on
the demo cohort, whose truth is known, intervals with it missed 5 of 77 true values (non-response bias in
further study that raking cannot remove), without it none (docs/methodology.md §3). QILT applies it."""
TARGETS = {"phase2_response": 0.60, "knowledge_rate": 0.65}
"""HESA Graduate Outcomes response-rate target; NACE first-destination knowledge-rate standard."""
DISCLOSURE_MIN_N = 10
"""ELA/MLASZ: no indicator for a group of fewer than 10 respondents."""
LICENCE = "CC-BY-4.0"
"""Licence of the university's own published results (workbook, open data): Creative Commons Attribution 4.0
— reuse with attribution, as the UK Open Government Licence and most national statistics offices allow."""
LICENCES: dict[str, tuple[str, str]] = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0 International", "https://creativecommons.org/licenses/by/4.0/"),
    "CC-BY-SA-4.0": ("Creative Commons Attribution-ShareAlike 4.0 International",
                     "https://creativecommons.org/licenses/by-sa/4.0/"),
    "CC-BY-NC-SA-4.0": ("Creative Commons Attribution-NonCommercial-ShareAlike 4.0 International",
                        "https://creativecommons.org/licenses/by-nc-sa/4.0/"),
    "CC0-1.0": ("Creative Commons Zero 1.0 Universal (public domain dedication)",
                "https://creativecommons.org/publicdomain/zero/1.0/"),
}
"""Licences a cohort may choose (SPDX identifier → title, text); ``CC-BY-NC-SA-4.0`` is the licence of the
National Statistical Committee's open data, whose figures the outputs quote as benchmarks."""
OPEN_DATA_LICENCE = "CC-BY-NC-SA-4.0"
"""Licence of the NSC open data quoted as benchmarks (stated on the NSC open-data page)."""

"""The project's documented defaults, defined once (the cohort file overrides them; every stage reads
them through :class:`analysis.config.CohortConfig`). Each names its source."""

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
TARGETS = {"phase2_response": 0.60, "knowledge_rate": 0.65}
"""HESA Graduate Outcomes response-rate target; NACE first-destination knowledge-rate standard."""
DISCLOSURE_MIN_N = 10
"""ELA/MLASZ: no indicator for a group of fewer than 10 respondents."""

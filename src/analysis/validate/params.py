"""Parameters of the hand-written validation rules and of the data-quality targets.

Read from the cohort's parameter object (:class:`analysis.core.config.CohortConfig`) or a mapping when
they are there; the defaults below otherwise. Every default names its source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from analysis.core.defaults import FULL_TIME_HOURS, TARGETS

__all__ = ["ValidationParams"]


@dataclass(frozen=True)
class ValidationParams:
    """Thresholds of the cross-field rules and data-quality targets.

    Attributes
    ----------
    full_time_hours
        Usual weekly hours from which work counts as full time (Labour Code of the Kyrgyz
        Republic: 40-hour week; ``CohortConfig.full_time_hours``).
    min_wage_kgs
        Monthly minimum wage in KGS: full-time income below it is a **warning** (HESA trims
        salaries below the full-time minimum wage). Default 2,337 som, the last enacted value in
        ``data/kg-open/kg_minimum_wage.csv`` (2023); set it per cohort (3,280 som planned for 2026).
    income_cap_kgs
        Monthly income above this is implausible → quarantine (``docs/variables.md``: 0–1,000,000).
    hours_min, hours_max
        Plausible weekly hours (``docs/variables.md``: 1–98, the ILO/LFS coding range).
    first_job_years_before_grad
        A first job dated more than this many years before graduation is an error.
    targets
        Data-quality targets: ``phase2_response`` (HESA Graduate Outcomes: 60 %),
        ``knowledge_rate`` (NACE first-destination standards: 65 %).
    previous
        The previous cohort's rates (same keys as ``targets``), when known: a rate below it is
        flagged.
    """

    full_time_hours: float = FULL_TIME_HOURS
    min_wage_kgs: float | None = 2337
    income_cap_kgs: float = 1_000_000
    hours_min: float = 1
    hours_max: float = 98
    first_job_years_before_grad: int = 5
    targets: dict[str, float] = field(default_factory=lambda: dict(TARGETS))
    previous: dict[str, float] | None = None

    @classmethod
    def from_any(cls, params: Any = None) -> ValidationParams:
        """Build from ``None``, a :class:`ValidationParams`, a mapping or an object with attributes.

        Unknown keys are ignored (a cohort configuration carries many other parameters);
        ``targets`` given partially are merged over the defaults.
        """
        if params is None:
            return cls()
        if isinstance(params, cls):
            return params
        get = params.get if isinstance(params, Mapping) else (lambda k, d=None: getattr(params, k, d))
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            v = get(f.name, None)
            if v is not None:
                kwargs[f.name] = v
        if "targets" in kwargs:
            kwargs["targets"] = {**cls().targets, **dict(kwargs["targets"])}
        return cls(**kwargs)

"""The trend scenario: three seeded demo cohorts (2023, 2024, 2025) with planted changes.

The committed cohort ``demo-2025`` is the generator's model as it is (no effects). The two earlier cohorts are
drawn by the same generator (:func:`analysis.demo.synthetic.generate_cohort`) with their own seed, their own
graduation year (dates and student-id prefixes move with it) and **planted logit shifts** (``effects``), so
that the trend report has known changes to find:

* **the faculty of economics (ECON) gains about 12 percentage points of employment** from 2023 to 2025
  (employment logit −0.85 in 2023, −0.4 in 2024, 0 in 2025; the population values in ``truth.csv`` are
  38.4 %, 49.8 % and 50.8 % of the faculty's 305 graduates — every later draw of a graduate depends on the
  employment draw, so the realised change is not a smooth function of the shift);
* **applied informatics (ENG-INF-B) falls**: employment logit +0.9 in 2023, +0.45 in 2024, 0 in 2025 (from
  ~90 % towards ~80 %);
* **phase-2 response rises** a little (logit −0.2 in 2023, −0.1 in 2024): fewer answered in earlier years.

All of it is synthetic: the report says so in one sentence. Each cohort's ``truth.csv`` holds its population
values (with the planted effects), so the estimated changes can be checked against the truth. The raw files of
2023 and 2024 are not committed: :func:`ensure_raw` writes them on demand (``tracer trends``, ``make trends``),
byte-identical from their seeds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEMO_LATER_WAVES", "DEMO_TREND_COHORTS", "TrendCohort", "ensure_raw", "scenario"]


@dataclass(frozen=True)
class TrendCohort:
    """One demo cohort of the trend scenario.

    Attributes
    ----------
    cohort : name of the cohort (``cohorts/NAME.yaml``, ``data/raw/NAME/``).
    graduation_year : year of graduation (June); the phase-2 survey is in March–April of the next year.
    seed : the generator's seed (equal to the cohort file's ``seed``).
    effects : logit shifts of :func:`analysis.demo.synthetic.generate_cohort` (``OUTCOME:TARGET`` → shift).
    committed : True for the cohort whose raw files are committed (``demo-2025``): never regenerated here.
    follow_up_months : months from graduation to the phase-2 survey (9; a later wave: e.g. 21).
    wave_of : for a later wave, the cohort whose graduates it follows up again ("" otherwise).
    """

    cohort: str
    graduation_year: int
    seed: int
    effects: Mapping[str, float] = field(default_factory=dict)
    committed: bool = False
    follow_up_months: int = 9
    wave_of: str = ""


DEMO_TREND_COHORTS: tuple[TrendCohort, ...] = (
    TrendCohort("demo-2023", 2023, 20230630, {"employment:faculty:ECON": -0.85,
                                              "employment:programme:ENG-INF-B": 0.9,
                                              "response_p2:all": -0.2}),
    TrendCohort("demo-2024", 2024, 20240630, {"employment:faculty:ECON": -0.4,
                                              "employment:programme:ENG-INF-B": 0.45,
                                              "response_p2:all": -0.1}),
    TrendCohort("demo-2025", 2025, 20250630, {}, committed=True),
)
"""The demo trend scenario, oldest first (``make trends`` runs these three)."""

DEMO_LATER_WAVES: tuple[TrendCohort, ...] = (
    TrendCohort("demo-2023-w2", 2023, 20230630, {"employment:faculty:ECON": -0.85,
                                                 "employment:programme:ENG-INF-B": 0.9,
                                                 "employment:all": 0.6, "response_p2:all": -0.3},
                follow_up_months=21, wave_of="demo-2023"),
)
"""Later waves: ``demo-2023-w2`` follows the graduates of 2023 up again 21 months after graduation (March 2025):
the same registry and student ids as ``demo-2023`` (same seed, year and effects), its own draw of who answers,
more of them employed (logit +0.6: a later situation drawn anew, not a panel of job histories). It links to
``demo-2023``'s phase 2 by pseudonym."""


def scenario(cohort: str) -> TrendCohort | None:
    """The scenario entry of a demo cohort, or None for any other cohort."""
    return next((c for c in (*DEMO_TREND_COHORTS, *DEMO_LATER_WAVES) if c.cohort == cohort), None)


def ensure_raw(cohort: str, raw_dir: Path, n_graduates: int | None = None, *, force: bool = False,
               progress: Callable[[str], None] | None = None) -> bool:
    """Write the raw files of a demo trend cohort into ``raw_dir`` when they are missing.

    Parameters
    ----------
    cohort : a cohort of :data:`DEMO_TREND_COHORTS`; any other cohort is left alone (returns False).
    raw_dir : the cohort's raw folder (``data/raw/COHORT/``).
    n_graduates : size of the cohort (default: the generator's, 2,000 graduates).
    force : write even if the files are there — except for the committed cohort, whose files are only
        written when missing (e.g. in a fresh temporary project); ``tracer demo`` rewrites it.
    progress : optional callable receiving one line per file written.

    Returns
    -------
    bool
        True when files were written.
    """
    sc = scenario(cohort)
    if sc is None:
        return False
    have = (raw_dir / "registry.xlsx").exists()
    if have and (sc.committed or not force):  # the committed demo is never rewritten here (`tracer demo` does)
        return False
    # lazy: the generator imports openpyxl and the instruments, which `tracer --help` must not pay for
    from analysis.demo.synthetic import DEFAULT_N, generate_cohort

    generate_cohort(raw_dir, seed=sc.seed, n_graduates=int(n_graduates or DEFAULT_N), cohort=cohort,
                    progress=progress, graduation_year=sc.graduation_year, effects=dict(sc.effects) or None,
                    follow_up_months=sc.follow_up_months)
    return True

"""Graduate tracer study and labour-market analysis for Jalal-Abad State University (ЖАМУ).

Importing this package is cheap: heavy libraries (great-expectations, statsmodels, seaborn)
are imported inside the modules that need them.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "load_cohort"]


def load_cohort(*args, **kwargs):  # noqa: D401 - thin lazy wrapper
    """Load a processed cohort; see :func:`analysis.explore.load_cohort`."""
    from analysis.explore import load_cohort as _load

    return _load(*args, **kwargs)

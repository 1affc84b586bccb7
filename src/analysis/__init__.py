"""Graduate tracer study and labour-market analysis for Jalal-Abad State University (ЖАМУ).

The package is organised in families that follow the data flow (``docs/architecture.md``):
instruments → ingest → validate → privacy → derive → stats → results → publish, run by the pipeline
and the ``tracer`` command (:mod:`analysis.cli`). Importing this package is cheap: it loads nothing but
the version.
"""

from __future__ import annotations

from analysis.core.version import __version__

__all__ = ["__version__", "load_cohort"]


def load_cohort(*args, **kwargs):
    """Load a processed cohort; see :func:`analysis.explore.load_cohort`."""
    # lazy: analysis.explore loads pandas and the label catalogue (about 0.5 s); `import analysis` stays at ~0.01 s
    from analysis.explore import load_cohort as _load

    return _load(*args, **kwargs)

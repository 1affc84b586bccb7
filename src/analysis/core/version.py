"""The package version, defined once (``pyproject.toml`` carries the same number for the installer).

It lives here rather than in ``analysis/__init__.py`` so that a module that records the version (the run
manifest, ``tracer --version``) does not import the package root, which reaches up to
:mod:`analysis.explore`.
"""

__version__ = "0.1.0"

"""Non-response weights: each phase's respondents calibrated to the graduate registry (a census).

The tracer study invites every graduate, so the registry is the population and respondents are treated
as a sample of it: the design has one stratum, each respondent is its own unit, optionally with the
finite-population correction ``1 − n/N`` (``finite_population_correction``; off by default, see
:data:`analysis.core.defaults.FINITE_POPULATION_CORRECTION`), and the base weight
``N/n`` is raked to the registry margins of the cohort file (``weighting_margins``, e.g. faculty × sex
and level), trimmed to ``[median/r, median·r]`` (``weight_trim_ratio``) and raked again. Variances then
come from :mod:`analysis.stats.survey` (Taylor linearisation with calibration residuals and the FPC).
Explained for the expert group in ``docs/methodology.md`` §2.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.stats.survey import Design, rake, trim_weights, weight_diagnostics

__all__ = ["registry_margins", "weight_respondents"]


def registry_margins(graduates: pd.DataFrame, margins: tuple[tuple[str, ...], ...]) -> dict:
    """Population counts of every raking margin, from the registry (every graduate)."""
    out = {}
    for m in margins:
        key = m[0] if len(m) == 1 else tuple(m)
        out[key] = graduates.groupby(list(m), observed=True).size()
    return out


NO_REGISTRY_NOTE = "no registry: estimates unweighted"
"""The diagnostics note (and the results' ``basis = unweighted``) of a study without a graduate registry."""

MARGIN_TOLERANCE = 1e-6
"""Largest relative error of a raked margin accepted when raking stops before its own tolerance."""


def _margin_error(design: Any, pop: dict) -> float:
    """Largest relative difference between the design's weighted margins and the registry's counts."""
    w = pd.Series(design.w, index=design.data.index)
    err = 0.0
    for key, counts in pop.items():
        cols = [key] if isinstance(key, str) else list(key)
        got = w.groupby([design.data[c] for c in cols], observed=True).sum().reindex(counts.index).fillna(0.0)
        err = max(err, float(np.max(np.abs(got.to_numpy(float) - counts.to_numpy(float)) / counts.to_numpy(float))))
    return err


def weight_respondents(graduates: pd.DataFrame, margins: tuple[tuple[str, ...], ...], trim_ratio: float,
                       flag: str = "resp_p2", fpc: bool = False, has_registry: bool = True) -> tuple[Any, dict]:
    """Rake the respondents of one phase (``flag``) to the registry margins, trim, re-rake.

    Falls back to one-way margins, then to the overall total, when a margin cell has graduates but no
    respondents, or when raking does not converge (the respondents' cells cannot meet the margins
    together); the margins actually used are reported (``margins_not_converged`` lists those given up). Returns
    ``(design, diagnostics)``; ``design`` is None when the phase has no respondent. With ``fpc`` the design
    carries the finite-population correction ``1 − n/N`` (cohort parameter ``finite_population_correction``).

    Without a registry (``has_registry`` False: the cohort file lists none, and the graduates are the
    survey rows) there is no population to weight to: the design is None,
    so every estimate is unweighted (``basis = unweighted``) and the diagnostics say why
    (:data:`NO_REGISTRY_NOTE`).
    """
    if flag not in graduates:
        return None, {"respondents": 0, "graduates": len(graduates), "note": f"no {flag} column"}
    if not has_registry:
        n = int(graduates[flag].astype("boolean").fillna(False).sum())
        return None, {"respondents": n, "graduates": len(graduates), "note": NO_REGISTRY_NOTE}
    resp = graduates[graduates[flag].astype("boolean").fillna(False).astype(bool)].copy()
    N, n = len(graduates), len(resp)
    if n == 0:
        return None, {"respondents": 0, "graduates": N, "note": "no respondents"}
    resp["w0"] = N / n
    resp["fpc_N"] = float(N)
    fpc_col = "fpc_N" if fpc else None
    usable = tuple(tuple(c for c in m if c in graduates.columns) for m in margins)
    usable = tuple(m for m in usable if m)
    tried = [usable, tuple((v,) for m in usable for v in m), ()]

    def base() -> Design:
        return Design(resp, weights="w0", fpc=fpc_col)

    design, used, skipped = base(), (), []
    for mset in tried:
        if not mset:
            break
        try:
            pop = registry_margins(graduates, mset)
            with warnings.catch_warnings():  # non-convergence is handled below: the next margin set
                warnings.simplefilter("ignore", RuntimeWarning)
                raked = rake(base(), pop, max_iter=2000, new_weights="w_raked")
                raked = trim_weights(raked, max_ratio=trim_ratio, new_weights="w_trim")
                raked = rake(Design(raked.data, weights="w_trim", fpc=fpc_col), pop, max_iter=2000,
                             new_weights="weight")
        except InputError:
            continue
        if not raked.calibration.converged and _margin_error(raked, pop) > MARGIN_TOLERANCE:
            # the respondents' cells cannot meet these margins together (e.g. a faculty answered only
            # by women while the registry has men there): weights that miss the registry are no weights
            if [list(m) for m in mset] not in skipped:
                skipped.append([list(m) for m in mset])
            continue
        design, used = raked, mset
        break
    if not used:
        data = resp.assign(weight=resp["w0"])
        design = Design(data, weights="weight", fpc=fpc_col)
    diag = weight_diagnostics(design)
    diag.update({"margins_used": [list(m) for m in used], "margins_requested": [list(m) for m in margins],
                 "margins_not_converged": skipped,
                 "trim_ratio": trim_ratio, "respondents": n, "graduates": N,
                 "fpc": float(1 - n / N) if fpc and N else 1.0})
    return design, diag

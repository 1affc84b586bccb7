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
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.stats.survey import Design, rake, trim_weights, weight_diagnostics

__all__ = ["FRAME_COLUMNS", "SIZE_BANDS", "read_enterprise_frame", "registry_margins", "weight_respondents",
           "weight_to_frame"]


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


# --------------------------------------------------------------------------------------------
# employers: weighted to an enterprise frame
# --------------------------------------------------------------------------------------------
SIZE_BANDS: tuple[str, ...] = ("lt5", "5_20", "20_50", "50_200", "gt200")
"""Size bands of the employer survey (employees), smallest first; the source document's three bands are
5_20, 20_50 and 50_200 — it leaves out micro (< 5) and large (> 200) employers, which the questionnaire adds."""
GKED_SECTIONS: tuple[str, ...] = tuple("ABCDEFGHIJKLMNOPQRSTU")
FRAME_COLUMNS: tuple[str, ...] = ("sector", "size_band", "enterprises", "source")
"""Columns of an enterprise frame CSV (``docs/employers.md``): ГКЭД section (A–U), size band, number of active
enterprises (legal entities and individual entrepreneurs) in the region, and where the count comes from."""
FRAME_MIN_CELL = 2
"""A weighting cell needs at least this many responding employers (two: a variance needs two units);
sparser cells are pooled (see :func:`weight_to_frame`)."""


def read_enterprise_frame(path: str | Path) -> pd.DataFrame:
    """Read and check an enterprise frame: counts of enterprises by ГКЭД section × size band.

    Parameters
    ----------
    path
        A UTF-8 CSV with the columns :data:`FRAME_COLUMNS` — one row per sector × size band, ``enterprises``
        a whole number ≥ 0 (enterprises, not employees), ``source`` the business register and its date
        (a frame made up for a demo says ``synthetic``).

    Returns
    -------
    DataFrame
        ``sector, size_band, enterprises (int), source``.

    Raises
    ------
    InputError
        One line naming the file, the row (as a spreadsheet shows it: header = 1), the column and the problem.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "the enterprise frame named by the cohort file is not there",
                         fix="put the CSV in the cohort's raw folder or remove enterprise_frame from the cohort file")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(path, f"not a UTF-8 CSV ({str(exc).splitlines()[0]})") from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in FRAME_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)}",
                         fix=f"the columns are {', '.join(FRAME_COLUMNS)}")
    if df.empty:
        raise InputError(path, "the frame has no rows")
    df = df[list(FRAME_COLUMNS)].apply(lambda s: s.str.strip())
    for i, r in df.iterrows():
        row = int(i) + 2
        if r["sector"] not in GKED_SECTIONS:
            raise InputError(path, f"{r['sector']!r} is not a GKED (NACE Rev. 2) section letter A–U", row=row,
                             column="sector")
        if r["size_band"] not in SIZE_BANDS:
            raise InputError(path, f"{r['size_band']!r} is not a size band ({', '.join(SIZE_BANDS)})", row=row,
                             column="size_band")
        if not r["enterprises"].isdigit():
            raise InputError(path, f"{r['enterprises']!r} is not a whole number of enterprises ≥ 0", row=row,
                             column="enterprises")
    dup = df.duplicated(["sector", "size_band"], keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(path, f"sector {df['sector'].iloc[i]} × size band {df['size_band'].iloc[i]} appears twice",
                         row=i + 2, column="sector")
    df["enterprises"] = df["enterprises"].astype(int)
    return df.reset_index(drop=True)


def _pooled_levels(n: pd.Series, pop: pd.Series, order: tuple[str, ...] | None, pool: str) -> dict[str, str]:
    """Map each level of a margin to its weighting level: levels with fewer than :data:`FRAME_MIN_CELL`
    responding employers (or none) are pooled — into the next larger level along ``order`` (size bands), or,
    without an order (sectors), all into one level ``pool``; a pool still too thin joins the largest level."""
    levels = list(order) if order else sorted(set(pop.index) | set(n.index))
    levels = [lv for lv in levels if pop.get(lv, 0) > 0 or n.get(lv, 0) > 0]
    if order:
        groups: list[list[str]] = []
        for lv in levels:
            if groups and sum(n.get(x, 0) for x in groups[-1]) < FRAME_MIN_CELL:
                groups[-1].append(lv)
            else:
                groups.append([lv])
        if len(groups) > 1 and sum(n.get(x, 0) for x in groups[-1]) < FRAME_MIN_CELL:
            groups[-2] += groups.pop()
        return {lv: "+".join(g) for g in groups for lv in g}
    thin = [lv for lv in levels if n.get(lv, 0) < FRAME_MIN_CELL]
    out = {lv: lv for lv in levels if lv not in thin}
    if thin:
        if sum(n.get(x, 0) for x in thin) >= FRAME_MIN_CELL or not out:
            out.update({lv: pool for lv in thin})
        else:
            largest = max(out, key=lambda lv: (n.get(lv, 0), lv))
            out.update({lv: largest for lv in thin})
    return out


def weight_to_frame(employers: pd.DataFrame, frame: pd.DataFrame | None,
                    sector: str = "sector", size_band: str = "size_band") -> tuple[Design | None, dict]:
    """Weight the responding employers to an enterprise frame (ETF establishment-survey practice).

    Every employer starts from ``N/n`` (frame enterprises over responding employers). When every
    sector × size-band cell of the frame with enterprises has at least :data:`FRAME_MIN_CELL` responding
    employers, the weights are **post-stratified** to the cells (each cell's weights add up to its frame
    count). Otherwise they are **raked** to the frame's two margins — enterprises by sector and by size band
    — after pooling thin levels (:func:`_pooled_levels`: sectors with fewer than two respondents into one
    level "other sectors", a thin size band into the next larger one), so every frame enterprise is
    represented by some respondent. Variances then come from :mod:`analysis.stats.survey` (Taylor
    linearisation with the calibration residuals; no finite-population correction — conservative when a
    large share of the frame responded).

    Parameters
    ----------
    employers
        One row per responding employer with ``sector`` (ГКЭД section) and ``size_band``.
    frame
        :func:`read_enterprise_frame`'s table, or None (no frame: no weights).

    Returns
    -------
    (Design or None, dict)
        The design (weights in column ``weight``; its data keep the employers' index) and diagnostics:
        ``method`` (``poststratification`` | ``raking`` | ``none``), ``frame_total``, ``respondents``,
        ``pooled`` (level → weighting level, where pooled), ``note`` and the weight summary
        (:func:`analysis.stats.survey.weight_diagnostics`). None when there is no frame, no employer, or
        an employer has no sector or size band (the note says which).
    """
    n = len(employers)
    if frame is None:
        return None, {"method": "none", "respondents": n, "note": "no enterprise frame: employers unweighted"}
    if n == 0:
        return None, {"method": "none", "respondents": 0, "note": "no employers"}
    for col in (sector, size_band):
        if col not in employers or employers[col].isna().any() or (employers[col].astype(str) == "").any():
            return None, {"method": "none", "respondents": n,
                          "note": f"an employer has no {col}: employers unweighted"}
    data = employers.copy()
    data["_sector"] = data[sector].astype(str)
    data["_band"] = data[size_band].astype(str)
    cells = frame.groupby(["sector", "size_band"])["enterprises"].sum()
    cells = cells[cells > 0]
    total = float(cells.sum())
    if total <= 0:
        return None, {"method": "none", "respondents": n, "note": "the enterprise frame counts no enterprise"}
    data["w0"] = total / n
    got = data.groupby(["_sector", "_band"]).size()
    ok = all(got.get(c, 0) >= FRAME_MIN_CELL for c in cells.index) and all(c in cells.index for c in got.index)
    diag: dict[str, Any] = {"frame_total": total, "respondents": n, "frame_cells": int(len(cells))}
    if ok:
        pop = {("_sector", "_band"): cells.rename_axis(["_sector", "_band"])}
        design = rake(Design(data, weights="w0"), pop, max_iter=1, tol=np.inf, new_weights="weight")
        diag.update({"method": "poststratification", "pooled": {}})
    else:
        pooled: dict[str, str] = {}
        margins = {}
        for col, fcol, order, pool in (("_sector", "sector", None, "other"), ("_band", "size_band", SIZE_BANDS, "")):
            pop = frame.groupby(fcol)["enterprises"].sum()
            m = _pooled_levels(data[col].value_counts(), pop, order, pool)
            data[col + "_w"] = data[col].map(m)
            ppop = pop.groupby(pop.index.map(lambda lv, m=m: m.get(lv, lv))).sum()
            ppop = ppop[ppop.index.isin(set(data[col + "_w"]))]
            lost = float(pop.sum() - ppop.sum())
            if lost > 0 or (ppop <= 0).any():
                return None, {**diag, "method": "none",
                              "note": f"the frame and the respondents do not match by {fcol}: employers unweighted"}
            margins[col + "_w"] = ppop
            pooled.update({f"{fcol}={k}": v for k, v in m.items() if k != v})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            design = rake(Design(data, weights="w0"), margins, max_iter=2000, new_weights="weight")
        if not design.calibration.converged and _margin_error(design, margins) > MARGIN_TOLERANCE:
            return None, {**diag, "method": "none",
                          "note": "raking to the frame did not converge: employers unweighted"}
        diag.update({"method": "raking", "pooled": pooled})
    diag.update(weight_diagnostics(design))
    diag["note"] = ""
    return design, diag

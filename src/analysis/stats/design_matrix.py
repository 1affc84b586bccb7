"""Model matrices of the outcome models and the propensity model: complete cases, treatment contrasts,
pooled and merged levels, aliased terms dropped.

:func:`model_matrix` turns a frame of predictors and an outcome into a complete-case design matrix with
readable term labels (:class:`ModelMatrix`). It is shared by the employment-outcome models
(:mod:`analysis.stats.outcome_models`) and the response-propensity model of the non-response adjustment
(:mod:`analysis.stats.nonresponse`).

Predictor handling (the same for every model, ``docs/methodology.md`` §11):

1. **Complete cases.** Rows with a missing outcome or predictor are left out; ``n`` is reported
   and ``missing`` says how many rows each predictor removed. For the design-based models the
   left-out rows stay in the design with score zero (domain estimation, Lumley 2010 §2.3).
2. **Categorical predictors** are coded as treatment contrasts against a **reference level = the
   largest level** (the most precise comparison), except yes/no items whose reference is ``no``.
3. **Small levels** (fewer than ``min_cell`` complete cases, default 10) are pooled into one
   ``other`` level; if that is still too small it is merged into the largest level.
4. **Separation** (Albert & Anderson 1984): a level in which the outcome does not vary (all
   employed, all satisfied at the same level; in a Cox model: no event) has an infinite
   coefficient. Such a level is merged with the level whose outcome rate is closest; the merged
   level is named ``a+b``. A variable left with one level is dropped. (A numeric predictor that
   separates is handled after the fit, by the logits of :mod:`analysis.stats.outcome_models`.)
5. **Aliased terms** (a dummy that is a linear combination of earlier columns — e.g. the
   ``college`` level and the College faculty) are dropped in formula order, as R's ``lm``/``glm``
   report them as ``NA``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["MIN_CELL", "ModelFailure", "ModelMatrix", "as_float", "as_labels", "collapse_levels", "is_categorical",
           "model_matrix"]

MIN_CELL = 10
"""Levels with fewer complete cases than this are pooled (default of every model)."""


class ModelFailure(Exception):
    """A model cannot be fitted; the message is the one-line reason recorded in the result."""


@dataclass
class ModelMatrix:
    """A complete-case design matrix with readable term labels.

    Attributes
    ----------
    X : DataFrame
        Predictor columns under safe names ``x1, x2, …`` (no constant), one row per used case.
    y : numpy.ndarray
        Outcome of the used cases.
    rows : numpy.ndarray
        Positions of the used cases in the frame given to :func:`model_matrix`.
    terms : dict
        Safe name → ``{"term", "variable", "level", "reference"}``.
    info : dict
        ``n_universe``, ``n``, ``missing`` (rows removed by each variable), ``references``,
        ``collapsed`` (list of one-line notes), ``dropped`` (terms or variables, with the reason).
    """

    X: pd.DataFrame
    y: np.ndarray
    rows: np.ndarray
    terms: dict
    info: dict = field(default_factory=dict)

    def label(self, name: str) -> dict:
        """Readable description of a safe column name (``Intercept`` passes through)."""
        if name in self.terms:
            return self.terms[name]
        return {"term": name, "variable": None, "level": None, "reference": None}


def as_float(s: pd.Series) -> pd.Series:
    """Numbers, booleans and number-like codes ('4') as float; anything else NaN."""
    if s.dtype == bool or str(s.dtype) == "boolean":
        return s.astype("Float64").astype(float)
    return pd.to_numeric(s, errors="coerce").astype(float)


def is_categorical(s: pd.Series) -> bool:
    if s.dtype == bool or str(s.dtype) == "boolean":
        return True
    if isinstance(s.dtype, pd.CategoricalDtype):
        return True
    return not pd.api.types.is_numeric_dtype(s)


def as_labels(s: pd.Series) -> pd.Series:
    """Categorical values as text; booleans as 'yes'/'no'; missing stays missing."""
    if s.dtype == bool or str(s.dtype) == "boolean":
        b = s.astype("boolean")
        return pd.Series(np.where(b.fillna(False).to_numpy(bool), "yes", "no"), index=s.index,
                         dtype=object).where(b.notna().to_numpy(bool), None)
    out = s.astype("string").astype(object)
    return out.where(s.notna(), None)


def _offending(y: np.ndarray, outcome: str) -> bool:
    """A level whose outcome makes its coefficient infinite (separation)."""
    if len(y) == 0:
        return True
    if outcome in ("binary", "ordinal"):
        return bool(np.all(y == y[0]))
    if outcome == "event":
        return bool(np.sum(y) == 0)
    return False


def collapse_levels(lab: pd.Series, y: np.ndarray, var: str, outcome: str, min_cell: int,
              notes: list[str]) -> pd.Series:
    """Pool small levels, then merge separated levels with the level of the closest outcome rate."""
    counts = lab.value_counts()
    small = sorted(str(v) for v in counts.index[counts < min_cell])
    if small and len(counts) > 1:
        merged = "other" if len(small) > 1 else small[0]
        if len(small) > 1:
            lab = lab.where(~lab.isin(small), merged)
        if int((lab == merged).sum()) < min_cell:
            biggest = str(lab[lab != merged].value_counts().idxmax()) if (lab != merged).any() else merged
            new = f"{biggest}+{merged}" if biggest != merged else merged
            lab = lab.where(~lab.isin([merged, biggest]), new)
            notes.append(f"{var}: level(s) {', '.join(small)} with fewer than {min_cell} cases merged into {biggest}")
        else:
            notes.append(f"{var}: levels {', '.join(small)} with fewer than {min_cell} cases each pooled as 'other'")
    if outcome not in ("binary", "ordinal", "event"):
        return lab
    for _ in range(50):
        levels = sorted(lab.unique())
        if len(levels) < 2:
            break
        ys = {lv: y[(lab == lv).to_numpy()] for lv in levels}
        bad = [lv for lv in levels if _offending(ys[lv], outcome)]
        if not bad:
            break
        worst = min(bad, key=lambda lv: (len(ys[lv]), lv))
        rate = float(np.mean(ys[worst]))
        cands = [lv for lv in levels if lv != worst and lv not in bad] or [lv for lv in levels if lv != worst]
        target = min(cands, key=lambda lv: (abs(float(np.mean(ys[lv])) - rate), -len(ys[lv]), lv))
        new = "+".join(sorted([worst, target]))
        what = {"binary": f"outcome {'always' if rate == 1 else 'never'} present",
                "ordinal": "every answer the same",
                "event": "no event"}[outcome]
        notes.append(f"{var}: level {worst} ({what}, n={len(ys[worst])}) merged with {target} (separation)")
        lab = lab.where(~lab.isin([worst, target]), new)
    return lab


def _rank_keep(cols: list[np.ndarray], tol: float = 1e-7) -> list[bool]:
    """For each column in order: does it add to the rank of the constant plus the kept columns?"""
    n = len(cols[0]) if cols else 0
    basis = np.ones((n, 1)) / math.sqrt(max(n, 1))
    keep = []
    for c in cols:
        v = c - c.mean() if n else c
        norm0 = np.linalg.norm(c)
        r = v - basis @ (basis.T @ v)
        r = r - basis @ (basis.T @ r)  # re-orthogonalise (Gram–Schmidt twice)
        nr = np.linalg.norm(r)
        ok = norm0 > 0 and nr > tol * max(norm0, 1.0) * math.sqrt(max(n, 1))
        keep.append(bool(ok))
        if ok:
            basis = np.column_stack([basis, r / nr])
    return keep


def model_matrix(df: pd.DataFrame, y: pd.Series | np.ndarray, predictors: Sequence[str], *,
                 outcome: str = "binary", min_cell: int = MIN_CELL,
                 references: Mapping[str, str] | None = None, missing: str = "drop") -> ModelMatrix:
    """Build a complete-case treatment-coded design matrix with the handling of module notes 1–5.

    Parameters
    ----------
    df : DataFrame
        Rows of the model's universe (e.g. phase-2 respondents, or the employed).
    y : Series or array
        Outcome aligned with ``df`` (numeric; NaN = missing).
    predictors : list of str
        Columns of ``df``. Text, categorical and boolean columns are categorical; numbers numeric.
    outcome : {"binary", "ordinal", "event", "continuous"}
        What separation means (constant outcome in a level; for ``"event"`` no events).
    min_cell : int
        Levels with fewer complete cases are pooled.
    references : dict, optional
        Preferred reference level per variable (used if the level survives pooling).
    missing : {"drop", "category"}
        ``"drop"`` = complete cases; ``"category"`` = a missing categorical value is the level
        ``(missing)`` and a missing number is set to the median with a ``<var>_missing`` 0/1
        column (for prediction models such as response propensities, not for effect estimates).

    Raises
    ------
    ModelFailure
        A predictor column is absent, or no complete case remains.
    """
    references = dict(references or {})
    yv = np.asarray(pd.to_numeric(pd.Series(np.asarray(y, dtype=object)), errors="coerce"), dtype=float)
    if len(yv) != len(df):
        raise ValueError("y must have one value per row of df")
    absent = [p for p in predictors if p not in df.columns]
    if absent:
        raise ModelFailure(f"predictor column(s) {', '.join(absent)} missing from the graduates table")
    ok = np.isfinite(yv)
    n_universe = int(len(df))
    miss: dict[str, int] = {}
    kinds = {p: ("cat" if is_categorical(df[p]) else "num") for p in predictors}
    values: dict[str, pd.Series] = {}
    for p in predictors:
        v = as_labels(df[p]) if kinds[p] == "cat" else as_float(df[p])
        if missing == "category":
            if kinds[p] == "cat":
                v = v.where(v.notna(), "(missing)")
        else:
            miss[p] = int((ok & v.isna().to_numpy()).sum())
            ok &= v.notna().to_numpy()
        values[p] = v
    rows = np.flatnonzero(ok)
    if len(rows) == 0:
        raise ModelFailure("no complete cases (every row misses the outcome or a predictor)")
    yy = yv[rows]
    notes: list[str] = []
    dropped: list[str] = []
    refs: dict[str, str] = {}
    cols: list[np.ndarray] = []
    meta: list[dict] = []
    for p in predictors:
        v = values[p].iloc[rows].reset_index(drop=True)
        if kinds[p] == "num":
            x = v.to_numpy(dtype=float)
            if missing == "category" and np.isnan(x).any():
                ind = np.isnan(x).astype(float)
                x = np.where(np.isnan(x), float(np.nanmedian(x)) if (~np.isnan(x)).any() else 0.0, x)
                cols.append(ind)
                meta.append({"term": f"{p}_missing", "variable": p, "level": "(missing)", "reference": None})
            if np.nanstd(x) == 0:
                dropped.append(f"{p}: no variation")
                if missing == "category" and meta and meta[-1]["variable"] == p:
                    cols.pop()
                    meta.pop()
                continue
            cols.append(x)
            meta.append({"term": p, "variable": p, "level": None, "reference": None})
            continue
        lab = v.astype(object)
        lab = collapse_levels(lab, yy, p, outcome, min_cell, notes)
        counts = lab.value_counts()
        if len(counts) < 2:
            dropped.append(f"{p}: a single level after pooling ({counts.index[0] if len(counts) else '-'})")
            continue
        pref = references.get(p)
        if pref is None and set(counts.index) == {"yes", "no"}:
            pref = "no"
        cand = [lv for lv in counts.index if pref is not None and (lv == pref or pref in str(lv).split("+"))]
        ref = cand[0] if cand else sorted(counts.index, key=lambda lv: (-counts[lv], str(lv)))[0]
        refs[p] = str(ref)
        for lv in sorted(counts.index, key=str):
            if lv == ref:
                continue
            cols.append((lab == lv).to_numpy(dtype=float))
            meta.append({"term": f"{p}[{lv}]", "variable": p, "level": str(lv), "reference": str(ref)})
    keep = _rank_keep(cols)
    X = pd.DataFrame(index=range(len(rows)))
    terms: dict[str, dict] = {}
    k = 0
    for c, m, kp in zip(cols, meta, keep):
        if not kp:
            dropped.append(f"{m['term']}: aliased with earlier terms (a linear combination of them)")
            continue
        k += 1
        X[f"x{k}"] = c
        terms[f"x{k}"] = m
    info = {"n_universe": n_universe, "n": int(len(rows)), "missing": miss, "references": refs,
            "collapsed": notes, "dropped": dropped}
    return ModelMatrix(X=X, y=yy, rows=rows, terms=terms, info=info)

"""Design-based estimation for the tracer survey: weights, raking, Taylor-linearised SEs.

This module is a small, verified re-implementation of what R's ``survey`` package (Lumley 2004,
*J. Stat. Softw.* 9(8); Lumley 2010, *Complex Surveys*) does for the designs the project uses:
stratified and/or multi-stage cluster samples with a finite-population correction at every stage
(a census with non-response is a stratified "sample" of respondents), calibrated by raking or
post-stratification to registry margins. Not supported (each refused with a one-line error or
absent): PPS without replacement, replicate weights, two-phase designs, linear (GREG)
calibration.

Variance (Taylor linearisation, "ultimate cluster"; Wolter 2007, *Introduction to Variance
Estimation*, ch. 6):

1. each estimator θ̂ is written through its **influence scores** ``z_i`` (for a ratio mean
   ``z_i = w_i (y_i - θ̂)/Σw``; for a total ``z_i = w_i y_i``);
2. for a calibrated design the scores are replaced by ``w_i e_i`` where ``e`` are the
   **residuals of the regression of ``z_i/w_i`` on the calibration model matrix, fitted with the
   ORIGINAL design weights** (Deville & Särndal 1992; R ``svyrecvar``). This is what makes the
   raked API example give SE 23.704 (regression with the calibrated weights would give 23.743);
3. scores are summed to PSU totals ``t_hk``; within stratum ``h`` (``n_h`` sampled PSUs out of
   ``N_h``) ``V = Σ_h (1 - n_h/N_h) · n_h/(n_h - 1) · Σ_k (t_hk - t̄_h)²``;
4. multi-stage designs (``cluster=[...]``, ``fpc=[...]``, one column per stage) add the same
   between-unit term for every later stage, computed within the units of the stage above and
   multiplied by the sampling fractions ``n/N`` of all the stages above (R ``multistage``).

Without an ``fpc`` column the factor ``(1 - n_h/N_h)`` is 1 (with-replacement approximation) and
only the first stage enters. Units are taken as nested within strata and within the units of the
stage above. Reference numbers reproduced by the tests are listed in ``docs/methodology.md`` and
``tests/unit/test_survey*.py``.

Domains (subpopulations) are estimated by giving units outside the domain a score of zero —
never by subsetting the data, which would drop PSUs and strata from the variance (Lumley 2010,
§2.3). :func:`by_domain` does this for many domains at once without ever building an
``n × domains`` matrix.

Missing values in an analysis variable are treated the same way (R ``na.rm=TRUE``): the rows
stay in the design with score zero; ``n`` reports the rows actually used.

Confidence intervals use the normal quantile (R ``confint`` for ``svymean``, ``svytotal``,
``svyratio``), except :func:`svyglm` (t with ``degf - p + 1`` degrees of freedom, as R) and
proportions, whose interval is :func:`analysis.stats.intervals.survey_proportion_ci` — Wilson (default)
or Korn–Graubard on the effective sample size ``p(1-p)/SE²`` (for 0 % and 100 % cells, whose SE is
zero, the unweighted ``n`` is used so the interval stays informative and finite).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.stats.intervals import survey_proportion_ci

__all__ = [
    "Calibration",
    "Design",
    "by_domain",
    "domain_estimates",
    "poststratify",
    "rake",
    "svyglm",
    "svymean",
    "svyprop",
    "svyquantile",
    "svyratio",
    "svytotal",
    "trim_weights",
    "weight_diagnostics",
]

_SOURCE = "survey design"
LONELY_PSU = ("fail", "remove", "certainty", "adjust")


# --------------------------------------------------------------------------------------------
# design objects
# --------------------------------------------------------------------------------------------


@dataclass
class Calibration:
    """What a raked or post-stratified design remembers for its variance.

    The calibration model matrix is the set of indicator (dummy) columns of every margin's
    levels; it is stored compactly as one integer code array per margin (``codes[m][i]`` is the
    level of row ``i`` in margin ``m``). :meth:`model_matrix` builds the dense matrix on demand.

    Attributes
    ----------
    kind : str
        ``"raking"`` or ``"poststratification"``.
    margins : tuple of tuple of str
        Variables of each margin (a margin of several variables is their cross-classification).
    levels : tuple of pandas.Index
        Population levels of each margin, in the order of the codes.
    population : tuple of numpy.ndarray
        Population counts of each margin's levels.
    codes : tuple of numpy.ndarray
        Level code of each row in each margin.
    weights0 : numpy.ndarray
        The ORIGINAL design weights (before calibration); the variance regression uses them.
    iterations : int
        Raking sweeps used.
    converged : bool
        Whether the margins were met to the tolerance.
    """

    kind: str
    margins: tuple
    levels: tuple
    population: tuple
    codes: tuple
    weights0: np.ndarray
    iterations: int = 1
    converged: bool = True

    @cached_property
    def offsets(self) -> np.ndarray:
        """Column offset of each margin's block in the model matrix."""
        return np.concatenate([[0], np.cumsum([len(lv) for lv in self.levels])])

    @property
    def n_columns(self) -> int:
        """Number of columns of the (rank-deficient) calibration model matrix."""
        return int(self.offsets[-1])

    def model_matrix(self) -> np.ndarray:
        """Dense ``n × p`` indicator matrix of all margins' levels (for inspection)."""
        n = len(self.weights0)
        x = np.zeros((n, self.n_columns))
        for off, c in zip(self.offsets[:-1], self.codes):
            x[np.arange(n), off + c] = 1.0
        return x

    @cached_property
    def gram_pinv(self) -> np.ndarray:
        """Moore–Penrose inverse of ``X' W0 X`` (the margins' dummies are collinear)."""
        p = self.n_columns
        g = np.zeros((p, p))
        for a, (oa, ca) in enumerate(zip(self.offsets[:-1], self.codes)):
            for b, (ob, cb) in enumerate(zip(self.offsets[:-1], self.codes)):
                if b < a:
                    continue
                pa, pb = len(self.levels[a]), len(self.levels[b])
                blk = np.bincount(ca * pb + cb, weights=self.weights0, minlength=pa * pb).reshape(pa, pb)
                g[oa : oa + pa, ob : ob + pb] = blk
                g[ob : ob + pb, oa : oa + pa] = blk.T
        return np.linalg.pinv(g, rcond=1e-12, hermitian=True)

    def xtw0(self, u: np.ndarray) -> np.ndarray:
        """``X' W0 u`` for an ``n × q`` array ``u`` → ``p × q``."""
        u = np.asarray(u, dtype=float).reshape(len(self.weights0), -1)
        out = np.empty((self.n_columns, u.shape[1]))
        for off, c, lv in zip(self.offsets[:-1], self.codes, self.levels):
            for j in range(u.shape[1]):
                out[off : off + len(lv), j] = np.bincount(c, weights=self.weights0 * u[:, j], minlength=len(lv))
        return out

    def fitted(self, beta: np.ndarray) -> np.ndarray:
        """``X β`` for a ``p × q`` coefficient array → ``n × q``."""
        out = np.zeros((len(self.weights0), beta.shape[1]))
        for off, c, lv in zip(self.offsets[:-1], self.codes, self.levels):
            out += beta[off : off + len(lv)][c]
        return out

    def residualize(self, u: np.ndarray) -> np.ndarray:
        """Residuals of the regression of ``u`` (``n × q``) on the model matrix, weights ``weights0``."""
        u = np.asarray(u, dtype=float).reshape(len(self.weights0), -1)
        beta = self.gram_pinv @ self.xtw0(u)
        return u - self.fitted(beta)


def _as_columns(value, role: str) -> tuple[str, ...]:
    """A design role given as ``None``, a column name or a list of names → tuple of names."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise InputError(_SOURCE, f"the {role} must be a column name or a list of column names, not {value!r}",
                     fix=f"e.g. {role}='dnum' or {role}=['dnum', 'snum'] (one column per stage)")


@dataclass(frozen=True)
class _Stage:
    """Codes and variance factors of one sampling stage (see :attr:`Design._stages`).

    ``k[i]``: the stage's sampling unit of row ``i``; ``unit_h[u]``: the stratum of unit ``u``
    (at stage 2 and later a stratum lies inside one unit of the stage above); ``n_h``: units
    sampled per stratum; ``c``: per stratum the factor of the between-unit sum of squares,
    ``Π(n/N of the stages above) · (1 − n_h/N_h) · n_h/(n_h − 1)`` (lonely-unit rules applied);
    ``lonely``: strata whose single unit is centred at its parent's mean (``lonely_psu="adjust"``);
    ``parent[h]``: the unit of the stage above that contains stratum ``h`` (0 at stage 1).
    """

    k: np.ndarray
    unit_h: np.ndarray
    n_units: int
    n_strata: int
    n_h: np.ndarray
    c: np.ndarray
    lonely: np.ndarray
    parent: np.ndarray
    n_parents: int


@dataclass
class Design:
    """A survey design: data plus the names of its weight, strata, cluster and fpc columns.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    weights : str or None
        Column of sampling (or non-response adjusted) weights, > 0. ``None`` = all 1 (R would
        derive weights from a population-size fpc; here give them explicitly).
    strata : str or list of str, optional
        Stratum column of the first stage (e.g. programme, when every graduate of a programme
        was invited). A list gives one stratum column per stage (R ``strata=~a+b``); the
        strata of stage 2 and later lie within the sampling units of the stage above.
    cluster : str or list of str, optional
        Sampling-unit column(s): one per stage, outermost first (R ``ids=~dnum+snum``). A single
        name is a one-stage cluster sample (PSUs); ``None`` = each row is its own PSU. Units of a
        stage are nested within the strata of that stage and within the units of the stage above.
    fpc : str or list of str, optional
        Finite-population correction as in R ``svydesign(fpc=)``, one column per stage: per
        row, the population number of units of that stage in the row's stratum (values > 1;
        for stage 2, e.g., the number of schools of the row's district), or the stage's
        sampling fraction (all values ≤ 1). Stages after the last fpc column are treated as
        sampled with replacement (as R, which warns). Without any fpc only the first stage
        enters the variance (R's "ultimate cluster" with-replacement approximation).
    calibration : Calibration, optional
        Set by :func:`rake` / :func:`poststratify`; do not set by hand.
    lonely_psu : str
        What to do with a stratum that has one sampled unit (at any stage): ``"fail"`` (default,
        as R), ``"remove"`` / ``"certainty"`` (no contribution), ``"adjust"`` (centre at the
        mean of the stage above, as R). A stratum sampled completely (fpc = number sampled)
        contributes nothing and is never an error (R's "self-representing" rule).

    Notes
    -----
    Variance of a multi-stage design (R ``svyrecvar``/``multistage``): the between-unit sum of
    squares of every stage is added, each multiplied by the sampling fractions ``n/N`` of the
    stages above it, e.g. for two stages
    ``V = Σ_h (1-f_h) n_h/(n_h-1) Σ_i (t_hi - t̄_h)² + Σ_h Σ_i (n_h/N_h) (1-f_hi) m_hi/(m_hi-1) Σ_j (t_hij - t̄_hi)²``.
    """

    data: pd.DataFrame
    weights: str | None = None
    strata: str | tuple[str, ...] | None = None
    cluster: str | tuple[str, ...] | None = None
    fpc: str | tuple[str, ...] | None = None
    calibration: Calibration | None = None
    lonely_psu: str = "fail"
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.data, pd.DataFrame):
            raise TypeError("Design.data must be a pandas DataFrame")
        for role in ("strata", "cluster", "fpc"):  # a list of one column is that column
            cols = _as_columns(getattr(self, role), role)
            setattr(self, role, None if not cols else cols[0] if len(cols) == 1 else cols)
        for role in ("weights", "strata", "cluster", "fpc"):
            for col in _as_columns(getattr(self, role), role):
                if col not in self.data.columns:
                    raise InputError(_SOURCE, f"the {role} column is missing", column=col,
                                     fix="check the column name in the design specification")
        n_stages = max(1, len(self.cluster_columns))
        if len(self.fpc_columns) > n_stages:
            raise InputError(_SOURCE, f"{len(self.fpc_columns)} fpc columns for {n_stages} sampling stage(s)",
                             column="+".join(self.fpc_columns),
                             fix="give one cluster column per stage (cluster=[...]) and at most as many fpc columns")
        if len(self.strata_columns) > 1 and len(self.strata_columns) > len(self.cluster_columns):
            raise InputError(_SOURCE, f"{len(self.strata_columns)} strata columns for {n_stages} sampling stage(s)",
                             column="+".join(self.strata_columns),
                             fix="per-stage strata need one cluster column per stage")
        if self.lonely_psu not in LONELY_PSU:
            raise ValueError(f"lonely_psu must be one of {LONELY_PSU}")
        if self.weights is not None:
            w = pd.to_numeric(self.data[self.weights], errors="coerce").to_numpy(dtype=float)
            bad = ~np.isfinite(w) | (w < 0)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise InputError(_SOURCE, "weight is missing, negative or not a number "
                                          f"({self.data[self.weights].iloc[i]!r})",
                                 row=i + 2, column=self.weights, fix="every respondent needs a weight >= 0")
        for role in ("strata", "cluster"):
            for col in _as_columns(getattr(self, role), role):
                if self.data[col].isna().any():
                    i = int(np.flatnonzero(self.data[col].isna().to_numpy())[0])
                    raise InputError(_SOURCE, f"{role} identifier is empty", row=i + 2, column=col)

    # -- arrays ---------------------------------------------------------------------------

    @property
    def strata_columns(self) -> tuple[str, ...]:
        """Stratum column of each stage that has one (``()`` = unstratified)."""
        return _as_columns(self.strata, "strata")

    @property
    def cluster_columns(self) -> tuple[str, ...]:
        """Sampling-unit column of each stage, outermost first (``()`` = rows are the PSUs)."""
        return _as_columns(self.cluster, "cluster")

    @property
    def fpc_columns(self) -> tuple[str, ...]:
        """Finite-population-correction column of each stage that has one."""
        return _as_columns(self.fpc, "fpc")

    @property
    def n(self) -> int:
        """Number of rows (respondents)."""
        return len(self.data)

    @property
    def w(self) -> np.ndarray:
        """Current analysis weights as a float array."""
        if "w" not in self._cache:
            if self.weights is None:
                self._cache["w"] = np.ones(self.n)
            else:
                self._cache["w"] = pd.to_numeric(self.data[self.weights]).to_numpy(dtype=float)
        return self._cache["w"]

    def _fpc_values(self) -> list[np.ndarray]:
        """Per stage with an fpc column: the values as floats (checked finite and > 0)."""
        out = []
        for col in self.fpc_columns:
            fp = pd.to_numeric(self.data[col], errors="coerce").to_numpy(dtype=float)
            bad = ~np.isfinite(fp) | (fp <= 0)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise InputError(_SOURCE, "fpc is missing or not positive", row=i + 2, column=col)
            out.append(fp)
        if out:
            hi = max(float(v.max()) for v in out)
            lo = min(float(v.min()) for v in out)
            if hi > 1.0 and lo < 1.0:  # R: "Must have all fpc>=1 or all fpc<=1"
                raise InputError(_SOURCE, "fpc mixes sampling fractions (<= 1) and population sizes (> 1)",
                                 column="+".join(self.fpc_columns),
                                 fix="give every stage's fpc as population sizes, or every one as fractions")
        return out

    @property
    def _stages(self) -> list[_Stage]:
        """Units, strata and variance factors of each sampling stage that enters the variance (cached).

        Stage 1 always; stages 2… only when an fpc is given (R's ``multistage`` recursion runs
        only then). Stage ``s`` strata are the units of stage ``s-1`` (crossed with the stage's
        own strata column, if any); the factor of each stratum includes the product of the
        sampling fractions ``n/N`` of the units above it (0 for a stage above sampled with
        replacement, which ends the recursion).
        """
        if "stages" in self._cache:
            return self._cache["stages"]
        n = self.n
        scols, ccols = self.strata_columns, self.cluster_columns
        fpcs = self._fpc_values()
        n_levels = max(1, len(ccols)) if fpcs else 1
        if fpcs and len(fpcs) < n_levels:
            warnings.warn(f"fpc given for {len(fpcs)} of {n_levels} stages: stages without fpc are treated as "
                          "sampled with replacement (as R)", RuntimeWarning, stacklevel=3)
        stages: list[_Stage] = []
        parent_row = np.zeros(n, dtype=np.int64)  # unit of the stage above (stage 1: one parent)
        n_parents = 1
        mult_row = np.ones(n)  # product of n/N of the stages above
        for s in range(n_levels):
            # strata of this stage
            if s == 0:
                if scols:
                    h, uniq = pd.factorize(self.data[scols[0]], sort=True)
                    h, n_strata = h.astype(np.int64), len(uniq)
                else:
                    h, n_strata = np.zeros(n, dtype=np.int64), 1
            elif s < len(scols):
                h, uniq = pd.factorize(pd.MultiIndex.from_arrays([parent_row, self.data[scols[s]].to_numpy()]),
                                       sort=True)
                h, n_strata = h.astype(np.int64), len(uniq)
            else:
                h, n_strata = parent_row, n_parents
            # units of this stage, nested within the stratum
            if not ccols:
                k, n_units, unit_h = np.arange(n, dtype=np.int64), n, h
            else:
                key = pd.MultiIndex.from_arrays([h, self.data[ccols[s]].to_numpy()])
                k, uniq_k = pd.factorize(key, sort=True)
                k = k.astype(np.int64)
                n_units = len(uniq_k)
                unit_h = np.empty(n_units, dtype=np.int64)
                unit_h[k] = h
            n_h = np.bincount(unit_h, minlength=n_strata).astype(float)
            parent = np.zeros(n_strata, dtype=np.int64)
            parent[h] = parent_row
            mult = np.zeros(n_strata)
            mult[h] = mult_row
            # sampling fraction of the stage
            if s < len(fpcs):
                fp = fpcs[s]
                col = self.fpc_columns[s]
                lo = np.full(n_strata, np.inf)
                hi = np.full(n_strata, -np.inf)
                np.minimum.at(lo, h, fp)
                np.maximum.at(hi, h, fp)
                varies = hi - lo > 1e-9 * np.maximum(1.0, hi)
                if varies.any():
                    g = int(np.flatnonzero(varies)[0])
                    i = int(np.flatnonzero(h == g)[0])
                    where = f"stratum {g + 1}" if s == 0 else f"the stage-{s} unit of row {i + 2}"
                    raise InputError(_SOURCE, f"fpc varies within {where}", column=col,
                                     fix="fpc must be the stratum's population size (or sampling fraction)")
                if all(float(v.max()) <= 1.0 for v in fpcs):
                    f = hi
                else:
                    if np.any(hi < n_h - 1e-9):
                        g = int(np.flatnonzero(hi < n_h - 1e-9)[0])
                        i = int(np.flatnonzero(h == g)[0])
                        raise InputError(_SOURCE, f"fpc (population size {hi[g]:g}) is smaller than the number of "
                                         f"sampled units ({int(n_h[g])}) at stage {s + 1}", row=i + 2, column=col)
                    f = n_h / hi
            else:
                f = np.zeros(n_strata)  # with replacement
            fpc_factor = np.clip(1.0 - f, 0.0, 1.0)
            self_rep = fpc_factor < 1e-7  # R: a stratum sampled completely has no variance
            c = fpc_factor * n_h / np.maximum(n_h - 1.0, 1.0)
            lonely = (n_h == 1) & ~self_rep & (mult > 0)
            if lonely.any():
                if self.lonely_psu == "fail":
                    g = int(np.flatnonzero(lonely)[0])
                    if s == 0:
                        raise InputError(_SOURCE, f"{int(lonely.sum())} stratum/strata have a single PSU",
                                         column=scols[0] if scols else None,
                                         fix="merge the stratum with a similar one or set lonely_psu='adjust'")
                    i = int(np.flatnonzero(h == g)[0])
                    raise InputError(_SOURCE, f"{int(lonely.sum())} stage-{s} unit(s) have a single sampled "
                                     f"stage-{s + 1} "
                                     f"unit and are not sampled completely (e.g. the one of row {i + 2})",
                                     row=i + 2, column=ccols[s] if ccols else None,
                                     fix="check the stage's fpc (a completely sampled unit has fpc = number sampled) "
                                         "or set lonely_psu='adjust'")
                c = np.where(lonely, fpc_factor if self.lonely_psu == "adjust" else 0.0, c)
            c = np.where(self_rep, 0.0, c) * mult
            stages.append(_Stage(k=k, unit_h=unit_h, n_units=n_units, n_strata=n_strata, n_h=n_h, c=c,
                                 lonely=lonely & (self.lonely_psu == "adjust"), parent=parent,
                                 n_parents=n_parents))
            if s + 1 < n_levels:
                frac = np.where(np.isfinite(f), f, 0.0)
                mult_row = mult_row * frac[h]
                parent_row, n_parents = k, n_units
        self._cache["stages"] = stages
        return stages

    @property
    def n_stages(self) -> int:
        """Number of sampling stages that enter the variance (1 unless an fpc is given per stage)."""
        return len(self._stages)

    @property
    def degf(self) -> int:
        """Design degrees of freedom: first-stage PSUs minus first-stage strata (R ``degf``)."""
        st = self._stages[0]
        return int(st.n_units - st.n_strata)

    def with_weights(self, w: np.ndarray, name: str | None = None, **changes) -> Design:
        """A copy of the design with new analysis weights in column ``name``."""
        name = name or self.weights or "weight"
        data = self.data.assign(**{name: np.asarray(w, dtype=float)})
        return replace(self, data=data, weights=name, _cache={}, **changes)

    # -- variance -------------------------------------------------------------------------

    def vcov(self, scores: np.ndarray) -> np.ndarray:
        """Design covariance of the totals of influence ``scores`` (``n × q``, already × weight).

        Applies the calibration residuals, then for every stage sums the scores to that stage's
        unit totals and adds their within-stratum deviations with the stage's factor
        ``Π(n/N above) · (1 - f_h) n_h/(n_h - 1)`` (R ``svyrecvar``). Returns a ``q × q`` matrix.
        """
        z = np.asarray(scores, dtype=float).reshape(self.n, -1)
        if self.calibration is not None:
            w = self.w
            u = np.divide(z, w[:, None], out=np.zeros_like(z), where=w[:, None] > 0)
            z = self.calibration.residualize(u) * w[:, None]
        q = z.shape[1]
        out = np.zeros((q, q))
        for st in self._stages:
            if not st.c.any():
                continue
            t = np.empty((st.n_units, q))
            for j in range(q):
                t[:, j] = np.bincount(st.k, weights=z[:, j], minlength=st.n_units)
            sums = np.empty((st.n_strata, q))
            for j in range(q):
                sums[:, j] = np.bincount(st.unit_h, weights=t[:, j], minlength=st.n_strata)
            centre = sums / st.n_h[:, None]
            if st.lonely.any():
                centre[st.lonely] = _parent_centre(st, sums)[st.lonely]
            dev = t - centre[st.unit_h]
            out += (dev * st.c[st.unit_h][:, None]).T @ dev
        return out


def _parent_centre(st: _Stage, sums: np.ndarray) -> np.ndarray:
    """Per stratum: the mean unit total of its parent (the lonely-unit ``adjust`` centre, as R)."""
    q = sums.shape[1]
    psum = np.empty((st.n_parents, q))
    for j in range(q):
        psum[:, j] = np.bincount(st.parent, weights=sums[:, j], minlength=st.n_parents)
    pcount = np.bincount(st.parent, weights=st.n_h, minlength=st.n_parents)
    return (psum / np.maximum(pcount, 1.0)[:, None])[st.parent]


# --------------------------------------------------------------------------------------------
# calibration: raking, post-stratification, trimming
# --------------------------------------------------------------------------------------------


def _margin_spec(key) -> tuple[str, ...]:
    if isinstance(key, str):
        return (key,)
    if isinstance(key, tuple) and all(isinstance(k, str) for k in key):
        return key
    raise ValueError(f"margin key must be a column name or a tuple of column names, not {key!r}")


def _population_series(vars_: tuple[str, ...], pop) -> pd.Series:
    if isinstance(pop, Mapping) and not isinstance(pop, pd.Series):
        keys = list(pop.keys())
        if len(vars_) > 1:
            idx = pd.MultiIndex.from_tuples(keys, names=list(vars_))
        else:
            idx = pd.Index(keys, name=vars_[0])
        pop = pd.Series(list(pop.values()), index=idx, dtype=float)
    elif isinstance(pop, pd.Series):
        pop = pop.astype(float)
    else:
        raise TypeError("population margins must be a pandas Series or a dict {level: count}")
    if pop.isna().any() or (pop < 0).any():
        raise InputError("population margins", "a population count is missing or negative",
                         column="+".join(vars_))
    if pop.index.has_duplicates:
        raise InputError("population margins", "a level appears twice", column="+".join(vars_))
    return pop[pop > 0]


def _margin_codes(data: pd.DataFrame, vars_: tuple[str, ...], pop: pd.Series) -> np.ndarray:
    label = "+".join(vars_)
    for v in vars_:
        if v not in data.columns:
            raise InputError(_SOURCE, "the margin variable is missing from the data", column=v)
        if data[v].isna().any():
            i = int(np.flatnonzero(data[v].isna().to_numpy())[0])
            raise InputError(_SOURCE, "the margin variable is empty; every respondent needs it for weighting",
                             row=i + 2, column=v, fix="impute it from the registry or drop the margin")
    if len(vars_) == 1:
        values = data[vars_[0]]
        pidx = pop.index if not isinstance(pop.index, pd.MultiIndex) else pop.index.get_level_values(0)
        codes = pd.Index(pidx).get_indexer(values)
        if (codes < 0).any() and values.dtype != object:
            codes = pd.Index(pidx.astype(str)).get_indexer(values.astype(str))
    else:
        if not isinstance(pop.index, pd.MultiIndex) or pop.index.nlevels != len(vars_):
            raise InputError("population margins", f"the margin {label} needs a {len(vars_)}-level index",
                             column=label)
        codes = pop.index.get_indexer(pd.MultiIndex.from_arrays([data[v] for v in vars_]))
    if (codes < 0).any():
        i = int(np.flatnonzero(codes < 0)[0])
        val = tuple(data[v].iloc[i] for v in vars_)
        raise InputError(_SOURCE, f"level {val if len(vars_) > 1 else val[0]!r} has no population count",
                         row=i + 2, column=label, fix="add the level to the registry margins or recode it")
    counts = np.bincount(codes, minlength=len(pop))
    if (counts == 0).any():
        lv = pop.index[int(np.flatnonzero(counts == 0)[0])]
        raise InputError("population margins", f"level {lv!r} has graduates but no respondents",
                         column=label, fix="collapse it with a neighbouring level before weighting")
    return codes.astype(np.int64)


def rake(design: Design, margins: Mapping, max_iter: int = 100, tol: float = 1e-10,
         new_weights: str | None = None) -> Design:
    """Rake (iterative proportional fitting) the weights to known population margins.

    Each sweep multiplies the weights of every level of every margin in turn by
    ``N_level / Σ_level w`` (Deming & Stephan 1940); sweeps stop when every margin is met within
    relative tolerance ``tol``. A margin may be a cross-classification (e.g. faculty × sex).

    Parameters
    ----------
    design : Design
        The (uncalibrated) design; its weights are the starting and the ORIGINAL weights.
    margins : dict
        ``{column: counts}`` or ``{(col1, col2): counts}``; counts a Series indexed by the
        levels (a MultiIndex for a combination) or a dict ``{level: count}``. Counts are numbers
        of graduates (registry); all margins must add up to the same total.
    max_iter, tol : int, float
        Maximum number of sweeps and relative tolerance on the margins.
    new_weights : str, optional
        Column for the raked weights (default ``"<weights>_raked"``); the original column stays.

    Returns
    -------
    Design
        With raked weights and :class:`Calibration` information for the variance.

    Notes
    -----
    The variance uses residuals from the regression on all margins' indicators fitted with the
    original weights, as R ``calibrate(calfun="raking")``. R's ``rake()`` itself stops when the
    margins are within 1 unit and projects with unweighted margin means; for designs with equal
    starting weights (e.g. R's ``apiclus1``) the SEs coincide. Raking an already calibrated
    design starts from its current weights and keeps the ORIGINAL weights; the variance model is
    then the union of both sets of margins.

    Raises
    ------
    InputError
        Unknown or empty levels, missing margin variables, inconsistent margin totals.
    """
    return _calibrate(design, margins, max_iter=max_iter, tol=tol, kind="raking",
                      new_weights=new_weights or _suffixed(design.weights, "_raked"))


def poststratify(design: Design, by: str | Iterable[str], population, new_weights: str | None = None) -> Design:
    """Post-stratify the weights to population counts of the cells of ``by``.

    Reference API: R's ``postStratify``, kept to verify the calibration variance against R's printed
    output (the pipeline rakes with :func:`rake`, of which this is the one-margin case). Every weight in
    cell ``g`` is multiplied by ``N_g / Σ_g w``; the variance uses residuals
    from cell means computed with the ORIGINAL weights (R ``postStratify``).

    Parameters
    ----------
    design : Design
    by : str or list of str
        Cell variable(s); several variables form their cross-classification.
    population : Series or dict
        Population count of each cell.
    new_weights : str, optional
        Column for the new weights (default ``"<weights>_ps"``).
    """
    key = by if isinstance(by, str) else tuple(by)
    return _calibrate(design, {key: population}, max_iter=1, tol=np.inf, kind="poststratification",
                      new_weights=new_weights or _suffixed(design.weights, "_ps"))


def _suffixed(name: str | None, suffix: str) -> str:
    """``pw`` → ``pw_raked``; a name that already ends with the suffix is reused."""
    name = name or "weight"
    return name if name.endswith(suffix) else name + suffix


def _calibrate(design: Design, margins: Mapping, *, max_iter: int, tol: float, kind: str,
               new_weights: str) -> Design:
    if not margins:
        raise ValueError("give at least one margin")
    vars_list, pops, codes = [], [], []
    for key, pop in margins.items():
        vars_ = _margin_spec(key)
        pop = _population_series(vars_, pop)
        vars_list.append(vars_)
        pops.append(pop)
        codes.append(_margin_codes(design.data, vars_, pop))
    totals = np.array([p.sum() for p in pops])
    if np.any(np.abs(totals - totals[0]) > 1e-6 * totals[0]):
        raise InputError("population margins",
                         "margins do not add up to the same total: "
                         + ", ".join(f"{'+'.join(v)}={t:g}" for v, t in zip(vars_list, totals)),
                         fix="use margins of the same population (same cohort and scope)")
    prior = design.calibration
    w0 = design.w.copy() if prior is None else prior.weights0
    w = design.w.copy()
    if np.any(w <= 0):
        raise InputError(_SOURCE, "weights must be positive for calibration", column=design.weights)
    targets = [p.to_numpy() for p in pops]
    converged, it = False, 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported after the loop
        for c, t in zip(codes, targets):
            cur = np.bincount(c, weights=w, minlength=len(t))
            w *= (t / cur)[c]
        dev = max(np.max(np.abs(np.bincount(c, weights=w, minlength=len(t)) - t) / t)
                  for c, t in zip(codes, targets))
        if dev < tol or kind == "poststratification":
            converged = True
            break
    if not converged:
        warnings.warn(f"raking did not converge in {max_iter} sweeps (largest relative margin error {dev:.2e})",
                      RuntimeWarning, stacklevel=3)
    if prior is not None:  # keep the original weights; the model is the union of both margin sets
        vars_list = list(prior.margins) + vars_list
        pops = [pd.Series(p, index=lv) for p, lv in zip(prior.population, prior.levels)] + pops
        codes = list(prior.codes) + codes
        kind = "raking"
    cal = Calibration(
        kind=kind,
        margins=tuple(vars_list),
        levels=tuple(p.index for p in pops),
        population=tuple(p.to_numpy() for p in pops),
        codes=tuple(codes),
        weights0=w0,
        iterations=it,
        converged=converged,
    )
    return design.with_weights(w, new_weights, calibration=cal)


def trim_weights(design: Design, lower: float | None = None, upper: float | None = None, *,
                 max_ratio: float | None = None, max_iter: int = 50, new_weights: str | None = None) -> Design:
    """Trim extreme weights and spread the trimmed amount over the other units.

    Rule: weights above ``upper`` are set to ``upper`` and weights below ``lower`` to ``lower``;
    the weight removed (or added) is redistributed proportionally over the untrimmed units so
    that the total is unchanged, and this is repeated until no weight is outside the bounds
    (Potter 1990; R ``trimWeights(strict=TRUE)``). With ``max_ratio`` the bounds are
    ``median × max_ratio`` and ``median / max_ratio`` of the current weights. With no argument
    at all, ``max_ratio = 5`` is used. After trimming, calibrated margins hold only
    approximately: rake again if they must hold exactly.

    Returns
    -------
    Design
        With the trimmed weights in ``new_weights`` (default ``"<weights>_trim"``); the
        calibration information, if any, is kept for the variance.
    """
    w = design.w.copy()
    if lower is None and upper is None and max_ratio is None:
        max_ratio = 5.0
    if max_ratio is not None:
        if max_ratio <= 1:
            raise ValueError("max_ratio must be > 1")
        med = float(np.median(w))
        upper = med * max_ratio if upper is None else min(upper, med * max_ratio)
        lower = med / max_ratio if lower is None else max(lower, med / max_ratio)
    lo = -np.inf if lower is None else float(lower)
    hi = np.inf if upper is None else float(upper)
    if lo >= hi:
        raise ValueError("lower bound must be below the upper bound")
    total = w.sum()
    if hi * len(w) < total or lo * len(w) > total:
        raise ValueError("the bounds cannot preserve the total weight")
    fixed = np.zeros(len(w), dtype=bool)
    for _ in range(max_iter):
        out = (w > hi * (1 + 1e-12)) | (w < lo * (1 - 1e-12))
        if not out.any():
            break
        w = np.clip(w, lo, hi)
        fixed |= out
        free = ~fixed
        excess = total - w.sum()
        if free.any():
            w[free] *= 1.0 + excess / w[free].sum()
    return design.with_weights(w, new_weights or _suffixed(design.weights, "_trim"))


def weight_diagnostics(design: Design) -> dict:
    """Summary of the analysis weights (Kish 1965, *Survey Sampling*, §11.7).

    Returns
    -------
    dict
        ``n``, ``sum`` (estimated population size), ``min``, ``max``, ``mean``, ``median``,
        ``ratio`` (max/min), ``cv`` (coefficient of variation, population SD / mean),
        ``deff_kish`` = 1 + CV² = n Σw² / (Σw)² (design effect due to unequal weights),
        ``efficiency`` = 1 / deff_kish (share of the sample's information kept) and
        ``n_effective`` = (Σw)² / Σw².
    """
    w = design.w
    n = len(w)
    s, s2 = w.sum(), np.sum(w * w)
    deff = n * s2 / (s * s) if s > 0 else math.nan
    return {
        "n": n,
        "sum": float(s),
        "min": float(w.min()),
        "max": float(w.max()),
        "mean": float(w.mean()),
        "median": float(np.median(w)),
        "ratio": float(w.max() / w.min()) if w.min() > 0 else math.inf,
        "cv": float(w.std() / w.mean()),
        "deff_kish": float(deff),
        "efficiency": float(1.0 / deff),
        "n_effective": float(s * s / s2),
    }


# --------------------------------------------------------------------------------------------
# estimators
# --------------------------------------------------------------------------------------------


def _z(alpha: float) -> float:
    # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
    from scipy.stats import norm

    return float(norm.ppf(1 - alpha / 2))


def _numeric(design: Design, y: str) -> np.ndarray:
    if y not in design.data.columns:
        raise InputError(_SOURCE, "the analysis variable is missing", column=y)
    s = design.data[y]
    if s.dtype == bool or str(s.dtype) == "boolean":
        return s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    try:
        return pd.to_numeric(s).to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise InputError(_SOURCE, "the variable is not numeric", column=y,
                         fix="use svyprop for categorical variables") from None


def _result(index, est, se, n, lo, hi, name) -> pd.DataFrame:
    out = pd.DataFrame({"estimate": est, "se": se, "ci_low": lo, "ci_high": hi, "n": n},
                       index=pd.Index(index, name=name))
    return out


def svytotal(design: Design, y: str | list[str], alpha: float = 0.05) -> pd.DataFrame:
    """Estimated population total ``Σ w_i y_i`` with its linearised SE (R ``svytotal``).

    The R-equivalent estimator, verified against R's printed output (tests); the employer survey's
    demand totals use it (:mod:`analysis.results.employers`), the graduates' totals :func:`by_domain`.
    Rows with a missing ``y`` contribute zero (R ``na.rm=TRUE``). Returns a DataFrame indexed by
    variable with ``estimate, se, ci_low, ci_high, n`` (normal-quantile interval).
    """
    ys = [y] if isinstance(y, str) else list(y)
    w = design.w
    z = np.empty((design.n, len(ys)))
    ns = []
    for j, v in enumerate(ys):
        x = _numeric(design, v)
        ok = np.isfinite(x)
        z[:, j] = np.where(ok, w * np.where(ok, x, 0.0), 0.0)
        ns.append(int(ok.sum()))
    est = z.sum(axis=0)
    se = np.sqrt(np.clip(np.diag(design.vcov(z)), 0, None))
    q = _z(alpha)
    return _result(ys, est, se, ns, est - q * se, est + q * se, "variable")


def svymean(design: Design, y: str | list[str], alpha: float = 0.05) -> pd.DataFrame:
    """Estimated population mean (weighted ratio ``Σwy/Σw``) with its linearised SE (R ``svymean``).

    Reference API: the R-equivalent estimator through which the variance machinery is verified
    against R's printed output (tests); the pipeline's means go through :func:`by_domain`.
    Influence scores ``w_i (y_i - ȳ)/Σw``; rows with a missing ``y`` are outside the domain
    (score zero, R ``na.rm=TRUE``). Each variable uses its own non-missing rows. Returns a
    DataFrame indexed by variable: ``estimate, se, ci_low, ci_high, n`` (normal interval).
    """
    ys = [y] if isinstance(y, str) else list(y)
    w = design.w
    z = np.empty((design.n, len(ys)))
    est, ns = [], []
    for j, v in enumerate(ys):
        x = _numeric(design, v)
        ok = np.isfinite(x)
        wo = np.where(ok, w, 0.0)
        xo = np.where(ok, x, 0.0)
        tw = wo.sum()
        m = np.sum(wo * xo) / tw
        z[:, j] = wo * (xo - m) / tw
        est.append(m)
        ns.append(int(ok.sum()))
    est = np.array(est)
    se = np.sqrt(np.clip(np.diag(design.vcov(z)), 0, None))
    q = _z(alpha)
    return _result(ys, est, se, ns, est - q * se, est + q * se, "variable")


def svyratio(design: Design, numerator: str | list[str], denominator: str | list[str],
             alpha: float = 0.05) -> pd.DataFrame:
    """Ratio of two population totals ``R = Σ w y / Σ w x`` with its linearised SE (R ``svyratio``).

    The R-equivalent ratio estimator (e.g. the share of women among the employers' staff,
    :mod:`analysis.results.employers`), verified against R's printed output in the tests. Influence scores ``z_i
    = w_i (y_i - R̂ x_i) / X̂`` with ``X̂ = Σ w x`` (Binder 1983; R ``svyratio.survey.design2``) go through the
    full design variance (strata, every stage, fpc, calibration residuals). Rows where the numerator or the
    denominator is missing are left out of both totals and keep score zero (R ``na.rm=TRUE``); the interval is
    ``R̂ ± z·SE`` with the normal quantile (R ``confint`` of a ratio). A ratio within a domain is
    the ratio of the domain-restricted variables, ``y·1[d]`` over ``x·1[d]``.

    Parameters
    ----------
    design : Design
    numerator, denominator : str or list of str
        Numeric (or 0/1, boolean) columns; every numerator is divided by every denominator.
    alpha : float
        1 − coverage of the intervals.

    Returns
    -------
    DataFrame
        One row per (numerator, denominator) pair: ``numerator, denominator, estimate, se,
        ci_low, ci_high, n`` (``n`` = rows with both values).

    Raises
    ------
    InputError
        A missing or non-numeric column, or a denominator whose weighted total is zero.
    """
    nums = [numerator] if isinstance(numerator, str) else list(numerator)
    dens = [denominator] if isinstance(denominator, str) else list(denominator)
    w = design.w
    rows = []
    for dv in dens:
        x = _numeric(design, dv)
        for nv in nums:
            yv = _numeric(design, nv)
            ok = np.isfinite(x) & np.isfinite(yv)
            wo = np.where(ok, w, 0.0)
            xo, yo = np.where(ok, x, 0.0), np.where(ok, yv, 0.0)
            tx = float(np.sum(wo * xo))
            if tx == 0.0:
                raise InputError(_SOURCE, "the denominator's weighted total is zero, so the ratio is undefined",
                                 column=dv)
            est = float(np.sum(wo * yo)) / tx
            rows.append((nv, dv, est, wo * (yo - est * xo) / tx, int(ok.sum())))
    z = np.column_stack([r[3] for r in rows])
    se = np.sqrt(np.clip(np.diag(design.vcov(z)), 0, None))
    est = np.array([r[2] for r in rows])
    q = _z(alpha)
    return pd.DataFrame({
        "numerator": [r[0] for r in rows],
        "denominator": [r[1] for r in rows],
        "estimate": est,
        "se": se,
        "ci_low": est - q * se,
        "ci_high": est + q * se,
        "n": [r[4] for r in rows],
    })


def _indicators(design: Design, y: str) -> tuple[list, np.ndarray, np.ndarray]:
    """Level labels, an ``n × L`` 0/1 matrix and the non-missing mask for ``y``."""
    if y not in design.data.columns:
        raise InputError(_SOURCE, "the analysis variable is missing", column=y)
    s = design.data[y]
    ok = s.notna().to_numpy()
    if s.dtype == bool or str(s.dtype) == "boolean":
        return [y], s.fillna(False).to_numpy(dtype=float)[:, None], ok
    if pd.api.types.is_numeric_dtype(s):
        vals = set(pd.unique(s.dropna()))
        if vals <= {0, 1}:
            return [y], s.fillna(0).to_numpy(dtype=float)[:, None], ok
    codes, levels = pd.factorize(s, sort=True)
    if isinstance(s.dtype, pd.CategoricalDtype):
        levels = list(s.cat.categories)
        codes = pd.Categorical(s, categories=levels).codes
    mat = np.zeros((len(s), len(levels)))
    mat[ok, codes[ok]] = 1.0
    return list(levels), mat, ok


def svyprop(design: Design, y: str, alpha: float = 0.05, ci_method: str = "wilson") -> pd.DataFrame:
    """Estimated proportion of a 0/1 or boolean variable, or of each level of a categorical one.

    Reference API: the R-equivalent of ``svymean`` on indicators, with the share intervals of
    :func:`analysis.stats.intervals.survey_proportion_ci`; the pipeline's shares go through
    :func:`by_domain`. A proportion is the mean of an indicator, so the SE is that of
    :func:`svymean`. Rows with a missing ``y`` are outside the domain. The interval is
    ``ci_method`` on the effective sample size ``p(1-p)/SE²``: ``"wilson"`` (default, normal
    quantile; finite at 0 % and 100 %) or ``"korn_graubard"`` (R ``svyciprop(method="beta")``,
    with R's degrees-of-freedom adjustment: ``n`` = respondents with an answer, ``df`` =
    :attr:`Design.degf`). Returns a DataFrame indexed by level (or by the variable name for a
    0/1 variable): ``estimate, se, ci_low, ci_high, n`` (``n`` = rows with a non-missing answer).
    """
    levels, ind, ok = _indicators(design, y)
    w = np.where(ok, design.w, 0.0)
    tw = w.sum()
    p = (w[:, None] * ind).sum(axis=0) / tw
    z = w[:, None] * (ind - p) / tw
    se = np.sqrt(np.clip(np.diag(design.vcov(z)), 0, None))
    n = int(ok.sum())
    df = design.degf if ci_method == "korn_graubard" else None
    lo, hi = survey_proportion_ci(p, se, np.full(len(p), n), ci_method, alpha, df=df)
    return _result(levels, p, se, n, lo, hi, "level" if levels != [y] else "variable")


def _quantile_math(xs: np.ndarray, cw: np.ndarray, p: float) -> float:
    """Smallest sorted value whose cumulative weight share is >= p (R ``qrule_math``)."""
    total = cw[-1]
    j = int(np.searchsorted(cw, p * total * (1 - 1e-12), side="left"))
    return float(xs[min(j, len(xs) - 1)])


def svyquantile(design: Design, y: str, probs: float | Iterable[float] = 0.5, alpha: float = 0.05,
                df: float | None = math.inf) -> pd.DataFrame:
    """Quantiles (e.g. the median income) with Woodruff (1952) confidence intervals.

    Estimate: the inverse of the weighted empirical distribution function,
    ``q̂ = min{y : F̂(y) >= p}`` (R ``qrule="math"``). Interval (Woodruff 1952, *JASA* 47:635;
    R ``svyquantile(interval.type="mean")``): the linearised SE ``s`` of
    ``F̂(q̂) = svymean(y <= q̂)`` gives the interval ``F̂(q̂) ± t·s`` on the probability scale,
    which is mapped back through ``F̂⁻¹``; ``se = (high - low) / (2t)``. Probability limits
    outside [0, 1] are clipped (R returns NaN there). ``t`` is the normal quantile by default;
    pass ``df=None`` to use the design degrees of freedom as R does.

    Returns a DataFrame indexed by probability: ``estimate, se, ci_low, ci_high, n``.
    """
    # lazy: scipy.stats costs 0.55 s, which stages 1-2 and `tracer` commands must not pay
    from scipy.stats import norm
    from scipy.stats import t as tdist

    ps = [probs] if np.ndim(probs) == 0 else list(probs)
    x = _numeric(design, y)
    ok = np.isfinite(x) & (design.w > 0)
    order = np.argsort(x[ok], kind="stable")
    xs = x[ok][order]
    cw = np.cumsum(design.w[ok][order])
    dfv = design.degf if df is None else df
    crit = float(norm.ppf(1 - alpha / 2)) if not np.isfinite(dfv) else float(tdist.ppf(1 - alpha / 2, dfv))
    w = np.where(ok, design.w, 0.0)
    tw = w.sum()
    rows = []
    for p in ps:
        if not 0 <= p <= 1:
            raise ValueError("quantile probabilities must be between 0 and 1")
        q = _quantile_math(xs, cw, p)
        ind = np.where(ok & (x <= q), 1.0, 0.0)
        fq = np.sum(w * ind) / tw
        se_f = math.sqrt(max(design.vcov(w * (ind - fq) / tw)[0, 0], 0.0))
        lo = _quantile_math(xs, cw, min(max(fq - crit * se_f, 0.0), 1.0))
        hi = _quantile_math(xs, cw, min(max(fq + crit * se_f, 0.0), 1.0))
        rows.append((q, (hi - lo) / (2 * crit), lo, hi))
    arr = np.array(rows)
    return _result(ps, arr[:, 0], arr[:, 1], int(ok.sum()), arr[:, 2], arr[:, 3], "probability")


# --------------------------------------------------------------------------------------------
# domains
# --------------------------------------------------------------------------------------------


def _stage_parts(design: Design, s_no: int, st: _Stage) -> dict[str, Any]:
    """The design-only sparse pieces of :func:`_domain_variance` for stage ``s_no`` (cached on the design):
    ``Hind`` (unit → stratum indicator), and with a calibration ``Bexp`` (unit sums of ``w·x`` spread by
    stratum), ``S_B`` (H × p) and ``S_BB`` (H × p × p)."""
    # lazy: scipy.sparse costs 0.08 s, needed only by domain estimates (stages 1-2 never pay it)
    from scipy import sparse

    key = ("domain_parts", s_no)
    if key in design._cache:
        return design._cache[key]
    K, H, k, uh = st.n_units, st.n_strata, st.k, st.unit_h
    parts: dict[str, Any] = {"Hind": sparse.csr_matrix((np.ones(K), (np.arange(K), uh)), shape=(K, H))}
    cal = design.calibration
    if cal is not None:
        p = cal.n_columns
        cols = np.concatenate([off + c for off, c in zip(cal.offsets[:-1], cal.codes)])
        vals = np.concatenate([design.w] * len(cal.codes))
        rows = np.concatenate([k] * len(cal.codes))
        B = sparse.csr_matrix((vals, (rows, cols)), shape=(K, p))
        Bexp = sparse.csr_matrix((vals, (rows, uh[rows] * p + cols)), shape=(K, H * p))
        parts["Bexp"] = Bexp
        parts["S_B"] = np.asarray((parts["Hind"].T @ B).todense())  # H × p
        parts["S_BB"] = np.asarray((Bexp.T @ B).todense()).reshape(H, p, p)
    design._cache[key] = parts
    return parts


def _domain_variance(design: Design, dom: np.ndarray, n_dom: int, a: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Variances of ``n_dom`` domain estimators from their scores, without an n × D matrix.

    ``dom[i]`` is the domain of row ``i`` (−1 = in no domain, score 0); ``a[i]`` its score
    (already × weight) in that domain and ``r[i] = a[i] / w[i]``. At every stage the unit totals
    of domain ``d`` are ``t_kd = A_kd - B_k'β_d`` (``A`` = unit sums of the scores, ``B`` = unit
    sums of ``w·x`` for the calibration model matrix ``x``, ``β_d`` the original-weight regression
    coefficients of the domain's scores); the stratum sums of squares are assembled from sparse
    cross-products, which equals :meth:`Design.vcov` applied to the dense ``n × D`` score matrix.
    """
    # lazy: scipy.sparse costs 0.08 s, needed only by domain estimates (stages 1-2 never pay it)
    from scipy import sparse

    inside = dom >= 0
    di = dom[inside]
    cal = design.calibration
    if cal is not None:
        p = cal.n_columns
        # beta: p × D, from X'W0 r per domain
        xtwr = np.empty((p, n_dom))
        w0r = cal.weights0[inside] * r[inside]
        for off, c, lv in zip(cal.offsets[:-1], cal.codes, cal.levels):
            L = len(lv)
            xtwr[off : off + L] = np.bincount(c[inside] * n_dom + di, weights=w0r,
                                              minlength=L * n_dom).reshape(L, n_dom)
        beta = cal.gram_pinv @ xtwr
    var = np.zeros(n_dom)
    for s_no, st in enumerate(design._stages):
        if not st.c.any():
            continue
        K, H = st.n_units, st.n_strata
        k = st.k
        A = sparse.csr_matrix((a[inside], (k[inside], di)), shape=(K, n_dom))
        # what depends on the design only (strata indicator; the calibration model's unit sums and their
        # stratum cross-products) is built once per design and stage and reused by every variable and domain
        parts = _stage_parts(design, s_no, st)
        Hind = parts["Hind"]
        S_A = np.asarray((Hind.T @ A).todense())  # H × D
        S_AA = np.asarray((Hind.T @ A.multiply(A)).todense())  # H × D
        if cal is None:
            T, SS = S_A, S_AA
        else:
            S_B, S_BB = parts["S_B"], parts["S_BB"]
            S_BA = np.asarray((parts["Bexp"].T @ A).todense()).reshape(H, p, n_dom)
            T = S_A - S_B @ beta
            SS = S_AA - 2.0 * np.einsum("jd,hjd->hd", beta, S_BA) + np.einsum("jd,hjl,ld->hd", beta, S_BB, beta)
        n_h = st.n_h[:, None]
        centre = T / n_h
        if st.lonely.any():
            centre[st.lonely] = _parent_centre(st, T)[st.lonely]
        ss_dev = SS - 2.0 * centre * T + n_h * centre**2
        var += st.c @ ss_dev
    return np.clip(var, 0.0, None)


def _domain_degf(design: Design, dom: np.ndarray, n_dom: int) -> np.ndarray:
    """Per domain: first-stage PSUs with domain members minus their strata (R ``degf`` of a subset)."""
    st = design._stages[0]
    inside = dom >= 0
    d = dom[inside].astype(np.int64)
    psu = np.unique(d * st.n_units + st.k[inside])
    stratum = np.unique(d * st.n_strata + st.unit_h[st.k[inside]])
    return (np.bincount(psu // st.n_units, minlength=n_dom)
            - np.bincount(stratum // st.n_strata, minlength=n_dom)).astype(float)


def _domain_stat(design: Design, dom: np.ndarray, n_dom: int, yv: np.ndarray,
                 stat: str) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean (ratio ``Σwy / Σw``) or total ``Σwy`` of ``yv`` in each of ``n_dom`` domains and its
    linearised SE (:func:`_domain_variance`). ``dom[i]`` is row ``i``'s domain, −1 for none (score 0)."""
    w = design.w
    inside = dom >= 0
    di = dom[inside]
    wd = np.bincount(di, weights=w[inside], minlength=n_dom)
    wy = np.bincount(di, weights=(w * yv)[inside], minlength=n_dom)
    if stat == "total":
        est = wy
        r = np.where(inside, yv, 0.0)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            est = wy / wd
        r = np.zeros(design.n)
        r[inside] = (yv[inside] - est[di]) / wd[di]
    a = w * r
    return est, np.sqrt(_domain_variance(design, dom, n_dom, a, r))


def domain_estimates(design: Design, values: np.ndarray, codes: np.ndarray, n_dom: int,
                     stat: str = "mean") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`by_domain` for one analysis variable given as arrays, reusing the design's linearisation.

    ``values`` (float, NaN = missing) and ``codes`` (domain number 0…``n_dom``−1 of each row, −1 = in no
    domain) are aligned with ``design.data``'s rows. Nothing is copied and no design is rebuilt: the
    design's stages (units, strata, factors) and weights are computed once and cached, so a results table
    with hundreds of indicator × domain-variable estimates pays for them once per design. Same arithmetic
    as :func:`by_domain` (which calls the same :func:`_domain_stat`). ``stat`` is ``"mean"`` or ``"total"``.

    Returns
    -------
    n, estimate, se : arrays of length ``n_dom``
        Respondents with a value in each domain, the weighted estimate and its Taylor-linearised SE.
    """
    if stat not in ("mean", "total"):
        raise ValueError("stat must be 'mean' or 'total'")
    x = np.asarray(values, dtype=float)
    ok = np.isfinite(x)
    dom = np.where(ok & (codes >= 0), codes, -1).astype(np.int64)
    n = np.bincount(dom[dom >= 0], minlength=n_dom)
    est, se = _domain_stat(design, dom, n_dom, np.where(ok, x, 0.0), stat)
    return n, est, se


def by_domain(design: Design, y: str, domains: list[str] | str, stat: str = "mean",
              alpha: float = 0.05, ci_method: str = "wilson") -> pd.DataFrame:
    """Estimates for every domain (cross-classification of ``domains``) with correct SEs.

    Domain estimation keeps the whole design: units outside the domain (or with a missing
    ``y``) get score zero, so strata and PSUs without domain members still count (R ``svyby``).
    Rows with a missing domain variable belong to no domain.

    Parameters
    ----------
    design : Design
    y : str
        Analysis variable. For ``stat="prop"`` a 0/1 or boolean variable, or a categorical one
        (then one row per domain and level, with a ``level`` column).
    domains : list of str
        Domain variables, e.g. ``["faculty", "sex"]``.
    stat : {"mean", "prop", "total"}
    alpha : float
        1 − coverage of the intervals (normal for mean/total; ``ci_method`` for prop).
    ci_method : {"wilson", "korn_graubard"}
        Interval of a share (:func:`analysis.stats.intervals.survey_proportion_ci` on the effective
        sample size): Wilson with the normal quantile (default), or Korn–Graubard (R
        ``svyciprop(method="beta")`` on the domain, as R ``svyby``: ``n`` = the domain's
        respondents, ``df`` = PSUs with domain members − their strata, R's ``degf`` of the
        domain; computed only for this method).

    Returns
    -------
    DataFrame
        Columns: the domain variables, [``level``], ``n`` (unweighted respondents with ``y``),
        ``estimate``, ``se``, ``ci_low``, ``ci_high``; sorted by domain.
    """
    if stat not in ("mean", "prop", "total"):
        raise ValueError("stat must be 'mean', 'prop' or 'total'")
    doms = [domains] if isinstance(domains, str) else list(domains)
    for d in doms:
        if d not in design.data.columns:
            raise InputError(_SOURCE, "the domain variable is missing", column=d)
    grouped = design.data.groupby(doms, sort=True, observed=True, dropna=True)
    gid = grouped.ngroup().fillna(-1).to_numpy(dtype=np.int64)  # NaN: a domain variable is empty
    keys = grouped.size().index
    n_dom = len(keys)
    if stat == "prop":
        levels, ind, ok_y = _indicators(design, y)
    else:
        x = _numeric(design, y)
        ok_y = np.isfinite(x)
        levels, ind = [None], np.where(ok_y, x, 0.0)[:, None]
    if ci_method not in ("wilson", "korn_graubard"):
        raise ValueError("ci_method must be 'wilson' or 'korn_graubard'")
    dom = np.where(ok_y & (gid >= 0), gid, -1)
    inside = dom >= 0
    di = dom[inside]
    n = np.bincount(di, minlength=n_dom)
    dom_df = _domain_degf(design, dom, n_dom) if stat == "prop" and ci_method == "korn_graubard" else None
    frames = []
    for j, lev in enumerate(levels):
        est, se = _domain_stat(design, dom, n_dom, ind[:, j], "total" if stat == "total" else "mean")
        if stat == "prop":
            lo, hi = survey_proportion_ci(np.clip(est, 0.0, 1.0), se, n, ci_method, alpha, df=dom_df)
        else:
            q = _z(alpha)
            lo, hi = est - q * se, est + q * se
        f = keys.to_frame(index=False) if isinstance(keys, pd.MultiIndex) else pd.DataFrame({doms[0]: keys})
        if stat == "prop" and levels != [y]:
            f["level"] = lev
        f["n"] = n
        f["estimate"] = est
        f["se"] = se
        f["ci_low"] = lo
        f["ci_high"] = hi
        frames.append(f[f["n"] > 0])
    out = pd.concat(frames, ignore_index=True)
    if "level" in out.columns:
        out = out.sort_values(doms + ["level"], kind="stable").reset_index(drop=True)
    return out


# --------------------------------------------------------------------------------------------
# regression
# --------------------------------------------------------------------------------------------

_FAMILIES = ("gaussian", "binomial", "poisson")


def _binary_response(values: pd.Series, column: str, positive=None) -> np.ndarray:
    """The response of a binomial model as 1.0 (the modelled outcome), 0.0 or NaN (missing).

    Accepted: bool, pandas nullable ``boolean`` (``<NA>`` → NaN), numbers that are all 0/1, and
    strings or categoricals with at most two levels when ``positive`` names the modelled level.
    ``positive`` defaults to ``True`` / 1; anything else raises a one-line :class:`InputError`
    naming the column and its levels.
    """
    s = pd.Series(values).reset_index(drop=True)
    ok = s.notna().to_numpy()
    vals = pd.unique(s[ok]) if ok.any() else np.array([])
    is_bool = s.dtype == bool or str(s.dtype) == "boolean" or (
        s.dtype == object and len(vals) > 0 and all(isinstance(v, (bool, np.bool_)) for v in vals))
    if is_bool:
        pos = True if positive is None else positive
        if not isinstance(pos, (bool, np.bool_)):
            raise InputError(_SOURCE, f"positive={positive!r} is not a level of the true/false response",
                             column=column, fix="use positive=True (the default) or positive=False")
        hit = s.astype("boolean").to_numpy(dtype=object, na_value=None) == bool(pos)
        return np.where(ok, hit.astype(float), np.nan)
    numeric = pd.api.types.is_numeric_dtype(s) or (
        s.dtype == object and len(vals) > 0 and all(isinstance(v, (int, float, np.integer, np.floating)) for v in vals))
    if numeric:
        x = pd.to_numeric(s).to_numpy(dtype=float, na_value=np.nan)
        ok = np.isfinite(x)
        found = sorted(set(np.unique(x[ok]).tolist()))
        if not set(found) <= {0.0, 1.0}:
            shown = ", ".join(f"{v:g}" for v in found[:4]) + (", …" if len(found) > 4 else "")
            raise InputError(_SOURCE, f"a binomial response must be 0/1, true/false or two levels; found the "
                             f"numbers {shown}", column=column, fix="recode it to 0/1 (1 = the modelled outcome)")
        pos = 1.0 if positive is None else positive
        if pos not in (0, 1):
            raise InputError(_SOURCE, f"positive={positive!r} is not a level of the 0/1 response", column=column,
                             fix="use positive=1 (the default) or positive=0")
        return np.where(ok, (x == float(pos)).astype(float), np.nan)
    levels = sorted(vals.tolist(), key=str)
    if isinstance(s.dtype, pd.CategoricalDtype):
        levels = [c for c in s.cat.categories if c in set(vals.tolist())]
    shown = ", ".join(repr(v) for v in levels[:5]) + (", …" if len(levels) > 5 else "")
    if len(levels) > 2:
        raise InputError(_SOURCE, f"a binomial response needs two levels, not {len(levels)} ({shown})",
                         column=column, fix="recode it to two levels or use a model for several categories")
    if positive is None:
        raise InputError(_SOURCE, f"the binomial response has the levels {shown}: say which one is modelled",
                         column=column, fix=f"pass positive={levels[-1]!r}" if levels else "pass positive=")
    allowed = set(levels) | (set(s.cat.categories) if isinstance(s.dtype, pd.CategoricalDtype) else set())
    if positive not in allowed:
        raise InputError(_SOURCE, f"positive={positive!r} is not a level of the response ({shown})", column=column)
    hit = (s == positive).to_numpy(dtype=bool)
    return np.where(ok, hit.astype(float), np.nan)


_QUOTED = re.compile(r"""^(?:Q\(\s*(["'])(?P<q>.*)\1\s*\)|`(?P<b>[^`]*)`)$""")


def _response_column(formula: str, data: pd.DataFrame) -> str | None:
    """The data column a formula's left-hand side names (plain, ``Q("…")`` or backticks), else None."""
    lhs = formula.split("~", 1)[0].strip()
    if lhs in data.columns:
        return lhs
    m = _QUOTED.match(lhs)
    if m:
        name = m.group("q") if m.group("q") is not None else m.group("b")
        return name if name in data.columns else None
    return None


def svyglm(formula: str | None, design: Design, *, X=None, y=None, family: str = "gaussian",
           alpha: float = 0.05, positive=None) -> pd.DataFrame:
    """Design-based generalised linear model (R ``svyglm``).

    Point estimates: statsmodels WLS (gaussian) or GLM with ``var_weights`` = the design weights
    (binomial with logit link, poisson with log link) — the weighted score equations
    ``Σ w_i x_i (y_i - μ_i) = 0``. Variance: the sandwich ``A⁻¹ M A⁻¹`` (Binder 1983), with
    ``A = Σ w_i v(μ_i) x_i x_i'`` and ``M`` the design covariance of the score totals (so strata,
    clusters at every stage, fpc and calibration are all accounted for). Tests and intervals use
    the t distribution with ``degf - p + 1`` degrees of freedom, as R.

    The binomial family models **P(response = positive)**, as R ``svyglm(family=quasibinomial)``
    models P(TRUE) / P(1): the response may be bool, pandas nullable ``boolean`` (``<NA>`` rows
    are left out of the model and keep score 0 in the design), 0/1 numbers, or a two-level
    string/categorical column together with ``positive=`` naming the modelled level. A
    two-level string without ``positive``, three or more levels, or numbers other than 0/1 raise
    a one-line :class:`~analysis.errors.InputError` naming the column. A formula whose left-hand
    side is an expression (e.g. ``I(sch_wide == "Yes")``) is also modelled as P(True).

    Parameters
    ----------
    formula : str or None
        Model formula in the statsmodels syntax (e.g. ``"api00 ~ ell + meals"``); rows with a
        missing value in the model are given score zero (they stay in the design).
    design : Design
    X, y : array-like, optional
        Instead of a formula: a design matrix (DataFrame or ``n × p`` array, include the
        constant yourself) and the response, aligned with ``design.data`` rows.
    family : {"gaussian", "binomial", "poisson"}
    alpha : float
        1 − coverage of the intervals.
    positive : optional
        Binomial only: the response level whose probability is modelled (default ``True`` / 1;
        required for a two-level string or categorical response).

    Returns
    -------
    DataFrame
        Tidy table: ``term, estimate, se, ci_low, ci_high, p_value, n``; ``attrs`` hold
        ``vcov`` (DataFrame), ``df_resid``, ``family`` and (binomial) ``positive``.
    """
    # lazy: statsmodels costs 0.9 s, which stages 1-2 and `tracer` commands must not pay
    import statsmodels.api as sm
    import statsmodels.formula.api as smf
    from scipy.stats import t as tdist

    if family not in _FAMILIES:
        raise ValueError(f"family must be one of {_FAMILIES}")
    if positive is not None and family != "binomial":
        raise ValueError("positive= applies to family='binomial' only")
    w_all = design.w
    data = design.data.reset_index(drop=True)
    fam = {"binomial": sm.families.Binomial(), "poisson": sm.families.Poisson()}.get(family)
    if formula is not None:
        resp = _response_column(formula, data)
        if resp is not None and family == "binomial":
            data = data.assign(**{resp: _binary_response(data[resp], resp, positive)})
        elif resp is not None and (data[resp].dtype == bool or str(data[resp].dtype) == "boolean"):
            data = data.assign(**{resp: data[resp].astype("Float64").to_numpy(dtype=float, na_value=np.nan)})
        lhs = formula.split("~", 1)[0].strip()
        try:
            if family == "gaussian":
                model = smf.wls(formula, data, weights=w_all)
            else:
                model = smf.glm(formula, data, family=fam, var_weights=w_all)
        except ValueError as err:
            if "multiple columns" not in str(err):
                raise
            more = " and has more than two levels" if family == "binomial" else ""
            raise InputError(_SOURCE, f"the {family} model's response is not numeric{more}", column=lhs,
                             fix="use a numeric response (binomial: 0/1, true/false or two levels with "
                                 "positive=)") from None
        rows = np.asarray(model.data.row_labels, dtype=np.int64)
        orig = np.asarray(model.data.orig_endog, dtype=float)
        if orig.ndim == 2 and orig.shape[1] > 1:  # the formula engine expanded a logical/text expression
            names = [str(nm) for nm in np.atleast_1d(model.endog_names)]
            if family != "binomial":
                raise InputError(_SOURCE, f"the {family} model's response must be numeric", column=lhs)
            want = "True" if positive is None else str(positive)
            hit = [i for i, nm in enumerate(names) if nm.endswith(f"[{want}]")]
            if orig.shape[1] != 2 or len(hit) != 1:
                levels = ", ".join(nm[len(lhs):].strip("[]") for nm in names)
                raise InputError(_SOURCE, f"the binomial response has the levels {levels}: say which one is "
                                 "modelled with positive=", column=lhs)
            exog = pd.DataFrame(np.asarray(model.exog, dtype=float), columns=model.exog_names)
            model = sm.GLM(orig[:, hit[0]], exog, family=fam, var_weights=w_all[rows])
    else:
        if X is None or y is None:
            raise ValueError("give a formula, or both X and y")
        Xd = pd.DataFrame(X).reset_index(drop=True) if not isinstance(X, np.ndarray) else pd.DataFrame(X)
        y_name = str(getattr(y, "name", None) or "y")
        ys = y.reset_index(drop=True) if isinstance(y, pd.Series) else pd.Series(y)
        if family == "binomial":
            yv = pd.Series(_binary_response(ys, y_name, positive))
        elif ys.dtype == bool or str(ys.dtype) == "boolean":
            yv = pd.Series(ys.astype("Float64").to_numpy(dtype=float, na_value=np.nan))
        else:
            yv = pd.Series(np.asarray(ys, dtype=float))
        if len(Xd) != design.n or len(yv) != design.n:
            raise ValueError("X and y must have one row per design row")
        okr = Xd.notna().all(axis=1).to_numpy() & yv.notna().to_numpy()
        rows = np.flatnonzero(okr)
        exog = Xd.iloc[rows].astype(float)
        endog = yv.iloc[rows]
        if family == "gaussian":
            model = sm.WLS(endog.to_numpy(), exog, weights=w_all[rows])
        else:
            model = sm.GLM(endog.to_numpy(), exog, family=fam, var_weights=w_all[rows])
    fit = model.fit()
    names = list(model.exog_names)
    Xm = np.asarray(model.exog, dtype=float)
    yy = np.asarray(model.endog, dtype=float)
    w = w_all[rows]
    beta = np.asarray(fit.params, dtype=float)
    eta = Xm @ beta
    if family == "gaussian":
        mu, v = eta, np.ones_like(eta)
    elif family == "binomial":
        mu = 1.0 / (1.0 + np.exp(-eta))
        v = mu * (1 - mu)
    else:
        mu = np.exp(eta)
        v = mu
    A = (Xm * (w * v)[:, None]).T @ Xm
    Ainv = np.linalg.inv(A)
    infl = np.zeros((design.n, len(beta)))
    infl[rows] = (Xm * (w * (yy - mu))[:, None]) @ Ainv
    V = design.vcov(infl)
    se = np.sqrt(np.clip(np.diag(V), 0, None))
    df = max(design.degf + 1 - len(beta), 1)
    tval = beta / se
    pval = 2 * tdist.sf(np.abs(tval), df)
    crit = tdist.ppf(1 - alpha / 2, df)
    out = pd.DataFrame({
        "term": names,
        "estimate": beta,
        "se": se,
        "ci_low": beta - crit * se,
        "ci_high": beta + crit * se,
        "p_value": pval,
        "n": len(rows),
    })
    out.attrs["vcov"] = pd.DataFrame(V, index=names, columns=names)
    out.attrs["df_resid"] = df
    out.attrs["family"] = family
    if family == "binomial":
        out.attrs["positive"] = True if positive is None else positive
    return out

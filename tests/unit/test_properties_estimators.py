"""Property-based tests (hypothesis) of the estimators: the results layer's share / mean / median / total
rows, raking and domain estimation (:mod:`analysis.stats.survey`), the interval functions
(:mod:`analysis.stats.intervals`) and the disclosure pass (:mod:`analysis.publish.disclosure`), on random small inputs.

Invariants: shares and their intervals lie in [0, 1] and every interval contains its estimate; nothing
raises on empty, one-row or all-missing inputs; raking reproduces its margins; weighted = unweighted when
the weights are equal; what :func:`~analysis.publish.disclosure.publish` publishes never lets
:func:`~analysis.publish.disclosure.attack` recover a suppressed cell; primary suppression is monotone in ``min_n``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from analysis.publish.disclosure import Rules, attack, margins, primary_suppression, publish
from analysis.results.table import (
    COLUMNS,
    Settings,
    hierarchy,
    mean_rows,
    median_rows,
    share_rows,
    total_rows,
)
from analysis.stats.intervals import METHODS, proportion_ci, survey_proportion_ci
from analysis.stats.survey import Design, by_domain, rake

FAST = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])
ST = Settings(0.95, "wilson", "wilson")
EPS = 1e-9


# ----------------------------------------------------------------------------- random cohorts
@st.composite
def cohorts(draw, max_n: int = 14, missing: bool = True) -> pd.DataFrame:
    """A small graduates table: faculty, programme, sex, a 0/1 outcome and a number (both may be missing)
    and a phase-2 response flag."""
    n = draw(st.integers(0, max_n))
    fac = draw(st.lists(st.sampled_from(["F1", "F2"]), min_size=n, max_size=n))
    prog = [f"{f}-{draw(st.sampled_from('AB'))}" for f in fac]
    sex = draw(st.lists(st.sampled_from(["female", "male"]), min_size=n, max_size=n))
    yes = st.sampled_from([0.0, 1.0, np.nan]) if missing else st.sampled_from([0.0, 1.0])
    num = st.one_of(st.floats(0, 100, allow_nan=False), st.just(np.nan)) if missing else st.floats(0, 100)
    y = draw(st.lists(yes, min_size=n, max_size=n))
    v = draw(st.lists(num, min_size=n, max_size=n))
    resp = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return pd.DataFrame({"pid": [f"G{i}" for i in range(n)], "faculty": fac, "programme": prog, "sex": sex,
                         "y": y, "v": v, "resp_p2": pd.array(resp, dtype="boolean")})


def _design(g: pd.DataFrame, weights: np.ndarray | None = None) -> Design | None:
    resp = g[g["resp_p2"].to_numpy(bool)].copy()
    if resp.empty:
        return None
    resp["weight"] = len(g) / len(resp) if weights is None else weights[: len(resp)]
    return Design(resp, weights="weight")


def _check_intervals(rows: pd.DataFrame, lo: str = "ci_low", hi: str = "ci_high", est: str = "estimate") -> None:
    r = rows.dropna(subset=[lo, hi, est])
    assert (r[lo] <= r[est] + EPS).all() and (r[est] <= r[hi] + EPS).all(), r[[lo, est, hi]]


# ----------------------------------------------------------------------------- results layer
@FAST
@given(cohorts(), st.sampled_from(["all", "faculty", "programme"]), st.booleans())
def test_share_rows_stay_in_zero_one_and_contain_their_estimate(g, domain, weighted):
    from analysis.results.table import domain_groups

    values = g["y"].where(g["resp_p2"].to_numpy(bool)) if weighted else g["y"]
    rows = share_rows(values, domain_groups(g, domain), ST, _design(g) if weighted else None)
    known = values.notna()
    if not known.any():
        assert rows.empty
        return
    assert rows["n"].sum() == known.sum() and (rows["x"] <= rows["n"]).all()
    np.testing.assert_allclose(rows["unweighted"], rows["x"] / rows["n"])
    for col in ("estimate", "ci_low", "ci_high", "unweighted", "unweighted_ci_low", "unweighted_ci_high"):
        v = rows[col].dropna()
        assert ((v >= -EPS) & (v <= 1 + EPS)).all(), col
    _check_intervals(rows)
    _check_intervals(rows, "unweighted_ci_low", "unweighted_ci_high", "unweighted")


@FAST
@given(cohorts(missing=False), st.sampled_from(["all", "faculty", "sex"]))
def test_weighted_equals_unweighted_when_the_weights_are_equal(g, domain):
    from analysis.results.table import domain_groups

    d = _design(g)
    assume(d is not None)
    resp = g["resp_p2"].to_numpy(bool)
    groups = domain_groups(g, domain)
    for fn, col in ((share_rows, "y"), (mean_rows, "v")):
        rows = fn(g[col].where(resp), groups, ST, d)
        np.testing.assert_allclose(rows["estimate"], rows["unweighted"], rtol=1e-9, atol=1e-12)
    tot = total_rows(g["v"].where(resp), groups, ST, d)
    np.testing.assert_allclose(tot["estimate"], tot["unweighted"] * len(g) / resp.sum(), rtol=1e-9)


@FAST
@given(cohorts(), st.sampled_from(["all", "faculty"]), st.booleans())
def test_mean_median_and_total_rows_never_raise_and_contain_their_estimate(g, domain, weighted):
    from analysis.results.table import domain_groups

    resp = g["resp_p2"].to_numpy(bool)
    values = g["v"].where(resp) if weighted else g["v"]
    groups = domain_groups(g, domain)
    design = _design(g) if weighted else None
    for fn in (mean_rows, median_rows, total_rows):
        rows = fn(values, groups, ST, design)
        if values.notna().sum() == 0:
            assert rows.empty
            continue
        assert rows["n"].sum() == values.notna().sum()
        if fn is not total_rows:
            _check_intervals(rows)
            _check_intervals(rows, "unweighted_ci_low", "unweighted_ci_high", "unweighted")
        if fn is median_rows:
            lo, hi = values.min(), values.max()
            for c in ("estimate", "unweighted", "ci_low", "ci_high"):
                v = rows[c].dropna()
                assert ((v >= lo) & (v <= hi)).all(), c


# ----------------------------------------------------------------------------- survey core
@FAST
@given(cohorts(max_n=16, missing=False), st.lists(st.floats(0.2, 5.0), min_size=16, max_size=16),
       st.lists(st.floats(0.2, 5.0), min_size=16, max_size=16))
def test_raking_reproduces_its_margins_whenever_they_can_be_met(g, w0, w_true):
    """Margins that some positive weights of the respondents meet (here: ``w_true``) are met by raking
    from any positive starting weights (Deming–Stephan; Csiszár 1975)."""
    resp = g[g["resp_p2"].to_numpy(bool)].copy()
    assume(len(resp) > 0)
    truth = pd.Series(w_true[: len(resp)], index=resp.index)
    pop_fac = truth.groupby(resp["faculty"]).sum()
    pop_sex = truth.groupby(resp["sex"]).sum()
    resp["w0"] = np.asarray(w0[: len(resp)])
    d = rake(Design(resp, weights="w0"), {"faculty": pop_fac, "sex": pop_sex}, max_iter=2000, tol=1e-9)
    got = pd.Series(d.w, index=resp.index)
    np.testing.assert_allclose(got.groupby(resp["faculty"]).sum()[pop_fac.index], pop_fac, rtol=1e-6)
    np.testing.assert_allclose(got.groupby(resp["sex"]).sum()[pop_sex.index], pop_sex, rtol=1e-6)
    assert (d.w > 0).all()


@FAST
@given(cohorts(max_n=16, missing=False))
def test_respondent_weights_meet_the_registry_margins_or_fall_back_and_say_so(g):
    """The model stage's weights either reproduce the registry's margins or say which margins they gave up
    (raking that cannot converge is never used silently)."""
    import warnings

    from analysis.stats.weighting import weight_respondents

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no "did not converge" left to the reader
        design, diag = weight_respondents(g.assign(level="b"), (("faculty", "sex"), ("level",)), 5.0)
    if design is None:
        assert diag["respondents"] == 0
        return
    assert design.w.sum() == pytest.approx(len(g))
    resp = design.data
    for m in diag["margins_used"]:
        pop = g.assign(level="b").groupby(m).size()
        got = pd.Series(design.w, index=resp.index).groupby([resp[c] for c in m]).sum()
        np.testing.assert_allclose(got.reindex(pop.index).to_numpy(float), pop.to_numpy(float), rtol=1e-6)


@FAST
@given(cohorts(missing=True), st.floats(0.5, 3.0))
def test_by_domain_with_equal_weights_gives_the_unweighted_domain_means(g, w):
    assume(len(g) >= 2)  # one row is one PSU: no design variance (survey refuses it, as R; see results)
    d = Design(g.assign(weight=w), weights="weight")
    out = by_domain(d, "v", ["faculty"], stat="mean")
    plain = g.dropna(subset=["v"]).groupby("faculty")["v"].agg(["size", "mean"])
    assert out["faculty"].tolist() == plain.index.tolist()
    np.testing.assert_allclose(out["estimate"], plain["mean"], rtol=1e-9)
    assert out["n"].tolist() == plain["size"].tolist()
    assert (out["se"].dropna() >= 0).all()
    prop = by_domain(d, "y", ["faculty"], stat="prop")
    assert ((prop["estimate"] >= -EPS) & (prop["estimate"] <= 1 + EPS)).all()
    _check_intervals(prop)


# ----------------------------------------------------------------------------- intervals
@FAST
@given(st.integers(0, 60), st.integers(0, 60), st.sampled_from([m for m in METHODS if m != "wald"]),
       st.sampled_from([0.01, 0.05, 0.1, 0.5]))
def test_proportion_intervals_lie_in_zero_one_and_contain_the_share(x, extra, method, alpha):
    n = x + extra
    lo, hi = proportion_ci(x, n, method, alpha)
    if n == 0:
        assert math.isnan(lo) and math.isnan(hi)
        return
    p = x / n
    assert 0.0 <= lo <= p + EPS and p - EPS <= hi <= 1.0
    if method in ("wilson", "agresti_coull", "qilt"):  # a census has no sampling error
        lo_c, hi_c = proportion_ci(x, n, method, alpha, N=n)
        assert lo_c == pytest.approx(p, abs=1e-9) and hi_c == pytest.approx(p, abs=1e-9)


@FAST
@given(st.floats(0, 1), st.floats(0, 0.5), st.integers(0, 200), st.sampled_from(["wilson", "korn_graubard"]),
       st.one_of(st.none(), st.integers(1, 50)))
def test_survey_share_intervals_lie_in_zero_one_and_contain_the_share(p, se, n, method, df):
    lo, hi = survey_proportion_ci(p, se, n, method=method, df=df)
    if n == 0:
        assert math.isnan(lo) and math.isnan(hi)
        return
    if math.isnan(lo):
        return  # no degrees of freedom (documented: as R)
    assert 0.0 <= lo <= p + EPS and p - EPS <= hi <= 1.0


# ----------------------------------------------------------------------------- disclosure
@st.composite
def results_tables(draw):
    """A results table of share cells over all / faculty / programme / sex / faculty×sex / programme×sex for
    one small random cohort, with its hierarchy (as the model stage writes them)."""
    n = draw(st.integers(1, 60))
    fac = draw(st.lists(st.sampled_from(["F1", "F2", "F3"]), min_size=n, max_size=n))
    prog = [f"{f}-{draw(st.sampled_from('AB'))}" for f in fac]
    sex = draw(st.lists(st.sampled_from(["f", "m"]), min_size=n, max_size=n))
    y = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    g = pd.DataFrame({"faculty": fac, "programme": prog, "sex": sex, "y": np.array(y, float)})
    from analysis.results.table import RESPONSE_DOMAINS, domain_groups

    frames = []
    for dom in RESPONSE_DOMAINS:
        rows = share_rows(g["y"], domain_groups(g, dom), ST)
        rows["indicator"], rows["domain"], rows["unit"] = "employment_rate", dom, "share"
        frames.append(rows)
    from analysis.results.table import finish

    return finish(frames, ST), hierarchy(g)


@FAST
@given(results_tables(), st.integers(1, 30))
def test_published_tables_never_let_the_attack_recover_a_cell(table, min_n):
    res, hier = table
    rules = Rules(min_n=min_n, min_pct_base=min(22.5, float(min_n)))
    pub = publish(res, hier, rules)  # runs check_publication itself: DisclosureError would fail here
    sup = (pub["status"] == "suppressed").to_numpy()
    assert not attack(sup, margins(pub, hier))
    assert pub.loc[sup, ["estimate", "ci_low", "ci_high", "unweighted"]].isna().all().all()
    assert (pub["n"].dropna() % 5 == 0).all() and "x" not in pub.columns
    shown = pub[~sup & pub["estimate"].notna()]
    assert (res.loc[shown.index, "n"] >= rules.min_n).all(), "no published share on fewer than min_n"


@FAST
@given(results_tables(), st.integers(1, 20), st.integers(0, 20))
def test_suppression_is_monotone_in_min_n(table, low, step):
    """Primary suppression is monotone in ``min_n``, and whatever a smaller ``min_n`` hides by a primary rule
    a larger one hides too. The whole suppressed set is NOT monotone (hypothesis found a table where
    ``min_n`` = 2 hides 9 cells and ``min_n`` = 3 only 8, one of them published at 3): secondary suppression
    picks the smallest published sibling, and more primary cells can make a secondary one unnecessary. Each
    table is safe by its own attack check; two releases of one table with different rules are not."""
    res, hier = table
    high = low + step
    p_low, _ = primary_suppression(res, Rules(min_n=low, min_pct_base=0))
    p_high, _ = primary_suppression(res, Rules(min_n=high, min_pct_base=0))
    assert not (p_low & ~p_high).any(), "a larger minimum n never publishes a cell a smaller one hides"
    s_high = (publish(res, hier, Rules(min_n=high, min_pct_base=0))["status"] == "suppressed").to_numpy()
    assert not (p_low & ~s_high).any()


@FAST
@given(st.lists(st.tuples(st.sampled_from(["share", "mean", "median", "total", "coefficient"]),
                          st.one_of(st.just(np.nan), st.floats(0, 1)), st.one_of(st.just(np.nan), st.floats(0, 1)),
                          st.sampled_from([0, 1, 2, 5, 7, 9, 10, 12, 30])), min_size=0, max_size=8))
def test_no_value_of_a_small_group_survives_disclosure_in_any_column(cells):
    """A row whose headline is missing must not publish its companions (unweighted, pooled) either."""
    rows = [{"indicator": f"i{k}", "statistic": s, "unit": "share", "domain": "all", "group": "all", "n": float(n),
             "estimate": e, "unweighted": u} for k, (s, e, u, n) in enumerate(cells)]
    res = pd.DataFrame(rows, columns=list(COLUMNS))
    for c in ("category", "note", "source", "basis", "ci_method", "unweighted_ci_method"):
        res[c] = res[c].astype("string").fillna("")
    pub = publish(res, pd.DataFrame(columns=["domain", "group", "parent_domain", "parent_group"]), Rules())
    small = pub["statistic"].isin(["share", "mean", "median"]) & (res["n"] < Rules().min_n)
    assert pub.loc[small, ["estimate", "unweighted"]].isna().all().all()

"""Multi-stage cluster designs with a finite-population correction at every stage.

R reference: ``dclus2 <- svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2)`` and the
with-replacement ``dclus2wr <- svydesign(id=~dnum+snum, weights=~pw, data=apiclus2)``, printed in
cran/survey ``tests/testoutput/api.Rout.saved`` (the ``example(api)`` run). Everything else is
checked against an independent hand computation of R's ``multistage`` recursion (per stage, the
between-unit sum of squares times the sampling fractions of the stages above).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from test_survey import (
    FIX,
    POP_SCHWIDE,
    POP_TYPES,
    _dense_domain,
    r_print_est,
    r_print_se,
)

from analysis.errors import InputError
from analysis.stats.survey import Design, by_domain, rake, svyglm, svymean, svyratio, svytotal


@pytest.fixture(scope="module")
def apiclus2() -> pd.DataFrame:
    return pd.read_csv(FIX / "rsurvey_apiclus2.csv")


@pytest.fixture(scope="module")
def dclus2(apiclus2) -> Design:
    return Design(apiclus2, "pw", cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"])


@pytest.fixture(scope="module")
def dclus2r(dclus2) -> Design:
    return rake(dclus2, {"stype": POP_TYPES, "sch.wide": POP_SCHWIDE})


def hand_multistage(data: pd.DataFrame, z: np.ndarray, stages: list[tuple[str, str | None]],
                    strata: str | None = None) -> float:
    """R's ``multistage`` recursion written out with pandas loops (independent of the module).

    ``stages``: (unit column, population-size column or None) per stage, outermost first; units
    nested in the units above; stage-1 strata from ``strata``; stage-s strata = the stage-(s-1)
    unit. Lonely units count zero (only used where R calls them self-representing or removed).
    """

    def recurse(df: pd.DataFrame, level: int) -> float:
        unit, pop = stages[level]
        totals = df.groupby(unit, sort=True)["_z"].sum()
        n = len(totals)
        N = float(df[pop].iloc[0]) if pop else np.inf
        v = 0.0
        if n > 1:
            v = (1 - n / N) * n / (n - 1) * float(((totals - totals.mean()) ** 2).sum())
        if level + 1 < len(stages) and np.isfinite(N):
            for _, sub in df.groupby(unit, sort=True):
                v += n / N * recurse(sub, level + 1)
        return v

    df = data.assign(_z=z, _h=data[strata] if strata else 0)
    return sum(recurse(g, 0) for _, g in df.groupby("_h", sort=True))


def _mean_scores(design: Design, y: str) -> np.ndarray:
    x = design.data[y].to_numpy(float)
    ok = np.isfinite(x)
    w = np.where(ok, design.w, 0.0)
    m = np.sum(w * np.where(ok, x, 0)) / w.sum()
    return w * (np.where(ok, x, 0) - m) / w.sum()


# --- R reference numbers -----------------------------------------------------------------------


def test_two_stage_design_with_fpc_reproduces_r(dclus2, apiclus2):
    # R computes these weights from the fpc; the file's pw are the same numbers
    n2 = apiclus2.groupby("dnum")["snum"].transform("nunique")
    assert apiclus2["pw"].to_numpy() == pytest.approx((757 / 40 * apiclus2["fpc2"] / n2).to_numpy(), rel=1e-9)
    m = svymean(dclus2, "api00").loc["api00"]
    assert (r_print_est(m["estimate"]), r_print_se(m["se"])) == ("670.81", "30.099")  # api.Rout.saved
    t = svytotal(dclus2, "enroll").loc["enroll"]
    assert (r_print_est(t["estimate"]), r_print_se(t["se"])) == ("2639273", "799638")
    assert (m["n"], t["n"]) == (126, 120)
    assert dclus2.n_stages == 2 and dclus2.degf == 39  # R: 40 PSUs - 1 stratum


def test_two_stage_without_fpc_is_the_with_replacement_ultimate_cluster(apiclus2):
    wr = Design(apiclus2, "pw", cluster=["dnum", "snum"])
    m = svymean(wr, "api00").loc["api00"]
    assert (r_print_est(m["estimate"]), r_print_se(m["se"])) == ("670.81", "30.712")  # dclus2wr
    t = svytotal(wr, "enroll").loc["enroll"]
    assert (r_print_est(t["estimate"]), r_print_se(t["se"])) == ("2639273", "820261")
    one = Design(apiclus2, "pw", cluster="dnum")
    assert wr.n_stages == 1 and m["se"] == pytest.approx(svymean(one, "api00")["se"].iloc[0], rel=1e-14)


# --- the recursion by hand ---------------------------------------------------------------------


def test_variance_is_the_recursion_by_hand(dclus2, apiclus2):
    z = _mean_scores(dclus2, "api00")
    v = hand_multistage(apiclus2, z, [("dnum", "fpc1"), ("snum", "fpc2")])
    assert dclus2.vcov(z[:, None])[0, 0] == pytest.approx(v, rel=1e-12)
    v1 = hand_multistage(apiclus2, z, [("dnum", "fpc1")])
    # the second stage adds (40/757) × the within-district terms; 31 of 40 districts are censuses
    assert 0 < (v - v1) / v < 0.02


def test_a_list_of_one_column_is_that_column(apiclus2):
    a = Design(apiclus2, "pw", cluster=["dnum"], fpc=["fpc1"])
    b = Design(apiclus2, "pw", cluster="dnum", fpc="fpc1")
    assert a.cluster == "dnum" and a.fpc == "fpc1"
    assert svymean(a, "api00")["se"].iloc[0] == pytest.approx(svymean(b, "api00")["se"].iloc[0], rel=1e-15)


def test_fpc_as_fractions_equals_fpc_as_population_sizes(apiclus2, dclus2):
    n2 = apiclus2.groupby("dnum")["snum"].transform("nunique")
    data = apiclus2.assign(f1=40 / apiclus2["fpc1"], f2=n2 / apiclus2["fpc2"])
    frac = Design(data, "pw", cluster=["dnum", "snum"], fpc=["f1", "f2"])
    assert svymean(frac, "api00")["se"].iloc[0] == pytest.approx(svymean(dclus2, "api00")["se"].iloc[0], rel=1e-12)


def test_census_within_every_psu_leaves_only_the_first_stage(apiclus2):
    n2 = apiclus2.groupby("dnum")["snum"].transform("nunique")
    data = apiclus2.assign(all_schools=n2)
    two = Design(data, "pw", cluster=["dnum", "snum"], fpc=["fpc1", "all_schools"])
    one = Design(data, "pw", cluster="dnum", fpc="fpc1")
    assert svymean(two, "api00")["se"].iloc[0] == pytest.approx(svymean(one, "api00")["se"].iloc[0], rel=1e-12)


def test_stage_without_fpc_is_with_replacement_as_r(apiclus2):
    # R: "stages without fpc were treated as with replacement" — a district with one sampled
    # school is then a lonely unit (not self-representing): an error by default, as R
    with pytest.warns(RuntimeWarning, match="with replacement"), pytest.raises(InputError) as err:
        svymean(Design(apiclus2, "pw", cluster=["dnum", "snum"], fpc="fpc1"), "api00")
    assert "\n" not in str(err.value) and "single sampled stage-2 unit" in str(err.value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        d = Design(apiclus2, "pw", cluster=["dnum", "snum"], fpc="fpc1", lonely_psu="remove")
        se = svymean(d, "api00")["se"].iloc[0]
    z = _mean_scores(d, "api00")
    assert se**2 == pytest.approx(hand_multistage(apiclus2, z, [("dnum", "fpc1"), ("snum", None)]), rel=1e-12)


def test_first_stage_strata_and_per_stage_strata_by_hand():
    rng = np.random.default_rng(7)
    rows = []
    for h, n_psu, N_psu in (("A", 3, 10), ("B", 4, 12)):
        for c in range(n_psu):
            m = int(rng.integers(2, 5))
            for u in range(m):
                rows.append({"h": h, "psu": c, "ssu": u, "N1": N_psu, "N2": m + int(rng.integers(0, 4)),
                             "g": "x" if u % 2 else "y"})
    df = pd.DataFrame(rows)
    df["N2"] = df.groupby(["h", "psu"])["N2"].transform("first")
    df["y"] = rng.normal(50, 10, len(df))
    df["w"] = rng.uniform(1, 3, len(df))
    d = Design(df, "w", strata="h", cluster=["psu", "ssu"], fpc=["N1", "N2"])
    z = _mean_scores(d, "y")
    v = hand_multistage(df, z, [("psu", "N1"), ("ssu", "N2")], strata="h")
    assert svymean(d, "y")["se"].iloc[0] ** 2 == pytest.approx(v, rel=1e-12)
    assert d.degf == 7 - 2
    # per-stage strata (R strata=~h+g): within each PSU, second-stage units stratified by g
    df2 = df.assign(N2g=df.groupby(["h", "psu", "g"])["ssu"].transform("size") + 1)
    ds = Design(df2, "w", strata=["h", "g"], cluster=["psu", "ssu"], fpc=["N1", "N2g"], lonely_psu="remove")
    zz = _mean_scores(ds, "y")
    want = 0.0
    frame = df2.assign(_z=zz)
    for _h, gh in frame.groupby("h"):
        t1 = gh.groupby("psu")["_z"].sum()
        n1, N1 = len(t1), gh["N1"].iloc[0]
        want += (1 - n1 / N1) * n1 / (n1 - 1) * ((t1 - t1.mean()) ** 2).sum()
        for _, gc in gh.groupby("psu"):
            for _, gs in gc.groupby("g"):
                t2 = gs.groupby("ssu")["_z"].sum()
                m, M = len(t2), gs["N2g"].iloc[0]
                if m > 1:
                    want += n1 / N1 * (1 - m / M) * m / (m - 1) * ((t2 - t2.mean()) ** 2).sum()
    assert svymean(ds, "y")["se"].iloc[0] ** 2 == pytest.approx(want, rel=1e-12)


def test_lonely_adjust_at_the_second_stage_centres_at_the_psu_mean():
    # one PSU holds two second-stage strata, one of them with a single unit sampled of 3
    df = pd.DataFrame({"psu": [1, 1, 1, 2, 2, 3, 3], "ssu": [1, 2, 3, 1, 2, 1, 2],
                       "g": ["a", "a", "b", "a", "a", "a", "a"], "y": [1.0, 4.0, 9.0, 2.0, 6.0, 3.0, 5.0],
                       "N1": 6, "N2": [3, 3, 3, 4, 4, 2, 2]})
    df1 = df.assign(h=1)
    with pytest.raises(InputError, match="single sampled stage-2 unit"):
        svytotal(Design(df1, strata=["h", "g"], cluster=["psu", "ssu"], fpc=["N1", "N2"]), "y")
    d = Design(df1, strata=["h", "g"], cluster=["psu", "ssu"], fpc=["N1", "N2"], lonely_psu="adjust")
    se = svytotal(d, "y")["se"].iloc[0]
    t1 = df.groupby("psu")["y"].sum()
    v = (1 - 3 / 6) * 3 / 2 * ((t1 - t1.mean()) ** 2).sum()
    # PSU 1: stratum a = units 1, 2 (2 of 3); stratum b = unit 3 alone (1 of 3): centred at the
    # PSU's mean unit total (1 + 4 + 9)/3, factor (1 - 1/3) without n/(n-1)
    v += 3 / 6 * ((1 - 2 / 3) * 2 * ((1 - 2.5) ** 2 + (4 - 2.5) ** 2) + (1 - 1 / 3) * (9 - 14 / 3) ** 2)
    v += 3 / 6 * (1 - 2 / 4) * 2 * ((2 - 4) ** 2 + (6 - 4) ** 2)  # PSU 2; PSU 3 is a census
    assert se**2 == pytest.approx(v, rel=1e-12)


# --- calibration, domains, models on a two-stage design ----------------------------------------


def test_raking_a_two_stage_design_uses_residuals_then_the_recursion(dclus2r, apiclus2):
    assert dclus2r.data.groupby("stype")[dclus2r.weights].sum().to_dict() == pytest.approx(POP_TYPES, rel=1e-10)
    w = dclus2r.w
    x = apiclus2["api00"].to_numpy(float)
    m = np.sum(w * x) / w.sum()
    z = w * (x - m) / w.sum()
    e = dclus2r.calibration.residualize(z / w)[:, 0] * w  # regression on the margins, original weights
    v = hand_multistage(apiclus2, e, [("dnum", "fpc1"), ("snum", "fpc2")])
    r = svymean(dclus2r, "api00").loc["api00"]
    assert r["estimate"] == pytest.approx(m, rel=1e-12) and r["se"] ** 2 == pytest.approx(v, rel=1e-10)
    two_stage = Design(apiclus2, "pw", cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    assert r["se"] < svymean(two_stage, "api00")["se"].iloc[0]


@pytest.mark.parametrize("which", ["dclus2", "dclus2r"])
def test_by_domain_on_a_two_stage_design_equals_zero_scores(which, request):
    design = request.getfixturevalue(which)
    out = by_domain(design, "api00", ["stype"])
    for _, r in out.iterrows():
        mask = (design.data["stype"] == r["stype"]).to_numpy()
        m, se = _dense_domain(design, "api00", mask)
        assert r["estimate"] == pytest.approx(m, rel=1e-12) and r["se"] == pytest.approx(se, rel=1e-8)


def test_intercept_only_model_and_ratio_reduce_to_the_mean(dclus2):
    mean = svymean(dclus2, "api00").loc["api00"]
    glm = svyglm("api00 ~ 1", dclus2).iloc[0]
    assert glm["estimate"] == pytest.approx(mean["estimate"], rel=1e-12)
    assert glm["se"] == pytest.approx(mean["se"], rel=1e-10)
    ratio = svyratio(Design(dclus2.data.assign(one=1.0), "pw", cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"]),
                     "api00", "one").iloc[0]
    assert (ratio["estimate"], ratio["se"]) == pytest.approx((mean["estimate"], mean["se"]), rel=1e-12)


# --- what is refused ---------------------------------------------------------------------------


def test_multistage_specification_errors_are_one_line(apiclus2):
    bad = {
        "more fpc columns": {"cluster": "dnum", "fpc": ["fpc1", "fpc2"]},
        "more strata columns": {"strata": ["stype", "sch.wide"], "cluster": "dnum"},
        "column is missing": {"cluster": ["dnum", "school"]},
        "list of column names": {"cluster": 5},
    }
    for what, kw in bad.items():
        with pytest.raises(InputError) as err:
            Design(apiclus2, "pw", **kw)
        assert "\n" not in str(err.value), what
    with pytest.raises(InputError, match="mixes sampling fractions"):
        svymean(Design(apiclus2.assign(f=0.05), "pw", cluster=["dnum", "snum"], fpc=["fpc1", "f"]), "api00")
    with pytest.raises(InputError, match="varies within the stage-1 unit"):
        varying = apiclus2.assign(fpc2=apiclus2["fpc2"] + np.arange(len(apiclus2)) % 2)
        svymean(Design(varying, "pw", cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"]), "api00")
    with pytest.raises(InputError, match="smaller than the number of sampled units") as err:
        svymean(Design(apiclus2.assign(fpc2=1), "pw", cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"]), "api00")
    assert "stage 2" in str(err.value) and "row" in str(err.value)
    with pytest.raises(InputError, match="identifier is empty"):
        Design(apiclus2.assign(snum=apiclus2["snum"].where(apiclus2.index != 3)), "pw", cluster=["dnum", "snum"])

"""Ratio estimator ``svyratio`` against R survey's printed output.

R references (cran/survey 4.5):
- ``svyratio(~api.stu, ~enroll, dclus1)`` → ratio 0.8497087, SE 0.008386297, and on
  ``subset(dclus1, stype == "H")`` → 0.8300683, SE 0.01472607 (vignette ``survey.Rnw``, printed in
  ``inst/doc/survey.pdf``; R prints ratios with 7 significant digits);
- ``predict(svyratio(~api.stu, ~enroll, dstrat, separate=FALSE), total=3811472)`` → total 3190038,
  se 29565.98 (``tests/testoutput/caleg.Rout.save``; 3,811,472 = ``sum(apipop$enroll, na.rm=TRUE)``,
  printed in ``api.Rout.saved``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from test_survey import FIX, r_format

from analysis.errors import InputError
from analysis.stats.survey import Design, svymean, svyratio

TOTAL_ENROLL = 3811472  # R: sum(apipop$enroll, na.rm=TRUE)


@pytest.fixture(scope="module")
def dclus1() -> Design:
    return Design(pd.read_csv(FIX / "rsurvey_apiclus1.csv"), "pw", cluster="dnum", fpc="fpc")


@pytest.fixture(scope="module")
def dstrat() -> Design:
    return Design(pd.read_csv(FIX / "rsurvey_apistrat.csv"), "pw", strata="stype", fpc="fpc")


def test_cluster_ratio_reproduces_r(dclus1):
    r = svyratio(dclus1, "api.stu", "enroll")
    assert list(r.columns) == ["numerator", "denominator", "estimate", "se", "ci_low", "ci_high", "n"]
    row = r.iloc[0]
    assert (row["numerator"], row["denominator"], row["n"]) == ("api.stu", "enroll", 183)
    assert (r_format([row["estimate"]], 7), r_format([row["se"]], 7)) == (["0.8497087"], ["0.008386297"])
    data = dclus1.data
    assert row["estimate"] == pytest.approx((data["api.stu"] * data["pw"]).sum() / (data["enroll"] * data["pw"]).sum(),
                                            rel=1e-12)
    z = norm.ppf(0.975)  # R confint() of a ratio: normal quantile
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((row["estimate"] - z * row["se"],
                                                             row["estimate"] + z * row["se"]), rel=1e-12)


def test_domain_ratio_reproduces_r_subset(dclus1):
    # R's subset(dclus1, stype == "H") keeps every district in the variance: the same as zero scores
    h = (dclus1.data["stype"] == "H").astype(float)
    data = dclus1.data.assign(num=dclus1.data["api.stu"] * h, den=dclus1.data["enroll"] * h)
    row = svyratio(Design(data, "pw", cluster="dnum", fpc="fpc"), "num", "den").iloc[0]
    assert (r_format([row["estimate"]], 7), r_format([row["se"]], 7)) == (["0.8300683"], ["0.01472607"])


def test_stratified_ratio_estimate_of_a_total_reproduces_r(dstrat):
    row = svyratio(dstrat, "api.stu", "enroll").iloc[0]
    assert r_format([row["estimate"] * TOTAL_ENROLL], 7) == ["3190038"]
    assert r_format([row["se"] * TOTAL_ENROLL], 7) == ["29565.98"]


def test_denominator_of_ones_is_the_mean_and_missing_values_are_left_out(dstrat):
    data = dstrat.data.assign(one=1.0)
    data.loc[data.index[:7], "api00"] = np.nan
    d = Design(data, "pw", strata="stype", fpc="fpc")
    r = svyratio(d, "api00", "one").iloc[0]
    m = svymean(d, "api00").loc["api00"]
    assert (r["estimate"], r["se"], r["n"]) == (pytest.approx(m["estimate"], rel=1e-12),
                                                pytest.approx(m["se"], rel=1e-12), 193)


def test_several_numerators_and_denominators(dclus1):
    both = svyratio(dclus1, ["api.stu", "api00"], ["enroll", "meals"])
    assert list(zip(both["numerator"], both["denominator"])) == [
        ("api.stu", "enroll"), ("api00", "enroll"), ("api.stu", "meals"), ("api00", "meals")]
    for _, row in both.iterrows():
        one = svyratio(dclus1, row["numerator"], row["denominator"]).iloc[0]
        assert (row["estimate"], row["se"]) == pytest.approx((one["estimate"], one["se"]), rel=1e-12)


def test_ratio_errors_are_one_line(dclus1):
    data = dclus1.data.assign(zero=0.0, text="x")
    d = Design(data, "pw", cluster="dnum", fpc="fpc")
    for args, words in ((("api00", "zero"), "zero"), (("api00", "text"), "not numeric"),
                        (("api00", "nothing"), "missing")):
        with pytest.raises(InputError, match=words) as err:
            svyratio(d, *args)
        assert "\n" not in str(err.value) and f"'{args[1]}'" in str(err.value)

"""Binomial svyglm models P(response is true / "yes" / 1) whatever the response's dtype.

R reference: the survey package vignette (``vignettes/survey.Rnw``, printed in ``inst/doc/survey.pdf``
of cran/survey 4.5): ``svyglm(I(sch.wide=="Yes") ~ ell + meals, design=dclus1,
family=quasibinomial())`` prints Estimate 1.899557, 0.039925, −0.019115; Std. Error 0.509915,
0.012443, 0.008825; t 3.725, 3.209, −2.166; Pr(>|t|) 0.00290, 0.00751, 0.05117.
Before this test a bool response silently modelled P(False) (every sign flipped) and a pandas
nullable boolean raised a bare TypeError.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from test_survey import FIX, r_coefmat, r_format

from analysis.errors import InputError
from analysis.stats.survey import Design, svyglm

R_EST = ["1.899557", "0.039925", "-0.019115"]
R_SE = ["0.509915", "0.012443", "0.008825"]
FORMULA = "{} ~ ell + meals"


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    d = pd.read_csv(FIX / "rsurvey_apiclus1.csv").rename(columns={"sch.wide": "sch_wide"})
    yes = d["sch_wide"] == "Yes"
    return d.assign(
        as_bool=yes,
        as_boolean=pd.array(yes, dtype="boolean"),
        as_int=yes.astype(int),
        as_float=yes.astype(float),
        as_cat=pd.Categorical(d["sch_wide"], categories=["No", "Yes"]),
        as_object_bool=yes.astype(object),
    )


def _design(d: pd.DataFrame) -> Design:
    return Design(d, "pw", cluster="dnum", fpc="fpc")


def _print_table(out: pd.DataFrame) -> tuple:
    est, se = r_coefmat(out["estimate"], out["se"])
    t = r_format(np.round(out["estimate"] / out["se"], 3), 4)
    return est, se, t, r_format(out["p_value"], 3)


def test_two_level_string_with_positive_reproduces_r(data):
    out = svyglm(FORMULA.format("sch_wide"), _design(data), family="binomial", positive="Yes")
    assert _print_table(out) == (R_EST, R_SE, ["3.725", "3.209", "-2.166"], ["0.00290", "0.00751", "0.05117"])
    assert out.attrs["df_resid"] == 15 - 1 - 3 + 1 and (out["n"] == 183).all()
    assert out.attrs["positive"] == "Yes"


@pytest.mark.parametrize("column", ["as_bool", "as_boolean", "as_int", "as_float", "as_object_bool"])
def test_every_true_false_dtype_gives_r_s_coefficients(data, column):
    out = svyglm(FORMULA.format(column), _design(data), family="binomial")
    assert r_coefmat(out["estimate"], out["se"]) == (R_EST, R_SE)  # signs as R: P(True)
    xy = svyglm(None, _design(data), X=sm.add_constant(data[["ell", "meals"]]), y=data[column], family="binomial")
    assert xy["estimate"].to_numpy() == pytest.approx(out["estimate"].to_numpy(), rel=1e-10)
    assert xy["se"].to_numpy() == pytest.approx(out["se"].to_numpy(), rel=1e-10)


@pytest.mark.parametrize("lhs,positive", [("sch_wide", "Yes"), ("as_cat", "Yes"), ('Q("sch_wide")', "Yes"),
                                          ('I(sch_wide == "Yes")', None)])
def test_strings_categoricals_quoted_names_and_expressions(data, lhs, positive):
    out = svyglm(FORMULA.format(lhs), _design(data), family="binomial", positive=positive)
    assert r_coefmat(out["estimate"], out["se"]) == (R_EST, R_SE)


def test_positive_level_false_or_no_flips_every_sign(data):
    yes = svyglm(FORMULA.format("as_bool"), _design(data), family="binomial")
    for lhs, pos in (("as_bool", False), ("as_int", 0), ("sch_wide", "No")):
        no = svyglm(FORMULA.format(lhs), _design(data), family="binomial", positive=pos)
        assert no["estimate"].to_numpy() == pytest.approx(-yes["estimate"].to_numpy(), rel=1e-8)
        assert no["se"].to_numpy() == pytest.approx(yes["se"].to_numpy(), rel=1e-8)


def test_missing_nullable_boolean_rows_leave_the_model_but_not_the_design(data):
    nb = data["as_boolean"].copy()
    nb[[0, 5, 17, 60, 140]] = pd.NA
    d = data.assign(nb=nb)
    out = svyglm(FORMULA.format("nb"), _design(d), family="binomial")
    xy = svyglm(None, _design(d), X=sm.add_constant(d[["ell", "meals"]]), y=d["nb"], family="binomial")
    # the same as giving those rows weight 0: their districts stay in the variance (score 0)
    zero = d.assign(pw0=np.where(nb.isna(), 0.0, d["pw"]), filled=nb.fillna(False).astype(bool))
    ref = svyglm(FORMULA.format("filled"), Design(zero, "pw0", cluster="dnum", fpc="fpc"), family="binomial")
    for res in (out, xy):
        assert (res["n"] == 178).all()
        assert res["estimate"].to_numpy() == pytest.approx(ref["estimate"].to_numpy(), rel=1e-7)
        assert res["se"].to_numpy() == pytest.approx(ref["se"].to_numpy(), rel=1e-6)


def test_unusable_binomial_responses_are_one_line_errors(data):
    d = _design(data.assign(three=data["stype"], counts=data["ell"]))
    cases = {
        "sch_wide": (None, ["'No'", "'Yes'", "positive="]),  # two levels, no positive
        "three": (None, ["not 3", "'E'", "'H'", "'M'"]),
        "counts": (None, ["0/1"]),
        "as_int": (2, ["positive=2"]),
        "as_bool": ("Yes", ["positive='Yes'"]),
    }
    for column, (positive, words) in cases.items():
        with pytest.raises(InputError) as err:
            svyglm(FORMULA.format(column), d, family="binomial", positive=positive)
        msg = str(err.value)
        assert "\n" not in msg and f"'{column}'" in msg and all(w in msg for w in words), msg
    with pytest.raises(InputError, match="'No', 'Yes'") as err:
        svyglm(None, d, X=sm.add_constant(data[["ell"]]), y=data["sch_wide"], family="binomial")
    assert "'sch_wide'" in str(err.value)
    with pytest.raises(InputError, match="positive='Maybe'"):
        svyglm(FORMULA.format("sch_wide"), d, family="binomial", positive="Maybe")
    with pytest.raises(InputError, match="not numeric"):
        svyglm(FORMULA.format("three"), d)
    with pytest.raises(ValueError, match="family='binomial' only"):
        svyglm(FORMULA.format("api00"), d, positive=1)


def test_boolean_response_of_a_linear_model_is_its_0_1_value(data):
    a = svyglm("as_boolean ~ ell", _design(data))
    b = svyglm("as_float ~ ell", _design(data))
    assert a["estimate"].to_numpy() == pytest.approx(b["estimate"].to_numpy(), rel=1e-12)

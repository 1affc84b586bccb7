"""Time to first job (reference: R survival's survfit on a hand-made example; R survival/cmprsk values shipped in
statsmodels' tests)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.stats.survival import cox, cumulative_incidence, kaplan_meier, logrank, median_time

TIME = [3, 1, 2, 3, 2, 1, 5, 3]
EVENT = [0, 1, 1, 1, 0, 0, 1, 0]
# a second group (R survfit, quoted in statsmodels' test_survfunc.py)
TIME2 = [1, 1, 2, 3, 7, 1, 5, 3, 9]
EVENT2 = [0, 1, 0, 0, 1, 0, 1, 0, 1]


def test_kaplan_meier_reference():
    km = kaplan_meier(TIME, EVENT)
    assert km["time"].tolist() == [1, 2, 3, 5]
    assert km["survival"].to_numpy() == pytest.approx([0.8750000, 0.7291667, 0.5468750, 0.0], abs=5e-8)
    assert km["se"].to_numpy()[:3] == pytest.approx([0.1169268, 0.1649762, 0.2005800], abs=5e-8)
    assert np.isnan(km["se"].iloc[3])  # S = 0: no Greenwood SE (R: NaN)
    assert km["n_risk"].tolist() == [8, 6, 4, 1]
    assert km["n_event"].tolist() == [1, 1, 1, 1] and km["n_censor"].tolist() == [1, 1, 2, 0]


def test_kaplan_meier_log_interval_by_hand():
    km = kaplan_meier(TIME, EVENT)
    s, se = km["survival"].iloc[0], km["se"].iloc[0]
    # R conf.type = "log": S·exp(±1.96·se/S), capped at 1
    assert km["ci_low"].iloc[0] == pytest.approx(s * np.exp(-1.959963984540054 * se / s))
    assert km["ci_high"].iloc[0] == 1.0


def test_kaplan_meier_by_group_matches_separate_fits():
    km = kaplan_meier(TIME + TIME2, EVENT + EVENT2, group=["a"] * 8 + ["b"] * 9)
    b = km[km["group"] == "b"]
    ev = b[b["n_event"] > 0]  # R prints event times only
    assert ev["time"].tolist() == [1, 5, 7, 9]
    assert ev["survival"].to_numpy() == pytest.approx([0.8888889, 0.5925926, 0.2962963, 0.0], abs=5e-8)
    assert ev["se"].to_numpy()[:3] == pytest.approx([0.1047566, 0.2518034, 0.2444320], abs=5e-8)
    assert ev["n_risk"].tolist() == [9, 3, 2, 1]
    a = km[km["group"] == "a"].drop(columns="group").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, kaplan_meier(TIME, EVENT))


def test_median_time():
    assert median_time(kaplan_meier(TIME, EVENT)) == 5
    assert np.isnan(median_time(kaplan_meier([1, 2, 3, 4], [1, 0, 0, 0])))  # S stays at 0.75


def test_logrank_reference():
    res = logrank(TIME + TIME2, EVENT + EVENT2, [0] * 8 + [1] * 9)
    # R survdiff: chisq 2.14673, p 0.14287
    assert res["statistic"] == pytest.approx(2.14673, abs=1e-5)
    assert res["p_value"] == pytest.approx(0.14287, abs=1e-5)
    tab = res["table"]
    assert tab["observed"].sum() == pytest.approx(tab["expected"].sum())
    assert tab["n"].tolist() == [8, 9] and res["df"] == 1


def test_cumulative_incidence_reference():
    # R cmprsk::cuminc(ftime, fstat) point estimates; SEs agree with Stata stcompet
    ftime = [1, 1, 2, 4, 4, 4, 6, 6, 7, 8, 9, 9, 9, 1, 2, 2, 4, 4]
    fstat = [1, 1, 1, 2, 2, 2, 3, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    ci = cumulative_incidence(ftime, fstat, causes=(1, 2, 3))
    assert ci["cif_1"].to_numpy() == pytest.approx([0.11111111, 0.17037037] + [0.17037037] * 5, abs=1e-8)
    assert ci["cif_2"].to_numpy() == pytest.approx([0, 0] + [0.20740741] * 5, abs=1e-8)
    assert ci["cif_3"].to_numpy() == pytest.approx([0, 0, 0, 0.17777778] + [0.26666667] * 3, abs=1e-8)
    assert ci["se_1"].to_numpy() == pytest.approx([0.07407407] + [0.08976251] * 6, abs=1e-8)
    assert ci["se_3"].to_numpy() == pytest.approx([0, 0, 0, 0.11196147] + [0.12787781] * 3, abs=1e-8)


def test_competing_risks_identities():
    rng = np.random.default_rng(3)
    t = rng.integers(0, 12, 200)
    e = rng.choice([0, 1, 2], 200, p=[0.3, 0.5, 0.2])
    ci = cumulative_incidence(t, e)
    # every graduate is in exactly one of: no outcome yet, job, further study
    assert (ci["event_free"] + ci["cif_1"] + ci["cif_2"]).to_numpy() == pytest.approx(1.0)
    assert np.all(np.diff(ci["cif_1"]) >= 0)
    # treating further study as censoring overstates the job curve (the reason not to do it)
    km = kaplan_meier(t, (e == 1).astype(int))
    assert np.all(1 - km["survival"].to_numpy() >= ci["cif_1"].to_numpy() - 1e-12)
    # with no competing outcome, CIF = 1 - KM
    e1 = np.where(e == 2, 0, e)
    ci1 = cumulative_incidence(t, e1, causes=(1,))
    km1 = kaplan_meier(t, e1)
    assert ci1["cif_1"].to_numpy() == pytest.approx(1 - km1["survival"].to_numpy())
    assert (ci["ci_low_1"] <= ci["cif_1"]).all() and (ci["cif_1"] <= ci["ci_high_1"]).all()


def test_cox_reference_from_r():
    import statsmodels

    path = Path(statsmodels.__file__).parent / "duration" / "tests" / "results" / "survival_data_50_2.csv"
    if not path.exists():
        pytest.skip("statsmodels test data not installed")
    df = pd.read_csv(path, sep=" ", header=None, names=["time", "status", "entry", "x1", "x2"])
    # R coxph(Surv(time, status) ~ exog) as stored in statsmodels' survival_r_results.py
    efr = cox(df, "time", "status", ["x1", "x2"]).set_index("term")
    assert efr["estimate"].to_numpy() == pytest.approx([-0.6107485, 0.5309737], abs=1e-6)
    assert efr["se"].to_numpy() == pytest.approx([0.2177713, 0.2440535], abs=1e-6)
    bre = cox(df, "time", "status", "x1 + x2", ties="breslow")
    assert bre["estimate"].to_numpy() == pytest.approx([-0.5935189, 0.5035724], abs=1e-6)
    assert efr["hazard_ratio"].to_numpy() == pytest.approx(np.exp(efr["estimate"].to_numpy()))
    assert efr.attrs["diagnostics"]["n_events"] == int(df["status"].sum())
    assert (efr["n"] == 50).all()


def test_bad_survival_input_is_one_line():
    with pytest.raises(InputError) as err:
        kaplan_meier([1, -2, 3], [1, 0, 1])
    assert "row 3" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(InputError, match="event code"):
        kaplan_meier([1, 2], [1, 2])
    with pytest.raises(InputError, match="two groups"):
        logrank([1, 2], [1, 0], ["a", "a"])

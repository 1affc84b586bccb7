"""The model stage (analysis.pipeline.estimation.run_models) and the report's table building, on hand-made data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.core.config import config_from_dict


def _cfg(tmp_path, **kw):
    data = {"cohort": "hand-2025", "graduation_year": 2025, "project_root": str(tmp_path),
            "inputs": [{"path": "r.csv", "instrument": "registry", "format": "registry_csv"}]}
    data.update(kw)
    return config_from_dict(data)


def _graduates(n: int = 300, seed: int = 5) -> pd.DataFrame:
    """A cohort of two faculties (three programmes), labour status for the phase-2 respondents."""
    rng = np.random.default_rng(seed)
    prog = rng.choice(["F1-A", "F1-B", "F2-C"], n, p=[0.5, 0.42, 0.08])
    g = pd.DataFrame({"pid": [f"G-{i:04d}" for i in range(n)], "programme": prog,
                      "faculty": np.where(pd.Series(prog).str.startswith("F1"), "F1", "F2"),
                      "sex": rng.choice(["female", "male"], n), "level": "bachelor", "funding": "state"})
    g["resp_p1"] = pd.array(rng.random(n) < 0.8, dtype="boolean")
    g["resp_p2"] = pd.array(rng.random(n) < 0.6, dtype="boolean")
    status = rng.choice(["employed", "unemployed", "olf_study", "olf_other"], n, p=[0.6, 0.15, 0.15, 0.1])
    g["labour_status"] = pd.Series(status).where(g["resp_p2"].to_numpy(bool))
    g["in_labour_force"] = pd.array(np.where(g["labour_status"].isna(), None,
                                             g["labour_status"].isin(["employed", "unemployed"])), dtype="boolean")
    g["employed"] = pd.array(np.where(g["labour_status"].isna(), None, g["labour_status"] == "employed"),
                             dtype="boolean")
    g["outcome_known"] = g["resp_p2"]
    return g


def test_run_models_writes_one_results_table_and_its_published_version(tmp_path):
    from analysis.pipeline.estimation import run_models

    cfg = _cfg(tmp_path)
    out = run_models(_graduates(), cfg, tmp_path / "results")
    est = pd.read_parquet(tmp_path / "results" / "estimates.parquet")
    pub = pd.read_parquet(tmp_path / "results" / "published.parquet")
    assert len(est) == len(pub) and list(est.columns)[:5] == ["indicator", "statistic", "unit", "domain", "group"]
    e = est.set_index(["indicator", "domain", "group", "category"])
    # the employment rate: weighted (raked to faculty × sex and level), unweighted as a check
    emp = e.loc[("employment_rate", "all", "all", "")]
    g = _graduates()
    resp = g[g["resp_p2"].to_numpy(bool)]
    assert emp["n"] == len(resp) and emp["x"] == (resp["labour_status"] == "employed").sum()
    assert emp["basis"] == "weighted" and emp["unweighted"] == pytest.approx(emp["x"] / emp["n"])
    # census: the response rate is exact
    assert e.loc[("response_rate_p2", "all", "all", ""), "basis"] == "census"
    # questions the cohort lacks are "not measured", not zero
    assert e.loc[("median_monthly_income", "all", "all", ""), "note"] == "not measured"
    # the small programme F2-C is suppressed, and so is something that would give it away
    p = pub.set_index(["indicator", "domain", "group", "category"])
    c = p.loc[("employment_rate", "programme", "F2-C", "")]
    assert c["status"] == "suppressed" and np.isnan(c["estimate"])
    assert out["disclosure"].set_index("status").loc["suppressed", "cells"] > 0
    diag = json.loads((tmp_path / "results" / "weights.json").read_text())
    assert diag["p2"]["respondents"] == len(resp) and diag["p2"]["margins_used"] == [["faculty", "sex"], ["level"]]


def test_model_failures_are_recorded_not_raised(tmp_path):
    from analysis.pipeline.estimation import run_models

    run_models(_graduates(), _cfg(tmp_path), tmp_path / "results")
    pub = pd.read_parquet(tmp_path / "results" / "published.parquet")
    failed = pub[pub["indicator"].str.startswith("model:") & pub["note"].str.startswith("failed")]
    assert len(failed) >= 1  # the hand-made cohort lacks the models' variables


# ----------------------------------------------------------------- the report's table building
def _report(tmp_path, rows: list[dict], **cfg_kw):
    from analysis.publish.report import Report
    from analysis.results.table import COLUMNS

    cfg = _cfg(tmp_path, **cfg_kw)
    pub = pd.DataFrame(rows)
    for col in COLUMNS:
        if col not in pub.columns:
            pub[col] = "" if col in ("category", "note", "source") else np.nan
    pub["status"] = pub.get("status", "published")
    rep = Report(cfg=cfg, lang="en")
    rep.__dict__["published"] = pub
    return rep


def _row(group, est, n, status="published", **kw):
    return {"indicator": "employment_rate", "statistic": "share", "unit": "share", "domain": "faculty",
            "group": group, "n": n, "estimate": est, "ci_low": est - 0.05, "ci_high": est + 0.05,
            "unweighted": est + 0.01, "basis": "weighted", "ci_method": "wilson_neff", "status": status,
            "rule": "" if status == "published" else "pct_base", **kw}


def test_indicator_table_shows_the_weighted_estimate_its_interval_and_the_unweighted_check(tmp_path):
    rep = _report(tmp_path, [_row("AGRI", 0.6125, 100), _row("LAW", np.nan, 15, "suppressed")])
    rep.labels.value = lambda domain, code: code  # labels come from the questionnaires elsewhere
    t = rep.indicator_table("employment_rate", "faculty")
    assert t.columns.tolist() == ["Faculty", "n", "Share, %", "95% interval", "Unweighted (check)"]
    assert t.iloc[0].tolist() == ["AGRI", "100", "61.3%", "56.3–66.3", "62.3%"]  # half up: 61.25 → 61.3
    assert t.iloc[1].tolist()[2:] == ["..", "..", ".."]
    # the main sections show no check column; the caption names the indicator and the breakdown
    assert rep.indicator_table("employment_rate", "faculty", check=False).columns.tolist() == [
        "Faculty", "n", "Share, %", "95% interval"]
    assert rep.caption("employment_rate", "faculty") == "Employment rate (ILO), by faculty"
    assert rep.denominator("employment_rate") == "% of phase-2 respondents"


def test_report_labels_follow_the_configured_confidence(tmp_path):
    rep = _report(tmp_path, [_row("AGRI", 0.6, 100)], confidence=0.90)
    rep.labels.value = lambda domain, code: code
    assert "90% interval" in rep.indicator_table("employment_rate", "faculty").columns

"""End to end: what is published is what the results layer verified — one table, one disclosure pass with
its attack check, the cohort's settings everywhere, numbers that are reproducible."""

from __future__ import annotations

import pandas as pd
import pytest

pytestmark = pytest.mark.slow

COHORT = "tiny-2025"  # the session cohort of tests/end_to_end/conftest.py


def _published(proj) -> pd.DataFrame:
    return pd.read_parquet(proj / "data" / "processed" / COHORT / "results" / "published.parquet")


def test_the_published_table_passes_its_own_attack_and_hides_suppressed_values(run):
    from analysis.publish.disclosure import check_publication
    from analysis.results.families import ALIASES, DISTRIBUTIONS

    proj, _, _ = run
    pub = _published(proj)
    hier = pd.read_parquet(proj / "data" / "processed" / COHORT / "results" / "hierarchy.parquet")
    check_publication(pub, hier, distributions=DISTRIBUTIONS, aliases=ALIASES)
    sup = pub[pub["status"] == "suppressed"]
    assert len(sup) > 0 and (sup["rule"] != "").all()
    assert sup[["estimate", "ci_low", "ci_high", "unweighted", "pooled"]].isna().all().all()
    assert (pub["n"].dropna() % 5 == 0).all() and "x" not in pub.columns
    assert (sup["rule"] == "secondary").any(), "a 240-graduate cohort needs secondary suppression somewhere"


def test_headline_is_the_design_based_weighted_estimate_with_its_interval(run):
    proj, _, _ = run
    pub = _published(proj).set_index(["indicator", "domain", "group", "category"])
    emp = pub.loc[("employment_rate", "all", "all", "")]
    assert emp["basis"] == "weighted" and emp["ci_method"] == "wilson_neff"
    assert emp["ci_low"] < emp["estimate"] < emp["ci_high"] and emp["se"] > 0
    html = (proj / "reports" / COHORT / "report.en.html").read_text(encoding="utf-8")
    from analysis.publish.formatting import format_pct

    assert format_pct(100 * emp["estimate"], "en") in html  # the headline shown is the weighted one
    assert "95% interval" in html


def test_a_planted_recoverable_cell_stops_the_model_stage(run, monkeypatch):
    from analysis.pipeline import stages
    from analysis.publish import disclosure
    from analysis.publish.disclosure import DisclosureError

    proj, _, _ = run
    monkeypatch.setattr(disclosure, "secondary_suppression", lambda results, sup, margins: sup)  # plant
    cfg = stages.config_for(COHORT, str(proj))
    with pytest.raises(DisclosureError) as err:
        stages.model(cfg)
    assert "\n" not in str(err.value) and "can be recovered by subtraction" in str(err.value)
    monkeypatch.undo()
    stages.model(cfg)  # restore the published table for the other tests


def test_confidence_090_changes_every_interval_and_label(run, monkeypatch):
    from analysis.pipeline import stages
    from analysis.publish import report as report_module
    from analysis.publish.sections import all_indicators

    proj, _, _ = run
    base = _published(proj)
    cfg = stages.config_for(COHORT, str(proj), confidence=0.90)
    try:
        stages.model(cfg)
        narrow = _published(proj)
        key = ["indicator", "domain", "group", "category", "time"]
        both = base.merge(narrow, on=key, suffixes=("_95", "_90"))
        both = both[both["ci_low_95"].notna() & both["ci_low_90"].notna() & (both["ci_high_95"] > both["ci_low_95"])]
        assert len(both) > 50
        assert ((both["ci_high_90"] - both["ci_low_90"]) <= (both["ci_high_95"] - both["ci_low_95"]) + 1e-12).all()
        assert (narrow["confidence"] == 0.90).all()
        monkeypatch.setattr(report_module, "_show", lambda obj: None)
        rep = report_module.Report.load(cfg, "en")
        all_indicators.render(rep)
        text = rep.text()
        assert "90% interval" in text and "95%" not in text
    finally:
        stages.model(stages.config_for(COHORT, str(proj)))


def test_results_are_reproducible(run):
    from analysis.pipeline import stages

    proj, _, _ = run
    before = (proj / "data" / "processed" / COHORT / "results" / "published.parquet").read_bytes()
    stages.model(stages.config_for(COHORT, str(proj)))
    after = (proj / "data" / "processed" / COHORT / "results" / "published.parquet").read_bytes()
    assert before == after

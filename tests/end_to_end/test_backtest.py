"""Back-tests of published numbers: the demo cohort's published weighted estimates cover the truth the
generator knows (``data/raw/demo-2025/truth.csv``), and a golden snapshot of the published table changes only
on purpose.

The stages run in process (the same functions the notebooks call) on a copy of the demo cohort in a
temporary project, so the repository's own ``data/processed`` is never touched.
Update the snapshot after an intended change with ``UPDATE_GOLDEN=1 make test ARGS=tests/end_to_end/test_backtest.py``
and say why in docs/CHANGELOG.md.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden" / "demo-2025-published.csv"
KEY = ["indicator", "domain", "group", "category", "time"]
SNAPSHOT_STATS = ("share", "mean", "median", "total", "cif")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    from analysis.pipeline import stages

    proj = tmp_path_factory.mktemp("demo")
    for folder in ("questionnaires", "expectations"):
        shutil.copytree(ROOT / folder, proj / folder, ignore=shutil.ignore_patterns("uncommitted"))
    (proj / "cohorts").mkdir()
    shutil.copy(ROOT / "cohorts" / "demo-2025.yaml", proj / "cohorts" / "demo-2025.yaml")
    shutil.copytree(ROOT / "data" / "raw" / "demo-2025", proj / "data" / "raw" / "demo-2025")
    shutil.copytree(ROOT / "data" / "raw" / "open", proj / "data" / "raw" / "open")
    cfg = stages.config_for("demo-2025", str(proj))
    stages.ingest_validate(cfg)
    stages.derive(cfg)
    stages.model(cfg)
    return proj, pd.read_parquet(proj / "data" / "processed" / "demo-2025" / "results" / "published.parquet")


def test_published_weighted_estimates_cover_the_demo_truth(demo):
    _, pub = demo
    truth = pd.read_csv(ROOT / "data" / "raw" / "demo-2025" / "truth.csv", dtype={"group": str})
    m = truth.merge(pub[pub["category"] == ""], on=["indicator", "domain", "group"], how="left")
    assert len(m) == len(truth) and m["status"].notna().all(), "every truth value has a published row"
    shown = m[m["status"] == "published"]
    assert (shown["basis"] == "weighted").all()
    covered = (shown["ci_low"] - 1e-9 <= shown["value"]) & (shown["value"] <= shown["ci_high"] + 1e-9)
    missed = shown.loc[~covered, ["indicator", "domain", "group", "value", "estimate", "ci_low", "ci_high"]]
    assert len(shown) >= 70
    assert missed.empty, f"intervals that miss the truth:\n{missed.to_string()}"
    overall = shown[shown["domain"] == "all"].set_index("indicator")
    # the headline numbers are close to the truth, not just covered by wide intervals
    assert abs(overall.loc["employment_rate", "estimate"] - overall.loc["employment_rate", "value"]) < 0.02
    assert (overall["ci_high"] - overall["ci_low"]).loc["employment_rate"] < 0.07


def _snapshot(pub: pd.DataFrame) -> pd.DataFrame:
    s = pub[pub["statistic"].isin(SNAPSHOT_STATS)][KEY + ["statistic", "n", "N", "estimate", "ci_low", "ci_high",
                                                          "unweighted", "status", "rule"]].copy()
    for c in ("estimate", "ci_low", "ci_high", "unweighted"):
        s[c] = s[c].map(lambda v: "" if pd.isna(v) else f"{v:.6g}")
    for c in ("n", "N", "time"):
        s[c] = s[c].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    return s.sort_values(KEY, kind="stable").reset_index(drop=True).fillna("")


def test_golden_snapshot_of_the_published_table_changes_only_on_purpose(demo):
    _, pub = demo
    snap = _snapshot(pub)
    if os.environ.get("UPDATE_GOLDEN") == "1" or not GOLDEN.exists():
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        snap.to_csv(GOLDEN, index=False, lineterminator="\n")
        if os.environ.get("UPDATE_GOLDEN") != "1":
            pytest.fail(f"wrote a new golden snapshot {GOLDEN.name}: commit it")
    gold = pd.read_csv(GOLDEN, dtype=str, keep_default_na=False)
    snap = snap.astype(str)
    assert list(gold.columns) == list(snap.columns)
    merged = gold.merge(snap, on=KEY, how="outer", suffixes=("_golden", "_now"), indicator=True)
    only = merged[merged["_merge"] != "both"]
    assert only.empty, f"rows added or removed:\n{only[KEY + ['_merge']].head(20).to_string()}"
    diffs = []
    for c in ("n", "N", "estimate", "ci_low", "ci_high", "unweighted", "status", "rule"):
        bad = merged[merged[f"{c}_golden"] != merged[f"{c}_now"]]
        diffs += [f"{c}: {r['indicator']} {r['domain']}={r['group']} {r['category']} "
                  f"{r[f'{c}_golden']!r} → {r[f'{c}_now']!r}" for _, r in bad.head(5).iterrows()]
    assert not diffs, "the published table changed (if on purpose: UPDATE_GOLDEN=1, and a CHANGELOG line):\n" + \
        "\n".join(diffs)
    assert np.isfinite(pd.to_numeric(gold["n"], errors="coerce").dropna()).all()


def test_the_demo_publishes_supply_demand_with_both_rules_and_a_light_for_every_programme(demo):
    _, pub = demo
    lights = pub[pub["indicator"] == "labour:light"]
    assert len(lights) == 35 and set(lights["category"]) <= {"green", "amber", "red", "grey"}
    law = lights.set_index("group").loc["LAW-JUR-B"]
    assert law["category"] == "red" and "open_data:source_oversupply" in law["note"]
    v = pub[(pub["domain"] == "isco") & pub["indicator"].isin(["labour:verdict_source", "labour:verdict_ilo"])]
    verdicts = v.set_index(["indicator", "group"])["category"]
    assert verdicts[("labour:verdict_source", "26")] == "oversupply"
    assert verdicts[("labour:verdict_ilo", "26")] == "reduce"
    assert verdicts[("labour:verdict_ilo", "25")] == "increase_intake"
    cu = pub[(pub["indicator"] == "labour:current_unemployment") & (pub["group"] == "26")].iloc[0]
    assert abs(cu["estimate"] - 680 / (5810 + 680)) < 1e-9 and "synthetic" in cu["note"]
    supply = pub[(pub["indicator"] == "labour:supply") & (pub["status"] == "published") & (pub["domain"] == "isco")]
    assert (supply["ci_low"] <= supply["estimate"]).all() and (supply["n"] >= 10).all()
    assert (pub.loc[pub["indicator"] == "opendata:table", "group"] == "ja_occupations_synthetic").sum() == 1

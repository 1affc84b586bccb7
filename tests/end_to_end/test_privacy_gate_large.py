"""The personal-data gate on a clean 10,000-graduate cohort: no false alarm, and a planted leak is
still caught — in a processed file and in an HTML report.

The cohort is generated with :mod:`analysis.demo.synthetic` into a temporary project; stages 1–2 run in
process (:mod:`analysis.pipeline.stages`), then :func:`analysis.pipeline.run.privacy_gate` scans the outputs.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

pytestmark = pytest.mark.slow

COHORT = "big-2025"
N = 10_000  # 20,000 measured once (clean, docs/performance.md); 10,000 keeps make test under 10 minutes


@pytest.fixture(scope="module")
def big(tmp_path_factory, root) -> tuple[Path, object, float]:
    from analysis.demo.synthetic import generate_cohort
    from analysis.pipeline import stages
    from analysis.pipeline.run import privacy_gate

    proj = tmp_path_factory.mktemp("project")
    for folder in ("questionnaires", "expectations"):
        shutil.copytree(root / folder, proj / folder)
    shutil.copy(root / "pyproject.toml", proj / "pyproject.toml")
    if (root / "data" / "raw" / "open").exists():
        shutil.copytree(root / "data" / "raw" / "open", proj / "data" / "raw" / "open")
    (proj / "cohorts").mkdir()
    demo = yaml.safe_load((root / "cohorts" / "demo-2025.yaml").read_text(encoding="utf-8"))
    demo["cohort"] = COHORT
    (proj / "cohorts" / f"{COHORT}.yaml").write_text(yaml.safe_dump(demo, allow_unicode=True), encoding="utf-8")
    generate_cohort(proj / "data" / "raw" / COHORT, n_graduates=N, cohort=COHORT)
    mp = pytest.MonkeyPatch()
    mp.setenv("TRACER_PROJECT_ROOT", str(proj))
    try:
        cfg = stages.config_for(COHORT, str(proj))
        stages.ingest_validate(cfg)
        stages.derive(cfg)
        t0 = time.perf_counter()
        privacy_gate(cfg)  # must not raise: the cohort is clean
        seconds = time.perf_counter() - t0
    finally:
        mp.undo()
    return proj, cfg, seconds


def test_a_clean_large_cohort_passes_the_gate(big):
    _, cfg, seconds = big
    graduates = pd.read_parquet(cfg.paths.processed / "graduates.parquet")
    assert len(graduates) == N
    print(f"privacy gate on {N} graduates: {seconds:.1f} s")


def test_no_processed_table_keeps_the_date_of_birth(big):
    _, cfg, _ = big
    tables = sorted(cfg.paths.processed.rglob("*.parquet"))
    assert tables
    for t in tables:
        assert "date_of_birth" not in pd.read_parquet(t).columns, t
    registry = pd.read_parquet(cfg.paths.validated / "registry.parquet")
    assert registry["age_at_grad"].between(17, 40).all()


def test_a_planted_phone_and_name_are_caught_in_a_processed_file_and_a_report(big):
    from analysis.pipeline.run import StageFailed, privacy_gate
    from analysis.privacy.scan import scan_for_personal_data
    from analysis.privacy.values import cohort_personal_values

    _, cfg, _ = big
    values = cohort_personal_values(cfg)
    # a name that is only a full name (at this size some graduate's full name is also someone's parent's)
    probe = cfg.paths.processed / "results" / "probe.csv"
    probe.parent.mkdir(parents=True, exist_ok=True)
    for name in values["full_name"][N // 2:N // 2 + 50]:
        probe.write_text(f"pid,note\nG-1,{name}\n", encoding="utf-8")
        if [h.kind for h in scan_for_personal_data([probe], values)] == ["full_name"]:
            break
    probe.unlink()
    phone = values["phone_mobile"][N // 3]  # +996XXXXXXXXX, written the local way below
    local = f"0{phone[4:7]} {phone[7:9]}-{phone[9:11]}-{phone[11:]}"
    csv = cfg.paths.processed / "results" / "leak.csv"
    html = cfg.paths.reports / "leak.ky.html"
    for f in (csv, html):
        f.parent.mkdir(parents=True, exist_ok=True)
    csv.write_text(f"pid,note\nG-1,{name}\nG-2,тел {local}\n", encoding="utf-8")
    html.write_text(f"<table><tr><td>{name}</td><td>{local}</td></tr></table>", encoding="utf-8")
    try:
        with pytest.raises(StageFailed, match="personal data found in 2 output file"):
            privacy_gate(cfg)
        hits = scan_for_personal_data([csv, html], values)
        assert sorted((h.file.name, h.kind, h.count) for h in hits) == [
            ("leak.csv", "full_name", 1), ("leak.csv", "phone_mobile", 1),
            ("leak.ky.html", "full_name", 1), ("leak.ky.html", "phone_mobile", 1)]
    finally:
        csv.unlink()
        html.unlink()

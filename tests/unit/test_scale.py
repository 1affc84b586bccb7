"""Scale work (issue 14): the large-cohort generator against the per-person generator's truth, the gate's hashed
index (same hits as the plain values, one read of each raw file per run), and the ingest's per-value reading.

Behaviour only, never time: the benchmark (``make bench``) measures; these tests check that removing work
changed no result.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from analysis.demo.large import LARGE_FILES, generate_large
from analysis.ingest import read_input
from analysis.privacy.scan import hashed_index, index_from_json, index_to_json, scan_for_personal_data

VALUES = {
    "student_id": ["24000001"],
    "full_name": ["Асанов Айбек Бакытович"],
    "phone_mobile": ["+996555123456"],
    "email": ["aibek.asanov@mail.kg"],
}
KEY = b"k" * 32


def _truth(path: Path) -> dict[tuple[str, str, str], tuple[int, float | None]]:
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    return {(r["indicator"], r["domain"], r["group"]): (int(r["N"]), float(r["value"]) if r["value"] else None)
            for r in rows}


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("large") / "raw"
    generate_large(out, seed=7, n_graduates=900, pool=300)
    return out


def test_large_cohort_at_pool_size_is_the_per_person_cohort(tmp_path):
    """With as many graduates as donors every graduate is its own donor: the population values are the per-person
    generator's, to the byte."""
    generate_large(tmp_path, seed=7, n_graduates=120, pool=120)
    assert (tmp_path / "truth.csv").read_bytes() == (tmp_path / ".pool" / "truth.csv").read_bytes()
    reg = pd.read_csv(tmp_path / "registry.csv", dtype=str)
    pool = pd.read_excel(tmp_path / ".pool" / "registry.xlsx", dtype=str)
    assert sorted(reg["programme"]) == sorted(pool["programme"])


def test_large_cohort_keeps_the_population_values(large):
    """900 graduates resampled from 300 drawn one by one: every overall population value within sampling error
    of the per-person generator's (4 standard errors of a share of 900; income within 10 %)."""
    big, pool = _truth(large / "truth.csv"), _truth(large / ".pool" / "truth.csv")
    assert big.keys() == pool.keys()
    for (ind, domain, group), (n, v) in big.items():
        if domain != "all" or v is None:
            continue
        ref = pool[(ind, domain, group)][1]
        if ind == "median_monthly_income":
            assert abs(v - ref) <= 0.10 * ref, ind
        else:
            assert abs(v - ref) <= 4 * (0.25 / max(n, 1)) ** 0.5 + 0.03, ind
    assert big[("employment_rate", "all", "all")][0] > 2.5 * pool[("employment_rate", "all", "all")][0]


def test_large_cohort_files_are_read_by_the_pipeline_with_unique_ids(large):
    tables = {f["path"]: read_input(large / f["path"], f["instrument"], f["format"], mode=f.get("mode"),
                                    base_dir=large) for f in LARGE_FILES}
    reg = tables["registry.csv"].table
    assert len(reg) == 900 and reg["student_id"].is_unique
    assert reg["phone_mobile"][reg["phone_mobile"] != ""].is_unique
    for name in ("phase1_kobo.csv", "phase2_online_kobo.csv", "phase2_phone_odk.csv", "phase2_paper_kobo.csv"):
        res = tables[name]
        assert not [n for n in res.warnings if getattr(n, "level", "") == "error"]
        ids = set(res.table["student_id"]) - {""}
        assert ids <= set(reg["student_id"]), name  # every survey row belongs to a graduate of the registry
        assert res.table["_submission_id"].is_unique, name
    assert len(tables["employers_kobo.csv"].table) == round(900 * 0.075)


def test_the_hashed_index_finds_what_the_plain_values_find(tmp_path):
    (tmp_path / "a.html").write_text("<td>АСАНОВ</td><td>Айбек</td> тел. 0555 12 34 56, 24000001", encoding="utf-8")
    (tmp_path / "b.csv").write_text("pid,note\nG-1,write to aibek.asanov@mail.kg\nG-2,24000001x\n", encoding="utf-8")
    (tmp_path / "c.parquet").write_bytes(b"")
    (tmp_path / "c.parquet").unlink()
    pd.DataFrame({"n": [24000001, 5], "s": ["Айбек Асанов", "x"]}).to_parquet(tmp_path / "c.parquet")
    plain = scan_for_personal_data([tmp_path], VALUES)
    hashed = scan_for_personal_data([tmp_path], hashed_index(VALUES, KEY))
    assert [(h.file, h.kind, h.masked, h.count, h.location) for h in hashed] == [
        (h.file, h.kind, h.masked, h.count, h.location) for h in plain]
    assert {(h.file.name, h.kind, h.count) for h in plain} == {
        ("a.html", "full_name", 1), ("a.html", "phone_mobile", 1), ("a.html", "student_id", 1),
        ("b.csv", "email", 1), ("c.parquet", "full_name", 1), ("c.parquet", "student_id", 1)}


def test_the_kept_index_holds_no_value_in_clear_and_needs_the_same_key():
    text = index_to_json(hashed_index(VALUES, KEY), {"registry.csv": "ab"})
    for values in VALUES.values():
        for v in values:
            for part in (v, v.casefold(), "555123456", "асанов", "aibek"):
                assert part not in text.casefold()
    index, inputs = index_from_json(text, KEY)
    assert inputs == {"registry.csv": "ab"} and index.key == KEY
    with pytest.raises(ValueError, match="another key"):
        index_from_json(text, b"z" * 32)




def test_stage_one_reads_each_raw_file_once_and_the_gate_reads_none(legacy_project, monkeypatch):
    """Stage 1 reads every input once and keeps the gate's hashed index; the gate of the same run then finds a
    leak without reading any raw file again. After an input changes, the gate reads the files itself."""
    import analysis.pipeline.stages as stages
    import analysis.privacy.values as values
    from analysis.core.config import load_config
    from analysis.pipeline.provenance import input_records, write_manifest
    from analysis.pipeline.run import StageFailed, gate_values, privacy_gate
    from analysis.privacy.keys import KEY_ENV
    from analysis.privacy.scan import PersonalIndex, write_gate_index

    monkeypatch.setenv(KEY_ENV, "ab" * 32)
    root = legacy_project
    cfg = load_config("old-2019", root)
    reads: list[str] = []
    real = stages.read_input

    def counting(path, *a, **k):
        reads.append(Path(path).name)
        return real(path, *a, **k)

    monkeypatch.setattr(stages, "read_input", counting)
    personal: dict[str, set[str]] = {}
    stages.read_cohort_inputs(cfg, personal)
    assert reads == ["registry_2019.csv"]
    listed = [*cfg.inputs, *[type("M", (), {"path": i.mapping, "instrument": i.instrument, "format": "mapping",
                                            "mode": None})() for i in cfg.inputs if i.mapping]]
    records = input_records(cfg.paths.raw, listed)
    write_manifest(cfg.paths.processed / "manifest.json", cohort=cfg.cohort, root=root,
                   parameters=cfg.as_parameters(), inputs=records)
    write_gate_index(cfg, personal, stages.pseudonym_key(cfg), {r.path: r.sha256 for r in records})

    def no_read(*a, **k):
        raise AssertionError("the gate read a raw file again")

    monkeypatch.setattr(values, "read_input", no_read)
    assert isinstance(gate_values(cfg), PersonalIndex)
    privacy_gate(cfg)  # clean outputs pass
    report = root / "reports" / "old-2019"
    report.mkdir(parents=True)
    (report / "report.ru.html").write_text("<td>Айгүл</td><td>Төрөбекова</td>", encoding="utf-8")
    with pytest.raises(StageFailed, match=r"personal data found in 1 output file.*full_name"):
        privacy_gate(cfg)
    # an input changed since stage 1: the kept index no longer applies, the gate reads the raw files
    (cfg.paths.raw / "registry_2019.csv").write_text(
        (cfg.paths.raw / "registry_2019.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    write_manifest(cfg.paths.processed / "manifest.json", cohort=cfg.cohort, root=root,
                   parameters=cfg.as_parameters(), inputs=input_records(cfg.paths.raw, listed))
    with pytest.raises(AssertionError, match="read a raw file again"):
        gate_values(cfg)


def test_ingest_reads_each_distinct_text_once_with_the_same_notices(tmp_path):
    """Repeated texts (the same answer in many rows) give the same canonical values and the same tallies as
    reading every cell: a fix counted once per cell, reported at its first row."""
    rows = ["yes", " yes ", "yes", " yes ", " yes "]
    body = "".join(f"2400000{i},{v}\n" for i, v in enumerate(rows))
    (tmp_path / "p1.csv").write_text("student_id,consent\n" + body, encoding="utf-8")
    res = read_input(tmp_path / "p1.csv", "phase1", "kobo_csv", mode="online", base_dir=tmp_path)
    assert list(res.table["consent"]) == ["yes"] * 5
    fixes = [(n.kind, n.row, n.count) for n in res.warnings if n.kind == "cell_fix" and n.column == "consent"]
    assert fixes == [("cell_fix", 3, 3)]


def test_a_digit_group_of_a_submission_uuid_is_not_an_id(tmp_path):
    """At national scale (a million 8-digit ids) a UUID's all-digit first group often equals someone's id: a UUID
    is never an id or a phone; the same digits standing alone still are."""
    (tmp_path / "a.csv").write_text("_submission_id\n24000001-abcd-4ef0-9abc-def012345678\n"
                                    "uuid:24000001-abcd-4ef0-9abc-def012345678\n", encoding="utf-8")
    assert scan_for_personal_data([tmp_path], VALUES) == []
    (tmp_path / "b.csv").write_text("note\nid 24000001-abcd\n", encoding="utf-8")
    assert [(h.file.name, h.kind) for h in scan_for_personal_data([tmp_path], VALUES)] == [("b.csv", "student_id")]


def test_every_submission_id_of_the_large_generator_is_a_whole_uuid():
    # numpy's bytes view dropped trailing zero bytes: 1 UUID in 256 came out short (34 characters), no longer a
    # UUID, so the gate took its 8-digit group for a possible student id (seen at 1,000,000 graduates)
    import re

    import numpy as np

    from analysis.demo.large import _uuids

    u = _uuids(np.random.default_rng(3), 20_000)
    v4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
    assert all(v4.fullmatch(x) for x in u) and len(set(u)) == len(u)
    # rows whose random bytes end in zeros (about 78 of 20,000) are whole too
    b = np.random.default_rng(3).integers(0, 256, size=(20_000, 16), dtype=np.uint8)
    assert (b[:, 15] == 0).sum() > 20

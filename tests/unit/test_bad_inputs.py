"""The bad-input corpus (tests/bad_inputs/): every broken file ends as documented in cases.yaml.

For each case: read the file with :func:`analysis.ingest.read_input` as declared, then validate it
(with the corpus's clean registry as the reference for phase-1/phase-2 files). A whole-file problem
must be ONE line naming the file; a readable file must satisfy the accounting identity and end in
the documented row outcomes, with the documented rules in the quarantine table.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from analysis.errors import TracerError

CORPUS = Path(__file__).resolve().parents[1] / "bad_inputs"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))


def _id(case: dict) -> str:
    opts = "-".join(f"{k}={v}" for k, v in sorted(case["options"].items()) if k != "mode")
    return case["file"] + (f"[{opts}]" if opts else "")


@cache
def _insts() -> dict:
    from analysis.instruments.xlsform import INSTRUMENTS, load_instrument

    return {name: load_instrument(name) for name in INSTRUMENTS}


@cache
def _registry(file: str):
    from analysis.ingest import read_input

    return read_input(file, "registry", "registry_csv", base_dir=CORPUS / "files").table


def test_corpus_is_big_enough_and_complete():
    assert len(CASES) >= 30
    files = {c["file"] for c in CASES}
    on_disk = {p.name for p in (CORPUS / "files").iterdir()}
    assert files == on_disk  # every file has a documented outcome, every case has its file
    assert sum("error" in c["expected"] for c in CASES) >= 10
    assert sum("outcomes" in c["expected"] for c in CASES) >= 15
    # the legacy and form-version lines of defence (docs/ingestion.md)
    kinds = {n["kind"] for c in CASES for n in c["expected"].get("notices", [])}
    assert {"renamed_column", "did_you_mean", "not_asked", "row_id_generated", "date_ambiguous"} <= kinds
    assert {"dayfirst", "excel_serial"} <= {n.get("fix") for c in CASES for n in c["expected"].get("notices", [])}
    assert sum(bool(c.get("cohort")) for c in CASES) >= 2


def _result(case: dict):
    from analysis.ingest import read_input

    res = read_input(case["file"], case["instrument"], case["format"], base_dir=CORPUS / "files",
                     **case["options"])
    if case.get("cohort"):  # the file as a whole cohort: what stops a run (analysis.ingest.cohort)
        from analysis.ingest.cohort import check_cohort, raise_errors

        raise_errors(check_cohort([(case["instrument"], res)]).notices)
    return res


def _read(case: dict):
    return _result(case).table


def _batched(case: dict) -> bool:
    """Readable files are validated together per instrument (one great-expectations run each,
    duplicates looked for within each file); the error and standalone cases one by one."""
    return "outcomes" in case["expected"] and not case.get("standalone")


@pytest.fixture(scope="module")
def batches() -> dict:
    from analysis.validate import validate_cohort

    out = {}
    by_inst: dict[str, list[dict]] = {}
    for case in CASES:
        if _batched(case):
            by_inst.setdefault(case["instrument"], []).append(case)
    for inst, cases in sorted(by_inst.items()):
        files = [c["file"] for c in cases]
        assert len(files) == len(set(files)), "batched cases must not share a file"
        tables = {c["file"]: _read(c) for c in cases}
        reg = None if inst == "registry" else _registry("registry_ok.csv")
        out[inst] = validate_cohort(tables, _insts(), registry_df=reg, lang="en", independent_files=True)
    return out


def _slice(cv, file: str):
    ident = cv.identity[cv.identity["file"] == file]
    return ident, cv.quarantine[cv.quarantine["file"] == file]


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_bad_input(case, batches):
    from analysis.validate import validate_cohort

    expected = case["expected"]

    def run():
        reg = _registry(case["registry"]) if case.get("registry") else None
        return validate_cohort({case["instrument"]: _read(case)}, _insts(), registry_df=reg, lang="en")

    if "error" in expected:
        with pytest.raises(TracerError) as exc:
            run()
        msg = str(exc.value)
        assert "\n" not in msg, msg
        assert case["file"] in msg, msg
        assert expected["error"] in msg, msg
        return
    cv = batches[case["instrument"]] if _batched(case) else run()
    for want in expected.get("notices", []):
        got_notices = [n for n in _result(case).warnings if n.kind == want["kind"]]
        assert any(all((getattr(n, k) if k in ("column", "count", "kind") else n.params.get(k)) == v
                       for k, v in want.items()) for n in got_notices), (want, [str(n) for n in got_notices])
    ident, quarantine = _slice(cv, case["file"])
    assert len(ident) == 1 and bool(ident["identity_holds"].all())
    row = ident.iloc[0]
    got = {k: int(row[k]) for k in ("accepted", "warning", "quarantined", "merged_duplicate")}
    assert int(row["raw_rows"]) == sum(got.values())
    assert got == expected["outcomes"], quarantine[["row", "column", "rule", "value"]].to_string()
    rules = set(quarantine["rule"])
    assert set(expected["rules"]) <= rules, (expected["rules"], rules)
    # no rule fires that the case does not document
    assert rules <= set(expected["rules"]), (rules - set(expected["rules"]))
    # quarantined rows carry at least one error with file, row and message
    q = quarantine[quarantine["outcome"] == "quarantined"]
    assert (q["row"] >= 2).all() and q["message"].str.len().gt(0).all()
    assert set(q.loc[q["severity"] == "error", "row"]) == set(
        cv.outcomes.loc[(cv.outcomes["file"] == case["file"]) & (cv.outcomes["outcome"] == "quarantined"), "row"])

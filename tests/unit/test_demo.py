"""The synthetic demo cohort: reproducible to the byte, realistic in shape, defects where the README says.

The committed folder ``data/raw/demo-2025`` must be exactly what ``generate_cohort`` writes with the
default arguments (issue 2 item 5): if this test fails after an intended change of the generator,
run ``tracer demo`` (or ``make demo``) and commit the regenerated files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import statistics
import time
from functools import lru_cache
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis.demo.people import MOBILE_PREFIXES, mobile_number
from analysis.demo.population import PROGRAMME_PARAMS, Rand, allocate
from analysis.demo.synthetic import DEMO_FILES, generate_cohort, graduate_truth
from analysis.demo.truth import TRUTH_INDICATORS, planted_defects, truth_csv
from analysis.derive.match import COMPETENCES
from analysis.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "data" / "raw" / "demo-2025"
ALL_FILES = [f["path"] for f in DEMO_FILES] + ["planted_defects.csv", "truth.csv", "enterprise_frame.csv", "README.md"]


# ----------------------------------------------------------------------------- reading the files back
def _csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    data = path.read_bytes().decode("utf-8")
    delim = ";" if path.name.endswith("kobo.csv") else ","
    rows = list(csv.reader(io.StringIO(data, newline=""), delimiter=delim))
    return rows[0], rows[1:]


def _xlsx_rows(path: Path, sheet: str | None = None) -> tuple[list[str], list[list[str]], int]:
    """Header, data rows (cells as text, dates ISO) and the spreadsheet row number of the first data row."""
    wb = openpyxl.load_workbook(path, read_only=True)
    first = 2
    if "_meta" in wb.sheetnames:  # the data-entry workbook says where its data start
        meta = {a: b for a, b in wb["_meta"].iter_rows(min_row=2, values_only=True) if a}
        first, sheet = int(meta["first_data_row"]), meta["data_sheet"]
    ws = wb[sheet] if sheet else wb.worksheets[0]

    def text(v) -> str:
        if v is None:
            return ""
        if isinstance(v, dt.datetime):
            return v.date().isoformat()
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    rows = [[text(v) for v in r] for r in ws.iter_rows(values_only=True)]
    wb.close()
    return rows[0], [r for r in rows[first - 1:] if any(r)], first


@lru_cache(maxsize=32)  # the files are read-only in these tests
def _table(folder: Path, name: str) -> tuple[list[str], list[list[str]], int]:
    if name.endswith(".csv"):
        header, rows = _csv_rows(folder / name)
        return header, rows, 2
    return _xlsx_rows(folder / name)


def _col(header: list[str], name: str) -> int:
    """Index of question ``name`` in an export header (Kobo ``grp/q``, ODK ``grp-q``, plain ``q``)."""
    hits = [i for i, h in enumerate(header) if h == name or h.endswith("/" + name) or h.endswith("-" + name)]
    hits = [i for i in hits if not re.search(r"/[^/]+/" + re.escape(name) + "$", header[i]) or header[i] == name]
    assert len(hits) == 1, (name, [header[i] for i in hits])
    return hits[0]


@lru_cache(maxsize=32)
def _records(folder: Path, name: str) -> list[dict[str, str]]:
    header, rows, _ = _table(folder, name)
    names = {h: h.replace("-", "/").split("/")[-1] for h in header}
    out = []
    for r in rows:
        rec = {}
        for h, v in zip(header, r):
            if h.count("/") >= 2 or (h.count("/") == 1 and "-" in h):  # select_multiple option columns
                continue
            rec[names[h]] = v.split(" – ")[0] if " – " in v else v  # entry workbook: "code – label"
        out.append(rec)
    return out


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def full(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo_full")
    t0 = time.perf_counter()
    generate_cohort(out)
    elapsed = time.perf_counter() - t0
    assert elapsed < 30, f"default-size generation took {elapsed:.1f} s"
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, float, dict[str, Path]]:
    out = tmp_path_factory.mktemp("demo_small")
    t0 = time.perf_counter()
    written = generate_cohort(out, n_graduates=120)
    return out, time.perf_counter() - t0, written


# ----------------------------------------------------------------------------- reproducibility
def test_committed_demo_is_reproduced_byte_for_byte(full):
    assert COMMITTED.is_dir(), "data/raw/demo-2025 is missing: run `tracer demo` and commit it"
    differing = [name for name in ALL_FILES
                 if not (COMMITTED / name).is_file() or (COMMITTED / name).read_bytes() != (full / name).read_bytes()]
    assert differing == [], f"these files differ from the generator's output (regenerate: tracer demo): {differing}"


def test_same_arguments_same_bytes_other_seed_other_data(small, tmp_path):
    folder, _, _ = small
    again = generate_cohort(tmp_path / "again", n_graduates=120)
    assert sorted(again) == sorted(ALL_FILES)
    for name, path in again.items():
        assert path.read_bytes() == (folder / name).read_bytes(), name
    other = generate_cohort(tmp_path / "other", seed=7, n_graduates=120)
    assert other["registry.xlsx"].read_bytes() != (folder / "registry.xlsx").read_bytes()


def test_bad_arguments_are_user_errors(tmp_path):
    with pytest.raises(ConfigError, match="n_graduates"):
        generate_cohort(tmp_path, n_graduates=34)
    with pytest.raises(ConfigError, match="seed"):
        generate_cohort(tmp_path, seed=-1)
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot write"):
        generate_cohort(not_a_folder, n_graduates=35)


# ----------------------------------------------------------------------------- the building blocks (hand-made cases)
def test_allocate_splits_by_largest_remainder_with_one_graduate_at_least():
    sizes = {"a": 5, "b": 3, "c": 2}
    assert allocate(10, sizes) == {"a": 5, "b": 3, "c": 2}
    assert allocate(7, sizes) == {"a": 4, "b": 2, "c": 1}  # 3.5, 2.1, 1.4: the largest remainder (a) gets the 7th
    assert allocate(3, {"a": 100, "b": 1, "c": 1}) == {"a": 1, "b": 1, "c": 1}  # one each, taken from the largest
    with pytest.raises(ValueError, match="at least 3"):
        allocate(2, sizes)
    assert sum(allocate(2000, {k: v[0] for k, v in PROGRAMME_PARAMS.items()}).values()) == 2000


def test_truth_csv_writes_shares_to_6_decimals_money_to_1_and_nothing_for_an_empty_universe():
    rows = [{"indicator": "employment_rate", "domain": "all", "group": "all", "N": 10, "value": 0.5, "unit": "share"},
            {"indicator": "median_monthly_income", "domain": "sex", "group": "female", "N": 0, "value": None,
             "unit": "kgs_month"},
            {"indicator": "median_monthly_income", "domain": "all", "group": "all", "N": 3, "value": 21000.0,
             "unit": "kgs_month"}]
    assert truth_csv(rows) == ("indicator,domain,group,N,value\n"
                               "employment_rate,all,all,10,0.500000\n"
                               "median_monthly_income,sex,female,0,\n"
                               "median_monthly_income,all,all,3,21000.0\n")


def test_mobile_numbers_are_kyrgyz_e164_with_a_mobile_prefix_and_seeded():
    numbers = [mobile_number(Rand(1, 2)) for _ in range(2)]
    assert numbers[0] == numbers[1]  # the same stream gives the same number
    r = Rand(3, 4)
    drawn = [mobile_number(r) for _ in range(50)]
    for number in drawn:
        assert re.fullmatch(r"\+996\d{9}", number) and number[4:7] in MOBILE_PREFIXES
    assert len(set(drawn)) == 50


# ----------------------------------------------------------------------------- shape of a small cohort
def test_small_cohort_is_fast_and_has_every_level_programme_and_mode(small):
    folder, elapsed, written = small
    assert elapsed < 5, f"n_graduates=120 took {elapsed:.1f} s"
    reg = _records(folder, "registry.xlsx")
    assert len(reg) == 120
    assert {r["level"] for r in reg} == {"bachelor", "master", "specialist", "college"}
    programmes = list(csv.DictReader((ROOT / "src/analysis/definitions/programmes.csv").open(encoding="utf-8")))
    assert {r["programme"] for r in reg} == {p["programme"] for p in programmes}
    assert len({r["student_id"] for r in reg}) == 120
    assert all(re.fullmatch(r"[0-9]{8}", r["student_id"]) for r in reg)
    modes = {f["mode"] for f in DEMO_FILES if f["instrument"] == "phase2"}
    assert modes == {"online", "phone", "paper"}
    for f in DEMO_FILES:
        assert len(_table(folder, f["path"])[1]) > 0, f"{f['path']} has no data rows"


def test_demo_files_list_matches_the_cohort_config_schema():
    from analysis.core.config import FORMATS, INSTRUMENTS, MODES, InputFile

    for f in DEMO_FILES:
        item = InputFile(**f)
        assert item.instrument in INSTRUMENTS and item.format in FORMATS
        assert item.mode is None or item.mode in MODES
    assert sum(f["instrument"] == "registry" for f in DEMO_FILES) == 1


# ----------------------------------------------------------------------------- the full demo
def test_registry_is_plausible(full):
    reg = _records(full, "registry.xlsx")
    assert len(reg) == 2000
    sizes: dict[str, int] = {}
    for r in reg:
        sizes[r["programme"]] = sizes.get(r["programme"], 0) + 1
        assert re.fullmatch(r"\+996(55|70|77|99|22)[0-9]{7}", r["phone_mobile"]), r["phone_mobile"]
        assert 2.0 <= float(r["gpa"]) <= 4.0
        assert (r["home_rayon"] != "") == (r["home_oblast"] == "jalal_abad")
        age = (dt.date.fromisoformat(r["graduation_date"]) - dt.date.fromisoformat(r["date_of_birth"])).days / 365.25
        assert {"college": (17.5, 21), "bachelor": (19.5, 25), "specialist": (21.5, 27),
                "master": (22.5, 36)}[r["level"]][0] <= age <= \
            {"college": (17.5, 21), "bachelor": (19.5, 25), "specialist": (21.5, 27),
             "master": (22.5, 36)}[r["level"]][1], (r["level"], age)
        # surname agrees with sex in the Russian-style names ("Асанова Айгерим Бакытовна")
        parts = r["full_name"].split()
        if parts[-1].endswith("овна") or parts[-1].endswith("евна"):
            assert r["sex"] == "female"
        if parts[-1] in ("уулу",) or parts[1:2] == ["уулу"]:
            assert r["sex"] == "male"
    assert min(sizes.values()) <= 10 and max(sizes.values()) >= 140
    state = sum(r["funding"] == "state" for r in reg) / len(reg)
    assert 0.28 <= state <= 0.42
    june = sum(r["graduation_date"].startswith("2025-06") for r in reg) / len(reg)
    assert june > 0.9


def test_response_rates_and_modes_are_near_the_design(full):
    ids = {r["student_id"] for r in _records(full, "registry.xlsx")}
    p1 = {r["student_id"] for r in _records(full, "phase1_kobo.csv")} & ids
    per_mode = {m: {r["student_id"] for r in _records(full, f)} & ids
                for m, f in (("online", "phase2_online_kobo.csv"), ("phone", "phase2_phone_odk.csv"),
                             ("paper", "phase2_paper_entry.xlsx"))}
    p2 = set().union(*per_mode.values())
    assert 0.80 <= len(p1) / len(ids) <= 0.90
    assert 0.50 <= len(p2) / len(ids) <= 0.60
    n2 = sum(len(v) for v in per_mode.values())
    assert abs(len(per_mode["online"]) / n2 - 0.60) < 0.07
    assert abs(len(per_mode["phone"]) / n2 - 0.30) < 0.07
    assert abs(len(per_mode["paper"]) / n2 - 0.10) < 0.05
    # attrition depends on phase 1: its respondents answer phase 2 more often than non-respondents
    assert len(p2 & p1) / len(p1) > len(p2 - p1) / max(1, len(ids - p1)) + 0.15


def _phase2(full: Path) -> list[dict[str, str]]:
    rows = []
    for f in ("phase2_online_kobo.csv", "phase2_phone_odk.csv", "phase2_paper_entry.xlsx"):
        rows += _records(full, f)
    return rows


def test_outcomes_follow_the_ilo_sequence_and_are_plausible(full):
    reg = {r["student_id"]: r for r in _records(full, "registry.xlsx")}
    defect_ids = {d["respondent"] for d in planted_defects(full)}
    rows = [r for r in _phase2(full) if r["consent"] == "yes" and r["student_id"] in reg
            and r["student_id"] not in defect_ids]
    employed = [r for r in rows if "yes" in (r["ilo_worked"], r["ilo_family_help"], r["ilo_absent"])]
    rate = len(employed) / len(rows)
    assert 0.60 <= rate <= 0.75, rate
    for r in rows:
        is_emp = r in employed
        assert (r["hours"] != "") == is_emp and (r["emp_type"] != "") == is_emp
        if r["ilo_worked"] == "yes":
            assert r["ilo_family_help"] == r["ilo_absent"] == r["ilo_sought"] == ""
        if not is_emp:
            assert r["ilo_sought"] in ("yes", "no") and r["ilo_available"] in ("yes", "no")
        if r["applications_n"]:
            assert int(r["interviews_n"]) <= int(r["replies_n"]) <= int(r["applications_n"])
        if r["isco_code"] and r["isco_major"]:
            assert r["isco_code"][0] == r["isco_major"]
        if r["income"] and is_emp:
            assert r["income_band"] == ""
        assert (r["work_oblast"] != "") == (is_emp and r["work_country"] == "KG")
        assert dt.date.fromisoformat(r["survey_date"]) >= dt.date(2026, 3, 1)
    # state-funded graduates are employed more often (as OshSU reports), medicine and nursing > languages
    def emp_rate(pred) -> float:
        sub = [r for r in rows if pred(reg[r["student_id"]])]
        return sum(r in employed for r in sub) / len(sub)

    assert emp_rate(lambda g: g["funding"] == "state") > emp_rate(lambda g: g["funding"] == "contract")
    assert emp_rate(lambda g: g["programme"] in ("COL-NUR-C", "MED-GEN-S", "ENG-IST-B", "ENG-INF-B")) > \
        emp_rate(lambda g: g["programme"] in ("PHIL-ENG-B", "PHIL-JOUR-B"))
    # pay against the Jalal-Abad average wage (34.6 thousand som in 2025): graduates earn less, abroad more
    home = [int(r["income"]) for r in employed if r["income"] and r["work_country"] == "KG"
            and r["emp_type"] != "family_worker"]
    abroad = [int(r["income"]) for r in employed if r["income"] and r["work_country"] != "KG"]
    assert 15000 <= statistics.median(home) <= 25000
    assert 50000 <= statistics.median(abroad) <= 90000
    assert any(r["income_band"] == "refuse" for r in employed)
    # teachers' and doctors' jobs in the field carry the expected ISCO sub-major groups ...
    for prog, sub_major in (("PED-PRIM-B", "23"), ("MED-GEN-S", "22"), ("COL-NUR-C", "32")):
        codes = [r["isco_code"] for r in employed if reg[r["student_id"]]["programme"] == prog
                 and r["horizontal_match"] in ("4", "5") and len(r["isco_code"]) >= 2]
        assert codes and sum(c.startswith(sub_major) for c in codes) / len(codes) > 0.7, prog
    # ... and, over all programmes, jobs said to be in the field are in programmes.csv's expected_isco
    expected = {p["programme"]: p["expected_isco"].split(";") for p in
                csv.DictReader((ROOT / "src/analysis/definitions/programmes.csv").open(encoding="utf-8"))}
    in_field = [(reg[r["student_id"]]["programme"], r["isco_code"]) for r in employed
                if r["horizontal_match"] == "5" and len(r["isco_code"]) >= 2]
    share = sum(any(code.startswith(e) for e in expected[prog]) for prog, code in in_field) / len(in_field)
    assert share > 0.85, share
    # mismatched jobs are mostly clerical, service and elementary occupations (ISCO 4, 5, 9)
    off_field = [r["isco_major"] for r in employed if r["horizontal_match"] == "1" and r["work_country"] == "KG"]
    assert sum(m in "4579" for m in off_field) / len(off_field) > 0.6
    # part-time work exists, and so do family work, self-employment and work abroad
    assert any(int(r["hours"]) < 30 for r in employed)
    assert {"family_worker", "self_employed", "employee"} <= {r["emp_type"] for r in employed}


def test_phase1_and_phase2_answers_of_a_graduate_agree(full):
    p1 = {r["student_id"]: r for r in _records(full, "phase1_kobo.csv") if r["consent"] == "yes"}
    both = [(p1[r["student_id"]], r) for r in _phase2(full) if r["consent"] == "yes" and r["student_id"] in p1]
    assert len(both) > 800
    for a, b in both:
        if a["worked_during_studies"] in ("part_time", "full_time"):
            assert b["job_before_grad"] == "yes"
        if a["job_status"] == "has_job":
            assert b["job_before_grad"] == "yes"

    def share(pred_a, pred_b) -> float:
        sub = [b for a, b in both if pred_a(a)]
        return sum(pred_b(b) for b in sub) / len(sub)

    # plans at graduation come true more often than not (with noise, as in real cohorts)
    assert share(lambda a: a["plan"] == "further_study", lambda b: b["studying"] == "yes") > \
        share(lambda a: a["plan"] == "work", lambda b: b["studying"] == "yes") + 0.3
    assert share(lambda a: a["plan"] == "work_abroad", lambda b: b["work_country"] not in ("", "KG")) > 0.2


def test_competence_gaps_are_largest_where_the_brief_says(full):
    p1 = [r for r in _records(full, "phase1_kobo.csv") if r["consent"] == "yes"]
    p2 = [r for r in _phase2(full) if r["consent"] == "yes" and r["comp_job_ict"]]
    gap = {}
    for c in COMPETENCES:
        grad = statistics.mean(int(r[f"comp_grad_{c}"]) for r in p1 if r[f"comp_grad_{c}"].isdigit())
        job = statistics.mean(int(r[f"comp_job_{c}"]) for r in p2 if r[f"comp_job_{c}"].isdigit())
        gap[c] = job - grad
    for c in ("foreign_language", "ict", "problem_solving", "pressure"):
        assert gap[c] > 0.3, (c, gap[c])
    assert gap["research"] < 0


def test_employers_are_a_plausible_regional_sample(full):
    emp = _records(full, "employers_kobo.xlsx")
    assert len(emp) == 150
    assert {"lt5", "gt200"} <= {r["size_band"] for r in emp}
    assert {"legal_entity", "individual_entrepreneur"} == {r["respondent_type"] for r in emp}
    assert all((r["legal_form"] == "ie") == (r["respondent_type"] == "individual_entrepreneur") for r in emp)
    sectors = [r["sector"] for r in emp]
    for s in ("A", "G", "P", "Q"):
        assert sectors.count(s) >= 8, s
    lo_hi = {"lt5": (1, 4), "5_20": (5, 19), "20_50": (20, 49), "50_200": (50, 199), "gt200": (200, 10**6)}
    for r in emp:
        staff = int(r["staff_women"]) + int(r["staff_men"])
        assert lo_hi[r["size_band"]][0] <= staff <= lo_hi[r["size_band"]][1]


# ----------------------------------------------------------------------------- planted defects
def _readme_defects(folder: Path) -> list[tuple[str, int, str]]:
    out = []
    for line in (folder / "README.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| \d+ \| `([^`]+)` \| (\d+) \| `([^`]+)` \|", line)
        if m:
            out.append((m.group(1), int(m.group(2)), m.group(3)))
    return out


@pytest.mark.parametrize("which", ["full", "small"])
def test_planted_defects_are_where_the_readme_says(which, full, small):
    folder = full if which == "full" else small[0]
    defects = planted_defects(folder)
    assert 10 <= len(defects) <= 16
    assert [(d["file"], int(d["row"]), d["column"]) for d in defects] == _readme_defects(folder)
    registry_ids = {r["student_id"] for r in _records(folder, "registry.xlsx")}
    grad_date = {r["student_id"]: r["graduation_date"] for r in _records(folder, "registry.xlsx")}
    kinds = set()
    for d in defects:
        header, rows, first = _table(folder, d["file"])
        row = rows[int(d["row"]) - first]
        cell = row[_col(header, d["column"])]
        assert cell == d["value"], d
        text = d["defect"]
        if "not in the registry" in text:
            kinds.add("unknown id")
            assert cell not in registry_ids
        elif text.startswith("exact duplicate"):
            kinds.add("exact duplicate")
            assert row == rows[int(d["row"]) - first - 1]
        elif text.startswith("resubmission"):
            kinds.add("resubmission")
            sid = row[_col(header, "student_id")]
            same = [r for r in rows if r[_col(header, "student_id")] == sid]
            assert len(same) == 2 and same[0] != same[1]
        elif "survey date before graduation" in text:
            kinds.add("date order")
            sid = row[_col(header, "student_id")]
            assert cell < grad_date[sid]
        elif "unknown choice code" in text:
            kinds.add("unknown code")
        elif d["column"] == "consent":
            kinds.add("required empty")
            assert cell == "" and row[_col(header, "survey_date")] != ""
        elif d["column"] == "income" and not cell.isdigit():
            kinds.add("text in number")
        elif d["column"] == "income":
            kinds.add("absurd wage")
            assert int(cell) > 1_000_000
        elif d["column"] == "hours":
            kinds.add("hours")
            assert int(cell) > 98
        elif d["column"] == "applications_n":
            kinds.add("negative")
            assert int(cell) < 0
        elif d["column"] == "replies_n":
            kinds.add("replies > applications")
            assert int(cell) > int(row[_col(header, "applications_n")] or 0)
        elif d["column"] == "hard_to_fill_n":
            kinds.add("hard-to-fill > vacancies")
            assert int(cell) > int(row[_col(header, "vacancies_n")] or 0)
    assert kinds == {"unknown id", "exact duplicate", "resubmission", "date order", "unknown code",
                     "required empty", "text in number", "absurd wage", "hours", "negative",
                     "replies > applications", "hard-to-fill > vacancies"}


# ----------------------------------------------------------------------------- the project's readers
def test_every_file_reads_back_through_the_ingest_readers(small):
    from analysis.ingest import read_input

    folder = small[0]
    for f in DEMO_FILES:
        res = read_input(f["path"], f["instrument"], f["format"], mode=f.get("mode"), base_dir=folder)
        header, rows, first = _table(folder, f["path"])
        assert len(res.table) == len(rows), f["path"]
        assert res.table["_source_row"].tolist() == list(range(first, first + len(rows)))
        if f["instrument"] != "registry":
            assert set(res.table["_mode"]) == {f["mode"]}


# ----------------------------------------------------------------------------- the truth
def _truth_csv(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "truth.csv", dtype={"group": str}, keep_default_na=False)


@pytest.fixture(scope="module")
def latent() -> pd.DataFrame:
    return graduate_truth()  # the committed cohort's graduates, from the generator's latent state


def test_truth_csv_is_the_registry_definitions_on_every_graduate(latent):
    """truth.csv by hand from the per-graduate latent values: universes are the population."""
    t = _truth_csv(COMMITTED)
    assert list(t.columns) == ["indicator", "domain", "group", "N", "value"]
    assert list(dict.fromkeys(t["indicator"])) == list(TRUTH_INDICATORS)
    assert len(latent) == 2000 and latent["labour_status"].notna().all()
    get = {(r.indicator, r.domain, r.group): r for r in t.itertuples()}
    emp = latent["labour_status"] == "employed"
    lf = latent["labour_status"].isin(["employed", "unemployed"])
    assert get["employment_rate", "all", "all"].N == 2000  # every graduate, not only the respondents
    assert float(get["employment_rate", "all", "all"].value) == pytest.approx(emp.mean(), abs=5e-7)
    assert get["unemployment_rate", "all", "all"].N == lf.sum()
    assert float(get["unemployment_rate", "all", "all"].value) == pytest.approx(
        (latent["labour_status"] == "unemployed").sum() / lf.sum(), abs=5e-7)
    assert float(get["labour_force_participation_rate", "all", "all"].value) == pytest.approx(lf.mean(), abs=5e-7)
    assert float(get["further_study_rate", "all", "all"].value) == pytest.approx(
        latent["further_study_ft"].astype(bool).mean(), abs=5e-7)
    fast = latent["job_within_6m"].dropna().astype(bool)
    assert get["job_within_6_months_share", "all", "all"].N == len(fast) < 2000
    assert float(get["job_within_6_months_share", "all", "all"].value) == pytest.approx(fast.mean(), abs=5e-7)
    hm = latent.loc[emp, "hm_subjective"].astype(bool)
    assert get["horizontal_match_subjective_rate", "all", "all"].N == emp.sum() == len(hm)
    assert float(get["horizontal_match_subjective_rate", "all", "all"].value) == pytest.approx(hm.mean(), abs=5e-7)
    inc = latent["income_stat"].dropna()
    assert get["median_monthly_income", "all", "all"].N == len(inc)
    assert float(get["median_monthly_income", "all", "all"].value) == np.median(inc)
    # by faculty and by sex: the groups partition the graduates; the value is the group's own share
    for ind in TRUTH_INDICATORS:
        for domain in ("faculty", "sex"):
            part = t[(t["indicator"] == ind) & (t["domain"] == domain)]
            assert part["N"].sum() == get[ind, "all", "all"].N, (ind, domain)
    law = latent[latent["faculty"] == "LAW"]
    assert get["employment_rate", "faculty", "LAW"].N == len(law)
    assert float(get["employment_rate", "faculty", "LAW"].value) == pytest.approx(
        (law["labour_status"] == "employed").mean(), abs=5e-7)


def test_truth_agrees_with_what_the_pipeline_derives_from_the_answers(latent):
    """The proof of the latent → indicator mapping: for the phase-2 respondents without a planted defect,
    ``derive_graduates`` on their validated answers gives the same values as the latent state.

    Measured on the committed cohort: 1,091 such respondents, every compared value equal. Stated
    exceptions: (1) the 9 consenting respondents the pipeline does not count are all planted-defect rows
    (quarantined); (2) 51 full-time earners withheld the amount by design (an income band or a refusal,
    ``income_excluded_reason = no_exact_income``): both sides put them in the income universe, but only
    the truth knows the amount, so their amount is not compared.
    """
    import warnings

    from analysis.core.config import load_config
    from analysis.derive.graduates import derive_graduates, load_programmes
    from analysis.ingest import read_input
    from analysis.instruments.xlsform import load_instrument
    from analysis.pipeline.stages import validation_parameters
    from analysis.validate import validate_cohort

    cfg = load_config("demo-2025", ROOT)
    frames: dict[str, list[pd.DataFrame]] = {}
    for f in DEMO_FILES:
        if f["instrument"] != "employer":
            res = read_input(f["path"], f["instrument"], f["format"], mode=f.get("mode"), base_dir=COMMITTED)
            frames.setdefault(f["instrument"], []).append(res.table)
    canonical = {k: pd.concat(v, ignore_index=True) for k, v in frames.items()}
    val = validate_cohort(canonical, {k: load_instrument(k) for k in canonical}, canonical["registry"],
                          validation_parameters(cfg), lang="en")
    acc = val.accepted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        derived = derive_graduates(acc["registry"], acc["phase1"], acc["phase2"], load_programmes(), cfg)
    m = derived.merge(latent, on="student_id", suffixes=("", "_truth"), validate="one_to_one")
    assert len(m) == 2000
    resp = m["resp_p2"].fillna(False).to_numpy(bool)
    defects = {d["respondent"] for d in planted_defects(COMMITTED)}
    # nobody the pipeline counts as a respondent is a non-respondent in truth, and the converse are defects
    truth_resp = m["responded_p2"].to_numpy(bool)
    assert not (resp & ~truth_resp).any()
    assert set(m.loc[truth_resp & ~resp, "student_id"]) <= defects
    clean = m[resp & ~m["student_id"].isin(defects).to_numpy(bool)]
    assert len(clean) > 1000

    def same(col: str) -> np.ndarray:
        a, b = clean[col].astype(object), clean[f"{col}_truth"].astype(object)
        na_a, na_b = a.isna().to_numpy(bool), b.isna().to_numpy(bool)
        eq = np.array([x == y for x, y in zip(a.where(~a.isna(), None), b.where(~b.isna(), None))], bool)
        return (na_a & na_b) | (~na_a & ~na_b & eq)

    compared = ("labour_status", "employed", "in_labour_force", "further_study_ft", "job_within_6m",
                "hm_subjective", "full_time")
    agree = np.ones(len(clean), bool)
    for col in compared:
        ok = same(col)
        assert ok.mean() >= 0.99, (col, clean.loc[~ok, ["student_id", col, f"{col}_truth"]].head())
        agree &= ok
    # income: the same universe (full-time paid work); the same amount wherever the answer gives one
    withheld = (clean["income_excluded_reason"].astype("string") == "no_exact_income").fillna(False).to_numpy(bool)
    in_universe = clean["income_stat"].notna().to_numpy(bool) | (withheld & clean["full_time"].fillna(False)
                                                                    .to_numpy(bool))
    agree &= in_universe == clean["income_stat_truth"].notna().to_numpy(bool)
    given = clean["income_stat"].notna().to_numpy(bool)
    agree[given] &= clean["income_stat"].to_numpy(float)[given] == clean["income_stat_truth"].to_numpy(float)[given]
    assert agree.mean() >= 0.99, clean.loc[~agree, "student_id"].tolist()[:10]
    assert 0 < withheld.sum() < 0.1 * len(clean)


def test_thin_cohort_gets_its_truth_from_the_command(tmp_path, capsys):
    from analysis.cli import main

    assert main(["demo", "--out", str(tmp_path), "--n-graduates", "40", "--seed", "5"]) == 0
    assert "truth.csv" in capsys.readouterr().out
    t = _truth_csv(tmp_path)
    lat = graduate_truth(seed=5, n_graduates=40)
    all_rows = t[t["domain"] == "all"].set_index("indicator")
    assert all_rows.loc["employment_rate", "N"] == 40
    assert float(all_rows.loc["employment_rate", "value"]) == pytest.approx(
        (lat["labour_status"] == "employed").mean(), abs=5e-7)
    # every faculty and both sexes appear, even with a handful of graduates; an empty universe has no value
    assert set(t.loc[t["domain"] == "faculty", "group"]) == set(lat["faculty"])
    assert set(t.loc[t["domain"] == "sex", "group"]) == set(lat["sex"])
    assert ((t["N"] == 0) == (t["value"] == "")).all()
    assert "## The truth (`truth.csv`)" in (tmp_path / "README.md").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- the command
def test_tracer_demo_command_prints_one_line_per_file(tmp_path, capsys):
    from analysis.cli import main

    assert main(["demo", "--out", str(tmp_path), "--n-graduates", "35", "--seed", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("wrote ") for line in lines) == len(ALL_FILES)
    assert all((tmp_path / name).is_file() for name in ALL_FILES)
    assert main(["demo", "--out", str(tmp_path), "--n-graduates", "10"]) == 2
    assert "n_graduates" in capsys.readouterr().err

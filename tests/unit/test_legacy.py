"""Legacy data as a first-class path: generated row ids, questions not asked, covariates, no registry.

Reference numbers come from the real Trento file (``data/raw/trento-2013/``: 2,580 Employed, 274 Trainee,
428 Unemployed of 3,282) and from an independent maximum-likelihood logit (statsmodels ``Logit``) of the
same data, computed once by hand and written here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ConfigError, InputError
from analysis.ingest import read_input

ROOT = Path(__file__).resolve().parents[2]
TRENTO = ROOT / "data" / "raw" / "trento-2013"
KEY = "ab" * 32


def _legacy(tmp_path: Path, text: str, mapping: dict, instrument: str = "phase2", **kw):
    p = tmp_path / "old.csv"
    p.write_text(text, encoding="utf-8")
    return read_input(p, instrument, "legacy", mapping=mapping, base_dir=tmp_path, **kw)


# ----------------------------------------------------------------------------- the mapping


def test_row_id_from_the_row_number_is_stable_and_exempt_from_the_id_pattern(tmp_path):
    from analysis.instruments.xlsform import INSTRUMENTS, load_instrument
    from analysis.validate import validate_cohort

    m = {"columns": {"Status": "ilo_worked"}, "values": {"ilo_worked": {"W": "yes", "N": "no"}},
         "derive": {q: {"from": "Status", "values": {"N": v}} for q, v in (
             ("ilo_family_help", "no"), ("ilo_absent", "no"), ("ilo_sought", "no"), ("ilo_available", "no"))},
         "row_id": {"from": "row_number", "prefix": "TN-", "width": "3"},
         "not_asked": ["consent", "ilo_future_start", "main_activity", "studying"],
         "covariates": {"Sex": {"type": "category"}}}
    text = "Status,Sex\nW,f\n,\nN,m\nW,f\n"  # an empty line is not a row and gets no id
    res = _legacy(tmp_path, text, m)
    t = res.table
    assert t["student_id"].tolist() == ["TN-001", "TN-002", "TN-003"]
    assert t["_source_row"].tolist() == [2, 4, 5]
    assert (t["_generated"] == "student_id").all()
    assert _legacy(tmp_path, text, m).table["student_id"].tolist() == t["student_id"].tolist()  # stable
    gen = [n for n in res.warnings if n.kind == "row_id_generated"]
    assert len(gen) == 1 and gen[0].count == 3 and gen[0].params["example"] == "TN-001"
    cv = validate_cohort({"phase2": t}, {n: load_instrument(n) for n in INSTRUMENTS}, lang="en")
    # no pattern error on TN-001 (form: ^[0-9]{8}$), no 'required' for the questions never asked
    assert cv.quarantine.empty, cv.quarantine[["row", "column", "rule"]]
    assert cv.identity["accepted"].sum() == 3


def test_row_id_from_columns_and_duplicates_stop_the_read(tmp_path):
    m = {"row_id": {"from": ["Year", "No"], "sep": "/"}, "not_asked": ["consent"]}
    res = _legacy(tmp_path, "Year,No,ilo_worked\n2013,7,yes\n2013,8,no\n", m)
    assert res.table["student_id"].tolist() == ["2013/7", "2013/8"]
    assert "Year" not in res.info["columns_dropped"]  # consumed by the id, not reported as unknown
    with pytest.raises(InputError) as exc:
        _legacy(tmp_path, "Year,No,ilo_worked\n2013,7,yes\n2013,7,no\n", m)
    msg = str(exc.value)
    assert "\n" not in msg and "'2013/7' is on rows 2 and 3" in msg and "old.csv" in msg
    with pytest.raises(InputError, match="row_id column 'Nr' is not in the file"):
        _legacy(tmp_path, "Year,No\n2013,7\n", {"row_id": {"from": "Nr"}})


def test_not_asked_marks_rows_and_a_declared_question_cannot_have_a_column(tmp_path):
    res = _legacy(tmp_path, "student_id,ilo_worked\n20190001,yes\n",
                  {"not_asked": ["consent", "studying"]})
    t = res.table
    assert t.loc[0, "_not_asked"] == "consent studying"  # form order
    assert t.loc[0, "studying"] == "" and t.loc[0, "consent"] == ""
    assert [n.kind for n in res.warnings if n.kind == "not_asked"] == ["not_asked"]
    with pytest.raises(InputError, match="'studying' is declared not asked but the file has its column"):
        _legacy(tmp_path, "student_id,consent,studying\n20190001,yes,no\n", {"not_asked": ["studying"]})
    with pytest.raises(InputError, match="not_asked names 'studyng'"):
        _legacy(tmp_path, "student_id,consent\n20190001,yes\n", {"not_asked": ["studyng"]})


def test_covariates_are_typed_carried_and_bad_values_reported(tmp_path):
    from analysis.ingest.legacy import cast_covariates

    m = {"covariates": {"Score": {"type": "number"}, "Grade": {"type": "ordinal", "levels": ["Low", "High"]},
                        "Пол": {"type": "category", "name": "gender"}}}
    res = _legacy(tmp_path, "student_id;consent;Score;Grade;Пол\n20190001;yes;81,5;High;Ж\n"
                            "20190002;yes;n/a;Top;М\n", m)
    t = res.table
    assert t["x_score"].tolist() == ["81.5", ""] and t["x_grade"].tolist() == ["High", ""]
    assert t["x_gender"].tolist() == ["Ж", "М"]
    bad = {n.column: (n.count, n.level, n.params["value"]) for n in res.warnings if n.kind == "covariate_invalid"}
    assert bad == {"Score": (1, "warning", "n/a"), "Grade": (1, "warning", "Top")}
    typed = cast_covariates(t, {"x_score": {"type": "number"},
                                "x_grade": {"type": "ordinal", "levels": ["Low", "High"]},
                                "x_gender": {"type": "category"}})
    assert typed["x_score"].dtype == "float64" and typed["x_score"].iloc[0] == 81.5
    assert list(typed["x_grade"].cat.categories) == ["Low", "High"] and typed["x_grade"].cat.ordered
    with pytest.raises(ConfigError, match="covariates.Grade .ordinal. needs levels"):
        _legacy(tmp_path, "student_id\n1\n", {"covariates": {"Grade": {"type": "ordinal"}}})


def test_the_trento_mapping_reads_the_real_file():
    from analysis.core.config import load_config

    cfg = load_config("trento-2013", ROOT)
    item = cfg.inputs[0]
    res = read_input(TRENTO / item.path, "phase2", "legacy", mapping=TRENTO / item.mapping, base_dir=TRENTO,
                     **item.read_options())
    t = res.table
    assert len(t) == 3282 and t["student_id"].is_unique and t["student_id"].iloc[-1] == "TN-3282"
    # Employed 2,580 + Trainee 274 (read as paid trainees: employed, ILO 19th ICLS) → yes; Unemployed 428 → no
    assert t["ilo_worked"].value_counts().to_dict() == {"yes": 2854, "no": 428}
    assert (t.loc[t["ilo_worked"] == "no", ["ilo_family_help", "ilo_absent"]] == "no").all().all()
    assert (t.loc[t["ilo_worked"] == "yes", "ilo_sought"] == "").all()
    assert t["x_finalgrade"].value_counts().to_dict() == {"Average": 1220, "High": 1075, "Low": 987}
    assert pd.to_numeric(t["x_hsscore"]).between(60, 100).all()
    assert set(t["_not_asked"]) == {"consent ilo_future_start main_activity studying"}


# ----------------------------------------------------------------------------- derive without a registry


def _phase2(rows: list[dict], not_asked: str = "") -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df["_not_asked"] = not_asked
    return df


def test_derive_without_registry_survey_rows_are_the_graduates_and_not_asked_is_not_measured():
    from analysis.derive.graduates import derive_graduates
    from analysis.derive.registry import get_indicator, indicator_values

    p2 = _phase2([{"pid": "b", "ilo_worked": "yes"}, {"pid": "a", "ilo_worked": "no", "ilo_family_help": "no",
                                                      "ilo_absent": "no", "ilo_sought": "yes", "ilo_available": "yes"},
                  {"pid": "c", "ilo_worked": None}],
                 "consent ilo_future_start main_activity studying study_level hours survey_date")
    g = derive_graduates(None, None, p2, params={"lookup_open_data": False})
    assert g["pid"].tolist() == ["a", "b", "c"] and not g["in_registry"].any()
    for col in ("sex", "faculty", "programme", "graduation_date", "further_study", "full_time", "nace_outcome",
                "months_since_grad", "studying", "hours", "p2_consent", "consent"):
        assert col not in g.columns, col
    assert {"further_study", "full_time", "months_to_first_job"} <= set(g.attrs["not_measured"])
    # consent never asked: the graduates who answered count as consenting
    assert g["labour_status"].astype(object).where(g["labour_status"].notna(), None).tolist() == [
        "unemployed", "employed", None]
    assert g["resp_p2"].tolist() == [True, True, False]
    emp = indicator_values(g, get_indicator("employment_rate"))
    assert emp.tolist()[:2] == [0.0, 1.0] and np.isnan(emp.iloc[2])
    for ind in ("response_rate_p2", "knowledge_rate", "further_study_rate", "full_time_employment_rate"):
        assert indicator_values(g, get_indicator(ind)) is None, ind


def test_derive_with_registry_is_unchanged_and_response_rates_are_measured():
    from analysis.derive.graduates import derive_graduates
    from analysis.derive.registry import get_indicator, indicator_values

    reg = pd.DataFrame({"pid": ["a", "b"], "sex": ["female", "male"], "graduation_date": ["2025-06-30"] * 2})
    p2 = pd.DataFrame({"pid": ["a"], "consent": ["yes"], "ilo_worked": ["yes"]})
    g = derive_graduates(reg, None, p2, params={"lookup_open_data": False})
    assert "in_registry" not in g.columns and "further_study" in g.columns and "sex" in g.columns
    assert indicator_values(g, get_indicator("response_rate_p2")).tolist() == [1.0, 0.0]


# ----------------------------------------------------------------------------- weights and models


def test_no_registry_means_no_design_and_a_stated_reason():
    from analysis.stats.weighting import NO_REGISTRY_NOTE, weight_respondents

    g = pd.DataFrame({"resp_p2": pd.array([True, True, False], dtype="boolean"), "in_registry": False})
    design, diag = weight_respondents(g, (("faculty", "sex"),), 5.0, has_registry=False)
    assert design is None and diag == {"respondents": 2, "graduates": 3, "note": NO_REGISTRY_NOTE}


def test_available_predictors_leaves_out_what_the_cohort_lacks():
    from analysis.stats.outcome_models import available_predictors

    d = pd.DataFrame({"sex": ["f", "m"], "gpa": [np.nan, np.nan], "x_hsscore": [80.0, 90.0]})
    kept, notes = available_predictors(d, ["faculty", "sex", "gpa", "x_hsscore"])
    assert kept == ["sex", "x_hsscore"]
    assert notes == ["faculty: not in this cohort's data (not measured); left out",
                     "gpa: no value in this cohort's data; left out"]


# ----------------------------------------------------------------------------- the example through the stages


@pytest.fixture(scope="module")
def trento(tmp_path_factory):
    """The Trento example run through the stage functions (no notebooks) in a temporary project."""
    import os

    from analysis.pipeline import stages

    proj = tmp_path_factory.mktemp("trento")
    for folder in ("questionnaires",):
        shutil.copytree(ROOT / folder, proj / folder)
    shutil.copy(ROOT / "pyproject.toml", proj / "pyproject.toml")
    (proj / "cohorts" / "examples").mkdir(parents=True)
    shutil.copy(ROOT / "cohorts" / "examples" / "trento-2013.yaml", proj / "cohorts" / "examples")
    shutil.copytree(TRENTO, proj / "data" / "raw" / "trento-2013")
    old = os.environ.get("TRACER_PSEUDONYM_KEY")
    os.environ["TRACER_PSEUDONYM_KEY"] = KEY
    try:
        cfg = stages.config_for("trento-2013", str(proj))
        res = stages.ingest_validate(cfg)
        stages.derive(cfg)
        stages.model(cfg)
    finally:
        if old is None:
            os.environ.pop("TRACER_PSEUDONYM_KEY", None)
        else:
            os.environ["TRACER_PSEUDONYM_KEY"] = old
    return cfg, res


def test_trento_stage_one_accepts_every_row_and_writes_the_notices(trento):
    cfg, res = trento
    acc = res.accounting.iloc[0]
    assert (acc["raw_rows"], acc["accepted"], acc["quarantined"]) == (3282, 3282, 0)
    n = pd.read_parquet(cfg.paths.validated / "notices.parquet")
    from analysis.ingest.notices import NOTICE_COLUMNS

    assert list(n.columns) == list(NOTICE_COLUMNS)
    assert not (cfg.paths.validated / "notices.json").exists()
    kinds = set(n["kind"])
    assert {"row_id_generated", "not_asked", "not_asked_cohort", "covariate", "no_registry"} <= kinds
    for lang in ("ky", "ru", "en"):
        assert n[f"message_{lang}"].str.len().gt(0).all()
    v = pd.read_parquet(cfg.paths.validated / "phase2.parquet")
    assert "studying" not in v.columns and "hours" not in v.columns and "ilo_worked" in v.columns
    assert "student_id" not in v.columns and v["pid"].is_unique
    assert v["x_hsscore"].dtype == "float64" and v["x_finalgrade"].cat.ordered


def test_trento_published_employment_rate_is_unweighted_with_its_wilson_interval(trento):
    cfg, _ = trento
    pub = pd.read_parquet(cfg.paths.results / "published.parquet")
    e = pub[(pub["indicator"] == "employment_rate") & (pub["domain"] == "all")].iloc[0]
    # 2,854 employed (incl. 274 trainees) of 3,282; Wilson 95 %: 0.85764–0.88068 (statsmodels proportion_confint)
    assert e["basis"] == "unweighted" and e["estimate"] == pytest.approx(2854 / 3282, abs=1e-9)
    assert (e["ci_low"], e["ci_high"]) == pytest.approx((0.8576373, 0.8806820), abs=1e-6)
    assert e["n"] == 3280  # published counts are rounded to base 5
    for ind in ("response_rate_p2", "further_study_rate", "median_monthly_income", "median_months_to_first_job"):
        r = pub[(pub["indicator"] == ind) & (pub["domain"] == "all")].iloc[0]
        assert r["note"] == "not measured" and np.isnan(r["estimate"]), ind
    import json

    diag = json.loads((cfg.paths.results / "weights.json").read_text())
    assert diag["p2"]["note"] == "no registry: estimates unweighted"


def test_trento_employment_logit_includes_the_covariates(trento):
    cfg, _ = trento
    pub = pd.read_parquet(cfg.paths.results / "published.parquet")
    m = pub[pub["indicator"] == "model:employment_logit"].set_index("category")
    # maximum-likelihood odds ratios of the same model (statsmodels Logit, employed ~ gender + finalgrade +
    # hsscore, references Female and Average): 1.5970, 1.0602, 0.8921, 1.0187 per point of school score
    got = m.loc[["x_gender=Male", "x_finalgrade=High", "x_finalgrade=Low", "x_hsscore"], "estimate"].to_numpy(float)
    assert got == pytest.approx([1.5970, 1.0602, 0.8921, 1.0187], abs=5e-4)
    assert m.loc["x_finalgrade=High", "note"] == "reference=Average"


def test_notice_lines_for_the_console(trento):
    from analysis.pipeline.run import notice_lines

    cfg, _ = trento
    lines = notice_lines(cfg)
    assert any(line.startswith("INFO trento_cross_1year.csv, column 'student_id': row id 'student_id' generated "
                               "from the row number (e.g. TN-0001) [3282]") for line in lines)
    assert any(line.startswith("WARNING") and "no graduate registry" in line for line in lines)
    assert all("\n" not in line for line in lines)


def test_a_renamed_column_stops_the_run_with_did_you_mean_and_the_notices_are_kept(tmp_path, monkeypatch):
    from analysis.pipeline import stages

    monkeypatch.setenv("TRACER_PSEUDONYM_KEY", KEY)
    shutil.copytree(ROOT / "questionnaires", tmp_path / "questionnaires")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    raw = tmp_path / "data" / "raw" / "v2-2030"
    raw.mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "bad_inputs" / "files" / "phase2_renamed_hours.csv", raw / "p2.csv")
    (tmp_path / "cohorts").mkdir()
    base = "cohort: v2-2030\ngraduation_year: 2025\ninputs:\n  - {path: p2.csv, instrument: phase2, format: kobo_csv"
    (tmp_path / "cohorts" / "v2-2030.yaml").write_text(base + ", mode: online}\n", encoding="utf-8")
    cfg = stages.config_for("v2-2030", str(tmp_path))
    with pytest.raises(InputError) as exc:
        stages.ingest_validate(cfg)
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith("p2.csv, column 'hours_per_week': column 'hours_per_week' (2 answers) "
                                              "would be dropped — did you mean 'hours'?")
    assert "renames: {hours_per_week: hours}" in msg
    n = pd.read_parquet(cfg.paths.validated / "notices.parquet")
    assert n.loc[n["kind"] == "answers_lost", "level"].tolist() == ["error"]
    # mapped in the cohort file: the answers arrive under 'hours'
    (tmp_path / "cohorts" / "v2-2030.yaml").write_text(
        base + ", mode: online, renames: {hours_per_week: hours}}\n", encoding="utf-8")
    cfg = stages.config_for("v2-2030", str(tmp_path))
    stages.ingest_validate(cfg)
    v = pd.read_parquet(cfg.paths.validated / "phase2.parquet")
    assert v["hours"].tolist() == [40, 40]

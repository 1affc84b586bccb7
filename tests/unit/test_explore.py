"""The researcher's entry point: labels in ky/ru/en (analysis.publish.labels) and load_cohort (analysis.explore).

Expected labels are read off the reference files by hand: questionnaires/registry.xlsx (choice list
``sex``), src/analysis/definitions/faculties.csv and programmes.csv, definitions/messages/*.yaml
(labour status), and the forms' list orders (docs/variables.md).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from analysis import explore
from analysis.derive.graduates import DERIVED_COLUMNS, FLAG_COLUMNS, derive_graduates
from analysis.derive.income import INCOME_EXCLUSION
from analysis.derive.job import SECTOR_BROAD, SKILL_LEVELS
from analysis.derive.labour import NACE_OUTCOMES
from analysis.derive.match import EFFECTIVENESS, VM_NORMATIVE, VM_SUBJECTIVE
from analysis.errors import ConfigError, InputError
from analysis.explore import MissingTableWarning, load_cohort
from analysis.publish import labels
from analysis.publish.labels import LabelWarning, column_labels, label_values, value_label

COHORT = "test-2025"


# ----------------------------------------------------------------------------- a tiny cohort
def _graduates() -> pd.DataFrame:
    """Four graduates, derived by the real code: employed, unemployed, studying, no phase-2 answer."""
    registry = pd.DataFrame({
        "pid": ["G-a", "G-b", "G-c", "G-d"],
        "sex": ["female", "male", "female", "male"],
        "programme": ["PED-PRIM-B", "PED-MATH-B", "PED-PRIM-B", "PED-MATH-B"],
        "faculty": ["PED"] * 4,
        "level": ["bachelor"] * 4,
        "funding": ["state", "contract", "state", "contract"],
        "graduation_date": pd.to_datetime(["2025-06-30"] * 4),
    })
    phase1 = pd.DataFrame({
        "pid": ["G-a", "G-b", "G-c"],
        "consent": ["yes", "yes", "no"],
        "job_status": ["has_job", "searching", None],
        "plan": ["work", "work", None],
        "sat_studies": ["4", "2", None],
    })
    no = "no"
    phase2 = pd.DataFrame({
        "pid": ["G-a", "G-b", "G-c"],
        "consent": ["yes", "yes", "yes"],
        "survey_date": pd.to_datetime(["2026-03-31"] * 3),
        "ilo_worked": ["yes", no, no],
        "ilo_family_help": [None, no, no],
        "ilo_absent": [None, no, no],
        "ilo_sought": [None, "yes", no],
        "ilo_available": [None, "yes", no],
        "ilo_future_start": [None, no, no],
        "studying": [no, no, "yes"],
        "study_level": [None, None, "master"],
        "hours": [40.0, None, None],
        "income": [20000.0, None, None],
        "search_channels": ["internet relatives", None, None],
    })
    return derive_graduates(registry, phase1, phase2, params={"lookup_open_data": False})


@pytest.fixture(scope="module")
def graduates() -> pd.DataFrame:
    return _graduates()


@pytest.fixture()
def project(tmp_path, graduates) -> Path:
    """A project folder with one run cohort: graduates, quarantine and estimates; employers missing."""
    (tmp_path / "cohorts").mkdir()
    (tmp_path / "cohorts" / f"{COHORT}.yaml").write_text(f"cohort: {COHORT}\n", encoding="utf-8")
    out = tmp_path / "data" / "processed" / COHORT
    (out / "validated").mkdir(parents=True)
    (out / "results").mkdir()
    graduates.to_parquet(out / "graduates.parquet")
    pd.DataFrame({"instrument": ["phase2"], "file": ["phase2.csv"], "row": [7], "column": ["hours"],
                  "rule": ["out_of_range"], "value": ["120"]}).to_parquet(out / "validated" / "quarantine.parquet")
    pd.DataFrame({"instrument": ["phase2"] * 2, "row": [2, 3], "outcome": ["accepted", "quarantined"]}).to_parquet(
        out / "validated" / "outcomes.parquet")
    pd.DataFrame({"indicator": ["employment_rate", "employment_rate"], "domain": ["all", "faculty"],
                  "group": ["all", "PED"], "n": [3, 3], "estimate": [1 / 3, 1 / 3]}).to_parquet(
        out / "results" / "estimates.parquet")
    (out / "manifest.json").write_text(json.dumps({"code_version": "9.9.9"}), encoding="utf-8")
    return tmp_path


# ----------------------------------------------------------------------------- labels
@pytest.mark.parametrize(("lang", "female", "ped"), [
    ("ky", "Аял", "Педагогика факультети"),
    ("ru", "Женский", "Педагогический факультет"),
    ("en", "Female", "Faculty of Pedagogy"),
])
def test_known_codes_in_three_languages(lang, female, ped):
    assert value_label("sex", "female", lang) == female          # registry form, list sex
    assert value_label("faculty", "PED", lang) == ped             # faculties.csv
    assert value_label("faculty", "XYZ", lang) == "XYZ"           # unknown code: shown as is
    assert value_label("gpa", 3.5, lang) == "3.5"                 # no code list: the value as text


def test_programme_labels_come_from_the_definitions_csv():
    df = label_values(pd.DataFrame({"programme": ["PED-MATH-B", "PED-PRIM-B"]}), "ru")
    assert df["programme"].tolist() == ["Математика (учитель)", "Начальное образование"]
    # categories: every programme of programmes.csv, in the file's order
    cats = list(df["programme"].cat.categories)
    assert len(cats) == 35 and cats[:2] == ["Начальное образование", "Математика (учитель)"]


def test_graduates_labelled_in_kyrgyz(graduates):
    g = label_values(graduates, "ky")
    assert g["sex"].tolist() == ["Аял", "Эркек", "Аял", "Эркек"]
    assert g["faculty"].iloc[0] == "Педагогика факультети"
    # labour status (ILO): employed, unemployed, outside the labour force and studying, unknown
    assert g["labour_status"].iloc[:3].tolist() == ["Иштейт", "Жумушсуз", "Окуп жатат (жумуш издебейт)"]
    assert pd.isna(g["labour_status"].iloc[3])
    # booleans and numbers are left alone
    assert g["employed"].dtype == graduates["employed"].dtype
    assert g["income_kgs"].iloc[0] == 20000.0


def test_ordered_categoricals_keep_their_order(graduates):
    g = label_values(graduates, "en")
    status = g["labour_status"]
    assert status.cat.ordered
    assert list(status.cat.categories[:2]) == ["Employed", "Unemployed"]
    assert status.iloc[:3].is_monotonic_increasing                # employed < unemployed < olf_study
    assert (status < "Unemployed").tolist() == [True, False, False, False]  # comparisons follow the order
    level = label_values(pd.DataFrame({"level": ["master", "college", "bachelor"]}), "en")["level"]
    assert level.cat.ordered and level.min() == level.iloc[1] and level.max() == level.iloc[0]
    scale = label_values(pd.DataFrame({"sat_studies": ["5", "", 1, 3.0]}), "en")["sat_studies"]
    assert scale.cat.ordered and list(scale.cat.categories) == ["1 – lowest", "2", "3", "4", "5 – highest"]
    assert pd.isna(scale.iloc[1])                                 # empty string → missing
    assert scale.iloc[2] == "1 – lowest" and scale.iloc[3] == "3"  # 1 and 3.0 read as codes '1' and '3'
    assert scale.iloc[[2, 3, 0]].is_monotonic_increasing
    # a nominal list keeps the form's order but is not ordered
    sex = label_values(pd.DataFrame({"sex": ["male"]}), "en")["sex"]
    assert not sex.cat.ordered and list(sex.cat.categories) == ["Female", "Male"]


def test_derived_value_labels_cover_the_derivation_codes():
    for column, codes in (("nace_outcome", NACE_OUTCOMES), ("vm_subjective", VM_SUBJECTIVE),
                          ("vm_normative", VM_NORMATIVE), ("degree_effectiveness", EFFECTIVENESS),
                          ("skill_level", SKILL_LEVELS), ("sector_broad", SECTOR_BROAD),
                          ("income_excluded_reason", INCOME_EXCLUSION)):
        spec = labels.value_spec(column)
        assert spec.codes == tuple(codes), column
        for lang in labels.LANGS:
            assert all(spec.labels[lang]), (column, lang)
    assert labels.value_spec("income_band_any").codes[-1] == "gt50k"  # 'refuse' is not a band


def test_unknown_codes():
    df = pd.DataFrame({"home_oblast": ["jalal_abad", "mars"], "sat_studies": ["4", "9"]})
    with pytest.warns(LabelWarning, match="sat_studies"):
        out = label_values(df, "en")
    assert out["home_oblast"].tolist() == ["Jalal-Abad Region", "mars"]  # nominal: kept verbatim
    assert out["sat_studies"].iloc[0] == "4" and pd.isna(out["sat_studies"].iloc[1])  # ordered: no place


def test_select_multiple_and_idempotence(graduates):
    once = label_values(graduates, "ky")
    assert once["search_channels"].iloc[0].count("; ") == 1      # two chosen channels, two labels
    assert "internet" not in once["search_channels"].iloc[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        twice = label_values(once, "ky")
    pd.testing.assert_frame_equal(once, twice)


def test_label_values_checks_its_arguments(graduates):
    with pytest.raises(ConfigError, match="language 'de'"):
        label_values(graduates, "de")
    with pytest.raises(ConfigError, match="nope"):
        label_values(graduates, "en", columns=["sex", "nope"])
    only = label_values(graduates, "en", columns=["sex"])
    assert only["sex"].iloc[0] == "Female" and only["faculty"].iloc[0] == "PED"


def test_column_labels():
    from analysis.instruments.xlsform import load_instrument

    names = column_labels(["ilo_worked", "p1_consent", "labour_status", "comp_gap_ict", "whatever"], "en")
    assert names["ilo_worked"] == load_instrument("phase2").label("ilo_worked", "en")
    assert names["p1_consent"].endswith("(phase 1)") and names["p1_consent"].startswith("Do you agree")
    assert names["labour_status"] == "Labour status (ILO)"
    assert names["comp_gap_ict"].startswith("Use of information technology")
    assert names["whatever"] == "whatever"
    assert column_labels(["sector"], "en", instrument="employer")["sector"] != column_labels(["sector"], "en")["sector"]


def test_every_derived_column_has_a_label_in_three_languages():
    for lang in labels.LANGS:
        names = column_labels([*FLAG_COLUMNS, *DERIVED_COLUMNS], lang)
        unnamed = [c for c, text in names.items() if text == c]
        assert not unnamed, (lang, unnamed)
    ky, en = column_labels(DERIVED_COLUMNS, "ky"), column_labels(DERIVED_COLUMNS, "en")
    assert sum(ky[c] == en[c] for c in DERIVED_COLUMNS) == 0   # translated, not copied


# ----------------------------------------------------------------------------- load_cohort
def test_load_cohort_labelled(project, capsys):
    with pytest.warns(MissingTableWarning, match="employers.parquet"):
        c = load_cohort(COHORT, lang="ky", project_root=project)
    assert c.missing == ["employers.parquet"] and c.employers.empty
    assert len(c.graduates) == 4 and c.graduates["sex"].iloc[0] == "Аял"
    assert c.quarantine["rule"].tolist() == ["out_of_range"]
    assert c.outcomes["outcome"].tolist() == ["accepted", "quarantined"]  # stored codes
    est = c.estimates
    assert est["indicator"].iloc[0] == "employment_rate"                  # codes kept ...
    assert est["indicator_label"].iloc[0] == "Жумуштуулуктун деңгээли (ЭЭУ)"  # ... labels added
    assert est["group_label"].tolist() == ["Бардык бүтүрүүчүлөр", "Педагогика факультети"]
    d = c.dictionary.set_index("variable")
    assert d.loc["labour_status", "label"] == "Эмгек статусу (ЭЭУ)"
    assert d.loc["labour_status", "type"] == "ordered categorical"
    assert d.loc["labour_status", "values"].startswith("Иштейт < Жумушсуз")
    assert "employment_rate" in d.loc["labour_status", "indicators"]
    assert d.loc["sex", "source"] == "registry" and d.loc["employed", "source"] == "derived"
    assert c.column_labels["sex"] == "Жынысы"
    c.describe()
    text = capsys.readouterr().out
    # by hand: phase 1 valid = a, b (2 of 4); phase 2 valid = a, b, c (3 of 4)
    assert "phase 1 2 (50.0%)" in text and "phase 2 3 (75.0%)" in text
    assert "graduates.parquet" in text and "Missing: employers.parquet" in text
    assert "9.9.9" in text
    assert c.results == ["estimates"]


def test_load_cohort_codes_and_env_root(project, monkeypatch):
    monkeypatch.setenv("TRACER_PROJECT_ROOT", str(project))
    with pytest.warns(MissingTableWarning):
        c = load_cohort(COHORT, lang="en", labelled=False)
    stored = pd.read_parquet(project / "data" / "processed" / COHORT / "graduates.parquet")
    pd.testing.assert_frame_equal(c.graduates, stored)
    assert "indicator_label" not in c.estimates.columns
    assert c.dictionary.set_index("variable").loc["sex", "values"] == "Female, Male"  # dictionary still labelled
    with pytest.warns(MissingTableWarning, match="status_shares"):
        assert c.result("status_shares").empty


def test_cohort_not_run_is_one_line(project):
    (project / "cohorts" / "never-run.yaml").write_text("cohort: never-run\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_cohort("never-run", project_root=project)
    msg = str(err.value)
    assert "\n" not in msg and "tracer run never-run" in msg and "has not been run" in msg
    with pytest.raises(ConfigError) as err:
        load_cohort("nowhere-2030", project_root=project)
    msg = str(err.value)
    assert "\n" not in msg and "unknown cohort 'nowhere-2030'" in msg and COHORT in msg


def test_cohort_name_cannot_leave_the_processed_folder(project):
    for bad in ("../raw/test-2025", "..", "a/b", ""):
        with pytest.raises(ConfigError):
            load_cohort(bad, project_root=project)
    with pytest.raises(ConfigError, match="language"):
        load_cohort(COHORT, lang="fr", project_root=project)


def test_damaged_file_is_a_one_line_error(project):
    (project / "data/processed" / COHORT / "graduates.parquet").write_bytes(b"not parquet")
    with pytest.raises(InputError) as err, warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingTableWarning)
        load_cohort(COHORT, project_root=project)
    assert "\n" not in str(err.value) and "graduates.parquet" in str(err.value)


def test_explore_never_mentions_the_raw_folder():
    source = Path(explore.__file__).read_text(encoding="utf-8")
    assert "data/raw" not in source
    assert ".raw" not in source and "'raw'" not in source and '"raw"' not in source


def test_the_lazy_package_entry_point(project):
    import analysis

    with pytest.warns(MissingTableWarning):
        c = analysis.load_cohort(COHORT, lang="ru", project_root=project)
    assert c.graduates["sex"].iloc[0] == "Женский"


# ----------------------------------------------------------------------------- the notebook
def test_exploratory_notebook_is_thin_parameterised_and_clean(root):
    path = root / "notebooks" / "exploratory" / "1.0-demo-explore-graduates.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "tracer"
    assert nb["metadata"]["kernelspec"]["language"] == "python"
    assert nb["metadata"]["language_info"]["name"] == "python"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    tagged = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    params = "".join(tagged[0]["source"])
    assert 'cohort = "demo-2025"' in params and 'lang = "ky"' in params
    sources = ["".join(c["source"]) for c in code]
    assert any("from analysis import load_cohort" in s for s in sources)
    for cell, src in zip(code, sources):
        assert not cell["outputs"] and cell["execution_count"] is None
        assert "def " not in src and "class " not in src and "lambda" not in src
        assert "data/raw" not in src

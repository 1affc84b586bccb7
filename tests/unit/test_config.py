from __future__ import annotations

import pytest
import yaml

from analysis.core.config import PARAMETER_KEYS, config_from_dict, load_config
from analysis.errors import ConfigError


def _minimal(**extra):
    base = {"cohort": "x-2030", "graduation_year": 2030,
            "inputs": [{"path": "r.xlsx", "instrument": "registry", "format": "registry_xlsx"}]}
    base.update(extra)
    return base


def test_demo_config_loads_and_paths_follow_the_cohort(root):
    cfg = load_config("demo-2025", root)
    assert cfg.cohort == "demo-2025"
    assert cfg.paths.raw == root / "data" / "raw" / "demo-2025"
    assert cfg.paths.report_html("ru").name == "report.ru.html"
    assert {i.instrument for i in cfg.inputs} == {"registry", "phase1", "phase2", "employer"}
    assert {i.mode for i in cfg.inputs_for("phase2")} == {"online", "phone", "paper"}


def test_defaults_are_the_documented_ones():
    cfg = config_from_dict(_minimal())
    assert cfg.full_time_hours == 40          # Kyrgyz statutory week
    assert cfg.ci_method == "wilson"
    assert cfg.targets["phase2_response"] == 0.60 and cfg.targets["knowledge_rate"] == 0.65


@pytest.mark.parametrize("change, needle", [
    ({"graduation_year": 1800}, "graduation_year"),
    ({"ci_method": "wald"}, "ci_method"),
    ({"colour": "red"}, "unknown key"),
    ({"inputs": []}, "inputs"),
    ({"inputs": [{"path": "a.csv", "instrument": "phase9", "format": "kobo_csv"}]}, "phase9"),
    ({"inputs": [{"path": "a.csv", "instrument": "phase1", "format": "kobo_csv", "mode": "fax"}]}, "fax"),
    ({"inputs": [{"path": "a.csv", "instrument": "employer", "format": "kobo_csv"}]}, "registry"),
    ({"inputs": [{"path": "r.csv", "instrument": "registry", "format": "registry_csv"}] * 2}, "at most one"),
    ({"weighting_margins": "faculty"}, "weighting_margins"),
    ({"model_covariates": ["finalgrade"]}, "x_<name>"),
    ({"inputs": [{"path": "a.csv", "instrument": "phase2", "format": "kobo_csv", "dayfirst": "yes"}]}, "dayfirst"),
    ({"inputs": [{"path": "a.csv", "instrument": "phase2", "format": "kobo_csv", "renames": ["hours"]}]}, "renames"),
    ({"inputs": [{"path": "a.csv", "instrument": "phase2", "format": "kobo_csv", "not_asked": "studying"}]},
     "not_asked"),
])
def test_bad_parameters_give_one_line_errors(change, needle):
    with pytest.raises(ConfigError) as exc:
        config_from_dict(_minimal(**change), "cohorts/x-2030.yaml")
    msg = str(exc.value)
    assert needle in msg and "\n" not in msg and "cohorts/x-2030.yaml" in msg


def test_missing_cohort_lists_the_available_ones(root):
    with pytest.raises(ConfigError, match="available: .*demo-2025"):
        load_config("no-such-cohort", root)


def test_broken_yaml_names_the_line(tmp_path):
    (tmp_path / "cohorts").mkdir()
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "cohorts" / "bad.yaml").write_text("cohort: bad\ninputs: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.yaml, line \d+: not valid YAML"):
        load_config("bad", tmp_path)


def test_parameters_round_trip(root):
    cfg = load_config("demo-2025", root)
    again = config_from_dict(yaml.safe_load(yaml.safe_dump(cfg.as_parameters())))
    assert again == cfg
    assert set(cfg.as_parameters()) == set(PARAMETER_KEYS)


def test_a_cohort_without_registry_and_the_legacy_input_keys():
    cfg = config_from_dict(_minimal(inputs=[
        {"path": "old.csv", "instrument": "phase2", "format": "legacy", "mapping": "old.yaml", "dayfirst": True,
         "renames": {"hours_per_week": "hours", "Примечание": None}, "not_asked": ["studying"]}],
        model_covariates=["x_finalgrade", "x_hsscore"]))
    assert not cfg.has_registry and cfg.inputs_for("registry") == []
    assert cfg.model_covariates == ("x_finalgrade", "x_hsscore")
    item = cfg.inputs[0]
    assert item.read_options() == {"mode": None, "encoding": None, "delimiter": None, "dayfirst": True,
                                   "renames": {"hours_per_week": "hours", "Примечание": None},
                                   "not_asked": ["studying"]}
    # the papermill parameters are plain YAML values and build the same configuration again
    params = cfg.as_parameters()
    assert params["inputs"][0]["renames"] == {"hours_per_week": "hours", "Примечание": None}
    assert params["model_covariates"] == ["x_finalgrade", "x_hsscore"]
    assert config_from_dict(params) == cfg


def test_example_cohorts_are_found_under_cohorts_examples(root, tmp_path):
    cfg = load_config("trento-2013", root)
    assert cfg.cohort == "trento-2013" and not cfg.has_registry
    assert cfg.paths.raw == root / "data" / "raw" / "trento-2013"
    # a cohort file of the same name in cohorts/ wins over the example
    (tmp_path / "cohorts" / "examples").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text("")
    one = ("cohort: c-2030\ngraduation_year: {y}\ninputs: [{{path: r.csv, instrument: registry, "
           "format: registry_csv}}]\n")
    (tmp_path / "cohorts" / "examples" / "c-2030.yaml").write_text(one.format(y=2029), encoding="utf-8")
    assert load_config("c-2030", tmp_path).graduation_year == 2029
    (tmp_path / "cohorts" / "c-2030.yaml").write_text(one.format(y=2030), encoding="utf-8")
    assert load_config("c-2030", tmp_path).graduation_year == 2030

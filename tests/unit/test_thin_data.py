"""Data nobody tuned for: one hand-made test per fix — every stage degrades, never crashes, and every report
section without data says why in one line (ky/ru/en).

Fixes covered (found by the thin-cohort matrix or by the property-based tests):
disclosure of a row whose headline is missing; intervals that must contain their estimate; one-respondent
designs; raking that cannot converge; invalid date texts; registry indicators and result families that
record why (or that they failed) instead of raising; the report's one-line reasons.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from analysis.core.config import config_from_dict
from analysis.publish.sections import (
    all_indicators,
    competences,
    detailed_tables,
    employers,
    employment,
    first_job,
    income,
    match,
    methods,
    models,
    summary,
)
from analysis.results import table as R

ST = R.Settings(confidence=0.95, ci_method="wilson", weighted_ci_method="wilson")


def _rows(records: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(records)
    for c in R.COLUMNS:
        if c not in df.columns:
            df[c] = "" if c in ("category", "note", "source", "basis", "ci_method", "unit",
                                "unweighted_ci_method") else np.nan
    return df[list(R.COLUMNS)]


# ----------------------------------------------------------------------------- disclosure
def test_a_median_of_one_person_is_hidden_even_when_only_its_unweighted_value_exists():
    """Found by the 40-graduate cohort: the weighted median of a one-respondent faculty is NaN, so the row
    escaped primary suppression and published the unweighted income of that one graduate (19,500)."""
    from analysis.publish.disclosure import Rules, publish

    res = _rows([{"indicator": "median_monthly_income", "statistic": "median", "unit": "KGS", "domain": "faculty",
                  "group": "AGRI", "n": 1.0, "estimate": np.nan, "unweighted": 19500.0},
                 {"indicator": "model:employment_logit", "statistic": "coefficient", "unit": "odds_ratio",
                  "domain": "all", "group": "all", "n": 0.0, "note": "failed: no complete cases"}])
    pub = publish(res, pd.DataFrame(columns=["domain", "group", "parent_domain", "parent_group"]), Rules())
    assert pub.loc[0, "status"] == "suppressed" and pub.loc[0, "rule"] == "mean_base"
    assert np.isnan(pub.loc[0, "unweighted"])
    assert pub.loc[1, "status"] == "published" and pub.loc[1, "note"] == "failed: no complete cases"  # a note


# ----------------------------------------------------------------------------- intervals
def test_qilt_interval_near_a_census_contains_its_share_and_a_census_has_none():
    from analysis.stats.intervals import proportion_ci

    # 1 of 10 respondents, 11 graduates, 90 %: Agresti–Coull centre 0.185, FPC half-width 0.057 → 0.128–0.242,
    # which excludes p = 0.1; reported as 0.1–0.242
    lo, hi = proportion_ci(1, 10, "qilt", N=11)
    assert lo == pytest.approx(0.1) and hi == pytest.approx(0.24186, abs=1e-5)
    assert proportion_ci(3, 10, "agresti_coull", N=10) == pytest.approx((0.3, 0.3))
    assert proportion_ci(60, 80, "qilt", N=120) == pytest.approx((0.6959, 0.7877), abs=5e-5)  # QILT, 90 %, FPC


def test_korn_graubard_interval_with_a_vanishing_se_contains_its_share():
    from analysis.stats.intervals import survey_proportion_ci

    lo, hi = survey_proportion_ci(0.25, 1.1754943508222875e-38, 1, method="korn_graubard")
    assert lo <= 0.25 <= hi and hi - lo < 1e-6


def test_a_share_without_a_variance_estimate_has_no_interval_rather_than_a_zero_width_one():
    from analysis.stats.intervals import survey_proportion_ci

    lo, hi = survey_proportion_ci([0.3, 0.3, 1.0], [np.nan, 0.0, np.nan], [5, 5, 5])
    assert np.isnan(lo[0]) and np.isnan(hi[0])          # SE unknown: no interval
    assert (lo[1], hi[1]) == (0.3, 0.3)                  # SE known to be 0 (a census stratum): [p, p]
    assert hi[2] == 1.0 and lo[2] == pytest.approx(0.5655, abs=1e-4)  # 5 of 5: Wilson on n, as documented


# ----------------------------------------------------------------------------- one respondent, raking
def test_one_respondent_gives_a_point_estimate_without_a_standard_error():
    """survey refuses a design of one PSU (as R); the model stage crashed on a cohort with one phase-2 answer."""
    from analysis.stats.survey import Design

    g = pd.DataFrame({"faculty": ["A", "A", "B"], "y": [np.nan, 1.0, np.nan], "v": [np.nan, 20000.0, np.nan]})
    d = Design(g.iloc[[1]].assign(w=3.0), weights="w")
    share = R.share_rows(g["y"], R.domain_groups(g, "all"), ST, d).iloc[0]
    assert (share["n"], share["estimate"], share["unweighted"]) == (1.0, 1.0, 1.0) and np.isnan(share["se"])
    assert share["ci_high"] == 1.0 and share["ci_low"] == pytest.approx(0.2065, abs=1e-4)  # Wilson on n = 1
    mean = R.mean_rows(g["v"], R.domain_groups(g, "faculty"), ST, d).iloc[0]
    assert (mean["group"], mean["estimate"]) == ("A", 20000.0) and np.isnan(mean["ci_low"])
    total = R.total_rows(g["y"], R.domain_groups(g, "all"), ST, d).iloc[0]
    assert total["estimate"] == 3.0


def test_raking_that_cannot_converge_falls_back_and_says_which_margins_it_gave_up():
    """The respondents (F2 woman, F1 man) cannot meet faculty 4:1 and sex 4:1 together: raking used to
    warn and hand on weights that missed the registry."""
    from analysis.stats.weighting import weight_respondents

    g = pd.DataFrame({"faculty": ["F1", "F2", "F1", "F1", "F1"],
                      "sex": ["female", "female", "male", "female", "female"],
                      "resp_p2": pd.array([False, True, True, False, False], dtype="boolean")})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        design, diag = weight_respondents(g, (("faculty",), ("sex",)), 5.0)
    assert diag["margins_used"] == [] and diag["margins_not_converged"] == [[["faculty"], ["sex"]]]
    assert design.w.tolist() == [2.5, 2.5]


def test_an_invalid_date_text_is_unknown_without_a_pandas_warning():
    from analysis.derive.transition import months_to_first_job

    df = pd.DataFrame({"consent": ["yes", "yes"], "ilo_worked": ["yes", "yes"], "first_job_date": ["2025-09-01", None],
                       "graduation_date": ["2024-13-45", "2025-06-20"], "survey_date": ["2026-03-15", "2026-03-15"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ttj = months_to_first_job(df)
    assert np.isnan(ttj["time"].iloc[0]) and ttj["event"].tolist() == [1, 1]


# ----------------------------------------------------------------------------- why a value is missing
def _grads(n: int = 40, p2: bool = True, employed: bool = True, dated: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    g = pd.DataFrame({"pid": [f"G{i}" for i in range(n)], "faculty": "F1", "programme": "F1-A",
                      "sex": rng.choice(["female", "male"], n), "level": "bachelor", "funding": "state"})
    resp = rng.random(n) < 0.7 if p2 else np.zeros(n, bool)
    g["resp_p1"] = pd.array(rng.random(n) < 0.8, dtype="boolean")
    g["resp_p2"] = pd.array(resp, dtype="boolean")
    status = np.where(resp, "employed" if employed else "olf_other", None)
    g["labour_status"] = pd.Series(status, dtype="object")
    g["employed"] = pd.array(np.where(resp, employed, None), dtype="boolean")
    g["income_stat"] = np.nan
    g["first_job_event"] = pd.array(np.where(resp & employed, 1, np.where(resp, 0, None)), dtype="Int64")
    undated = rng.random(n) >= dated
    g["months_to_first_job"] = np.where(resp & ~undated, rng.uniform(0, 9, n), np.nan)
    return g


def test_registry_rows_say_why_an_indicator_has_no_value():
    from analysis.derive.registry import get_indicator

    inds = [get_indicator(i) for i in ("employment_rate", "median_monthly_income", "median_months_to_first_job")]
    none = R.registry_rows(_grads(p2=False), {}, ST, inds).set_index("indicator")["note"]
    assert none.to_dict() == {"employment_rate": "no data: no_phase2", "median_monthly_income": "no data: no_phase2",
                              "median_months_to_first_job": "no data: no_phase2"}
    idle = R.registry_rows(_grads(employed=False), {}, ST, inds[1:2]).set_index("indicator")["note"]
    assert idle["median_monthly_income"] == "no data: no_universe"  # nobody employed: nobody to ask
    quiet = R.registry_rows(_grads(), {}, ST, inds[1:2]).set_index("indicator")["note"]
    assert quiet["median_monthly_income"] == "no data: no_answers"  # employed, but no income given
    undated = R.registry_rows(_grads(dated=0.5), {}, ST, inds[2:]).set_index("indicator")["note"]
    assert undated["median_months_to_first_job"] == "no data: no_dates"
    dated = R.registry_rows(_grads(dated=1.0), {}, ST, inds[2:])
    assert dated.loc[dated["domain"] == "all", "estimate"].notna().all()
    assert R.why_of("no data: no_dates") == "no_dates" and R.why_of("not measured") is None


def test_dated_share_reads_nullable_events():
    g = _grads(dated=0.5)
    assert g["first_job_event"].isna().any()  # non-respondents: <NA>
    share = R.dated_share(g)
    found = (g["first_job_event"] == 1).fillna(False).to_numpy(bool)
    assert share == pytest.approx(g.loc[found, "months_to_first_job"].notna().mean())
    assert np.isnan(R.dated_share(_grads(employed=False)))


def test_an_indicator_that_raises_is_a_failed_row_not_a_crash(monkeypatch):
    from analysis.derive.registry import get_indicator

    def boom(*a, **k):
        raise ValueError("singular matrix\nsecond line")

    monkeypatch.setitem(R.KINDS, "mean", boom)
    monkeypatch.setattr(R, "share_rows", boom)
    out = R.registry_rows(_grads(), {}, ST, [get_indicator("employment_rate")])
    assert out["note"].tolist() == ["failed: ValueError: singular matrix"] and np.isnan(out["estimate"]).all()


def test_result_families_record_why_they_are_empty():
    from analysis.results import families as F

    assert F.cif_rows(_grads(p2=False), ST)["note"].tolist() == ["no data: no_phase2"]
    assert F.cif_rows(_grads(dated=0.5), ST)["note"].tolist() == ["no data: no_dates"]
    one = F.cif_rows(_grads(), ST)  # one faculty: curves, but no log-rank test (it needs two groups)
    lr = one[one["indicator"] == "first_job_logrank"].iloc[0]
    assert lr["note"] == "no data: one_group" and lr["domain"] == "faculty"
    assert (one["indicator"] == "first_job_cif").sum() > 1
    assert F.employer_rows(None, ST, ())["note"].tolist() == ["no data: no_employers"]
    g = _grads().assign(comp_grad_ict=np.nan, comp_job_ict=np.nan)
    assert F.competence_rows(g, ST, None, ("ict",))["note"].tolist() == ["no data: no_answers"]
    assert F.competence_rows(g.assign(resp_p1=False), ST, None, ("ict",))["note"].tolist() == ["no data: no_phase1"]
    fb = F.feedback_rows(_grads(p2=False).assign(job_satisfaction=np.nan), ST, {})
    assert fb["note"].tolist() == ["no data: no_phase2"] and fb["category"].tolist() == ["p2"]
    mi = F.income_mi_rows({"status": "failed", "reason": "only 0 exact incomes: nothing to impute from"}, ST)
    assert mi["note"].tolist() == ["not available: only 0 exact incomes: nothing to impute from"]  # no KeyError


@pytest.mark.parametrize("reason, code, fields", [
    ("too few complete cases for the employment_logit (n=12; needs at least 20 for 2 parameters)", "too_few",
     {"n": "12", "need": "20"}),
    ("no complete cases (every row misses the outcome or a predictor)", "no_cases", {}),
    ("no survey design (no phase-2 respondents were weighted)", "no_phase2", {}),
    ("the outcome hardly varies: only 2 of 30 complete cases in the rarer class", "no_variation", {}),
    ("perfect separation persists after dropping faculty", "unstable", {}),
    ("predictor column(s) funding missing from the graduates table", "not_measured", {}),
    ("LinAlgError: Singular matrix", "other", {"reason": "LinAlgError: Singular matrix"}),
])
def test_model_failures_are_classified_for_the_report(reason, code, fields):
    from analysis.results.families import model_why

    assert model_why(f"failed: {reason}") == (code, fields)


def test_a_result_family_that_raises_is_recorded_and_the_stage_goes_on(tmp_path, monkeypatch):
    from analysis.pipeline import estimation
    from analysis.pipeline.estimation import run_models

    def broken(*args, **kwargs):
        return 1 / 0

    monkeypatch.setattr(estimation, "competence_rows", broken)  # one result family fails
    cfg = config_from_dict({"cohort": "hand-2025", "graduation_year": 2025, "project_root": str(tmp_path),
                            "inputs": [{"path": "r.csv", "instrument": "registry", "format": "registry_csv"}]})
    out = run_models(_grads(p2=False), cfg, tmp_path / "results")  # no phase-2 respondent at all
    pub = pd.read_parquet(tmp_path / "results" / "published.parquet").set_index(["indicator", "domain", "group"])
    assert pub.loc[("employment_rate", "all", "all"), "note"] == "no data: no_phase2"
    assert pub.loc[("first_job_cif", "all", "all"), "note"] == "no data: no_phase2"
    assert str(pub.loc[("model:employment_logit", "all", "all"), "note"]).startswith("failed: ")
    gap = pub.loc[[i for i in pub.index if i[0] == "competence_gap"]]
    assert gap["note"].tolist() == ["failed: ZeroDivisionError: division by zero"]
    assert out["disclosure"]["cells"].sum() == len(pub)


def test_the_model_stage_runs_with_one_phase_two_respondent(tmp_path):
    """A cohort with a single phase-2 answer: weights, every estimate and the disclosure pass still run; the
    lone respondent's values are suppressed, not published."""
    from analysis.pipeline.estimation import run_models

    g = _grads()
    one = np.arange(len(g)) == 0
    g["resp_p2"] = pd.array(one, dtype="boolean")
    g["labour_status"] = pd.Series(np.where(one, "employed", None), dtype="object")
    g["employed"] = pd.array(np.where(one, True, None), dtype="boolean")
    cfg = config_from_dict({"cohort": "hand-2025", "graduation_year": 2025, "project_root": str(tmp_path),
                            "inputs": [{"path": "r.csv", "instrument": "registry", "format": "registry_csv"}]})
    run_models(g, cfg, tmp_path / "results")
    est = pd.read_parquet(tmp_path / "results" / "estimates.parquet").set_index(["indicator", "domain", "group"])
    emp = est.loc[("employment_rate", "all", "all")]
    assert (emp["n"], emp["estimate"], emp["basis"]) == (1.0, 1.0, "weighted") and np.isnan(emp["se"])
    pub = pd.read_parquet(tmp_path / "results" / "published.parquet").set_index(["indicator", "domain", "group"])
    assert pub.loc[("employment_rate", "all", "all"), "status"] == "suppressed"


# ----------------------------------------------------------------------------- the report's one-line reasons
def _report(tmp_path, rows: list[dict], lang: str = "en", inputs: tuple[str, ...] = ("phase1", "phase2", "employer"),
            weights: dict | None = None):
    from analysis.publish.report import Report

    files = [{"path": "r.csv", "instrument": "registry", "format": "registry_csv"}]
    files += [{"path": f"{i}.csv", "instrument": i, "format": "kobo_csv", "mode": "online"} for i in inputs]
    cfg = config_from_dict({"cohort": "hand-2025", "graduation_year": 2025, "project_root": str(tmp_path),
                            "inputs": files})
    pub = _rows(rows)
    pub["status"] = [r.get("status", "published") for r in rows]
    pub["rule"] = [r.get("rule", "") for r in rows]
    rep = Report(cfg=cfg, lang=lang)
    rep.__dict__["published"] = pub
    if weights is not None:
        cfg.paths.results.mkdir(parents=True, exist_ok=True)
        (cfg.paths.results / "weights.json").write_text(json.dumps({"p2": weights}), encoding="utf-8")
    return rep


def _shown(monkeypatch, fn) -> str:
    from analysis.publish import report

    parts: list[str] = []
    monkeypatch.setattr(report, "_show", lambda obj: parts.append(getattr(obj, "data", repr(obj))))
    fn()
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", " ", " ".join(str(p) for p in parts)))


def _count(name: str, value: float) -> dict:
    return {"indicator": f"count:{name}", "statistic": "total", "unit": "count", "domain": "all", "group": "all",
            "n": value, "estimate": value, "basis": "census"}


def test_sections_of_a_cohort_without_phase_two_say_so_once_each(tmp_path, monkeypatch):
    rows = [_count("graduates", 40), _count("respondents_p1", 30), _count("respondents_p2", 0),
            {"indicator": "employment_rate", "statistic": "share", "unit": "share", "domain": "all", "group": "all",
             "n": 0.0, "note": "no data: no_phase2"}]
    for lang, line in (("en", "Not enough data: this cohort has no phase-2 (follow-up survey) file."),
                       ("ru", "Недостаточно данных: у этого выпуска нет файла 2-го этапа (повторного опроса)."),
                       ("ky", ("Маалымат жетишсиз: бул когортада 2-этаптын (бүтүргөндөн кийинки сурамжылоонун) "
                               "файлы жок."))):
        rep = _report(tmp_path, rows, lang, inputs=("phase1",))
        for section in (employment, first_job, income, match, models, detailed_tables):
            text = _shown(monkeypatch, lambda section=section, rep=rep: section.render(rep))
            assert text.count(line) == 1, (lang, section.__name__, text)
    rep = _report(tmp_path, rows, "en", inputs=("phase1", "phase2"))  # the file exists, nothing was accepted
    text = _shown(monkeypatch, lambda: employment.render(rep))
    assert "Not enough data: no phase-2 answer was accepted (the reasons are under “Data quality”)." in text


def test_summary_cards_and_the_indicator_table_say_not_enough_data_instead_of_dots(tmp_path, monkeypatch):
    rows = [_count("graduates", 40), _count("respondents_p2", 0),
            {"indicator": "employment_rate", "statistic": "share", "unit": "share", "domain": "all", "group": "all",
             "n": 0.0, "note": "no data: no_phase2"}]
    rep = _report(tmp_path, rows, inputs=("phase1",))
    text = " ".join(_shown(monkeypatch, lambda: summary.render(rep)).split())  # the cards and the sentences
    assert "– employed (ILO definition) not enough data" in text
    assert "1. Employed (ILO definition): not enough data." in text
    text = " ".join(_shown(monkeypatch, lambda: all_indicators.render(rep)).split())  # the table of every indicator
    assert "Employment rate (ILO) | % of phase-2 respondents | 0 | not enough data" in text
    assert "()" not in text  # no interval-method note without a method


def test_every_group_too_small_is_one_line_under_the_caption(tmp_path, monkeypatch):
    rows = [_count("respondents_p2", 14),
            {"indicator": "employment_rate", "statistic": "share", "unit": "share", "domain": "faculty",
             "group": "F1", "n": 10.0, "status": "suppressed", "rule": "pct_base"}]
    rep = _report(tmp_path, rows)
    rep.labels.value = lambda domain, code: code
    text = " ".join(_shown(monkeypatch, lambda: rep.show_indicator_table("employment_rate", "faculty")).split())
    assert text == ("Employment rate (ILO), by faculty Not enough data: every group is too small to publish "
                    "(disclosure control: at least 10 respondents, 23 for a percentage).")


def test_models_say_why_in_the_reports_language_with_a_rounded_count(tmp_path, monkeypatch):
    rows = [_count("respondents_p2", 14),
            {"indicator": "model:employment_logit", "statistic": "coefficient", "unit": "odds_ratio", "domain": "all",
             "group": "all", "n": 0.0, "note": "failed: too few complete cases for the employment_logit (n=12; "
                                               "needs at least 20 for 2 parameters)"}]
    text = _shown(monkeypatch, lambda: models.render(_report(tmp_path, rows, "ru")))
    assert "Недостаточно данных: слишком мало ответивших с полными данными для модели (10; нужно не менее 20)." in text
    rows[1]["note"] = "failed: LinAlgError: Singular matrix"
    text = _shown(monkeypatch, lambda: models.render(_report(tmp_path, rows, "en")))
    assert "Not enough data: the computation failed (technical reason: LinAlgError: Singular matrix)." in text


def test_first_job_and_income_say_which_answers_are_missing(tmp_path, monkeypatch):
    rows = [_count("respondents_p2", 30),
            {"indicator": "first_job_cif", "statistic": "cif", "unit": "share", "domain": "all", "group": "all",
             "n": 0.0, "note": "no data: no_dates"},
            {"indicator": "median_monthly_income", "statistic": "median", "unit": "KGS", "domain": "all",
             "group": "all", "n": 0.0, "note": "no data: no_answers"}]
    rep = _report(tmp_path, rows)
    assert "Not enough data: fewer than 80% of those who found a job gave the month it started." in _shown(
        monkeypatch, lambda: first_job.render(rep))
    text = _shown(monkeypatch, lambda: income.render(rep))
    assert "Not enough data: no graduate in full-time paid work gave an exact monthly income." in text
    assert "by faculty" not in text  # one line, not two empty tables


def test_the_weighting_note_says_when_raking_was_given_up(tmp_path, monkeypatch):
    rep = _report(tmp_path, [], weights={"margins_used": [], "margins_requested": [["faculty", "sex"], ["level"]]})
    assert "every respondent has the same weight" in _shown(monkeypatch, lambda: methods.weighting_note(rep))
    rep = _report(tmp_path, [], weights={"margins_used": [["level"]],
                                         "margins_requested": [["faculty", "sex"], ["level"]]})
    text = _shown(monkeypatch, lambda: methods.weighting_note(rep))
    assert "the weights use only:" in text
    rep = _report(tmp_path, [], weights={"margins_used": [["faculty", "sex"], ["level"]],
                                         "margins_requested": [["faculty", "sex"], ["level"]]})
    shown = _shown(monkeypatch, lambda: methods.weighting_note(rep))
    assert "calibrated (raked) to the registry’s distribution by faculty × sex and by level of study" in shown


def test_employers_section_tells_a_missing_file_from_rejected_answers(tmp_path, monkeypatch):
    rows = [{"indicator": "employers:count", "statistic": "total", "unit": "count", "domain": "all", "group": "all",
             "n": 0.0, "note": "no data: no_employers"}]
    assert "Not enough data: this cohort has no employer survey file." in _shown(
        monkeypatch, lambda: employers.render(_report(tmp_path, rows, inputs=("phase1", "phase2"))))
    assert "Not enough data: no employer answer was accepted" in _shown(
        monkeypatch, lambda: employers.render(_report(tmp_path, rows)))


def test_a_failed_computation_is_one_line_with_its_recorded_error(tmp_path, monkeypatch):
    rows = [_count("respondents_p1", 30), _count("respondents_p2", 30),
            {"indicator": "competence_gap", "statistic": "value", "unit": "", "domain": "all", "group": "all",
             "n": 0.0, "note": "failed: ZeroDivisionError: division by zero"}]
    text = _shown(monkeypatch, lambda: competences.render(_report(tmp_path, rows)))
    assert "Not enough data: the computation failed (technical reason: ZeroDivisionError: division by zero)." in text

"""The employer survey: frame weighting, demand coding and split, business disclosure rules (with a planted
dominant employer), themes of open answers, competences in three views, the decisions register."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.derive.graduates import load_programmes
from analysis.derive.themes import (
    UNCODED,
    allocate_demand,
    code_answers,
    code_item,
    load_specialties,
    load_themes,
    split_list,
)
from analysis.errors import ConfigError, InputError
from analysis.privacy.scan import scan_for_personal_data
from analysis.publish.disclosure import Rules, business_sensitive, publish
from analysis.results.decisions import decision_rows, load_decisions
from analysis.results.employers import contributions, demand_hierarchy, demand_rows, employer_item_rows
from analysis.results.families import competence_rows
from analysis.results.table import Settings, finish
from analysis.results.themes import quote_candidates
from analysis.stats.weighting import read_enterprise_frame, weight_to_frame

ROOT = Path(__file__).resolve().parents[2]
ST = Settings(0.95, "wilson", "wilson")


# ----------------------------------------------------------------------------- frame weighting
def _employers(cells: dict[tuple[str, str], int]) -> pd.DataFrame:
    rows = [{"sector": s, "size_band": b} for (s, b), k in cells.items() for _ in range(k)]
    return pd.DataFrame(rows)


def _frame(cells: dict[tuple[str, str], int]) -> pd.DataFrame:
    return pd.DataFrame([{"sector": s, "size_band": b, "enterprises": n, "source": "test"}
                         for (s, b), n in cells.items()])


def test_poststratification_gives_each_cell_its_frame_count_and_a_design_based_total():
    emp = _employers({("G", "lt5"): 4, ("P", "50_200"): 2})
    emp["need"] = [1.0, 2.0, 3.0, 2.0, 10.0, 14.0]
    design, diag = weight_to_frame(emp, _frame({("G", "lt5"): 100, ("P", "50_200"): 6}))
    assert diag["method"] == "poststratification"
    w = pd.Series(design.w, index=design.data.index)
    assert w.iloc[:4].tolist() == pytest.approx([25.0] * 4) and w.iloc[4:].tolist() == pytest.approx([3.0, 3.0])
    from analysis.stats.survey import svytotal
    tot = svytotal(design, "need").iloc[0]
    assert tot["estimate"] == pytest.approx(25 * 8 + 3 * 24)  # 272
    # post-stratified total (one stratum, with replacement): scores w·e with e the residuals from the cell
    # means, V = n/(n-1) Σ (w e)² — the within-cell spread only (R postStratify + svytotal)
    e = np.array([1, 2, 3, 2.0]) - 2.0
    f = np.array([10, 14.0]) - 12.0
    v = 6 / 5 * (np.sum((25 * e) ** 2) + np.sum((3 * f) ** 2))
    assert tot["se"] == pytest.approx(math.sqrt(v), rel=1e-9)


def test_thin_cells_are_pooled_and_raked_to_the_frame_margins():
    emp = _employers({("G", "lt5"): 3, ("G", "5_20"): 2, ("P", "5_20"): 3, ("J", "lt5"): 1})
    frame = _frame({("G", "lt5"): 200, ("G", "5_20"): 30, ("P", "5_20"): 20, ("J", "lt5"): 5, ("B", "lt5"): 10})
    design, diag = weight_to_frame(emp, frame)
    assert diag["method"] == "raking"
    assert diag["pooled"] == {"sector=B": "G", "sector=J": "G"}  # too thin even together: into the largest
    w = pd.Series(design.w, index=emp.index)
    assert w.sum() == pytest.approx(265.0)
    assert w[emp["size_band"] == "lt5"].sum() == pytest.approx(215.0)
    assert w[emp["sector"] == "P"].sum() == pytest.approx(20.0)


def test_no_frame_means_unweighted_and_a_broken_frame_is_one_line(tmp_path):
    design, diag = weight_to_frame(_employers({("G", "lt5"): 3}), None)
    assert design is None and "unweighted" in diag["note"]
    bad = tmp_path / "frame.csv"
    bad.write_text("sector,size_band,enterprises,source\nG,lt5,12,x\nZ,lt5,3,x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"frame.csv, row 3, column 'sector': 'Z' is not a GKED"):
        read_enterprise_frame(bad)
    bad.write_text("sector,size_band,enterprises,source\nG,lt5,-2,x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2, column 'enterprises'"):
        read_enterprise_frame(bad)


def test_demo_frame_is_reproduced_and_covers_every_surveyed_employer():
    from analysis.demo import frame as mef
    from analysis.ingest import read_input
    folder = ROOT / "data" / "raw" / "demo-2025"
    emp = read_input("employers_kobo.xlsx", "employer", "kobo_xlsx", mode="online", base_dir=folder).table
    frame = read_enterprise_frame(folder / "enterprise_frame.csv")
    assert frame.equals(read_enterprise_frame_from(mef.frame_from(emp)))
    assert frame["source"].str.startswith("SYNTHETIC").all()
    got = emp.groupby(["sector", "size_band"]).size()
    f = frame.set_index(["sector", "size_band"])["enterprises"]
    assert all(f[c] >= n for c, n in got.items())


def read_enterprise_frame_from(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(enterprises=df["enterprises"].astype(int)).reset_index(drop=True)


# ----------------------------------------------------------------------------- coding and demand
def test_lists_split_outside_brackets_and_items_code_to_the_first_matching_entry():
    assert split_list("Юрист, Логист; Фармацевт") == ["Юрист", "Логист", "Фармацевт"]
    assert split_list("Мугалим (математика, англис тили), Медайым") == ["Мугалим (математика, англис тили)", "Медайым"]
    sp = load_specialties(programmes=load_programmes())
    assert code_item("Менеджер по продажам", sp) == "sales"      # before the general "manager"
    assert code_item("менеджер", sp) == "manager"
    assert code_item("учителя начальных классов", sp) == "teacher"
    assert code_item("Тиш доктуру", sp) == "dentist"
    assert code_item("инженер-строитель", sp) == "civil_engineer"
    assert code_item("Космонавт", sp) == UNCODED


def test_every_specialty_programme_lists_its_isco_in_the_crosswalk(tmp_path):
    sp = load_specialties(programmes=load_programmes())
    assert {e.code for e in sp} >= {"teacher", "nurse", "doctor", "accountant", "driver"}
    bad = tmp_path / "s.yaml"
    bad.write_text("specialties:\n  x:\n    label: {ky: a, ru: b, en: c}\n    isco: '51'\n    programmes: [LAW-JUR-B]\n"
                   "    stems: {ru: [повар]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="LAW-JUR-B does not list ISCO 51"):
        load_specialties(bad, programmes=load_programmes())


def test_need_is_split_equally_and_what_cannot_be_coded_is_kept_as_uncoded():
    sp = load_specialties(programmes=load_programmes())
    emp = pd.DataFrame({"need_3y_n": [6, 4, 3, 0],
                        "need_3y_specialty": ["Юрист, Бухгалтер, Космонавт", "", "", "Юрист"],
                        "need_3y_profession": ["", "Повар", "", ""]})
    a = allocate_demand(emp, sp)
    by = a.groupby("specialty")["need"].sum().to_dict()
    assert by == {"lawyer": 2.0, "accountant": 2.0, UNCODED: 5.0, "cook": 4.0}   # 2 + 3 (no item listed)
    assert a["need"].sum() == 13.0
    rows = demand_rows(emp.assign(need_3y_women=[2, 4, pd.NA, pd.NA], need_3y_men=[4, 0, pd.NA, pd.NA]), ST, None, sp)
    tot = rows[(rows["indicator"] == "employer_demand_3y") & (rows["domain"] == "all")].iloc[0]
    assert tot["estimate"] == 13.0 and tot["basis"] == "unweighted" and math.isnan(tot.get("ci_low", math.nan))
    sex = rows[rows["indicator"] == "employer_demand_3y_sex"].set_index("category")["estimate"].to_dict()
    assert sex == {"women": 6.0, "men": 4.0, "unspecified": 3.0}
    unc = rows[rows["indicator"] == "employer_demand_3y_uncoded"].iloc[0]
    assert unc["estimate"] == pytest.approx(5 / 13)
    isco = rows[rows["domain"] == "demand_isco"].set_index("group")["estimate"].to_dict()
    assert isco == {"2": 4.0, "5": 4.0, UNCODED: 5.0}  # lawyer (26) + accountant (24); cook (51)


# ----------------------------------------------------------------------------- business disclosure
def test_contributions_are_shares_of_the_weighted_cell_total():
    c = contributions(pd.Series([90.0, 5.0, 5.0, 0.0]), None)
    assert c == {"contributors": 3.0, "top1": 0.9, "top2": 0.05}


def test_threshold_and_p_percent_rules():
    rows = pd.DataFrame({"contributors": [2, 3, 5, 5, np.nan, 0], "top1": [0.6, 0.95, 0.5, 0.5, np.nan, 0],
                         "top2": [0.4, 0.03, 0.45, 0.3, np.nan, 0]})
    # p% (p=10): 1 - s1 - s2 < 0.1 s1  -> row 1: 0.02 < 0.095 sensitive; row 2: 0.05 < 0.05 no; row 3: 0.2 no
    assert business_sensitive(rows, Rules()).tolist() == ["business_n", "p_percent", "", "", "", ""]


def test_a_planted_dominant_employer_is_suppressed_and_cannot_be_recovered():
    sp = load_specialties(programmes=load_programmes())
    n = 30
    emp = pd.DataFrame({"need_3y_n": [2] * n, "need_3y_specialty": ["Юрист"] * 10 + ["Повар"] * 10 + ["Бухгалтер"] * 10,
                        "need_3y_women": [1] * n, "need_3y_men": [1] * n, "sector": "G", "size_band": "5_20"})
    emp.loc[0, ["need_3y_n", "need_3y_women", "need_3y_men"]] = [500, 250, 250]   # the dominant lawyer employer
    emp.loc[25, "need_3y_specialty"] = "Ветеринар"                                 # a lone veterinarian
    rows = finish([demand_rows(emp, ST, None, sp)], ST)
    pub = publish(rows, demand_hierarchy(sp))
    cell = lambda dom, grp: pub[(pub["domain"] == dom) & (pub["group"] == grp)  # noqa: E731
                                & (pub["indicator"] == "employer_demand_3y")].iloc[0]
    assert cell("demand_specialty", "lawyer")["rule"] == "p_percent"
    assert cell("demand_specialty", "veterinarian")["rule"] == "business_n"
    assert cell("demand_isco", "2")["rule"] in ("p_percent", "secondary")      # lawyer dominates group 2 too
    # the total: the other 29 employers' 58 exceed p % of the dominant 500, so it is not sensitive itself —
    # published, so secondary suppression hides one more lawyer-sibling and the attack recovers nothing
    assert cell("all", "all")["status"] == "published"
    assert (pub["rule"] == "secondary").any()
    assert {"contributors", "top1", "top2"}.isdisjoint(pub.columns)


# ----------------------------------------------------------------------------- themes and quotes
def test_answers_are_coded_by_stems_in_three_languages_and_uncoded_is_counted():
    th = load_themes()
    ans = pd.Series(["Практиканы көбөйтүү керек", "Больше практических занятий и английский", "", None, "Нормально"])
    c = code_answers(ans, th, "suggestions")
    assert c.loc[0, "practice"] and c.loc[1, "practice"] and c.loc[1, "foreign_languages"]
    assert c.loc[4, UNCODED] and not c.loc[0, UNCODED]
    assert c.loc[2].isna().all() and c.loc[3].isna().all()  # no answer: outside the share's base


def test_quotes_skip_capitalised_words_digits_and_long_answers():
    q = quote_candidates(pd.Series(["Практика аз", "Практика аз", "Мугалим Асанов жакшы", "Звоните [phone]",
                                    "Окуу 2 жыл", " ".join(["сөз"] * 13)]))
    assert q == ["Практика аз"]


def test_the_privacy_gate_catches_a_registry_name_in_a_quote(tmp_path):
    """A quote that slipped through with a graduate's name fails the run's personal-data gate."""
    rows = pd.DataFrame([{"indicator": "theme_quote:strengths", "category": "teachers",
                          "note": "Мугалим Асанова Айгүл жакшы окутту"}])
    rows.to_parquet(tmp_path / "published.parquet")
    hits = scan_for_personal_data([tmp_path], {"full_name": ["Асанова Айгүл"]})
    assert len(hits) == 1 and hits[0].kind == "full_name" and hits[0].file.name == "published.parquet"
    assert quote_candidates(rows["note"]) == []  # and the quote filter would not have chosen it


# ----------------------------------------------------------------------------- competences, three views
def test_employer_gap_is_a_two_sample_difference_with_the_combined_se():
    g = pd.DataFrame({"comp_grad_ict": [3, 4, 3, 4, 3, 4, 3, 4], "comp_job_ict": [4, 5, 4, 5, 4, 4, 4, 5],
                      "resp_p1": True, "resp_p2": True})
    e = pd.DataFrame({"rate_ict": [2, 3, 2, 3, 2, 3]})
    r = competence_rows(g, ST, None, ("ict",), e, None).set_index("indicator")
    emp, acq, gap = r.loc["competence_employer"], r.loc["competence_acquired"], r.loc["competence_employer_gap"]
    assert emp["estimate"] == 2.5 and acq["estimate"] == 3.5 and gap["estimate"] == -1.0
    se = math.hypot(np.std([2, 3] * 3, ddof=1) / math.sqrt(6), np.std([3, 4] * 4, ddof=1) / math.sqrt(8))
    assert gap["ci_high"] - gap["estimate"] == pytest.approx(ST.z * se)
    assert r.loc["competence_gap"]["estimate"] == pytest.approx(0.875)  # paired: required − acquired


# ----------------------------------------------------------------------------- decisions register
def test_decisions_are_validated_and_a_missing_baseline_says_so(tmp_path):
    good = ("id: d1\nprogramme: LAW-JUR-B\nindicator: employment_rate\nwhat: x\nwhy: y\nowner: dean\n"
            "date: 2025-09-01\nbaseline_cohort: c-2024\n")
    (tmp_path / "decisions").mkdir()
    (tmp_path / "decisions" / "d1.yaml").write_text(good, encoding="utf-8")
    ds = load_decisions(tmp_path / "decisions", indicators=["employment_rate"], programmes=["LAW-JUR-B"])
    rows = decision_rows(ds, pd.DataFrame(columns=["indicator"]), "c-2025", tmp_path, ST)
    assert rows["note"].tolist() == ["baseline not run: c-2024"]
    (tmp_path / "decisions" / "d2.yaml").write_text(good.replace("d1", "d2").replace("2025-09-01", "01.09.2025"),
                                                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r"d2.yaml: key 'date' '01.09.2025' is not a date"):
        load_decisions(tmp_path / "decisions")


def test_a_decision_may_give_its_words_in_three_languages(tmp_path):
    (tmp_path / "decisions").mkdir()
    base = "id: d1\nprogramme: all\nindicator: employment_rate\nwhy: y\nowner: dean\ndate: 2025-09-01\n" \
           "baseline_cohort: c-2024\n"
    (tmp_path / "decisions" / "d1.yaml").write_text(base + "what: {ky: Практика, ru: Практика., en: Placement}\n",
                                                    encoding="utf-8")
    (d,) = load_decisions(tmp_path / "decisions")
    assert (d.text("what", "ky"), d.text("what", "ru"), d.text("what", "en")) == ("Практика", "Практика.", "Placement")
    assert d.text("why", "ky") == d.text("why", "en") == "y"  # one text: shown as written
    (tmp_path / "decisions" / "d1.yaml").write_text(base + "what: {ky: Практика, en: Placement}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"d1.yaml: key 'what' must be one text or a text in each of ky, ru, en"):
        load_decisions(tmp_path / "decisions")


def test_decision_difference_uses_newcombe_between_cohorts(tmp_path):
    def res(x, n):
        return finish([pd.DataFrame([{"indicator": "employment_rate", "statistic": "share", "unit": "share",
                                      "domain": "programme", "group": "LAW-JUR-B", "category": "", "n": n, "x": x,
                                      "estimate": x / n, "unweighted": x / n, "basis": "unweighted"}])], ST)
    base = tmp_path / "data" / "processed" / "c-2024" / "results"
    base.mkdir(parents=True)
    res(20, 50).to_parquet(base / "estimates.parquet")
    (tmp_path / "decisions").mkdir()
    (tmp_path / "decisions" / "d.yaml").write_text(
        "id: d\nprogramme: LAW-JUR-B\nindicator: employment_rate\nwhat: x\nwhy: y\nowner: dean\ndate: 2025-09-01\n"
        "baseline_cohort: c-2024\n", encoding="utf-8")
    rows = decision_rows(load_decisions(tmp_path / "decisions"), res(30, 50), "c-2025", tmp_path, ST)
    d = rows[rows["category"] == "difference"].iloc[0]
    from analysis.stats.nonresponse import newcombe_diff_ci
    est, lo, hi = newcombe_diff_ci(30, 50, 20, 50, alpha=0.05)
    assert d["estimate"] == pytest.approx(0.2) and (d["ci_low"], d["ci_high"]) == pytest.approx((lo, hi))
    assert rows[rows["category"] == "before"].iloc[0]["estimate"] == pytest.approx(0.4)


def test_employer_items_without_frame_are_unweighted_shares_of_employers():
    e = pd.DataFrame({"legal_form": ["ie", "ie", "enterprise", "state_org"], "skills_gap": ["yes", "no", "yes", None],
                      "ready_to_train": ["it managers", "it", None, "other"], "staff_women": [1, 2, 3, 4],
                      "staff_men": [1, 0, 1, 0]})
    r = employer_item_rows(e, ST, None)
    lf = r[r["indicator"] == "employers:legal_form"].set_index("category")["estimate"].to_dict()
    assert lf == {"enterprise": 0.25, "ie": 0.5, "state_org": 0.25}
    assert r[r["indicator"] == "employers:skills_gap"].iloc[0]["estimate"] == pytest.approx(2 / 3)
    rt = r[r["indicator"] == "employers:ready_to_train"].set_index("category")
    assert rt.loc["it", "estimate"] == pytest.approx(2 / 3) and rt.loc["it", "n"] == 3
    women = r[r["indicator"] == "employers:share_women_staff"].iloc[0]
    assert women["estimate"] == pytest.approx(10 / 12) and women["basis"] == "unweighted"

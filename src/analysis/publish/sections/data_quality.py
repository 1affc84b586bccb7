"""Appendix: data quality — the targets (response, knowledge rate), what happened to every raw row of every file
(the accounting identity), the ingestion notices that need a look, the validation rules that fired with one
example each, response against the registry by programme, sex and mode, and the non-response bias check.

Counts of problems describe files, not people, and are shown as they are; response rates are published rows.
Questions are named by their text, never by their code; file names and raw values are shown verbatim (as code).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.core.i18n import t
from analysis.publish.formatting import fmt_pct
from analysis.publish.labels import value_label
from analysis.publish.quality_report import quality_tables

_WHAT = {"phase2_response": "what_p2_response", "knowledge_rate": "what_knowledge_rate"}
_REFERENCE = {"phase2_response": "target_reference_hesa", "knowledge_rate": "target_reference_nace"}


def _instrument_of(rep: Any, file: str) -> str | None:
    for item in rep.cfg.inputs:
        if item.path == file:
            return item.instrument
    return None


def column_label(rep: Any, file: str, column: str) -> str:
    """The question text of a raw column (by the file's instrument), never its code; "" for none."""
    column = str(column or "")
    if not column:
        return ""
    inst = _instrument_of(rep, file)
    label = rep.question_label(inst, column) if inst else rep.var_label(column)
    return label.split(" — ")[0] if label != column else rep.var_label(column)


def target_lines(rep: Any, flags: pd.DataFrame) -> list[tuple[str, bool]]:
    """Sentences on the cohort-level targets and the programmes below the response target."""
    lines: list[tuple[str, bool]] = []
    if flags.empty:
        return lines
    for _, f in flags[flags["domain"] == "all"].iterrows():
        key = "target_missed" if f["missed"] else "target_met"
        ref = _REFERENCE.get(str(f["indicator"]))
        lines.append((t(key, rep.lang, what=t(_WHAT.get(str(f["indicator"]), "what_p2_response"), rep.lang),
                        value=fmt_pct(f["rate"], rep.lang), target=fmt_pct(f["threshold"], rep.lang))
                      + (f" ({t(ref, rep.lang)})" if ref else ""), not bool(f["missed"])))
    missed = flags[(flags["domain"] != "all") & flags["missed"] & (flags["indicator"] == "phase2_response")]
    if len(missed):
        names = sorted(set(missed["domain"].astype(str)))
        shown = ", ".join(rep.labels.value("programme", n) for n in names)
        lines.append((t("groups_below_target", rep.lang, k=len(names), names=shown), False))
    return lines


def notices_table(rep: Any) -> tuple[pd.DataFrame, int]:
    """The ingestion notices of level warning or error (file, row, question, level, count, message, what to do)
    and how many informational ones were left out (automatic corrections: in the run log and notebook 01)."""
    path = rep.paths.validated / "notices.parquet"
    if not path.exists():
        return pd.DataFrame(), 0
    n = pd.read_parquet(path)
    if n.empty:
        return pd.DataFrame(), 0
    info = int((n["level"] == "info").sum())
    n = n[n["level"] != "info"]
    lang = rep.lang
    rows = [{t("col_file", lang): r["file"], t("col_row", lang): "" if pd.isna(r["row"]) else str(int(r["row"])),
             t("col_column", lang): column_label(rep, r["file"], r["column"]),
             t("col_level", lang): t(f"notice_level_{r['level']}", lang),
             t("col_count", lang): "" if pd.isna(r["count"]) else str(int(r["count"])),
             t("col_message", lang): r[f"message_{lang}"], t("col_suggestion", lang): r[f"suggestion_{lang}"]}
            for r in n.to_dict("records")]
    return pd.DataFrame(rows), info


def response_table(rep: Any) -> pd.DataFrame:
    """Phase-1 and phase-2 response by programme × sex against the registry — published cells only."""
    rows = []
    p1 = rep.cells("response_rate_p1", "programme×sex").set_index("group")
    p2 = rep.cells("response_rate_p2", "programme×sex").set_index("group")
    lang = rep.lang
    for g in sorted(set(p1.index) | set(p2.index)):
        prog, sex = g.split("|", 1)
        r1 = p1.loc[g] if g in p1.index else None
        r2 = p2.loc[g] if g in p2.index else None
        base = r2 if r2 is not None else r1
        rows.append({t("domain_name_programme", lang): rep.labels.value("programme", prog),
                     t("domain_name_sex", lang): rep.labels.value("sex", sex), "N": rep.count(base["N"]),
                     t("col_phase1", lang): rep.value(r1), t("col_phase2", lang): rep.value(r2)})
    r1, r2 = rep.cell("response_rate_p1"), rep.cell("response_rate_p2")
    if r1 is not None or r2 is not None:
        base = r2 if r2 is not None else r1
        rows.append({t("domain_name_programme", lang): t("all_graduates", lang), t("domain_name_sex", lang): "",
                     "N": rep.count(base["N"]), t("col_phase1", lang): rep.value(r1),
                     t("col_phase2", lang): rep.value(r2)})
    return pd.DataFrame(rows)


def mode_table(rep: Any) -> pd.DataFrame:
    """Phase-2 response by collection mode and programme (census shares of the registry)."""
    modes = rep.cells("response_mode_p2")
    rows = []
    for (dom, g), d in modes.groupby(["domain", "group"], sort=False):
        if dom == "faculty":
            continue
        d = d.set_index("category")
        rec = {t("domain_name_programme", rep.lang): (rep.labels.value("programme", g) if dom == "programme"
                                                      else t("all_graduates", rep.lang)),
               "N": rep.count(d["N"].iloc[0])}
        for m in ("online", "phone", "paper"):
            rec[t(f"mode_{m}", rep.lang)] = rep.value(d.loc[m]) if m in d.index else "–"
        rows.append(rec)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    first = t("domain_name_programme", rep.lang)
    is_all = out[first] == t("all_graduates", rep.lang)
    return pd.concat([out[~is_all].sort_values(first), out[is_all]], ignore_index=True)


def nonresponse_table(rep: Any) -> None:
    """Phase-2 respondents vs non-respondents on registry and phase-1 variables (bias check)."""
    nr = rep.published[rep.published["indicator"].str.startswith("nonresponse:")]
    if nr.empty:
        return
    rows = []
    for (ind, cat), d in nr.groupby(["indicator", "category"], sort=False):
        var = ind.split(":", 1)[1]
        name = rep.var_label(var) + (f": {value_label(var, cat, rep.lang)}" if cat else "")
        d = d.set_index("group")
        if not {"respondents", "non_respondents"} <= set(d.index):
            continue  # a comparison needs both groups
        resp, non = d.loc["respondents"], d.loc["non_respondents"]
        rows.append({t("col_characteristic", rep.lang): name, t("col_respondents", rep.lang): rep.value(resp),
                     t("col_non_respondents", rep.lang): rep.value(non),
                     t("col_p", rep.lang): rep.p_value(resp["p_value"]) if resp["status"] == "published" else ".."})
    if rows:
        rep.show_table(pd.DataFrame(rows), "nonresponse_heading", denominator=t("denom_nonresponse", rep.lang))
        rep.note("nonresponse_intro")


def render(rep: Any) -> None:
    """Targets, the accounting per file, notices, rules and examples, response tables, the bias check."""
    rep.heading("sec_quality")
    rep.para("sec_quality_intro")
    q = quality_tables(rep.paths, rep.lang, rep.labels.value)
    flags = rep.paths.validated / "quality" / "flags.parquet"
    for line, ok in target_lines(rep, pd.read_parquet(flags) if flags.exists() else pd.DataFrame()):
        rep.say(line, "note" if ok else "flag")
    lang = rep.lang
    rep.show_table(q["accounting"], "caption_accounting", denominator=t("denom_files", lang),
                   code_cols=(t("col_file", lang),))
    if q["identity_ok"] and not q["accounting"].empty:
        rep.note("identity_ok")
    notices, info = notices_table(rep)
    if not notices.empty:
        rep.show_table(notices, "quality_notices", denominator=t("denom_files", lang),
                       code_cols=(t("col_file", lang),),
                       text_cols=(t("col_message", lang), t("col_suggestion", lang), t("col_column", lang)))
    if info:
        rep.note("quality_notices_info", k=info)
    if not q["rules"].empty:
        rep.show_table(q["rules"], "caption_rules", denominator=t("denom_files", lang))
    ex = q["examples"]
    if not ex.empty:
        # the rule's title says what is wrong; the validation message itself names internal list codes and
        # patterns, so it stays in the quarantine table and notebook 01, not in the report
        col, file = t("col_column", lang), t("col_file", lang)
        if col in ex.columns and file in ex.columns:
            ex = ex.assign(**{col: [column_label(rep, f, c) for f, c in zip(ex[file], ex[col])]})
        ex = ex.drop(columns=[t("col_message", lang)], errors="ignore")
        rep.show_table(ex, "quality_examples", denominator=t("denom_files", lang),
                       code_cols=(file, t("col_value", lang)), text_cols=(col,))
    rep.show_table(response_table(rep), "quality_response", why="no_registry" if not getattr(
        rep.cfg, "has_registry", True) else None, denominator=t("denom_registry", lang))
    rep.show_table(mode_table(rep), "quality_response_mode", why=rep.phase_why("p2") or (
        "no_registry" if not getattr(rep.cfg, "has_registry", True) else "no_phase2"),
        denominator=t("denom_registry", lang))
    nonresponse_table(rep)

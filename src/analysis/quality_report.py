"""Tables of the report's data-quality section, built from the stage outputs (offline, no Data Docs).

Reads ``validated/outcomes.parquet`` (one row per raw row), ``validated/quarantine.parquet`` (one row
per problem), ``graduates.parquet`` and ``results/estimates.parquet``. Everything shown passes the same
disclosure rules as the rest of the report (counts of problems are small and are shown as they are:
they describe files, not people; response tables are suppressed like any other percentage).
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from analysis.i18n import fmt_pct, t
from analysis.paths import CohortPaths

OUTCOMES = ("accepted", "warning", "quarantined", "merged_duplicate")
_OUTCOME_COL = {"accepted": "col_accepted", "warning": "col_warning", "quarantined": "col_quarantined",
                "merged_duplicate": "col_merged"}


def accounting(outcomes: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, bool]:
    """Raw rows per file split by outcome, and whether the identity holds for every file."""
    if outcomes.empty:
        return pd.DataFrame(), True
    tab = outcomes.groupby(["file", "outcome"]).size().unstack(fill_value=0)
    for o in OUTCOMES:
        if o not in tab:
            tab[o] = 0
    tab["raw"] = tab[list(OUTCOMES)].sum(axis=1)
    expected = outcomes.groupby("file")["raw_rows"].first() if "raw_rows" in outcomes else tab["raw"]
    ok = bool((tab["raw"] == expected.reindex(tab.index)).all())
    out = pd.DataFrame({t("col_file", lang): tab.index, t("col_rows", lang): tab["raw"].to_numpy()})
    for o in OUTCOMES:
        out[t(_OUTCOME_COL[o], lang)] = tab[o].to_numpy()
    return out, ok


def rule_counts(quarantine: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Problems per rule and file, and one example (file, row, question, value, message) of each rule."""
    if quarantine.empty:
        return pd.DataFrame(), pd.DataFrame()
    q = quarantine.copy()
    counts = q.groupby(["rule", "file"]).size().rename("n").reset_index().sort_values(["rule", "file"])
    counts.columns = [t("col_rule", lang), t("col_file", lang), t("col_count", lang)]
    ex = q.sort_values(["rule", "file", "row"]).drop_duplicates("rule")
    cols = {"rule": t("col_rule", lang), "file": t("col_file", lang), "row": t("col_row", lang),
            "column": t("col_column", lang), "value": t("col_value", lang), "message": t("col_message", lang)}
    ex = ex[[c for c in cols if c in ex.columns]].rename(columns=cols)
    return counts, ex


def response_table(graduates: pd.DataFrame, lang: str, min_base: float) -> pd.DataFrame:
    """Phase-1 and phase-2 response by programme × sex against the registry, with mode of phase 2."""
    if graduates.empty:
        return pd.DataFrame()
    g = graduates.copy()
    mode_col = "p2_mode" if "p2_mode" in g else None
    agg = {"n": ("resp_p2", "size"), "p1": ("resp_p1", "mean"), "p2": ("resp_p2", "mean")}
    tab = g.groupby(["programme", "sex"], observed=True).agg(**agg).reset_index()
    if mode_col:
        modes = g[g["resp_p2"].fillna(False).astype(bool)].groupby(["programme", "sex", mode_col], observed=True).size()
        modes = modes.unstack(fill_value=0)
        tab = tab.merge(modes.reset_index(), on=["programme", "sex"], how="left")
    out = pd.DataFrame({
        "programme": tab["programme"].astype(str), "sex": tab["sex"].astype(str), "N": tab["n"],
        "phase 1": [fmt_pct(v, lang) if n >= min_base else ".." for v, n in zip(tab["p1"], tab["n"])],
        "phase 2": [fmt_pct(v, lang) if n >= min_base else ".." for v, n in zip(tab["p2"], tab["n"])],
    })
    return out


def target_flags(estimates: pd.DataFrame, targets: dict[str, float], lang: str,
                 previous: dict[str, float] | None = None) -> list[tuple[str, bool]]:
    """Sentences saying whether each target was met (phase-2 response, knowledge rate), and vs last cohort."""
    lines = []
    for ind, key, what in (("response_rate_p2", "phase2_response", "what_p2_response"),
                           ("knowledge_rate", "knowledge_rate", "what_knowledge_rate")):
        row = estimates[(estimates["indicator"] == ind) & (estimates["domain"] == "all")] if not estimates.empty else estimates
        if row is None or row.empty or key not in targets:
            continue
        value, target = float(row["estimate"].iloc[0]), float(targets[key])
        ok = value >= target
        lines.append((t("target_met" if ok else "target_missed", lang, what=t(what, lang),
                        value=fmt_pct(value, lang), target=fmt_pct(target, lang)), ok))
        if previous and ind in previous and value < previous[ind]:
            lines.append((t("target_missed", lang, what=t(what, lang), value=fmt_pct(value, lang),
                            target=fmt_pct(previous[ind], lang)), False))
    return lines


def quality_tables(paths: CohortPaths, lang: str, targets: dict[str, float]) -> dict[str, Any]:
    """Everything the data-quality section shows."""
    v = paths.validated
    read = lambda p: pd.read_parquet(p) if p.exists() else pd.DataFrame()  # noqa: E731
    outcomes, quarantine = read(v / "outcomes.parquet"), read(v / "quarantine.parquet")
    graduates = read(paths.processed / "graduates.parquet")
    estimates = read(paths.results / "estimates.parquet")
    acc, ok = accounting(outcomes, lang)
    rules, examples = rule_counts(quarantine, lang)
    summary = json.loads((v / "summary.json").read_text(encoding="utf-8")) if (v / "summary.json").exists() else {}
    previous = summary.get("previous_rates")
    return {"accounting": acc, "identity_ok": ok, "rules": rules, "examples": examples,
            "response": response_table(graduates, lang, 22.5),
            "flags": target_flags(estimates, targets, lang, previous)}

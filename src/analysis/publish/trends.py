"""The trend report: indicators over cohorts, differences with Newcombe intervals, faculty breakdowns.

:func:`build_trends` reads each cohort's results (``data/processed/COHORT/results/``), builds the trend table
(:func:`analysis.results.trends.trend_rows`), runs the ONE disclosure pass over it
(:func:`analysis.publish.disclosure.publish`, hierarchy faculty → all) and writes
``data/processed/trends/estimates.parquet`` (full precision, internal), ``hierarchy.parquet`` and
``published.parquet``. :func:`render_trends` reads only the published trend rows and writes
``reports/trends/trends.LANG.html``: the report's blocks (:mod:`analysis.publish.blocks`), its CSS (the
project's nbconvert template), its formatter (:mod:`analysis.publish.formatting`) and its charts
(:func:`analysis.publish.charts.point_intervals`); every text from ``definitions/messages/trends.yaml``.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.config import CohortConfig, load_config
from analysis.core.i18n import t
from analysis.core.paths import TEMPLATES
from analysis.derive.registry import load_registry
from analysis.errors import TracerError
from analysis.publish.blocks import Block, Figure, Heading, Paragraph, Table, anchor_of, to_html
from analysis.publish.disclosure import Rules, hesa_round, publish
from analysis.publish.formatting import fmt_number, fmt_pct, format_count
from analysis.publish.labels import value_label
from analysis.results.table import Settings
from analysis.results.trends import CohortResults, pairs, trend_hierarchy, trend_rows

__all__ = ["HEADLINE", "build_trends", "render_trends", "trends_dir"]

HEADLINE: tuple[str, ...] = ("employment_rate", "unemployment_rate", "further_study_rate",
                             "horizontal_match_subjective_rate", "median_monthly_income")
"""The headline indicators charted over cohorts and broken down by faculty (shares) in the trend report."""

_DIGITS = {"KGS": 0, "months": 1, "ratio": 2, "index": 2}


def trends_dir(root: Path) -> Path:
    """``data/processed/trends/`` of the project ``root``."""
    return Path(root) / "data" / "processed" / "trends"


def _read(cfg: CohortConfig) -> CohortResults:
    folder = cfg.paths.processed / "results"
    est, pub = folder / "estimates.parquet", folder / "published.parquet"
    for f in (est, pub):
        if not f.exists():
            raise TracerError(f"{f}: cohort {cfg.cohort} has no results yet — run 'tracer run {cfg.cohort}' "
                              "(or 'tracer trends', which runs it) first")
    return CohortResults(cfg.cohort, pd.read_parquet(est), pd.read_parquet(pub))


def build_trends(cohorts: Sequence[str], root: Path) -> pd.DataFrame:
    """The published trend table of ``cohorts`` (oldest first), written under ``data/processed/trends/``.

    Intervals and the disclosure rules follow the LAST cohort's file (confidence, ``disclosure_min_n``).
    Raises :class:`~analysis.errors.TracerError` (one line) when a cohort has not been run.
    """
    cfgs = [load_config(c, root) for c in cohorts]
    st = Settings.from_config(cfgs[-1])
    rows = trend_rows([_read(c) for c in cfgs], st)
    hier = trend_hierarchy(rows)
    published = publish(rows, hier, Rules.from_config(cfgs[-1]))
    # a cell its own cohort's report hid carries no value (results.trends): say so in the status as well
    hid = published["note"].astype(str).str.startswith("suppressed in ").to_numpy()
    published.loc[hid, "status"], published.loc[hid, "rule"] = "suppressed", "cohort"
    out = trends_dir(root)
    out.mkdir(parents=True, exist_ok=True)
    rows.to_parquet(out / "estimates.parquet", index=False)
    hier.to_parquet(out / "hierarchy.parquet", index=False)
    published.to_parquet(out / "published.parquet", index=False)
    return published


# ----------------------------------------------------------------------------- formatting
def _num(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _value(row: pd.Series | None, lang: str, col: str = "estimate") -> str:
    if row is None or row.get("status") != "published":
        return ".."
    v = _num(row.get(col))
    if v != v:
        return ".."
    unit = str(row.get("unit", ""))
    return fmt_pct(v, lang) if unit == "share" else fmt_number(v, lang, _DIGITS.get(unit, 1))


def _interval(row: pd.Series | None, lang: str) -> str:
    if row is None or row.get("status") != "published":
        return ".."
    lo, hi = _num(row.get("ci_low")), _num(row.get("ci_high"))
    if lo != lo or hi != hi:
        return "–"
    if str(row.get("unit")) == "share":
        return f"{fmt_number(100 * lo, lang, 1)}–{fmt_number(100 * hi, lang, 1)}"
    d = _DIGITS.get(str(row.get("unit")), 1)
    return f"{fmt_number(lo, lang, d)}–{fmt_number(hi, lang, d)}"


def _diff(row: pd.Series | None, lang: str) -> str:
    """A difference: percentage points for shares (signed; the unit is in the column's name), the unit's number
    otherwise."""
    if row is None or row.get("status") != "published" or _num(row.get("estimate")) != _num(row.get("estimate")):
        return ".."
    v = _num(row["estimate"])
    share = str(row.get("unit")) == "share"
    text = fmt_number(100 * v if share else v, lang, 1 if share else _DIGITS.get(str(row.get("unit")), 1))
    return "+" + text if v > 0 and any(ch in "123456789" for ch in text) else text


def significance(row: pd.Series | None) -> int:
    """+1 / −1 when the published interval of a difference excludes zero (up / down), 0 otherwise."""
    if row is None or row.get("status") != "published":
        return 0
    lo, hi = _num(row.get("ci_low")), _num(row.get("ci_high"))
    if lo != lo or hi != hi:
        return 0
    return 1 if lo > 0 else (-1 if hi < 0 else 0)


def _sig_text(row: pd.Series | None, lang: str) -> str:
    s = significance(row)
    return t("trends_significant_up" if s > 0 else "trends_significant_down" if s < 0 else "trends_not_significant",
             lang)


# ----------------------------------------------------------------------------- the report
class _Doc:
    """The blocks of one language's trend report, and its table numbering."""

    def __init__(self, pub: pd.DataFrame, cfgs: list[CohortConfig], lang: str) -> None:
        self.pub, self.cfgs, self.lang = pub, cfgs, lang
        self.cohorts = [c.cohort for c in cfgs]
        self.blocks: list[Block] = []
        self.tables = 0
        conf = _num(pub["confidence"].dropna().iloc[0]) if pub["confidence"].notna().any() else 0.95
        self.conf = fmt_number(100 * conf, lang, 0)
        self.labels = {i.id: i.label[lang] for i in load_registry()}
        self.units = {i.id: i.unit for i in load_registry()}
        self._index = {(r.indicator, r.domain, r.group, r.category): r for r in pub.itertuples(index=False)}

    def row(self, indicator: str, domain: str, group: str, category: str) -> pd.Series | None:
        r = self._index.get((indicator, domain, group, category))
        return pd.Series(r._asdict()) if r is not None else None

    def add(self, block: Block) -> None:
        self.blocks.append(block)

    def heading(self, key: str, level: int = 2, **kw: Any) -> None:
        self.add(Heading(t(key, self.lang, **kw), level, anchor_of(key) if level == 2 else ""))

    def table_no(self) -> int:
        self.tables += 1
        return self.tables


def _response(doc: _Doc) -> None:
    doc.heading("trends_sec_response")
    for cfg in doc.cfgs:
        k = doc.row("count:graduates", "all", "all", cfg.cohort)
        n = doc.row("count:respondents_p2", "all", "all", cfg.cohort)
        kv, nv = _num(k["estimate"]) if k is not None else math.nan, _num(n["estimate"]) if n is not None else math.nan
        pct = fmt_pct(nv / kv, doc.lang) if kv and kv == kv and nv == nv else ".."
        doc.add(Paragraph(t("trends_response_line", doc.lang, cohort=cfg.cohort, year=cfg.graduation_year,
                            n=format_count(nv, doc.lang), k=format_count(kv, doc.lang), pct=pct,
                            months=cfg.survey_months_after)))


def _chart(doc: _Doc, ind: str) -> None:
    # lazy: matplotlib and seaborn are only needed when a chart is drawn
    import matplotlib.pyplot as plt

    from analysis.publish.charts import point_intervals

    rows = [(c, doc.row(ind, "all", "all", c)) for c in doc.cohorts]
    shown = [(c, r) for c, r in rows if r is not None and r.get("status") == "published"
             and _num(r.get("estimate")) == _num(r.get("estimate"))]
    if not shown:
        return
    unit = doc.units.get(ind, "share")
    table = pd.DataFrame({"label": [c for c, _ in shown],
                          "estimate": [_num(r["estimate"]) for _, r in shown],
                          "ci_low": [_num(r["ci_low"]) for _, r in shown],
                          "ci_high": [_num(r["ci_high"]) for _, r in shown],
                          "text": [_value(r, doc.lang) for _, r in shown]})
    fig = point_intervals(table, doc.labels[ind], percent=unit == "share")
    if unit != "share":
        hi = float(table["ci_high"].max()) if table["ci_high"].notna().any() else float(table["estimate"].max())
        fig.axes[0].set_xlim(0, hi * 1.3)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    values = "; ".join(t("trends_chart_alt_item", doc.lang, cohort=c, value=_value(r, doc.lang),
                         interval=_interval(r, doc.lang)) for c, r in shown)
    doc.add(Figure(buf.getvalue(), alt=t("trends_chart_alt", doc.lang, indicator=doc.labels[ind], values=values),
                   caption=t("trends_chart_caption", doc.lang, indicator=doc.labels[ind])))


def _headline(doc: _Doc) -> None:
    doc.heading("trends_sec_headline")
    doc.add(Paragraph(t("trends_headline_note", doc.lang, conf=doc.conf), "note"))
    for ind in HEADLINE:
        _chart(doc, ind)


def _pairs(doc: _Doc) -> list[tuple[str, str]]:
    return pairs(doc.cohorts)


def _differences(doc: _Doc) -> None:
    doc.heading("trends_sec_differences")
    doc.add(Paragraph(t("trends_differences_note", doc.lang), "note"))
    cols = (t("trends_col_indicator", doc.lang), t("trends_col_pair", doc.lang), t("trends_col_difference", doc.lang),
            t("trends_col_interval", doc.lang, conf=doc.conf), t("trends_col_significant", doc.lang))
    body, sig = [], []
    order = [i for i in HEADLINE] + [i for i in doc.labels if i not in HEADLINE]
    for ind in order:
        for a, b in _pairs(doc):
            r = doc.row(ind, "all", "all", f"{a}→{b}")
            if r is None:
                continue
            body.append((doc.labels[ind], f"{a} → {b}", _diff(r, doc.lang), _interval_diff(r, doc.lang),
                         _sig_text(r, doc.lang)))
            if significance(r):
                sig.append(f"{doc.labels[ind]} ({a} → {b}: {_diff(r, doc.lang)})")
    for ind, grp, a, b, r in _faculty_diffs(doc):
        if significance(r):
            sig.append(f"{doc.labels[ind]}, {value_label('faculty', grp, doc.lang)} ({a} → {b}: {_diff(r, doc.lang)})")
    doc.add(Paragraph(t("trends_significant_summary", doc.lang, count=len(sig), items="; ".join(sig)) if sig
                      else t("trends_no_significant", doc.lang), "lead"))
    tested = sum(1 for _ in body) + len(_faculty_diffs(doc))
    doc.add(Paragraph(t("trends_multiple_note", doc.lang, tested=format_count(tested, doc.lang),
                        expected=format_count(round(tested * 0.05), doc.lang)), "note"))
    doc.add(Table(cols, tuple(body), caption=t("trends_differences_caption", doc.lang, number=doc.table_no()),
                  text_columns=(1, 4)))


def _faculty_diffs(doc: _Doc) -> list[tuple[str, str, str, str, pd.Series]]:
    out = []
    p = doc.pub
    for ind in HEADLINE:
        for a, b in _pairs(doc):
            sel = p[(p["indicator"] == ind) & (p["domain"] == "faculty") & (p["category"] == f"{a}→{b}")]
            for grp in sorted(sel["group"].astype(str)):
                r = doc.row(ind, "faculty", grp, f"{a}→{b}")
                if r is not None:
                    out.append((ind, grp, a, b, r))
    return out


def _interval_diff(r: pd.Series | None, lang: str) -> str:
    if r is None or r.get("status") != "published":
        return ".."
    lo, hi = _num(r.get("ci_low")), _num(r.get("ci_high"))
    if lo != lo or hi != hi:
        return "–"
    k, d = (100, 1) if str(r.get("unit")) == "share" else (1, _DIGITS.get(str(r.get("unit")), 1))
    return f"{fmt_number(k * lo, lang, d)} … {fmt_number(k * hi, lang, d)}"


def _faculty(doc: _Doc) -> None:
    doc.heading("trends_sec_faculty")
    doc.add(Paragraph(t("trends_faculty_note", doc.lang, conf=doc.conf), "note"))
    first, last = doc.cohorts[0], doc.cohorts[-1]
    p = doc.pub
    for ind in HEADLINE:
        fac = sorted(set(p.loc[(p["indicator"] == ind) & (p["domain"] == "faculty"), "group"].astype(str)))
        if not fac:
            continue
        cols = (t("trends_col_faculty", doc.lang), *doc.cohorts, f"{first} → {last}")
        body = []
        for grp in ["all", *fac]:
            dom = "all" if grp == "all" else "faculty"
            cells = []
            for c in doc.cohorts:
                r = doc.row(ind, dom, grp, c)
                v = _value(r, doc.lang)
                cells.append(v if v == ".." else f"{v} ({_interval(r, doc.lang)})")
            d = doc.row(ind, dom, grp, f"{first}→{last}")
            dtext = _diff(d, doc.lang)
            if significance(d):
                dtext += f" ({t('trends_mark_significant', doc.lang)})"
            label = t("trends_all_graduates", doc.lang) if grp == "all" else value_label("faculty", grp, doc.lang)
            body.append((label, *cells, dtext))
        doc.add(Table(cols, tuple(body), caption=t("trends_faculty_caption", doc.lang, number=doc.table_no(),
                                                   indicator=doc.labels[ind])))


def _css() -> str:
    """The report's CSS (the project's nbconvert template), so the trend report looks like the reports."""
    text = (TEMPLATES / "tracer_html" / "index.html.j2").read_text(encoding="utf-8")
    m = re.search(r"<style[^>]*>(.*?)</style>", text, flags=re.S)
    return m.group(1) if m else ""


def trend_blocks(pub: pd.DataFrame, cfgs: list[CohortConfig], lang: str,
                 linkage: Sequence[dict[str, Any]] = (), waves: Sequence[dict[str, Any]] = ()) -> list[Block]:
    """The blocks of the trend report in ``lang`` from the published trend rows (oldest cohort first).
    ``linkage`` holds results of :func:`analysis.results.linkage.link_rate` between the cohorts (cohort, earlier,
    respondents, linked, …), stated in the method section; ``waves`` those of later waves against the cohort they
    follow up (plus ``months``), each a line of their own section. Counts are rounded to base 5 (HESA)."""
    doc = _Doc(pub, cfgs, lang)
    doc.add(Heading(t("trends_title", lang, first=doc.cohorts[0], last=doc.cohorts[-1]), 1))
    doc.add(Paragraph(t("trends_lead", lang), "lead"))
    if all(c.synthetic for c in cfgs):
        doc.add(Paragraph(t("trends_synthetic", lang), "flag"))
    _response(doc)
    if waves:
        doc.heading("trends_sec_waves")
        for w in waves:
            n, lr, lk = (float(hesa_round(w[k])) for k in ("respondents", "linked_resp", "linked"))
            doc.add(Paragraph(t("trends_wave_line", lang, cohort=w["cohort"], earlier=w["earlier"],
                                months=w["months"], n=format_count(n, lang), linked_resp=format_count(lr, lang),
                                pct=fmt_pct(lr / n, lang) if n else "..", linked=format_count(lk, lang))))
    _headline(doc)
    _differences(doc)
    _faculty(doc)
    doc.heading("trends_sec_method")
    doc.add(Paragraph(t("trends_method_text", lang)))
    for lk in linkage:  # counts rounded to base 5 like every published count (HESA), the share of the rounded ones
        n, linked = float(hesa_round(lk["respondents"])), float(hesa_round(lk["linked"]))
        doc.add(Paragraph(t("trends_linkage_line", lang, cohort=lk["cohort"], earlier=lk["earlier"],
                            n=format_count(n, lang), linked=format_count(linked, lang),
                            pct=fmt_pct(linked / n, lang) if n else ".."), "note"))
    doc.add(Paragraph(t("trends_generated", lang, cohorts=", ".join(doc.cohorts)), "note"))
    return doc.blocks


def render_trends(pub: pd.DataFrame, cohorts: Sequence[str], root: Path, lang: str,
                  linkage: Sequence[dict[str, Any]] = (), waves: Sequence[dict[str, Any]] = ()) -> Path:
    """Write ``reports/trends/trends.LANG.html`` (self-contained, offline) from the published trend rows."""
    cfgs = [load_config(c, root) for c in cohorts]
    blocks = trend_blocks(pub, cfgs, lang, linkage, waves)
    title = html.escape(t("trends_title", lang, first=cohorts[0], last=cohorts[-1]))
    body = "\n".join(to_html(b) for b in blocks)
    page = (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n'
            f"<style>{_css()}</style>\n</head>\n<body class=\"jp-Notebook\">\n<main class=\"jp-RenderedHTMLCommon\">\n"
            f"{body}\n</main>\n</body>\n</html>\n")
    out = Path(root) / "reports" / "trends" / f"trends.{lang}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out

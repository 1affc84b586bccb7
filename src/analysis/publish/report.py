"""The cohort report in ky / ru / en, rendered only from the published results table.

The report notebook (``notebooks/04_report.ipynb``) calls one method per section. Every number shown is a
row of ``results/published.parquet`` — the results table (:mod:`analysis.results.table`) after the one
disclosure pass (:func:`analysis.publish.disclosure.publish`): the report computes no statistic and decides no
suppression of its own, so it shows exactly what the tests verify. Every word comes from the message
catalogue (:mod:`analysis.core.i18n`), the indicator registry or the questionnaires. Charts are drawn by
:mod:`analysis.publish.charts` from published rows and embedded as PNG.
"""

from __future__ import annotations

import html
import io
import json
import math
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Image, display

from analysis.core.i18n import t
from analysis.derive.registry import load_registry
from analysis.errors import InputError
from analysis.ingest.notices import report_table
from analysis.publish.charts import (
    bars_with_ci,
    coefficient_plot,
    dumbbell,
    setup,
    stacked_shares,
    step_curves,
)
from analysis.publish.disclosure import Rules, hesa_round
from analysis.publish.formatting import fmt_number, fmt_pct, format_count
from analysis.publish.labels import column_labels, value_label
from analysis.publish.quality_report import quality_tables
from analysis.results.families import model_why
from analysis.results.table import MIN_DATED_SHARE, why_of


# ----------------------------------------------------------------------------- display helpers
def _show(obj: Any) -> None:
    display(obj)


def _html(text: str) -> None:
    _show(HTML(text))


def _figure(fig) -> None:
    """Show a chart as an embedded PNG, whatever matplotlib backend the kernel runs (Agg in batch runs
    shows only ``<Figure size …>`` for a displayed figure), then free it."""

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    _show(Image(data=buf.getvalue(), format="png"))


def _esc(text: Any) -> str:
    return html.escape(str(text))


_NUMERIC = re.compile(r"^[\s\d\u00a0.,%–\-+]*$|^\.\.$")


def table_html(df: pd.DataFrame, text_cols: tuple[str, ...] = ()) -> str:
    """A plain, paste-able HTML table (no index); text cells left-aligned, numbers right-aligned."""
    head = "".join(f"<th>{_esc(c)}</th>" for c in df.columns)
    rows = []
    for _, r in df.iterrows():
        cells = "".join(
            f'<td class="text">{_esc(v)}</td>' if (c in text_cols or i == 0 or not _NUMERIC.match(str(v)))
            else f"<td>{_esc(v)}</td>"
            for i, (c, v) in enumerate(r.items()))
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


# ----------------------------------------------------------------------------- labels
_DOMAIN_COLUMN = {"status": "labour_status", "mode": "p2_mode"}


@dataclass
class Labels:
    """Labels of domain values in one language, from the one label source (:mod:`analysis.publish.labels`)."""

    lang: str

    def value(self, domain: str, code: Any) -> str:
        code = str(code)
        if domain == "all" or code == "all":
            return t("all_graduates", self.lang)
        return value_label(_DOMAIN_COLUMN.get(domain, domain), code, self.lang)


# ----------------------------------------------------------------------------- formatting published cells
_DIGITS = {"share": 1, "KGS": 0, "months": 1, "ratio": 2, "index": 2, "scale": 2, "odds_ratio": 2,
           "hazard_ratio": 2, "percent_effect": 1, "count": 0, "chi2": 1, "value": 2}
_METHOD_KEY = {"wilson_neff": "method_wilson_neff", "korn_graubard": "method_korn_graubard", "wilson": "method_wilson",
               "agresti_coull": "method_agresti_coull", "clopper_pearson": "method_clopper_pearson",
               "jeffreys": "method_jeffreys", "qilt": "method_qilt", "normal": "method_normal",
               "woodruff": "method_woodruff", "t": "method_t", "order_statistics": "method_order_statistics",
               "exact": "method_exact"}


def _num(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


@dataclass
class Report:
    """One cohort's report in one language, rendered only from ``results/published.parquet`` (the
    results table after the one disclosure pass, :func:`analysis.publish.disclosure.publish`)."""

    cfg: Any
    lang: str = "ky"

    @classmethod
    def load(cls, cfg: Any, lang: str = "ky") -> Report:
        """A report over the stage outputs of the cohort ``cfg`` (:class:`analysis.core.config.CohortConfig`)."""
        setup()
        rep = cls(cfg=cfg, lang=lang)
        _ = rep.manifest, rep.published  # fail early, with a clear message, when the stages have not run
        return rep

    # -- inputs ------------------------------------------------------------------
    @property
    def cohort(self) -> str:
        return self.cfg.cohort

    @cached_property
    def paths(self):
        return self.cfg.paths

    @cached_property
    def labels(self) -> Labels:
        return Labels(self.lang)

    @cached_property
    def manifest(self) -> dict[str, Any]:
        p = self.paths.processed / "manifest.json"
        if not p.exists():
            raise InputError(p, "not found — run the ingest stage first (tracer run COHORT)")
        return json.loads(p.read_text(encoding="utf-8"))

    @cached_property
    def published(self) -> pd.DataFrame:
        p = self.paths.results / "published.parquet"
        if not p.exists():
            raise InputError(p, "not found — run the model stage first (tracer run COHORT)")
        return pd.read_parquet(p)

    @property
    def conf(self) -> int:
        return int(round(100 * float(self.cfg.confidence)))

    def cells(self, indicator: str, domain: str | None = None, category: str | None = None) -> pd.DataFrame:
        """Published rows of one indicator (optionally one domain and category), in table order."""
        e = self.published
        m = e["indicator"] == indicator
        if domain is not None:
            m &= e["domain"] == domain
        if category is not None:
            m &= e["category"] == category
        return e[m]

    def cell(self, indicator: str, domain: str = "all", group: str = "all", category: str = "") -> pd.Series | None:
        r = self.cells(indicator, domain, category)
        r = r[r["group"] == group]
        return None if r.empty else r.iloc[0]

    @staticmethod
    def shown(row: pd.Series | None) -> bool:
        """A row that may be shown with a value: published and not empty."""
        return row is not None and row.get("status") == "published" and _num(row.get("estimate")) == _num(
            row.get("estimate"))

    @staticmethod
    def empty(row: pd.Series | None) -> bool:
        """A published row that carries no value because nothing was estimated (a ``no data``, ``not
        measured`` or ``failed`` note) — unlike a suppressed one, whose value exists but is hidden."""
        return row is not None and row.get("status") == "published" and all(
            _num(row.get(c)) != _num(row.get(c)) for c in ("estimate", "unweighted"))

    def _json(self, path: Path) -> dict[str, Any]:
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    # -- formatting (one formatter: analysis.publish.disclosure via analysis.core.i18n) -----------
    def fmt(self, value: Any, unit: str) -> str:
        v = _num(value)
        if v != v:
            return ".."
        if unit == "share":
            return fmt_pct(v, self.lang)
        text = fmt_number(v, self.lang, _DIGITS.get(unit, 1))
        return text + "%" if unit == "percent_effect" else text

    def value(self, row: pd.Series | None, column: str = "estimate") -> str:
        """The published value of a row (``..`` when suppressed or empty)."""
        if row is None or row.get("status") != "published":
            return ".."
        return self.fmt(row.get(column), str(row.get("unit", "")))

    def interval(self, row: pd.Series | None, low: str = "ci_low", high: str = "ci_high") -> str:
        if row is None or row.get("status") != "published":
            return ".."
        lo, hi = _num(row.get(low)), _num(row.get(high))
        if lo != lo or hi != hi:
            return "–"
        unit = str(row.get("unit", ""))
        if unit == "share":
            return f"{fmt_number(100 * lo, self.lang, 1)}–{fmt_number(100 * hi, self.lang, 1)}"
        d = _DIGITS.get(unit, 1)
        return f"{fmt_number(lo, self.lang, d)}–{fmt_number(hi, self.lang, d)}"

    def count(self, value: Any) -> str:
        """A published count (already rounded to base 5 by the disclosure pass)."""
        v = _num(value)
        return ".." if v != v else format_count(round(v), self.lang)

    def p_value(self, p: Any) -> str:
        """A p-value to three decimals, ``<0,001`` below that."""
        p = _num(p)
        if p != p:
            return ".."
        return ("<" + fmt_number(0.001, self.lang, 3)) if p < 0.001 else fmt_number(p, self.lang, 3)

    def method_name(self, code: str) -> str:
        key = _METHOD_KEY.get(code)
        return t(key, self.lang) if key else code

    # -- building blocks -------------------------------------------------------------
    def heading(self, key: str, level: int = 2, **fmt: Any) -> None:
        _html(f"<h{level}>{_esc(t(key, self.lang, **fmt))}</h{level}>")

    def para(self, key: str, css: str = "", **fmt: Any) -> None:
        cls = f' class="{css}"' if css else ""
        _html(f"<p{cls}>{_esc(t(key, self.lang, **fmt))}</p>")

    def note(self, key: str, **fmt: Any) -> None:
        self.para(key, "tracer-note", **fmt)

    # -- why a section has nothing to show (one line, "not enough data: why") ----------
    def respondents(self, phase: str) -> float | None:
        """Accepted respondents of ``p1``/``p2`` from the published counts (None when not counted)."""
        r = self.cell(f"count:respondents_{phase}")
        return None if r is None else _num(r["estimate"])

    def phase_why(self, phase: str) -> str | None:
        """Why a phase has nothing to show: ``no_phase2_file`` (the cohort lists no file of the instrument),
        ``no_phase2`` (no answer was accepted), or None (it has respondents). Same for ``p1``."""
        name = {"p1": "phase1", "p2": "phase2"}[phase]
        if not self.cfg.inputs_for(name):
            return f"no_{name}_file"
        n = self.respondents(phase)
        return f"no_{name}" if n is not None and n == 0 else None

    def rows_why(self, rows: pd.DataFrame | None, rename: dict[str, str] | None = None) -> str:
        """Why published rows show no value: the first ``no data: <why>`` note (renamed for the section by
        ``rename``, e.g. ``no_answers`` → ``no_incomes``), ``failed`` for a computation that raised, else
        ``suppressed`` (disclosure control hid every cell)."""
        notes = [] if rows is None or rows.empty else [str(n) for n in rows["note"]]
        for n in notes:
            why = why_of(n)
            if why:
                return (rename or {}).get(why, why)
        return "failed" if any(n.startswith("failed:") for n in notes) else "suppressed"

    def why_text(self, why: str, **fmt: Any) -> str:
        """"Not enough data: <why>" in the report's language (``why_<why>`` of the message catalogue)."""

        fields = {"min_n": self.cfg.disclosure_min_n, "pct_base": math.ceil(Rules().min_pct_base),
                  "need": fmt_pct(MIN_DATED_SHARE, self.lang, 0), "reason": "", "n": "", **fmt}
        return t("nodata", self.lang, why=t(f"why_{why}", self.lang, **fields))

    def lack(self, why: str, **fmt: Any) -> None:
        """Show one line saying that there is not enough data, and why."""
        _html(f'<p class="tracer-note tracer-nodata">{_esc(self.why_text(why, **fmt))}</p>')

    def lack_rows(self, rows: pd.DataFrame | None, rename: dict[str, str] | None = None) -> None:
        """"Not enough data" with the reason published rows give (:meth:`rows_why`; a failed computation
        with its recorded one-line error)."""
        why = self.rows_why(rows, rename)
        notes = [] if rows is None or rows.empty else [str(n) for n in rows["note"]]
        reason = next((n.split(":", 1)[1].strip() for n in notes if n.startswith("failed:")), "")
        self.lack(why, reason=reason)

    def lack_of(self, indicator: str, rename: dict[str, str] | None = None) -> None:
        """"Not enough data" for one indicator, with the reason its published rows give."""
        self.lack_rows(self.cells(indicator), rename)

    def indicator_label(self, ind: str) -> str:
        for item in load_registry():
            if item.id == ind:
                return item.label[self.lang]
        return ind

    def indicator_table(self, indicator: str, domain: str, pooled: bool = False,
                        category: str = "") -> pd.DataFrame:
        """One indicator by one domain: n, the headline (weighted) estimate, its interval and the
        unweighted estimate, all from the published table."""
        rows = self.cells(indicator, domain, category)
        out = []
        for _, r in rows.sort_values("group").iterrows():
            row = {t("col_group", self.lang): self.labels.value(domain, r["group"]),
                   t("col_n", self.lang): self.count(r["n"]),
                   t("col_estimate", self.lang): self.value(r),
                   t("col_ci_level", self.lang, conf=self.conf): self.interval(r)}
            if r["basis"] == "weighted":
                row[t("col_unweighted", self.lang)] = self.value(r, "unweighted")
            if pooled and _num(r.get("pooled")) == _num(r.get("pooled")):
                row[t("col_pooled", self.lang)] = self.value(r, "pooled")
            out.append(row)
        return pd.DataFrame(out)

    def show_table(self, df: pd.DataFrame, caption_key: str | None = None, why: str | None = None,
                   **fmt: Any) -> None:
        """A table under its caption; an empty table is one line saying why (``why``, default: no data)."""
        cap = f"<h4>{_esc(t(caption_key, self.lang, **fmt))}</h4>" if caption_key else ""
        if df.empty:
            if why:
                _html(cap)
                self.lack(why)
            else:
                self.note("no_data")
            return
        _html(cap + table_html(df))

    def show_indicator_table(self, indicator: str, domain: str, caption_key: str, pooled: bool = False,
                             rename: dict[str, str] | None = None) -> None:
        """One indicator by one domain (:meth:`indicator_table`) under its caption — or, when no cell of it
        can be shown, the caption and one line saying why (nothing estimated, or every group too small)."""
        rows = self.cells(indicator, domain)
        if any(self.shown(r) for _, r in rows.iterrows()):
            self.show_table(self.indicator_table(indicator, domain, pooled=pooled), caption_key)
            return
        _html(f"<h4>{_esc(t(caption_key, self.lang))}</h4>")
        self.lack_rows(rows if not rows.empty else self.cells(indicator), rename)

    def ci_note(self, indicator: str = "employment_rate") -> None:
        """Which estimate and interval the tables show, in words, from the published rows (the first
        registry indicator with a published interval when ``indicator`` has none; nothing when none has)."""
        r = self.cell(indicator)
        if not (self.shown(r) and str(r["ci_method"])):
            shown = [c for c in (self.cell(i.id) for i in load_registry())
                     if self.shown(c) and c["basis"] != "census" and str(c["ci_method"])]
            r = next((c for c in shown if c["statistic"] == "share"), shown[0] if shown else None)
            if r is None:
                return
        method = self.method_name(str(r["ci_method"]))
        unweighted = self.method_name(str(self.cfg.ci_method))
        key = "ci_note_weighted" if r is not None and r["basis"] == "weighted" else "ci_note_unweighted"
        self.note(key, conf=self.conf, method=method, unweighted=unweighted)
        if not getattr(self.cfg, "has_registry", True):
            self.note("no_registry_unweighted")
        if (self.published["rule"] == "secondary").any():
            self.note("secondary_note")

    def bar_chart(self, indicator: str, domain: str, title_key: str) -> None:
        rows = self.cells(indicator, domain)
        rows = rows[pd.Series([self.shown(r) for _, r in rows.iterrows()], index=rows.index, dtype=bool)]
        if rows.empty:
            return
        overall = self.cell(indicator)
        ref = float(overall["estimate"]) if self.shown(overall) else None
        labels = [f"{self.labels.value(domain, g)} (n={self.count(n)})" for g, n in zip(rows["group"], rows["n"])]
        fig = bars_with_ci(labels, rows["estimate"], rows["ci_low"], rows["ci_high"],
                           t(title_key, self.lang, conf=self.conf), self.indicator_label(indicator),
                           reference=ref, reference_label=t("ref_all", self.lang))
        _figure(fig)

    # -- sections ----------------------------------------------------------------------
    def title(self) -> None:
        """Title, subtitle, and a warning when the data are synthetic."""
        subtitle = t("report_subtitle", self.lang, year=self.cfg.graduation_year,
                     months=self.cfg.survey_months_after)
        _html(f"<h1>{_esc(t('report_title', self.lang, cohort=self.cohort))}</h1><p>{_esc(subtitle)}</p>")
        if self.cfg.synthetic:
            _html(f'<p class="tracer-flag">{_esc(t("synthetic_warning", self.lang))}</p>')

    def summary(self) -> None:
        """Key figures as cards, each with its n and interval."""
        self.heading("summary_heading")
        cards = []
        g = self.cell("count:graduates")
        if g is not None:
            cards.append((self.value(g), t("kpi_graduates", self.lang), ""))
        for ind, key in (("response_rate_p1", "kpi_response_p1"), ("response_rate_p2", "kpi_response_p2"),
                         ("employment_rate", "kpi_employment"), ("horizontal_match_subjective_rate", "kpi_infield"),
                         ("job_within_6_months_share", "kpi_first_job"), ("median_monthly_income", "kpi_income")):
            r = self.cell(ind)
            if r is None:
                continue
            if self.empty(r):  # nothing was estimated: say so instead of ".." with n = 0
                cards.append(("–", t(key, self.lang), t("nodata_short", self.lang)))
                continue
            sub = t("kpi_n_note", self.lang, n=self.count(r["n"]))
            if self.shown(r) and _num(r["ci_low"]) == _num(r["ci_low"]):
                sub += f" · {self.conf}%: {self.interval(r)}"
            unit = f" {t('unit_kgs', self.lang)}" if r["unit"] == "KGS" and self.shown(r) else ""
            cards.append((self.value(r) + unit, t(key, self.lang), sub))
        body = "".join(f'<div class="tracer-kpi"><div class="v">{_esc(v)}</div><div class="l">{_esc(l_)}</div>'
                       f'<div class="n">{_esc(n)}</div></div>' for v, l_, n in cards)
        _html(f'<div class="tracer-kpis">{body}</div>')
        self.note("disclosure_note", min_n=self.cfg.disclosure_min_n)
        self.all_indicators()

    def all_indicators(self) -> None:
        """Every indicator of the registry for the whole cohort: n, estimate, interval, unweighted estimate."""
        self.heading("sec_all_indicators", level=3)
        rows = []
        for ind in load_registry():
            r = self.cell(ind.id)
            if r is None:
                continue
            if str(r["note"]) == "not measured":
                est = t("not_measured", self.lang)
            elif self.empty(r):
                est = t("nodata_short", self.lang)
            else:
                est = self.value(r)
            rows.append({t("col_indicator", self.lang): ind.label[self.lang], t("col_n", self.lang): self.count(r["n"]),
                         t("col_estimate", self.lang): est,
                         t("col_ci_level", self.lang, conf=self.conf): self.interval(r),
                         t("col_unweighted", self.lang):
                             self.value(r, "unweighted") if r["basis"] == "weighted" else "–"})
        self.show_table(pd.DataFrame(rows))
        self.ci_note()

    def section_employment(self) -> None:
        """Labour status by faculty; employment rate with intervals by faculty, sex, level, funding, programme."""
        self.heading("sec_employment")
        self.para("sec_employment_intro")
        why = self.phase_why("p2")
        emp = self.published[self.published["indicator"].isin(["employment_rate", "labour_status"])]
        if why or not any(self.shown(r) for _, r in emp.iterrows()):  # nothing to show: one line, not six
            if why:
                self.lack(why)
            else:
                self.lack_of("employment_rate")
            return
        status = self.cells("labour_status", "faculty")
        status = status[status["status"] == "published"]
        if not status.empty:
            wide = status.pivot_table(index="group", columns="category", values="estimate", observed=True).fillna(0)
            order = [c for c in ("employed", "unemployed", "olf_study", "olf_other") if c in wide.columns]
            wide = wide[order]
            n = status.groupby("group")["n"].first()
            wide.index = [f"{self.labels.value('faculty', g)} (n={self.count(n[g])})" for g in wide.index]
            wide.columns = [self.labels.value("status", c) for c in wide.columns]
            _figure(stacked_shares(wide, t("chart_status", self.lang)))
        self.bar_chart("employment_rate", "faculty", "chart_employment_rate")
        for domain in ("faculty", "sex", "level", "funding"):
            self.show_indicator_table("employment_rate", domain, f"domain_{domain}")
        self.show_indicator_table("employment_rate", "programme", "domain_programme", pooled=True)
        self.ci_note()
        self.weighting_note()
        self.trend_table()
        share = self.published[(self.published["basis"] == "weighted") & (self.published["statistic"] == "share")
                               & (self.published["status"] == "published") & self.published["estimate"].notna()]
        if not share.empty:  # no weighted share published: there is nothing weighting could have changed
            k = int(share["weighting_changes"].sum())
            self.note("weighting_changes" if k else "weighting_no_change", k=k)

    def weighting_note(self) -> None:
        """How the phase-2 weights were made: raked to the requested registry margins, to fewer of them, or
        not at all (equal weights), from ``results/weights.json``
        (:func:`analysis.stats.weighting.weight_respondents`)."""
        diag = self._json(self.paths.results / "weights.json").get("p2", {})
        used, asked = diag.get("margins_used"), diag.get("margins_requested")
        if used is None or used == asked:
            self.note("weighted_note")
        elif not used:
            self.note("weighted_note_equal")
        else:
            self.note("weighted_note_fallback",
                      margins="; ".join(" × ".join(self.var_label(c) for c in m) for m in used))

    def trend_table(self) -> None:
        """This cohort against the previous one (when ``previous_cohort`` is set and has been run)."""
        comp = self.published[(self.published["domain"] == "cohort_difference") & (self.published["unit"] == "share")]
        if comp.empty:
            return
        _html(f"<h4>{_esc(t('trend_heading', self.lang, previous=self.cfg.previous_cohort or ''))}</h4>")
        rows = []
        for _, r in comp.iterrows():
            ok = r["status"] == "published"
            diff = (f"{fmt_number(100 * r['estimate'], self.lang, 1)} "
                    f"({fmt_number(100 * r['ci_low'], self.lang, 1)}…{fmt_number(100 * r['ci_high'], self.lang, 1)})")
            rows.append({t("col_indicator", self.lang): self.indicator_label(r["indicator"]),
                         t("col_difference", self.lang): diff if ok else "..",
                         "p": self.p_value(r["p_value"]) if ok else ".."})
        self.show_table(pd.DataFrame(rows))
        self.note("trend_note")

    def section_first_job(self) -> None:
        """Cumulative incidence of a first job by faculty (further study a competing risk), log-rank test."""
        self.heading("sec_first_job")
        self.para("sec_first_job_intro")
        why = self.phase_why("p2")
        all_rows = self.cells("first_job_cif")
        if why:
            self.lack(why)
            return
        if all_rows.empty or (all_rows["estimate"].isna().all() and (all_rows["status"] == "published").all()):
            self.lack_rows(all_rows if not all_rows.empty else self.cells("job_within_6_months_share"))
            return
        cif = self.cells("first_job_cif", "faculty")
        cif = cif[(cif["status"] == "published") & cif["estimate"].notna()]
        domain = "faculty"
        if cif.empty:  # no faculty large enough: the curve of the whole cohort, when it may be shown
            cif = self.cells("first_job_cif", "all")
            cif = cif[(cif["status"] == "published") & cif["estimate"].notna()]
            domain = "all"
        if cif.empty:
            self.lack("suppressed")
            return
        curves = {}
        for g, d in cif.groupby("group", sort=True):
            label = f"{self.labels.value(domain, g)} (n={self.count(d['n'].iloc[0])})"
            curves[label] = pd.DataFrame({"time": d["time"], "value": d["estimate"]})
        _figure(step_curves(curves, t("chart_first_job", self.lang), t("axis_months", self.lang),
                            t("axis_found_job", self.lang), xmax=12))
        lr = self.cell("first_job_logrank", "faculty")
        if self.shown(lr):
            self.note("logrank_note", chi2=fmt_number(lr["estimate"], self.lang, 1), p=self.p_value(lr["p_value"]))
        elif lr is not None and self.empty(lr):
            self.lack_of("first_job_logrank")
        self.show_indicator_table("job_within_6_months_share", "faculty", "domain_faculty")

    def section_income(self) -> None:
        """Median income by faculty and level, relative to the oblast average wage and minimum wage."""
        self.heading("sec_income")
        why = self.phase_why("p2")
        if why:
            self.lack(why)
            return
        wage, mw = self.cell("context:oblast_average_wage"), self.cell("context:minimum_wage")
        if self.shown(wage) and self.shown(mw):
            period = str(wage["note"]).replace("period=", "")
            year = re.search(r"(19|20)\d\d", period)
            self.para("sec_income_intro", wage=fmt_number(wage["estimate"], self.lang),
                      period=year.group(0) if year else period, minwage=fmt_number(mw["estimate"], self.lang),
                      source=t("source_nsc", self.lang))
            self.note("income_gross_net_note")
        incomes = {"no_answers": "no_incomes"}
        pub = self.published
        inc = pub[pub["indicator"].isin(["median_monthly_income", "income_relative_to_oblast_wage"])]
        if not any(self.shown(r) for _, r in inc.iterrows()):  # nothing to show: one line, not two empty tables
            self.lack_of("median_monthly_income", incomes)
            return
        self.show_indicator_table("median_monthly_income", "faculty", "domain_faculty", rename=incomes)
        self.show_indicator_table("median_monthly_income", "level", "domain_level", rename=incomes)
        rows = self.cells("income_relative_to_oblast_wage", "faculty")
        rows = rows[pd.Series([self.shown(r) for _, r in rows.iterrows()], index=rows.index, dtype=bool)]
        if not rows.empty:
            labels = [f"{self.labels.value('faculty', g)} (n={self.count(n)})"
                      for g, n in zip(rows["group"], rows["n"])]
            fig = bars_with_ci(labels, rows["estimate"], rows["ci_low"], rows["ci_high"], t("chart_income", self.lang),
                               self.indicator_label("income_relative_to_oblast_wage"), reference=1.0,
                               reference_label=fmt_number(1.0, self.lang, 1), percent=False)
            _figure(fig)
        mi, cc = self.cell("income_mi:median"), self.cell("income_mi:complete_case_median")
        if self.shown(mi) and self.shown(cc):
            self.note("mi_note", mi=self.value(mi), cc=self.value(cc))

    def section_match(self) -> None:
        """Vertical and horizontal match, subjective and normative, side by side."""
        self.heading("sec_match")
        self.para("sec_match_intro")
        why = self.phase_why("p2")
        if why:
            self.lack(why)
            return
        inds = ("horizontal_match_subjective_rate", "horizontal_match_normative_rate",
                "vertical_match_subjective_rate", "overqualification_rate")
        cells = [self.cell(i) for i in inds]
        if all(c is None or self.empty(c) for c in cells):
            self.lack_rows(self.published[self.published["indicator"].isin(inds) & (self.published["domain"] == "all")])
            return
        rows = []
        for ind, r in zip(inds, cells):
            if r is None:
                continue
            rows.append({t("col_indicator", self.lang): self.indicator_label(ind),
                         t("col_n", self.lang): self.count(r["n"]),
                         t("col_estimate", self.lang): self.value(r),
                         t("col_ci_level", self.lang, conf=self.conf): self.interval(r)})
        self.show_table(pd.DataFrame(rows))
        self.show_indicator_table("horizontal_match_subjective_rate", "faculty", "domain_faculty")

    def section_competences(self) -> None:
        """Competences at graduation vs required in the job (weighted means on 1–5)."""
        self.heading("sec_competences")
        self.para("sec_competences_intro")
        why = self.phase_why("p1") or self.phase_why("p2")
        if why:
            self.lack(why)
            return
        acq = self.cells("competence_acquired", "all").set_index("category")
        req = self.cells("competence_required", "all").set_index("category")
        gap = self.cells("competence_gap", "all").set_index("category")
        items = [c for c in gap.index if gap.loc[c, "status"] == "published" and c in acq.index and c in req.index
                 and acq.loc[c, "status"] == "published" and req.loc[c, "status"] == "published"]
        if not items:
            if gap.empty:
                self.lack("no_competences")
            else:
                self.lack_of("competence_gap", {"no_answers": "no_competences"})
            return
        items = sorted(items, key=lambda c: -float(gap.loc[c, "estimate"]))
        labels = [self._question_label("phase2", f"comp_job_{c}").split(" — ")[0] for c in items]
        _figure(dumbbell(labels, acq.loc[items, "estimate"], req.loc[items, "estimate"],
                         t("legend_acquired", self.lang), t("legend_required", self.lang),
                         t("chart_competences", self.lang)))
        rows = [{t("col_indicator", self.lang): lab, t("col_n", self.lang): self.count(gap.loc[c, "n"]),
                 t("legend_acquired", self.lang): self.value(acq.loc[c]),
                 t("legend_required", self.lang): self.value(req.loc[c]),
                 t("col_gap", self.lang): self.value(gap.loc[c]),
                 t("col_ci_level", self.lang, conf=self.conf): self.interval(gap.loc[c])}
                for c, lab in zip(items, labels)]
        self.show_table(pd.DataFrame(rows))

    def _question_label(self, instrument: str, name: str) -> str:
        """The question text of ``name`` in ``instrument`` (one label source: :mod:`analysis.publish.labels`)."""
        return column_labels([name], self.lang, instrument=instrument,
                             project_root=self.cfg.project_root or None)[name]

    def section_programme_feedback(self) -> None:
        """Programme evaluation, job satisfaction and usefulness (weighted means 1–5)."""
        self.heading("sec_feedback")
        pub = self.published
        fb = pub[pub["indicator"].str.startswith("feedback:") & (pub["domain"] == "all")]
        gaps = fb[pd.Series([self.empty(r) for _, r in fb.iterrows()], index=fb.index, dtype=bool)]
        fb = fb.drop(gaps.index)
        rows = []
        for _, r in fb.iterrows():
            item = r["indicator"].split(":", 1)[1]
            inst = "phase1" if r["category"] == "p1" else "phase2"
            rows.append({t("col_indicator", self.lang): self._question_label(inst, item),
                         t("col_n", self.lang): self.count(r["n"]), t("col_value", self.lang): self.value(r),
                         t("col_ci_level", self.lang, conf=self.conf): self.interval(r)})
        if rows:
            self.show_table(pd.DataFrame(rows))
        for phase in ("p1", "p2"):  # a phase whose items show nothing: say why once
            if (fb["category"] == phase).any():
                continue
            why = self.phase_why(phase)
            if why:
                self.lack(why)
            elif (gaps["category"] == phase).any():
                self.lack_rows(gaps[gaps["category"] == phase])
            elif not rows:
                self.lack("no_answers")
                rows.append({})  # said once

    def section_employers(self) -> None:
        """Employer demand: vacancies, hard-to-fill vacancies, needs, ratings of graduates."""
        self.heading("sec_employers")
        self.para("sec_employers_intro")
        emp = self.published[self.published["indicator"].str.startswith("employers:")]
        if not self.cfg.inputs_for("employer"):
            self.lack("no_employer_file")
            return
        if emp.empty or all(self.empty(r) for _, r in emp.iterrows()):
            if emp.empty:
                self.lack("no_employers")
            else:
                self.lack_rows(emp)
            return
        rows = []
        for _, r in emp.iterrows():
            item = r["indicator"].split(":", 1)[1]
            label = (self._question_label("employer", item) if item.startswith("rate_")
                     else t(f"employer_{item}", self.lang))
            rows.append({t("col_indicator", self.lang): label, t("col_value", self.lang): self.value(r),
                         t("col_ci_level", self.lang, conf=self.conf): self.interval(r),
                         t("col_n", self.lang): self.count(r["n"])})
        self.show_table(pd.DataFrame(rows))

    def section_models(self) -> None:
        """Odds ratios of the weighted logistic regression of employment; % effects on income."""
        self.heading("sec_models")
        self.para("sec_models_intro")
        why = self.phase_why("p2")
        if why:
            self.lack(why)
            return
        m = self.cells("model:employment_logit")
        m = m[m["status"] == "published"]
        if m.empty or m["estimate"].isna().all():
            self.model_lack(self.cells("model:employment_logit"))
            return
        plot = pd.DataFrame({"term": [self.term_label(c) for c in m["category"]], "estimate": m["estimate"],
                             "ci_low": m["ci_low"], "ci_high": m["ci_high"]})
        fig = coefficient_plot(plot, t("chart_models", self.lang), t("axis_odds_ratio", self.lang), null=1.0)
        ax = fig.axes[0]
        ax.set_xscale("log")
        lo, hi = plot["ci_low"].min() / 1.2, plot["ci_high"].max() * 1.2
        ticks = [x for x in (0.125, 0.25, 0.5, 1, 2, 4, 8) if lo <= x <= hi]
        ax.set_xticks(ticks, [fmt_number(x, self.lang, 2 if x < 1 else 0) for x in ticks])
        ax.minorticks_off()
        _figure(fig)
        refs = {c.split("=", 1)[0]: str(n).replace("reference=", "") for c, n in zip(m["category"], m["note"])
                if "=" in c and str(n).startswith("reference=")}
        ref = "; ".join(f"{self.var_label(v)}: {self.labels.value(v, r)}" for v, r in refs.items())
        self.note("reference_category", ref=ref)
        self.note("reference_other")
        self.note("model_n_note", n=self.count(m["n"].iloc[0]))
        self.show_table(pd.DataFrame([{t("col_indicator", self.lang): self.term_label(r["category"]),
                                       t("col_estimate", self.lang): self.value(r),
                                       t("col_ci_level", self.lang, conf=self.conf): self.interval(r)}
                                      for _, r in m.iterrows()]), "model_employment_heading")
        inc = self.cells("model:income_ols")
        inc = inc[inc["status"] == "published"]
        if not inc.empty and inc["estimate"].notna().any():
            rows = [{t("col_indicator", self.lang): self.term_label(r["category"]),
                     t("col_estimate", self.lang): self.value(r),
                     t("col_ci_level", self.lang, conf=self.conf): self.interval(r)} for _, r in inc.iterrows()]
            self.show_table(pd.DataFrame(rows), "model_income_heading")

    def model_lack(self, rows: pd.DataFrame) -> None:
        """Why a model shows no coefficient, in one line: too small to publish, or the recorded failure
        (:func:`analysis.results.families.model_why`), counts rounded as every published count."""
        if rows.empty or (rows["status"] == "suppressed").all():
            self.lack("suppressed")
            return
        code, fields = model_why(rows["note"].iloc[0])
        if code == "other":
            self.lack("failed", reason=fields.get("reason", ""))
            return
        if "n" in fields:
            fields["n"] = self.count(hesa_round(int(fields["n"])))
        self.lack(f"model_{code}", **fields)

    def var_label(self, var: str) -> str:
        """A short label of a variable (question text without its sub-title) from :mod:`analysis.publish.labels`."""
        return column_labels([var], self.lang)[var].split(" — ")[0]

    def term_label(self, category: str) -> str:
        """A model term ``variable=level`` as "Faculty: Инженердик-техникалык факультет"."""
        if "=" not in str(category):
            return self.var_label(str(category)) if category else ""
        var, level = str(category).split("=", 1)
        return f"{self.var_label(var)}: {value_label(var, level, self.lang)}"

    def section_data_quality(self) -> None:
        """Accounting per file, rules that fired with an example each, response against the registry."""
        self.heading("sec_quality")
        self.para("sec_quality_intro")
        q = quality_tables(self.paths, self.lang, self.labels.value)
        for line, ok in q["flags"]:
            cls = "tracer-note" if ok else "tracer-flag"
            _html(f'<p class="{cls}">{_esc(line)}</p>')
        self.show_table(q["accounting"])
        if q["identity_ok"]:
            self.note("identity_ok")

        self.show_table(report_table(self.paths.validated / "notices.parquet", self.lang), "quality_notices")
        self.show_table(q["rules"], "col_rule")
        self.show_table(q["examples"], "quality_examples")
        self.show_table(self.response_table(), "quality_response")
        self.show_table(self.mode_table(), "quality_response_mode", why=self.phase_why("p2") or "no_phase2")
        self.nonresponse_table()

    def response_table(self) -> pd.DataFrame:
        """Phase-1 and phase-2 response by programme × sex against the registry, and phase 2 by mode by
        programme — published cells only."""
        rows = []
        p1 = self.cells("response_rate_p1", "programme×sex").set_index("group")
        p2 = self.cells("response_rate_p2", "programme×sex").set_index("group")
        for g in sorted(set(p1.index) | set(p2.index)):
            prog, sex = g.split("|", 1)
            r1 = p1.loc[g] if g in p1.index else None
            r2 = p2.loc[g] if g in p2.index else None
            base = r2 if r2 is not None else r1
            rows.append({t("domain_programme", self.lang): self.labels.value("programme", prog),
                         t("domain_sex", self.lang): self.labels.value("sex", sex), "N": self.count(base["N"]),
                         t("col_phase1", self.lang): self.value(r1), t("col_phase2", self.lang): self.value(r2)})
        r1, r2 = self.cell("response_rate_p1"), self.cell("response_rate_p2")
        if r1 is not None or r2 is not None:
            base = r2 if r2 is not None else r1
            rows.append({t("domain_programme", self.lang): t("all_graduates", self.lang),
                         t("domain_sex", self.lang): "",
                         "N": self.count(base["N"]), t("col_phase1", self.lang): self.value(r1),
                         t("col_phase2", self.lang): self.value(r2)})
        return pd.DataFrame(rows)

    def mode_table(self) -> pd.DataFrame:
        """Phase-2 response by collection mode and programme (census shares of the registry)."""
        modes = self.cells("response_mode_p2")
        rows = []
        for (dom, g), d in modes.groupby(["domain", "group"], sort=False):
            if dom == "faculty":
                continue
            d = d.set_index("category")
            rec = {t("domain_programme", self.lang): (self.labels.value("programme", g) if dom == "programme"
                                                     else t("all_graduates", self.lang)),
                   "N": self.count(d["N"].iloc[0])}
            for m in ("online", "phone", "paper"):
                rec[t(f"mode_{m}", self.lang)] = self.value(d.loc[m]) if m in d.index else "–"
            rows.append(rec)
        out = pd.DataFrame(rows)
        if out.empty:
            return out
        first = t("domain_programme", self.lang)
        is_all = out[first] == t("all_graduates", self.lang)
        return pd.concat([out[~is_all].sort_values(first), out[is_all]], ignore_index=True)

    def nonresponse_table(self) -> None:
        """Phase-2 respondents vs non-respondents on registry and phase-1 variables (bias check)."""
        nr = self.published[self.published["indicator"].str.startswith("nonresponse:")]
        if nr.empty:
            return
        _html(f"<h4>{_esc(t('nonresponse_heading', self.lang))}</h4>")
        self.note("nonresponse_intro")
        rows = []
        for (ind, cat), d in nr.groupby(["indicator", "category"], sort=False):
            var = ind.split(":", 1)[1]
            name = self.var_label(var) + (f": {value_label(var, cat, self.lang)}" if cat else "")
            d = d.set_index("group")
            if not {"respondents", "non_respondents"} <= set(d.index):
                continue  # a comparison needs both groups
            resp, non = d.loc["respondents"], d.loc["non_respondents"]
            rows.append({t("col_indicator", self.lang): name, t("col_respondents", self.lang): self.value(resp),
                         t("col_non_respondents", self.lang): self.value(non),
                         "p": self.p_value(resp["p_value"]) if resp["status"] == "published" else ".."})
        self.show_table(pd.DataFrame(rows))

    def appendix_indicators(self) -> None:
        """Definitions of every indicator, generated from the registry."""
        self.heading("sec_appendix_indicators")
        rows = [{t("col_indicator", self.lang): i.label[self.lang],
                 t("col_definition", self.lang): i.description[self.lang],
                 t("col_standard", self.lang): i.standard} for i in load_registry()]
        _html(table_html(pd.DataFrame(rows), text_cols=tuple(rows[0]) if rows else ()))

    def appendix_provenance(self) -> None:
        """Code version, parameters and input files with checksums."""
        m = self.manifest
        self.heading("sec_appendix_provenance")
        self.para("provenance_intro", version=m.get("code_version", "?"), python=m.get("python", "?"),
                  cohort=self.cohort)
        inputs = pd.DataFrame(m.get("inputs", []))
        if not inputs.empty:
            inputs = inputs[["path", "instrument", "format", "mode", "bytes", "sha256"]].fillna("")
            inputs.columns = [t("col_file", self.lang), t("col_instrument", self.lang), t("col_format", self.lang),
                              t("col_mode", self.lang), t("col_bytes", self.lang), "SHA-256"]
            _html(f"<h4>{_esc(t('provenance_inputs', self.lang))}</h4>" +
                  table_html(inputs, text_cols=tuple(inputs.columns)))
        wage = self.cell("context:oblast_average_wage")
        if wage is not None and str(wage["source"]):
            self.note("provenance_open_data", source=f"{wage['source']} ({str(wage['note']).replace('period=', '')})")
        params = self.cfg.as_parameters()
        params.pop("inputs", None)
        params.pop("project_root", None)
        _html(f"<h4>{_esc(t('provenance_parameters', self.lang))}</h4><pre>"
              + _esc(json.dumps(params, ensure_ascii=False, indent=1, sort_keys=True)) + "</pre>")

"""The cohort report: reads the stage outputs, applies disclosure control, speaks ky / ru / en.

The report notebook (``notebooks/04_report.ipynb``) calls one method per section. Every number shown
passes :mod:`analysis.disclosure` (HESA rounding and suppression, plus the cohort's minimum n);
every word comes from the message catalogue (:mod:`analysis.i18n`), the indicator registry or the
questionnaires. Charts are drawn by :mod:`analysis.charts` and embedded as PNG.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.i18n import fmt_number, fmt_pct, t
from analysis.paths import cohort_paths



# ----------------------------------------------------------------------------- display helpers
def _show(obj: Any) -> None:
    from IPython.display import display

    display(obj)


def _html(text: str) -> None:
    from IPython.display import HTML

    _show(HTML(text))


def _figure(fig) -> None:
    """Show a chart as an embedded PNG, whatever matplotlib backend the kernel runs (Agg in batch runs
    shows only ``<Figure size …>`` for a displayed figure), then free it."""
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Image

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
    """Labels of domain values in one language, from the one label source (:mod:`analysis.labels`)."""

    lang: str

    def value(self, domain: str, code: Any) -> str:
        from analysis.labels import value_label

        code = str(code)
        if domain == "all" or code == "all":
            return t("all_graduates", self.lang)
        return value_label(_DOMAIN_COLUMN.get(domain, domain), code, self.lang)


# ----------------------------------------------------------------------------- the report
@dataclass
class Report:
    """One cohort's report in one language."""

    cohort: str
    lang: str = "ky"
    project_root: str = ""
    targets: dict[str, float] = field(default_factory=lambda: {"phase2_response": 0.6, "knowledge_rate": 0.65})
    disclosure_min_n: int = 10
    full_time_hours: int = 40
    confidence: float = 0.95

    @classmethod
    def load(cls, cohort: str, lang: str = "ky", project_root: str = "", **kwargs: Any) -> Report:
        """A report over the files of ``cohort`` (stage outputs must exist)."""
        from analysis.charts import setup

        setup()
        rep = cls(cohort=cohort, lang=lang, project_root=project_root, **kwargs)
        rep.manifest  # fail early, with a clear message, when the stages have not run
        return rep

    # -- inputs ------------------------------------------------------------------
    @cached_property
    def paths(self):
        return cohort_paths(self.cohort, self.project_root or None)

    @cached_property
    def labels(self) -> Labels:
        return Labels(self.lang)

    @cached_property
    def manifest(self) -> dict[str, Any]:
        from analysis.errors import InputError

        p = self.paths.processed / "manifest.json"
        if not p.exists():
            raise InputError(p, "not found — run the ingest stage first (tracer run COHORT)")
        return json.loads(p.read_text(encoding="utf-8"))

    def _result(self, name: str) -> pd.DataFrame:
        p = self.paths.results / f"{name}.parquet"
        return pd.read_parquet(p) if p.exists() else pd.DataFrame()

    def _json(self, path: Path) -> dict[str, Any]:
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    @cached_property
    def estimates(self) -> pd.DataFrame:
        return self._result("estimates")

    @cached_property
    def rules(self):
        from analysis.disclosure import Rules

        return Rules(min_n=self.disclosure_min_n)

    # -- number formatting with disclosure control --------------------------------
    def count(self, value: float) -> str:
        """A published count: HESA-rounded to 5."""
        from analysis.disclosure import hesa_round

        if value is None or value != value:
            return ".."
        return fmt_number(int(hesa_round(float(value))), self.lang)

    def share(self, value: float, n: float) -> str:
        """A published percentage, suppressed when its base is too small."""
        if n is None or n != n or n < max(self.rules.min_pct_base, self.rules.min_n):
            return ".."
        return fmt_pct(value, self.lang)

    def mean(self, value: float, n: float, digits: int = 1) -> str:
        """A published mean/median, suppressed when based on too few people."""
        if n is None or n != n or n <= self.rules.max_mean_n_suppressed or n < self.rules.min_n:
            return ".."
        return fmt_number(value, self.lang, digits)

    def ci(self, lo: float, hi: float, n: float, percent: bool = True, digits: int = 0) -> str:
        hidden = self.share(0.5, n) == ".." if percent else self.mean(1.0, n) == ".."
        if hidden or lo != lo or hi != hi:
            return ".."
        if percent:
            return f"{fmt_number(100 * lo, self.lang, 1)}–{fmt_number(100 * hi, self.lang, 1)}"
        return f"{fmt_number(lo, self.lang, digits)}–{fmt_number(hi, self.lang, digits)}"

    def p_value(self, p: float | None) -> str:
        """A p-value to three decimals, ``<0,001`` below that."""
        if p is None or p != p:
            return ".."
        return ("<" + fmt_number(0.001, self.lang, 3)) if p < 0.001 else fmt_number(p, self.lang, 3)

    def publishable(self, n: float) -> bool:
        return self.share(0.5, n) != ".."

    # -- building blocks -------------------------------------------------------------
    def heading(self, key: str, level: int = 2, **fmt: Any) -> None:
        _html(f"<h{level}>{_esc(t(key, self.lang, **fmt))}</h{level}>")

    def para(self, key: str, css: str = "", **fmt: Any) -> None:
        cls = f' class="{css}"' if css else ""
        _html(f"<p{cls}>{_esc(t(key, self.lang, **fmt))}</p>")

    def indicator_label(self, ind: str) -> str:
        from analysis.indicators import load_registry

        for item in load_registry():
            if item.id == ind:
                return item.label[self.lang]
        return ind

    def est_rows(self, indicator: str, domain: str) -> pd.DataFrame:
        e = self.estimates
        if e.empty:
            return e
        return e[(e["indicator"] == indicator) & (e["domain"] == domain)].copy()

    def indicator_table(self, indicator: str, domain: str, percent: bool = True,
                        weighted: bool = True, pooled: bool = False) -> pd.DataFrame:
        """A publishable table of one indicator by one domain (n, estimate, CI, weighted, pooled)."""
        rows = self.est_rows(indicator, domain)
        out = []
        for _, r in rows.sort_values("group").iterrows():
            n = r["n"]
            fmt = (lambda v: self.share(v, n)) if percent else (lambda v: self.mean(v, n, 0))
            row = {t("col_group", self.lang): self.labels.value(domain, r["group"]),
                   t("col_n", self.lang): self.count(n),
                   t("col_estimate", self.lang): fmt(r["estimate"]),
                   t("col_ci", self.lang): self.ci(r["ci_low"], r["ci_high"], n, percent)}
            if weighted and "w_estimate" in r:
                row[t("col_weighted", self.lang)] = fmt(r["w_estimate"])
            if pooled and "pooled" in r:
                row[t("col_pooled", self.lang)] = fmt(r["pooled"])
            out.append(row)
        return pd.DataFrame(out)

    def show_table(self, df: pd.DataFrame, caption_key: str | None = None) -> None:
        if df.empty:
            self.para("no_data", "tracer-note")
            return
        cap = f"<h4>{_esc(t(caption_key, self.lang))}</h4>" if caption_key else ""
        _html(cap + table_html(df))

    def ci_note(self) -> None:
        from analysis.estimation import CI_METHOD_NAMES

        method = CI_METHOD_NAMES.get(self.estimates["method"].iloc[0] if not self.estimates.empty
                                     and "method" in self.estimates else "wilson", "Wilson")
        self.para("ci_note", "tracer-note", conf=int(round(100 * self.confidence)), method=method)

    def bar_chart(self, indicator: str, domain: str, title_key: str) -> None:
        from analysis.charts import bars_with_ci

        rows = self.est_rows(indicator, domain)
        rows = rows[[self.publishable(n) for n in rows["n"]]]
        if rows.empty:
            return
        overall = self.est_rows(indicator, "all")
        ref = float(overall["estimate"].iloc[0]) if not overall.empty else None
        fig = bars_with_ci([self.labels.value(domain, g) for g in rows["group"]], rows["estimate"],
                           rows["ci_low"], rows["ci_high"], t(title_key, self.lang, conf=int(100 * self.confidence)),
                           self.indicator_label(indicator), reference=ref, reference_label=t("ref_all", self.lang))
        _figure(fig)

    # -- sections ----------------------------------------------------------------------
    def title(self) -> None:
        """Title, subtitle, and a warning when the data are synthetic."""
        params = self.manifest.get("parameters", {})
        _html(f"<h1>{_esc(t('report_title', self.lang, cohort=self.cohort))}</h1>"
              f"<p>{_esc(t('report_subtitle', self.lang, year=params.get('graduation_year', ''), months=params.get('survey_months_after', 9)))}</p>")
        if params.get("synthetic"):
            _html(f'<p class="tracer-flag">{_esc(t("synthetic_warning", self.lang))}</p>')

    def _headline(self, ind: str) -> tuple[float, float] | None:
        r = self.est_rows(ind, "all")
        if r.empty:
            return None
        return float(r["estimate"].iloc[0]), float(r["n"].iloc[0])

    def summary(self) -> None:
        """Key figures as cards, each with its n."""
        self.heading("summary_heading")
        cards = []
        k = self._result("counts")
        if not k.empty:
            n_grad = int(k.loc[k["what"] == "graduates", "value"].iloc[0])
            cards.append((self.count(n_grad), t("kpi_graduates", self.lang), ""))
        for ind, key in (("response_rate_p1", "kpi_response_p1"), ("response_rate_p2", "kpi_response_p2"),
                         ("employment_rate", "kpi_employment"), ("horizontal_match_subjective_rate", "kpi_infield"),
                         ("job_within_6_months_share", "kpi_first_job")):
            h = self._headline(ind)
            if h:
                cards.append((self.share(*h), t(key, self.lang), t("kpi_n_note", self.lang, n=self.count(h[1]))))
        h = self._headline("median_monthly_income")
        if h:
            cards.append((self.mean(h[0], h[1], 0) + " сом" if self.lang != "en" else self.mean(h[0], h[1], 0) + " KGS",
                          t("kpi_income", self.lang), t("kpi_n_note", self.lang, n=self.count(h[1]))))
        body = "".join(f'<div class="tracer-kpi"><div class="v">{_esc(v)}</div><div class="l">{_esc(l_)}</div>'
                       f'<div class="n">{_esc(n)}</div></div>' for v, l_, n in cards)
        _html(f'<div class="tracer-kpis">{body}</div>')
        self.para("disclosure_note", "tracer-note", min_n=self.rules.min_n)
        self.all_indicators()

    def all_indicators(self) -> None:
        """Every indicator of the registry for the whole cohort: n, estimate, interval, weighted estimate."""
        from analysis.indicators import load_registry

        self.heading("sec_all_indicators", level=3)
        rows = []
        for ind in load_registry():
            r = self.est_rows(ind.id, "all")
            if r.empty:
                continue
            r = r.iloc[0]
            share = ind.statistic == "share"
            digits = 0 if ind.unit == "KGS" else 1 if ind.unit == "months" else 2
            value = self.share(r["estimate"], r["n"]) if share else self.mean(r["estimate"], r["n"], digits)
            weighted = self.share(r["w_estimate"], r["n"]) if share else self.mean(r["w_estimate"], r["n"], digits)
            rows.append({t("col_indicator", self.lang): ind.label[self.lang], t("col_n", self.lang): self.count(r["n"]),
                         t("col_estimate", self.lang): value,
                         t("col_ci", self.lang): self.ci(r["ci_low"], r["ci_high"], r["n"], share, digits),
                         t("col_weighted", self.lang): weighted if r["w_estimate"] == r["w_estimate"] else "–"})
        self.show_table(pd.DataFrame(rows))

    def section_employment(self) -> None:
        """Labour status by faculty; employment rate with CIs by faculty, sex, level, funding."""
        from analysis.charts import stacked_shares

        self.heading("sec_employment")
        self.para("sec_employment_intro")
        status = self._result("status_shares")
        if not status.empty:
            fac = status[status["domain"] == "faculty"]
            fac = fac[[self.publishable(n) for n in fac["n"]]]
            if not fac.empty:
                wide = fac.pivot_table(index="group", columns="status", values="share", observed=True).fillna(0)
                order = [c for c in ("employed", "unemployed", "olf_study", "olf_other") if c in wide.columns]
                wide = wide[order]
                wide.index = [self.labels.value("faculty", g) for g in wide.index]
                wide.columns = [self.labels.value("status", c) for c in wide.columns]
                _figure(stacked_shares(wide, t("chart_status", self.lang)))
        self.bar_chart("employment_rate", "faculty", "chart_employment_rate")
        for domain in ("faculty", "sex", "level", "funding"):
            self.show_table(self.indicator_table("employment_rate", domain), f"domain_{domain}")
        self.show_table(self.indicator_table("employment_rate", "programme", pooled=True), "domain_programme")
        self.ci_note()
        self.para("weighted_note", "tracer-note")
        self.trend_table()
        diff = self._result("weighting_check")
        if not diff.empty:
            k = int(diff["significant"].sum())
            self.para("weighting_changes" if k else "weighting_no_change", "tracer-note", k=k)

    def trend_table(self) -> None:
        """This cohort against the previous one (when ``previous_cohort`` is set and has been run)."""
        comp = self._result("cohort_comparison")
        if comp.empty:
            return
        prev = self.manifest.get("parameters", {}).get("previous_cohort") or ""
        _html(f"<h4>{_esc(t('trend_heading', self.lang, previous=prev))}</h4>")
        rows = []
        for _, r in comp[comp["statistic"] == "share"].iterrows():
            ok = self.publishable(r["n_current"]) and self.publishable(r["n_previous"])
            rows.append({t("col_indicator", self.lang): self.indicator_label(r["indicator"]),
                         self.cohort: self.share(r["estimate_current"], r["n_current"]),
                         str(prev): self.share(r["estimate_previous"], r["n_previous"]),
                         t("col_difference", self.lang): (f"{fmt_number(100 * r['difference'], self.lang, 1)} "
                                                         f"({fmt_number(100 * r['ci_low'], self.lang, 1)}…"
                                                         f"{fmt_number(100 * r['ci_high'], self.lang, 1)})") if ok else "..",
                         "p": self.p_value(r["p_value"]) if ok else ".."})
        self.show_table(pd.DataFrame(rows))
        self.para("trend_note", "tracer-note")

    def section_first_job(self) -> None:
        """Kaplan–Meier curves of time to first job by faculty, with the log-rank test."""
        from analysis.charts import step_curves

        self.heading("sec_first_job")
        self.para("sec_first_job_intro")
        cif = self._result("cif")
        if cif.empty or "group" not in cif:
            self.para("no_data", "tracer-note")
            return
        curves = {}
        for g, d in cif.groupby("group", sort=True):
            if self.publishable(d["n"].iloc[0]):
                curves[self.labels.value("faculty", g)] = pd.DataFrame({"time": d["time"], "value": d["cif_1"]})
        if curves:
            _figure(step_curves(curves, t("chart_first_job", self.lang), t("axis_months", self.lang),
                                t("axis_found_job", self.lang), xmax=12))
        lr = self._json(self.paths.results / "logrank.json")
        if lr:
            self.para("logrank_note", "tracer-note", chi2=fmt_number(lr["statistic"], self.lang, 1),
                      p=self.p_value(lr["p_value"]))
        self.show_table(self.indicator_table("job_within_6_months_share", "faculty"), "domain_faculty")

    def section_income(self) -> None:
        """Median income by faculty, relative to the oblast average wage and minimum wage."""
        from analysis.charts import bars_with_ci

        self.heading("sec_income")
        ctx = self._json(self.paths.results / "income_context.json")
        if ctx and "oblast_wage" in ctx:
            year = re.search(r"(19|20)\d\d", str(ctx["oblast_wage_period"]))
            self.para("sec_income_intro", wage=fmt_number(ctx["oblast_wage"], self.lang),
                      period=year.group(0) if year else ctx["oblast_wage_period"],
                      minwage=fmt_number(ctx["minimum_wage"], self.lang), source=t("source_nsc", self.lang))
            self.para("income_gross_net_note", "tracer-note")
        self.show_table(self.indicator_table("median_monthly_income", "faculty", percent=False), "domain_faculty")
        self.show_table(self.indicator_table("median_monthly_income", "level", percent=False), "domain_level")
        rows = self.est_rows("income_relative_to_oblast_wage", "faculty")
        rows = rows[[self.mean(1, n) != ".." for n in rows["n"]]]
        if not rows.empty:
            fig = bars_with_ci([self.labels.value("faculty", g) for g in rows["group"]], rows["estimate"],
                               rows["ci_low"], rows["ci_high"], t("chart_income", self.lang),
                               self.indicator_label("income_relative_to_oblast_wage"), reference=1.0,
                               reference_label="1,0" if self.lang != "en" else "1.0", percent=False)
            _figure(fig)
        mi = self._json(self.paths.results / "income_mi.json")
        if mi:
            self.para("mi_note", "tracer-note", mi=fmt_number(mi["mi_median"], self.lang),
                      cc=fmt_number(mi["cc_median"], self.lang))

    def section_match(self) -> None:
        """Vertical and horizontal match, subjective and normative, side by side."""
        self.heading("sec_match")
        self.para("sec_match_intro")
        inds = ["horizontal_match_subjective_rate", "horizontal_match_normative_rate", "vertical_match_subjective_rate",
                "overqualification_rate"]
        rows = []
        for ind in inds:
            r = self.est_rows(ind, "all")
            if r.empty:
                continue
            r = r.iloc[0]
            rows.append({t("col_indicator", self.lang): self.indicator_label(ind),
                         t("col_n", self.lang): self.count(r["n"]),
                         t("col_estimate", self.lang): self.share(r["estimate"], r["n"]),
                         t("col_ci", self.lang): self.ci(r["ci_low"], r["ci_high"], r["n"])})
        self.show_table(pd.DataFrame(rows))
        self.show_table(self.indicator_table("horizontal_match_subjective_rate", "faculty"), "domain_faculty")

    def section_competences(self) -> None:
        """Competences at graduation vs required in the job (means on 1–5)."""
        from analysis.charts import dumbbell

        self.heading("sec_competences")
        self.para("sec_competences_intro")
        comp = self._result("competences")
        if comp.empty:
            self.para("no_data", "tracer-note")
            return
        comp = comp[[self.mean(1, n) != ".." for n in comp["n"]]].sort_values("gap", ascending=False)
        labels = [self._question_label("phase2", f"comp_job_{c}").split(" — ")[0] for c in comp["item"]]
        _figure(dumbbell(labels, comp["acquired"], comp["required"], t("legend_acquired", self.lang),
                         t("legend_required", self.lang), t("chart_competences", self.lang)))

    def _question_label(self, instrument: str, name: str) -> str:
        """The question text of ``name`` in ``instrument`` (one label source: :mod:`analysis.labels`)."""
        from analysis.labels import column_labels

        return column_labels([name], self.lang, instrument=instrument,
                             project_root=self.project_root or None)[name]

    def section_programme_feedback(self) -> None:
        """Programme evaluation, job satisfaction and usefulness (means 1–5) by faculty."""
        self.heading("sec_feedback")
        fb = self._result("feedback")
        if fb.empty:
            self.para("no_data", "tracer-note")
            return
        rows = []
        for _, r in fb.iterrows():
            rows.append({t("col_indicator", self.lang): self._question_label(r["instrument"], r["item"]),
                         t("col_n", self.lang): self.count(r["n"]),
                         t("col_value", self.lang): self.mean(r["mean"], r["n"], 2)})
        self.show_table(pd.DataFrame(rows))

    def section_employers(self) -> None:
        """Employer demand: vacancies, hard-to-fill vacancies, needs, ratings of graduates."""
        self.heading("sec_employers")
        self.para("sec_employers_intro")
        emp = self._result("employers_summary")
        if emp.empty:
            self.para("no_data", "tracer-note")
            return
        rows = []
        for _, r in emp.iterrows():
            val = self.count(r["value"]) if r["kind"] == "count" else (
                self.share(r["value"], r["n"]) if r["kind"] == "share" else self.mean(r["value"], r["n"], 2))
            label = (self._question_label("employer", r["item"]) if str(r["item"]).startswith("rate_")
                     else r[f"label_{self.lang}"])
            rows.append({t("col_indicator", self.lang): label, t("col_value", self.lang): val,
                         t("col_n", self.lang): self.count(r["n"])})
        self.show_table(pd.DataFrame(rows))

    def section_models(self) -> None:
        """Odds ratios of the weighted logistic regression of employment; the other models' key terms."""
        from analysis.charts import coefficient_plot

        self.heading("sec_models")
        self.para("sec_models_intro")
        m = self._result("model_employment_logit")
        if m.empty:
            self.para("no_data", "tracer-note")
            return
        m = m[m["term"] != "Intercept"].copy()
        plot = pd.DataFrame({"term": [self.term_label(r) for _, r in m.iterrows()],
                             "estimate": m["odds_ratio"], "ci_low": m["or_low"], "ci_high": m["or_high"]})
        fig = coefficient_plot(plot, t("chart_models", self.lang), t("axis_odds_ratio", self.lang), null=1.0)
        ax = fig.axes[0]
        ax.set_xscale("log")
        ticks = [x for x in (0.125, 0.25, 0.5, 1, 2, 4, 8) if plot["ci_low"].min() / 1.2 <= x <= plot["ci_high"].max() * 1.2]
        ax.set_xticks(ticks, [fmt_number(x, self.lang, 2 if x < 1 else 0) for x in ticks])
        ax.minorticks_off()
        _figure(fig)
        refs = m.dropna(subset=["reference"]).drop_duplicates("variable")
        ref = "; ".join(f"{self.var_label(v)}: {self.labels.value(v, r)}"
                        for v, r in zip(refs["variable"], refs["reference"]))
        self.para("reference_category", "tracer-note", ref=ref)
        self.para("reference_other", "tracer-note")
        self.para("model_n_note", "tracer-note", n=self.count(m["n"].iloc[0]))
        inc = self._result("model_income_ols")
        if not inc.empty and "pct_effect" in inc:
            inc = inc[inc["term"] != "Intercept"]
            rows = [{t("col_indicator", self.lang): self.term_label(r),
                     t("col_estimate", self.lang): f"{fmt_number(r['pct_effect'], self.lang, 1)}%",
                     t("col_ci", self.lang): f"{fmt_number(r['pct_low'], self.lang, 1)}…{fmt_number(r['pct_high'], self.lang, 1)}%"}
                    for _, r in inc.iterrows()]
            self.show_table(pd.DataFrame(rows), "model_income_heading")

    def var_label(self, var: str) -> str:
        """A short label of a variable (question text without its sub-title) from :mod:`analysis.labels`."""
        from analysis.labels import column_labels

        return column_labels([var], self.lang)[var].split(" — ")[0]

    def term_label(self, row: Any) -> str:
        """A model term as "Faculty: Инженердик-техникалык факультет" (from its variable and level)."""
        from analysis.labels import value_label

        if isinstance(row, str):
            return row
        var, level = row.get("variable"), row.get("level")
        if not isinstance(var, str):
            return str(row.get("term"))
        if isinstance(level, str) and level:
            return f"{self.var_label(var)}: {value_label(var, level, self.lang)}"
        return self.var_label(var)

    def section_data_quality(self) -> None:
        """Accounting per file, rules that fired with an example each, response against targets."""
        self.heading("sec_quality")
        self.para("sec_quality_intro")
        from analysis.quality_report import quality_tables

        q = quality_tables(self.paths, self.lang, self.publishable, self.labels.value, self.count)
        for line, ok in q["flags"]:
            cls = "tracer-note" if ok else "tracer-flag"
            _html(f'<p class="{cls}">{_esc(line)}</p>')
        self.show_table(q["accounting"])
        if q["identity_ok"]:
            self.para("identity_ok", "tracer-note")
        self.show_table(q["rules"], "col_rule")
        self.show_table(q["examples"], "quality_examples")
        self.show_table(q["response"], "quality_response")
        bias = self._result("nonresponse_respondents")
        if not bias.empty:
            self.nonresponse_table(bias)

    def nonresponse_table(self, bias: pd.DataFrame) -> None:
        """Phase-2 respondents vs non-respondents on registry and phase-1 variables (bias check)."""
        _html(f"<h4>{_esc(t('nonresponse_heading', self.lang))}</h4>")
        self.para("nonresponse_intro", "tracer-note")
        cols = bias.columns
        rows = []
        from analysis.labels import value_label

        for _, r in bias.iterrows():
            var = r.get("variable", "")
            lvl = r.get("level") if "level" in cols else None
            name = self.var_label(var)
            if isinstance(lvl, str) and lvl:
                name += f": {value_label(var, lvl, self.lang)}"
            fmt = (lambda v: fmt_pct(v, self.lang)) if r.get("statistic", "share") == "share" else (
                lambda v: fmt_number(v, self.lang, 2))
            rows.append({t("col_indicator", self.lang): name,
                         t("col_respondents", self.lang): fmt(r.get("respondents")),
                         t("col_non_respondents", self.lang): fmt(r.get("non_respondents")),
                         "p": self.p_value(r.get("p_value"))})
        self.show_table(pd.DataFrame(rows))

    def appendix_indicators(self) -> None:
        """Definitions of every indicator, generated from the registry."""
        from analysis.indicators import load_registry

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
        ctx = self._json(self.paths.results / "income_context.json")
        if ctx.get("source"):
            self.para("provenance_open_data", "tracer-note",
                      source=f"{ctx['source']} ({ctx.get('oblast_wage_period', '')})")
        params = {k: v for k, v in m.get("parameters", {}).items() if k != "inputs"}
        _html(f"<h4>{_esc(t('provenance_parameters', self.lang))}</h4><pre>"
              + _esc(json.dumps(params, ensure_ascii=False, indent=1, sort_keys=True)) + "</pre>")

"""The cohort report's core: published rows in, typed blocks out, in ky / ru / en.

Every number shown is a row of ``results/published.parquet`` — the results table (:mod:`analysis.results.table`)
after the one disclosure pass (:func:`analysis.publish.disclosure.publish`): the report computes no statistic and
decides no suppression of its own, so it shows exactly what the tests verify. Every word comes from the message
catalogue (:mod:`analysis.core.i18n`), the indicator registry or the questionnaires.

:class:`Report` reads and formats the published rows (``cells``, ``cell``, ``value``, ``interval``, ``count``,
``p_value`` …) and turns what a section says into blocks (:mod:`analysis.publish.blocks`: ``heading``, ``para``,
``note``, ``lack``, ``show_table``, ``figure``, ``cards`` …). Each block is displayed at once (in the notebook:
HTML, or a chart with its alt text) and kept in :attr:`Report.blocks`; the PDF is made from the same blocks
(:mod:`analysis.publish.pdf`). The sections themselves are modules of :mod:`analysis.publish.sections`, one per
section, each with ``render(rep)``; the report notebook calls them in order.

Methods other sections rely on (kept stable): ``cells, cell, shown, empty, value, interval, count, p_value,
heading, para, note, lack, lack_rows, show_table, indicator_table, indicator_label, labels.value, conf, lang, cfg,
published``.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from analysis.core.i18n import catalogue, t
from analysis.derive.registry import load_registry
from analysis.errors import ConfigError, InputError
from analysis.ingest.legacy import covariate_name, load_mapping
from analysis.publish.blocks import (
    Block,
    Card,
    Figure,
    Heading,
    KeyFigures,
    PageBreak,
    Paragraph,
    Table,
    Verbatim,
    anchor_of,
    display_object,
    plain_text,
)
from analysis.publish.charts import bars_with_ci, setup
from analysis.publish.disclosure import Rules
from analysis.publish.formatting import fmt_number, fmt_pct, format_count
from analysis.publish.labels import column_labels, value_label
from analysis.results.table import MIN_DATED_SHARE, NOT_MEASURED, why_of

__all__ = ["Report", "Labels", "covariate_labels"]


# ----------------------------------------------------------------------------- display
def _show(obj: Any) -> None:
    """Display one block's object in the notebook (the one place output leaves the report; tests replace it)."""
    display(obj)


# ----------------------------------------------------------------------------- labels
_DOMAIN_COLUMN = {"status": "labour_status", "mode": "p2_mode"}


def _readable(name: str) -> str:
    """A readable name of a covariate without a label: ``x_social_class`` → ``Social class``."""
    base = re.sub(r"^x_", "", str(name)).replace("_", " ").strip()
    return base[:1].upper() + base[1:]


@dataclass
class Labels:
    """Labels of domain values in one language, from the one label source (:mod:`analysis.publish.labels`);
    covariates of a legacy mapping (``x_<name>``) from the mapping's ``label`` / ``level_labels`` keys.

    ``covariates`` maps a covariate column to ``{"label": {lang: text}, "levels": {level: {lang: text}}}``.
    A merged model level (``a+b+c``: rare answers joined) reads as the labels of its parts.
    """

    lang: str
    covariates: dict[str, dict[str, Any]] = field(default_factory=dict)

    def value(self, domain: str, code: Any) -> str:
        code = str(code)
        if domain == "all" or code == "all":
            return t("all_graduates", self.lang)
        if "+" in code and not code.startswith("+"):
            return " / ".join(self.value(domain, part) for part in code.split("+"))
        if domain in self.covariates:
            levels = self.covariates[domain].get("levels", {})
            return str(levels.get(code, {}).get(self.lang, code))
        return value_label(_DOMAIN_COLUMN.get(domain, domain), code, self.lang)

    def variable(self, var: str) -> str | None:
        """The label of a covariate ``x_<name>`` (None for any other variable)."""
        spec = self.covariates.get(var)
        if spec is None:
            return None
        return str(spec.get("label", {}).get(self.lang) or _readable(var))


def covariate_labels(cfg: Any) -> dict[str, dict[str, Any]]:
    """Labels of the legacy covariates of a cohort, from its legacy mappings (``covariates.<header>.label`` —
    ``{ky, ru, en}`` — and ``level_labels`` — ``{level: {ky, ru, en}}``; both optional: a covariate without a
    label reads as its name, ``x_finalgrade`` → "Finalgrade").

    Raises :class:`~analysis.errors.ConfigError` (one line naming the mapping) for a label that is not a
    mapping of the three languages."""
    out: dict[str, dict[str, Any]] = {}
    for item in getattr(cfg, "inputs", ()):
        if item.format != "legacy" or not item.mapping:
            continue
        try:
            spec, name = load_mapping(item.mapping, cfg.paths.raw)
        except ConfigError:
            continue  # stage 1 already stopped on a broken mapping; the report only labels
        for header, cov in (spec.get("covariates") or {}).items():
            if not isinstance(cov, dict):
                continue
            entry: dict[str, Any] = {"label": {}, "levels": {}}
            label = cov.get("label")
            if label is not None:
                if not (isinstance(label, dict) and all(isinstance(label.get(k), str) for k in ("ky", "ru", "en"))):
                    raise ConfigError(f"{name}: covariates.{header}.label must give the label in ky, ru and en, "
                                      "e.g. {ky: …, ru: …, en: Sex}")
                entry["label"] = dict(label)
            levels = cov.get("level_labels") or {}
            if not isinstance(levels, dict) or not all(isinstance(v, dict) for v in levels.values()):
                raise ConfigError(f"{name}: covariates.{header}.level_labels must map each level to "
                                  "{ky: …, ru: …, en: …}")
            entry["levels"] = {str(k): dict(v) for k, v in levels.items()}
            out[covariate_name(str(header), cov)] = entry
    return out


# ----------------------------------------------------------------------------- formatting published cells
_DIGITS = {"share": 1, "KGS": 0, "months": 1, "ratio": 2, "index": 2, "scale": 2, "odds_ratio": 2,
           "hazard_ratio": 2, "percent_effect": 1, "count": 0, "chi2": 1, "value": 2}
_METHOD_KEY = {"wilson_neff": "method_wilson_neff", "korn_graubard": "method_korn_graubard", "wilson": "method_wilson",
               "agresti_coull": "method_agresti_coull", "clopper_pearson": "method_clopper_pearson",
               "jeffreys": "method_jeffreys", "qilt": "method_qilt", "normal": "method_normal",
               "woodruff": "method_woodruff", "t": "method_t", "order_statistics": "method_order_statistics",
               "exact": "method_exact"}
#: the column header of a value, by unit (message keys)
_VALUE_COLUMN = {"share": "col_value_share", "KGS": "col_value_kgs", "months": "col_value_months",
                 "ratio": "col_value_ratio", "scale": "col_value_scale", "index": "col_value_scale"}
#: denominators by the indicator's universe, when the catalogue has no ``denom_<indicator>`` key
_UNIVERSE_DENOMINATOR = {"resp_p2": "denom_p2", "resp_p1": "denom_p1", "employed": "denom_employed",
                         "in_labour_force": "denom_labour_force"}


def _num(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


@dataclass
class Report:
    """One cohort's report in one language, rendered only from ``results/published.parquet`` (the results table
    after the one disclosure pass, :func:`analysis.publish.disclosure.publish`).

    ``numbers`` maps a section's heading key to its number ("1.", "A."; :func:`analysis.publish.sections.outline`);
    :attr:`blocks` holds every block shown so far, in order."""

    cfg: Any
    lang: str = "ky"
    numbers: dict[str, str] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    _tables: int = 0
    _figures: int = 0

    @classmethod
    def load(cls, cfg: Any, lang: str = "ky", outline: Iterable[tuple[str, str, str]] = ()) -> Report:
        """A report over the stage outputs of the cohort ``cfg`` (:class:`analysis.core.config.CohortConfig`);
        ``outline``: the sections' ``(heading key, number, anchor)`` (:func:`analysis.publish.sections.outline`)."""
        setup()
        rep = cls(cfg=cfg, lang=lang, numbers={k: n for k, n, _ in outline})
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
        return Labels(self.lang, covariate_labels(self.cfg))

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

    def institution(self, short: bool = False) -> str:
        """The institution's name in the report's language: the cohort's ``institution`` parameter (a name, or
        ``{ky, ru, en}`` / ``{name: …, short: …}`` per language), else the catalogue's (ЖАМУ / ЖАГУ / JASU)."""
        inst = getattr(self.cfg, "institution", None)
        if inst:
            if isinstance(inst, str):
                return inst
            value = inst.get(self.lang, inst.get("en", ""))
            if isinstance(value, dict):
                return str(value.get("short" if short else "name") or value.get("name") or "")
            return str(value)
        return t("institution_short" if short else "institution_name", self.lang)

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
        """One published row (None when there is none)."""
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

    def shown_rows(self, rows: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``rows`` that may be shown with a value (:meth:`shown`)."""
        if rows.empty:
            return rows
        return rows[pd.Series([self.shown(r) for _, r in rows.iterrows()], index=rows.index, dtype=bool)]

    def json_file(self, path: Path) -> dict[str, Any]:
        """A stage's JSON output (e.g. ``results/weights.json``); ``{}`` when absent."""
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    # -- formatting (one formatter: analysis.publish.formatting) -----------
    def fmt(self, value: Any, unit: str) -> str:
        """A number of ``unit`` in the report's language (``..`` when missing)."""
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
        """The published interval of a row as ``low–high`` (percent points for shares); ``–`` without one."""
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
        """The name of an interval method in the report's language."""
        key = _METHOD_KEY.get(code)
        return t(key, self.lang) if key else code

    def ci_n(self, row: pd.Series | None) -> str:
        """"(95%: low–high; n = …)" of a published row, for sentences ("" when the row cannot be shown)."""
        if not self.shown(row):
            return ""
        iv = self.interval(row)
        parts = [f"{self.conf}%: {iv}"] if iv not in ("–", "..") else []
        parts.append(t("kpi_n_note", self.lang, n=self.count(row["n"])))
        return f"({'; '.join(parts)})"

    def region(self, name: str | None = None) -> str:
        """A region (default: the cohort's) in the report's language (``region_<name>`` of the catalogue, else
        as written)."""
        name = str(self.cfg.region if name is None else name)
        key = "region_" + re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_")
        return t(key, self.lang) if key in catalogue() else name

    # -- blocks -------------------------------------------------------------------
    def add(self, block: Block) -> None:
        """Show one block and keep it (every output of the report goes through here)."""
        self.blocks.append(block)
        _show(display_object(block))

    def text(self) -> str:
        """The visible text of the report so far (headings, paragraphs, cards, table cells, alt texts) —
        reference API (tests and researchers read the report's words through it)."""
        return plain_text(self.blocks)

    def heading(self, key: str, level: int = 2, **fmt: Any) -> None:
        """A heading from the message catalogue; a section heading (level 2) gets its number and anchor."""
        text = t(key, self.lang, **fmt)
        number = self.numbers.get(key, "")
        if number:
            text = f"{number} {text}"
        self.add(Heading(text, level, anchor_of(key) if level <= 2 else ""))

    def para(self, key: str, css: str = "", **fmt: Any) -> None:
        """A paragraph from the message catalogue (``css``: lead | note | flag | nodata; empty = body text)."""
        self.add(Paragraph(t(key, self.lang, **fmt), {"tracer-note": "note"}.get(css, css or "text")))

    def note(self, key: str, **fmt: Any) -> None:
        """A paragraph in small print (how to read a figure, a caveat)."""
        self.para(key, "note", **fmt)

    def say(self, text: str, style: str = "text") -> None:
        """A paragraph of text already in the report's language (composed from catalogue messages)."""
        self.add(Paragraph(text, style))

    def cards(self, cards: Sequence[tuple[str, str, str]]) -> None:
        """Key-figure cards: ``(value, label, detail)`` each."""
        self.add(KeyFigures(tuple(Card(v, lab, d) for v, lab, d in cards)))

    def page_break(self) -> None:
        """A page break in print."""
        self.add(PageBreak())

    def verbatim(self, text: str) -> None:
        """Preformatted text (identifiers, parameters)."""
        self.add(Verbatim(text))

    def figure(self, fig: Any, alt: str, caption: str = "") -> None:
        """A matplotlib figure as a numbered chart: PNG, alt text in the report's language, caption; the figure
        is closed."""
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        self._figures += 1
        cap = t("figure_label", self.lang, n=self._figures) + (f" {caption}" if caption else "")
        self.add(Figure(buf.getvalue(), alt, cap))

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
        ``rename``, e.g. ``no_answers`` → ``no_incomes``), ``failed`` for a computation that raised,
        ``not_measured`` when the cohort's survey did not ask what they need, else ``suppressed`` (disclosure
        control hid every cell)."""
        notes = [] if rows is None or rows.empty else [str(n) for n in rows["note"]]
        for n in notes:
            why = why_of(n)
            if why:
                return (rename or {}).get(why, why)
        if any(n.startswith("failed:") for n in notes):
            return "failed"
        return "not_measured" if notes and all(n == NOT_MEASURED for n in notes) else "suppressed"

    def why_text(self, why: str, **fmt: Any) -> str:
        """"Not enough data: <why>" in the report's language (``why_<why>`` of the message catalogue)."""

        fields = {"min_n": self.cfg.disclosure_min_n, "pct_base": math.ceil(Rules().min_pct_base),
                  "need": fmt_pct(MIN_DATED_SHARE, self.lang, 0), "reason": "", "n": "", **fmt}
        head = "not_measured_line" if why == "not_measured" else "nodata"  # asked for nothing ≠ too little data
        return t(head, self.lang, why=t(f"why_{why}", self.lang, **fields))

    def lack(self, why: str, **fmt: Any) -> None:
        """Show one line saying that there is not enough data, and why."""
        self.add(Paragraph(self.why_text(why, **fmt), "nodata"))

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

    # -- words for indicators and variables -------------------------------------------
    def indicator_label(self, ind: str) -> str:
        """The label of a registry indicator (or of a result row with a ``label_<id>`` message)."""
        for item in load_registry():
            if item.id == ind:
                return item.label[self.lang]
        key = f"label_{ind}"
        return t(key, self.lang) if key in catalogue() else ind

    def denominator(self, ind: str) -> str:
        """Whom the figures of indicator ``ind`` describe ("% of phase-2 respondents"): the catalogue's
        ``denom_<id>``, else by the indicator's universe."""
        key = f"denom_{ind}"
        if key in catalogue():
            return t(key, self.lang)
        for item in load_registry():
            if item.id == ind:
                where = item.universe.get("where") if isinstance(item.universe, dict) else None
                for var in (where or {}):
                    if var in _UNIVERSE_DENOMINATOR:
                        return t(_UNIVERSE_DENOMINATOR[var], self.lang)
        return t("denom_answered", self.lang)

    def value_column(self, unit: str) -> str:
        """The header of the value column for ``unit`` ("Share, %", "Median, KGS" …)."""
        return t(_VALUE_COLUMN.get(unit, "col_estimate"), self.lang)

    def var_label(self, var: str) -> str:
        """A short label of a variable (question text without its sub-title; a legacy covariate's label)."""
        cov = self.labels.variable(var)
        if cov is not None:
            return cov
        label = column_labels([var], self.lang)[var].split(" — ")[0]
        return _readable(label) if label == var and re.fullmatch(r"[a-z0-9_]+", var) else label

    def question_label(self, instrument: str, name: str) -> str:
        """The question text of ``name`` in ``instrument`` (one label source: :mod:`analysis.publish.labels`)."""
        return column_labels([name], self.lang, instrument=instrument,
                             project_root=self.cfg.project_root or None)[name]

    def term_label(self, category: str) -> str:
        """A model term ``variable=level`` as "Faculty: Инженердик-техникалык факультет"."""
        if "=" not in str(category):
            return self.var_label(str(category)) if category else ""
        var, level = str(category).split("=", 1)
        return f"{self.var_label(var)}: {self.labels.value(var, level)}"

    # -- tables ----------------------------------------------------------------------------
    def caption(self, indicator: str, domain: str | None = None) -> str:
        """"Employment rate (ILO), by faculty" — an indicator's label with the breakdown."""
        label = self.indicator_label(indicator)
        if not domain or domain == "all":
            return label
        return t("caption_by", self.lang, indicator=label, by=t(f"by_{domain}", self.lang))

    def indicator_table(self, indicator: str, domain: str, pooled: bool = False,
                        category: str = "", check: bool = True) -> pd.DataFrame:
        """One indicator by one domain: the group, n, the headline (weighted) estimate, its interval and —
        with ``check`` — the unweighted estimate; ``pooled`` adds the programme shares pooled toward their
        faculty. All from the published table."""
        rows = self.cells(indicator, domain, category)
        out = []
        unit = str(rows["unit"].iloc[0]) if not rows.empty else ""
        first = t(f"domain_name_{domain}", self.lang) if f"domain_name_{domain}" in catalogue() else t(
            "col_group", self.lang)
        for _, r in rows.sort_values("group").iterrows():
            row = {first: self.labels.value(domain, r["group"]),
                   t("col_n", self.lang): self.count(r["n"]),
                   self.value_column(unit): self.value(r),
                   t("col_ci_level", self.lang, conf=self.conf): self.interval(r)}
            if check and r["basis"] == "weighted":
                row[t("col_unweighted", self.lang)] = self.value(r, "unweighted")
            if pooled:
                has = r["status"] == "published" and _num(r.get("pooled")) == _num(r.get("pooled"))
                row[t("col_pooled", self.lang)] = self.value(r, "pooled") if has else ".."
            out.append(row)
        return pd.DataFrame(out)

    def show_table(self, df: pd.DataFrame, caption_key: str | None = None, why: str | None = None, *,
                   caption: str | None = None, indicator: str = "", denominator: str | None = None,
                   text_cols: Sequence[str] = (), code_cols: Sequence[str] = (), foreign_cols: Sequence[str] = (),
                   **fmt: Any) -> None:
        """A numbered table under its caption (``caption_key`` from the catalogue, or ``caption``), naming
        its ``indicator`` (an id: label and denominator follow from it) and ``denominator``; an empty
        table is one line saying why (``why``, default: no data). ``text_cols`` are left-aligned, ``code_cols``
        identifiers shown verbatim, ``foreign_cols`` text in English (bibliographic references)."""
        cap = caption if caption is not None else (t(caption_key, self.lang, **fmt) if caption_key else "")
        if indicator and not cap:
            cap = self.indicator_label(indicator)
        denom = denominator if denominator is not None else (self.denominator(indicator) if indicator else "")
        if df.empty:
            if cap:
                self.add(Heading(cap, 4))
            if why:
                self.lack(why)
            else:
                self.lack("no_answers")
            return
        self._tables += 1
        label = t("table_label", self.lang, n=self._tables)
        cols = [str(c) for c in df.columns]
        rows = tuple(tuple("" if v is None or (isinstance(v, float) and v != v) else str(v) for v in r)
                     for r in df.itertuples(index=False))
        self.add(Table(tuple(cols), rows, caption=f"{label} {cap}".strip(),
                       indicator=self.indicator_label(indicator) if indicator else "", denominator=denom,
                       text_columns=tuple(i for i, c in enumerate(cols) if c in text_cols),
                       code_columns=tuple(i for i, c in enumerate(cols) if c in code_cols),
                       foreign_columns=tuple(i for i, c in enumerate(cols) if c in foreign_cols)))

    def show_indicator_table(self, indicator: str, domain: str, caption_key: str | None = None,
                             pooled: bool = False, rename: dict[str, str] | None = None,
                             check: bool = False) -> None:
        """One indicator by one domain (:meth:`indicator_table`) under its caption ("Employment rate (ILO), by
        faculty" and its denominator) — or, when no cell of it can be shown, the caption and one line saying why
        (nothing estimated, or every group too small)."""
        rows = self.cells(indicator, domain)
        cap = t(caption_key, self.lang) if caption_key and not caption_key.startswith("domain_") else \
            self.caption(indicator, domain)
        if rows.empty and not self.cells(indicator).empty and domain != "all":
            return  # the cohort has no such breakdown (e.g. no faculties without a registry): nothing to say
        if any(self.shown(r) for _, r in rows.iterrows()):
            self.show_table(self.indicator_table(indicator, domain, pooled=pooled, check=check),
                            caption=cap, indicator=indicator)
            return
        self.add(Heading(cap, 4))
        self.lack_rows(rows if not rows.empty else self.cells(indicator), rename)

    # -- charts ------------------------------------------------------------------------------
    def group_label(self, domain: str, group: str, n: Any) -> str:
        """A chart's group label with its n: "Faculty of Law (n = 85)"."""
        n_text = t("kpi_n_note", self.lang, n=self.count(n)).replace(" ", "\u00a0")  # never wrapped inside
        return f"{self.labels.value(domain, group)} ({n_text})"

    def alt_ranked(self, what: str, labels: Sequence[str], values: Sequence[str]) -> str:
        """Alt text of a chart of groups: what it shows, the highest and the lowest group, and that n and the
        intervals are drawn (in the report's language)."""
        if not labels:
            return t("alt_chart", self.lang, what=what)
        return t("alt_ranked", self.lang, what=what, k=len(labels), top=labels[0], top_v=values[0],
                 low=labels[-1], low_v=values[-1], conf=self.conf)

    def bar_chart(self, indicator: str, domain: str, title_key: str | None = None) -> None:
        """Bars with intervals of one indicator by ``domain`` (groups that may be shown; n in the labels), the
        whole cohort as a reference line."""
        rows = self.shown_rows(self.cells(indicator, domain))
        if rows.empty:
            return
        overall = self.cell(indicator)
        ref = float(overall["estimate"]) if self.shown(overall) else None
        labels = [self.group_label(domain, g, n) for g, n in zip(rows["group"], rows["n"])]
        unit = str(rows["unit"].iloc[0])
        values = [self.value(r) for _, r in rows.iterrows()]
        fig = bars_with_ci(labels, rows["estimate"], rows["ci_low"], rows["ci_high"], "",
                           f"{self.indicator_label(indicator)}, {self.denominator(indicator)}",
                           reference=ref, reference_label=t("ref_all", self.lang), percent=unit == "share",
                           value_labels=values)
        order = rows.assign(_l=labels, _v=values).sort_values("estimate", ascending=False)
        what = self.caption(indicator, domain)
        self.figure(fig, self.alt_ranked(what, list(order["_l"]), list(order["_v"])),
                    t("caption_with_ci", self.lang, what=what, conf=self.conf))

"""A page per faculty and per programme, linked from an index: offline HTML in ky / ru / en.

``reports/COHORT/pages/LANG/index.html`` lists the faculties and their programmes, each with "n of k graduates
answered" and its labour-market light; ``faculty-CODE.html`` shows a faculty against the university and lists its
programmes; ``programme-CODE.html`` shows a programme against its faculty and the university — the headline
indicators of the report's summary (:data:`HEADLINE`) with their n and intervals, "n of k graduates answered", a
one-line note per suppression rule where a cell is ``..``, the programme's light with its reason, a chart of the
employment rate and, when the cohort published rows pooled over up to three cohorts (domain
:data:`POOLED_DOMAIN`, note ``cohorts=a,b,c``), a column of them with one sentence saying which cohorts were pooled.

Every number is a row of ``results/published.parquet`` (the one disclosure pass), read and formatted through the
report's :class:`~analysis.publish.report.Report` (one formatter); every word comes from the message catalogue
(``definitions/messages/pages.yaml`` and the report's messages); the styles are the report's own (the
``<style>`` of ``templates/tracer_html/index.html.j2``). Pages hold no script and no remote resource.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from analysis.core.i18n import catalogue, t
from analysis.core.paths import PACKAGE_DIR
from analysis.errors import InputError
from analysis.publish.blocks import Figure, Heading, Paragraph, Table, to_html
from analysis.publish.charts import bars_with_ci, setup
from analysis.publish.disclosure import Rules
from analysis.publish.release import load_published, note_fields
from analysis.publish.report import Report
from analysis.publish.sections.labour_market import driver_text

__all__ = ["HEADLINE", "POOLED_DOMAIN", "write_pages", "page_report", "pooled_cohorts", "answered", "light_of",
           "light_badge"]

HEADLINE: tuple[str, ...] = ("employment_rate", "horizontal_match_subjective_rate", "job_at_graduation_share",
                             "job_within_6_months_share", "median_monthly_income", "income_relative_to_oblast_wage",
                             "knowledge_rate", "response_rate_p2")
"""The indicators of a page, in order: the registry indicators of the report's summary (employment, ILO; work in
the field; a job at graduation and within six months; the median income and its ratio to the oblast's average
wage), the knowledge rate and the phase-2 response rate."""

POOLED_DOMAIN = "programme_pooled"
"""Domain of rows pooled over up to three cohorts for a small programme (group = programme code, note starting
``cohorts=``)."""

_TEMPLATE = PACKAGE_DIR / "templates" / "pages" / "page.html"
_REPORT_TEMPLATE = PACKAGE_DIR / "templates" / "tracer_html" / "index.html.j2"


# ----------------------------------------------------------------------------- inputs
def page_report(cfg: Any, lang: str, published: pd.DataFrame) -> Report:
    """The report core over ``published`` in ``lang`` (its formatter and labels; no notebook, nothing displayed)."""
    setup()
    rep = Report(cfg=cfg, lang=lang)
    rep.published = published  # type: ignore[misc]  # the cached property, given
    return rep


def _hierarchy(cfg: Any) -> pd.DataFrame:
    p = cfg.paths.results / "hierarchy.parquet"
    if not p.exists():
        raise InputError(p, "not found — run the model stage first (tracer run COHORT)")
    return pd.read_parquet(p)


def _num(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def _slug(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", str(code)).strip("-") or "x"


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


@dataclass(frozen=True)
class _Unit:
    """A faculty or a programme: its domain, code, name in the page's language, parent faculty and file name."""

    domain: str
    code: str
    name: str
    parent: str
    file: str


def _units(rep: Report, hierarchy: pd.DataFrame) -> tuple[list[_Unit], list[_Unit]]:
    """Faculties and programmes that have published rows, in code order (parents from the hierarchy)."""
    pub = rep.published
    links = hierarchy[(hierarchy["domain"] == "programme") & (hierarchy["parent_domain"] == "faculty")]
    parent = {str(g): str(p) for g, p in zip(links["group"], links["parent_group"])}  # not its occupations
    out = []
    for domain in ("faculty", "programme"):
        known = {str(g) for g in hierarchy.loc[hierarchy["domain"] == domain, "group"]}
        codes = sorted({str(g) for g in pub.loc[pub["domain"] == domain, "group"]} & known)
        out.append([_Unit(domain, c, rep.labels.value(domain, c), parent.get(c, "") if domain == "programme" else "",
                          f"{domain}-{_slug(c)}.html") for c in codes])
    return out[0], out[1]


# ----------------------------------------------------------------------------- published values
def _row(rep: Report, indicator: str, domain: str, group: str) -> dict[str, Any] | None:
    """The published row of ``indicator`` for one group (no category), as :meth:`Report.cell` finds it — through
    an index built once per report (a page reads a few hundred cells)."""
    index = rep.__dict__.get("_pages_index")
    if index is None:
        pub = rep.published
        plain = pub[pub["category"].fillna("").astype(str) == ""]
        index = {}
        for row in plain.to_dict("records"):
            index.setdefault((str(row["indicator"]), str(row["domain"]), str(row["group"])), row)
        rep.__dict__["_pages_index"] = index
    return index.get((indicator, domain, group))


def answered(rep: Report, domain: str, group: str) -> tuple[str, str | None, float]:
    """"n of k": the phase-2 respondents and the graduates of a group, as published (rounded to 5).

    Respondents: the ``count:respondents_p2`` row of the group, else the n of its ``employment_rate`` (whose
    universe is every phase-2 respondent); graduates: ``count:graduates``, else the n of ``response_rate_p2``
    (its base is the registry), ``None`` without a registry. Returns the two texts and the respondents as a number
    (NaN when unknown)."""
    resp = _row(rep, "count:respondents_p2", domain, group)
    n = _num(resp["estimate"]) if resp is not None else float("nan")
    if n != n:
        emp = _row(rep, "employment_rate", domain, group)
        n = _num(emp["n"]) if emp is not None else float("nan")
    k_text = None
    if bool(getattr(rep.cfg, "has_registry", True)):
        grads = _row(rep, "count:graduates", domain, group)
        k = _num(grads["estimate"]) if grads is not None else float("nan")
        if k != k:
            rr = _row(rep, "response_rate_p2", domain, group)
            k = _num(rr["n"]) if rr is not None else float("nan")
        k_text = rep.count(k) if k == k else None
    return rep.count(n), k_text, n


def _answered_line(rep: Report, domain: str, group: str) -> str:
    n, k, _ = answered(rep, domain, group)
    months = rep.cfg.survey_months_after
    if k is None:
        return t("pg_answered_no_registry", rep.lang, n=n, months=months)
    return t("pg_answered", rep.lang, n=n, k=k, months=months)


def _cell(rep: Report, row: dict[str, Any] | None) -> str:
    """A table cell: "64,0% (58,1–69,8), n = 85"; ``..`` when suppressed; ``–`` when nothing was estimated."""
    if row is None or rep.empty(row):
        return "–"
    if not rep.shown(row):
        return ".."
    text = rep.value(row)
    if str(row.get("unit")) == "KGS":
        text += f" {t('unit_kgs', rep.lang)}"
    iv = rep.interval(row)
    if iv not in ("–", ".."):
        text += f" ({iv})"
    return f"{text}, {t('kpi_n_note', rep.lang, n=rep.count(row['n']))}"


def _rule_text(rep: Report, rule: str) -> str:
    """A suppression rule in words (the workbook's ``out_rule_<rule>`` messages; ``derived``: an input hidden)."""
    rules = Rules.from_config(rep.cfg)
    key = f"out_rule_{rule}"
    if key not in catalogue():
        key = "pg_rule_derived" if rule == "derived" else "out_rule_secondary"
    return t(key, rep.lang, min_n=rules.min_n, pct_base=math.ceil(rules.min_pct_base),
             mean_n=rules.max_mean_n_suppressed, count_min=rules.count_min or "")


def pooled_cohorts(rep: Report, code: str) -> list[str]:
    """The cohorts pooled for programme ``code`` (from the note ``cohorts=a,b,c`` of its first pooled row);
    ``[]`` when the cohort published no pooled row for it."""
    pub = rep.published
    rows = pub[(pub["domain"] == POOLED_DOMAIN) & (pub["group"].astype(str) == code)]  # few rows: a plain filter
    for note in rows["note"].astype(str):
        if note.startswith("cohorts="):
            return [c.strip() for c in note.split(";", 1)[0][len("cohorts="):].split(",") if c.strip()]
    return []


def light_of(rep: Report, code: str) -> tuple[str, str] | None:
    """The programme's light (its category: green, amber, red, grey) and its reason in words, as the labour-market
    section says it; ``None`` when no light was published for ``code``."""
    lights = rep.cells("labour:light", "programme")  # the light is the row's category
    lights = lights[lights["group"].astype(str) == code]
    if lights.empty:
        return None
    row = lights.iloc[0]
    f = note_fields(row["note"])
    drivers = [d for d in f.get("drivers", "").split(",") if d]
    text = "; ".join(driver_text(rep, code, f.get("occupation", ""), f.get("demand_level", ""), d) for d in drivers)
    return str(row["category"]), t(f"reason_{f.get('reason', 'grey_missing')}", rep.lang, drivers=text)


def light_badge(rep: Report, category: str) -> str:
    """The light as a coloured label (HTML) with its name in the page's language."""
    css = category if category in ("green", "amber", "red", "grey") else "grey"
    return f'<span class="pg-light pg-light-{css}">{_e(t(f"light_{category}", rep.lang))}</span>'


# ----------------------------------------------------------------------------- page parts
def _comparison(rep: Report, columns: Sequence[tuple[str, str, str]], caption: str) -> tuple[str, list[str]]:
    """The headline table of ``columns`` (``(header, domain, group)`` each) and one note line per suppression
    rule met (naming the indicators)."""
    rows, hidden = [], {}
    for ind in HEADLINE:
        cells = [_row(rep, ind, d, g) for _, d, g in columns]
        if all(c is None for c in cells):
            continue
        rows.append((rep.indicator_label(ind), *(_cell(rep, c) for c in cells)))
        for c in cells:
            if c is not None and not rep.shown(c) and not rep.empty(c):
                rule = str(c.get("rule") or "secondary")
                hidden.setdefault(rule, [])
                if rep.indicator_label(ind) not in hidden[rule]:
                    hidden[rule].append(rep.indicator_label(ind))
    if not rows:
        return "", []
    table = Table((t("col_indicator", rep.lang), *(h for h, _, _ in columns)), tuple(rows), caption=caption,
                  denominator=t("pg_table_base", rep.lang, conf=rep.conf),
                  text_columns=tuple(range(len(columns) + 1)))
    notes = [t("pg_suppressed_line", rep.lang, indicators=", ".join(names), rule=_rule_text(rep, rule))
             for rule, names in hidden.items()]
    return to_html(table), notes


def _chart(rep: Report, columns: Sequence[tuple[str, str, str]], indicator: str = "employment_rate") -> str:
    """Bars with intervals of ``indicator`` for the page's groups that may be shown (n in the labels)."""
    shown = [(d, g, r) for _, d, g in columns if rep.shown(r := _row(rep, indicator, d, g))]
    if len(shown) < 2 or (shown[0][0], shown[0][1]) != (columns[0][1], columns[0][2]):  # the page's own group first
        return ""
    labels = [rep.group_label(d, g, r["n"]) for d, g, r in shown]
    values = [rep.value(r) for _, _, r in shown]
    fig = bars_with_ci(labels, [r["estimate"] for *_, r in shown], [r["ci_low"] for *_, r in shown],
                       [r["ci_high"] for *_, r in shown], "",
                       f"{rep.indicator_label(indicator)}, {rep.denominator(indicator)}",
                       percent=str(shown[0][2]["unit"]) == "share", value_labels=values)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    order = sorted(range(len(shown)), key=lambda i: -float(shown[i][2]["estimate"]))
    key = "pg_chart_what" if columns[0][1] == "programme" else "pg_chart_what_faculty"
    what = t(key, rep.lang, indicator=rep.indicator_label(indicator))
    alt = rep.alt_ranked(what, [labels[i] for i in order], [values[i] for i in order])
    return to_html(Figure(buf.getvalue(), alt, t("caption_with_ci", rep.lang, what=what, conf=rep.conf)))


def _para(text: str, style: str = "text") -> str:
    return to_html(Paragraph(text, style))


def _code_list(items: Sequence[str]) -> str:
    return ", ".join(f"<code>{_e(i)}</code>" for i in items)


def _page(rep: Report, title: str, body: list[str]) -> str:
    css = re.search(r"<style[^>]*>.*?</style>", _REPORT_TEMPLATE.read_text(encoding="utf-8"), re.S)
    return Template(_TEMPLATE.read_text(encoding="utf-8")).substitute(
        lang=rep.lang, title=_e(title), css=css.group(0) if css else "", body="\n".join(body))


def _nav(rep: Report, faculty: _Unit | None = None) -> str:
    links = [f'<a href="index.html">{_e(t("pg_back_index", rep.lang))}</a>']
    if faculty is not None:
        links.append(f'<a href="{_e(faculty.file)}">{_e(t("pg_faculty_line", rep.lang, name=faculty.name))}</a>')
    return f'<nav class="pg-nav">{" · ".join(links)}</nav>'


def _footer(rep: Report, report_link: str) -> str:
    link = f' <a href="{_e(report_link)}">{_e(t("pg_report_link", rep.lang))}</a>' if report_link else ""
    return f'<p class="tracer-note pg-footer">{_e(t("pg_footer", rep.lang))}{link}</p>'


def _programme_page(rep: Report, p: _Unit, faculty: _Unit | None, report_link: str) -> str:
    lang = rep.lang
    body = [_nav(rep, faculty), to_html(Heading(p.name, 1))]
    if faculty is not None:
        body.append(_para(t("pg_faculty_line", lang, name=faculty.name), "lead"))
    body.append(_para(_answered_line(rep, "programme", p.code), "lead"))
    light = light_of(rep, p.code)
    if light is not None:
        body.append(f'<p class="tracer-lead">{_e(t("pg_light", lang))} '
                    f'{light_badge(rep, light[0])} {_e(light[1])}</p>')
    columns = [(t("domain_name_programme", lang), "programme", p.code)]
    cohorts = pooled_cohorts(rep, p.code)
    pooled_header = t("pg_col_pooled", lang, k=len(cohorts))
    if cohorts:
        columns.append((pooled_header, POOLED_DOMAIN, p.code))
    if faculty is not None:
        columns.append((faculty.name, "faculty", faculty.code))
    columns.append((t("pg_col_university", lang), "all", "all"))
    body.append(to_html(Heading(t("pg_headline_heading", lang), 2)))
    table, notes = _comparison(rep, columns, t("pg_table_caption", lang, name=p.name))
    body.append(table)
    body += [_para(n, "note") for n in notes]
    _, _, n = answered(rep, "programme", p.code)
    if cohorts:
        marker = "\x00cohorts\x00"
        text = _e(t("pg_pooled", lang, column=pooled_header, k=len(cohorts), cohorts=marker))
        body.append(f'<p class="tracer-note">{text.replace(_e(marker), _code_list(cohorts))}</p>')
    elif n == n and n < 3 * int(rep.cfg.disclosure_min_n):
        body.append(_para(t("pg_not_pooled", lang, need=3 * int(rep.cfg.disclosure_min_n)), "note"))
    body.append(_chart(rep, [c for c in columns if c[1] != POOLED_DOMAIN]))
    body.append(_footer(rep, report_link))
    return _page(rep, f"{p.name} — {rep.cohort}", body)


def _programme_table(rep: Report, programmes: Sequence[_Unit]) -> str:
    """Programmes with links, respondents, graduates and light (HTML table in the report's style)."""
    lang = rep.lang
    head = [t("domain_name_programme", lang), t("pg_col_answered", lang), t("pg_col_graduates", lang),
            t("col_light", lang)]
    rows = []
    for p in programmes:
        n, k, _ = answered(rep, "programme", p.code)
        light = light_of(rep, p.code)
        rows.append(f'<tr><td class="text"><a href="{_e(p.file)}">{_e(p.name)}</a></td><td>{_e(n)}</td>'
                    f'<td>{_e(k or "–")}</td><td class="text">{light_badge(rep, light[0]) if light else "–"}</td></tr>')
    th = "".join(f'<th scope="col">{_e(h)}</th>' for h in head)
    return (f'<table class="tracer-table"><thead><tr>{th}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'{_para(t("pg_answered_note", lang), "note")}')


def _faculty_page(rep: Report, f: _Unit, programmes: Sequence[_Unit], report_link: str) -> str:
    lang = rep.lang
    body = [_nav(rep), to_html(Heading(f.name, 1)), _para(_answered_line(rep, "faculty", f.code), "lead"),
            to_html(Heading(t("pg_headline_heading", lang), 2))]
    columns = [(f.name, "faculty", f.code), (t("pg_col_university", lang), "all", "all")]
    table, notes = _comparison(rep, columns, t("pg_table_caption_faculty", lang, name=f.name))
    body += [table, *(_para(n, "note") for n in notes), _chart(rep, columns)]
    if programmes:
        body += [to_html(Heading(t("pg_programmes_heading", lang), 2)), _programme_table(rep, programmes)]
    body.append(_footer(rep, report_link))
    return _page(rep, f"{f.name} — {rep.cohort}", body)


def _index_page(rep: Report, faculties: Sequence[_Unit], programmes: Sequence[_Unit], report_link: str) -> str:
    lang = rep.lang
    title = t("pg_index_title", lang, year=rep.cfg.graduation_year)
    body = [to_html(Heading(title, 1)), _para(t("pg_index_intro", lang, institution=rep.institution()), "lead"),
            _para(_answered_line(rep, "all", "all"), "lead")]
    if not faculties and not programmes:
        body.append(_para(t("pg_no_faculties", lang), "nodata"))
    for f in faculties:
        body.append(f'<h2><a href="{_e(f.file)}">{_e(f.name)}</a></h2>')
        body.append(_para(_answered_line(rep, "faculty", f.code)))
        mine = [p for p in programmes if p.parent == f.code]
        if mine:
            body.append(_programme_table(rep, mine))
    orphans = [p for p in programmes if p.parent not in {f.code for f in faculties}]
    if orphans:
        body += [to_html(Heading(t("domain_programme", lang), 2)), _programme_table(rep, orphans)]
    body.append(_footer(rep, report_link))
    return _page(rep, f"{title} — {rep.cohort}", body)


# ----------------------------------------------------------------------------- writing
def write_pages(cfg: Any, lang: str, published: pd.DataFrame | None = None,
                hierarchy: pd.DataFrame | None = None, out: Path | None = None) -> Path:
    """Write ``reports/COHORT/pages/LANG/``: ``index.html``, one ``faculty-CODE.html`` per faculty and one
    ``programme-CODE.html`` per programme that has published rows; return the index's path.

    Parameters
    ----------
    cfg
        The cohort (:class:`analysis.core.config.CohortConfig`); its model stage must have run.
    lang
        The pages' language (``ky``, ``ru`` or ``en``).
    published
        The published rows (default: ``results/published.parquet`` of the cohort).
    hierarchy
        Which programme belongs to which faculty (default: ``results/hierarchy.parquet``).
    out
        The folder (default ``reports/COHORT/pages/LANG``); pages of an earlier run there are replaced.
    """
    if published is None:
        published = load_published(cfg)
    hierarchy = _hierarchy(cfg) if hierarchy is None else hierarchy
    out = Path(out) if out is not None else cfg.paths.reports / "pages" / lang
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.html"):
        old.unlink()
    rep = page_report(cfg, lang, published)
    faculties, programmes = _units(rep, hierarchy)
    report = out.parent.parent / f"report.{lang}.html"
    report_link = f"../../report.{lang}.html" if report.exists() else ""
    by_code = {f.code: f for f in faculties}
    for p in programmes:
        (out / p.file).write_text(_programme_page(rep, p, by_code.get(p.parent), report_link), encoding="utf-8")
    for f in faculties:
        mine = [p for p in programmes if p.parent == f.code]
        (out / f.file).write_text(_faculty_page(rep, f, mine, report_link), encoding="utf-8")
    index = out / "index.html"
    index.write_text(_index_page(rep, faculties, programmes, report_link), encoding="utf-8")
    return index

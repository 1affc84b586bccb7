"""The slides for the expert group: an offline reveal.js deck per language, ``reports/COHORT/slides.LANG.html``.

10–15 slides: the title (who answered), the headline results as the summary's key-figure cards, one chart per
slide — the report's own figures, taken as blocks from the executed report notebook
(``reports/COHORT/executed/04_report.LANG.ipynb``, :func:`analysis.publish.blocks.blocks_from_notebook`: the first
figure of each section, then the next ones, at most :data:`MAX_CHARTS`) — the programme lights with their reasons,
what employers need (the largest planned hires by occupation) and closing questions. Every slide has speaker notes
(``<aside class="notes">``, press S) in the deck's language, from the catalogue (``messages/slides.yaml``); a chart's
notes start with its alt text.

reveal.js 5.2.1 (MIT) is vendored under ``templates/reveal/`` (see its README) and inlined with its notes plugin,
so the deck is one file that opens from the file system without any request. Every number is a published row,
formatted by the :class:`~analysis.publish.report.Report` core; nothing is computed here.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path
from string import Template
from typing import Any

import pandas as pd

from analysis.core.i18n import t
from analysis.core.paths import PACKAGE_DIR
from analysis.publish.blocks import Block, Card, Figure, Heading, KeyFigures, blocks_from_notebook, to_html
from analysis.publish.pages import answered, light_badge, light_of, page_report
from analysis.publish.release import load_published
from analysis.publish.report import Report
from analysis.publish.sections.summary import headline_cards

__all__ = ["MAX_CHARTS", "write_slides", "deck_html", "report_figures"]

MAX_CHARTS = 9
"""At most this many chart slides (with the six other slides: 15)."""

_REVEAL = PACKAGE_DIR / "templates" / "reveal"
_DECK = PACKAGE_DIR / "templates" / "slides" / "deck.html"


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _script(path: Path) -> str:
    """A vendored script, safe inside ``<script>`` (a literal ``</script`` would end the element early)."""
    return path.read_text(encoding="utf-8").replace("</script", "<\\/script")


def report_figures(blocks: Sequence[Block], limit: int = MAX_CHARTS) -> list[Figure]:
    """The report's figures for the deck: the first of each section (level-2 heading), then the following ones in
    report order, at most ``limit``, in report order."""
    first, rest, section, seen = [], [], 0, set()
    for i, b in enumerate(blocks):
        if isinstance(b, Heading) and b.level <= 2:
            section += 1
        elif isinstance(b, Figure) and b.png:
            (rest if section in seen else first).append((i, b))
            seen.add(section)
    chosen = (first + rest)[:limit]
    return [b for _, b in sorted(chosen, key=lambda x: x[0])]


def _section(content: str, notes: str, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f'<section{cls}>\n{content}\n<aside class="notes">{_e(notes)}</aside>\n</section>'


def _title_slide(rep: Report) -> str:
    lang = rep.lang
    n, k, _ = answered(rep, "all", "all")
    months = rep.cfg.survey_months_after
    who = (t("pg_answered", lang, n=n, k=k, months=months) if k is not None
           else t("pg_answered_no_registry", lang, n=n, months=months))
    content = (f"<h1>{_e(t('report_title', lang, year=rep.cfg.graduation_year))}</h1>"
               f'<p class="sl-sub">{_e(rep.institution())}</p><p class="sl-sub">{_e(t("sl_subtitle", lang))}</p>'
               f'<p class="sl-small">{_e(who)}</p>')
    return _section(content, t("sl_note_title", lang, year=rep.cfg.graduation_year, answered=who))


def _headline_slide(rep: Report) -> str:
    lang = rep.lang
    block = KeyFigures(tuple(Card(*c) for c in headline_cards(rep)))
    content = (f"<h2>{_e(t('sl_headline', lang))}</h2>{to_html(block)}"
               f'<p class="sl-small">{_e(t("sl_headline_note", lang, conf=rep.conf))}</p>')
    return _section(content, t("sl_note_headline", lang))


def _chart_slide(rep: Report, fig: Figure) -> str:
    content = (f"<h3>{_e(fig.caption)}</h3>"
               f'<img class="sl-chart" src="data:image/png;base64,{base64.b64encode(fig.png).decode("ascii")}" '
               f'alt="{_e(fig.alt)}">')
    return _section(content, t("sl_note_chart", rep.lang, alt=fig.alt, conf=rep.conf))


def _lights_slide(rep: Report) -> str:
    lang = rep.lang
    lights = rep.cells("labour:light", "programme")
    head = f"<h2>{_e(t('labour_lights_heading', lang))}</h2>"
    if lights.empty:
        return _section(head + f'<p class="sl-sub">{_e(t("sl_no_lights", lang))}</p>', t("sl_note_lights", lang))
    rows = []
    found = [(code, light_of(rep, code)) for code in {str(g) for g in lights["group"]}]
    order = {"red": 0, "amber": 1, "grey": 2, "green": 3}  # the ones to discuss first, then by name
    found.sort(key=lambda x: (order.get(x[1][0], 4) if x[1] else 5, rep.labels.value("programme", x[0])))
    for code, light in found:
        if light is None:
            continue
        rows.append(f"<tr><td>{_e(rep.labels.value('programme', code))}</td><td>{light_badge(rep, light[0])}</td>"
                    f"<td>{_e(light[1])}</td></tr>")
    th = "".join(f'<th scope="col">{_e(t(k, lang))}</th>' for k in ("domain_name_programme", "col_light",
                                                                       "col_reason"))
    content = (head + f'<p class="sl-small">{_e(t("sl_lights_intro", lang))}</p>'
               f'<div class="sl-scroll"><table><thead><tr>{th}</tr></thead><tbody>{"".join(rows)}</tbody>'
               "</table></div>")
    return _section(content, t("sl_note_lights", lang))


def _employers_slide(rep: Report) -> str:
    lang = rep.lang
    head = f"<h2>{_e(t('sec_employers', lang))}</h2>"
    dem = rep.shown_rows(rep.cells("employer_demand_3y", "demand_isco"))
    if not dem.empty:
        dem = dem[dem["group"].astype(str) != "uncoded"]
    if dem.empty:
        why = rep.why_text(rep.rows_why(rep.cells("employer_demand_3y")))
        return _section(head + f'<p class="sl-sub">{_e(why)}</p>', t("sl_note_employers", lang))
    rows = []
    for _, d in dem.sort_values("estimate", ascending=False).head(6).iterrows():
        code = str(d["group"])
        major = rep.labels.value("isco_major", code[0])
        label = major if len(code) == 1 else f"{code} · {major}"
        iv = rep.interval(d)
        value = rep.value(d) + (f" ({iv})" if iv not in ("–", "..") else "")
        rows.append(f"<tr><td>{_e(label)}</td><td>{_e(rep.count(d['n']))}</td><td>{_e(value)}</td></tr>")
    th = "".join(f'<th scope="col">{_e(t(k, lang))}</th>' for k in ("col_occupation", "col_n", "col_demand"))
    content = (head + f'<p class="sl-small">{_e(t("sl_employers_caption", lang))}</p>'
               f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    return _section(content, t("sl_note_employers", lang))


def _closing_slide(rep: Report) -> str:
    lang = rep.lang
    items = "".join(f"<li>{_e(t(f'sl_closing_{i}', lang))}</li>" for i in (1, 2, 3))
    content = (f"<h2>{_e(t('sl_closing', lang))}</h2><ol>{items}</ol>"
               f'<p class="sl-small">{_e(t("sl_closing_more", lang))}</p>')
    return _section(content, t("sl_note_closing", lang))


def deck_html(rep: Report, figures: Sequence[Figure]) -> str:
    """The whole deck as one HTML document: title, headline cards, one slide per figure, the lights, employers'
    demand, closing questions; reveal.js and its notes plugin inlined."""
    slides = [_title_slide(rep), _headline_slide(rep), *(_chart_slide(rep, f) for f in figures),
              _lights_slide(rep), _employers_slide(rep), _closing_slide(rep)]
    title = f"{t('report_title', rep.lang, year=rep.cfg.graduation_year)} — {t('sl_subtitle', rep.lang)}"
    return Template(_DECK.read_text(encoding="utf-8")).substitute(
        lang=rep.lang, title=_e(title), slides="\n".join(slides),
        reveal_css=(_REVEAL / "dist" / "reveal.css").read_text(encoding="utf-8"),
        theme_css=(_REVEAL / "dist" / "theme" / "white.css").read_text(encoding="utf-8"),
        reveal_js=_script(_REVEAL / "dist" / "reveal.js"),
        notes_js=_script(_REVEAL / "plugin" / "notes" / "notes.js"))


def write_slides(cfg: Any, lang: str, published: pd.DataFrame | None = None,
                 blocks: Sequence[Block] | None = None, out: Path | None = None) -> Path:
    """Write ``reports/COHORT/slides.LANG.html`` and return its path.

    Parameters
    ----------
    cfg
        The cohort (:class:`analysis.core.config.CohortConfig`); its model stage must have run.
    lang
        The deck's language (``ky``, ``ru`` or ``en``).
    published
        The published rows (default: ``results/published.parquet`` of the cohort).
    blocks
        The report's blocks (default: those of the executed report notebook of ``lang``; none when it is absent,
        then the deck has no chart slides).
    out
        The file (default ``reports/COHORT/slides.LANG.html``).
    """
    if published is None:
        published = load_published(cfg)
    if blocks is None:
        nb = cfg.paths.executed / f"04_report.{lang}.ipynb"
        blocks = blocks_from_notebook(nb) if nb.exists() else []
    rep = page_report(cfg, lang, published)
    out = Path(out) if out is not None else cfg.paths.reports / f"slides.{lang}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(deck_html(rep, report_figures(blocks)), encoding="utf-8")
    return out

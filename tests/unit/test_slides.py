"""The slides for the expert group (analysis.publish.slides) on a hand-made published table and hand-made report
blocks: 10–15 slides, one chart per slide with its alt text, the lights with their reasons, employers' demand,
speaker notes on every slide in the deck's language, and reveal.js inlined with no remote reference."""

from __future__ import annotations

import re

import numpy as np
import pytest
from test_pages import ROWS, _published, _row, cfg  # noqa: F401  (the same hand-made table; cfg: a fixture)

from analysis.core.paths import PACKAGE_DIR
from analysis.publish import blocks as B
from analysis.publish.slides import report_figures, write_slides

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")  # 1×1 pixel
REVEAL = PACKAGE_DIR / "templates" / "reveal"


def _blocks(k: int = 12) -> list:
    """A report of six sections with two figures each (captions "Figure i")."""
    out = []
    for i in range(k):
        if i % 2 == 0:
            out.append(B.Heading(f"Section {i // 2}", 2, f"sec-{i // 2}"))
        out.append(B.Figure(PNG, alt=f"Диаграмма {i}: бүтүрүүчүлөрдүн үлүшү", caption=f"Figure {i + 1}."))
    return out


def test_the_deck_takes_the_first_figure_of_each_section_then_the_next_ones():
    figs = report_figures(_blocks(12), limit=9)  # sections of figures (1, 2), (3, 4) … (11, 12)
    assert [f.caption for f in figs] == [f"Figure {i}." for i in (1, 2, 3, 4, 5, 6, 7, 9, 11)]


ROWS_SLIDES = [
    *ROWS,
    {**_row("labour:light", "programme", "ENG-POW-B", np.nan, np.nan, np.nan, 25,
            note="reason=red_unfavourable; drivers=outcomes:outcomes_missing,open_data:open_data_missing; "
                 "occupation=2151"), "category": "red", "unit": ""},
    _row("employer_demand_3y", "demand_isco", "2512", 40.0, 20.0, 60.0, 15, unit="count"),
    _row("employer_demand_3y", "demand_isco", "3", 120.0, 80.0, 160.0, 30, unit="count"),
]


@pytest.mark.parametrize("lang", ["ky", "en"])
def test_the_deck_has_10_to_15_slides_with_notes_and_opens_offline(cfg, tmp_path, lang):  # noqa: F811
    out = write_slides(cfg, lang, published=_published(ROWS_SLIDES), blocks=_blocks(12),
                       out=tmp_path / f"slides.{lang}.html")
    html = out.read_text(encoding="utf-8")
    sections = re.findall(r"<section>(.*?)</section>", html, re.S)
    assert len(sections) == 2 + 9 + 3 == 14
    assert all('<aside class="notes">' in s for s in sections)  # speaker notes on every slide
    assert sum('<img class="sl-chart"' in s for s in sections) == 9  # one chart per slide
    assert all(re.search(r'alt="Диаграмма \d+: ', s) for s in sections if "<img" in s)
    # offline: reveal.js and its notes plugin inlined, no remote reference, the theme's font import removed
    assert "Reveal.initialize" in html and "RevealNotes" in html and "\"5.2.1\"" in html  # its VERSION
    assert not re.search(r"""(src|href)=["']?(https?:)?//|@import|url\(["']?https?:""", html)
    lights = next(s for s in sections if "pg-light-" in s)
    assert lights.count("<tr>") == 1 + 2  # header, ENG-POW-B (red) and ENG-INF-B (amber): the worst first
    assert lights.index("pg-light-red") < lights.index("pg-light-amber")
    employers = next(s for s in sections if "2512" in s)
    assert employers.index("120") < employers.index("2512")  # the largest first
    if lang == "ky":
        assert "Саламдашуу." in sections[0] and "200 бүтүрүүчүдөн 120 адам" in sections[0]
        assert "Светофор чечим эмес" in lights and "сары" in lights and "кызыл" in lights
        text = re.sub(r"<[^>]+>", " ", "".join(sections))
        text = re.sub(r'alt="[^"]*"', "", text)
        assert not re.findall(r"[A-Za-z]{2,}", re.sub(r"ISCO|Figure \d+\.", "", text.replace("n =", "")))
    else:
        assert "Labour-market" not in lights and "No clear signal: the sources are neutral." in lights


def test_the_vendored_reveal_keeps_its_licence_and_loads_nothing_remote():
    assert (REVEAL / "LICENSE").read_text(encoding="utf-8").startswith("Copyright (C) 2011-2024 Hakim El Hattab")
    assert "MIT" in (REVEAL / "dist" / "reveal.js").read_text(encoding="utf-8")[:400]
    theme = (REVEAL / "dist" / "theme" / "white.css").read_text(encoding="utf-8")
    assert "@import" not in theme and "--r-main-font" in theme
    for path in (REVEAL / "dist" / "reveal.css", REVEAL / "dist" / "theme" / "white.css"):
        assert not re.search(r"url\(['\"]?(https?:)?//", path.read_text(encoding="utf-8")), path


def test_a_deck_without_lights_employers_or_figures_says_so(cfg, tmp_path):  # noqa: F811
    rows = [r for r in ROWS if r["indicator"] != "labour:light"]
    out = write_slides(cfg, "en", published=_published(rows), blocks=[], out=tmp_path / "slides.en.html")
    sections = re.findall(r"<section>(.*?)</section>", out.read_text(encoding="utf-8"), re.S)
    assert len(sections) == 5  # title, headline, lights, employers, closing: no chart to show
    assert "No light was computed for this cohort (not enough labour-market data)." in sections[2]
    assert "Not enough data" in sections[3] or "not enough data" in sections[3].lower()

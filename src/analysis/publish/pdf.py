"""The report as PDF: the report's blocks (:mod:`analysis.publish.blocks`) written as a typst document and
compiled offline with the ``typst`` Python package.

The document has a header (the report's title, from page 2 on), page numbers ("3 / 24"), the linked table of
contents (typst's outline, with page numbers), the key-figure cards, every table with its caption and
denominator (long tables break across pages and repeat their header) and every chart with its alt text (tagged
PDF). Fonts: matplotlib's bundled DejaVu Sans and DejaVu Sans Mono, which hold ң ө ү; system fonts are ignored,
so a fresh machine makes the same PDF and nothing is downloaded. Every text reaches typst as a string literal
(``#"…"``), so no character of the report is read as markup.
"""

from __future__ import annotations

import struct
import tempfile
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import typst

from analysis.errors import TracerError
from analysis.publish.blocks import (
    Block,
    Contents,
    Figure,
    Heading,
    KeyFigures,
    PageBreak,
    Paragraph,
    Table,
    Verbatim,
    spans,
)

__all__ = ["FONT_DIR", "typst_source", "write_pdf"]

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
"""matplotlib's bundled fonts (DejaVu Sans with every Kyrgyz letter): the only fonts the PDF uses."""

_BLUE, _GREY, _LINE, _FLAG = 'rgb("#1f5f8b")', 'rgb("#5a6672")', 'rgb("#cfd8e3")', 'rgb("#a13c00")'
_DPI = 110  # the charts' resolution (analysis.publish.charts)
_TEXT_WIDTH_IN = (21.0 - 2 * 1.8) / 2.54


def s(text: object) -> str:
    """A typst string literal of ``text`` (backslash, quote and control characters escaped)."""
    out = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "").replace(
        "\t", " ")
    return f'"{out}"'


def _breakable(code: str, every: int = 8) -> str:
    """An identifier with zero-width spaces every ``every`` characters, so a checksum can wrap in a cell."""
    return "\u200b".join(code[i:i + every] for i in range(0, len(code), every))


def _png_width(png: bytes) -> int:
    """The pixel width of a PNG (its IHDR chunk)."""
    return struct.unpack(">I", png[16:20])[0] if png[:8] == b"\x89PNG\r\n\x1a\n" else 0


def _preamble(lang: str, title: str, header: str) -> str:
    return f"""#set document(title: {s(title)}, date: none)
#set page(paper: "a4", margin: (x: 1.8cm, top: 2.1cm, bottom: 2cm),
  header: context {{ if counter(page).get().first() > 1 [
    #set text(size: 7.5pt, fill: {_GREY})
    #{s(header)} #h(1fr) #{s(title)}
    #v(-4pt) #line(length: 100%, stroke: 0.4pt + {_LINE})
  ] }},
  footer: context [
    #set text(size: 8pt, fill: {_GREY})
    #h(1fr) #counter(page).display("1 / 1", both: true) #h(1fr)
  ])
#set text(font: "DejaVu Sans", size: 9.5pt, lang: {s(lang)}, hyphenate: false)
#set par(justify: false, leading: 0.62em, spacing: 0.9em)
#show heading: set text(fill: {_BLUE})
#show heading.where(level: 1): set text(size: 14pt)
#show heading.where(level: 1): set block(above: 1.6em, below: 0.8em)
#show heading.where(level: 2): set text(size: 11pt)
#show raw: set text(font: "DejaVu Sans Mono", size: 7pt)
#set table(stroke: 0.5pt + {_LINE}, inset: (x: 4pt, y: 3pt))
#show table.cell.where(y: 0): set text(weight: "bold")
#show table: set text(size: 8pt)
#show figure: set block(breakable: true, above: 1em, below: 1.2em)
#show figure.caption: set align(left)
#show figure.where(kind: table): set align(left)
#show figure.caption: set text(size: 8.5pt)
#show outline.entry.where(level: 1): set block(above: 0.7em)
"""


def _heading(b: Heading) -> str:
    if b.level <= 1:
        return f"#block(below: 0.8em)[#text(size: 19pt, weight: \"bold\", fill: {_BLUE})[#{s(b.text)}]]\n" \
               f"#line(length: 100%, stroke: 1.5pt + {_BLUE})\n"
    if b.level == 2:
        label = f" <{b.anchor}>" if b.anchor else ""
        return f"#heading(level: 1)[#{s(b.text)}]{label}\n"
    if b.level == 3:
        return f"#heading(level: 2, outlined: false)[#{s(b.text)}]\n"
    return f"#block(above: 1em, below: 0.4em, breakable: false)[#strong({s(b.text)})]\n"


def _paragraph(b: Paragraph) -> str:
    body = "".join(f"#raw({s(p)})" if code else f"#{s(p)}" for p, code in spans(b.text)) or '#""'
    if b.style == "note":
        return f"#text(size: 8pt, fill: {_GREY})[{body}]\n\n"
    if b.style == "flag":
        return f"#text(weight: \"bold\", fill: {_FLAG})[{body}]\n\n"
    if b.style == "nodata":
        return f"#text(size: 8.5pt, style: \"italic\", fill: {_GREY})[{body}]\n\n"
    if b.style == "lead":
        return f"#text(size: 10pt)[{body}]\n\n"
    return f"{body}\n\n"


def _cards(b: KeyFigures) -> str:
    cards = [f"block(width: 100%, fill: rgb(\"#f3f6f9\"), stroke: 0.5pt + {_LINE}, radius: 3pt, "
             f"inset: 7pt)[#text(size: 15pt, weight: \"bold\", fill: {_BLUE})[#{s(c.value)}] \\ "
             f"#text(size: 8.5pt)[#{s(c.label)}] \\ #text(size: 7pt, fill: {_GREY})[#{s(c.detail)}]]"
             for c in b.cards]
    return f"#block(breakable: false)[#grid(columns: (1fr, 1fr, 1fr), gutter: 6pt, {', '.join(cards)})]\n\n"


def _cell(b: Table, i: int, v: str) -> str:
    if i in b.code_columns:
        return f"text(font: \"DejaVu Sans Mono\", size: 6.5pt)[#{s(_breakable(v))}]"
    return f"[#{s(v)}]"


def _table(b: Table) -> str:
    n = len(b.columns)
    numeric = [i != 0 and i not in b.text_columns and i not in b.code_columns and i not in b.foreign_columns
               and all(_is_number(r[i]) for r in b.rows if i < len(r)) for i in range(n)]
    align = ", ".join("right" if num else "left" for num in numeric)
    wide = [i for i in range(n) if i in b.text_columns or i == 0]
    widths = ", ".join("1fr" if (i in wide and len(wide) > 1 and n > 3) else "auto" for i in range(n))
    head = ", ".join(f"[#{s(c)}]" for c in b.columns)
    body = ",\n    ".join(", ".join(_cell(b, i, v) for i, v in enumerate(r)) for r in b.rows)
    cap = f"#strong({s(b.caption)})" if b.caption else ""
    if b.denominator:
        cap += f" #linebreak() #text(size: 7.5pt, fill: {_GREY})[#{s(b.denominator)}]"
    table = (f"table(columns: ({widths},), align: ({align},),\n    table.header({head}),\n    {body})")
    if not cap:
        return f"#{table}\n\n"
    return (f"#figure(kind: table, supplement: none, numbering: none, gap: 0.5em,\n"
            f"  caption: figure.caption(position: top)[{cap}],\n  {table})\n\n")


def _is_number(v: str) -> bool:
    return bool(v) and all(ch.isdigit() or ch in " \u00a0\u202f.,%–-+<>…" for ch in v) or v in ("..", "–", "")


def _figure(b: Figure, name: str) -> str:
    px = _png_width(b.png)
    inches = px / _DPI if px else _TEXT_WIDTH_IN
    width = "100%" if inches >= _TEXT_WIDTH_IN else f"{inches:.2f}in"
    cap = f", caption: [#{s(b.caption)}]" if b.caption else ""
    return (f"#figure(image({s(name)}, width: {width}, alt: {s(b.alt)}), supplement: none, numbering: none, "
            f"gap: 0.4em{cap})\n\n")


def _contents(b: Contents) -> str:
    return f"#outline(title: [#{s(b.title)}], depth: 1, indent: 0pt)\n\n"


def typst_source(blocks: Sequence[Block], lang: str, title: str, header: str = "") -> tuple[str, dict[str, bytes]]:
    """The typst document of ``blocks`` and the images it refers to (``{file name: PNG bytes}``)."""
    parts = [_preamble(lang, title, header)]
    images: dict[str, bytes] = {}
    for b in blocks:
        if isinstance(b, Heading):
            parts.append(_heading(b))
        elif isinstance(b, Paragraph):
            parts.append(_paragraph(b))
        elif isinstance(b, KeyFigures):
            parts.append(_cards(b))
        elif isinstance(b, Table):
            parts.append(_table(b))
        elif isinstance(b, Figure):
            name = f"figure-{len(images) + 1}.png"
            images[name] = b.png
            parts.append(_figure(b, name))
        elif isinstance(b, Contents):
            parts.append(_contents(b))
        elif isinstance(b, PageBreak):
            parts.append("#pagebreak(weak: true)\n")
        elif isinstance(b, Verbatim):
            parts.append(f"#block(fill: luma(246), inset: 6pt, width: 100%)[#raw({s(b.text)}, block: true)]\n\n")
        else:
            raise TypeError(f"not a report block: {b!r}")
    return "".join(parts), images


def write_pdf(blocks: Sequence[Block], out: Path, lang: str, title: str, header: str = "") -> list[str]:
    """Write ``blocks`` as a PDF to ``out`` (A4, page numbers, contents, charts, tables); returns typst's
    warnings, one line each (the caller logs them). Offline: fonts from :data:`FONT_DIR` only."""
    source, images = typst_source(blocks, lang, title, header)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tracer-pdf-") as tmp:
        root = Path(tmp)
        (root / "report.typ").write_text(source, encoding="utf-8")
        for name, png in images.items():
            (root / name).write_bytes(png)
        try:
            pdf, warnings = typst.compile_with_warnings(str(root / "report.typ"), root=str(root),
                                                        font_paths=[str(FONT_DIR)], ignore_system_fonts=True)
        except typst.TypstError as exc:
            first = (str(getattr(exc, "message", exc)).strip().splitlines() or [""])[0]
            raise TracerError(f"{out}: the PDF could not be made (typst: {first})") from None
    out.write_bytes(pdf)
    return [str(getattr(w, "message", w)).strip().splitlines()[0] for w in (warnings or [])]

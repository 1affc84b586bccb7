"""The report as a sequence of typed blocks — one document, several renderers.

A report section never writes HTML or typst. It adds blocks to the :class:`~analysis.publish.report.Report`
(``rep.heading``, ``rep.para``, ``rep.show_table``, ``rep.figure`` …), and renderers turn the same blocks into

* the notebook's display outputs (:func:`display_object`: HTML, or a PNG with its alt text and caption), which
  nbconvert renders into ``reports/COHORT/report.LANG.html`` (the project's template reads the alt text);
* a typst document and ``reports/COHORT/report.LANG.pdf`` (:mod:`analysis.publish.pdf`).

Every display output also carries its block as JSON under the mimetype :data:`BLOCK_MIME`, so the PDF is built
from the executed notebook — exactly the blocks the HTML shows — without running the sections twice
(:func:`blocks_from_notebook`). A figure's PNG travels once, as the output's ``image/png``.

The block types (all frozen dataclasses; text is already in the report's language and formatted):

=================  =====================================================================================
:class:`Heading`     a title (level 1) or a section (2) / sub-section (3) heading, with an anchor for links
:class:`Paragraph`   one paragraph; ``style`` lead | text | note | flag | nodata
:class:`KeyFigures`  key-figure cards (:class:`Card`: value, label, detail such as n and interval)
:class:`Table`       caption, the indicator it shows and its denominator, columns, rows (all text)
:class:`Figure`      a PNG chart with its alt text (in the report's language) and caption
:class:`Contents`    the linked table of contents (title and ``(number, text, anchor)`` entries)
:class:`PageBreak`   a page break in print (nothing on screen)
:class:`Verbatim`    preformatted text (parameters), shown as code
=================  =====================================================================================

Adding a block type means a dataclass here, its HTML in :func:`to_html` and its typst in
:mod:`analysis.publish.pdf`; a section module only ever calls the Report.
"""

from __future__ import annotations

import base64
import html
import json
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

__all__ = ["BLOCK_MIME", "Block", "Heading", "Paragraph", "Card", "KeyFigures", "Table", "Figure", "Contents",
           "PageBreak", "Verbatim", "to_html", "display_object", "to_dict", "from_dict", "blocks_from_notebook",
           "plain_text", "anchor_of"]

BLOCK_MIME = "application/vnd.tracer.block+json"
"""Mimetype under which every display output of the report carries its block (JSON)."""


@dataclass(frozen=True)
class Heading:
    """A heading: level 1 is the report's title, 2 a section (listed in the contents), 3 a sub-section."""

    text: str
    level: int = 2
    anchor: str = ""


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text. ``style``: ``lead`` (summary sentences), ``text``, ``note`` (small print),
    ``flag`` (a warning the reader must see) or ``nodata`` (one line: not enough data, and why)."""

    text: str
    style: str = "text"


@dataclass(frozen=True)
class Card:
    """One key figure: the formatted value, what it is, and a detail line (n, interval)."""

    value: str
    label: str
    detail: str = ""


@dataclass(frozen=True)
class KeyFigures:
    """A row of key-figure cards."""

    cards: tuple[Card, ...]


@dataclass(frozen=True)
class Table:
    """A table of formatted text cells.

    ``caption`` names what the table shows (with its number, e.g. "Table 3. Employment rate (ILO), by
    faculty"), ``indicator`` the indicator (empty for a table of several) and ``denominator`` whom the
    figures are a share or a median of ("% of phase-2 respondents"). ``text_columns`` are left-aligned
    (the first column always is); ``code_columns`` hold identifiers (file names, checksums) shown verbatim;
    ``foreign_columns`` hold text in another language, ``foreign_lang`` (bibliographic references), marked as such.
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    indicator: str = ""
    denominator: str = ""
    text_columns: tuple[int, ...] = ()
    code_columns: tuple[int, ...] = ()
    foreign_columns: tuple[int, ...] = ()
    foreign_lang: str = "en"


@dataclass(frozen=True)
class Figure:
    """A chart as PNG bytes, with its alt text in the report's language and its caption."""

    png: bytes = field(repr=False)
    alt: str
    caption: str = ""
    width: int = 0  # display width in CSS pixels (0: the image's own)


@dataclass(frozen=True)
class Contents:
    """The table of contents: ``entries`` are ``(number, text, anchor)`` of the sections, in order."""

    title: str
    entries: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class PageBreak:
    """A page break in print; nothing on screen."""


@dataclass(frozen=True)
class Verbatim:
    """Preformatted text, shown as code (e.g. the run's parameters)."""

    text: str


Block = Heading | Paragraph | KeyFigures | Table | Figure | Contents | PageBreak | Verbatim
_TYPES: dict[str, type] = {c.__name__: c for c in (Heading, Paragraph, KeyFigures, Table, Figure, Contents,
                                                    PageBreak, Verbatim)}


def anchor_of(key: str) -> str:
    """The anchor of a heading from its message key or a section name: ``sec_employment`` → ``sec-employment``
    (ASCII letters, digits and hyphens, so the same link works in HTML and in typst)."""
    return re.sub(r"[^a-z0-9]+", "-", key.casefold()).strip("-") or "section"


# ----------------------------------------------------------------------------- HTML
def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


_NUMERIC = re.compile(r"^[\s\d\u00a0\u202f.,%–\-+<>…]*$|^\.\.$")


def spans(text: str) -> list[tuple[str, bool]]:
    """A paragraph's text cut at backticks: ``(part, is_code)`` — text between backticks is an identifier (a
    file, a command, a parameter) shown as code and left out of the language checks."""
    return [(part, i % 2 == 1) for i, part in enumerate(str(text).split("`")) if part]


def _inline_html(text: str) -> str:
    return "".join(f"<code>{_e(p)}</code>" if code else _e(p) for p, code in spans(text))


def _table_html(b: Table) -> str:
    head = "".join(f'<th scope="col">{_e(c)}</th>' for c in b.columns)
    body = []
    for row in b.rows:
        cells = []
        for i, v in enumerate(row):
            if i in b.code_columns:
                cells.append(f'<td class="text"><code>{_e(v)}</code></td>')
            elif i in b.foreign_columns:
                cells.append(f'<td class="text"><cite lang="{_e(b.foreign_lang)}">{_e(v)}</cite></td>')
            elif i == 0 or i in b.text_columns or not _NUMERIC.match(str(v)):
                cells.append(f'<td class="text">{_e(v)}</td>')
            else:
                cells.append(f"<td>{_e(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = ""
    if b.caption or b.denominator:
        base = f' <span class="tracer-base">{_e(b.denominator)}</span>' if b.denominator else ""
        cap = f'<caption><span class="tracer-caption">{_e(b.caption)}</span>{base}</caption>'
    return (f'<table class="tracer-table">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def _png_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def to_html(block: Block) -> str:
    """The block as an HTML fragment (self-contained: a figure's PNG is a data URI)."""
    if isinstance(block, Heading):
        level = min(max(block.level, 1), 4)
        anchor = f' id="{_e(block.anchor)}"' if block.anchor else ""
        return f"<h{level}{anchor}>{_e(block.text)}</h{level}>"
    if isinstance(block, Paragraph):
        css = {"lead": "tracer-lead", "note": "tracer-note", "flag": "tracer-flag",
               "nodata": "tracer-note tracer-nodata"}.get(block.style, "")
        body = _inline_html(block.text)
        return f'<p class="{css}">{body}</p>' if css else f"<p>{body}</p>"
    if isinstance(block, KeyFigures):
        cards = "".join(f'<div class="tracer-kpi"><div class="v">{_e(c.value)}</div><div class="l">{_e(c.label)}'
                        f'</div><div class="n">{_e(c.detail)}</div></div>' for c in block.cards)
        return f'<div class="tracer-kpis">{cards}</div>'
    if isinstance(block, Table):
        return _table_html(block)
    if isinstance(block, Figure):
        width = f' width="{block.width}"' if block.width else ""
        cap = f"<figcaption>{_e(block.caption)}</figcaption>" if block.caption else ""
        return (f'<figure class="tracer-figure"><img src="{_png_uri(block.png)}" alt="{_e(block.alt)}"{width}>'
                f"{cap}</figure>")
    if isinstance(block, Contents):
        items = "".join(f'<li><a href="#{_e(a)}"><span class="num">{_e(n)}</span> {_e(txt)}</a></li>'
                        for n, txt, a in block.entries)
        return (f'<nav class="tracer-toc" aria-label="{_e(block.title)}"><h2>{_e(block.title)}</h2>'
                f"<ul>{items}</ul></nav>")
    if isinstance(block, PageBreak):
        return '<div class="tracer-pagebreak"></div>'
    if isinstance(block, Verbatim):
        return f"<pre>{_e(block.text)}</pre>"
    raise TypeError(f"not a report block: {block!r}")


# ----------------------------------------------------------------------------- JSON (the block in the notebook)
def to_dict(block: Block) -> dict[str, Any]:
    """The block as plain JSON values, ``{"type": name, …fields}``; a figure without its PNG (it travels as
    the output's ``image/png``)."""
    out: dict[str, Any] = {"type": type(block).__name__}
    for f in fields(block):
        if f.name == "png":
            continue
        out[f.name] = getattr(block, f.name)
    return json.loads(json.dumps(out, ensure_ascii=False, default=lambda v: asdict(v)))


def from_dict(data: dict[str, Any], png: bytes = b"") -> Block:
    """The block of :func:`to_dict` (``png``: a figure's image bytes)."""
    kind = _TYPES.get(str(data.get("type")))
    if kind is None:
        raise ValueError(f"unknown report block type {data.get('type')!r}")
    kw = {k: v for k, v in data.items() if k != "type"}
    if kind is KeyFigures:
        kw["cards"] = tuple(Card(**c) for c in kw.get("cards", ()))
    elif kind is Table:
        kw["columns"] = tuple(kw.get("columns", ()))
        kw["rows"] = tuple(tuple(r) for r in kw.get("rows", ()))
        kw["text_columns"] = tuple(kw.get("text_columns", ()))
        kw["code_columns"] = tuple(kw.get("code_columns", ()))
        kw["foreign_columns"] = tuple(kw.get("foreign_columns", ()))
    elif kind is Contents:
        kw["entries"] = tuple(tuple(e) for e in kw.get("entries", ()))
    elif kind is Figure:
        kw["png"] = png
    return kind(**kw)


class _Display:
    """What a Report displays for one block: IPython reads :meth:`_repr_mimebundle_` (HTML — or, for a figure,
    the PNG with its alt text and caption as metadata — plus the block as JSON under :data:`BLOCK_MIME`)."""

    def __init__(self, block: Block) -> None:
        self.block = block

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        b = self.block
        data: dict[str, Any] = {BLOCK_MIME: to_dict(b)}
        if isinstance(b, Figure):
            data["image/png"] = base64.b64encode(b.png).decode("ascii")
            data["text/plain"] = b.alt
            meta = {"image/png": {"alt": b.alt, "caption": b.caption, **({"width": b.width} if b.width else {})}}
            return data, meta
        data["text/html"] = to_html(b)
        data["text/plain"] = plain_text([b])
        return data, {}

    def _repr_html_(self) -> str | None:
        # a figure has no HTML representation of its own: nbconvert renders its PNG with the alt text
        # (templates/tracer_html), and the PNG is stored once
        return None if isinstance(self.block, Figure) else to_html(self.block)

    def __repr__(self) -> str:
        return to_html(self.block) if isinstance(self.block, Figure) else plain_text([self.block])


def display_object(block: Block) -> _Display:
    """The object a notebook displays for ``block`` (``IPython.display.display(display_object(b))``)."""
    return _Display(block)


def blocks_from_notebook(path: Path | str) -> list[Block]:
    """The report's blocks, in order, from an executed report notebook (the :data:`BLOCK_MIME` outputs)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    out: list[Block] = []
    for cell in nb.get("cells", []):
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if BLOCK_MIME not in data:
                continue
            raw = data[BLOCK_MIME]
            raw = json.loads(raw) if isinstance(raw, str) else raw
            png = data.get("image/png", "")
            png = base64.b64decode("".join(png) if isinstance(png, list) else png) if png else b""
            out.append(from_dict(raw, png))
    return out


# ----------------------------------------------------------------------------- text
def plain_text(blocks: list[Block] | tuple[Block, ...]) -> str:
    """The visible text of blocks, one line per paragraph, heading, card or table row (a figure gives its
    alt text; verbatim text, code columns and `code` spans of paragraphs are left out: they are identifiers,
    not prose)."""
    lines: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            lines.append(b.text)
        elif isinstance(b, Paragraph):
            lines.append("".join(p for p, code in spans(b.text) if not code))
        elif isinstance(b, KeyFigures):
            lines += [" ".join(x for x in (c.value, c.label, c.detail) if x) for c in b.cards]
        elif isinstance(b, Table):
            lines += [x for x in (b.caption, b.denominator) if x]
            lines.append(" | ".join(b.columns))
            lines += [" | ".join(v for i, v in enumerate(r) if i not in b.code_columns) for r in b.rows]
        elif isinstance(b, Figure):
            lines += [x for x in (b.caption, b.alt) if x]
        elif isinstance(b, Contents):
            lines.append(b.title)
            lines += [f"{n} {txt}" for n, txt, _ in b.entries]
    return "\n".join(lines)

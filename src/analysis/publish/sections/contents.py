"""The linked table of contents: every section with a heading, numbered as in the report (from
:data:`analysis.publish.sections.SECTIONS`)."""

from __future__ import annotations

from typing import Any

from analysis.core.i18n import t
from analysis.publish.blocks import Contents
from analysis.publish.sections import outline


def render(rep: Any) -> None:
    """The contents (links to the sections' anchors), then a page break in print."""
    entries = tuple((number, t(key, rep.lang), anchor) for key, number, anchor in outline(rep.lang))
    rep.add(Contents(t("contents_heading", rep.lang), entries))
    rep.page_break()

"""SPSS ``.sav`` files (``spss``) → raw table, values as codes where the value labels allow.

Read with pyreadstat (``read_sav``; ``encoding`` for legacy files from Russian-locale SPSS, e.g.
``cp1251``). Variable names are matched to question names (or, failing that, the variable label to a
question label). For a variable with value labels, each value becomes:

1. the code whose label (ky/ru/en, through the codebook) equals the value's label; else
2. the value itself when it is a code of the question's list (``3`` for ``scale5``); else
3. the value's label, kept verbatim for validation to report.

Numbers are written without a trailing ``.0``; SPSS dates become ISO ``YYYY-MM-DD``; SPSS
user-missing values (e.g. 99 declared missing) are read as empty, as SPSS itself treats them.
``info["value_labels_language"]`` names the language of the value labels that were mapped.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pyreadstat

from analysis.ingest.cells import format_number
from analysis.ingest.context import RawTable, ReadContext
from analysis.ingest.headers import resolve_question
from analysis.ingest.labels import Codebook
from analysis.ingest.sources import check_extension


def read_spss(ctx: ReadContext, cb: Codebook, encoding: str | None = None) -> RawTable:
    """Read a .sav file; map labelled values to codes (see the module docstring)."""
    check_extension(ctx, (".sav", ".zsav"))

    if ctx.path.stat().st_size == 0:
        raise ctx.error("the file is empty", fix="save the data again from SPSS")
    try:
        df, meta = pyreadstat.read_sav(str(ctx.path), encoding=encoding or None,
                                       apply_value_formats=False, user_missing=False)
    except Exception as exc:  # pyreadstat raises its own ReadstatError / PyreadstatError
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ctx.error(f"not a readable SPSS .sav file ({msg})",
                        fix="save it from SPSS as .sav; if its text is garbled, declare encoding: cp1251") from None
    ctx.info["encoding"] = meta.file_encoding or encoding
    names = list(df.columns)
    header: list[str] = []
    for name in names:
        if resolve_question(cb, name, "generic"):
            header.append(name)
            continue
        label = (meta.column_names_to_labels or {}).get(name)
        if label and cb.label_of(label):
            header.append(label)
            ctx.note("spss_label_match", row=1, column=name, variable=name, label=label)
        else:
            header.append(name)
    labels_of = meta.variable_value_labels or {}
    n = len(df)
    columns: list[list[Any]] = []
    mapped: Counter[str] = Counter()
    langs: Counter[str] = Counter()
    for name, head in zip(names, header):
        q = resolve_question(cb, head, "generic")
        qname = q[0] if q else None
        qtype = cb.types.get(qname or "", "")
        vl = labels_of.get(name) or {}
        col = df[name].tolist()
        if vl and qname and qtype in ("select_one", "select_multiple"):
            out = []
            for v in col:
                if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
                    out.append(None)
                    continue
                label = vl.get(v)
                raw = format_number(v) if isinstance(v, (int, float)) else str(v)
                hit = cb.answer_to_code(qname, label) if label is not None else None
                if hit is not None:
                    out.append(hit[0])
                    if hit[1] and hit[1] != "?":
                        langs[hit[1]] += 1
                    if hit[0] != raw:
                        mapped[name] += 1
                elif raw in cb.codes.get(qname, []):
                    out.append(raw)
                else:
                    out.append(label if label is not None else raw)
            columns.append(out)
        else:
            columns.append(col)
    for name, k in mapped.items():
        ctx.note("spss_values_mapped", column=name, count=k, n=k)
    if langs:
        ranked = langs.most_common()
        ctx.info["value_labels_language"] = ranked[0][0]
        ctx.note("spss_labels_language", counts=", ".join(f"{k}: {v}" for k, v in ranked))
    rows = [[columns[j][i] for j in range(len(names))] for i in range(n)]
    return RawTable(header=header, rows=rows, row_numbers=list(range(2, n + 2)))

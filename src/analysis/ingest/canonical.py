"""The canonical table of one file: every row, every question column as text, provenance, nothing lost.

One job: :func:`build_canonical` applies the one set of rules of the canonical table contract
(``docs/architecture.md``) to a reader's :class:`~analysis.ingest.context.RawTable`: headers mapped
(:mod:`analysis.ingest.headers`), cells to text (:mod:`analysis.ingest.cells`), select answers given as labels
(ky, ru, en) mapped to codes through the codebook (:mod:`analysis.ingest.labels`) — anything that matches
nothing is kept verbatim for validation to report —, select_multiple as one column of space-separated
codes cross-checked against its ``q/choice`` columns (the summary wins; a disagreement is a warning), the
collection mode per row, and one notice for every decision.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pandas as pd

from analysis.core.i18n import LANG_NAMES, LANGS, messages
from analysis.core.vocabulary import MODES
from analysis.ingest.cells import DateProblems, FixTally, cell_to_text, norm_key
from analysis.ingest.context import PROVENANCE, IngestResult, RawTable, ReadContext
from analysis.ingest.dates import decide_order
from analysis.ingest.encoding import lost_letters
from analysis.ingest.headers import ColumnMap, check_columns, map_headers, suggest_question
from analysis.ingest.labels import Codebook

TICKS = frozenset({"1", "true", "x", "✓", "✔", "yes", "ооба", "да"})
"""Marks read as "ticked" in the option columns of the data-entry workbook (its documented convention)."""


def _split_selected(values: dict[str, str], ticks: bool = False) -> tuple[list[str], list[str]]:
    """Codes marked 1 in split columns, and the values that are neither 1, 0 nor empty.

    With ``ticks`` (the entry workbook), the tick marks of :data:`TICKS` also count as 1.
    """
    on, odd = [], []
    for code, v in values.items():
        if v in ("1", "TRUE", "True", "true") or (ticks and norm_key(v) in TICKS):
            on.append(code)
        elif v not in ("0", "", "FALSE", "False", "false"):
            odd.append(f"{code}={v!r}")
    return on, odd


def _mode_code(text: str) -> str | None:
    """A collection mode written as a code or as the entry workbook's label (any language)."""
    k = norm_key(text)
    if k in MODES:
        return k
    for sep in (" - ", " – ", " — "):  # the entry workbook's dropdown text "code – label"
        if sep in k and k.split(sep, 1)[0].strip() in MODES:
            return k.split(sep, 1)[0].strip()
    for lang in LANGS:  # the entry workbook's own labels of paper/phone
        ui = messages("entry_", lang)
        for m in MODES:
            if m in ui and norm_key(ui[m]) == k:
                return m
    return None



def _filled(raw: RawTable, index: int) -> list[int]:
    """Spreadsheet rows where column ``index`` holds a value."""
    return [r for r, row in zip(raw.row_numbers, raw.rows)
            if index < len(row) and row[index] is not None and str(row[index]).strip() != ""]


def _apply_renames(raw: RawTable, ctx: ReadContext) -> tuple[list[Any], dict[int, str], dict[int, str]]:
    """The header with the cohort file's ``renames`` applied; the renamed and the dropped columns by index."""
    header = list(raw.header)
    if not ctx.renames:
        return header, {}, {}
    wanted = {norm_key(str(k)): (k, v) for k, v in ctx.renames.items()}
    renamed: dict[int, str] = {}
    dropped: dict[int, str] = {}
    used = set()
    for i, h in enumerate(header):
        k = norm_key("" if h is None else str(h))
        if k in wanted:
            used.add(k)
            orig, target = wanted[k]
            if target is None or str(target).strip() in ("", "~", "null"):
                dropped[i] = str(h)
            else:
                renamed[i] = str(h)
                header[i] = str(target)
    for k, (orig, _target) in wanted.items():
        if k not in used:
            ctx.note("rename_unused", row=raw.header_row, column=str(orig), header=str(orig))
    return header, renamed, dropped


def _lost_letters(ctx: Any, trace: str, rownum: int, name: str) -> None:
    """A cell whose Kyrgyz letters ң ө ү look lost (a cp1251 round trip): stop with one line, or, when the
    cohort allows it, a notice per cell."""
    if not ctx.allow_lost_letters:
        raise ctx.error(f"Kyrgyz letters ң ө ү seem lost: {trace}", row=rownum, column=name,
                        fix="re-export the file as UTF-8 (cp1251 cannot hold ң ө ү), or pass "
                            "--allow-lost-letters (allow_lost_letters=True) to read it with a warning per cell")
    ctx.note("lost_letters", row=rownum, column=name, count=1, trace=trace)


def build_canonical(raw: RawTable, cb: Codebook, ctx: ReadContext,
                    others: Callable[[], Iterable[Codebook]] | None = None) -> IngestResult:
    """Turn a reader's :class:`RawTable` into the canonical table, applying the contract's rules.

    Besides the question and provenance columns, the table carries (only when the file has them)
    the covariate columns ``x_<name>`` of a legacy mapping (text, after the provenance columns) and
    two markers: ``_not_asked`` (space-separated questions this file's survey never asked — their
    cells are empty and validation does not ask for them) and ``_generated`` (question columns whose
    values the reader generated, e.g. a row id; validation does not check them against the form's
    pattern).
    """
    header_row = raw.header_row
    ctx.info.setdefault("header_row", header_row)
    header, renamed, dropped = _apply_renames(raw, ctx)
    bad_na = sorted(set(ctx.not_asked) - set(cb.by_name))
    if bad_na:
        verb = "are" if len(bad_na) > 1 else "is"
        raise ctx.error(f"not_asked names {', '.join(repr(n) for n in bad_na)}, which {verb} "
                        f"not a question of '{cb.key}'", fix="use the questionnaire's names (docs/variables.md)")
    maps = map_headers(header, cb, ctx)
    for m in maps:
        if m.index in dropped:
            m.kind, m.name = "dropped", None
    if not raw.rows:
        raise ctx.error("the file has a header but no data rows", row=header_row + 1,
                        fix="check that the export is not empty (filters, date range, wrong sheet)")
    # blank-header columns: ignore if empty, warn if they hold data
    for m in maps:
        if m.kind == "blank":
            filled = _filled(raw, m.index)
            if filled:
                ctx.note("blank_header", row=filled[0], count=len(filled), index=m.index + 1, n=len(filled))
    clash = [m for m in maps if m.kind in ("question", "split") and m.name in ctx.not_asked]
    if clash:
        m = clash[0]
        raise ctx.error(f"question '{m.name}' is declared not asked but the file has its column '{m.header}'",
                        row=header_row, column=m.header,
                        fix="remove it from not_asked, or drop the column on purpose (renames: {header: ~})")
    check_columns(maps, cb, ctx, others)

    used_names = {m.name for m in maps if m.kind in ("question", "split")} | set(ctx.not_asked)
    unknown_info: list[dict[str, Any]] = []
    for m in maps:
        if m.kind == "unknown":
            n = len(_filled(raw, m.index))
            sug = suggest_question(m.header, cb, used_names)
            unknown_info.append({"header": m.header, "answers": n, "suggestion": sug})
            if sug:
                ctx.note("did_you_mean", row=header_row, column=m.header, count=n, level="warning",
                         header=m.header, instrument=cb.key, n=n, question=sug)
            else:
                ctx.note("unknown_column", row=header_row, column=m.header, count=n,
                         level="warning" if n else "info", header=m.header, instrument=cb.key, n=n)
        elif m.kind == "dropped":
            n = len(_filled(raw, m.index))
            ctx.note("dropped_on_purpose", row=header_row, column=m.header, count=n, header=m.header, n=n,
                     how="renames: ~")
        elif m.kind == "split" and m.code is None:
            ctx.note("option_not_in_list", row=header_row, column=m.header, header=m.header, question=m.name)
        elif m.kind == "question" and m.index in renamed:
            n = len(_filled(raw, m.index))
            ctx.note("renamed_column", row=header_row, column=renamed[m.index], count=n,
                     header=renamed[m.index], question=m.name, n=n)
        elif m.kind == "question" and m.how == "name ignoring case":
            ctx.note("header_case", row=header_row, column=m.header, header=m.header, question=m.name)
    qmaps = {m.name: m for m in maps if m.kind == "question"}
    splits: dict[str, dict[str, ColumnMap]] = defaultdict(dict)
    for m in maps:
        if m.kind == "split" and m.code is not None:
            splits[m.name][m.code] = m  # type: ignore[index]
    metas = {m.target: m for m in maps if m.kind == "meta" and m.target}
    covs = [m for m in maps if m.kind == "covariate"]

    label_langs: Counter[str] = Counter(m.lang for m in maps if m.kind in ("question", "split") and m.lang)
    n_name = sum(1 for m in maps if m.kind == "question" and not m.lang)
    n_label = sum(1 for m in maps if m.kind == "question" and m.lang)
    style = "labels" if n_label and n_label >= n_name else ("mixed" if n_label else "xml")
    value_langs: Counter[str] = Counter()
    mapped_cells: Counter[str] = Counter()
    unmapped: Counter[str] = Counter()
    tally = FixTally()
    mode = ctx.mode or ""

    names = [q.name for q in cb.questions]
    # the file's day-first rule, from the setting or from what its date answers show
    date_cols = [qmaps[n].index for n in names if cb.types[n] == "date" and n in qmaps]
    date_texts = [str(row[i]).strip() for row in raw.rows for i in date_cols
                  if i < len(row) and isinstance(row[i], str)]
    order, why = decide_order(date_texts, ctx.dayfirst)
    if any("/" in t for t in date_texts):
        ctx.note("date_order", order="day-first (dd/mm/yyyy)" if order else (
            "month-first (mm/dd/yyyy)" if order is False else "undecided"), why=why)
    ctx.info["dayfirst"] = order
    dates = DateProblems(order)
    out_rows: list[list[Any]] = []
    cov_rows: list[list[str]] = []
    skipped_empty = 0
    bad_modes: dict[str, int] = {}
    other_modes: Counter[str] = Counter()
    memo: dict[tuple[str, str], _CellRead] = {}
    meta_tally = FixTally()  # the meta columns' fixes are not reported
    for rownum, row in zip(raw.row_numbers, raw.rows):
        def cell(m: ColumnMap, row: Sequence[Any] = row) -> Any:
            return row[m.index] if m.index < len(row) else None

        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            skipped_empty += 1
            continue
        rec: dict[str, str] = {}
        for name in names:
            qtype = cb.types[name]
            m = qmaps.get(name)
            if qtype != "select_multiple" and m is not None and isinstance(value := cell(m), str):
                # the same text in the same column always gives the same answer: read it once, replay its tallies
                key = (name, value)
                hit = memo.get(key)
                if hit is None:
                    hit = memo[key] = _read_cell(cb, ctx, name, qtype, value, raw, dates.dayfirst)
                text, fixes, date_problem, counts, trace = hit
                for f in fixes:
                    tally.add(name, f, rownum)
                if date_problem is not None:
                    dates.add(name, date_problem[0], rownum, date_problem[1])
                for counter, k in counts:
                    (value_langs if counter == "lang" else mapped_cells if counter == "mapped" else unmapped)[k] += 1
                if trace:
                    _lost_letters(ctx, trace, rownum, name)
                rec[name] = text
                continue
            text = "" if m is None else cell_to_text(cell(m), qtype, name, rownum, tally, raw,
                                                    ctx.serial_text_dates, dates)
            if qtype == "select_one" and text:
                text = _map_select_one(cb, ctx, name, text, value_langs, mapped_cells, unmapped)
            elif qtype == "select_multiple":
                text = _map_select_multiple(cb, ctx, name, text, m is not None, splits.get(name, {}),
                                            cell, rownum, tally, raw, value_langs, mapped_cells, unmapped)
            if text:
                trace = lost_letters(text)
                if trace:
                    _lost_letters(ctx, trace, rownum, name)
            rec[name] = text
        meta_vals = {t: cell_to_text(cell(m), None, m.header, rownum, meta_tally, raw) for t, m in metas.items()}
        row_mode = mode
        if meta_vals.get("_row_mode"):
            m_code = _mode_code(meta_vals["_row_mode"])
            if m_code is None:
                bad_modes.setdefault(meta_vals["_row_mode"], rownum)
            else:
                row_mode = m_code
                if mode and m_code != mode:
                    other_modes[m_code] += 1
        sub_id = meta_vals.get("_submission_id") or ""
        if not sub_id and meta_vals.get("_instance_id"):
            sub_id = meta_vals["_instance_id"]
        if not sub_id:
            sub_id = f"{ctx.display}:{rownum}"
        out_rows.append([*(rec[n] for n in names), cb.key, ctx.display, rownum, row_mode, sub_id,
                         meta_vals.get("_submitted_at", ""), meta_vals.get("_review_state", "")])
        cov_rows.append([cell_to_text(cell(m), None, m.header, rownum, tally, raw) for m in covs])
    tally.flush(ctx)
    dates.flush(ctx)
    for text, r in bad_modes.items():
        ctx.note("bad_mode", row=r, column="mode", count=1, value=text, modes=", ".join(MODES), mode=mode)
    for m_code, n in other_modes.items():
        ctx.note("mode_mismatch", column="mode", count=n, n=n, row_mode=m_code, mode=mode)
    if skipped_empty:
        ctx.note("empty_rows", count=skipped_empty, n=skipped_empty)
    if not out_rows:
        raise ctx.error("the file has a header but no data rows (all rows are empty)",
                        row=header_row + 1, fix="check that the export is not empty")

    for name, n in sorted(mapped_cells.items(), key=lambda kv: cb.order[kv[0]]):
        ctx.note("labels_to_codes", column=name, count=n, n=n)
    for name, n in sorted(unmapped.items(), key=lambda kv: cb.order[kv[0]]):
        ctx.note("unmapped_answers", column=name, count=n, n=n)
    langs = label_langs + value_langs
    langs.pop("?", None)
    detected = None
    if langs:
        ranked = langs.most_common()
        detected = ranked[0][0] if len(ranked) == 1 or ranked[0][1] > ranked[1][1] else "mixed"
        if style != "xml" or value_langs:
            ctx.note("labels_language", language=LANG_NAMES.get(detected, detected),
                     counts=", ".join(f"{k}: {v}" for k, v in ranked))
    if not ctx.mode and cb.key != "registry" and not any(r[len(names) + 3] for r in out_rows):
        ctx.note("mode_not_declared")

    table = pd.DataFrame(out_rows, columns=[*names, *PROVENANCE])
    for c in table.columns:
        if c != "_source_row":
            table[c] = table[c].astype(object).astype(str)
    table["_source_row"] = table["_source_row"].astype("int64")
    for j, m in enumerate(covs):
        table[m.header] = pd.Series([r[j] for r in cov_rows], dtype=object).astype(str).to_numpy()
    not_asked = [n for n in names if n in set(ctx.not_asked)]
    if not_asked:
        table["_not_asked"] = " ".join(not_asked)
        ctx.note("not_asked", count=len(table), names=", ".join(not_asked))
    if ctx.generated:
        table["_generated"] = " ".join(ctx.generated)
    absent = [n for n in names if n not in qmaps and n not in splits and n not in set(ctx.not_asked)]
    ctx.info.update({
        "n_rows": len(table),
        "header": ["" if h is None else str(h) for h in raw.header],
        "export_style": style,
        "labels_language": detected,
        "columns_mapped": {m.header: m.name for m in maps if m.kind == "question"},
        "columns_dropped": [m.header for m in maps if m.kind == "unknown"],
        "unknown_columns": unknown_info,
        "meta_columns": [m.header for m in maps if m.kind == "meta"],
        "questions_absent": absent,
        "not_asked": not_asked,
        "covariates": [m.header for m in covs],
    })
    if absent:
        ctx.note("questions_absent", instrument=cb.key, n=len(absent),
                 names=", ".join(absent[:12]) + (" …" if len(absent) > 12 else ""))
    return IngestResult(table=table, warnings=ctx.notices, info=ctx.info)


_CellRead = tuple[str, tuple[str, ...], "tuple[str, str] | None", tuple[tuple[str, str], ...], "str | None"]


def _read_cell(cb: Codebook, ctx: ReadContext, name: str, qtype: str, value: str, raw: RawTable,
               dayfirst: bool | None) -> _CellRead:
    """What reading one text cell of question ``name`` gives, independent of its row: the canonical text, the
    automatic fixes applied, the date problem (``ambiguous``/``unreadable``) if any, the tallies of label
    mapping (``("lang", lang)``, ``("mapped", name)``, ``("unmapped", name)``) and the lost-letter trace.
    :func:`build_canonical` reads each distinct text of a column once and replays these for every row."""
    tally = FixTally()
    dates = DateProblems(dayfirst)
    text = cell_to_text(value, qtype, name, 0, tally, raw, ctx.serial_text_dates, dates)
    langs: Counter[str] = Counter()
    mapped: Counter[str] = Counter()
    unmapped: Counter[str] = Counter()
    if qtype == "select_one" and text:
        text = _map_select_one(cb, ctx, name, text, langs, mapped, unmapped)
    counts = tuple(("lang", k) for k, n in langs.items() for _ in range(n)) + tuple(
        ("mapped", k) for k, n in mapped.items() for _ in range(n)) + tuple(
        ("unmapped", k) for k, n in unmapped.items() for _ in range(n))
    fixes = tuple(kind for (_, kind), n in tally.count.items() for _ in range(n))
    problem = next(((status, rec[2]) for (_, status), rec in dates.problems.items()), None)
    return text, fixes, problem, counts, (lost_letters(text) if text else None)


def _map_select_one(cb: Codebook, ctx: ReadContext, name: str, text: str, value_langs: Counter[str],
                    mapped: Counter[str], unmapped: Counter[str]) -> str:
    if ctx.value_mapper is not None:
        v = ctx.value_mapper(name, text)
        if v is not None and v in cb.codes.get(name, []):
            if v != text:
                mapped[name] += 1
            return v
    hit = cb.answer_to_code(name, text)
    if hit is None:
        unmapped[name] += 1
        return text
    code, lang = hit
    if lang is not None:
        mapped[name] += 1
        value_langs[lang] += 1
    return code


def _map_select_multiple(cb: Codebook, ctx: ReadContext, name: str, text: str, has_summary: bool,
                         split_cols: dict[str, ColumnMap], cell: Callable[[ColumnMap], Any], rownum: int,
                         tally: FixTally, raw: RawTable, value_langs: Counter[str], mapped: Counter[str],
                         unmapped: Counter[str]) -> str:
    split_vals = {code: cell_to_text(cell(m), None, m.header, rownum, tally, raw)
                  for code, m in split_cols.items()}
    on, odd = _split_selected(split_vals, ticks=ctx.platform == "entry")
    if odd:
        ctx.note("multi_odd_values", row=rownum, column=name, count=len(odd), question=name,
                 values=", ".join(odd))
    if not has_summary:
        if not split_cols:
            return ""
        order = {c: i for i, c in enumerate(cb.codes.get(name, []))}
        return " ".join(sorted(on, key=lambda c: order.get(c, len(order))))
    if not text:
        if on:
            ctx.note("multi_summary_empty", row=rownum, column=name, count=1, codes=" ".join(on))
        return ""
    if ctx.value_mapper is not None:
        v = ctx.value_mapper(name, text)
        if v is not None and all(c in cb.codes.get(name, []) for c in v.split()):
            text = v
    readings, langs = cb.multi_to_codes(name, text)
    if len(readings) > 1 and split_cols:
        agree = [r for r in readings if set(r) == set(on)]
        readings = agree[:1] or readings
    if len(readings) != 1:
        unmapped[name] += 1
        if len(readings) > 1:
            ctx.note("multi_ambiguous", row=rownum, column=name, count=1, value=text)
        return text
    codes = readings[0]
    if langs:
        mapped[name] += 1
        value_langs.update(langs)
    if split_cols and set(codes) != set(on):
        ctx.note("multi_disagree", row=rownum, column=name, count=1, codes=" ".join(codes),
                 marked=" ".join(on) or "none marked")
    return " ".join(codes)

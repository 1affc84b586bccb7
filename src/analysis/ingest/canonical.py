"""The canonical table of one file: every row, every question column as text, provenance, nothing lost.

One job: :func:`build_canonical` applies the one set of rules of the canonical table contract
(``docs/architecture.md``) to a reader's :class:`~analysis.ingest.context.RawTable`: headers mapped
(:mod:`analysis.ingest.headers`), cells to text (:mod:`analysis.ingest.cells`), select answers given as labels
(ky, ru, en) mapped to codes through the codebook (:mod:`analysis.ingest.labels`) — anything that matches
nothing is kept verbatim for validation to report —, select_multiple as one column of space-separated
codes cross-checked against its ``q/choice`` columns (the summary wins; a disagreement is a warning), the
collection mode per row, and one notice for every decision.

The file is read column by column (each column's distinct values once, national-scale exports in seconds); the
result — table, notices and their order, ``info`` — is that of reading it row by row, cell by cell
(``tests/unit/test_canonical_columnwise.py`` keeps that reading as the reference).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from operator import itemgetter
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.core.i18n import LANG_NAMES, LANGS, messages
from analysis.core.vocabulary import MODES
from analysis.ingest.cells import DateProblems, FixTally, cell_to_text, is_clean_text, norm_key, normalise_text
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

    The file is read **column by column**: a cell's reading (its canonical text, automatic fixes, date
    problem, label → code tallies, per-cell notices and lost-letter trace) depends only on its column and
    its value (for ``select_multiple``, on the summary and option cells of its row), so each column's
    distinct values are read once (:func:`_groups`, :func:`_read_cell`, :func:`_read_multi`) and the
    column's texts built with one mapping. The tallies are added per distinct value (count = its rows,
    first row = its first row in file order) and the per-cell notices emitted in row order, then question
    order: the table, the notices (fields and order) and ``info`` are those of reading the file row by row,
    cell by cell.
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
    mode = ctx.mode or ""
    names = [q.name for q in cb.questions]

    # the rows that hold a value, and their cells column by column (each column's distinct values once)
    keep = _non_empty(raw.rows)
    skipped_empty = len(raw.rows) - len(keep)
    rows = raw.rows if not skipped_empty else [raw.rows[p] for p in keep]
    rownums = list(raw.row_numbers) if not skipped_empty else [raw.row_numbers[p] for p in keep]
    columns = _Columns(rows)

    # the file's day-first rule, from the setting or from what its date answers show
    date_cols = [qmaps[n].index for n in names if cb.types[n] == "date" and n in qmaps]
    if any(isinstance(v, str) and "/" in v for i in date_cols for v in columns.groups(i)[1]):
        date_texts = [str(row[i]).strip() for row in raw.rows for i in date_cols
                      if i < len(row) and isinstance(row[i], str)]
        order, why = decide_order(date_texts, ctx.dayfirst)
        ctx.note("date_order", order="day-first (dd/mm/yyyy)" if order else (
            "month-first (mm/dd/yyyy)" if order is False else "undecided"), why=why)
    else:  # no slash date: nothing to decide from (decide_order of no evidence), nothing to note
        order, why = decide_order((), ctx.dayfirst)
    ctx.info["dayfirst"] = order

    eff = _Effects()
    texts: list[_Texts] = []
    for qi, name in enumerate(names):
        qtype = cb.types[name]
        m = qmaps.get(name)
        if qtype == "select_multiple":
            texts.append(_multi_column(cb, ctx, name, qi, m, splits.get(name, {}), columns, raw, order, eff))
        elif m is None:
            texts.append(_Texts.constant(len(rows), ""))
        else:
            codes, reps, all_text = columns.groups(m.index)
            if all_text and qtype not in ("date", "select_one"):  # text answers: only the text fixes
                texts.append(eff.add(qi, name, codes, *_text_readings(name, reps, with_traces=True)))
            else:
                texts.append(eff.add(qi, name, codes, *_read_values(cb, ctx, name, qtype, reps, raw, order)))
    meta_texts = {t: _plain_texts(columns, m, raw, None) for t, m in metas.items()}  # meta fixes are not reported
    cov_texts = [_plain_texts(columns, m, raw, eff) for m in covs]
    eff.emit(ctx, rownums)
    eff.flush(ctx, rownums, order)

    row_mode = _Texts.constant(len(rows), mode)
    bad_modes: dict[str, int] = {}
    other_modes: Counter[str] = Counter()
    if "_row_mode" in metas and len(rows):
        codes, reps, _ = _groups(meta_texts["_row_mode"].values())
        firsts, counts = _firsts(codes, len(reps)), np.bincount(codes, minlength=len(reps))
        per_group = [mode] * len(reps)
        for g, text in enumerate(reps):  # groups in the order of their first row
            if not text:
                continue
            m_code = _mode_code(text)
            if m_code is None:
                bad_modes.setdefault(text, rownums[firsts[g]])
            else:
                per_group[g] = m_code
                if mode and m_code != mode:
                    other_modes[m_code] += int(counts[g])
        row_mode = _Texts(codes, per_group)
    for text, r in bad_modes.items():
        ctx.note("bad_mode", row=r, column="mode", count=1, value=text, modes=", ".join(MODES), mode=mode)
    for m_code, n in other_modes.items():
        ctx.note("mode_mismatch", column="mode", count=n, n=n, row_mode=m_code, mode=mode)
    if skipped_empty:
        ctx.note("empty_rows", count=skipped_empty, n=skipped_empty)
    if not rows:
        raise ctx.error("the file has a header but no data rows (all rows are empty)",
                        row=header_row + 1, fix="check that the export is not empty")

    for name, n in sorted(eff.mapped.items(), key=lambda kv: cb.order[kv[0]]):
        ctx.note("labels_to_codes", column=name, count=n, n=n)
    for name, n in sorted(eff.unmapped.items(), key=lambda kv: cb.order[kv[0]]):
        ctx.note("unmapped_answers", column=name, count=n, n=n)
    value_langs = eff.value_langs()
    langs = label_langs + value_langs
    langs.pop("?", None)
    detected = None
    if langs:
        ranked = langs.most_common()
        detected = ranked[0][0] if len(ranked) == 1 or ranked[0][1] > ranked[1][1] else "mixed"
        if style != "xml" or value_langs:
            ctx.note("labels_language", language=LANG_NAMES.get(detected, detected),
                     counts=", ".join(f"{k}: {v}" for k, v in ranked))
    if not ctx.mode and cb.key != "registry" and not any(row_mode.texts[g] for g in set(row_mode.codes.tolist())):
        ctx.note("mode_not_declared")

    sub = meta_texts.get("_submission_id")
    inst = meta_texts.get("_instance_id")
    where = ctx.display
    if sub is None and inst is None:
        sub_ids = [f"{where}:{r}" for r in rownums]
    else:
        blank = _constant(len(rows), "")
        sub_ids = [s or i or f"{where}:{r}" for s, i, r in zip(
            blank if sub is None else sub.values(), blank if inst is None else inst.values(), rownums)]
    empty = _Texts.constant(len(rows), "")
    cols = [*(_text_array(t) for t in texts), _text_array(_Texts.constant(len(rows), cb.key)),
            _text_array(_Texts.constant(len(rows), ctx.display)), np.asarray(rownums, dtype=np.int64),
            _text_array(row_mode), _text_array(_Texts(np.arange(len(rows)), sub_ids)),
            _text_array(meta_texts.get("_submitted_at", empty)), _text_array(meta_texts.get("_review_state", empty))]
    table = pd.DataFrame(dict(enumerate(cols)))
    table.columns = pd.Index([*names, *PROVENANCE])
    for m, col in zip(covs, cov_texts):
        table[m.header] = pd.Series(col.values(), dtype=object).astype(str).to_numpy()
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


# ---------------------------------------------------------------------------------------------- column by column

class _Reading(NamedTuple):
    """What reading one cell gives, independent of its row — the same for every cell of its group."""

    text: str
    """The canonical text."""
    fixes: tuple[tuple[str, str], ...]
    """The automatic fixes applied, as ``(column, fix)`` (:data:`analysis.ingest.notices.FIXES`), once per cell."""
    date: tuple[str, str] | None
    """``(ambiguous|unreadable, value as written)`` of a date answer that was not read, else None."""
    counts: tuple[tuple[str, str], ...]
    """Label-mapping tallies, once per cell: ``("lang", lang)``, ``("mapped", name)``, ``("unmapped", name)``."""
    notes: tuple[tuple[str, int, dict[str, Any]], ...]
    """Per-cell notices ``(kind, count, params)``, in the order they are raised (row and column added per cell)."""
    trace: str | None
    """The lost-letter trace of the text (:func:`analysis.ingest.encoding.lost_letters`), else None."""


class _Texts(NamedTuple):
    """A column's canonical texts as groups: cell ``i`` reads ``texts[codes[i]]``."""

    codes: np.ndarray
    texts: list[str]

    @classmethod
    def constant(cls, n: int, text: str) -> _Texts:
        """``n`` cells of the same ``text``."""
        return cls(np.zeros(n, dtype=np.int32), [text])

    def values(self) -> np.ndarray:
        """The texts cell by cell (an object array)."""
        return _objects(self.texts)[self.codes]


_TEXT_DTYPE = pd.Series(["x"], dtype=object).astype(str).dtype
"""The dtype of a text column of the canonical table: what ``astype(str)`` gives (pandas 3: ``str``, arrow)."""


def _text_array(col: _Texts) -> Any:
    """The column as the table's text dtype (:data:`_TEXT_DTYPE`), the same as ``astype(str)`` of its texts, built
    from its groups (one arrow ``take`` instead of converting every cell)."""
    if isinstance(_TEXT_DTYPE, pd.StringDtype) and _TEXT_DTYPE.storage == "pyarrow":
        return pd.array(pa.array(col.texts, type=pa.large_string()).take(pa.array(col.codes)), dtype=_TEXT_DTYPE)
    return pd.Series(col.values(), dtype=object).astype(str).array


_SAME_READING_TYPES = frozenset({str, int, float, bool, type(None), dt.date, dt.timedelta, np.int64, np.float64,
                                 np.bool_})
"""Exact types whose equal values read the same: their cells are grouped by type and value (``1``, ``1.0`` and
``True`` are equal but read differently: each type is its own group)."""


def _objects(values: Sequence[Any]) -> np.ndarray:
    """A 1-D object array of ``values`` (never a 2-D one, whatever the values are)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _constant(n: int, value: Any) -> np.ndarray:
    """An object array of ``n`` times ``value``."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def _groups(values: np.ndarray) -> tuple[np.ndarray, list[Any], bool]:
    """The cells of one column grouped so that every cell of a group reads the same.

    Returns the group of each cell (0, 1, … numbered in the order of their first cell), a representative
    value of each group (its first cell) and whether every cell is a text. Texts are grouped by equality (as
    a per-text memo would); cells of :data:`_SAME_READING_TYPES` by type and value; datetimes and times by
    their ISO text (and whether they carry a time zone); any other value (numpy datetimes, ``pd.NA``,
    ``pd.Timestamp`` …) is a group of its own, so nothing that might read differently is merged.
    """
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int32), [], True
    try:
        codes, uniques = pd.factorize(values)
    except TypeError:  # an unhashable cell: every cell its own group
        return _small(np.arange(n)), list(values), False
    if (codes >= 0).all() and all(map(isinstance, uniques, repeat(str))):
        return _small(codes), list(uniques), True
    # by value and exact type (a missing value — None, NaN, NaT — is value "-1" of its type)
    tcodes, types = pd.factorize(np.fromiter(map(type, values), dtype=object, count=n))
    key = (codes.astype(np.int64) + 1) * len(types) + tcodes
    same = np.fromiter((t in _SAME_READING_TYPES or issubclass(t, str) for t in types), dtype=bool,
                       count=len(types))
    other = ~same[tcodes]
    if other.any():
        base = (len(uniques) + 1) * len(types)
        seen: dict[Any, int] = {}
        for p in np.flatnonzero(other).tolist():
            v = values[p]
            if type(v) is dt.datetime:  # its reading depends on its ISO text and whether it has a time zone
                k: Any = ("datetime", v.isoformat(), v.tzinfo is None)
            elif type(v) is dt.time:
                k = ("time", v.isoformat())
            else:
                k = p
            g = seen.get(k)
            if g is None:
                g = seen[k] = base + len(seen)
            key[p] = g
    codes, order = pd.factorize(key)
    return _small(codes), values[_firsts(codes, len(order))].tolist(), False


def _small(codes: np.ndarray) -> np.ndarray:
    """Group numbers in 32 bits (half the memory of a column's cells at national scale)."""
    return codes.astype(np.int32) if len(codes) < 2**31 else codes


def _firsts(codes: np.ndarray, n_groups: int) -> np.ndarray:
    """The position of the first cell of each group (groups numbered in the order of their first cell)."""
    if n_groups == 0:
        return np.zeros(0, dtype=np.intp)
    new = np.empty(len(codes), dtype=bool)
    new[0] = True
    new[1:] = codes[1:] > np.maximum.accumulate(codes)[:-1]
    firsts = np.flatnonzero(new)
    if len(firsts) != n_groups:  # pragma: no cover - _groups numbers groups in order of appearance
        raise AssertionError("groups not numbered in the order of their first cell")
    return firsts


def _blank(v: Any) -> bool:
    """An empty cell: None or only whitespace."""
    return v is None or (isinstance(v, str) and not v.strip())


def _non_empty(rows: list[list[Any]]) -> list[int]:
    """Positions of the rows that hold a value (a row of empty cells only is skipped and counted)."""
    if not rows:
        return []
    width = min(map(len, rows))
    if width:
        first = np.fromiter(map(itemgetter(0), rows), dtype=object, count=len(rows))
    else:
        first = np.fromiter((row[0] if row else None for row in rows), dtype=object, count=len(rows))
    codes, reps, all_text = _groups(first)
    if all_text:  # a text is empty when nothing is left once stripped
        filled = np.fromiter(map(bool, map(str.strip, reps)), dtype=bool, count=len(reps))[codes]
    else:
        filled = ~np.fromiter(map(_blank, reps), dtype=bool, count=len(reps))[codes]
    for p in np.flatnonzero(~filled).tolist():  # the first cell is empty: look at the whole row
        filled[p] = not all(_blank(v) for v in rows[p])
    return np.flatnonzero(filled).tolist()


class _Columns:
    """The cells of the kept rows, column by column, each column grouped once (:func:`_groups`); only the groups
    are kept (a group's value is its first cell), not the cells."""

    def __init__(self, rows: list[list[Any]]) -> None:
        self.rows = rows
        self.width = min(map(len, rows)) if rows else 0
        self._cache: dict[int, tuple[np.ndarray, list[Any], bool]] = {}

    def groups(self, index: int) -> tuple[np.ndarray, list[Any], bool]:
        """The group of each cell of column ``index`` (None where a row is shorter), each group's value, and
        whether all are texts (:func:`_groups`)."""
        hit = self._cache.get(index)
        if hit is None:
            rows, n = self.rows, len(self.rows)
            if index < self.width:
                values = np.fromiter(map(itemgetter(index), rows), dtype=object, count=n)
            else:
                values = np.fromiter((row[index] if index < len(row) else None for row in rows), dtype=object,
                                     count=n)
            hit = self._cache[index] = _groups(values)
        return hit


class _Effects:
    """The tallies and per-cell notices of a file, gathered column by column and emitted as a read row by row,
    cell by cell (question order within a row) would emit them."""

    def __init__(self) -> None:
        self.fixes: dict[tuple[str, str], list[int]] = {}  # (column, fix) → [cells, first position]
        self.dates: dict[tuple[str, str], list[Any]] = {}  # (column, status) → [cells, first position, q, value]
        self.langs: dict[str, list[Any]] = {}  # lang → [cells, (first position, q, order in the cell)]
        self.mapped: Counter[str] = Counter()
        self.unmapped: Counter[str] = Counter()
        self.events: list[tuple[int, int, int, str, tuple[Any, ...]]] = []  # (position, q, order, column, what)

    def add(self, qi: int, name: str, codes: np.ndarray, texts: list[str],
            special: dict[int, _Reading]) -> _Texts:
        """Add the effects of one column (question ``qi``, ``name``) whose cells are in groups ``codes``; group
        ``g`` reads as ``texts[g]``, with the fixes, tallies, notices or trace of ``special[g]`` (a group without
        any is not in it). Returns the column's canonical texts."""
        if not texts:
            return _Texts.constant(len(codes), "")
        if special:
            counts = np.bincount(codes, minlength=len(texts))
            firsts = _firsts(codes, len(texts))
            eventful = []
            for g, r in special.items():
                k, f = int(counts[g]), int(firsts[g])
                for key in r.fixes:
                    acc = self.fixes.get(key)
                    if acc is None:
                        self.fixes[key] = [k, f]
                    else:
                        acc[0] += k
                        acc[1] = min(acc[1], f)
                if r.date is not None:
                    status, value = r.date
                    acc = self.dates.get((name, status))
                    if acc is None:
                        self.dates[(name, status)] = [k, f, qi, value]
                    else:
                        acc[0] += k
                        if f < acc[1]:
                            acc[1], acc[3] = f, value
                for sub, (counter, key) in enumerate(r.counts):
                    if counter == "lang":
                        acc = self.langs.get(key)
                        if acc is None:
                            self.langs[key] = [k, (f, qi, sub)]
                        else:
                            acc[0] += k
                            acc[1] = min(acc[1], (f, qi, sub))
                    else:
                        (self.mapped if counter == "mapped" else self.unmapped)[key] += k
                if r.notes or r.trace:
                    eventful.append(g)
            if eventful:
                for p in np.flatnonzero(np.isin(codes, eventful)).tolist():
                    r = special[int(codes[p])]
                    for sub, note in enumerate(r.notes):
                        self.events.append((p, qi, sub, name, ("note", *note)))
                    if r.trace:
                        self.events.append((p, qi, len(r.notes), name, ("lost", r.trace)))
        return _Texts(codes, texts)

    def emit(self, ctx: ReadContext, rownums: Sequence[int]) -> None:
        """The per-cell notices in row order, then question order (a lost-letter error stops at the first)."""
        for p, _qi, _sub, name, what in sorted(self.events, key=lambda e: e[:3]):
            if what[0] == "lost":
                _lost_letters(ctx, what[1], rownums[p], name)
            else:
                ctx.note(what[1], row=rownums[p], column=name, count=what[2], **what[3])

    def flush(self, ctx: ReadContext, rownums: Sequence[int], dayfirst: bool | None) -> None:
        """One notice per (column, fix) and per (column, date problem), as :class:`FixTally` and
        :class:`DateProblems` report a cell-by-cell read (dates in the order of their first cell)."""
        tally = FixTally()
        for key, (k, f) in self.fixes.items():
            tally.count[key] = k
            tally.first[key] = rownums[f]
        tally.flush(ctx)
        dates = DateProblems(dayfirst)
        for key, (k, f, _qi, value) in sorted(self.dates.items(), key=lambda kv: (kv[1][1], kv[1][2])):
            dates.problems[key] = [k, rownums[f], value]
        dates.flush(ctx)

    def value_langs(self) -> Counter[str]:
        """The answers' label languages counted, in the order a cell-by-cell read first met them."""
        return Counter({lang: k for lang, (k, _) in sorted(self.langs.items(), key=lambda kv: kv[1][1])})


def _plain_texts(columns: _Columns, m: ColumnMap, raw: RawTable, eff: _Effects | None) -> _Texts:
    """The texts of a meta or covariate column (no question type); its fixes added to ``eff`` (None: not
    reported)."""
    codes, reps, all_text = columns.groups(m.index)
    if all_text:
        texts, special = _text_readings(m.header, reps, with_traces=False)
    else:
        readings = []
        for v in reps:
            tally = FixTally()
            text = cell_to_text(v, None, m.header, 0, tally, raw)
            readings.append(_Reading(text, tuple(k for k, n in tally.count.items() for _ in range(n)), None, (), (),
                                     None))
        texts, special = _specials(readings)
    if eff is None:
        return _Texts(codes, texts) if texts else _Texts.constant(len(codes), "")
    return eff.add(-1, m.header, codes, texts, special)


def _text_readings(column: str, values: list[str], with_traces: bool) -> tuple[list[str], dict[int, _Reading]]:
    """The canonical texts of text cells ``values`` of ``column`` (no date, no select: only the text fixes of
    :func:`analysis.ingest.cells.normalise_text`), and the readings of those with a fix or (``with_traces``) a
    lost-letter trace, by position."""
    texts = values
    special: dict[int, _Reading] = {}
    clean = list(map(is_clean_text, values))  # no object per value: no garbage-collector passes over the rows
    if not all(clean):
        texts = list(values)
        for g in [g for g, ok in enumerate(clean) if not ok]:
            text, kinds = normalise_text(values[g])
            texts[g] = text
            if kinds:
                special[g] = _Reading(text, tuple((column, k) for k in kinds), None, (), (), None)
    # one search over all the texts (a trace cannot span the NUL between two) before looking at each
    if with_traces and lost_letters("\x00".join(texts)) is not None:
        for g, t in enumerate(texts):
            trace = lost_letters(t) if t else None
            if trace:
                r = special.get(g) or _Reading(t, (), None, (), (), None)
                special[g] = r._replace(trace=trace)
    return texts, special


def _specials(readings: list[_Reading]) -> tuple[list[str], dict[int, _Reading]]:
    """The texts of ``readings``, and those of them with any effect, by position (for :meth:`_Effects.add`)."""
    return [r.text for r in readings], {g: r for g, r in enumerate(readings)
                                        if r.fixes or r.date or r.counts or r.notes or r.trace}


def _multi_column(cb: Codebook, ctx: ReadContext, name: str, qi: int, m: ColumnMap | None,
                  split_cols: dict[str, ColumnMap], columns: _Columns, raw: RawTable, dayfirst: bool | None,
                  eff: _Effects) -> _Texts:
    """The canonical texts of select_multiple ``name``: its rows grouped by their summary and option cells
    together, each combination read once (:func:`_read_multi`)."""
    parts = ([m] if m is not None else []) + list(split_cols.values())
    n = len(columns.rows)
    if not parts or n == 0:
        return _Texts.constant(n, "")
    combined: np.ndarray | None = None
    for part in parts:
        codes, reps, _ = columns.groups(part.index)
        combined = codes if combined is None else _small(
            pd.factorize(combined.astype(np.int64) * len(reps) + codes)[0])
    assert combined is not None
    n_groups = int(combined.max()) + 1

    def cell(part: ColumnMap, f: int) -> Any:  # the cell of column ``part`` in row ``f`` (its group's value)
        codes, reps, _ = columns.groups(part.index)
        return reps[codes[f]]

    readings = []
    for f in _firsts(combined, n_groups).tolist():
        summary = cell(m, f) if m is not None else None
        options = {code: (sm.header, cell(sm, f)) for code, sm in split_cols.items()}
        readings.append(_read_multi(cb, ctx, name, m is not None, summary, options, raw, dayfirst))
    return eff.add(qi, name, combined, *_specials(readings))


def _read_values(cb: Codebook, ctx: ReadContext, name: str, qtype: str, values: list[Any], raw: RawTable,
                 dayfirst: bool | None) -> tuple[list[str], dict[int, _Reading]]:
    """The readings of the distinct values of question ``name`` (not select_multiple; :func:`_read_cell`), as
    their texts and, by position, the readings with an effect. An empty cell (None) reads as ``""`` and, in a
    question that is neither a date nor a select, a whole number (``int``) as its digits, with nothing to tally."""
    plain = qtype not in ("date", "select_one")
    texts: list[str] = []
    special: dict[int, _Reading] = {}
    for g, v in enumerate(values):
        if v is None:
            texts.append("")
        elif plain and type(v) is int:
            texts.append(str(v))
        else:
            r = _read_cell(cb, ctx, name, qtype, v, raw, dayfirst)
            texts.append(r.text)
            if r.fixes or r.date or r.counts or r.trace:
                special[g] = r
    return texts, special


class _CellFixes(FixTally):
    """The automatic fixes of one cell, as ``(column, fix)`` in the order applied (what :func:`cell_to_text`
    tallies for a single cell; nothing to count or flush)."""

    def __init__(self) -> None:  # no counters: one cell
        self.fixes: list[tuple[str, str]] = []

    def add(self, column: str, kind: str, row: int) -> None:
        self.fixes.append((column, kind))


class _CellDate(DateProblems):
    """The date problem of one cell (``(status, value)``), under the file's day-first rule."""

    def __init__(self, dayfirst: bool | None) -> None:  # no table of problems: one cell
        self.dayfirst = dayfirst
        self.problem: tuple[str, str] | None = None

    def add(self, column: str, status: str, row: int, value: str) -> None:
        if self.problem is None:
            self.problem = (status, value)


def _read_cell(cb: Codebook, ctx: ReadContext, name: str, qtype: str, value: Any, raw: RawTable,
               dayfirst: bool | None) -> _Reading:
    """What reading one cell of question ``name`` (not select_multiple) gives, independent of its row: the
    canonical text, the automatic fixes applied, the date problem (``ambiguous``/``unreadable``) if any, the
    tallies of label mapping (``("lang", lang)``, ``("mapped", name)``, ``("unmapped", name)``) and the
    lost-letter trace. :func:`build_canonical` reads each distinct value of a column once."""
    if isinstance(value, str) and qtype not in ("date", "select_one"):  # a text answer: only the text fixes
        text, kinds = normalise_text(value)
        return _Reading(text, tuple((name, k) for k in kinds), None, (), (), lost_letters(text) if text else None)
    fixes = _CellFixes()
    date = _CellDate(dayfirst)
    text = cell_to_text(value, qtype, name, 0, fixes, raw, ctx.serial_text_dates, date)
    counts: tuple[tuple[str, str], ...] = ()
    if qtype == "select_one" and text:
        langs: Counter[str] = Counter()
        mapped: Counter[str] = Counter()
        unmapped: Counter[str] = Counter()
        text = _map_select_one(cb, ctx, name, text, langs, mapped, unmapped)
        counts = tuple(("lang", k) for k, n in langs.items() for _ in range(n)) + tuple(
            ("mapped", k) for k, n in mapped.items() for _ in range(n)) + tuple(
            ("unmapped", k) for k, n in unmapped.items() for _ in range(n))
    return _Reading(text, tuple(fixes.fixes), date.problem, counts, (), lost_letters(text) if text else None)


def _read_multi(cb: Codebook, ctx: ReadContext, name: str, has_summary: bool, summary: Any,
                options: dict[str, tuple[str, Any]], raw: RawTable, dayfirst: bool | None) -> _Reading:
    """What reading one row's select_multiple ``name`` gives: its summary cell (if the file has the column)
    and its option cells ``code → (header, value)`` to space-separated codes, with their fixes, tallies,
    per-cell notices and lost-letter trace (see :func:`_map_select_multiple`)."""
    tally = FixTally()
    dates = DateProblems(dayfirst)
    text = cell_to_text(summary, "select_multiple", name, 0, tally, raw, ctx.serial_text_dates, dates) \
        if has_summary else ""
    marks = {code: cell_to_text(v, None, header, 0, tally, raw) for code, (header, v) in options.items()}
    notes: list[tuple[str, int, dict[str, Any]]] = []
    langs: Counter[str] = Counter()
    mapped: Counter[str] = Counter()
    unmapped: Counter[str] = Counter()
    text = _map_select_multiple(cb, ctx, name, text, has_summary, marks, notes, langs, mapped, unmapped)
    counts = tuple(("unmapped", k) for k, n in unmapped.items() for _ in range(n)) + tuple(
        ("mapped", k) for k, n in mapped.items() for _ in range(n)) + tuple(
        ("lang", k) for k, n in langs.items() for _ in range(n))
    fixes = tuple(key for key, n in tally.count.items() for _ in range(n))
    problem = next(((status, rec[2]) for (_, status), rec in dates.problems.items()), None)
    return _Reading(text, fixes, problem, counts, tuple(notes), lost_letters(text) if text else None)


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
                         marks: dict[str, str], notes: list[tuple[str, int, dict[str, Any]]],
                         value_langs: Counter[str], mapped: Counter[str], unmapped: Counter[str]) -> str:
    """One row's select_multiple: the summary ``text`` (codes or labels) checked against the option cells'
    texts ``marks`` (code → text; the summary wins, a disagreement is a notice); the notices of the cell are
    appended to ``notes`` as ``(kind, count, params)``."""
    on, odd = _split_selected(marks, ticks=ctx.platform == "entry")
    if odd:
        notes.append(("multi_odd_values", len(odd), {"question": name, "values": ", ".join(odd)}))
    if not has_summary:
        if not marks:
            return ""
        order = {c: i for i, c in enumerate(cb.codes.get(name, []))}
        return " ".join(sorted(on, key=lambda c: order.get(c, len(order))))
    if not text:
        if on:
            notes.append(("multi_summary_empty", 1, {"codes": " ".join(on)}))
        return ""
    if ctx.value_mapper is not None:
        v = ctx.value_mapper(name, text)
        if v is not None and all(c in cb.codes.get(name, []) for c in v.split()):
            text = v
    readings, langs = cb.multi_to_codes(name, text)
    if len(readings) > 1 and marks:
        agree = [r for r in readings if set(r) == set(on)]
        readings = agree[:1] or readings
    if len(readings) != 1:
        unmapped[name] += 1
        if len(readings) > 1:
            notes.append(("multi_ambiguous", 1, {"value": text}))
        return text
    codes = readings[0]
    if langs:
        mapped[name] += 1
        value_langs.update(langs)
    if marks and set(codes) != set(on):
        notes.append(("multi_disagree", 1, {"codes": " ".join(codes), "marked": " ".join(on) or "none marked"}))
    return " ".join(codes)

"""Reading the exports column by column gives exactly what reading them row by row, cell by cell gave.

:func:`analysis.ingest.canonical.build_canonical` reads each column's distinct values once and adds their tallies
in bulk. The reference is the row-by-row implementation it replaced (issue 14), kept below **only as this test's
reference** (``row_by_row_build_canonical``, verbatim but for its name). Both are run on the committed demo
inputs (every input of ``cohorts/demo-2025.yaml``), the legacy Trento cohort, the ingest fixtures, the whole
bad-input corpus, a generated large cohort and seeded random raw tables of every cell type (text, numbers,
booleans, Excel dates, numpy scalars, ``pd.NA``, empty and short rows, rows out of order, lost letters,
select_multiple option columns, the entry workbook's mode column, covariates). The results must be identical:
the canonical table (exact, same dtypes and column order), every notice in the same order with the same fields
(file, row and its type, column, message, kind, level, count, parameters), ``info`` — or the same error.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import yaml

import analysis.ingest as ingest
from analysis.core.i18n import LANG_NAMES, LANGS, messages
from analysis.core.vocabulary import MODES
from analysis.ingest import canonical, codebook, read_input
from analysis.ingest.cells import DateProblems, FixTally, cell_to_text, norm_key
from analysis.ingest.context import PROVENANCE, IngestResult, RawTable, ReadContext
from analysis.ingest.dates import decide_order
from analysis.ingest.encoding import lost_letters
from analysis.ingest.headers import ColumnMap, check_columns, map_headers, suggest_question
from analysis.ingest.labels import Codebook
from analysis.ingest.workbook import _entry_mapper

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "bad_inputs"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------ comparing old and new

def _outcome(call: Callable[[], IngestResult]) -> tuple[str, Any]:
    try:
        return "ok", call()
    except Exception as exc:  # the same error, one line, is part of "the same result"
        return "error", (type(exc), str(exc))


def _notices(res: IngestResult) -> list[tuple[Any, ...]]:
    return [(n.file, n.row, type(n.row), n.column, n.problem, n.kind, n.level, n.count, type(n.count), n.params,
             list(n.params)) for n in res.warnings]


def _assert_same(old: tuple[str, Any], new: tuple[str, Any]) -> None:
    assert old[0] == new[0], (old, new)
    if old[0] == "error":
        assert old[1] == new[1]
        return
    a, b = old[1], new[1]
    assert list(a.table.columns) == list(b.table.columns)
    assert list(a.table.dtypes) == list(b.table.dtypes)
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)
    for c in a.table.columns:  # the same storage too (arrow string type of a text column)
        x, y = a.table[c].array, b.table[c].array
        assert type(x) is type(y)
        assert str(getattr(x, "_pa_array", pa.array([])).type) == str(getattr(y, "_pa_array", pa.array([])).type)
    assert _notices(a) == _notices(b)
    assert a.info == b.info


def _both_reads(call: Callable[[], IngestResult]) -> tuple[tuple[str, Any], tuple[str, Any]]:
    """``call`` (a :func:`read_input`) with the row-by-row reference, then with the column-wise reading."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ingest, "build_canonical", row_by_row_build_canonical)
        old = _outcome(call)
    return old, _outcome(call)


def _same_read(call: Callable[[], IngestResult]) -> IngestResult | tuple[Any, str]:
    old, new = _both_reads(call)
    _assert_same(old, new)
    return new[1]


# ------------------------------------------------------------------------------------------ the committed inputs

def _cohort_reads(cohort: str) -> list[tuple[str, Callable[[], IngestResult]]]:
    from analysis.core.config import load_config

    cfg = load_config(cohort, ROOT)
    raw = cfg.paths.raw
    out = []
    for item in cfg.inputs:
        mapping = (raw / item.mapping) if item.mapping else None
        out.append((item.path, lambda item=item, mapping=mapping: read_input(
            raw / item.path, item.instrument, item.format, mapping=mapping, base_dir=raw, **item.read_options())))
    return out


def test_every_demo_input_reads_the_same():
    reads = _cohort_reads("demo-2025")
    assert len(reads) == 6
    rows = {}
    for path, call in reads:
        res = _same_read(call)
        rows[path] = len(res.table)
    assert rows["registry.xlsx"] > 0 and all(n > 0 for n in rows.values())


def test_the_legacy_trento_cohort_reads_the_same():
    (path, call), = _cohort_reads("trento-2013")
    res = _same_read(call)
    assert len(res.table) == 3282 and res.table["ilo_worked"].value_counts().to_dict() == {"yes": 2854, "no": 428}


@pytest.mark.parametrize(("name", "fmt"), [("phase2_kobo_xml.csv", "kobo_csv"), ("phase2_odk.csv", "odk_csv")])
def test_the_ingest_fixtures_read_the_same(name, fmt):
    res = _same_read(lambda: read_input(ROOT / "tests" / "fixtures" / "ingest" / name, "phase2", fmt, mode="online"))
    assert len(res.table) > 0


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c['file']}" for i, c in enumerate(CASES)])
def test_every_bad_input_reads_or_fails_the_same(case):
    old, new = _both_reads(lambda: read_input(case["file"], case["instrument"], case["format"],
                                              base_dir=CORPUS / "files", **case["options"]))
    _assert_same(old, new)
    if "error" in case["expected"]:  # the documented error, not some other one
        if new[0] == "error":
            assert case["expected"]["error"] in new[1][1]


@pytest.fixture(scope="module")
def large_cohort(tmp_path_factory) -> Path:
    from analysis.demo.large import generate_large

    out = tmp_path_factory.mktemp("large")
    generate_large(out, seed=1, n_graduates=3000, pool=800)  # donors drawn one by one: the cost
    return out


@pytest.mark.slow
def test_a_generated_large_cohort_reads_the_same(large_cohort):
    from analysis.demo.large import LARGE_FILES

    n = 0
    for item in LARGE_FILES:
        res = _same_read(lambda item=item: read_input(large_cohort / item["path"], item["instrument"],
                                                      item["format"], mode=item.get("mode"), base_dir=large_cohort))
        n += len(res.table)
    assert n > 6000


# ------------------------------------------------------------------------------------------ a hand-made file

def _ctx(cb: Codebook, **kw: Any) -> ReadContext:
    kw.setdefault("platform", "kobo")
    return ReadContext(path=Path("hand.xlsx"), display="hand.xlsx", instrument_key=cb.key, fmt="kobo_xlsx", **kw)


def _both_builds(raw: RawTable, cb: Codebook, **kw: Any) -> tuple[tuple[str, Any], tuple[str, Any]]:
    old = _outcome(lambda: row_by_row_build_canonical(copy.deepcopy(raw), cb, _ctx(cb, **kw)))
    new = _outcome(lambda: canonical.build_canonical(copy.deepcopy(raw), cb, _ctx(cb, **kw)))
    return old, new


HAND = RawTable(
    header=["student_id", "consent", "survey_date", "search_channels", "search_channels/internet",
            "search_channels/relatives", "hours", "_uuid"],
    rows=[
        ["  S1", "Ооба", "03/04/2025", "internet", "1", "0", 40, "u1"],
        [None, "  ", None, None, None, None, None, None],
        ["S2", "yes", "25/03/2025", "internet relatives", "1", "0", 40.0, None],
        ["S1  x", "да", 45000, "", "1", "2", "40", "u3"],
        ["S4", "yes", "03/04/2025", "internet", 1.0, 0, True, "u4"],
    ],
    row_numbers=[2, 3, 4, 5, 6],
)


def test_a_hand_made_file_gives_the_documented_notices_in_row_order():
    cb = codebook("phase2")
    old, new = _both_builds(HAND, cb, mode="online")
    _assert_same(old, new)
    res = new[1]
    t = res.table
    assert t["student_id"].tolist() == ["S1", "S2", "S1 x", "S4"]
    assert t["consent"].tolist() == ["yes", "yes", "yes", "yes"]
    assert t["survey_date"].tolist() == ["2025-04-03", "2025-03-25", "2023-03-15", "2025-04-03"]
    assert t["search_channels"].tolist() == ["internet", "internet relatives", "", "internet"]
    assert t["hours"].tolist() == ["40", "40", "40", "True"]  # a boolean cell is written as Python does
    assert t["_source_row"].tolist() == [2, 4, 5, 6] and t["_submission_id"].tolist() == ["u1", "hand.xlsx:4", "u3",
                                                                                            "u4"]
    got = [(n.kind, n.row, n.column, n.count, n.params.get("fix")) for n in res.warnings]
    per_cell = [g for g in got if g[0].startswith("multi_")]
    # row 4 disagrees, row 5 has an odd mark then an empty summary: in row order, each cell's own order
    assert per_cell == [("multi_disagree", 4, "search_channels", 1, None),
                        ("multi_odd_values", 5, "search_channels", 1, None),
                        ("multi_summary_empty", 5, "search_channels", 1, None)]
    fixes = [g for g in got if g[0] == "cell_fix"]
    # one notice per (column, fix), first row = the first row in file order, sorted by (first row, column, fix)
    assert fixes == [("cell_fix", 2, "student_id", 1, "strip"), ("cell_fix", 2, "survey_date", 3, "dayfirst"),
                     ("cell_fix", 4, "hours", 1, "whole_number"), ("cell_fix", 5, "student_id", 1, "collapse"),
                     ("cell_fix", 5, "survey_date", 1, "excel_serial"),
                     ("cell_fix", 6, "search_channels/internet", 1, "whole_number")]
    assert ("empty_rows", None, None, 1, None) in got
    assert ("labels_to_codes", None, "consent", 2, None) in got


def test_a_lost_letter_stops_at_the_first_cell_in_row_then_question_order():
    cb = codebook("phase2")
    raw = RawTable(header=["student_id", "consent", "job_title"],
                   rows=[["S1", "yes", "ok"], ["S2", "yes", "ме?ин"], ["S?н", "yes", "ѕ"]], row_numbers=[2, 3, 4])
    old, new = _both_builds(raw, cb)
    _assert_same(old, new)
    assert new[0] == "error" and "row 3" in new[1][1] and "job_title" in new[1][1]
    old, new = _both_builds(raw, cb, allow_lost_letters=True)
    _assert_same(old, new)
    lost = [(n.row, n.column) for n in new[1].warnings if n.kind == "lost_letters"]
    assert lost == [(3, "job_title"), (4, "student_id"), (4, "job_title")]


# ------------------------------------------------------------------------------------------ seeded random files

_TEXTS = ["Ali", " Ali ", "Ali  Valiev", "A\tB", "Бакыт", "Бакыт ", "е\u0308ж", "x", "", "  ", "?", "ok?",
          "S-1", "S-2", "S-3", "Сүйүнбаев"]
_LOST = ["ме?ин", "?рөө", "ѕөз", "тоЇ"]
_ODD = [None, None, 5, 5.0, 2.5, 0.0, -0.0, True, False, np.int64(7), np.float64(3.0), float("nan"), pd.NA, pd.NaT,
        dt.datetime(2024, 1, 2), dt.datetime(2024, 1, 2, 13, 5), dt.datetime(2024, 1, 2, tzinfo=dt.UTC),
        dt.date(2024, 3, 4), dt.time(1, 2), dt.timedelta(days=1), pd.Timestamp("2024-05-06"), 1, 1.0, "1",
        # equal instants written differently, equal values of other types: never one reading for all
        dt.datetime(2024, 1, 2, 6, tzinfo=dt.timezone(dt.timedelta(hours=6))), pd.Timestamp("2024-01-02"),
        dt.datetime(2024, 1, 2, 0, 0, 0, 1), dt.time(1, 2, tzinfo=dt.UTC), np.bool_(True), np.str_("Ali"),
        np.float64("nan"), np.int32(5), np.datetime64("NaT"), dt.datetime(2024, 1, 2, fold=1)]
_DATES = ["2025-03-04", "04.03.2025", "03/04/2025", "2025/03/04", "45000", " 2025-03-04 ", "2025-03-04 14:30",
          "31.02.2025", "soon", "12", 45000, 45000.0, 45000.5, 12, np.int64(45001), dt.datetime(2025, 1, 1),
          dt.datetime(2025, 1, 1, 10, 0), dt.date(2025, 2, 2), None, ""]
_DAY, _MONTH = ["25/03/2025", "31/01/2024"], ["03/25/2025", "01/31/2024"]
_MARKS = ["1", "0", "", "TRUE", "false", 1, 0, 1.0, True, False, None, "x", "✓", "да", "2", " 1 ", np.int64(1)]
_MODES = ["paper", "phone", "Paper", " phone ", "online", "bogus", "", None, "phone – Телефон", "Кагаз"]


def _select_one_pool(cb: Codebook, name: str) -> list[Any]:
    codes = cb.codes[name]
    labels = list(cb.choice_keys.get(name, {}))
    return [*codes, *labels[:6], codes[0].upper(), f" {codes[-1]} ", "unknown", 1, 1.0, True, None, ""]


def _multi_pool(cb: Codebook, name: str, rng: np.random.Generator) -> list[Any]:
    codes = cb.codes[name]
    labels = list(cb.choice_keys.get(name, {}))
    out: list[Any] = ["", None, "garbage", 1, " ".join(codes[:2]), codes[0], f"{codes[1]}  {codes[0]}",
                      labels[0] if labels else "", " ".join(labels[:2])]
    for _ in range(6):
        k = int(rng.integers(1, 4))
        out.append(" ".join(rng.choice(codes, size=k, replace=False).tolist()))
    return out


def _random_raw(cb: Codebook, seed: int, entry: bool, lost: bool, covariate: bool) -> RawTable:
    rng = np.random.default_rng(seed)
    pick = lambda pool: pool[int(rng.integers(len(pool)))]  # noqa: E731
    dates = _DATES + (_DAY if seed % 3 else []) + (_MONTH if seed % 4 == 0 else [])
    texts = _TEXTS + (_LOST if lost else [])
    columns: list[tuple[str, Callable[[], Any]]] = [
        ("student_id", lambda: pick(texts + _ODD[:8] + [f"ID{int(rng.integers(40))}"] * 6)),
        ("consent", lambda: pick(_select_one_pool(cb, "consent"))),
        ("survey_date", lambda: pick(dates)),
        ("main_activity", lambda: pick(_select_one_pool(cb, "main_activity") + _ODD[:6])),
        ("hours", lambda: pick(["12", " 12", "12.0", 12, 12.0, 12.5, "abc", None, "", True, np.int64(3)])),
        ("job_title", lambda: pick(texts + _ODD)),
        ("first_job_date", lambda: pick(dates + _ODD[:6])),
        ("search_channels", lambda: pick(multi)),
    ]
    multi = _multi_pool(cb, "search_channels", rng)
    for code in cb.codes["search_channels"][:4]:
        columns.append((f"search_channels/{code}", lambda: pick(_MARKS)))
    for code in cb.codes["mismatch_reason"][:3]:  # options without their summary column
        columns.append((f"mismatch_reason/{code}", lambda: pick(_MARKS)))
    columns.append(("mismatch_reason/not_a_code", lambda: pick(_MARKS)))
    columns.append(("_uuid", lambda: pick([None, "", "u1", "u2", f"u{int(rng.integers(1000))}", 7])))
    columns.append(("meta/instanceID", lambda: pick([None, "", "uuid:a", "uuid:b"])))
    columns.append(("_submission_time", lambda: pick([None, "2025-06-01T10:00:00", dt.datetime(2025, 6, 1, 10)])))
    columns.append(("extra_notes", lambda: pick([None, None, "zzz", " "])))
    if entry:
        columns.append(("mode", lambda: pick(_MODES)))
    if covariate:
        columns.append(("x_score", lambda: pick(["81,5", " 70 ", 70, 70.0, None, "", "Жакшы"])))
    header = [h for h, _ in columns]
    rows: list[list[Any]] = []
    for _ in range(int(rng.integers(20, 90))):
        u = rng.random()
        if u < 0.06:
            rows.append([pick([None, "", "  ", "\t"]) for _ in header])  # an empty row
        elif u < 0.09:
            rows.append([])
        else:
            row = [draw() for _, draw in columns]
            if u < 0.16:  # a short row: the rest of its cells are missing
                row = row[:int(rng.integers(1, len(row)))]
            rows.append(row)
    numbers = list(range(2, len(rows) + 2))
    if seed % 5 == 0:  # rows not in spreadsheet order (e.g. several sheets or a reader's own order)
        numbers = rng.permutation(numbers).tolist()
    return RawTable(header=header, rows=rows, row_numbers=[int(r) for r in numbers])


@pytest.mark.parametrize("seed", range(40))
def test_random_files_of_every_cell_type_read_the_same(seed):
    cb = codebook("phase2")
    entry = seed % 2 == 1
    raw = _random_raw(cb, seed, entry=entry, lost=seed % 7 != 3, covariate=seed % 3 == 0)
    kw: dict[str, Any] = {"allow_lost_letters": seed % 6 != 0, "dayfirst": (None, True, False)[seed % 3 if seed % 4
                                                                                               else 0],
                          "mode": "phone" if seed % 4 == 1 else None}
    if entry:
        kw.update(platform="entry", value_mapper=_entry_mapper(cb))
    if seed % 3 == 0:
        kw["covariates"] = {"x_score": {"type": "numeric"}}
    old, new = _both_builds(raw, cb, **kw)
    _assert_same(old, new)
    if new[0] == "ok":  # the seeds do exercise what they are for
        kinds = Counter(n.kind for n in new[1].warnings)
        assert kinds["cell_fix"] >= 3 and len(new[1].table) > 0


def test_the_random_files_cover_the_per_cell_notices():
    """The seeds above, between them, raise every per-cell notice and both kinds of date problem."""
    cb = codebook("phase2")
    seen: Counter[str] = Counter()
    for seed in range(40):
        entry = seed % 2 == 1
        raw = _random_raw(cb, seed, entry=entry, lost=seed % 7 != 3, covariate=seed % 3 == 0)
        kw: dict[str, Any] = {"allow_lost_letters": True}
        if entry:
            kw.update(platform="entry", value_mapper=_entry_mapper(cb))
        kind, res = _outcome(lambda raw=raw, kw=kw: canonical.build_canonical(copy.deepcopy(raw), cb, _ctx(cb, **kw)))
        if kind == "ok":
            seen.update(n.kind for n in res.warnings)
    for k in ("lost_letters", "multi_odd_values", "multi_summary_empty", "multi_disagree", "date_ambiguous",
              "date_unreadable", "bad_mode", "empty_rows", "labels_to_codes", "unmapped_answers", "cell_fix"):
        assert seen[k] > 0, k


# ------------------------------------------------------------------------------------------ the reference
# The row-by-row build_canonical as it was before the column-wise reading (verbatim but for its name). Only this
# test uses it: it is the reference the column-wise reading must reproduce exactly.

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


def row_by_row_build_canonical(raw: RawTable, cb: Codebook, ctx: ReadContext,
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

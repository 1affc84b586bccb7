"""What every reader shares: notices, cell normalisation, header and label mapping, the canonical table.

A reader's only job is to turn its file into a :class:`RawTable` (header cells, data rows, the
spreadsheet row number of each data row). :func:`build_canonical` then applies the one set of rules
of the canonical table contract (``docs/architecture.md``):

* headers → XLSForm question names: exact name, group path stripped (Kobo ``grp/sub/q``, ODK
  ``grp-sub-q``), name ignoring case, or a question label in any form language (Kobo "Labels"
  export, registrar's headers); ``q/choice`` split columns of select_multiple questions;
  platform meta columns → provenance; anything else is reported and dropped;
* cells → text, with the only automatic fixes (each logged as a notice): surrounding whitespace
  stripped, internal runs of spaces/tabs collapsed to one space, Unicode NFC; Excel numbers without
  a trailing ``.0`` for whole numbers; Excel dates (and, for date questions, Excel date serials)
  as ISO ``YYYY-MM-DD``;
* select answers given as labels (ky, ru, en) → codes through the codebook; anything that matches
  nothing is kept verbatim for validation to report;
* select_multiple: one column of space-separated codes; the per-option ``q/choice`` columns are
  cross-checked against it (the summary wins; a disagreement is a warning).
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.i18n import LANGS, messages
from analysis.errors import InputError
from analysis.ingest.dates import decide_order, read_date
from analysis.ingest.encoding import lost_letters
from analysis.ingest.notices import KINDS, render
from analysis.instruments.xlsform import normalise_label

LANG_NAMES = {"ky": "Kyrgyz (ky)", "ru": "Russian (ru)", "en": "English (en)"}
INSTRUMENTS: tuple[str, ...] = ("registry", "phase1", "phase2", "employer")
MODES: tuple[str, ...] = ("online", "phone", "paper")

PROVENANCE: tuple[str, ...] = (
    "_instrument", "_source_file", "_source_row", "_mode", "_submission_id", "_submitted_at",
    "_review_state",
)
"""Provenance columns of every canonical table (``_source_row`` is an integer, the others text)."""

# Platform meta columns → provenance target (None: known meta, not kept).
KOBO_META: dict[str, str | None] = {
    "_id": None, "_uuid": "_submission_id", "_submission_time": "_submitted_at",
    "_validation_status": "_review_state", "_notes": None, "_status": None, "_submitted_by": None,
    "_tags": None, "_index": None, "start": None, "end": None, "today": None,
    "meta/instanceID": "_instance_id", "formhub/uuid": None, "__version__": None,
    "_attachments": None, "_geolocation": None, "_xform_id_string": None, "deviceid": None,
    "username": None, "phonenumber": None, "simserial": None, "subscriberid": None, "audit": None,
    "meta/instanceName": None, "meta/deprecatedID": None, "meta/rootUuid": None,
}
ODK_META: dict[str, str | None] = {
    "SubmissionDate": "_submitted_at", "meta-instanceID": "_instance_id", "KEY": "_submission_id",
    "SubmitterID": None, "SubmitterName": None, "AttachmentsPresent": None,
    "AttachmentsExpected": None, "Status": None, "ReviewState": "_review_state", "DeviceID": None,
    "Edits": None, "FormVersion": None, "start": None, "end": None, "today": None, "deviceid": None,
    "meta-instanceName": None, "meta-deprecatedID": None, "instanceID": "_instance_id",
}
ALL_META: dict[str, str | None] = {**ODK_META, **KOBO_META}
ENTRY_META: dict[str, str | None] = {"mode": "_row_mode", "entered_by": None}
"""Extra columns of the data-entry workbook: the row's collection mode, and who keyed it in."""
TICKS = frozenset({"1", "true", "x", "✓", "✔", "yes", "ооба", "да"})
"""Marks read as "ticked" in the option columns of the data-entry workbook (its documented convention)."""

# Plausible Excel date serials for date questions: 1930-01-01 … 2099-12-31 (1900 date system).
SERIAL_MIN, SERIAL_MAX = 10959, 73415
_EXCEL_EPOCH_1900 = dt.date(1899, 12, 30)
_EXCEL_EPOCH_1904 = dt.date(1904, 1, 1)
_SPACES = re.compile(r"[ \t]{2,}|\t")
_DIGITS = re.compile(r"^[0-9]+$")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Notice:
    """One thing a reader did or found, for the person who checks the file (not an error).

    ``problem`` is the English message; :meth:`message` and :meth:`suggestion` give it in ky/ru/en
    from the notice's ``kind`` (:data:`analysis.ingest.notices.KINDS`). ``level`` is ``info``,
    ``warning`` or ``error`` (the run stops); ``count`` is the number of answers or rows affected.
    """

    file: str
    row: int | None
    column: str | None
    problem: str
    kind: str = "note"
    level: str = "info"
    count: int | None = None
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def message(self, lang: str = "en") -> str:
        """The message in ``lang`` (ky, ru, en)."""
        if self.kind == "note":
            return self.problem
        return render(self.kind, lang, self.params)

    def suggestion(self, lang: str = "en") -> str:
        """What to do about it in ``lang`` (``""`` when nothing needs doing)."""
        return render(self.kind, lang, self.params, suggestion=True)

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        sug = self.suggestion("en")
        return f"{where}: {self.problem}" + (f" — {sug}" if sug else "")


@dataclass
class IngestResult:
    """The output of :func:`analysis.ingest.read_input`.

    ``table`` is the canonical table (question columns as text, then provenance columns);
    ``warnings`` lists every automatic fix and every problem found; ``info`` describes the file
    (``format``, ``delimiter``, ``encoding``, ``bom``, ``n_rows``, ``header`` (the file's header
    cells), ``export_style`` (``xml`` names / ``labels`` / ``mixed``), ``labels_language``,
    ``columns_mapped``, ``columns_dropped``, ``questions_absent``).
    """

    table: pd.DataFrame
    warnings: list[Notice] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class RawTable:
    """What a reader produces: header cells, data rows (raw cell values), spreadsheet row numbers."""

    header: list[Any]
    rows: list[list[Any]]
    row_numbers: list[int]
    header_row: int = 1
    date1904: bool = False


@dataclass
class ReadContext:
    """Options of one read, shared by the readers and :func:`build_canonical`."""

    path: Path
    display: str
    """The file name used in messages and in ``_source_file`` (relative to the cohort folder)."""
    instrument_key: str
    fmt: str
    mode: str | None = None
    allow_lost_letters: bool = False
    platform: str = "generic"
    """``kobo``, ``odk`` or ``generic``: which meta columns and group separator to expect."""
    serial_text_dates: bool = False
    """Kept for the readers that set it; every format now reads a 5-digit text in a date question as an
    Excel date serial (:func:`analysis.ingest.dates.read_date`)."""
    value_mapper: Callable[[str, str], str | None] | None = None
    """Optional extra mapping of a select answer to a code (the entry workbook's own rule)."""
    notices: list[Notice] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    dayfirst: bool | None = None
    """The file's day-first rule for ``/`` dates (None: decided by what the file shows)."""
    renames: dict[str, str | None] = field(default_factory=dict)
    """Header of the file → question name (None: drop on purpose), from the cohort file's ``renames``."""
    not_asked: tuple[str, ...] = ()
    """Questions this file's survey never asked (cohort file or legacy mapping ``not_asked``)."""
    covariates: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Extra columns carried as ``x_<name>`` (legacy mapping ``covariates``): name → spec."""
    generated: tuple[str, ...] = ()
    """Question columns whose values the reader generated (the legacy mapping's ``row_id``)."""

    def note(self, kind: str, row: int | None = None, column: str | None = None, count: int | None = None,
             level: str | None = None, **params: Any) -> Notice:
        """Record a notice of ``kind`` (:data:`analysis.ingest.notices.KINDS`) with its placeholders.

        A ``kind`` that is not a known kind is taken as an English text (kind ``note``).
        """
        if kind not in KINDS:
            params = {"text": kind}
            kind = "note"
        n = Notice(self.display, row, column, render(kind, "en", params), kind,
                   level or KINDS[kind].level, count, dict(params))
        self.notices.append(n)
        return n

    def error(self, problem: str, row: int | None = None, column: str | None = None,
              fix: str | None = None) -> InputError:
        return InputError(self.display, problem, row=row, column=column, fix=fix)


class _Tally:
    """Counts automatic fixes per (column, kind) and emits one notice per pair."""

    def __init__(self) -> None:
        self.count: Counter[tuple[str, str]] = Counter()
        self.first: dict[tuple[str, str], int] = {}

    def add(self, column: str, kind: str, row: int) -> None:
        key = (column, kind)
        self.count[key] += 1
        self.first.setdefault(key, row)

    def flush(self, ctx: ReadContext) -> None:
        for (column, kind), n in sorted(self.count.items(), key=lambda kv: (self.first[kv[0]], kv[0])):
            first = self.first[(column, kind)]
            ctx.note("cell_fix", row=first, column=column, count=n, fix=kind, n=n, first=first)


# --------------------------------------------------------------------------- cells


def norm_key(text: str) -> str:
    """Key for matching labels and names — the codebook's own :func:`analysis.instruments.xlsform.normalise_label`
    (NFC, casefolded, whitespace runs → one space, dashes and no-break spaces unified)."""
    return normalise_label(text)


def normalise_text(text: str) -> tuple[str, list[str]]:
    """Apply the automatic text fixes; return the text and the keys of the fixes applied
    (``nfc``, ``strip``, ``collapse``: :data:`analysis.ingest.notices.FIXES`).

    Fixes (and nothing else): Unicode NFC (UAX #15); surrounding whitespace stripped; internal
    runs of spaces/tabs collapsed to one space (line breaks inside open answers are kept).
    """
    if (not text or not (text[0].isspace() or text[-1].isspace())) and "  " not in text and "\t" not in text \
            and (text.isascii() or unicodedata.is_normalized("NFC", text)):
        return text, []
    fixes = []
    out = unicodedata.normalize("NFC", text)
    if out != text:
        fixes.append("nfc")
    stripped = out.strip()
    if stripped != out:
        fixes.append("strip")
    collapsed = _SPACES.sub(" ", stripped)
    if collapsed != stripped:
        fixes.append("collapse")
    return collapsed, fixes


def format_number(value: float | int) -> str:
    """Write a number as text: whole numbers without ``.0``, others in plain positional notation."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if float(value).is_integer() and abs(value) < 1e18:
        return str(int(value))

    return np.format_float_positional(float(value), trim="-")


def excel_serial_to_iso(serial: float, date1904: bool = False) -> str | None:
    """ISO date of an Excel serial day number (1900 or 1904 date system), or None if implausible.

    Only whole serials between 1930-01-01 and 2099-12-31 are accepted (ECMA-376 Part 1, §18.17.4.1):
    anything else is more likely a number typed into a date question than a date.
    """
    if not float(serial).is_integer():
        return None
    s = int(serial)
    if date1904:
        s += 1462
    if not (SERIAL_MIN <= s <= SERIAL_MAX):
        return None
    return (_EXCEL_EPOCH_1900 + dt.timedelta(days=s)).isoformat()


class _DateState:
    """A file's day-first rule and the date answers it could not read (for one notice each)."""

    def __init__(self, dayfirst: bool | None) -> None:
        self.dayfirst = dayfirst
        self.problems: dict[tuple[str, str], list[Any]] = {}  # (column, status) → [n, first row, value]

    def add(self, column: str, status: str, row: int, value: str) -> None:
        rec = self.problems.setdefault((column, status), [0, row, value])
        rec[0] += 1

    def flush(self, ctx: ReadContext) -> None:
        for (column, status), (n, row, value) in self.problems.items():
            ctx.note("date_ambiguous" if status == "ambiguous" else "date_unreadable", row=row, column=column,
                     count=n, n=n, first=row, value=value)


def cell_to_text(value: Any, qtype: str | None, column: str, row: int, tally: _Tally,
                 raw: RawTable, serial_text_dates: bool = False, dates: _DateState | None = None) -> str:
    """Convert one raw cell to canonical text, tallying every automatic fix.

    Text answers of date questions are read by :func:`analysis.ingest.dates.read_date` (dd.mm.yyyy,
    dd/mm/yyyy by the file's day-first rule in ``dates``, Excel serials); what cannot be read is kept
    as written and counted in ``dates`` (validation then warns about each such cell).
    """
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, str):
        text, fixes = normalise_text(value)
        for f in fixes:
            tally.add(column, f, row)
        if qtype == "date" and text:
            r = read_date(text, dates.dayfirst if dates is not None else None, raw.date1904,
                          serials=True)
            if r.status == "converted":
                tally.add(column, r.fix or "iso_date", row)
            elif r.status in ("ambiguous", "unreadable") and dates is not None:
                dates.add(column, r.status, row, text)
            return r.text
        return text
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0) and value.tzinfo is None:
            tally.add(column, "excel_date", row)
            return value.date().isoformat()
        if qtype == "date":
            tally.add(column, "date_time_dropped", row)
            return value.date().isoformat()
        tally.add(column, "excel_datetime", row)
        return value.isoformat()
    if isinstance(value, dt.date):
        tally.add(column, "iso_date", row)
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and math.isnan(value):
            return ""
        if qtype == "date":
            iso = excel_serial_to_iso(value, raw.date1904)
            if iso is not None:
                tally.add(column, "excel_serial", row)
                return iso
        text = format_number(value)
        if isinstance(value, float) and value.is_integer():
            tally.add(column, "whole_number", row)
        if qtype == "date" and dates is not None:
            dates.add(column, "unreadable", row, text)
        return text
    if isinstance(value, np.generic):  # numpy scalars and the like
        return cell_to_text(value.item(), qtype, column, row, tally, raw, serial_text_dates, dates)
    text, _ = normalise_text(str(value))
    return text


# --------------------------------------------------------------------------- codebook


def base_type(q: Any) -> str:
    """The XLSForm base type of a question (``select_one yes_no`` → ``select_one``)."""
    t = str(getattr(q, "type", "") or "")
    return t.split()[0] if t else ""


def instrument_key(inst: Any) -> str:
    """The instrument's key (registry | phase1 | phase2 | employer)."""
    for attr in ("key", "name", "instrument", "form_id"):
        v = getattr(inst, attr, None)
        if isinstance(v, str) and v:
            return v
    return "unknown"


def question_group_path(q: Any, inst: Any = None) -> list[str]:
    """Group names from the outermost to the innermost enclosing group of ``q`` ([] at top level).

    ``Question.group`` is the innermost group; its parents are found through ``inst.question``.
    """
    path: list[str] = []
    g = getattr(q, "group", None)
    seen = set()
    while g and g not in seen:
        seen.add(g)
        path.insert(0, str(g))
        try:
            g = getattr(inst.question(g), "group", None) if inst is not None else None
        except KeyError:
            g = None
    return path


class Codebook:
    """Lookups over an :class:`~analysis.instruments.xlsform.Instrument` used to map headers and answers."""

    def __init__(self, inst: Any, key: str | None = None) -> None:
        self.inst = inst
        self.key = key or instrument_key(inst)
        self.questions = list(inst.data_questions)
        self.by_name = {q.name: q for q in self.questions}
        self.order = {q.name: i for i, q in enumerate(self.questions)}
        self.types = {q.name: base_type(q) for q in self.questions}
        self.folded = {q.name.casefold(): q.name for q in self.questions}
        # question labels: key → [(name, lang)]
        self.qlabels: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for q in self.questions:
            labels = getattr(q, "labels", None) or {}
            for lang in LANGS:
                lab = labels.get(lang) if isinstance(labels, dict) else None
                if lab:
                    k = norm_key(lab)
                    if (q.name, lang) not in self.qlabels[k]:
                        self.qlabels[k].append((q.name, lang))
        self.codes: dict[str, list[str]] = {}
        self.choice_keys: dict[str, dict[str, dict[str, set[str]]]] = {}
        for q in self.questions:
            if self.types[q.name] not in ("select_one", "select_multiple"):
                continue
            codes = [str(c) for c in inst.choice_codes(q.name)]
            self.codes[q.name] = codes
            keys: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
            for code, labels in self._choice_labels(q, codes):
                for lang, lab in labels.items():
                    if lab and lang in LANGS:
                        keys[norm_key(lab)][code].add(lang)
            self.choice_keys[q.name] = {k: dict(v) for k, v in keys.items()}
        self.id_column = "employer_id" if "employer_id" in self.by_name else "student_id"
        self.required = [c for c in (self.id_column, "consent") if c in self.by_name]
        self._extra_cache: dict[str, dict[str, str]] = {}
        self._one_cache: dict[tuple[str, str], tuple[str, str | None] | None] = {}
        self._multi_cache: dict[tuple[str, str], tuple[list[list[str]], Counter[str]]] = {}

    def _choice_labels(self, q: Any, codes: list[str]) -> list[tuple[str, dict[str, str]]]:
        """(code, {lang: label}) of a question's list: the form's own labels per language (no
        fallback to another language, so that the language of an export can be told)."""
        choices = getattr(self.inst, "choices", None)
        if isinstance(choices, dict) and getattr(q, "list_name", None) in choices:
            return [(str(c.name), dict(c.labels)) for c in choices[q.list_name]]
        out = []
        for code in codes:
            labels = {}
            for lang in LANGS:
                try:
                    labels[lang] = self.inst.choice_label(q.name, code, lang)
                except Exception:
                    continue
            out.append((code, labels))
        return out

    # ---- answers
    def _extra(self, name: str) -> dict[str, str]:
        """The instrument's own ``label_to_code`` (a fallback to the per-language index)."""
        if name not in self._extra_cache:
            try:
                self._extra_cache[name] = dict(self.inst.label_to_code(name))
            except Exception:
                self._extra_cache[name] = {}
        return self._extra_cache[name]

    def answer_to_code(self, name: str, value: str) -> tuple[str, str | None] | None:
        """Map a select answer (code, or label in any language) to ``(code, lang)``; None if unknown.

        ``lang`` is None when the value already was a code; ``"?"`` when the label is the same in
        several languages. A label that maps to two codes of the list is ambiguous → None.
        """
        key = (name, value)
        if key in self._one_cache:
            return self._one_cache[key]
        out = self._answer_to_code(name, value)
        self._one_cache[key] = out
        return out

    def _answer_to_code(self, name: str, value: str) -> tuple[str, str | None] | None:
        codes = self.codes.get(name, [])
        if value in codes:
            return value, None
        k = norm_key(value)
        for c in codes:  # a code written with other case or spacing
            if norm_key(c) == k:
                return c, None
        hit = self.choice_keys.get(name, {}).get(k)
        if hit:
            if len(hit) != 1:
                return None
            code, langs = next(iter(hit.items()))
            return code, (next(iter(langs)) if len(langs) == 1 else "?")
        extra = self._extra(name).get(k)
        if extra is not None:
            return str(extra), "?"
        return None

    def multi_to_codes(self, name: str, value: str) -> tuple[list[list[str]], Counter[str]]:
        """All readings of a select_multiple summary as a list of codes (codes or labels joined by
        spaces, as Kobo writes them); and the languages of the labels used (of the first reading)."""
        key = (name, value)
        if key not in self._multi_cache:
            self._multi_cache[key] = self._multi_to_codes(name, value)
        readings, langs = self._multi_cache[key]
        return [list(r) for r in readings], Counter(langs)

    def _multi_to_codes(self, name: str, value: str) -> tuple[list[list[str]], Counter[str]]:
        tokens = value.split()
        if not tokens:
            return [[]], Counter()
        codes = self.codes.get(name, [])
        if all(t in codes for t in tokens):
            return [tokens], Counter()
        n = len(tokens)
        # readings[i] = list of (codes, langs) that cover tokens[i:]; at most a few kept
        readings: list[list[tuple[list[str], Counter[str]]]] = [[] for _ in range(n + 1)]
        readings[n] = [([], Counter())]
        for i in range(n - 1, -1, -1):
            out = []
            for j in range(i + 1, n + 1):
                if not readings[j]:
                    continue
                hit = self.answer_to_code(name, " ".join(tokens[i:j]))
                if hit is None:
                    continue
                code, lang = hit
                for rest, langs in readings[j]:
                    c = Counter(langs)
                    if lang:
                        c[lang] += 1
                    out.append(([code, *rest], c))
                    if len(out) > 8:
                        break
            readings[i] = out
        found = readings[0]
        unique: dict[tuple[str, ...], Counter[str]] = {}
        for codes_, langs in found:
            unique.setdefault(tuple(codes_), langs)
        return [list(k) for k in unique], (next(iter(unique.values())) if unique else Counter())

    # ---- headers
    def name_of(self, header: str) -> tuple[str, str] | None:
        """Question name for a header that *is* a name (exact, or ignoring case): ``(name, how)``."""
        if header in self.by_name:
            return header, "name"
        folded = self.folded.get(header.casefold())
        if folded:
            return folded, "name ignoring case"
        return None

    def label_of(self, header: str) -> list[tuple[str, str]]:
        """Questions whose label (any language) equals the header: ``[(name, lang)]``."""
        return list(self.qlabels.get(norm_key(header), []))


# --------------------------------------------------------------------------- header mapping


@dataclass
class ColumnMap:
    """What one header cell of the file means."""

    index: int
    header: str
    kind: str  # question | split | meta | unknown | blank | dropped | covariate
    name: str | None = None  # question name (question/split)
    code: str | None = None  # option code (split)
    target: str | None = None  # provenance target (meta)
    how: str = ""  # name | path | name ignoring case | label:ky | …
    lang: str | None = None


def _split_path(header: str, platform: str) -> list[tuple[list[str], str]]:
    """Ways to read ``header`` as (group path, last part), most specific convention first."""
    seps = {"kobo": ["/", "-"], "odk": ["-", "/"]}.get(platform, ["/", "-"])
    out = []
    for sep in seps:
        if sep in header:
            parts = header.split(sep)
            out.append((parts[:-1], parts[-1]))
    return out


def resolve_question(cb: Codebook, header: str, platform: str) -> tuple[str, str, str | None] | None:
    """(name, how, lang) of a header that designates one question (not a split option column)."""
    hit = cb.name_of(header)
    if hit:
        return hit[0], hit[1], None
    for path, last in _split_path(header, platform):
        hit = cb.name_of(last)
        if hit and path:
            return hit[0], "group path stripped", None
    return None


def map_headers(header: Sequence[Any], cb: Codebook, ctx: ReadContext) -> list[ColumnMap]:
    """Interpret each header cell; labels that fit several questions are taken in form order."""
    meta = {"kobo": KOBO_META, "odk": ODK_META, "entry": {**ALL_META, **ENTRY_META}}.get(ctx.platform, ALL_META)
    maps: list[ColumnMap] = []
    for i, raw in enumerate(header):
        h = "" if raw is None else unicodedata.normalize("NFC", str(raw)).strip()
        h = " ".join(h.split()) if "\n" in h or "  " in h else h
        if not h:
            maps.append(ColumnMap(i, h, "blank"))
            continue
        if h in ctx.covariates:
            maps.append(ColumnMap(i, h, "covariate", h, how="covariate"))
            continue
        hit = cb.name_of(h)
        if hit:
            maps.append(ColumnMap(i, h, "question", hit[0], how=hit[1]))
            continue
        if h in meta or h in ALL_META:
            maps.append(ColumnMap(i, h, "meta", target=meta[h] if h in meta else ALL_META.get(h)))
            continue
        if "/" in h:  # split option column q/choice (Kobo and ODK both use '/')
            stem, opt = h.rsplit("/", 1)
            qs = resolve_question(cb, stem, ctx.platform)
            if qs and cb.types.get(qs[0]) == "select_multiple":
                code = cb.answer_to_code(qs[0], opt)
                maps.append(ColumnMap(i, h, "split", qs[0], code=code[0] if code else None, how="name"))
                continue
        q = resolve_question(cb, h, ctx.platform)
        if q:
            maps.append(ColumnMap(i, h, "question", q[0], how=q[1]))
            continue
        maps.append(ColumnMap(i, h, "unknown"))
    _map_label_headers(maps, cb)
    return maps


def _map_label_headers(maps: list[ColumnMap], cb: Codebook) -> None:
    """Second pass: headers that are question labels (Kobo "Labels" export, registrar's files)."""
    used = {m.name for m in maps if m.kind == "question"}

    def pick(cands: list[tuple[str, str]]) -> tuple[str, str] | None:
        free = sorted({c for c in cands if c[0] not in used}, key=lambda c: (cb.order[c[0]], c[1]))
        if not free:
            return None
        name = free[0][0]
        langs = sorted({lang for n, lang in free if n == name})
        return name, (langs[0] if len(langs) == 1 else "?")

    def label_question(text: str) -> list[tuple[str, str]]:
        parts = text.split("/")
        for k in range(len(parts)):  # full label first, then without leading group labels
            cands = cb.label_of("/".join(parts[k:]))
            if cands:
                return cands
        return []

    for m in maps:
        if m.kind != "unknown":
            continue
        hit = pick(label_question(m.header))
        if hit:
            m.kind, m.name, m.lang = "question", hit[0], hit[1]
            m.how = f"label:{hit[1]}"
            used.add(hit[0])
            continue
        parts = m.header.split("/")
        for j in range(len(parts) - 1, 0, -1):  # split column: <question label>/<choice label>
            stem, opt = "/".join(parts[:j]), "/".join(parts[j:])
            cands = [c for c in label_question(stem) if cb.types.get(c[0]) == "select_multiple"]
            for name, lang in sorted(cands, key=lambda c: cb.order[c[0]]):
                hit2 = cb.answer_to_code(name, opt)
                if hit2:
                    m.kind, m.name, m.code, m.lang = "split", name, hit2[0], lang
                    m.how = f"label:{lang}"
                    break
            if m.kind == "split":
                break


def check_columns(maps: list[ColumnMap], cb: Codebook, ctx: ReadContext,
                  others: Callable[[], Iterable[Codebook]] | None) -> None:
    """Whole-file checks on the header: duplicates, wrong instrument, missing required columns."""
    seen: dict[tuple[str, str | None, str], ColumnMap] = {}
    for m in maps:
        if m.kind in ("question", "split"):
            key = (m.name or "", m.code, m.kind)
            if m.kind == "split" and m.code is None:
                continue
            if key in seen:
                first = seen[key]
                raise ctx.error(
                    f"columns '{first.header}' (column {first.index + 1}) and '{m.header}' "
                    f"(column {m.index + 1}) both hold question '{m.name}'"
                    + (f" option '{m.code}'" if m.code else ""), row=1,
                    fix="delete or rename one of them")
            seen[key] = m
    matched = {m.name for m in maps if m.kind in ("question", "split")}
    content = [m for m in maps if m.kind in ("question", "split", "unknown")]
    n_unknown = sum(m.kind == "unknown" for m in content)
    exempt = set(ctx.not_asked) | set(ctx.generated)
    missing = [c for c in cb.required if c not in matched and c not in exempt]
    if (n_unknown > len(matched) or missing) and others is not None:
        best: tuple[int, str] | None = None
        for other in others():
            omaps = map_headers([m.header for m in maps], other, ctx)
            n = len({m.name for m in omaps if m.kind in ("question", "split")})
            if n > len(matched) and (best is None or n > best[0]):
                best = (n, other.key)
        if best is not None:
            raise ctx.error(
                f"this looks like a '{best[1]}' file, not '{cb.key}': {best[0]} of its columns match "
                f"{best[1]} questions and only {len(matched)} match {cb.key} questions", row=1,
                fix=f"declare instrument: {best[1]} for this file (or check that the right file was given)")
    if not matched:
        raise ctx.error(f"none of the {len(content)} columns is a question of '{cb.key}'", row=1,
                        fix="check the instrument declared for this file and that the header is in row "
                            f"{1 if not ctx.info.get('header_row') else ctx.info['header_row']}")
    if missing:
        raise ctx.error(f"required column{'s' if len(missing) > 1 else ''} "
                        f"{', '.join(repr(c) for c in missing)} missing", row=ctx.info.get("header_row", 1),
                        fix="export the file with these questions (XML names or labels), or add the column")


# --------------------------------------------------------------------------- canonical table


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


# rename rules of :func:`suggest_question`: tokens that only say "number of", a unit or a type
_NOISE_TOKENS = frozenset({"n", "num", "no", "nr", "number", "count", "cnt", "per", "week", "weekly", "month",
                           "monthly", "kgs", "som", "date", "dt", "yn", "flag", "code", "txt", "text", "value",
                           "val", "new", "old", "v2", "2", "total"})


def _core_tokens(text: str) -> tuple[str, ...]:
    toks = [t for t in re.split(r"[^0-9a-zа-яёңөү]+", text.casefold()) if t]
    core = tuple(t for t in toks if t not in _NOISE_TOKENS)
    return core or tuple(toks)


def suggest_question(header: str, cb: Codebook, exclude: Iterable[str] = ()) -> str | None:
    """The question an unknown column probably is ("did you mean …?"), or None.

    Two rules, in this order, over the questions not in ``exclude`` (those the file already has), on the
    header as written and without its group path (``grp_job/hours_per_week``):

    1. **rename rule** — the header and the question name are the same words once words that only
       state a count, a unit or a type are left out (``hours_per_week`` → ``hours``,
       ``income_kgs`` → ``income``, ``applications`` → ``applications_n``);
    2. **similarity** — :func:`difflib.get_close_matches` on names (ratio ≥ 0.8: ``emp_typ``,
       ``job_tittle``) and on question labels in ky/ru/en (ratio ≥ 0.85: a label with a typo).
    """
    taken = set(exclude)
    free = [q.name for q in cb.questions if q.name not in taken]
    if not free or not header:
        return None
    # the header as written, and without a group path (Kobo grp/q, ODK grp-q)
    forms = list(dict.fromkeys([header, header.rsplit("/", 1)[-1], header.rsplit("-", 1)[-1]]))
    for h in forms:
        core = _core_tokens(h)
        hits = [n for n in free if _core_tokens(n) == core]
        if hits:
            return hits[0]
    for h in forms:
        key = re.sub(r"[\s\-/.]+", "_", h.strip().casefold())
        close = difflib.get_close_matches(key, free, n=1, cutoff=0.8)
        if close:
            return close[0]
    labels = {k: n for k, cands in cb.qlabels.items() for n, _ in cands if n in free}
    close = difflib.get_close_matches(norm_key(header), list(labels), n=1, cutoff=0.85)
    return labels[close[0]] if close else None


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
    tally = _Tally()
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
    dates = _DateState(order)
    out_rows: list[list[Any]] = []
    cov_rows: list[list[str]] = []
    skipped_empty = 0
    bad_modes: dict[str, int] = {}
    other_modes: Counter[str] = Counter()
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
                    if not ctx.allow_lost_letters:
                        raise ctx.error(
                            f"Kyrgyz letters ң ө ү seem lost: {trace}", row=rownum, column=name,
                            fix="re-export the file as UTF-8 (cp1251 cannot hold ң ө ү), or pass "
                                "--allow-lost-letters (allow_lost_letters=True) to read it with a "
                                "warning per cell")
                    ctx.note("lost_letters", row=rownum, column=name, count=1, trace=trace)
            rec[name] = text
        meta_vals = {t: cell_to_text(cell(m), None, m.header, rownum, _Tally(), raw) for t, m in metas.items()}
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
                         tally: _Tally, raw: RawTable, value_langs: Counter[str], mapped: Counter[str],
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

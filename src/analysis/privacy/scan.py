"""The personal-data scan: every registry value searched, as a whole token, in the files a run wrote.

One job: the gate's token matching. :func:`scan_for_personal_data` reads text files, notebooks (sources and
outputs), tables (Parquet, Feather, XLSX, SPSS, Stata) and HTML, and reports each personal value found —
names as word sequences (either order), e-mail addresses and handles as tokens, telephone numbers by their
national number (ITU-T E.164: ``+996``, ``00996``, ``0`` prefixes alike), ids as digit tokens — with the
value masked (:func:`mask_value`), never in clear. Unreadable files are an error, never skipped silently.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import openpyxl
import pandas as pd

from analysis.errors import InputError
from analysis.privacy.redaction import PERSONAL_PATTERNS

if TYPE_CHECKING:
    from analysis.core.config import CohortConfig


@dataclass(frozen=True)
class Hit:
    """A personal value found in a file; ``masked`` never shows the value in clear."""

    file: Path
    kind: str
    masked: str
    count: int = 1
    location: str | None = None

    def __str__(self) -> str:
        where = f" ({self.location})" if self.location else ""
        times = "1 time" if self.count == 1 else f"{self.count} times"
        return f"{self.file}: {self.kind} {self.masked} found {times}{where}"


_TEXT_SUFFIXES = {
    ".txt", ".csv", ".tsv", ".md", ".rst", ".html", ".htm", ".xml", ".svg", ".json", ".ipynb",
    ".yml", ".yaml", ".py", ".r", ".log", ".tex", ".po", ".js", ".css", ".toml", ".ini", ".cfg",
    ".sql", ".dot",
}  # fmt: skip
_TABLE_SUFFIXES = {".parquet", ".pq", ".feather", ".arrow", ".xlsx", ".xlsm", ".sav", ".zsav",
                   ".dta"}  # fmt: skip
_BINARY_SUFFIXES = {
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".ico", ".pdf", ".zip",
    ".gz", ".bz2", ".xz", ".7z", ".tar", ".pkl", ".pickle", ".npy", ".npz", ".woff", ".woff2",
    ".ttf", ".otf", ".eot", ".mp4", ".mp3", ".sqlite", ".db", ".xls", ".docx", ".pptx",
}  # fmt: skip
_PLACEHOLDERS = {
    "none", "null", "nan", "n/a", "na", "unknown", "no", "нет", "жок", "неизвестно", "белгисиз",
    "отсутствует", "не указано", "көрсөтүлгөн эмес",
}  # fmt: skip
_WS = re.compile(r"\s+")
_MIN_DIGITS = 7
# A number token of the output: digit groups joined by phone separators (spaces, dashes,
# brackets; a dot only between groups of 2+ digits, as in 0555.12.34.56 or 12.05.2025), taken
# whole (atomic group) and only where it does not touch a letter or digit (hex pseudonyms) and is
# not part of a decimal number (0.555123456; "тел.0555123456" is a token); a trailing ".0"
# (12345678.0, an id written as a float) belongs to the token.
_NUMBER_TOKEN = re.compile(
    r"(?<!\w)(?<!\d\.)(?=[+\d][\d \u00a0\-().]{" + str(_MIN_DIGITS - 1) + "})"  # skip too-short numbers fast
    r"((?>\+?\d+(?:(?:[ \u00a0\-()]{1,3}|(?<=\d\d)\.(?=\d\d))\d+)*))(?:\.0+)?(?!\w)(?!\.\d)"
)
_DIGITS = re.compile(r"\d+")
# a UUID (RFC 9562; submission ids of Kobo and ODK) is never a phone or an id, even where a group of it is digits only
_UUID = re.compile(r"(?<![0-9A-Za-z])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
                   r"(?![0-9A-Za-z])")
_TOKEN = re.compile(r"\w+")
_ALNUM = re.compile(r"[^\W_]")
_NON_DIGIT = re.compile(r"\D")
_PHONE_LIKE = re.compile(r"^\+?[\d \-.()]+$")
# HTML/XML tag names and tag ends become spaces, so that cells (<td>Айбек</td><td>Асанов</td>)
# are adjacent words; attribute values (alt, title) stay in the text and are scanned.
_TAG = re.compile(r"</?[A-Za-z][\w:.-]*|/?>")
_MAX_PHONE_DIGITS = 15  # E.164: at most 15 digits


def phone_key(digits: str) -> str:
    """The national number of a telephone number given as its digits.

    ``00`` (international prefix) is removed; then ``996`` + 9 digits and ``0`` + 9 digits
    become the 9-digit Kyrgyz national significant number (ITU-T E.164, national prefix 0).
    Anything else is returned unchanged (a foreign number keeps its country code).

    Examples: ``996555123456``, ``0555123456``, ``555123456`` and ``00996555123456`` all give
    ``555123456``.
    """
    digits = digits.removeprefix("00")
    if len(digits) == 12 and digits.startswith("996"):
        return digits[3:]
    if len(digits) == 10 and digits.startswith("0"):
        return digits[1:]
    return digits


def collect_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """Expand files and directories (recursively) into files that can and cannot be scanned.

    Returns
    -------
    tuple of list of Path
        ``(scannable, skipped)``, each sorted. Skipped are binary formats (images, PDF,
        archives, pickles, legacy ``.xls``) whose text cannot be read here.
    """
    files: set[Path] = set()
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files.update(f for f in p.rglob("*") if f.is_file())
        elif p.is_file():
            files.add(p)
    scannable, skipped = [], []
    for f in sorted(files):
        suffix = f.suffix.lower()
        if suffix in _TEXT_SUFFIXES or suffix in _TABLE_SUFFIXES:
            scannable.append(f)
        elif suffix in _BINARY_SUFFIXES:
            skipped.append(f)
        else:
            with f.open("rb") as fh:
                head = fh.read(8192)
            (skipped if b"\0" in head else scannable).append(f)
    return scannable, skipped


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1251", errors="replace")  # Cyrillic Windows exports


def _notebook_segments(nb: dict) -> list[tuple[str | None, str]]:
    segs: list[tuple[str | None, str]] = [
        ("metadata", json.dumps(nb.get("metadata", {}), ensure_ascii=False))
    ]
    for i, cell in enumerate(nb.get("cells", []), start=1):
        parts = [_join(cell.get("source", ""))]
        for out in cell.get("outputs", []) or []:
            parts.append(_join(out.get("text", "")))
            parts.append(_join(out.get("traceback", [])))
            for mime, data in (out.get("data") or {}).items():
                if mime.startswith(("image/", "video/", "audio/")) and mime != "image/svg+xml":
                    continue
                parts.append(
                    data if isinstance(data, str)
                    else _join(data) if isinstance(data, list) and all(isinstance(x, str) for x in data)
                    else json.dumps(data, ensure_ascii=False)
                )  # fmt: skip
        segs.append((f"cell {i}", html.unescape(_TAG.sub(" ", "\n".join(parts)))))
    return segs


def _join(x: object) -> str:
    if isinstance(x, list):
        return "".join(str(v) for v in x)
    return "" if x is None else str(x)


def _frame_segments(df: pd.DataFrame) -> list[tuple[str | None, str]]:
    """Cells as text, one segment per column. Numeric columns keep only integral values of
    7 or more digits (the only numbers that can be a phone or a student id), and boolean and
    date columns are left out, which keeps the scan fast and free of false alarms."""
    segs: list[tuple[str | None, str]] = [("column names", "\n".join(map(str, df.columns)))]
    if not isinstance(df.index, pd.RangeIndex):
        segs.append(("index", "\n".join(map(str, df.index))))
    floor = 10 ** (_MIN_DIGITS - 1)
    for col in df.columns:
        values = df[col].dropna()
        if not len(values) or pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_datetime64_any_dtype(
            values.dtype
        ) or isinstance(values.dtype, pd.PeriodDtype):
            continue  # booleans and dates cannot hold a name, phone or id
        if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_complex_dtype(
            values.dtype
        ):
            num = values.to_numpy(dtype="float64")
            num = num[(num == np.floor(num)) & (np.abs(num) >= floor) & (np.abs(num) < 1e18)]
            num = num.astype("int64")
            if len(num):
                segs.append((f"column '{col}'", "\n".join(map(str, num.tolist()))))
            continue
        segs.append((f"column '{col}'", "\n".join(map(str, values.tolist()))))
    return segs


def _file_segments(path: Path) -> list[tuple[str | None, str]]:
    """The text of a file, as (location, text) segments."""
    suffix = path.suffix.lower()
    try:
        if suffix in {".parquet", ".pq"}:
            return _frame_segments(pd.read_parquet(path))
        if suffix in {".feather", ".arrow"}:
            return _frame_segments(pd.read_feather(path))
        if suffix in {".sav", ".zsav"}:
            return _frame_segments(pd.read_spss(path, convert_categoricals=True))
        if suffix == ".dta":
            return _frame_segments(pd.read_stata(path))
        if suffix in {".xlsx", ".xlsm"}:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                segs: list[tuple[str | None, str]] = []
                for ws in wb.worksheets:
                    cells = [
                        str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None
                    ]
                    segs.append((f"sheet '{ws.title}'", ws.title + "\n" + "\n".join(cells)))
                return segs
            finally:
                wb.close()
        text = _decode(path.read_bytes())
        if suffix in {".ipynb", ".json"}:
            try:
                obj = json.loads(text)
            except json.JSONDecodeError:
                return [(None, html.unescape(text))]
            if suffix == ".ipynb" and isinstance(obj, dict) and "cells" in obj:
                return _notebook_segments(obj)
            return [(None, html.unescape(json.dumps(obj, ensure_ascii=False)))]
        if suffix in {".html", ".htm", ".xml", ".svg"}:
            return [(None, html.unescape(_TAG.sub(" ", text)))]
        return [(None, text)]
    except Exception as exc:  # corrupt or unreadable file: say which, never skip silently
        raise InputError(
            path,
            f"cannot be read to scan for personal data ({type(exc).__name__})",
            fix="repair or delete the file, then scan again",
        ) from exc


def _norm_text(text: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFC", text).casefold())


def _infer_kind(value: str) -> str:
    v = value.strip()
    if v.startswith("@"):
        return "handle"
    if "@" in v:
        return "email"
    if _PHONE_LIKE.match(v):
        digits = _NON_DIGIT.sub("", v)
        return "phone" if v.startswith(("+", "0")) or len(digits) >= 9 else "id"
    return "name"


def mask_value(value: str) -> str:
    """Mask a personal value for messages: enough to recognise it, never the value itself.

    Digits keep only their last two (``*********67``); an e-mail keeps the first letter and the
    top-level domain (``a***@***.kg``); a handle its first letter (``@a***``); other text the
    first letter of each word (``А*** А***``).
    """
    v = value.strip()
    if _PHONE_LIKE.match(v):
        digits = _NON_DIGIT.sub("", v)
        return "*" * max(len(digits) - 2, 3) + digits[-2:]
    if "@" in v and not v.startswith("@"):
        local, _, domain = v.partition("@")
        tld = domain.rsplit(".", 1)[-1] if "." in domain else ""
        return f"{local[:1]}***@***" + (f".{tld}" if tld else "")
    if v.startswith("@"):
        return "@" + v[1:2] + "***"
    return " ".join(w[:1] + "***" for w in v.split()) or "***"


def _text_variants(value: str, kind: str) -> list[tuple[str, ...]]:
    """The word sequences searched for one non-numeric personal value (normalised, casefolded)."""
    v = _norm_text(value).strip()
    if "handle" in kind or v.startswith("@"):
        v = v.rstrip("/").rsplit("/", 1)[-1].lstrip("@")  # instagram.com/name, @name → name
        return [tuple(_TOKEN.findall(v))]
    words = tuple(_TOKEN.findall(v))
    out = [words]
    if "@" not in v and len(words) >= 2:  # names: "Surname Given …" also as "Given Surname"
        out += [words[:2], (words[1], words[0])]
    return out


@dataclass
class _Index:
    """Hashed look-up tables of the personal values (see :func:`scan_for_personal_data`)."""

    words: dict[tuple[str, ...], tuple[set[str], str]]  # word sequence -> (kinds, original)
    lengths: dict[str, tuple[int, ...]]  # first word -> lengths of its sequences, longest first
    phones: dict[str, tuple[set[str], str]]  # phone_key -> (kinds, original)
    ids: dict[str, tuple[set[str], str]]  # digit string -> (kinds, original)
    min_digits: int
    key: bytes | None = None  # set: every look-up key is a keyed digest (:func:`hashed_index`), originals masked


_KEY_CHECK = "tracer personal-data gate"
PersonalIndex = _Index
"""The gate's look-up tables (plain, or hashed by :func:`hashed_index`); pass one to :func:`scan_for_personal_data`
instead of the values."""


def _digest(key: bytes, text: str) -> str:
    """Keyed BLAKE2b digest (RFC 7693, 128 bits) of ``text``, as hex — what a hashed index stores and looks up."""
    return hashlib.blake2b(text.encode("utf-8"), key=key[:64], digest_size=16).hexdigest()


def hashed_index(values: Mapping[str, Iterable[str]], key: bytes, min_len: int = 5) -> _Index:
    """The gate's look-up tables of ``values`` (kind → strings) with every look-up key replaced by its keyed
    digest (:func:`_digest`, keyed with the cohort's pseudonymisation key) and every original value masked
    (:func:`mask_value`): what stage 1 keeps for the privacy gate, so that the gate needs no second read of the
    raw files and the file it keeps holds no personal value in clear. Scanning with it finds exactly what
    scanning with the plain values finds (same tokens, same counts); hits show the masked value."""
    plain = _build_index(((str(kind), v) for kind, vs in values.items() for v in vs), min_len)

    def conv(table: dict) -> dict:
        return {_digest(key, "\x1f".join(k) if isinstance(k, tuple) else k): (kinds, mask_value(orig))
                for k, (kinds, orig) in table.items()}

    return _Index(conv(plain.words), {_digest(key, w): ns for w, ns in plain.lengths.items()}, conv(plain.phones),
                  conv(plain.ids), plain.min_digits, key)


def index_to_json(index: _Index, inputs: Mapping[str, str]) -> str:
    """A hashed index as JSON text, with the checksums (``path`` → SHA-256) of the inputs it was made from."""
    if index.key is None:
        raise ValueError("only a hashed index may be written to a file")

    def tab(t: dict) -> dict:
        return {k: [sorted(kinds), orig] for k, (kinds, orig) in sorted(t.items())}

    return json.dumps({"inputs": dict(sorted(inputs.items())), "key_check": _digest(index.key, _KEY_CHECK),
                       "min_digits": index.min_digits,
                       "words": tab(index.words), "lengths": {k: list(v) for k, v in sorted(index.lengths.items())},
                       "phones": tab(index.phones), "ids": tab(index.ids)}, ensure_ascii=False)


def index_from_json(text: str, key: bytes) -> tuple[_Index, dict[str, str]]:
    """Read what :func:`index_to_json` wrote: the hashed index (to be used with the same ``key``) and the input
    checksums it was made from. Raises ``ValueError`` when the index was made with another key."""
    d = json.loads(text)
    if d.get("key_check") != _digest(key, _KEY_CHECK):
        raise ValueError("the index was made with another key")

    def tab(t: dict) -> dict:
        return {k: (set(kinds), orig) for k, (kinds, orig) in t.items()}

    return (_Index(tab(d["words"]), {k: tuple(v) for k, v in d["lengths"].items()}, tab(d["phones"]),
                   tab(d["ids"]), int(d["min_digits"]), key), dict(d["inputs"]))


def _build_index(items: Iterable[tuple[str, object]], min_len: int) -> _Index:
    words: dict[tuple[str, ...], tuple[set[str], str]] = {}
    phones: dict[str, tuple[set[str], str]] = {}
    ids: dict[str, tuple[set[str], str]] = {}
    min_digits = max(min_len, _MIN_DIGITS)
    for kind, raw in items:
        if raw is None or (isinstance(raw, float) and raw != raw):
            continue
        v = str(raw).strip()
        if not v or v.casefold() in _PLACEHOLDERS or not _ALNUM.search(v):
            continue
        phone_like = bool(_PHONE_LIKE.match(v)) and not v.startswith("@")
        if "phone" in kind and not phone_like:
            continue  # "нет телефона" in a phone column is not a value to look for
        if "email" in kind and "@" not in v:
            continue
        if phone_like:
            digits = _NON_DIGIT.sub("", v)
            if "phone" in kind or _infer_kind(v) == "phone":
                table, needle = phones, phone_key(digits)
            else:
                table, needle = ids, digits
            if len(needle) >= min_digits:
                table.setdefault(needle, (set(), v))[0].add(kind)
            continue
        for seq in _text_variants(v, kind):
            if seq and len(" ".join(seq)) >= min_len:
                words.setdefault(seq, (set(), v))[0].add(kind)
    lengths: dict[str, set[int]] = defaultdict(set)
    for seq in words:
        lengths[seq[0]].add(len(seq))
    longest_first = {w: tuple(sorted(ns, reverse=True)) for w, ns in lengths.items()}
    return _Index(words, longest_first, phones, ids, min_digits)


def _match_segment(text: str, index: _Index) -> Iterable[tuple[tuple[set[str], str], int]]:
    """Personal values found in one segment of text, as ((kinds, original), occurrences).

    Linear in the length of the text: one pass of two token regexes, then hashed look-ups.
    """
    found: dict[int, list] = {}

    def add(entry: tuple[set[str], str]) -> None:
        slot = found.setdefault(id(entry), [entry, 0])
        slot[1] += 1

    key = index.key
    if index.words and key is not None:  # hashed index: each distinct token digested once per segment
        folded = text.casefold() if text.isascii() else unicodedata.normalize("NFC", text).casefold()
        tokens = _TOKEN.findall(folded)
        digests = {tok: _digest(key, tok) for tok in set(tokens)}
        firsts_h = index.lengths.keys() & set(digests.values())
        if firsts_h:
            lengths, words, end = index.lengths, index.words, len(tokens)
            for i in [i for i, tok in enumerate(tokens) if digests[tok] in firsts_h]:
                for n in lengths[digests[tokens[i]]]:
                    if i + n <= end:
                        entry = words.get(_digest(key, "\x1f".join(tokens[i : i + n])))
                        if entry is not None:
                            add(entry)
                            break
    elif index.words:
        folded = text.casefold() if text.isascii() else unicodedata.normalize("NFC", text).casefold()
        tokens = _TOKEN.findall(folded)
        firsts = index.lengths.keys() & set(tokens)  # C-speed: which first words occur at all
        if firsts:
            lengths, words, end = index.lengths, index.words, len(tokens)
            for i in [i for i, tok in enumerate(tokens) if tok in firsts]:
                for n in lengths[tokens[i]]:  # longest first: "Асанов Айбек Бакытович" counts once
                    if i + n <= end:
                        entry = words.get(tuple(tokens[i : i + n]))
                        if entry is not None:
                            add(entry)
                            break
    if index.phones or index.ids:
        phones, ids, lo = index.phones, index.ids, index.min_digits
        hk = (lambda t: t) if key is None else (lambda t: _digest(key, t))
        for m in _NUMBER_TOKEN.finditer(_UUID.sub(" ", text) if "-" in text else text):
            token = m.group(1)
            if len(token) < lo:
                continue  # too short to hold an id or a phone
            groups = _DIGITS.findall(token)
            if ids:  # student ids: a whole digit group, nothing less
                for g in groups:
                    if len(g) >= lo:
                        entry = ids.get(hk(g))
                        if entry is not None:
                            add(entry)
            if phones:
                # phones: every run of whole consecutive groups (0555 12 34 56 inside
                # "2025 0555 12 34 56"), compared by its national number
                i = 0
                while i < len(groups):
                    acc, nxt = "", i + 1
                    for j in range(i, len(groups)):
                        acc += groups[j]
                        if len(acc) > _MAX_PHONE_DIGITS:
                            break
                        if len(acc) >= lo:
                            entry = phones.get(hk(phone_key(acc)))
                            if entry is not None:
                                add(entry)
                                nxt = j + 1  # +996 555 … counts once, not again as 555 …
                                break
                    i = nxt
    return [(slot[0], slot[1]) for slot in found.values()]


def scan_for_personal_data(
    paths: Iterable[str | Path],
    values: Iterable[str] | Mapping[str, Iterable[str]] | _Index,
    min_len: int = 5,
    *,
    patterns: bool = False,
) -> list[Hit]:
    """Find personal values (from the raw registry) in processed data, notebooks and reports.

    Parameters
    ----------
    paths
        Files or directories (searched recursively). Read: text, csv, json, ipynb (sources,
        outputs and metadata; images skipped), html/xml/svg (entities decoded, tag names
        removed), md, parquet, feather, xlsx (openpyxl, cached values), sav, dta. Binary
        formats (images, PDF, archives) are not scanned; see :func:`collect_files`.
    values
        The personal values: an iterable of strings (their kind is guessed: name, e-mail,
        handle, phone, id) or a mapping kind → strings (e.g. column → values from
        :func:`personal_values`), or a :class:`PersonalIndex` made before (e.g. :func:`hashed_index`).
    min_len
        Values shorter than this (after normalisation) are not searched, to avoid false
        alarms; digit values (phones, ids) need at least ``max(min_len, 7)`` digits.
        Placeholders ("нет", "жок", "unknown"…), values without a letter or digit, non-numbers
        in phone columns and e-mails without "@" are ignored.
    patterns
        Also report any phone number or e-mail address (:data:`PERSONAL_PATTERNS`) even if it
        is not among ``values`` (kind ``pattern:phone`` / ``pattern:email``).

    Returns
    -------
    list of Hit
        One hit per (file, value), with the number of occurrences and the first location;
        sorted by file, kind and value.

    Notes
    -----
    A value is a hit only where it is a complete token of the output, never a piece of a
    longer one:

    * names, e-mails and handles are compared as sequences of words (``\\w+``, after Unicode
      NFC and case folding) with the words of the output, so "Асанов Айбек" matches
      "АСАНОВ   Айбек" and "<td>Асанов</td><td>Айбек</td>", but not "Асановдун"; a name is
      also searched by its first two words in either order;
    * phones are compared by their national number (:func:`phone_key`: ``+996``, ``996``,
      ``00996`` and ``0`` removed) with the number tokens of the output (digit groups joined
      by spaces, dashes, brackets or dots) and with every run of whole consecutive groups of
      such a token — a phone's digits inside a date (``2003-05-12 00:00:00``), a decimal or a
      hex pseudonym never match;
    * student ids (digits) must equal a whole digit group.

    Every look-up is a hash-table probe; the cost is linear in the size of the files and
    independent of the number of personal values (0.5 s for the processed files of a
    2,000-graduate cohort, 3.2 s for 20,000, on a 2-core machine).
    """
    items: Iterable[tuple[str, object]]
    if isinstance(values, _Index):
        index = values
    elif isinstance(values, Mapping):
        items = ((str(kind), v) for kind, vs in values.items() for v in vs)
    else:
        items = ((_infer_kind(str(v)), v) for v in values)
    if not isinstance(values, _Index):
        index = _build_index(items, min_len)

    scannable, _skipped = collect_files(paths)
    found: dict[tuple[Path, str, str], list] = {}  # (file, kind, clear value) -> [count, where]

    def record(path: Path, kind: str, value: str, location: str | None, n: int = 1) -> None:
        entry = found.setdefault((path, kind, value), [0, location])
        entry[0] += n

    for path in scannable:
        for location, text in _file_segments(path):
            for (kinds, original), n in _match_segment(text, index):
                record(path, "/".join(sorted(kinds)), original, location, n)
            if patterns:
                for pkind in ("phone", "email"):
                    for m in PERSONAL_PATTERNS[pkind].finditer(text):
                        record(path, f"pattern:{pkind}", m.group(0), location)

    return [
        Hit(file=p, kind=k, masked=value if index.key is not None else mask_value(value), count=c, location=loc)
        for (p, k, value), (c, loc) in sorted(found.items(), key=lambda kv: (str(kv[0][0]), *kv[0][1:]))
    ]


GATE_INDEX = ".personal-index.json"
"""The privacy gate's hashed look-up tables, kept by stage 1 in the cohort's raw folder (where the personal data
already are; no value in clear: keyed digests and masked values, :func:`hashed_index`)."""


def write_gate_index(cfg: CohortConfig, values: dict[str, set[str]], key: bytes, inputs: dict[str, str]) -> Path:
    """Keep the gate's hashed index of ``values`` (what stage 1 read) in ``data/raw/COHORT/``, with the checksums
    (``path`` → SHA-256) of the inputs it came from."""
    path = cfg.paths.raw / GATE_INDEX
    index = hashed_index({col: sorted(v) for col, v in values.items()}, key)
    path.write_text(index_to_json(index, inputs) + "\n", encoding="utf-8")
    return path


def read_gate_index(cfg: CohortConfig, key: bytes, inputs: dict[str, str]) -> _Index | None:
    """The gate's index kept by stage 1, if it was made with ``key`` from exactly ``inputs`` (``path`` → SHA-256,
    as the run manifest records what stage 1 read) and the cohort still lists those inputs; else None (the
    caller then reads the raw files: :func:`cohort_personal_values`)."""
    path = cfg.paths.raw / GATE_INDEX
    if not path.is_file():
        return None
    listed = {i.path for i in cfg.inputs} | {i.mapping for i in cfg.inputs if i.mapping}
    try:
        index, made_from = index_from_json(path.read_text(encoding="utf-8"), key)
    except (ValueError, KeyError, TypeError):
        return None
    if made_from != inputs or set(made_from) != listed:
        return None
    return index

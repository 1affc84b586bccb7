"""Personal data: the pseudonymisation key, keyed pseudonyms, dropping and scanning.

Personal data (the direct identifiers of ``docs/variables.md``: name, phones, e-mail, social
handle, parent's name and phone, student id) may exist only under ``data/raw/``. At the
*derive* boundary the student id is replaced by a keyed pseudonym (:func:`pseudonymise`) and the
other direct identifiers are dropped (:func:`drop_personal`). :func:`scan_for_personal_data`
checks that no registry value leaked into processed data or reports, and :func:`k_anonymity`
lists quasi-identifier combinations too rare to release as microdata.

The pseudonym is HMAC-SHA256 (RFC 2104, FIPS 198-1) of the normalised id under a secret key
kept outside the repository (``tracer init-key``). The same key gives the same pseudonym every
year, which is what links phase 1, phase 2 and later cohorts; a lost or replaced key breaks that
linkage for good. See ``docs/privacy.md``.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import secrets
import unicodedata
import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import ConfigError, InputError, KeyMissingError

__all__ = [
    "DIRECT_IDENTIFIERS",
    "KEY_ENV",
    "PERSONAL_PATTERNS",
    "QUASI_IDENTIFIERS",
    "Hit",
    "collect_files",
    "drop_personal",
    "init_key",
    "k_anonymity",
    "key_path",
    "load_key",
    "mask_value",
    "personal_values",
    "pseudonymise",
    "redact_text",
    "scan_for_personal_data",
]

KEY_ENV = "TRACER_PSEUDONYM_KEY"
"""Environment variable that may hold the key (hex); it takes precedence over the key file."""

KEY_BYTES = 32
"""Length of a new key: 256 random bits, the output size of SHA-256 (RFC 2104 §3)."""

_MIN_KEY_BYTES = 16

DIRECT_IDENTIFIERS: tuple[str, ...] = (
    "student_id",
    "full_name",
    "email",
    "phone_mobile",
    "phone_landline",
    "social_handle",
    "parent_name",
    "parent_phone",
    "email_new",
    "phone_new",
)
"""Columns flagged ``pd = direct`` in ``docs/variables.md`` (registry and phase-1 contact update)."""

QUASI_IDENTIFIERS: tuple[str, ...] = ("date_of_birth", "home_rayon")
"""Columns flagged ``pd = quasi`` in ``docs/variables.md``."""

PERSONAL_PATTERNS: dict[str, re.Pattern[str]] = {
    # Kyrgyz numbers: +996 / 996 / 0 followed by 9 digits, any spaces, dashes, dots or brackets
    # between digits (+996 555 12-34-56, 0 (3722) 5-12-34, 0555123456); and any other
    # international number written with "+" and 10-15 digits (+7 912 345 67 89).
    "phone": re.compile(
        r"(?<![\w+])(?:(?:\+?996|0)[ \-.()]*\d(?:[ \-.()]*\d){8}"
        r"|\+\d(?:[ \-.()]*\d){9,14})(?!\d)"
    ),
    "email": re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?!\w)"),
    # @handle as used by Telegram/Instagram/TikTok (3-32 characters); "@" inside an e-mail
    # address is excluded by the look-behind.
    "handle": re.compile(r"(?<![\w.@])@[A-Za-z0-9_][A-Za-z0-9_.]{2,31}(?<!\.)(?![\w@])"),
}
"""Regexes for personal data written into free text; used by :func:`redact_text`."""


# --------------------------------------------------------------------------------------------
# the key
# --------------------------------------------------------------------------------------------
def key_path() -> Path:
    """Default location of the pseudonymisation key file, in the user's config directory.

    Returns
    -------
    Path
        ``$XDG_CONFIG_HOME/tracer/pseudonym.key``, or ``~/.config/tracer/pseudonym.key`` when
        ``XDG_CONFIG_HOME`` is unset (XDG Base Directory Specification 0.8). Never inside the
        repository.
    """
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "tracer" / "pseudonym.key"


def _git_worktree(path: Path) -> Path | None:
    """The git working tree that would contain ``path``, if any."""
    for parent in path.resolve().parents:
        if (parent / ".git").exists():
            return parent
    return None


def init_key(path: str | Path | None = None, force: bool = False) -> Path:
    """Create a new random pseudonymisation key file (32 random bytes, hex, mode 0600).

    Parameters
    ----------
    path
        Where to write it; default :func:`key_path`. A path inside a git working tree is
        refused: the key must never be committed.
    force
        Overwrite an existing key. **Overwriting breaks linkage**: pseudonyms made with the old
        key (earlier cohorts, phase 1 of the current one) no longer match new ones.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ConfigError
        The file exists and ``force`` is false, or the path is inside a git working tree.
    """
    path = Path(path).expanduser() if path is not None else key_path()
    repo = _git_worktree(path)
    if repo is not None:
        raise ConfigError(
            f"{path}: refusing to write the pseudonymisation key inside the git working tree "
            f"{repo} — keys must never be committed; use the default location or another path"
        )
    if path.exists() and not force:
        raise ConfigError(
            f"{path}: a pseudonymisation key already exists — keep it; replacing it breaks the "
            f"linkage of pseudonyms across phases and cohorts (use --force only if the old key "
            f"must be retired)"
        )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(KEY_BYTES) + "\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _parse_key(text: str, source: str) -> bytes:
    text = text.strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise ConfigError(
            f"{source}: the pseudonymisation key is not a hexadecimal string — "
            f"restore the original key file (tracer init-key writes 64 hex characters)"
        ) from None
    if len(key) < _MIN_KEY_BYTES:
        raise ConfigError(
            f"{source}: the pseudonymisation key has {len(key)} bytes, at least "
            f"{_MIN_KEY_BYTES} are required — restore the original key file"
        )
    return key


def load_key() -> bytes:
    """Load the pseudonymisation key: the ``TRACER_PSEUDONYM_KEY`` variable, else the key file.

    Returns
    -------
    bytes
        The key (the hex text decoded; 32 bytes for a key made by :func:`init_key`).

    Raises
    ------
    KeyMissingError
        Neither the variable nor the file :func:`key_path` exists (one-line message).
    ConfigError
        The key is not hex or shorter than 16 bytes.
    """
    env = os.environ.get(KEY_ENV, "").strip()
    if env:
        return _parse_key(env, f"environment variable {KEY_ENV}")
    path = key_path()
    if not path.is_file():
        raise KeyMissingError(
            f"no pseudonymisation key: {path} does not exist and {KEY_ENV} is not set — "
            f"run `tracer init-key` once (then back the key up), or set {KEY_ENV} to the "
            f"team's key"
        )
    if os.name == "posix" and path.stat().st_mode & 0o077:
        warnings.warn(
            f"{path}: the pseudonymisation key is readable by other users; run chmod 600 on it",
            stacklevel=2,
        )
    return _parse_key(path.read_text(encoding="ascii", errors="replace"), str(path))


# --------------------------------------------------------------------------------------------
# pseudonyms
# --------------------------------------------------------------------------------------------
def _normalise_id(value: object) -> str | None:
    """Text form of an id: stripped, case-folded; integral floats lose their ``.0``."""
    if type(value) is str:  # fast path
        text = value.strip().casefold()
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
        return text or None
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer():
            value = int(value)
    text = unicodedata.normalize("NFC", str(value)).strip().casefold()
    return text or None


def pseudonymise(ids: pd.Series, key: bytes, prefix: str = "G") -> pd.Series:
    """Replace ids by keyed pseudonyms: HMAC-SHA256 of the normalised id, 16 hex characters.

    Parameters
    ----------
    ids
        Identifiers (student ids). Each is normalised before hashing: converted to text
        (an integral float such as ``12345678.0`` becomes ``12345678``), Unicode NFC,
        surrounding whitespace stripped, case-folded. Read ids as text: leading zeros lost by
        a spreadsheet cannot be recovered. Missing or blank ids give ``<NA>``.
    key
        The secret key (:func:`load_key`).
    prefix
        Written before the hash with a hyphen (``G-3f9a0c1d2e4b5a69``); ``""`` for none.

    Returns
    -------
    pd.Series
        Pseudonyms (string dtype) with the index of ``ids``. The same id and key always give
        the same pseudonym; a different key gives unrelated pseudonyms.

    Notes
    -----
    HMAC-SHA256 per RFC 2104 / FIPS 198-1, truncated to its first 64 bits (16 hex
    characters; truncation as allowed by NIST SP 800-107 §5.3.3). By the birthday bound the
    probability that two of *n* distinct ids share a pseudonym is about n²/2⁶⁵: 7·10⁻¹³ for
    5,000 graduates, 3·10⁻⁸ for a million. A collision among the ids of one call is
    nevertheless checked and raised as an error. One million distinct ids take 2-3 s
    (the HMAC inner/outer states are computed once and copied; each distinct id is hashed once).
    """
    if not isinstance(key, (bytes, bytearray)) or len(key) == 0:
        raise ConfigError("pseudonymise: the key must be non-empty bytes (see load_key())")
    block = 64  # SHA-256 block size in bytes
    k = hashlib.sha256(key).digest() if len(key) > block else bytes(key)
    k = k.ljust(block, b"\0")
    inner0 = hashlib.sha256(bytes(b ^ 0x36 for b in k))
    outer0 = hashlib.sha256(bytes(b ^ 0x5C for b in k))
    head = f"{prefix}-" if prefix else ""

    codes, uniques = pd.factorize(ids.to_numpy(dtype=object, na_value=None), use_na_sentinel=True)
    icopy, ocopy, na = inner0.copy, outer0.copy, pd.NA
    cache: dict[str, str] = {}
    table: list[object] = []
    for norm in map(_normalise_id, uniques):
        if norm is None:
            table.append(na)
            continue
        code = cache.get(norm)
        if code is None:
            inner = icopy()
            inner.update(norm.encode("utf-8"))
            outer = ocopy()
            outer.update(inner.digest())
            code = cache[norm] = head + outer.hexdigest()[:16]
        table.append(code)
    if len(set(cache.values())) != len(cache):
        raise ValueError(
            "pseudonymise: two different ids share a 64-bit pseudonym (probability ~1e-12); "
            "use a longer truncation for this data set"
        )
    table.append(na)  # code -1 (missing id) picks this
    out = np.array(table, dtype=object)[codes]
    return pd.Series(out, index=ids.index, name=ids.name, dtype="string")


# --------------------------------------------------------------------------------------------
# dropping and redacting
# --------------------------------------------------------------------------------------------
def redact_text(text: pd.Series) -> pd.Series:
    """Replace phones, e-mail addresses and @handles in free text by ``[phone]`` etc.

    Parameters
    ----------
    text
        Free-text answers (e.g. ``strengths``, ``suggestions``, ``job_title``).

    Returns
    -------
    pd.Series
        The same values with every :data:`PERSONAL_PATTERNS` match replaced; missing stays
        missing.
    """
    out = text.astype("string")
    for kind in ("email", "phone", "handle"):  # e-mail first: it contains "@"
        out = out.str.replace(PERSONAL_PATTERNS[kind], f"[{kind}]", regex=True)
    return out


def drop_personal(
    df: pd.DataFrame,
    personal_columns: Iterable[str] = DIRECT_IDENTIFIERS,
    *,
    redact_free_text: bool = True,
) -> pd.DataFrame:
    """Drop direct-identifier columns and redact personal patterns in the remaining text.

    Parameters
    ----------
    df
        A table from ``data/raw`` (registry or phase export). Pseudonymise ``student_id``
        first: it is dropped here.
    personal_columns
        Columns to drop (default :data:`DIRECT_IDENTIFIERS`); names absent from ``df`` are
        ignored.
    redact_free_text
        Also pass every remaining text column through :func:`redact_text`.

    Returns
    -------
    pd.DataFrame
        A copy; ``attrs["dropped_personal"]`` lists the dropped columns and
        ``attrs["redacted"]`` the number of redacted cells per column.
    """
    drop = [c for c in dict.fromkeys(personal_columns) if c in df.columns]
    out = df.drop(columns=drop).copy()
    redacted: dict[str, int] = {}
    if redact_free_text:
        for col in out.columns:
            s = out[col]
            if not (pd.api.types.is_string_dtype(s) or s.dtype == object):
                continue
            is_text = s.map(lambda v: isinstance(v, str), na_action="ignore").fillna(False)
            if not bool(is_text.any()):
                continue
            new = s.copy()
            new[is_text.astype(bool)] = redact_text(s[is_text.astype(bool)].astype("string"))
            changed = int((new[is_text.astype(bool)] != s[is_text.astype(bool)]).sum())
            if changed:
                out[col] = new
                redacted[str(col)] = changed
    out.attrs["dropped_personal"] = drop
    out.attrs["redacted"] = redacted
    return out


# --------------------------------------------------------------------------------------------
# k-anonymity
# --------------------------------------------------------------------------------------------
def k_anonymity(df: pd.DataFrame, quasi_identifiers: Iterable[str], k: int = 5) -> pd.DataFrame:
    """Combinations of quasi-identifiers shared by fewer than ``k`` records.

    Parameters
    ----------
    df
        Microdata, one row per person.
    quasi_identifiers
        Columns an outsider could know (e.g. faculty, programme, sex, cohort, region).
    k
        Minimum group size (Sweeney 2002, "k-anonymity"; 3 or 5 usual for released microdata).

    Returns
    -------
    pd.DataFrame
        One row per offending combination: the quasi-identifier columns and ``n`` (its size),
        smallest groups first. Empty when ``df`` is k-anonymous. Missing values form their own
        group.
    """
    qi = list(quasi_identifiers)
    missing = [c for c in qi if c not in df.columns]
    if missing:
        raise ValueError(f"k_anonymity: columns not in the table: {', '.join(missing)}")
    if not qi:
        raise ValueError("k_anonymity: give at least one quasi-identifier")
    if k < 1:
        raise ValueError("k_anonymity: k must be at least 1")
    sizes = df.groupby(qi, dropna=False, observed=True, sort=True).size().rename("n")
    small = sizes[sizes < k].reset_index()
    return small.sort_values(["n", *qi], kind="stable", na_position="last").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# scanning
# --------------------------------------------------------------------------------------------
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
# A number of at least 7 digits, possibly split by spaces, dashes or brackets (phones), not
# touching letters (hex pseudonyms) and not the fraction of a decimal number (0.5012345678).
_DIGIT_RUN = re.compile(
    r"(?<![0-9A-Za-z])(?<!\d[.,])\+?\d(?:[ \-()]{0,2}\d){%d,}(?![0-9A-Za-z])" % (_MIN_DIGITS - 1)
)
_TOKEN = re.compile(r"\w+")
_NON_DIGIT = re.compile(r"\D")
_PHONE_LIKE = re.compile(r"^\+?[\d \-.()]+$")


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
        segs.append((f"cell {i}", html.unescape("\n".join(parts))))
    return segs


def _join(x: object) -> str:
    if isinstance(x, list):
        return "".join(str(v) for v in x)
    return "" if x is None else str(x)


def _frame_segments(df: pd.DataFrame) -> list[tuple[str | None, str]]:
    """Cells as text, one segment per column. Numeric columns keep only integral values of
    7 or more digits (the only numbers that can be a phone or a student id), which keeps
    the scan fast and free of false alarms from long decimals."""
    segs: list[tuple[str | None, str]] = [("column names", "\n".join(map(str, df.columns)))]
    if not isinstance(df.index, pd.RangeIndex):
        segs.append(("index", "\n".join(map(str, df.index))))
    floor = 10 ** (_MIN_DIGITS - 1)
    for col in df.columns:
        values = df[col].dropna()
        if pd.api.types.is_bool_dtype(values.dtype) or not len(values):
            continue
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
            import openpyxl

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
            return [(None, html.unescape(text))]
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


def _trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, organised as a trie so that ``re`` branches on one
    character at a time (thousands of literals searched in one pass)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        alts = [re.escape(ch) + build(node[ch]) for ch in sorted(node) if ch != ""]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if end:
            body = ("(?:" + body + ")" if len(alts) == 1 and len(body) > 1 else body) + "?"
        return body

    return build(trie)


def _text_variants(value: str, kind: str) -> list[str]:
    """Normalised search strings for one non-numeric personal value."""
    v = _norm_text(value).strip()
    if "handle" in kind or v.startswith("@"):
        v = v.rstrip("/").rsplit("/", 1)[-1].lstrip("@")  # instagram.com/name, @name → name
        return [v]
    out = [v]
    words = v.split(" ")
    if "@" not in v and len(words) >= 2:  # names: "Surname Given …" also as "Given Surname"
        out += [f"{words[0]} {words[1]}", f"{words[1]} {words[0]}"]
    return out


def scan_for_personal_data(
    paths: Iterable[str | Path],
    values: Iterable[str] | Mapping[str, Iterable[str]],
    min_len: int = 5,
    *,
    patterns: bool = False,
) -> list[Hit]:
    """Find personal values (from the raw registry) in processed data, notebooks and reports.

    Parameters
    ----------
    paths
        Files or directories (searched recursively). Read: text, csv, json, ipynb (sources,
        outputs and metadata; images skipped), html/xml/svg (entities decoded), md, parquet,
        feather, xlsx (openpyxl, cached values), sav, dta. Binary formats (images, PDF,
        archives) are not scanned; see :func:`collect_files`.
    values
        The personal values: an iterable of strings (their kind is guessed: name, e-mail,
        handle, phone, id) or a mapping kind → strings (e.g. column → values from
        :func:`personal_values`).
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
        sorted by file, kind and value. Matching is case-insensitive and ignores
        whitespace differences; a name is also searched by its first two words in either
        order; phones are matched on their last 9 digits whatever the prefix (+996, 0) and
        separators; digit values must not touch letters (so hex pseudonyms never match).
    """
    items: Iterable[tuple[str, str]]
    if isinstance(values, Mapping):
        items = ((str(kind), v) for kind, vs in values.items() for v in vs)
    else:
        items = ((_infer_kind(str(v)), v) for v in values)

    text_index: dict[str, tuple[set[str], str]] = {}  # needle -> (kinds, original)
    digit_index: dict[int, dict[str, tuple[set[str], str]]] = defaultdict(dict)
    min_digits = max(min_len, _MIN_DIGITS)
    for kind, raw in items:
        if raw is None or (isinstance(raw, float) and raw != raw):
            continue
        v = str(raw).strip()
        if not v or v.casefold() in _PLACEHOLDERS or not any(ch.isalnum() for ch in v):
            continue
        phone_like = bool(_PHONE_LIKE.match(v)) and not v.startswith("@")
        if "phone" in kind and not phone_like:
            continue  # "нет телефона" in a phone column is not a value to look for
        if "email" in kind and "@" not in v:
            continue
        if phone_like:
            digits = _NON_DIGIT.sub("", v)
            needle = digits[-9:]
            if len(needle) >= min_digits:
                entry = digit_index[len(needle)].setdefault(needle, (set(), v))
                entry[0].add(kind)
            continue
        for needle in _text_variants(v, kind):
            if len(needle) >= min_len:
                entry = text_index.setdefault(needle, (set(), v))
                entry[0].add(kind)

    # names, e-mails, handles: a candidate filter on the first word of each needle (a set
    # intersection with the words of the text), then one trie regex over the few candidates
    by_first: dict[str, list[str]] = defaultdict(list)
    for needle in text_index:
        first = _TOKEN.search(needle)
        by_first[first.group(0) if first else ""].append(needle)
    always = by_first.pop("", [])
    regex_cache: dict[tuple[str, ...], re.Pattern[str]] = {}

    def text_regex(cands: tuple[str, ...]) -> re.Pattern[str]:
        rx = regex_cache.get(cands)
        if rx is None:
            rx = regex_cache[cands] = re.compile(
                r"(?<!\w)(?:" + _trie_pattern(cands) + r")(?!\w)"
            )
        return rx

    scannable, _skipped = collect_files(paths)
    found: dict[tuple[Path, str, str], list] = {}  # (file, kind, clear value) -> [count, where]

    def record(path: Path, kind: str, value: str, location: str | None, n: int = 1) -> None:
        entry = found.setdefault((path, kind, value), [0, location])
        entry[0] += n

    for path in scannable:
        for location, text in _file_segments(path):
            if text_index:
                norm = _norm_text(text)
                firsts = by_first.keys() & set(_TOKEN.findall(norm))
                cands = tuple(sorted(always + [n for f in firsts for n in by_first[f]]))
                if cands:
                    for m in text_regex(cands).finditer(norm):
                        kinds, original = text_index[m.group(0)]
                        kind = "/".join(sorted(kinds))
                        record(path, kind, original, location)
            if digit_index:
                runs: dict[str, int] = defaultdict(int)
                for m in _DIGIT_RUN.finditer(text):
                    runs[m.group(0)] += 1
                digit_runs: dict[str, int] = defaultdict(int)
                for run, times in runs.items():
                    digit_runs[_NON_DIGIT.sub("", run)] += times
                for d, times in digit_runs.items():
                    for length, needles in digit_index.items():
                        hit = next(
                            (needles[g] for i in range(len(d) - length + 1)
                             if (g := d[i : i + length]) in needles),
                            None,
                        )  # fmt: skip
                        if hit is not None:
                            kind = "/".join(sorted(hit[0]))
                            record(path, kind, hit[1], location, times)
                            break
            if patterns:
                for pkind in ("phone", "email"):
                    for m in PERSONAL_PATTERNS[pkind].finditer(text):
                        record(path, f"pattern:{pkind}", m.group(0), location)

    return [
        Hit(file=p, kind=k, masked=mask_value(value), count=c, location=loc)
        for (p, k, value), (c, loc) in sorted(found.items(), key=lambda kv: (str(kv[0][0]), *kv[0][1:]))
    ]


def _value_text(value: object) -> str | None:
    """A cell as stripped text; integral floats (12345678.0 from a spreadsheet) lose ``.0``."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        if value != value:
            return None
        if value.is_integer():
            value = int(value)
    return str(value).strip() or None


def personal_values(
    df: pd.DataFrame, columns: Iterable[str] = DIRECT_IDENTIFIERS
) -> dict[str, list[str]]:
    """The personal values of a raw table, by column, for :func:`scan_for_personal_data`.

    Returns
    -------
    dict
        Column → distinct non-blank values (stripped text), for the ``columns`` present in
        ``df`` (default :data:`DIRECT_IDENTIFIERS`).
    """
    out: dict[str, list[str]] = {}
    for col in columns:
        if col not in df.columns:
            continue
        clean = sorted({t for t in map(_value_text, df[col].tolist()) if t})
        if clean:
            out[col] = clean
    return out

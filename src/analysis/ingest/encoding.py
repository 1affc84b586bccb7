"""Text encoding and delimiter policy for CSV inputs, and the lost-Kyrgyz-letter check.

Policy (``docs/architecture.md``, ``docs/ingestion.md``):

1. A file is decoded as strict UTF-8, with or without a byte-order mark (``utf-8-sig``).
2. Only when that fails **and** an ``encoding`` is configured for the file (e.g. ``cp1251``) is the
   configured encoding used, strictly, and a warning notice says so.
3. UTF-16/UTF-32 (recognised by their byte-order mark) is read only when configured as such;
   otherwise the file is rejected with the fix. A file configured as UTF-16/32 without a BOM is
   decoded with the configured codec (it would otherwise pass as UTF-8 full of NUL characters,
   which the CSV reader rejects).
4. Windows-1251 (and KOI8-R, ISO-8859-5, CP866) cannot hold the Kyrgyz letters ң ө ү Ң Ө Ү. A file
   that decodes but shows the traces of their loss — a ``?`` directly followed by a Cyrillic letter
   (``?рөө``, ``ме?ин``), or the KZ-1048-read-as-cp1251 look-alikes ``ѕ ґ ї Ѕ Ґ Ї`` — is flagged
   by :func:`lost_letters` (the readers turn it into an error unless ``allow_lost_letters``).

Delimiters are declared, or detected from the header line by the rule in :func:`detect_delimiter`.
charset-normalizer, when importable, only contributes a *hint* to the error message.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import InputError

DELIMITERS: tuple[str, ...] = (";", ",", "\t", "|")
"""Candidate delimiters, in the order used to break ties."""

_DELIM_NAMES = {";": "semicolon ';'", ",": "comma ','", "\t": "tab", "|": "pipe '|'"}

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_CYR = "\u0400-\u04ff"
_QMARK_IN_WORD = re.compile(rf"\?(?=[{_CYR}])")
"""A question mark directly followed by a Cyrillic letter: a letter replaced by '?' on encoding."""
MOJIBAKE_KZ1048 = "ѕґїЅҐЇ"
"""ң ө ү Ң Ө Ү encoded in KZ-1048 (0xBE 0xB4 0xBF 0xBD 0xA5 0xAF) and decoded as cp1251."""
_MOJIBAKE = re.compile(f"[{MOJIBAKE_KZ1048}]")


@dataclass(frozen=True)
class Decoded:
    """A decoded text file: the text, the encoding actually used, and whether a BOM was present."""

    text: str
    encoding: str
    bom: bool
    fallback: bool
    """True when the configured fallback encoding (not UTF-8) was used."""


def _canonical(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()


def _utf8_error_position(data: bytes, exc: UnicodeDecodeError) -> tuple[int, int]:
    """Line (1-based physical line) and byte offset of a decoding error."""
    return data.count(b"\n", 0, exc.start) + 1, exc.start


def _charset_hint(data: bytes) -> str:
    """A guess from charset-normalizer (if installed) for the error message; never used to decode."""
    try:  # lazy and optional: charset-normalizer is not a declared dependency (present through other packages)
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - optional
        return ""
    try:
        best = from_bytes(data[:65536]).best()
    except Exception:  # pragma: no cover - a hint must never fail the read
        return ""
    if best is None or not best.encoding:
        return ""
    return f" (charset-normalizer guesses {best.encoding}, an unreliable hint)"


def decode_bytes(data: bytes, file: str | Path, encoding: str | None = None) -> Decoded:
    """Decode the bytes of a text file by the project's encoding policy.

    Parameters
    ----------
    data : the raw bytes of the file.
    file : the file name, for messages.
    encoding : the fallback configured for this file (Python codec name, e.g. ``cp1251``,
        ``utf-16``), or None.

    Returns
    -------
    Decoded
        The text (BOM removed) and the encoding used.

    Raises
    ------
    InputError
        UTF-16/32 without configuration, invalid UTF-8 without a configured fallback, or bytes the
        configured fallback cannot decode either.
    """
    configured = _canonical(encoding) if encoding else None
    for bom, family in _BOMS:
        if data.startswith(bom):
            if configured and configured.replace("_", "-").startswith(family):
                try:
                    return Decoded(data.decode(family), family, True, True)
                except UnicodeDecodeError as exc:
                    raise InputError(file, f"not valid {family.upper()} at byte {exc.start}",
                                     fix="re-save the file as UTF-8") from None
            raise InputError(
                file, f"the file is {family.upper()} (it starts with a {family.upper()} byte-order mark)",
                fix=f"re-save it as 'CSV UTF-8', or declare encoding: {family} for this file")
    if configured and configured.replace("_", "-").startswith(("utf-16", "utf-32")):
        # UTF-16/32 without a BOM looks like UTF-8 with NUL bytes: take the declared encoding
        try:
            return Decoded(data.decode(configured), configured, False, True)
        except UnicodeDecodeError as exc:
            raise InputError(file, f"not valid {encoding} at byte {exc.start}",
                             fix="check the declared encoding, or re-save the file as 'CSV UTF-8'") from None
    try:
        text = data.decode("utf-8-sig")
        return Decoded(text, "utf-8", data.startswith(codecs.BOM_UTF8), False)
    except UnicodeDecodeError as exc:
        line, pos = _utf8_error_position(data, exc)
        utf8_problem = f"not valid UTF-8 (first bad byte 0x{data[pos]:02X} on line {line})"
    if not configured or configured in ("utf-8", "utf_8", "utf-8-sig", "utf_8_sig"):
        raise InputError(
            file, utf8_problem + _charset_hint(data),
            fix="re-save it as 'CSV UTF-8', or declare its encoding (e.g. --encoding cp1251 / "
                "encoding: cp1251 in the cohort file)")
    try:
        text = data.decode(configured)
    except UnicodeDecodeError as exc:
        line, _ = _utf8_error_position(data, exc)
        raise InputError(file, f"{utf8_problem}, and not valid {encoding} either (line {line})"
                         + _charset_hint(data),
                         fix="check the declared encoding, or re-save the file as 'CSV UTF-8'") from None
    except LookupError:
        raise InputError(file, f"unknown encoding '{encoding}'",
                         fix="use a Python codec name such as cp1251, kz1048, utf-16") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return Decoded(text, encoding, False, True)


def lost_letters(text: str) -> str | None:
    """Return a short description of the first trace of lost Kyrgyz letters in ``text``, or None.

    Traces: a ``?`` directly followed by a Cyrillic letter (cp1251 replaced ң/ө/ү by
    ``?``), or one of ``ѕ ґ ї Ѕ Ґ Ї`` (KZ-1048 bytes of ң ө ү Ң Ө Ү read as cp1251).
    A ``?`` at the end of a word (an ordinary question mark) is not a trace.
    """
    m = _QMARK_IN_WORD.search(text)
    if m:
        start = max(0, m.start() - 8)
        return f"'?' inside a Cyrillic word ('{text[start:m.end() + 8].strip()}')"
    m = _MOJIBAKE.search(text)
    if m:
        start = max(0, m.start() - 8)
        return (f"'{m.group()}' (a KZ-1048 Kyrgyz letter read as cp1251) in "
                f"'{text[start:m.end() + 8].strip()}'")
    return None


def first_record_line(text: str) -> str:
    """The first CSV record of ``text`` (may span physical lines inside double quotes)."""
    in_quotes = False
    for i, ch in enumerate(text):
        if ch == '"':
            in_quotes = not in_quotes
        elif ch in "\r\n" and not in_quotes:
            return text[:i]
    return text


def count_outside_quotes(line: str, ch: str) -> int:
    """How often ``ch`` occurs in ``line`` outside double-quoted fields."""
    n, in_quotes = 0, False
    for c in line:
        if c == '"':
            in_quotes = not in_quotes
        elif c == ch and not in_quotes:
            n += 1
    return n


def detect_delimiter(text: str, file: str | Path) -> str:
    """Detect the delimiter of a CSV text from its header record.

    Rule: among ``;`` ``,`` tab ``|``, the one that occurs most often **outside double quotes** in
    the header record; ties go to the earlier candidate in that order (``;`` first, the Kobo and
    Russian-locale Excel convention). A header with none of them is an error (a one-column file
    cannot be a questionnaire export).
    """
    header = first_record_line(text)
    counts = {d: count_outside_quotes(header, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))
    if counts[best] == 0:
        raise InputError(file, "cannot detect the delimiter: the header line contains none of ; , tab |",
                         row=1, fix="check that this is a CSV export, or declare delimiter: for the file")
    return best


def delimiter_name(delimiter: str) -> str:
    """Human name of a delimiter for messages."""
    return _DELIM_NAMES.get(delimiter, repr(delimiter))

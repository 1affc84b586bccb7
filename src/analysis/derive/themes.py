"""Free text coded by editable trilingual dictionaries: themes of the open answers, specialties employers need.

Two dictionaries in ``definitions/`` (edited by the expert group; ``docs/employers.md``):

* ``themes.yaml`` — themes of the graduates' strengths / weaknesses / suggestions and of the employers'
  curriculum suggestions. An answer belongs to **every** theme with a matching keyword (multi-label);
  an answer with none is *uncoded*.
* ``specialties.yaml`` — the specialties and occupations employers list as needed in three years
  (``need_3y_specialty``, ``need_3y_profession``), each with its ISCO-08 sub-major group and the programmes
  that train for it. A listed item is coded to the **first** matching entry (specific entries first).

Matching (both): text lower-cased, ``ё`` read as ``е``, cut into words (letters and digits); a keyword
matches when each of its words is the *beginning* of consecutive words of the text — keywords are stems,
so Kyrgyz and Russian case endings need no list of forms.

Demand split: an employer's ``need_3y_n`` (one total) is split **equally** over the items it listed
(:func:`allocate_demand`) — an assumption the report states, with the share of demand that could not be
coded (items matching no entry, or a need without any item).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from analysis.core.i18n import LANGS
from analysis.core.paths import DEFINITIONS
from analysis.errors import ConfigError

__all__ = [
    "OPEN_QUESTIONS",
    "UNCODED",
    "Entry",
    "allocate_demand",
    "code_answers",
    "code_item",
    "load_specialties",
    "load_themes",
    "matches",
    "split_list",
    "words",
]

THEMES_FILE = DEFINITIONS / "themes.yaml"
SPECIALTIES_FILE = DEFINITIONS / "specialties.yaml"
OPEN_QUESTIONS: tuple[str, ...] = ("strengths", "weaknesses", "suggestions", "curriculum_suggestions")
"""The open questions coded into themes: phase 2's three (graduates) and the employers' curriculum suggestions."""
UNCODED = "uncoded"
"""The code of an answer (or a listed specialty) that no dictionary entry matches."""

_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: Any) -> list[str]:
    """The words of ``text``, lower-cased with ``ё`` read as ``е`` (an empty list for a missing value)."""
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return []
    return _WORD.findall(str(text).lower().replace("ё", "е"))


@lru_cache(maxsize=4096)
def _keyword_words(keyword: str) -> tuple[str, ...]:
    """The words of a dictionary stem (:func:`words`), split once per stem rather than once per answer."""
    return tuple(words(keyword))


def matches(text_words: Sequence[str], keyword: str) -> bool:
    """Whether ``keyword`` (one or more stems) matches: each of its words begins consecutive words of the text."""
    kw = _keyword_words(keyword)
    if not kw:
        return False
    k = len(kw)
    return any(all(text_words[i + j].startswith(kw[j]) for j in range(k)) for i in range(len(text_words) - k + 1))


@dataclass(frozen=True)
class Entry:
    """One dictionary entry: its code, labels (ky/ru/en), stems per language and (specialties) ISCO and
    programmes, (themes) the questions it applies to."""

    code: str
    label: Mapping[str, str]
    stems: Mapping[str, tuple[str, ...]]
    isco: str = ""
    programmes: tuple[str, ...] = ()
    questions: tuple[str, ...] = OPEN_QUESTIONS

    @property
    def isco_major(self) -> str:
        """The ISCO-08 major group (first digit of the sub-major group)."""
        return self.isco[:1]

    def hits(self, text_words: Sequence[str]) -> bool:
        """Whether any stem of any language matches the text's words."""
        return any(matches(text_words, s) for lang in self.stems for s in self.stems[lang])


def _load(path: Path, key: str) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the dictionary ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise ConfigError(f"{path}{f', line {line + 1}' if line is not None else ''}: not valid YAML") from None
    entries = data.get(key) if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise ConfigError(f"{path}: needs a mapping '{key}:' of entries")
    out = []
    for code, raw in entries.items():
        where = f"{path}: {key}.{code}"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(code)) or code == UNCODED:
            raise ConfigError(f"{where}: a code is lower-case letters, digits and _ (not '{UNCODED}')")
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: must be a mapping with label and stems")
        label = raw.get("label")
        if not isinstance(label, dict) or any(not str(label.get(lang) or "").strip() for lang in LANGS):
            raise ConfigError(f"{where}: label needs text in {', '.join(LANGS)}")
        stems = raw.get("stems")
        if not isinstance(stems, dict) or not stems or any(lang not in LANGS for lang in stems):
            raise ConfigError(f"{where}: stems must map languages ({', '.join(LANGS)}) to keyword lists")
        for lang, kws in stems.items():
            if not isinstance(kws, list) or not kws or any(not words(k) for k in kws):
                raise ConfigError(f"{where}: stems.{lang} must be a non-empty list of keywords")
            short = [k for k in kws if len(words(k)) == 1 and len(words(k)[0]) < 2]
            if short:
                raise ConfigError(f"{where}: stems.{lang} keyword {short[0]!r} is shorter than 2 letters "
                                  "(it would catch unrelated words)")
        out.append({"code": str(code), "label": {lang: str(label[lang]) for lang in LANGS},
                    "stems": {lang: tuple(str(k) for k in kws) for lang, kws in stems.items()}, "raw": raw,
                    "where": where})
    return out


@lru_cache(maxsize=4)
def _themes(path: str) -> tuple[Entry, ...]:
    out = []
    for e in _load(Path(path), "themes"):
        qs = e["raw"].get("questions", list(OPEN_QUESTIONS))
        if not isinstance(qs, list) or any(q not in OPEN_QUESTIONS for q in qs):
            raise ConfigError(f"{e['where']}: questions must be a list of {', '.join(OPEN_QUESTIONS)}")
        out.append(Entry(e["code"], e["label"], e["stems"], questions=tuple(qs)))
    return tuple(out)


def load_themes(path: str | Path | None = None) -> tuple[Entry, ...]:
    """The theme dictionary (``definitions/themes.yaml``), checked: one-line :class:`ConfigError` naming the
    file, the entry and the problem."""
    return _themes(str(path or THEMES_FILE))


@lru_cache(maxsize=4)
def _specialties(path: str, programmes: tuple[tuple[str, str], ...]) -> tuple[Entry, ...]:
    known = dict(programmes)
    out = []
    for e in _load(Path(path), "specialties"):
        isco = str(e["raw"].get("isco", ""))
        if not re.fullmatch(r"[0-9]{2}", isco):
            raise ConfigError(f"{e['where']}: isco must be an ISCO-08 sub-major group of two digits, e.g. '23'")
        progs = e["raw"].get("programmes", [])
        if not isinstance(progs, list):
            raise ConfigError(f"{e['where']}: programmes must be a list of programme codes ([] for none)")
        for p in progs:
            if known and p not in known:
                raise ConfigError(f"{e['where']}: programme {p!r} is not in programmes.csv")
            if known and isco not in known[p].split(";"):
                raise ConfigError(f"{e['where']}: programme {p} does not list ISCO {isco} in its expected_isco "
                                  f"({known[p]}) — fix the crosswalk or the entry")
        out.append(Entry(e["code"], e["label"], e["stems"], isco=isco, programmes=tuple(str(p) for p in progs)))
    return tuple(out)


def load_specialties(path: str | Path | None = None,
                     programmes: pd.DataFrame | None = None) -> tuple[Entry, ...]:
    """The specialty dictionary (``definitions/specialties.yaml``), checked against the programme crosswalk
    (``programmes``: the table of ``programmes.csv`` with ``programme`` and ``expected_isco``; every programme
    an entry names must exist and list the entry's ISCO sub-major group)."""
    pairs: tuple[tuple[str, str], ...] = ()
    if programmes is not None and {"programme", "expected_isco"} <= set(programmes.columns):
        pairs = tuple(zip(programmes["programme"].astype(str), programmes["expected_isco"].astype(str).fillna("")))
    return _specialties(str(path or SPECIALTIES_FILE), pairs)


def split_list(text: Any) -> list[str]:
    """A free-text list ("Юрист, Логист; Фармацевт") as its items: split at commas, semicolons and line
    breaks outside brackets ("Мугалим (математика, англис тили)" stays one item); empty items dropped."""
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return []
    items, depth, cur = [], 0, []
    for ch in str(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        if ch in ",;\n" and depth == 0:
            items.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    items.append("".join(cur))
    return [i.strip() for i in items if words(i)]


def code_item(item: str, entries: Iterable[Entry]) -> str:
    """The code of the first entry matching ``item`` (:data:`UNCODED` when none does)."""
    w = words(item)
    return next((e.code for e in entries if e.hits(w)), UNCODED)


def code_answers(answers: pd.Series, entries: Iterable[Entry], question: str) -> pd.DataFrame:
    """Themes of open answers: one boolean column per theme that applies to ``question`` plus
    :data:`UNCODED`; rows of people who wrote nothing (missing or blank) are all missing (NA), so shares
    are of those who answered.
    """
    themes = [e for e in entries if question in e.questions]
    toks = [tuple(words(x)) for x in answers.astype(object)]
    answered = np.array([bool(t) for t in toks], dtype=bool)
    out = pd.DataFrame(index=answers.index)
    coded: dict[tuple[str, ...], tuple[bool, ...]] = {}  # the same words are coded once (answers repeat)
    rows = [coded[t] if t in coded else coded.setdefault(t, tuple(e.hits(t) for e in themes)) for t in toks]
    for j, e in enumerate(themes):
        out[e.code] = [r[j] for r in rows]
    out[UNCODED] = ~out.any(axis=1) if themes else True
    out = out.astype("boolean")
    out.loc[~answered] = pd.NA
    return out


def allocate_demand(employers: pd.DataFrame, entries: Sequence[Entry], total: str = "need_3y_n",
                    lists: tuple[str, ...] = ("need_3y_specialty", "need_3y_profession")) -> pd.DataFrame:
    """Each employer's need in three years split equally over the specialties it listed.

    The items are those of the first non-empty column of ``lists`` (the specialties; the occupations when
    no specialty is listed). Each item gets ``need / k`` (``k`` items), coded to a dictionary entry
    (:func:`code_item`); an item matching none, or a need with no item listed, goes to :data:`UNCODED`.

    Returns
    -------
    DataFrame
        One row per employer × code with a positive amount: ``employer`` (the employers' index label),
        ``specialty`` (entry code or ``uncoded``), ``isco_major`` (its ISCO-08 major group, ``uncoded``),
        ``need`` (staff, possibly fractional). Employers with no or zero need have no row.
    """
    by_code = {e.code: e for e in entries}
    coded: dict[str, str] = {}  # each distinct item coded once (specialties repeat across employers)
    rows = []
    need = pd.to_numeric(employers[total], errors="coerce") if total in employers else pd.Series(dtype=float)
    for idx, n in need.items():
        if not np.isfinite(n) or n <= 0:
            continue
        items: list[str] = []
        for col in lists:
            if col in employers:
                items = split_list(employers.at[idx, col])
                if items:
                    break
        codes = [coded[i] if i in coded else coded.setdefault(i, code_item(i, entries)) for i in items] or [UNCODED]
        share: dict[str, float] = {}
        for c in codes:
            share[c] = share.get(c, 0.0) + float(n) / len(codes)
        for c, amount in share.items():
            rows.append({"employer": idx, "specialty": c,
                         "isco_major": by_code[c].isco_major if c in by_code else UNCODED, "need": amount})
    return pd.DataFrame(rows, columns=["employer", "specialty", "isco_major", "need"])

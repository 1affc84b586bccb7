"""The codebook of an instrument for reading exports: names, group paths and labels in ky/ru/en back to codes.

One job: the lookups that map what an export shows — question names (any case, with or without a group
path), question labels and choice labels in any of the three form languages — back to the XLSForm's names
and codes (:class:`Codebook`). The XLSForm itself is read by :mod:`analysis.instruments.xlsform`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from analysis.core.i18n import LANGS
from analysis.ingest.cells import norm_key


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

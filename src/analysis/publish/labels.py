"""Labels of codes and variables in Kyrgyz, Russian and English: one place for the whole project.

Where a label comes from:

* **questionnaire items** (registry, phase 1, phase 2, employer): the XLSForms in
  ``questionnaires/`` (question text and choice labels, :mod:`analysis.instruments.xlsform`);
* **programme** and **faculty**: ``definitions/programmes.csv`` and ``definitions/faculties.csv``
  (columns ``name_ky``, ``name_ru``, ``name_en``);
* **derived variables** of the graduates table (:data:`analysis.derive.graduates.DERIVED_COLUMNS`): the label
  catalogue ``definitions/labels.yaml`` (:data:`DERIVED_VARIABLE_LABELS`, :data:`DERIVED_VALUE_LABELS`).
  The labour-status values reuse the report's message catalogue (``definitions/messages/*.yaml``). A derived column
  missing from the table falls back to the label of the indicator that reads it
  (``definitions/indicators.yaml``).

Code lists become pandas ``Categorical`` columns whose categories are the labels, in the list's
order. They are *ordered* where the codes are ordered: 5-point scales, study level, work during
studies, firm size, and the derived ordinal variables (labour status, NACE outcome, skill level,
income band, vertical match, degree effectiveness). Typical use::

    from analysis.publish.labels import label_values, column_labels
    shown = label_values(graduates, "ky")                # codes → Kyrgyz labels
    shown = shown.rename(columns=column_labels(shown.columns, "ky"))

Everything is cached: the four forms are read once per process (about 0.6–0.9 s), then labelling a
2 000 × 160 table takes a fraction of a second.
"""

from __future__ import annotations

import csv
import os
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import yaml

from analysis.core.i18n import LANGS, catalogue, check_lang
from analysis.core.paths import DEFINITIONS, ROOT_ENV, SOURCE_ROOT
from analysis.core.paths import project_root as _root
from analysis.core.vocabulary import INSTRUMENTS
from analysis.derive.graduates import CROSSWALK_KEEP, DERIVED_COLUMNS, FLAG_COLUMNS
from analysis.derive.labour import LABOUR_STATUS
from analysis.derive.registry import load_registry
from analysis.errors import ConfigError, user_stacklevel
from analysis.instruments.xlsform import load_instrument, pick_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "LANGS",
    "INSTRUMENT_ORDER",
    "ORDERED_LISTS",
    "DERIVED_VARIABLE_LABELS",
    "DERIVED_VALUE_LABELS",
    "LabelWarning",
    "ValueSpec",
    "label_values",
    "column_labels",
    "value_label",
    "value_spec",
    "variable_source",
    "forms_dir",
]

#: where an unprefixed column name is looked up, in this order (the graduates table's own order)
INSTRUMENT_ORDER = INSTRUMENTS
#: choice lists whose codes are ordered (every other list is nominal: categories keep form order)
ORDERED_LISTS = frozenset({"scale5", "level", "worked_studies", "size_band"})
#: prefixes the graduates table gives to items asked in both phases (``p1_consent``, ``p2_mode``)
PHASE_PREFIX = {"p1_": "phase1", "p2_": "phase2"}
_MULTI_SEP = "; "


class LabelWarning(UserWarning):
    """A value could not be labelled (an unknown code in an ordered list); it was set missing."""


LABELS_FILE = DEFINITIONS / "labels.yaml"
"""The labels of the columns and codes no questionnaire defines (variables, values, competence gap, phase)."""


def _load_labels(path: Path = LABELS_FILE) -> dict[str, Any]:
    """Read ``definitions/labels.yaml``; every label must have text in ky, ru and en (one-line ConfigError)."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the label catalogue ({' '.join(str(exc).split())})") from exc

    def check(texts: Any, where: str) -> dict[str, str]:
        if not isinstance(texts, dict) or any(not str(texts.get(lang) or "").strip() for lang in LANGS):
            raise ConfigError(f"{path}: {where} needs non-empty ky, ru and en labels")
        return {lang: str(texts[lang]) for lang in LANGS}

    return {
        "variables": {k: check(v, f"variables.{k}") for k, v in doc["variables"].items()},
        "competence_gap": check(doc["competence_gap"], "competence_gap"),
        "phase_suffix": {k: check(v, f"phase_suffix.{k}") for k, v in doc["phase_suffix"].items()},
        "values": {col: {str(code): check(v, f"values.{col}.{code}") for code, v in codes.items()}
                   for col, codes in doc["values"].items()},
    }


_LABELS = _load_labels()
#: Labels of the columns ``derive_graduates`` adds (registry extras, flags, derived variables) and of
#: the provenance columns ingestion adds (``definitions/labels.yaml``, ``variables``). ``comp_gap_<c>``
#: labels are built from the form's competence names.
DERIVED_VARIABLE_LABELS: dict[str, dict[str, str]] = _LABELS["variables"]
_COMP_GAP: dict[str, str] = _LABELS["competence_gap"]
_PHASE_SUFFIX: dict[str, dict[str, str]] = _LABELS["phase_suffix"]
#: Value labels of derived code lists, in the derivation's order (``definitions/labels.yaml``, ``values``;
#: other derived columns take their labels from a form list or the message catalogue, see ``_DERIVED_FROM``).
DERIVED_VALUE_LABELS: dict[str, dict[str, dict[str, str]]] = {**_LABELS["values"], "_mode": _LABELS["values"]["mode"]}
#: derived columns whose values use another source: (instrument, choice list) or the message catalogue
_DERIVED_FROM: dict[str, tuple[str, str]] = {
    "labour_status": ("messages", "status_"),
    "gked_section": ("phase2", "gked"),
    "isco1": ("phase2", "isco_major"),
    "income_band_any": ("phase2", "income_band"),
}
#: derived code lists that are ordered (the order of derive_graduates' categoricals)
_DERIVED_ORDERED = frozenset({"labour_status", "nace_outcome", "skill_level", "income_band_any", "vm_subjective",
                              "vm_normative", "degree_effectiveness"})


# ------------------------------------------------------------------ the catalogue (cached)
@dataclass(frozen=True)
class ValueSpec:
    """The code list of one column: codes in order, their labels per language, and the list's kind."""

    codes: tuple[str, ...]
    labels: dict[str, tuple[str, ...]]
    ordered: bool
    multiple: bool = False
    source: str = ""

    def label_of(self, code: str, lang: str) -> str:
        """Label of ``code`` in ``lang`` (the code itself when it is not in the list)."""
        try:
            return self.labels[lang][self.codes.index(code)]
        except ValueError:
            return code


def forms_dir(project_root: str | Path | None = None) -> Path:
    """The folder of the XLSForms: ``<project_root>/questionnaires`` when it exists, else the project's own.

    A temporary project folder (tests, a copy of the processed data) has no questionnaires; its
    labels then come from the forms of the installed project.
    """

    return _forms_dir_cached(str(project_root or ""), os.environ.get(ROOT_ENV, ""), os.getcwd())


@lru_cache(maxsize=32)
def _forms_dir_cached(project_root: str, _env: str, _cwd: str) -> Path:
    candidates = [Path(project_root) / "questionnaires"] if project_root else []
    candidates += [_root() / "questionnaires", SOURCE_ROOT / "questionnaires"]
    for folder in candidates:
        if (folder / "registry.xlsx").is_file():
            return folder.resolve()
    raise ConfigError(f"{candidates[0]}: questionnaires not found (needed for labels) — "
                      "restore questionnaires/ from the repository")


def _unique(labels: Sequence[str], codes: Sequence[str]) -> tuple[str, ...]:
    """Labels made unique: a label used twice gets its code in brackets (pandas needs unique categories)."""
    seen: dict[str, int] = {}
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
    return tuple(f"{lab} [{code}]" if seen[lab] > 1 else lab for lab, code in zip(labels, codes))


def _spec(codes: Sequence[str], texts: Sequence[dict[str, str]], ordered: bool, multiple: bool = False,
          source: str = "") -> ValueSpec:
    codes = tuple(str(c) for c in codes)
    labels = {lang: _unique([pick_text(t, lang) or c for c, t in zip(codes, texts)], codes) for lang in LANGS}
    return ValueSpec(codes, labels, ordered, multiple, source)


def _csv_spec(name: str, key: str) -> ValueSpec:
    with (DEFINITIONS / name).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return _spec([r[key] for r in rows], [{lang: r[f"name_{lang}"] for lang in LANGS} for r in rows],
                  ordered=False, source=f"definitions/{name}")


@lru_cache(maxsize=4)
def _catalogue(folder: str) -> dict[str, Any]:
    """Every label the project knows, read once per forms folder.

    Returns ``{"questions": {instrument: {name: (labels, list_name, type)}}, "lists": {instrument:
    {list: choices}}, "csv": {"programme": ValueSpec, "faculty": ValueSpec}}``.
    """
    questions: dict[str, dict[str, tuple]] = {}
    lists: dict[str, dict[str, tuple]] = {}
    for name in INSTRUMENT_ORDER:
        inst = load_instrument(name, folder)
        questions[name] = {q.name: (q.labels, q.list_name, q.type) for q in inst.data_questions}
        lists[name] = dict(inst.choices)
    return {"questions": questions, "lists": lists,
            "csv": {"programme": _csv_spec("programmes.csv", "programme"),
                    "faculty": _csv_spec("faculties.csv", "faculty")}}


def _resolve(column: str, instrument: str | None, cat: dict[str, Any]) -> tuple[str, str] | None:
    """(instrument, item name) of a questionnaire column, or None when it is not a question."""
    qs = cat["questions"]
    if instrument is not None:
        return (instrument, column) if column in qs.get(instrument, {}) else None
    for prefix, inst in PHASE_PREFIX.items():
        if column.startswith(prefix) and column[len(prefix):] in qs[inst]:
            return inst, column[len(prefix):]
    for inst in INSTRUMENT_ORDER:
        if column in qs[inst]:
            return inst, column
    return None


def _strip_phase(column: str) -> tuple[str, str | None]:
    for prefix, inst in PHASE_PREFIX.items():
        if column.startswith(prefix):
            return column[len(prefix):], inst
    return column, None


@lru_cache(maxsize=2048)
def _value_spec_cached(column: str, instrument: str | None, folder: str) -> ValueSpec | None:
    cat = _catalogue(folder)
    if column in cat["csv"] and instrument in (None, "registry"):
        return cat["csv"][column]
    if instrument is None:
        if column == "labour_status":
            msgs = catalogue()
            return _spec(LABOUR_STATUS, [msgs.get(f"status_{c}", {}) for c in LABOUR_STATUS], True,
                         source="definitions/messages/*.yaml")
        if column in _DERIVED_FROM:
            inst, list_name = _DERIVED_FROM[column]
            choices = [c for c in cat["lists"][inst][list_name] if c.name != "refuse"]
            return _spec([c.name for c in choices], [c.labels for c in choices], column in _DERIVED_ORDERED,
                         source=f"questionnaires/{inst}.xlsx")
        base, _phase = _strip_phase(column)
        for key in (column, base):
            if key in DERIVED_VALUE_LABELS:
                table = DERIVED_VALUE_LABELS[key]
                return _spec(list(table), list(table.values()), key in _DERIVED_ORDERED,
                             source="analysis.publish.labels")
    where = _resolve(column, instrument, cat)
    if where is None:
        return None
    inst, item = where
    _labels, list_name, qtype = cat["questions"][inst][item]
    if not list_name:
        return None
    if list_name in cat["csv"] and item == list_name:
        return cat["csv"][list_name]
    choices = cat["lists"][inst][list_name]
    return _spec([c.name for c in choices], [c.labels for c in choices], list_name in ORDERED_LISTS,
                 multiple=qtype == "select_multiple", source=f"questionnaires/{inst}.xlsx")


def value_spec(column: str, instrument: str | None = None, project_root: str | Path | None = None) -> ValueSpec | None:
    """The code list of ``column`` (``None`` for numbers, dates, free text and flags).

    ``instrument`` restricts the look-up to one form (use ``"employer"`` for the employers table);
    by default derived variables come first, then registry, phase 1, phase 2 and employer items,
    with ``p1_``/``p2_`` prefixes resolved to their phase.
    """
    return _value_spec_cached(str(column), instrument, str(forms_dir(project_root)))


def _code_text(v: Any) -> str | None:
    """One value as a code string (``None`` when missing or empty); 3 and 3.0 become '3'."""
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip() or None


def _already_labelled(present: set[str], spec: ValueSpec, labels: Sequence[str]) -> bool:
    """True when the values are labels already: some are labels that are not codes, none a code that is not a label."""
    codes_only = set(spec.codes) - set(labels)
    labels_only = set(labels) - set(spec.codes)
    if spec.multiple:
        codes = set(spec.codes)
        as_labels = {t for v in present for t in v.split(_MULTI_SEP)}
        pure_codes = any(set(v.split()) <= codes and set(v.split()) & codes_only for v in present)
        return bool(as_labels & labels_only) and not pure_codes
    return bool(present & labels_only) and not present & codes_only


def _label_column(s: pd.Series, spec: ValueSpec, lang: str, name: str) -> pd.Series:
    labels = spec.labels[lang]
    positions, uniques = pd.factorize(s, use_na_sentinel=True)  # the work is done once per distinct value
    texts = [_code_text(u) for u in uniques]
    present = {t for t in texts if t is not None}
    if _already_labelled(present, spec, labels):
        return s
    if spec.multiple:
        lookup = dict(zip(spec.codes, labels))
        joined = [None if t is None else _MULTI_SEP.join(lookup.get(c, c) for c in t.split()) for t in texts]
        out = np.array([*joined, None], dtype=object)[positions]
        return pd.Series(out, index=s.index, dtype="string", name=s.name)
    unknown = sorted(present - set(spec.codes))
    codes, cats = list(spec.codes), list(labels)
    if unknown and spec.ordered:
        shown = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
        warnings.warn(f"column '{name}': {len(unknown)} value(s) not in its ordered code list set missing: {shown}",
                      LabelWarning, stacklevel=user_stacklevel())
    elif unknown:
        codes += unknown
        cats += [u if u not in cats else f"{u} [?]" for u in unknown]
    where = {c: i for i, c in enumerate(codes)}
    lookup_pos = np.array([*(where.get(t, -1) if t is not None else -1 for t in texts), -1], dtype=np.int64)
    cat = pd.Categorical.from_codes(lookup_pos[positions], categories=cats, ordered=spec.ordered)
    return pd.Series(cat, index=s.index, name=s.name)


def label_values(df: pd.DataFrame, lang: str = "ky", columns: Iterable[str] | None = None,
                 instrument: str | None = None, project_root: str | Path | None = None) -> pd.DataFrame:
    """A copy of ``df`` whose coded columns hold their labels in ``lang`` as pandas Categoricals.

    Parameters
    ----------
    df
        Any table with the contract's column names: the graduates table, a validated phase table,
        the employers table.
    lang
        ``ky``, ``ru`` or ``en``.
    columns
        Only these columns (default: every column that has a code list). Columns without a code
        list are left as they are: numbers, dates, booleans, free text.
    instrument
        Look columns up in this form only (``"employer"`` for the employers table).
    project_root
        Project whose ``questionnaires/`` to use (default: the current project).

    Returns
    -------
    pandas.DataFrame
        Categories are the labels in the list's order; ``ordered=True`` for ordinal lists
        (:data:`ORDERED_LISTS` and the derived ordinal variables). Empty strings become missing.
        Codes outside the list are kept verbatim as extra categories of a nominal column; in an
        ordered column they have no place in the order and become missing, with a
        :class:`LabelWarning`. ``select_multiple`` columns become text: the labels of the chosen
        codes joined by ``"; "``. Labelling twice is harmless (labelled columns are recognised).
    """
    check_lang(lang)
    folder = str(forms_dir(project_root))
    if columns is None:
        todo = list(df.columns)
    else:
        todo = list(columns)
        missing = [c for c in todo if c not in df.columns]
        if missing:
            raise ConfigError(f"label_values: column(s) {', '.join(map(str, missing))} not in the table")
    out = df.copy()
    for col in todo:
        if str(col).startswith("comp_gap_"):
            continue
        spec = _value_spec_cached(str(col), instrument, folder)
        if spec is None or str(out[col].dtype) in ("bool", "boolean"):
            continue
        out[col] = _label_column(out[col], spec, lang, str(col))
    return out


def value_label(column: str, code: Any, lang: str = "ky", instrument: str | None = None,
                project_root: str | Path | None = None) -> str:
    """Label of one ``code`` of ``column`` in ``lang`` (e.g. ``value_label("faculty", "PED", "ky")``).

    Returns the code as text when the column has no code list or the code is not in it.
    """
    check_lang(lang)
    spec = value_spec(column, instrument, project_root)
    text = "" if code is None else str(code)
    return spec.label_of(text, lang) if spec is not None else text


@lru_cache(maxsize=1)
def _indicator_labels() -> dict[str, dict[str, str]]:
    """Derived column → label of the first registry indicator that reads it (fallback labels)."""
    out: dict[str, dict[str, str]] = {}
    for ind in load_registry():
        if not ind.items:
            out.setdefault(ind.variable, dict(ind.label))
    return out


def _competence_name(item: str, cat: dict[str, Any], lang: str) -> str:
    q = cat["questions"]["phase2"].get(f"comp_job_{item}")
    text = pick_text(q[0], lang) if q else ""
    return re.split(r"\s+[—–-]\s+", text)[0] if text else item


@lru_cache(maxsize=8192)
def _column_label_cached(column: str, lang: str, instrument: str | None, folder: str) -> str:
    cat = _catalogue(folder)
    if instrument is None:
        if column in DERIVED_VARIABLE_LABELS:
            return DERIVED_VARIABLE_LABELS[column][lang]
        if column.startswith("comp_gap_"):
            return _COMP_GAP[lang].format(c=_competence_name(column[len("comp_gap_"):], cat, lang))
    where = _resolve(column, instrument, cat)
    if where is not None:
        inst, item = where
        text = pick_text(cat["questions"][inst][item][0], lang) or column
        if instrument is None and column != item:  # p1_/p2_ item asked in both phases
            text = f"{text} ({_PHASE_SUFFIX[inst][lang]})"
        return text
    if instrument is None:
        base, phase = _strip_phase(column)
        if phase and base in DERIVED_VARIABLE_LABELS:
            return f"{DERIVED_VARIABLE_LABELS[base][lang]} ({_PHASE_SUFFIX[phase][lang]})"
        fallback = _indicator_labels().get(column)
        if fallback:
            return fallback[lang]
    return column


def column_labels(columns: Iterable[str], lang: str = "ky", instrument: str | None = None,
                  project_root: str | Path | None = None) -> dict[str, str]:
    """Human label of each column in ``lang``: ``{column: label}``, for ``df.rename(columns=...)``.

    The label is the question text for questionnaire items (``p1_``/``p2_`` items get the phase in
    brackets), the derived-variable label for the columns ``derive_graduates`` adds (falling back
    to the indicator registry's label), and the column name itself for anything else.
    """
    check_lang(lang)
    folder = str(forms_dir(project_root))
    return {str(c): _column_label_cached(str(c), lang, instrument, folder) for c in columns}


def variable_source(column: str, instrument: str | None = None) -> str:
    """Where ``column`` comes from: ``registry``, ``phase1``, ``phase2``, ``employer``, ``derived`` or ``""``."""
    column = str(column)
    if instrument is None and (column in DERIVED_COLUMNS or column in FLAG_COLUMNS or column in CROSSWALK_KEEP
                               or column == "age_at_grad"):
        return "derived"
    if column == "pid":
        return "registry"
    base, _phase = _strip_phase(column)
    if column.startswith("_") or base.startswith("_") or base == "mode":
        return "provenance"
    where = _resolve(column, instrument, _catalogue(str(forms_dir())))
    return where[0] if where else ""

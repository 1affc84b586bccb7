"""The four survey instruments as code: the codebook read from the XLSForms in ``questionnaires/``.

The XLSForms (``registry``, ``phase1``, ``phase2``, ``employer``) are the single source of truth for
question names, types, choice codes, labels in Kyrgyz, Russian and English, hints, constraints and
skip logic (``relevant``); ``docs/variables.md`` is the short contract derived from them (a test
compares both). Forms follow the XLSForm standard (ODK / KoboToolbox) and are read with pyxform
without Java; the project's custom survey column ``pd`` flags personal data (``direct`` = identifies a
person on its own, ``quasi`` = identifying in combination).

Typical use::

    inst = load_instrument("phase2")
    inst.choice_codes("emp_type")          # ['employee', 'self_employed', ...]
    inst.label("ilo_worked", "ky")         # the Kyrgyz question text
    inst.label_to_code("sex")["аял"]       # 'female'
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import pandas as pd

from analysis.core.i18n import LANGS, check_lang, messages
from analysis.core.paths import PACKAGE_DIR, SOURCE_ROOT
from analysis.core.vocabulary import INSTRUMENTS
from analysis.errors import ConfigError, InputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "INSTRUMENTS",
    "LANGS",
    "Choice",
    "Question",
    "Instrument",
    "load_instrument",
    "forms_dir_default",
    "normalise_label",
    "required_value",
    "codebook_table",
    "codebook_markdown",
    "codebook_csv",
    "write_codebooks",
]


#: question types that carry no data (skipped by :attr:`Instrument.data_questions`)
NON_DATA_TYPES = frozenset({"group", "note", "calculate"})
#: XLSForm metadata types (start, end, ...) are not questions; they are listed in Instrument.metadata
_META_TYPES = frozenset({"start", "end", "today", "deviceid", "username", "phonenumber", "simserial",
                         "subscriberid", "email", "audit", "start-geopoint"})
_TYPE_MAP = {"select one": "select_one", "select all that apply": "select_multiple",
             "select_one": "select_one", "select_multiple": "select_multiple"}
_LANG_RE = re.compile(r"\((\w+)\)\s*$")
_PD_VALUES = {"direct", "quasi"}


@dataclass(frozen=True)
class Choice:
    """One answer option of a choice list: its code (``name``) and its label per language."""

    name: str
    labels: dict[str, str]


@dataclass(frozen=True)
class Question:
    """One row of the XLSForm survey sheet (a question, a note, a calculate or a group).

    ``type`` is one of ``select_one``, ``select_multiple``, ``integer``, ``decimal``, ``text``,
    ``date``, ``note``, ``calculate`` or ``group`` (a section heading; its ``name`` is the group
    name). ``relevant`` is the row's own XLSForm ``relevant`` expression; in these forms every
    question's own expression is complete (the section group repeats the section's condition only
    for display), see :meth:`Instrument.effective_relevant`. ``group`` is the innermost enclosing
    group's name; ``pd`` is ``'direct'``, ``'quasi'`` or ``None``.
    """

    name: str
    type: str
    list_name: str | None
    required: bool
    relevant: str | None
    constraint: str | None
    labels: dict[str, str]
    hints: dict[str, str]
    constraint_messages: dict[str, str]
    group: str | None
    pd: str | None
    appearance: str | None = None
    required_messages: dict[str, str] = field(default_factory=dict)

    @property
    def is_data(self) -> bool:
        """True for questions that produce a value in the data (not notes, groups, calculates)."""
        return self.type not in NON_DATA_TYPES


@dataclass(frozen=True)
class Instrument:
    """One questionnaire: its questions in form order and its choice lists.

    ``questions`` holds every survey row in form order, section groups included (type
    ``group``); use :attr:`data_questions` for the variables of the data set.
    """

    name: str
    form_id: str
    version: str
    path: Path
    questions: tuple[Question, ...]
    choices: dict[str, tuple[Choice, ...]]
    title: str = ""
    default_language: str = "ky"
    metadata: tuple[str, ...] = ()

    # -- lookups -------------------------------------------------------------------------------
    @cached_property
    def _by_name(self) -> dict[str, Question]:
        return {q.name: q for q in self.questions}

    def question(self, name: str) -> Question:
        """The question (or group) called ``name``; ``KeyError`` naming the form if there is none."""
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"{self.path.name}: no question '{name}' in instrument '{self.name}'") from None

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def _list_of(self, list_or_question: str) -> str:
        q = self._by_name.get(list_or_question)
        if q is not None and q.list_name:
            return q.list_name
        if list_or_question in self.choices:
            return list_or_question
        if q is not None:
            raise KeyError(f"{self.path.name}: question '{q.name}' has no choice list")
        raise KeyError(f"{self.path.name}: no question or choice list '{list_or_question}' "
                       f"in instrument '{self.name}'")

    def choice_codes(self, name: str) -> list[str]:
        """Choice codes of question ``name`` (or of the choice list ``name``), in form order."""
        return [c.name for c in self.choices[self._list_of(name)]]

    def label(self, name: str, lang: str = "ky") -> str:
        """Question (or group) text in ``lang``; falls back to ky, ru, en, then to the name."""
        return pick_text(self.question(name).labels, lang) or name

    def hint(self, name: str, lang: str = "ky") -> str:
        """Hint of question ``name`` in ``lang`` ('' when the question has none)."""
        return pick_text(self.question(name).hints, lang)

    def choice_label(self, list_or_question: str, code: str, lang: str = "ky") -> str:
        """Label of choice ``code`` in a list (given by list name or question name), in ``lang``."""
        for c in self.choices[self._list_of(list_or_question)]:
            if c.name == str(code):
                return pick_text(c.labels, lang) or c.name
        raise KeyError(f"{self.path.name}: no choice '{code}' in list '{self._list_of(list_or_question)}'")

    def label_to_code(self, question_name: str) -> dict[str, str]:
        """Map every label (ky, ru and en) and every code of the question's list to the code.

        Keys are normalised with :func:`normalise_label` (NFC, casefold, whitespace collapsed), so
        exports in "Labels" format in any of the three languages can be mapped back to codes:
        ``inst.label_to_code("sex")[normalise_label("Аял")] == "female"``.
        """
        return dict(_label_map(self, self._list_of(question_name)))

    # -- derived sets --------------------------------------------------------------------------
    @property
    def data_questions(self) -> tuple[Question, ...]:
        """The questions that are variables of the data set (no notes, groups or calculates)."""
        return tuple(q for q in self.questions if q.is_data)

    @property
    def personal_names(self) -> set[str]:
        """Names of questions flagged ``pd`` = direct or quasi (personal data)."""
        return {q.name for q in self.questions if q.pd in _PD_VALUES}

    @property
    def direct_identifiers(self) -> set[str]:
        """Names of questions flagged ``pd`` = direct (never leave ``data/raw/``)."""
        return {q.name for q in self.questions if q.pd == "direct"}

    @property
    def groups(self) -> tuple[Question, ...]:
        """The section groups in form order."""
        return tuple(q for q in self.questions if q.type == "group")

    def effective_relevant(self, name: str) -> str | None:
        """The question's relevance combined (``and``) with that of its enclosing groups.

        In these forms the question's own expression already implies the group's; the combination
        is what an ODK client evaluates and is exact for any edited form.
        """
        parts: list[str] = []
        q: Question | None = self.question(name)
        while q is not None:
            if q.relevant and q.relevant not in parts:
                parts.append(q.relevant)
            q = self._by_name.get(q.group) if q.group else None
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return " and ".join(f"({p})" for p in parts)


def normalise_label(text: object) -> str:
    """A label or code as a lookup key: Unicode NFC, casefolded, whitespace collapsed, dashes unified."""
    s = unicodedata.normalize("NFC", str(text))
    s = s.replace("\u2013", "-").replace("\u2014", "-").replace("\u00a0", " ")
    return " ".join(s.casefold().split())


def pick_text(texts: dict[str, str], lang: str) -> str:
    """The text of ``lang`` from a ``{lang: text}`` label, else the first non-empty one in ky, ru, en order;
    ``""`` when the label is empty in every language."""
    if texts.get(lang):
        return texts[lang]
    for other in LANGS:
        if texts.get(other):
            return texts[other]
    return ""


@lru_cache(maxsize=256)
def _label_map_cached(key: tuple) -> tuple[tuple[str, str], ...]:
    choices = key[1]
    out: dict[str, str] = {}
    for code, labels in choices:
        for _lang, text in labels:
            if text:
                out.setdefault(normalise_label(text), code)
    for code, _labels in choices:  # codes win over a colliding label
        out[normalise_label(code)] = code
    return tuple(out.items())


def _label_map(inst: Instrument, list_name: str) -> tuple[tuple[str, str], ...]:
    key = (list_name, tuple((c.name, tuple(sorted(c.labels.items()))) for c in inst.choices[list_name]))
    return _label_map_cached(key)


def required_value(v: Any) -> bool | str:
    """An XLSForm ``required`` cell: True/False, or the expression string of a conditional requirement.

    ``yes``/``true``/``true()``/``1`` (any case) are True; empty, ``no``/``false``/``false()``/``0`` False;
    a bool passes through; anything else is returned stripped (an XPath condition).
    """
    if isinstance(v, bool):
        return v
    text = "" if v is None else str(v).strip()
    if text.lower() in ("", "no", "false", "false()", "0"):
        return False
    if text.lower() in ("yes", "true", "true()", "1"):
        return True
    return text


# ------------------------------------------------------------------------------------- loading
def _project_root() -> Path:
    env = os.environ.get("TRACER_PROJECT_ROOT")
    if env:
        return Path(env).resolve()
    for folder in PACKAGE_DIR.parents:
        if (folder / "pyproject.toml").is_file():
            return folder
    return SOURCE_ROOT


def forms_dir_default() -> Path:
    """``<project root>/questionnaires`` (root: ``$TRACER_PROJECT_ROOT`` or the folder with pyproject.toml)."""
    return _project_root() / "questionnaires"


def load_instrument(name: str, forms_dir: Path | str | None = None) -> Instrument:
    """Read instrument ``name`` from ``<forms_dir>/<name>.xlsx`` (XLSForm, parsed with pyxform).

    Results are cached per file and modification time, so an edited form is re-read.

    Raises
    ------
    ConfigError
        ``name`` is not one of :data:`INSTRUMENTS`.
    InputError
        The form file is missing or is not a valid XLSForm (one line naming the file).
    """
    if name not in INSTRUMENTS:
        raise ConfigError(f"unknown instrument '{name}' (choose from {', '.join(INSTRUMENTS)})")
    folder = Path(forms_dir) if forms_dir is not None else forms_dir_default()
    path = (folder / f"{name}.xlsx").resolve()
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise InputError(path, "questionnaire file not found",
                         fix="restore it from the repository (questionnaires/)") from None
    return _load_cached(name, str(path), mtime)


@lru_cache(maxsize=32)
def _load_cached(name: str, path_str: str, _mtime: int) -> Instrument:
    return _parse_form(name, Path(path_str))


def _lang_code(key: str, default: str) -> str:
    m = _LANG_RE.search(key)
    if m and m.group(1) in LANGS:
        return m.group(1)
    low = key.strip().lower()
    for code, word in (("ky", "kyrgyz"), ("ru", "russian"), ("en", "english")):
        if low in (code, word) or low.startswith(word):
            return code
    return key if key != "default" else default


def _texts(value: object, default_lang: str) -> dict[str, str]:
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if v is None:
                continue
            out[_lang_code(str(k), default_lang)] = str(v).strip()
        return {k: v for k, v in out.items() if v}
    return {default_lang: str(value).strip()}


def _parse_form(name: str, path: Path) -> Instrument:
    # lazy: pyxform costs 0.18 s, paid only when a form is parsed (then cached)
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import parse_file_to_json

    try:
        data = parse_file_to_json(str(path), warnings=[])
    except PyXFormError as exc:
        raise InputError(path, f"not a valid XLSForm: {' '.join(str(exc).split())}",
                         fix="correct the form in Excel (see questionnaires/README.md)") from None
    except Exception as exc:  # noqa: BLE001 - unreadable workbook, zip error, ...
        raise InputError(path, f"cannot read the questionnaire: {type(exc).__name__}: "
                               f"{' '.join(str(exc).split())}",
                         fix="the file must be an .xlsx XLSForm with sheets survey, choices, settings") from None

    default_lang = _lang_code(str(data.get("default_language") or "ky"), "ky")
    questions: list[Question] = []
    metadata: list[str] = []
    pd_fallback: dict[str, str] | None = None

    def walk(children: list[dict], group: str | None) -> None:
        nonlocal pd_fallback
        for child in children:
            raw_type = str(child.get("type", ""))
            qname = str(child.get("name", ""))
            if raw_type in _META_TYPES:
                metadata.append(qname)
                continue
            if raw_type == "group" and (child.get("control") or {}).get("bodyless"):
                continue  # the automatic meta/instanceID block
            bind = child.get("bind") or {}
            qtype = _TYPE_MAP.get(raw_type, "group" if raw_type in ("group", "repeat") else raw_type)
            pd_value = child.get("pd")
            if pd_value is None and "pd" not in child:
                if pd_fallback is None:
                    pd_fallback = _read_pd_column(path)
                pd_value = pd_fallback.get(qname)
            pd_value = str(pd_value).strip().lower() if pd_value else None
            if pd_value and pd_value not in _PD_VALUES:
                raise InputError(path, f"pd must be 'direct', 'quasi' or empty, not '{pd_value}'",
                                 column="pd", fix=f"correct the pd cell of question '{qname}' on the survey sheet")
            required = str(bind.get("required", "")).strip().lower() in ("yes", "true", "true()", "1")
            questions.append(Question(
                name=qname,
                type=qtype,
                list_name=child.get("list_name") or child.get("itemset") if qtype.startswith("select") else None,
                required=required,
                relevant=(str(bind["relevant"]).strip() or None) if bind.get("relevant") else None,
                constraint=(str(bind["constraint"]).strip() or None) if bind.get("constraint") else None,
                labels=_texts(child.get("label"), default_lang),
                hints=_texts(child.get("hint"), default_lang),
                constraint_messages=_texts(bind.get("jr:constraintMsg"), default_lang),
                group=group,
                pd=pd_value or None,
                appearance=(child.get("control") or {}).get("appearance"),
                required_messages=_texts(bind.get("jr:requiredMsg"), default_lang),
            ))
            if qtype == "group":
                walk(child.get("children") or [], qname)

    walk(data.get("children") or [], None)
    choices = {
        list_name: tuple(Choice(str(c["name"]), _texts(c.get("label"), default_lang)) for c in items)
        for list_name, items in sorted((data.get("choices") or {}).items())
    }
    for q in questions:
        if q.list_name and q.list_name not in choices:
            raise InputError(path, f"question '{q.name}' uses choice list '{q.list_name}' "
                                   "that is not on the choices sheet", column="type")
    return Instrument(
        name=name,
        form_id=str(data.get("id_string") or name),
        version=str(data.get("version") or ""),
        path=path,
        questions=tuple(questions),
        choices=choices,
        title=str(data.get("title") or name),
        default_language=default_lang,
        metadata=tuple(metadata),
    )


def _read_pd_column(path: Path) -> dict[str, str]:
    """The custom ``pd`` column of the survey sheet, read with openpyxl (if pyxform dropped it)."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb["survey"]
        rows = ws.iter_rows(values_only=True)
        header = [str(h).strip().lower() if h is not None else "" for h in next(rows, ())]
        if "pd" not in header or "name" not in header:
            return {}
        i_name, i_pd = header.index("name"), header.index("pd")
        return {str(r[i_name]).strip(): str(r[i_pd]).strip().lower()
                for r in rows if len(r) > max(i_name, i_pd) and r[i_name] and r[i_pd]}
    finally:
        wb.close()


# ------------------------------------------------------------------------------------ codebook


def _choices_text(inst: Instrument, q: Question, lang: str) -> str:
    if not q.list_name:
        return ""
    return "; ".join(f"{c.name} = {pick_text(c.labels, lang)}" for c in inst.choices[q.list_name])


def codebook_table(inst: Instrument, lang: str = "ky") -> pd.DataFrame:
    """One row per data question: name, type, label, choices ("code = label; …"), required,
    relevant, constraint, pd — labels in ``lang``, in form order."""
    check_lang(lang)
    rows = [{
        "name": q.name,
        "type": q.type,
        "label": pick_text(q.labels, lang),
        "choices": _choices_text(inst, q, lang),
        "required": bool(q.required),
        "relevant": q.relevant or "",
        "constraint": q.constraint or "",
        "pd": q.pd or "",
    } for q in inst.data_questions]
    return pd.DataFrame(rows, columns=["name", "type", "label", "choices", "required", "relevant",
                                       "constraint", "pd"])


def codebook_csv(inst: Instrument, lang: str = "ky") -> str:
    """The codebook table as CSV text (comma-separated, ``\\n`` line ends; write it as UTF-8)."""
    df = codebook_table(inst, lang)
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return buf.getvalue()


def _md(text: object) -> str:
    s = " ".join(str(text).split())
    return s.replace("|", "\\|")


def _code(text: str | None) -> str:
    return f"`{_md(text)}`" if text else ""


def codebook_markdown(inst: Instrument, lang: str = "ky") -> str:
    """The codebook as Markdown: one table per section, then every choice list (labels in ``lang``)."""
    check_lang(lang)
    h = dict(messages("codebook_", lang))
    h["cols"] = tuple(h["columns"].split(" | "))
    lines = [f"# {h['title']}: {_md(inst.title)}", "",
             f"{h['form']} `{inst.form_id}`, {h['version']} `{inst.version}` — `questionnaires/{inst.path.name}`.",
             "", f"_{h['generated']}_ {h['relevant_note']}", ""]
    head = "| " + " | ".join(h["cols"]) + " |"
    sep = "|" + "|".join("---" for _ in h["cols"]) + "|"
    number = 0
    current: object = object()
    for q in inst.data_questions:
        if q.group != current:
            current = q.group
            title = inst.label(q.group, lang) if q.group else h["no_section"]
            lines += ["", f"## {_md(title)}", "", head, sep]
        number += 1
        lines.append("| " + " | ".join([
            str(number), f"`{q.name}`", q.type, _md(pick_text(q.labels, lang)),
            f"[`{q.list_name}`](#{q.list_name.lower()})" if q.list_name else "",
            h["yes"] if q.required else "", _code(q.relevant), _code(q.constraint), q.pd or "",
        ]) + " |")
    used = []
    for q in inst.data_questions:
        if q.list_name and q.list_name not in used:
            used.append(q.list_name)
    lines += ["", f"## {h['lists']}"]
    for list_name in used:
        lines += ["", f"### {list_name}", "", f"| {h['code']} | {h['label']} |", "|---|---|"]
        for c in inst.choices[list_name]:
            lines.append(f"| `{c.name}` | {_md(pick_text(c.labels, lang))} |")
    return "\n".join(lines) + "\n"


def write_codebooks(out_dir: Path | str, forms_dir: Path | str | None = None,
                    langs: tuple[str, ...] = LANGS) -> list[Path]:
    """Write ``<out_dir>/<instrument>.<lang>.md`` for every instrument and language; return the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in INSTRUMENTS:
        inst = load_instrument(name, forms_dir)
        for lang in langs:
            p = out / f"{name}.{lang}.md"
            p.write_text(codebook_markdown(inst, lang), encoding="utf-8")
            written.append(p)
    return written

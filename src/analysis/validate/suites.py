"""Great-expectations suites generated from the questionnaires (the codebook), one per instrument.

A suite is built only from :mod:`analysis.instruments.xlsform` — the XLSForms are the source of truth —
plus the few rules of ``docs/variables.md`` that the forms do not carry (fallback ranges and
patterns below). Each question gives, in this order:

1. **type** — integer and decimal answers must match a number pattern
   (``ExpectColumnValuesToMatchRegex``; a decimal comma is accepted), dates must be real dates
   written ``YYYY-MM-DD`` (``ExpectColumnValuesToMatchStrftimeFormat``, which rejects 2025-02-30).
   Casting happens later, in pandas, for the typed table; the check is on the text as received;
2. **choices** — select_one answers must be codes of the list (``ExpectColumnValuesToBeInSet``);
   select_multiple answers must be space-separated codes of the list, every token checked
   (``ExpectColumnValuesToMatchRegex`` with ``^(c1|c2…)( (c1|c2…))*$``);
3. **constraint** — the numeric bounds of ``. >= a and . <= b`` → ``ExpectColumnValuesToBeBetween``
   on the number helper column ``<q>__num`` (rule ``out_of_range``); ``regex(., 'p')`` →
   ``ExpectColumnValuesToMatchRegex`` (``pattern``); the other terms (``. <= ${applications_n}``,
   ``. <= today()``, …) are translated (:mod:`.xpath`) and checked as "no answer where the
   constraint is false" (``ExpectColumnValuesToBeNull`` with ``row_condition``; rule
   ``constraint``), with ODK's semantics (a comparison with an empty answer is false, so the
   constraint fails — as the online form would refuse it). Without a constraint in the form, the
   range/pattern of ``docs/variables.md`` applies (``CONTRACT_RANGES``, ``CONTRACT_PATTERNS``);
4. **required** — ``ExpectColumnValuesToNotBeNull``, with the question's relevance as
   ``row_condition`` when it has one (required only where it applies);
5. **relevance** — an answer where the question does **not** apply
   (``ExpectColumnValuesToBeNull`` with ``row_condition = ~(relevant)``) is a **warning**: the row
   is accepted and the cell set aside (empty in the accepted table, raw value logged). Rationale:
   online forms clear such answers themselves (ODK semantics), so on paper/phone entries it is a
   routing slip of the interviewer or clerk, not evidence that the rest of the row is wrong.

Plus ``ExpectColumnValuesToBeUnique`` on the instrument's id (``student_id`` / ``employer_id``):
its failures are not errors by themselves; :mod:`.crossfile` resolves them as resubmissions
(``merged_duplicate``) or, in the registry, stops the cohort.

Relevance is translated to pandas ``row_condition`` strings (pandas parser) by :mod:`.xpath`;
an expression it cannot translate raises :class:`SuiteBuildError` at build time. As in ODK, an
answer that does not apply counts as empty for every later condition: references to a question
that has a relevance read ``<q>__eff`` (its answer where it applies), so skip logic cascades
(consent = no ⇒ the ILO questions do not apply ⇒ the job block does not apply either), and the
checks of points 1–3 read ``<q>__eff`` too — an answer that does not apply is set aside (point 5)
whatever it holds, as the online form would never have checked it. (String ``row_condition`` with
``condition_parser="pandas"`` is deprecated since GX 1.9 but is the only form that accepts nested
and/or/not; GX's ``Condition`` objects forbid OR inside AND. The deprecation warning is silenced
where the suites are built.)

Severity is GX's own expectation ``severity`` (``critical`` = error → quarantine, ``warning``,
``info``); ``meta`` carries the rule key, the question, the original XLSForm expression and the
form's constraint messages (ky/ru/en). Suites are stored as JSON under ``expectations/gx/`` by a
great-expectations file context, byte-stable: keys sorted, expectation ids derived from the suite
name and the check (UUID5), never random.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from analysis.errors import ConfigError
from analysis.instruments.xlsform import required_value
from analysis.validate import xpath
from analysis.validate.messages import RULES

__all__ = [
    "SuiteBuildError", "suite_specs", "build_suite", "write_suites", "check_suites", "suite_json",
    "instrument_key", "id_column", "question_type", "applies_conditions", "CONTRACT_RANGES",
    "CONTRACT_PATTERNS",
]

SUITE_NAMESPACE = uuid.UUID("6b1b8f3e-3c55-5d0e-9d2a-6a5f0c1f7a10")
"""UUID5 namespace of the project's expectation ids (any fixed UUID; never change it)."""

INTEGER_RE = r"^[+-]?[0-9]+$"
DECIMAL_RE = r"^[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)$"
DATE_FORMAT = "%Y-%m-%d"

CONTRACT_RANGES: dict[str, tuple[float, float]] = {
    "gpa": (0, 4),
    "internship_months": (0, 24),
    "hours": (1, 98),
    "replies_n": (0, 500),
    "interviews_n": (0, 500),
    "income": (0, 1_000_000),
}
"""Ranges of ``docs/variables.md`` used when the form has no constraint for the question
(``applications_n`` differs by instrument: see ``CONTRACT_RANGES_BY_INSTRUMENT``)."""

CONTRACT_RANGES_BY_INSTRUMENT: dict[tuple[str, str], tuple[float, float]] = {
    ("phase1", "applications_n"): (0, 200),
    ("phase2", "applications_n"): (0, 500),
}

CONTRACT_PATTERNS: dict[str, tuple[str, str]] = {
    "student_id": (r"^[0-9]{8}$", "pattern"),
    "isco_code": (r"^[0-9]{2,4}$", "pattern"),
    "phone_mobile": (r"^\+996[0-9]{9}$", "contact_pattern"),
    "phone_new": (r"^\+996[0-9]{9}$", "contact_pattern"),
}
"""Patterns of ``docs/variables.md`` (rule key per pattern) used when the form has no constraint."""

_GX_SEVERITY = {"error": "critical", "warning": "warning", "info": "info", "merged": "info"}


class SuiteBuildError(ConfigError):
    """A question's relevance or constraint cannot be turned into an expectation (one line)."""


# --------------------------------------------------------------------------- codebook access


def instrument_key(inst: Any) -> str:
    """The instrument's key (registry | phase1 | phase2 | employer)."""
    for attr in ("key", "name", "instrument", "form_id"):
        v = getattr(inst, attr, None)
        if isinstance(v, str) and v:
            return v
    raise SuiteBuildError("the instrument has no key/name")


def question_type(q: Any) -> str:
    """The XLSForm base type (``select_one yes_no`` → ``select_one``)."""
    t = str(getattr(q, "type", "") or "").split()
    return t[0] if t else ""


def _list_name(q: Any) -> str:
    name = getattr(q, "list_name", None)
    if name:
        return str(name)
    t = str(getattr(q, "type", "") or "").split()
    return t[1] if len(t) > 1 else ""


def _text(v: Any) -> str:
    return "" if v is None else str(v).strip()


def _messages(q: Any, attr: str) -> dict[str, str]:
    m = getattr(q, attr, None) or {}
    return {k: str(v) for k, v in sorted(m.items()) if v} if isinstance(m, Mapping) else {}


def id_column(inst: Any) -> str | None:
    """The respondent id column of an instrument: ``employer_id`` or ``student_id`` (None if neither)."""
    names = {q.name for q in inst.data_questions}
    for c in ("employer_id", "student_id"):
        if c in names:
            return c
    return None


# --------------------------------------------------------------------------- specs


def _spec(suite: str, etype: str, kwargs: dict[str, Any], rule_key: str, question: str,
          **meta: Any) -> dict[str, Any]:
    rule = RULES[rule_key]
    check = f"{question}:{rule_key}"
    m = {"rule": rule_key, "question": question, "check": check,
         **{k: v for k, v in meta.items() if v not in (None, "", {}, [])}}
    return {
        "type": etype,
        "kwargs": kwargs,
        "meta": m,
        "severity": _GX_SEVERITY[rule.severity],
        "id": str(uuid.uuid5(SUITE_NAMESPACE, f"{suite}/{check}")),
    }


def _choice_regex(codes: list[str]) -> str:
    alt = "|".join(re.escape(c) for c in codes)
    return rf"^(?:{alt})(?: (?:{alt}))*$"


def _relevances(inst: Any, questions: list[Any]) -> dict[str, str]:
    """Each question's complete XLSForm relevance (its own and its groups'), '' when always asked."""
    eff = getattr(inst, "effective_relevant", None)
    out = {}
    for q in questions:
        rel = _text(eff(q.name) if callable(eff) else getattr(q, "relevant", ""))
        if rel and rel.replace(" ", "") == "true()":
            rel = ""
        out[q.name] = rel
    return out


def suite_specs(inst: Any) -> list[dict[str, Any]]:
    """The expectations of an instrument's suite as plain dicts (GX's JSON shape), in a fixed order.

    Pure Python (no great-expectations import), so it is cheap to inspect and test.
    Raises :class:`SuiteBuildError` naming the question when a relevance or constraint expression
    cannot be translated, or when a relevance refers to a later question that has a relevance of
    its own (answers are evaluated in form order, as in ODK).
    """
    key = instrument_key(inst)
    questions = list(inst.data_questions)
    known = [q.name for q in questions]
    types = {q.name: question_type(q) for q in questions}
    relevances = _relevances(inst, questions)
    eff = {n for n, r in relevances.items() if r}
    order = {n: i for i, n in enumerate(known)}
    tr = {"known": known, "types": types, "eff": eff}
    out: list[dict[str, Any]] = []
    for q in questions:
        name = q.name
        qtype = question_type(q)
        pd_flag = _text(getattr(q, "pd", "")) or None
        relevant = relevances[name]
        constraint = _text(getattr(q, "constraint", ""))
        cmsg = _messages(q, "constraint_messages")
        try:
            rel_query = xpath.relevance_query(relevant, **tr) if relevant else None
            later = [f for f in (xpath.referenced_fields(relevant) if relevant else [])
                     if f in eff and order.get(f, -1) >= order[name]]
        except xpath.XPathTranslationError as exc:
            raise SuiteBuildError(f"{key}: question '{name}': relevance {relevant!r} cannot be translated: "
                                  f"{exc}") from None
        if later:
            raise SuiteBuildError(f"{key}: question '{name}': relevance {relevant!r} refers to the later "
                                  f"question(s) {', '.join(later)}; move them before '{name}' in the form")
        # value checks read the answer where the question applies (``<q>__eff``): an answer that does
        # not apply is set aside (warning below) whatever it holds, as ODK would not have checked it
        vcol = f"{name}__eff" if rel_query else name
        # 1. type
        if qtype == "integer":
            out.append(_spec(key, "expect_column_values_to_match_regex",
                             {"column": vcol, "regex": INTEGER_RE}, "type_integer", name, pd=pd_flag))
        elif qtype in ("decimal", "range"):
            out.append(_spec(key, "expect_column_values_to_match_regex",
                             {"column": vcol, "regex": DECIMAL_RE}, "type_decimal", name, pd=pd_flag))
        elif qtype == "date":
            out.append(_spec(key, "expect_column_values_to_match_strftime_format",
                             {"column": vcol, "strftime_format": DATE_FORMAT}, "type_date", name,
                             pd=pd_flag))
        # 2. choices
        if qtype in ("select_one", "select_multiple"):
            codes = [str(c) for c in inst.choice_codes(name)]
            if not codes:
                raise SuiteBuildError(f"{key}: question '{name}' ({qtype}) has an empty choice list")
            lst = _list_name(q)
            if qtype == "select_one":
                out.append(_spec(key, "expect_column_values_to_be_in_set",
                                 {"column": vcol, "value_set": codes}, "unknown_code", name, list=lst,
                                 pd=pd_flag))
            else:
                out.append(_spec(key, "expect_column_values_to_match_regex",
                                 {"column": vcol, "regex": _choice_regex(codes)}, "unknown_code", name,
                                 list=lst, pd=pd_flag))
        # 3. constraint (or the contract's fallback)
        out.extend(_constraint_specs(key, q, qtype, constraint, cmsg, vcol, tr, pd_flag))
        # 4. required
        req = required_value(getattr(q, "required", False))
        if req:
            kwargs: dict[str, Any] = {"column": name}
            cond = rel_query
            if isinstance(req, str):
                try:
                    rq = xpath.to_query(req, **tr)
                except xpath.XPathTranslationError as exc:
                    raise SuiteBuildError(f"{key}: question '{name}': required {req!r} cannot be "
                                          f"translated: {exc}") from None
                cond = f"({cond}) & ({rq})" if cond else rq
            if cond:
                kwargs.update(row_condition=cond, condition_parser="pandas")
            out.append(_spec(key, "expect_column_values_to_not_be_null", kwargs, "required", name,
                             relevant=relevant, message=_messages(q, "required_messages"), pd=pd_flag))
        # 5. relevance
        if rel_query:
            out.append(_spec(key, "expect_column_values_to_be_null",
                             {"column": name, "row_condition": f"~({rel_query})", "condition_parser": "pandas"},
                             "not_relevant", name, relevant=relevant, applies_when=rel_query, pd=pd_flag))
    idc = id_column(inst)
    if idc:
        out.append(_spec(key, "expect_column_values_to_be_unique", {"column": idc}, "duplicate_id", idc))
    checks = [s["meta"]["check"] for s in out]
    dup = sorted({c for c in checks if checks.count(c) > 1})
    if dup:  # pragma: no cover - the codebook guarantees unique names
        raise SuiteBuildError(f"{key}: the same check is generated twice: {dup}")
    return out


def applies_conditions(specs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """``(question, pandas condition)`` for every question with a relevance, in form order."""
    return [(s["meta"]["question"], s["meta"]["applies_when"]) for s in specs
            if s["meta"]["rule"] == "not_relevant"]


def _constraint_specs(key: str, q: Any, qtype: str, constraint: str, cmsg: dict[str, str], vcol: str,
                      tr: dict[str, Any], pd_flag: str | None) -> list[dict[str, Any]]:
    """Expectations of a question's constraint: numeric bounds on ``.`` → ``out_of_range``
    (``ExpectColumnValuesToBeBetween`` on ``<q>__num``), ``regex(., p)`` → ``pattern``, every other
    term → ``constraint`` (translated whole); no constraint → the contract's fallback. Checked
    only where the question applies (``vcol`` is ``<q>__eff`` for a question with a relevance)."""
    name = q.name
    if not constraint:
        rng = CONTRACT_RANGES_BY_INSTRUMENT.get((key, name)) or CONTRACT_RANGES.get(name)
        if rng and qtype in ("integer", "decimal"):
            return [_spec(key, "expect_column_values_to_be_between",
                          {"column": f"{name}__num", "min_value": rng[0], "max_value": rng[1]},
                          "out_of_range", name, source="docs/variables.md", pd=pd_flag)]
        pat = CONTRACT_PATTERNS.get(name)
        if pat:
            return [_spec(key, "expect_column_values_to_match_regex", {"column": vcol, "regex": pat[0]},
                          pat[1], name, source="docs/variables.md", pd=pd_flag)]
        return []
    pat = xpath.simple_regex(constraint)
    if pat is not None:
        # a badly written contact detail is a warning: it does not make the answers unreliable
        rule_key = "contact_pattern" if pd_flag == "direct" and name not in ("student_id", "employer_id") \
            else "pattern"
        return [_spec(key, "expect_column_values_to_match_regex", {"column": vcol, "regex": pat}, rule_key,
                      name, constraint=constraint, message=cmsg, pd=pd_flag)]
    try:
        bounds, rest = xpath.split_bounds(constraint)
        if bounds is not None and qtype not in ("integer", "decimal", "range"):
            bounds, rest = None, xpath.parse(constraint)
        cond = xpath.to_query(rest, self_name=name, **tr) if rest is not None else None
    except xpath.XPathTranslationError as exc:
        raise SuiteBuildError(f"{key}: question '{name}': constraint {constraint!r} cannot be translated: "
                              f"{exc}") from None
    out = []
    if bounds is not None:
        lo, hi, slo, shi = bounds
        kwargs: dict[str, Any] = {"column": f"{name}__num", "min_value": lo, "max_value": hi}
        if slo:
            kwargs["strict_min"] = True
        if shi:
            kwargs["strict_max"] = True
        out.append(_spec(key, "expect_column_values_to_be_between", kwargs, "out_of_range", name,
                         constraint=constraint, message=cmsg, pd=pd_flag))
    if cond is not None:
        out.append(_spec(key, "expect_column_values_to_be_null",
                         {"column": vcol, "row_condition": f"~({cond})", "condition_parser": "pandas"},
                         "constraint", name, constraint=constraint, message=cmsg, pd=pd_flag))
    return out


# --------------------------------------------------------------------------- great-expectations objects


def _gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    # lazy: great-expectations costs 1.9 s, paid only when a suite is built or run
    import great_expectations as gx

    return gx


def build_suite(inst: Any, specs: list[dict[str, Any]] | None = None):
    """A ``great_expectations.ExpectationSuite`` for ``inst`` (imports great-expectations).

    Expectation ids are left to GX here (it refuses preset ids on new suites); the stored JSON
    gets the stable ids of :func:`suite_specs` (see :func:`write_suites`).
    """
    gx = _gx()
    # lazy: great-expectations costs 1.9 s, paid only when a suite is built or run
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    specs = suite_specs(inst) if specs is None else specs
    exps = []
    with warnings.catch_warnings():
        # string row_condition + condition_parser="pandas" is deprecated in GX 1.9+ but is the only
        # form that accepts nested and/or/not; it is passed to DataFrame.query unchanged.
        warnings.simplefilter("ignore", DeprecationWarning)
        for s in specs:
            cfg = ExpectationConfiguration(type=s["type"], kwargs=dict(s["kwargs"]), meta=dict(s["meta"]),
                                           severity=s["severity"])
            exps.append(cfg.to_domain_obj())
    return gx.ExpectationSuite(name=instrument_key(inst), expectations=exps,
                               meta={"generated_by": "tracer expectations",
                                     "source": f"questionnaires ({instrument_key(inst)}) + docs/variables.md"})


GX_YML = """\
# Generated by `tracer expectations` (analysis.validate.suites) — do not edit by hand.
# The suites in expectations/ are generated from the questionnaires; regenerate, don't edit.
config_version: 4
analytics_enabled: false
progress_bars:
  globally: false
  metric_calculations: false
config_variables_file_path: uncommitted/config_variables.yml
plugins_directory:
stores:
  expectations_store:
    class_name: ExpectationsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      suppress_store_backend_id: true
      base_directory: expectations/
  validation_results_store:
    class_name: ValidationResultsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      suppress_store_backend_id: true
      base_directory: uncommitted/validations/
  checkpoint_store:
    class_name: CheckpointStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      suppress_store_backend_id: true
      base_directory: checkpoints/
  validation_definition_store:
    class_name: ValidationDefinitionStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      suppress_store_backend_id: true
      base_directory: validation_definitions/
expectations_store_name: expectations_store
validation_results_store_name: validation_results_store
checkpoint_store_name: checkpoint_store
data_docs_sites:
  local_site:
    class_name: SiteBuilder
    show_how_to_buttons: false
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: uncommitted/data_docs/local_site/
    site_index_builder:
      class_name: DefaultSiteIndexBuilder
"""

GX_GITIGNORE = "uncommitted/\n"


def suite_json(data: dict[str, Any], specs: list[dict[str, Any]], namespace: uuid.UUID = SUITE_NAMESPACE) -> str:
    """Deterministic JSON text of a stored suite: stable ids from ``specs`` (the suite's own from ``namespace``
    and its name), keys sorted, UTF-8."""
    data = json.loads(json.dumps(data))
    data["id"] = str(uuid.uuid5(namespace, f"suite/{data['name']}"))
    by_check = {s["meta"]["check"]: s["id"] for s in specs}
    for e in data.get("expectations", []):
        e["id"] = by_check[e["meta"]["check"]]
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _write_if_changed(path: Path, text: str) -> bool:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def write_suites(insts: Iterable[Any], root: Path | str) -> list[Path]:
    """Write one suite per instrument into the great-expectations file project ``root/gx``.

    ``root`` is the project's ``expectations/`` folder. Creates ``gx/great_expectations.yml``
    (analytics and progress bars off) and ``gx/.gitignore`` (``uncommitted/``), stores each suite
    through ``gx.get_context(mode="file", project_root_dir=root)``, then rewrites its JSON
    deterministically. Returns the suite files written, sorted.
    """
    root = Path(root)
    gx_dir = root / "gx"
    _write_if_changed(gx_dir / "great_expectations.yml", GX_YML)
    _write_if_changed(gx_dir / ".gitignore", GX_GITIGNORE)
    gx = _gx()
    context = gx.get_context(mode="file", project_root_dir=str(root))
    files = []
    for inst in insts:
        specs = suite_specs(inst)
        suite = build_suite(inst, specs)
        with warnings.catch_warnings():  # string row_condition: see build_suite
            warnings.simplefilter("ignore", DeprecationWarning)
            stored = context.suites.add_or_update(suite)
        path = gx_dir / "expectations" / f"{stored.name}.json"
        text = suite_json(json.loads(path.read_text(encoding="utf-8")), specs)
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return sorted(files)


def check_suites(insts: Iterable[Any], root: Path | str) -> list[str]:
    """Compare the committed suites under ``root`` with freshly generated ones.

    Returns one line per difference (empty list: in step). Generation happens in a temporary
    folder through the same code path as :func:`write_suites`.
    """
    root = Path(root)
    insts = list(insts)
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tracer-expectations-") as tmp:
        fresh = Path(tmp)
        write_suites(insts, fresh)
        rels = ["gx/great_expectations.yml", "gx/.gitignore"] + \
               [f"gx/expectations/{instrument_key(i)}.json" for i in insts]
        for rel in rels:
            new, old = fresh / rel, root / rel
            if not old.is_file():
                problems.append(f"{old}: missing — run 'tracer expectations' to generate it")
            elif old.read_bytes() != new.read_bytes():
                problems.append(f"{old}: differs from the questionnaires — run 'tracer expectations' "
                                "and commit the result")
        shutil.rmtree(fresh / "gx" / "uncommitted", ignore_errors=True)
    return problems

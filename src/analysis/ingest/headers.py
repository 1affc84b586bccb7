"""The header of an export: each column mapped to a question, an option column, a meta column or nothing.

One job: header matching (:func:`map_headers`): exact names, group paths stripped (Kobo ``grp/sub/q``,
ODK ``grp-sub-q``), names ignoring case, question labels in ky/ru/en (Kobo "Labels" export, the
registrar's headers), ``q/choice`` option columns of select_multiple questions, platform meta columns →
provenance. :func:`check_columns` stops a file whose header cannot be the declared instrument (one line);
:func:`suggest_question` says which question an unknown column probably is ("did you mean …?").
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from analysis.ingest.cells import norm_key
from analysis.ingest.context import ALL_META, ENTRY_META, KOBO_META, ODK_META, ReadContext
from analysis.ingest.labels import Codebook


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

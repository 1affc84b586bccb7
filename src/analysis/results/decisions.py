"""The decisions register (``decisions/*.yaml``): the expert group's recommendations, followed up.

Each file is one recommendation — programme, the registry indicator it targets, what, why, owner, date and
the baseline cohort whose figures it reacted to (``decisions/README.md``).
:func:`load_decisions` validates every file (one-line :class:`~analysis.errors.ConfigError` naming file,
key and problem).
:func:`decision_rows` gives, for the current cohort, per decision the targeted indicator **before** (baseline
cohort's results table), **after** (this cohort's) and the **difference** with its interval
(:func:`analysis.results.table.difference_rows`: Newcombe's hybrid score interval for shares, normal for
means), as rows ``decision:<id>`` (domain ``programme``/code or ``all``; category ``before`` and
``difference``; ``source`` = ``target=<indicator>``; the "after" value is this cohort's own cell of the
indicator, which the report reads).
A baseline cohort not run yet gives one row noting ``baseline not run: <cohort>``; a decision whose baseline
is the current cohort, ``baseline is this cohort``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from analysis.core.i18n import LANGS
from analysis.errors import ConfigError
from analysis.results.table import Settings, difference_rows

__all__ = ["Decision", "decision_links", "decision_rows", "load_decisions"]

KEYS = ("id", "programme", "indicator", "what", "why", "owner", "date", "baseline_cohort")
TEXT_KEYS = ("what", "why", "owner")
"""Keys holding the expert group's words: one text (shown as written in every report) or ``{ky, ru, en}``."""


@dataclass(frozen=True)
class Decision:
    """One recommendation of the decisions register."""

    id: str
    programme: str
    indicator: str
    what: str
    why: str
    owner: str
    date: str
    baseline_cohort: str
    file: str = ""
    translations: tuple[tuple[str, str, str], ...] = ()
    """``(key, lang, text)`` of the keys given in the three languages (:data:`TEXT_KEYS`)."""

    def text(self, key: str, lang: str) -> str:
        """``what``, ``why`` or ``owner`` in ``lang`` when the file gives it per language, else as written."""
        return next((x for k, lg, x in self.translations if k == key and lg == lang), getattr(self, key))

    @property
    def domain(self) -> tuple[str, str]:
        """(domain, group) of the results table it targets."""
        return ("all", "all") if self.programme == "all" else ("programme", self.programme)


def load_decisions(folder: str | Path, indicators: Sequence[str] = (), programmes: Sequence[str] = ()
                   ) -> list[Decision]:
    """Every ``*.yaml`` of ``folder`` (none: an empty list), checked: the keys :data:`KEYS`, a known
    indicator and programme (when lists are given), an ISO date, unique ids. Sorted by date, then id."""
    folder = Path(folder)
    out: list[Decision] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            raise ConfigError(f"{path}: not valid YAML") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: a decision is a mapping of {', '.join(KEYS)}")
        unknown = sorted(set(data) - set(KEYS))
        if unknown:
            raise ConfigError(f"{path}: unknown key(s) {unknown}; the keys are {', '.join(KEYS)}")
        translations: list[tuple[str, str, str]] = []
        for k in TEXT_KEYS:
            v = data.get(k)
            if isinstance(v, dict):
                if sorted(v) != sorted(LANGS) or not all(isinstance(x, str) and x.strip() for x in v.values()):
                    raise ConfigError(f"{path}: key '{k}' must be one text or a text in each of "
                                      f"{', '.join(LANGS)}, e.g. {k}: {{ky: …, ru: …, en: …}}")
                translations += [(k, lang, str(v[lang]).strip()) for lang in LANGS]
                data = {**data, k: v[LANGS[0]]}
        for k in KEYS:
            v = data.get(k)
            if v is None or not str(v).strip():
                raise ConfigError(f"{path}: key '{k}' is missing or empty")
        d = {k: str(data[k]).strip() for k in KEYS}
        if not re.fullmatch(r"[A-Za-z0-9_-]+", d["id"]):
            raise ConfigError(f"{path}: key 'id' {d['id']!r} may hold only letters, digits, - and _")
        if d["id"] in seen:
            raise ConfigError(f"{path}: id {d['id']!r} is already used by {seen[d['id']]}")
        try:
            dt.date.fromisoformat(d["date"])
        except ValueError:
            raise ConfigError(f"{path}: key 'date' {d['date']!r} is not a date YYYY-MM-DD") from None
        if indicators and d["indicator"] not in indicators:
            raise ConfigError(f"{path}: key 'indicator' {d['indicator']!r} is not a registry indicator "
                              "(tracer indicators list)")
        if programmes and d["programme"] != "all" and d["programme"] not in programmes:
            raise ConfigError(f"{path}: key 'programme' {d['programme']!r} is not in programmes.csv (or 'all')")
        seen[d["id"]] = path.name
        out.append(Decision(**d, file=path.name, translations=tuple(translations)))
    return sorted(out, key=lambda x: (x.date, x.id))


def decision_links(decisions: Sequence[Decision]) -> list[tuple[str, str]]:
    """(decision rows, targeted indicator): the disclosure pass hides a decision's rows when this cohort's
    cell of the targeted indicator (the "after" value) is suppressed — else before + difference would give it
    away (:func:`analysis.publish.disclosure.publish`, ``dependent``)."""
    return [(f"decision:{d.id}", d.indicator) for d in decisions]


def _cell(table: pd.DataFrame, indicator: str, domain: str, group: str) -> pd.DataFrame:
    """The uncategorised row(s) of ``indicator`` in one domain group."""
    return table[(table["indicator"] == indicator) & (table["domain"] == domain) & (table["group"] == group)
                 & (table["category"] == "")]


def decision_rows(decisions: Sequence[Decision], current: pd.DataFrame, cohort: str, root: str | Path,
                  st: Settings) -> pd.DataFrame:
    """Before, after and difference of each decision's indicator (see the module docstring)."""
    frames = []
    for d in decisions:
        ind = f"decision:{d.id}"
        dom, grp = d.domain
        base = {"indicator": ind, "domain": dom, "group": grp, "n": 0.0, "statistic": "value", "unit": "",
                "source": f"target={d.indicator}"}
        if d.baseline_cohort == cohort:
            frames.append(pd.DataFrame([{**base, "category": "", "note": f"baseline is this cohort: {cohort}"}]))
            continue
        prev_dir = Path(root) / "data" / "processed" / d.baseline_cohort / "results"
        if not (prev_dir / "estimates.parquet").exists():
            frames.append(pd.DataFrame([{**base, "category": "",
                                         "note": f"baseline not run: {d.baseline_cohort}"}]))
            continue
        prev = pd.read_parquet(prev_dir / "estimates.parquet")
        before, after = _cell(prev, d.indicator, dom, grp), _cell(current, d.indicator, dom, grp)
        if before.empty or after.empty:
            frames.append(pd.DataFrame([{**base, "category": "", "note": "no data: no_answers"}]))
            continue
        diff = difference_rows(after, before, st)
        hidden = False
        pub = prev_dir / "published.parquet"
        if pub.exists():
            pb = _cell(pd.read_parquet(pub), d.indicator, dom, grp)
            hidden = not pb.empty and str(pb["status"].iloc[0]) == "suppressed"
        b = before.assign(indicator=ind, category="before", note=f"cohort={d.baseline_cohort}",
                          source=f"target={d.indicator}")
        diff = diff.assign(indicator=ind, category="difference", source=f"target={d.indicator}")
        if hidden:  # suppressed in the baseline's publication: stays hidden here
            cols = ["estimate", "se", "ci_low", "ci_high", "unweighted", "unweighted_ci_low", "unweighted_ci_high",
                    "x", "p_value", "deff", "n_eff", "pooled", "pooled_ci_low", "pooled_ci_high"]
            for f in (b, diff):
                f.loc[:, [c for c in cols if c in f.columns]] = float("nan")
                f.loc[:, "note"] = "suppressed in the baseline cohort"
        frames += [b, diff]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

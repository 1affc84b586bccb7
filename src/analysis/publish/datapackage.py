"""The published results as open data: tidy CSV files and a Frictionless Data Package, ``reports/COHORT/open-data/``.

For researchers and anyone who reuses the figures in their own tools. Files:

* ``results.csv`` — one row per published row of the university's results (``results/published.parquet``, the
  results table after the one disclosure pass), codes plus labels in Kyrgyz, Russian and English for indicator,
  breakdown (domain), group and category; n, population, estimate, interval, unweighted and pooled estimates,
  p-value, disclosure status and rule, and a short machine note. Values at the report's precision
  (:func:`analysis.publish.release.shown_text`); a suppressed value is empty with ``status = suppressed``.
  Left out: the standard error, design effect and effective sample size (with a rounded ``n`` they would give
  the unrounded group size back) and internal checks.
* ``benchmarks.csv`` — the National Statistical Committee's figures the results are compared with (rows of
  basis ``open_data``), same columns, under the NSC's own licence (CC BY-NC-SA 4.0).
* ``indicators.csv`` — every indicator code of the two files with its labels and descriptions in three languages,
  statistic, unit, base, standard and source (the registry's definitions; a result family's description).
* ``datapackage.json`` — the Data Package (Frictionless Data, Table Schema): every field with its type,
  constraints, ``title`` and ``description`` in English plus ``titles``/``descriptions`` in ``ky``, ``ru`` and
  ``en`` (extra properties, as the standard allows), primary and foreign keys, the licences (the cohort's
  ``licence``, default CC BY 4.0; the NSC's for ``benchmarks.csv``), the sources and the disclosure rules.

Written with ``frictionless`` (offline); the tests validate the package with ``frictionless.validate``.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
from frictionless import Package, Resource, Schema

from analysis.core.i18n import LANGS, t
from analysis.publish.disclosure import RULE_CODES, Rules
from analysis.publish.release import (
    Labeller,
    licence,
    load_published,
    note_texts,
    open_data_licence,
    plan,
    public_note,
    shown_text,
    sources,
)

__all__ = ["FIELDS", "INDICATOR_FIELDS", "indicators_frame", "open_data_dir", "results_frame", "write_package"]

_PK = ["indicator", "domain", "group", "category", "time"]

# name, type, constraints; titles and descriptions come from the catalogue (od_field_<name>, od_field_<name>_desc)
FIELDS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("cohort", "string", {"required": True}),
    ("indicator", "string", {"required": True}),
    *((f"indicator_{lang}", "string", {"required": True}) for lang in LANGS),
    ("statistic", "string", {"required": True}),
    ("unit", "string", {}),
    ("domain", "string", {"required": True}),
    *((f"domain_{lang}", "string", {"required": True}) for lang in LANGS),
    ("group", "string", {"required": True}),
    *((f"group_{lang}", "string", {"required": True}) for lang in LANGS),
    ("category", "string", {}),
    *((f"category_{lang}", "string", {}) for lang in LANGS),
    ("time", "number", {"minimum": 0}),
    ("n", "integer", {"minimum": 0}),
    ("population", "integer", {"minimum": 0}),
    ("estimate", "number", {}),
    ("ci_low", "number", {}),
    ("ci_high", "number", {}),
    ("confidence", "number", {"minimum": 0, "maximum": 1}),
    ("ci_method", "string", {}),
    ("basis", "string", {}),
    ("unweighted", "number", {}),
    ("unweighted_ci_low", "number", {}),
    ("unweighted_ci_high", "number", {}),
    ("pooled", "number", {}),
    ("pooled_ci_low", "number", {}),
    ("pooled_ci_high", "number", {}),
    ("p_value", "number", {"minimum": 0, "maximum": 1}),
    ("status", "string", {"required": True, "enum": ["published", "suppressed"]}),
    ("rule", "string", {"enum": list(RULE_CODES)}),
    ("note", "string", {}),
    ("source", "string", {}),
)
"""The columns of ``results.csv`` and ``benchmarks.csv``, in order, with their Table Schema type and constraints."""
INDICATOR_FIELDS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("indicator", "string", {"required": True, "unique": True}),
    ("kind", "string", {"required": True, "enum": ["registry", "family"]}),
    *((f"label_{lang}", "string", {"required": True}) for lang in LANGS),
    *((f"description_{lang}", "string", {}) for lang in LANGS),
    ("statistic", "string", {}),
    ("unit", "string", {}),
    *((f"base_{lang}", "string", {}) for lang in LANGS),
    ("standard", "string", {}),
    ("reference", "string", {}),
)
"""The columns of ``indicators.csv``."""

_VALUE_COLUMNS = ("estimate", "ci_low", "ci_high", "unweighted", "unweighted_ci_low", "unweighted_ci_high",
                  "pooled", "pooled_ci_low", "pooled_ci_high")


def open_data_dir(cfg: Any) -> Path:
    """``reports/COHORT/open-data/``."""
    return cfg.paths.reports / "open-data"


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def results_frame(cfg: Any, published: pd.DataFrame, labellers: dict[str, Labeller] | None = None) -> pd.DataFrame:
    """The open-data rows of ``published``: the columns of :data:`FIELDS`, as text ready for CSV (values at the
    report's precision, missing values empty), in the published table's order."""
    labs = labellers or {lang: Labeller(lang, int(cfg.disclosure_min_n), cfg.project_root or None) for lang in LANGS}
    rows = []
    for _, r in published.iterrows():
        unit = _text(r["unit"])
        rec: dict[str, str] = {"cohort": cfg.cohort, "indicator": _text(r["indicator"])}
        for lang, lab in labs.items():
            rec[f"indicator_{lang}"] = lab.indicator(r["indicator"])
        rec.update({"statistic": _text(r["statistic"]), "unit": unit, "domain": _text(r["domain"])})
        for lang, lab in labs.items():
            rec[f"domain_{lang}"] = lab.domain(r["domain"])
        rec["group"] = _text(r["group"])
        for lang, lab in labs.items():
            rec[f"group_{lang}"] = lab.group(r["domain"], r["group"])
        rec["category"] = _text(r["category"])
        for lang, lab in labs.items():
            rec[f"category_{lang}"] = lab.category(r["indicator"], r["category"])
        rec["time"] = shown_text(r["time"], unit, "time")
        rec["n"] = shown_text(r["n"], unit, "n")
        rec["population"] = shown_text(r["N"], unit, "N")
        for c in _VALUE_COLUMNS[:3]:
            rec[c] = shown_text(r[c], unit)
        rec["confidence"] = shown_text(r["confidence"], "", "p_value") if _text(r["ci_method"]) else ""
        rec["ci_method"] = _text(r["ci_method"])
        rec["basis"] = _text(r["basis"])
        for c in _VALUE_COLUMNS[3:]:
            rec[c] = shown_text(r[c], unit)
        rec["p_value"] = shown_text(r["p_value"], unit, "p_value")
        rec["status"] = _text(r["status"])
        rec["rule"] = _text(r["rule"])
        rec["note"] = public_note(r["note"])
        rec["source"] = _text(r["source"])
        rows.append(rec)
    return pd.DataFrame(rows, columns=[f[0] for f in FIELDS])


def indicators_frame(published: pd.DataFrame, labellers: dict[str, Labeller]) -> pd.DataFrame:
    """One row per indicator code of ``published``: labels, descriptions and bases in three languages; the
    registry's statistic, unit, standard and source, or the description of the result family's table."""
    reg = labellers[LANGS[0]].registry
    family_of = {}
    for table in plan(published):
        for ind in table.rows["indicator"].astype(str).unique():
            family_of.setdefault(ind, table.spec)
    rows = []
    for ind in dict.fromkeys(published["indicator"].astype(str)):
        sub = published[published["indicator"].astype(str) == ind]
        i = reg.get(ind)
        rec = {"indicator": ind, "kind": "registry" if i else "family"}
        for lang, lab in labellers.items():
            rec[f"label_{lang}"] = lab.indicator(ind)
        spec = family_of.get(ind)
        for lang, lab in labellers.items():
            rec[f"description_{lang}"] = (i.description[lang] if i else lab.description(spec) if spec else "")
        rec["statistic"] = i.statistic if i else "; ".join(dict.fromkeys(sub["statistic"].astype(str)))
        rec["unit"] = i.unit if i else "; ".join(u for u in dict.fromkeys(sub["unit"].astype(str)) if u)
        for lang, lab in labellers.items():
            rec[f"base_{lang}"] = lab.base(spec) if spec else ""
        rec["standard"] = i.standard if i else ""
        rec["reference"] = i.source if i else ""
        rows.append(rec)
    return pd.DataFrame(rows, columns=[f[0] for f in INDICATOR_FIELDS])


def _field(name: str, ftype: str, constraints: dict[str, Any], prefix: str) -> dict[str, Any]:
    titles = {lang: t(f"{prefix}{name}", lang) for lang in LANGS}
    descs = {lang: t(f"{prefix}{name}_desc", lang) for lang in LANGS}
    out: dict[str, Any] = {"name": name, "type": ftype, "title": titles["en"], "description": descs["en"],
                           "titles": titles, "descriptions": descs}
    if constraints:
        out["constraints"] = constraints
    return out


def _key(name: str) -> str:
    """Catalogue key stem of a field: the three label columns of a code share one title (``indicator_ky`` …)."""
    for stem in ("indicator", "domain", "group", "category", "label", "description", "base"):
        for lang in LANGS:
            if name == f"{stem}_{lang}":
                return f"{stem}_lang"
    return name


def _schema(fields: tuple[tuple[str, str, dict[str, Any]], ...], prefix: str, **keys: Any) -> Schema:
    out = []
    for name, ftype, cons in fields:
        f = _field(_key(name), ftype, cons, prefix)
        f["name"] = name
        if name.endswith(tuple(f"_{lang}" for lang in LANGS)):
            lang = name.rsplit("_", 1)[1]
            f["title"] += f" ({lang})"
            f["titles"] = {k: f"{v} ({lang})" for k, v in f["titles"].items()}
        out.append(f)
    return Schema.from_descriptor({"fields": out, "missingValues": [""], **keys})


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 CSV (no byte-order mark), comma-separated, quoted where needed, ``\\n`` line ends."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(frame.columns)
        w.writerows(frame.itertuples(index=False, name=None))


def write_package(cfg: Any, out: Path | None = None, published: pd.DataFrame | None = None) -> Path:
    """Write the cohort's open data (CSV files and ``datapackage.json``) and return the descriptor's path.

    Parameters
    ----------
    cfg
        The cohort (:class:`analysis.core.config.CohortConfig`): name, year, inputs, ``licence``, ``contact``,
        disclosure parameters.
    out
        Folder to write to (default ``reports/COHORT/open-data/``; emptied of the files it writes first).
    published
        The published results table (default: the cohort's ``results/published.parquet``).

    Returns
    -------
    pathlib.Path
        ``datapackage.json``. Only ``published`` is read; nothing is computed or suppressed.
    """
    published = load_published(cfg) if published is None else published
    published = published.reset_index(drop=True)
    out = Path(out) if out is not None else open_data_dir(cfg)
    out.mkdir(parents=True, exist_ok=True)
    labs = {lang: Labeller(lang, int(cfg.disclosure_min_n), cfg.project_root or None) for lang in LANGS}
    bench = published["basis"].astype(str) == "open_data"
    frames = {"results": results_frame(cfg, published[~bench], labs),
              "benchmarks": results_frame(cfg, published[bench], labs),
              "indicators": indicators_frame(published, labs)}
    for name, frame in frames.items():
        _write_csv(frame, out / f"{name}.csv")

    def texts(key: str, **fmt: Any) -> dict[str, str]:
        return {lang: t(key, lang, **fmt) for lang in LANGS}

    fk = [{"fields": "indicator", "reference": {"resource": "indicators", "fields": "indicator"}}]
    resources = []
    for name, fields, keys, lic in (
            ("results", FIELDS, {"primaryKey": _PK, "foreignKeys": fk}, [licence(cfg)]),
            ("benchmarks", FIELDS, {"primaryKey": _PK, "foreignKeys": fk}, [open_data_licence()]),
            ("indicators", INDICATOR_FIELDS, {"primaryKey": ["indicator"]}, [licence(cfg)])):
        title, desc = texts(f"od_resource_{name}"), texts(f"od_resource_{name}_desc", cohort=cfg.cohort)
        res = Resource(path=f"{name}.csv", name=name, title=title["en"], description=desc["en"],
                       schema=_schema(fields, "od_field_" if name != "indicators" else "od_ifield_", **keys),
                       encoding="utf-8", licenses=lic)
        res.custom.update({"titles": title, "descriptions": desc})
        resources.append(res)
    title = texts("od_package_title", cohort=cfg.cohort, year=cfg.graduation_year)
    desc = texts("od_package_desc", cohort=cfg.cohort)
    rules = Rules.from_config(cfg)
    pkg = Package(name=f"jasu-tracer-{cfg.cohort}".lower(), title=title["en"], description=desc["en"],
                  licenses=[licence(cfg)], sources=sources(cfg, published, "en"), resources=resources,
                  contributors=[{"title": t("out_institution", "en"), "role": "publisher"}],
                  keywords=["graduate tracer study", "labour market", "Kyrgyzstan", "Jalal-Abad", cfg.cohort])
    pkg.custom.update({
        "titles": title, "descriptions": desc,
        "languages": list(LANGS),
        "contact": cfg.contact or t("out_contact_default", "en"),
        "synthetic": bool(cfg.synthetic),
        "disclosure": {"round_base": rules.round_base, "min_pct_base": rules.min_pct_base,
                       "max_mean_n_suppressed": rules.max_mean_n_suppressed, "min_n": rules.min_n,
                       "secondary_suppression": True, "rules": list(RULE_CODES),
                       "notes": {lang: dict(note_texts(cfg, lang)) for lang in LANGS}},
    })
    descriptor = out / "datapackage.json"
    tmp = out / "datapackage.json.part"
    pkg.to_json(str(tmp))
    data = json.loads(tmp.read_text(encoding="utf-8"))  # Kyrgyz letters as written, not as \u escapes
    descriptor.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.unlink()
    return descriptor

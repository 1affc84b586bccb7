"""The researcher's entry point: one cohort's processed tables, labelled, in one call.

In JupyterLab (``make lab``)::

    from analysis import load_cohort
    c = load_cohort("demo-2025", lang="ky")
    c.describe()
    c.graduates.groupby("faculty", observed=True)["employed"].mean()

Only the pseudonymous stage outputs are read: ``data/processed/COHORT/`` (graduates, employers,
``validated/quarantine.parquet``, ``validated/outcomes.parquet``, ``results/*.parquet``,
``manifest.json``). The raw folder, where personal data live, is never opened by this module,
and a cohort name cannot point outside the processed folder.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.core.i18n import catalogue
from analysis.core.paths import cohort_paths
from analysis.derive.dictionary import data_dictionary
from analysis.derive.registry import load_registry
from analysis.errors import ConfigError, InputError, user_stacklevel
from analysis.publish.labels import (
    LANGS,
    column_labels,
    label_values,
    value_label,
    variable_source,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Cohort", "MissingTableWarning", "TABLES", "load_cohort"]

#: attribute → file inside ``data/processed/COHORT/``
TABLES: dict[str, str] = {
    "graduates": "graduates.parquet",
    "employers": "employers.parquet",
    "quarantine": "validated/quarantine.parquet",
    "outcomes": "validated/outcomes.parquet",
    "estimates": "results/estimates.parquet",
}
_COHORT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class MissingTableWarning(UserWarning):
    """A stage output of the cohort is missing; its table is empty."""


@dataclass
class Cohort:
    """One cohort's processed tables (pseudonymous: ``pid``, never names or contacts).

    Attributes
    ----------
    name, lang, labelled
        The cohort, the language of the labels (``ky``, ``ru``, ``en``), and whether code columns
        hold labels (pandas Categoricals, see :func:`analysis.publish.labels.label_values`) or raw codes.
    folder
        ``data/processed/COHORT``.
    graduates
        One row per graduate of the registry (respondents and non-respondents) with every derived
        variable (``analysis.derive.graduates.derive_graduates``).
    employers
        The employer survey, one row per employer.
    quarantine, outcomes
        Validation: one row per problem found, and one row per raw row with its outcome
        (accepted, warning, quarantined, merged_duplicate). Kept as stored (codes).
    estimates
        Indicator × domain × group estimates (``results/estimates.parquet``). When labelled, the
        columns ``indicator_label``, ``domain_label`` and ``group_label`` are added; codes stay.
    dictionary
        One row per variable of graduates and employers: table, variable, label, type, values,
        non_missing, source, indicators (registry ids that read the variable).
    column_labels
        ``{column: label}`` for graduates, then employer columns not already named.
    files
        Every file under ``folder`` (relative paths, sorted).
    missing
        Stage outputs that were not found (their tables are empty).
    manifest
        The run manifest (code version, parameters, input checksums); ``{}`` if absent.
    """

    name: str
    lang: str
    labelled: bool
    folder: Path
    graduates: pd.DataFrame
    employers: pd.DataFrame
    quarantine: pd.DataFrame
    outcomes: pd.DataFrame
    estimates: pd.DataFrame
    dictionary: pd.DataFrame
    column_labels: dict[str, str]
    files: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    def result(self, name: str) -> pd.DataFrame:
        """Another table of ``results/`` by name (``"status_shares"``, ``"competences"``, …), as stored.

        A missing table gives an empty frame and a :class:`MissingTableWarning`.
        """
        if not _COHORT_RE.match(name):
            raise ConfigError(f"result name '{name}' is not a file name (e.g. 'status_shares')")
        return _read(self.folder, f"results/{name}.parquet", self.missing, warn=True)

    @property
    def results(self) -> list[str]:
        """Names of the tables in ``results/`` (for :meth:`result`)."""
        return sorted(Path(f).stem for f in self.files if f.startswith("results/") and f.endswith(".parquet"))

    def summary(self) -> str:
        """What :meth:`describe` prints, as text."""
        lines = [f"Cohort {self.name} — {self.folder} (labels: {self.lang}{'' if self.labelled else ', codes kept'})"]
        for attr in TABLES:
            df = getattr(self, attr)
            state = f"{len(df):>6} rows × {df.shape[1]} columns" if attr not in self.missing else "     — missing"
            lines.append(f"  {attr:<11}{state}   {TABLES[attr]}")
        g = self.graduates
        if len(g):
            n = len(g)
            parts = []
            for col, what in (("resp_p1", "phase 1"), ("resp_p2", "phase 2"), ("outcome_known", "outcome known")):
                if col in g.columns:
                    k = int(g[col].fillna(False).astype(bool).sum())
                    parts.append(f"{what} {k} ({100 * k / n:.1f}%)")
            lines.append(f"Graduates {n}; respondents: " + ", ".join(parts))
            mode = next((m for m in ("p2_mode", "p2__mode") if m in g.columns), None)
            if "resp_p2" in g.columns and mode:
                resp = g.loc[g["resp_p2"].fillna(False).astype(bool), mode]
                by_mode = resp.astype("string").fillna("?").value_counts().sort_index()
                lines.append("Phase 2 by mode: " + ", ".join(f"{k} {v}" for k, v in by_mode.items()))
        if len(self.quarantine) and "rule" in self.quarantine.columns:
            lines.append(f"Quarantine: {len(self.quarantine)} problem(s), "
                         f"{self.quarantine['rule'].nunique()} rule(s)")
        if self.manifest:
            version = self.manifest.get("code_version") or self.manifest.get("version") or "?"
            lines.append(f"Manifest: code version {version}")
        if self.results:
            lines.append("Results: " + ", ".join(self.results))
        lines.append(f"Files ({len(self.files)}): " + ", ".join(self.files))
        if self.missing:
            lines.append("Missing: " + ", ".join(self.missing))
        return "\n".join(lines)

    def describe(self) -> None:
        """Print what is there: rows per table, respondents per phase, result tables, files."""
        print(self.summary())

    def __repr__(self) -> str:  # a short line, not five DataFrames
        return (f"Cohort({self.name!r}, lang={self.lang!r}, graduates={len(self.graduates)}, "
                f"employers={len(self.employers)}, missing={self.missing})")


# ----------------------------------------------------------------------------- loading
def _empty() -> pd.DataFrame:
    return pd.DataFrame()


def _read(folder: Path, rel: str, missing: list[str], warn: bool = False) -> pd.DataFrame:
    path = folder / rel
    if not path.is_file():
        if rel not in missing:
            missing.append(rel)
        if warn:
            warnings.warn(f"{path}: not found, empty table — run `tracer run {folder.name}` to produce it",
                          MissingTableWarning, stacklevel=user_stacklevel())
        return _empty()
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - a damaged file is a one-line user error
        raise InputError(path, f"cannot be read as Parquet ({type(exc).__name__}: {' '.join(str(exc).split())})",
                         fix=f"re-run `tracer run {folder.name}`") from None


def _known_cohorts(root: Path) -> list[str]:
    names = {p.stem for p in (root / "cohorts").glob("*.yaml")}
    processed = root / "data" / "processed"
    if processed.is_dir():
        names |= {p.name for p in processed.iterdir() if p.is_dir() and (p / TABLES["graduates"]).is_file()}
    return sorted(names)


def _cohort_folder(cohort: str, project_root: str | Path | None) -> tuple[Path, Path]:
    if not isinstance(cohort, str) or not _COHORT_RE.match(cohort) or ".." in cohort:
        raise ConfigError(f"'{cohort}' is not a cohort name (letters, digits, '-', '_', '.', e.g. demo-2025)")
    paths = cohort_paths(cohort, project_root)
    base = (paths.root / "data" / "processed").resolve()
    folder = paths.processed
    if not folder.resolve().is_relative_to(base):
        raise ConfigError(f"{folder}: a cohort folder must lie inside {base}")
    return paths.root, folder


def _estimates_labels(est: pd.DataFrame, lang: str) -> pd.DataFrame:
    if est.empty:
        return est
    out = est.copy()
    names = {i.id: i.label[lang] for i in load_registry()}
    msgs = catalogue()
    if "indicator" in out.columns:
        out["indicator_label"] = out["indicator"].map(lambda v: names.get(v, v))
    if "domain" in out.columns:
        out["domain_label"] = out["domain"].map(
            lambda d: msgs.get("all_graduates" if d == "all" else f"domain_{d}", {}).get(lang, d))
        if "group" in out.columns:
            pairs = {(d, g) for d, g in zip(out["domain"], out["group"])}
            named = {(d, g): msgs["all_graduates"][lang] if d == "all" else value_label(d, g, lang)
                     for d, g in pairs}
            out["group_label"] = [named[(d, g)] for d, g in zip(out["domain"], out["group"])]
    return out


def _dictionary(tables: dict[str, pd.DataFrame], lang: str, labelled_from: dict[str, pd.DataFrame]) -> pd.DataFrame:

    uses: dict[str, list[str]] = {}
    for ind in load_registry():
        for var in ind.variables():
            uses.setdefault(var, []).append(ind.id)
    frames = []
    for table, df in tables.items():
        if df.shape[1] == 0:
            continue
        instrument = "employer" if table == "employers" else None
        labels = column_labels(df.columns, lang, instrument=instrument)
        d = data_dictionary(labelled_from[table], labels)
        d.insert(0, "table", table)
        d["source"] = [variable_source(v, instrument) for v in d["variable"]]
        d["indicators"] = [", ".join(uses.get(v, [])) if table == "graduates" else "" for v in d["variable"]]
        frames.append(d)
    cols = ["table", "variable", "label", "type", "values", "non_missing", "source", "indicators"]
    if not frames:
        return pd.DataFrame(columns=cols)
    return pd.concat(frames, ignore_index=True)[cols]


def load_cohort(cohort: str = "demo-2025", lang: str = "ky", labelled: bool = True,
                project_root: str | Path | None = None) -> Cohort:
    """Load the processed tables of ``cohort`` for exploration, labelled in ``lang``.

    Parameters
    ----------
    cohort
        Cohort name, as in ``cohorts/COHORT.yaml`` and ``data/processed/COHORT/``.
    lang
        Language of value and column labels: ``ky`` (default), ``ru`` or ``en``.
    labelled
        True: code columns become labelled Categoricals (ordered where the codes are), see
        :func:`analysis.publish.labels.label_values`. False: the tables exactly as the pipeline wrote them.
    project_root
        Project folder (default ``$TRACER_PROJECT_ROOT`` or the folder with ``pyproject.toml``).

    Returns
    -------
    Cohort
        Tables, data dictionary and column labels. A missing stage output gives an empty table and
        one :class:`MissingTableWarning` naming every missing file.

    Raises
    ------
    ConfigError
        Unknown language, an invalid cohort name, or a cohort with neither parameters nor outputs.
    InputError
        The cohort has not been run (no stage output at all), or an output file is damaged.
    """
    if lang not in LANGS:
        raise ConfigError(f"language '{lang}' is not supported (choose from {', '.join(LANGS)})")
    root, folder = _cohort_folder(cohort, project_root)
    present = [rel for rel in TABLES.values() if (folder / rel).is_file()]
    if not present:
        if (root / "cohorts" / f"{cohort}.yaml").is_file() or folder.is_dir():
            raise InputError(folder, f"cohort '{cohort}' has not been run yet (no processed tables)",
                             fix=f"run `tracer run {cohort}` first")
        known = ", ".join(_known_cohorts(root)) or "none"
        raise ConfigError(f"unknown cohort '{cohort}': no cohorts/{cohort}.yaml and no {folder} "
                          f"(known: {known}) — run `tracer run {cohort}` first")

    missing: list[str] = []
    raw_tables = {attr: _read(folder, rel, missing) for attr, rel in TABLES.items()}
    if missing:
        warnings.warn(f"{folder}: not found, left empty: {', '.join(missing)} — run `tracer run {cohort}` "
                      "to produce them", MissingTableWarning, stacklevel=user_stacklevel())
    manifest: dict[str, Any] = {}
    if (folder / "manifest.json").is_file():
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            warnings.warn(f"{folder / 'manifest.json'}: unreadable ({exc}); ignored", MissingTableWarning,
                          stacklevel=user_stacklevel())

    shown = dict(raw_tables)
    labelled_for_dict = {
        "graduates": label_values(raw_tables["graduates"], lang, project_root=root),
        "employers": label_values(raw_tables["employers"], lang, instrument="employer", project_root=root),
    }
    if labelled:
        shown["graduates"] = labelled_for_dict["graduates"]
        shown["employers"] = labelled_for_dict["employers"]
        shown["estimates"] = _estimates_labels(raw_tables["estimates"], lang)
    names = column_labels(raw_tables["employers"].columns, lang, instrument="employer", project_root=root)
    names.update(column_labels(raw_tables["graduates"].columns, lang, project_root=root))
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return Cohort(
        name=cohort, lang=lang, labelled=labelled, folder=folder,
        graduates=shown["graduates"], employers=shown["employers"], quarantine=shown["quarantine"],
        outcomes=shown["outcomes"], estimates=shown["estimates"],
        dictionary=_dictionary({"graduates": raw_tables["graduates"], "employers": raw_tables["employers"]},
                               lang, labelled_for_dict),
        column_labels=names, files=files, missing=missing, manifest=manifest,
    )

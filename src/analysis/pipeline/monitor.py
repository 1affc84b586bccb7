"""Fieldwork monitor: who has answered the follow-up so far, against the registry and the target.

Used while phase 2 is in the field (``tracer monitor COHORT``). Reads the raw files directly — the
files that exist so far — and never writes under ``data/processed/`` or ``reports/``: its call list
holds pseudonymous ids, and contacts only when explicitly asked for (``--with-contacts``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.core.config import CohortConfig
from analysis.errors import ConfigError
from analysis.ingest import read_input
from analysis.privacy.pseudonyms import pseudonymise
from analysis.publish.labels import value_label

CONTACT_COLUMNS = ("full_name", "phone_mobile", "phone_landline", "email", "social_network", "social_handle",
                   "parent_name", "parent_phone")


#: columns whose codes :func:`display_table` replaces by their names
LABELLED_COLUMNS = ("programme", "sex", "mode")


@dataclass
class MonitorResult:
    """Response so far: overall, by programme × sex, by mode, and the list of whom to call next.

    Attributes
    ----------
    overall
        One row: ``graduates``, ``responded``, ``rate``, ``target``, ``answers_not_in_registry``.
    by_programme_sex
        Per programme × sex (codes): ``graduates``, ``responded``, ``rate``, ``to_target`` (answers
        still needed to reach the target), ``below_target``.
    by_mode
        Respondents per collection mode (``mode`` code, ``responded``).
    call_list
        Non-respondents, weakest groups first: ``pid`` (and contacts only when asked for).
    missing_files
        Phase-2 files listed in the cohort parameters but not (yet) in ``data/raw/COHORT/``.
    phase2_files
        Every phase-2 file listed in the cohort parameters.
    """

    overall: pd.DataFrame
    by_programme_sex: pd.DataFrame
    by_mode: pd.DataFrame
    call_list: pd.DataFrame
    missing_files: list[str]
    phase2_files: list[str] = field(default_factory=list)

    @property
    def has_phase2_files(self) -> bool:
        """True when at least one phase-2 file exists (else nobody can have answered yet)."""
        return len(self.missing_files) < len(self.phase2_files)


def _ids(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip().str.casefold()


def monitor(cfg: CohortConfig, key: bytes, target: float | None = None, with_contacts: bool = False) -> MonitorResult:
    """Phase-2 response against the registry; the non-respondents of the weakest groups first."""

    target = cfg.targets.get("phase2_response", 0.6) if target is None else target
    if not cfg.inputs_for("registry"):
        raise ConfigError(f"{cfg.paths.config_file}: the fieldwork monitor compares answers with the graduate "
                          "registry, and this cohort lists none")
    reg_in = cfg.inputs_for("registry")[0]
    raw = cfg.paths.raw
    registry = read_input(raw / reg_in.path, "registry", reg_in.format, encoding=reg_in.encoding,
                          delimiter=reg_in.delimiter, mapping=(raw / reg_in.mapping) if reg_in.mapping else None,
                          base_dir=raw).table
    frames, missing = [], []
    for item in cfg.inputs_for("phase2"):
        path = cfg.paths.raw / item.path
        if not path.exists():
            missing.append(item.path)
            continue
        frames.append(read_input(path, "phase2", item.format, mode=item.mode, encoding=item.encoding,
                                 delimiter=item.delimiter, mapping=(raw / item.mapping) if item.mapping else None,
                                 base_dir=raw).table)
    answers = (pd.concat(frames, ignore_index=True) if frames
               else pd.DataFrame(columns=["student_id", "consent", "_mode"]))
    answered = answers[answers["consent"].astype("string").str.strip().str.casefold() == "yes"]
    first_mode = (answered.assign(_sid=lambda d: _ids(d["student_id"])).drop_duplicates("_sid")
                  .rename(columns={"_mode": "resp_mode"})[["_sid", "resp_mode"]])
    reg = registry[[c for c in registry.columns if not c.startswith("_")]].assign(_sid=_ids(registry["student_id"]))
    reg = reg.merge(first_mode, on="_sid", how="left")
    reg["responded"] = reg["resp_mode"].notna()
    unknown = sorted(set(first_mode["_sid"]) - set(reg["_sid"]))

    def rates(by: list[str]) -> pd.DataFrame:
        g = reg.groupby(by, observed=True, sort=True)["responded"].agg(graduates="size", responded="sum").reset_index()
        g["rate"] = g["responded"] / g["graduates"]
        g["to_target"] = (target * g["graduates"] - g["responded"]).clip(lower=0).apply(lambda v: int(-(-v // 1)))
        g["below_target"] = g["rate"] < target
        return g

    overall = pd.DataFrame([{"graduates": len(reg), "responded": int(reg["responded"].sum()),
                             "rate": reg["responded"].mean() if len(reg) else float("nan"), "target": target,
                             "answers_not_in_registry": len(unknown)}])
    by_ps = rates(["programme", "sex"])
    by_mode = reg[reg["responded"]].groupby("resp_mode").size().rename("responded").reset_index().rename(
        columns={"resp_mode": "mode"})
    todo = reg[~reg["responded"]].merge(by_ps[["programme", "sex", "rate"]], on=["programme", "sex"], how="left")
    todo = todo.sort_values(["rate", "programme", "sex", "_sid"], kind="stable")
    call = pd.DataFrame({"pid": pseudonymise(todo["student_id"].astype("string"), key).to_numpy(),
                         "programme": todo["programme"].to_numpy(), "sex": todo["sex"].to_numpy(),
                         "group_rate": todo["rate"].round(3).to_numpy()})
    if with_contacts:
        for col in CONTACT_COLUMNS:
            if col in todo.columns:
                call[col] = todo[col].to_numpy()
    return MonitorResult(overall, by_ps, by_mode, call, missing, [i.path for i in cfg.inputs_for("phase2")])


def display_table(df: pd.DataFrame, lang: str = "ky", project_root: str | Path | None = None) -> pd.DataFrame:
    """A copy of a monitor table with programme, sex and mode codes replaced by their names in ``lang``.

    Names come from the questionnaires and the programme list (:func:`analysis.publish.labels.value_label`);
    a code without a name stays as it is. ``lang`` is ``ky``, ``ru`` or ``en``.
    """
    out = df.copy()
    for col in LABELLED_COLUMNS:
        if col in out.columns:
            names = {v: value_label(col, v, lang, project_root=project_root) for v in out[col].dropna().unique()}
            out[col] = out[col].map(lambda v, n=names: n.get(v, v))
    return out


def check_output_path(path: Path, root: Path) -> None:
    """Refuse to write a call list under ``data/processed/`` or ``reports/`` (they are for pseudonymous data)."""
    p = path.resolve()
    for forbidden in (root / "data" / "processed", root / "reports"):
        if p.is_relative_to(forbidden.resolve()):
            raise ConfigError(f"{path}: a call list may not be written under {forbidden.relative_to(root)}/ "
                              "— write it outside the project or under data/raw/COHORT/")

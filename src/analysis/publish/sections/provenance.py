"""Appendix: how this report was produced — code version, the run's records (executed notebooks, run log), the
input files with their checksums, the open data used and the run's parameters. File names, checksums and
parameters are identifiers, shown verbatim."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from analysis.core.i18n import catalogue, t
from analysis.publish.sections.income import benchmark_year


def render(rep: Any) -> None:
    """Version and run records, the input files, the open data, the parameters."""
    m = rep.manifest
    rep.heading("sec_appendix_provenance")
    rep.para("provenance_intro", version=m.get("code_version", "?"), python=m.get("python", "?"))
    rep.verbatim(f"reports/{rep.cohort}/executed/\nreports/{rep.cohort}/run.log")
    inputs = pd.DataFrame(m.get("inputs", []))
    lang = rep.lang
    if not inputs.empty:
        inputs = inputs[["path", "instrument", "format", "mode", "bytes", "sha256"]].fillna("")
        inputs["instrument"] = [t(f"instrument_{i}", lang) if f"instrument_{i}" in catalogue() else i
                                for i in inputs["instrument"]]
        inputs["mode"] = [t(f"mode_{x}", lang) if x and f"mode_{x}" in catalogue() else x for x in inputs["mode"]]
        inputs["bytes"] = [rep.count(b) if str(b) != "" else "" for b in inputs["bytes"]]
        inputs.columns = [t("col_file", lang), t("col_instrument", lang), t("col_format", lang),
                          t("col_mode", lang), t("col_bytes", lang), t("col_checksum", lang)]
        rep.show_table(inputs, "provenance_inputs", denominator="",
                       code_cols=(t("col_file", lang), t("col_format", lang), t("col_checksum", lang)))
    wage = rep.cell("context:oblast_average_wage")
    if wage is not None and str(wage["source"]):
        rep.note("provenance_open_data", year=benchmark_year(wage))
        rep.verbatim(str(wage["source"]))
    params = rep.cfg.as_parameters()
    params.pop("inputs", None)
    params.pop("project_root", None)
    rep.say(t("provenance_parameters", lang), "note")
    rep.verbatim(json.dumps(params, ensure_ascii=False, indent=1, sort_keys=True))

"""The title: the report's name, the institution, the cohort and the survey, and a warning on synthetic data."""

from __future__ import annotations

from typing import Any

from analysis.core.i18n import t


def render(rep: Any) -> None:
    """Title, institution and cohort line; a flag when the data are synthetic."""
    rep.heading("report_title", level=1, year=rep.cfg.graduation_year)
    rep.say(t("report_subtitle", rep.lang, institution=rep.institution(), year=rep.cfg.graduation_year,
              months=rep.cfg.survey_months_after), "lead")
    if rep.cfg.synthetic:
        rep.para("synthetic_warning", "flag")

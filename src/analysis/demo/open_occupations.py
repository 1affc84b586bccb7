"""The synthetic by-occupation table of Jalal-Abad oblast that the demo needs and no public source gives.

The ILO short-term-demand rules (V. Gasskov; piloted in Jalal-Abad oblast in 2020) and the source's
"current unemployment" rule need, **by occupation and for the oblast**: the employed, the job seekers and
the vacancies registered with the employment service, and the graduates of the oblast's other
institutions. None of these is published (the kg-open gaps: no employment by occupation or sector for
Jalal-Abad; the employment service's form-116 counts by profession are given to the university on
request). The demo therefore ships this table, marked ``synthetic: true``; every figure that uses it says
so, and a real table obtained from the employment service replaces it (a real figure always wins over a
synthetic one, :meth:`analysis.derive.open_tables.OpenData.pick`).

How the figures are made — deterministic, no random draw, so the file is byte-stable:

* **Employed by ISCO-08 sub-major group, 2024**: :data:`EMPLOYED_2024`, hand-set so that the total
  (≈ 520 thousand) is near the oblast's employed population implied by the LFS (Jalal-Abad had 23.9
  thousand LFS unemployed at 6.2 % in 2018, i.e. a labour force of ≈ 385 thousand, plus growth and the
  informal agricultural self-employed), and the structure follows the national employment structure of
  kg-open ``kg_employment_by_sector.csv`` (agriculture about a third, trade, construction, education).
* **Employed 2025** = 2024 × (1 + :data:`GROWTH`), rounded to 10; the growth rates are scenario values
  chosen so that the demo shows every verdict (growth in ICT, health, hospitality and the trades;
  decline in agriculture and record clerks).
* **Registered job seekers by profession** (1 January 2026): :data:`JOBSEEKERS`; total ≈ 11 thousand,
  the same order as the real 10,376 officially registered unemployed of Jalal-Abad at the end of 2025
  (kg-open ``kg_registered_unemployed.csv``).
* **Registered vacancies by profession** (1 January 2026): :data:`VACANCIES`; total ≈ 900, about 16 % of
  the real national 5,547 of 19 January 2026 (Jalal-Abad's share of the population).
* **Graduates of the oblast's other institutions by occupation** (2025): :data:`OTHER_GRADUATES`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from analysis.derive.open_tables import open_root, table_text, write_table

__all__ = ["TABLE_ID", "VERSION", "synthetic_occupation_table", "write_synthetic_occupation_table"]

TABLE_ID = "ja_occupations_synthetic"
VERSION = "2026-12-06"
REGION = "Jalal-Abad oblast"
SOURCE = "synthetic:analysis.demo.open_occupations"
TITLE = "SYNTHETIC demo figures: Jalal-Abad oblast by ISCO-08 sub-major group (not real data)"

EMPLOYED_2024: dict[str, int] = {
    "11": 2100, "12": 3400, "13": 4800, "14": 3900, "21": 3600, "22": 5200, "23": 26500, "24": 6800, "25": 2400,
    "26": 5900, "31": 4700, "32": 9800, "33": 7400, "34": 3200, "35": 900, "41": 2600, "42": 2300, "43": 2900,
    "51": 14500, "52": 52000, "53": 6100, "54": 5800, "61": 118000, "71": 38000, "72": 9500, "74": 4300,
    "75": 12400, "83": 27000, "92": 61000, "93": 21000, "94": 3500, "96": 4600,
}
GROWTH: dict[str, float] = {
    "11": 0.0, "12": 0.015, "13": 0.025, "14": 0.04, "21": 0.01, "22": 0.038, "23": 0.01, "24": -0.005,
    "25": 0.065, "26": -0.015, "31": 0.035, "32": 0.025, "33": 0.005, "34": 0.01, "35": 0.05, "41": -0.01,
    "42": 0.03, "43": -0.02, "51": 0.04, "52": 0.02, "53": 0.02, "54": 0.0, "61": -0.02, "71": 0.05,
    "72": 0.02, "74": 0.04, "75": 0.03, "83": 0.03, "92": -0.03, "93": 0.01, "94": 0.02, "96": 0.0,
}
JOBSEEKERS: dict[str, int] = {
    "11": 20, "12": 90, "13": 110, "14": 60, "21": 150, "22": 70, "23": 620, "24": 540, "25": 40, "26": 680,
    "31": 260, "32": 310, "33": 520, "34": 120, "35": 30, "41": 160, "42": 140, "43": 210, "51": 300,
    "52": 1400, "53": 160, "54": 120, "61": 2300, "71": 900, "72": 280, "74": 180, "75": 420, "83": 700,
    "92": 1100, "93": 450, "94": 90, "96": 120,
}
VACANCIES: dict[str, int] = {
    "12": 8, "13": 6, "14": 9, "21": 12, "22": 60, "23": 85, "24": 10, "25": 12, "26": 6, "31": 15, "32": 55,
    "33": 14, "34": 5, "35": 6, "41": 4, "42": 12, "43": 5, "51": 45, "52": 60, "53": 20, "54": 25, "61": 20,
    "71": 70, "72": 40, "74": 18, "75": 240, "83": 110, "92": 15, "93": 30, "94": 10, "96": 12,
}
OTHER_GRADUATES: dict[str, int] = {
    "12": 100, "13": 60, "14": 90, "21": 150, "22": 250, "23": 900, "24": 550, "25": 120, "26": 700, "31": 260,
    "32": 600, "33": 450, "34": 120, "35": 80, "42": 60, "43": 70, "51": 200, "53": 80, "54": 60, "61": 150,
    "71": 200, "74": 180, "83": 100,
}
NOTE = ("SYNTHETIC: generated for the demo by analysis.demo.open_occupations; "
        "replace with the employment service's table")


def _rows(indicator: str, period: str, unit: str, values: dict[str, int]) -> list[dict[str, Any]]:
    return [{"indicator": indicator, "region": REGION, "period": period, "occupation": code, "value": str(v),
             "unit": unit, "source_url": SOURCE, "source_title": TITLE, "published_date": "", "note": NOTE}
            for code, v in sorted(values.items())]


def synthetic_occupation_table() -> pd.DataFrame:
    """The synthetic table in the open-data schema (indicators ``employed_by_occupation`` 2024 and 2025,
    ``registered_jobseekers_by_profession``, ``registered_vacancies_by_profession``,
    ``graduates_other_institutions_by_occupation``), one row per ISCO-08 sub-major group."""
    employed_2025 = {k: int(round(v * (1 + GROWTH[k]) / 10.0) * 10) for k, v in EMPLOYED_2024.items()}
    rows = (_rows("employed_by_occupation", "2024", "persons", EMPLOYED_2024)
            + _rows("employed_by_occupation", "2025", "persons", employed_2025)
            + _rows("registered_jobseekers_by_profession", "as of 2026-01-01", "persons", JOBSEEKERS)
            + _rows("registered_vacancies_by_profession", "as of 2026-01-01", "vacancies", VACANCIES)
            + _rows("graduates_other_institutions_by_occupation", "2025", "persons", OTHER_GRADUATES))
    return pd.DataFrame(rows)


def sidecar() -> dict[str, Any]:
    """The provenance of the synthetic table."""
    return {
        "id": TABLE_ID, "title": TITLE, "version": VERSION, "synthetic": True,
        "licence": "generated by the project (no third-party figures)",
        "publisher": "the project's demo generator (tracer opendata demo-table)",
        "transformation": "none: written in the schema by the generator",
        "coverage": "Jalal-Abad oblast; employed 2024 and 2025; job seekers and vacancies on 1 January 2026; "
                    "other institutions' graduates 2025; ISCO-08 sub-major groups",
        "note": "Not real data. Stands in for the employment service's yearly table by profession and an "
                "employment-by-occupation estimate for the oblast, which are not published (docs/labour-market.md).",
    }


def write_synthetic_occupation_table(root: Path | str | None = None) -> Path:
    """Write (or rewrite identically) ``data/raw/open/tables/ja_occupations_synthetic/<VERSION>.csv`` and its
    sidecar, checked by the schema's suite; returns the CSV path."""
    dest = open_root(root) / "tables" / TABLE_ID / f"{VERSION}.csv"
    table = synthetic_occupation_table()
    if dest.is_file() and dest.read_text(encoding="utf-8") == table_text(table):
        return dest
    return write_table(table, sidecar(), root)

"""The seeded synthetic demo cohort ``demo-2025``: a registry, two graduate surveys and an employer survey.

Every person and employer here is fictitious. The generator draws ~2,000 graduates of June 2025 over the
35 programmes of ``definitions/programmes.csv`` and lets each live through a plausible first nine months
(ILO labour status, 19th ICLS 2013; occupation ISCO-08; economic activity ГКЭД-3 / NACE Rev.2 sections;
money in KGS net per month, against the Jalal-Abad oblast average wage of ~34.6 thousand som in 2025
from ``data/raw/open/kg-open/kg_avg_wage_by_region.csv``). It then writes the files a real cohort would arrive as:

=======================  ==========  =============  ======  ==============================================
file                     instrument  format         mode    what it imitates
=======================  ==========  =============  ======  ==============================================
registry.xlsx            registry    registry_xlsx  —       the registrar's spreadsheet (contact database)
phase1_kobo.csv          phase1      kobo_csv       online  KoboToolbox CSV export, XML values and headers
phase2_online_kobo.csv   phase2      kobo_csv       online  KoboToolbox CSV export, XML values and headers
phase2_phone_odk.csv     phase2      odk_csv        phone   ODK Central CSV export (interviewers' tablets)
phase2_paper_entry.xlsx  phase2      entry_xlsx     paper   paper questionnaires keyed into the project's
                                                            data-entry workbook (analysis.instruments.forms)
employers_kobo.xlsx      employer    kobo_xlsx      online  KoboToolbox XLSX export
=======================  ==========  =============  ======  ==============================================

plus ``planted_defects.csv`` (the deliberate data-quality problems, by file, row and column),
``truth.csv`` (the population values of the main indicators, from the generator's latent state of every
graduate, :func:`analysis.demo.truth.truth_table`) and a ``README.md``. The output is a pure function of the
arguments: the same seed gives the same bytes.

This module orchestrates the generator (:func:`generate_cohort`) and writes the README; each step is a
module of its own: :mod:`~analysis.demo.population` (parameters and the latent life course),
:mod:`~analysis.demo.people` (fictitious names, phones, the registry draw), :mod:`~analysis.demo.answers`
(phase-1 and phase-2 answers), :mod:`~analysis.demo.employers` (the employer survey),
:mod:`~analysis.demo.exports` (the platform writers) and :mod:`~analysis.demo.truth` (``truth.csv`` and the
planted defects).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from analysis.demo.answers import PHASE1_COLUMNS, PHASE2_COLUMNS, complete_latent, fieldwork
from analysis.demo.employers import EMPLOYER_COLUMNS, draw_employers
from analysis.demo.exports import (
    Row,
    answer_frame,
    kobo_meta,
    meta_frame,
    odk_meta,
    write_entry,
    write_registry,
)
from analysis.demo.frame import frame_csv
from analysis.demo.people import draw_registry
from analysis.demo.population import PROGRAMME_PARAMS, TRUTH_REFERENCE_DATE, Graduate, Rand, draw_outcomes
from analysis.demo.truth import Defect, defects_csv, latent_frame, plant, truth_csv, truth_table
from analysis.derive.transition import DAYS_PER_MONTH
from analysis.errors import ConfigError
from analysis.ingest.writers import write_kobo_csv, write_kobo_xlsx, write_odk_csv
from analysis.instruments.xlsform import load_instrument

__all__ = ["DEFAULT_N", "DEFAULT_SEED", "DEMO_FILES", "generate_cohort", "graduate_truth"]

DEFAULT_SEED = 20250630
DEFAULT_N = 2000

DEMO_FILES: tuple[dict[str, str], ...] = (
    {"path": "registry.xlsx", "instrument": "registry", "format": "registry_xlsx"},
    {"path": "phase1_kobo.csv", "instrument": "phase1", "format": "kobo_csv", "mode": "online"},
    {"path": "phase2_online_kobo.csv", "instrument": "phase2", "format": "kobo_csv", "mode": "online"},
    {"path": "phase2_phone_odk.csv", "instrument": "phase2", "format": "odk_csv", "mode": "phone"},
    {"path": "phase2_paper_entry.xlsx", "instrument": "phase2", "format": "entry_xlsx", "mode": "paper"},
    {"path": "employers_kobo.xlsx", "instrument": "employer", "format": "kobo_xlsx", "mode": "online"},
)
"""The raw files of the demo cohort, as entries of ``inputs:`` in ``cohorts/demo-2025.yaml``
(keys as :class:`analysis.core.config.InputFile`; paths relative to the cohort folder)."""


def graduate_truth(seed: int = DEFAULT_SEED, n_graduates: int = DEFAULT_N, *, graduation_year: int = 2025,
                   effects: Mapping[str, float] | None = None, follow_up_months: int = 9):
    """Per-graduate truth of a demo cohort: the derived variables from the generator's latent state.

    Reference API: the tests compare it, graduate by graduate, with what
    :func:`analysis.derive.graduates.derive_graduates` derives from the same graduates' validated answers
    (the proof that ``truth.csv`` maps the latent state to the indicators correctly). The cohort is
    drawn again in memory (a pure function of ``seed`` and ``n_graduates``); nothing is written.

    Returns
    -------
    pandas.DataFrame
        One row per graduate (sorted by ``student_id``): ``student_id, faculty, sex``,
        ``responded_p2`` (gave a consenting phase-2 answer), ``resp_p2`` (always True), ``labour_status``
        (ILO 19th ICLS), ``employed, in_labour_force, further_study_ft, job_within_6m, hm_subjective,
        full_time`` (nullable booleans; ``<NA>`` outside the variable's universe) and ``income_stat``
        (KGS net per month, full-time paid work only).
    """
    grads, _files, _defects = _assemble(int(seed), int(n_graduates), graduation_year, effects, follow_up_months)
    return latent_frame(grads)


def _assemble(seed: int, n_graduates: int, year: int = 2025, effects: Mapping[str, float] | None = None,
              months: int = 9,
              ) -> tuple[list[Graduate], dict[str, list[Row]], list[Defect]]:
    """Draw the cohort and lay out the rows of every file, with the planted defects."""
    grads = draw_registry(Rand(seed, 1), n_graduates, year)
    draw_outcomes(Rand(seed, 2), grads, effects)
    fieldwork(seed, grads, year, effects, months)
    complete_latent(Rand(seed, 81), grads)
    rm = Rand(seed, 41)
    files: dict[str, list[Row]] = {"registry.xlsx": [Row(dict(g.reg)) for g in grads]}
    p1 = []
    for g in grads:
        if g.p1 is not None:
            day = date.fromisoformat(g.p1["survey_date"] or g.reg["graduation_date"])
            m = kobo_meta(rm, day)
            p1.append(Row(dict(g.p1), m, (m["_submission_time"], m["_uuid"])))
    files["phase1_kobo.csv"] = p1
    by_mode: dict[str, list[Row]] = {"online": [], "phone": [], "paper": []}
    for g in grads:
        if g.p2 is None:
            continue
        day = date.fromisoformat(g.p2["survey_date"]) if g.p2["survey_date"] else (
            date(year + 1, 3, 20) + timedelta(days=round((months - 9) * DAYS_PER_MONTH)))
        if g.p2_mode == "online":
            m = kobo_meta(rm, day, "validation_status_approved" if rm.p(0.35) else "")
            by_mode["online"].append(Row(dict(g.p2), m, (m["_submission_time"], m["_uuid"])))
        elif g.p2_mode == "phone":
            m = odk_meta(rm, day)
            by_mode["phone"].append(Row(dict(g.p2), m, (m["SubmissionDate"], m["KEY"])))
        else:
            by_mode["paper"].append(Row(dict(g.p2), {}, (day.isoformat(), g.reg["student_id"])))
    files["phase2_online_kobo.csv"] = by_mode["online"]
    files["phase2_phone_odk.csv"] = by_mode["phone"]
    files["phase2_paper_entry.xlsx"] = by_mode["paper"]
    emp = []
    for a in draw_employers(seed, max(12, round(n_graduates * 0.075))):
        day = date(year + 1, 2, 2) + timedelta(days=rm.int(0, 40))
        m = kobo_meta(rm, day)
        emp.append(Row(a, m, (m["_submission_time"], m["_uuid"])))
    files["employers_kobo.xlsx"] = emp
    registry_ids = {g.reg["student_id"] for g in grads}
    grad_of = {g.reg["student_id"]: g for g in grads}
    defects = plant(Rand(seed, 51), files, registry_ids, grad_of)
    for name, rows in files.items():
        if name != "registry.xlsx":
            rows.sort(key=lambda x: x.sort_key)
    return grads, files, defects


def generate_cohort(out_dir: Path, seed: int = DEFAULT_SEED, n_graduates: int = DEFAULT_N,
                    cohort: str = "demo-2025", progress: Any = None, *, graduation_year: int = 2025,
                    effects: Mapping[str, float] | None = None, follow_up_months: int = 9) -> dict[str, Path]:
    """Write the synthetic demo cohort (all people fictitious) into ``out_dir``.

    A pure function of its arguments: the same arguments give byte-identical files (seeded
    ``numpy.random.default_rng`` streams, no clock, ZIP entries of the .xlsx files dated 1980-01-01).

    Parameters
    ----------
    out_dir : folder to write into (created if missing); existing files of the same names are replaced.
    seed : seed of every random draw.
    n_graduates : size of the graduating cohort (at least 35, one per programme); about 7.5% as many
        employers are surveyed (at least 12).
    cohort : cohort name written into the README.
    progress : optional callable receiving one line of text per file written.
    graduation_year : the year of graduation; every date (ceremony, surveys in the next year) and the
        enrolment-year prefix of the student ids move with it (ids of different years rarely coincide: the prefixes
        of one level overlap another level's of other years, and the 6 random digits then match by chance).
    effects : logit shifts planted on top of the generator's model
        (:func:`analysis.demo.population.planted_shift`), e.g.
        ``{"employment:faculty:ECON": 0.5, "employment:programme:PHIL-JOUR-B": -0.6}``; outcomes
        ``employment`` (employed at the reference week) and ``response_p2`` (answering phase 2), targets
        ``all``, ``faculty:CODE``, ``programme:CODE``. None (the default) leaves every draw as it was.
    follow_up_months : months from graduation to the phase-2 survey (default 9). Another value makes a later
        wave of the same cohort (same seed, year and effects: the same graduates and student ids): who answers
        is drawn anew and the fieldwork moves by ``follow_up_months`` − 9 months.

    Returns
    -------
    dict mapping each file name (the :data:`DEMO_FILES` paths, ``planted_defects.csv``, ``truth.csv``,
    ``enterprise_frame.csv``,
    ``README.md``) to its path.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError(f"demo: the seed must be a whole number ≥ 0, got {seed!r}")
    if isinstance(n_graduates, bool) or not isinstance(n_graduates, int) or n_graduates < len(PROGRAMME_PARAMS):
        raise ConfigError(f"demo: n_graduates must be a whole number ≥ {len(PROGRAMME_PARAMS)} "
                          f"(one graduate per programme), got {n_graduates!r}")
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        return _generate(out_dir, seed, n_graduates, cohort, progress or (lambda _line: None), graduation_year,
                         effects, follow_up_months)
    except OSError as exc:
        raise ConfigError(f"{exc.filename or out_dir}: cannot write the demo cohort there "
                          f"({exc.strerror or exc}) — choose another folder with --out") from None


def _generate(out_dir: Path, seed: int, n_graduates: int, cohort: str, say: Any, year: int = 2025,
              effects: Mapping[str, float] | None = None, months: int = 9) -> dict[str, Path]:
    """Write every file of the cohort into ``out_dir`` (see :func:`generate_cohort`); ``say`` reports each."""
    grads, files, defects = _assemble(int(seed), int(n_graduates), int(year), effects, int(months))
    rm = Rand(seed, 61)
    written: dict[str, Path] = {}
    first_row = {name: 2 for name in files}

    def done(name: str) -> None:
        p = out_dir / name
        written[name] = p
        rows = f"{len(files[name])} data rows, " if name in files else ""
        say(f"wrote {p} ({rows}{p.stat().st_size:,} bytes)")

    write_registry(files["registry.xlsx"], out_dir / "registry.xlsx", int(year))
    done("registry.xlsx")
    inst = {k: load_instrument(k) for k in ("phase1", "phase2", "employer")}
    for name, key, cols, k in (("phase1_kobo.csv", "phase1", PHASE1_COLUMNS, 1),
                               ("phase2_online_kobo.csv", "phase2", PHASE2_COLUMNS, 2)):
        rows = files[name]
        write_kobo_csv(answer_frame(rows, cols), inst[key], out_dir / name, meta=meta_frame(rows, rm, True),
                       seed=seed + k)
        done(name)
    rows = files["phase2_phone_odk.csv"]
    meta = meta_frame(rows, rm, False)
    meta["FormVersion"] = [str(inst["phase2"].version or "")] * len(rows)  # Central: the form's version
    write_odk_csv(answer_frame(rows, PHASE2_COLUMNS), inst["phase2"], out_dir / "phase2_phone_odk.csv",
                  meta=meta, seed=seed + 3)
    done("phase2_phone_odk.csv")
    first_row["phase2_paper_entry.xlsx"] = write_entry(files["phase2_paper_entry.xlsx"], inst["phase2"],
                                                       out_dir / "phase2_paper_entry.xlsx", Rand(seed, 71))
    done("phase2_paper_entry.xlsx")
    rows = files["employers_kobo.xlsx"]
    write_kobo_xlsx(answer_frame(rows, EMPLOYER_COLUMNS), inst["employer"], out_dir / "employers_kobo.xlsx",
                    meta=meta_frame(rows, rm, True), seed=seed + 4)
    done("employers_kobo.xlsx")
    (out_dir / "enterprise_frame.csv").write_bytes(frame_csv(answer_frame(rows, EMPLOYER_COLUMNS), seed))
    done("enterprise_frame.csv")
    for d in defects:
        rows = files[d.file]
        d.row = first_row[d.file] + next(i for i, x in enumerate(rows) if x is d.row_obj)
    defects.sort(key=lambda d: ([f["path"] for f in DEMO_FILES].index(d.file), d.row))
    (out_dir / "planted_defects.csv").write_bytes(defects_csv(defects).encode("utf-8"))
    done("planted_defects.csv")
    truth = truth_table(latent_frame(grads))
    (out_dir / "truth.csv").write_bytes(truth_csv(truth).encode("utf-8"))
    done("truth.csv")
    (out_dir / "README.md").write_bytes(_readme(cohort, seed, n_graduates, grads, files, defects, truth)
                                        .encode("utf-8"))
    done("README.md")
    return written


def _summary(grads: list[Graduate]) -> dict[str, float]:
    """Headline figures of the drawn cohort (before defects): response rates, employment, median income."""
    n = len(grads)
    p2 = [g for g in grads if g.p2 is not None]
    consenting = [g for g in p2 if g.p2["consent"] == "yes"]
    employed = [g for g in consenting if g.status == "employed"]
    incomes = sorted(int(g.p2["income"]) for g in employed if g.p2["income"] and g.emp_kind != "family_worker")
    abroad = sorted(int(g.p2["income"]) for g in employed if g.p2["income"] and g.abroad)

    def median(xs: list[int]) -> float:
        if not xs:
            return float("nan")
        m = len(xs) // 2
        return float(xs[m]) if len(xs) % 2 else (xs[m - 1] + xs[m]) / 2

    modes = {m: sum(1 for g in p2 if g.p2_mode == m) for m in ("online", "phone", "paper")}
    return {
        "graduates": n,
        "phase1_rate": sum(1 for g in grads if g.p1 is not None) / n,
        "phase2_rate": len(p2) / n,
        **{f"phase2_{m}_share": modes[m] / max(1, len(p2)) for m in modes},
        "employment_rate": len(employed) / max(1, len(consenting)),
        "employment_rate_all": sum(1 for g in grads if g.status == "employed") / n,
        "median_income": median(incomes),
        "median_income_abroad": median(abroad),
        "state_share": sum(1 for g in grads if g.reg["funding"] == "state") / n,
        "income_band_share": sum(1 for g in employed if g.p2["income_band"]) / max(1, len(employed)),
    }


_FILE_TEXT = {
    "registry.xlsx": "the registrar's list of all graduates (contact database): one row per graduate, headers = "
                     "contract names, dates as Excel dates",
    "phase1_kobo.csv": "exit survey just before graduation, KoboToolbox CSV export (\"XML values and headers\", "
                       "groups in headers; `;`, all fields quoted, CRLF)",
    "phase2_online_kobo.csv": "nine-month follow-up answered online, KoboToolbox CSV export",
    "phase2_phone_odk.csv": "nine-month follow-up by telephone interview, ODK Central CSV export (`,`, groups "
                            "joined with `-`)",
    "phase2_paper_entry.xlsx": "nine-month follow-up on paper, keyed into the project's data-entry workbook "
                               "(sheet `data`: names in row 1, question text in row 2, answers from row 3; "
                               "choices as the dropdown text `code – label`)",
    "employers_kobo.xlsx": "employer survey of Jalal-Abad oblast (legal entities and individual entrepreneurs), "
                           "KoboToolbox XLSX export",
}


def _readme(cohort: str, seed: int, n: int, grads: list[Graduate], files: dict[str, list[Row]],
            defects: list[Defect], truth: list[dict[str, Any]]) -> str:
    """The text of the cohort's ``README.md``: the files, the cohort at a glance, the planted defects, the truth."""
    s = _summary(grads)
    levels = {lv: sum(1 for g in grads if g.reg["level"] == lv)
              for lv in ("bachelor", "specialist", "master", "college")}
    sizes = {}
    for g in grads:
        sizes[g.reg["programme"]] = sizes.get(g.reg["programme"], 0) + 1
    year = int(grads[0].reg["graduation_date"][:4]) if grads else 2025
    lines = [
        f"# `{cohort}` — a synthetic demo cohort (all people and employers are fictitious)",
        "",
        "**Nothing in this folder describes a real person.** Names are drawn from short lists of Kyrgyz, Uzbek "
        "and Russian first names, patronymics and surnames; student ids, phone numbers, e-mail addresses and "
        "social-network handles are random. Phone numbers use real Kyrgyz mobile prefixes and e-mails real "
        "mail domains, so some may by chance belong to someone: **never call or write to them.**",
        "",
        "The folder imitates what the survey team of Jalal-Abad State University (ЖАМУ) receives for one "
        "graduating cohort, so that the whole pipeline (ingest → validate → derive → model → report) can be "
        "run, tested and demonstrated without personal data. It is generated, not edited by hand:",
        "",
        "```",
        f"tracer demo --seed {seed} --n-graduates {n}          # or: make demo",
        f"python -c \"from pathlib import Path; from analysis.demo.synthetic import generate_cohort; "
        f"generate_cohort(Path('data/raw/{cohort}'), seed={seed}, n_graduates={n})\"",
        "```",
        "",
        "The output is a pure function of the seed and size: running the command again gives byte-identical "
        "files (`tests/unit/test_demo.py` checks this). Do not edit the files by hand; change "
        "the generator (`src/analysis/demo/`) and regenerate.",
        "",
        "## Files",
        "",
        "| file | instrument | format | mode | data rows | what it is |",
        "|---|---|---|---|---:|---|",
    ]
    for f in DEMO_FILES:
        lines.append(f"| `{f['path']}` | {f['instrument']} | `{f['format']}` | {f.get('mode', '—')} | "
                     f"{len(files[f['path']])} | {_FILE_TEXT[f['path']]} |")
    lines += [
        f"| `planted_defects.csv` | — | csv | — | {len(defects)} | the planted data-quality problems below, "
        "machine-readable (file, row, column, respondent, value, defect, expected_check) |",
        f"| `truth.csv` | — | csv | — | {len(truth)} | the population values of the main indicators, from the "
        "generator's latent truth (see *The truth* below) |",
        "| `enterprise_frame.csv` | — | csv | — | 105 | SYNTHETIC enterprise frame (sector × size band counts) the "
        "employers are weighted to; a real cohort gets it from the statistics office's business register "
        "(docs/employers.md) |",
        "",
        "Rows are counted as a spreadsheet user sees them: the header is row 1 and the first data row is row 2 "
        "(in the entry workbook the first data row is row 3). The same list as YAML for "
        f"`cohorts/{cohort}.yaml` is `analysis.demo.synthetic.DEMO_FILES`.",
        "",
        "## The cohort at a glance (as drawn, before the planted defects)",
        "",
        f"- {s['graduates']:,} graduates of June {year} in 8 faculties and {len(sizes)} programmes: "
        + ", ".join(f"{v} {k}" for k, v in levels.items())
        + f"; programme sizes {min(sizes.values())}–{max(sizes.values())}; "
        f"{s['state_share']:.0%} state-funded, the rest fee-paying (contract).",
        f"- Phase 1 (exit survey): {s['phase1_rate']:.1%} of graduates answered.",
        f"- Phase 2 (nine months, March–April {year + 1}): {s['phase2_rate']:.1%} answered — online "
        f"{s['phase2_online_share']:.0%}, phone {s['phase2_phone_share']:.0%}, paper {s['phase2_paper_share']:.0%} "
        "of the answers. Phase-1 respondents who agreed to be contacted answer more often; answering also depends "
        "on programme, sex, the phase-1 job status, plan and satisfaction, and on being abroad — so "
        "non-response is informative, as in real cohorts.",
        f"- Employed (ILO, 19th ICLS: worked ≥ 1 hour for pay or profit, helped in a family business, or "
        f"temporarily absent) among consenting phase-2 respondents: {s['employment_rate']:.1%} "
        f"({s['employment_rate_all']:.1%} of all graduates as drawn). The model makes it higher for medicine, "
        "nursing, IT, the master's programmes and state-funded graduates, lower for some humanities and for "
        "women caring for young children.",
        f"- Median reported net monthly income {s['median_income']:,.0f} KGS among those who gave an amount "
        "(unpaid family workers excluded; Jalal-Abad oblast average wage in "
        f"2025: 34,633 som, NSC, excl. small enterprises); abroad (Russia, Kazakhstan, Türkiye, Korea, …) "
        f"{s['median_income_abroad']:,.0f} KGS, mostly informal manual jobs. {s['income_band_share']:.0%} of "
        "the employed gave an income band or refused instead of an amount.",
        "",
        "## How the data are drawn",
        "",
        "Per graduate (`src/analysis/demo/population.py`, `answers.py`): programme sizes from ~8 (master's) "
        "to ~150 (medicine, "
        "nursing); "
        "sex, funding and home rayon by programme and population; further study (master's after a bachelor's, "
        "residency after medicine, a bachelor's after college); then the labour status nine months after "
        "graduation from a logistic model (programme group, funding, GPA, sex, young children, conscription); "
        "for the employed: work abroad, self-employment, unpaid family work in agriculture, paid internships, "
        "temporary absence; an occupation (ISCO-08 unit group) in or outside the field of study, its ГКЭД "
        "section, employer type, contract and Social Fund contributions, hours (part-time teaching loads, long "
        "weeks abroad) and net income (lognormal around occupation medians). Answers follow the XLSForms' skip "
        "logic. Phase-1 answers (plan, job status, worked during studies) are consistent with what later "
        "happened, with noise. Competences at graduation and required in the job differ most for foreign "
        "languages, ICT, problem solving and working under pressure. Open answers are short Kyrgyz and Russian "
        "phrases. Kobo and ODK meta columns (`_uuid`, `_submission_time`, `KEY`, `SubmissionDate`, …) are "
        "seeded too.",
        "",
        "## Planted defects",
        "",
        "A small share of rows carry one deliberate problem each; validation must find every one of them "
        "(row = spreadsheet row):",
        "",
        "| # | file | row | column | respondent | value | defect | expected check |",
        "|---:|---|---:|---|---|---|---|---|",
    ]
    for i, d in enumerate(defects, start=1):
        value = f"`{d.value}`" if d.value else "(empty)"
        lines.append(f"| {i} | `{d.file}` | {d.row} | `{d.column}` | {d.respondent} | {value} | {d.defect} | "
                     f"{d.expect} |")
    lines += [
        "",
        "`respondent` is the graduate's true student id (where the id itself was mistyped, `value` shows what "
        "the file holds). The registry is clean. The phase-1 row with a mistyped id leaves its graduate "
        "without a phase-1 answer; the phone row with a mistyped id leaves its graduate without a phase-2 answer.",
        "",
    ]
    lines += _readme_truth(s, truth)
    return "\n".join(lines)


_TRUTH_TEXT = {
    "employment_rate": "employed (ILO) ÷ all graduates",
    "unemployment_rate": "unemployed (ILO) ÷ graduates in the labour force",
    "labour_force_participation_rate": "employed or unemployed ÷ all graduates",
    "further_study_rate": "full-time further study (not a short course) ÷ all graduates",
    "job_within_6_months_share": "first job within 6 months of graduation ÷ graduates with a known time "
                                 "(further study without a job and unknown times left out)",
    "horizontal_match_subjective_rate": "own rating of the field match 4 or 5 ÷ the employed",
    "median_monthly_income": "median net pay of full-time paid work (KGS per month), every amount known",
}


def _readme_truth(s: dict[str, float], truth: list[dict[str, Any]]) -> list[str]:
    """The README section on ``truth.csv``."""
    lines = [
        "## The truth (`truth.csv`)",
        "",
        "What the main indicators would show if every graduate had answered, truthfully: their population "
        f"values over all {s['graduates']:,} graduates of the registry, computed from the generator's latent "
        "state of each graduate (`Graduate.status` in `analysis.demo.population`, the kind of job, hours, pay, …) "
        "— never from the survey "
        "files, so non-respondents count and the planted defects do not. Compare a pipeline estimate "
        "(`data/processed/COHORT/results/estimates.parquet`, same `indicator`, `domain` and `group`) with it: "
        "the difference is non-response bias plus sampling error (and, for income, the amounts withheld).",
        "",
        "Columns: `indicator` (the registry id, `docs/indicators.md`), `domain` (`all`, `faculty`, `sex`), "
        "`group` (`all`, the faculty code, `female`/`male`), `N` (graduates the value is computed over: the "
        "indicator's universe with the variable known) and `value` (a share between 0 and 1, or KGS per "
        "month, net).",
        "",
        "Definitions are exactly the registry's (universe, numerator, statistic, `src/analysis/definitions/"
        "indicators.yaml`, applied by the pipeline's own evaluator), with the default derive parameters the "
        "demo cohort uses (40-hour full-time week, 6 months, no income trimming). Where the registry's "
        "universe is *phase-2 respondents*, the truth's is **every graduate**, since in truth every graduate "
        "has a labour status. The details the generator settles only when it writes a phase-2 answer "
        "(search and availability of the not employed, full-time enrolment, hours, pay, the own 1–5 rating "
        "of the field match) are drawn for the graduates who did not answer from a random stream of their "
        "own, so the survey files do not change. The reference date is the graduate's phase-2 survey date, "
        f"else {TRUTH_REFERENCE_DATE.isoformat()}.",
        "",
        "A test (`tests/unit/test_demo.py`) proves the mapping from latent state to indicator: for the "
        "phase-2 respondents without a planted defect, the truth equals what `derive_graduates` makes of "
        "their validated answers for at least 99 % of them; the exceptions are listed there (the amounts "
        "withheld by design: an income band or a refusal instead of the amount).",
        "",
        "| indicator | what | N | all graduates |",
        "|---|---|---:|---:|",
    ]
    for r in truth:
        if r["domain"] != "all":
            continue
        v = r["value"]
        shown = "—" if v is None else (f"{v:.1%}" if r["unit"] == "share" else f"{v:,.0f} KGS")
        lines.append(f"| `{r['indicator']}` | {_TRUTH_TEXT[r['indicator']]} | {r['N']:,} | {shown} |")
    lines.append("")
    return lines

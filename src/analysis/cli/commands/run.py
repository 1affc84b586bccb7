"""``tracer run``: execute the stage notebooks of one or more cohorts and render the reports."""

from __future__ import annotations

import argparse
import sys

from analysis.errors import TracerError


def langs_arg(value: str) -> tuple[str, ...]:
    """``--lang ky,ru,en`` as a tuple (argparse type; also used by ``tracer trends``)."""
    langs = tuple(x.strip() for x in value.split(",") if x.strip())
    if not langs:
        raise argparse.ArgumentTypeError("give at least one language, e.g. ky or ky,ru,en")
    return langs


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run", help="run the whole pipeline for a cohort and render its report",
        description="Execute the stage notebooks (ingest+validate, clean+derive, model, report) with papermill, "
                    "each from a fresh kernel, into reports/COHORT/executed/, and render "
                    "reports/COHORT/report.LANG.html and .pdf (the run's log: reports/COHORT/run.log). Several "
                    "cohorts may be given; a failing cohort does not stop the others (the exit code is then 2).")
    p.add_argument("cohorts", nargs="*", metavar="COHORT", help="cohort name(s), e.g. demo-2025 (see cohorts/)")
    p.add_argument("--all", action="store_true", help="run every cohort that has a parameter file in cohorts/")
    p.add_argument("--lang", type=langs_arg, default=("ky",),
                   help="report language(s), comma-separated: ky (default), ru, en — e.g. --lang ky,ru,en")
    p.add_argument("--stages", type=lambda v: tuple(v.split(",")), default=None,
                   help="only these stages, comma-separated: ingest,derive,model,report (default: all)")
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="report kernels at once, one per language (default: $TRACER_JOBS, else the machine's cores)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    # lazy: `tracer --help` stays at 0.06 s; importing every command's modules up front costs 0.9 s
    from analysis.core.paths import project_root
    from analysis.pipeline.run import STAGES, main_progress, run_cohort

    cohorts = list(args.cohorts)
    if args.all:
        cohorts += sorted(p.stem for p in (project_root() / "cohorts").glob("*.yaml") if p.stem not in cohorts)
    if not cohorts:
        raise TracerError("name a cohort (e.g. 'tracer run demo-2025') or use --all")
    if args.stages:
        bad = sorted(set(args.stages) - {s.key for s in STAGES})
        if bad:
            raise TracerError(f"unknown stage(s) {bad}; stages are {', '.join(s.key for s in STAGES)}")
    failed = []
    for cohort in cohorts:
        try:
            rec = run_cohort(cohort, args.lang, stages=args.stages, log=main_progress, jobs=args.jobs)
            print(f"{cohort}: done in {rec.total:.1f} s — "
                  f"reports/{cohort}/report.{{{','.join(args.lang)}}}.{{html,pdf}} (log: reports/{cohort}/run.log)")
        except TracerError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed.append(cohort)
    if failed:
        print(f"{len(failed)} of {len(cohorts)} cohort(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 2
    return 0

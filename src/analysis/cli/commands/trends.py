"""``tracer trends``: run several cohorts if needed, then the trend results and the trend report."""

from __future__ import annotations

import argparse
import re
import sys
import time

from analysis.cli.commands.run import langs_arg
from analysis.errors import TracerError

DEMO_TRENDS = ("demo-2023", "demo-2024", "demo-2025")  # kept equal to analysis.demo.trends.DEMO_TREND_COHORTS
DEMO_WAVES = ("demo-2023-w2",)  # kept equal to analysis.demo.trends.DEMO_LATER_WAVES


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``trends`` subcommand."""
    p = sub.add_parser(
        "trends", help="trend report over several cohorts (default: the three demo cohorts 2023-2025)",
        description="Compare cohorts: for each cohort (oldest first) run the pipeline stages ingest, derive and "
                    "model when its results are missing (demo cohorts of the trend scenario get their raw files "
                    "generated first, deterministic from their seeds), then build the trend table — every "
                    "registry indicator by cohort, all graduates and by faculty, with differences between "
                    "consecutive cohorts and first to last (Newcombe intervals) — pass it through the one "
                    "disclosure control into data/processed/trends/published.parquet, link the cohorts' "
                    "graduates by pseudonym, and write reports/trends/trends.LANG.html.",
        epilog="Examples: tracer trends   (demo-2023 demo-2024 demo-2025, in ky, ru and en);  "
               "tracer trends demo-2024 demo-2025 --lang en;  tracer trends --n-graduates 120 --rerun")
    p.add_argument("cohorts", nargs="*", metavar="COHORT",
                   help=f"cohorts to compare, oldest first, at least two (default: {' '.join(DEMO_TRENDS)})")
    p.add_argument("--lang", type=langs_arg, default=("ky", "ru", "en"),
                   help="report language(s), comma-separated (default: ky,ru,en)")
    p.add_argument("--wave", action="append", default=None, metavar="COHORT-wN",
                   help="a later wave to link by pseudonym to the cohort it follows up (COHORT-wN links to COHORT, "
                        "which must be among the compared cohorts); repeatable. Default without named cohorts: "
                        f"{' '.join(DEMO_WAVES)}")
    p.add_argument("--rerun", action="store_true",
                   help="run the pipeline of every cohort again, even when its results exist")
    p.add_argument("--n-graduates", type=int, default=None, metavar="N",
                   help="size of the demo cohorts generated now (default 2000): with it demo-2023 and demo-2024 "
                        "are written again at this size and every cohort is run again; the committed demo-2025 "
                        "is only generated where its files are missing (e.g. a fresh project folder)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    # lazy: `tracer --help` stays fast; the pipeline and the publishing modules are imported only here
    from analysis.core.config import load_config
    from analysis.core.paths import project_root
    from analysis.demo.trends import ensure_raw
    from analysis.pipeline.run import main_progress, run_cohort
    from analysis.publish.trends import build_trends, render_trends, trends_dir
    from analysis.results.linkage import chain_rates, link_rate, read_graduates

    cohorts = list(args.cohorts) or list(DEMO_TRENDS)
    if len(cohorts) < 2:
        raise TracerError("name at least two cohorts to compare, oldest first (e.g. 'tracer trends demo-2024 "
                          "demo-2025')")
    if len(set(cohorts)) != len(cohorts):
        raise TracerError(f"a cohort is named twice: {' '.join(cohorts)}")
    waves = list(args.wave) if args.wave is not None else ([] if args.cohorts else list(DEMO_WAVES))
    earlier_of = {}
    for w in waves:
        base = w.rsplit("-w", 1)[0] if re.fullmatch(r".+-w\d+", w) else ""
        if base not in cohorts:
            raise TracerError(f"--wave {w}: a later wave is named COHORT-wN after a compared cohort "
                              f"({', '.join(cohorts)})")
        earlier_of[w] = base
    root = project_root()
    t0 = time.perf_counter()
    for cohort in [*cohorts, *waves]:
        cfg = load_config(cohort, root)
        if ensure_raw(cohort, cfg.paths.raw, args.n_graduates, force=args.n_graduates is not None,
                      progress=None):
            main_progress(f"{cohort}: generated the synthetic raw files in {cfg.paths.raw.relative_to(root)}")
        have = (cfg.paths.processed / "results" / "published.parquet").exists()
        if args.rerun or args.n_graduates is not None or not have:
            run_cohort(cohort, ("en",), root, stages=("ingest", "derive", "model"), log=main_progress)
        else:
            main_progress(f"{cohort}: results exist (data/processed/{cohort}/results/), not run again (--rerun)")
    published = build_trends(cohorts, root)
    try:
        tables = {c: read_graduates(load_config(c, root).paths.processed) for c in cohorts}
    except FileNotFoundError as exc:
        raise TracerError(f"{exc.filename}: no graduates table — run 'tracer run' on that cohort") from None
    links = chain_rates(tables)
    for lk in links:
        main_progress(f"linkage: {lk['linked']} of {lk['respondents']} phase-2 respondents of {lk['cohort']} "
                      f"are in {lk['earlier']}")
    wave_links = []
    for w in waves:
        wcfg = load_config(w, root)
        lk = link_rate(read_graduates(wcfg.paths.processed), tables[earlier_of[w]], later_name=w,
                       earlier_name=earlier_of[w])
        wave_links.append({**lk, "months": wcfg.survey_months_after})
        main_progress(f"later wave {w}: {lk['linked_resp']} of its {lk['respondents']} respondents answered phase 2 "
                      f"of {lk['earlier']} ({lk['rate_resp']:.1%}); {lk['linked']} are in its registry")
    written = [render_trends(published, cohorts, root, lang, links, wave_links) for lang in args.lang]
    rel = trends_dir(root).relative_to(root)
    shown = int((published["status"] == "published").sum())
    print(f"trends of {', '.join(cohorts)}: {shown} of {len(published)} cells published ({rel}/published.parquet); "
          f"{', '.join(str(p.relative_to(root)) for p in written)} in {time.perf_counter() - t0:.1f} s",
          file=sys.stdout)
    return 0

"""``tracer demo``: (re)generate the seeded synthetic demo cohort ``demo-2025``."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

DEFAULT_SEED = 20250630  # kept equal to analysis.demo.synthetic.DEFAULT_SEED (not imported: keeps `tracer --help` fast)
DEFAULT_N = 2000


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``demo`` subcommand."""
    p = subparsers.add_parser(
        "demo", help="generate the synthetic demo cohort (fictitious people) under data/raw/demo-2025",
        description="Write the seeded synthetic cohort demo-2025: the registrar's list (registry.xlsx), the "
                    "exit survey as a KoboToolbox CSV export, the nine-month follow-up as a Kobo CSV (online), "
                    "an ODK Central CSV (phone) and a keyed-in data-entry workbook (paper), the employer survey "
                    "as a Kobo XLSX export, planted_defects.csv, truth.csv (the population values of the main "
                    "indicators, from the generator's latent truth) and a README. All people and employers are "
                    "fictitious. The same seed and size give byte-identical files.",
        epilog="Example: tracer demo --out /tmp/demo --n-graduates 120   (a small cohort for trying things out)",
    )
    p.add_argument("--out", type=Path, metavar="DIR",
                   help="folder to write into (default: data/raw/demo-2025 of the project); files of the same "
                        "names are replaced")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="N",
                   help=f"random seed, a whole number ≥ 0 (default {DEFAULT_SEED}, the committed demo)")
    p.add_argument("--n-graduates", type=int, default=DEFAULT_N, metavar="N",
                   help=f"number of graduates, at least 35 = one per programme (default {DEFAULT_N}); "
                        "about 7.5%% as many employers are surveyed")
    p.add_argument("--large", action="store_true",
                   help="a large cohort for scale tests, as CSV exports (registry_csv, kobo_csv, odk_csv): a donor "
                        "pool of 5,000 graduates drawn one by one, resampled with numpy to --n-graduates "
                        "(docs/performance.md); needs --out; the committed demo is never written this way")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Generate the cohort, printing one line per file written; returns the exit code."""
    # lazy: `tracer --help` stays at 0.06 s; importing every command's modules up front costs 0.9 s
    from analysis.core.paths import cohort_paths
    from analysis.demo.synthetic import generate_cohort

    if args.large:
        from analysis.demo.large import generate_large
        from analysis.errors import ConfigError

        if args.out is None:
            raise ConfigError("demo --large: give the folder to write into with --out (a large cohort never "
                              "replaces the committed demo-2025)")
        t0 = time.perf_counter()
        written = generate_large(args.out, seed=args.seed, n_graduates=args.n_graduates, progress=print)
        print(f"{len(written)} files written to {args.out} (seed {args.seed}, {args.n_graduates} graduates, "
              f"large: CSV exports, inputs as analysis.demo.large.LARGE_FILES) in {time.perf_counter() - t0:.1f} s")
        return 0
    out = args.out if args.out is not None else cohort_paths("demo-2025").raw
    t0 = time.perf_counter()
    written = generate_cohort(out, seed=args.seed, n_graduates=args.n_graduates, progress=print)
    print(f"{len(written)} files written to {out} (seed {args.seed}, {args.n_graduates} graduates) in "
          f"{time.perf_counter() - t0:.1f} s; the planted defects are listed in {Path(out) / 'README.md'}")
    return 0

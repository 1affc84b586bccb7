"""``tracer monitor``: phase-2 response while the follow-up is in the field."""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.core.i18n import LANGS


def _share(value: str) -> float:
    v = float(value)
    if not 0 < v <= 1:
        raise argparse.ArgumentTypeError(f"{value} is not a share between 0 and 1 (e.g. 0.6 for 60%)")
    return v


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "monitor", help="fieldwork monitor: phase-2 response so far and whom to call next",
        description="Reads the cohort's registry and the phase-2 files that exist so far, prints the response "
                    "rate by programme × sex and by mode against the target, and the pseudonymous ids of "
                    "non-respondents in the weakest groups first. Contacts are added only with --with-contacts "
                    "and are never written under data/processed/ or reports/.")
    p.add_argument("cohort", metavar="COHORT")
    p.add_argument("--target", type=_share, default=None,
                   help="response-rate target as a share between 0 and 1 (default: the cohort's, 0.60)")
    p.add_argument("--with-contacts", action="store_true",
                   help="add names and phone numbers to the call list (personal data: handle with care)")
    p.add_argument("-o", "--output", type=Path, default=None,
                   help="write the call list as CSV (UTF-8 with BOM, for Excel); not allowed under "
                        "data/processed/ or reports/")
    p.add_argument("--top", type=int, default=20, help="how many ids of the call list to print (default 20)")
    p.add_argument("--lang", choices=LANGS, default="ky",
                   help="language of programme, sex and mode names in the tables and the CSV (default ky)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    # lazy: `tracer --help` stays at 0.06 s; importing every command's modules up front costs 0.9 s
    from analysis.core.config import load_config
    from analysis.pipeline.monitor import check_output_path, display_table, monitor
    from analysis.pipeline.stages import pseudonym_key

    cfg = load_config(args.cohort)
    if args.output is not None:
        check_output_path(args.output, Path(cfg.project_root))
    res = monitor(cfg, pseudonym_key(cfg), args.target, args.with_contacts)
    if not res.has_phase2_files:
        where = f"data/raw/{cfg.cohort}/"
        if res.phase2_files:
            print(f"{cfg.cohort}: no phase-2 answers yet — none of the phase-2 files listed in "
                  f"{cfg.paths.config_file.name} is in {where} ({', '.join(res.phase2_files)}).")
        else:
            print(f"{cfg.cohort}: no phase-2 answers yet — {cfg.paths.config_file.name} lists no phase-2 file.")
        return 0

    def show(df):
        return display_table(df, args.lang, cfg.project_root)

    o = res.overall.iloc[0]
    print(f"{cfg.cohort}: {int(o.responded)} of {int(o.graduates)} graduates answered phase 2 "
          f"({100 * o.rate:.1f}%; target {100 * o.target:.0f}%).")
    if res.missing_files:
        print(f"files not there yet: {', '.join(res.missing_files)}")
    if o.answers_not_in_registry:
        print(f"warning: {int(o.answers_not_in_registry)} answer(s) carry a student id that is not in the registry")
    if res.by_mode.empty:
        print("\nBy mode: no consenting answer yet.")
    else:
        print("\nBy mode:\n" + show(res.by_mode).to_string(index=False))
    below = res.by_programme_sex[res.by_programme_sex["below_target"]]
    print(f"\nProgramme × sex groups below target: {len(below)} of {len(res.by_programme_sex)}")
    if not below.empty:
        table = below.assign(rate=(100 * below["rate"]).round(1)).sort_values("rate", kind="stable")
        print(show(table[["programme", "sex", "graduates", "responded", "rate", "to_target"]]).to_string(index=False))
    if res.call_list.empty:
        print("\nCall next: nobody — every graduate has answered.")
    else:
        print(f"\nCall next ({len(res.call_list)} non-respondents; first {args.top}):")
        print(show(res.call_list.head(args.top)).to_string(index=False))
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        calls = res.call_list.copy()
        names = show(calls[["programme"]])["programme"]
        calls.insert(calls.columns.get_loc("programme") + 1, "programme_name", names)
        calls.to_csv(args.output, index=False, encoding="utf-8-sig")
        print(f"\nwrote {args.output}")
    return 0

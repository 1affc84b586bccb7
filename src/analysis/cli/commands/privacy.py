"""``tracer init-key`` and ``tracer scan-personal``: the pseudonymisation key and the leak check."""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

from analysis.errors import ConfigError, InputError

_MAX_PER_KIND = 5


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "init-key",
        help="create the secret pseudonymisation key (once per team, then back it up)",
        description="Write 32 random bytes (hex) to the key file in your user config directory "
                    "(default $XDG_CONFIG_HOME/tracer/pseudonym.key or ~/.config/tracer/pseudonym.key), "
                    "readable only by you. Student ids are replaced by HMAC-SHA256 pseudonyms under this "
                    "key, so the same key must be used for every phase and every cohort: share it with "
                    "the team through a safe channel (or the TRACER_PSEUDONYM_KEY variable) and keep a "
                    "backup. It is never stored in the repository.",
    )
    p.add_argument("--path", type=Path, default=None,
                   help="where to write the key (default: the user config directory; paths inside a "
                        "git working tree are refused)")
    p.add_argument("--force", action="store_true",
                   help="replace an existing key. Pseudonyms made with the old key (earlier cohorts, "
                        "phase 1) will no longer match: linkage across phases and years is broken")
    p.set_defaults(func=_init_key)

    s = sub.add_parser(
        "scan-personal",
        help="check that no personal data leaked into processed data or reports (exit 1 on a hit)",
        description="Read the direct identifiers (student_id, full_name, email, phone_mobile, "
                    "phone_landline, social_handle, parent_name, parent_phone, email_new, phone_new; see "
                    "docs/variables.md) from the cohort's raw registry and search every file under "
                    "data/processed/COHORT/ and reports/COHORT/ (csv, json, ipynb, html, md, parquet, "
                    "xlsx, ...) for them, as whole words or numbers only: names, e-mails and handles "
                    "word by word ignoring case, spacing and punctuation; phones by their national number "
                    "(+996, 996, 0 and separators ignored); student ids as whole digit groups. A phone's "
                    "digits inside a date or a longer number are not a hit. Prints one line per hit with "
                    "the value masked "
                    "(the first 5 of each kind per file unless --all) and exits with 1 if anything "
                    "is found, 0 if clean.",
        epilog="Example: tracer scan-personal demo-2025 --registry data/raw/demo-2025/registry.xlsx",
    )
    s.add_argument("cohort", metavar="COHORT", help="cohort name, e.g. demo-2025")
    s.add_argument("--registry", type=Path, action="append", default=None, metavar="FILE",
                   help="raw file (xlsx or csv) whose direct-identifier columns give the values to look "
                        "for; repeatable (e.g. the registry and a phase-1 export with contact "
                        "updates). Default: the registry named in cohorts/COHORT.yaml, read with its "
                        "format, encoding and legacy mapping; without a parameter file "
                        "data/raw/COHORT/registry.xlsx or .csv")
    s.add_argument("--also", type=Path, action="append", default=[], metavar="PATH",
                   help="scan this file or folder too (e.g. notebooks/); repeatable")
    s.add_argument("--patterns", action="store_true",
                   help="also report any phone number or e-mail address, even if not in the registry")
    s.add_argument("--min-len", type=int, default=5,
                   help="shortest value searched, in characters (default 5; digits: at least 7)")
    s.add_argument("--all", dest="show_all", action="store_true",
                   help="print every hit (default: the first 5 of each kind per file, then a count)")
    s.add_argument("--root", type=Path, default=None,
                   help="project folder (default: found from the current directory)")
    s.set_defaults(func=_scan)


# ----------------------------------------------------------------------------------- init-key
def _init_key(args: argparse.Namespace) -> int:
    # lazy: `tracer --help` stays at 0.06 s; importing every command's modules up front costs 0.9 s
    from analysis.privacy.keys import KEY_ENV, init_key

    path = init_key(args.path, force=args.force)
    print(f"wrote a new pseudonymisation key to {path} (readable only by you)")
    if args.force:
        print("warning: pseudonyms made with the previous key no longer match new ones", file=sys.stderr)
    print("Back it up now (e.g. the expert group's password manager): without it earlier cohorts "
          "cannot be linked to new data.")
    if args.path is not None:
        print(f"This is not the default location; set {KEY_ENV} to the key's contents for tracer to use it.")
    elif os.environ.get(KEY_ENV):
        print(f"note: {KEY_ENV} is set and takes precedence over this file.")
    return 0


# ------------------------------------------------------------------------------ scan-personal
def _read_identifier_file(path: Path):
    """A raw xlsx/csv file as text columns; group paths (``grp/question``) reduced to the name."""
    # lazy: pandas costs 0.3 s, which `tracer --help` must not pay
    import pandas as pd

    if not path.is_file():
        raise InputError(path, "file not found", fix="check the --registry path")
    suffix = path.suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm"}:
            sheets = pd.read_excel(path, sheet_name=None, dtype=str, engine="openpyxl")
            frames = list(sheets.values())
        elif suffix in {".csv", ".tsv", ".txt"}:
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("cp1251")
            frames = [pd.read_csv(io.StringIO(text), sep=None, engine="python", dtype=str)]
        else:
            raise InputError(path, f"unsupported format '{suffix}'", fix="give an .xlsx or .csv file")
    except InputError:
        raise
    except Exception as exc:  # unreadable workbook or csv
        raise InputError(path, f"cannot be read ({type(exc).__name__}: {exc})") from None
    out = []
    for df in frames:
        df = df.copy()
        df.columns = [str(c).rsplit("/", 1)[-1].strip() for c in df.columns]
        out.append(df)
    return out


def _cohort_registry_values(cohort: str, root: Path) -> tuple[dict[str, set[str]], int] | None:
    """The personal values of the registry named in ``cohorts/COHORT.yaml``, read as stage 1 reads
    it (format, encoding and the legacy mapping); None when the cohort has no parameter file."""
    # lazy: `tracer --help` stays at 0.06 s; importing every command's modules up front costs 0.9 s
    from analysis.core.paths import cohort_paths

    if not cohort_paths(cohort, root).config_file.is_file():
        return None
    # lazy: `tracer --help` stays at 0.06 s; importing every command's modules up front costs 0.9 s
    from analysis.core.config import load_config
    from analysis.privacy.values import cohort_personal_values

    cfg = load_config(cohort, root)
    values = cohort_personal_values(cfg)
    return {col: set(vals) for col, vals in values.items()}, len(cfg.inputs_for("registry"))


def _default_sources(cohort: str, root: Path) -> list[Path]:
    """``data/raw/COHORT/registry.xlsx`` or ``.csv`` of a cohort without a parameter file."""
    # lazy: `tracer --help` stays at 0.06 s; importing every command's modules up front costs 0.9 s
    from analysis.core.paths import cohort_paths

    paths = cohort_paths(cohort, root)
    found = sorted(p for p in paths.raw.glob("registry.*") if p.suffix.lower() in {".xlsx", ".csv"})
    if not found:
        raise ConfigError(
            f"{paths.raw}: no registry.xlsx or registry.csv for cohort '{cohort}' — "
            f"pass the raw registry with --registry FILE"
        )
    return found


def _scan(args: argparse.Namespace) -> int:
    # lazy: `tracer --help` stays at 0.06 s; importing every command's modules up front costs 0.9 s
    from analysis.core.paths import cohort_paths, project_root
    from analysis.privacy.scan import collect_files, scan_for_personal_data
    from analysis.privacy.values import DIRECT_IDENTIFIERS, personal_values

    root = args.root.resolve() if args.root else project_root()
    paths = cohort_paths(args.cohort, root)
    values: dict[str, set[str]] = {}
    sources: list[Path] = list(args.registry or [])
    n_sources = len(sources)
    if not sources:
        from_config = _cohort_registry_values(args.cohort, root)
        if from_config is not None:
            values, n_sources = from_config
        else:
            sources = _default_sources(args.cohort, root)
            n_sources = len(sources)
    for src in sources:
        got = {}
        for frame in _read_identifier_file(src):
            for col, vals in personal_values(frame).items():
                got.setdefault(col, set()).update(vals)
        if not got:
            raise InputError(
                src, "has none of the direct-identifier columns",
                fix=f"name the columns as in docs/variables.md ({', '.join(DIRECT_IDENTIFIERS)})",
            )
        for col, vals in got.items():
            values.setdefault(col, set()).update(vals)
    n_values = sum(len(v) for v in values.values())

    targets = [paths.processed, paths.reports, *args.also]
    for t in targets:
        if not t.exists():
            print(f"note: {t} does not exist, nothing to scan there", file=sys.stderr)
    start = time.perf_counter()
    scannable, skipped = collect_files(targets)
    hits = scan_for_personal_data(
        scannable, {k: sorted(v) for k, v in values.items()}, min_len=args.min_len, patterns=args.patterns
    )
    seconds = time.perf_counter() - start
    for f in skipped:
        print(f"not scanned (binary format): {f}", file=sys.stderr)
    hidden: dict[Path, dict[str, int]] = {}
    per_kind: dict[tuple[Path, str], int] = {}
    for hit in hits:
        n = per_kind[(hit.file, hit.kind)] = per_kind.get((hit.file, hit.kind), 0) + 1
        if args.show_all or n <= _MAX_PER_KIND:
            print(hit)
        else:
            kinds = hidden.setdefault(hit.file, {})
            kinds[hit.kind] = kinds.get(hit.kind, 0) + 1
    for file, kinds in hidden.items():
        detail = ", ".join(f"{k} {n}" for k, n in kinds.items())
        print(f"{file}: ... and {sum(kinds.values())} more personal values ({detail}; --all lists them)")
    size = sum(f.stat().st_size for f in scannable) / 1e6
    verdict = (f"{len(hits)} hit(s) in {len({h.file for h in hits})} file(s) — remove or regenerate them"
               if hits else "clean")
    print(f"scan-personal {args.cohort}: {n_values} personal values from {n_sources} file(s); "
          f"{len(scannable)} files ({size:.1f} MB) scanned in {seconds:.1f} s: {verdict}")
    return 1 if hits else 0

"""Large synthetic cohorts (up to millions of graduates) as CSV exports, vectorised — for the scaling benchmark.

Two generators, two jobs (``docs/performance.md``):

* the committed demo ``demo-2025`` and any small cohort: the per-person generator
  (:func:`analysis.demo.synthetic.generate_cohort`), which draws each graduate's life course and writes every
  platform's format (XLSX included) byte-identically from a seed;
* large cohorts: this module. It draws a **donor pool** of ``pool`` graduates with the per-person generator
  (the same population parameters, the same planted defects, nothing copied: the pool *is*
  :func:`~analysis.demo.synthetic.generate_cohort`'s output), then builds the large cohort with numpy by
  stratified resampling: each graduate gets a donor of the same programme (the programme sizes of the
  per-person generator, :data:`analysis.demo.synthetic.PROGRAMME_PARAMS`), a fresh 8-digit student id, a fresh
  mobile phone and e-mail, and every survey row of the donor (phase 1, phase 2 by mode, duplicates and planted
  defects included) with that id and fresh submission ids. Rows are taken whole (``DataFrame.take``), columns
  are rewritten whole — no per-person loop, no per-cell write.

The files are the formats the pipeline already reads, as CSV (Excel holds at most 1,048,576 rows):
``registry.csv`` (``registry_csv``), ``phase1_kobo.csv``, ``phase2_online_kobo.csv``, ``phase2_paper_kobo.csv``
(the paper answers keyed into the Kobo form, ``kobo_csv``, mode paper), ``phase2_phone_odk.csv`` (``odk_csv``),
``employers_kobo.csv`` (``kobo_csv``; employers resampled to 7.5 % of the graduates like the per-person
generator), ``enterprise_frame.csv`` (the pool's) and ``truth.csv``: the population values of
:data:`~analysis.demo.synthetic.TRUTH_INDICATORS` computed by :func:`~analysis.demo.truth.truth_table` on the
donors' latent truth, resampled like the graduates.

What resampling does not give: fewer distinct life courses than graduates (at most ``pool``); names repeat
(every ``pool``-th person shares a donor's name — phones and e-mails are unique); planted ids that match no
graduate (mistyped ids) are dropped with their rows, so the mistyped-id defect is absent above the pool size.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.demo.people import MOBILE_PREFIXES
from analysis.demo.population import PROGRAMME_PARAMS, allocate
from analysis.demo.synthetic import generate_cohort, graduate_truth
from analysis.demo.truth import truth_csv, truth_table
from analysis.errors import ConfigError
from analysis.ingest import read_input
from analysis.ingest.writers import kobo_table
from analysis.instruments.xlsform import load_instrument

__all__ = ["DEFAULT_POOL", "LARGE_FILES", "generate_large"]

DEFAULT_POOL = 5000
"""Graduates drawn one by one (the donor pool); ~8 s with the per-person generator on one core."""

LARGE_FILES: tuple[dict[str, str], ...] = (
    {"path": "registry.csv", "instrument": "registry", "format": "registry_csv"},
    {"path": "phase1_kobo.csv", "instrument": "phase1", "format": "kobo_csv", "mode": "online"},
    {"path": "phase2_online_kobo.csv", "instrument": "phase2", "format": "kobo_csv", "mode": "online"},
    {"path": "phase2_phone_odk.csv", "instrument": "phase2", "format": "odk_csv", "mode": "phone"},
    {"path": "phase2_paper_kobo.csv", "instrument": "phase2", "format": "kobo_csv", "mode": "paper"},
    {"path": "employers_kobo.csv", "instrument": "employer", "format": "kobo_csv", "mode": "online"},
)
"""The raw files of a large cohort, as ``inputs:`` entries of a cohort file."""

_KOBO = {"sep": ";", "quoting": csv.QUOTE_ALL, "lineterminator": "\r\n"}
_ODK = {"sep": ",", "quoting": csv.QUOTE_MINIMAL, "lineterminator": "\n"}
_UUID_COLS = ("_uuid", "meta/instanceID", "KEY", "meta-instanceID", "instanceID")


def _uuids(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` random version-4 UUIDs as text (vectorised: 16 random bytes per row, version and variant set)."""
    b = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    b[:, 6] = (b[:, 6] & 0x0F) | 0x40
    b[:, 8] = (b[:, 8] & 0x3F) | 0x80
    # one hex text for all rows, cut into 32-character rows (hex digits are never NUL: numpy's "S16" view of the
    # raw bytes dropped a row's trailing zero bytes — 1 UUID in 256 came out short, and the gate rightly read the
    # 8-digit group of such a non-UUID as a possible student id)
    hexes = pd.Series(np.frombuffer(b.tobytes().hex().encode("ascii"), dtype="S32").astype(str), dtype=object)
    return (hexes.str[:8] + "-" + hexes.str[8:12] + "-" + hexes.str[12:16] + "-" + hexes.str[16:20] + "-"
            + hexes.str[20:]).to_numpy()


def _student_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct 8-digit student ids starting with 2 (as the per-person generator's), shuffled."""
    ids = rng.choice(np.arange(20_000_000, 30_000_000, dtype=np.int64), size=n, replace=False)
    return ids.astype(str)


def _read(path: Path, sep: str) -> pd.DataFrame:
    return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8")


def _write(df: pd.DataFrame, path: Path, dialect: dict[str, Any]) -> Path:
    df.to_csv(path, index=False, encoding="utf-8", doublequote=True, **dialect)
    return path


def _id_column(df: pd.DataFrame, name: str) -> str:
    hit = [c for c in df.columns if c == name or c.endswith("/" + name) or c.endswith("-" + name)]
    if not hit:
        raise ConfigError(f"demo large: no {name} column in the donor pool's export")
    return hit[0]


def _resample_rows(pool: pd.DataFrame, donor_ids: np.ndarray, new_ids: np.ndarray, rng: np.random.Generator,
                   id_name: str = "student_id") -> pd.DataFrame:
    """Every pool row of each donor, once per graduate who has that donor, with the graduate's id and fresh
    submission ids (rows whose id is no donor's — planted mistyped ids — are left out)."""
    col = _id_column(pool, id_name)
    pool = pool.reset_index(drop=True)
    left = pd.DataFrame({"_donor": donor_ids, "_new": new_ids, "_order": np.arange(len(new_ids))})
    right = pd.DataFrame({"_donor": pool[col].to_numpy(), "_row": np.arange(len(pool))})
    m = left.merge(right, on="_donor", how="inner").sort_values(["_order", "_row"], kind="stable")
    out = pool.take(m["_row"].to_numpy()).reset_index(drop=True)
    out[col] = m["_new"].to_numpy()
    order = rng.permutation(len(out))  # submissions arrive in no particular order of persons
    out = out.take(order).reset_index(drop=True)
    u = _uuids(rng, len(out))
    for c in out.columns:
        if c in _UUID_COLS or c.endswith("/instanceID"):
            out[c] = ("uuid:" + pd.Series(u)).to_numpy() if c != "_uuid" else u
    if "_id" in out.columns:
        out["_id"] = (480_000_000 + np.arange(len(out)) * 7).astype(str)
    return out


def generate_large(out_dir: Path | str, seed: int = 20250630, n_graduates: int = 100_000,
                   pool: int = DEFAULT_POOL, progress: Any = None) -> dict[str, Path]:
    """Write a large synthetic cohort of ``n_graduates`` (all people fictitious) as CSV exports into ``out_dir``.

    Parameters
    ----------
    out_dir : folder to write into (created); files of the same names are replaced.
    seed : seed of the donor pool and of the resampling (the same arguments give the same files).
    n_graduates : size of the cohort (at least 35, one per programme).
    pool : graduates drawn one by one as donors (at most ``n_graduates``).
    progress : optional callable receiving one line per file written.

    Returns
    -------
    dict mapping each file name (:data:`LARGE_FILES`, ``enterprise_frame.csv``, ``truth.csv``) to its path.
    """
    if isinstance(n_graduates, bool) or not isinstance(n_graduates, int) or n_graduates < len(PROGRAMME_PARAMS):
        raise ConfigError(f"demo: n_graduates must be a whole number ≥ {len(PROGRAMME_PARAMS)}, got {n_graduates!r}")
    say = progress or (lambda _line: None)
    out = Path(out_dir)
    pool_dir = out / ".pool"
    try:
        out.mkdir(parents=True, exist_ok=True)
        n_pool = max(len(PROGRAMME_PARAMS), min(int(pool), n_graduates))
        generate_cohort(pool_dir, seed=seed, n_graduates=n_pool, cohort="pool")
        written = _resample(out, pool_dir, seed, n_pool, n_graduates, say)
    except OSError as exc:
        raise ConfigError(f"{exc.filename or out}: cannot write the large cohort there "
                          f"({exc.strerror or exc}) — choose another folder with --out") from None
    return written


def _resample(out: Path, pool_dir: Path, seed: int, n_pool: int, n: int, say: Any) -> dict[str, Path]:
    rng = np.random.default_rng([seed, 14])
    written: dict[str, Path] = {}

    def done(name: str, rows: int) -> None:
        written[name] = out / name
        say(f"wrote {out / name} ({rows:,} data rows)")

    reg = pd.read_excel(pool_dir / "registry.xlsx", dtype=object).fillna("")
    for c in ("date_of_birth", "graduation_date"):
        reg[c] = [v.strftime("%Y-%m-%d") if hasattr(v, "strftime") else str(v) for v in reg[c]]
    reg = reg.astype(str)
    # donors: per programme, the per-person generator's allocation of n, drawn from that programme's pool rows
    sizes = allocate(n, {p: v[0] for p, v in PROGRAMME_PARAMS.items()})
    by_prog = {p: np.flatnonzero(reg["programme"].to_numpy() == p) for p in sizes}
    donor_rows = np.concatenate([
        (rows if len(rows) == k else rng.choice(rows, size=k, replace=True)) if len(rows) else np.array([], int)
        for p, k in sizes.items() for rows in [by_prog[p]]])
    n = len(donor_rows)
    new_ids = _student_ids(rng, n)
    donor_ids = reg["student_id"].to_numpy()[donor_rows]
    big = reg.take(donor_rows).reset_index(drop=True)
    big["student_id"] = new_ids
    has_phone = big["phone_mobile"].to_numpy() != ""
    phones = ("+996" + pd.Series(rng.choice(np.array(MOBILE_PREFIXES), size=n))
              + pd.Series(rng.integers(0, 1_000_000, size=n)).map("{:06d}".format)).to_numpy()
    big["phone_mobile"] = np.where(has_phone, phones, "")
    mail = big["email"].str.split("@", n=1, expand=True).reindex(columns=[0, 1]).fillna("")
    big["email"] = np.where(big["email"].to_numpy() != "",
                            (mail[0] + "." + pd.Series(np.arange(n)).astype(str) + "@" + mail[1]).to_numpy(), "")
    _write(big, out / "registry.csv", {"sep": ",", "quoting": csv.QUOTE_MINIMAL, "lineterminator": "\n"})
    done("registry.csv", n)

    for name, src, sep, dialect in (("phase1_kobo.csv", "phase1_kobo.csv", ";", _KOBO),
                                    ("phase2_online_kobo.csv", "phase2_online_kobo.csv", ";", _KOBO),
                                    ("phase2_phone_odk.csv", "phase2_phone_odk.csv", ",", _ODK)):
        rows = _resample_rows(_read(pool_dir / src, sep), donor_ids, new_ids, rng)
        _write(rows, out / name, dialect)
        done(name, len(rows))
    paper = _paper_as_kobo(pool_dir)
    rows = _resample_rows(paper, donor_ids, new_ids, rng)
    _write(rows, out / "phase2_paper_kobo.csv", _KOBO)
    done("phase2_paper_kobo.csv", len(rows))

    emp = pd.read_excel(pool_dir / "employers_kobo.xlsx", dtype=str).fillna("")
    k = max(12, round(n * 0.075))
    take = np.arange(len(emp)) if k <= len(emp) else rng.choice(len(emp), size=k, replace=True)
    emp_ids = np.array([f"E{i:07d}" for i in range(1, len(take) + 1)], dtype=object)
    emp_rows = _resample_rows(emp, emp[_id_column(emp, "employer_id")].to_numpy()[take], emp_ids, rng,
                              id_name="employer_id")
    _write(emp_rows, out / "employers_kobo.csv", _KOBO)
    done("employers_kobo.csv", len(emp_rows))
    (out / "enterprise_frame.csv").write_bytes((pool_dir / "enterprise_frame.csv").read_bytes())
    done("enterprise_frame.csv", 0)

    latent = graduate_truth(seed, n_pool)
    pos = pd.Series(np.arange(len(latent)), index=latent["student_id"].to_numpy())
    big_latent = latent.take(pos.loc[donor_ids].to_numpy()).reset_index(drop=True)
    big_latent["student_id"] = new_ids
    (out / "truth.csv").write_bytes(truth_csv(truth_table(big_latent)).encode("utf-8"))
    done("truth.csv", 0)
    return written


def _paper_as_kobo(pool_dir: Path) -> pd.DataFrame:
    """The pool's keyed-in paper answers (entry workbook) as a Kobo export (XML values, group paths)."""
    inst = load_instrument("phase2")
    res = read_input(pool_dir / "phase2_paper_entry.xlsx", "phase2", "entry_xlsx", mode="paper", base_dir=pool_dir)
    table = res.table[[c for c in res.table.columns if not c.startswith("_")]].fillna("").astype(str)
    header, rows = kobo_table(table, inst, None, True, None, 0)
    return pd.DataFrame(rows, columns=header, dtype=str)

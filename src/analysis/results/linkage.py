"""Linkage by pseudonym: the same graduate across cohorts and later waves.

Every cohort's processed tables carry ``pid`` = HMAC-SHA256(key, student id) (:mod:`analysis.privacy.pseudonyms`)
and the key is the same every year, so one graduate has one ``pid`` in every cohort and wave. This module links
the processed graduates tables (``data/processed/COHORT/graduates.parquet``: one row per graduate, ``pid`` and
the response flags) — it never reads raw files or any personal value.

* :func:`link_table` — one row per pseudonym with, per cohort, whether the graduate is in its registry and
  whether they answered its phase 2;
* :func:`link_rate` — how many of a later wave's phase-2 respondents link to an earlier cohort (to its
  registry, and to its phase-2 respondents): the link rate of a second follow-up to the first one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["chain_rates", "link_rate", "link_table", "read_graduates"]

_COLUMNS = ("pid", "resp_p2")


def read_graduates(processed: Path) -> pd.DataFrame:
    """``pid`` and ``resp_p2`` of a cohort's processed graduates table (``processed/graduates.parquet``).

    Raises FileNotFoundError (the caller turns it into its one-line error) when the cohort has not been derived.
    """
    path = Path(processed) / "graduates.parquet"
    df = pd.read_parquet(path, columns=[c for c in _COLUMNS if c])
    return df


def _resp(df: pd.DataFrame) -> pd.Series:
    if "resp_p2" not in df:
        return pd.Series(False, index=df.index)
    return df["resp_p2"].astype("boolean").fillna(False).astype(bool)


def link_table(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per pseudonym over several cohorts/waves — reference API: the researcher's panel table (e.g. in
    JupyterLab); the trend report uses :func:`link_rate` and :func:`chain_rates`.

    Parameters
    ----------
    tables : cohort name → its graduates table (``pid``, optional ``resp_p2``), in the order wanted.

    Returns
    -------
    pandas.DataFrame
        ``pid``, then per cohort ``in:COHORT`` (in the registry) and ``resp:COHORT`` (answered phase 2), and
        ``cohorts`` (in how many of the tables the pseudonym is). A pseudonym twice in one table is an error
        (ValueError): the graduates table has one row per graduate.
    """
    frames = []
    for name, df in tables.items():
        dup = df["pid"][df["pid"].duplicated()]
        if len(dup):
            raise ValueError(f"{name}: pseudonym {dup.iloc[0]} appears twice in the graduates table")
        frames.append(pd.DataFrame({"pid": df["pid"].astype(str).to_numpy(), f"in:{name}": True,
                                    f"resp:{name}": _resp(df).to_numpy()}).set_index("pid"))
    out = pd.concat(frames, axis=1, join="outer", sort=True)
    for name in tables:
        out[f"in:{name}"] = out[f"in:{name}"].astype("boolean").fillna(False).astype(bool)
        out[f"resp:{name}"] = out[f"resp:{name}"].astype("boolean").fillna(False).astype(bool)
    out["cohorts"] = out[[f"in:{n}" for n in tables]].sum(axis=1).astype(int)
    return out.reset_index().rename(columns={"index": "pid"})


def link_rate(later: pd.DataFrame, earlier: pd.DataFrame, *, later_name: str = "later",
              earlier_name: str = "earlier") -> dict[str, Any]:
    """How many phase-2 respondents of ``later`` link by ``pid`` to ``earlier``.

    Returns
    -------
    dict
        ``cohort``, ``earlier``, ``respondents`` (phase-2 respondents of ``later``), ``linked`` (of them, in
        ``earlier``'s registry), ``linked_resp`` (of them, also phase-2 respondents of ``earlier``), ``rate`` =
        linked / respondents and ``rate_resp`` = linked_resp / respondents (NaN without respondents).
    """
    resp = set(later.loc[_resp(later).to_numpy(), "pid"].astype(str))
    pids = set(earlier["pid"].astype(str))
    pids_resp = set(earlier.loc[_resp(earlier).to_numpy(), "pid"].astype(str))
    n = len(resp)
    linked, linked_resp = len(resp & pids), len(resp & pids_resp)
    return {"cohort": later_name, "earlier": earlier_name, "respondents": n, "linked": linked,
            "linked_resp": linked_resp, "rate": linked / n if n else float("nan"),
            "rate_resp": linked_resp / n if n else float("nan")}


def chain_rates(tables: Mapping[str, pd.DataFrame], order: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """:func:`link_rate` of each table against the one before it (``order`` or the mapping's order)."""
    names = list(order or tables)
    return [link_rate(tables[b], tables[a], later_name=b, earlier_name=a) for a, b in zip(names, names[1:])]

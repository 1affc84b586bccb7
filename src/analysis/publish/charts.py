"""Charts for the reports: matplotlib with fonts that hold every Kyrgyz letter.

Every chart draws published rows only (estimates and intervals of ``results/published.parquet``); it never
estimates. That is why seaborn's statistical plots, which compute their own estimates and bootstrap
intervals from microdata, are not used here (``docs/architecture.md``, dependencies).

matplotlib's bundled DejaVu fonts contain ң ө ү Ң Ө Ү; STIX and Computer Modern (mathtext) do not, so
mathtext is set to DejaVu as well. Every function returns a ``Figure``; the caller displays and closes it.
Colours come from one colour-blind-safe palette.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import PercentFormatter

PALETTE = ["#1f5f8b", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000", "#999999"]


def setup() -> None:
    """Set the fonts, sizes and style used by every chart (idempotent)."""
    mpl.rcParams.update({
        "font.family": "DejaVu Sans",
        "mathtext.fontset": "dejavusans",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 11,
        "axes.labelsize": 9,
        "xtick.labelsize": 8,
        "ytick.labelsize": 8,
        "legend.fontsize": 8,
        "figure.dpi": 110,
        "savefig.dpi": 110,
        "svg.hashsalt": "tracer",
    })


def _figure(height: float, width: float = 7.5):
    setup()
    return plt.subplots(figsize=(width, height), layout="constrained")


def bars_with_ci(labels: Sequence[str], est: Sequence[float], lo: Sequence[float], hi: Sequence[float],
                 title: str, xlabel: str, reference: float | None = None, reference_label: str = "",
                 percent: bool = True, notes: Sequence[str] | None = None):
    """Horizontal bars with confidence intervals (one bar per group), largest first.

    Groups with a missing estimate (suppressed) are left out by the caller.
    """
    est = np.asarray(est, dtype=float)
    order = np.argsort(est)
    fig, ax = _figure(max(1.6, 0.32 * len(est) + 0.9))
    y = np.arange(len(est))
    e, l_, h = est[order], np.asarray(lo, float)[order], np.asarray(hi, float)[order]
    ax.barh(y, e, color=PALETTE[0], alpha=0.85, height=0.62)
    ax.errorbar(e, y, xerr=[np.clip(e - l_, 0, None), np.clip(h - e, 0, None)], fmt="none",
                ecolor="#1b1f24", elinewidth=1, capsize=2.5)
    ax.set_yticks(y, [labels[i] for i in order])
    if reference is not None and np.isfinite(reference):
        ax.axvline(reference, color=PALETTE[5], ls="--", lw=1)
        ax.text(reference, len(est) - 0.4, f" {reference_label}", color=PALETTE[5], fontsize=8, va="bottom")
    if percent:
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlim(0, 1)
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left")
    if notes:
        fig.text(0.0, -0.02, "  ".join(notes), fontsize=7, color="#5a6672", ha="left", va="top")
    return fig


def stacked_shares(table: pd.DataFrame, title: str, colors: Sequence[str] | None = None):
    """100 % stacked horizontal bars: rows = groups, columns = categories (shares summing to 1)."""
    fig, ax = _figure(max(1.6, 0.34 * len(table) + 1.2))
    left = np.zeros(len(table))
    colors = list(colors or PALETTE)
    for j, col in enumerate(table.columns):
        vals = table[col].to_numpy(dtype=float)
        ax.barh(np.arange(len(table)), vals, left=left, color=colors[j % len(colors)], label=str(col), height=0.65)
        for i, v in enumerate(vals):
            if v >= 0.07:
                ax.text(left[i] + v / 2, i, f"{100 * v:.0f}", ha="center", va="center", fontsize=7, color="white")
        left += vals
    ax.set_yticks(np.arange(len(table)), [str(i) for i in table.index])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlim(0, 1)
    ax.set_title(title, loc="left")
    ax.legend(ncols=min(4, len(table.columns)), loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
    return fig


def step_curves(curves: dict[str, pd.DataFrame], title: str, xlabel: str, ylabel: str,
                xmax: float | None = None):
    """Step curves (Kaplan–Meier 1 − S(t), cumulative incidence): ``curves[label]`` has columns time, value."""
    fig, ax = _figure(3.4)
    for i, (label, df) in enumerate(curves.items()):
        t = np.r_[0.0, df["time"].to_numpy(float)]
        v = np.r_[0.0, df["value"].to_numpy(float)]
        ax.step(t, v, where="post", color=PALETTE[i % len(PALETTE)], label=label, lw=1.6)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylim(0, 1)
    if xmax:
        ax.set_xlim(0, xmax)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left")
    ax.legend(loc="lower right", frameon=False)
    return fig


def dumbbell(labels: Sequence[str], a: Sequence[float], b: Sequence[float], label_a: str, label_b: str,
             title: str, xlim: tuple[float, float] = (1, 5)):
    """Two values per item joined by a line (e.g. competence at graduation vs required in the job)."""
    fig, ax = _figure(max(1.8, 0.3 * len(labels) + 1.0))
    y = np.arange(len(labels))
    a, b = np.asarray(a, float), np.asarray(b, float)
    ax.hlines(y, np.minimum(a, b), np.maximum(a, b), color="#9aa7b4", lw=2)
    ax.scatter(a, y, color=PALETTE[0], label=label_a, zorder=3)
    ax.scatter(b, y, color=PALETTE[1], label=label_b, zorder=3)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(*xlim)
    ax.set_title(title, loc="left")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncols=2, frameon=False)
    return fig


def coefficient_plot(tidy: pd.DataFrame, title: str, xlabel: str, null: float = 0.0):
    """Point estimates with confidence intervals from a tidy model table (term, estimate, ci_low, ci_high)."""
    fig, ax = _figure(max(1.8, 0.28 * len(tidy) + 1.0))
    y = np.arange(len(tidy))
    est = tidy["estimate"].to_numpy(float)
    ax.errorbar(est, y, xerr=[est - tidy["ci_low"].to_numpy(float), tidy["ci_high"].to_numpy(float) - est],
                fmt="o", color=PALETTE[0], ecolor="#5a6672", capsize=2)
    ax.axvline(null, color="#999999", lw=1, ls=":")
    ax.set_yticks(y, tidy["term"].astype(str).tolist())
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left")
    return fig

"""Charts for the reports: matplotlib with fonts that hold every Kyrgyz letter.

Every chart draws published rows only (estimates and intervals of ``results/published.parquet``); it never
estimates. That is why seaborn's statistical plots, which compute their own estimates and bootstrap
intervals from microdata, are not used here (``docs/architecture.md``, dependencies).

matplotlib's bundled DejaVu fonts contain ң ө ү Ң Ө Ү; STIX and Computer Modern (mathtext) do not, so
mathtext is set to DejaVu as well. Every function returns a ``Figure``; the caller displays and closes it.
Colours come from one colour-blind-safe palette.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
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
                 percent: bool = True, notes: Sequence[str] | None = None,
                 value_labels: Sequence[str] | None = None):
    """Horizontal bars with confidence intervals (one bar per group, n in the caller's labels), largest on top;
    the value is written at the end of each interval, the reference (the whole cohort) is a dashed line
    labelled above the plot area, so nothing covers the data.

    Groups with a missing estimate (suppressed) are left out by the caller.
    """
    est = np.asarray(est, dtype=float)
    order = np.argsort(est)
    fig, ax = _figure(max(1.6, 0.34 * len(est) + 1.0))
    y = np.arange(len(est))
    e, l_, h = est[order], np.asarray(lo, float)[order], np.asarray(hi, float)[order]
    ax.barh(y, e, color=PALETTE[0], alpha=0.85, height=0.62)
    ax.errorbar(e, y, xerr=[np.clip(e - l_, 0, None), np.clip(h - e, 0, None)], fmt="none",
                ecolor="#1b1f24", elinewidth=1, capsize=2.5)
    ax.set_yticks(y, [labels[i] for i in order])
    top = float(np.nanmax(np.r_[h, e])) if len(e) else 1.0
    if value_labels is not None:
        for yi, i in zip(y, order):
            end = h[yi] if np.isfinite(h[yi]) else e[yi]
            ax.text(end, yi, f"  {value_labels[i]}", va="center", ha="left", fontsize=7.5, color="#1b1f24")
    if reference is not None and np.isfinite(reference):
        ax.axvline(reference, color=PALETTE[5], ls="--", lw=1)
        ax.annotate(reference_label, xy=(reference, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 3),
                    textcoords="offset points", ha="center", va="bottom", color=PALETTE[5], fontsize=8,
                    annotation_clip=False)
    if percent:
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlim(0, 1.12 if value_labels is not None else 1)
        ax.set_xticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    else:
        ax.set_xlim(0, top * (1.25 if value_labels is not None else 1.05))
    ax.set_ylim(-0.6, len(est) - 0.4)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title, loc="left")
    if notes:
        fig.text(0.0, -0.02, "  ".join(notes), fontsize=7, color="#5a6672", ha="left", va="top")
    return fig


def stacked_shares(table: pd.DataFrame, title: str, colors: Sequence[str] | None = None):
    """100 % stacked horizontal bars: rows = groups (n in their labels), columns = categories (shares summing
    to 1); shares of 7 % or more are written in their segment; the legend sits below the axis."""
    fig, ax = _figure(max(1.6, 0.34 * len(table) + 1.3))
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
    if title:
        ax.set_title(title, loc="left")
    ax.legend(ncols=min(4, len(table.columns)), loc="upper center", bbox_to_anchor=(0.5, -0.10), frameon=False)
    return fig


def cumulative_curves(curves: dict[str, pd.DataFrame], overall: pd.DataFrame | None, xlabel: str, ylabel: str,
                      legend: Sequence[str], xmax: float | None = None, marks: Sequence[float] = ()):
    """Cumulative step curves with their confidence bands (e.g. the share who found a first job by each month):
    ``curves[label]`` has columns time, value, low, high (labels carry n).

    Up to three groups share one panel; more are drawn as small multiples, one panel per group, each over the
    whole cohort's curve (``overall``, grey) so that the panels compare. ``marks`` are months drawn as dotted
    vertical lines (e.g. 6). ``legend`` names the group's curve, its band and the whole cohort's curve (small
    multiples); the legend sits outside the plotted data, below the panels.
    """
    setup()
    many = len(curves) > 3
    if many:
        ncols = 3
        nrows = int(np.ceil(len(curves) / ncols))
        fig, axes = plt.subplots(nrows, ncols, figsize=(7.5, 1.75 * nrows + 0.7), sharex=True, sharey=True,
                                 layout="constrained", squeeze=False)
        flat = list(axes.ravel())
    else:
        fig, ax = plt.subplots(figsize=(7.5, 3.2), layout="constrained")
        flat = [ax] * max(1, len(curves))

    def _step(ax, df: pd.DataFrame, color: str, label: str | None, band: bool, lw: float = 1.6, ls: str = "-"):
        t = np.r_[0.0, df["time"].to_numpy(float)]
        v = np.r_[0.0, df["value"].to_numpy(float)]
        ax.step(t, v, where="post", color=color, lw=lw, ls=ls, label=label)
        if band and {"low", "high"} <= set(df.columns):
            lo = np.r_[0.0, df["low"].to_numpy(float)]
            hi = np.r_[0.0, df["high"].to_numpy(float)]
            ax.fill_between(t, lo, hi, step="post", color=color, alpha=0.18, lw=0)

    for i, (label, df) in enumerate(curves.items()):
        ax = flat[i]
        color = PALETTE[0] if many else PALETTE[i % len(PALETTE)]
        if many:
            if overall is not None:
                _step(ax, overall, "#8c96a0", None, False, lw=1.1, ls="--")
            _step(ax, df, color, None, True)
            ax.set_title(textwrap.fill(label, 34), loc="left", fontsize=7.5)
        else:
            _step(ax, df, color, label, True)
    for j in range(len(curves), len(flat)):
        flat[j].set_visible(False)
    for ax in set(flat):
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylim(0, 1)
        if xmax:
            ax.set_xlim(0, xmax)
        for m in marks:
            ax.axvline(m, color="#5a6672", lw=0.8, ls=":")
    if many:
        fig.supxlabel(xlabel, fontsize=9)
        fig.supylabel(ylabel, fontsize=9)
        handles = [Line2D([], [], color=PALETTE[0], lw=1.6), Patch(color=PALETTE[0], alpha=0.18),
                   Line2D([], [], color="#8c96a0", lw=1.1, ls="--")]
        fig.legend(handles, list(legend)[:3], loc="outside upper center", ncols=3, frameon=False, fontsize=8)
        return fig
    ax = flat[0]
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=min(3, max(1, len(curves))), frameon=False)
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
    if title:
        ax.set_title(title, loc="left")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06), ncols=2, frameon=False)
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
    if title:
        ax.set_title(title, loc="left")
    return fig


def point_intervals(table: pd.DataFrame, xlabel: str, percent: bool = True, legend_title: str = ""):
    """Points with their published confidence intervals, one row per item: ``table`` has columns label,
    estimate, ci_low, ci_high and optionally series (a colour per series, the project's palette; legend below
    the axis) and text (written right of the interval).

    seaborn places the points from the published rows as they are (one row per point: it estimates nothing,
    ``errorbar=None``); the intervals are the published ones, drawn by matplotlib.
    """
    # lazy: seaborn costs 0.5 s to import, and only this chart uses it
    import seaborn as sns

    setup()
    t = table.reset_index(drop=True).copy()
    if "series" not in t:
        t["series"] = ""
    labels = list(dict.fromkeys(t["label"].astype(str)))
    series = list(dict.fromkeys(t["series"].astype(str)))
    fig, ax = _figure(max(1.6, 0.42 * len(labels) + 0.9))
    pos = {lab: i for i, lab in enumerate(labels)}
    off = {s_: (k - (len(series) - 1) / 2) * 0.22 for k, s_ in enumerate(series)}
    t["y"] = [pos[str(a)] + off[str(b)] for a, b in zip(t["label"], t["series"])]
    palette = dict(zip(series, PALETTE))
    for s_, d in t.groupby("series", sort=False):
        est = d["estimate"].to_numpy(float)
        ax.errorbar(est, d["y"], xerr=[np.clip(est - d["ci_low"].to_numpy(float), 0, None),
                                        np.clip(d["ci_high"].to_numpy(float) - est, 0, None)],
                    fmt="none", ecolor=palette[str(s_)], elinewidth=1.4, capsize=3, zorder=2)
    sns.scatterplot(data=t, x="estimate", y="y", hue="series", palette=palette, s=46, ax=ax, zorder=3,
                    legend=len(series) > 1, edgecolor="white", linewidth=0.6)
    if "text" in t:
        for _, r in t.iterrows():
            end = r["ci_high"] if np.isfinite(r["ci_high"]) else r["estimate"]
            ax.text(end, r["y"], f"  {r['text']}", va="center", ha="left", fontsize=7.5)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_ylabel("")
    ax.set_xlabel(xlabel)
    if percent:
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlim(0, 1.12 if "text" in t else 1)
        ax.set_xticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    sns.despine(ax=ax)
    if len(series) > 1:
        ax.legend(title=legend_title or None, loc="upper center", bbox_to_anchor=(0.5, -0.18),
                  ncols=min(4, len(series)), frameon=False)
    return fig

#!/usr/bin/env python3
"""Draws the per-epoch overhead of each executor against dataset size from bench_overhead's CSV.

usage: scripts/plot_overheads.py bench_overhead.csv [docs/figures]
Writes overhead_vs_rows.png (per-epoch overhead, 8 workers, every executor x lifetime) and
attach_modes.png (per-epoch overhead of 8 per-epoch forked workers per attach mode).
Needs matplotlib (Debian: apt-get install python3-matplotlib; run with /usr/bin/python3).
"""
import csv
import sys
from collections import defaultdict
from pathlib import Path

try:
    import matplotlib
except ImportError:
    sys.exit("plot_overheads.py: needs matplotlib (Debian: apt-get install python3-matplotlib; run with /usr/bin/python3)")

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/figures")
    out.mkdir(parents=True, exist_ok=True)
    rows = list(csv.DictReader(open(sys.argv[1])))
    sweep = [r for r in rows if r["section"] == "sweep"]
    workers = max(int(r["workers"]) for r in sweep if int(r["workers"]) <= 8)

    series = defaultdict(list)
    for r in sweep:
        if int(r["workers"]) == workers:
            series[(r["executor"], r["lifetime"])].append((int(r["rows"]), 1e3 * float(r["overhead_seconds"])))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for (exe, life), pts in sorted(series.items()):
        pts.sort()
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o",
                linestyle="-" if life == "epoch" else "--", label=f"{exe}, lifetime {life}")
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=0.1)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("training rows")
    ax.set_ylabel("per-epoch overhead (ms): epoch wall - compute window")
    ax.set_title(f"Per-epoch overhead vs dataset size, {workers} workers")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "overhead_vs_rows.png", dpi=120)

    attach = defaultdict(list)
    for r in rows:
        if r["section"] == "attach":
            attach[r["attach"]].append((int(r["rows"]), 1e3 * float(r["overhead_seconds"])))
    if attach:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for mode, pts in sorted(attach.items()):
            pts.sort()
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=mode)
        ax.set_xscale("log")
        ax.set_xlabel("training rows")
        ax.set_ylabel("per-epoch overhead (ms)")
        ax.set_title("8 forked workers per epoch: how they reach the segment")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(out / "attach_modes.png", dpi=120)


if __name__ == "__main__":
    main()

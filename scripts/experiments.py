#!/usr/bin/python3
"""Reproduce the course project's experiments and the Hogwild! paper's sparse-data claim.

    scripts/experiments.py            # everything, repeated, into docs/figures/ and docs/data/
    scripts/experiments.py --quick    # a smaller sweep for CI and classrooms (< 3 minutes on 2 cores)

Each run is one hogwild-coordinator process writing a metrics CSV; this script only starts runs,
reads their metrics and draws figures (matplotlib). Raw results go to <out>/data/*.csv, figures to
<out>/figures/*.png. Timings are medians over --repeats runs with min-max bars; worker counts above
the machine's cores are marked "oversubscribed".
"""
import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"


def worker_list(text):
    """argparse type for --workers: a comma-separated list of positive integers."""
    try:
        ws = [int(w) for w in text.split(",")]
    except ValueError:
        ws = []
    if not ws or min(ws) < 1:
        raise argparse.ArgumentTypeError(f"expected worker counts like 1,2,4,8 (got {text!r})")
    return ws


def find_coordinator(given):
    if given:
        return Path(given)
    for p in (ROOT / "build/release/coordinator/hogwild-coordinator",):
        if p.exists():
            return p
    sys.exit("experiments: build first (scripts/bootstrap.sh), or pass --coordinator PATH")


class Runner:
    def __init__(self, coordinator, total):
        self.coordinator = coordinator
        self.total = total
        self.done = 0
        self.t0 = time.monotonic()

    def run(self, label, args):
        """Runs the coordinator with args; returns the list of per-epoch metric rows (dicts of floats)."""
        with tempfile.TemporaryDirectory() as tmp:
            metrics = os.path.join(tmp, "m.csv")
            cmd = [str(self.coordinator), *map(str, args), "--metrics", metrics, "--quiet"]
            t = time.monotonic()
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                sys.exit(f"experiments: {' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
            with open(metrics) as f:
                rows = [{k: (float(v) if v not in ("", None) else float("nan")) for k, v in r.items()}
                        for r in csv.DictReader(f)]
        self.done += 1
        elapsed = time.monotonic() - self.t0
        print(f"[{self.done:3}/{self.total}] {label:<48} {time.monotonic() - t:6.2f} s   "
              f"(elapsed {elapsed:5.0f} s)", flush=True)
        return rows


def write_csv(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)


def median_spread(values):
    return statistics.median(values), min(values), max(values)


def plot_vs_workers(ax, series, key, ylabel, cores):
    """series: {name: {workers: [values]}}"""
    for name, by_w in series.items():
        ws = sorted(by_w)
        med = [median_spread(by_w[w])[0] for w in ws]
        lo = [med[i] - median_spread(by_w[w])[1] for i, w in enumerate(ws)]
        hi = [median_spread(by_w[w])[2] - med[i] for i, w in enumerate(ws)]
        ax.errorbar(ws, med, yerr=[lo, hi], marker="o", capsize=3, label=name)
    ax.set_xlabel("workers")
    ax.set_ylabel(ylabel)
    ax.axvspan(cores + 0.5, max(max(b) for b in series.values()) + 0.5, color="0.9", zorder=0,
               label=f"oversubscribed (> {cores} cores)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sweep (< 3 min on 2 cores)")
    ap.add_argument("--repeats", type=int, default=None, help="runs per timing point (default 3, quick 1)")
    ap.add_argument("--out", default=str(ROOT / "docs"), help="folder for figures/ and data/ (default docs/)")
    ap.add_argument("--coordinator", default=None)
    ap.add_argument("--only", default="1,2,3,4,5", help="comma-separated experiment numbers")
    ap.add_argument("--workers", type=worker_list, default=None, help="comma-separated worker counts (default 1,2,4,8,10; quick 1,2,4)")
    ap.add_argument("--data", default=str(DATA), help="the data sets' folder (default ../shared/data)")
    a = ap.parse_args()
    data_dir = Path(a.data)

    try:
        import matplotlib
    except ImportError:
        sys.exit("experiments.py: needs matplotlib for its figures (Debian: apt-get install python3-matplotlib; "
                 "run with /usr/bin/python3)")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    coord = find_coordinator(a.coordinator)
    out = Path(a.out)
    figs, data = out / "figures", out / "data"
    figs.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1
    quick = a.quick
    reps = a.repeats or (1 if quick else 3)
    only = {int(x) for x in a.only.split(",")}
    workers = a.workers or ([1, 2, 4] if quick else [1, 2, 4, 8, 10])
    # Experiment 1's series: the course project's three modes, and async on per-worker model
    # replicas (--replicas worker), which is how a 100-weight model scales on a many-core machine.
    modes = {"async": ["--mode", "async"], "async-replicas": ["--mode", "async", "--replicas", "worker"],
             "sync": ["--mode", "sync"], "round-robin": ["--mode", "round-robin"]}

    # --- plan, so that the progress display knows the total -------------------------------------
    sizes = [10_000, 50_000] if quick else [10_000, 50_000, 100_000, 500_000]
    cifar = data_dir / "cifar10-bin-subset"
    reuters = data_dir / "reuters21578-lasvm"
    # Experiment 3's images: the CIFAR-10 binary subset when present, else Fashion-MNIST (IDX) from
    # ../shared/data or Debian's dataset-fashion-mnist package.
    image_sets = [("CIFAR-10 subset (3,000 / 1,000 rows, raw pixels scaled to [0, 1])",
                   cifar / "data_batch_1.first3000.bin", cifar / "test_batch.first1000.bin")]
    for d in (data_dir / "fashion-mnist", Path("/usr/share/datasets/fashion-mnist")):
        image_sets.append(("Fashion-MNIST (60,000 / 10,000 rows, pixels scaled to [0, 1])",
                           d / "train-images-idx3-ubyte.gz", d / "t10k-images-idx3-ubyte.gz"))
    image = next((x for x in image_sets if x[1].exists() and x[2].exists()), None)
    have_cifar = image is not None
    have_reuters = (reuters / "reuters.trn.gz").exists()
    plan = 0
    plan += (1 in only) * len(modes) * len(workers) * reps
    plan += (2 in only) * len(sizes) * len(workers) * reps
    plan += (3 in only and have_cifar) * 2 * len(workers) * reps
    plan += (4 in only) * len(workers) * reps
    plan += (5 in only and have_reuters) * 2 * len(workers) * reps
    r = Runner(coord, plan)
    print(f"experiments: {plan} runs, {reps} repeat(s), workers {workers}, {cores} cores; output in {out}")

    # --- Experiment 1: synthetic SVM, modes x workers --------------------------------------------
    if 1 in only:
        epochs = 50 if quick else 200
        rows, curves = [], {}
        for mode, mode_args in modes.items():
            for w in workers:
                for rep in range(reps):
                    m = r.run(f"exp1 {mode} workers={w} rep={rep}", [*mode_args, "--workers", w, "--epochs", epochs])
                    last = m[-1]
                    rows.append({"mode": mode, "workers": w, "repeat": rep, "epochs": epochs,
                                 "wall_seconds": last["wall_seconds"], "cpu_seconds": last["cpu_seconds"],
                                 "train_error": last["train_error"], "test_error": last["test_error"]})
                    if rep == 0:
                        curves[(mode, w)] = [x["train_error"] for x in m]
        write_csv(data / "exp1_synthetic_svm.csv", rows)
        fig, axes = plt.subplots(1, 3, figsize=(15, 4))
        for ax, key, label in ((axes[0], "cpu_seconds", "total CPU seconds"), (axes[1], "wall_seconds", "wall seconds"),
                               (axes[2], "test_error", "test error")):
            series = {}
            for x in rows:
                series.setdefault(x["mode"], {}).setdefault(x["workers"], []).append(x[key] * (100 if key == "test_error" else 1))
            plot_vs_workers(ax, series, key, label + (" (%)" if key == "test_error" else ""), cores)
            if key != "test_error":
                ax.set_yscale("log")  # sync is 10-100x the others: a linear axis flattens them
        fig.suptitle(f"Experiment 1: synthetic SVM (100 dims, density 0.2, 10k rows, {epochs} epochs)")
        fig.tight_layout()
        fig.savefig(figs / "exp1_time_error_vs_workers.png", dpi=110)
        fig, axes = plt.subplots(1, len(modes), figsize=(5 * len(modes), 4), sharey=True)
        for ax, mode in zip(axes, modes):
            for w in workers:
                ax.plot(range(1, epochs + 1), [100 * e for e in curves[(mode, w)]], label=f"{w} workers")
            ax.set_title(mode)
            ax.set_xlabel("epoch")
            ax.set_yscale("log")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
        axes[0].set_ylabel("training error (%)")
        fig.suptitle("Experiment 1: training error per epoch")
        fig.tight_layout()
        fig.savefig(figs / "exp1_train_error_per_epoch.png", dpi=110)
        plt.close("all")

    # --- Experiment 2: async scaling with dataset size -------------------------------------------
    if 2 in only:
        epochs = 5 if quick else 20
        rows = []
        for n in sizes:
            for w in workers:
                for rep in range(reps):
                    m = r.run(f"exp2 rows={n} workers={w} rep={rep}",
                              ["--mode", "async", "--workers", w, "--rows", n, "--epochs", epochs])
                    rows.append({"rows": n, "workers": w, "repeat": rep, "wall_seconds": m[-1]["wall_seconds"],
                                 "cpu_seconds": m[-1]["cpu_seconds"], "test_error": m[-1]["test_error"]})
        write_csv(data / "exp2_async_scaling.csv", rows)
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        for ax, key in ((axes[0], "wall_seconds"), (axes[1], "cpu_seconds")):
            series = {}
            for x in rows:
                series.setdefault(f"{x['rows']:,} rows", {}).setdefault(x["workers"], []).append(x[key])
            plot_vs_workers(ax, series, key, key.replace("_", " "), cores)
            ax.set_yscale("log")
        fig.suptitle(f"Experiment 2: async, {epochs} epochs, time vs workers per dataset size")
        fig.tight_layout()
        fig.savefig(figs / "exp2_async_scaling.png", dpi=110)
        plt.close("all")

    # --- Experiment 3: images, multiclass SVM, batch 2 and 125 ---------------------------------
    if 3 in only and have_cifar:
        rows, curves = [], {}
        settings = [(2, 4 if quick else 20), (125, 10 if quick else 100)]
        for batch, epochs in settings:
            for w in workers:
                for rep in range(reps):
                    m = r.run(f"exp3 images batch={batch} workers={w} rep={rep}",
                              ["--mode", "async", "--workers", w, "--model", "multiclass-svm",
                               "--train", image[1], "--test", image[2],
                               "--batch-size", batch, "--epochs", epochs])
                    rows.append({"batch": batch, "workers": w, "repeat": rep, "epochs": epochs,
                                 "wall_seconds": m[-1]["wall_seconds"], "cpu_seconds": m[-1]["cpu_seconds"],
                                 "test_error": m[-1]["test_error"]})
                    if rep == 0:
                        curves[(batch, w)] = [x["train_error"] for x in m]
        write_csv(data / "exp3_cifar_multiclass_svm.csv", rows)
        fig, axes = plt.subplots(1, 4, figsize=(19, 4))
        for ax, key, label in ((axes[0], "cpu_seconds", "total CPU seconds"), (axes[1], "test_error", "test error (%)")):
            series = {}
            for x in rows:
                series.setdefault(f"batch {x['batch']}", {}).setdefault(x["workers"], []).append(
                    x[key] * (100 if key == "test_error" else 1))
            plot_vs_workers(ax, series, key, label, cores)
        for ax, (batch, epochs) in zip(axes[2:], settings):
            for w in workers:
                ax.plot(range(1, epochs + 1), [100 * e for e in curves[(batch, w)]], label=f"{w} workers")
            ax.set_title(f"training error per epoch, batch {batch}")
            ax.set_xlabel("epoch")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
        fig.suptitle(f"Experiment 3: {image[0]}, multiclass SVM")
        fig.tight_layout()
        fig.savefig(figs / "exp3_cifar.png", dpi=110)
        plt.close("all")
    elif 3 in only:
        print("experiments: skipping experiment 3: no CIFAR-10 files in", cifar, "and no Fashion-MNIST")

    # --- Experiment 4: linear regression ------------------------------------------------------------
    if 4 in only:
        epochs = 30 if quick else 100
        rows, curves = [], {}
        for w in workers:
            for rep in range(reps):
                m = r.run(f"exp4 regression workers={w} rep={rep}",
                          ["--mode", "async", "--workers", w, "--model", "least-squares", "--epochs", epochs])
                rows.append({"workers": w, "repeat": rep, "wall_seconds": m[-1]["wall_seconds"],
                             "cpu_seconds": m[-1]["cpu_seconds"], "train_mse": m[-1]["train_error"],
                             "test_mse": m[-1]["test_error"]})
                if rep == 0:
                    curves[w] = [x["train_error"] for x in m]
        write_csv(data / "exp4_regression.csv", rows)
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        series = {}
        for x in rows:
            series.setdefault("cpu seconds", {}).setdefault(x["workers"], []).append(x["cpu_seconds"])
            series.setdefault("wall seconds", {}).setdefault(x["workers"], []).append(x["wall_seconds"])
        plot_vs_workers(axes[0], series, "seconds", "seconds", cores)
        for w in workers:
            axes[1].plot(range(1, epochs + 1), curves[w], label=f"{w} workers")
        axes[1].set_yscale("log")
        axes[1].set_xlabel("epoch")
        axes[1].set_ylabel("training MSE")
        axes[1].grid(alpha=0.3)
        axes[1].legend(fontsize=8)
        fig.suptitle(f"Experiment 4: least squares, 5 dims, 5,000 rows, {epochs} epochs")
        fig.tight_layout()
        fig.savefig(figs / "exp4_regression.png", dpi=110)
        plt.close("all")

    # --- Experiment 5: sparse text, async vs round-robin, time to a test error -----------------
    if 5 in only and have_reuters:
        epochs = 5 if quick else 20
        runs = []
        for mode in ("async", "round-robin"):
            for w in workers:
                for rep in range(reps):
                    m = r.run(f"exp5 reuters {mode} workers={w} rep={rep}",
                              ["--mode", mode, "--workers", w, "--train", reuters / "reuters.trn.gz",
                               "--test", reuters / "reuters.tst.gz", "--epochs", epochs])
                    runs.append((mode, w, rep, m))
        # The target: within 0.2 points of the best final test error of any run (a looser target is
        # reached by every run in its first epoch and then measures only the first epoch's time).
        target = min(m[-1]["test_error"] for *_, m in runs) + 0.002
        rows = []
        for mode, w, rep, m in runs:
            hit = next((x for x in m if x["test_error"] <= target), None)
            rows.append({"mode": mode, "workers": w, "repeat": rep, "target_test_error": target,
                         "seconds_to_target": hit["wall_seconds"] if hit else float("nan"),
                         "epochs_to_target": hit["epoch"] if hit else float("nan"),
                         "final_test_error": m[-1]["test_error"], "wall_seconds": m[-1]["wall_seconds"]})
        write_csv(data / "exp5_reuters_async_vs_rr.csv", rows)
        fig, ax = plt.subplots(figsize=(6, 4))
        series = {}
        for x in rows:
            series.setdefault(x["mode"], {}).setdefault(x["workers"], []).append(x["seconds_to_target"])
        plot_vs_workers(ax, series, "seconds_to_target", f"wall seconds to test error <= {100 * target:.2f}%", cores)
        fig.suptitle("Experiment 5: Reuters-21578 (8,315 sparse features), SVM")
        fig.tight_layout()
        fig.savefig(figs / "exp5_reuters_time_to_error.png", dpi=110)
        plt.close("all")
    elif 5 in only:
        print("experiments: skipping experiment 5: no Reuters files in", reuters)

    print(f"experiments: done in {time.monotonic() - r.t0:.0f} s; figures in {figs}, data in {data}")


if __name__ == "__main__":
    main()

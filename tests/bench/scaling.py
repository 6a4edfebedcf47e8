#!/usr/bin/python3
"""Scaling benchmark: time per epoch and test error against the number of workers, per data set
and per way of running (async on the shared model or on per-worker replicas, processes or threads,
workers per epoch or per run), with serial SGD on the same data as the reference.

    tests/bench/scaling.py                          # workers 1, 2, 4, ... up to the core count
    tests/bench/scaling.py --workers 1,2,4,8,16 --out scaling.csv
    tests/bench/scaling.py --only default,reuters --repeats 3

Each point is one hogwild-coordinator run writing --metrics; the figure read is the median over
the run's epochs of `epoch_seconds` (launch to join, no evaluation), so data generation, file
parsing and evaluation are not in it. `run_s` is the whole process's wall time (what a user
waits for). Speed-up = per-epoch time of the first worker count (1 unless --workers says otherwise)
of the same configuration ÷ that of W workers;
`vs serial` = serial's per-epoch time ÷ that of W workers. Worker counts above the machine's
cores are run too and marked in the table (oversubscribed). Timings are never asserted: this is a
measurement to read next to the machine it ran on (docs/scaling.md).
"""
import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def worker_list(text):
    """argparse type for --workers: a comma-separated list of positive integers."""
    try:
        ws = [int(w) for w in text.split(",")]
    except ValueError:
        ws = []
    if not ws or min(ws) < 1:
        raise argparse.ArgumentTypeError(f"expected worker counts like 1,2,4,8 (got {text!r})")
    return ws


def without_flags(args, extra):
    """args (flag-value pairs) less the flags that `extra` sets again: --extra overrides a data
    set's own choice (e.g. Reuters' --lambda 1), since the coordinator refuses a flag given twice."""
    out = []
    for k in range(0, len(args), 2):
        if args[k] not in extra:
            out += args[k:k + 2]
    return out


def datasets(data):
    """name -> (arguments selecting the data, epochs)."""
    reuters = os.path.join(data, "reuters21578-lasvm")
    a9a = os.path.join(data, "a9a")
    fashion = os.path.join(data, "fashion-mnist")
    return {
        # The built-in default (the course project's Experiment 1): 10k x 100, density 0.2.
        "default": ([], 200),
        # Experiment 2's largest size: 500k x 100, density 0.2 (88 MB segment).
        "synthetic-500k": (["--rows", "500000"], 10),
        # Sparser and wider: 500k x 1000, density 0.02 (20 nonzeros a row as above, 10x the model).
        "synthetic-500k-wide": (["--rows", "500000", "--dims", "1000", "--density", "0.02"], 10),
        "reuters": (["--train", os.path.join(reuters, "reuters.trn.gz"), "--test", os.path.join(reuters, "reuters.tst.gz"),
                     "--scale", "none", "--lambda", "1"], 60),
        "a9a": (["--train", os.path.join(a9a, "a9a"), "--test", os.path.join(a9a, "a9a.t")], 20),
        "fashion-mnist": (["--train", os.path.join(fashion, "train-images-idx3-ubyte.gz"),
                           "--test", os.path.join(fashion, "t10k-images-idx3-ubyte.gz"), "--model", "multiclass-svm"], 3),
    }


# name -> arguments; every configuration but serial is run at every worker count.
CONFIGS = {
    "async fork run shared": ["--mode", "async", "--executor", "fork", "--worker-lifetime", "run"],
    "async fork run replicas": ["--mode", "async", "--executor", "fork", "--worker-lifetime", "run",
                                "--replicas", "worker"],
    "async thread run shared": ["--mode", "async", "--executor", "thread", "--worker-lifetime", "run"],
    # Threads started every epoch, each on its own replica: the fastest 2-vs-1 configuration on
    # the 2-core VM (docs/performance.md, floors).
    "async thread epoch replicas": ["--mode", "async", "--executor", "thread", "--worker-lifetime", "epoch",
                                    "--replicas", "worker"],
}
# The main job as the README runs it (new processes every epoch), on the default data only.
DEFAULT_ONLY = {"async fork epoch shared": ["--mode", "async", "--executor", "fork", "--worker-lifetime", "epoch"]}


def run_once(coordinator, args, epochs):
    with tempfile.TemporaryDirectory() as tmp:
        metrics = os.path.join(tmp, "m.csv")
        cmd = [coordinator, *args, "--epochs", str(epochs), "--metrics", metrics, "--quiet"]
        t0 = time.monotonic()
        p = subprocess.run(cmd, capture_output=True, text=True)
        run_s = time.monotonic() - t0
        if p.returncode != 0:
            sys.exit(f"scaling: {' '.join(cmd)} exited {p.returncode}:\n{p.stderr}")
        with open(metrics) as f:
            rows = list(csv.DictReader(f))
    per_epoch = [float(r["epoch_seconds"]) for r in rows]
    return {
        "epoch_ms": statistics.median(per_epoch) * 1e3,
        "train_s": sum(per_epoch),
        "run_s": run_s,
        "cpu_s": float(rows[-1]["cpu_seconds"]),
        "test_error": float(rows[-1]["test_error"]),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cores = os.cpu_count() or 1
    default_workers = [1]
    while default_workers[-1] * 2 <= cores:
        default_workers.append(default_workers[-1] * 2)
    ap.add_argument("--coordinator", default=os.path.join(ROOT, "build", "release", "coordinator", "hogwild-coordinator"))
    ap.add_argument("--data", default=os.path.normpath(os.path.join(ROOT, "..", "shared", "data")))
    ap.add_argument("--workers", type=worker_list, default=default_workers, help="comma-separated worker counts")
    ap.add_argument("--only", default="default,synthetic-500k,synthetic-500k-wide,reuters,a9a",
                    help="comma-separated data sets (also: fashion-mnist)")
    ap.add_argument("--configs", default=None, help="comma-separated subset of: " + ", ".join([*CONFIGS, *DEFAULT_ONLY]))
    ap.add_argument("--repeats", type=int, default=1, help="runs per point; the median run (by epoch time) is kept")
    ap.add_argument("--epochs-scale", type=float, default=1.0, help="multiply each data set's epochs (e.g. 0.25 for a quick look)")
    ap.add_argument("--extra", default="",
                    help="more coordinator flags for every run, e.g. \"--lambda 0\" (they replace a data set's own)")
    ap.add_argument("--out", default="scaling.csv")
    a = ap.parse_args()
    if a.repeats < 1 or a.epochs_scale <= 0:
        ap.error("--repeats must be at least 1 and --epochs-scale positive")
    if not os.access(a.coordinator, os.X_OK):
        sys.exit(f"scaling: no coordinator at {a.coordinator} (build first, or pass --coordinator)")
    workers = a.workers
    all_sets = datasets(a.data)
    for name in a.only.split(","):
        if name not in all_sets:
            sys.exit(f"scaling: unknown data set {name!r} (known: {', '.join(all_sets)})")
    wanted_configs = a.configs.split(",") if a.configs else None
    unknown = [x for x in wanted_configs or [] if x not in CONFIGS and x not in DEFAULT_ONLY]
    if unknown:
        sys.exit(f"scaling: unknown configuration {unknown[0]!r} (known: {', '.join([*CONFIGS, *DEFAULT_ONLY])})")
    fields = ["dataset", "config", "workers", "epochs", "epoch_ms", "train_s", "run_s", "cpu_s", "test_error",
              "speedup_vs_1", "speedup_vs_serial", "cores"]
    out = open(a.out, "w", newline="")
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    print(f"cores: {cores}; workers: {workers}; CSV: {a.out}", flush=True)
    for name in a.only.split(","):
        data_args, epochs = all_sets[name]
        data_args = without_flags(data_args, a.extra.split())
        epochs = max(1, round(epochs * a.epochs_scale))

        def point(config_args, w):
            runs = [run_once(a.coordinator, [*data_args, *a.extra.split(), *config_args, *(["--workers", str(w)] if w else [])],
                             epochs)
                    for _ in range(a.repeats)]
            return sorted(runs, key=lambda r: r["epoch_ms"])[len(runs) // 2]

        serial = point(["--mode", "serial"], 0)
        rows = [dict(dataset=name, config="serial", workers=1, **serial)]
        configs = {**CONFIGS, **(DEFAULT_ONLY if name == "default" else {})}
        for cname, cargs in configs.items():
            if wanted_configs and cname not in wanted_configs:
                continue
            one = None
            for w in workers:
                r = point(cargs, w)
                one = one or r
                rows.append(dict(dataset=name, config=cname, workers=w, **r, speedup_vs_1=one["epoch_ms"] / r["epoch_ms"]))
        print(f"\n{name}: {epochs} epochs; per-epoch ms (median over epochs), speed-up vs 1 worker, vs serial, "
              f"final test error; * = more workers than cores", flush=True)
        for r in rows:
            r["epochs"] = epochs
            r["cores"] = cores
            r["speedup_vs_serial"] = serial["epoch_ms"] / r["epoch_ms"]
            r.setdefault("speedup_vs_1", 1.0)
            mark = "*" if r["workers"] > cores else " "
            print(f"  {r['config']:<26} w={r['workers']:<3}{mark} {r['epoch_ms']:9.3f} ms  x{r['speedup_vs_1']:5.2f}"
                  f"  vs serial x{r['speedup_vs_serial']:5.2f}  test error {100 * r['test_error']:6.2f}%"
                  f"  run {r['run_s']:7.2f} s  cpu {r['cpu_s']:7.2f} s", flush=True)
            writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})
        out.flush()
    out.close()


if __name__ == "__main__":
    main()

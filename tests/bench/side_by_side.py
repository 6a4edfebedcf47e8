#!/usr/bin/python3
"""Side-by-side benchmark: hogwild-coordinator vs scikit-learn SGDClassifier, LIBLINEAR and a
PyTorch Hogwild! script (tests/bench/torch_hogwild.py) on the same LIBSVM files, in one run.

    /usr/bin/python3 tests/bench/side_by_side.py [--quick | --only SETS] [--repeat N] [--out FILE.md]
        [--json FILE] [--build DIR] [--data DIR] [--python EXE] [--no-install]

Run it with /usr/bin/python3 (Debian's python3-sklearn and python3-torch are installed for it).
Needs build/release (cmake --preset release && cmake --build build/release). Installs
python3-sklearn, liblinear-tools and python3-torch with apt-get when they are missing and
apt-cache has a candidate; a tool that cannot be installed is reported and skipped.

Per tool and data set: training seconds, ns per example per epoch, test error, peak RSS (the
largest process of the tool's process tree, from GNU time's %M) and the ratio of its ns/example
to ours (serial). Our training seconds are the sum of the per-epoch runner times from --metrics
(without the per-epoch evaluation); sklearn's are fit(); torch's the epoch loop; LIBLINEAR's are
the whole `train` process (parsing included: it has no separate timer), and it runs to its own
convergence criterion, not a number of epochs.
"""
import argparse
import csv
import gzip
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.join(ROOT, "build", "release")
COORD = os.path.join(BUILD, "coordinator", "hogwild-coordinator")
WRITE = os.path.join(BUILD, "tests", "bench", "write_synthetic")
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
PY = "/usr/bin/python3"


def have_module(name):
    return subprocess.run([PY, "-c", f"import {name}"], capture_output=True).returncode == 0


def ensure(pkg, present):
    """Installs a Debian package when missing; returns a note ('' when available)."""
    if present():
        return ""
    policy = subprocess.run(["apt-cache", "policy", pkg], capture_output=True, text=True).stdout
    m = re.search(r"Candidate:\s*(\S+)", policy)
    if not m or m.group(1) == "(none)":
        return f"{pkg}: no apt candidate; skipped"
    r = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", pkg], capture_output=True, text=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    if r.returncode != 0 or not present():
        return f"{pkg}: apt-get install failed ({r.stderr.strip().splitlines()[-1:]}); skipped"
    return ""


def set_paths(build, data, python):
    """--build, --data, --python: where the binaries, the data sets and the Python with sklearn and
    torch are (another machine's layout, e.g. a copied build and a virtual environment)."""
    global BUILD, COORD, WRITE, DATA, PY
    BUILD = os.path.abspath(build)
    COORD = os.path.join(BUILD, "coordinator", "hogwild-coordinator")
    WRITE = os.path.join(BUILD, "tests", "bench", "write_synthetic")
    DATA = os.path.abspath(data)
    PY = python


def measured(cmd):
    """Runs cmd under GNU time; returns (wall seconds, peak RSS in MB, stdout+stderr).

    Peak RSS comes from /usr/bin/time's wait4 (the largest process of the tree), not from this
    script's own wait4: ru_maxrss survives execve, so a child forked from this Python process
    would report at least the parent's size. Without GNU time (not installed) it is None."""
    gnu_time = os.path.exists("/usr/bin/time")
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile(mode="r") as rss_file:
        t0 = time.perf_counter()
        timer = ["/usr/bin/time", "-o", rss_file.name, "-f", "%M"] if gnu_time else []
        p = subprocess.run([*timer, *cmd], stdout=out, stderr=subprocess.STDOUT)
        wall = time.perf_counter() - t0
        out.seek(0)
        text = out.read().decode(errors="replace")
        rss_lines = [l for l in rss_file.read().splitlines() if l.strip().isdigit()]
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}:\n{text[-2000:]}")
    return wall, (int(rss_lines[-1]) / 1024.0 if rss_lines else None), text


SKLEARN = r"""
import json, sys, time
import numpy as np
from sklearn.datasets import load_svmlight_file
from sklearn.linear_model import SGDClassifier
train, test, epochs, lam = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
X, y = load_svmlight_file(train)
Xt, yt = load_svmlight_file(test, n_features=X.shape[1])
for m in (X, Xt):  # newer scikit-learn's SGD accepts 32-bit sparse indices only
    m.indices = m.indices.astype(np.int32)
    m.indptr = m.indptr.astype(np.int32)
# Our objective (1/n)[sum loss + lam/2 |w|^2] is sklearn's (1/n) sum loss + alpha/2 |w|^2 with alpha = lam/n.
clf = SGDClassifier(loss="hinge", alpha=lam / X.shape[0], max_iter=epochs, tol=None, fit_intercept=False,
                    random_state=1)
t0 = time.perf_counter()
import warnings
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    clf.fit(X, y)
fit = time.perf_counter() - t0
print(json.dumps({"train_seconds": fit, "examples": epochs * X.shape[0], "test_error": float(np.mean(clf.predict(Xt) != yt))}))
"""


def last_json(text):
    return json.loads([l for l in text.splitlines() if l.startswith("{")][-1])


def run_ours(label, args, rows, epochs, tmp):
    metrics = os.path.join(tmp, "metrics.csv")
    wall, rss, text = measured([COORD, *args, "--epochs", str(epochs), "--metrics", metrics, "--quiet"])
    with open(metrics) as f:
        hist = list(csv.DictReader(f))
    train_s = sum(float(r["epoch_seconds"]) for r in hist)
    err = float(hist[-1]["test_error"])
    seg = re.search(r"^segment: \S+ \(([0-9.]+) (kB|MB|GB)\)", text, re.M)
    seg_mb = float(seg.group(1)) * {"kB": 1e-3, "MB": 1.0, "GB": 1e3}[seg.group(2)] if seg else None
    return dict(tool="ours", config=label, epochs=epochs, train_s=train_s, ns=1e9 * train_s / (epochs * rows),
                err=err, rss=rss, wall=wall, segment_mb=seg_mb)


def run_sklearn(train, test, rows, epochs, lam):
    wall, rss, text = measured([PY, "-c", SKLEARN, train, test, str(epochs), str(lam)])
    j = last_json(text)
    return dict(tool="sklearn SGDClassifier", config=f"hinge, alpha=λ/n, {epochs} epochs", epochs=epochs,
                train_s=j["train_seconds"], ns=1e9 * j["train_seconds"] / j["examples"], err=j["test_error"],
                rss=rss, wall=wall)


def run_liblinear(train, test, lam, tmp):
    model = os.path.join(tmp, "ll.model")
    pred = os.path.join(tmp, "ll.pred")
    wall, rss, _ = measured(["liblinear-train", "-s", "3", "-c", f"{1.0 / lam:g}", "-q", train, model])
    _, _, text = measured(["liblinear-predict", test, model, pred])
    acc = float(re.search(r"Accuracy = ([0-9.]+)%", text).group(1))
    return dict(tool="LIBLINEAR", config=f"-s 3 (L1-loss SVC dual) -c {1.0 / lam:g}, to convergence", epochs=None,
                train_s=wall, ns=None, err=1 - acc / 100, rss=rss, wall=wall)


def run_torch(train, test, rows, epochs, workers, lr, decay, lam, limit):
    wall, rss, text = measured([PY, os.path.join(HERE, "torch_hogwild.py"), train, test, "--workers", str(workers),
                                "--epochs", str(epochs), "--lr", repr(lr), "--decay", repr(decay), "--lam", repr(lam),
                                "--limit-rows", str(limit)])
    j = last_json(text)
    part = f", {limit} of {rows} rows per epoch" if 0 < limit < rows else ""
    return dict(tool="PyTorch Hogwild!", config=f"{workers} proc, fork, batch 2{part}", epochs=epochs,
                train_s=j["train_seconds"], ns=1e9 * j["train_seconds"] / j["examples"], err=j["test_error"],
                rss=rss, wall=wall)


def plain_copy(path, tmp):
    """LIBLINEAR reads plain text only: decompress .gz files into tmp."""
    if not path.endswith(".gz"):
        return path
    out = os.path.join(tmp, os.path.basename(path)[:-3])
    with gzip.open(path, "rb") as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return out


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return shape, data[4 + 4 * ndim:]


def fashion_to_libsvm(images, labels, out, limit):
    (n, h, w), pix = read_idx(images)
    _, lab = read_idx(labels)
    d = h * w
    n = min(n, limit)
    with open(out, "w") as f:
        for i in range(n):
            row = pix[i * d:(i + 1) * d]
            f.write(str(lab[i]) + "".join(f" {j + 1}:{row[j] / 255:.6g}" for j in range(d) if row[j]) + "\n")
    return n


def learning_rate_of(args):
    """The step size the coordinator picks for file data (it prints it in the 'sgd:' line)."""
    _, _, text = measured([COORD, *args, "--epochs", "1", "--mode", "serial"])
    return float(re.search(r"learning rate ([0-9.eE+-]+)", text).group(1))


# The data sets, by the names --only takes.
SETS = ("synthetic-10k", "synthetic-500k", "a9a", "reuters", "fashion-mnist")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="synthetic 10k only (--only synthetic-10k)")
    ap.add_argument("--only", help="comma-separated data sets: " + ", ".join(SETS) + " (default: all)")
    ap.add_argument("--json", help="also write every row (tool, configuration, ns/example, test error, peak RSS, "
                                   "segment size) as a JSON list to this file (tests/bench/floors.py reads it)")
    ap.add_argument("--out", help="also write the markdown table to this file")
    ap.add_argument("--build", default=BUILD, help="the release build directory (default: build/release)")
    ap.add_argument("--data", default=DATA, help="the data sets (default: ../shared/data)")
    ap.add_argument("--python", default=PY, help="the Python that runs sklearn and torch (default: /usr/bin/python3)")
    ap.add_argument("--no-install", action="store_true", help="never apt-get a missing tool; skip it")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run every tool this many times, one round of all tools after another, and keep each "
                         "one's fastest run (a shared machine's noise only ever adds time)")
    a = ap.parse_args()
    if a.repeat < 1:
        sys.exit(f"--repeat: expected a positive number of runs (got {a.repeat})")
    only = set(SETS) if not (a.only or a.quick) else {"synthetic-10k"} if a.quick else set(a.only.split(","))
    if only - set(SETS):
        sys.exit(f"--only: unknown data set(s) {', '.join(sorted(only - set(SETS)))}; expected some of {', '.join(SETS)}")
    set_paths(a.build, a.data, a.python)
    if a.no_install:
        tools = (("python3-sklearn", have_module("sklearn")), ("liblinear-tools", shutil.which("liblinear-train")),
                 ("python3-torch", have_module("torch")))
        notes = [f"{pkg}: missing; skipped (--no-install)" for pkg, present in tools if not present]
    else:
        notes = [n for n in (ensure("python3-sklearn", lambda: have_module("sklearn")),
                             ensure("liblinear-tools", lambda: shutil.which("liblinear-train") is not None),
                             ensure("python3-torch", lambda: have_module("torch"))) if n]
    has_sk, has_ll, has_torch = have_module("sklearn"), shutil.which("liblinear-train"), have_module("torch")
    for exe in (COORD, WRITE):
        if not os.path.exists(exe):
            sys.exit(f"{exe} is missing: build first (cmake --preset release && cmake --build build/release)")
    helptext = subprocess.run([COORD, "--help"], capture_output=True, text=True).stdout
    other_executors = [ex for ex in ("spawn", "thread") if re.search(rf"--executor[^\n]*\b{ex}\b", helptext)]
    tmp = tempfile.mkdtemp(prefix="hogwild-sbs-")
    results = []
    try:
        sets = []
        if "synthetic-10k" in only:
            syn = os.path.join(tmp, "syn10k")
            subprocess.run([WRITE, syn + ".svm", syn + ".t"], check=True)
            sets.append(dict(key="synthetic-10k", name="synthetic 10k×100 ρ=0.2", train=syn + ".svm", test=syn + ".t",
                             rows=10000,
                             ours=["--scale", "none", "--decay", "0.99", "--lambda", "1"],
                             epochs=200, torch_epochs=2, lr=0.001, decay=0.99, model="svm", dense_row=True))
        if "synthetic-500k" in only:
            big = os.path.join(tmp, "syn500k")
            subprocess.run([WRITE, big + ".svm", big + ".t", "--rows", "500000"], check=True)
            sets.append(dict(key="synthetic-500k", name="synthetic 500k×100 ρ=0.2", train=big + ".svm", test=big + ".t",
                             rows=500000,
                             ours=["--scale", "none", "--decay", "0.99", "--lambda", "1"],
                             epochs=10, torch_epochs=1, torch_rows=20000, lr=0.001, decay=0.99, model="svm",
                             dense_row=True))
        if "a9a" in only:
            a9a = os.path.join(DATA, "a9a")
            if os.path.exists(a9a):
                sets.append(dict(key="a9a", name="a9a", train=os.path.join(a9a, "a9a"),
                                 test=os.path.join(a9a, "a9a.t"), rows=32561,
                                 ours=["--scale", "none", "--lambda", "1"], epochs=20, torch_epochs=1, torch_rows=20000,
                                 decay=0.85, model="svm"))
        if "reuters" in only:
            reu = os.path.join(DATA, "reuters21578-lasvm")
            if os.path.exists(reu):
                sets.append(dict(key="reuters", name="Reuters (lasvm)", train=os.path.join(reu, "reuters.trn.gz"),
                                 test=os.path.join(reu, "reuters.tst.gz"), rows=7770,
                                 ours=["--scale", "none", "--lambda", "1"], epochs=20, torch_epochs=1, decay=0.85,
                                 model="svm"))
        if "fashion-mnist" in only:
            fm = os.path.join(DATA, "fashion-mnist")
            if os.path.exists(fm):
                ftr, fte = os.path.join(tmp, "fm.svm"), os.path.join(tmp, "fm.t")
                n = fashion_to_libsvm(os.path.join(fm, "train-images-idx3-ubyte.gz"),
                                      os.path.join(fm, "train-labels-idx1-ubyte.gz"), ftr, 20000)
                fashion_to_libsvm(os.path.join(fm, "t10k-images-idx3-ubyte.gz"),
                                  os.path.join(fm, "t10k-labels-idx1-ubyte.gz"), fte, 10000)
                sets.append(dict(key="fashion-mnist", name=f"Fashion-MNIST (first {n} train rows, 10k test, /255)",
                                 train=ftr, test=fte, rows=n, ours=["--scale", "none", "--lambda", "1", "--model", "multiclass-svm"],
                                 epochs=10, torch_epochs=1, torch_rows=10000, decay=0.85, model="multiclass-svm"))
        for s in sets:
            base = [*s["ours"], "--train", s["train"], "--test", s["test"], "--no-cache"]
            lr = s.get("lr") or learning_rate_of(base + ["--decay", str(s["decay"])])
            base += ["--decay", str(s["decay"])] if "--decay" not in base else []
            base += ["--learning-rate", repr(lr)]
            print(f"== {s['name']}", file=sys.stderr, flush=True)
            rows, ep = s["rows"], s["epochs"]

            def one_round():
                rs = [run_ours("serial", [*base, "--mode", "serial"], rows, ep, tmp),
                      # The segment alone (no private huge-page copy): the peak-memory configuration.
                      run_ours("serial, --attach lazy", [*base, "--mode", "serial", "--attach", "lazy"], rows, ep, tmp),
                      run_ours("async, 1 worker, fork", [*base, "--mode", "async", "--workers", "1"], rows, ep, tmp),
                      run_ours("async, 2 workers, fork", [*base, "--mode", "async", "--workers", "2"], rows, ep, tmp),
                      run_ours("async, 2 workers, fork, --replicas worker",
                               [*base, "--mode", "async", "--workers", "2", "--replicas", "worker"], rows, ep, tmp)]
                if s.get("dense_row"):  # 100 columns at density 0.2: the AVX2 dense loop (shared/dense_simd.hpp)
                    rs.append(run_ours("serial, --layout dense --precision float32",
                                       [*base, "--mode", "serial", "--layout", "dense", "--precision", "float32"], rows, ep,
                                       tmp))
                for ex in other_executors:
                    rs.append(run_ours(f"async, 2 workers, {ex}", [*base, "--mode", "async", "--workers", "2",
                                                                   "--executor", ex], rows, ep, tmp))
                if has_sk:
                    rs.append(run_sklearn(s["train"], s["test"], rows, ep, 1.0))
                if has_ll:
                    rs.append(run_liblinear(plain_copy(s["train"], tmp), plain_copy(s["test"], tmp), 1.0, tmp))
                if has_torch:
                    for w in (1, 2):
                        rs.append(run_torch(s["train"], s["test"], rows, s["torch_epochs"], w, lr, s["decay"], 1.0,
                                            s.get("torch_rows", 0)))
                return rs

            # Rounds of every tool, each tool keeping its fastest run (ns/example, or the time where a
            # tool has no per-example figure).
            rs = one_round()
            for _ in range(a.repeat - 1):
                for k, r in enumerate(one_round()):
                    if (r["ns"] or r["train_s"]) < (rs[k]["ns"] or rs[k]["train_s"]):
                        rs[k] = r
            ref = rs[0]
            for r in rs:
                r["data"] = s["name"]
                r["set"] = s["key"]
                r["ratio"] = (r["ns"] / ref["ns"]) if r["ns"] else r["train_s"] / ref["train_s"]
            results += rs
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    lines = ["| data | tool | configuration | epochs | train s | ns/example | test error | peak RSS MB | ÷ ours serial |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        ns = "-" if r["ns"] is None else f"{r['ns']:.1f}"
        rss = "-" if r["rss"] is None else f"{r['rss']:.0f}"
        lines.append(f"| {r['data']} | {r['tool']} | {r['config']} | {r['epochs'] or '-'} | {r['train_s']:.3f} | "
                     f"{ns} | {100 * r['err']:.2f}% | "
                     f"{rss} | {r['ratio']:.2f}{'' if r['ns'] else ' (time)'} |")
    table = "\n".join(lines)
    print(table)
    for n in notes:
        print("note:", n)
    if a.out:
        with open(a.out, "w") as f:
            f.write(table + "\n" + "".join(f"\nnote: {n}" for n in notes) + "\n")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"rows": results, "notes": notes}, f, indent=1)


if __name__ == "__main__":
    main()

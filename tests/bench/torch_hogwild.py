#!/usr/bin/python3
"""Linear SVM trained with Hogwild! in PyTorch, in the style of PyTorch's official mnist_hogwild
example (torch.multiprocessing, model.share_memory(), one process per worker, fork start method,
each process running torch.optim.SGD on the shared parameters without locks).

Departures from the example, so that the work per epoch matches hogwild-coordinator's async mode:
each epoch the parent shuffles one permutation and every worker takes its contiguous 1/W slice
(the example lets every process do a whole epoch); batch 2; one thread per process.
Model: nn.EmbeddingBag(dims, C, mode="sum") with per-sample weights, i.e. x·W on sparse rows.
Loss: binary hinge max(0, 1 - y s) (C = 1) or multi_margin_loss (multiclass); L2 as SGD
weight_decay = lambda / n, so that the objective is (1/n)[sum loss + lambda/2 |w|^2] as ours.
Step size per epoch: lr * decay^e, as ours.
Prints one JSON line: train_seconds, examples, test_error.
"""
import argparse
import json
import sys
import time

try:
    import numpy as np
    import torch
    import torch.multiprocessing as mp
    import torch.nn.functional as F
    from sklearn.datasets import load_svmlight_file
except ImportError as e:
    sys.exit(f"torch_hogwild.py: needs {e.name} (Debian: apt-get install python3-torch python3-sklearn; "
             "run with /usr/bin/python3)")


def to_arrays(X):
    X = X.tocsr()
    X.sort_indices()
    return X.indptr.astype(np.int64), X.indices.astype(np.int64), X.data.astype(np.float32)


def scores(model, ptr, idx, val, rows):
    # Index arithmetic in numpy: per-element tensor indexing from Python costs ~100 µs a step.
    starts, ends = ptr[rows], ptr[rows + 1]
    sel = np.concatenate([np.arange(s, e) for s, e in zip(starts, ends)])
    offsets = np.zeros(len(rows), dtype=np.int64)
    offsets[1:] = np.cumsum(ends - starts)[:-1]
    return model(torch.from_numpy(idx[sel]), torch.from_numpy(offsets), per_sample_weights=torch.from_numpy(val[sel]))


def loss_fn(s, y, binary):
    if binary:
        return torch.clamp(1.0 - y * s[:, 0], min=0.0).mean()
    return F.multi_margin_loss(s, y)


def train_slice(model, data, perm, begin, end, lr, wd, batch, binary):
    torch.set_num_threads(1)
    ptr, idx, val, y = data
    opt = torch.optim.SGD(model.parameters(), lr=lr, weight_decay=wd)
    for b in range(begin, end, batch):
        rows = perm[b:min(end, b + batch)]
        opt.zero_grad()
        loss_fn(scores(model, ptr, idx, val, rows), y[torch.from_numpy(rows)], binary).backward()
        opt.step()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("train")
    ap.add_argument("test")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--lr", type=float, required=True)
    ap.add_argument("--decay", type=float, default=1.0)
    ap.add_argument("--lam", type=float, default=1.0)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit-rows", type=int, default=0,
                    help="train each epoch on only the first N rows of its permutation (a partial epoch, for "
                         "time: this script's per-step overhead is large)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    Xtr, ytr = load_svmlight_file(a.train)
    Xte, yte = load_svmlight_file(a.test, n_features=Xtr.shape[1])
    classes = np.unique(ytr)
    binary = len(classes) == 2
    if binary:
        ytr_t = torch.from_numpy(np.where(ytr == classes[1], 1.0, -1.0).astype(np.float32))
    else:
        ytr_t = torch.from_numpy(np.searchsorted(classes, ytr).astype(np.int64))
    n, dims = Xtr.shape
    outputs = 1 if binary else len(classes)
    model = torch.nn.EmbeddingBag(dims, outputs, mode="sum")
    with torch.no_grad():
        model.weight.zero_()
    model.share_memory()
    data = (*to_arrays(Xtr), ytr_t)
    rng = np.random.default_rng(a.seed)
    ctx = mp.get_context("fork")
    train_s = 0.0
    examples = 0
    for e in range(a.epochs):
        perm = rng.permutation(n).astype(np.int64)
        lr = a.lr * a.decay ** e
        m = min(n, a.limit_rows) if a.limit_rows > 0 else n
        bounds = [m * w // a.workers for w in range(a.workers + 1)]
        t0 = time.perf_counter()
        procs = [ctx.Process(target=train_slice, args=(model, data, perm, bounds[w], bounds[w + 1], lr, a.lam / n,
                                                      a.batch, binary)) for w in range(a.workers)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
            if p.exitcode != 0:
                raise SystemExit(f"torch worker exited with {p.exitcode}")
        train_s += time.perf_counter() - t0
        examples += m
    W = model.weight.detach().numpy().astype(np.float64)
    S = Xte @ W
    if binary:
        pred = np.where(S[:, 0] >= 0, classes[1], classes[0])
    else:
        pred = classes[np.argmax(S, axis=1)]
    print(json.dumps({"train_seconds": train_s, "examples": examples, "test_error": float(np.mean(pred != yte))}))


if __name__ == "__main__":
    main()

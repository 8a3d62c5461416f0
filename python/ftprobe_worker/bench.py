"""Per-step cost of the survey's four configurations on a real model: neither, freeze,
not_optimize, both. Measures what torch allocates and how long each phase takes; never estimates.

- gradient bytes: sum of p.grad.numel() * element_size() over every parameter with a .grad after
  backward(), plus which parameters those are (for exact accounting in tests);
- extra memory: bytes of the tensors autograd saves for backward during the forward pass (through
  torch.autograd.graph.saved_tensors_hooks, unique storages, parameters and the input excluded),
  plus the gradient bytes. CPU torch keeps no allocator statistics and glibc reuses freed memory
  without growing RSS, so counting what autograd actually retains is the most exact measure here;
- time: forward (model + loss), backward, optimizer step, each with time.perf_counter().
"""
import time

import torch
from torch import nn

from . import models

CONFIGS = ("neither", "freeze", "not_optimize", "both")


def _torchvision(name):
    import torchvision  # imported on first use: it adds ~0.5 s to start-up

    ctor = {"resnet18": torchvision.models.resnet18, "resnet50": torchvision.models.resnet50,
            "mobilenet_v2": torchvision.models.mobilenet_v2}[name]
    return ctor(weights=None)


def build(name):
    """(model, head module, input shape without batch). The head is the final layer; the rest is the backbone."""
    if name == "seed-mlp":
        m, shape, _ = models.build({"builtin": "seed-mlp"})
        return m, m.classifier, shape
    m = _torchvision(name)
    head = m.fc if name.startswith("resnet") else m.classifier
    return m, head, None


def _storage(t):
    return t.untyped_storage() if hasattr(t, "untyped_storage") else t.storage()


def run(params):
    name = params["model"]
    batch = int(params["batch"])
    image = int(params.get("image", 64))
    reps, warmup = int(params["reps"]), int(params.get("warmup", 1))
    seed = int(params.get("seed", 0))
    if params.get("threads"):
        torch.set_num_threads(int(params["threads"]))
    out = {"model": name, "batch": batch, "threads": torch.get_num_threads(), "configs": [], "notes": [],
           "memoryMeasure": "bytes autograd saved for backward (saved_tensors_hooks, unique storages) + gradient bytes"}
    for config in params.get("configs", CONFIGS):
        torch.manual_seed(seed)
        model, head, shape = build(name)
        shape = shape or [3, image, image]
        head_ids = {id(p) for p in head.parameters()}
        if config in ("freeze", "both"):
            for p in model.parameters():
                if id(p) not in head_ids:
                    p.requires_grad_(False)
        params_opt = list(head.parameters()) if config in ("not_optimize", "both") else list(model.parameters())
        opt = torch.optim.SGD(params_opt, lr=1e-3, momentum=0.9)
        model.train()
        g = torch.Generator().manual_seed(seed + 1)
        x = torch.rand([batch, *shape], generator=g)
        samples = []
        known = {_storage(p).data_ptr() for p in model.parameters()} | {_storage(x).data_ptr()}
        for rep in range(warmup + reps):
            opt.zero_grad(set_to_none=True)
            saved = {}

            def pack(t):
                st = _storage(t)
                if st.data_ptr() not in known:
                    saved[st.data_ptr()] = st.nbytes()
                return t

            t0 = time.perf_counter()
            with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
                loss = model(x).float().pow(2).mean()
            t1 = time.perf_counter()
            loss.backward()
            t2 = time.perf_counter()
            opt.step()
            t3 = time.perf_counter()
            grads = [(n, p.grad.numel() * p.grad.element_size()) for n, p in model.named_parameters() if p.grad is not None]
            if rep >= warmup:
                samples.append({"forwardMs": (t1 - t0) * 1e3, "backwardMs": (t2 - t1) * 1e3, "optimizerMs": (t3 - t2) * 1e3,
                                "gradBytes": sum(b for _, b in grads),
                                "savedBytes": sum(saved.values())})
        out["configs"].append({
            "config": config,
            "paramBytes": sum(p.numel() * p.element_size() for p in model.parameters()),
            "gradParams": [n for n, _ in grads],
            "samples": samples,
        })
        del model, opt, x
    return out


class SmallCnn(nn.Module):
    """conv 1->8 3x3, ReLU, maxpool 2; conv 8->16 3x3, ReLU, maxpool 2; Dense 10: on 28x28 inputs."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3), nn.ReLU(),
                                  nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 5 * 5, 10))

    def forward(self, x):
        return self.body(x)


def time_steps(params):
    """Wall time of plain training steps (zero_grad, forward, mean-square loss, backward, SGD step)."""
    torch.manual_seed(int(params.get("seed", 0)))
    name, batch = params["model"], int(params["batch"])
    if name == "seed-mlp":
        model, shape = models.build({"builtin": "seed-mlp"})[0], [2]
    elif name == "small-cnn":
        model, shape = SmallCnn(), [1, 28, 28]
    else:
        raise ValueError(f"unknown model {name!r}")
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    model.train()
    x = torch.rand([batch, *shape])
    times = []
    for i in range(int(params.get("warmup", 5)) + int(params["steps"])):
        t0 = time.perf_counter()
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        opt.step()
        if i >= int(params.get("warmup", 5)):
            times.append((time.perf_counter() - t0) * 1e3)
    return {"stepMs": times, "threads": torch.get_num_threads()}

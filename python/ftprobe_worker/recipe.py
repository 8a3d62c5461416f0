"""Runs one trial: build the model, execute the recipe's actions, snapshot every tensor.

Each action is turned into Python source and executed with exec() in one namespace, and that same
source is what the trial reports as its code: the recorded code is the code that ran, never a
description of it. Action fields were validated on the TypeScript side; module paths are checked
again here because they end up in source text.
"""
import base64
import copy
import re
import sys

import torch
from torch import nn

from . import models

_SEGMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$|^[0-9]+$")


class RecipeError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def _module_expr(target):
    """Source for the module at a dotted path; 'model' is the root."""
    if target in ("model", ""):
        return "model"
    parts = target.split(".")
    if not all(_SEGMENT.match(p) for p in parts):
        raise RecipeError("bad-target", f"not a module path: {target!r}")
    if all(re.match(r"^[A-Za-z_]", p) for p in parts):
        return "model." + target
    return f"model.get_submodule({target!r})"


def _is_glob(t):
    return any(ch in t for ch in "*?[")


def _check_glob(model, glob, what):
    """A glob that matches nothing is a mistake in the recipe, not an empty selection."""
    from fnmatch import fnmatch
    names = [n for n, _ in (model.named_parameters() if what == "parameter" else model.named_modules())]
    if not any(fnmatch(n, glob) for n in names):
        raise RecipeError("no-match", f"the {what} glob {glob!r} matches nothing in this model")


def _params_expr(targets, model=None):
    """Source for the parameters of one or more module paths or name globs."""
    exprs = []
    for t in targets:
        if _is_glob(t):
            if model is not None:
                _check_glob(model, t, "parameter")
            exprs.append(f"[p for n, p in model.named_parameters() if fnmatch(n, {t!r})]")
        else:
            exprs.append(_module_expr(t) + ".parameters()")
    if len(exprs) == 1:
        return exprs[0]
    return "[" + ", ".join("*" + e for e in exprs) + "]"


def _optimizer_src(a, model):
    if a.get("groups"):
        # Parameter groups, each with its own hyper-parameters (torch.optim per-parameter options).
        keys = {"lr": "lr", "weightDecay": "weight_decay", "momentum": "momentum"}
        groups = []
        for g in a["groups"]:
            opts = "".join(f", {keys[k]!r}: {g[k]!r}" for k in keys if k in g)
            groups.append(f"{{'params': {_params_expr(g['params'], model)}{opts}}}")
        params = "[" + ", ".join(groups) + "]"
    else:
        params = _params_expr(a["params"], model)
    kind = a["kind"]
    args = [params, f"lr={a['lr']!r}"]
    if kind == "sgd":
        if a.get("momentum"):
            args.append(f"momentum={a['momentum']!r}")
        if a.get("nesterov"):
            args.append("nesterov=True")
        if a.get("weightDecay"):
            args.append(f"weight_decay={a['weightDecay']!r}")
        return f"opt = torch.optim.SGD({', '.join(args)})"
    if kind in ("adam", "adamw"):
        if a.get("betas"):
            args.append(f"betas={tuple(a['betas'])!r}")
        if a.get("weightDecay") is not None:
            args.append(f"weight_decay={a['weightDecay']!r}")
        cls = "Adam" if kind == "adam" else "AdamW"
        return f"opt = torch.optim.{cls}({', '.join(args)})"
    raise RecipeError("bad-optimizer", f"unknown optimizer kind {kind!r}")


def _loss_src(loss):
    if loss == "sum":
        return "loss = out.sum()"
    if loss == "mean":
        return "loss = out.mean()"
    if loss == "mse":
        return "loss = torch.nn.functional.mse_loss(out, target(out))"
    raise RecipeError("bad-loss", f"unknown loss {loss!r}")


# A float64 replay of a step is cheap below this many parameters, and tells real gradients from
# float32 cancellation residue (see _replay_float64).
REPLAY_MAX_PARAMS = 2_000_000


def _loss_value(kind, out, target):
    if kind == "sum":
        return out.sum()
    if kind == "mean":
        return out.mean()
    return torch.nn.functional.mse_loss(out, target(out).to(out.dtype))


def _replay_float64(model, x, loss_kind, target):
    """The same forward and backward, from the same state, in float64: the reference gradient.

    Called after the float32 backward and before opt.step(), so parameters, modes and the batch are
    exactly what the float32 step used. (In train mode BN normalises with batch statistics, so the
    running statistics the float32 forward just updated do not enter the replay's forward.)
    """
    m64 = copy.deepcopy(model).double()
    for p in m64.parameters():
        p.grad = None
    _loss_value(loss_kind, m64(x.double() if x.is_floating_point() else x), target).backward()
    return {n: (None if p.grad is None else p.grad) for n, p in m64.named_parameters()}


def _safe_replay(model, x, loss_kind, target):
    # Some modules (TorchScript, custom code) cannot be deep-copied or cast: then there is no replay.
    try:
        return _replay_float64(model, x, loss_kind, target)
    except Exception as exc:  # noqa: BLE001 - the replay is evidence, never a reason to fail a trial
        print(f"ftprobe_worker: float64 replay skipped: {type(exc).__name__}: {exc}", file=sys.stderr)
        return None


def _encode(t):
    t = t.detach().contiguous().cpu()
    return {
        "shape": list(t.shape),
        "dtype": str(t.dtype).replace("torch.", ""),
        "data": base64.b64encode(t.numpy().tobytes()).decode("ascii"),
    }


_BN_TYPES = {"BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm"}


def _bn_roles(model):
    roles = {}
    for path, m in model.named_modules():
        # TorchScript modules are RecursiveScriptModule: their Python class survives as original_name.
        if isinstance(m, nn.modules.batchnorm._BatchNorm) or getattr(m, "original_name", None) in _BN_TYPES:
            prefix = path + "." if path else ""
            roles[prefix + "running_mean"] = "bn-mean"
            roles[prefix + "running_var"] = "bn-var"
            roles[prefix + "num_batches_tracked"] = "bn-count"
    return roles


def _snapshot(model, roles):
    out = []
    for name, p in model.named_parameters():
        out.append({"name": name, "kind": "param", "role": "other", "trainable": p.requires_grad, **_encode(p)})
    for name, b in model.named_buffers():
        out.append({"name": name, "kind": "buffer", "role": roles.get(name, "other"), "trainable": b.requires_grad,
                    **_encode(b)})
    return out


def _optimizer_view(model, opt):
    """Per parameter, what the optimizer holds before its step: membership, weight decay, state size.

    Read from the optimizer object itself (param_groups, state), so a cause can be told from
    measurement: a momentum buffer or Adam moment that is non-zero will move a parameter even when
    its gradient is zero.
    """
    groups = {id(p): g for g in opt.param_groups for p in g["params"]}
    view = {}
    for n, p in model.named_parameters():
        g = groups.get(id(p))
        state = opt.state.get(p, {}) if g is not None else {}
        tensors = {k: v for k, v in state.items() if torch.is_tensor(v) and v.numel() > 1 or
                   (torch.is_tensor(v) and k != "step" and v.numel() == 1)}
        view[n] = {
            "held": g is not None,
            "weightDecay": float(g.get("weight_decay", 0.0)) if g is not None else 0.0,
            "stateKeys": sorted(tensors),
            "stateMaxAbs": max((float(v.abs().max()) for v in tensors.values()), default=0.0),
        }
    return view


def _optimized(model, opt):
    """Names of the parameters this optimizer holds that have a gradient: what opt.step() acts on."""
    held = {id(p) for group in opt.param_groups for p in group["params"]}
    return [n for n, p in model.named_parameters() if id(p) in held and p.grad is not None]


def _grads(model, ref64):
    out = []
    for n, p in model.named_parameters():
        g = {"name": n, "grad": None if p.grad is None else _encode(p.grad), "requiresGrad": p.requires_grad}
        if ref64 is not None:
            r = ref64.get(n)
            g["reference64"] = None if r is None else _encode(r)
        out.append(g)
    return out


def _modes(model):
    return {(path or "model"): m.training for path, m in model.named_modules()}


def run_trial(params):
    seed = int(params.get("seed", 0))
    torch.manual_seed(seed)
    model, input_shape, build_code = models.build(params["model"])
    data = params["data"]
    batch = int(data["batch"])
    spec_input = data.get("input") or {}
    input_shape = spec_input.get("shape") or input_shape
    if input_shape is None:
        raise RecipeError("bad-recipe", "this model needs the input shape: give input.shape in the recipe")
    roles = _bn_roles(model)
    code = [f"torch.manual_seed({seed})", build_code,
            f"g = torch.Generator().manual_seed({seed + 1})"]
    target_gen = torch.Generator().manual_seed(seed + 2)
    targets = {}

    def target(out):
        # Fixed random targets for the mse loss: drawn once per output shape, from their own generator.
        key = tuple(out.shape)
        if key not in targets:
            targets[key] = torch.randn(key, generator=target_gen)
        return targets[key]

    from fnmatch import fnmatch
    ns = {"torch": torch, "nn": nn, "model": model, "opt": None, "target": target, "fnmatch": fnmatch,
          "g": torch.Generator().manual_seed(seed + 1)}
    shape = ", ".join(str(d) for d in [batch, *input_shape])
    if spec_input.get("dtype") == "int64":
        draw = f"x = torch.randint(0, {int(spec_input.get('high', 2))}, ({shape},), generator=g)"
    else:
        draw = f"x = torch.rand(({shape}), generator=g)"

    initial = _snapshot(model, roles)
    steps = []

    def run(src):
        exec(src, ns)  # noqa: S102 - source built above from validated fields; see module docstring

    for a in params["actions"]:
        op = a["op"]
        if (op == "freeze" or op == "unfreeze") and _is_glob(a["target"]):
            _check_glob(model, a["target"], "parameter")
            src = (f"for n, p in model.named_parameters():\n"
                   f"    if fnmatch(n, {a['target']!r}):\n        p.requires_grad_({op == 'unfreeze'})")
        elif op == "freeze" or op == "unfreeze":
            src = f"{_module_expr(a['target'])}.requires_grad_({op == 'unfreeze'})"
        elif (op == "train" or op == "eval") and _is_glob(a["target"]):
            _check_glob(model, a["target"], "module")
            src = f"for n, m in model.named_modules():\n    if fnmatch(n, {a['target']!r}):\n        m.{op}()"
        elif op == "train" or op == "eval":
            src = f"{_module_expr(a['target'])}.{op}()"
        elif op == "optimizer":
            src = _optimizer_src(a, model)
        elif op == "forward":
            src = f"{draw}\nwith torch.no_grad():\n    model(x)" if not a.get("grad") else f"{draw}\nmodel(x)"
            run(src)
            code += src.split("\n")
            steps.append({"index": len(steps), "action": "forward", "loss": None, "grads": [],
                          "optimized": None, "modes": _modes(model), "after": _snapshot(model, roles)})
            continue
        elif op == "step":
            times = int(a.get("times", 1))
            zero = a.get("zeroGrad", "zeros")
            body = []
            if zero != "skip":
                body.append(f"opt.zero_grad(set_to_none={zero == 'none'})")
            body += [draw, "out = model(x)", _loss_src(a.get("loss", "sum")), "loss.backward()"]
            if ns["opt"] is None:
                raise RecipeError("no-optimizer", "a step needs an optimizer action before it")
            replay = sum(p.numel() for p in model.parameters()) <= REPLAY_MAX_PARAMS
            for i in range(times):
                run("\n".join(body))
                ref64 = _safe_replay(model, ns["x"], a.get("loss", "sum"), target) if replay else None
                # Gradients are read between backward() and opt.step(): what the optimizer was given.
                grads = _grads(model, ref64)
                modes = _modes(model)
                optimized = _optimized(model, ns["opt"])
                view = _optimizer_view(model, ns["opt"])
                run("opt.step()")
                steps.append({"index": len(steps), "action": "step", "loss": float(ns["loss"].detach()),
                              "grads": grads, "optimized": optimized, "optimizer": view, "modes": modes,
                              "after": _snapshot(model, roles)})
            block = body + ["opt.step()"]
            if times > 1:
                code.append(f"for step in range({times}):")
                code += ["    " + line for line in block]
            else:
                code += block
            continue
        else:
            raise RecipeError("unsupported", f"PyTorch has no counterpart of the Keras action {op!r}")
        run(src)
        code += src.split("\n")

    return {"code": code, "initial": initial, "steps": steps}

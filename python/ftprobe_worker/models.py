"""Built-in models, built with torch's own modules.

`seed-mlp` is the survey's model, layer for layer: the ReLU module `act` is applied twice, exactly
as in the survey's original code, so there is one `act` child and no second ReLU child.
"""
import torch
from torch import nn


class SeedFeature(nn.Module):
    def __init__(self):
        super().__init__()
        self.input = nn.Linear(2, 16)
        self.act = nn.ReLU()
        self.fc1 = nn.Linear(16, 16)
        self.bn = nn.BatchNorm1d(16)
        self.output = nn.Linear(16, 16)

    def forward(self, x):
        x = self.act(self.input(x))
        x = self.act(self.fc1(x))
        return self.output(self.bn(x))


class SeedModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.feature = SeedFeature()
        self.classifier = nn.Linear(16, 1)

    def forward(self, x):
        return self.classifier(self.feature(x))


def build(spec):
    """Return (model, input_shape or None, code) for a model spec; code is the line that built it.

    - {"builtin": "seed-mlp"}: the survey's model;
    - {"torchscript": path}: torch.jit.load, on CPU;
    - {"python": "module:factory", "path": dir}: imports the user's module (with `dir` on sys.path)
      and calls the factory with no arguments. This runs the user's code, by design.
    """
    from .recipe import RecipeError
    if "featureTraining" in spec:
        raise RecipeError("unsupported", "a training flag fixed when the model is built is a Keras/TF.js notion")
    if spec.get("builtin") == "seed-mlp":
        return SeedModel(), [2], "model = SeedModel()  # feature: input, act, fc1, act, bn, output; classifier"
    if "torchscript" in spec:
        path = spec["torchscript"]
        try:
            model = torch.jit.load(path, map_location="cpu")
        except Exception as exc:  # a missing file, or not TorchScript
            raise RecipeError("bad-model", f"cannot load TorchScript {path}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        return model, None, f"model = torch.jit.load({path!r}, map_location='cpu')"
    if "python" in spec:
        import importlib
        import sys
        ref = spec["python"]
        module_name, _, factory = ref.partition(":")
        if spec.get("path") and spec["path"] not in sys.path:
            sys.path.insert(0, spec["path"])
        try:
            module = importlib.import_module(module_name)
            model = getattr(module, factory)()
        except Exception as exc:
            raise RecipeError("bad-model", f"cannot build {ref}: {type(exc).__name__}: {exc}")
        if not isinstance(model, nn.Module):
            raise RecipeError("bad-model", f"{ref} returned {type(model).__name__}, not an nn.Module")
        return model, None, f"from {module_name} import {factory}; model = {factory}()"
    raise RecipeError("bad-model", f"unknown model {spec!r}")

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
    """Return (model, input_shape, code) for a model spec; code is the line that built it."""
    name = spec.get("builtin")
    if "featureTraining" in spec:
        from .recipe import RecipeError
        raise RecipeError("unsupported", "a training flag fixed when the model is built is a Keras/TF.js notion")
    if name == "seed-mlp":
        return SeedModel(), [2], "model = SeedModel()  # feature: input, act, fc1, act, bn, output; classifier"
    raise ValueError(f"unknown model {spec!r}")

"""Small building blocks shared by the demos' models (no gradio, no weights)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn


class Normalise(nn.Module):
    """(x - mean) / std with the training set's statistics, which the model's config.json keeps,
    so a model loaded from the Hub takes plain [0, 1] images. ``mean`` and ``std``: one number,
    or one per channel. Plain numbers, not buffers: the weights file holds learned values only."""

    def __init__(self, mean: float | Sequence[float], std: float | Sequence[float]) -> None:
        super().__init__()
        self.mean = tuple(float(v) for v in (mean if isinstance(mean, Sequence) else [mean]))
        self.std = tuple(float(v) for v in (std if isinstance(std, Sequence) else [std]))
        if not all(v > 0 for v in self.std):
            raise ValueError(f"std must be positive, got {std!r}")

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        # (1, C or 1, 1, 1): one value per channel, or one for all
        mean, std = (images.new_tensor(values).view(1, -1, 1, 1) for values in (self.mean, self.std))
        return (images - mean) / std  # (B, C, H, W)

    def extra_repr(self) -> str:
        return f"mean={self.mean}, std={self.std}"


def conv_block(in_channels: int, out_channels: int, groups: int = 1) -> nn.Sequential:
    """3x3 conv (no bias: batch norm supplies it; ``groups`` as in nn.Conv2d) -> batch norm -> ReLU;
    keeps H and W."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, bias=False, groups=groups),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


def members_mean(member_logits: torch.Tensor) -> torch.Tensor:
    """(B, K, classes) logits of K ensemble members -> (B, classes) log of their mean probability
    (so its softmax is that mean): what a packed ensemble answers."""
    log_probabilities = member_logits.log_softmax(dim=2)
    return torch.logsumexp(log_probabilities, dim=1) - math.log(member_logits.shape[1])


def mlp_head(in_features: int, hidden: int, num_classes: int, dropout: float) -> nn.Sequential:
    """Flatten -> dropout -> linear -> ReLU -> dropout -> linear: (B, C, H, W) features to (B, classes) logits."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Dropout(dropout),
        nn.Linear(in_features, hidden),
        nn.ReLU(inplace=True),
        nn.Dropout(dropout),
        nn.Linear(hidden, num_classes),
    )

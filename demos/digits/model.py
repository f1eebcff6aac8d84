"""The digit classifier: a small 4-conv CNN for 28x28 MNIST-style images.

Importable without gradio, so `training/train_digits.py` and the app share it.
Hyper-parameters are `__init__` arguments; `PyTorchModelHubMixin` stores them in
`config.json` next to `model.safetensors`.
"""

from __future__ import annotations

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from demos.layers import conv_block, mlp_head


class DigitCNN(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="pytorch",
    license="mit",
    pipeline_tag="image-classification",
    tags=["mnist", "digits", "deep-learning-demos"],
):
    """Two stages of (conv-BN-ReLU) x 2 + max-pool, then a small MLP head.

    Input: (B, 1, 28, 28) white-on-black images normalised with MNIST's mean/std
    (see `demos.digits.preprocess`). Output: (B, num_classes) logits.
    """

    def __init__(
        self,
        channels: tuple[int, int] | list[int] = (32, 64),
        hidden: int = 128,
        dropout: float = 0.3,
        num_classes: int = 10,
    ) -> None:
        super().__init__()
        c1, c2 = channels
        self.features = nn.Sequential(
            conv_block(1, c1),
            conv_block(c1, c1),
            nn.MaxPool2d(2),  # (B, c1, 14, 14)
            conv_block(c1, c2),
            conv_block(c2, c2),
            nn.MaxPool2d(2),  # (B, c2, 7, 7)
        )
        self.classifier = mlp_head(c2 * 7 * 7, hidden, num_classes, dropout)  # (B, num_classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(images))  # (B, num_classes)

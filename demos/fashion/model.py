"""The garment classifier: a VGG-style CNN for 28x28 Fashion-MNIST images.

Importable without gradio (`training/train_fashion.py` uses it). Hyper-parameters are
`__init__` arguments, stored by `PyTorchModelHubMixin` in `config.json`.
"""

from __future__ import annotations

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from demos.layers import conv_block, mlp_head

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


class FashionCNN(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="pytorch",
    license="mit",
    pipeline_tag="image-classification",
    tags=["fashion-mnist", "deep-learning-demos"],
):
    """Three stages of 3x3 convs with batch norm: (c1, c1) pool, (c2, c2) pool, (c3) pool; MLP head.

    Input: (B, 1, 28, 28) light-on-black images normalised with Fashion-MNIST's mean/std
    (see `demos.fashion.preprocess`). Output: (B, num_classes) logits.
    """

    def __init__(
        self,
        channels: tuple[int, int, int] | list[int] = (32, 64, 128),
        hidden: int = 256,
        dropout: float = 0.3,
        num_classes: int = 10,
    ) -> None:
        super().__init__()
        c1, c2, c3 = channels
        self.features = nn.Sequential(
            conv_block(1, c1),
            conv_block(c1, c1),
            nn.MaxPool2d(2),  # (B, c1, 14, 14)
            conv_block(c1, c2),
            conv_block(c2, c2),
            nn.MaxPool2d(2),  # (B, c2, 7, 7)
            conv_block(c2, c3),
            nn.MaxPool2d(2),  # (B, c3, 3, 3)
        )
        self.classifier = mlp_head(c3 * 3 * 3, hidden, num_classes, dropout)  # (B, num_classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(images))  # (B, num_classes)

"""The digit classifier: a small 4-conv CNN for 28x28 MNIST-style images.

Importable without gradio, so `training/train_digits.py` and the app share it.
Hyper-parameters are `__init__` arguments; `PyTorchModelHubMixin` stores them in
`config.json` next to `model.safetensors`, with all a user of the Hub model needs: the
labels, the input size and the normalisation (the model applies it itself).
"""

from __future__ import annotations

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from demos.layers import Normalise, conv_block, mlp_head

DIGITS = tuple(str(digit) for digit in range(10))
IMAGE_SIZE = 28
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081  # MNIST training-set statistics


class DigitCNN(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="pytorch",
    license="mit",
    pipeline_tag="image-classification",
    tags=["mnist", "digits", "deep-learning-demos"],
):
    """Two stages of (conv-BN-ReLU) x 2 + max-pool, then a small MLP head.

    Input: (B, 1, 28, 28) white-on-black images in [0, 1], framed as MNIST frames its
    digits (see `demos.digits.preprocess`). Output: (B, len(labels)) logits.
    """

    def __init__(
        self,
        labels: tuple[str, ...] | list[str] = DIGITS,
        image_size: int = IMAGE_SIZE,
        mean: float = MNIST_MEAN,
        std: float = MNIST_STD,
        channels: tuple[int, int] | list[int] = (32, 64),
        hidden: int = 128,
        dropout: float = 0.3,
    ) -> None:
        super().__init__()
        if image_size != IMAGE_SIZE:
            raise ValueError(f"DigitCNN reads {IMAGE_SIZE}x{IMAGE_SIZE} images, got image_size={image_size}")
        self.labels, self.image_size = tuple(labels), image_size
        c1, c2 = channels
        self.normalise = Normalise(mean, std)
        self.features = nn.Sequential(
            conv_block(1, c1),
            conv_block(c1, c1),
            nn.MaxPool2d(2),  # (B, c1, 14, 14)
            conv_block(c1, c2),
            conv_block(c2, c2),
            nn.MaxPool2d(2),  # (B, c2, 7, 7)
        )
        self.classifier = mlp_head(c2 * 7 * 7, hidden, len(self.labels), dropout)  # (B, classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(self.normalise(images)))  # (B, classes)

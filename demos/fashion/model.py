"""The garment classifier: a VGG-style CNN for 28x28 Fashion-MNIST images.

Importable without gradio (`training/train_fashion.py` uses it). Hyper-parameters are
`__init__` arguments, stored by `PyTorchModelHubMixin` in `config.json` with all a user of
the Hub model needs: the class names, the input size and the normalisation (the model
applies it itself).
"""

from __future__ import annotations

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from demos.layers import Normalise, conv_block, mlp_head

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
IMAGE_SIZE = 28
FASHION_MNIST_MEAN, FASHION_MNIST_STD = 0.2860, 0.3530  # Fashion-MNIST training-set statistics


class FashionCNN(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="pytorch",
    license="mit",
    pipeline_tag="image-classification",
    tags=["fashion-mnist", "deep-learning-demos"],
):
    """Three stages of 3x3 convs with batch norm: (c1, c1) pool, (c2, c2) pool, (c3) pool; MLP head.

    Input: (B, 1, 28, 28) light-on-black images in [0, 1], as in Fashion-MNIST (see
    `demos.fashion.preprocess`). Output: (B, len(labels)) logits.
    """

    def __init__(
        self,
        labels: tuple[str, ...] | list[str] = CLASS_NAMES,
        image_size: int = IMAGE_SIZE,
        mean: float = FASHION_MNIST_MEAN,
        std: float = FASHION_MNIST_STD,
        channels: tuple[int, int, int] | list[int] = (32, 64, 128),
        hidden: int = 256,
        dropout: float = 0.3,
    ) -> None:
        super().__init__()
        if image_size != IMAGE_SIZE:
            raise ValueError(f"FashionCNN reads {IMAGE_SIZE}x{IMAGE_SIZE} images, got image_size={image_size}")
        self.labels, self.image_size = tuple(labels), image_size
        c1, c2, c3 = channels
        self.normalise = Normalise(mean, std)
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
        self.classifier = mlp_head(c3 * 3 * 3, hidden, len(self.labels), dropout)  # (B, classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(self.normalise(images)))  # (B, classes)

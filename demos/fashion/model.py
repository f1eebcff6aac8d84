"""The garment classifiers: `FashionCNN` for 28x28 Fashion-MNIST items, `PhotoCNN` for colour photos.

Both answer with the ten Fashion-MNIST classes; `demos.fashion.predict` hands grey
Fashion-MNIST-style items to the first and colour photos to the second. Importable without
gradio (`training/train_fashion.py` and `training/train_fashion_photos.py` use it). Hyper-parameters are
`__init__` arguments, stored by `PyTorchModelHubMixin` in `config.json` with all a user of
the Hub model needs: the class names, the input size and the normalisation (the model
applies it itself).
"""

from __future__ import annotations

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from demos.layers import Normalise, conv_block, members_mean, mlp_head

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
IMAGE_SIZE = 28
FASHION_MNIST_MEAN, FASHION_MNIST_STD = 0.2860, 0.3530  # Fashion-MNIST training-set statistics
PHOTO_SIZE = 64  # photos are read whole, squeezed to 64x64 colour pixels
PHOTO_MEAN, PHOTO_STD = 0.5, 0.25  # about the phone photos' pixel statistics; any fixed values work


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


class PhotoCNN(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="pytorch",
    license="mit",
    pipeline_tag="image-classification",
    tags=["fashion-mnist", "clothing", "deep-learning-demos"],
):
    """An ensemble of ``members`` small CNNs run as one network; the answer is their mean probability.

    Each member: four stages of 3x3 convs with batch norm, global average pooling, linear. The
    members share nothing but the input: after the first conv every layer is a grouped conv with
    one group per member, so all of them run in one pass (a "packed" ensemble). A few thousand
    photos are little data; members that learned from different starting points err differently,
    and their average errs less.

    Input: (B, 3, S, S) RGB photos in [0, 1], the whole photo squeezed to S x S (see
    `demos.fashion.preprocess.photo_input`). Output: (B, len(labels)) logits whose softmax is the
    members' mean probability. Global pooling rather than a flat head: where the garment lies in
    the photo should not matter, and it keeps the weights small.
    """

    def __init__(
        self,
        labels: tuple[str, ...] | list[str] = CLASS_NAMES,
        image_size: int = PHOTO_SIZE,
        mean: float = PHOTO_MEAN,
        std: float = PHOTO_STD,
        channels: tuple[int, int, int, int] | list[int] = (24, 48, 96, 192),
        dropout: float = 0.3,
        stem_stride: int = 1,
        members: int = 1,
    ) -> None:
        super().__init__()
        if image_size < 16 or image_size % (8 * stem_stride):
            raise ValueError(f"image_size must be a multiple of {8 * stem_stride}, got {image_size}")
        if members < 1:
            raise ValueError(f"members must be at least 1, got {members}")
        self.labels, self.image_size, self.members = tuple(labels), image_size, members
        c1, c2, c3, c4 = (members * c for c in channels)  # all members' channels side by side

        def block(in_channels: int, out_channels: int) -> nn.Sequential:
            return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False, groups=members),
                                 nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))

        self.normalise = Normalise(mean, std)
        self.features = nn.Sequential(
            # stem_stride 2: the first conv looks at full-resolution pixels, the rest runs at half
            nn.Conv2d(3, c1, 3, stride=stem_stride, padding=1, bias=False),
            nn.BatchNorm2d(c1),
            nn.ReLU(inplace=True),  # (B, K*c1, S/s, S/s) with s = stem_stride, K = members
            block(c1, c1),
            nn.MaxPool2d(2),  # (B, K*c1, S/2s, S/2s)
            block(c1, c2),
            block(c2, c2),
            nn.MaxPool2d(2),  # (B, K*c2, S/4s, S/4s)
            block(c2, c3),
            block(c3, c3),
            nn.MaxPool2d(2),  # (B, K*c3, S/8s, S/8s)
            block(c3, c4),
            nn.AdaptiveAvgPool2d(1),  # (B, K*c4, 1, 1)
            nn.Flatten(start_dim=2),  # (B, K*c4, 1)
            nn.Dropout(dropout),
        )
        self.classifier = nn.Conv1d(c4, members * len(self.labels), 1, groups=members)  # one linear per member

    def member_logits(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, S, S) -> (B, members, classes): each member's own logits (training uses these)."""
        logits = self.classifier(self.features(self.normalise(images)))  # (B, K*classes, 1)
        return logits.view(len(images), self.members, len(self.labels))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return members_mean(self.member_logits(images))  # (B, classes)

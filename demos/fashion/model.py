"""The garment classifiers: `FashionCNN` for 28x28 Fashion-MNIST items, `PhotoCNN` (EfficientNet-Lite0)
for colour photos.

Both answer with the ten Fashion-MNIST classes; `demos.fashion.predict` hands grey
Fashion-MNIST-style items to the first and colour photos to the second. Importable without
gradio (`training/train_fashion.py` and `training/train_fashion_photos.py` use it). Hyper-parameters are
`__init__` arguments, stored by `PyTorchModelHubMixin` in `config.json` with all a user of
the Hub model needs: the class names, the input size and the normalisation (the model
applies it itself).
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
import torch.nn.functional as F
from huggingface_hub import PyTorchModelHubMixin
from safetensors.torch import save_file
from torch import nn

from demos.layers import Normalise, conv_block, mlp_head

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
IMAGE_SIZE = 28
FASHION_MNIST_MEAN, FASHION_MNIST_STD = 0.2860, 0.3530  # Fashion-MNIST training-set statistics
PHOTO_SIZE = 128  # photos are read whole, squeezed to 128x128 colour pixels
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)  # what the pretrained weights expect
BN_EPSILON = 1e-3  # TensorFlow's batch-norm epsilon, as EfficientNet-Lite was trained


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


class SameConv2d(nn.Conv2d):
    """A conv padded like TensorFlow's "same" (ceil(H / stride) out; the extra pixel of padding goes
    right and bottom), as EfficientNet-Lite was trained: its ImageNet weights expect exactly this."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        (kernel, _), (stride, _) = self.kernel_size, self.stride
        pads = []
        for size in (x.shape[-1], x.shape[-2]):  # F.pad wants the last dim first
            total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
            pads += [total // 2, total - total // 2]
        return super().forward(F.pad(x, pads))


def conv_bn(in_channels: int, out_channels: int, kernel: int = 1, stride: int = 1, groups: int = 1,
            activation: bool = True) -> nn.Sequential:
    """Same-padded conv (no bias) -> batch norm (TensorFlow's epsilon) -> ReLU6 unless ``activation`` is False."""
    layers = [SameConv2d(in_channels, out_channels, kernel, stride, groups=groups, bias=False),
              nn.BatchNorm2d(out_channels, eps=BN_EPSILON)]
    return nn.Sequential(*layers, nn.ReLU6(inplace=True)) if activation else nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    """MobileNetV2's block, as in EfficientNet-Lite: 1x1 expand -> k x k depthwise -> 1x1 project,
    plus the input when the shape allows; in training the block's branch is dropped for a
    random share ``drop_path`` of the images (stochastic depth)."""

    def __init__(self, in_channels: int, out_channels: int, kernel: int, stride: int, expand: int,
                 drop_path: float = 0.0) -> None:
        super().__init__()
        hidden = in_channels * expand
        self.expand = conv_bn(in_channels, hidden) if expand != 1 else nn.Identity()
        self.depthwise = conv_bn(hidden, hidden, kernel, stride, groups=hidden)
        self.project = conv_bn(hidden, out_channels, activation=False)
        self.residual = stride == 1 and in_channels == out_channels
        self.drop_path = drop_path

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.project(self.depthwise(self.expand(x)))  # (B, out, H/stride, W/stride)
        if not self.residual:
            return out
        if self.training and self.drop_path:
            keep = 1 - self.drop_path
            out = out * torch.bernoulli(torch.full((len(x), 1, 1, 1), keep, device=x.device)) / keep
        return x + out


# EfficientNet-Lite0's stages: (repeats, kernel, stride of the first block, expansion, out channels)
LITE0_STAGES = ((1, 3, 1, 1, 16), (2, 3, 2, 6, 24), (2, 5, 2, 6, 40), (3, 3, 2, 6, 80),
                (3, 5, 1, 6, 112), (4, 5, 2, 6, 192), (1, 3, 1, 6, 320))


class PhotoCNN(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="pytorch",
    license="apache-2.0",
    pipeline_tag="image-classification",
    tags=["fashion-mnist", "clothing", "efficientnet-lite", "deep-learning-demos"],
):
    """EfficientNet-Lite0 (Tan & Le, 2019; the "Lite" variant: ReLU6, no squeeze-and-excitation),
    fine-tuned from its ImageNet weights to name garments in phone photos.

    A few thousand photos are too few to learn what a sleeve, a zip or a sole looks like from
    scratch (small CNNs trained here from scratch stayed below 89% on the validation photos);
    ImageNet already knows jerseys, jeans, cardigans, trench coats and running shoes.

    Input: (B, 3, S, S) RGB photos in [0, 1], the whole photo squeezed to S x S (see
    `demos.fashion.preprocess.photo_input`); normalised inside with ImageNet's channel statistics.
    Output: (B, len(labels)) logits. The weights file stores float16 (half the size; the model
    computes in float32).
    """

    def __init__(
        self,
        labels: tuple[str, ...] | list[str] = CLASS_NAMES,
        image_size: int = PHOTO_SIZE,
        mean: tuple[float, ...] | list[float] = IMAGENET_MEAN,
        std: tuple[float, ...] | list[float] = IMAGENET_STD,
        dropout: float = 0.2,
        drop_path: float = 0.2,
    ) -> None:
        super().__init__()
        if image_size < 32 or image_size % 32:
            raise ValueError(f"image_size must be a multiple of 32 (five halvings), got {image_size}")
        self.labels, self.image_size = tuple(labels), image_size
        self.dropout, self.drop_path = dropout, drop_path
        self.normalise = Normalise(mean, std)
        self.stem = conv_bn(3, 32, kernel=3, stride=2)  # (B, 32, S/2, S/2)
        blocks, in_channels, self.stage_ends = [], 32, []
        total = sum(repeats for repeats, *_ in LITE0_STAGES)
        for repeats, kernel, stride, expand, out_channels in LITE0_STAGES:
            for repeat in range(repeats):
                blocks.append(InvertedResidual(in_channels, out_channels, kernel, stride if repeat == 0 else 1,
                                               expand, drop_path * len(blocks) / total))
                in_channels = out_channels
            self.stage_ends.append(len(blocks) - 1)  # index of each stage's last block
        self.blocks = nn.Sequential(*blocks)  # (B, 320, S/32, S/32)
        self.head = conv_bn(in_channels, 1280)  # (B, 1280, S/32, S/32)
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(dropout))  # (B, 1280)
        self.classifier = nn.Linear(1280, len(self.labels))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        # channels-last: the depthwise convs run about a third faster on a CPU (same numbers)
        images = self.normalise(images).contiguous(memory_format=torch.channels_last)
        features = self.head(self.blocks(self.stem(images)))  # (B, 1280, S/32, S/32)
        return self.classifier(self.pool(features))  # (B, classes)

    def _save_pretrained(self, save_directory: Path) -> None:
        """Weights as float16 (load_state_dict casts them back): 6.8 MB instead of 13.6."""
        state = {name: (tensor.half() if tensor.is_floating_point() else tensor).contiguous()
                 for name, tensor in self.state_dict().items()}
        save_file(state, str(Path(save_directory) / "model.safetensors"), metadata={"format": "pt"})

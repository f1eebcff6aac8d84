"""The digit classifier: a packed ensemble of small 4-conv CNNs for 28x28 MNIST-style images.

It has eleven classes: the digits 0-9 and "not a digit" (letters, shapes, scribbles, noise), so a
drawing that is no digit gets no digit (`demos.digits.predict` turns that class into a message).

Importable without gradio, so `training/train_digits.py` and the app share it.
Hyper-parameters are `__init__` arguments; `PyTorchModelHubMixin` stores them in
`config.json` next to `model.safetensors`, with all a user of the Hub model needs: the
labels, the input size and the normalisation (the model applies it itself).
"""

from __future__ import annotations

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from demos.layers import Normalise, conv_block, members_mean

DIGITS = tuple(str(digit) for digit in range(10))
NOT_A_DIGIT = "not a digit"  # the eleventh class: letters, shapes, scribbles, noise
LABELS = (*DIGITS, NOT_A_DIGIT)
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
    """An ensemble of ``members`` small CNNs run as one network; the answer is their mean probability.

    Each member: two stages of (conv-BN-ReLU) x 2 + max-pool, then a small MLP head. The members
    share only the input: after the first conv every layer is grouped, one group per member, so
    all run in one pass (a "packed" ensemble). Members grown from different starting points err
    on different digits, and their average errs less.

    Input: (B, 1, 28, 28) white-on-black images in [0, 1], framed as MNIST frames its digits (see
    `demos.digits.preprocess`). Output: (B, len(labels)) logits whose softmax is the members' mean
    probability.
    """

    def __init__(
        self,
        labels: tuple[str, ...] | list[str] = LABELS,
        image_size: int = IMAGE_SIZE,
        mean: float = MNIST_MEAN,
        std: float = MNIST_STD,
        channels: tuple[int, int] | list[int] = (32, 64),
        hidden: int = 128,
        dropout: float = 0.3,
        members: int = 1,
    ) -> None:
        super().__init__()
        if image_size != IMAGE_SIZE:
            raise ValueError(f"DigitCNN reads {IMAGE_SIZE}x{IMAGE_SIZE} images, got image_size={image_size}")
        if members < 1:
            raise ValueError(f"members must be at least 1, got {members}")
        self.labels, self.image_size, self.members = tuple(labels), image_size, members
        c1, c2 = (members * c for c in channels)  # all members' channels side by side
        self.normalise = Normalise(mean, std)
        self.features = nn.Sequential(
            conv_block(1, c1),
            conv_block(c1, c1, groups=members),
            nn.MaxPool2d(2),  # (B, K*c1, 14, 14) with K = members
            conv_block(c1, c2, groups=members),
            conv_block(c2, c2, groups=members),
            nn.MaxPool2d(2),  # (B, K*c2, 7, 7)
            nn.Flatten(),  # (B, K*c2*49): each member's features side by side
            nn.Unflatten(1, (c2 * 7 * 7, 1)),  # (B, K*c2*49, 1), for the grouped linear layers
        )
        # one MLP per member: 1x1 grouped convs over the flattened features are per-member linears
        self.classifier = nn.Sequential(
            nn.Dropout(dropout),
            nn.Conv1d(c2 * 7 * 7, members * hidden, 1, groups=members),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Conv1d(members * hidden, members * len(self.labels), 1, groups=members),  # (B, K*classes, 1)
        )

    def member_logits(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 1, 28, 28) -> (B, members, classes): each member's own logits (training uses these)."""
        logits = self.classifier(self.features(self.normalise(images)))
        return logits.view(len(images), self.members, len(self.labels))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return members_mean(self.member_logits(images))  # (B, classes)

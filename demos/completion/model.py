"""The half-digit completion network: a small UNet for 28x28 MNIST-style images.

Input: a digit whose right half (columns 14-27) is zeroed; output: logits of the whole
digit, pixel by pixel (sigmoid gives [0, 1] intensities). `CompletionUNet.complete` is the
one place where the hidden half is masked and the given half kept: serving, training and the
benchmark all call it. Importable without gradio.
"""

from __future__ import annotations

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from demos.layers import conv_block

SIZE = 28
HALF = SIZE // 2  # columns HALF.. are hidden from the network


def double_conv(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(conv_block(in_channels, out_channels), conv_block(out_channels, out_channels))


def mask_right_half(images: torch.Tensor, visible_columns: int = HALF) -> torch.Tensor:
    """Zero the columns from ``visible_columns`` on of (..., H, W) images; the network never sees them."""
    masked = images.clone()
    masked[..., visible_columns:] = 0
    return masked


def completion_mse(completed: torch.Tensor, originals: torch.Tensor) -> float:
    """The completion metric: mean squared error over the full image, pixels in [0, 1]."""
    return torch.nn.functional.mse_loss(completed.float(), originals.float()).item()


class CompletionUNet(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="pytorch",
    license="mit",
    pipeline_tag="image-to-image",
    tags=["mnist", "unet", "inpainting", "deep-learning-demos"],
):
    """Encoder (double convs + max-pool), bottleneck, decoder (transposed convs + skip connections).

    ``depth`` halvings of the 28x28 image: 1 (28 -> 14) or 2 (28 -> 14 -> 7). Channels double
    at each level, starting from ``base_channels``.
    """

    def __init__(self, base_channels: int = 32, depth: int = 2, image_size: int = SIZE,
                 visible_columns: int = HALF) -> None:
        super().__init__()
        if depth not in (1, 2):
            raise ValueError(f"depth must be 1 or 2 (28 px halves cleanly twice), got {depth}")
        if image_size != SIZE or not 0 < visible_columns < image_size:
            raise ValueError(f"the UNet completes {SIZE}x{SIZE} images from 1 to {SIZE - 1} visible columns, "
                             f"got image_size={image_size}, visible_columns={visible_columns}")
        self.image_size, self.visible_columns = image_size, visible_columns
        widths = [base_channels * 2**level for level in range(depth + 1)]  # e.g. [32, 64, 128]
        self.encoders = nn.ModuleList(
            [double_conv(1 if level == 0 else widths[level - 1], widths[level]) for level in range(depth)]
        )
        self.pool = nn.MaxPool2d(2)
        self.bottleneck = double_conv(widths[depth - 1], widths[depth])
        self.ups = nn.ModuleList(
            [nn.ConvTranspose2d(widths[level + 1], widths[level], kernel_size=2, stride=2) for level in reversed(range(depth))]
        )
        self.decoders = nn.ModuleList([double_conv(2 * widths[level], widths[level]) for level in reversed(range(depth))])
        self.head = nn.Conv2d(widths[0], 1, kernel_size=1)

    def forward(self, masked: torch.Tensor) -> torch.Tensor:
        """(B, 1, 28, 28) masked digits in [0, 1] -> (B, 1, 28, 28) logits of the whole digit."""
        skips = []
        x = masked
        for encoder in self.encoders:
            x = encoder(x)  # (B, w, s, s)
            skips.append(x)
            x = self.pool(x)  # (B, w, s/2, s/2)
        x = self.bottleneck(x)  # (B, w_deepest, 7, 7) at depth 2
        for up, decoder, skip in zip(self.ups, self.decoders, reversed(skips)):
            x = decoder(torch.cat([up(x), skip], dim=1))  # (B, w, s, s)
        return self.head(x)

    def complete(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 1, 28, 28) digits in [0, 1] (anything right of the visible columns is ignored) -> whole
        digits: the given columns as they were, the network's drawing (sigmoid of its logits) after them."""
        masked = mask_right_half(images, self.visible_columns)
        drawn = torch.sigmoid(self(masked).float())  # (B, 1, 28, 28)
        given = torch.arange(self.image_size, device=images.device) < self.visible_columns
        return torch.where(given, masked, drawn)

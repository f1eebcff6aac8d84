"""Plain functions for the half-digit completion tab (no gradio here).

    >>> from demos.completion import complete
    >>> whole = complete(left_half)   # (28, 28) float32 in [0, 1], white digit on black
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from demos import runtime
from demos.completion.model import HALF, SIZE, CompletionUNet, mask_right_half

NAME = "completion"
TRAIN_COMMAND = "python -m training.train_completion"


@functools.cache
def load_unet() -> CompletionUNet:
    """The committed completion UNet, loaded once (strictly, eval mode, on the serving device)."""
    return runtime.load_model(CompletionUNet, NAME, TRAIN_COMMAND)


def as_half_digit(left_half: np.ndarray) -> np.ndarray:
    """Validate a 28x28 uint8 (0-255) or float (0-1) array; float32 in [0, 1] with columns 14-27 zeroed."""
    array = np.asarray(left_half)
    if array.shape != (SIZE, SIZE):
        raise ValueError(f"left_half must be a 28x28 array, got shape {array.shape}")
    if array.dtype == np.uint8:
        values = array.astype(np.float32) / 255.0
    elif np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer):
        values = array.astype(np.float32)
        if not np.isfinite(values).all():
            raise ValueError("left_half contains NaN or infinite values")
        if values.min() < 0.0 or values.max() > 1.0:
            raise ValueError("left_half must be uint8 (0-255) or floats in [0, 1] "
                             f"(got values from {values.min():g} to {values.max():g})")
    else:
        raise ValueError(f"left_half must be a numeric array, got dtype {array.dtype}")
    values = values.copy()
    values[:, HALF:] = 0.0
    return values


@runtime.gpu
@torch.inference_mode()
def complete_batch(halves: np.ndarray) -> np.ndarray:
    """(N, 28, 28) masked halves in [0, 1] -> (N, 28, 28) whole digits: the given left, the drawn right."""
    model = load_unet()
    device = next(model.parameters()).device
    masked = mask_right_half(torch.as_tensor(halves, dtype=torch.float32)).unsqueeze(1).to(device)
    drawn = torch.sigmoid(model(masked).float())  # (N, 1, 28, 28)
    whole = torch.where(torch.arange(SIZE, device=device) < HALF, masked, drawn)  # keep what was given
    return whole[:, 0].cpu().numpy()


def complete(left_half: np.ndarray) -> np.ndarray:
    """Draw the right half of a digit.

    ``left_half``: 28x28, uint8 0-255 or float 0-1, white digit on black (MNIST framing);
    columns 14-27 are ignored. Returns float32 (28, 28) in [0, 1]: the given left half and
    the network's right half. Raises ``ValueError`` for other shapes or value ranges.
    """
    return complete_batch(as_half_digit(left_half)[None])[0]

"""The half-digit completion pipeline, owned here (no gradio): the tab and the benchmark call it.

    >>> from demos.completion import complete, complete_drawing
    >>> whole = complete(left_half)          # (28, 28) float32 in [0, 1], white digit on black
    >>> complete_drawing(sketch)             # Completion: the whole digit and the digits model's reading

A drawing goes: the pad's picture -> the 28x28 field (`preprocess`) -> the UNet, which masks the
right half and keeps the given left half (`CompletionUNet.complete`) -> the digit classifier.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch

from demos import runtime
from demos.completion.model import HALF, SIZE, CompletionUNet
from demos.completion.preprocess import CANVAS, HalfDrawingError, guide_overlay, half_digit_from_drawing, ink_on_paper
from demos.digits.predict import read_digit

NAME = "completion"
TRAIN_COMMAND = "python -m training.train_completion"
# what the tab shows: the pad's size, its guides, and where the given half ends
__all__ = ["CANVAS", "HALF", "Completion", "complete", "complete_batch", "complete_drawing", "guide_overlay",
           "ink_on_paper", "load_unet", "metrics"]


@dataclass(frozen=True)
class Completion:
    """A drawing completed: the whole digit and how the digits model reads it, or why not."""

    whole: np.ndarray | None  # (28, 28) in [0, 1]: the given left half, the network's right half
    probabilities: dict[str, float]  # '0'..'9' -> probability, for the whole digit ({} with a message)
    message: str | None = None  # why there is no reading: a blank half (no whole), or not a digit


@functools.cache
def load_unet() -> CompletionUNet:
    """The committed completion UNet, loaded once (strictly, eval mode, on the serving device)."""
    return runtime.load_model(CompletionUNet, NAME, TRAIN_COMMAND)


def metrics() -> dict | None:
    """The metrics.json that came with the weights, or None."""
    return runtime.load_metrics(NAME, TRAIN_COMMAND)


def as_half_digit(left_half: np.ndarray) -> np.ndarray:
    """Validate a 28x28 uint8 (0-255) or float (0-1) array; float32 in [0, 1] (the model masks the right half)."""
    array = np.asarray(left_half)
    if array.shape != (SIZE, SIZE):
        raise ValueError(f"left_half must be a 28x28 array, got shape {array.shape}")
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255.0
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise ValueError(f"left_half must be a numeric array, got dtype {array.dtype}")
    values = array.astype(np.float32)
    if not np.isfinite(values).all():
        raise ValueError("left_half contains NaN or infinite values")
    if values.min() < 0.0 or values.max() > 1.0:
        raise ValueError("left_half must be uint8 (0-255) or floats in [0, 1] "
                         f"(got values from {values.min():g} to {values.max():g})")
    return values


@runtime.gpu
@torch.inference_mode()
def complete_batch(halves: np.ndarray) -> np.ndarray:
    """(N, 28, 28) digits in [0, 1] (right halves ignored) -> (N, 28, 28) whole digits: the given left, the drawn right."""
    model = load_unet()
    device = next(model.parameters()).device
    images = torch.as_tensor(np.asarray(halves, dtype=np.float32)).unsqueeze(1).to(device)  # (N, 1, 28, 28)
    return model.complete(images)[:, 0].cpu().numpy()


def complete(left_half: np.ndarray) -> np.ndarray:
    """Draw the right half of a digit.

    ``left_half``: 28x28, uint8 0-255 or float 0-1, white digit on black (MNIST framing);
    columns 14-27 are ignored. Returns float32 (28, 28) in [0, 1]: the given left half and
    the network's right half. Raises ``ValueError`` for other shapes or value ranges.
    """
    return complete_batch(as_half_digit(left_half)[None])[0]


def complete_drawing(image: object) -> Completion:
    """A drawing in the tab's framing (the pad's picture: the 28x28 MNIST field, 10 px per pixel, dark
    ink on white) -> its completion and the digits model's reading; a message when the left half is
    blank or too dense, or (with the completion) when the result is no digit. Raises ``ValueError``
    for things that are not images."""
    try:
        field = half_digit_from_drawing(image)
    except HalfDrawingError as hint:
        return Completion(None, {}, str(hint))
    whole = complete(field)
    reading = read_digit(whole)
    return Completion(whole, reading.probabilities, reading.message)

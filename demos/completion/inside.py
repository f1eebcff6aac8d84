"""Under the hood of the completion demo, for one drawing (no gradio): the UNet's raw output, what
the digit classifier reads in the half alone and in the completion, and how the UNet was trained.

    >>> from demos.completion import inside
    >>> inside.raw_output(drawing)             # (28, 28) in [0, 1]: grey where the UNet is unsure
    >>> inside.readings(drawing).added         # how much more sure the reader is with the drawn half

A drawing with no left half (blank, or far too much ink) raises the tab's `HalfDrawingError`
(a ``ValueError`` with a sentence). `raw_output_of` and `readings_of` take the completion
(`complete_drawing(...).whole`) instead: what the tab's panel uses.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from demos import inside, runtime
from demos.completion.model import mask_right_half
from demos.completion.predict import complete_batch, load_unet, metrics
from demos.completion.preprocess import half_digit_from_drawing
from demos.digits.model import LABELS
from demos.digits.predict import CLASSIFIER as DIGITS
from demos.digits.predict import digit_probabilities

CURVE_NAMES = {"loss": {"train_loss": "training loss"}, "error": {"test_mse": "test error"}}


@runtime.gpu
@torch.inference_mode()
def _raw_output(field: np.ndarray) -> np.ndarray:
    model = load_unet()
    device = next(model.parameters()).device
    images = torch.as_tensor(field, dtype=torch.float32, device=device)[None, None]  # (1, 1, 28, 28)
    return torch.sigmoid(model(mask_right_half(images, model.visible_columns)).float())[0, 0].cpu().numpy()


def raw_output_of(field: np.ndarray) -> np.ndarray:
    """`raw_output` of a (28, 28) field in [0, 1] (its right half is ignored: a half, or a completion)."""
    return _raw_output(field)


def raw_output(image: object) -> np.ndarray:
    """The UNet's own picture of the whole 28x28 field (its sigmoid output, left half included)
    before the drawn half is pasted back: white where it is sure of ink, black where sure of none,
    grey where unsure."""
    return raw_output_of(half_digit_from_drawing(image))


@dataclass(frozen=True)
class Readings:
    """The digit classifier's probabilities (all eleven labels) for the drawn half alone and for the completion."""

    half: dict[str, float]
    whole: dict[str, float]

    @property
    def top(self) -> str:
        """The completion's likeliest label."""
        return max(self.whole, key=self.whole.get)

    @property
    def added(self) -> float:
        """How much more probable the completion's top label is than it was for the half alone."""
        return self.whole[self.top] - self.half[self.top]


def readings_of(whole: np.ndarray) -> Readings:
    """`readings` of a (28, 28) completion (`complete_drawing(...).whole`): its left half is the drawn half."""
    half = mask_right_half(torch.as_tensor(whole)).numpy()
    values = digit_probabilities(np.stack([half, whole]))  # (2, 11)
    labels = DIGITS.load().labels
    return Readings(*({label: float(p) for label, p in zip(labels, row)} for row in values))


def readings(image: object) -> Readings:
    """The reader on the drawn half (right half empty) and on the UNet's completion of it."""
    return readings_of(complete_batch(half_digit_from_drawing(image)[None])[0])


@functools.cache
def training() -> inside.Training:
    """The UNet's learning curves from its metrics.json (no gallery: its mistakes are drawings, not labels)."""
    history = (metrics() or {}).get("history", [])
    return inside.Training(
        "the completion UNet", inside.curves(history, CURVE_NAMES["loss"]), inside.curves(history, CURVE_NAMES["error"]),
        "Per epoch: the training loss (mean squared error of the drawn right halves of augmented training digits) "
        "and the test error (mean squared error of the completed 10,000 MNIST test digits against the real ones, "
        "over all pixels); lower is better. The weights kept are the last epoch's.", "", [])


@dataclass(frozen=True)
class Views:
    """What the completion tab's "Under the hood" panel calls."""

    raw_output: Callable[[object], np.ndarray]
    readings: Callable[[object], Readings]
    training: Callable[[], inside.Training]
    labels: tuple[str, ...]


# what the tab's panel calls: it keeps the visitor's last completion
VIEWS = Views(raw_output_of, readings_of, training, LABELS)

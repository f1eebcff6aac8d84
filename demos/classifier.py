"""What the image classifiers (digits, fashion) share: running the model and reporting a reading.

No gradio here: the Python API and the tests use it directly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class Reading:
    """What a classifier made of an image: probabilities by label and its 28x28 input, or why not."""

    probabilities: dict[str, float]
    model_input: np.ndarray | None
    message: str | None = None


@torch.inference_mode()
def softmax(model: torch.nn.Module, inputs: torch.Tensor) -> np.ndarray:
    """(N, ...) model inputs -> (N, classes) probabilities as numpy, on the model's device."""
    device = next(model.parameters()).device
    return torch.softmax(model(inputs.to(device)).float(), dim=1).cpu().numpy()


def read_image(
    image: object,
    preprocess: Callable[[object], np.ndarray],
    probabilities: Callable[[np.ndarray], np.ndarray],
    labels: Sequence[str],
    refusal: type[ValueError],
) -> Reading:
    """Preprocess one image and classify it; a ``refusal`` from preprocessing becomes the message."""
    try:
        model_input = preprocess(image)
    except refusal as problem:
        return Reading({}, None, str(problem))
    values = probabilities(model_input[None])[0]
    return Reading({label: float(p) for label, p in zip(labels, values)}, model_input)

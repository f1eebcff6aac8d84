"""Plain predict functions for the Digits tab (no gradio here).

    >>> from demos.digits import classify
    >>> classify(drawing)            # {'0': 0.001, ..., '7': 0.98, ...}, or {} when blank
"""

from __future__ import annotations

import functools

import numpy as np

from demos import classifier, runtime
from demos.classifier import Reading
from demos.digits.model import DigitCNN
from demos.digits.preprocess import DrawingError, preprocess_drawing, to_model_input

NAME = "digits"
TRAIN_COMMAND = "python -m training.train_digits"
LABELS = tuple(str(digit) for digit in range(10))


@functools.cache
def load_classifier() -> DigitCNN:
    """The committed digit classifier, loaded once (strictly, eval mode, on the serving device)."""
    return runtime.load_model(DigitCNN, NAME, TRAIN_COMMAND)


@runtime.gpu
def digit_probabilities(digits: np.ndarray) -> np.ndarray:
    """(N, 28, 28) MNIST-style digits (white on black, [0, 1]) -> (N, 10) probabilities.

    The one place the classifier runs; the completion demo reads its digits here too.
    """
    return classifier.softmax(load_classifier(), to_model_input(digits))


def read_drawing(image: object) -> Reading:
    """Preprocess a drawing and classify it; blank drawings and scribbles get a message instead."""
    return classifier.read_image(image, preprocess_drawing, digit_probabilities, LABELS, DrawingError)


def classify(image: object) -> dict[str, float]:
    """``'0'``..``'9'`` -> probability (summing to 1) for a drawing; ``{}`` when there is no digit.

    ``image``: a Gradio sketch value (dict with ``composite``/``layers``/``background``),
    a PIL image, or a numpy array (H x W, H x W x 3 or H x W x 4; uint8 or float) of
    dark ink on a light or transparent background. Raises ``ValueError`` for things
    that are not images.
    """
    return read_drawing(image).probabilities

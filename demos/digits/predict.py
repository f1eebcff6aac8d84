"""The Digits pipeline, owned here (no gradio): the tab, the benchmarks and the completion demo call it.

    >>> from demos.digits import classify
    >>> classify(drawing)            # {'0': 0.001, ..., '7': 0.98, ...}, or {} when blank or not a digit

The model has an eleventh class, "not a digit": when its probability reaches the threshold set in
training (`metrics.json`'s ``rejection.refuse_at``), there is no answer but a sentence
(`NOT_A_DIGIT_MESSAGE`); otherwise the ten digits' probabilities are the answer, and what they
leave to 1 is the model's belief that the drawing is no digit.
"""

from __future__ import annotations

import numpy as np

from demos import runtime
from demos.classifier import ImageClassifier, Reading
from demos.digits.model import DIGITS, NOT_A_DIGIT, DigitCNN
from demos.digits.preprocess import DrawingError, preprocess_drawing

NAME = "digits"
TRAIN_COMMAND = "python -m training.train_digits"
LABELS = DIGITS
NOT_A_DIGIT_MESSAGE = "That doesn't look like a digit: draw one of 0 to 9"

CLASSIFIER = ImageClassifier(NAME, DigitCNN, TRAIN_COMMAND, preprocess_drawing, DrawingError,
                             rejection=(NOT_A_DIGIT, NOT_A_DIGIT_MESSAGE))

load_classifier = CLASSIFIER.load
metrics = CLASSIFIER.metrics


@runtime.gpu
def digit_probabilities(digits: np.ndarray) -> np.ndarray:
    """(N, 28, 28) MNIST-style digits (white on black, [0, 1]) -> (N, 11) probabilities (0-9, not a digit).

    The one place the classifier runs; the completion demo reads its digits here too."""
    return CLASSIFIER.probabilities(digits)


def read_digit(digit: np.ndarray) -> Reading:
    """One MNIST-framed (28, 28) digit (the completion's) -> its reading, or the not-a-digit sentence."""
    return CLASSIFIER.answer(digit_probabilities(digit[None])[0], digit)


def read_drawing(image: object) -> Reading:
    """A drawing -> its probabilities and 28x28 input, or a message for a blank pad, a speck or a scribble."""
    return CLASSIFIER.read(image, digit_probabilities)


def classify(image: object) -> dict[str, float]:
    """``'0'``..``'9'`` -> probability for a drawing; ``{}`` when there is no digit (blank pad, speck,
    scribble, or the model finds it is not a digit).

    ``image``: a Gradio sketch value (dict with ``composite``/``layers``/``background``),
    a PIL image, or a numpy array (H x W, H x W x 3 or H x W x 4; uint8 or float) of
    dark ink on a light or transparent background. Raises ``ValueError`` for things
    that are not images.
    """
    return read_drawing(image).probabilities

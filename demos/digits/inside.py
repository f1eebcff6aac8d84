"""Under the hood of the Digits demo, for one drawing (no gradio): where the network looked, its
first layer, all eleven probabilities, and how it was trained.

    >>> from demos.digits import inside
    >>> inside.saliency(drawing).picture        # red: pixels that made it say its answer
    >>> inside.first_layer(drawing).maps        # (32, 28, 28): the first layer's feature maps
    >>> inside.probabilities(drawing)           # '0'..'9' and 'not a digit' -> probability
    >>> inside.training().loss                  # learning-curve rows from metrics.json

A drawing with nothing to read (blank pad, a speck) raises the same `DrawingError` (a
``ValueError`` with a sentence) that `classify` turns into ``{}``. The ``*_of_input`` functions
take the 28x28 model input instead (`read_drawing(...).model_input`): what the tab's panel uses.
"""

from __future__ import annotations

import functools

import numpy as np

from demos import runtime
from demos.digits.model import LABELS
from demos.digits.predict import CLASSIFIER, digit_probabilities
from demos.inside import (
    TEST_SET_CURVES, ClassifierInside, FirstLayer, IntegratedGradients, Saliency, Training, Views, held_out_note,
)

INSIDE = ClassifierInside(
    CLASSIFIER, "the digits network (a packed ensemble of 3 small CNNs)", IntegratedGradients(baseline=0.0, steps=16),
    curve_names=TEST_SET_CURVES, note=held_out_note("MNIST test digits"))


@runtime.gpu
def saliency_of_input(model_input: np.ndarray) -> Saliency:
    """`saliency` of a (28, 28) model input (what `read_drawing` gives as ``model_input``)."""
    return INSIDE.saliency(model_input)


@runtime.gpu
def first_layer_of_input(model_input: np.ndarray) -> FirstLayer:
    """`first_layer` of a (28, 28) model input."""
    return INSIDE.first_layer(model_input)


def probabilities_of_input(model_input: np.ndarray) -> dict[str, float]:
    """`probabilities` of a (28, 28) model input."""
    return INSIDE.probabilities(model_input, digit_probabilities)


def saliency(image: object) -> Saliency:
    """Integrated gradients from a black (empty) field for the network's top answer, over the
    28x28 input it read. ``image``: anything `demos.digits.classify` takes."""
    return saliency_of_input(CLASSIFIER.preprocess(image))


def first_layer(image: object) -> FirstLayer:
    """The first convolution layer's feature maps for the drawing, and its filters."""
    return first_layer_of_input(CLASSIFIER.preprocess(image))


def probabilities(image: object) -> dict[str, float]:
    """All eleven probabilities ('0'..'9', 'not a digit'), refused or not."""
    return probabilities_of_input(CLASSIFIER.preprocess(image))


@functools.cache
def training() -> list[Training]:
    """The learning curves and the gallery of MNIST test digits it gets wrong (one network)."""
    return [INSIDE.training()]


# what the tab's panel calls: it keeps the model input of the visitor's last drawing
VIEWS = Views(saliency_of_input, first_layer_of_input, probabilities_of_input, training, LABELS)

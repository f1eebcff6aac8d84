"""Under the hood of the Fashion demo, for one image (no gradio): where the network looked, its
first layer, all ten probabilities, and how both networks were trained.

    >>> from demos.fashion import inside
    >>> inside.saliency(photo).picture          # red: pixels that made it say its answer
    >>> inside.first_layer(photo).filters       # the first layer's filters (colour ones for photos)
    >>> inside.probabilities(photo)             # the ten classes -> probability

Each image is read by the network `demos.fashion.classify` sends it to: colour photos by the
photo network, grey items by the Fashion-MNIST network; the views say which. The ``*_of_input``
functions take the network's input instead (`read_photo(...).model_input`): what the tab's panel uses.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from demos import runtime
from demos.fashion.model import CLASS_NAMES
from demos.fashion.predict import ITEMS, PHOTOS, garment_probabilities, photo_probabilities
from demos.fashion.preprocess import decode, is_grey
from demos.inside import (
    TEST_SET_CURVES, ClassifierInside, FirstLayer, GradCAM, IntegratedGradients, Saliency, Training, Views,
    held_out_note,
)

ITEMS_INSIDE = ClassifierInside(
    ITEMS, "the Fashion-MNIST network (grey items)", IntegratedGradients(baseline=0.0, steps=16),
    curve_names=TEST_SET_CURVES, note=held_out_note("Fashion-MNIST test items"))
# Grad-CAM, not integrated gradients: along the path from a plain picture to a photo, this deep
# network's gradients are too rough for the few steps that fit in 100 ms (`python -m
# benchmarks.under_the_hood --steps`). On the sixth stage's maps (1/32 of the side: 4x4 for 128 px):
# the fifth's (8x8) lit up floors and walls as much as the garment.
PHOTOS_INSIDE = ClassifierInside(
    PHOTOS, "the photo network (EfficientNet-Lite0 fine-tuned on phone photos)",
    GradCAM(lambda model: model.blocks[model.stage_ends[5]], "its sixth stage, 1/32 of the photo's side"),
    curve_names={"loss": {"train_loss": "training loss"},
                 "accuracy": {"validation_strict_accuracy": "validation accuracy (real photos)"}},
    note="The training loss per epoch (partial-label loss on augmented photos; the training run "
         "recorded no held-out loss) and the accuracy on the 527 validation phone photos. The weights "
         "kept are the last epoch's.",
)


def model_input(image: object) -> np.ndarray:
    """The image as the network `read_photo` sends it to reads it: (28, 28) for a grey item, (S, S, 3)
    for a colour photo; ``PhotoError`` (a ``ValueError``) with a sentence for a blank image."""
    rgb = decode(image)
    return ITEMS.preprocess(rgb[:, :, 0]) if is_grey(rgb) else PHOTOS.preprocess(rgb)


def _network(model_input: np.ndarray) -> tuple[ClassifierInside, Callable[[np.ndarray], np.ndarray]]:
    """Which network reads ``model_input`` (grey: the Fashion-MNIST one, colour: the photo one), and its probabilities."""
    return (ITEMS_INSIDE, garment_probabilities) if model_input.ndim == 2 else (PHOTOS_INSIDE, photo_probabilities)


@runtime.gpu
def saliency_of_input(model_input: np.ndarray) -> Saliency:
    """`saliency` of a model input (`read_photo(...).model_input`)."""
    return _network(model_input)[0].saliency(model_input)


@runtime.gpu
def first_layer_of_input(model_input: np.ndarray) -> FirstLayer:
    """`first_layer` of a model input."""
    return _network(model_input)[0].first_layer(model_input)


def probabilities_of_input(model_input: np.ndarray) -> dict[str, float]:
    """`probabilities` of a model input."""
    views, probabilities_of = _network(model_input)
    return views.probabilities(model_input, probabilities_of)


def saliency(image: object) -> Saliency:
    """Where the network looked for its top answer, over the input it read: integrated gradients from a
    black field for a grey item, Grad-CAM for a photo. ``image``: anything `classify` takes."""
    return saliency_of_input(model_input(image))


def first_layer(image: object) -> FirstLayer:
    """The first convolution layer's feature maps for the image, and its filters."""
    return first_layer_of_input(model_input(image))


def probabilities(image: object) -> dict[str, float]:
    """All ten probabilities."""
    return probabilities_of_input(model_input(image))


@functools.cache
def training() -> list[Training]:
    """Both networks' learning curves and the images they get wrong: the photo network first."""
    return [PHOTOS_INSIDE.training(), ITEMS_INSIDE.training()]



# what the tab's panel calls: it keeps the model input of the visitor's last image
VIEWS = Views(saliency_of_input, first_layer_of_input, probabilities_of_input, training, CLASS_NAMES)

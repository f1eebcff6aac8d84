"""Plain predict functions for the Fashion tab (no gradio here).

    >>> from demos.fashion import classify
    >>> classify(Image.open("sneaker.jpg"))   # {'T-shirt/top': 0.001, ..., 'Sneaker': 0.97, ...}
"""

from __future__ import annotations

import functools

import numpy as np

from demos import classifier, runtime
from demos.classifier import Reading
from demos.fashion.model import CLASS_NAMES, FashionCNN
from demos.fashion.preprocess import PhotoError, preprocess_photo, to_model_input

NAME = "fashion"
TRAIN_COMMAND = "python -m training.train_fashion"


@functools.cache
def load_classifier() -> FashionCNN:
    """The committed garment classifier, loaded once (strictly, eval mode, on the serving device)."""
    return runtime.load_model(FashionCNN, NAME, TRAIN_COMMAND)


@runtime.gpu
def garment_probabilities(images: np.ndarray) -> np.ndarray:
    """(N, 28, 28) Fashion-MNIST-style images (light on black, [0, 1]) -> (N, 10) probabilities."""
    return classifier.softmax(load_classifier(), to_model_input(images))


def read_photo(image: object) -> Reading:
    """Preprocess a photo and classify it; blank or uniform images get a message instead."""
    return classifier.read_image(image, preprocess_photo, garment_probabilities, CLASS_NAMES, PhotoError)


def classify(image: object) -> dict[str, float]:
    """The ten Fashion-MNIST class names -> probability (summing to 1); ``{}`` for a blank image.

    ``image``: a PIL image (any mode; EXIF orientation honoured) or a numpy array, either in
    Fashion-MNIST style (light item on black) or a photo (item on a light background).
    Raises ``ValueError`` for things that are not images.
    """
    return read_photo(image).probabilities

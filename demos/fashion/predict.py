"""The Fashion pipeline, owned here (no gradio): the tab and the benchmarks call it.

    >>> from demos.fashion import classify
    >>> classify(Image.open("sneaker.jpg"))   # {'T-shirt/top': 0.001, ..., 'Sneaker': 0.97, ...}
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from demos import runtime
from demos.classifier import ImageClassifier, Reading
from demos.fashion.model import FashionCNN
from demos.fashion.preprocess import PhotoError, preprocess_photo

NAME = "fashion"
TRAIN_COMMAND = "python -m training.train_fashion"

CLASSIFIER = ImageClassifier(NAME, FashionCNN, TRAIN_COMMAND, preprocess_photo, PhotoError)

load_classifier = CLASSIFIER.load
metrics = CLASSIFIER.metrics


@runtime.gpu
def garment_probabilities(images: np.ndarray) -> np.ndarray:
    """(N, 28, 28) Fashion-MNIST-style images (light on black, [0, 1]) -> (N, 10) probabilities."""
    return CLASSIFIER.probabilities(images)


def read_photo(image: object) -> Reading:
    """A photo -> its probabilities and 28x28 input, or a message for a blank or uniform image."""
    return CLASSIFIER.read(image, garment_probabilities)


def read_photo_file(path: str) -> Reading:
    """An uploaded file -> Reading; a file that is not an image gets a message, not an exception."""
    try:
        with Image.open(path) as photo:
            return read_photo(photo)
    except (OSError, Image.DecompressionBombError) as error:  # not an image file, truncated, or absurdly large
        return Reading({}, None, f"Could not open that file as an image ({type(error).__name__})")


def classify(image: object) -> dict[str, float]:
    """The ten Fashion-MNIST class names -> probability (summing to 1); ``{}`` for a blank image.

    ``image``: a PIL image (any mode; EXIF orientation honoured) or a numpy array, either in
    Fashion-MNIST style (light item on black) or a photo (item on a light background).
    Raises ``ValueError`` for things that are not images.
    """
    return read_photo(image).probabilities

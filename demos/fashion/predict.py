"""The Fashion pipeline, owned here (no gradio): the tab and the benchmarks call it.

    >>> from demos.fashion import classify
    >>> classify(Image.open("sneaker.jpg"))   # {'T-shirt/top': 0.001, ..., 'Sneaker': 0.97, ...}

Two networks, one answer format: grey images (Fashion-MNIST items and grey product shots)
are read by the Fashion-MNIST network, colour photos by the photo network (see
`demos.fashion.preprocess`). Both name the same ten Fashion-MNIST classes.
"""

from __future__ import annotations

import numpy as np

from demos import imaging, runtime
from demos.classifier import ImageClassifier, Reading
from demos.fashion.model import FashionCNN, PhotoCNN
from demos.fashion.preprocess import PhotoError, decode, is_grey, photo_input, preprocess_item

ITEMS = ImageClassifier("fashion", FashionCNN, "python -m training.train_fashion", preprocess_item, PhotoError)
PHOTOS = ImageClassifier("fashion-photos", PhotoCNN, "python -m training.train_fashion_photos",
                         lambda rgb: photo_input(rgb, PHOTOS.load().image_size), PhotoError)

metrics = ITEMS.metrics
photo_metrics = PHOTOS.metrics


def load_classifiers() -> tuple[FashionCNN, PhotoCNN]:
    """Both committed networks, loaded once (the app calls this at start-up)."""
    return ITEMS.load(), PHOTOS.load()


@runtime.gpu
def garment_probabilities(images: np.ndarray) -> np.ndarray:
    """(N, 28, 28) Fashion-MNIST-style items (light on black, [0, 1]) -> (N, 10) probabilities."""
    return ITEMS.probabilities(images)


@runtime.gpu
def photo_probabilities(photos: np.ndarray) -> np.ndarray:
    """(N, S, S, 3) colour photos in [0, 1] (see `photo_input`) -> (N, 10) probabilities."""
    return PHOTOS.probabilities(photos)


def unsure_note(probabilities: dict[str, float], unsure_below: float) -> str | None:
    """'Not sure: maybe a Shirt or a T-shirt/top' when the top probability is below ``unsure_below``
    (calibrated on validation photos, kept in the photo model's metrics.json); else None."""
    first, second = sorted(probabilities, key=probabilities.get, reverse=True)[:2]
    if probabilities[first] >= unsure_below:
        return None
    return f"Not sure: maybe {with_article(first)} or {with_article(second)}"


def with_article(class_name: str) -> str:
    """'a Shirt', 'an Ankle boot'."""
    return f"{'an' if class_name[0].lower() in 'aeiou' else 'a'} {class_name}"


def read_photo(image: object) -> Reading:
    """An image -> its probabilities and the network's input, or a message for a blank image;
    a colour photo the photo network is unsure about also gets a ``note`` in words."""
    try:
        rgb = decode(image)
    except PhotoError as problem:
        return Reading({}, None, str(problem))
    if is_grey(rgb):
        return ITEMS.read(rgb[:, :, 0], garment_probabilities)
    reading = PHOTOS.read(rgb, photo_probabilities)
    calibration = photo_metrics() or {}
    if not reading.probabilities or "unsure_below" not in calibration:
        return reading
    note = unsure_note(reading.probabilities, calibration["unsure_below"])
    return Reading(reading.probabilities, reading.model_input, note=note)


def read_photo_file(path: str) -> Reading:
    """An uploaded file -> Reading; a file that is not an image gets a message, not an exception."""
    try:
        return read_photo(imaging.open_file(path))
    except imaging.UnreadableImageError as problem:
        return Reading({}, None, f"Could not read that image: {problem}")


def classify(image: object) -> dict[str, float]:
    """The ten Fashion-MNIST class names -> probability (summing to 1); ``{}`` for a blank image.

    ``image``: a PIL image (any mode; EXIF orientation honoured) or a numpy array: a colour
    photo, or a grey item in Fashion-MNIST style (light on black) or as a product shot.
    Raises ``ValueError`` for things that are not images.
    """
    return read_photo(image).probabilities
